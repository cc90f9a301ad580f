"""The vectorized numpy kernel: many runs of one traffic-shifting plan at once.

It consumes the same :class:`~shiftsim.plan.TrafficPlan` and the same
:class:`~shiftsim.draws.TrafficDraws` as the event core and reaches the same
:class:`~shiftsim._shifting.Outcome` for every run. Where the core walks events one by one, the
kernel loops over the plan's few steps (alarm evaluations, polls) and vectorizes over runs:

1. sum segment draws into per-minute counts, then into each alarm's datapoints with cumulative
   sums (windows are the same for every run);
2. evaluate each alarm at each whole minute with :func:`evaluate_block`, CloudWatch's rules on
   arrays;
3. find each run's first poll that sees an ALARM, and pick the earliest of {that poll, a manual
   stop, the planned end}, breaking ties at one instant in the core's priority order
   (:class:`shiftsim.core.Priority`);
4. count what the target served up to that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._shifting import Outcome
from shiftsim.alarms import ALARM, INSUFFICIENT_DATA, OK
from shiftsim.core import Priority
from shiftsim.draws import TrafficDraws, per_minute_sum
from shiftsim.plan import TrafficPlan
from shiftsim.results import TrafficRun

__all__ = ["KernelOutcomes", "evaluate_block", "outcome_of", "replay_with_kernel", "run_kernel"]

#: Integer codes of alarm states inside the kernel.
STATE_CODE = {OK: 0, ALARM: 1, INSUFFICIENT_DATA: 2}
STATE_NAME = {v: k for k, v in STATE_CODE.items()}
STATUS = ("Succeeded", "Failed", "Stopped")
ERROR_CODES = (None, "HOOK_EXECUTION_FAILURE", "ALARM_ACTIVE", "MANUAL_STOP")


@dataclass(frozen=True, slots=True, eq=False)
class KernelOutcomes:
    """Per-run outcome arrays (length = runs); times in seconds, NaN where it did not happen.

    ``status`` indexes :data:`STATUS` and ``error`` indexes :data:`ERROR_CODES`.
    """

    status: np.ndarray
    error: np.ndarray
    rolled_back: np.ndarray
    end_time: np.ndarray
    first_alarm_time: np.ndarray
    detection_time: np.ndarray
    target_invocations: np.ndarray
    target_errors: np.ndarray
    current_invocations: np.ndarray
    current_errors: np.ndarray
    final_percent: np.ndarray

    @staticmethod
    def concat(parts: list[KernelOutcomes]) -> KernelOutcomes:
        names = KernelOutcomes.__slots__
        return KernelOutcomes(*(np.concatenate([getattr(p, n) for p in parts]) for n in names))


def evaluate_block(values: np.ndarray, state: np.ndarray, n: int, m: int, treat: str,
                   operator: str, threshold: float) -> np.ndarray:
    """CloudWatch's evaluation of many ranges at once (rows of ``values``, NaN = missing).

    The array form of :meth:`shiftsim.alarms.Alarm.evaluate`; ``state`` holds the current state
    codes (:data:`STATE_CODE`) and the new codes are returned.
    """
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        if operator == "GreaterThanThreshold":
            breach = values > threshold
        elif operator == "GreaterThanOrEqualToThreshold":
            breach = values >= threshold
        elif operator == "LessThanThreshold":
            breach = values < threshold
        else:
            breach = values <= threshold
    breach &= present
    size = values.shape[1]
    n_real = present.sum(axis=1)
    # Rank of each real point counted from the newest (1 = newest real point).
    rank = np.cumsum(present[:, ::-1], axis=1)[:, ::-1]
    judged = (breach & (rank <= n)).sum(axis=1)
    out = np.where(judged >= m, 1, 0)

    none = n_real == 0
    if treat == "missing":
        out[none] = 2
    elif treat == "ignore":
        out[none] = state[none]
    elif treat == "breaching":
        out[none] = 1
    else:
        out[none] = 0

    few = (n_real > 0) & (n_real < n)
    if few.any():
        fills = (n - n_real) if treat == "breaching" else 0
        out[few] = np.where((breach.sum(axis=1) + fills)[few] >= m, 1, 0)
        if treat in ("missing", "ignore"):
            oldest = np.argmax(present, axis=1)
            age = size - oldest
            after = np.arange(size)[None, :] >= oldest[:, None]
            clean = ~(present & ~breach & after).any(axis=1)
            premature = few & (age >= m) & (age <= n) & clean
            out[premature] = 1 if treat == "missing" else state[premature]
    return out


def _alarm_series(plan: TrafficPlan, minute: dict[str, np.ndarray], draws: TrafficDraws,
                  index: int) -> tuple[np.ndarray, np.ndarray] | np.ndarray:
    alarm = plan.alarms[index]
    if alarm.metric == "Duration":
        return draws.duration[:, plan.duration_alarms.index(index), :]
    versions = ("target",) if alarm.version == "target" else ("target", "current")
    inv = sum(minute[f"{v}_invocations"] for v in versions)
    if alarm.metric == "Invocations":
        count, pop = inv, inv
    elif alarm.metric == "Throttles":
        thr = sum(minute[f"{v}_throttles"] for v in versions)
        count, pop = thr, thr + inv
    else:
        count, pop = sum(minute[f"{v}_errors"] for v in versions), inv
    return np.asarray(count, dtype=np.float64), np.asarray(pop, dtype=np.float64)


def _datapoints(metric: str, statistic: str, count: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """Array form of :func:`shiftsim._shifting.datapoint` (NaN where there is no population)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "ErrorRate":
            value = 100.0 * count / pop
        elif statistic == "Sum":
            value = count.copy()
        elif statistic == "SampleCount":
            value = pop.copy()
        elif statistic == "Average":
            value = count / pop
        elif statistic == "Maximum":
            value = (count > 0).astype(np.float64)
        else:
            value = (count >= pop).astype(np.float64)
    value[pop <= 0] = np.nan
    return value


def _ranges(plan: TrafficPlan, index: int, series: tuple[np.ndarray, np.ndarray] | np.ndarray,
            when: float) -> np.ndarray:
    """The ``(runs, range_size)`` evaluation range of alarm ``index`` at ``when``."""
    alarm = plan.alarms[index]
    period, size, per = alarm.period, alarm.range_size, alarm.period // 60
    arrived = int((when - plan.metric_delay + plan.history) // 60)
    runs = series.shape[0] if isinstance(series, np.ndarray) else series[0].shape[0]
    out = np.full((runs, size), np.nan)
    for col, j in enumerate(range(size - 1, -1, -1)):
        end = int(round((when - j * period + plan.history) / 60))
        lo, hi = max(end - per, 0), min(end, arrived, plan.minutes)
        if hi <= lo:
            continue
        if isinstance(series, np.ndarray):
            out[:, col] = series[:, lo]
            continue
        csum_count, csum_pop = series
        out[:, col] = _datapoints(alarm.metric, alarm.statistic,
                                  csum_count[:, hi] - csum_count[:, lo],
                                  csum_pop[:, hi] - csum_pop[:, lo])
    return out


def run_kernel(plan: TrafficPlan, draws: TrafficDraws) -> KernelOutcomes:
    """Outcomes of every run in ``draws``, identical to the event core's run by run."""
    runs = draws.runs
    inf = np.inf
    end_time = plan.end_time

    # -- alarms: first ALARM transition and first poll that sees an alarm ------------------
    first_alarm = np.full(runs, inf)
    detection = np.full(runs, inf)
    if plan.alarms and plan.poll_times.size:
        minute = {name: per_minute_sum(getattr(draws, name), plan.segment_minute, plan.minutes)
                  for name in ("target_invocations", "current_invocations", "target_errors",
                               "current_errors", "target_throttles", "current_throttles")}
        evals = plan.eval_times
        any_alarm = np.zeros((runs, evals.size + 1), dtype=bool)  # column 0: before any eval
        for i, alarm in enumerate(plan.alarms):
            series = _alarm_series(plan, minute, draws, i)
            if not isinstance(series, np.ndarray):
                zero = np.zeros((runs, 1))
                series = (np.concatenate([zero, np.cumsum(series[0], axis=1)], axis=1),
                          np.concatenate([zero, np.cumsum(series[1], axis=1)], axis=1))
            state = np.full(runs, STATE_CODE[alarm.initial_state])
            any_alarm[:, 0] |= state == 1
            for e, when in enumerate(evals.tolist()):
                new = evaluate_block(_ranges(plan, i, series, when), state,
                                     alarm.evaluation_periods, alarm.m, alarm.treat_missing_data,
                                     alarm.comparison_operator, float(alarm.threshold))
                entered = (new == 1) & (state != 1)
                first_alarm[entered] = np.minimum(first_alarm[entered], when)
                any_alarm[:, e + 1] |= new == 1
                state = new
        # Alarm state a poll at time t sees: after every evaluation at or before t.
        seen_index = np.searchsorted(evals, plan.poll_times, side="right")
        seen = any_alarm[:, seen_index]
        hit = seen.any(axis=1)
        detection[hit] = plan.poll_times[np.argmax(seen[hit], axis=1)]

    # -- which terminal event comes first (time, then the core's priority) ----------------
    end_priority = Priority.LAST if plan.succeeds else Priority.STEP
    candidates = [
        (detection, Priority.POLL),
        (np.full(runs, plan.manual_stop_time if plan.manual_stop_time is not None else inf),
         Priority.REACT),
        (np.full(runs, end_time), end_priority),
    ]
    best_time = np.full(runs, inf)
    best_priority = np.full(runs, 99)
    best_kind = np.zeros(runs, dtype=np.int8)
    for kind, (times, priority) in enumerate(candidates):
        better = (times < best_time) | ((times == best_time) & (priority < best_priority))
        best_time[better] = times[better]
        best_priority[better] = priority
        best_kind[better] = kind

    status = np.where(best_kind == 2, 0 if plan.succeeds else 1, 2).astype(np.int8)
    error = np.select([best_kind == 0, best_kind == 1, best_kind == 2],
                      [2, 3, 0 if plan.succeeds else 1]).astype(np.int8)
    failing_rolls_back = (not plan.succeeds and plan.rollback_on_failure
                          and plan.phases[-1].rollback_possible)
    rolled_back = np.select(
        [best_kind == 0, best_kind == 1, best_kind == 2],
        [plan.rollback_on_alarm, plan.manual_stop_rolls_back, failing_rolls_back])
    rolled_back = rolled_back.astype(bool)

    # -- what was served until then ---------------------------------------------------------
    served = np.searchsorted(plan.edges[1:], best_time + 1e-9, side="right")
    first_live = int(np.searchsorted(plan.edges[:-1], 0.0, side="left"))

    def served_sum(values: np.ndarray, start: int = 0) -> np.ndarray:
        csum = np.concatenate([np.zeros((runs, 1), dtype=np.int64),
                               np.cumsum(values, axis=1)], axis=1)
        upto = csum[np.arange(runs), served]
        return np.where(served >= start, upto - csum[:, min(start, values.shape[1])], 0)

    shift_times = np.array([t for t, _ in plan.shifts])
    shift_percent = np.array([p for _, p in plan.shifts], dtype=np.int64)
    steps_done = best_priority >= Priority.STEP  # a step at the end instant has happened
    if shift_times.size:
        done = np.where(steps_done, np.searchsorted(shift_times, best_time, side="right"),
                        np.searchsorted(shift_times, best_time, side="left"))
        final = np.where(done > 0, shift_percent[np.maximum(done - 1, 0)], 0)
    else:
        final = np.zeros(runs, dtype=np.int64)
    final = np.where(rolled_back, 0, final)

    return KernelOutcomes(
        status=status,
        error=error,
        rolled_back=rolled_back,
        end_time=best_time,
        first_alarm_time=np.where(first_alarm <= best_time, first_alarm, np.nan),
        detection_time=np.where(best_kind == 0, best_time, np.nan),
        target_invocations=served_sum(draws.target_invocations),
        target_errors=served_sum(draws.target_errors),
        current_invocations=served_sum(draws.current_invocations, first_live),
        current_errors=served_sum(draws.current_errors, first_live),
        final_percent=final,
    )


def outcome_of(outcomes: KernelOutcomes, i: int) -> Outcome:
    """Run ``i`` of ``outcomes`` as the :class:`~shiftsim._shifting.Outcome` the core reports."""

    def time(value: float) -> float | None:
        return None if np.isnan(value) else float(value)

    return Outcome(
        status=STATUS[int(outcomes.status[i])],
        error_code=ERROR_CODES[int(outcomes.error[i])],
        rolled_back=bool(outcomes.rolled_back[i]),
        end_time=float(outcomes.end_time[i]),
        first_alarm_time=time(outcomes.first_alarm_time[i]),
        detection_time=time(outcomes.detection_time[i]),
        target_invocations=int(outcomes.target_invocations[i]),
        target_errors=int(outcomes.target_errors[i]),
        current_invocations=int(outcomes.current_invocations[i]),
        current_errors=int(outcomes.current_errors[i]),
        final_percent=int(outcomes.final_percent[i]),
    )


def replay_with_kernel(deployment: Any, seq: np.random.SeedSequence) -> TrafficRun:
    """``simulate(deployment, engine="kernel")`` for Lambda and ECS.

    The kernel decides the outcome; the event log and timeline are the core's reconstruction of
    the same draws (the kernel keeps no per-event record). The two must agree, and
    :class:`ValueError` is raised if they ever do not.
    """
    from dataclasses import replace

    from shiftsim.simulation import run_traffic_deployment

    run = run_traffic_deployment(deployment, seq, runs=1, index=0)
    outcome = outcome_of(run_kernel(run.plan, run.draws), 0)
    if outcome != run.outcome:
        raise ValueError(f"engines disagree: kernel {outcome} vs core {run.outcome}")
    return replace(run, trace=replace(run.trace, outcome=outcome))
