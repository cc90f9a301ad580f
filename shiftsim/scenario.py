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
    ``duration_sigma``. A bad release is a target whose error rate is high or rises.
``hooks``
    Lifecycle event -> ``{function_name, duration (s), outcome}`` with ``outcome`` one of
    ``Succeeded``, ``Failed``, ``NoResponse``. Events by CodeDeploy's name
    (``BeforeAllowTraffic``), the Python field (``before_allow_traffic``) or, for Lambda, SAM's
    ``PreTraffic``/``PostTraffic``. With an AppSpec the function names come from its ``Hooks``
    and the scenario adds durations and outcomes.
``alarm_poll_interval``, ``metric_delay``, ``linear_completion``
    Seconds between CodeDeploy's alarm polls (D2), seconds before a datapoint is visible (D3),
    and when linear shifting ends (D1).
``names``
    ``function_name``, ``alias`` (Lambda), ``service_name``, ``cluster_name`` (ECS),
    ``application``, ``deployment_group``.

Lambda only: ``sam_template`` and ``function``, a SAM template and the logical id of the
function in it (:func:`shiftsim.sam.from_sam`): the template gives the configuration, alarms and
hook functions; ``alarms`` then override the template's alarms by name, and ``config`` may define
a custom configuration its ``Type`` names. ECS only: ``install_seconds``, ``test_traffic``,
``termination_wait_time_in_minutes``.

Server scenarios (:class:`~shiftsim.server.ServerDeployment`) take instead:

``fleet``
    ``{size: 9, tags: {env: prod}, ...}`` (any :class:`~shiftsim.fleet.Instance` field applies
    to every instance; ``prefix`` and ``zones`` name them) with optional
    ``updates: [{instances: [i-003], healthy: false}, ...]``, or a list of instances.
``targets``
    :class:`~shiftsim.fleet.Targets`' fields; a tag filter is ``[key, value]`` or
    ``{Key, Value, Type}``.
``load_balancer``, ``ignore_application_stop_failures``, ``order``, ``max_instances``,
``outdated_instances_strategy``, ``clock_skew_tolerance_seconds``, ``alarm_poll_interval``
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
    ``{type: load_balancer, event, instances}`` or ``{type: instance_stop, instance,
    at_minute}``.
``alarm_events``
    ``[[minute, alarm name, state], ...]``: scripted alarm state changes.
``scale_outs``, ``blue_green``
    :class:`~shiftsim.server.ScaleOut` and :class:`~shiftsim.server.BlueGreen` fields
    (``green_fleet`` as ``fleet``).
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

import importlib
import inspect
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from shiftsim._checks import suggest
from shiftsim._files import read_text
from shiftsim._seeding import RngLike
from shiftsim._text import escape, excerpt
from shiftsim._yaml import MAX_BYTES, Document, format_path, load_document
from shiftsim.alarms import Alarm
from shiftsim.configs import (
    AllAtOnce,
    DeploymentConfig,
    MinimumHealthyHosts,
    TimeBasedCanary,
    TimeBasedLinear,
    get_config,
)
from shiftsim.errors import AppSpecError, ConfigError, UnsupportedScenarioError
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.traffic import Hook, Profile, Version

__all__ = [
    "DEFAULT_RUNS",
    "MAX_FLEET_SIZE",
    "MAX_RATE",
    "MAX_RUNS",
    "MIN_ALARM_POLL_INTERVAL",
    "PLATFORMS",
    "Scenario",
    "load_scenario",
    "parse_scenario",
]

PLATFORMS = ("Lambda", "ECS", "Server")
#: Runs of ``shiftsim montecarlo`` and ``shiftsim compare`` when neither file nor flag says.
DEFAULT_RUNS = 10_000

# Upper bounds where the cost of a simulation follows a number of the file. Each is checked
# before anything is built, so a 9-line file cannot ask for gigabytes or hours.

#: Most Monte Carlo runs a file may ask for (the estimate's error already shrinks to about
#: 0.05 percentage points at 1,000,000 runs).
MAX_RUNS = 1_000_000
#: Largest fleet (instances) a file may describe: 100 times CodeDeploy's limit of 1000 instances
#: per deployment (UG:limits.md, OVER_MAX_INSTANCES), so exceeding the limit can be simulated.
MAX_FLEET_SIZE = 100_000
#: Highest traffic, in calls or requests per minute (over 16 million a second): per-minute counts
#: stay exact in float64 and far inside int64 and numpy's Poisson sampler.
MAX_RATE = 1e9
#: Shortest alarm poll interval, in seconds. CloudWatch stores at most one datapoint a second
#: (1-second StorageResolution, cloudwatch-alarms.md section 1), so faster polls see nothing new;
#: the cost of a simulation grows with the number of polls.
MIN_ALARM_POLL_INTERVAL = 1.0
#: Longest ECS install (seconds): 120 hours, the longest wait between the deployment of a
#: revision and the traffic shift on ECS (UG:limits.md; codedeploy.md section 8).
MAX_INSTALL_SECONDS = 120 * 3600
# Platform names people write for Server (CodeDeploy's compute platform for EC2/on-premises).
_SERVER_ALIASES = ("ec2", "ec2/on-premises", "onpremises", "on-premises", "on_premises")

_COMMON_KEYS = (
    "platform",
    "name",
    "seed",
    "runs",
    "config",
    "appspec",
    "alarms",
    "auto_rollback",
    "manual_stop",
)
_TRAFFIC_KEYS = (
    "traffic",
    "versions",
    "hooks",
    "alarm_poll_interval",
    "metric_delay",
    "linear_completion",
    "names",
)
_PLATFORM_KEYS = {
    "Lambda": (*_COMMON_KEYS, *_TRAFFIC_KEYS, "sam_template", "function"),
    "ECS": (
        *_COMMON_KEYS,
        *_TRAFFIC_KEYS,
        "install_seconds",
        "test_traffic",
        "termination_wait_time_in_minutes",
    ),
}
_SERVER_SCALARS = (
    "load_balancer",
    "ignore_application_stop_failures",
    "alarm_poll_interval",
    "outdated_instances_strategy",
    "order",
    "clock_skew_tolerance_seconds",
    "max_instances",
)
_SERVER_KEYS = (
    *_COMMON_KEYS,
    *_SERVER_SCALARS,
    "fleet",
    "targets",
    "hooks",
    "previous_hooks",
    "script_durations",
    "reserved_durations",
    "faults",
    "alarm_events",
    "scale_outs",
    "blue_green",
    "names",
)
_NAMES = {
    "Lambda": ("function_name", "alias", "application", "deployment_group"),
    "ECS": ("service_name", "cluster_name", "application", "deployment_group"),
}
_HOOK_EVENTS = {
    "Lambda": ("BeforeAllowTraffic", "AfterAllowTraffic"),
    "ECS": (
        "BeforeInstall",
        "AfterInstall",
        "AfterAllowTestTraffic",
        "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
}
_PROFILE_SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # shape: (required keys, optional keys)
    "step": (("at_minute", "before", "after"), ()),
    "ramp": (("start_minute", "end_minute", "start", "end"), ()),
    "burst": (("start_minute", "end_minute", "value"), ("baseline",)),
}
_ROUTING_KEYS = {
    "TimeBasedCanary": ("canary_percentage", "canary_interval"),
    "TimeBasedLinear": ("linear_percentage", "linear_interval"),
    "AllAtOnce": (),
}
_FIELD_IN_MESSAGE = re.compile(r"^\w+\.(\w+)")


def _snake(event: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", event).lower()


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
        from shiftsim.simulation import simulate

        seed = self.seed if rng is None else rng
        return simulate(self.deployment, rng=seed, engine=engine)

    def __repr__(self) -> str:
        seed = "no seed" if self.seed is None else f"seed {self.seed}"
        return (
            f"<Scenario {excerpt(self.name)}: {self.platform} {self.config_name}, {seed}, "
            f"{self.runs} runs>"
        )

    def _repr_html_(self) -> str:
        from shiftsim._html import table

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
    reader = _Reader(doc, Path(base_dir) if base_dir is not None else Path.cwd())
    return reader.scenario()


class _Reader:
    """Walks a scenario document, building objects and raising errors that say where."""

    def __init__(self, doc: Document, base_dir: Path) -> None:
        self.doc = doc
        self.base_dir = base_dir
        self.source = doc.source

    # ------------------------------------------------------------------ errors
    def error(self, path: tuple[Any, ...], message: str) -> ConfigError:
        line = self.doc.key_line(path) if path else None
        shown = escape(self.source)
        where = shown if line is None else f"{shown}:{line}"
        key = format_path(path) or "the scenario"
        return ConfigError(f"{where}: {key}: {message}")

    def build(
        self,
        path: tuple[Any, ...],
        factory: Callable[..., Any],
        *args: Any,
        paths: Mapping[str, tuple[Any, ...]] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``factory``, re-raising its ConfigError at ``path``, or at the key of the field
        the message names (``paths`` maps fields to keys of another name)."""
        self.check_call(path, factory, args, kwargs)
        try:
            return factory(*args, **kwargs)
        except (TypeError, AttributeError, KeyError, IndexError, OverflowError) as err:
            # A value of the wrong shape deep inside (a constructor that assumed a list).
            raise self.error(path, f"cannot be read: {excerpt(str(err))[1:-1]}") from err
        except ConfigError as err:
            message = str(err)
            match = _FIELD_IN_MESSAGE.match(message)
            where = path
            if match and paths and match.group(1) in paths:
                where = paths[match.group(1)]
            elif match and match.group(1) in kwargs:
                where = (*path, match.group(1))
            raise self.error(where, message) from err

    def check_call(
        self, path: tuple[Any, ...], factory: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        """A missing or unknown key is named as such, not as a TypeError about ``__init__``."""
        try:
            signature = inspect.signature(factory)
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            return
        try:
            signature.bind(*args, **kwargs)
        except TypeError as err:
            missing = re.search(r"missing a required (?:keyword-only )?argument: '(\w+)'", str(err))
            if missing:
                raise self.error(path, f"the key {missing[1]!r} is required here") from None
            unexpected = re.search(r"unexpected keyword argument '(\w+)'", str(err))
            if unexpected:
                raise self.error((*path, unexpected[1]), "unknown key here") from None
            raise self.error(path, f"cannot be read: {excerpt(str(err))[1:-1]}") from None

    # ------------------------------------------------------------------ shapes
    def mapping(
        self,
        value: Any,
        path: tuple[Any, ...],
        allowed: Sequence[str],
        required: Sequence[str] = (),
        what: str = "a mapping",
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"must be {what}; got {excerpt(value)}")
        for key in value:
            if key not in allowed:
                hint = suggest(str(key), allowed) if isinstance(key, str) else ""
                listed = ", ".join(allowed)
                raise self.error(
                    (*path, key), f"unknown key; {hint or f'the keys allowed here are {listed}'}"
                )
        for key in required:
            if key not in value:
                raise self.error(path, f"the key {key!r} is required here")
        return dict(value)

    def string(self, value: Any, path: tuple[Any, ...]) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(path, f"must be a string; got {excerpt(value)}")
        return str(value)

    def integer(
        self, value: Any, path: tuple[Any, ...], low: int = 0, high: int | None = None
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.error(path, f"must be an integer >= {low}; got {excerpt(value)}")
        if high is not None and value > high:
            raise self.error(path, f"must be an integer in [{low}, {high:_}]; got {excerpt(value)}")
        return value

    def number(
        self,
        value: Any,
        path: tuple[Any, ...],
        low: float,
        high: float = math.inf,
        why: str = "",
    ) -> float:
        """A finite number in ``[low, high]``, refused with the rule (and why) otherwise."""
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not (math.isfinite(value) and low <= value <= high):
            bounds = f">= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
            raise self.error(
                path, f"must be a number {bounds}{f' ({why})' if why else ''}; got {excerpt(value)}"
            )
        return value

    def file(self, value: Any, path: tuple[Any, ...]) -> Path:
        name = self.string(value, path)
        file = Path(name)
        if not file.is_absolute():
            file = self.base_dir / file
        if not file.is_file():
            raise self.error(path, f"no such file: {os.fspath(file)!r}")
        return file

    # ------------------------------------------------------------------ the scenario
    def scenario(self) -> Scenario:
        data = self.doc.value
        for path, first in self.doc.duplicates:
            raise self.error(
                path,
                f"the key appears twice (first at line {first}); YAML would keep only the last "
                "value, so a scenario file must give each key once",
            )
        if not isinstance(data, Mapping):
            raise self.error((), f"must be a mapping of keys to values; got {excerpt(data)}")
        if "platform" not in data:
            raise self.error((), "the key 'platform' is required (Lambda, ECS or Server)")
        platform = data["platform"]
        if platform not in PLATFORMS:
            hint = suggest(str(platform), PLATFORMS)
            if str(platform).strip().lower() in _SERVER_ALIASES:
                hint = (
                    "did you mean 'Server'? CodeDeploy calls the EC2/on-premises compute "
                    "platform Server"
                )
            raise self.error(
                ("platform",),
                f"must be one of 'Lambda', 'ECS', 'Server'; got {excerpt(platform)}"
                + (f"; {hint}" if hint else ""),
            )
        name = self.string(data.get("name", Path(self.source).name), ("name",))
        seed = data.get("seed")
        if seed is not None:
            seed = self.integer(seed, ("seed",))
        runs = self.integer(data.get("runs", DEFAULT_RUNS), ("runs",), low=1, high=MAX_RUNS)
        if platform == "Server":
            deployment = self.server(data)
        else:
            deployment = self.traffic_deployment(platform, data)
        return Scenario(platform, deployment, name, seed, runs, self.source)

    def common(self, platform: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments every platform's deployment takes."""
        kwargs: dict[str, Any] = {}
        if "config" in data:
            kwargs["config"] = self.config(data["config"], ("config",), platform)
        if "alarms" in data:
            kwargs["alarms"] = self.alarms(data["alarms"])
        if "auto_rollback" in data:
            kwargs["auto_rollback"] = self.auto_rollback(data["auto_rollback"])
        if "manual_stop" in data:
            raw = self.mapping(
                data["manual_stop"],
                ("manual_stop",),
                ("at_minute", "auto_rollback_enabled"),
                ("at_minute",),
            )
            kwargs["manual_stop"] = self.build(("manual_stop",), ManualStop, **raw)
        return kwargs

    def traffic_deployment(self, platform: str, data: Mapping[str, Any]) -> Any:
        self.mapping(data, (), _PLATFORM_KEYS[platform])
        if "sam_template" in data and "appspec" in data:
            raise self.error(
                ("appspec",), "cannot be combined with 'sam_template': the template describes it"
            )
        kwargs = self.common(platform, data)
        rate_field = "invocations_per_minute" if platform == "Lambda" else "requests_per_minute"
        paths: dict[str, tuple[Any, ...]] = {rate_field: ("traffic",)}
        if "traffic" in data:
            self.bounded_rates(data["traffic"], ("traffic",))
            kwargs[rate_field] = self.rate(data["traffic"], ("traffic",), per_minute_list=True)
        versions = self.mapping(data.get("versions", {}), ("versions",), ("current", "target"))
        for key, raw in versions.items():
            kwargs[key] = self.version(raw, ("versions", key))
            paths[key] = ("versions", key)
        for key in (
            "alarm_poll_interval",
            "metric_delay",
            "linear_completion",
            "install_seconds",
            "test_traffic",
            "termination_wait_time_in_minutes",
        ):
            if key in data:
                kwargs[key] = data[key]
        self.bounded_durations(data)
        if "names" in data:
            names = self.mapping(data["names"], ("names",), _NAMES[platform])
            kwargs.update(names)
            paths.update({key: ("names", key) for key in names})
        hooks = self.hooks(platform, data.get("hooks", {}))
        if "appspec" in data:
            self.apply_appspec(platform, data["appspec"], kwargs, hooks, versions)
        hook_objects = {
            event: self.build(("hooks", key), Hook, **spec) for event, (key, spec) in hooks.items()
        }
        if platform == "Lambda":
            from shiftsim.lambda_ import LambdaDeployment, LambdaHooks

            if hook_objects:
                kwargs["hooks"] = LambdaHooks(**{_snake(e): h for e, h in hook_objects.items()})
            if "sam_template" in data:
                return self.from_sam(data, kwargs, hook_objects, paths)
            if "function" in data:
                raise self.error(("function",), "is only used with 'sam_template'")
            self.need_config(kwargs)
            return self.build((), LambdaDeployment, paths=paths, **kwargs)
        from shiftsim.ecs import EcsDeployment, EcsHooks

        if hook_objects:
            kwargs["hooks"] = EcsHooks.from_events(hook_objects)
        self.need_config(kwargs)
        return self.build((), EcsDeployment, paths=paths, **kwargs)

    def bounded_rates(self, value: Any, path: tuple[Any, ...]) -> None:
        """Every number inside a traffic value (a rate, a list, a profile) is at most MAX_RATE
        calls a minute, checked before any profile or deployment is built."""
        stack = [(value, path)]
        while stack:
            item, where = stack.pop()
            if isinstance(item, Mapping):
                stack.extend((v, (*where, k)) for k, v in item.items())
            elif isinstance(item, list):
                stack.extend((v, (*where, i)) for i, v in enumerate(item))
            elif (
                isinstance(item, (int, float))
                and not isinstance(item, bool)
                and (not math.isfinite(item) or abs(item) > MAX_RATE)
            ):
                raise self.error(
                    where,
                    f"must be at most {MAX_RATE:.0e} calls a minute (over 16 million a "
                    f"second); got {excerpt(item)}",
                )

    def bounded_durations(self, data: Mapping[str, Any]) -> None:
        """Numbers whose size sets the cost of a simulation, checked before it is built."""
        if "alarm_poll_interval" in data:
            self.number(
                data["alarm_poll_interval"],
                ("alarm_poll_interval",),
                MIN_ALARM_POLL_INTERVAL,
                why="seconds between CodeDeploy's alarm polls; CloudWatch keeps at most one "
                "datapoint a second",
            )
        if "install_seconds" in data:
            self.number(
                data["install_seconds"],
                ("install_seconds",),
                0,
                MAX_INSTALL_SECONDS,
                why="ECS waits at most 120 hours between deployment and traffic shift",
            )

    def need_config(self, kwargs: Mapping[str, Any]) -> None:
        if "config" not in kwargs:
            raise self.error(
                (),
                "the key 'config' is required (a configuration name such as "
                "'CodeDeployDefault.LambdaCanary10Percent5Minutes', or a custom one)",
            )

    # ------------------------------------------------------------------ pieces
    def config(self, value: Any, path: tuple[Any, ...], platform: str) -> DeploymentConfig:
        if isinstance(value, str):
            config = self.build(path, get_config, value)
            if config.compute_platform != platform:
                raise self.error(
                    path,
                    f"{config.name!r} is a {config.compute_platform} configuration, but the "
                    f"scenario's platform is {platform}",
                )
            return config
        if platform == "Server":
            raw = self.mapping(
                value,
                path,
                ("name", "minimum_healthy_hosts"),
                ("minimum_healthy_hosts",),
                what="a configuration name or a mapping",
            )
            mhh_path = (*path, "minimum_healthy_hosts")
            mhh = self.mapping(raw["minimum_healthy_hosts"], mhh_path, ("type", "value"))
            minimum = self.build(mhh_path, MinimumHealthyHosts, **mhh)
            name = self.string(raw.get("name", "Custom"), (*path, "name"))
            return self.build(path, DeploymentConfig, name, "Server", minimum_healthy_hosts=minimum)
        if not isinstance(value, Mapping):
            raise self.error(
                path, f"must be a configuration name or a mapping; got {excerpt(value)}"
            )
        kind = value.get("type")
        if kind not in _ROUTING_KEYS:
            hint = suggest(str(kind), _ROUTING_KEYS) if kind is not None else ""
            raise self.error(
                (*path, "type"),
                "must be one of 'TimeBasedCanary', 'TimeBasedLinear', 'AllAtOnce'; "
                f"got {excerpt(kind)}" + (f"; {hint}" if hint else ""),
            )
        keys = _ROUTING_KEYS[kind]
        raw = self.mapping(value, path, ("name", "type", *keys), keys)
        routing_cls: Any = {
            "TimeBasedCanary": TimeBasedCanary,
            "TimeBasedLinear": TimeBasedLinear,
            "AllAtOnce": AllAtOnce,
        }[kind]
        routing = self.build(path, routing_cls, **{k: raw[k] for k in keys})
        name = self.string(raw.get("name", f"Custom{kind}"), (*path, "name"))
        return self.build(path, DeploymentConfig, name, platform, traffic_routing=routing)

    def alarms(self, value: Any) -> tuple[Alarm, ...]:
        if not isinstance(value, list):
            raise self.error(("alarms",), f"must be a list of alarms; got {excerpt(value)}")
        allowed = tuple(f.name for f in fields(Alarm))
        out = []
        for i, raw in enumerate(value):
            path = ("alarms", i)
            spec = self.mapping(raw, path, allowed, ("name",), what="an alarm mapping")
            out.append(self.build(path, Alarm, **spec))
        return tuple(out)

    def auto_rollback(self, value: Any) -> AutoRollback:
        path = ("auto_rollback",)
        if value is True:
            return AutoRollback()
        if value is False:
            return AutoRollback.disabled()
        raw = self.mapping(
            value, path, ("enabled", "events"), what="true, false or {enabled, events}"
        )
        events = raw.get("events", AutoRollback().events)
        if not isinstance(events, list | tuple):
            raise self.error(
                (*path, "events"), f"must be a list of event names; got {excerpt(events)}"
            )
        return self.build(path, AutoRollback, raw.get("enabled", True), tuple(events))

    def rate(self, value: Any, path: tuple[Any, ...], *, per_minute_list: bool = False) -> Any:
        """A number, a profile mapping, or (for traffic) a list of per-minute rates."""
        if isinstance(value, bool):
            raise self.error(path, f"must be a number or a profile; got {excerpt(value)}")
        if isinstance(value, int | float):
            return value
        if isinstance(value, list) and per_minute_list:
            return tuple(value)
        if not isinstance(value, Mapping) or len(value) != 1:
            shapes = "constant, step, ramp, burst or points"
            listed = "a number, a list of per-minute rates, " if per_minute_list else "a number "
            raise self.error(
                path, f"must be {listed}or a profile with one key ({shapes}); got {excerpt(value)}"
            )
        ((shape, body),) = value.items()
        inner = (*path, shape)
        if shape == "constant":
            return self.build(inner, Profile.constant, body)
        if shape == "points":
            if not isinstance(body, list):
                raise self.error(
                    inner, f"must be a list of [minute, value] pairs; got {excerpt(body)}"
                )
            return self.build(inner, Profile, tuple(tuple(p) for p in body))
        if shape not in _PROFILE_SHAPES:
            hint = suggest(str(shape), ("constant", "points", *_PROFILE_SHAPES))
            raise self.error(
                inner,
                "unknown profile shape; " + (hint or "use constant, step, ramp, burst or points"),
            )
        required, optional = _PROFILE_SHAPES[shape]
        raw = self.mapping(body, inner, (*required, *optional), required)
        factory = getattr(Profile, shape)
        return self.build(inner, factory, **raw)

    def version(self, value: Any, path: tuple[Any, ...]) -> Version:
        allowed = tuple(f.name for f in fields(Version))
        raw = self.mapping(value, path, allowed, what="a version mapping")
        if "name" in raw:
            raw["name"] = self.string(raw["name"], (*path, "name"))
        for key in ("error_rate", "throttle_rate"):
            if key in raw:
                raw[key] = self.rate(raw[key], (*path, key))
        default = "1" if path[-1] == "current" else "2"
        raw.setdefault("name", default)
        return self.build(path, Version, **raw)

    def hooks(self, platform: str, value: Any) -> dict[str, tuple[str, dict[str, Any]]]:
        """Hook specs keyed by CodeDeploy's event name, with the key the file used."""
        events = _HOOK_EVENTS[platform]
        by_name = {**{e: e for e in events}, **{_snake(e): e for e in events}}
        if platform == "Lambda":
            by_name.update(PreTraffic="BeforeAllowTraffic", PostTraffic="AfterAllowTraffic")
        raw = self.mapping(value, ("hooks",), tuple(by_name), what="a mapping of event -> hook")
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        allowed = tuple(f.name for f in fields(Hook))
        for key, spec in raw.items():
            path = ("hooks", key)
            event = by_name[key]
            if event in out:
                raise self.error(path, f"the {event} hook is given twice")
            out[event] = (key, self.mapping(spec if spec is not None else {}, path, allowed))
        return out

    # ------------------------------------------------------------------ formats in
    def apply_appspec(
        self,
        platform: str,
        value: Any,
        kwargs: dict[str, Any],
        hooks: dict[str, tuple[str, dict[str, Any]]],
        versions: Mapping[str, Any],
    ) -> None:
        """Take hook functions (and, for Lambda, the function, alias and versions) from an
        AppSpec file; what the scenario says about them must agree with it."""
        from shiftsim.appspec import load_appspec

        file = self.file(value, ("appspec",))
        spec = load_appspec(file, platform=platform)
        for event, (key, _) in hooks.items():
            if spec.hook_function(event) is None:
                raise self.error(
                    ("hooks", key),
                    f"the AppSpec {os.fspath(file)!r} has no {event} hook to give a duration "
                    "or outcome to",
                )
        for event in _HOOK_EVENTS[platform]:
            function = spec.hook_function(event)
            if function is not None:
                hooks.setdefault(event, (event, {}))[1].setdefault("function_name", function)
        if platform != "Lambda" or not spec.resources:
            return
        target = spec.resources[0]
        kwargs.setdefault("function_name", getattr(target, "name", "my-function"))
        kwargs.setdefault("alias", getattr(target, "alias", "live"))
        for key, version in (
            ("current", getattr(target, "current_version", None)),
            ("target", getattr(target, "target_version", None)),
        ):
            if version is None:
                continue
            name = str(version)
            given = versions.get(key)
            if isinstance(given, Mapping) and "name" in given and str(given["name"]) != name:
                raise self.error(
                    ("versions", key, "name"),
                    f"is {str(given['name'])!r} but the AppSpec {os.fspath(file)!r} says "
                    f"{name!r}; leave the name out to take the AppSpec's",
                )
            kwargs[key] = replace(kwargs.get(key, Version(name)), name=name)

    def from_sam(
        self,
        data: Mapping[str, Any],
        kwargs: dict[str, Any],
        hooks: Mapping[str, Hook],
        paths: Mapping[str, tuple[Any, ...]],
    ) -> Any:
        """The deployment SAM's DeploymentPreference produces, with the scenario's traffic,
        versions, hook behaviour and alarm overrides."""
        file = self.file(data["sam_template"], ("sam_template",))
        if "auto_rollback" in data:
            raise self.error(
                ("auto_rollback",),
                "cannot be combined with 'sam_template': SAM always rolls back on all three events",
            )
        try:
            sam = importlib.import_module("shiftsim.sam")
        except ModuleNotFoundError as err:
            raise UnsupportedScenarioError(
                f"{self.source}: sam_template: reading SAM templates needs shiftsim.sam, which "
                "this version of shiftsim does not have; give 'config' and 'alarms' instead"
            ) from err
        options: dict[str, Any] = {
            key: kwargs.pop(key)
            for key in (
                "invocations_per_minute",
                "current",
                "target",
                "manual_stop",
                "alarm_poll_interval",
                "metric_delay",
                "linear_completion",
            )
            if key in kwargs
        }
        config = kwargs.pop("config", None)
        if config is not None:
            if config.is_predefined:
                raise self.error(
                    ("config",),
                    "the template's DeploymentPreference.Type names the configuration; give "
                    "'config' only to define the custom configuration Type names",
                )
            options["configs"] = [config]
        if "alarms" in kwargs:
            options["alarms"] = {alarm.name: alarm for alarm in kwargs.pop("alarms")}
        kwargs.pop("hooks", None)
        if hooks:
            options["hooks"] = dict(hooks)
        function = self.string(data["function"], ("function",)) if "function" in data else None
        try:
            deployment = sam.from_sam(file, function, **options)
        except (ConfigError, AppSpecError) as err:
            raise self.error(("sam_template",), str(err)) from err
        return self.build((), replace, deployment, paths=paths, **kwargs)

    def server(self, data: Mapping[str, Any]) -> Any:
        try:
            server = importlib.import_module("shiftsim.server")
        except ModuleNotFoundError as err:
            raise UnsupportedScenarioError(
                f"{self.source}: platform: Server scenarios need shiftsim.server, which this "
                "version of shiftsim does not have"
            ) from err
        self.mapping(data, (), _SERVER_KEYS)
        self.bounded_durations(data)
        kwargs = self.common("Server", data)
        paths: dict[str, tuple[Any, ...]] = {}
        if "fleet" in data:
            kwargs["fleet"] = self.fleet(data["fleet"], ("fleet",))
        if "targets" in data:
            kwargs["targets"] = self.targets(data["targets"], ("targets",))
        for key in ("hooks", "previous_hooks"):
            if key in data:
                kwargs[key] = self.server_hooks(server, data[key], (key,))
        if "appspec" in data:
            from shiftsim.appspec import load_appspec

            kwargs["appspec"] = load_appspec(
                self.file(data["appspec"], ("appspec",)), platform="Server"
            )
        for key in ("script_durations", "reserved_durations"):
            if key in data:
                raw = self.mapping_of(data[key], (key,))
                kwargs[key] = {
                    name: self.duration(server, value, (key, name)) for name, value in raw.items()
                }
        if "faults" in data:
            kwargs["faults"] = self.faults(server, data["faults"])
        if "alarm_events" in data:
            kwargs["alarm_events"] = self.alarm_events(data["alarm_events"])
        if "scale_outs" in data:
            items = self.list_of(data["scale_outs"], ("scale_outs",))
            allowed = tuple(f.name for f in fields(server.ScaleOut))
            for i, item in enumerate(items):
                if isinstance(item, Mapping) and "count" in item:
                    self.integer(item["count"], ("scale_outs", i, "count"), 0, MAX_FLEET_SIZE)
            kwargs["scale_outs"] = tuple(
                self.build(
                    ("scale_outs", i),
                    server.ScaleOut,
                    **self.mapping(item, ("scale_outs", i), allowed, ("at_minute",)),
                )
                for i, item in enumerate(items)
            )
        if "blue_green" in data:
            kwargs["blue_green"] = self.blue_green(server, data["blue_green"])
        for key in _SERVER_SCALARS:
            if key in data:
                kwargs[key] = data[key]
        if "names" in data:
            names = self.mapping(data["names"], ("names",), ("application", "deployment_group"))
            kwargs.update(names)
            paths.update({key: ("names", key) for key in names})
        if "config" not in kwargs:
            kwargs["config"] = get_config("CodeDeployDefault.OneAtATime")
        return self.build((), server.ServerDeployment, paths=paths, **kwargs)

    # ------------------------------------------------------------------ Server pieces
    def list_of(self, value: Any, path: tuple[Any, ...]) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(path, f"must be a list; got {excerpt(value)}")
        return value

    def mapping_of(self, value: Any, path: tuple[Any, ...]) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"must be a mapping; got {excerpt(value)}")
        return dict(value)

    def fleet(self, value: Any, path: tuple[Any, ...]) -> Any:
        """``{size: N, <Instance fields for all>, updates: [...]}`` or a list of instances."""
        from shiftsim.fleet import Fleet, Instance

        instance_fields = tuple(f.name for f in fields(Instance) if f.name != "id")
        if isinstance(value, list):
            if len(value) > MAX_FLEET_SIZE:
                raise self.error(
                    path, f"lists {len(value)} instances; at most {MAX_FLEET_SIZE:_} are read"
                )
            instances = [
                self.build(
                    (*path, i),
                    Instance,
                    **self.mapping(
                        item, (*path, i), ("id", *instance_fields), ("id",), what="an instance"
                    ),
                )
                for i, item in enumerate(value)
            ]
            return self.build(path, Fleet, instances)
        raw = self.mapping(
            value,
            path,
            ("size", "prefix", "zones", "updates", *instance_fields),
            ("size",),
            what="{size: N, ...} or a list of instances",
        )
        updates = raw.pop("updates", [])
        size = self.integer(raw.pop("size"), (*path, "size"), 0, MAX_FLEET_SIZE)
        fleet = self.build(path, Fleet.of_size, size, **raw)
        for i, update in enumerate(self.list_of(updates, (*path, "updates"))):
            where = (*path, "updates", i)
            change = self.mapping(update, where, ("instances", *instance_fields), ("instances",))
            ids = change.pop("instances")
            if isinstance(ids, str):
                ids = [ids]
            fleet = self.build(where, fleet.update, ids, **change)
        return fleet

    def targets(self, value: Any, path: tuple[Any, ...]) -> Any:
        from shiftsim.fleet import Targets

        raw = self.mapping(value, path, tuple(f.name for f in fields(Targets)))

        def filters(items: Any) -> Any:
            if isinstance(items, list):
                return [tuple(f) if isinstance(f, list) else filters(f) for f in items]
            return items

        for key in ("ec2_tag_filters", "on_premises_tag_filters"):
            if key in raw:
                raw[key] = filters(raw[key])
        for key in ("ec2_tag_set", "on_premises_tag_set"):
            if key in raw and isinstance(raw[key], list):
                raw[key] = [filters(group) for group in raw[key]]
        return self.build(path, Targets, **raw)

    def duration(self, server: Any, value: Any, path: tuple[Any, ...]) -> Any:
        """Seconds, or ``{uniform: {low, high}}``, ``{normal: {mean, sd}}``,
        ``{lognormal: {median, sigma}}``, ``{exponential: {mean}}``."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        shapes = {
            "fixed": ("seconds",),
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sigma"),
            "exponential": ("mean",),
        }
        if not isinstance(value, Mapping) or len(value) != 1 or next(iter(value)) not in shapes:
            raise self.error(
                path,
                "must be seconds or one of {uniform: {low, high}}, {normal: {mean, sd}}, "
                "{lognormal: {median, sigma}}, {exponential: {mean}}; "
                f"got {excerpt(value)}",
            )
        ((kind, body),) = value.items()
        raw = self.mapping(body, (*path, kind), shapes[kind], shapes[kind])
        return self.build((*path, kind), getattr(server.Duration, kind), **raw)

    def server_hooks(self, server: Any, value: Any, path: tuple[Any, ...]) -> Any:
        """Event -> list of scripts ``{location, duration, timeout, runas}`` (or seconds)."""
        raw = self.mapping_of(value, path)
        allowed = tuple(f.name for f in fields(server.Script))
        out: dict[str, list[Any]] = {}
        for event, scripts in raw.items():
            where = (*path, event)
            items = scripts if isinstance(scripts, list) else [scripts]
            out[event] = []
            for k, item in enumerate(items):
                at = (*where, k) if isinstance(scripts, list) else where
                if isinstance(item, Mapping) and set(item) & set(allowed):
                    spec = self.mapping(item, at, allowed, ("location",), what="a script")
                    if "duration" in spec:
                        spec["duration"] = self.duration(
                            server, spec["duration"], (*at, "duration")
                        )
                    out[event].append(self.build(at, server.Script, **spec))
                else:
                    out[event].append(self.duration(server, item, at))
        return out

    def faults(self, server: Any, value: Any) -> tuple[Any, ...]:
        kinds = {
            "script": server.ScriptFault,
            "load_balancer": server.LoadBalancerFault,
            "instance_stop": server.InstanceStop,
        }
        out = []
        for i, item in enumerate(self.list_of(value, ("faults",))):
            path = ("faults", i)
            raw = self.mapping_of(item, path)
            kind = raw.pop("type", "script")
            if kind not in kinds:
                hint = suggest(str(kind), kinds)
                raise self.error(
                    (*path, "type"),
                    "must be one of 'script', 'load_balancer', 'instance_stop'; "
                    f"got {excerpt(kind)}" + (f"; {hint}" if hint else ""),
                )
            cls = kinds[kind]
            allowed = tuple(f.name for f in fields(cls))
            self.mapping(raw, path, ("type", *allowed))
            out.append(self.build(path, cls, **raw))
        return tuple(out)

    def alarm_events(self, value: Any) -> tuple[tuple[float, str, str], ...]:
        out = []
        for i, item in enumerate(self.list_of(value, ("alarm_events",))):
            if not isinstance(item, list) or len(item) != 3:
                raise self.error(
                    ("alarm_events", i), f"must be [minute, alarm name, state]; got {excerpt(item)}"
                )
            out.append((item[0], item[1], item[2]))
        return tuple(out)

    def blue_green(self, server: Any, value: Any) -> Any:
        path = ("blue_green",)
        raw = self.mapping(value, path, tuple(f.name for f in fields(server.BlueGreen)))
        if "green_fleet" in raw:
            raw["green_fleet"] = self.fleet(raw["green_fleet"], (*path, "green_fleet"))
        if "green_targets" in raw:
            raw["green_targets"] = self.targets(raw["green_targets"], (*path, "green_targets"))
        return self.build(path, server.BlueGreen, **raw)
