"""Amazon ECS blue/green deployments: a replacement task set, hooks, traffic shifting, rollback.

Lifecycle (codedeploy.md section 4.3, UG:deployment-steps-ecs.md)::

    BeforeInstall -> Install -> AfterInstall -> AllowTestTraffic -> AfterAllowTestTraffic
      -> BeforeAllowTraffic -> AllowTraffic -> AfterAllowTraffic -> (termination wait)

* **Install** creates the replacement task set (``install_seconds``); it takes no traffic yet.
* **AllowTestTraffic** points the optional test listener (``test_traffic=True``) at the
  replacement task set. Test traffic does not change production weights.
* **AllowTraffic** moves production traffic to the replacement task set on the ECS
  configuration's schedule (decision D1 for linear configurations).
* Each of the five hooks runs once if given; "if an event hook is not present, no operation is
  executed for that event" (UG:reference-appspec-file-structure-hooks.md), so a hook event
  without a hook takes no time but still appears in the lifecycle.

What happens on trouble:

* a failed (or silent, D10) **BeforeInstall** hook fails the deployment and **cannot** roll back:
  "A rollback is not possible at this point" (UG:reference-appspec-file-structure-hooks.md);
  nothing was installed. The same holds for an alarm or a manual stop before Install starts;
* a failed AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic or AfterAllowTraffic hook
  fails it and, with ``DEPLOYMENT_FAILURE`` in ``auto_rollback``, rolls back: "CodeDeploy
  implements rollbacks by rerouting traffic from the replacement task set to the original task
  set" (UG:deployment-steps-ecs.md). The replacement task set is then removed (DRAINING);
* an alarm seen by CodeDeploy stops it (``ALARM_ACTIVE``), rolling back with
  ``DEPLOYMENT_STOP_ON_ALARM``; without it the task sets keep their weights (D5);
* after success the original task set stays, without traffic, for
  ``termination_wait_time_in_minutes`` (D12: default 60, at most 2880) and is then removed.
  Alarms are not watched during that wait (D4). The deployment group stays busy until the
  original task set is gone (codedeploy.md section 8), which :attr:`EcsRun.termination_time`
  reports.

Requests arrive as for Lambda (a Poisson process split by the task sets' weights), so alarms
with ``version="target"`` watch the replacement task set (its target group) and alarms with
``version="alias"`` watch the whole service (the production listener).

Examples
--------
>>> import shiftsim
>>> from shiftsim.ecs import EcsDeployment, EcsHooks, run_ecs
>>> deployment = EcsDeployment(
...     "CodeDeployDefault.ECSCanary10Percent5Minutes",
...     requests_per_minute=600,
...     hooks=EcsHooks(after_allow_test_traffic=shiftsim.Hook("CodeDeployHook_test", duration=30)),
...     test_traffic=True,
... )
>>> run = run_ecs(deployment, rng=1)
>>> run.status, run.termination_time / 60
('Succeeded', 66.5)
>>> run.task_sets.iloc[-1][["task_set", "status"]].tolist()
['original', 'DRAINING']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from shiftsim._checks import check_choice, check_int, check_number, invalid
from shiftsim._engines.traffic.plan import PhaseSpec, TrafficPlan, compile_deployment
from shiftsim._html import table
from shiftsim._limits import MAX_INSTALL_SECONDS
from shiftsim._seeding import ADDED, RngLike, seed_sequence
from shiftsim._traffic_run import replay_with_kernel, run_traffic_deployment
from shiftsim._validation import check_traffic_deployment
from shiftsim.alarms import Alarm
from shiftsim.configs import DeploymentConfig
from shiftsim.lambda_ import DEFAULT_ALARM_POLL_INTERVAL, DEFAULT_METRIC_DELAY
from shiftsim.monitoring import AlarmConfiguration, AlarmReadFailure, check_monitoring
from shiftsim.notifications import Notification, NotificationContext
from shiftsim.results import TrafficRun
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.traffic import Hook, Profile, Version, rate_profile
from shiftsim.vocabulary import (
    DEFAULT_TERMINATION_WAIT_MINUTES,
    ECS_EVENTS,
    HOOKABLE_EVENTS,
    MAX_ECS_READY_WAIT_MINUTES,
    MAX_TERMINATION_WAIT_MINUTES,
    DeploymentStatus,
    ErrorCode,
    LifecycleEventStatus,
)

__all__ = [
    "ECS_HOOK_EVENTS",
    "ECS_LIFECYCLE",
    "EcsDeployment",
    "EcsHooks",
    "EcsRun",
    "run_ecs",
]

#: The ECS lifecycle events in order (:data:`shiftsim.vocabulary.ECS_EVENTS`).
ECS_LIFECYCLE = ECS_EVENTS
#: The events that can run a hook function (:data:`shiftsim.vocabulary.HOOKABLE_EVENTS`).
ECS_HOOK_EVENTS = HOOKABLE_EVENTS["ECS"]
#: ``deploymentReadyOption.actionOnTimeout`` values (API:DeploymentReadyOption).
READY_ACTIONS = ("CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT")
#: ``terminateBlueInstancesOnDeploymentSuccess.action`` values (API:BlueInstanceTerminationOption).
TERMINATION_ACTIONS = ("TERMINATE", "KEEP_ALIVE")
#: Default seconds to create the replacement task set and see its tasks healthy (an assumption).
DEFAULT_INSTALL_SECONDS = 60.0

_FIELD_OF_EVENT = {
    "BeforeInstall": "before_install",
    "AfterInstall": "after_install",
    "AfterAllowTestTraffic": "after_allow_test_traffic",
    "BeforeAllowTraffic": "before_allow_traffic",
    "AfterAllowTraffic": "after_allow_traffic",
}


@dataclass(frozen=True, slots=True)
class EcsHooks:
    """The five ECS hook functions, one per hookable lifecycle event; any may be None.

    Examples
    --------
    >>> hooks = EcsHooks(after_allow_test_traffic=Hook("CodeDeployHook_smoke", duration=20))
    >>> hooks.for_event("AfterAllowTestTraffic").function_name
    'CodeDeployHook_smoke'
    >>> hooks.for_event("BeforeInstall") is None
    True
    """

    before_install: Hook | None = None
    after_install: Hook | None = None
    after_allow_test_traffic: Hook | None = None
    before_allow_traffic: Hook | None = None
    after_allow_traffic: Hook | None = None

    def __post_init__(self) -> None:
        for name in _FIELD_OF_EVENT.values():
            value = getattr(self, name)
            if value is not None and not isinstance(value, Hook):
                raise invalid("EcsHooks", name, value, "must be a Hook or None")

    def for_event(self, event: str) -> Hook | None:
        """The hook of lifecycle ``event`` (``"BeforeInstall"``...), or None."""
        check_choice("EcsHooks.for_event", "event", event, ECS_HOOK_EVENTS)
        hook: Hook | None = getattr(self, _FIELD_OF_EVENT[event])
        return hook

    def by_event(self) -> dict[str, Hook]:
        """The hooks that are set, keyed by lifecycle event name, in lifecycle order."""
        out = {}
        for event in ECS_HOOK_EVENTS:
            hook = self.for_event(event)
            if hook is not None:
                out[event] = hook
        return out

    @classmethod
    def from_events(cls, hooks: dict[str, Hook]) -> EcsHooks:
        """Build from ``{event name: Hook}``, as an AppSpec's ``Hooks`` section lists them.

        >>> EcsHooks.from_events({"BeforeInstall": Hook("CodeDeployHook_a")}).before_install
        Hook(function_name='CodeDeployHook_a', duration=30.0, outcome='Succeeded')
        """
        for event in hooks:
            check_choice("EcsHooks.from_events", "event", event, ECS_HOOK_EVENTS)
        return cls(**{_FIELD_OF_EVENT[e]: h for e, h in hooks.items()})


@dataclass(frozen=True, slots=True)
class EcsDeployment:
    """A CodeDeploy blue/green deployment of an ECS service from one task set to another.

    Parameters
    ----------
    config : DeploymentConfig or str
        An ECS configuration or its name, e.g.
        ``"CodeDeployDefault.ECSLinear10PercentEvery1Minutes"`` (plural "Minutes").
    requests_per_minute : float, Profile or sequence of float
        Production requests to the service; a sequence gives one rate per minute from the start
        (the last one holds), a :class:`~shiftsim.traffic.Profile` any shape.
    current, target : Version
        The original and the replacement task set (their task definitions' behaviour).
    alarms : sequence of Alarm
        At most 10, unique names (D9). ``version="target"`` watches the replacement task set,
        ``"alias"`` the whole service; ``()`` for none (``None`` is an error).
    auto_rollback : AutoRollback
        Default: all three events.
    hooks : EcsHooks
    install_seconds : float
        How long Install takes to create the replacement task set, default 60 s (an assumption:
        AWS documents no duration); at most 432,000 s (120 h, ECS's longest wait).
    test_traffic : bool
        Whether the deployment group has a test listener (``testTrafficRoute``); it reaches the
        replacement task set at AllowTestTraffic.
    termination_wait_time_in_minutes : int
        Minutes between success and the removal of the original task set, 0 to 2880 (D12;
        ``terminationWaitTimeInMinutes``), default 60.
    manual_stop : ManualStop or None
        A ``StopDeployment`` call during the deployment.
    alarm_poll_interval : float
        Seconds between CodeDeploy's reads of alarm state (D2), default 60; 1 to 392,400 (109 h).
    metric_delay : float
        Seconds after a minute ends before its datapoint is visible (D3), default 60; at most
        392,400 (109 h).
    linear_completion : {"last_shift", "interval_after"}
        When AllowTraffic ends for linear configurations (D1).
    service_name, cluster_name, application, deployment_group : str
        Names used in events, notifications and API shapes.
    container_name : str
        The container the load balancer routes to (the AppSpec's ``LoadBalancerInfo``).
    container_port : int
        Its port, 1 to 65535.
    test_requests_per_minute : float, Profile or sequence of float
        Requests the test listener sends to the replacement task set while AfterAllowTestTraffic
        runs (needs ``test_traffic=True``; default 0). They change no production weight, and
        alarms with ``version="test"`` watch them, so the documented flow "validate with test
        traffic, an alarm rolls back" (UG:deployment-steps-ecs.md) can be simulated. Errors
        follow ``target``'s error rate. AWS documents no rate: the test tool decides it, and
        shiftsim sends test traffic only during the AfterAllowTestTraffic hook (an
        AfterAllowTestTraffic event without a hook takes no time, so sends none).
    ignore_poll_alarm_failure, override_alarm_configuration, alarm_read_failures
        As for :class:`~shiftsim.LambdaDeployment` (:mod:`shiftsim.monitoring`).
    ready_action : {"CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"}
        ``deploymentReadyOption.actionOnTimeout`` (API:DeploymentReadyOption). With a ready wait
        the deployment waits, after AfterAllowTestTraffic and before BeforeAllowTraffic, for a
        ``ContinueDeployment`` call (``READY_WAIT``); the event log shows it as ``ReadyWait``.
        ``STOP_DEPLOYMENT``: if nobody continues within ``ready_wait_minutes`` the deployment is
        Stopped (error code ``TIMEOUT``, no rollback: nothing was rerouted).
        ``CONTINUE_DEPLOYMENT``: rerouting starts when the wait ends.
    ready_wait_minutes : int
        ``waitTimeInMinutes``, 0 to 7200 (ECS: at most 120 hours between the replacement's
        deployment and the traffic shift, UG:limits.md), default 0 (no wait).
    continue_after_minutes : float or None
        A ``ContinueDeployment(READY_WAIT)`` call this many minutes after the wait starts (the
        deployment is Ready then, so the call cannot come too early).
    termination_action : {"TERMINATE", "KEEP_ALIVE"}
        ``terminateBlueInstancesOnDeploymentSuccess.action`` (API:BlueInstanceTerminationOption).
        ``KEEP_ALIVE``: the original task set is left running, without traffic, and removed
        from the deployment: no termination wait (``instanceTerminationWaitTimeStarted`` stays
        false, API:DeploymentInfo) and :attr:`EcsRun.termination_time` is None.
    skip_termination_wait_after_minutes : float or None
        A ``ContinueDeployment(TERMINATION_WAIT)`` call this many minutes into the termination
        wait, ending it early (API:ContinueDeployment; it replaces the deprecated
        ``SkipWaitTimeForInstanceTermination``).

    Examples
    --------
    >>> d = EcsDeployment("CodeDeployDefault.ECSAllAtOnce", termination_wait_time_in_minutes=5)
    >>> [p.name for p in d.plan().phases]  # doctest: +NORMALIZE_WHITESPACE
    ['BeforeInstall', 'Install', 'AfterInstall', 'AllowTestTraffic', 'AfterAllowTestTraffic',
     'BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic']
    """

    config: DeploymentConfig | str
    requests_per_minute: float | Profile | Sequence[float] = 100.0
    current: Version = field(default_factory=lambda: Version("1"))
    target: Version = field(default_factory=lambda: Version("2"))
    alarms: Sequence[Alarm] = ()
    auto_rollback: AutoRollback = field(default_factory=AutoRollback)
    hooks: EcsHooks = field(default_factory=EcsHooks)
    install_seconds: float = DEFAULT_INSTALL_SECONDS
    test_traffic: bool = False
    termination_wait_time_in_minutes: int = DEFAULT_TERMINATION_WAIT_MINUTES
    manual_stop: ManualStop | None = None
    alarm_poll_interval: float = DEFAULT_ALARM_POLL_INTERVAL
    metric_delay: float = DEFAULT_METRIC_DELAY
    linear_completion: str = "last_shift"
    service_name: str = "my-service"
    cluster_name: str = "my-cluster"
    application: str = "shiftsim-app"
    deployment_group: str = "shiftsim-group"
    container_name: str = "app"
    container_port: int = 80
    test_requests_per_minute: float | Profile | Sequence[float] = field(default=0.0, metadata=ADDED)
    ignore_poll_alarm_failure: bool = field(default=False, metadata=ADDED)
    override_alarm_configuration: AlarmConfiguration | None = field(default=None, metadata=ADDED)
    alarm_read_failures: Sequence[AlarmReadFailure] = field(default=(), metadata=ADDED)
    ready_action: str = field(default="CONTINUE_DEPLOYMENT", metadata=ADDED)
    ready_wait_minutes: int = field(default=0, metadata=ADDED)
    continue_after_minutes: float | None = field(default=None, metadata=ADDED)
    termination_action: str = field(default="TERMINATE", metadata=ADDED)
    skip_termination_wait_after_minutes: float | None = field(default=None, metadata=ADDED)

    def __post_init__(self) -> None:
        owner = "EcsDeployment"
        check_traffic_deployment(
            self,
            owner,
            "ECS",
            rate_field="requests_per_minute",
            hooks_type=EcsHooks,
            versions="the original and replacement task sets",
            names=(
                "service_name",
                "cluster_name",
                "application",
                "deployment_group",
                "container_name",
            ),
        )
        check_number(owner, "install_seconds", self.install_seconds, 0.0, MAX_INSTALL_SECONDS)
        if not isinstance(self.test_traffic, bool):
            raise invalid(owner, "test_traffic", self.test_traffic, "must be True or False")
        check_int(
            owner,
            "termination_wait_time_in_minutes",
            self.termination_wait_time_in_minutes,
            0,
            MAX_TERMINATION_WAIT_MINUTES,
        )
        check_int(owner, "container_port", self.container_port, 1, 65535)
        check_monitoring(self, owner)
        test_rate = rate_profile(owner, "test_requests_per_minute", self.test_requests_per_minute)
        if test_rate.bounds()[1] > 0 and not self.test_traffic:
            raise invalid(
                owner,
                "test_requests_per_minute",
                self.test_requests_per_minute,
                "needs test_traffic=True (a test listener routes the test requests)",
            )
        self._check_waits(owner)

    def _check_waits(self, owner: str) -> None:
        check_choice(owner, "ready_action", self.ready_action, READY_ACTIONS)
        check_int(
            owner, "ready_wait_minutes", self.ready_wait_minutes, 0, MAX_ECS_READY_WAIT_MINUTES
        )
        check_choice(owner, "termination_action", self.termination_action, TERMINATION_ACTIONS)
        for name in ("continue_after_minutes", "skip_termination_wait_after_minutes"):
            if getattr(self, name) is not None:
                check_number(owner, name, getattr(self, name), 0.0)
        if self.termination_action == "KEEP_ALIVE" and (
            self.skip_termination_wait_after_minutes is not None
        ):
            raise invalid(
                owner,
                "skip_termination_wait_after_minutes",
                self.skip_termination_wait_after_minutes,
                "must be None with termination_action='KEEP_ALIVE' (there is no termination wait)",
            )

    @property
    def test_rate_profile(self) -> Profile | None:
        """The test listener's request rate as a Profile, or None when it sends nothing."""
        rate = rate_profile(
            "EcsDeployment", "test_requests_per_minute", self.test_requests_per_minute
        )
        return rate if self.test_traffic and rate.bounds()[1] > 0 else None

    @property
    def deployment_config(self) -> DeploymentConfig:
        assert isinstance(self.config, DeploymentConfig)
        return self.config

    def phases(self) -> tuple[PhaseSpec, ...]:
        """The eight lifecycle events; hook events without a hook take no time."""
        h = self.hooks
        return (
            PhaseSpec("BeforeInstall", hook=h.before_install, rollback_possible=False),
            PhaseSpec("Install", seconds=float(self.install_seconds)),
            PhaseSpec("AfterInstall", hook=h.after_install),
            PhaseSpec("AllowTestTraffic"),
            PhaseSpec("AfterAllowTestTraffic", hook=h.after_allow_test_traffic),
            *self._ready_wait(),
            PhaseSpec("BeforeAllowTraffic", hook=h.before_allow_traffic),
            PhaseSpec("AllowTraffic", traffic=True),
            PhaseSpec("AfterAllowTraffic", hook=h.after_allow_traffic),
        )

    def _ready_wait(self) -> tuple[PhaseSpec, ...]:
        """The ``ReadyWait`` step, if a ready wait is configured (none by default)."""
        stops = self.ready_action == "STOP_DEPLOYMENT"
        if not stops and self.ready_wait_minutes == 0:
            return ()
        wait = 60.0 * self.ready_wait_minutes
        if self.continue_after_minutes is not None and 60.0 * self.continue_after_minutes <= wait:
            return (PhaseSpec("ReadyWait", seconds=60.0 * self.continue_after_minutes),)
        if not stops:
            return (PhaseSpec("ReadyWait", seconds=wait),)
        message = (
            f"Traffic was not rerouted within the ready wait ({self.ready_wait_minutes} "
            "minutes) and actionOnTimeout is STOP_DEPLOYMENT."
        )
        return (
            PhaseSpec("ReadyWait", seconds=wait, stop_at_end=(ErrorCode.TIMEOUT.value, message)),
        )

    def plan(self) -> TrafficPlan:
        """Compile this deployment into the plan both engines run."""
        rate = rate_profile("EcsDeployment", "requests_per_minute", self.requests_per_minute)
        return compile_deployment(self, "ECS", self.phases(), rate)

    def notification_context(self) -> NotificationContext:
        return NotificationContext(
            application=self.application, deployment_group=self.deployment_group
        )

    def __repr__(self) -> str:
        alarms = ", ".join(a.name for a in self.alarms) or "none"
        return (
            f"EcsDeployment({self.deployment_config.name}, {self.cluster_name}/"
            f"{self.service_name} {self.current.name} -> {self.target.name}, "
            f"{self.requests_per_minute!r}/min, alarms: {alarms}, "
            f"termination wait {self.termination_wait_time_in_minutes} min)"
        )

    def _repr_html_(self) -> str:
        return table(
            f"ECS deployment of {self.cluster_name}/{self.service_name}",
            [
                ("configuration", self.deployment_config.name),
                ("task sets", f"{self.current!r} -> {self.target!r}"),
                ("requests per minute", self.requests_per_minute),
                ("test listener", "yes" if self.test_traffic else "no"),
                ("alarms", "; ".join(repr(a) for a in self.alarms) or "none"),
                (
                    "auto rollback",
                    ", ".join(self.auto_rollback.events)
                    if self.auto_rollback.enabled
                    else "disabled",
                ),
                ("termination wait", f"{self.termination_wait_time_in_minutes} min"),
            ],
        )


@dataclass(frozen=True, slots=True, eq=False)
class EcsRun:
    """One simulated ECS blue/green deployment: a :class:`~shiftsim.results.TrafficRun` plus
    the task sets and the termination of the original task set.

    Attributes
    ----------
    run : TrafficRun
        The traffic-shifting run (status, events, timeline, notifications).
    deployment : EcsDeployment
        What was simulated.

    Examples
    --------
    >>> run = run_ecs(EcsDeployment("CodeDeployDefault.ECSAllAtOnce"), rng=3)
    >>> run.task_sets[["minute", "task_set", "status", "traffic_weight"]].tail(3)
       minute     task_set    status  traffic_weight
    2     1.0     original    ACTIVE             0.0
    3     1.0  replacement   PRIMARY           100.0
    4    61.0     original  DRAINING             0.0
    """

    run: TrafficRun
    deployment: EcsDeployment

    @classmethod
    def from_traffic_run(cls, deployment: EcsDeployment, run: TrafficRun) -> EcsRun:
        """Wrap a run of ``deployment.plan()`` from either engine."""
        if not isinstance(deployment, EcsDeployment):
            raise invalid("EcsRun", "deployment", deployment, "must be an EcsDeployment")
        return cls(run, deployment)

    # ------------------------------------------------------------------ delegated scalars
    @property
    def plan(self) -> TrafficPlan:
        return self.run.plan

    @property
    def outcome(self) -> Any:
        return self.run.outcome

    @property
    def status(self) -> str:
        return self.run.status

    @property
    def error_code(self) -> str | None:
        return self.run.error_code

    @property
    def error_message(self) -> str:
        return self.run.error_message

    @property
    def rolled_back(self) -> bool:
        return self.run.rolled_back

    @property
    def duration(self) -> float:
        """Seconds from start to the end (or stop) of the lifecycle, excluding the wait."""
        return self.run.duration

    @property
    def deployment_id(self) -> str:
        return self.run.deployment_id

    @property
    def rollback_deployment_id(self) -> str | None:
        return self.run.rollback_deployment_id

    @property
    def context(self) -> NotificationContext:
        return self.run.context

    @property
    def seed_entropy(self) -> Any:
        return self.run.seed_entropy

    @property
    def termination_wait_minutes(self) -> float:
        """How long the termination wait lasts: ``termination_wait_time_in_minutes``, or less
        when ``ContinueDeployment(TERMINATION_WAIT)`` ends it early (0 with KEEP_ALIVE)."""
        d = self.deployment
        if d.termination_action == "KEEP_ALIVE":
            return 0.0
        skip = d.skip_termination_wait_after_minutes
        wait = float(d.termination_wait_time_in_minutes)
        return wait if skip is None else min(wait, float(skip))

    @property
    def termination_time(self) -> float | None:
        """When the original task set is removed (seconds), or None if the deployment did not
        succeed or the task set is kept (KEEP_ALIVE). Until then the deployment group is busy
        (codedeploy.md section 8)."""
        if (
            self.status != DeploymentStatus.SUCCEEDED
            or self.deployment.termination_action == "KEEP_ALIVE"
        ):
            return None
        return self.duration + 60.0 * self.termination_wait_minutes

    @property
    def rollback_possible(self) -> bool:
        """Whether the deployment had got past BeforeInstall when it ended."""
        return self.duration > self.plan.rollback_from + 1e-9

    # ------------------------------------------------------------------ frames
    @property
    def events(self) -> pd.DataFrame:
        """The traffic run's events, plus the termination wait and the original task set's
        removal after a success. Columns as :attr:`TrafficRun.events`."""
        frame = self.run.events
        end = self.termination_time
        if end is None:
            return frame
        wait = f"{self.termination_wait_minutes:g}"
        if self.deployment.skip_termination_wait_after_minutes is not None:
            wait += " (ContinueDeployment TERMINATION_WAIT)"
        rows = [
            (
                self.duration,
                self.duration / 60.0,
                self.deployment_id,
                "TerminationWait",
                LifecycleEventStatus.IN_PROGRESS.value,
                f"original task set kept without traffic for {wait} minutes",
            ),
            (
                end,
                end / 60.0,
                self.deployment_id,
                "TerminateOriginalTaskSet",
                LifecycleEventStatus.SUCCEEDED.value,
                f"original task set ({self.deployment.current.name}) removed",
            ),
        ]
        extra = pd.DataFrame(rows, columns=frame.columns)
        return pd.concat([frame, extra], ignore_index=True)

    @property
    def timeline(self) -> pd.DataFrame:
        return self.run.timeline

    @property
    def deployments(self) -> pd.DataFrame:
        return self.run.deployments

    @property
    def notifications(self) -> list[Notification]:
        return self.run.notifications

    @property
    def task_sets(self) -> pd.DataFrame:
        """The task sets' status and production weight over time (API:ECSTaskSet).

        One row per task set each time either changes. Columns: ``time`` (s), ``minute``,
        ``task_set`` (``"original"`` or ``"replacement"``), ``version``, ``status``
        (``PRIMARY`` serves production, ``ACTIVE`` does not, ``DRAINING`` is being removed),
        ``traffic_weight`` (percent of production traffic) and ``test_listener`` (whether the
        test listener routes to it).

        The replacement task set appears when Install starts and becomes PRIMARY once it takes
        100% of production traffic. After a rollback the original is PRIMARY again and the
        replacement DRAINING; after a success the original is DRAINING when the termination
        wait ends.
        """
        d = self.deployment
        names = {"original": d.current.name, "replacement": d.target.name}
        state: dict[str, list[Any]] = {"original": ["PRIMARY", 100.0, d.test_traffic]}
        rows: list[tuple[Any, ...]] = []

        def emit(time: float) -> None:
            # A later change at the same instant replaces the rows it supersedes (no duplicates).
            while rows and rows[-1][0] == time:
                rows.pop()
            for key, (status, weight, test) in state.items():
                rows.append((time, time / 60.0, key, names[key], status, weight, test))

        emit(0.0)
        shifts = iter(self.run.trace.weights[1:])
        for time, event, status, _ in self.run.trace.events:
            if event == "Install" and status == LifecycleEventStatus.IN_PROGRESS:
                state["replacement"] = ["ACTIVE", 0.0, False]
            elif (
                event == "AllowTestTraffic"
                and status == LifecycleEventStatus.SUCCEEDED
                and d.test_traffic
            ):
                state["original"][2] = False
                state["replacement"][2] = True
            elif event == "TrafficShift":
                percent = float(next(shifts)[1])
                state["replacement"][1] = percent
                state["original"][1] = 100.0 - percent
                if percent >= 100.0:
                    state["replacement"][0] = "PRIMARY"
                    state["original"][0] = "ACTIVE"
            elif event == "Rollback":
                state["original"] = ["PRIMARY", 100.0, d.test_traffic]
                state["replacement"] = ["DRAINING", 0.0, False]
            else:
                continue
            emit(time)
        end = self.termination_time
        if end is not None:
            state = {"original": ["DRAINING", 0.0, False]}
            emit(end)
        elif self.status == DeploymentStatus.SUCCEEDED:
            # KEEP_ALIVE: left running, out of the deployment
            state = {"original": ["ACTIVE", 0.0, False]}
            emit(self.duration)
        return pd.DataFrame(
            rows,
            columns=[
                "time",
                "minute",
                "task_set",
                "version",
                "status",
                "traffic_weight",
                "test_listener",
            ],
        )

    def summary(self) -> pd.Series:
        """:meth:`TrafficRun.summary` plus ``termination_minute`` (None unless Succeeded)."""
        out = self.run.summary()
        end = self.termination_time
        out["termination_minute"] = None if end is None else end / 60.0
        return out

    def __repr__(self) -> str:
        out = self.outcome
        code = f" ({out.error_code})" if out.error_code else ""
        back = ", rolled back" if out.rolled_back else ""
        end = self.termination_time
        wait = "" if end is None else f"; original task set removed at {end / 60:.1f} min"
        return (
            f"<EcsRun {self.deployment_id}: {out.status}{code}{back} after "
            f"{out.end_time / 60:.1f} min; replacement served {out.target_invocations} requests, "
            f"{out.target_errors} errors{wait}>"
        )

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw this run with :func:`shiftsim.plot.traffic` (which imports matplotlib).

        ``ax`` and ``options`` go to :func:`shiftsim.plot.traffic`; returns its Axes.
        """
        from shiftsim import plot

        return plot.traffic(self, ax=ax, **options)

    def _repr_html_(self) -> str:
        rows = [(str(k), v) for k, v in self.summary().items()]
        return table(f"ECS deployment {self.deployment_id}", rows)


def run_ecs(deployment: EcsDeployment, rng: RngLike = None, *, engine: str = "core") -> EcsRun:
    """Simulate one ECS blue/green deployment and return its :class:`EcsRun`.

    Parameters
    ----------
    deployment : EcsDeployment
    rng : None, int, SeedSequence or Generator
        The seed (SPEC 7); the same seed gives the same run on either engine.
    engine : {"core", "kernel"}

    Examples
    --------
    >>> bad = EcsDeployment(
    ...     "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    ...     requests_per_minute=1200,
    ...     target=Version("2", error_rate=0.3),
    ...     alarms=[Alarm("5xx", threshold=0, evaluation_periods=1)],
    ... )
    >>> run = run_ecs(bad, rng=4)
    >>> run.status, run.error_code, run.rolled_back
    ('Stopped', 'ALARM_ACTIVE', True)
    """
    if not isinstance(deployment, EcsDeployment):
        raise invalid("run_ecs", "deployment", deployment, "must be an EcsDeployment")
    check_choice("run_ecs", "engine", engine, ("core", "kernel"))
    seq = seed_sequence(rng)
    if engine == "kernel":
        run = replay_with_kernel(deployment, seq)
    else:
        run = run_traffic_deployment(deployment, seq, runs=1, index=0)
    return EcsRun.from_traffic_run(deployment, run)
