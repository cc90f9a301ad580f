"""The traffic family's array kernel: many runs of one plan at once, on any array namespace.

It consumes the same :class:`~.plan.TrafficPlan` and the same :class:`~.draws.TrafficDraws` as
the event core and reaches the same :class:`~.core.Outcome` for every run. Where the core walks
events one by one, the kernel loops over the plan's few steps (alarm evaluations, polls) and
vectorizes over runs:

1. sum segment draws into per-minute counts, then into each alarm's datapoints with cumulative
   sums (windows are the same for every run);
2. evaluate each alarm at each whole minute with :func:`evaluate_columns`: the range's counts on
   arrays, then CloudWatch's rule, :func:`shiftsim.alarms.decide` (the one place it is written);
3. find each run's first poll that sees an ALARM, and pick the earliest of {that poll, a failed
   poll, a manual stop, the planned end}, breaking ties at one instant in the core's priority
   order (:class:`shiftsim.core.Priority`);
4. count what the target served up to that moment.

Every array operation goes through the namespace ``xp`` (the array API standard): numpy by
default (:func:`shiftsim._xp.numpy_namespace`), CuPy for ``monte_carlo(..., device="cuda")``
(:func:`device_outcomes`, with draws from :func:`~.draws.draw_xp`), array-api-strict in the
tests. The same draws give the same outcomes, value for value, on each.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._engines.traffic.core import STATISTIC, Outcome
from shiftsim._engines.traffic.draws import TrafficDraws, device_rng, draw_xp
from shiftsim._engines.traffic.plan import TrafficPlan
from shiftsim._xp import compat, numpy_namespace, to_numpy
from shiftsim.alarms import STATE_CODE, decide
from shiftsim.core import Priority
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = [
    "DEVICE_BLOCK",
    "ERROR_CODES",
    "STATE_CODE",
    "STATUS",
    "KernelOutcomes",
    "device_outcomes",
    "evaluate_block",
    "evaluate_columns",
    "outcome_of",
    "run_kernel",
    "supported",
]

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
#: Runs per device block (about 2 GB of int64 draws for a 15-segment plan).
DEVICE_BLOCK = 10_000_000


@dataclass(frozen=True, slots=True, eq=False)
class KernelOutcomes:
    """Per-run outcome arrays (length = runs); times in seconds, NaN where it did not happen.

    ``status`` indexes :data:`STATUS` and ``error`` indexes :data:`ERROR_CODES`. The arrays
    belong to the namespace the kernel ran on (numpy unless told otherwise).
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

    def to_numpy(self) -> KernelOutcomes:
        """The same outcomes as numpy arrays (copied from the device where they are on one)."""
        return KernelOutcomes(*(to_numpy(getattr(self, n)) for n in KernelOutcomes.__slots__))


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
    result: np.ndarray = evaluate_columns(columns, state, n, m, treat, operator, threshold)
    return result


#: The comparison operators, element-wise on any namespace's arrays (NaN compares False).
_COMPARE: dict[str, Callable[[Any, float], Any]] = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


def evaluate_columns(
    columns: list[Any],
    state: Any,
    n: int,
    m: int,
    treat: str,
    operator: str,
    threshold: float,
    xp: Any = None,
) -> Any:
    """:func:`evaluate_block` on the range given as columns, oldest first (the kernel's form),
    arrays of ``xp`` (default numpy).

    The range's counts per run, then CloudWatch's rule, :func:`shiftsim.alarms.decide` (the one
    place it is written; the event core calls it on scalars).
    """
    xp = numpy_namespace() if xp is None else xp
    compare = _COMPARE[operator]
    size = len(columns)
    # Counts of at most ``size`` points (an evaluation range: at most a day of minutes) fit int16.
    count = xp.int16 if max(size, n) < 2**15 else xp.int64
    n_real = xp.zeros(state.shape, dtype=count)
    total = xp.zeros(state.shape, dtype=count)
    oldest = xp.full(state.shape, size, dtype=count)
    judged = None
    for j in range(size - 1, -1, -1):  # newest first: rank the real points
        column = columns[j]
        present = column == column  # not NaN
        breach = compare(column, threshold)  # NaN compares False
        n_real += xp.astype(present, count)
        if judged is not None:  # older than the newest N columns: count only the newest N real
            judged += xp.astype(breach & (n_real <= n), count)
        total += xp.astype(breach, count)
        oldest = xp.where(present, j, oldest)
        if size - j == n:  # every real point so far is among the newest N
            judged = xp.asarray(total, copy=True)
    if judged is None:
        judged = total
    new = decide(n_real, judged, total, size - oldest, state, n, m, treat)
    return xp.astype(xp.broadcast_to(xp.asarray(new), state.shape), xp.int8)


def _window_value(
    xp: Any, alarm: Any, counts: tuple[list[Any], list[Any]] | Any, lo: int, hi: int
) -> Any:
    """One datapoint column: the window of minutes ``[lo, hi)``, from cumulative sums."""
    if not isinstance(counts, tuple):  # Duration: one value per minute
        return counts[:, lo]
    csum_count, csum_pop = counts
    count = csum_count[hi] - csum_count[lo]
    pop = csum_pop[hi] - csum_pop[lo]
    return _datapoints(
        xp, alarm.metric, alarm.statistic, xp.astype(count, xp.float64), xp.astype(pop, xp.float64)
    )


def _datapoints(xp: Any, metric: str, statistic: str, count: Any, pop: Any) -> Any:
    """:func:`.core.datapoint` on arrays (NaN where there is no population)."""
    rule = STATISTIC["ErrorRate" if metric == "ErrorRate" else statistic]
    with np.errstate(invalid="ignore", divide="ignore"):  # numpy's warnings on x / 0
        # count and pop are the caller's own float64 arrays: the value may be one of them.
        value = xp.astype(rule(count, pop), xp.float64, copy=False)
    value[pop <= 0] = math.nan
    return value


def _minute_rows(xp: Any, plan: TrafficPlan, values: Any) -> list[Any]:
    """Per-minute totals as a list of run vectors, from ``(runs, S)`` draws (segment-major in
    memory, so each segment's row of runs is contiguous)."""
    rows = xp.permute_dims(values, (1, 0))  # (S, runs)
    out: list[Any] = []
    seg_minute = plan.segment_minute.tolist()
    s, total = 0, len(seg_minute)
    for minute in range(plan.minutes):
        first = s
        while s < total and seg_minute[s] == minute:
            s += 1
        if s - first == 1:
            out.append(rows[first, ...])
        elif s == first:
            out.append(xp.zeros((rows.shape[1],), dtype=rows.dtype))
        else:
            out.append(xp.sum(rows[first:s, ...], axis=0, dtype=rows.dtype))
    return out


def _cumulative(xp: Any, rows: list[Any], runs: int) -> list[Any]:
    out = [xp.zeros((runs,), dtype=xp.int64)]
    for row in rows:
        out.append(out[-1] + row)
    return out


def _alarm_counts(
    xp: Any,
    plan: TrafficPlan,
    draws: TrafficDraws,
    index: int,
    minute_rows: Callable[[str], list[Any]],
) -> tuple[list[Any], list[Any]] | Any:
    """Cumulative per-minute (count, population) of alarm ``index``, or Duration values."""
    alarm = plan.alarms[index]
    if alarm.metric == "Duration":
        return draws.duration[:, plan.duration_alarms.index(index), :]
    versions = ("target", "current") if alarm.version == "alias" else (alarm.version,)

    def total(kind: str) -> list[Any]:
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
    return _cumulative(xp, count, runs), _cumulative(xp, pop, runs)


def run_kernel(plan: TrafficPlan, draws: TrafficDraws, xp: Any = None) -> KernelOutcomes:
    """Outcomes of every run in ``draws``, identical to the event core's run by run.

    ``draws`` hold arrays of ``xp`` (default numpy) and so do the outcomes.
    """
    xp = numpy_namespace() if xp is None else xp
    first_alarm, detection = _alarm_times(xp, plan, draws)
    end = _terminal(xp, plan, detection)
    best_time = end.time
    return KernelOutcomes(
        status=end.status,
        error=end.error,
        rolled_back=end.rolled_back,
        end_time=best_time,
        first_alarm_time=xp.where(first_alarm <= best_time, first_alarm, math.nan),
        detection_time=xp.where(end.by_alarm, best_time, math.nan),
        final_percent=_final_percent(xp, plan, end),
        **_served(xp, plan, draws, best_time),
    )


def _alarm_times(xp: Any, plan: TrafficPlan, draws: TrafficDraws) -> tuple[Any, Any]:
    """Per run: when an alarm first entered ALARM, and the first poll that saw one (inf if
    never)."""
    runs = draws.runs
    first_alarm = xp.full((runs,), math.inf, dtype=xp.float64)
    detection = xp.full((runs,), math.inf, dtype=xp.float64)
    if not (plan.alarms and plan.poll_times.size):
        return first_alarm, detection
    cache: dict[str, list[Any]] = {}

    def minute_rows(name: str) -> list[Any]:
        if name not in cache:
            cache[name] = _minute_rows(xp, plan, getattr(draws, name))
        return cache[name]

    # any_alarm[e]: some alarm is in ALARM after the first e evaluations.
    any_alarm = [xp.zeros((runs,), dtype=xp.bool) for _ in range(plan.eval_times.size + 1)]
    for i in range(len(plan.alarms)):
        counts = _alarm_counts(xp, plan, draws, i, minute_rows)
        first_alarm = _walk_alarm(xp, plan, i, counts, first_alarm, any_alarm)
    # A poll at time t sees the state after every evaluation at or before t.
    seen = np.searchsorted(plan.eval_times, plan.poll_times, side="right")
    for when, k in zip(plan.poll_times.tolist(), seen.tolist()):
        hit = any_alarm[k] & (detection == math.inf)
        detection = xp.where(hit, when, detection)
    return first_alarm, detection


def _walk_alarm(
    xp: Any, plan: TrafficPlan, i: int, counts: Any, first_alarm: Any, any_alarm: list[Any]
) -> Any:
    """Evaluate alarm ``i`` at every evaluation time, updating ``any_alarm`` in place; returns
    ``first_alarm`` lowered to each run's earliest entry into ALARM."""
    alarm = plan.alarms[i]
    windows: dict[tuple[int, int], Any] = {}
    runs = first_alarm.shape[0]
    nan = xp.full((runs,), math.nan, dtype=xp.float64)
    state = xp.full((runs,), STATE_CODE[alarm.initial_state], dtype=xp.int8)
    any_alarm[0] |= state == 1
    for e, when in enumerate(plan.eval_times.tolist()):
        columns = []
        for lo, hi in plan.windows[i][e]:
            if hi <= lo:
                columns.append(nan)
                continue
            if (lo, hi) not in windows:
                windows[(lo, hi)] = _window_value(xp, alarm, counts, lo, hi)
            columns.append(windows[(lo, hi)])
        new = evaluate_columns(
            columns,
            state,
            alarm.evaluation_periods,
            alarm.m,
            alarm.treat_missing_data,
            alarm.comparison_operator,
            float(alarm.threshold),
            xp,
        )
        entered = (new == 1) & (state != 1)
        first_alarm = xp.where(entered & (when < first_alarm), when, first_alarm)
        any_alarm[e + 1] |= new == 1
        state = new
    return first_alarm


@dataclass(frozen=True, slots=True, eq=False)
class _Terminal:
    """How each run ends: when, by what, with which status, error code and rollback."""

    time: Any
    by_alarm: Any
    priority: Any
    status: Any
    error: Any
    rolled_back: Any


def _select(xp: Any, choices: list[tuple[Any, Any]], default: Any, like: Any, dtype: Any) -> Any:
    """``numpy.select`` on the namespace: per run, the value of the first true condition in
    ``choices`` (condition, Python scalar), else ``default``."""
    out = xp.full(like.shape, default, dtype=dtype)
    for condition, value in reversed(choices):
        out = xp.where(condition, value, out)
    return out


def _terminal(xp: Any, plan: TrafficPlan, detection: Any) -> _Terminal:
    """Which terminal event comes first, by time and then by the core's priority."""
    end_time = float(plan.end_time)
    end_priority = int(Priority.LAST if plan.succeeds else Priority.STEP)
    stop_time = plan.manual_stop_time if plan.manual_stop_time is not None else math.inf
    read_fail = plan.poll_failure_time if plan.poll_failure_time is not None else math.inf
    best_time = xp.minimum(detection, min(stop_time, end_time, read_fail))
    # At one instant the manual stop (REACT) beats a poll (POLL: one that sees an alarm or one
    # that fails, never both), which beats the end (STEP/LAST).
    by_manual = (stop_time <= best_time) & (stop_time <= end_time)
    by_alarm = ~by_manual & (detection == best_time)
    by_read = ~by_manual & ~by_alarm & (read_fail == best_time)
    by_end = ~by_manual & ~by_alarm & ~by_read
    by_poll = by_alarm | by_read
    i8 = xp.int8
    priority = _select(
        xp,
        [(by_manual, int(Priority.REACT)), (by_poll, int(Priority.POLL))],
        end_priority,
        best_time,
        xp.int64,
    )
    status = _select(xp, [(by_end, 0 if plan.succeeds else 1)], 2, best_time, i8)
    read_code = ERROR_CODES.index(plan.poll_failure_code) if plan.poll_failure_code else 0
    end_code = 0 if plan.succeeds else ERROR_CODES.index(plan.phases[-1].error_code)
    stop_code = ERROR_CODES.index(plan.manual_stop_code)
    error = _select(
        xp, [(by_alarm, 2), (by_manual, stop_code), (by_read, read_code)], end_code, best_time, i8
    )
    failing_rolls_back = bool(
        not plan.succeeds and plan.rollback_on_failure and plan.phases[-1].rollback_possible
    )
    rolled_back = _select(
        xp,
        [(by_poll, bool(plan.rollback_on_alarm)), (by_manual, bool(plan.manual_stop_rolls_back))],
        failing_rolls_back,
        best_time,
        xp.bool,
    )
    # A stop before the first phase that can roll back (ECS's BeforeInstall) cannot.
    rolled_back &= ~(~by_end & (best_time <= float(plan.rollback_from)))
    return _Terminal(best_time, by_alarm, priority, status, error, rolled_back)


def _served(xp: Any, plan: TrafficPlan, draws: TrafficDraws, best_time: Any) -> dict[str, Any]:
    """Invocations and errors per version served until each run ended (whole segments)."""
    seg_end = plan.edges[1:].tolist()
    seg_start = plan.edges[:-1].tolist()
    limit = best_time + 1e-9
    sums = {
        name: xp.zeros(best_time.shape, dtype=xp.int64)
        for name in ("target_invocations", "target_errors", "current_invocations", "current_errors")
    }
    for s, (start, end) in enumerate(zip(seg_start, seg_end)):
        served = xp.astype(end <= limit, xp.int64)
        for name, acc in sums.items():
            if start < 0 and name.startswith("current"):
                continue
            acc += getattr(draws, name)[:, s] * served
    return sums


def _final_percent(xp: Any, plan: TrafficPlan, end: _Terminal) -> Any:
    """Percent of traffic on the target when each run ended (0 after a rollback)."""
    if plan.shifts:
        shift_times = xp.asarray([float(t) for t, _ in plan.shifts], dtype=xp.float64)
        shift_percent = xp.asarray([int(p) for _, p in plan.shifts], dtype=xp.int64)
        done = xp.where(
            end.priority >= int(Priority.STEP),
            xp.searchsorted(shift_times, end.time, side="right"),
            xp.searchsorted(shift_times, end.time, side="left"),
        )
        pick = xp.take(shift_percent, xp.maximum(done - 1, 0))
        final = xp.where(done > 0, pick, 0)
    else:
        final = xp.zeros(end.time.shape, dtype=xp.int64)
    return xp.where(end.rolled_back, 0, final)


def outcome_of(outcomes: KernelOutcomes, i: int) -> Outcome:
    """Run ``i`` of ``outcomes`` (numpy arrays) as the :class:`~.core.Outcome` the core reports."""

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


def supported(plan: TrafficPlan) -> str | None:
    """Why :func:`device_outcomes` cannot run ``plan`` (None if it can): Duration alarms need
    the latency draws, which only the CPU draws make."""
    if plan.duration_alarms:
        return "Duration alarms (latency draws)"
    return None


def device_outcomes(
    plan: TrafficPlan, runs: int, seq: np.random.SeedSequence, xp: Any = None
) -> KernelOutcomes:
    """The outcomes of ``monte_carlo(..., device="cuda")`` for a Lambda or ECS plan: draws
    (:func:`~.draws.draw_xp`) and kernel on the device (CuPy unless ``xp`` names another
    namespace), in blocks of :data:`DEVICE_BLOCK` runs; the outcomes come back to the host."""
    reason = supported(plan)
    if reason is not None:
        raise UnsupportedScenarioError(
            f"monte_carlo(device='cuda') does not run {reason}; use device=None."
        )
    if xp is None:
        xp = compat("cupy")
    rng = device_rng(xp, int(seq.generate_state(1)[0]))
    parts = []
    for lo in range(0, runs, DEVICE_BLOCK):
        size = min(DEVICE_BLOCK, runs - lo)
        parts.append(run_kernel(plan, draw_xp(plan, size, xp, rng), xp).to_numpy())
    return KernelOutcomes.concat(parts)
