"""Many runs of one Server scenario at once: the window walked on arrays of runs x instances.

:func:`batch_summaries` returns, for runs ``lo .. hi - 1`` of a Monte Carlo, the columns of
``ServerRun.summary()`` that :func:`shiftsim.monte_carlo` reports, equal field for field to what
``simulate_server(deployment, rng=<run i's seed>)`` gives (so ``ServerMonteCarloResult.replay(i)``
on the event core is run ``i``). It uses the same compiled pass (:func:`~.plan.compile_pass`)
and the same draws: run ``i``'s streams are computed for many runs together
(:func:`~.streams.uniforms`, bit for bit numpy's), except for duration models other than fixed
and uniform, which are drawn run by run with numpy's Generators (exact, slower).

How it works:

* **Timeline.** With fixed durations an instance's lifecycle depends only on which faults hit
  it, so :func:`~.timeline.pass_timeline` runs once on ``n x 2**faults`` virtual instances and
  each run looks its instances up; otherwise it runs on the ``runs x n`` instances tiled.
* **Window.** The start order (D13) puts the unhealthy instances first in every run, so the
  health at each position is the same in all runs and the walk loops over positions, vectorized
  over runs. Instance ``j`` waits for the ``(j + 1 - cap)``-th finish and, when healthy, the
  ``(j + 1 - c2)``-th successful finish (:mod:`.kernel`'s rule); both are pops of the smallest
  value of a small pool per run (every later finish is at least the popped one).
* **Ending** and the **water marks**: :mod:`.kernel`'s rules, vectorized over runs.

The window and ending (:func:`walk`) are written once against the array API standard
(``array_api_compat``): numpy, CuPy and ``array-api-strict`` run the same code.

Supported: the user's in-place deployment (with or without a load balancer), its rollback
decision, interrupts (alarms, manual stops), every fault and instance condition the timeline
models. :func:`unsupported` names what is not (blue/green, zonal, Auto Scaling launches,
instances that stop mid-deployment, deployments that end at their start); the caller runs those
scenarios run by run.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from shiftsim._engines.server.codes import REV_TARGET
from shiftsim._engines.server.draws import (
    PassDraws,
    _stream,
    is_fixed,
    sample_duration,
)
from shiftsim._engines.server.plan import PassPlan, ServerPlan
from shiftsim._engines.server.rules import deadline_status, instance_order, minimum_is_invalid
from shiftsim._engines.server.runner import Runner
from shiftsim._engines.server.streams import entropy_words, uniforms
from shiftsim._engines.server.timeline import pass_timeline
from shiftsim._xp import compat, is_numpy, namespace, random_module, to_numpy
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["Batch", "batch_summaries", "unsupported", "walk"]

#: Outcome codes of :func:`walk`.
OUT_SUCCEEDED, OUT_FAILED, OUT_STOPPED = 0, 1, 2
#: At most this many faults use the lookup timeline (2**faults virtual instances each).
MAX_LOOKUP_FAULTS = 8


def unsupported(plan: ServerPlan, seq: np.random.SeedSequence) -> str | None:
    """Why the batch engine cannot run this scenario (None if it can)."""
    if plan.blue_green is not None:
        return "blue/green deployments"
    if plan.zonal is not None:
        return "zonal deployments (ZonalConfig)"
    if plan.launches:
        return "Auto Scaling launches during the deployment"
    if plan.scale_ins:
        return "Auto Scaling scale-ins during the deployment"
    targets = plan.targets
    n = int(targets.shape[0])
    if np.isfinite(plan.stop_time[targets]).any():
        return "instances that stop during the deployment (InstanceStop)"
    if n == 0 or (plan.max_instances is not None and n > plan.max_instances):
        return "deployments that fail at their start"
    if minimum_is_invalid(n, int(plan.minimum_rule.minimum(n))) or plan.interrupt_time <= 0.0:
        return "deployments that end at their start"
    if entropy_words(seq.entropy) is None:
        return "a seed whose entropy is not made of integers"
    return None


class Batch:
    """The parts of a scenario every batch of its runs shares: the compiled user's pass and
    what the lookup timeline needs."""

    def __init__(self, plan: ServerPlan, seq: np.random.SeedSequence) -> None:
        reason = unsupported(plan, seq)
        if reason is not None:
            raise UnsupportedScenarioError(f"the Server batch engine does not run {reason}.")
        self.plan, self.seq = plan, seq
        self.entropy = entropy_words(seq.entropy) or [0]
        self.prefix = tuple(int(k) for k in seq.spawn_key)
        n = int(plan.targets.shape[0])
        self.n = n
        self.minimum = int(plan.minimum_rule.minimum(n))
        self.pp: PassPlan = Runner(plan, seq).in_place_pass(
            0, plan.targets, REV_TARGET, 0.0, self.minimum
        )
        pp = self.pp
        self.fixed = all(is_fixed(s.duration) for s in pp.slots)
        self.faults = [k for k, rule in enumerate(pp.faults) if rule.probability > 0.0]
        self.lookup = self.fixed and len(self.faults) <= MAX_LOOKUP_FAULTS
        self.healthy = pp.healthy.astype(bool)
        self.unhealthy = int((~self.healthy).sum())
        # D13: unhealthy first, then revision health Unknown, Old, Current (rank 0..3).
        self.rank = np.where(self.healthy, 3 - pp.revision.astype(np.int8), 0).astype(np.int8)
        self.base_order = instance_order(self.healthy, None, None, pp.revision)
        # The deadline: the user's interrupt, or the run-time limit (D15) if it comes first.
        if plan.interrupt_time <= plan.run_time_limit:
            self.deadline, self.deadline_code = float(plan.interrupt_time), plan.interrupt_code
        else:
            self.deadline = float(plan.run_time_limit)
            self.deadline_code = ErrorCode.TIMEOUT.value
        if self.lookup:
            self._table()

    # -------------------------------------------------------------- draws and timeline
    def _keys(self, ids: np.ndarray, stream: int, column: int) -> list[Any]:
        return [*self.prefix, ids, 0, 0, stream, column]

    def _durations(self, ids: np.ndarray) -> np.ndarray:
        """(runs, n, slots) seconds, as draw_pass draws them run by run."""
        pp, n = self.pp, self.n
        out = np.empty((ids.shape[0], n, len(pp.slots)))
        for j, slot in enumerate(pp.slots):
            model = slot.duration
            if is_fixed(model):
                out[:, :, j] = sample_duration(model, None, n)
            elif getattr(model, "kind", None) == "uniform" and hasattr(model, "sample"):
                u = uniforms(self.entropy, self._keys(ids, 0, j), n)
                out[:, :, j] = np.maximum(model.a + (model.b - model.a) * u, 0.0)
            else:
                for r, i in enumerate(ids.tolist()):
                    seq = np.random.SeedSequence(self.seq.entropy, spawn_key=(*self.prefix, i))
                    out[r, :, j] = sample_duration(model, _stream(seq, 0, 0, 0, j), n)
        return out

    def _hits(self, ids: np.ndarray) -> list[np.ndarray]:
        """Per effective fault: which instances it hits, (runs, n)."""
        out = []
        for f in self.faults:
            rule = self.pp.faults[f]
            mask = np.ones(self.n, bool) if rule.mask is None else rule.mask
            if rule.probability < 1.0:
                u = uniforms(self.entropy, self._keys(ids, 1, f), self.n)
                out.append(mask[None, :] & (u < rule.probability))
            else:
                out.append(np.broadcast_to(mask, (ids.shape[0], self.n)))
        return out

    def _virtual(self, reps: int, masks: list[np.ndarray], repeat: bool) -> PassPlan:
        """The pass over ``reps`` copies of each instance, faults hitting where ``masks`` say."""
        pp = self.pp
        spread = (lambda a: np.repeat(a, reps, axis=0)) if repeat else (lambda a: np.tile(a, reps))
        faults = list(pp.faults)
        for f, mask in zip(self.faults, masks):
            faults[f] = replace(faults[f], mask=mask, probability=1.0)
        faults = [faults[f] for f in self.faults]
        return replace(
            pp,
            instances=spread(pp.instances),
            healthy=spread(pp.healthy),
            zone=spread(pp.zone),
            source=spread(pp.source),
            agent=spread(pp.agent),
            s3=spread(pp.s3),
            stop_time=spread(pp.stop_time),
            faults=tuple(faults),
        )

    def _table(self) -> None:
        """The lookup timeline: each instance under each combination of fault hits."""
        pp, n = self.pp, self.n
        combos = 1 << len(self.faults)
        code = np.tile(np.arange(combos), n)
        masks = []
        for b, f in enumerate(self.faults):
            rule = pp.faults[f]
            own = np.ones(n, bool) if rule.mask is None else rule.mask
            masks.append(np.repeat(own, combos) & ((code >> b) & 1).astype(bool))
        vp = self._virtual(combos, masks, repeat=True)
        row = np.asarray(
            [sample_duration(s.duration, None, 1)[0] for s in pp.slots], dtype=np.float64
        )
        durations = np.broadcast_to(row, (n * combos, len(pp.slots))).copy()
        tl = pass_timeline(vp, PassDraws(durations, (None,) * len(self.faults), None))
        self.table_rel = tl.rel_end.reshape(n, combos)
        self.table_ok = tl.ok.reshape(n, combos)
        self.combos = combos

    def timeline(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each run's instances' (rel_end, ok), (runs, n) in fleet order."""
        runs, n = ids.shape[0], self.n
        hits = self._hits(ids)
        if self.lookup:
            code = np.zeros((runs, n), dtype=np.int64)
            for b, hit in enumerate(hits):
                code |= hit.astype(np.int64) << b
            k = np.arange(n)[None, :]
            return self.table_rel[k, code], self.table_ok[k, code]
        vp = self._virtual(runs, [h.reshape(-1) for h in hits], repeat=False)
        durations = self._durations(ids).reshape(runs * n, -1)
        tl = pass_timeline(vp, PassDraws(durations, (None,) * len(self.faults), None))
        return tl.rel_end.reshape(runs, n), tl.ok.reshape(runs, n)

    def order(self, ids: np.ndarray) -> np.ndarray:
        """Each run's start order (D13), (runs, n)."""
        runs = ids.shape[0]
        if not self.pp.shuffle:
            return np.broadcast_to(self.base_order, (runs, self.n))
        u = uniforms(self.entropy, self._keys(ids, 2, 0), self.n)
        o1 = np.argsort(u, axis=1, kind="stable")
        o2 = np.argsort(self.rank[o1], axis=1, kind="stable")
        return np.take_along_axis(o1, o2, axis=1)

    # -------------------------------------------------------------- the runs
    def summaries(self, lo: int, hi: int, xp: Any = None) -> dict[str, np.ndarray]:
        """The summary columns of runs ``lo .. hi - 1`` (numpy arrays)."""
        ids = np.arange(lo, hi, dtype=np.int64)
        rel, ok = self.timeline(ids)
        order = self.order(ids)
        if self.pp.shuffle:
            d = np.take_along_axis(rel, order, axis=1)
            okk = np.take_along_axis(ok, order, axis=1)
        else:
            d, okk = rel[:, self.base_order], ok[:, self.base_order]
            order = np.broadcast_to(self.base_order, rel.shape)
        if xp is None:
            xp = namespace(d)
        pp = self.pp
        res = walk(
            xp.asarray(d),
            xp.asarray(okk),
            unhealthy=self.unhealthy,
            t0=0.0,
            cap=int(pp.cap),
            c2=self.n + int(pp.base_healthy) - self.minimum,
            base=int(pp.base_healthy),
            minimum=self.minimum,
            deadline=self.deadline,
            xp=xp,
        )
        res = {k: to_numpy(v) for k, v in res.items()}
        return self._columns(res, d, order)

    def _columns(
        self, res: dict[str, np.ndarray], d: np.ndarray | None, order: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        terminal, ran, done = res["terminal"], res["ran"], res["done"]
        # Spans as the instances frame computes them (end - start, end = start + rel or the
        # deployment's end), summed in fleet order over the instances that ran.
        if d is None or order is None:
            return self._finish(res, res["time"] / 60.0)
        starts = res["starts"]
        with np.errstate(invalid="ignore"):
            spans = np.where(done, (starts + d) - starts, terminal[:, None] - starts)
        spans = np.where(ran, spans, np.nan)
        fleet_spans = np.empty_like(spans)
        if self.pp.shuffle:
            np.put_along_axis(fleet_spans, order, spans, axis=1)
        else:
            fleet_spans[:, self.base_order] = spans
        return self._finish(res, _row_sums(fleet_spans) / 60.0)

    def _finish(
        self, res: dict[str, np.ndarray], time_in_flight: np.ndarray
    ) -> dict[str, np.ndarray]:
        plan = self.plan
        terminal, outcome, ran = res["terminal"], res["outcome"], res["ran"]
        at_deadline = deadline_status(self.deadline_code)
        status = np.asarray(
            [DeploymentStatus.SUCCEEDED.value, DeploymentStatus.FAILED.value, at_deadline],
            dtype=object,
        )
        codes = np.asarray(
            [None, ErrorCode.HEALTH_CONSTRAINTS.value, self.deadline_code], dtype=object
        )
        # RunState.rollback_triggered: a failure rolls back per the failure setting, a stop by
        # an alarm or StopDeployment per the interrupt's.
        if at_deadline == DeploymentStatus.FAILED.value:
            deadline_rolls = plan.rollback_on_failure
        else:
            deadline_rolls = plan.interrupt_rolls_back and self.deadline_code in (
                ErrorCode.ALARM_ACTIVE.value,
                ErrorCode.MANUAL_STOP.value,
            )
        triggered = ((outcome == OUT_FAILED) & plan.rollback_on_failure) | (
            (outcome == OUT_STOPPED) & deadline_rolls
        )
        attempted = ran.any(axis=1)
        return {
            "status": status[outcome],
            "error_code": codes[outcome],
            "rolled_back": triggered & attempted & plan.has_previous,
            "duration_minutes": (terminal - 0.0) / 60.0,
            "succeeded": res["succeeded"].astype(np.int64),
            "failed": res["failed"].astype(np.int64),
            "skipped": (self.n - ran.sum(axis=1)).astype(np.int64),
            "unknown": res["unknown"].astype(np.int64),
            "peak_in_flight": res["peak"].astype(np.int64),
            "lowest_healthy": res["low"].astype(np.int64),
            "time_in_flight_minutes": time_in_flight,
        }

    def device_summaries(
        self, lo: int, hi: int, seed: Any, xp: Any = None, uniform: Any = None
    ) -> dict[str, np.ndarray]:
        """Runs ``lo .. hi - 1`` with every step on the array namespace ``xp`` (default CuPy)
        and the random variates drawn there (``uniform(shape)``, default
        ``xp.random.default_rng(seed).random``): the same model, other draws than
        :meth:`summaries`. Needs fixed durations (the lookup timeline)."""
        if xp is None:
            xp = compat("cupy")
        if uniform is None:
            entropy = np.random.SeedSequence(seed).generate_state(2, np.uint64)
            uniform = random_module(xp).default_rng(int(entropy[0])).random
        if not self.lookup:
            raise UnsupportedScenarioError(
                "Batch.device_summaries needs fixed script durations; use summaries(xp=...)."
            )
        runs, n, combos = hi - lo, self.n, self.combos
        code = xp.zeros((runs, n), dtype=xp.int64)
        for b, f in enumerate(self.faults):
            rule = self.pp.faults[f]
            mask = xp.asarray(np.ones(n, bool) if rule.mask is None else rule.mask)
            hit = mask[None, :]
            if rule.probability < 1.0:
                hit = hit & (uniform((runs, n)) < rule.probability)
            code = code + xp.astype(hit, xp.int64) * (1 << b)
        order = xp.asarray(self.base_order)
        flat = xp.take(code, order, axis=1) + xp.asarray(self.base_order * combos)[None, :]
        d = xp.reshape(
            xp.take(xp.asarray(self.table_rel.reshape(-1)), xp.reshape(flat, (-1,))), (runs, n)
        )
        okk = xp.reshape(
            xp.take(xp.asarray(self.table_ok.reshape(-1)), xp.reshape(flat, (-1,))), (runs, n)
        )
        if self.pp.shuffle:
            u = uniform((runs, n))
            o1 = xp.argsort(u, axis=1, stable=True)
            rank = xp.asarray(self.rank)
            o2 = xp.argsort(
                xp.reshape(xp.take(rank, xp.reshape(o1, (-1,))), (runs, n)),
                axis=1,
                stable=True,
            )
            perm = xp.take_along_axis(o1, o2, axis=1)
            # Durations in fleet order, then in this run's start order.
            fleet_d = xp.reshape(
                xp.take(
                    xp.asarray(self.table_rel.reshape(-1)),
                    xp.reshape(code + xp.arange(n)[None, :] * combos, (-1,)),
                ),
                (runs, n),
            )
            fleet_ok = xp.reshape(
                xp.take(
                    xp.asarray(self.table_ok.reshape(-1)),
                    xp.reshape(code + xp.arange(n)[None, :] * combos, (-1,)),
                ),
                (runs, n),
            )
            d = xp.take_along_axis(fleet_d, perm, axis=1)
            okk = xp.take_along_axis(fleet_ok, perm, axis=1)
        pp = self.pp
        res = walk(
            d,
            okk,
            unhealthy=self.unhealthy,
            t0=0.0,
            cap=int(pp.cap),
            c2=self.n + int(pp.base_healthy) - self.minimum,
            base=int(pp.base_healthy),
            minimum=self.minimum,
            deadline=self.deadline,
            xp=xp,
        )
        tcol = res["terminal"][:, None]
        spans = xp.where(res["done"], d, tcol - res["starts"])
        res["time"] = xp.sum(xp.where(res["ran"], spans, 0.0), axis=1)
        host = {k: to_numpy(v) for k, v in res.items() if k != "starts"}
        return self._columns(host, None, None)


def _row_sums(values: np.ndarray) -> np.ndarray:
    """Each row's sum over its non-NaN entries, added as numpy adds the compacted row (the
    same rounding as summing the instances frame's column)."""
    keep = ~np.isnan(values)
    counts = keep.sum(axis=1)
    if bool((counts == values.shape[1]).all()):
        return np.ascontiguousarray(values).sum(axis=1)
    idx = np.argsort(~keep, axis=1, kind="stable")
    packed = np.take_along_axis(values, idx, axis=1)
    out = np.zeros(values.shape[0])
    for size in np.unique(counts).tolist():
        rows = counts == size
        if size:
            out[rows] = np.ascontiguousarray(packed[rows, :size]).sum(axis=1)
    return out


def walk(
    d: Any,
    ok: Any,
    *,
    unhealthy: int,
    t0: float,
    cap: int,
    c2: int,
    base: int,
    minimum: int,
    deadline: float,
    xp: Any,
) -> dict[str, Any]:
    """The window over many runs of one pass, in start order: ``d`` (runs, n) each instance's
    lifecycle seconds, ``ok`` whether it succeeds; the first ``unhealthy`` positions hold the
    unhealthy instances in every run.

    Returns arrays over runs: ``starts`` (inf if never started), ``ran``, ``done`` (runs, n);
    ``terminal``, ``outcome`` (``OUT_*``), ``succeeded``, ``failed``, ``unknown``, ``peak`` and
    ``low`` (runs,). Array API standard only.
    """
    starts = _starts(d, ok, unhealthy, t0, cap, c2, xp)
    started = xp.isfinite(starts)
    ends = xp.where(started, starts + d, math.inf)
    terminal, outcome = _ending(
        starts,
        started,
        ends,
        ok,
        unhealthy=unhealthy,
        t0=t0,
        base=base,
        minimum=minimum,
        deadline=deadline,
        xp=xp,
    )
    # -- each instance at that moment --------------------------------------------------------
    tcol = terminal[:, None]
    ran = started & (starts < tcol)
    done = ran & (ends <= tcol)
    i32 = xp.int32
    peak, low = _marks(
        d, ok, starts, ends, ran, done, unhealthy=unhealthy, cap=cap, c2=c2, base=base, xp=xp
    )
    return {
        "starts": starts,
        "ran": ran,
        "done": done,
        "terminal": terminal,
        "outcome": outcome,
        "succeeded": xp.sum(xp.astype(done & ok, i32), axis=1),
        "failed": xp.sum(xp.astype(done & ~ok, i32), axis=1),
        "unknown": xp.sum(xp.astype(ran & (ends > tcol), i32), axis=1),
        "peak": peak,
        "low": low,
    }


def _ending(
    starts: Any,
    started: Any,
    ends: Any,
    ok: Any,
    *,
    unhealthy: int,
    t0: float,
    base: int,
    minimum: int,
    deadline: float,
    xp: Any,
) -> tuple[Any, Any]:
    """How each run ends (:mod:`.kernel`'s ending rules and priorities): ``terminal`` and
    ``outcome`` (``OUT_*``), (runs,). First a failure that dooms the run, then the last finish
    (a stall when some instance never started), then the deadline if it comes earlier."""
    runs = ends.shape[0]
    inf = math.inf
    terminal, found = _doomed_at(
        starts, started, ends, ok, unhealthy=unhealthy, base=base, minimum=minimum, xp=xp
    )
    outcome = xp.full((runs,), OUT_SUCCEEDED, dtype=xp.int8)
    outcome = xp.where(found, xp.asarray(OUT_FAILED, dtype=xp.int8), outcome)
    any_started = xp.any(started, axis=1)
    last = xp.max(xp.where(started, ends, -inf), axis=1)
    last = xp.where(any_started, last, t0)
    all_started = xp.all(started, axis=1)
    stall = ~all_started & (last < terminal)
    terminal = xp.where(stall, last, terminal)
    outcome = xp.where(stall, xp.asarray(OUT_FAILED, dtype=xp.int8), outcome)
    whole = all_started & (last < terminal)
    terminal = xp.where(whole, last, terminal)
    succ_all = xp.sum(xp.astype(ok & (ends <= terminal[:, None]), xp.int32), axis=1)
    good = (succ_all >= 1) & (succ_all + base >= minimum)
    outcome = xp.where(
        whole,
        xp.where(
            good, xp.asarray(OUT_SUCCEEDED, dtype=xp.int8), xp.asarray(OUT_FAILED, dtype=xp.int8)
        ),
        outcome,
    )
    cut = deadline < terminal
    terminal = xp.where(cut, max(deadline, t0), terminal)
    outcome = xp.where(cut, xp.asarray(OUT_STOPPED, dtype=xp.int8), outcome)
    return terminal, outcome


def _doomed_at(
    starts: Any,
    started: Any,
    ends: Any,
    ok: Any,
    *,
    unhealthy: int,
    base: int,
    minimum: int,
    xp: Any,
) -> tuple[Any, Any]:
    """The failure at which each run is doomed (``is_doomed``'s rules; inf if none), (runs,),
    and whether one is."""
    runs, n = ends.shape
    inf = math.inf
    terminal = xp.full((runs,), inf, dtype=xp.float64)
    failing = started & ~ok
    n_fail = int(xp.max(xp.sum(xp.astype(failing, xp.int32), axis=1)))
    first_doom = max(0, min(n + base - minimum, n) - 1)
    if n_fail > first_doom:
        fail_times = xp.sort(xp.where(failing, ends, inf), axis=1)
    hs = xp.where(started[:, unhealthy:], starts[:, unhealthy:], inf)
    found = xp.zeros((runs,), dtype=xp.bool)
    # Before the (n + base - minimum)-th failure no run can be doomed (is_doomed's rules).
    for k in range(first_doom, n_fail):
        ft = fail_times[:, k]
        idle = xp.sum(xp.astype(hs >= ft[:, None], xp.int32), axis=1)
        best = n - (k + 1) + base
        doomed = ((idle > 0) & (best <= minimum)) | (best < minimum) | (n - (k + 1) < 1)
        hit = doomed & xp.isfinite(ft) & ~found
        terminal = xp.where(hit, ft, terminal)
        found = found | hit
    return terminal, found


def _marks(
    d: Any,
    ok: Any,
    starts: Any,
    ends: Any,
    ran: Any,
    done: Any,
    *,
    unhealthy: int,
    cap: int,
    c2: int,
    base: int,
    xp: Any,
) -> tuple[Any, Any]:
    """The water marks (finishes before starts at one instant): the most instances in flight
    and the lowest healthy count, (runs,)."""
    n = d.shape[1]
    i32 = xp.int32
    healthy_pos = xp.arange(n) >= unhealthy
    hc0 = base + (n - unhealthy)
    if unhealthy == 0 and c2 == cap:
        # Every instance healthy and no instance ends at its start: the first min(cap, ran)
        # start together at t0 with nothing finished, and the window never holds more than
        # cap (nor takes more than c2 out of the healthy count), so the marks are those.
        nran = xp.sum(xp.astype(ran, i32), axis=1)
        peak = xp.minimum(nran, xp.asarray(cap, dtype=i32))
        low_run = -xp.minimum(nran, xp.asarray(c2, dtype=i32))
        simple = xp.all(d > 0, axis=1)
        if not bool(xp.all(simple)):
            full_peak, full_low = _water_marks(ends, done, ok, starts, ran, healthy_pos, xp)
            peak = xp.where(simple, peak, xp.astype(full_peak, i32))
            low_run = xp.where(simple, low_run, xp.astype(full_low, i32))
    else:
        peak, low_run = _water_marks(ends, done, ok, starts, ran, healthy_pos, xp)
    low = xp.minimum(hc0 + low_run, xp.asarray(hc0, dtype=low_run.dtype))
    return xp.maximum(peak, xp.asarray(0, dtype=peak.dtype)), low


def _water_marks(
    ends: Any, done: Any, ok: Any, starts: Any, ran: Any, healthy_pos: Any, xp: Any
) -> tuple[Any, Any]:
    """The most instances in flight and the lowest change of the healthy count, from one
    merge of each run's finishes and starts (finishes first at one instant, as the kernel's
    ``searchsorted(..., side="right")``)."""
    inf = math.inf
    if _is_numpy(xp):
        return _water_marks_numpy(ends, done, ok, starts, ran, healthy_pos)
    vals = xp.concat([xp.where(done, ends, inf), xp.where(ran, starts, inf)], axis=1)
    i32 = xp.int32
    flight = xp.concat([-xp.astype(done, i32), xp.astype(ran, i32)], axis=1)
    health = xp.concat([xp.astype(done & ok, i32), -xp.astype(ran & healthy_pos, i32)], axis=1)
    idx = xp.argsort(vals, axis=1, stable=True)
    peak = xp.max(xp.cumulative_sum(xp.take_along_axis(flight, idx, axis=1), axis=1), axis=1)
    low = xp.min(xp.cumulative_sum(xp.take_along_axis(health, idx, axis=1), axis=1), axis=1)
    return peak, xp.minimum(low, xp.asarray(0, dtype=low.dtype))


def _is_numpy(xp: Any) -> bool:
    return is_numpy(xp)


def _water_marks_numpy(
    ends: Any, done: Any, ok: Any, starts: Any, ran: Any, healthy_pos: Any
) -> tuple[Any, Any]:
    """:func:`_water_marks` with one sort: each event a complex number, its time the real
    part and (finishes before starts, the two weights) coded in the imaginary part."""
    ends, starts = np.asarray(ends), np.asarray(starts)
    done, ok, ran = np.asarray(done), np.asarray(ok), np.asarray(ran)
    inf = math.inf
    # imag = 16 * tag + 4 * (flight + 1) + (health + 1); tag 0 finish, 1 start.
    end_code = 4.0 * (1 - done) + (1.0 + (done & ok))
    start_code = 16.0 + 4.0 * (1 + ran) + (1.0 - (ran & np.asarray(healthy_pos)))
    events = np.empty((ends.shape[0], 2 * ends.shape[1]), dtype=np.complex128)
    events.real[:, : ends.shape[1]] = np.where(done, ends, inf)
    events.real[:, ends.shape[1] :] = np.where(ran, starts, inf)
    events.imag[:, : ends.shape[1]] = end_code
    events.imag[:, ends.shape[1] :] = start_code
    events.sort(axis=1)
    code = events.imag.astype(np.int32)
    flight = ((code & 15) >> 2) - 1
    health = (code & 3) - 1
    peak = np.cumsum(flight, axis=1).max(axis=1)
    low = np.minimum(np.cumsum(health, axis=1).min(axis=1), 0)
    return peak, low


def _starts(d: Any, ok: Any, unhealthy: int, t0: float, cap: int, c2: int, xp: Any) -> Any:
    """Start times (runs, n) in start order (inf: never started); see the module docstring."""
    if unhealthy == 0 and c2 == cap:
        return _starts_all_healthy(d, ok, t0, cap, c2, xp)
    return _starts_general(d, ok, unhealthy, t0, cap, c2, xp)


def _starts_all_healthy(d: Any, ok: Any, t0: float, cap: int, c2: int, xp: Any) -> Any:
    """:func:`_starts` when every instance is healthy and ``c2 == cap``: the successes' pool
    decides (its k-th value is at least the k-th finish); a failure pops without pushing."""
    runs, n = d.shape
    inf = math.inf
    f64 = xp.float64
    cols = []
    width = max(min(cap, n), 1)
    fast = _is_numpy(xp)
    rows = np.arange(runs)
    slot = xp.arange(width)[None, :]
    pool = xp.full((runs, width), inf, dtype=f64)
    dead = xp.zeros((runs,), dtype=xp.bool)
    for j in range(n):
        popping = j + 1 - c2 >= 1
        if popping:
            k = xp.argmin(pool, axis=1)
            low = pool[rows, k] if fast else xp.min(pool, axis=1)
            when = xp.maximum(low, xp.asarray(t0, dtype=f64))
        else:
            when = xp.full((runs,), t0, dtype=f64)
        dead = dead | ~xp.isfinite(when)
        when = xp.where(dead, inf, when)
        push = xp.where(ok[:, j] & ~dead, when + d[:, j], inf)
        if fast:
            pool[rows, k if popping else j] = push
        elif popping:
            pool = xp.where(slot == k[:, None], push[:, None], pool)
        else:
            pool = xp.where(slot == j, push[:, None], pool)
        cols.append(when)
    return xp.stack(cols, axis=1)


def _starts_general(d: Any, ok: Any, unhealthy: int, t0: float, cap: int, c2: int, xp: Any) -> Any:
    """:func:`_starts` in general: a pool of every finish (width ``cap``) and one of
    successes (width n)."""
    runs, n = d.shape
    inf = math.inf
    f64 = xp.float64
    cols = []
    all_w = max(min(cap, n), 1)
    a_slot = xp.arange(all_w)[None, :]
    o_slot = xp.arange(n)[None, :]
    pool_all = xp.full((runs, all_w), inf, dtype=f64)
    pool_ok = xp.full((runs, n), inf, dtype=f64)
    taken_ok = xp.zeros((runs,), dtype=xp.int32)
    last_ok = xp.full((runs,), t0, dtype=f64)
    dead = xp.zeros((runs,), dtype=xp.bool)
    for j in range(n):
        need_all = j + 1 - cap
        if need_all >= 1:
            k = xp.argmin(pool_all, axis=1)
            low = xp.take_along_axis(pool_all, k[:, None], axis=1)[:, 0]
            when = xp.maximum(low, xp.asarray(t0, dtype=f64))
            at = a_slot == k[:, None]
        else:
            when = xp.full((runs,), t0, dtype=f64)
            at = a_slot == j
        if j >= unhealthy:
            need_ok = j + 1 - c2
            while need_ok >= 1:
                pop = (taken_ok < need_ok) & ~dead
                if not bool(xp.any(pop)):
                    break
                k_ok = xp.argmin(pool_ok, axis=1)
                low_ok = xp.take_along_axis(pool_ok, k_ok[:, None], axis=1)[:, 0]
                last_ok = xp.where(pop, low_ok, last_ok)
                pool_ok = xp.where((o_slot == k_ok[:, None]) & pop[:, None], inf, pool_ok)
                taken_ok = taken_ok + xp.astype(pop, xp.int32)
            if need_ok >= 1:
                when = xp.maximum(when, last_ok)
        dead = dead | ~xp.isfinite(when)
        when = xp.where(dead, inf, when)
        end = when + d[:, j]
        pool_all = xp.where(at, end[:, None], pool_all)
        free = xp.argmax(xp.astype(pool_ok == inf, xp.int8), axis=1)
        put = ok[:, j] & ~dead
        pool_ok = xp.where((o_slot == free[:, None]) & put[:, None], end[:, None], pool_ok)
        cols.append(when)
    return xp.stack(cols, axis=1)


def batch_summaries(
    plan: ServerPlan, seq: np.random.SeedSequence, lo: int, hi: int, xp: Any = None
) -> dict[str, np.ndarray]:
    """The summary columns of runs ``lo .. hi - 1`` (see the module docstring)."""
    return Batch(plan, seq).summaries(lo, hi, xp)
