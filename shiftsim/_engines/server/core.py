"""The event engine of a Server pass: the minimum-healthy-hosts window walked event by event on
:class:`shiftsim.core.Simulation`.

Only instance starts are decided here (with :func:`~.rules.can_start`); each instance's
lifecycle comes from the pass's :class:`~.timeline.Timeline`. The heap holds one entry per
instance finishing, plus one "fill the window" step per instant at which something finished
(scheduled after CodeDeploy's reactions at that instant, so an alarm seen at the same second
stops first), the interrupt deadline, instance stops, and the next zone's start.
"""

from __future__ import annotations

import math

import numpy as np

from shiftsim._engines.server.codes import C_NONE, S_FAILED, S_SKIPPED, S_SUCCEEDED, S_UNKNOWN
from shiftsim._engines.server.draws import PassDraws
from shiftsim._engines.server.plan import PassPlan
from shiftsim._engines.server.record import PassEvent, PassRecord
from shiftsim._engines.server.rules import (
    can_start,
    deadline_status,
    has_succeeded,
    is_doomed,
    stopped_outcome,
    zone_doomed,
)
from shiftsim._engines.server.timeline import Timeline
from shiftsim.core import Priority, Simulation
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["WindowSimulation", "run_window"]

_REACT, _STEP = Priority.REACT, Priority.STEP
_HEALTH = ErrorCode.HEALTH_CONSTRAINTS.value
_HEALTH_MESSAGE = ErrorCode.HEALTH_CONSTRAINTS.message


class WindowSimulation:
    """One pass's window on the event core; :meth:`run` returns its :class:`PassRecord`.

    The state is the window's counters: ``healthy_count`` (healthy instances of the group,
    those outside the pass included), ``healthy_idle`` (healthy instances not started yet),
    ``in_flight`` and ``failed``, and ``next`` (the position in the start order
    of the next instance to start). A zonal pass opens one zone at a time and keeps the same
    counters per zone (``zone_*``); ``limit`` is the end of the open zone in the start order.
    """

    __slots__ = (
        "base",
        "bounds",
        "cap",
        "deadline",
        "deadline_code",
        "deadline_message",
        "done",
        "draws",
        "end",
        "ends",
        "error_code",
        "events",
        "failed",
        "fill_inputs",
        "fill_pending",
        "final",
        "healthy",
        "healthy_count",
        "healthy_idle",
        "in_flight",
        "limit",
        "low",
        "message",
        "minimum",
        "n",
        "next",
        "ok",
        "on_finish",
        "order",
        "order_array",
        "outcome",
        "overrides",
        "peak",
        "plan",
        "rel_end",
        "sim",
        "start",
        "stop_time",
        "t0",
        "timeline",
        "watch_stops",
        "zonal",
        "zone",
        "zone_cap",
        "zone_failed",
        "zone_healthy",
        "zone_healthy_idle",
        "zone_index",
        "zone_minimum",
        "zone_open",
        "zone_size",
    )

    def __init__(
        self,
        plan: PassPlan,
        draws: PassDraws,
        timeline: Timeline,
        order: np.ndarray,
        t0: float,
        deadline: float = math.inf,
        deadline_code: str | None = None,
        deadline_message: str = "",
    ) -> None:
        self.plan, self.draws, self.timeline, self.t0 = plan, draws, timeline, t0
        self.deadline, self.deadline_code, self.deadline_message = (
            deadline,
            deadline_code,
            deadline_message,
        )
        self.sim = Simulation(t0)
        # One bound method for every finish the heap holds (not one per instance).
        self.on_finish = self._finish
        n = self.n = plan.n
        # Plain lists: the loop reads them one element at a time.
        self.rel_end = timeline.rel_end.tolist()
        self.ok = timeline.ok.tolist()
        self.healthy = plan.healthy.tolist()
        self.order = order.tolist()
        self.order_array = order
        self.stop_time = plan.stop_time.tolist()
        self.watch_stops = bool(np.isfinite(plan.stop_time).any())
        self.start = [math.nan] * n
        self.ends = [math.nan] * n
        self.final = bytearray(n)
        self.overrides: dict[int, tuple[float, int, int]] = {}
        self.events: list[PassEvent] = []
        self.minimum, self.cap, self.base = plan.minimum, plan.cap, plan.base_healthy
        self.healthy_idle = sum(self.healthy)
        self.healthy_count = self.base + self.healthy_idle
        self.low = self.healthy_count
        self.peak = self.failed = self.in_flight = self.next = 0
        self.done = self.fill_pending = False
        self.outcome: str = DeploymentStatus.SUCCEEDED.value
        self.error_code: str | None = None
        self.message, self.end = "", t0
        # Zonal state: one zone open at a time (the non-zonal case is one zone, rules off).
        self.zonal = plan.zonal is not None
        self.zone = plan.zone.tolist()
        self.bounds: list[int] = []
        if self.zonal:
            sizes = np.bincount(plan.zone, minlength=len(plan.zone_names))
            self.bounds = np.cumsum(sizes).tolist()
        self.zone_index = 0
        self.limit = self.bounds[0] if self.zonal else n
        self.zone_open = True
        self.zone_size = self.limit
        self.zone_minimum = self.zone_cap = self.zone_healthy = 0
        self.zone_healthy_idle = self.zone_failed = 0
        self._bind_fill_inputs()

    def _bind_fill_inputs(self) -> None:
        """What :meth:`_start_next` reads and never writes, in one tuple (one attribute load a
        call instead of one per name: it runs once per finish). Rebound when a zone opens."""
        self.fill_inputs = (
            self.order,
            self.healthy,
            self.limit,
            self.start,
            self.ends,
            self.rel_end,
            self.stop_time,
            self.cap,
            self.minimum,
            self.zonal,
            self.watch_stops,
            self.zone_cap,
            self.zone_minimum,
            self.sim,
            self.sim.schedule,
            self.on_finish,
        )

    # ------------------------------------------------------------------ running
    def run(self) -> PassRecord:
        """Walk the window to its decision and return the pass record."""
        plan, sim, t0 = self.plan, self.sim, self.t0
        if self.n == 0:
            return PassRecord.empty(
                plan, self.draws, self.timeline, self.order_array, t0, self.healthy_count, []
            )
        if self.deadline < math.inf:
            sim.schedule(max(self.deadline, t0), Priority.POLL, self._interrupt)
        if self.watch_stops:
            for i, at in enumerate(self.stop_time):
                if t0 < at < math.inf:
                    sim.schedule(at, Priority.REACT, self._on_stop, i)
        if self.zonal:
            self._open_zone(0)
        sim.schedule(t0, Priority.STEP, self._fill)
        sim.run()
        if not self.done:  # pragma: no cover - the window always decides
            raise RuntimeError("the Server window ended without a decision")
        return self._record()

    def _record(self) -> PassRecord:
        final = np.frombuffer(bytes(self.final), dtype=np.int8).copy()
        start = np.asarray(self.start, dtype=np.float64)
        cut = ~np.isnan(start) & (final == S_SKIPPED)
        # Instances that finish at the very instant the pass ends still report their result.
        same = cut & (np.asarray(self.ends) == self.end)
        ok = np.asarray(self.ok, dtype=bool)
        final[same & ok] = S_SUCCEEDED
        final[same & ~ok] = S_FAILED
        final[cut & ~same] = S_UNKNOWN
        return PassRecord(
            self.plan,
            self.draws,
            self.timeline,
            self.order_array,
            self.t0,
            start,
            final,
            self.overrides,
            float(self.end),
            self.outcome,
            self.error_code,
            self.message,
            int(self.low),
            int(self.peak),
            self.events,
        )

    def _end(self, status: str, code: str | None, message: str) -> None:
        self.done = True
        self.outcome, self.error_code, self.message, self.end = status, code, message, self.sim.now
        self.sim.stop()

    # ------------------------------------------------------------------ zones
    def _open_zone(self, k: int) -> None:
        zonal = self.plan.zonal
        assert zonal is not None
        lo = self.bounds[k - 1] if k else 0
        self.zone_index = k
        self.limit = self.bounds[k]
        self.zone_size = self.limit - lo
        self.zone_minimum = zonal.minimum[k]
        self.zone_cap = zonal.cap[k]
        healthy = self.healthy
        self.zone_healthy_idle = sum(healthy[i] for i in self.order[lo : self.limit])
        self.zone_healthy = self.zone_healthy_idle
        self.zone_failed = 0
        self.zone_open = True
        self._bind_fill_inputs()
        self.events.append(
            (self.sim.now, "ZoneStart", DeploymentStatus.IN_PROGRESS.value, self.plan.zone_names[k])
        )

    def _close_zone(self) -> None:
        """The open zone finished; the next opens after its monitor period."""
        zonal = self.plan.zonal
        assert zonal is not None
        now, name = self.sim.now, self.plan.zone_names[self.zone_index]
        wait = zonal.first_monitor if self.zone_index == 0 else zonal.monitor
        self.events.append((now, "ZoneEnd", DeploymentStatus.SUCCEEDED.value, name))
        self.zone_open = False
        if wait > 0:
            self.events.append(
                (
                    now,
                    DeploymentStatus.BAKING.value,
                    DeploymentStatus.IN_PROGRESS.value,
                    f"monitoring {name} for {wait:g} s",
                )
            )
        self.sim.schedule(now + wait, Priority.STEP, self._next_zone)

    def _next_zone(self) -> None:
        if self.done:
            return
        self._open_zone(self.zone_index + 1)
        self._fill()

    # ------------------------------------------------------------------ callbacks
    def _fill(self) -> None:
        """A fill from the heap (or the pass's start): start instances unless the pass ended or
        its zone is closed."""
        self.fill_pending = False
        if not self.done and self.zone_open:
            self._start_next()

    def _start_next(self) -> None:
        """Start instances in order while the window allows (the pass is running, its zone open).
        A finish calls this directly when no other reaction is due at its instant."""
        # The hot loop of the event core: the counters live in locals while it runs and are
        # written back once (attribute access per instance costs ~15% at 100,000 instances).
        (order, healthy, limit, start, ends, rel_end, stop_time, cap, minimum, zonal, watch_stops,
         zone_cap, zone_minimum, sim, schedule, on_finish) = self.fill_inputs  # fmt: skip
        healthy_count, healthy_idle, low = self.healthy_count, self.healthy_idle, self.low
        zone_healthy, zone_healthy_idle = self.zone_healthy, self.zone_healthy_idle
        nxt, in_flight, peak = self.next, self.in_flight, self.peak
        can, now = can_start, sim.now
        while nxt < limit and in_flight < cap:  # can() would refuse on cap alone: not asked
            i = order[nxt]
            h = healthy[i]
            if not can(in_flight, cap, h, healthy_count, minimum):
                break
            if zonal and not can(in_flight, zone_cap, h, zone_healthy, zone_minimum):
                break
            if h:
                healthy_count -= 1
                healthy_idle -= 1
                if zonal:
                    zone_healthy -= 1
                    zone_healthy_idle -= 1
                if healthy_count < low:
                    low = healthy_count
            nxt += 1
            in_flight += 1
            if in_flight > peak:
                peak = in_flight
            start[i] = now
            if watch_stops and stop_time[i] != math.inf:
                end = now + self._stopped_end(i, now)
            else:
                end = now + rel_end[i]
            ends[i] = end
            schedule(end, _REACT, on_finish, i)
        self.healthy_count, self.healthy_idle, self.low = healthy_count, healthy_idle, low
        if zonal:
            self.zone_healthy, self.zone_healthy_idle = zone_healthy, zone_healthy_idle
        self.next, self.in_flight, self.peak = nxt, in_flight, peak
        if in_flight == 0 and nxt < limit:
            # Nothing in flight and the next instance may not start: it never will.
            self._end(DeploymentStatus.FAILED.value, _HEALTH, _HEALTH_MESSAGE)

    def _stopped_end(self, i: int, now: float) -> float:
        """When instance ``i``, which stops during the pass, ends (relative to ``now``)."""
        tl = self.timeline
        assert tl.ev_start is not None and tl.ev_end is not None
        plan = self.plan
        r, fail_event, cause = stopped_outcome(
            now,
            self.stop_time[i],
            tl.ev_start[i],
            tl.ev_end[i],
            self.rel_end[i],
            plan.agent_timeout,
            plan.event_timeout,
        )
        if cause != C_NONE:
            self.ok[i] = False
            self.overrides[i] = (r, fail_event, cause)
        return r

    def _finish(self, i: int) -> None:
        """Instance ``i`` finished its lifecycle."""
        if self.done:
            return
        in_flight = self.in_flight = self.in_flight - 1
        if self.ok[i]:
            self.final[i] = S_SUCCEEDED
            # An instance that stops at the very instant it finishes succeeded (rules.
            # stopped_outcome) but is stopped: it does not join the healthy count. Its stop was
            # scheduled first, so _on_stop saw it still in flight and left the count alone.
            if not self.watch_stops or self.stop_time[i] > self.sim.now:
                self.healthy_count += 1
                if self.zonal:
                    self.zone_healthy += 1
        else:
            self.failed += 1
            self.final[i] = S_FAILED
            if self._doomed_by_failure():
                self._end(DeploymentStatus.FAILED.value, _HEALTH, _HEALTH_MESSAGE)
                return
        if self.next < self.limit:
            if not self.fill_pending:
                # Fill the window after every reaction at this instant; when none is queued
                # (the usual case) do it now rather than through the heap.
                sim = self.sim
                if sim.due(_STEP):
                    self.fill_pending = True
                    sim.schedule(sim.now, _STEP, self._fill)
                else:
                    self._start_next()
        elif in_flight == 0:
            self._window_done()

    def _doomed_by_failure(self) -> bool:
        if is_doomed(self.n, self.failed, self.base, self.minimum, self.healthy_idle):
            return True
        if not self.zonal:
            return False
        self.zone_failed += 1
        return zone_doomed(
            self.zone_size, self.zone_failed, self.zone_minimum, self.zone_healthy_idle
        )

    def _window_done(self) -> None:
        """Every instance of the open zone (or the pass) started and finished."""
        if self.zonal and self.limit < self.n:
            self._close_zone()
            return
        if self.zonal:
            now = self.sim.now
            self.events.append(
                (
                    now,
                    "ZoneEnd",
                    DeploymentStatus.SUCCEEDED.value,
                    self.plan.zone_names[self.zone_index],
                )
            )
        if has_succeeded(self.final.count(S_SUCCEEDED), self.base, self.minimum):
            self._end(DeploymentStatus.SUCCEEDED.value, None, "")
        else:
            self._end(DeploymentStatus.FAILED.value, _HEALTH, _HEALTH_MESSAGE)

    def _interrupt(self) -> None:
        if not self.done:
            self._end(
                deadline_status(self.deadline_code), self.deadline_code, self.deadline_message
            )

    def _on_stop(self, i: int) -> None:
        """Instance ``i`` stops: it counts as failed from now on (UG:instances-health.md)."""
        if self.done:
            return
        here = self.zonal and self.zone[i] == self.zone_index
        if self.final[i] == S_SUCCEEDED:
            self.healthy_count -= 1
            if here:
                self.zone_healthy -= 1
        elif self.start[i] != self.start[i] and self.healthy[i]:  # not started (start is NaN)
            self.healthy[i] = False
            self.healthy_count -= 1
            self.healthy_idle -= 1
            if here:
                self.zone_healthy -= 1
                self.zone_healthy_idle -= 1
        else:
            return
        self.low = min(self.low, self.healthy_count)
        if not self.fill_pending:
            self.fill_pending = True
            self.sim.schedule(self.sim.now, Priority.STEP, self._fill)


def run_window(
    plan: PassPlan,
    draws: PassDraws,
    timeline: Timeline,
    order: np.ndarray,
    t0: float,
    deadline: float = math.inf,
    deadline_code: str | None = None,
    deadline_message: str = "",
) -> PassRecord:
    """Walk the minimum-healthy-hosts window over one pass on the event core (a
    :class:`~.record.WindowEngine`)."""
    return WindowSimulation(
        plan, draws, timeline, order, t0, deadline, deadline_code, deadline_message
    ).run()
