"""Scenario files: one deployment described in YAML (or JSON), as ``shiftsim simulate`` reads it.

A scenario file names the compute platform, the deployment configuration (or the AppSpec file
that describes the deployment), the traffic, how each version behaves (the faults of a bad
release), the CloudWatch alarms and the hooks. :func:`load_scenario` reads one into a
:class:`Scenario` holding a ready-to-run deployment. Keys are the snake_case names of the Python
API (CodeDeploy's own names), so everything in a file can also be written in Python.

Format
------
Every scenario has:

``platform`` (required)
    ``Lambda``, ``ECS`` or ``Server``.
``config``
    A configuration name (``CodeDeployDefault.LambdaCanary10Percent5Minutes``, a SAM short name
    such as ``Canary10Percent5Minutes``), or a custom configuration::

        config: {type: TimeBasedLinear, linear_percentage: 20, linear_interval: 2}
        config: {type: TimeBasedCanary, canary_percentage: 5, canary_interval: 30}
        config: {type: AllAtOnce}
        config: {minimum_healthy_hosts: {type: FLEET_PERCENT, value: 75}}   # Server

    An optional ``name`` names a custom configuration. Required unless a SAM template gives it.
``name``, ``seed``, ``runs``
    A title, the default seed of ``shiftsim simulate`` and the default number of runs of
    ``shiftsim montecarlo`` (10,000).
``appspec``
    Path of an AppSpec file (relative to the scenario file). Lambda: the function, alias,
    versions and hook functions come from it. ECS: the hook functions. Server: the scripts.
``alarms``
    A list of alarms with :class:`~shiftsim.Alarm`'s fields (``name``, ``metric``, ``threshold``,
    ``comparison_operator``, ``statistic``, ``period``, ``evaluation_periods``,
    ``datapoints_to_alarm``, ``treat_missing_data``, ``version``, ``initial_state``).
``auto_rollback``
    ``true`` (all three events, the default), ``false``, or ``{enabled: ..., events: [...]}``.
``manual_stop``
    ``{at_minute: 4, auto_rollback_enabled: true}``: a ``StopDeployment`` call.

Lambda and ECS scenarios also take:

``traffic``
    Calls (Lambda) or requests (ECS) per minute: a number, a list of per-minute rates (the last
    one holds), or a profile (below).
``versions``
    ``{current: VERSION, target: VERSION}``, each with :class:`~shiftsim.Version`'s fields:
    ``name``, ``error_rate``, ``throttle_rate`` (numbers or profiles), ``duration_ms``,
    ``duration_sigma``, ``timeout`` (seconds, D14). A bad release is a target whose error rate
    is high or rises.
``hooks``
    Lifecycle event -> ``{function_name, duration (s), outcome}`` with ``outcome`` one of
    ``Succeeded``, ``Failed``, ``NoResponse``. Events by CodeDeploy's name
    (``BeforeAllowTraffic``), the Python field (``before_allow_traffic``) or, for Lambda, SAM's
    ``PreTraffic``/``PostTraffic``. With an AppSpec the function names come from its ``Hooks``
    and the scenario adds durations and outcomes.
``alarm_poll_interval``, ``metric_delay``, ``linear_completion``
    Seconds between CodeDeploy's alarm polls (D2), seconds before a datapoint is visible (D3),
    and when linear shifting ends (D1).
``ignore_poll_alarm_failure``
    Whether the deployment goes on when alarm state cannot be read (``AlarmConfiguration``).
``override_alarm_configuration``, ``alarm_read_failures``
    ``{enabled, ignore_poll_alarm_failure, alarms: [...]}`` (:class:`~shiftsim.AlarmConfiguration`,
    alarms as in ``alarms``) and a list of ``{start_minute, end_minute, error_code}``
    (:class:`~shiftsim.AlarmReadFailure`).
``names``
    ``function_name``, ``alias`` (Lambda), ``service_name``, ``cluster_name`` (ECS),
    ``application``, ``deployment_group``.

Lambda only: ``sam_template`` and ``function``, a SAM template and the logical id of the
function in it (:func:`shiftsim.sam.from_sam`): the template gives the configuration, alarms and
hook functions; ``alarms`` then override the template's alarms by name, and ``config`` may define
a custom configuration its ``Type`` names. ECS only: ``install_seconds``, ``test_traffic``,
``termination_wait_time_in_minutes``, ``test_requests_per_minute`` (a rate, as ``traffic``),
``ready_action``, ``ready_wait_minutes``, ``continue_after_minutes``, ``termination_action``,
``skip_termination_wait_after_minutes``, as in :class:`~shiftsim.EcsDeployment`.

Server scenarios (:class:`~shiftsim.server.ServerDeployment`) take instead:

``fleet``
    ``{size: 9, tags: {env: prod}, ...}`` (any :class:`~shiftsim.fleet.Instance` field applies
    to every instance; ``prefix`` and ``zones`` name them) with optional
    ``updates: [{instances: [i-003], healthy: false}, ...]``, or a list of instances.
``targets``
    :class:`~shiftsim.fleet.Targets`' fields; a tag filter is ``[key, value]`` or
    ``{Key, Value, Type}``.
``load_balancer``, ``ignore_application_stop_failures``, ``order``, ``max_instances``,
``outdated_instances_strategy``, ``clock_skew_tolerance_seconds``, ``alarm_poll_interval``,
``max_run_time_minutes``, ``file_exists_behavior``, ``termination_hook_enabled``
    As in :class:`~shiftsim.server.ServerDeployment`.
``hooks``, ``previous_hooks``
    Event -> list of scripts ``{location, duration, timeout, runas}``; a duration is seconds or
    ``{uniform: {low, high}}``, ``{normal: {mean, sd}}``, ``{lognormal: {median, sigma}}``,
    ``{exponential: {mean}}``. With ``appspec``, ``script_durations`` maps script locations to
    durations instead.
``reserved_durations``
    Durations of DownloadBundle, Install, BlockTraffic and AllowTraffic.
``faults``
    A list of ``{type: script, event, mode, instances, probability, ...}``,
    ``{type: load_balancer, event, instances}``, ``{type: instance_stop, instance,
    at_minute}`` or ``{type: file_conflict, instances, probability}``.
``alarm_events``
    ``[[minute, alarm name, state], ...]``: scripted alarm state changes.
``scale_outs``, ``scale_ins``, ``blue_green``
    :class:`~shiftsim.server.ScaleOut`, :class:`~shiftsim.server.ScaleIn` and
    :class:`~shiftsim.server.BlueGreen` fields (``green_fleet`` as ``fleet``).
``names``
    ``application``, ``deployment_group``.

A *profile* is a rate that changes with the minutes since the deployment started::

    {step: {at_minute: 3, before: 0.001, after: 0.2}}
    {ramp: {start_minute: 0, end_minute: 10, start: 0.0, end: 0.3}}
    {burst: {start_minute: 2, end_minute: 4, value: 0.5, baseline: 0.0}}
    {points: [[0, 0.0], [5, 0.1], [5, 0.4]]}

Errors name the file, the line and the key path, state the rule and suggest the fix::

    bad.yml:7: alarms[0].treshold: unknown key; did you mean 'threshold'?

Examples
--------
>>> scenario = parse_scenario('''
... platform: Lambda
... config: Canary10Percent5Minutes
... traffic: 600
... versions:
...   target: {name: 2, error_rate: 0.2}
... alarms:
...   - {name: errors, metric: Errors, threshold: 0, evaluation_periods: 2}
... ''')
>>> run = scenario.simulate(rng=7)
>>> run.status, run.error_code, run.rolled_back
('Stopped', 'ALARM_ACTIVE', True)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiftsim._checks import check_choice
from shiftsim._files import read_text
from shiftsim._html import table
from shiftsim._registry import ENGINES, platform_for
from shiftsim._seeding import RngLike, seed_sequence
from shiftsim._text import excerpt
from shiftsim._yaml import MAX_BYTES, Document, load_document
from shiftsim.errors import ConfigError
from shiftsim.scenario._keys import (
    DEFAULT_RUNS,
    MAX_FLEET_SIZE,
    MAX_INSTALL_SECONDS,
    MAX_RATE,
    MAX_RUNS,
    MIN_ALARM_POLL_INTERVAL,
    PLATFORMS,
)
from shiftsim.scenario._reader import Reader

__all__ = [
    "DEFAULT_RUNS",
    "MAX_FLEET_SIZE",
    "MAX_INSTALL_SECONDS",
    "MAX_RATE",
    "MAX_RUNS",
    "MIN_ALARM_POLL_INTERVAL",
    "PLATFORMS",
    "Scenario",
    "load_scenario",
    "parse_scenario",
]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A scenario file, read: a deployment ready to simulate, and the file's defaults.

    Attributes
    ----------
    platform : {"Lambda", "ECS", "Server"}
    deployment : LambdaDeployment, EcsDeployment or ServerDeployment
    name : str
        The file's ``name``, or the file name.
    seed : int or None
        The file's default seed.
    runs : int
        The file's default number of Monte Carlo runs.
    source : str
        Where the scenario came from.

    Examples
    --------
    >>> s = parse_scenario("platform: ECS\\nconfig: CodeDeployDefault.ECSAllAtOnce\\nseed: 3\\n")
    >>> s
    <Scenario '<string>': ECS CodeDeployDefault.ECSAllAtOnce, seed 3, 10000 runs>
    >>> s.simulate().status
    'Succeeded'
    """

    platform: str
    deployment: Any
    name: str
    seed: int | None = None
    runs: int = DEFAULT_RUNS
    source: str = "<string>"

    @property
    def config_name(self) -> str:
        """The deployment configuration's name."""
        return str(getattr(self.deployment.config, "name", self.deployment.config))

    def simulate(self, rng: RngLike = None, *, engine: str = "core") -> Any:
        """Simulate the deployment once (``rng`` defaults to the file's ``seed``).

        Returns a :class:`~shiftsim.results.TrafficRun` for Lambda, an
        :class:`~shiftsim.ecs.EcsRun` for ECS (with its task sets) and a ``ServerRun`` for
        Server; ``engine`` is as for :func:`shiftsim.simulate`.
        """
        check_choice("Scenario.simulate", "engine", engine, ENGINES)
        platform = platform_for(self.deployment, caller="Scenario.simulate")
        seed = self.seed if rng is None else rng
        return platform.simulate(
            self.deployment, rng=seed_sequence(seed), engine=engine, on_notification=None
        )

    def __repr__(self) -> str:
        seed = "no seed" if self.seed is None else f"seed {self.seed}"
        return (
            f"<Scenario {excerpt(self.name)}: {self.platform} {self.config_name}, {seed}, "
            f"{self.runs} runs>"
        )

    def _repr_html_(self) -> str:
        rows: list[tuple[str, Any]] = [
            ("platform", self.platform),
            ("configuration", self.config_name),
            ("deployment", repr(self.deployment)),
            ("seed", self.seed),
            ("Monte Carlo runs", self.runs),
            ("source", self.source),
        ]
        return table(f"Scenario {self.name}", rows)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file (YAML or JSON).

    Parameters
    ----------
    path : str or path-like
        The file. Paths inside it (``appspec``, ``sam_template``) are relative to its folder.

    Raises
    ------
    ConfigError
        The file breaks the format; the message gives ``file:line: key.path: problem``.
    AppSpecError
        The file is not valid YAML/JSON, or an AppSpec file it names is malformed.
    FileError
        The file cannot be read: missing, not a regular file (a directory, a FIFO, a device),
        over 1 MiB, or not UTF-8 text (or UTF-16/32 with a byte order mark). A subclass of
        :class:`~shiftsim.errors.AppSpecError`.

    Examples
    --------
    >>> scenario = load_scenario("examples/scenarios/lambda-canary.yml")  # doctest: +SKIP
    >>> scenario.simulate().status  # doctest: +SKIP
    'Stopped'
    """
    file = Path(path)
    text = read_text(
        path, what="scenario file", limit=MAX_BYTES, why="a scenario file is a few hundred bytes"
    )
    return parse_scenario(text, source=os.fspath(path), base_dir=file.parent)


def parse_scenario(
    text: str | Mapping[str, Any],
    *,
    source: str = "<string>",
    base_dir: str | os.PathLike[str] | None = None,
) -> Scenario:
    """Read a scenario from YAML/JSON text, or from a mapping of the same shape.

    Parameters
    ----------
    text : str or mapping
        The scenario. Mappings carry no line numbers, so their errors give key paths only.
    source : str
        Name used in error messages.
    base_dir : path-like, optional
        Folder that relative paths in the scenario are resolved from (default: the current
        directory).

    Examples
    --------
    >>> parse_scenario({"platform": "Lambda", "config": "AllAtOnce", "trafic": 100})
    Traceback (most recent call last):
    ...
    shiftsim.errors.ConfigError: <string>: trafic: unknown key; did you mean 'traffic'?
    """
    if isinstance(text, Mapping):
        doc = Document(value=dict(text), source=source)
    elif isinstance(text, str):
        doc = load_document(text, source)
    else:
        raise ConfigError(
            f"parse_scenario: text must be YAML/JSON text or a mapping; got {type(text).__name__}."
        )
    reader = Reader(doc, Path(base_dir) if base_dir is not None else Path.cwd())
    platform, deployment, name, seed, runs = reader.scenario()
    return Scenario(platform, deployment, name, seed, runs, doc.source)
