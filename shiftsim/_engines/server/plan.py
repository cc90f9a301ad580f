"""A :class:`~shiftsim.server.ServerDeployment` compiled into plain data: the scenario's
:class:`ServerPlan`, and the :class:`PassPlan` of each walk of the minimum-healthy-hosts window.

A Server scenario is simulated as a sequence of **passes**. A pass is one walk of CodeDeploy's
minimum-healthy-hosts window over a set of instances that all run the same lifecycle events:

* an in-place deployment (the user's, a rollback, a ``CodeDeployAutoUpdate`` follow-up, an Auto
  Scaling launch deployment) is one pass;
* a blue/green deployment is three: install on the replacements, reroute traffic to them, block
  traffic on the originals (and a blue/green rollback two: allow traffic on the originals, block
  it on the replacements).

:func:`compile_plan` turns the deployment into a :class:`ServerPlan` once: the instance table
(the fleet, then blue/green replacements, then scale-out launches), their conditions, the hooks
of both revisions, the faults resolved to instance-table indices, the moment an alarm or a manual
stop interrupts, and the rollback settings. The runner (:mod:`.runner`) compiles each pass from
it with :func:`compile_pass` as the run unfolds, since a pass's instances and their health
depend on the passes before it.

A :class:`PassPlan` is plain data: the instances in fleet order (indices into the instance
table), their health at the pass start, the lifecycle events, the **slots** (one per script of
each revision that can run at an event, and one per reserved event, which runs no script but
takes time), the faults resolved to slots, the instance conditions that stop the agent (not
installed, not running, clock skew beyond the tolerance, stopped), and the window numbers: the
``minimum`` healthy count, the in-flight ``cap``, and ``base_healthy`` (healthy instances of the
deployment group outside the pass, which count toward the minimum but are not deployed to).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._engines.server.codes import (
    C_CLOCK_SKEW,
    C_NOT_INSTALLED,
    C_NOT_RUNNING,
    C_STOPPED,
    MODE_FAIL,
    MODE_FILE,
    MODE_HANG,
    MODE_LB,
    MODE_MISSING,
    PER_INSTANCE,
    REV_NONE,
    REV_PREVIOUS,
    REV_TARGET,
)
from shiftsim._engines.server.rules import alarm_detection_time
from shiftsim._server_model.auto_scaling import launch_ids
from shiftsim._server_model.blue_green import BlueGreen
from shiftsim._server_model.deployment import ServerDeployment
from shiftsim._server_model.faults import FileConflict, InstanceStop, LoadBalancerFault
from shiftsim._server_model.lifecycle import (
    AGENT_TIMEOUT,
    EVENT_TIMEOUT,
    PREVIOUS_REVISION_EVENTS,
    RESERVED_EVENTS,
)
from shiftsim._server_model.scripts import Hooks
from shiftsim.configs import MinimumHealthyHosts, ZonalConfig
from shiftsim.fleet import Fleet
from shiftsim.vocabulary import ErrorCode

__all__ = [
    "FaultRule",
    "FaultSpec",
    "PassPlan",
    "ServerPlan",
    "Slot",
    "ZoneRule",
    "compile_pass",
    "compile_plan",
]


@dataclass(frozen=True, slots=True)
class Slot:
    """One column of the duration draws: a script of one revision at one event, or a reserved
    event (``revision == REV_NONE``, ``script == -1``)."""

    event: int
    revision: int
    script: int
    location: str
    timeout: float
    runas: str | None
    duration: Any


@dataclass(frozen=True, slots=True, eq=False)
class FaultRule:
    """A fault resolved to one slot of a pass; ``mask`` (pass-local) is None for every
    instance."""

    slot: int
    mode: int
    probability: float
    mask: np.ndarray | None
    exit_code: int = 1


@dataclass(frozen=True, slots=True)
class ZoneRule:
    """Zonal configuration of a pass (one Availability Zone at a time)."""

    minimum: tuple[int, ...]
    cap: tuple[int, ...]
    first_monitor: float
    monitor: float


@dataclass(frozen=True, slots=True, eq=False)
class PassPlan:
    """One walk of the minimum-healthy-hosts window; see the module docstring."""

    role: int
    phase: int
    kind: str
    instances: np.ndarray
    events: tuple[str, ...]
    healthy: np.ndarray
    revision: np.ndarray
    zone: np.ndarray
    zone_names: tuple[str, ...]
    minimum: int
    cap: int
    base_healthy: int
    zonal: ZoneRule | None
    shuffle: bool
    source: np.ndarray
    event_source: tuple[int, ...]
    slots: tuple[Slot, ...]
    event_slots: tuple[Mapping[int, tuple[int, ...]], ...]
    faults: tuple[FaultRule, ...]
    agent: np.ndarray
    s3: np.ndarray
    stop_time: np.ndarray
    ignore_stop_failures: bool
    agent_timeout: float = AGENT_TIMEOUT
    event_timeout: float = EVENT_TIMEOUT

    @property
    def n(self) -> int:
        return int(self.instances.shape[0])


def compile_pass(
    scenario: ServerPlan,
    *,
    role: int,
    phase: int,
    kind: str,
    instances: np.ndarray,
    events: Sequence[str],
    deployed: int,
    source: np.ndarray,
    healthy: np.ndarray,
    revision: np.ndarray,
    t0: float,
    minimum: int,
    cap: int,
    base_healthy: int = 0,
    zonal: bool = False,
    terminating: bool = False,
) -> PassPlan:
    """One pass of ``scenario`` starting at ``t0``.

    ``instances`` are indices into the scenario's instance table (fleet order); ``source``
    (each instance's last successful install), ``healthy`` and ``revision`` (revision health
    codes: 0 Current, 1 Old, 2 Unknown; D13) are pass-local arrays;
    ``deployed`` is the revision whose scripts run at every event but ApplicationStop,
    BeforeBlockTraffic and AfterBlockTraffic, which run the revision in ``source`` (``REV_NONE``
    for a first deployment: no-op). Instances stopped by ``t0`` run with a stopped agent and
    count as unhealthy; ``zonal`` applies the scenario's zonal configuration. A
    ``terminating`` pass (a termination deployment at a scale-in) runs on instances whose stop
    time is the scale-in itself, so their agent works.
    """
    events = tuple(events)
    stopped_now = scenario.stopped[instances]
    if not terminating:
        stopped_now = stopped_now | (scenario.stop_time[instances] <= t0)
    agent = scenario.agent[instances].copy()
    agent[stopped_now] = C_STOPPED
    slots, event_slots, event_source = _slots(events, deployed, source, scenario)
    zone, zone_names, zone_rule = _zones(
        [scenario.zone[k] for k in instances.tolist()], scenario.zonal if zonal else None
    )
    return PassPlan(
        role=role,
        phase=phase,
        kind=kind,
        instances=instances,
        events=events,
        healthy=healthy & ~stopped_now,
        revision=revision.astype(np.int8),
        zone=zone,
        zone_names=zone_names,
        minimum=int(minimum),
        cap=int(cap),
        base_healthy=int(base_healthy),
        zonal=zone_rule,
        shuffle=scenario.shuffle,
        source=source.astype(np.int8),
        event_source=tuple(event_source),
        slots=tuple(slots),
        event_slots=tuple(event_slots),
        faults=_fault_rules(
            [f for f in scenario.faults if f.mode != MODE_FILE or scenario.disallow[deployed]],
            events,
            slots,
            instances,
        ),
        agent=agent.astype(np.int8),
        s3=scenario.s3[instances].astype(bool),
        stop_time=np.where(stopped_now | terminating, np.inf, scenario.stop_time[instances]).astype(
            np.float64
        ),
        ignore_stop_failures=bool(scenario.ignore_stop_failures),
    )


def _slots(
    events: tuple[str, ...], deployed: int, source: np.ndarray, scenario: ServerPlan
) -> tuple[list[Slot], list[dict[int, tuple[int, ...]]], list[int]]:
    """The duration columns of a pass: (slots, each event's slots per revision, each event's
    script source)."""
    slots: list[Slot] = []
    event_slots: list[dict[int, tuple[int, ...]]] = []
    event_source: list[int] = []
    for e, name in enumerate(events):
        if name in RESERVED_EVENTS:
            slots.append(Slot(e, REV_NONE, -1, name, EVENT_TIMEOUT, None, scenario.reserved[name]))
            event_slots.append({REV_NONE: (len(slots) - 1,)})
            event_source.append(REV_NONE)
            continue
        if name in PREVIOUS_REVISION_EVENTS:
            revisions = [int(r) for r in (REV_TARGET, REV_PREVIOUS) if (source == r).any()]
            event_source.append(PER_INSTANCE)
        else:
            revisions = [deployed]
            event_source.append(deployed)
        table: dict[int, tuple[int, ...]] = {}
        for revision in revisions:
            scripts = scenario.hooks.get(revision, {}).get(name, ())
            idx = []
            for k, script in enumerate(scripts):
                slots.append(
                    Slot(
                        e,
                        revision,
                        k,
                        script.location,
                        float(script.timeout),
                        script.runas,
                        script.duration,
                    )
                )
                idx.append(len(slots) - 1)
            table[revision] = tuple(idx)
        event_slots.append(table)
    return slots, event_slots, event_source


def _fault_rules(
    faults: Sequence[FaultSpec],
    events: tuple[str, ...],
    slots: Sequence[Slot],
    instances: np.ndarray,
) -> tuple[FaultRule, ...]:
    """The scenario's faults that apply to this pass, each resolved to its slot."""
    n = int(instances.shape[0])
    position = {int(g): k for k, g in enumerate(instances.tolist())} if faults else {}
    rules: list[FaultRule] = []
    for fault in faults:
        if fault.event not in events:
            continue
        e = events.index(fault.event)
        if fault.mode in (MODE_LB, MODE_FILE):
            revision, k = REV_NONE, -1
        else:
            revision, k = fault.revision, fault.script
        hit = [
            j
            for j, s in enumerate(slots)
            if s.event == e and s.revision == revision and s.script == k
        ]
        if not hit:
            continue
        mask = None
        if fault.instances is not None:
            mask = np.zeros(n, dtype=bool)
            local = [position[g] for g in fault.instances if g in position]
            if not local:
                continue
            mask[local] = True
        rules.append(
            FaultRule(hit[0], fault.mode, float(fault.probability), mask, int(fault.exit_code))
        )
    return tuple(rules)


def _zones(
    zones: Sequence[str], zonal: ZonalConfig | None
) -> tuple[np.ndarray, tuple[str, ...], ZoneRule | None]:
    """Zone codes of the pass's instances (in order of first appearance), and the per-zone
    window when the pass is zonal."""
    zone_names = tuple(dict.fromkeys(zones))
    code = {z: k for k, z in enumerate(zone_names)}
    zone = np.fromiter((code[z] for z in zones), dtype=np.int32, count=len(zones))
    if zonal is None:
        return zone, zone_names, None
    sizes = np.bincount(zone, minlength=len(zone_names))
    per_zone = zonal.minimum_healthy_hosts_per_zone
    zmin = tuple(int(per_zone.minimum(int(s))) for s in sizes)
    rule = ZoneRule(
        zmin,
        tuple(int(s) - m for s, m in zip(sizes, zmin)),
        float(zonal.first_zone_monitor_seconds),
        float(zonal.monitor_duration_in_seconds or 0),
    )
    return zone, zone_names, rule


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """A :class:`~shiftsim.server.ScriptFault` or :class:`~shiftsim.server.LoadBalancerFault`
    with its revision and mode as codes and its instances as instance-table indices (None for
    every instance)."""

    event: str
    revision: int
    script: int
    mode: int
    probability: float
    exit_code: int
    instances: frozenset[int] | None


@dataclass(frozen=True, slots=True, eq=False)
class ServerPlan:
    """A :class:`~shiftsim.server.ServerDeployment` compiled to plain data: the instance table
    (the fleet, then blue/green replacements, then scale-out launches), conditions, hooks,
    faults, the moment an alarm or a manual stop interrupts, and rollback settings. Passes are
    compiled from it with :func:`compile_pass` as the run unfolds."""

    config_name: str
    minimum_rule: MinimumHealthyHosts
    zonal: ZonalConfig | None
    load_balancer: bool
    blue_green: BlueGreen | None
    ids: tuple[str, ...]
    zone: tuple[str, ...]
    group: tuple[str | None, ...]
    healthy: np.ndarray
    revision: np.ndarray
    last_install: np.ndarray
    agent: np.ndarray
    s3: np.ndarray
    stopped: np.ndarray
    stop_time: np.ndarray
    targets: np.ndarray
    green: np.ndarray
    launches: tuple[tuple[float, str, np.ndarray], ...]
    scale_ins: tuple[tuple[float, str, np.ndarray], ...]
    termination_hook: bool
    hooks: Mapping[int, Hooks]
    reserved: Mapping[str, Any]
    faults: tuple[FaultSpec, ...]
    ignore_stop_failures: bool
    interrupt_time: float
    interrupt_code: str | None
    interrupt_message: str
    interrupt_rolls_back: bool
    rollback_on_failure: bool
    has_previous: bool
    disallow: Mapping[int, bool]
    run_time_limit: float
    update_outdated: bool
    shuffle: bool
    max_instances: int | None


#: The instance columns the table takes from a fleet.
_COLUMNS = (
    "healthy",
    "revision",
    "agent_installed",
    "agent_running",
    "clock_skew_seconds",
    "s3_access",
    "stopped",
)


class _InstanceTable:
    """The scenario's instances, built up column by column: the fleet, then blue/green
    replacements, then scale-out launches."""

    def __init__(self, fleet: Fleet) -> None:
        self.ids = list(fleet.ids)
        self.zone = list(fleet.column("availability_zone"))
        self.group = list(fleet.column("auto_scaling_group"))
        self.cols: dict[str, list[np.ndarray]] = {c: [fleet.column(c)] for c in _COLUMNS}

    def add(self, ids: Sequence[str], zones: Sequence[str], groups: Sequence[str | None]) -> None:
        """Append instances' ids, zones and groups (their columns are appended separately)."""
        self.ids += list(ids)
        self.zone += list(zones)
        self.group += list(groups)

    def add_fresh(self, count: int, healthy: bool) -> None:
        """Columns of ``count`` new instances: no revision installed, agent fine."""
        self.cols["healthy"].append(np.full(count, healthy, bool))
        self.cols["revision"].append(np.full(count, 2, np.int8))
        for name in ("agent_installed", "agent_running", "s3_access"):
            self.cols[name].append(np.ones(count, bool))
        self.cols["clock_skew_seconds"].append(np.zeros(count))
        self.cols["stopped"].append(np.zeros(count, bool))

    def column(self, name: str) -> np.ndarray:
        """One column over the whole table."""
        return np.concatenate(self.cols[name])


def _add_green(table: _InstanceTable, d: ServerDeployment, targets: np.ndarray) -> np.ndarray:
    """Add the blue/green replacements; returns their instance-table indices."""
    bg = d.blue_green
    fleet = d.fleet
    start = len(table.ids)
    if bg is None:
        return np.zeros(0, dtype=np.int64)
    if bg.green_fleet_provisioning == "DISCOVER_EXISTING":
        assert bg.green_fleet is not None
        gf = bg.green_fleet
        chosen = gf.select(bg.green_targets)
        rows = chosen.tolist()
        table.add(
            [gf.ids[k] for k in rows],
            [gf.column("availability_zone")[k] for k in rows],
            [gf.column("auto_scaling_group")[k] for k in rows],
        )
        for name in _COLUMNS:
            table.cols[name].append(gf.column(name)[chosen])
    else:
        # COPY_AUTO_SCALING_GROUP: one replacement per healthy original in an ASG.
        fg = fleet.column("auto_scaling_group")
        ok = fleet.column("healthy") & ~fleet.column("stopped")
        source = [k for k in targets.tolist() if fg[k] is not None and ok[k]]
        table.add(
            [f"{fleet.ids[k]}-green" for k in source],
            [fleet.column("availability_zone")[k] for k in source],
            [f"CodeDeploy_{d.deployment_group}_green" for _ in source],
        )
        table.add_fresh(len(source), healthy=True)
    return np.arange(start, len(table.ids), dtype=np.int64)


def _add_launches(
    table: _InstanceTable, d: ServerDeployment
) -> tuple[tuple[float, str, np.ndarray], ...]:
    """Add the scale-out launches; returns (second, group, indices) per scale-out."""
    if not d.scale_outs:
        return ()
    n_fleet = len(d.fleet)
    asg_zones: dict[str, list[str]] = {}
    for k in range(n_fleet):
        group = table.group[k]
        if group is not None:
            asg_zones.setdefault(group, []).append(table.zone[k])
    launches = []
    for j, s in enumerate(d.scale_outs):
        start = len(table.ids)
        zones = list(dict.fromkeys(asg_zones.get(s.auto_scaling_group, []))) or [table.zone[0]]
        table.add(
            launch_ids(s, j),
            [zones[k % len(zones)] for k in range(s.count)],
            [s.auto_scaling_group] * s.count,
        )
        table.add_fresh(s.count, healthy=False)
        launches.append(
            (
                s.at_minute * 60.0,
                s.auto_scaling_group,
                np.arange(start, len(table.ids), dtype=np.int64),
            )
        )
    return tuple(launches)


def _fault_specs(
    d: ServerDeployment, ids: Sequence[str], stop_time: np.ndarray
) -> tuple[FaultSpec, ...]:
    """The script and load-balancer faults as specs; instance stops go into ``stop_time``."""
    index = {ident: k for k, ident in enumerate(ids)} if d.faults else {}
    modes = {"fail": MODE_FAIL, "hang": MODE_HANG, "missing": MODE_MISSING}
    faults: list[FaultSpec] = []
    for fault in d.faults:
        if isinstance(fault, InstanceStop):
            k = index[fault.instance]
            stop_time[k] = min(stop_time[k], fault.at_minute * 60.0)
            continue
        members = None if fault.instances is None else frozenset(index[i] for i in fault.instances)
        if isinstance(fault, LoadBalancerFault):
            faults.append(
                FaultSpec(fault.event, REV_NONE, -1, MODE_LB, fault.probability, 1, members)
            )
            continue
        if isinstance(fault, FileConflict):
            faults.append(
                FaultSpec("Install", REV_NONE, -1, MODE_FILE, fault.probability, 1, members)
            )
            continue
        faults.append(
            FaultSpec(
                fault.event,
                REV_TARGET if fault.script_revision == "target" else REV_PREVIOUS,
                fault.script,
                modes[fault.mode],
                fault.probability,
                fault.exit_code,
                members,
            )
        )
    return tuple(faults)


def _scale_ins(
    d: ServerDeployment, stop_time: np.ndarray
) -> tuple[tuple[float, str, np.ndarray], ...]:
    """(second, group, fleet indices) per scale-in; a scale-in stops its instances for the
    deployments running on them (``stop_time``)."""
    out = []
    for k, s in enumerate(d.scale_ins):
        idx = np.asarray([d.fleet.index_of(i) for i in d.scale_in_ids(k)], dtype=np.int64)
        t = s.at_minute * 60.0
        stop_time[idx] = np.minimum(stop_time[idx], t)
        out.append((t, s.auto_scaling_group, idx))
    return tuple(out)


def _interrupt(d: ServerDeployment) -> tuple[float, str | None, str, bool]:
    """The moment the user's deployment is interrupted (an alarm CodeDeploy sees, or a stop):
    (second, error code, message, whether it rolls back); ``inf`` if never."""
    interrupt, code, message, rolls_back = math.inf, None, "", False
    if d.alarms:
        names = [a.name for a in d.alarms]
        changes = [(m * 60.0, names.index(name), state) for m, name, state in d.alarm_events]
        seen = alarm_detection_time(
            [a.initial_state for a in d.alarms], changes, d.alarm_poll_interval
        )
        if seen is not None:
            active = _alarms_in_alarm(d, seen)
            interrupt, code = seen, ErrorCode.ALARM_ACTIVE.value
            message = (
                "One or more alarms have been activated according to the Amazon "
                "CloudWatch metrics you selected, and the affected deployments have been "
                f"stopped. Activated alarms: <{', '.join(active)}>"
            )
            rolls_back = d.auto_rollback.rolls_back("DEPLOYMENT_STOP_ON_ALARM")
    if d.manual_stop is not None and d.manual_stop.at_minute * 60.0 < interrupt:
        interrupt, code = d.manual_stop.at_minute * 60.0, ErrorCode.MANUAL_STOP.value
        message = ErrorCode.MANUAL_STOP.message
        rolls_back = d.manual_stop.rolls_back(d.auto_rollback)
    return interrupt, code, message, rolls_back


def _alarms_in_alarm(d: ServerDeployment, time: float) -> list[str]:
    states = {a.name: a.initial_state for a in d.alarms}
    for minute, name, state in sorted(d.alarm_events, key=lambda e: e[0]):
        if minute * 60.0 <= time:
            states[name] = state
    return [name for name, state in states.items() if state == "ALARM"]


def _agent_codes(table: _InstanceTable, tolerance: float) -> np.ndarray:
    """Why each instance's agent cannot work (``C_NONE`` when it can); the last reason wins."""
    agent = np.zeros(len(table.ids), np.int8)
    agent[np.abs(table.column("clock_skew_seconds")) > tolerance] = C_CLOCK_SKEW
    agent[~table.column("agent_running")] = C_NOT_RUNNING
    agent[~table.column("agent_installed")] = C_NOT_INSTALLED
    return agent


def compile_plan(d: ServerDeployment) -> ServerPlan:
    """Compile a deployment into the plain data both engines start from.

    Examples
    --------
    >>> from shiftsim.fleet import Fleet
    >>> plan = compile_plan(ServerDeployment("HalfAtATime", fleet=Fleet.of_size(4)))
    >>> plan.config_name, plan.targets.tolist()
    ('CodeDeployDefault.HalfAtATime', [0, 1, 2, 3])
    """
    fleet = d.fleet
    config = d.deployment_config
    table = _InstanceTable(fleet)
    targets = fleet.select(d.targets)
    green = _add_green(table, d, targets)
    launches = _add_launches(table, d)
    rev = table.column("revision").astype(np.int8)
    stop_time = np.full(len(table.ids), np.inf)
    faults = _fault_specs(d, table.ids, stop_time)
    scale_ins = _scale_ins(d, stop_time)
    interrupt, code, message, rolls_back = _interrupt(d)
    fleet_rev = fleet.column("revision")[targets]
    return ServerPlan(
        config_name=config.name,
        minimum_rule=d.minimum_healthy_hosts,
        zonal=config.zonal_config,
        load_balancer=d.load_balancer,
        blue_green=d.blue_green,
        ids=tuple(table.ids),
        zone=tuple(table.zone),
        group=tuple(table.group),
        healthy=table.column("healthy").astype(bool),
        revision=rev,
        # Fleet revision codes: 0 Current, 1 Old, 2 Unknown -> whose scripts ApplicationStop
        # runs: Current and Old instances hold an earlier revision than the one deployed (the
        # group's last successful one, or an older one), both modelled by ``previous_hooks``.
        last_install=np.choose(rev, [REV_PREVIOUS, REV_PREVIOUS, REV_NONE]).astype(np.int8),
        agent=_agent_codes(table, d.clock_skew_tolerance_seconds),
        s3=table.column("s3_access").astype(bool),
        stopped=table.column("stopped").astype(bool),
        stop_time=stop_time,
        targets=targets,
        green=green,
        launches=launches,
        scale_ins=scale_ins,
        termination_hook=d.termination_hook_enabled,
        hooks={REV_TARGET: d.resolved_hooks, REV_PREVIOUS: d.resolved_previous_hooks},
        reserved=dict(d.reserved_durations),
        faults=faults,
        ignore_stop_failures=d.ignore_application_stop_failures,
        interrupt_time=interrupt,
        interrupt_code=code,
        interrupt_message=message,
        interrupt_rolls_back=rolls_back,
        rollback_on_failure=d.auto_rollback.rolls_back("DEPLOYMENT_FAILURE"),
        has_previous=bool((fleet_rev != 2).any()),
        # D16: whether a file conflict fails Install, per deployed revision: the target's
        # option, and the last successful deployment's for its revision (rollbacks, launches).
        disallow={
            REV_TARGET: d.effective_file_exists_behavior == "DISALLOW",
            REV_PREVIOUS: (d.previous_file_exists_behavior or "DISALLOW") == "DISALLOW",
        },
        run_time_limit=d.run_time_limit_minutes * 60.0,
        update_outdated=d.outdated_instances_strategy == "UPDATE",
        shuffle=d.order == "shuffle",
        max_instances=d.max_instances,
    )
