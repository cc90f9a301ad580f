"""The deployment model of EC2/on-premises: :class:`ServerDeployment`, a deployment group and
one deployment to it, validated on construction.

Every field keeps the value it was given (in canonical form: a configuration name becomes its
:class:`~shiftsim.configs.DeploymentConfig`, lists become tuples); what is derived from several
fields (the scripts an AppSpec stands for, the previous revision's scripts) is a property, so
``dataclasses.replace`` changes exactly one thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from shiftsim._checks import check_choice, check_int, check_number, invalid, suggest
from shiftsim._html import table
from shiftsim._limits import MAX_FLEET_SIZE, MIN_ALARM_POLL_INTERVAL
from shiftsim._validation import check_alarms, resolve_config
from shiftsim.alarms import ALARM_STATES, Alarm
from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts, get_config
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.fleet import Fleet, Targets, check_fleet
from shiftsim.notifications import NotificationContext
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.server.auto_scaling import OUTDATED_STRATEGIES, ScaleIn, ScaleOut, launch_ids
from shiftsim.server.blue_green import BlueGreen
from shiftsim.server.faults import (
    FILE_EXISTS_BEHAVIORS,
    Fault,
    FileConflict,
    InstanceStop,
    LoadBalancerFault,
    ScriptFault,
)
from shiftsim.server.lifecycle import LIFECYCLE_EVENTS, RESERVED_EVENTS, event_list
from shiftsim.server.scripts import (
    DEFAULT_RESERVED_SECONDS,
    Hooks,
    check_duration,
    normalize_hooks,
)
from shiftsim.vocabulary import (
    CLOCK_SKEW_TOLERANCE_SECONDS,
    MAX_ALARMS,
    MAX_BLUE_GREEN_RUN_MINUTES,
    MAX_IN_PLACE_RUN_MINUTES,
)

__all__ = [
    "DEFAULT_ALARM_POLL_INTERVAL",
    "DEFAULT_CLOCK_SKEW_TOLERANCE",
    "MAX_ALARMS",
    "ORDERS",
    "ServerDeployment",
    "resolve_server_config",
]

#: Clock-skew tolerance in seconds (D7).
DEFAULT_CLOCK_SKEW_TOLERANCE = float(CLOCK_SKEW_TOLERANCE_SECONDS)
#: Default seconds between CodeDeploy's reads of alarm state (D2), as for Lambda.
DEFAULT_ALARM_POLL_INTERVAL = 60.0
#: D13: unhealthy, then revision health Unknown, Old, Current; fleet order or shuffled within
#: each class.
ORDERS = ("fleet", "shuffle")
_OWNER = "ServerDeployment"
_PREFIX = "CodeDeployDefault."


def resolve_server_config(owner: str, config: object) -> DeploymentConfig:
    """A Server configuration from itself or its name; the ``CodeDeployDefault.`` prefix may be
    left out (``"HalfAtATime"``), as Lambda's SAM short names leave it out."""
    short = isinstance(config, str) and not config.startswith(_PREFIX)
    if short and _is_server_name(f"{_PREFIX}{config}"):
        config = f"{_PREFIX}{config}"
    return resolve_config(
        owner,
        config,
        "Server",
        hint="Use CodeDeployDefault.OneAtATime, HalfAtATime, AllAtOnce or a custom "
        "MinimumHealthyHosts configuration.",
    )


def _is_server_name(name: str) -> bool:
    try:
        return get_config(name).compute_platform == "Server"
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ServerDeployment:
    """A CodeDeploy deployment to EC2/on-premises instances.

    Parameters
    ----------
    config : DeploymentConfig or str
        A Server configuration or its name (``"CodeDeployDefault.HalfAtATime"`` or the short
        ``"HalfAtATime"``); default ``CodeDeployDefault.OneAtATime``, as CodeDeploy uses when none
        is named.
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
        The fields keep what was given; :attr:`resolved_hooks` and
        :attr:`resolved_previous_hooks` are the :class:`Script` lists they stand for.
    reserved_durations : mapping, optional
        Durations of DownloadBundle, Install, BlockTraffic and AllowTraffic (see
        :data:`~shiftsim.server.scripts.DEFAULT_RESERVED_SECONDS`).
    faults : sequence of ScriptFault, LoadBalancerFault, InstanceStop or FileConflict
    ignore_application_stop_failures : bool
        As in CreateDeployment.
    auto_rollback : AutoRollback
        Default disabled, the API's default for a deployment group.
    alarms : sequence of Alarm
        At most ``max_alarms``; ``initial_state="ALARM"`` stops the deployment at once
        (ALARM_ACTIVE).
    max_alarms : int
        Fidelity (D9): CodeDeploy takes at most 10 alarms per deployment group
        (API:AlarmConfiguration, AlarmsLimitExceededException); the current quotas page lists
        50, adjustable. Raise this for a group with a raised quota.
    alarm_events : sequence of (minute, alarm name, state)
        Scripted alarm state changes (a Server deployment has no simulated metrics).
    alarm_poll_interval : float
        Seconds between CodeDeploy's reads of alarm state (D2), default 60.
    manual_stop : ManualStop or None
    scale_outs : sequence of ScaleOut
    scale_ins : sequence of ScaleIn
        Auto Scaling terminates instances during or after the deployment.
    termination_hook_enabled : bool
        The group's ``terminationHookEnabled`` (API:CreateDeploymentGroupInput): on a scale-in
        CodeDeploy runs a termination deployment (creator ``autoscalingTermination``) on the
        terminating instances, all at once: BeforeBlockTraffic, BlockTraffic and
        AfterBlockTraffic (with a load balancer), then ApplicationStop, with the scripts of the
        revision installed on each ([INFERENCE]: the User Guide's page on termination
        deployments was not retrievable; these are the events that take an instance out of
        service, as in-place deployments run them).
    outdated_instances_strategy : {"UPDATE", "IGNORE"}
    blue_green : BlueGreen or None
        Blue/green instead of in-place; needs ``load_balancer=True`` and EC2 instances.
    order : {"fleet", "shuffle"}
        Fidelity (D13; UG:instances-health.md): CodeDeploy deploys to unhealthy instances
        first, then to healthy ones whose revision health is Unknown, then Old, then Current;
        ``"fleet"`` keeps the fleet's order within each class, ``"shuffle"`` shuffles within
        each class with the run's rng.
    clock_skew_tolerance_seconds : float
        D7, default 300.
    max_instances : int or None
        Fail with ``OVER_MAX_INSTANCES`` above this many targets (UG:limits.md: 1000 by default
        in AWS; ``None``, the default here, means no limit).
    max_run_time_minutes : float or None
        Fidelity (D15; UG:limits.md): a deployment still running at this limit fails with error
        code ``TIMEOUT``. ``None`` means CodeDeploy's: 720 (12 hours) in-place, with a
        predefined configuration or a custom one created since June 2023; 6540 (109 hours)
        blue/green. Give 480 (8 hours) for a custom configuration created before June 2023
        (:data:`~shiftsim.vocabulary.MAX_LEGACY_IN_PLACE_RUN_MINUTES`). Each deployment of the
        run (a rollback, a follow-up) has its own limit from its own start.
    file_exists_behavior : {"DISALLOW", "OVERWRITE", "RETAIN"} or None
        The deployment's ``fileExistsBehavior`` (API:CreateDeployment). Fidelity (D16): the
        AppSpec's ``file_exists_behavior`` takes precedence, else this, else ``DISALLOW``: on an
        instance holding a file the revision would install that no earlier deployment put
        there (a :class:`~shiftsim.server.FileConflict` fault), Install fails ("a specified
        file already exists at this location"); ``OVERWRITE`` replaces the file and ``RETAIN``
        keeps it, so Install succeeds (UG:reference-appspec-file-structure-other.md,
        UG:troubleshooting-deployments.md).
    previous_file_exists_behavior : {"DISALLOW", "OVERWRITE", "RETAIN"} or None
        The option of the group's last successful deployment, which a rollback and an Auto
        Scaling launch of the last successful revision reuse (D16;
        UG:deployments-rollback-and-redeploy.md); ``None`` means ``DISALLOW``.
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
    scale_ins: Sequence[ScaleIn] = ()
    termination_hook_enabled: bool = False
    outdated_instances_strategy: str = "UPDATE"
    blue_green: BlueGreen | None = None
    order: str = "fleet"
    clock_skew_tolerance_seconds: float = DEFAULT_CLOCK_SKEW_TOLERANCE
    max_instances: int | None = None
    max_alarms: int = MAX_ALARMS
    max_run_time_minutes: float | None = None
    file_exists_behavior: str | None = None
    previous_file_exists_behavior: str | None = None
    application: str = "shiftsim-app"
    deployment_group: str = "shiftsim-group"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        config = resolve_server_config(_OWNER, self.config)
        set_(self, "config", config)
        set_(self, "fleet", check_fleet(_OWNER, "fleet", self.fleet))
        if self.targets is not None and not isinstance(self.targets, Targets):
            raise invalid(_OWNER, "targets", self.targets, "must be a Targets or None")
        self._check_flags()
        hooks, previous = self._check_hooks()
        set_(self, "reserved_durations", self._check_reserved())
        alarms = self._check_alarms()
        set_(self, "alarms", alarms)
        set_(self, "alarm_events", self._check_alarm_events(alarms))
        self._check_options()
        scale_outs = tuple(self.scale_outs)
        for k, s in enumerate(scale_outs):
            if not isinstance(s, ScaleOut):
                raise invalid(_OWNER, f"scale_outs[{k}]", s, "must be a ScaleOut")
        set_(self, "scale_outs", scale_outs)
        scale_ins = tuple(self.scale_ins)
        for k, item in enumerate(scale_ins):
            if not isinstance(item, ScaleIn):
                raise invalid(_OWNER, f"scale_ins[{k}]", item, "must be a ScaleIn")
        set_(self, "scale_ins", scale_ins)
        self._check_blue_green(config)
        self._check_scale_outs()
        self._check_scale_ins()
        set_(self, "faults", self._check_faults(hooks, previous))

    # ------------------------------------------------------------------ validation
    def _check_flags(self) -> None:
        for name in (
            "load_balancer",
            "ignore_application_stop_failures",
            "termination_hook_enabled",
        ):
            if not isinstance(getattr(self, name), bool):
                raise invalid(_OWNER, name, getattr(self, name), "must be True or False")
        if not isinstance(self.auto_rollback, AutoRollback):
            raise invalid(
                _OWNER,
                "auto_rollback",
                self.auto_rollback,
                "must be an AutoRollback",
                "For example AutoRollback(events=('DEPLOYMENT_FAILURE',)).",
            )

    def _durations(self) -> dict[Any, Any]:
        if not isinstance(self.script_durations, Mapping):
            raise invalid(
                _OWNER,
                "script_durations",
                self.script_durations,
                "must map script locations to durations",
            )
        return {
            k: check_duration(_OWNER, f"script_durations[{k!r}]", v)
            for k, v in self.script_durations.items()
        }

    def _check_hooks(self) -> tuple[Hooks, Hooks]:
        if self.hooks is not None and self.appspec is not None:
            raise invalid(
                _OWNER,
                "appspec",
                self.appspec,
                "cannot be combined with hooks",
                "Give the scripts once: hooks=... or appspec=...",
            )
        return self.resolved_hooks, self.resolved_previous_hooks

    def _check_reserved(self) -> dict[str, Any]:
        if not isinstance(self.reserved_durations, Mapping):
            raise invalid(
                _OWNER,
                "reserved_durations",
                self.reserved_durations,
                "must map reserved event names to durations",
            )
        reserved = dict(DEFAULT_RESERVED_SECONDS)
        for key, value in self.reserved_durations.items():
            check_choice(_OWNER, "reserved_durations key", key, RESERVED_EVENTS)
            reserved[key] = check_duration(_OWNER, f"reserved_durations[{key!r}]", value)
        return reserved

    def _check_options(self) -> None:
        check_number(
            _OWNER, "alarm_poll_interval", self.alarm_poll_interval, MIN_ALARM_POLL_INTERVAL
        )
        if self.manual_stop is not None and not isinstance(self.manual_stop, ManualStop):
            raise invalid(_OWNER, "manual_stop", self.manual_stop, "must be a ManualStop or None")
        check_choice(
            _OWNER,
            "outdated_instances_strategy",
            self.outdated_instances_strategy,
            OUTDATED_STRATEGIES,
        )
        check_choice(_OWNER, "order", self.order, ORDERS)
        check_number(_OWNER, "clock_skew_tolerance_seconds", self.clock_skew_tolerance_seconds, 0.0)
        if self.max_instances is not None:
            check_int(_OWNER, "max_instances", self.max_instances, 1)
        if self.max_run_time_minutes is not None:
            check_number(
                _OWNER, "max_run_time_minutes", self.max_run_time_minutes, 0.0, low_open=True
            )
        for name in ("file_exists_behavior", "previous_file_exists_behavior"):
            if getattr(self, name) is not None:
                check_choice(_OWNER, name, getattr(self, name), FILE_EXISTS_BEHAVIORS)
        for name in ("application", "deployment_group"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise invalid(_OWNER, name, getattr(self, name), "must be a non-empty string")

    # ------------------------------------------------------------------ validation
    def _check_alarms(self) -> tuple[Alarm, ...]:
        check_int(_OWNER, "max_alarms", self.max_alarms, 1)
        return check_alarms(_OWNER, self.alarms, self.max_alarms, "max_alarms")

    def _check_alarm_events(self, alarms: tuple[Alarm, ...]) -> tuple[tuple[float, str, str], ...]:
        names = [a.name for a in alarms]
        out = []
        for k, item in enumerate(self.alarm_events):
            if not isinstance(item, (tuple, list)) or len(item) != 3:
                raise invalid(
                    _OWNER,
                    f"alarm_events[{k}]",
                    item,
                    "must be a (minute, alarm name, state) triple",
                )
            minute, name, state = item
            minute = check_number(_OWNER, f"alarm_events[{k}] minute", minute, 0.0)
            if name not in names:
                raise invalid(
                    _OWNER,
                    f"alarm_events[{k}] alarm",
                    name,
                    "must name one of the deployment's alarms",
                    suggest(str(name), names) or None,
                )
            check_choice(_OWNER, f"alarm_events[{k}] state", state, ALARM_STATES)
            out.append((minute, name, state))
        return tuple(out)

    def _check_blue_green(self, config: DeploymentConfig) -> None:
        bg = self.blue_green
        if bg is None:
            return
        if not isinstance(bg, BlueGreen):
            raise invalid(_OWNER, "blue_green", bg, "must be a BlueGreen or None")
        if not self.load_balancer:
            raise invalid(
                _OWNER,
                "load_balancer",
                False,
                "must be True for a blue/green "
                "deployment (a load balancer is mandatory, UG-live:"
                "integrations-aws-elastic-load-balancing)",
            )
        selected = self.fleet.select(self.targets)
        if self.fleet.column("on_premises")[selected].any():
            raise invalid(
                _OWNER,
                "blue_green",
                bg,
                "applies to EC2 instances only; the targets "
                "include on-premises instances (UG:welcome.md)",
            )
        if bg.green_fleet_provisioning == "COPY_AUTO_SCALING_GROUP":
            groups = {self.fleet.column("auto_scaling_group")[k] for k in selected.tolist()}
            if not groups - {None}:
                raise invalid(
                    _OWNER,
                    "blue_green.green_fleet_provisioning",
                    bg.green_fleet_provisioning,
                    "needs original instances in an Auto Scaling group",
                    "Use DISCOVER_EXISTING with a green_fleet.",
                )
        elif bg.green_fleet is not None:
            clash = set(bg.green_fleet.ids) & set(self.fleet.ids)
            if clash:
                raise invalid(
                    _OWNER,
                    "blue_green.green_fleet",
                    sorted(clash)[:3],
                    "must not reuse ids of the original fleet",
                )
        if config.zonal_config is not None:
            raise UnsupportedScenarioError(
                "ServerDeployment: a zonal configuration with a blue/green deployment is not "
                "modelled (the reference documents zonal deployments for in-place only)."
            )
        if self.scale_outs or self.scale_ins:
            raise UnsupportedScenarioError(
                "ServerDeployment: Auto Scaling scale-out or scale-in during a blue/green "
                "deployment is not modelled."
            )

    def _group_asgs(self) -> tuple[str, ...]:
        fleet = self.fleet
        if self.targets is not None:
            return tuple(self.targets.auto_scaling_groups)
        return fleet.auto_scaling_groups

    def _check_scale_outs(self) -> None:
        total = len(self.fleet) + sum(s.count for s in self.scale_outs)
        if total > MAX_FLEET_SIZE:
            raise invalid(
                _OWNER,
                "scale_outs",
                f"{total:_} instances with the fleet",
                f"must leave at most {MAX_FLEET_SIZE:_} instances (issue 16)",
            )
        groups = self._group_asgs()
        seen = set(self.fleet.ids)
        for k, s in enumerate(self.scale_outs):
            if s.auto_scaling_group not in groups:
                raise invalid(
                    _OWNER,
                    f"scale_outs[{k}].auto_scaling_group",
                    s.auto_scaling_group,
                    "must be an Auto Scaling group of the deployment group "
                    f"({', '.join(groups) or 'it has none'})",
                    suggest(s.auto_scaling_group, groups) or None,
                )
            for ident in s.instance_ids or ():
                if ident in seen:
                    raise invalid(
                        _OWNER,
                        f"scale_outs[{k}].instance_ids",
                        ident,
                        "must not reuse an existing instance id",
                    )
                seen.add(ident)

    def _check_scale_ins(self) -> None:
        groups = self._group_asgs()
        for k, s in enumerate(self.scale_ins):
            if s.auto_scaling_group not in groups:
                raise invalid(
                    _OWNER,
                    f"scale_ins[{k}].auto_scaling_group",
                    s.auto_scaling_group,
                    "must be an Auto Scaling group of the deployment group "
                    f"({', '.join(groups) or 'it has none'})",
                    suggest(s.auto_scaling_group, groups) or None,
                )
            members = self._members(s.auto_scaling_group)
            for ident in self.scale_in_ids(k):
                if ident not in members:
                    raise invalid(
                        _OWNER,
                        f"scale_ins[{k}].instance_ids",
                        ident,
                        f"must name an instance of the fleet in {s.auto_scaling_group}",
                        suggest(ident, members) or None,
                    )

    def _members(self, group: str) -> list[str]:
        column = self.fleet.column("auto_scaling_group")
        return [i for k, i in enumerate(self.fleet.ids) if column[k] == group]

    def scale_in_ids(self, k: int) -> tuple[str, ...]:
        """The instances scale-in ``k`` terminates (see :class:`ScaleIn`)."""
        s = self.scale_ins[k]
        return s.chosen(self._members(s.auto_scaling_group))

    def _known_ids(self) -> list[str]:
        ids = list(self.fleet.ids)
        bg = self.blue_green
        if bg is not None:
            if bg.green_fleet is not None:
                ids += list(bg.green_fleet.ids)
            else:
                ids += [f"{i}-green" for i in self.fleet.ids]
        for j, s in enumerate(self.scale_outs):
            ids += list(launch_ids(s, j))
        return ids

    def _check_faults(self, hooks: Hooks, previous: Hooks) -> tuple[Fault, ...]:
        faults = tuple(self.faults)
        pool = self._known_ids()
        known = set(pool)
        events = set(
            LIFECYCLE_EVENTS if self.blue_green is not None else event_list(self.load_balancer)
        )
        for k, fault in enumerate(faults):
            if not isinstance(fault, (ScriptFault, LoadBalancerFault, InstanceStop, FileConflict)):
                raise invalid(
                    _OWNER,
                    f"faults[{k}]",
                    fault,
                    "must be a ScriptFault, LoadBalancerFault, InstanceStop or FileConflict",
                )
            ids = (fault.instance,) if isinstance(fault, InstanceStop) else (fault.instances or ())
            for ident in ids:
                if ident not in known:
                    hint = suggest(ident, pool) if len(pool) < 10_000 else ""
                    raise invalid(
                        _OWNER,
                        f"faults[{k}] instance",
                        ident,
                        "is not an instance of the fleet (or a blue/green "
                        "replacement or scale-out launch)",
                        hint or None,
                    )
            if isinstance(fault, (InstanceStop, FileConflict)):
                continue
            if fault.event not in events:
                raise invalid(
                    _OWNER,
                    f"faults[{k}].event",
                    fault.event,
                    "runs only with a load balancer (load_balancer=True)",
                )
            if isinstance(fault, ScriptFault):
                _check_script_index(k, fault, hooks, previous)
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

    @property
    def run_time_limit_minutes(self) -> float:
        """The deployment's run-time limit (D15): ``max_run_time_minutes``, or CodeDeploy's
        for its style (720 in-place, 6540 blue/green)."""
        if self.max_run_time_minutes is not None:
            return float(self.max_run_time_minutes)
        default = (
            MAX_BLUE_GREEN_RUN_MINUTES if self.blue_green is not None else MAX_IN_PLACE_RUN_MINUTES
        )
        return float(default)

    @property
    def effective_file_exists_behavior(self) -> str:
        """D16: the AppSpec's ``file_exists_behavior``, else ``file_exists_behavior``, else
        ``DISALLOW``."""
        from_appspec = getattr(self.appspec, "file_exists_behavior", None)
        if isinstance(from_appspec, str) and from_appspec in FILE_EXISTS_BEHAVIORS:
            return from_appspec
        return self.file_exists_behavior or "DISALLOW"

    def notification_context(self) -> NotificationContext:
        return NotificationContext(
            application=self.application, deployment_group=self.deployment_group
        )

    @property
    def resolved_hooks(self) -> Hooks:
        """The target revision's scripts per event, from ``hooks`` or ``appspec`` (timed by
        ``script_durations``)."""
        given = self.appspec if self.appspec is not None else self.hooks
        name = "appspec" if self.appspec is not None else "hooks"
        return normalize_hooks(_OWNER, name, given, self._durations())

    @property
    def resolved_previous_hooks(self) -> Hooks:
        """The previous revision's scripts per event: ``previous_hooks``, or the target
        revision's when it is None."""
        if self.previous_hooks is None:
            return self.resolved_hooks
        return normalize_hooks(_OWNER, "previous_hooks", self.previous_hooks, self._durations())

    def __repr__(self) -> str:
        n = len(self.fleet)
        k = int(self.fleet.select(self.targets).shape[0])
        style = "blue/green" if self.blue_green is not None else "in-place"
        lb = "load balancer" if self.load_balancer else "no load balancer"
        return (
            f"ServerDeployment({self.deployment_config.name}, {style}, {k} of {n} instances, {lb})"
        )

    def _repr_html_(self) -> str:
        rule = self.minimum_healthy_hosts
        rows: list[tuple[str, Any]] = [
            ("configuration", self.deployment_config.name),
            ("minimum healthy hosts", f"{rule.type} {rule.value}"),
            ("style", "blue/green" if self.blue_green is not None else "in-place"),
            ("targets", f"{int(self.fleet.select(self.targets).shape[0])} of {len(self.fleet)}"),
            ("load balancer", self.load_balancer),
            (
                "hooks",
                ", ".join(f"{e} ({len(s)})" for e, s in self.resolved_hooks.items()) or "none",
            ),
            ("faults", len(self.faults)),
            (
                "auto rollback",
                ", ".join(self.auto_rollback.events) if self.auto_rollback.enabled else "disabled",
            ),
        ]
        return table("Server deployment", rows)


def _check_script_index(k: int, fault: ScriptFault, hooks: Hooks, previous: Hooks) -> None:
    target = fault.script_revision == "target"
    scripts = (hooks if target else previous).get(fault.event, ())
    if fault.script >= len(scripts):
        which = "hooks" if target else "previous_hooks"
        raise invalid(
            _OWNER,
            f"faults[{k}].script",
            fault.script,
            f"must index a script of {fault.event} in {which} "
            f"({len(scripts)} script{'s' if len(scripts) != 1 else ''})",
            f"Add a Script for {fault.event} to {which}.",
        )
