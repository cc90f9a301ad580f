"""The vectorized numpy kernel: many runs of one traffic-shifting plan at once.

It consumes the same :class:`~.plan.TrafficPlan` and the same :class:`~.draws.TrafficDraws` as
the event core and reaches the same :class:`~.core.Outcome` for every run. Where the core walks
events one by one, the kernel loops over the plan's few steps (alarm evaluations, polls) and
vectorizes over runs:

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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._engines.traffic.core import STATISTIC, Outcome
from shiftsim._engines.traffic.draws import TrafficDraws
from shiftsim._engines.traffic.plan import TrafficPlan
from shiftsim.alarms import STATE_CODE, decide
from shiftsim.core import Priority
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["KernelOutcomes", "evaluate_block", "outcome_of", "run_kernel"]

#: Status codes of the outcome arrays: index -> status.
STATUS = tuple(
    s.value for s in (DeploymentStatus.SUCCEEDED, DeploymentStatus.FAILED, DeploymentStatus.STOPPED)
)
#: Error codes of the outcome arrays: index -> code.
ERROR_CODES = (
    None,
    *(
        c.value
        for c in (
            ErrorCode.HOOK_EXECUTION_FAILURE,
            ErrorCode.ALARM_ACTIVE,
            ErrorCode.MANUAL_STOP,
            ErrorCode.THROTTLED,
            ErrorCode.IAM_ROLE_PERMISSIONS,
            ErrorCode.INTERNAL_ERROR,
            ErrorCode.INVALID_LAMBDA_CONFIGURATION,
            ErrorCode.TIMEOUT,
        )
    ),
)


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


def evaluate_block(
    values: np.ndarray,
    state: np.ndarray,
    n: int,
    m: int,
    treat: str,
    operator: str,
    threshold: float,
) -> np.ndarray:
    """CloudWatch's evaluation of many ranges at once (rows of ``values``, NaN = missing).

    The array form of :meth:`shiftsim.alarms.Alarm.evaluate`; ``state`` holds the current state
    codes (:data:`STATE_CODE`) and the new codes are returned.
    """
    columns = [np.ascontiguousarray(values[:, j]) for j in range(values.shape[1])]
    return evaluate_columns(columns, state, n, m, treat, operator, threshold)


_COMPARE = {
    "GreaterThanThreshold": np.greater,
    "GreaterThanOrEqualToThreshold": np.greater_equal,
    "LessThanThreshold": np.less,
    "LessThanOrEqualToThreshold": np.less_equal,
}


def evaluate_columns(
    columns: list[np.ndarray],
    state: np.ndarray,
    n: int,
    m: int,
    treat: str,
    operator: str,
    threshold: float,
) -> np.ndarray:
    """:func:`evaluate_block` on the range given as columns, oldest first (the kernel's form).

    The range's counts per run, then CloudWatch's rule, :func:`shiftsim.alarms.decide` (the one
    place it is written; the event core calls it on scalars).
    """
    compare = _COMPARE[operator]
    size = len(columns)
    n_real = np.zeros(state.shape, dtype=np.int64)
    judged = np.zeros(state.shape, dtype=np.int64)
    total = np.zeros(state.shape, dtype=np.int64)
    oldest = np.full(state.shape, size, dtype=np.int64)
    for j in range(size - 1, -1, -1):  # newest first: rank the real points
        present = ~np.isnan(columns[j])
        with np.errstate(invalid="ignore"):
            breach = compare(columns[j], threshold)  # NaN compares False
        n_real += present
        judged += breach & (n_real <= n)
        total += breach
        if present.all():
            oldest.fill(j)
        else:
            oldest[present] = j
    new = decide(n_real, judged, total, size - oldest, state, n, m, treat)
    return np.broadcast_to(new, state.shape).astype(np.int8)


def _window_value(
    alarm: Any, counts: tuple[list[np.ndarray], list[np.ndarray]] | np.ndarray, lo: int, hi: int
) -> np.ndarray:
    """One datapoint column: the window of minutes ``[lo, hi)``, from cumulative sums."""
    if isinstance(counts, np.ndarray):  # Duration: one value per minute
        return counts[:, lo]
    csum_count, csum_pop = counts
    count = csum_count[hi] - csum_count[lo]
    pop = csum_pop[hi] - csum_pop[lo]
    return _datapoints(
        alarm.metric, alarm.statistic, count.astype(np.float64), pop.astype(np.float64)
    )


def _datapoints(metric: str, statistic: str, count: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """:func:`.core.datapoint` on arrays (NaN where there is no population)."""
    rule = STATISTIC["ErrorRate" if metric == "ErrorRate" else statistic]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.asarray(rule(count, pop), dtype=np.float64)
    value[pop <= 0] = np.nan
    return value


def _minute_rows(plan: TrafficPlan, values: np.ndarray) -> list[np.ndarray]:
    """Per-minute totals as a list of contiguous run vectors, from segment-major draws."""
    rows = values.T  # (S, runs), contiguous per segment
    out: list[np.ndarray] = []
    seg_minute = plan.segment_minute.tolist()
    s, total = 0, len(seg_minute)
    for minute in range(plan.minutes):
        first = s
        while s < total and seg_minute[s] == minute:
            s += 1
        if s - first == 1:
            out.append(rows[first])
        elif s == first:
            out.append(np.zeros(rows.shape[1], dtype=rows.dtype))
        else:
            out.append(rows[first:s].sum(axis=0))
    return out


def _cumulative(rows: list[np.ndarray], runs: int) -> list[np.ndarray]:
    out = [np.zeros(runs, dtype=np.int64)]
    for row in rows:
        out.append(out[-1] + row)
    return out


def _alarm_counts(
    plan: TrafficPlan,
    draws: TrafficDraws,
    index: int,
    minute_rows: Callable[[str], list[np.ndarray]],
) -> tuple[list[np.ndarray], list[np.ndarray]] | np.ndarray:
    """Cumulative per-minute (count, population) of alarm ``index``, or Duration values."""
    alarm = plan.alarms[index]
    if alarm.metric == "Duration":
        return draws.duration[:, plan.duration_alarms.index(index), :]
    versions = ("target", "current") if alarm.version == "alias" else (alarm.version,)

    def total(kind: str) -> list[np.ndarray]:
        parts = [minute_rows(f"{v}_{kind}") for v in versions]
        return [sum(cols[1:], cols[0]) for cols in zip(*parts)] if len(parts) > 1 else parts[0]

    inv = total("invocations")
    if alarm.metric == "Invocations":
        count, pop = inv, inv
    elif alarm.metric == "Throttles":
        count = total("throttles")
        pop = [c + i for c, i in zip(count, inv)]
    else:
        count, pop = total("errors"), inv
    runs = draws.runs
    return _cumulative(count, runs), _cumulative(pop, runs)


def run_kernel(plan: TrafficPlan, draws: TrafficDraws) -> KernelOutcomes:
    """Outcomes of every run in ``draws``, identical to the event core's run by run."""
    first_alarm, detection = _alarm_times(plan, draws)
    end = _terminal(plan, detection)
    best_time = end.time
    return KernelOutcomes(
        status=end.status,
        error=end.error,
        rolled_back=end.rolled_back.astype(bool),
        end_time=best_time,
        first_alarm_time=np.where(first_alarm <= best_time, first_alarm, np.nan),
        detection_time=np.where(end.by_alarm, best_time, np.nan),
        final_percent=_final_percent(plan, end),
        **_served(plan, draws, best_time),
    )


def _alarm_times(plan: TrafficPlan, draws: TrafficDraws) -> tuple[np.ndarray, np.ndarray]:
    """Per run: when an alarm first entered ALARM, and the first poll that saw one (inf if
    never)."""
    runs = draws.runs
    first_alarm = np.full(runs, np.inf)
    detection = np.full(runs, np.inf)
    if not (plan.alarms and plan.poll_times.size):
        return first_alarm, detection
    cache: dict[str, list[np.ndarray]] = {}

    def minute_rows(name: str) -> list[np.ndarray]:
        if name not in cache:
            cache[name] = _minute_rows(plan, getattr(draws, name))
        return cache[name]

    # any_alarm[e]: some alarm is in ALARM after the first e evaluations.
    any_alarm = [np.zeros(runs, dtype=bool) for _ in range(plan.eval_times.size + 1)]
    for i in range(len(plan.alarms)):
        counts = _alarm_counts(plan, draws, i, minute_rows)
        _walk_alarm(plan, i, counts, runs, first_alarm, any_alarm)
    # A poll at time t sees the state after every evaluation at or before t.
    for when, seen in zip(
        plan.poll_times.tolist(),
        np.searchsorted(plan.eval_times, plan.poll_times, side="right"),
    ):
        hit = any_alarm[int(seen)] & (detection == np.inf)
        detection[hit] = when
    return first_alarm, detection


def _walk_alarm(
    plan: TrafficPlan,
    i: int,
    counts: Any,
    runs: int,
    first_alarm: np.ndarray,
    any_alarm: list[np.ndarray],
) -> None:
    """Evaluate alarm ``i`` at every evaluation time, updating ``first_alarm`` (the earliest
    entry into ALARM) and ``any_alarm`` in place."""
    alarm = plan.alarms[i]
    windows: dict[tuple[int, int], np.ndarray] = {}
    nan = np.full(runs, np.nan)
    state = np.full(runs, STATE_CODE[alarm.initial_state], dtype=np.int8)
    any_alarm[0] |= state == 1
    for e, when in enumerate(plan.eval_times.tolist()):
        columns = []
        for lo, hi in plan.windows[i][e]:
            if hi <= lo:
                columns.append(nan)
                continue
            if (lo, hi) not in windows:
                windows[(lo, hi)] = _window_value(alarm, counts, lo, hi)
            columns.append(windows[(lo, hi)])
        new = evaluate_columns(
            columns,
            state,
            alarm.evaluation_periods,
            alarm.m,
            alarm.treat_missing_data,
            alarm.comparison_operator,
            float(alarm.threshold),
        )
        entered = (new == 1) & (state != 1)
        np.minimum(first_alarm, np.where(entered, when, np.inf), out=first_alarm)
        any_alarm[e + 1] |= new == 1
        state = new


@dataclass(frozen=True, slots=True, eq=False)
class _Terminal:
    """How each run ends: when, by what, with which status, error code and rollback."""

    time: np.ndarray
    by_alarm: np.ndarray
    priority: np.ndarray
    status: np.ndarray
    error: np.ndarray
    rolled_back: np.ndarray


def _terminal(plan: TrafficPlan, detection: np.ndarray) -> _Terminal:
    """Which terminal event comes first, by time and then by the core's priority."""
    end_time = plan.end_time
    end_priority = Priority.LAST if plan.succeeds else Priority.STEP
    stop_time = plan.manual_stop_time if plan.manual_stop_time is not None else np.inf
    read_fail = plan.poll_failure_time if plan.poll_failure_time is not None else np.inf
    best_time = np.minimum(detection, min(stop_time, end_time, read_fail))
    # At one instant the manual stop (REACT) beats a poll (POLL: one that sees an alarm or one
    # that fails, never both), which beats the end (STEP/LAST).
    by_manual = (stop_time <= best_time) & (stop_time <= end_time)
    by_alarm = ~by_manual & (detection == best_time)
    by_read = ~by_manual & ~by_alarm & (read_fail == best_time)
    by_end = ~by_manual & ~by_alarm & ~by_read
    priority = np.select(
        [by_manual, by_alarm | by_read], [Priority.REACT, Priority.POLL], end_priority
    )
    status = np.where(by_end, 0 if plan.succeeds else 1, 2).astype(np.int8)
    read_code = ERROR_CODES.index(plan.poll_failure_code) if plan.poll_failure_code else 0
    end_code = 0 if plan.succeeds else ERROR_CODES.index(plan.phases[-1].error_code)
    stop_code = ERROR_CODES.index(plan.manual_stop_code)
    error = np.select([by_alarm, by_manual, by_read], [2, stop_code, read_code], end_code).astype(
        np.int8
    )
    failing_rolls_back = (
        not plan.succeeds and plan.rollback_on_failure and plan.phases[-1].rollback_possible
    )
    rolled_back = np.where(
        by_alarm | by_read,
        plan.rollback_on_alarm,
        np.where(by_manual, plan.manual_stop_rolls_back, failing_rolls_back),
    )
    # A stop before the first phase that can roll back (ECS's BeforeInstall) cannot.
    rolled_back &= ~(~by_end & (best_time <= plan.rollback_from))
    return _Terminal(best_time, by_alarm, priority, status, error, rolled_back)


def _served(plan: TrafficPlan, draws: TrafficDraws, best_time: np.ndarray) -> dict[str, Any]:
    """Invocations and errors per version served until each run ended (whole segments)."""
    seg_end = plan.edges[1:].tolist()
    seg_start = plan.edges[:-1].tolist()
    limit = best_time + 1e-9
    sums = {
        name: np.zeros(draws.runs, dtype=np.int64)
        for name in ("target_invocations", "target_errors", "current_invocations", "current_errors")
    }
    for s, (start, end) in enumerate(zip(seg_start, seg_end)):
        served = end <= limit
        for name, acc in sums.items():
            if start < 0 and name.startswith("current"):
                continue
            acc += getattr(draws, name)[:, s] * served
    return sums


def _final_percent(plan: TrafficPlan, end: _Terminal) -> np.ndarray:
    """Percent of traffic on the target when each run ended (0 after a rollback)."""
    shift_times = np.array([t for t, _ in plan.shifts])
    shift_percent = np.array([p for _, p in plan.shifts], dtype=np.int64)
    if shift_times.size:
        done = np.where(
            end.priority >= Priority.STEP,
            np.searchsorted(shift_times, end.time, side="right"),
            np.searchsorted(shift_times, end.time, side="left"),
        )
        final = np.where(done > 0, shift_percent[np.maximum(done - 1, 0)], 0)
    else:
        final = np.zeros(end.time.shape[0], dtype=np.int64)
    return np.where(end.rolled_back, 0, final)


def outcome_of(outcomes: KernelOutcomes, i: int) -> Outcome:
    """Run ``i`` of ``outcomes`` as the :class:`~.core.Outcome` the core reports."""

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
