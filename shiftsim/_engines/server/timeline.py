"""Each instance's lifecycle relative to its own start, from a pass's plan and draws.

The window engines (:mod:`.core`, :mod:`.kernel`) decide only when each instance starts; what
happens to it from then on is fixed here, vectorized over the pass's instances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shiftsim._engines.server.codes import (
    C_EVENT_TIMEOUT,
    C_FILE_EXISTS,
    C_LOAD_BALANCER,
    C_NONE,
    C_S3,
    C_SCRIPT,
    E_FAILED,
    E_MISSING,
    E_SUCCESS,
    E_TIMED_OUT,
    E_UNKNOWN,
    MODE_FAIL,
    MODE_FILE,
    MODE_HANG,
    MODE_LB,
    MODE_MISSING,
    MODE_NONE,
    PER_INSTANCE,
    REV_NONE,
    S_FAILED,
    S_SKIPPED,
    S_SUCCEEDED,
)
from shiftsim._engines.server.draws import PassDraws
from shiftsim._engines.server.plan import PassPlan
from shiftsim.server.lifecycle import PREVIOUS_REVISION_EVENTS

__all__ = ["Timeline", "pass_timeline"]


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


class _Event:
    """One lifecycle event over the pass's instances: its duration, whether it fails, and
    the failure's error code, script slot and cause."""

    __slots__ = ("cause", "dur", "err", "fail", "slot")

    def __init__(self, n: int) -> None:
        self.dur = np.zeros(n)
        self.fail = np.zeros(n, dtype=bool)
        self.err = np.zeros(n, dtype=np.int8)
        self.slot = np.full(n, -1, dtype=np.int32)
        self.cause = np.zeros(n, dtype=np.int8)

    def mark(self, rows: np.ndarray, err: int, cause: int) -> None:
        self.fail |= rows
        self.err[rows] = err
        self.cause[rows] = cause


def _reserved_event(
    plan: PassPlan, e: int, dur: np.ndarray, modes: dict[int, tuple[np.ndarray, np.ndarray]]
) -> _Event:
    """A reserved event: it runs no script but takes its drawn time; DownloadBundle fails
    without S3 access, BlockTraffic and AllowTraffic with a load-balancer fault, Install with a
    file conflict under DISALLOW (D16)."""
    out = _Event(plan.n)
    timeout = plan.event_timeout
    (j,) = plan.event_slots[e][REV_NONE]
    d = dur[:, j]
    out.dur = d.copy()
    if plan.events[e] == "DownloadBundle":
        out.mark(~plan.s3, E_UNKNOWN, C_S3)
    if j in modes:
        out.mark((modes[j][0] == MODE_LB) & ~out.fail, E_UNKNOWN, C_LOAD_BALANCER)
        out.mark((modes[j][0] == MODE_FILE) & ~out.fail, E_UNKNOWN, C_FILE_EXISTS)
    over = (d > timeout) & ~out.fail
    out.dur = np.where(over, timeout, out.dur)
    out.mark(over, E_UNKNOWN, C_EVENT_TIMEOUT)
    return out


def _script_event(
    plan: PassPlan, e: int, dur: np.ndarray, modes: dict[int, tuple[np.ndarray, np.ndarray]]
) -> _Event:
    """An event that runs scripts in order; the first failing one ends it."""
    n = plan.n
    out = _Event(n)
    source = plan.event_source[e]
    for revision, slots in plan.event_slots[e].items():
        rows = np.ones(n, dtype=bool) if source != PER_INSTANCE else plan.source == revision
        if not rows.any():
            continue
        elapsed = np.zeros(n)
        done = np.zeros(n, dtype=bool)
        for j in slots:
            end, code, why = _script(plan, j, dur[:, j], modes, elapsed)
            active = rows & ~done
            new = active & (code != E_SUCCESS)
            out.fail |= new
            out.err[new] = code[new]
            out.slot[new] = j
            out.cause[new] = why[new]
            elapsed = np.where(active, end, elapsed)
            done |= new
        out.dur = np.where(rows, elapsed, out.dur)
    return out


def _script(
    plan: PassPlan,
    j: int,
    d: np.ndarray,
    modes: dict[int, tuple[np.ndarray, np.ndarray]],
    elapsed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The script of slot ``j`` started ``elapsed`` seconds into its event: (end within the
    event, LifecycleErrorCode, cause)."""
    n = plan.n
    timeout = plan.event_timeout
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
    return end, code, why


class _Tracks:
    """The per-event ``(n, events)`` arrays of a full timeline."""

    __slots__ = ("cause", "end", "error", "slot", "start", "status")

    def __init__(self, n: int, n_events: int) -> None:
        self.start = np.full((n, n_events), np.nan)
        self.end = np.full((n, n_events), np.nan)
        self.status = np.full((n, n_events), S_SKIPPED, dtype=np.int8)
        self.error = np.full((n, n_events), -1, dtype=np.int8)
        self.slot = np.full((n, n_events), -1, dtype=np.int32)
        self.cause = np.zeros((n, n_events), dtype=np.int8)

    def record(
        self,
        e: int,
        alive: np.ndarray,
        t: np.ndarray,
        end: np.ndarray,
        failing: np.ndarray,
        ev: _Event,
    ) -> None:
        self.start[alive, e] = t[alive]
        self.end[alive, e] = end[alive]
        self.status[alive, e] = np.where(failing[alive], S_FAILED, S_SUCCEEDED)
        self.error[alive, e] = np.where(ev.fail[alive], ev.err[alive], E_SUCCESS)
        self.slot[alive, e] = ev.slot[alive]
        self.cause[alive, e] = ev.cause[alive]


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
    tracks = _Tracks(n, len(plan.events)) if track else None
    modes = _fault_modes(plan, draws)
    for e, name in enumerate(plan.events):
        if plan.event_source[e] == REV_NONE:
            ev = _reserved_event(plan, e, dur, modes)
        else:
            ev = _script_event(plan, e, dur, modes)
        ignored = (
            (ev.fail & plan.ignore_stop_failures)
            if name in PREVIOUS_REVISION_EVENTS
            else np.zeros(n, dtype=bool)
        )
        failing = ev.fail & ~ignored
        end_e = t + ev.dur
        if tracks is not None:
            tracks.record(e, alive, t, end_e, failing, ev)
        new = alive & failing
        fail_event[new] = e
        error[new] = ev.err[new]
        error_slot[new] = ev.slot[new]
        cause[new] = ev.cause[new]
        rel_end[new] = end_e[new]
        t = np.where(alive, end_e, t)
        alive &= ~failing
    rel_end[alive] = t[alive]
    if tracks is None:
        return Timeline(rel_end, alive, fail_event, error, error_slot, cause)
    return Timeline(
        rel_end,
        alive,
        fail_event,
        error,
        error_slot,
        cause,
        tracks.start,
        tracks.end,
        tracks.status,
        tracks.error,
        tracks.slot,
        tracks.cause,
    )
