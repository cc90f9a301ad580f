"""EC2/on-premises deployments: in-place rollouts under minimum healthy hosts, blue/green, Auto
Scaling, rollbacks and the ways real deployments fail.

A :class:`ServerDeployment` describes a deployment group and one deployment to it; run it with
``shiftsim.simulate(deployment, rng=seed)`` (or :func:`simulate_server`). The result is a
:class:`ServerRun`: status, error code, rollback, and DataFrames instance by instance and event
by event.

What is modelled (codedeploy.md sections 3, 4, 6, 7, 8, 10)
----------------------------------------------------------
* **Minimum healthy hosts** (section 3). The minimum is computed once from the group size
  (``FLEET_PERCENT`` rounds up; OneAtATime is ``MOST_CONCURRENCY`` 1, minimum ``N - 1``, D8). A
  minimum at or above the group size fails at once with ``HEALTH_CONSTRAINTS_INVALID``. Starting
  a healthy instance takes it out of the healthy count, so it starts only while
  ``healthy > minimum``; unhealthy instances (never deployed to, failed before, stopped) start
  without lowering the count, at most ``N - minimum`` in flight. The deployment fails with
  ``HEALTH_CONSTRAINTS`` as soon as it can no longer proceed without breaking the minimum, and
  succeeds once every instance was deployed to, at least one succeeded and the healthy count
  reached the minimum. This reproduces every worked example of section 3.2 (OneAtATime and
  HOST_COUNT ``N - 1`` succeed when only the last instance fails).
* **Order** (D13): unhealthy instances first, then the fleet's order; ``order="shuffle"``
  shuffles within each health class with the run's seed.
* **Lifecycle** (section 4.1): with a load balancer BeforeBlockTraffic ... AfterAllowTraffic,
  without one ApplicationStop ... ValidateService. Reserved events run no scripts but take time
  (``reserved_durations``). ApplicationStop, BeforeBlockTraffic and AfterBlockTraffic run the
  scripts of the instance's last successful install (``previous_hooks``; a no-op on an instance
  never deployed to); the agent records that install at the end of Install, so a rollback's
  ApplicationStop runs the failed revision's script on instances that got past Install.
* **Faults**: :class:`ScriptFault` (fails, hangs until its timeout, or is missing),
  :class:`LoadBalancerFault`, :class:`InstanceStop`, and the instance conditions of
  :class:`~shiftsim.fleet.Instance` (agent not installed or not running, no S3 access, clock skew
  beyond ``clock_skew_tolerance_seconds``, stopped).
* **Rollback** (D6): a new deployment (creator ``codeDeployRollback``) of the last good revision
  to every instance of the group, with the same configuration, simulated like any other. With no
  earlier good revision (every instance ``Unknown``) there is none, and ``.deployments`` says why.
* **Alarms**: a Server deployment has no simulated metrics, so alarm state changes are scripted
  (``alarm_events``). CodeDeploy reads alarm state every ``alarm_poll_interval`` seconds from
  second 0 (D2) until the last hook ends (D4); an alarm seen in ALARM stops the deployment
  (``Stopped``, ``ALARM_ACTIVE``, D5), rolling back with ``DEPLOYMENT_STOP_ON_ALARM``.
* **Auto Scaling** (section 8): :class:`ScaleOut` launches instances that receive the last
  successful revision in a launch deployment (creator ``autoscaling``); a failed launch
  deployment terminates the instance (ABANDON). After a successful deployment a follow-up
  (creator ``CodeDeployAutoUpdate``) updates the instances launched during it, unless
  ``outdated_instances_strategy="IGNORE"``.
* **Blue/green** (section 7; :class:`BlueGreen`).
* **Zonal** (section 3.3): one Availability Zone at a time.

Assumptions where the reference is silent
-----------------------------------------
* When a deployment ends early (Failed or Stopped), no further lifecycle event is scheduled
  ("No more commands will be scheduled"): instances not yet started are ``Skipped``; an instance
  in the middle of an event is left in an indeterminate state (UG:deployments-stop.md), reported
  as status ``Unknown`` with that event ``Unknown`` and ending with the deployment.
* A failure of ApplicationStop, BeforeBlockTraffic or AfterBlockTraffic under
  ``ignore_application_stop_failures`` is reported as Succeeded, with the script error kept in
  the diagnostics.
* An instance that stops during an event fails when the event times out (3600 s after it
  started); stopped before an event starts, it fails 300 s later (codedeploy.md 8, D10). A stopped
  instance counts as unhealthy from the moment it stops.
* Alarms are watched on the user's deployment only, not on the rollback or follow-up deployments
  it creates. A rollback is created only if at least one instance was deployed to.
* Launch deployments deploy to all their instances at once and do not count against the main
  deployment's window; the follow-up deployment's minimum is computed over the whole group, its
  up-to-date instances counting as healthy. ASG relaunch loops after ABANDON are not simulated.
* Default reserved-event durations: DownloadBundle 5 s, Install 2 s, BlockTraffic 300 s (the ELB
  target group's default deregistration delay), AllowTraffic 150 s (5 health checks 30 s apart).
  These are ELB defaults, not CodeDeploy facts; set ``reserved_durations`` to match your setup.
* Zonal: zones go in order of first appearance in the fleet; the next zone starts after every
  instance of the current one finished and the monitor duration passed (no wait after the last
  zone); the per-zone minimum applies within the zone exactly as the fleet minimum applies to the
  fleet, and a per-zone minimum at or above a zone's size is ``HEALTH_CONSTRAINTS_INVALID``.
  During a monitor period the deployment is "Baking" ([INFERENCE] in codedeploy.md 3.3).

Examples
--------
>>> import numpy as np
>>> from shiftsim.fleet import Fleet
>>> deployment = ServerDeployment(
...     "CodeDeployDefault.HalfAtATime",
...     fleet=Fleet.of_size(9),
...     hooks={"ApplicationStart": [Script("scripts/start.sh", duration=20)]},
...     faults=[ScriptFault("ApplicationStart", instances=["i-000", "i-001"])],
... )
>>> run = simulate_server(deployment, np.random.SeedSequence(1))
>>> run.status, int((run.instances.status == "Succeeded").sum())
('Succeeded', 7)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from shiftsim import _server_plan as sp
from shiftsim._checks import check_choice, check_int, check_number, invalid, suggest
from shiftsim._seeding import RngLike, deployment_id, entropy_of, seed_sequence
from shiftsim._server_plan import (
    ALLOW_EVENTS,
    BLOCK_EVENTS,
    HOOKABLE_EVENTS,
    INSTALL_EVENTS,
    PREVIOUS_REVISION_EVENTS,
    RESERVED_EVENTS,
    REV_NONE,
    REV_PREVIOUS,
    REV_TARGET,
    PassDraws,
    PassPlan,
    Timeline,
)
from shiftsim.alarms import ALARM_STATES, Alarm
from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts, get_config
from shiftsim.core import Priority, Simulation
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.fleet import Fleet, Instance, Targets, check_fleet
from shiftsim.notifications import Notification, NotificationContext
from shiftsim.rollback import AutoRollback, ManualStop

__all__ = [
    "BlueGreen",
    "Duration",
    "InstanceStop",
    "LoadBalancerFault",
    "ScaleOut",
    "Script",
    "ScriptFault",
    "ServerDeployment",
    "ServerRun",
    "hooks_from_appspec",
    "simulate_server",
]

#: The lifecycle events of an EC2/on-premises deployment, in CodeDeploy's order (with a
#: load balancer; without one only ApplicationStop ... ValidateService run).
LIFECYCLE_EVENTS = sp.ALL_EVENTS
#: Seconds a script may run, by default and at most (D10).
MAX_SCRIPT_TIMEOUT = 3600
#: Seconds a script runs when an AppSpec gives no duration for it.
DEFAULT_SCRIPT_SECONDS = 10.0
#: Default seconds of the reserved events (see the module docstring: ELB defaults).
DEFAULT_RESERVED_SECONDS = {
    "DownloadBundle": 5.0,
    "Install": 2.0,
    "BlockTraffic": 300.0,
    "AllowTraffic": 150.0,
}
#: Clock-skew tolerance in seconds (D7).
DEFAULT_CLOCK_SKEW_TOLERANCE = 300.0
#: Default seconds between CodeDeploy's reads of alarm state (D2), as for Lambda.
DEFAULT_ALARM_POLL_INTERVAL = 60.0
#: At most 10 alarms per deployment group (API:AlarmConfiguration; D9).
MAX_ALARMS = 10
#: Largest blue/green ready wait and termination wait, minutes (UG:limits.md; API).
MAX_READY_WAIT_MINUTES = 2880
MAX_TERMINATION_WAIT_MINUTES = 2880
DEFAULT_TERMINATION_WAIT_MINUTES = 60

DURATION_KINDS = ("fixed", "uniform", "normal", "lognormal", "exponential")
FAULT_MODES = ("fail", "hang", "missing")
REVISION_NAMES = ("target", "previous")
ORDERS = ("fleet", "shuffle")
OUTDATED_STRATEGIES = ("UPDATE", "IGNORE")
GREEN_ACTIONS = ("DISCOVER_EXISTING", "COPY_AUTO_SCALING_GROUP")
READY_ACTIONS = ("CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT")
TERMINATION_ACTIONS = ("TERMINATE", "KEEP_ALIVE")

MESSAGES = {
    "HEALTH_CONSTRAINTS": (
        "The overall deployment failed because too many individual instances failed "
        "deployment, too few healthy instances are available for deployment, or some instances "
        "in your deployment group are experiencing problems."
    ),
    "NO_INSTANCES": (
        "The deployment failed because no instances were found for your deployment group. "
        "Check your deployment group settings to make sure the tags for your EC2 instances or "
        "Auto Scaling groups correctly identify the instances you want to deploy to."
    ),
    "MANUAL_STOP": "The deployment was stopped by a StopDeployment request.",
}
AGENT_MESSAGE = (
    "CodeDeploy agent was not able to receive the lifecycle event. Check the CodeDeploy agent "
    "logs on your host and make sure the agent is running and can connect to the CodeDeploy "
    "server."
)


# ====================================================================== vocabulary
@dataclass(frozen=True, slots=True)
class Duration:
    """How long a script (or a reserved event) runs, in seconds: fixed or drawn per instance.

    Use the constructors: :meth:`fixed`, :meth:`uniform`, :meth:`normal` (truncated at 0),
    :meth:`lognormal` (by its median) and :meth:`exponential`. Anywhere a duration is asked for,
    a plain number means fixed seconds, and an object with ``rvs(size=, random_state=)`` (a frozen
    ``scipy.stats`` distribution) works too.

    Examples
    --------
    >>> Duration.lognormal(median=30, sigma=0.5)
    Duration(kind='lognormal', a=30.0, b=0.5)
    >>> Duration.uniform(10, 20).mean
    15.0
    """

    kind: str = "fixed"
    a: float = 0.0
    b: float = 0.0

    def __post_init__(self) -> None:
        owner = "Duration"
        check_choice(owner, "kind", self.kind, DURATION_KINDS)
        a = check_number(owner, "a", self.a, 0.0)
        b = check_number(owner, "b", self.b, 0.0)
        if self.kind == "uniform" and b < a:
            raise invalid(owner, "b", b, f"must be >= a ({a:g}) for a uniform duration")
        if self.kind in ("lognormal", "exponential") and a <= 0:
            raise invalid(owner, "a", a, f"must be > 0 for a {self.kind} duration")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)

    @classmethod
    def fixed(cls, seconds: float) -> Duration:
        return cls("fixed", seconds)

    @classmethod
    def uniform(cls, low: float, high: float) -> Duration:
        return cls("uniform", low, high)

    @classmethod
    def normal(cls, mean: float, sd: float) -> Duration:
        return cls("normal", mean, sd)

    @classmethod
    def lognormal(cls, median: float, sigma: float) -> Duration:
        return cls("lognormal", median, sigma)

    @classmethod
    def exponential(cls, mean: float) -> Duration:
        return cls("exponential", mean)

    @property
    def is_fixed(self) -> bool:
        """True when every draw is the same number (then no random number is used)."""
        return (
            self.kind == "fixed"
            or (self.kind != "exponential" and self.b == 0.0)
            or (self.kind == "uniform" and self.a == self.b)
        )

    @property
    def mean(self) -> float:
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        if self.kind == "lognormal":
            return self.a * math.exp(self.b**2 / 2)
        return self.a

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws in seconds (never negative)."""
        if self.is_fixed:
            return np.full(size, self.a)
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, size)
        if self.kind == "normal":
            return np.maximum(rng.normal(self.a, self.b, size), 0.0)
        if self.kind == "lognormal":
            return self.a * np.exp(self.b * rng.standard_normal(size))
        return rng.exponential(self.a, size)


def _check_duration(owner: str, field_name: str, value: object) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return check_number(owner, field_name, value, 0.0)
    if isinstance(value, Duration) or hasattr(value, "rvs") or hasattr(value, "sample"):
        return value
    raise invalid(
        owner,
        field_name,
        value,
        "must be seconds (a number >= 0), a Duration, or a distribution with rvs()",
    )


@dataclass(frozen=True, slots=True)
class Script:
    """One AppSpec hook script: where it is, how long it runs, and its timeout.

    Parameters
    ----------
    location : str
        Path in the bundle, as in the AppSpec ``location``.
    duration : float or Duration
        Seconds it runs (fixed, or a model drawn per instance).
    timeout : float
        Seconds before the agent gives up (``ScriptTimedOut``); default and maximum 3600 (D10).
    runas : str or None
        The user the script runs as (Linux only).

    Examples
    --------
    >>> Script("scripts/start.sh", duration=Duration.uniform(5, 15), timeout=60).timeout
    60.0
    """

    location: str
    duration: Any = DEFAULT_SCRIPT_SECONDS
    timeout: float = MAX_SCRIPT_TIMEOUT
    runas: str | None = None

    def __post_init__(self) -> None:
        owner = "Script"
        if not isinstance(self.location, str) or not self.location:
            raise invalid(owner, "location", self.location, "must be a non-empty string")
        object.__setattr__(self, "duration", _check_duration(owner, "duration", self.duration))
        object.__setattr__(
            self,
            "timeout",
            check_number(owner, "timeout", self.timeout, 0.0, MAX_SCRIPT_TIMEOUT, low_open=True),
        )
        if self.runas is not None and (not isinstance(self.runas, str) or not self.runas):
            raise invalid(owner, "runas", self.runas, "must be a non-empty string or None")


def _check_event(
    owner: str, field_name: str, event: object, *, allowed: Sequence[str] = HOOKABLE_EVENTS
) -> str:
    if isinstance(event, str) and event in allowed:
        return event
    if isinstance(event, str) and event in RESERVED_EVENTS:
        hint = {
            "DownloadBundle": "To make DownloadBundle fail, give the instance s3_access=False.",
            "Install": None,
            "BlockTraffic": "Use LoadBalancerFault for a failed deregistration.",
            "AllowTraffic": "Use LoadBalancerFault for a failed registration.",
        }[event]
        raise invalid(
            owner,
            field_name,
            event,
            "is reserved for CodeDeploy and runs no scripts "
            "(UG:reference-appspec-file-structure-hooks.md)",
            hint,
        )
    hint = suggest(event, allowed) if isinstance(event, str) else ""
    raise invalid(
        owner,
        field_name,
        event,
        "must be a lifecycle event that runs scripts: " + ", ".join(allowed),
        hint or None,
    )


def _check_ids(owner: str, field_name: str, value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise invalid(owner, field_name, value, "must be instance ids or None")
    out = tuple(value)
    for item in out:
        if not isinstance(item, str) or not item:
            raise invalid(owner, field_name, value, "must hold non-empty instance id strings")
    if not out:
        raise invalid(
            owner, field_name, value, "must name at least one instance (None means every instance)"
        )
    return out


@dataclass(frozen=True, slots=True)
class ScriptFault:
    """A hook script that goes wrong at ``event`` on chosen instances, or with a probability.

    Parameters
    ----------
    event : str
        A lifecycle event that runs scripts (not DownloadBundle, Install, BlockTraffic or
        AllowTraffic, which are reserved).
    mode : {"fail", "hang", "missing"}
        ``fail``: the script exits non-zero after its run time (``ScriptFailed``); ``hang``: it
        never finishes and times out (``ScriptTimedOut``); ``missing``: it is not in the bundle
        (``ScriptMissing``).
    instances : sequence of str or None
        The affected instances; ``None`` means every instance that runs the script.
    probability : float
        Chance that each of those instances is hit (drawn per instance with the run's seed).
    script : int
        Index of the script within the event's list (default the first).
    revision : {"target", "previous"} or None
        Whose script is broken. ``None``: the previous revision's for ApplicationStop,
        BeforeBlockTraffic and AfterBlockTraffic (they run the last successful install's scripts),
        the target revision's otherwise. A fault follows its script: a broken ``target``
        ApplicationStart also breaks a follow-up deployment, not a rollback.
    exit_code : int
        The failing exit status, 1-255.

    Examples
    --------
    >>> ScriptFault("ValidateService", probability=0.1).revision
    'target'
    >>> ScriptFault("ApplicationStop", mode="hang").revision
    'previous'
    """

    event: str
    mode: str = "fail"
    instances: Sequence[str] | None = None
    probability: float = 1.0
    script: int = 0
    revision: str | None = None
    exit_code: int = 1

    def __post_init__(self) -> None:
        owner = "ScriptFault"
        _check_event(owner, "event", self.event)
        check_choice(owner, "mode", self.mode, FAULT_MODES)
        object.__setattr__(self, "instances", _check_ids(owner, "instances", self.instances))
        object.__setattr__(
            self, "probability", check_number(owner, "probability", self.probability, 0.0, 1.0)
        )
        check_int(owner, "script", self.script, 0)
        if self.revision is None:
            object.__setattr__(
                self, "revision", "previous" if self.event in PREVIOUS_REVISION_EVENTS else "target"
            )
        check_choice(owner, "revision", self.revision, REVISION_NAMES)
        check_int(owner, "exit_code", self.exit_code, 1, 255)


@dataclass(frozen=True, slots=True)
class LoadBalancerFault:
    """The load balancer fails BlockTraffic (deregistration) or AllowTraffic (registration and
    health checks) on chosen instances, after the event's usual time (``UnknownError``).

    Examples
    --------
    >>> LoadBalancerFault("BlockTraffic", instances=["i-003"]).event
    'BlockTraffic'
    """

    event: str
    instances: Sequence[str] | None = None
    probability: float = 1.0

    def __post_init__(self) -> None:
        owner = "LoadBalancerFault"
        check_choice(owner, "event", self.event, ("BlockTraffic", "AllowTraffic"))
        object.__setattr__(self, "instances", _check_ids(owner, "instances", self.instances))
        object.__setattr__(
            self, "probability", check_number(owner, "probability", self.probability, 0.0, 1.0)
        )


@dataclass(frozen=True, slots=True)
class InstanceStop:
    """An instance stops ``at_minute`` minutes after the deployment started.

    Stopped during a lifecycle event, the event times out after 3600 s; before an event starts,
    the instance fails 5 minutes later (codedeploy.md 8). From then on it counts as unhealthy.

    Examples
    --------
    >>> InstanceStop("i-004", at_minute=2.5).at_minute
    2.5
    """

    instance: str
    at_minute: float

    def __post_init__(self) -> None:
        if not isinstance(self.instance, str) or not self.instance:
            raise invalid(
                "InstanceStop", "instance", self.instance, "must be a non-empty instance id"
            )
        object.__setattr__(
            self, "at_minute", check_number("InstanceStop", "at_minute", self.at_minute, 0.0)
        )


@dataclass(frozen=True, slots=True)
class ScaleOut:
    """An Auto Scaling group launches ``count`` instances ``at_minute`` after the deployment
    started.

    The new instances take the zones of the group's instances in turn, and its first instance's
    tags. They are named ``instance_ids`` if given (so faults can name them), else
    ``"<group>-launch-<j>-<k>"`` for scale-out ``j``.

    Examples
    --------
    >>> ScaleOut(3, "web", count=2, instance_ids=["i-new1", "i-new2"]).count
    2
    """

    at_minute: float
    auto_scaling_group: str
    count: int = 1
    instance_ids: Sequence[str] | None = None

    def __post_init__(self) -> None:
        owner = "ScaleOut"
        object.__setattr__(self, "at_minute", check_number(owner, "at_minute", self.at_minute, 0))
        if not isinstance(self.auto_scaling_group, str) or not self.auto_scaling_group:
            raise invalid(
                owner, "auto_scaling_group", self.auto_scaling_group, "must be a non-empty string"
            )
        check_int(owner, "count", self.count, 1)
        ids = _check_ids(owner, "instance_ids", self.instance_ids)
        if ids is not None:
            if len(ids) != self.count:
                raise invalid(
                    owner, "instance_ids", ids, f"must hold exactly count={self.count} ids"
                )
            if len(set(ids)) != len(ids):
                raise invalid(owner, "instance_ids", ids, "must not repeat an id")
        object.__setattr__(self, "instance_ids", ids)


@dataclass(frozen=True, slots=True)
class BlueGreen:
    """Blue/green options of an EC2 deployment group (API:BlueGreenDeploymentConfiguration).

    Parameters
    ----------
    green_fleet_provisioning : {"COPY_AUTO_SCALING_GROUP", "DISCOVER_EXISTING"}
        ``COPY_AUTO_SCALING_GROUP`` creates as many replacements as the original Auto Scaling
        groups have healthy instances, named ``<original id>-green``; ``DISCOVER_EXISTING`` uses
        ``green_fleet`` (selected by ``green_targets``, API:TargetInstances).
    green_fleet : Fleet or None
    green_targets : Targets or None
        ``None`` selects the whole green fleet.
    action_on_timeout : {"CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"}
        ``CONTINUE_DEPLOYMENT`` reroutes traffic as soon as the replacements are ready;
        ``STOP_DEPLOYMENT`` waits for a ContinueDeployment call at ``continue_after_minutes``
        after Ready, and the deployment is Stopped if none comes within
        ``wait_time_in_minutes`` (at most 2880).
    termination_action : {"TERMINATE", "KEEP_ALIVE"}
    termination_wait_time_in_minutes : int
        Wait before the originals are terminated (D12: default 60, at most 2880). The deployment
        completes when they are.

    Notes
    -----
    Traffic is rerouted to the replacements in batches of the configuration's in-place size
    (``N - minimum``, [INFERENCE] codedeploy.md 7); then every original deregisters at once
    (assumption), and one failure fails the deployment (UG:instances-health.md). A rollback
    (creator ``codeDeployRollback``) allows traffic on every original, then blocks it on the
    replacements that had received it.

    Examples
    --------
    >>> BlueGreen(action_on_timeout="STOP_DEPLOYMENT", wait_time_in_minutes=30,
    ...           continue_after_minutes=10).termination_wait_time_in_minutes
    60
    """

    green_fleet_provisioning: str = "COPY_AUTO_SCALING_GROUP"
    green_fleet: Fleet | None = None
    green_targets: Targets | None = None
    action_on_timeout: str = "CONTINUE_DEPLOYMENT"
    wait_time_in_minutes: int = 0
    continue_after_minutes: float | None = None
    termination_action: str = "TERMINATE"
    termination_wait_time_in_minutes: int = DEFAULT_TERMINATION_WAIT_MINUTES

    def __repr__(self) -> str:
        green = (
            f"{len(self.green_fleet)} instances"
            if self.green_fleet is not None
            else self.green_fleet_provisioning
        )
        wait = " then wait" if self.action_on_timeout == "STOP_DEPLOYMENT" else ""
        return (
            f"BlueGreen(green: {green}{wait}, {self.termination_action} originals after "
            f"{self.termination_wait_time_in_minutes} min)"
        )

    def __post_init__(self) -> None:
        owner = "BlueGreen"
        check_choice(
            owner, "green_fleet_provisioning", self.green_fleet_provisioning, GREEN_ACTIONS
        )
        if self.green_fleet_provisioning == "DISCOVER_EXISTING":
            if self.green_fleet is None:
                raise invalid(owner, "green_fleet", None, "must be a Fleet with DISCOVER_EXISTING")
            object.__setattr__(
                self, "green_fleet", check_fleet(owner, "green_fleet", self.green_fleet)
            )
        elif self.green_fleet is not None or self.green_targets is not None:
            raise invalid(
                owner,
                "green_fleet",
                self.green_fleet,
                "must be None with COPY_AUTO_SCALING_GROUP (CodeDeploy creates the replacements)",
                "Use DISCOVER_EXISTING to give them.",
            )
        if self.green_targets is not None and not isinstance(self.green_targets, Targets):
            raise invalid(owner, "green_targets", self.green_targets, "must be a Targets or None")
        check_choice(owner, "action_on_timeout", self.action_on_timeout, READY_ACTIONS)
        check_int(
            owner, "wait_time_in_minutes", self.wait_time_in_minutes, 0, MAX_READY_WAIT_MINUTES
        )
        if self.continue_after_minutes is not None:
            if self.action_on_timeout != "STOP_DEPLOYMENT":
                raise invalid(
                    owner,
                    "continue_after_minutes",
                    self.continue_after_minutes,
                    "applies only with action_on_timeout='STOP_DEPLOYMENT'",
                )
            object.__setattr__(
                self,
                "continue_after_minutes",
                check_number(owner, "continue_after_minutes", self.continue_after_minutes, 0.0),
            )
        check_choice(owner, "termination_action", self.termination_action, TERMINATION_ACTIONS)
        check_int(
            owner,
            "termination_wait_time_in_minutes",
            self.termination_wait_time_in_minutes,
            0,
            MAX_TERMINATION_WAIT_MINUTES,
        )


# ====================================================================== hooks
Hooks = dict[str, tuple[Script, ...]]


def _as_script(
    owner: str, field_name: str, event: str, k: int, item: object, durations: Mapping[str, Any]
) -> Script:
    if isinstance(item, Script):
        return item
    if isinstance(item, (int, float, Duration)) and not isinstance(item, bool):
        return Script(f"scripts/{event}.sh" if k == 0 else f"scripts/{event}-{k}.sh", item)
    location = getattr(item, "location", None)
    if isinstance(item, Mapping):
        location = item.get("location")
    if isinstance(location, str):
        raw_timeout = (
            item.get("timeout") if isinstance(item, Mapping) else getattr(item, "timeout", None)
        )
        runas = item.get("runas") if isinstance(item, Mapping) else getattr(item, "runas", None)
        duration = durations.get(location, DEFAULT_SCRIPT_SECONDS)
        return Script(
            location, duration, MAX_SCRIPT_TIMEOUT if raw_timeout is None else raw_timeout, runas
        )
    raise invalid(
        owner,
        f"{field_name}[{event!r}][{k}]",
        item,
        "must be a Script, seconds, a Duration, or an object with a location",
    )


def _normalize_hooks(
    owner: str, field_name: str, value: object, durations: Mapping[str, Any] | None = None
) -> Hooks:
    durations = durations or {}
    if value is None:
        return {}
    platform = getattr(value, "platform", "Server")
    if platform != "Server":
        raise invalid(
            owner,
            field_name,
            f"a {platform} AppSpec",
            "must be an EC2/on-premises (Server) AppSpec",
        )
    raw = getattr(value, "hooks", value)
    if not isinstance(raw, Mapping):
        raise invalid(
            owner,
            field_name,
            value,
            "must map lifecycle event names to lists of scripts (or be an AppSpec)",
        )
    out: Hooks = {}
    for event, scripts in raw.items():
        _check_event(owner, f"{field_name} key", event)
        if isinstance(scripts, (Script, int, float, Duration)) and not isinstance(scripts, bool):
            scripts = [scripts]
        if isinstance(scripts, (str, bytes)) or not isinstance(scripts, Iterable):
            raise invalid(owner, f"{field_name}[{event!r}]", scripts, "must be a list of scripts")
        out[event] = tuple(
            _as_script(owner, field_name, event, k, s, durations) for k, s in enumerate(scripts)
        )
    return out


def hooks_from_appspec(appspec: Any, durations: Mapping[str, Any] | None = None) -> Hooks:
    """The ``hooks`` of an AppSpec-like object as :class:`Script` lists.

    ``appspec`` is anything with a ``hooks`` mapping of event name to scripts that have
    ``location`` and ``timeout`` (and optionally ``runas``), such as
    ``shiftsim.appspec.load_appspec(...)``'s result, or such a mapping itself. ``durations`` maps a
    script location to its duration (seconds or a :class:`Duration`); others run
    :data:`DEFAULT_SCRIPT_SECONDS`.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> spec = NS(hooks={"AfterInstall": [NS(location="scripts/migrate.sh", timeout=300)]})
    >>> hooks_from_appspec(spec, {"scripts/migrate.sh": 42})["AfterInstall"][0]
    Script(location='scripts/migrate.sh', duration=42.0, timeout=300.0, runas=None)
    """
    if durations is not None and not isinstance(durations, Mapping):
        raise invalid(
            "hooks_from_appspec", "durations", durations, "must map script locations to durations"
        )
    clean = {
        k: _check_duration("hooks_from_appspec", f"durations[{k!r}]", v)
        for k, v in (durations or {}).items()
    }
    return _normalize_hooks("hooks_from_appspec", "appspec", appspec, clean)


# ====================================================================== the scenario
def _resolve_config(owner: str, config: object) -> DeploymentConfig:
    resolved = get_config(config) if isinstance(config, str) else config
    if not isinstance(resolved, DeploymentConfig):
        raise invalid(owner, "config", config, "must be a DeploymentConfig or a configuration name")
    if resolved.compute_platform != "Server":
        raise invalid(
            owner,
            "config",
            resolved.name,
            f"must be a Server configuration, not a {resolved.compute_platform} one",
            "Use CodeDeployDefault.OneAtATime, HalfAtATime, AllAtOnce or a custom "
            "MinimumHealthyHosts configuration.",
        )
    return resolved


@dataclass(frozen=True, slots=True)
class ServerDeployment:
    """A CodeDeploy deployment to EC2/on-premises instances.

    Parameters
    ----------
    config : DeploymentConfig or str
        A Server configuration or its name; default ``CodeDeployDefault.OneAtATime``, as
        CodeDeploy uses when none is named.
    fleet : Fleet
        Every instance that exists (a list of Instance or a DataFrame also works).
    targets : Targets or None
        How the deployment group selects instances; ``None`` selects the whole fleet.
    load_balancer : bool
        Whether the group has a load balancer (adds the six traffic events).
    hooks : mapping or AppSpec-like, optional
        The target revision's scripts: ``{"BeforeInstall": [Script(...)], ...}`` (a number or a
        :class:`Duration` stands for one script), or an object with ``.hooks``.
    appspec : AppSpec-like, optional
        Alternative to ``hooks``: scripts from an AppSpec, timed by ``script_durations``
        (location -> duration). Give one of ``hooks`` and ``appspec``.
    previous_hooks : mapping or AppSpec-like, optional
        The previous revision's scripts, which ApplicationStop, BeforeBlockTraffic and
        AfterBlockTraffic run on instances that have it. ``None`` means the same as ``hooks``.
    reserved_durations : mapping, optional
        Durations of DownloadBundle, Install, BlockTraffic and AllowTraffic (see
        :data:`DEFAULT_RESERVED_SECONDS`).
    faults : sequence of ScriptFault, LoadBalancerFault or InstanceStop
    ignore_application_stop_failures : bool
        As in CreateDeployment.
    auto_rollback : AutoRollback
        Default disabled, the API's default for a deployment group.
    alarms : sequence of Alarm
        At most 10 (D9); ``initial_state="ALARM"`` stops the deployment at once (ALARM_ACTIVE).
    alarm_events : sequence of (minute, alarm name, state)
        Scripted alarm state changes (a Server deployment has no simulated metrics).
    alarm_poll_interval : float
        Seconds between CodeDeploy's reads of alarm state (D2), default 60.
    manual_stop : ManualStop or None
    scale_outs : sequence of ScaleOut
    outdated_instances_strategy : {"UPDATE", "IGNORE"}
    blue_green : BlueGreen or None
        Blue/green instead of in-place; needs ``load_balancer=True`` and EC2 instances.
    order : {"fleet", "shuffle"}
        D13: unhealthy first, then fleet order, or shuffled within each health class.
    clock_skew_tolerance_seconds : float
        D7, default 300.
    max_instances : int or None
        Fail with ``OVER_MAX_INSTANCES`` above this many targets (UG:limits.md: 1000 by default
        in AWS; ``None``, the default here, means no limit).
    application, deployment_group : str
        Names used in notifications.

    Examples
    --------
    >>> from shiftsim.fleet import Fleet
    >>> ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=Fleet.of_size(3))
    ServerDeployment(CodeDeployDefault.AllAtOnce, in-place, 3 of 3 instances, no load balancer)
    """

    config: DeploymentConfig | str = "CodeDeployDefault.OneAtATime"
    _: KW_ONLY
    fleet: Fleet = field(default_factory=Fleet)
    targets: Targets | None = None
    load_balancer: bool = False
    hooks: Any = None
    appspec: Any = None
    script_durations: Mapping[str, Any] = field(default_factory=dict)
    previous_hooks: Any = None
    reserved_durations: Mapping[str, Any] = field(default_factory=dict)
    faults: Sequence[Any] = ()
    ignore_application_stop_failures: bool = False
    auto_rollback: AutoRollback = field(default_factory=AutoRollback.disabled)
    alarms: Sequence[Alarm] = ()
    alarm_events: Sequence[tuple[float, str, str]] = ()
    alarm_poll_interval: float = DEFAULT_ALARM_POLL_INTERVAL
    manual_stop: ManualStop | None = None
    scale_outs: Sequence[ScaleOut] = ()
    outdated_instances_strategy: str = "UPDATE"
    blue_green: BlueGreen | None = None
    order: str = "fleet"
    clock_skew_tolerance_seconds: float = DEFAULT_CLOCK_SKEW_TOLERANCE
    max_instances: int | None = None
    application: str = "shiftsim-app"
    deployment_group: str = "shiftsim-group"

    def __post_init__(self) -> None:
        owner = "ServerDeployment"
        config = _resolve_config(owner, self.config)
        object.__setattr__(self, "config", config)
        fleet = check_fleet(owner, "fleet", self.fleet)
        object.__setattr__(self, "fleet", fleet)
        if self.targets is not None and not isinstance(self.targets, Targets):
            raise invalid(owner, "targets", self.targets, "must be a Targets or None")
        if not isinstance(self.load_balancer, bool):
            raise invalid(owner, "load_balancer", self.load_balancer, "must be True or False")
        if not isinstance(self.script_durations, Mapping):
            raise invalid(
                owner,
                "script_durations",
                self.script_durations,
                "must map script locations to durations",
            )
        durations = {
            k: _check_duration(owner, f"script_durations[{k!r}]", v)
            for k, v in self.script_durations.items()
        }
        if self.hooks is not None and self.appspec is not None:
            raise invalid(
                owner,
                "appspec",
                self.appspec,
                "cannot be combined with hooks",
                "Give the scripts once: hooks=... or appspec=...",
            )
        hooks = _normalize_hooks(
            owner,
            "appspec" if self.appspec is not None else "hooks",
            self.appspec if self.appspec is not None else self.hooks,
            durations,
        )
        object.__setattr__(self, "hooks", hooks)
        object.__setattr__(self, "appspec", None)
        previous = (
            hooks
            if self.previous_hooks is None
            else _normalize_hooks(owner, "previous_hooks", self.previous_hooks, durations)
        )
        object.__setattr__(self, "previous_hooks", previous)
        if not isinstance(self.reserved_durations, Mapping):
            raise invalid(
                owner,
                "reserved_durations",
                self.reserved_durations,
                "must map reserved event names to durations",
            )
        reserved = dict(DEFAULT_RESERVED_SECONDS)
        for key, value in self.reserved_durations.items():
            check_choice(owner, "reserved_durations key", key, RESERVED_EVENTS)
            reserved[key] = _check_duration(owner, f"reserved_durations[{key!r}]", value)
        object.__setattr__(self, "reserved_durations", reserved)
        for name in ("ignore_application_stop_failures",):
            if not isinstance(getattr(self, name), bool):
                raise invalid(owner, name, getattr(self, name), "must be True or False")
        if not isinstance(self.auto_rollback, AutoRollback):
            raise invalid(
                owner,
                "auto_rollback",
                self.auto_rollback,
                "must be an AutoRollback",
                "For example AutoRollback(events=('DEPLOYMENT_FAILURE',)).",
            )
        alarms = self._check_alarms()
        object.__setattr__(self, "alarms", alarms)
        object.__setattr__(self, "alarm_events", self._check_alarm_events(alarms))
        check_number(owner, "alarm_poll_interval", self.alarm_poll_interval, 0.0, low_open=True)
        if self.manual_stop is not None and not isinstance(self.manual_stop, ManualStop):
            raise invalid(owner, "manual_stop", self.manual_stop, "must be a ManualStop or None")
        check_choice(
            owner,
            "outdated_instances_strategy",
            self.outdated_instances_strategy,
            OUTDATED_STRATEGIES,
        )
        check_choice(owner, "order", self.order, ORDERS)
        check_number(owner, "clock_skew_tolerance_seconds", self.clock_skew_tolerance_seconds, 0.0)
        if self.max_instances is not None:
            check_int(owner, "max_instances", self.max_instances, 1)
        for name in ("application", "deployment_group"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise invalid(owner, name, getattr(self, name), "must be a non-empty string")
        scale_outs = tuple(self.scale_outs)
        for k, s in enumerate(scale_outs):
            if not isinstance(s, ScaleOut):
                raise invalid(owner, f"scale_outs[{k}]", s, "must be a ScaleOut")
        object.__setattr__(self, "scale_outs", scale_outs)
        self._check_blue_green(config)
        self._check_scale_outs()
        object.__setattr__(self, "faults", self._check_faults())

    # ------------------------------------------------------------------ validation
    def _check_alarms(self) -> tuple[Alarm, ...]:
        owner = "ServerDeployment"
        alarms = (self.alarms,) if isinstance(self.alarms, Alarm) else tuple(self.alarms)
        for k, alarm in enumerate(alarms):
            if not isinstance(alarm, Alarm):
                raise invalid(owner, f"alarms[{k}]", alarm, "must be an Alarm")
        if len(alarms) > MAX_ALARMS:
            raise invalid(
                owner,
                "alarms",
                f"{len(alarms)} alarms",
                f"must hold at most {MAX_ALARMS} alarms (API:AlarmConfiguration, D9)",
            )
        names = [a.name for a in alarms]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise invalid(owner, "alarms", repeated, "must have unique names")
        return alarms

    def _check_alarm_events(self, alarms: tuple[Alarm, ...]) -> tuple[tuple[float, str, str], ...]:
        owner = "ServerDeployment"
        names = [a.name for a in alarms]
        out = []
        for k, item in enumerate(self.alarm_events):
            if not isinstance(item, (tuple, list)) or len(item) != 3:
                raise invalid(
                    owner,
                    f"alarm_events[{k}]",
                    item,
                    "must be a (minute, alarm name, state) triple",
                )
            minute, name, state = item
            minute = check_number(owner, f"alarm_events[{k}] minute", minute, 0.0)
            if name not in names:
                raise invalid(
                    owner,
                    f"alarm_events[{k}] alarm",
                    name,
                    "must name one of the deployment's alarms",
                    suggest(str(name), names) or None,
                )
            check_choice(owner, f"alarm_events[{k}] state", state, ALARM_STATES)
            out.append((minute, name, state))
        return tuple(out)

    def _check_blue_green(self, config: DeploymentConfig) -> None:
        owner = "ServerDeployment"
        bg = self.blue_green
        if bg is None:
            return
        if not isinstance(bg, BlueGreen):
            raise invalid(owner, "blue_green", bg, "must be a BlueGreen or None")
        if not self.load_balancer:
            raise invalid(
                owner,
                "load_balancer",
                False,
                "must be True for a blue/green "
                "deployment (a load balancer is mandatory, UG-live:"
                "integrations-aws-elastic-load-balancing)",
            )
        selected = self.fleet.select(self.targets)
        if self.fleet.column("on_premises")[selected].any():
            raise invalid(
                owner,
                "blue_green",
                bg,
                "applies to EC2 instances only; the targets "
                "include on-premises instances (UG:welcome.md)",
            )
        if bg.green_fleet_provisioning == "COPY_AUTO_SCALING_GROUP":
            groups = {self.fleet.column("auto_scaling_group")[k] for k in selected.tolist()}
            if not groups - {None}:
                raise invalid(
                    owner,
                    "blue_green.green_fleet_provisioning",
                    bg.green_fleet_provisioning,
                    "needs original instances in an Auto Scaling group",
                    "Use DISCOVER_EXISTING with a green_fleet.",
                )
        elif bg.green_fleet is not None:
            clash = set(bg.green_fleet.ids) & set(self.fleet.ids)
            if clash:
                raise invalid(
                    owner,
                    "blue_green.green_fleet",
                    sorted(clash)[:3],
                    "must not reuse ids of the original fleet",
                )
        if config.zonal_config is not None:
            raise UnsupportedScenarioError(
                "ServerDeployment: a zonal configuration with a blue/green deployment is not "
                "modelled (the reference documents zonal deployments for in-place only)."
            )
        if self.scale_outs:
            raise UnsupportedScenarioError(
                "ServerDeployment: Auto Scaling scale-out during a blue/green deployment is not "
                "modelled."
            )

    def _group_asgs(self) -> tuple[str, ...]:
        fleet = self.fleet
        if self.targets is not None:
            return tuple(self.targets.auto_scaling_groups)
        return fleet.auto_scaling_groups

    def _check_scale_outs(self) -> None:
        owner = "ServerDeployment"
        groups = self._group_asgs()
        seen = set(self.fleet.ids)
        for k, s in enumerate(self.scale_outs):
            if s.auto_scaling_group not in groups:
                raise invalid(
                    owner,
                    f"scale_outs[{k}].auto_scaling_group",
                    s.auto_scaling_group,
                    "must be an Auto Scaling group of the deployment group "
                    f"({', '.join(groups) or 'it has none'})",
                    suggest(s.auto_scaling_group, groups) or None,
                )
            for ident in s.instance_ids or ():
                if ident in seen:
                    raise invalid(
                        owner,
                        f"scale_outs[{k}].instance_ids",
                        ident,
                        "must not reuse an existing instance id",
                    )
                seen.add(ident)

    def _known_ids(self) -> list[str]:
        ids = list(self.fleet.ids)
        bg = self.blue_green
        if bg is not None:
            if bg.green_fleet is not None:
                ids += list(bg.green_fleet.ids)
            else:
                ids += [f"{i}-green" for i in self.fleet.ids]
        for j, s in enumerate(self.scale_outs):
            ids += list(_launch_ids(s, j))
        return ids

    def _check_faults(self) -> tuple[Any, ...]:
        owner = "ServerDeployment"
        faults = tuple(self.faults)
        known = set(self._known_ids())
        pool = self._known_ids()
        events = set(sp.event_list(self.load_balancer))
        if self.blue_green is not None:
            events = set(LIFECYCLE_EVENTS)
        for k, fault in enumerate(faults):
            if not isinstance(fault, (ScriptFault, LoadBalancerFault, InstanceStop)):
                raise invalid(
                    owner,
                    f"faults[{k}]",
                    fault,
                    "must be a ScriptFault, LoadBalancerFault or InstanceStop",
                )
            ids = (fault.instance,) if isinstance(fault, InstanceStop) else (fault.instances or ())
            for ident in ids:
                if ident not in known:
                    hint = suggest(ident, pool) if len(pool) < 10_000 else ""
                    raise invalid(
                        owner,
                        f"faults[{k}] instance",
                        ident,
                        "is not an instance of the fleet (or a blue/green "
                        "replacement or scale-out launch)",
                        hint or None,
                    )
            if isinstance(fault, InstanceStop):
                continue
            if fault.event not in events:
                raise invalid(
                    owner,
                    f"faults[{k}].event",
                    fault.event,
                    "runs only with a load balancer (load_balancer=True)",
                )
            if isinstance(fault, ScriptFault):
                hooks = self.hooks if fault.revision == "target" else self.previous_hooks
                scripts = hooks.get(fault.event, ())
                if fault.script >= len(scripts):
                    which = "hooks" if fault.revision == "target" else "previous_hooks"
                    raise invalid(
                        owner,
                        f"faults[{k}].script",
                        fault.script,
                        f"must index a script of {fault.event} in {which} "
                        f"({len(scripts)} script{'s' if len(scripts) != 1 else ''})",
                        f"Add a Script for {fault.event} to {which}.",
                    )
        return faults

    # ------------------------------------------------------------------ views
    @property
    def deployment_config(self) -> DeploymentConfig:
        assert isinstance(self.config, DeploymentConfig)
        return self.config

    @property
    def minimum_healthy_hosts(self) -> MinimumHealthyHosts:
        rule = self.deployment_config.minimum_healthy_hosts
        assert rule is not None
        return rule

    def notification_context(self) -> NotificationContext:
        return NotificationContext(
            application=self.application, deployment_group=self.deployment_group
        )

    def scenario_plan(self) -> ScenarioPlan:
        """Compile the scenario into the plain data both engines start from.

        (Not named ``plan``: ``shiftsim.simulate`` recognizes traffic-shifting deployments by
        a ``plan()`` method.)
        """
        return _compile(self)

    def __repr__(self) -> str:
        n = len(self.fleet)
        k = int(self.fleet.select(self.targets).shape[0])
        style = "blue/green" if self.blue_green is not None else "in-place"
        lb = "load balancer" if self.load_balancer else "no load balancer"
        return (
            f"ServerDeployment({self.deployment_config.name}, {style}, {k} of {n} instances, {lb})"
        )

    def _repr_html_(self) -> str:
        from shiftsim._html import table

        rule = self.minimum_healthy_hosts
        rows: list[tuple[str, Any]] = [
            ("configuration", self.deployment_config.name),
            ("minimum healthy hosts", f"{rule.type} {rule.value}"),
            ("style", "blue/green" if self.blue_green is not None else "in-place"),
            ("targets", f"{int(self.fleet.select(self.targets).shape[0])} of {len(self.fleet)}"),
            ("load balancer", self.load_balancer),
            ("hooks", ", ".join(f"{e} ({len(s)})" for e, s in self.hooks.items()) or "none"),
            ("faults", len(self.faults)),
            (
                "auto rollback",
                ", ".join(self.auto_rollback.events) if self.auto_rollback.enabled else "disabled",
            ),
        ]
        return table("Server deployment", rows)


def _launch_ids(s: ScaleOut, j: int) -> tuple[str, ...]:
    if s.instance_ids is not None:
        return tuple(s.instance_ids)
    return tuple(f"{s.auto_scaling_group}-launch-{j}-{k}" for k in range(s.count))


# ====================================================================== compiled scenario
@dataclass(frozen=True, slots=True)
class _FaultSpec:
    event: str
    revision: int
    script: int
    mode: int
    probability: float
    exit_code: int
    instances: frozenset[int] | None


@dataclass(frozen=True, slots=True, eq=False)
class ScenarioPlan:
    """A :class:`ServerDeployment` compiled to plain data: the instance table (the fleet, then
    blue/green replacements, then scale-out launches), conditions, hooks, faults, the moment an
    alarm or a manual stop interrupts, and rollback settings. Passes are compiled from it with
    :func:`shiftsim._server_plan.compile_pass` as the run unfolds."""

    config_name: str
    minimum_rule: MinimumHealthyHosts
    zonal: Any
    load_balancer: bool
    blue_green: BlueGreen | None
    ids: tuple[str, ...]
    zone: tuple[str, ...]
    group: tuple[str | None, ...]
    healthy: np.ndarray
    last_install: np.ndarray
    agent: np.ndarray
    s3: np.ndarray
    stopped: np.ndarray
    stop_time: np.ndarray
    targets: np.ndarray
    green: np.ndarray
    launches: tuple[tuple[float, str, np.ndarray], ...]
    hooks: Mapping[int, Hooks]
    reserved: Mapping[str, Any]
    faults: tuple[_FaultSpec, ...]
    ignore_stop_failures: bool
    interrupt_time: float
    interrupt_code: str | None
    interrupt_message: str
    interrupt_rolls_back: bool
    rollback_on_failure: bool
    has_previous: bool
    update_outdated: bool
    shuffle: bool
    max_instances: int | None


def _compile(d: ServerDeployment) -> ScenarioPlan:
    fleet = d.fleet
    n_fleet = len(fleet)
    ids = list(fleet.ids)
    zone = list(fleet.column("availability_zone"))
    group = list(fleet.column("auto_scaling_group"))
    healthy = [fleet.column("healthy")]
    revision = [fleet.column("revision")]
    installed = [fleet.column("agent_installed")]
    running = [fleet.column("agent_running")]
    skew = [fleet.column("clock_skew_seconds")]
    s3 = [fleet.column("s3_access")]
    stopped = [fleet.column("stopped")]
    targets = fleet.select(d.targets)
    green = np.zeros(0, dtype=np.int64)
    bg = d.blue_green
    if bg is not None:
        if bg.green_fleet_provisioning == "DISCOVER_EXISTING":
            assert bg.green_fleet is not None
            gf = bg.green_fleet
            chosen = gf.select(bg.green_targets)
            green = n_fleet + np.arange(chosen.shape[0], dtype=np.int64)
            ids += [gf.ids[k] for k in chosen.tolist()]
            zone += [gf.column("availability_zone")[k] for k in chosen.tolist()]
            group += [gf.column("auto_scaling_group")[k] for k in chosen.tolist()]
            for cols, name in (
                (healthy, "healthy"),
                (revision, "revision"),
                (installed, "agent_installed"),
                (running, "agent_running"),
                (skew, "clock_skew_seconds"),
                (s3, "s3_access"),
                (stopped, "stopped"),
            ):
                cols.append(gf.column(name)[chosen])
        else:
            # COPY_AUTO_SCALING_GROUP: one replacement per healthy original in an ASG.
            fg = fleet.column("auto_scaling_group")
            ok = fleet.column("healthy") & ~fleet.column("stopped")
            source = [k for k in targets.tolist() if fg[k] is not None and ok[k]]
            green = n_fleet + np.arange(len(source), dtype=np.int64)
            ids += [f"{fleet.ids[k]}-green" for k in source]
            zone += [fleet.column("availability_zone")[k] for k in source]
            group += [f"CodeDeploy_{d.deployment_group}_green" for _ in source]
            m = len(source)
            healthy.append(np.ones(m, bool))
            revision.append(np.full(m, 2, np.int8))
            for cols in (installed, running, s3):
                cols.append(np.ones(m, bool))
            skew.append(np.zeros(m))
            stopped.append(np.zeros(m, bool))
    launches = []
    asg_zones: dict[str, list[str]] = {}
    for k in range(n_fleet):
        if group[k] is not None:
            asg_zones.setdefault(group[k], []).append(zone[k])
    for j, s in enumerate(d.scale_outs):
        new_ids = _launch_ids(s, j)
        start = len(ids)
        zones = list(dict.fromkeys(asg_zones.get(s.auto_scaling_group, []))) or [zone[0]]
        ids += list(new_ids)
        zone += [zones[k % len(zones)] for k in range(s.count)]
        group += [s.auto_scaling_group] * s.count
        healthy.append(np.zeros(s.count, bool))
        revision.append(np.full(s.count, 2, np.int8))
        for cols in (installed, running, s3):
            cols.append(np.ones(s.count, bool))
        skew.append(np.zeros(s.count))
        stopped.append(np.zeros(s.count, bool))
        launches.append(
            (s.at_minute * 60.0, s.auto_scaling_group, np.arange(start, len(ids), dtype=np.int64))
        )
    index = {ident: k for k, ident in enumerate(ids)} if d.faults else {}
    rev = np.concatenate(revision).astype(np.int8)
    # Fleet revision codes: 0 Current, 1 Old, 2 Unknown -> whose scripts ApplicationStop runs.
    last_install = np.choose(rev, [REV_TARGET, REV_PREVIOUS, REV_NONE]).astype(np.int8)
    agent = np.zeros(len(ids), np.int8)
    skewed = np.abs(np.concatenate(skew)) > d.clock_skew_tolerance_seconds
    agent[skewed] = sp.C_CLOCK_SKEW
    agent[~np.concatenate(running)] = sp.C_NOT_RUNNING
    agent[~np.concatenate(installed)] = sp.C_NOT_INSTALLED
    stop_time = np.full(len(ids), np.inf)
    faults: list[_FaultSpec] = []
    for fault in d.faults:
        if isinstance(fault, InstanceStop):
            k = index[fault.instance]
            stop_time[k] = min(stop_time[k], fault.at_minute * 60.0)
            continue
        members = None if fault.instances is None else frozenset(index[i] for i in fault.instances)
        if isinstance(fault, LoadBalancerFault):
            faults.append(
                _FaultSpec(fault.event, REV_NONE, -1, sp.MODE_LB, fault.probability, 1, members)
            )
        else:
            mode = {"fail": sp.MODE_FAIL, "hang": sp.MODE_HANG, "missing": sp.MODE_MISSING}[
                fault.mode
            ]
            faults.append(
                _FaultSpec(
                    fault.event,
                    REV_TARGET if fault.revision == "target" else REV_PREVIOUS,
                    fault.script,
                    mode,
                    fault.probability,
                    fault.exit_code,
                    members,
                )
            )
    # The moment the user's deployment is interrupted: an alarm CodeDeploy sees, or a stop.
    interrupt, code, message, rolls_back = math.inf, None, "", False
    if d.alarms:
        names = [a.name for a in d.alarms]
        changes = [(m * 60.0, names.index(name), state) for m, name, state in d.alarm_events]
        seen = sp.alarm_detection_time(
            [a.initial_state for a in d.alarms], changes, d.alarm_poll_interval
        )
        if seen is not None:
            active = _alarms_in_alarm(d, seen)
            interrupt, code = seen, "ALARM_ACTIVE"
            message = (
                "One or more alarms have been activated according to the Amazon "
                "CloudWatch metrics you selected, and the affected deployments have been "
                f"stopped. Activated alarms: <{', '.join(active)}>"
            )
            rolls_back = d.auto_rollback.rolls_back("DEPLOYMENT_STOP_ON_ALARM")
    if d.manual_stop is not None and d.manual_stop.at_minute * 60.0 < interrupt:
        interrupt, code = d.manual_stop.at_minute * 60.0, "MANUAL_STOP"
        message = MESSAGES["MANUAL_STOP"]
        rolls_back = d.manual_stop.rolls_back(d.auto_rollback)
    hooks = {REV_TARGET: d.hooks, REV_PREVIOUS: d.previous_hooks}
    fleet_rev = fleet.column("revision")[targets]
    return ScenarioPlan(
        config_name=d.deployment_config.name,
        minimum_rule=d.minimum_healthy_hosts,
        zonal=d.deployment_config.zonal_config,
        load_balancer=d.load_balancer,
        blue_green=bg,
        ids=tuple(ids),
        zone=tuple(zone),
        group=tuple(group),
        healthy=np.concatenate(healthy).astype(bool),
        last_install=last_install,
        agent=agent,
        s3=np.concatenate(s3).astype(bool),
        stopped=np.concatenate(stopped).astype(bool),
        stop_time=stop_time,
        targets=targets,
        green=green,
        launches=tuple(launches),
        hooks=hooks,
        reserved=dict(d.reserved_durations),
        faults=tuple(faults),
        ignore_stop_failures=d.ignore_application_stop_failures,
        interrupt_time=interrupt,
        interrupt_code=code,
        interrupt_message=message,
        interrupt_rolls_back=rolls_back,
        rollback_on_failure=d.auto_rollback.rolls_back("DEPLOYMENT_FAILURE"),
        has_previous=bool((fleet_rev != 2).any()),
        update_outdated=d.outdated_instances_strategy == "UPDATE",
        shuffle=d.order == "shuffle",
        max_instances=d.max_instances,
    )


def _alarms_in_alarm(d: ServerDeployment, time: float) -> list[str]:
    states = {a.name: a.initial_state for a in d.alarms}
    for minute, name, state in sorted(d.alarm_events, key=lambda e: e[0]):
        if minute * 60.0 <= time:
            states[name] = state
    return [name for name, state in states.items() if state == "ALARM"]


# ====================================================================== the event core
@dataclass(slots=True, eq=False)
class _PassRecord:
    """What one pass did: plain arrays (pass-local, fleet order) and scalars."""

    plan: PassPlan
    draws: PassDraws
    timeline: Timeline
    order: np.ndarray
    t0: float
    start: np.ndarray
    final: np.ndarray
    overrides: dict[int, tuple[float, int, int]]
    end: float
    outcome: str
    error_code: str | None
    message: str
    low_water: int
    peak: int
    events: list[tuple[float, str, str, str]]

    @classmethod
    def empty(
        cls,
        plan: PassPlan,
        draws: PassDraws,
        timeline: Timeline,
        order: np.ndarray,
        t0: float,
        healthy: int,
        events: list[tuple[float, str, str, str]],
    ) -> _PassRecord:
        """A pass with no instance: it succeeds at once."""
        return cls(
            plan,
            draws,
            timeline,
            order,
            t0,
            np.zeros(0),
            np.zeros(0, np.int8),
            {},
            t0,
            "Succeeded",
            None,
            "",
            healthy,
            0,
            events,
        )


def run_window(
    plan: PassPlan,
    draws: PassDraws,
    timeline: Timeline,
    order: np.ndarray,
    t0: float,
    deadline: float = math.inf,
    deadline_code: str | None = None,
    deadline_message: str = "",
) -> _PassRecord:
    """Walk the minimum-healthy-hosts window over one pass on the event core.

    Only instance starts are decided here (with :func:`~shiftsim._server_plan.can_start`);
    each instance's lifecycle comes from ``timeline``. One heap entry per instance finishing,
    plus one "fill the window" step per instant at which something finished (scheduled after
    CodeDeploy's reactions at that instant, so an alarm seen at the same second stops first).
    """
    n = plan.n
    sim = Simulation(t0)
    schedule = sim.schedule
    heap = sim._heap  # read-only peek at the kernel's queue (same package)
    react, poll, step = Priority.REACT, Priority.POLL, Priority.STEP
    can = sp.can_start
    doomed = sp.is_doomed
    rel_end = timeline.rel_end.tolist()
    ok = timeline.ok.tolist()
    healthy = plan.healthy.tolist()
    order_l = order.tolist()
    stop_l = plan.stop_time.tolist()
    watch_stops = bool(np.isfinite(plan.stop_time).any())
    start = [math.nan] * n
    ends = [math.nan] * n
    final = bytearray(n)
    overrides: dict[int, tuple[float, int, int]] = {}
    events: list[tuple[float, str, str, str]] = []
    m, cap, base = plan.minimum, plan.cap, plan.base_healthy
    hil = sum(healthy)
    hc = base + hil
    low = hc
    peak = 0
    failed = succeeded = in_flight = ptr = 0
    done = False
    fill_pending = False
    outcome: list[Any] = ["Succeeded", None, "", t0]
    # Zonal state: one zone open at a time (the non-zonal case is one zone, rules off).
    zonal = plan.zonal is not None
    zone_l = plan.zone.tolist()
    bounds: list[int] = []
    if zonal:
        sizes = np.bincount(plan.zone, minlength=len(plan.zone_names)).tolist()
        bounds = np.cumsum(sizes).tolist()
    z = 0
    limit = bounds[0] if zonal else n
    zone_open = True
    nz = limit
    mz = capz = hz = hilz = fz = 0

    def open_zone(k: int) -> None:
        nonlocal z, limit, zone_open, nz, mz, capz, hz, hilz, fz
        assert plan.zonal is not None
        z = k
        lo = bounds[k - 1] if k else 0
        limit = bounds[k]
        nz = limit - lo
        mz = plan.zonal.minimum[k]
        capz = plan.zonal.cap[k]
        members = order_l[lo:limit]
        hilz = sum(healthy[i] for i in members)
        hz = hilz
        fz = 0
        zone_open = True
        events.append((sim.now, "ZoneStart", "InProgress", plan.zone_names[k]))

    def end_pass(status: str, code: str | None, message: str) -> None:
        nonlocal done
        done = True
        outcome[0], outcome[1], outcome[2], outcome[3] = status, code, message, sim.now
        sim.stop()

    def special(i: int, now: float) -> float:
        assert timeline.ev_start is not None and timeline.ev_end is not None
        r, fe, cause = sp.stopped_outcome(
            now,
            stop_l[i],
            timeline.ev_start[i],
            timeline.ev_end[i],
            rel_end[i],
            plan.agent_timeout,
            plan.event_timeout,
        )
        if cause != sp.C_NONE:
            ok[i] = False
            overrides[i] = (r, fe, cause)
        return r

    def fill() -> None:
        nonlocal fill_pending, ptr, in_flight, hc, hil, low, peak, hz, hilz
        fill_pending = False
        if done or not zone_open:
            return
        now = sim.now
        while ptr < limit:
            i = order_l[ptr]
            h = healthy[i]
            if not can(in_flight, cap, h, hc, m):
                break
            if zonal and not can(in_flight, capz, h, hz, mz):
                break
            if h:
                hc -= 1
                hil -= 1
                if zonal:
                    hz -= 1
                    hilz -= 1
                if hc < low:
                    low = hc
            ptr += 1
            in_flight += 1
            if in_flight > peak:
                peak = in_flight
            start[i] = now
            if watch_stops and stop_l[i] != math.inf:
                ends[i] = now + special(i, now)
            else:
                ends[i] = now + rel_end[i]
            schedule(ends[i], react, finish, i)
        if in_flight == 0 and ptr < limit:
            # Nothing in flight and the next instance may not start: it never will.
            end_pass("Failed", "HEALTH_CONSTRAINTS", MESSAGES["HEALTH_CONSTRAINTS"])

    def finish(i: int) -> None:
        nonlocal in_flight, succeeded, failed, hc, hz, fz, fill_pending, zone_open
        if done:
            return
        in_flight -= 1
        if ok[i]:
            succeeded += 1
            hc += 1
            final[i] = sp.S_SUCCEEDED
            if zonal:
                hz += 1
        else:
            failed += 1
            final[i] = sp.S_FAILED
            if zonal:
                fz += 1
            if doomed(n, failed, base, m, hil) or (zonal and _zone_doomed(nz, fz, mz, hilz)):
                end_pass("Failed", "HEALTH_CONSTRAINTS", MESSAGES["HEALTH_CONSTRAINTS"])
                return
        if ptr == limit and in_flight == 0:
            if zonal and limit < n:
                assert plan.zonal is not None
                wait = plan.zonal.first_monitor if z == 0 else plan.zonal.monitor
                events.append((sim.now, "ZoneEnd", "Succeeded", plan.zone_names[z]))
                zone_open = False
                if wait > 0:
                    events.append(
                        (
                            sim.now,
                            "Baking",
                            "InProgress",
                            f"monitoring {plan.zone_names[z]} for {wait:g} s",
                        )
                    )
                schedule(sim.now + wait, step, next_zone)
                return
            if zonal:
                events.append((sim.now, "ZoneEnd", "Succeeded", plan.zone_names[z]))
            if sp.has_succeeded(succeeded, base, m):
                end_pass("Succeeded", None, "")
            else:
                end_pass("Failed", "HEALTH_CONSTRAINTS", MESSAGES["HEALTH_CONSTRAINTS"])
            return
        if ptr < limit and not fill_pending:
            # Fill the window after every reaction at this instant; when none is queued (the
            # usual case) do it now rather than through the heap.
            now = sim.now
            if heap and heap[0][0] == now and heap[0][1] <= step:
                fill_pending = True
                schedule(now, step, fill)
            else:
                fill()

    def next_zone() -> None:
        if done:
            return
        open_zone(z + 1)
        fill()

    def interrupt() -> None:
        if not done:
            end_pass("Stopped", deadline_code, deadline_message)

    def on_stop(i: int) -> None:
        # A stopped instance counts as failed from now on (UG:instances-health.md).
        nonlocal hc, hil, low, hz, hilz, fill_pending
        if done:
            return
        here = zonal and zone_l[i] == z
        if final[i] == sp.S_SUCCEEDED:
            hc -= 1
            if here:
                hz -= 1
        elif start[i] != start[i] and healthy[i]:  # not started yet (start is NaN)
            healthy[i] = False
            hc -= 1
            hil -= 1
            if here:
                hz -= 1
                hilz -= 1
        else:
            return
        low = min(low, hc)
        if not fill_pending:
            fill_pending = True
            schedule(sim.now, step, fill)

    if n == 0:
        return _PassRecord.empty(plan, draws, timeline, order, t0, hc, events)
    if deadline < math.inf:
        schedule(max(deadline, t0), poll, interrupt)
    if watch_stops:
        for i in range(n):
            if t0 < stop_l[i] < math.inf:
                schedule(stop_l[i], react, on_stop, i)
    if zonal:
        open_zone(0)
    schedule(t0, step, fill)
    sim.run()
    if not done:  # pragma: no cover - the window always decides
        raise RuntimeError("the Server window ended without a decision")
    final_arr = np.frombuffer(bytes(final), dtype=np.int8).copy()
    start_arr = np.asarray(start, dtype=np.float64)
    cut = ~np.isnan(start_arr) & (final_arr == sp.S_SKIPPED)
    # Instances that finish at the very instant the pass ends still report their result.
    same = cut & (np.asarray(ends) == outcome[3])
    ok_arr = np.asarray(ok, dtype=bool)
    final_arr[same & ok_arr] = sp.S_SUCCEEDED
    final_arr[same & ~ok_arr] = sp.S_FAILED
    final_arr[cut & ~same] = sp.S_UNKNOWN
    return _PassRecord(
        plan,
        draws,
        timeline,
        order,
        t0,
        start_arr,
        final_arr,
        overrides,
        float(outcome[3]),
        outcome[0],
        outcome[1],
        outcome[2],
        int(low),
        int(peak),
        events,
    )


def _zone_doomed(n: int, failed: int, minimum: int, healthy_idle: int) -> bool:
    """The per-zone form of :func:`~shiftsim._server_plan.is_doomed` (no need for a success in
    every zone)."""
    best = n - failed
    return bool((healthy_idle > 0 and best <= minimum) or best < minimum)


# ====================================================================== orchestration
@dataclass(slots=True, eq=False)
class _Deployment:
    """One CodeDeploy deployment of the run (the user's, a rollback, a follow-up, a launch)."""

    id: str
    creator: str
    style: str
    start: float
    instances: np.ndarray
    roles: dict[int, str] = field(default_factory=dict)
    end: float = math.nan
    status: str = "InProgress"
    error_code: str | None = None
    error_message: str = ""
    passes: list[_PassRecord] = field(default_factory=list)
    events: list[tuple[float, str, str, str]] = field(default_factory=list)
    rollback_id: str | None = None
    rollback_of: str | None = None
    rollback_message: str = ""
    auto_update_root: str | None = None
    auto_update_ids: list[str] = field(default_factory=list)
    minimum: int | None = None
    cap: int | None = None
    ready_time: float | None = None
    terminated: list[int] = field(default_factory=list)

    def finish(self, time: float, status: str, code: str | None = None, message: str = "") -> None:
        self.end, self.status, self.error_code, self.error_message = time, status, code, message
        detail = f"{code}: {message}" if code else ""
        self.events.append((time, "DeploymentEnd", status, detail))


class _Runner:
    """Runs the passes of a scenario in time order and keeps the group's state between them:
    each instance's health and the revision of its last successful install."""

    def __init__(
        self, plan: ScenarioPlan, seq: np.random.SeedSequence, engine: str = "core"
    ) -> None:
        self.plan = plan
        self.seq = seq
        self.walk = run_window
        if engine == "kernel":
            from shiftsim._server_kernel import window_kernel

            self.walk = window_kernel
        self.health = plan.healthy.copy()
        self.last_install = plan.last_install.copy()
        self.deployments: list[_Deployment] = []
        self.key = (entropy_of(seq), tuple(seq.spawn_key))

    # ------------------------------------------------------------------ helpers
    def new(
        self,
        creator: str,
        start: float,
        instances: np.ndarray,
        *parts: object,
        style: str = "IN_PLACE",
    ) -> _Deployment:
        d = _Deployment(deployment_id(*self.key, creator, *parts), creator, style, start, instances)
        d.events.append((start, "DeploymentStart", "InProgress", f"creator {creator}"))
        self.deployments.append(d)
        return d

    def make_pass(
        self,
        *,
        role: int,
        phase: int,
        kind: str,
        idx: np.ndarray,
        events: Sequence[str],
        deployed: int,
        t0: float,
        minimum: int,
        cap: int,
        base: int = 0,
        zonal: Any = None,
        healthy: np.ndarray | None = None,
    ) -> PassPlan:
        plan = self.plan
        stopped_now = plan.stopped[idx] | (plan.stop_time[idx] <= t0)
        agent = plan.agent[idx].copy()
        agent[stopped_now] = sp.C_STOPPED
        h = (self.health[idx] if healthy is None else healthy) & ~stopped_now
        return sp.compile_pass(
            role=role,
            phase=phase,
            kind=kind,
            instances=idx,
            events=events,
            deployed=deployed,
            source=self.last_install[idx],
            healthy=h,
            zones=[plan.zone[k] for k in idx.tolist()],
            minimum=minimum,
            cap=cap,
            base_healthy=base,
            zonal=zonal,
            shuffle=plan.shuffle,
            hooks=plan.hooks,
            reserved=plan.reserved,
            faults=plan.faults,
            agent=agent,
            s3=plan.s3[idx],
            stop_time=np.where(stopped_now, np.inf, plan.stop_time[idx]),
            ignore_stop_failures=plan.ignore_stop_failures,
        )

    def execute(
        self,
        pp: PassPlan,
        t0: float,
        deployed: int,
        deadline: float = math.inf,
        code: str | None = None,
        message: str = "",
    ) -> _PassRecord:
        draws = sp.draw_pass(pp, self.seq)
        timeline = sp.pass_timeline(pp, draws)
        order = sp.pass_order(pp, draws)
        rec = self.walk(pp, draws, timeline, order, t0, deadline, code, message)
        self._apply(rec, deployed)
        return rec

    def _apply(self, rec: _PassRecord, deployed: int) -> None:
        """Health after a pass (attempted instances from their own result) and the revision
        of the last successful install (recorded at the end of Install, Agent)."""
        started = ~np.isnan(rec.start)
        idx = rec.plan.instances
        if rec.plan.kind in ("in-place", "launch", "install"):
            self.health[idx[started]] = rec.final[started] == sp.S_SUCCEEDED
        elif rec.plan.kind in ("block", "rollback-block"):
            # Deregistered instances serve no traffic; their health is not at stake here.
            pass
        if "Install" in rec.plan.events:
            self.last_install[idx[_installed(rec)]] = deployed

    def fail_at_start(self, d: _Deployment, code: str, message: str) -> None:
        d.finish(d.start, "Failed", code, message)

    def interrupt_args(self) -> tuple[float, str | None, str]:
        p = self.plan
        return p.interrupt_time, p.interrupt_code, p.interrupt_message

    def check_minimum(self, d: _Deployment, n: int) -> int | None:
        """The minimum for ``n`` instances, or None after failing ``d`` because it is invalid."""
        rule = self.plan.minimum_rule
        m = int(rule.minimum(n))
        d.minimum, d.cap = m, n - m
        if sp.minimum_is_invalid(n, m):
            self.fail_at_start(
                d,
                "HEALTH_CONSTRAINTS_INVALID",
                (
                    f"The deployment cannot start because the minimum number of healthy instances "
                    f"({m}, from {rule.type} {rule.value}) is not below the {n} instances of the "
                    "deployment."
                ),
            )
            return None
        return m

    def zonal_invalid(self, d: _Deployment, pp: PassPlan) -> bool:
        if pp.zonal is None:
            return False
        sizes = np.bincount(pp.zone, minlength=len(pp.zone_names))
        for name, size, m in zip(pp.zone_names, sizes.tolist(), pp.zonal.minimum):
            if m >= size:
                self.fail_at_start(
                    d,
                    "HEALTH_CONSTRAINTS_INVALID",
                    (
                        f"The minimum number of healthy instances per zone ({m}) is not below the "
                        f"{size} instances in {name}."
                    ),
                )
                return True
        return False

    # ------------------------------------------------------------------ in-place
    def run_in_place(self) -> None:
        plan = self.plan
        targets = plan.targets
        d0 = self.new("user", 0.0, targets, "deployment")
        n = int(targets.shape[0])
        if n == 0:
            self.fail_at_start(d0, "NO_INSTANCES", MESSAGES["NO_INSTANCES"])
        elif plan.max_instances is not None and n > plan.max_instances:
            self.fail_at_start(
                d0,
                "OVER_MAX_INSTANCES",
                (
                    f"The deployment targets {n} instances, more than the {plan.max_instances} "
                    "allowed."
                ),
            )
        else:
            m = self.check_minimum(d0, n)
            if m is not None:
                if plan.interrupt_time <= 0.0:
                    d0.finish(0.0, "Stopped", plan.interrupt_code, plan.interrupt_message)
                else:
                    pp = self.make_pass(
                        role=0,
                        phase=0,
                        kind="in-place",
                        idx=targets,
                        events=sp.event_list(plan.load_balancer),
                        deployed=REV_TARGET,
                        t0=0.0,
                        minimum=m,
                        cap=n - m,
                        zonal=plan.zonal,
                    )
                    if not self.zonal_invalid(d0, pp):
                        rec = self.execute(pp, 0.0, REV_TARGET, *self.interrupt_args())
                        d0.passes.append(rec)
                        d0.events += rec.events
                        d0.finish(rec.end, rec.outcome, rec.error_code, rec.message)
        outdated = self.run_launches(d0)
        if d0.status == "Succeeded":
            self.run_follow_up(d0, outdated)
        else:
            self.run_in_place_rollback(d0)

    def run_launches(self, d0: _Deployment) -> list[tuple[int, float]]:
        """Launch deployments of every scale-out; returns the outdated instances (launched
        during ``d0`` with the previous revision) and when each became ready."""
        plan = self.plan
        outdated: list[tuple[int, float]] = []
        events = sp.event_list(plan.load_balancer)
        for j, (t, group, idx) in enumerate(plan.launches):
            during = t < d0.end or math.isnan(d0.end)
            target_now = d0.status == "Succeeded" and not during
            revision = (
                REV_TARGET if target_now else (REV_PREVIOUS if plan.has_previous else REV_NONE)
            )
            d0.events.append(
                (
                    t,
                    "ScaleOut",
                    "Launched",
                    f"{group}: {', '.join(plan.ids[k] for k in idx.tolist())}",
                )
            )
            if revision == REV_NONE:
                # No successful revision in the group yet: nothing to deploy on launch.
                outdated += [(int(k), t) for k in idx.tolist()] if during else []
                continue
            n = int(idx.shape[0])
            d = self.new("autoscaling", t, idx, j)
            d.minimum, d.cap = 0, n
            pp = self.make_pass(
                role=3 + j,
                phase=0,
                kind="launch",
                idx=idx,
                events=events,
                deployed=revision,
                t0=t,
                minimum=0,
                cap=n,
                healthy=np.zeros(n, dtype=bool),
            )
            rec = self.execute(pp, t, revision)
            d.passes.append(rec)
            bad = rec.final != sp.S_SUCCEEDED
            for k in np.flatnonzero(bad).tolist():
                g = int(idx[k])
                d.terminated.append(g)
                d.events.append(
                    (
                        rec.end,
                        "Terminate",
                        "ABANDON",
                        f"{plan.ids[g]}: the launch deployment failed, so Auto Scaling "
                        "terminates the instance",
                    )
                )
            if bad.any():
                d.finish(rec.end, "Failed", "HEALTH_CONSTRAINTS", MESSAGES["HEALTH_CONSTRAINTS"])
            else:
                d.finish(rec.end, "Succeeded")
            if during and revision == REV_PREVIOUS:
                ends = rec.start + rec.timeline.rel_end
                outdated += [(int(idx[k]), float(ends[k])) for k in np.flatnonzero(~bad).tolist()]
        return outdated

    def _alive_launched(self, before: float) -> list[int]:
        dead = {g for d in self.deployments for g in d.terminated}
        return [
            int(k)
            for t, _, idx in self.plan.launches
            if t < before
            for k in idx.tolist()
            if int(k) not in dead
        ]

    def run_follow_up(self, d0: _Deployment, outdated: list[tuple[int, float]]) -> None:
        plan = self.plan
        if not plan.update_outdated or not outdated:
            return
        t = max([d0.end] + [when for _, when in outdated])
        out_idx = np.asarray([g for g, _ in outdated], dtype=np.int64)
        group = np.asarray(
            list(dict.fromkeys(plan.targets.tolist() + self._alive_launched(t))), dtype=np.int64
        )
        others = np.setdiff1d(group, out_idx)
        base = int(self.health[others].sum())
        d = self.new("CodeDeployAutoUpdate", t, out_idx, "follow-up")
        d.auto_update_root = d0.id
        d0.auto_update_ids.append(d.id)
        n_group = int(group.shape[0])
        m = self.check_minimum(d, n_group)
        if m is None:
            return
        pp = self.make_pass(
            role=2,
            phase=0,
            kind="in-place",
            idx=out_idx,
            events=sp.event_list(plan.load_balancer),
            deployed=REV_TARGET,
            t0=t,
            minimum=m,
            cap=n_group - m,
            base=base,
            zonal=plan.zonal,
        )
        if self.zonal_invalid(d, pp):
            return
        rec = self.execute(pp, t, REV_TARGET)
        d.passes.append(rec)
        d.events += rec.events
        d.finish(rec.end, rec.outcome, rec.error_code, rec.message)

    def _rollback_triggered(self, d0: _Deployment) -> bool:
        plan = self.plan
        if d0.status == "Failed":
            return plan.rollback_on_failure
        if d0.status == "Stopped" and d0.error_code in ("ALARM_ACTIVE", "MANUAL_STOP"):
            return plan.interrupt_rolls_back
        return False

    def run_in_place_rollback(self, d0: _Deployment) -> None:
        plan = self.plan
        if not self._rollback_triggered(d0):
            return
        attempted = any((~np.isnan(r.start)).any() for r in d0.passes)
        if not attempted:
            d0.rollback_message = "No rollback: no instance was deployed to."
            return
        if not plan.has_previous:
            d0.rollback_message = (
                "No rollback: the deployment group has no earlier successful "
                "revision to roll back to (D6)."
            )
            d0.events.append((d0.end, "Rollback", "NotPossible", d0.rollback_message))
            return
        t = d0.end
        group = np.asarray(
            list(dict.fromkeys(plan.targets.tolist() + self._alive_launched(t))), dtype=np.int64
        )
        r = self.new("codeDeployRollback", t, group, "rollback")
        r.rollback_of, d0.rollback_id = d0.id, r.id
        d0.events.append((t, "Rollback", "Created", r.id))
        n = int(group.shape[0])
        m = self.check_minimum(r, n)
        if m is not None:
            pp = self.make_pass(
                role=1,
                phase=0,
                kind="in-place",
                idx=group,
                events=sp.event_list(plan.load_balancer),
                deployed=REV_PREVIOUS,
                t0=t,
                minimum=m,
                cap=n - m,
                zonal=plan.zonal,
            )
            if not self.zonal_invalid(r, pp):
                rec = self.execute(pp, t, REV_PREVIOUS)
                r.passes.append(rec)
                r.events += rec.events
                r.finish(rec.end, rec.outcome, rec.error_code, rec.message)
        d0.rollback_message = f"Rolled back by {r.id} ({r.status})."

    # ------------------------------------------------------------------ blue/green
    def run_blue_green(self) -> None:
        plan = self.plan
        bg = plan.blue_green
        assert bg is not None
        blue, green = plan.targets, plan.green
        d0 = self.new("user", 0.0, np.concatenate([green, blue]), "deployment", style="BLUE_GREEN")
        d0.roles = {
            **{int(k): "Green" for k in green.tolist()},
            **{int(k): "Blue" for k in blue.tolist()},
        }
        deadline, code, message = self.interrupt_args()
        n = int(green.shape[0])
        if blue.shape[0] == 0 or n == 0:
            self.fail_at_start(d0, "NO_INSTANCES", MESSAGES["NO_INSTANCES"])
            return
        m = self.check_minimum(d0, n)
        if m is None:
            return
        if deadline <= 0.0:
            d0.finish(0.0, "Stopped", code, message)
            return
        d0.events.append(
            (
                0.0,
                "ProvisionReplacements",
                "Succeeded",
                f"{bg.green_fleet_provisioning}: {n} replacement instances",
            )
        )
        # 1. Install the revision on the replacements under the minimum-healthy rules.
        pp = self.make_pass(
            role=0,
            phase=0,
            kind="install",
            idx=green,
            events=INSTALL_EVENTS,
            deployed=REV_TARGET,
            t0=0.0,
            minimum=m,
            cap=n - m,
        )
        rec = self.execute(pp, 0.0, REV_TARGET, deadline, code, message)
        d0.passes.append(rec)
        if rec.outcome != "Succeeded":
            d0.finish(rec.end, rec.outcome, rec.error_code, rec.message)
            self.run_blue_green_rollback(d0)
            return
        ready_idx = green[rec.final == sp.S_SUCCEEDED]
        t = rec.end
        d0.ready_time = t
        d0.events.append((t, "Ready", "Ready", f"{ready_idx.shape[0]} replacements ready"))
        # 2. The optional wait for ContinueDeployment.
        if bg.action_on_timeout == "STOP_DEPLOYMENT":
            wait = bg.wait_time_in_minutes * 60.0
            cont = bg.continue_after_minutes
            resume = t + cont * 60.0 if cont is not None and cont * 60.0 <= wait else None
            until = resume if resume is not None else t + wait
            if deadline < until:
                d0.finish(max(deadline, t), "Stopped", code, message)
                self.run_blue_green_rollback(d0)
                return
            if resume is None:
                d0.finish(
                    t + wait,
                    "Stopped",
                    "TIMEOUT",
                    (
                        f"No ContinueDeployment call within the {bg.wait_time_in_minutes}-minute "
                        "wait (deploymentReadyOption STOP_DEPLOYMENT); the replacements stay ready "
                        "and the originals keep serving traffic."
                    ),
                )
                return
            d0.events.append((resume, "ContinueDeployment", "Succeeded", "READY_WAIT"))
            t = resume
        # 3. Reroute traffic to the replacements, in batches of the configuration.
        k = int(ready_idx.shape[0])
        pp2 = self.make_pass(
            role=0,
            phase=1,
            kind="reroute",
            idx=ready_idx,
            events=ALLOW_EVENTS,
            deployed=REV_TARGET,
            t0=t,
            minimum=m,
            cap=max(n - m, 1),
            healthy=np.zeros(k, dtype=bool),
        )
        rec2 = self.execute(pp2, t, REV_TARGET, deadline, code, message)
        d0.passes.append(rec2)
        if rec2.outcome != "Succeeded":
            d0.finish(rec2.end, rec2.outcome, rec2.error_code, rec2.message)
            self.run_blue_green_rollback(d0)
            return
        # 4. Block traffic on every original; one failure fails the deployment.
        b = int(blue.shape[0])
        pp3 = self.make_pass(
            role=0,
            phase=2,
            kind="block",
            idx=blue,
            events=BLOCK_EVENTS,
            deployed=REV_PREVIOUS,
            t0=rec2.end,
            minimum=b,
            cap=b,
            healthy=np.zeros(b, dtype=bool),
        )
        rec3 = self.execute(pp3, rec2.end, REV_PREVIOUS, deadline, code, message)
        d0.passes.append(rec3)
        if rec3.outcome != "Succeeded":
            msg = rec3.message
            if rec3.outcome == "Failed":
                msg = (
                    "An original instance failed to deregister from the load balancer, so "
                    "the whole deployment failed (UG:instances-health.md)."
                )
            d0.finish(rec3.end, rec3.outcome, rec3.error_code, msg)
            self.run_blue_green_rollback(d0)
            return
        # 5. Terminate the originals after the wait (D12), or keep them alive.
        t = rec3.end
        if bg.termination_action == "TERMINATE":
            wait = bg.termination_wait_time_in_minutes * 60.0
            d0.events.append(
                (
                    t,
                    "TerminationWait",
                    "InProgress",
                    f"{bg.termination_wait_time_in_minutes} minutes",
                )
            )
            d0.events.append(
                (t + wait, "Terminate", "Succeeded", f"{b} original instances terminated")
            )
            d0.terminated += [int(k) for k in blue.tolist()]
            d0.finish(t + wait, "Succeeded")
        else:
            d0.events.append(
                (
                    t,
                    "KeepAlive",
                    "Succeeded",
                    f"{b} original instances deregistered and left running",
                )
            )
            d0.finish(t, "Succeeded")

    def run_blue_green_rollback(self, d0: _Deployment) -> None:
        if not self._rollback_triggered(d0):
            return
        t = d0.end
        moved = np.zeros(0, dtype=np.int64)
        blocked = False
        for rec in d0.passes:
            started = ~np.isnan(rec.start)
            if rec.plan.kind == "reroute":
                moved = rec.plan.instances[started]
            if rec.plan.kind == "block":
                blocked = bool(started.any())
        blue = self.plan.targets
        r = self.new(
            "codeDeployRollback", t, np.concatenate([blue, moved]), "rollback", style="BLUE_GREEN"
        )
        r.roles = {
            **{int(k): "Blue" for k in blue.tolist()},
            **{int(k): "Green" for k in moved.tolist()},
        }
        r.rollback_of, d0.rollback_id = d0.id, r.id
        d0.events.append((t, "Rollback", "Created", r.id))
        if moved.shape[0] == 0 and not blocked:
            r.events.append(
                (t, "Reroute", "Succeeded", "traffic never left the original instances")
            )
            r.finish(t, "Succeeded")
            d0.rollback_message = f"Rolled back by {r.id} (Succeeded)."
            return
        # Allow traffic on the originals (last successful revision's scripts), then block it on
        # the replacements (most recent deployment's scripts), codedeploy.md 4.2.
        b = int(blue.shape[0])
        pa = self.make_pass(
            role=1,
            phase=0,
            kind="rollback-allow",
            idx=blue,
            events=ALLOW_EVENTS,
            deployed=REV_PREVIOUS,
            t0=t,
            minimum=b,
            cap=b,
            healthy=np.zeros(b, dtype=bool),
        )
        ra = self.execute(pa, t, REV_PREVIOUS)
        r.passes.append(ra)
        end, outcome, code, message = ra.end, ra.outcome, ra.error_code, ra.message
        if outcome == "Succeeded" and moved.shape[0]:
            g = int(moved.shape[0])
            pb = self.make_pass(
                role=1,
                phase=1,
                kind="rollback-block",
                idx=moved,
                events=BLOCK_EVENTS,
                deployed=REV_TARGET,
                t0=ra.end,
                minimum=g,
                cap=g,
                healthy=np.zeros(g, dtype=bool),
            )
            rb = self.execute(pb, ra.end, REV_TARGET)
            r.passes.append(rb)
            end, outcome, code, message = rb.end, rb.outcome, rb.error_code, rb.message
        r.finish(end, outcome, code, message)
        d0.rollback_message = f"Rolled back by {r.id} ({r.status})."


def _installed(rec: _PassRecord) -> np.ndarray:
    """Which instances of a pass got past Install before the pass ended."""
    pp, tl = rec.plan, rec.timeline
    e_install = pp.events.index("Install")
    started = ~np.isnan(rec.start)
    fail_event = tl.fail_event.astype(np.int64)
    for i, (_, fe, _) in rec.overrides.items():
        fail_event[i] = fe
    finished = (rec.final == sp.S_SUCCEEDED) | (rec.final == sp.S_FAILED)
    past = (rec.final == sp.S_SUCCEEDED) | (fail_event > e_install)
    out = started & finished & past
    cut = rec.final == sp.S_UNKNOWN
    if cut.any():
        full = sp.pass_timeline(pp, rec.draws, full=True)
        assert full.ev_end is not None
        done = rec.start + full.ev_end[:, e_install] <= rec.end
        out |= cut & done & ((fail_event < 0) | (fail_event > e_install))
    return out


# ====================================================================== for other engines
@dataclass(frozen=True, slots=True, eq=False)
class PassInputs:
    """Everything an engine needs to run the user's in-place deployment: the compiled pass, its
    draws, each instance's lifecycle relative to its start, the start order (D13), and the
    moment an alarm or a manual stop interrupts (``math.inf`` if none)."""

    plan: PassPlan
    draws: PassDraws
    timeline: Timeline
    order: np.ndarray
    deadline: float
    deadline_code: str | None


def in_place_inputs(deployment: ServerDeployment, seed: RngLike = None) -> PassInputs:
    """The user's in-place deployment compiled and drawn exactly as :func:`simulate_server` does,
    for another engine (the vectorized kernel) to consume.

    ``run_window(inputs.plan, inputs.draws, inputs.timeline, inputs.order, 0.0,
    inputs.deadline, inputs.deadline_code)`` is the event core's walk of the window over it.

    Examples
    --------
    >>> from shiftsim.fleet import Fleet
    >>> inputs = in_place_inputs(ServerDeployment("CodeDeployDefault.HalfAtATime",
    ...                                           fleet=Fleet.of_size(9)), 1)
    >>> inputs.plan.minimum, inputs.plan.cap, inputs.timeline.rel_end.shape
    (5, 4, (9,))
    """
    if deployment.blue_green is not None:
        raise UnsupportedScenarioError(
            "in_place_inputs: a blue/green deployment has several passes"
        )
    plan = _compile(deployment)
    runner = _Runner(plan, seed_sequence(seed))
    n = int(plan.targets.shape[0])
    m = int(plan.minimum_rule.minimum(n))
    pp = runner.make_pass(
        role=0,
        phase=0,
        kind="in-place",
        idx=plan.targets,
        events=sp.event_list(plan.load_balancer),
        deployed=REV_TARGET,
        t0=0.0,
        minimum=m,
        cap=n - m,
        zonal=plan.zonal,
    )
    draws = sp.draw_pass(pp, runner.seq)
    return PassInputs(
        pp,
        draws,
        sp.pass_timeline(pp, draws),
        sp.pass_order(pp, draws),
        plan.interrupt_time,
        plan.interrupt_code,
    )


# ====================================================================== entry point
def simulate_server(
    deployment: ServerDeployment,
    seed: np.random.SeedSequence | RngLike = None,
    on_notification: Callable[[Notification], None] | None = None,
    *,
    engine: str = "core",
) -> ServerRun:
    """Simulate an EC2/on-premises deployment on the event core.

    Parameters
    ----------
    deployment : ServerDeployment
    seed : numpy.random.SeedSequence (or anything ``shiftsim.simulate``'s ``rng`` accepts)
    on_notification : callable, optional
        Called with each notification (SNS and EventBridge) in time order.
    engine : {"core", "kernel"}
        ``"kernel"`` walks each pass's minimum-healthy-hosts window on arrays
        (:mod:`shiftsim._server_kernel`) instead of event by event: the same run, for huge fleets.
        Zonal passes and instances that stop mid-deployment raise UnsupportedScenarioError there.

    Examples
    --------
    >>> from shiftsim.fleet import Fleet
    >>> run = simulate_server(ServerDeployment("CodeDeployDefault.OneAtATime",
    ...                                        fleet=Fleet.of_size(3)), 7)
    >>> run.status, run.summary()["succeeded"]
    ('Succeeded', 3)
    """
    if not isinstance(deployment, ServerDeployment):
        raise TypeError(
            f"simulate_server: deployment must be a ServerDeployment; got "
            f"{type(deployment).__name__}."
        )
    check_choice("simulate_server", "engine", engine, ("core", "kernel"))
    seq = seed_sequence(seed)
    plan = _compile(deployment)
    runner = _Runner(plan, seq, engine)
    if plan.blue_green is not None:
        runner.run_blue_green()
    else:
        runner.run_in_place()
    run = ServerRun(
        deployment,
        plan,
        tuple(runner.deployments),
        entropy_of(seq),
        deployment.notification_context(),
        runner.health,
        runner.last_install,
    )
    if on_notification is not None:
        for note in run.notifications:
            on_notification(note)
    return run


# ====================================================================== results
INSTANCE_COLUMNS = [
    "deployment_id",
    "instance_id",
    "instance_type",
    "availability_zone",
    "status",
    "start",
    "end",
    "start_minute",
    "end_minute",
    "duration",
    "failed_event",
    "error_code",
    "script",
    "message",
    "log_tail",
]
LIFECYCLE_COLUMNS = [
    "deployment_id",
    "instance_id",
    "event",
    "status",
    "start",
    "end",
    "duration",
    "error_code",
    "script",
]


def _diagnostics(
    plan: ScenarioPlan, pp: PassPlan, g: int, event: str, error: int, cause: int, slot: int
) -> tuple[str, str | None, str, str]:
    """(LifecycleErrorCode, script location, message, log tail) of a failed instance."""
    code = sp.LIFECYCLE_ERRORS[error]
    script = pp.slots[slot] if slot >= 0 else None
    loc = script.location if script is not None else None
    if cause in sp.AGENT_CAUSES:
        tails = {
            sp.C_NOT_INSTALLED: "(no agent log: the CodeDeploy agent is not installed)",
            sp.C_NOT_RUNNING: "(no agent log: the CodeDeploy agent is not running)",
            sp.C_STOPPED: "(no agent log: the instance is stopped)",
        }
        if cause == sp.C_CLOCK_SKEW:
            tail = (
                "InstanceAgent::Plugins::CodeDeployPlugin::CommandPoller: Cannot reach "
                "InstanceService: Aws::CodeDeployCommand::Errors::InvalidSignatureException "
                "- Signature expired (the instance clock is off by more than the "
                f"{DEFAULT_CLOCK_SKEW_TOLERANCE:g} s tolerance, D7)"
            )
        else:
            tail = tails[cause]
        return code, None, f"{AGENT_MESSAGE} (cause: {sp.CAUSES[cause]}; AGENT_ISSUE)", tail
    if cause == sp.C_S3:
        return (
            code,
            None,
            "not opened for reading",
            "LifecycleEvent - DownloadBundle\nUnknownError: not opened for reading (the "
            "revision could not be read from Amazon S3: the instance profile lacks "
            "permission, the bucket is in another Region, or S3 failed)",
        )
    if cause == sp.C_STOPPED_MID_EVENT:
        return (
            code,
            loc,
            f"The instance stopped during {event}; no result was reported and the "
            f"event timed out after {pp.event_timeout:g} seconds.",
            "",
        )
    if cause == sp.C_LOAD_BALANCER:
        what = (
            "failed to deregister from the load balancer"
            if event == "BlockTraffic"
            else "failed to register with the load balancer (health checks did not pass)"
        )
        return code, None, f"The instance {what}.", ""
    if cause == sp.C_EVENT_TIMEOUT and script is None:
        return (
            code,
            None,
            (f"The lifecycle event {event} did not complete within {pp.event_timeout:g} seconds."),
            "",
        )
    assert script is not None
    runas = script.runas or "root"
    if error == sp.E_MISSING:
        message = f"Script does not exist at specified location: {loc}"
    elif error == sp.E_TIMED_OUT:
        limit = script.timeout if cause == sp.C_SCRIPT else pp.event_timeout
        message = f"Script at specified location: {loc} failed to complete in {limit:g} seconds"
    else:
        exit_code = next((r.exit_code for r in pp.faults if r.slot == slot), 1)
        message = (
            f"Script at specified location: {loc} run as user {runas} failed with exit "
            f"code {exit_code}"
        )
    tail = f"LifecycleEvent - {event}\nScript - {loc}\n[stderr]{message}"
    return code, loc, message, tail[-2048:]


def _pass_rows(plan: ScenarioPlan, dep: _Deployment, rec: _PassRecord) -> dict[str, Any]:
    """Per-instance columns of one pass (pass-local order = fleet order)."""
    pp, tl = rec.plan, rec.timeline
    rel = tl.rel_end.copy()
    fail_event = tl.fail_event.astype(np.int64)
    error = tl.error.astype(np.int64)
    cause = tl.cause.astype(np.int64)
    slot = tl.error_slot.astype(np.int64)
    for i, (r, fe, c) in rec.overrides.items():
        rel[i], fail_event[i], error[i], cause[i], slot[i] = r, fe, sp.E_UNKNOWN, c, -1
    status = rec.final.astype(np.int64)
    start = rec.start
    end = np.where(status == sp.S_UNKNOWN, rec.end, start + rel)
    end[status == sp.S_SKIPPED] = np.nan
    n = pp.n
    failed_event = np.full(n, None, dtype=object)
    error_code = np.full(n, None, dtype=object)
    script = np.full(n, None, dtype=object)
    message = np.full(n, None, dtype=object)
    log_tail = np.full(n, None, dtype=object)
    for i in np.flatnonzero(status == sp.S_FAILED).tolist():
        g = int(pp.instances[i])
        event = pp.events[fail_event[i]]
        code, loc, text, tail = _diagnostics(
            plan, pp, g, event, int(error[i]), int(cause[i]), int(slot[i])
        )
        failed_event[i], error_code[i], script[i], message[i], log_tail[i] = (
            event,
            code,
            loc,
            text,
            tail,
        )
    unknown = np.flatnonzero(status == sp.S_UNKNOWN)
    if unknown.size:
        note = (
            "The deployment ended while this instance was being deployed to; no more "
            "lifecycle events were scheduled, leaving it in an indeterminate state."
        )
        message[unknown] = note
    return {
        "idx": pp.instances,
        "status": status,
        "start": start,
        "end": end,
        "failed_event": failed_event,
        "error_code": error_code,
        "script": script,
        "message": message,
        "log_tail": log_tail,
    }


def _deployment_instances(plan: ScenarioPlan, dep: _Deployment) -> pd.DataFrame:
    names = np.asarray(sp.STATUSES, dtype=object)
    ids = np.asarray(plan.ids, dtype=object)
    zones = np.asarray(plan.zone, dtype=object)
    idx = dep.instances
    n = int(idx.shape[0])
    if len(dep.passes) == 1 and dep.passes[0].plan.n == n:
        cols = _pass_rows(plan, dep, dep.passes[0])
        pos = cols["idx"]
        data: dict[str, Any] = {
            "deployment_id": np.full(n, dep.id, dtype=object),
            "instance_id": ids[pos],
            "instance_type": np.full(n, None, dtype=object),
            "availability_zone": zones[pos],
            "status": names[cols["status"]],
            "start": cols["start"],
            "end": cols["end"],
        }
        for key in ("failed_event", "error_code", "script", "message", "log_tail"):
            data[key] = cols[key]
    else:
        rows: dict[int, dict[str, Any]] = {
            int(g): {
                "status": sp.S_SKIPPED,
                "start": math.nan,
                "end": math.nan,
                "failed_event": None,
                "error_code": None,
                "script": None,
                "message": None,
                "log_tail": None,
            }
            for g in idx.tolist()
        }
        for rec in dep.passes:
            cols = _pass_rows(plan, dep, rec)
            for k, g in enumerate(cols["idx"].tolist()):
                row = rows[g]
                st = int(cols["status"][k])
                if st == sp.S_SKIPPED:
                    if row["status"] == sp.S_SUCCEEDED and rec.plan.kind == "reroute":
                        row["status"] = sp.S_READY
                    continue
                if row["start"] != row["start"]:
                    row["start"] = float(cols["start"][k])
                row["end"] = float(cols["end"][k])
                row["status"] = st
                for key in ("failed_event", "error_code", "script", "message", "log_tail"):
                    row[key] = cols[key][k]
        if dep.ready_time is not None:
            for g, row in rows.items():
                if (
                    dep.roles.get(g) == "Green"
                    and row["status"] == sp.S_SUCCEEDED
                    and not any(rec.plan.kind == "reroute" for rec in dep.passes)
                ):
                    row["status"] = sp.S_READY
        order = list(rows)
        data = {
            "deployment_id": np.full(len(order), dep.id, dtype=object),
            "instance_id": ids[order] if order else np.zeros(0, dtype=object),
            "instance_type": np.asarray([dep.roles.get(g) for g in order], dtype=object),
            "availability_zone": zones[order] if order else np.zeros(0, dtype=object),
            "status": np.asarray([sp.STATUSES[rows[g]["status"]] for g in order], dtype=object),
            "start": np.asarray([rows[g]["start"] for g in order], dtype=np.float64),
            "end": np.asarray([rows[g]["end"] for g in order], dtype=np.float64),
        }
        for key in ("failed_event", "error_code", "script", "message", "log_tail"):
            data[key] = np.asarray([rows[g][key] for g in order], dtype=object)
    data["start_minute"] = data["start"] / 60.0
    data["end_minute"] = data["end"] / 60.0
    data["duration"] = data["end"] - data["start"]
    return pd.DataFrame(data, columns=INSTANCE_COLUMNS)


def _pass_lifecycle(plan: ScenarioPlan, rec: _PassRecord) -> dict[str, np.ndarray]:
    """(n, events) arrays of absolute start/end, status, error code and script slot."""
    pp = rec.plan
    full = sp.pass_timeline(pp, rec.draws, full=True)
    assert full.ev_start is not None and full.ev_end is not None
    assert full.ev_status is not None and full.ev_error is not None and full.ev_slot is not None
    start = rec.start[:, None] + full.ev_start
    end = rec.start[:, None] + full.ev_end
    status = full.ev_status.copy()
    error = full.ev_error.astype(np.int64)
    slot = full.ev_slot.astype(np.int64)
    unstarted = np.isnan(rec.start)
    status[unstarted] = sp.S_SKIPPED
    error[unstarted] = -1
    slot[unstarted] = -1
    cut_rows = rec.final == sp.S_UNKNOWN
    if cut_rows.any():
        cut = rec.end
        later = cut_rows[:, None] & ~(start < cut)
        running = cut_rows[:, None] & (start < cut) & (end > cut)
        status[later] = sp.S_SKIPPED
        status[running] = sp.S_UNKNOWN
        end = np.where(running, cut, end)
        error[later | running] = -1
        slot[later | running] = -1
    for i, (_, fe, cause) in rec.overrides.items():
        s0 = rec.start[i]
        status[i, fe:] = sp.S_SKIPPED
        error[i, fe:] = -1
        slot[i, fe:] = -1
        if cause == sp.C_STOPPED_MID_EVENT:
            status[i, fe] = sp.S_FAILED
            error[i, fe] = sp.E_UNKNOWN
            end[i, fe] = s0 + full.ev_start[i, fe] + pp.event_timeout
    skipped = status == sp.S_SKIPPED
    start = np.where(skipped, np.nan, start)
    end = np.where(skipped, np.nan, end)
    return {"start": start, "end": end, "status": status, "error": error, "slot": slot}


@dataclass(frozen=True, slots=True, eq=False)
class ServerRun:
    """One simulated EC2/on-premises deployment and everything it set off (rollback, launch and
    follow-up deployments).

    Attributes
    ----------
    status : {"Succeeded", "Failed", "Stopped"}
        Of the user's deployment.
    error_code : str or None
        CodeDeploy's ErrorCode: ``HEALTH_CONSTRAINTS``, ``HEALTH_CONSTRAINTS_INVALID``,
        ``NO_INSTANCES``, ``ALARM_ACTIVE``, ``MANUAL_STOP``, ``OVER_MAX_INSTANCES``, ``TIMEOUT``.
    rolled_back : bool
        Whether a rollback deployment was created (see :attr:`deployments` for its outcome).
    seed_entropy : int or tuple
        Entropy of the seed; ``simulate_server(deployment, SeedSequence(seed_entropy))`` replays
        the run.

    Notes
    -----
    DataFrames are built when asked for: :attr:`instances`, :attr:`lifecycle`,
    :attr:`deployments`, :attr:`events`; plus :attr:`notifications` and :meth:`summary`. Times
    are seconds from the start of the user's deployment (``start``, ``end``, ``time``), with
    minutes alongside.
    """

    deployment: ServerDeployment
    plan: ScenarioPlan
    records: tuple[_Deployment, ...]
    seed_entropy: Any
    context: NotificationContext
    health: np.ndarray | None = None
    last_install: np.ndarray | None = None

    # ------------------------------------------------------------------ scalars
    @property
    def _main(self) -> _Deployment:
        return self.records[0]

    @property
    def deployment_id(self) -> str:
        return self._main.id

    @property
    def status(self) -> str:
        return self._main.status

    @property
    def error_code(self) -> str | None:
        return self._main.error_code

    @property
    def error_message(self) -> str:
        return self._main.error_message

    @property
    def rolled_back(self) -> bool:
        return self._main.rollback_id is not None

    @property
    def rollback_deployment_id(self) -> str | None:
        return self._main.rollback_id

    @property
    def duration(self) -> float:
        """Seconds from start to end of the user's deployment."""
        return self._main.end - self._main.start

    @property
    def fleet_after(self) -> Fleet:
        """The fleet as the next deployment of a new revision finds it.

        Instance health persists across deployments (UG:instances-health.md): an instance that
        was deployed to is healthy if its last deployment succeeded there, others keep their
        health. ``revision`` is ``Old`` where some revision is installed and ``Unknown`` where
        none is; instances that stopped are ``stopped``. Scale-out launches join the fleet and
        instances Auto Scaling terminated leave it. After a successful blue/green deployment the
        replacements take the originals' place.

        Examples
        --------
        >>> from shiftsim.fleet import Fleet
        >>> d = ServerDeployment(fleet=Fleet.of_size(2, revision="Unknown"))
        >>> simulate_server(d, 1).fleet_after["i-000"].revision
        'Old'
        """
        plan = self.plan
        assert self.health is not None and self.last_install is not None
        fleet = self.deployment.fleet
        gone = {g for d in self.records for g in d.terminated}
        bg = plan.blue_green is not None
        if bg and self.status == "Succeeded":
            gone |= {int(k) for k in plan.targets.tolist()}
        keep = [k for k in range(len(fleet)) if k not in gone]
        extra = [int(k) for k in plan.green.tolist()] if bg and self.status == "Succeeded" else []
        extra += [int(k) for _, _, idx in plan.launches for k in idx.tolist() if k not in gone]
        rows: list[Instance] = []
        stopped = plan.stopped | np.isfinite(plan.stop_time)
        for g in keep + extra:
            source = (
                fleet[g]
                if g < len(fleet)
                else Instance(
                    plan.ids[g], availability_zone=plan.zone[g], auto_scaling_group=plan.group[g]
                )
            )
            rows.append(
                replace(
                    source,
                    healthy=bool(self.health[g]) and not bool(stopped[g]),
                    revision="Unknown" if self.last_install[g] == REV_NONE else "Old",
                    stopped=bool(stopped[g]),
                )
            )
        return Fleet(rows)

    # ------------------------------------------------------------------ frames
    @property
    def instances(self) -> pd.DataFrame:
        """One row per instance of each deployment (the user's first, then the ones it set
        off): status (Succeeded, Failed, Skipped, Unknown, Ready), start/end seconds and
        minutes, the failed event and its diagnostics (LifecycleErrorCode, script, message,
        log tail). ``instance_type`` is Blue or Green in blue/green deployments."""
        frames = [_deployment_instances(self.plan, d) for d in self.records]
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=INSTANCE_COLUMNS)
        )

    @property
    def lifecycle(self) -> pd.DataFrame:
        """One row per instance per lifecycle event: status (Succeeded, Failed, Skipped,
        Unknown), start/end seconds, duration, LifecycleErrorCode and script of a failure."""
        parts = []
        ids = np.asarray(self.plan.ids, dtype=object)
        statuses = np.asarray(sp.STATUSES, dtype=object)
        errors = np.asarray((*sp.LIFECYCLE_ERRORS, None), dtype=object)
        for d in self.records:
            for rec in d.passes:
                pp = rec.plan
                if pp.n == 0:
                    continue
                arr = _pass_lifecycle(self.plan, rec)
                n_events = len(pp.events)
                locations = np.asarray([s.location for s in pp.slots] + [None], dtype=object)
                start, end = arr["start"].ravel(), arr["end"].ravel()
                parts.append(
                    pd.DataFrame(
                        {
                            "deployment_id": np.full(pp.n * n_events, d.id, dtype=object),
                            "instance_id": np.repeat(ids[pp.instances], n_events),
                            "event": np.tile(np.asarray(pp.events, dtype=object), pp.n),
                            "status": statuses[arr["status"].ravel()],
                            "start": start,
                            "end": end,
                            "duration": end - start,
                            "error_code": errors[arr["error"].ravel()],
                            "script": locations[arr["slot"].ravel()],
                        },
                        columns=LIFECYCLE_COLUMNS,
                    )
                )
        if not parts:
            return pd.DataFrame(columns=LIFECYCLE_COLUMNS)
        return pd.concat(parts, ignore_index=True)

    @property
    def deployments(self) -> pd.DataFrame:
        """The user's deployment and every deployment it set off: creator (user,
        codeDeployRollback, autoscaling, CodeDeployAutoUpdate), status, error code, times, and
        the links CodeDeploy keeps (rollbackInfo, relatedDeployments)."""
        rows = []
        for d in self.records:
            rows.append(
                (
                    d.id,
                    d.creator,
                    d.style,
                    d.status,
                    d.error_code,
                    d.error_message,
                    d.start,
                    d.end,
                    d.start / 60.0,
                    d.end / 60.0,
                    int(d.instances.shape[0]),
                    d.minimum,
                    d.rollback_id,
                    d.rollback_of,
                    d.rollback_message or None,
                    d.auto_update_root,
                    ", ".join(d.auto_update_ids) or None,
                )
            )
        return pd.DataFrame(
            rows,
            columns=[
                "deployment_id",
                "creator",
                "deployment_type",
                "status",
                "error_code",
                "error_message",
                "start",
                "end",
                "start_minute",
                "end_minute",
                "instances",
                "minimum_healthy",
                "rollback_deployment_id",
                "rollback_triggering_deployment_id",
                "rollback_message",
                "auto_update_root_deployment_id",
                "auto_update_deployment_ids",
            ],
        )

    @property
    def events(self) -> pd.DataFrame:
        """Deployment-level events in time order: starts and ends, alarms, stops, zones and
        monitor periods, scale-outs, blue/green Ready, waits and terminations, rollbacks.
        Columns ``time`` (s), ``minute``, ``deployment_id``, ``event``, ``status``, ``detail``."""
        rows = []
        names = {a.name for a in self.deployment.alarms}
        for minute, name, state in self.deployment.alarm_events:
            if name in names:
                rows.append((minute * 60.0, self._main.id, "AlarmStateChange", state, name))
        for d in self.records:
            rows += [(t, d.id, e, s, detail) for t, e, s, detail in d.events]
        if self._main.error_code in ("ALARM_ACTIVE", "MANUAL_STOP"):
            rows.append(
                (
                    self._main.end,
                    self._main.id,
                    "AlarmDetected" if self._main.error_code == "ALARM_ACTIVE" else "ManualStop",
                    "Stopped",
                    self._main.error_message,
                )
            )
        rows.sort(key=lambda r: r[0])
        frame = pd.DataFrame(rows, columns=["time", "deployment_id", "event", "status", "detail"])
        frame.insert(1, "minute", frame["time"] / 60.0)
        return frame

    @property
    def notifications(self) -> list[Notification]:
        """SNS trigger messages and EventBridge events of every deployment, in time order
        (codedeploy.md section 9): DeploymentStart/Success/Failure/Stop/Rollback/Ready and
        InstanceStart/Success/Failure/Ready."""
        ctx = self.context
        notes: list[Notification] = []
        ids = self.plan.ids
        for d in self.records:
            frame = _deployment_instances(self.plan, d)
            counts = frame["status"].value_counts().to_dict()
            n = len(frame)
            blank = {
                "Failed": 0,
                "InProgress": 0,
                "Pending": 0,
                "Skipped": 0,
                "Succeeded": 0,
                "Ready": 0,
            }
            notes += ctx.deployment(
                d.start,
                "DeploymentStart",
                d.id,
                status="InProgress",
                create_time=d.start,
                complete_time=None,
                overview={**blank, "Pending": n},
            )
            seen: set[int] = set()
            for rec in d.passes:
                if rec.plan.n == 0:
                    continue
                arr = _pass_lifecycle(self.plan, rec)
                events = rec.plan.events
                ends = _pass_rows(self.plan, d, rec)["end"].tolist()
                status_rows = np.asarray(sp.STATUSES, dtype=object)[arr["status"]].tolist()
                start_rows = arr["start"].tolist()
                end_rows = arr["end"].tolist()
                finals = rec.final.tolist()
                starts = rec.start.tolist()
                members = rec.plan.instances.tolist()
                pending: list[tuple[str, str, float | None, float | None]] = [
                    (e, "Pending", None, None) for e in events
                ]
                for k in np.flatnonzero(~np.isnan(rec.start)).tolist():
                    g = members[k]
                    iid = ids[g]
                    if g not in seen:
                        seen.add(g)
                        notes += ctx.instance(
                            starts[k],
                            "InstanceStart",
                            d.id,
                            iid,
                            status="InProgress",
                            lifecycle=pending,
                        )
                    final = finals[k]
                    if final == sp.S_SKIPPED:
                        continue
                    life = [
                        (e, st, _opt(a), _opt(b))
                        for e, st, a, b in zip(events, status_rows[k], start_rows[k], end_rows[k])
                    ]
                    when = ends[k]
                    if rec.plan.kind == "install" and final == sp.S_SUCCEEDED:
                        event, status = "InstanceReady", "Ready"
                    elif final == sp.S_SUCCEEDED:
                        event, status = "InstanceSuccess", "Succeeded"
                    else:
                        event, status = "InstanceFailure", "Failed"
                    notes += ctx.instance(when, event, d.id, iid, status=status, lifecycle=life)
            if d.ready_time is not None:
                notes += ctx.deployment(
                    d.ready_time,
                    "DeploymentReady",
                    d.id,
                    status="Ready",
                    create_time=d.start,
                    complete_time=None,
                    overview={**blank, "Ready": n},
                )
            overview = {**blank, **{k: int(v) for k, v in counts.items() if k in blank}}
            event = {
                "Succeeded": "DeploymentSuccess",
                "Failed": "DeploymentFailure",
                "Stopped": "DeploymentStop",
            }[d.status]
            notes += ctx.deployment(
                d.end,
                event,
                d.id,
                status=d.status,
                create_time=d.start,
                complete_time=d.end,
                overview=overview,
                error_code=d.error_code,
                error_message=d.error_message if d.error_code else None,
            )
            if d.rollback_id is not None:
                notes += ctx.deployment(
                    d.end,
                    "DeploymentRollback",
                    d.id,
                    status=d.status,
                    create_time=d.start,
                    complete_time=d.end,
                    overview=overview,
                    error_code=d.error_code,
                    error_message=d.error_message or None,
                )
        notes.sort(key=lambda note: note.time)
        return notes

    def summary(self) -> pd.Series:
        """The user's deployment at a glance.

        ``time_in_flight_minutes`` sums each instance's time being deployed to;
        ``peak_in_flight`` and ``lowest_healthy`` are what the window reached (the healthy
        count includes instances outside the deployment that count toward the minimum).
        """
        d = self._main
        frame = _deployment_instances(self.plan, d)
        counts = frame["status"].value_counts()
        spans = (frame["end"] - frame["start"]).dropna()
        last = max(r.end for r in self.records)
        rollback = next((r for r in self.records if r.id == d.rollback_id), None)
        return pd.Series(
            {
                "status": d.status,
                "error_code": d.error_code,
                "rolled_back": self.rolled_back,
                "rollback_status": None if rollback is None else rollback.status,
                "duration_minutes": (d.end - d.start) / 60.0,
                "instances": len(frame),
                "succeeded": int(counts.get("Succeeded", 0)),
                "failed": int(counts.get("Failed", 0)),
                "skipped": int(counts.get("Skipped", 0)),
                "unknown": int(counts.get("Unknown", 0)),
                "ready": int(counts.get("Ready", 0)),
                "minimum_healthy": d.minimum,
                "max_in_flight": d.cap,
                "peak_in_flight": max((r.peak for r in d.passes), default=0),
                "lowest_healthy": min((r.low_water for r in d.passes), default=None),
                "time_in_flight_minutes": float(spans.sum()) / 60.0,
                "deployments": len(self.records),
                "end_minutes": last / 60.0,
            },
            name=d.id,
        )

    def __repr__(self) -> str:
        d = self._main
        code = f" ({d.error_code})" if d.error_code else ""
        back = ", rolled back" if self.rolled_back else ""
        others = len(self.records) - 1
        extra = f", +{others} deployment{'s' if others != 1 else ''}" if others else ""
        return (
            f"<ServerRun {d.id} {self.plan.config_name}: {d.status}{code}{back} after "
            f"{(d.end - d.start) / 60:.1f} min, {int(d.instances.shape[0])} instances{extra}>"
        )

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw this run with :func:`shiftsim.plot.fleet` (which imports matplotlib).

        ``ax`` and ``options`` go to :func:`shiftsim.plot.fleet`; returns its Axes.
        """
        from shiftsim import plot

        return plot.fleet(self, ax=ax, **options)

    def _repr_html_(self) -> str:
        from shiftsim._html import table

        rows = [(str(k), v) for k, v in self.summary().items()]
        return table(f"Server deployment {self.deployment_id}", rows)


def _opt(value: float) -> float | None:
    return None if value != value else float(value)
