"""The vectorized kernel for EC2/on-premises passes: the minimum-healthy-hosts window on arrays.

:func:`window_kernel` is the array form of :func:`~.core.run_window` and returns the same
:class:`~.record.PassRecord` (both fill the :class:`~.record.WindowEngine` seam). What the event
core decides instance by instance, it decides in batches:

Each instance's lifecycle relative to its own start is fixed by the draws
(``timeline.rel_end``, ``timeline.ok``), so the window only decides **when each instance starts**.
With ``S(t)`` successes and ``F(t)`` failures finished by ``t`` (the instant included: CodeDeploy
reacts to finishes before it fills the window), the instance at position ``j`` of the start order
may start once

* ``S + F >= j + 1 - cap`` (at most ``cap`` in flight), and, for a healthy instance,
* ``S >= j + 1 - (n + base_healthy - minimum)`` (starting it must leave more than ``minimum``
  healthy: :func:`~.rules.can_start`).

So instance ``j`` starts at an order statistic of the finish times of instances started before
it. A batch of waiting instances takes its start times from the finishes already known, and the
longest prefix of the batch none of whose own finishes comes before the batch's last start is
exact; that prefix is committed and its finishes merged in. Finish times below every future need
are dropped, so the sorted arrays stay about ``cap`` long. Then the doom rule
(:func:`~.rules.is_doomed`, checked at each failure), a stall (nothing in flight
and the next instance may not start), the interrupt deadline and the last finish decide how the
pass ends, in the core's priority order at one instant.

A zonal pass (:class:`~shiftsim.configs.ZonalConfig`) is walked zone by zone: only one zone
is in flight at a time, so each zone is the same window on its own instances, with the tighter
of the fleet and the zone rules (``cap = min(cap, zone cap)``; the fleet minimum counts the
healthy instances outside the zone as ``base_healthy``), started when the zone opens; a zone's
end opens the next after its monitor period (:func:`_zonal_kernel`).

A pass with instances that stop during it (:class:`~shiftsim.server.InstanceStop`) changes the
healthy count at instants the start times decide, so it is walked by the event core's window
(:func:`~.core.run_window`), which gives the same record by construction.
"""

from __future__ import annotations

import heapq
import math
from typing import NamedTuple

import numpy as np

from shiftsim._engines.server.codes import S_FAILED, S_SKIPPED, S_SUCCEEDED, S_UNKNOWN
from shiftsim._engines.server.core import run_window
from shiftsim._engines.server.draws import PassDraws
from shiftsim._engines.server.plan import PassPlan
from shiftsim._engines.server.record import PassEvent, PassRecord
from shiftsim._engines.server.rules import deadline_status, has_succeeded, is_doomed
from shiftsim._engines.server.timeline import Timeline
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["window_kernel"]

#: Windows at most this wide are walked one instance at a time (the batches would be tiny).
SCALAR_CAP = 64


def _starts_scalar(
    d: np.ndarray, ok: np.ndarray, healthy: np.ndarray, t0: float, cap: int, c2: int
) -> tuple[np.ndarray, None, None]:
    """Start times in start order for a narrow window, with two heaps of finish times."""
    n = d.shape[0]
    start = np.full(n, np.inf)
    finishes: list[float] = []  # every finish (min-heap), for S + F
    successes: list[float] = []  # successful finishes, for S
    taken_all = taken_ok = 0  # how many order statistics have been consumed
    last_all = last_ok = t0
    d_l, ok_l, h_l = d.tolist(), ok.tolist(), healthy.tolist()
    for j in range(n):
        need_all = j + 1 - cap
        while taken_all < need_all:
            if not finishes:
                return start, None, None
            last_all = heapq.heappop(finishes)
            taken_all += 1
        when = max(t0, last_all) if need_all >= 1 else t0
        if h_l[j]:
            need_ok = j + 1 - c2
            while taken_ok < need_ok:
                if not successes:
                    return start, None, None
                last_ok = heapq.heappop(successes)
                taken_ok += 1
            if need_ok >= 1:
                when = max(when, last_ok)
        start[j] = when
        end = when + d_l[j]
        heapq.heappush(finishes, end)
        if ok_l[j]:
            heapq.heappush(successes, end)
    return start, None, None


def _starts_batched(
    d: np.ndarray, ok: np.ndarray, healthy: np.ndarray, t0: float, cap: int, c2: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start times in start order, in exact batches (see the module docstring), with every
    finish and every successful finish, sorted."""
    n = d.shape[0]
    spent_all: list[np.ndarray] = []  # finishes dropped from the pools, in order
    spent_ok: list[np.ndarray] = []
    start = np.full(n, np.inf)
    pool_all = np.zeros(0)  # sorted finishes not yet consumed by a start, for S + F
    pool_ok = np.zeros(0)  # the same for successes only
    base_all = base_ok = 0  # order statistics already dropped from the front of each pool
    p = 0
    batch = max(cap, 1)
    all_ok = bool(ok.all())
    while p < n:
        m_max = min(batch, n - p)
        j = np.arange(p, p + m_max)
        when = np.full(m_max, t0)
        need = j + 1 - cap  # 1-based rank of the finish instance j waits for
        k = need - 1 - base_all
        late = need >= 1
        when = np.where(late, _pick(pool_all, k), when)
        hj = healthy[p : p + m_max]
        if hj.any():
            need_ok = j + 1 - c2
            k_ok = need_ok - 1 - base_ok
            when = np.where(hj & (need_ok >= 1), np.maximum(when, _pick(pool_ok, k_ok)), when)
        end = when + d[p : p + m_max]
        # Exact prefix: no committed instance finishes before the prefix's last start.
        valid = np.isfinite(when) & (np.minimum.accumulate(end) >= when)
        m = m_max if valid.all() else int(np.argmin(valid))
        if m == 0:
            break  # the next instance can never start
        start[p : p + m] = when[:m]
        new_end = end[:m]
        pool_all = _merge(pool_all, new_end)
        # With no failure the two pools are the same array (and stay so).
        pool_ok = pool_all if all_ok else _merge(pool_ok, new_end[ok[p : p + m]])
        p += m
        # Drop finishes no future start can need (ranks below the next instance's need) and
        # no future finish can precede (at most the last start), so ranks stay exact.
        last = float(when[m - 1])
        drop = min(max(p - cap - base_all, 0), int(np.searchsorted(pool_all, last, "right")))
        spent_all.append(pool_all[:drop])
        pool_all, base_all = pool_all[drop:], base_all + drop
        drop_ok = min(max(p - c2 - base_ok, 0), int(np.searchsorted(pool_ok, last, "right")))
        spent_ok.append(pool_ok[:drop_ok])
        pool_ok, base_ok = pool_ok[drop_ok:], base_ok + drop_ok
        batch = max(2 * m, 64) if m < m_max else batch
    finished = np.concatenate([*spent_all, pool_all])
    return start, finished, finished if all_ok else np.concatenate([*spent_ok, pool_ok])


def _pick(pool: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``pool[k]`` where ``0 <= k < len(pool)``, else inf (not known yet)."""
    inside = (k >= 0) & (k < pool.shape[0])
    out = np.full(k.shape, np.inf)
    out[inside] = pool[k[inside]]
    return out


def _merge(pool: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Sorted union of a sorted pool and new values (timsort merges the two runs)."""
    if new.size == 0:
        return pool
    if pool.size == 0:
        return np.sort(new)
    return np.sort(np.concatenate([pool, np.sort(new)]), kind="stable")


def window_kernel(
    plan: PassPlan,
    draws: PassDraws,
    timeline: Timeline,
    order: np.ndarray,
    t0: float,
    deadline: float = math.inf,
    deadline_code: str | None = None,
    deadline_message: str = "",
) -> PassRecord:
    """The pass record :func:`~.core.run_window` produces, computed on arrays."""
    if np.isfinite(plan.stop_time).any():
        return run_window(
            plan, draws, timeline, order, t0, deadline, deadline_code, deadline_message
        )
    n = int(plan.n)
    m, cap, base = int(plan.minimum), int(plan.cap), int(plan.base_healthy)
    hc0 = base + int(plan.healthy.sum())
    if n == 0:
        return PassRecord.empty(plan, draws, timeline, order, t0, hc0, [])
    if plan.zonal is not None:
        return _zonal_kernel(
            plan, draws, timeline, order, t0, deadline, deadline_code, deadline_message
        )
    w = _walk(
        timeline.rel_end[order], timeline.ok[order], plan.healthy[order], t0, cap, n + base - m
    )
    terminal, status, code, _ = _ending(w, n, base, m, deadline, deadline_code)
    low, peak = _water_marks(w, *_ran_done(w, terminal), hc0)
    ending = (terminal, status, code, deadline_code, deadline_message)
    return _finish_record(
        plan, draws, timeline, order, t0, w.starts, w.ends, w.ok, ending, (low, peak), []
    )


def _walk(
    rel_end: np.ndarray, ok: np.ndarray, healthy: np.ndarray, t0: float, cap: int, c2: int
) -> _Walk:
    """Start times of a window of instances (in start order) opened at ``t0``."""
    w = _Walk(d=rel_end.astype(np.float64), ok=ok.astype(bool), healthy=healthy.astype(bool), t0=t0)
    walk = _starts_scalar if cap <= SCALAR_CAP else _starts_batched
    w.starts, w.sorted_ends, w.sorted_ok_ends = walk(w.d, w.ok, w.healthy, t0, cap, c2)
    w.started = np.isfinite(w.starts)
    w.ends = np.where(w.started, w.starts + w.d, np.inf)
    return w


def _ran_done(w: _Walk, terminal: float) -> tuple[np.ndarray, np.ndarray]:
    """Which instances started before the pass ended, and which of them finished by then."""
    ran = w.started & (w.starts < terminal)
    return ran, ran & (w.ends <= terminal)


def _finish_record(
    plan: PassPlan,
    draws: PassDraws,
    timeline: Timeline,
    order: np.ndarray,
    t0: float,
    starts: np.ndarray,
    ends: np.ndarray,
    ok: np.ndarray,
    ending: tuple[float, str, str | None, str | None, str],
    marks: tuple[int, int],
    events: list[PassEvent],
) -> PassRecord:
    """The pass record from the start and end times in start order and how the pass ended:
    ``(instant, status, error code, deadline code, deadline message)``."""
    terminal, status, code, deadline_code, deadline_message = ending
    n = int(plan.n)
    message = ""
    if code == ErrorCode.HEALTH_CONSTRAINTS.value:
        message = ErrorCode.HEALTH_CONSTRAINTS.message
    elif deadline_code is not None and code == deadline_code:
        message = deadline_message
    # -- each instance's status at that moment ----------------------------------------------
    ran = np.isfinite(starts) & (starts < terminal)
    final = np.full(n, S_SKIPPED, dtype=np.int8)
    done = ran & (ends <= terminal)
    final[done & ok] = S_SUCCEEDED
    final[done & ~ok] = S_FAILED
    final[ran & (ends > terminal)] = S_UNKNOWN
    start_out = np.full(n, np.nan)
    start_out[order[ran]] = starts[ran]
    final_out = np.empty(n, dtype=np.int8)
    final_out[order] = final
    low, peak = marks
    return PassRecord(
        plan,
        draws,
        timeline,
        order,
        t0,
        start_out,
        final_out,
        {},
        terminal,
        status,
        code,
        message,
        low,
        peak,
        events,
    )


class _Walk:
    """The window's arrays in start order: durations, success, health, and once walked the
    starts, ends and sorted finish times."""

    __slots__ = (
        "d",
        "ends",
        "healthy",
        "ok",
        "sorted_ends",
        "sorted_ok_ends",
        "started",
        "starts",
        "t0",
    )

    def __init__(self, d: np.ndarray, ok: np.ndarray, healthy: np.ndarray, t0: float) -> None:
        self.d, self.ok, self.healthy, self.t0 = d, ok, healthy, t0
        self.starts: np.ndarray = np.zeros(0)
        self.ends: np.ndarray = np.zeros(0)
        self.started: np.ndarray = np.zeros(0, dtype=bool)
        self.sorted_ends: np.ndarray | None = None
        self.sorted_ok_ends: np.ndarray | None = None


def _ending(
    w: _Walk,
    n: int,
    base: int,
    m: int,
    deadline: float,
    deadline_code: str | None,
    zone: _Zone | None = None,
) -> tuple[float, str, str | None, bool]:
    """How the pass (or, with ``zone``, one zone of it) ends: (instant, status, error code,
    whether every instance finished first).

    Candidates at their instants; ties go to what the core does first: finishes (doom,
    success, stall) react before the deadline's poll. A zone that is not the last one ends
    Succeeded when every instance of it finished (the pass goes on).
    """
    z = zone if zone is not None else _Zone(0, 0, 0, 0, 0, True)
    starts, ends, started, ok = w.starts, w.ends, w.started, w.ok
    terminal = math.inf
    status: str = DeploymentStatus.SUCCEEDED.value
    code: str | None = None
    fail_times = np.sort(ends[started & ~ok])
    if fail_times.size:
        healthy_starts = np.sort(starts[w.healthy])  # inf for those never started
        idle = healthy_starts.shape[0] - np.searchsorted(healthy_starts, fail_times, side="left")
        failed = np.arange(1, fail_times.size + 1)
        doomed = is_doomed(n, z.failed_before + failed, base, m, idle + z.idle_after)
        if zone is not None:
            best = z.size - failed
            doomed |= ((idle > 0) & (best <= z.minimum)) | (best < z.minimum)
        if doomed.any():
            terminal = float(fail_times[int(np.argmax(doomed))])
            status, code = DeploymentStatus.FAILED.value, ErrorCode.HEALTH_CONSTRAINTS.value
    last_finish = float(ends[started].max()) if started.any() else w.t0
    if not started.all() and last_finish < terminal:
        # Nothing left in flight and the next instance may not start: it never will.
        terminal, status, code = (
            last_finish,
            DeploymentStatus.FAILED.value,
            ErrorCode.HEALTH_CONSTRAINTS.value,
        )
    completed = bool(started.all()) and last_finish < terminal
    if completed:
        terminal = last_finish
        succeeded = z.succeeded_before + int((ok & (ends <= terminal)).sum())
        if not z.last or has_succeeded(succeeded, base, m):
            status, code = DeploymentStatus.SUCCEEDED.value, None
        else:
            status, code = DeploymentStatus.FAILED.value, ErrorCode.HEALTH_CONSTRAINTS.value
    if deadline < terminal:
        terminal, status, code = max(deadline, w.t0), deadline_status(deadline_code), deadline_code
        completed = False
    return terminal, status, code, completed


class _Zone(NamedTuple):
    """One zone of a zonal pass as :func:`_ending` sees it: failures and successes of the
    zones before it, healthy instances waiting in the zones after it, its size and minimum,
    and whether it is the last."""

    failed_before: int
    succeeded_before: int
    idle_after: int
    size: int
    minimum: int
    last: bool


def _zonal_kernel(
    plan: PassPlan,
    draws: PassDraws,
    timeline: Timeline,
    order: np.ndarray,
    t0: float,
    deadline: float,
    deadline_code: str | None,
    deadline_message: str,
) -> PassRecord:
    """A zonal pass, zone by zone (see the module docstring)."""
    zr = plan.zonal
    assert zr is not None
    n, m, cap, base = int(plan.n), int(plan.minimum), int(plan.cap), int(plan.base_healthy)
    rel_end, ok = timeline.rel_end[order], timeline.ok[order].astype(bool)
    healthy = plan.healthy[order].astype(bool)
    bounds = np.cumsum(np.bincount(plan.zone, minlength=len(plan.zone_names))).tolist()
    starts, ends = np.full(n, np.inf), np.full(n, np.inf)
    events: list[PassEvent] = []
    low = base + int(healthy.sum())
    peak = failed = succeeded = lo = 0
    t = t0
    for k, hi in enumerate(bounds):
        name = plan.zone_names[k]
        events.append((t, "ZoneStart", DeploymentStatus.IN_PROGRESS.value, name))
        idle_after = int(healthy[hi:].sum())
        size, zmin = hi - lo, int(zr.minimum[k])
        outside = base + succeeded + idle_after
        w = _walk(
            rel_end[lo:hi],
            ok[lo:hi],
            healthy[lo:hi],
            t,
            min(cap, int(zr.cap[k])),
            min(size + outside - m, size - zmin),
        )
        zone = _Zone(failed, succeeded, idle_after, size, zmin, hi == n)
        terminal, status, code, completed = _ending(w, n, base, m, deadline, deadline_code, zone)
        starts[lo:hi], ends[lo:hi] = w.starts, w.ends
        z_low, z_peak = _water_marks(w, *_ran_done(w, terminal), outside + int(w.healthy.sum()))
        low, peak = min(low, z_low), max(peak, z_peak)
        if completed:
            events.append((terminal, "ZoneEnd", DeploymentStatus.SUCCEEDED.value, name))
        if hi == n or not completed:
            break
        # The zone is done: the next opens after its monitor period, unless the deadline
        # (a poll, before the opening step at one instant) comes first.
        wait = zr.first_monitor if k == 0 else zr.monitor
        if wait > 0:
            events.append(
                (
                    terminal,
                    DeploymentStatus.BAKING.value,
                    DeploymentStatus.IN_PROGRESS.value,
                    f"monitoring {name} for {wait:g} s",
                )
            )
        failed += int((~w.ok & w.started).sum())
        succeeded += int((w.ok & w.started).sum())
        t = terminal + wait
        if deadline <= t:
            terminal, status, code = deadline, deadline_status(deadline_code), deadline_code
            break
        lo = hi
    ending = (terminal, status, code, deadline_code, deadline_message)
    return _finish_record(
        plan, draws, timeline, order, t0, starts, ends, ok, ending, (low, peak), events
    )


def _water_marks(w: _Walk, ran: np.ndarray, done: np.ndarray, hc0: int) -> tuple[int, int]:
    """The lowest healthy count and the most instances in flight.

    Starts are in start order, so already sorted; at one instant finishes come first.
    """
    s_ran = w.starts[ran]
    ends, ok = w.ends, w.ok
    whole = w.sorted_ends is not None and bool(done.all())  # nothing cut: reuse the walk's sorts
    ended = w.sorted_ends if whole and w.sorted_ends is not None else np.sort(ends[done])
    finished_by = np.searchsorted(ended, s_ran, side="right")
    peak = int((np.arange(1, s_ran.size + 1) - finished_by).max()) if s_ran.size else 0
    low = hc0
    h_ran = w.healthy[ran]
    if h_ran.any():
        if whole and w.sorted_ok_ends is not None:
            ok_ended = w.sorted_ok_ends
        else:
            ok_ended = np.sort(ends[done & ok])
        healthy_out = np.cumsum(h_ran)[h_ran]
        if ok_ended is ended and h_ran.all():
            back = finished_by  # no failures, every instance healthy: the same search
        else:
            back = np.searchsorted(ok_ended, s_ran[h_ran], side="right")
        low = int(min(hc0, (hc0 - healthy_out + back).min()))
    return low, peak
