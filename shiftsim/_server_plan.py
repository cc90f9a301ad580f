"""EC2/on-premises deployments compiled into plain plans, their random draws, and the decision
rules both engines share (private).

The plan
--------
A Server scenario is simulated as a sequence of **passes**. A pass is one walk of CodeDeploy's
minimum-healthy-hosts window over a set of instances that all run the same lifecycle events:

* an in-place deployment (the user's, a rollback, a ``CodeDeployAutoUpdate`` follow-up, an Auto
  Scaling launch deployment) is one pass;
* a blue/green deployment is three: install on the replacements, reroute traffic to them, block
  traffic on the originals (and a blue/green rollback two: allow traffic on the originals, block
  it on the replacements).

A :class:`PassPlan` is plain data: the instances in fleet order (indices into the scenario's
instance table), their health at the pass start, the lifecycle events, the **slots** (one per
script of each revision that can run at an event, and one per reserved event, which runs no
script but takes time), the faults resolved to slots, the instance conditions that stop the agent
(not installed, not running, clock skew beyond the tolerance, stopped), and the window numbers:
the ``minimum`` healthy count, the in-flight ``cap``, and ``base_healthy`` (healthy instances of
the deployment group outside the pass, which count toward the minimum but are not deployed to).

Draw layout
-----------
Every random number comes from ``numpy.random.Generator(PCG64)`` streams on
``SeedSequence(seq.entropy, spawn_key=seq.spawn_key + (role, phase, stream, column))``:

* ``role``: 0 the user's deployment, 1 its rollback, 2 the ``CodeDeployAutoUpdate`` follow-up,
  ``3 + j`` the Auto Scaling launch deployment of scale-out ``j``;
* ``phase``: the pass within the deployment (in-place: 0; blue/green: 0 install, 1 reroute,
  2 block originals; blue/green rollback: 0 allow originals, 1 block replacements);
* ``stream`` 0, durations: column ``j`` is slot ``j``, ``float64[n]`` seconds, one per instance of
  the pass in fleet order, drawn from the slot's duration model (a fixed duration draws nothing);
* ``stream`` 1, faults: column ``f`` is the pass's fault ``f``, ``float64[n]`` uniforms on
  ``[0, 1)``, drawn only when ``0 < probability < 1``; the fault hits instance ``i`` when
  ``u[i] < probability``;
* ``stream`` 2, order: column 0, ``float64[n]`` uniforms, drawn only with ``order="shuffle"``
  (decision D13's option: shuffle within each health class).

Each column has its own stream, so changing one script's model never changes another's draws.
A pass's outcome is a pure function of (plan, draws, start time): each instance's lifecycle
relative to its own start is fixed by the draws (:func:`pass_timeline`); the window decides only
when each instance starts.

Decision rules
--------------
:func:`can_start`, :func:`is_doomed`, :func:`has_succeeded`, :func:`minimum_is_invalid`,
:func:`instance_order`, :func:`stopped_outcome` and :func:`alarm_detection_time` are small pure
functions. The first three work on Python scalars and on numpy arrays alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "PassDraws",
    "PassPlan",
    "Slot",
    "Timeline",
    "alarm_detection_time",
    "can_start",
    "draw_pass",
    "has_succeeded",
    "instance_order",
    "is_doomed",
    "minimum_is_invalid",
    "pass_timeline",
    "stopped_outcome",
]

# ---------------------------------------------------------------------- vocabulary
#: Traffic events before the install events when a load balancer is configured.
BLOCK_EVENTS = ("BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic")
#: The install events, in the agent's order (Agent: deployer.rb).
INSTALL_EVENTS = (
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
)
#: Traffic events after the install events when a load balancer is configured.
ALLOW_EVENTS = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
ALL_EVENTS = BLOCK_EVENTS + INSTALL_EVENTS + ALLOW_EVENTS
#: Events reserved for CodeDeploy: no scripts (UG:reference-appspec-file-structure-hooks.md).
RESERVED_EVENTS = ("DownloadBundle", "Install", "BlockTraffic", "AllowTraffic")
#: Events that run the scripts of the last successful install on the instance.
PREVIOUS_REVISION_EVENTS = ("ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic")
HOOKABLE_EVENTS = tuple(e for e in ALL_EVENTS if e not in RESERVED_EVENTS)

#: Revision codes: which revision's scripts run.
REV_NONE, REV_TARGET, REV_PREVIOUS = 0, 1, 2
#: ``PassPlan.event_source`` value for events that run the last successful install's scripts.
PER_INSTANCE = -1

#: Seconds a lifecycle event may run (D10; UG:limits.md).
EVENT_TIMEOUT = 3600.0
#: Seconds after which an event that never starts fails (D10; UG:limits.md).
AGENT_TIMEOUT = 300.0

#: LifecycleErrorCode (API:Diagnostics).
LIFECYCLE_ERRORS = (
    "Success",
    "ScriptMissing",
    "ScriptNotExecutable",
    "ScriptTimedOut",
    "ScriptFailed",
    "UnknownError",
)
E_SUCCESS, E_MISSING, E_NOT_EXECUTABLE, E_TIMED_OUT, E_FAILED, E_UNKNOWN = range(6)

#: Fault modes.
MODE_NONE, MODE_FAIL, MODE_HANG, MODE_MISSING, MODE_LB = range(5)

#: Why an instance failed, beyond its lifecycle error code (drives the diagnostics text).
CAUSES = (
    "none",
    "script",
    "agent not installed",
    "agent not running",
    "clock skew",
    "stopped",
    "s3 access",
    "event timeout",
    "stopped mid-event",
    "load balancer",
)
(
    C_NONE,
    C_SCRIPT,
    C_NOT_INSTALLED,
    C_NOT_RUNNING,
    C_CLOCK_SKEW,
    C_STOPPED,
    C_S3,
    C_EVENT_TIMEOUT,
    C_STOPPED_MID_EVENT,
    C_LOAD_BALANCER,
) = range(10)
AGENT_CAUSES = (C_NOT_INSTALLED, C_NOT_RUNNING, C_CLOCK_SKEW, C_STOPPED)

#: Lifecycle event and instance status codes used in the arrays.
STATUSES = ("Skipped", "Succeeded", "Failed", "Unknown", "Ready", "Pending")
S_SKIPPED, S_SUCCEEDED, S_FAILED, S_UNKNOWN, S_READY, S_PENDING = range(6)


# ---------------------------------------------------------------------- plan data
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


@dataclass(frozen=True, slots=True, eq=False)
class PassDraws:
    """The random inputs of one pass (see the draw layout in the module docstring)."""

    durations: np.ndarray
    fault_u: tuple[np.ndarray | None, ...]
    order_u: np.ndarray | None


@dataclass(frozen=True, slots=True, eq=False)
class Timeline:
    """Each instance's lifecycle relative to its own start, from the plan and the draws.

    ``rel_end`` is when the instance's deployment ends (seconds after it starts), ``ok``
    whether it succeeds. ``fail_event`` is the failing event's index (-1 if none), ``error`` its
    LifecycleErrorCode index, ``error_slot`` the failing script's slot (-1 if none) and
    ``cause`` an index into :data:`CAUSES`. With ``full=True`` (or when an instance can stop
    mid-pass) the per-event arrays ``ev_*`` are ``(n, events)``.
    """

    rel_end: np.ndarray
    ok: np.ndarray
    fail_event: np.ndarray
    error: np.ndarray
    error_slot: np.ndarray
    cause: np.ndarray
    ev_start: np.ndarray | None = None
    ev_end: np.ndarray | None = None
    ev_status: np.ndarray | None = None
    ev_error: np.ndarray | None = None
    ev_slot: np.ndarray | None = None
    ev_cause: np.ndarray | None = None


# ---------------------------------------------------------------------- decision rules
def minimum_is_invalid(group_size: Any, minimum: Any) -> Any:
    """A minimum at or above the group size fails the deployment at once with
    ``HEALTH_CONSTRAINTS_INVALID`` (UG:instances-health.md).

    >>> minimum_is_invalid(10, 10), minimum_is_invalid(10, 9)
    (True, False)
    """
    return minimum >= group_size


def can_start(in_flight: Any, cap: Any, candidate_healthy: Any, healthy: Any, minimum: Any) -> Any:
    """Whether the next instance may start now.

    At most ``cap`` instances are in flight, and starting a **healthy** instance takes it out of
    the healthy count, so it may start only while ``healthy > minimum`` ("a deployment must never
    cause the number of healthy instances to fall below the minimum", UG:instances-health.md).
    Starting an unhealthy instance never lowers the count.

    >>> can_start(0, 4, True, 5, 5), can_start(0, 4, False, 5, 5), can_start(4, 4, False, 9, 5)
    (False, True, False)
    """
    return (in_flight < cap) & ((candidate_healthy == 0) | (healthy > minimum))


def is_doomed(n: Any, failed: Any, base_healthy: Any, minimum: Any, healthy_idle: Any) -> Any:
    """Whether the deployment can no longer succeed, so it fails now with HEALTH_CONSTRAINTS.

    ``best = n - failed + base_healthy`` is the most healthy instances the group can still
    have. The deployment is doomed when healthy instances wait to be deployed but ``best`` is at
    or below the minimum (none of them could ever start), when ``best`` is below the minimum,
    or when no instance of the pass can still succeed.

    HalfAtATime on 9 instances (minimum 5): the fourth failure dooms it while instances wait.

    >>> is_doomed(9, 4, 0, 5, 1), is_doomed(9, 4, 0, 5, 0), is_doomed(9, 3, 0, 5, 2)
    (True, False, False)
    """
    best = n - failed + base_healthy
    return ((healthy_idle > 0) & (best <= minimum)) | (best < minimum) | (n - failed < 1)


def has_succeeded(succeeded: Any, base_healthy: Any, minimum: Any) -> Any:
    """Overall success once every instance has been deployed to: at least one instance
    succeeded and the healthy count reached the minimum (UG:instances-health.md).

    >>> has_succeeded(1, 0, 0), has_succeeded(0, 0, 0), has_succeeded(8, 0, 9)
    (True, False, False)
    """
    return (succeeded >= 1) & (succeeded + base_healthy >= minimum)


def instance_order(
    healthy: np.ndarray, zone_rank: np.ndarray | None = None, shuffle_u: np.ndarray | None = None
) -> np.ndarray:
    """Positions in start order (decision D13): by zone (zonal deployments), unhealthy
    instances first, then fleet order, or the ``shuffle_u`` uniforms within each health class.

    >>> instance_order(np.array([True, False, True, False])).tolist()
    [1, 3, 0, 2]
    """
    n = healthy.shape[0]
    tie = np.arange(n) if shuffle_u is None else shuffle_u
    keys = [tie, healthy.astype(np.int8)]
    if zone_rank is not None:
        keys.append(zone_rank)
    return np.lexsort(keys)


def stopped_outcome(
    start: float,
    stop_time: float,
    ev_start: np.ndarray,
    ev_end: np.ndarray,
    rel_end: float,
    agent_timeout: float = AGENT_TIMEOUT,
    event_timeout: float = EVENT_TIMEOUT,
) -> tuple[float, int, int]:
    """An instance that stops at ``stop_time`` (absolute seconds) and starts at ``start``.

    Returns ``(rel_end, fail_event, cause)``; ``cause`` is ``C_NONE`` when the stop comes after
    the instance finished. Stopped before it starts: no event starts, the instance fails
    ``agent_timeout`` later. Stopped during an event: the agent never reports, the event fails
    when it times out, ``event_timeout`` after it started (codedeploy.md 8, D10).

    >>> stopped_outcome(0.0, 15.0, np.array([0.0, 10.0]), np.array([10.0, 20.0]), 20.0)
    (3610.0, 1, 8)
    """
    if stop_time <= start:
        return agent_timeout, 0, C_STOPPED
    rel = stop_time - start
    if rel >= rel_end:
        return rel_end, -1, C_NONE
    for e in range(ev_start.shape[0]):
        s, t = ev_start[e], ev_end[e]
        if s <= rel < t:
            return float(s) + event_timeout, e, C_STOPPED_MID_EVENT
    # Between two events (or at a boundary): the next event never starts.
    later = np.flatnonzero(np.nan_to_num(ev_start, nan=-1.0) >= rel)
    nxt = int(later[0]) if later.size else ev_start.shape[0] - 1
    return rel + agent_timeout, nxt, C_STOPPED


def alarm_detection_time(
    initial: Sequence[str], changes: Sequence[tuple[float, int, str]], poll: float
) -> float | None:
    """The first time CodeDeploy sees an alarm in ALARM (seconds), or None.

    CodeDeploy reads alarm state every ``poll`` seconds from second 0 (D2); a state change at
    the instant of a poll is seen by it (CloudWatch evaluates first). ``changes`` holds
    ``(time, alarm index, state)``.

    >>> alarm_detection_time(["OK"], [(61.0, 0, "ALARM")], 60.0)
    120.0
    >>> alarm_detection_time(["OK"], [(61.0, 0, "ALARM"), (90.0, 0, "OK")], 60.0) is None
    True
    """
    states = list(initial)
    ordered = sorted(changes, key=lambda c: c[0])
    t = 0.0
    k = 0
    while True:
        nxt = ordered[k][0] if k < len(ordered) else math.inf
        if "ALARM" in states:
            first = math.ceil(t / poll - 1e-12) * poll
            if first < nxt:
                return float(first)
        if k >= len(ordered):
            return None
        # Apply every change at this instant.
        t = nxt
        while k < len(ordered) and ordered[k][0] == t:
            states[ordered[k][1]] = ordered[k][2]
            k += 1


# ---------------------------------------------------------------------- draws
def _stream(seq: np.random.SeedSequence, *key: int) -> np.random.Generator:
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, *key)))
    )


def sample_duration(model: Any, rng: np.random.Generator | None, n: int) -> np.ndarray:
    """``n`` seconds drawn from a duration model: a number (fixed), an object with
    ``sample(rng, n)`` (shiftsim's Duration) or ``rvs(size=, random_state=)`` (scipy.stats).
    Negative draws are clipped to 0."""
    if isinstance(model, (int, float)) and not isinstance(model, bool):
        return np.full(n, float(model))
    if getattr(model, "is_fixed", False):
        return np.full(n, float(model.a))
    if rng is None:
        raise ValueError("a random duration model needs a generator")
    if hasattr(model, "sample"):
        out = np.asarray(model.sample(rng, n), dtype=np.float64)
    else:
        out = np.asarray(model.rvs(size=n, random_state=rng), dtype=np.float64)
    return np.maximum(out.reshape(n), 0.0)


def is_fixed(model: Any) -> bool:
    return (isinstance(model, (int, float)) and not isinstance(model, bool)) or bool(
        getattr(model, "is_fixed", False)
    )


def draw_pass(plan: PassPlan, seq: np.random.SeedSequence) -> PassDraws:
    """Draw one pass's random inputs in the documented layout."""
    n = plan.n
    key = (plan.role, plan.phase)
    durations = np.empty((n, len(plan.slots)), dtype=np.float64)
    for j, slot in enumerate(plan.slots):
        rng = None if is_fixed(slot.duration) else _stream(seq, *key, 0, j)
        durations[:, j] = sample_duration(slot.duration, rng, n)
    fault_u: list[np.ndarray | None] = []
    for f, rule in enumerate(plan.faults):
        if 0.0 < rule.probability < 1.0:
            fault_u.append(_stream(seq, *key, 1, f).random(n))
        else:
            fault_u.append(None)
    order_u = _stream(seq, *key, 2, 0).random(n) if plan.shuffle else None
    return PassDraws(durations, tuple(fault_u), order_u)


def pass_order(plan: PassPlan, draws: PassDraws) -> np.ndarray:
    """The pass's start order (D13) from its plan and draws."""
    zone = plan.zone if plan.zonal is not None else None
    return instance_order(plan.healthy, zone, draws.order_u)


# ---------------------------------------------------------------------- timelines
def _fault_modes(plan: PassPlan, draws: PassDraws) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per slot: (mode, exit code) arrays over the pass's instances; the first fault wins."""
    n = plan.n
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for rule, u in zip(plan.faults, draws.fault_u):
        if rule.probability <= 0.0:
            continue
        hit = np.ones(n, dtype=bool) if rule.mask is None else rule.mask.copy()
        if u is not None:
            hit &= u < rule.probability
        mode, code = out.get(rule.slot, (np.zeros(n, np.int8), np.zeros(n, np.int16)))
        fresh = hit & (mode == MODE_NONE)
        mode[fresh] = rule.mode
        code[fresh] = rule.exit_code
        out[rule.slot] = (mode, code)
    return out


def pass_timeline(plan: PassPlan, draws: PassDraws, full: bool = False) -> Timeline:
    """Every instance's lifecycle relative to its start, vectorized over instances.

    Scripts of one event run in order; the first failing one ends the event (Agent:
    hook_executor.rb). A script fails (``ScriptFailed``) after its drawn duration, hangs until
    its timeout (``ScriptTimedOut``), or is missing (``ScriptMissing``, at once); a drawn duration
    beyond the script's timeout is ``ScriptTimedOut`` too, and an event still running after 3600 s
    times out (D10). A failure of ApplicationStop, BeforeBlockTraffic or AfterBlockTraffic with
    ``ignore_stop_failures`` is recorded but does not stop the instance (the event is reported
    Succeeded). An instance whose agent cannot work runs no event and fails after
    ``agent_timeout`` (300 s); one whose profile cannot read S3 fails at DownloadBundle.
    """
    n = plan.n
    n_events = len(plan.events)
    dur = draws.durations
    track = full or bool(np.isfinite(plan.stop_time).any())
    agent_bad = plan.agent != C_NONE
    alive = ~agent_bad
    t = np.zeros(n)
    rel_end = np.where(agent_bad, plan.agent_timeout, 0.0)
    fail_event = np.where(agent_bad, 0, -1).astype(np.int16)
    error = np.where(agent_bad, E_UNKNOWN, E_SUCCESS).astype(np.int8)
    error_slot = np.full(n, -1, dtype=np.int32)
    cause = plan.agent.astype(np.int8).copy()
    ev_start = ev_end = ev_status = ev_error = ev_slot = ev_cause = None
    if track:
        ev_start = np.full((n, n_events), np.nan)
        ev_end = np.full((n, n_events), np.nan)
        ev_status = np.full((n, n_events), S_SKIPPED, dtype=np.int8)
        ev_error = np.full((n, n_events), -1, dtype=np.int8)
        ev_slot = np.full((n, n_events), -1, dtype=np.int32)
        ev_cause = np.zeros((n, n_events), dtype=np.int8)
    modes = _fault_modes(plan, draws)
    timeout = plan.event_timeout
    for e, name in enumerate(plan.events):
        e_dur = np.zeros(n)
        e_fail = np.zeros(n, dtype=bool)
        e_err = np.zeros(n, dtype=np.int8)
        e_slot = np.full(n, -1, dtype=np.int32)
        e_cause = np.zeros(n, dtype=np.int8)
        source = plan.event_source[e]
        if source == REV_NONE:
            (j,) = plan.event_slots[e][REV_NONE]
            d = dur[:, j]
            e_dur = d.copy()
            if name == "DownloadBundle":
                bad = ~plan.s3
                e_fail |= bad
                e_err[bad] = E_UNKNOWN
                e_cause[bad] = C_S3
            if j in modes:
                lb = (modes[j][0] == MODE_LB) & ~e_fail
                e_fail |= lb
                e_err[lb] = E_UNKNOWN
                e_cause[lb] = C_LOAD_BALANCER
            over = (d > timeout) & ~e_fail
            e_dur = np.where(over, timeout, e_dur)
            e_fail |= over
            e_err[over] = E_UNKNOWN
            e_cause[over] = C_EVENT_TIMEOUT
        else:
            for revision, slots in plan.event_slots[e].items():
                rows = np.ones(n, dtype=bool) if source != PER_INSTANCE else plan.source == revision
                if not rows.any():
                    continue
                elapsed = np.zeros(n)
                done = np.zeros(n, dtype=bool)
                for j in slots:
                    d = dur[:, j]
                    limit = plan.slots[j].timeout
                    if j in modes:
                        mode = modes[j][0]
                        miss = mode == MODE_MISSING
                        hang = mode == MODE_HANG
                        fail = mode == MODE_FAIL
                    else:
                        miss = hang = fail = np.zeros(n, dtype=bool)
                    timed = hang | (~miss & (d > limit))
                    end = np.where(miss, elapsed, np.where(timed, elapsed + limit, elapsed + d))
                    code = np.where(
                        miss,
                        E_MISSING,
                        np.where(timed, E_TIMED_OUT, np.where(fail, E_FAILED, E_SUCCESS)),
                    ).astype(np.int8)
                    why = np.where(code != E_SUCCESS, C_SCRIPT, C_NONE).astype(np.int8)
                    over = end > timeout
                    end = np.where(over, timeout, end)
                    code = np.where(over, E_TIMED_OUT, code).astype(np.int8)
                    why = np.where(over & (why == C_NONE), C_EVENT_TIMEOUT, why).astype(np.int8)
                    active = rows & ~done
                    new = active & (code != E_SUCCESS)
                    e_fail |= new
                    e_err[new] = code[new]
                    e_slot[new] = j
                    e_cause[new] = why[new]
                    elapsed = np.where(active, end, elapsed)
                    done |= new
                e_dur = np.where(rows, elapsed, e_dur)
        ignored = (
            (e_fail & plan.ignore_stop_failures)
            if name in PREVIOUS_REVISION_EVENTS
            else np.zeros(n, dtype=bool)
        )
        failing = e_fail & ~ignored
        end_e = t + e_dur
        if track:
            assert ev_start is not None and ev_end is not None and ev_status is not None
            assert ev_error is not None and ev_slot is not None and ev_cause is not None
            ev_start[alive, e] = t[alive]
            ev_end[alive, e] = end_e[alive]
            ev_status[alive, e] = np.where(failing[alive], S_FAILED, S_SUCCEEDED)
            ev_error[alive, e] = np.where(e_fail[alive], e_err[alive], E_SUCCESS)
            ev_slot[alive, e] = e_slot[alive]
            ev_cause[alive, e] = e_cause[alive]
        new = alive & failing
        fail_event[new] = e
        error[new] = e_err[new]
        error_slot[new] = e_slot[new]
        cause[new] = e_cause[new]
        rel_end[new] = end_e[new]
        t = np.where(alive, end_e, t)
        alive &= ~failing
    rel_end[alive] = t[alive]
    return Timeline(
        rel_end,
        alive,
        fail_event,
        error,
        error_slot,
        cause,
        ev_start,
        ev_end,
        ev_status,
        ev_error,
        ev_slot,
        ev_cause,
    )


# ---------------------------------------------------------------------- compiling a pass
def event_list(load_balancer: bool) -> tuple[str, ...]:
    """The in-place lifecycle (codedeploy.md 4.1): with a load balancer, the traffic events
    surround the install events."""
    return ALL_EVENTS if load_balancer else INSTALL_EVENTS


def compile_pass(
    *,
    role: int,
    phase: int,
    kind: str,
    instances: np.ndarray,
    events: Sequence[str],
    deployed: int,
    source: np.ndarray,
    healthy: np.ndarray,
    zones: Sequence[str],
    minimum: int,
    cap: int,
    base_healthy: int,
    zonal: Any,
    shuffle: bool,
    hooks: Mapping[int, Mapping[str, Sequence[Any]]],
    reserved: Mapping[str, Any],
    faults: Sequence[Any],
    agent: np.ndarray,
    s3: np.ndarray,
    stop_time: np.ndarray,
    ignore_stop_failures: bool,
) -> PassPlan:
    """Build a :class:`PassPlan`.

    ``instances`` are indices into the scenario's instance table (fleet order); ``source``,
    ``healthy``, ``agent``, ``s3`` and ``stop_time`` are pass-local arrays; ``deployed`` is the
    revision whose scripts run at every event but ApplicationStop, BeforeBlockTraffic and
    AfterBlockTraffic, which run the revision in ``source`` (the instance's last successful
    install, ``REV_NONE`` for a first deployment: no-op). ``faults`` hold objects with
    ``event``, ``revision`` (code), ``script``, ``mode``, ``probability``, ``exit_code`` and
    ``instances`` (a set of instance-table indices, or None).
    """
    events = tuple(events)
    n = int(instances.shape[0])
    slots: list[Slot] = []
    event_slots: list[dict[int, tuple[int, ...]]] = []
    event_source: list[int] = []
    for e, name in enumerate(events):
        if name in RESERVED_EVENTS:
            slots.append(Slot(e, REV_NONE, -1, name, EVENT_TIMEOUT, None, reserved[name]))
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
            scripts = hooks.get(revision, {}).get(name, ())
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
    position = {int(g): k for k, g in enumerate(instances.tolist())} if faults else {}
    rules: list[FaultRule] = []
    for fault in faults:
        if fault.event not in events:
            continue
        e = events.index(fault.event)
        if fault.mode == MODE_LB:
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
    zone_names = tuple(dict.fromkeys(zones))
    code = {z: k for k, z in enumerate(zone_names)}
    zone = np.fromiter((code[z] for z in zones), dtype=np.int32, count=n)
    zone_rule = None
    if zonal is not None:
        sizes = np.bincount(zone, minlength=len(zone_names))
        per_zone = zonal.minimum_healthy_hosts_per_zone
        zmin = tuple(int(per_zone.minimum(int(s))) for s in sizes)
        zone_rule = ZoneRule(
            zmin,
            tuple(int(s) - m for s, m in zip(sizes, zmin)),
            float(zonal.first_zone_monitor_seconds),
            float(zonal.monitor_duration_in_seconds or 0),
        )
    return PassPlan(
        role=role,
        phase=phase,
        kind=kind,
        instances=instances,
        events=events,
        healthy=healthy,
        zone=zone,
        zone_names=zone_names,
        minimum=int(minimum),
        cap=int(cap),
        base_healthy=int(base_healthy),
        zonal=zone_rule,
        shuffle=shuffle,
        source=source.astype(np.int8),
        event_source=tuple(event_source),
        slots=tuple(slots),
        event_slots=tuple(event_slots),
        faults=tuple(rules),
        agent=agent.astype(np.int8),
        s3=s3.astype(bool),
        stop_time=stop_time.astype(np.float64),
        ignore_stop_failures=bool(ignore_stop_failures),
    )
