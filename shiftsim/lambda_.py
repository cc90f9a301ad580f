"""AWS Lambda deployments: alias traffic shifting with hooks, alarms and rollback.

Lifecycle (codedeploy.md section 4.4): Start -> BeforeAllowTraffic -> AllowTraffic ->
AfterAllowTraffic -> End. The alias weight follows the configuration's schedule during
AllowTraffic. What happens on trouble:

* a failed (or silent, for 3600 s) BeforeAllowTraffic hook fails the deployment before any traffic
  moves; the alias never leaves the current version;
* a failed AfterAllowTraffic hook fails it; with rollback on ``DEPLOYMENT_FAILURE`` the alias
  returns to 100% current;
* an alarm in ALARM seen by CodeDeploy stops the deployment (status ``Stopped``, error
  ``ALARM_ACTIVE``); with ``DEPLOYMENT_STOP_ON_ALARM`` the alias flips back to 100% current at once
  and a rollback deployment is recorded, without it the alias keeps its split (decision D5);
* a manual stop (``ManualStop``) stops it with ``MANUAL_STOP``, rolling back per
  ``StopDeployment``'s ``autoRollbackEnabled``.

Examples
--------
>>> import shiftsim
>>> deployment = shiftsim.LambdaDeployment(
...     "Canary10Percent5Minutes",
...     invocations_per_minute=600,
...     target=shiftsim.Version("2", error_rate=0.2),
...     alarms=[shiftsim.Alarm("errors", metric="Errors", threshold=0, evaluation_periods=2)],
... )
>>> run = shiftsim.simulate(deployment, rng=7)
>>> run.status, run.error_code, run.rolled_back
('Stopped', 'ALARM_ACTIVE', True)
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from shiftsim._checks import invalid
from shiftsim._engines.traffic.plan import PhaseSpec, TrafficPlan, compile_deployment
from shiftsim._html import table
from shiftsim._seeding import ADDED
from shiftsim._validation import check_traffic_deployment
from shiftsim.alarms import Alarm
from shiftsim.configs import DeploymentConfig
from shiftsim.monitoring import AlarmConfiguration, AlarmReadFailure, check_monitoring
from shiftsim.notifications import NotificationContext
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.traffic import Hook, Profile, Version, rate_profile
from shiftsim.vocabulary import ErrorCode

__all__ = ["LambdaDeployment", "LambdaHooks"]

#: Default seconds between CodeDeploy's reads of alarm state (decision D2; undocumented by AWS).
DEFAULT_ALARM_POLL_INTERVAL = 60.0
#: Default seconds before a one-minute datapoint is visible in CloudWatch (decision D3).
DEFAULT_METRIC_DELAY = 60.0


@dataclass(frozen=True, slots=True)
class LambdaHooks:
    """The two Lambda hooks (SAM's ``PreTraffic`` and ``PostTraffic``); either may be None.

    Examples
    --------
    >>> hooks = LambdaHooks(before_allow_traffic=Hook("CodeDeployHook_pre", duration=20))
    >>> hooks.before_allow_traffic.function_name, hooks.after_allow_traffic
    ('CodeDeployHook_pre', None)
    """

    before_allow_traffic: Hook | None = None
    after_allow_traffic: Hook | None = None

    def __post_init__(self) -> None:
        for name in ("before_allow_traffic", "after_allow_traffic"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Hook):
                raise invalid("LambdaHooks", name, value, "must be a Hook or None")


class _Rate(enum.Enum):
    """A rate keyword left out, told apart from any rate given: ``invocations_per_minute`` and
    ``requests_per_minute`` name one rate, so giving both is an error whatever their values."""

    DEFAULT = 100.0


#: The defaults of the fields made by a factory (each a frozen value, so one can be shared).
_CURRENT, _TARGET = Version("1"), Version("2")
_AUTO_ROLLBACK, _NO_HOOKS = AutoRollback(), LambdaHooks()


@dataclass(frozen=True, slots=True, init=False)
class LambdaDeployment:
    """A CodeDeploy deployment of a Lambda alias from ``current`` to ``target``.

    Parameters
    ----------
    config : DeploymentConfig or str
        A Lambda configuration or its name (AWS or SAM short name).
    invocations_per_minute : float, Profile or sequence of float
        Rate of calls to the alias; a sequence gives one rate per minute from the start (the last
        one holds), a :class:`Profile` any shape. ``requests_per_minute``, the name every
        traffic platform understands (ECS's), is accepted and readable too.
    current, target : Version
        The versions the alias moves between.
    alarms : sequence of Alarm
        At most 10, unique names (D9); ``()`` for none (``None`` is an error).
    auto_rollback : AutoRollback
        Default: all three events, as SAM generates.
    hooks : LambdaHooks
    manual_stop : ManualStop or None
        A ``StopDeployment`` call during the deployment.
    alarm_poll_interval : float
        Seconds between CodeDeploy's reads of alarm state (D2), default 60; 1 to 392,400 (109 h).
    metric_delay : float
        Seconds after a minute ends before its datapoint is visible (D3), default 60; at most
        392,400 (109 h).
    linear_completion : {"last_shift", "interval_after"}
        When AllowTraffic ends for linear configurations (D1), default at the last shift.
    function_name, alias, application, deployment_group : str
        Names used in events and notifications.
    ignore_poll_alarm_failure : bool
        The group's ``AlarmConfiguration.ignorePollAlarmFailure``: whether the deployment
        proceeds when alarm state cannot be read (default False: it stops).
    override_alarm_configuration : AlarmConfiguration or None
        ``CreateDeployment.overrideAlarmConfiguration``: replaces ``alarms`` and
        ``ignore_poll_alarm_failure`` for this deployment.
    alarm_read_failures : sequence of AlarmReadFailure
        Faults: spans during which CodeDeploy's reads of alarm state fail
        (:mod:`shiftsim.monitoring`).
    split_alias : bool
        Whether the alias already routes traffic to two versions when the deployment starts,
        as a deployment stopped without rollback leaves it. Then "subsequent attempts to deploy
        the Lambda function fail" (UG:troubleshooting-deployments-lambda.md): shiftsim fails
        AllowTraffic at once with ``INVALID_LAMBDA_CONFIGURATION`` (AWS documents no code; the
        closest in API:ErrorCode), without rollback, and the alias keeps its split until fixed
        by hand. :func:`shiftsim.simulate_sequence` sets it from the deployment before.
    """

    config: DeploymentConfig | str
    invocations_per_minute: float | Profile | Sequence[float] = 100.0
    current: Version = field(default_factory=lambda: Version("1"))
    target: Version = field(default_factory=lambda: Version("2"))
    alarms: Sequence[Alarm] = ()
    auto_rollback: AutoRollback = field(default_factory=AutoRollback)
    hooks: LambdaHooks = field(default_factory=LambdaHooks)
    manual_stop: ManualStop | None = None
    alarm_poll_interval: float = DEFAULT_ALARM_POLL_INTERVAL
    metric_delay: float = DEFAULT_METRIC_DELAY
    linear_completion: str = "last_shift"
    function_name: str = "my-function"
    alias: str = "live"
    application: str = "shiftsim-app"
    deployment_group: str = "shiftsim-group"
    ignore_poll_alarm_failure: bool = field(default=False, metadata=ADDED)
    override_alarm_configuration: AlarmConfiguration | None = field(default=None, metadata=ADDED)
    alarm_read_failures: Sequence[AlarmReadFailure] = field(default=(), metadata=ADDED)
    split_alias: bool = field(default=False, metadata=ADDED)

    def __init__(
        self,
        config: DeploymentConfig | str,
        invocations_per_minute: float | Profile | Sequence[float] | _Rate = _Rate.DEFAULT,
        current: Version = _CURRENT,
        target: Version = _TARGET,
        alarms: Sequence[Alarm] = (),
        auto_rollback: AutoRollback = _AUTO_ROLLBACK,
        hooks: LambdaHooks = _NO_HOOKS,
        manual_stop: ManualStop | None = None,
        alarm_poll_interval: float = DEFAULT_ALARM_POLL_INTERVAL,
        metric_delay: float = DEFAULT_METRIC_DELAY,
        linear_completion: str = "last_shift",
        function_name: str = "my-function",
        alias: str = "live",
        application: str = "shiftsim-app",
        deployment_group: str = "shiftsim-group",
        ignore_poll_alarm_failure: bool = False,
        override_alarm_configuration: AlarmConfiguration | None = None,
        alarm_read_failures: Sequence[AlarmReadFailure] = (),
        split_alias: bool = False,
        *,
        requests_per_minute: float | Profile | Sequence[float] | _Rate = _Rate.DEFAULT,
    ) -> None:
        # The fields in order (a test keeps them so), then the rate under ECS's name (issue 11:
        # one rate name across platforms), which the field keeps under Lambda's word.
        if requests_per_minute is not _Rate.DEFAULT:
            if invocations_per_minute is not _Rate.DEFAULT:
                raise invalid(
                    "LambdaDeployment",
                    "requests_per_minute",
                    requests_per_minute,
                    "must not be given with invocations_per_minute (they name the same rate)",
                )
            invocations_per_minute = requests_per_minute
        if invocations_per_minute is _Rate.DEFAULT:
            invocations_per_minute = _Rate.DEFAULT.value
        object.__setattr__(self, "config", config)
        object.__setattr__(self, "invocations_per_minute", invocations_per_minute)
        object.__setattr__(self, "current", current)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "alarms", alarms)
        object.__setattr__(self, "auto_rollback", auto_rollback)
        object.__setattr__(self, "hooks", hooks)
        object.__setattr__(self, "manual_stop", manual_stop)
        object.__setattr__(self, "alarm_poll_interval", alarm_poll_interval)
        object.__setattr__(self, "metric_delay", metric_delay)
        object.__setattr__(self, "linear_completion", linear_completion)
        object.__setattr__(self, "function_name", function_name)
        object.__setattr__(self, "alias", alias)
        object.__setattr__(self, "application", application)
        object.__setattr__(self, "deployment_group", deployment_group)
        object.__setattr__(self, "ignore_poll_alarm_failure", ignore_poll_alarm_failure)
        object.__setattr__(self, "override_alarm_configuration", override_alarm_configuration)
        object.__setattr__(self, "alarm_read_failures", alarm_read_failures)
        object.__setattr__(self, "split_alias", split_alias)
        self.__post_init__()

    def __post_init__(self) -> None:
        check_traffic_deployment(
            self,
            "LambdaDeployment",
            "Lambda",
            rate_field="invocations_per_minute",
            hooks_type=LambdaHooks,
            versions="an alias routes to two versions",
            names=("function_name", "alias", "application", "deployment_group"),
        )
        check_monitoring(self, "LambdaDeployment")
        if not isinstance(self.split_alias, bool):
            raise invalid("LambdaDeployment", "split_alias", self.split_alias, "must be a bool")
        override = self.override_alarm_configuration
        for alarm in (*self.alarms, *(override.alarms if override else ())):
            if alarm.version == "test":
                raise invalid(
                    "LambdaDeployment",
                    "alarms",
                    alarm.name,
                    "must not watch version='test': a test listener is ECS only",
                )

    @property
    def requests_per_minute(self) -> float | Profile | Sequence[float]:
        """The rate of calls to the alias: ``invocations_per_minute`` under ECS's name."""
        return self.invocations_per_minute

    @property
    def deployment_config(self) -> DeploymentConfig:
        assert isinstance(self.config, DeploymentConfig)
        return self.config

    def phases(self) -> tuple[PhaseSpec, ...]:
        return (
            *(
                (PhaseSpec("BeforeAllowTraffic", hook=self.hooks.before_allow_traffic),)
                if self.hooks.before_allow_traffic
                else ()
            ),
            self._allow_traffic(),
            *(
                (PhaseSpec("AfterAllowTraffic", hook=self.hooks.after_allow_traffic),)
                if self.hooks.after_allow_traffic
                else ()
            ),
        )

    def _allow_traffic(self) -> PhaseSpec:
        if not self.split_alias:
            return PhaseSpec("AllowTraffic", traffic=True)
        message = (
            f"The alias {self.alias} of {self.function_name} references two versions (weighted "
            "routing left by a deployment stopped without rollback); set its weighted alias to "
            "none before deploying (UG:troubleshooting-deployments-lambda.md)."
        )
        error = (ErrorCode.INVALID_LAMBDA_CONFIGURATION.value, message)
        return PhaseSpec("AllowTraffic", error=error, rollback_possible=False)

    def plan(self) -> TrafficPlan:
        """Compile this deployment into the plan both engines run."""
        rate = rate_profile(
            "LambdaDeployment", "invocations_per_minute", self.invocations_per_minute
        )
        return compile_deployment(self, "Lambda", self.phases(), rate)

    def notification_context(self) -> NotificationContext:
        return NotificationContext(
            application=self.application, deployment_group=self.deployment_group
        )

    def __repr__(self) -> str:
        alarms = ", ".join(a.name for a in self.alarms) or "none"
        return (
            f"LambdaDeployment({self.deployment_config.name}, {self.function_name}:"
            f"{self.alias} {self.current.name} -> {self.target.name}, "
            f"{self.invocations_per_minute!r}/min, alarms: {alarms})"
        )

    def _repr_html_(self) -> str:
        return table(
            f"Lambda deployment of {self.function_name}:{self.alias}",
            [
                ("configuration", self.deployment_config.name),
                ("versions", f"{self.current!r} -> {self.target!r}"),
                ("invocations per minute", self.invocations_per_minute),
                ("alarms", "; ".join(repr(a) for a in self.alarms) or "none"),
                (
                    "auto rollback",
                    ", ".join(self.auto_rollback.events)
                    if self.auto_rollback.enabled
                    else "disabled",
                ),
            ],
        )
