"""The traffic kernel written once against the array API standard: numpy, CuPy, array-api-strict.

:func:`run_xkernel` is :func:`~.kernel.run_kernel` restated with ``array_api_compat`` (every
array operation through the namespace ``xp``), so the same source runs on the CPU and on a GPU.
Given the same input arrays it returns the same outcomes as the numpy kernel, value for value
(the tests compare them on numpy and on array-api-strict; ``benchmarks/gpu.py`` on CuPy).
:func:`draw_xp` draws the traffic with the array library's own generator (``cupy.random`` on
a GPU): the same distributions as :func:`~.draws.draw_traffic`, other streams, so runs drawn
there differ from the CPU's and agree in distribution.

Supported (:func:`supported`): deployments whose alarms count requests (``Errors``,
``Invocations``, ``Throttles``, ``ErrorRate``); Duration alarms need the latency draws and stay
on the numpy kernel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from shiftsim._engines.traffic.kernel import KernelOutcomes
from shiftsim._engines.traffic.plan import TrafficPlan
from shiftsim._xp import compat
from shiftsim.core import Priority
from shiftsim.errors import UnsupportedScenarioError

__all__ = ["FIELDS", "device_outcomes", "draw_xp", "run_xkernel", "supported"]

#: The draw arrays the kernel reads, each ``(runs, segments)`` int64.
FIELDS = (
    "target_invocations",
    "current_invocations",
    "target_errors",
    "current_errors",
    "target_throttles",
    "current_throttles",
)
_STATE = {"OK": 0, "ALARM": 1, "INSUFFICIENT_DATA": 2}
#: Runs per device block (about 2 GB of int64 draws for a 15-segment plan).
DEVICE_BLOCK = 10_000_000


def supported(plan: TrafficPlan) -> str | None:
    """Why :func:`run_xkernel` cannot run ``plan`` (None if it can)."""
    if plan.duration_alarms:
        return "Duration alarms (latency draws)"
    return None


def _datapoints(xp: Any, metric: str, statistic: str, count: Any, pop: Any) -> Any:
    """:func:`.kernel._datapoints` on the namespace (NaN where there is no population)."""
    rule = "ErrorRate" if metric == "ErrorRate" else statistic
    safe = xp.where(pop > 0, pop, 1.0)
    if rule == "ErrorRate":
        value = 100.0 * count / safe
    elif rule == "Sum":
        value = count * 1.0
    elif rule == "SampleCount":
        value = pop * 1.0
    elif rule == "Average":
        value = count / safe
    elif rule == "Maximum":
        value = xp.astype(count > 0, xp.float64)
    else:  # Minimum
        value = xp.astype(count >= pop, xp.float64)
    return xp.where(pop <= 0, math.nan, value)


def _compare(xp: Any, operator: str, column: Any, threshold: float) -> Any:
    present = ~xp.isnan(column)
    filled = xp.where(present, column, 0.0)
    test = {
        "GreaterThanThreshold": lambda v: v > threshold,
        "GreaterThanOrEqualToThreshold": lambda v: v >= threshold,
        "LessThanThreshold": lambda v: v < threshold,
        "LessThanOrEqualToThreshold": lambda v: v <= threshold,
    }[operator]
    return test(filled) & present


def evaluate_columns_x(
    xp: Any,
    columns: list[Any],
    state: Any,
    n: int,
    m: int,
    treat: str,
    operator: str,
    threshold: float,
) -> Any:
    """:func:`.kernel.evaluate_columns` on the namespace (cloudwatch-alarms.md section 1.3)."""
    i64 = xp.int64
    size = len(columns)
    present = [~xp.isnan(c) for c in columns]
    breach = [_compare(xp, operator, c, threshold) for c in columns]
    n_real = xp.zeros(state.shape, dtype=i64)
    judged = xp.zeros(state.shape, dtype=i64)
    for j in range(size - 1, -1, -1):
        n_real = n_real + xp.astype(present[j], i64)
        judged = judged + xp.astype(breach[j] & (n_real <= n), i64)
    out = xp.astype(judged >= m, xp.int8)
    none = n_real == 0
    if treat == "ignore":
        out = xp.where(none, state, out)
    else:
        code = {"missing": 2, "breaching": 1, "notBreaching": 0}.get(treat, -1)
        out = xp.where(none, xp.asarray(code, dtype=xp.int8), out)
    few = (n_real > 0) & (n_real < n)
    total = xp.zeros(state.shape, dtype=i64)
    oldest = xp.full(state.shape, size, dtype=i64)
    for j in range(size - 1, -1, -1):
        total = total + xp.astype(breach[j], i64)
        oldest = xp.where(present[j], xp.asarray(j, dtype=i64), oldest)
    filled = total + (n - n_real) if treat == "breaching" else total
    out = xp.where(few, xp.astype(filled >= m, xp.int8), out)
    if treat in ("missing", "ignore"):
        age = size - oldest
        premature = few & (age >= m) & (age <= n) & (total == n_real)
        value = xp.asarray(1, dtype=xp.int8) if treat == "missing" else state
        out = xp.where(premature, value, out)
    return out


def _minute_rows(xp: Any, plan: TrafficPlan, values: Any) -> list[Any]:
    out: list[Any] = []
    seg_minute = plan.segment_minute.tolist()
    s, total = 0, len(seg_minute)
    runs = values.shape[0]
    for _minute in range(plan.minutes):
        first = s
        while s < total and seg_minute[s] == _minute:
            s += 1
        if s == first:
            out.append(xp.zeros((runs,), dtype=values.dtype))
        elif s - first == 1:
            out.append(values[:, first])
        else:
            out.append(xp.sum(values[:, first:s], axis=1, dtype=values.dtype))
    return out


def _alarm_times(xp: Any, plan: TrafficPlan, draws: dict[str, Any], runs: int) -> tuple[Any, Any]:
    inf = math.inf
    first_alarm = xp.full((runs,), inf, dtype=xp.float64)
    detection = xp.full((runs,), inf, dtype=xp.float64)
    if not (plan.alarms and plan.poll_times.size):
        return first_alarm, detection
    cache: dict[str, list[Any]] = {}

    def rows(name: str) -> list[Any]:
        if name not in cache:
            cache[name] = _minute_rows(xp, plan, draws[name])
        return cache[name]

    any_alarm = [xp.zeros((runs,), dtype=xp.bool) for _ in range(plan.eval_times.size + 1)]
    for i, alarm in enumerate(plan.alarms):
        versions = ("target",) if alarm.version == "target" else ("target", "current")

        def total(kind: str, versions: tuple[str, ...] = versions) -> list[Any]:
            parts = [rows(f"{v}_{kind}") for v in versions]
            if len(parts) == 1:
                return parts[0]
            return [a + b for a, b in zip(*parts)]

        inv = total("invocations")
        if alarm.metric == "Invocations":
            count, pop = inv, inv
        elif alarm.metric == "Throttles":
            count = total("throttles")
            pop = [c + v for c, v in zip(count, inv)]
        else:
            count, pop = total("errors"), inv
        csum_c = [xp.zeros((runs,), dtype=xp.int64)]
        csum_p = [xp.zeros((runs,), dtype=xp.int64)]
        for c, p in zip(count, pop):
            csum_c.append(csum_c[-1] + c)
            csum_p.append(csum_p[-1] + p)
        windows: dict[tuple[int, int], Any] = {}
        nan = xp.full((runs,), math.nan, dtype=xp.float64)
        never = xp.full((runs,), inf, dtype=xp.float64)
        state = xp.full((runs,), _STATE[alarm.initial_state], dtype=xp.int8)
        any_alarm[0] = any_alarm[0] | (state == 1)
        for e, when in enumerate(plan.eval_times.tolist()):
            columns = []
            for lo, hi in plan.windows[i][e]:
                if hi <= lo:
                    columns.append(nan)
                    continue
                if (lo, hi) not in windows:
                    c = xp.astype(csum_c[hi] - csum_c[lo], xp.float64)
                    p = xp.astype(csum_p[hi] - csum_p[lo], xp.float64)
                    windows[(lo, hi)] = _datapoints(xp, alarm.metric, alarm.statistic, c, p)
                columns.append(windows[(lo, hi)])
            new = evaluate_columns_x(
                xp,
                columns,
                state,
                alarm.evaluation_periods,
                alarm.m,
                alarm.treat_missing_data,
                alarm.comparison_operator,
                float(alarm.threshold),
            )
            entered = (new == 1) & (state != 1)
            first_alarm = xp.minimum(first_alarm, xp.where(entered, float(when), never))
            any_alarm[e + 1] = any_alarm[e + 1] | (new == 1)
            state = new
    seen = np.searchsorted(plan.eval_times, plan.poll_times, side="right")
    for when, k in zip(plan.poll_times.tolist(), seen.tolist()):
        hit = any_alarm[int(k)] & (detection == inf)
        detection = xp.where(hit, float(when), detection)
    return first_alarm, detection


def run_xkernel(plan: TrafficPlan, draws: dict[str, Any], xp: Any) -> dict[str, Any]:
    """The numpy kernel's :class:`~.kernel.KernelOutcomes` fields, as arrays of ``xp``, from
    ``draws`` (:data:`FIELDS` -> ``(runs, segments)`` int64 arrays of ``xp``)."""
    reason = supported(plan)
    if reason is not None:
        raise UnsupportedScenarioError(f"the array-API traffic kernel does not run {reason}.")
    runs = draws["target_invocations"].shape[0]
    inf = math.inf
    first_alarm, detection = _alarm_times(xp, plan, draws, runs)
    # -- which terminal event comes first (kernel._terminal) ---------------------------------
    end_time = float(plan.end_time)
    end_priority = int(Priority.LAST if plan.succeeds else Priority.STEP)
    stop_time = float(plan.manual_stop_time) if plan.manual_stop_time is not None else inf
    best = xp.minimum(detection, min(stop_time, end_time))
    by_manual = (stop_time <= best) & (stop_time <= end_time)
    by_alarm = ~by_manual & (detection == best)
    by_end = ~by_manual & ~by_alarm
    i64 = xp.int64
    priority = xp.where(
        by_manual,
        int(Priority.REACT),
        xp.where(by_alarm, int(Priority.POLL), xp.full((runs,), end_priority, dtype=i64)),
    )
    succeeds = bool(plan.succeeds)
    i8 = xp.int8
    status = xp.where(by_end, 0 if succeeds else 1, xp.full((runs,), 2, dtype=i8))
    error = xp.where(
        by_alarm, 2, xp.where(by_manual, 3, xp.full((runs,), 0 if succeeds else 1, dtype=i8))
    )
    failing_rolls_back = (
        not succeeds and plan.rollback_on_failure and plan.phases[-1].rollback_possible
    )
    rolled_back = xp.where(
        by_alarm,
        bool(plan.rollback_on_alarm),
        xp.where(
            by_manual,
            bool(plan.manual_stop_rolls_back),
            xp.full((runs,), bool(failing_rolls_back), dtype=xp.bool),
        ),
    )
    rolled_back = rolled_back & ~(~by_end & (best <= float(plan.rollback_from)))
    # -- what each version served until then (kernel._served) --------------------------------
    limit = best + 1e-9
    sums = {name: xp.zeros((runs,), dtype=i64) for name in FIELDS[:4]}
    for s, (start, end) in enumerate(zip(plan.edges[:-1].tolist(), plan.edges[1:].tolist())):
        served = xp.astype(end <= limit, i64)
        for name in sums:
            if start < 0 and name.startswith("current"):
                continue
            sums[name] = sums[name] + draws[name][:, s] * served
    # -- percent on the target at the end (kernel._final_percent) ----------------------------
    if plan.shifts:
        times = xp.asarray([float(t) for t, _ in plan.shifts], dtype=xp.float64)
        percent = xp.asarray([int(p) for _, p in plan.shifts], dtype=i64)
        right = xp.searchsorted(times, best, side="right")
        left = xp.searchsorted(times, best, side="left")
        done = xp.where(priority >= int(Priority.STEP), right, left)
        pick = xp.take(percent, xp.maximum(done - 1, xp.zeros_like(done)))
        final = xp.where(done > 0, pick, xp.zeros_like(pick))
    else:
        final = xp.zeros((runs,), dtype=i64)
    final = xp.where(rolled_back, xp.zeros_like(final), final)
    return {
        "status": status,
        "error": error,
        "rolled_back": rolled_back,
        "end_time": best,
        "first_alarm_time": xp.where(first_alarm <= best, first_alarm, math.nan),
        "detection_time": xp.where(by_alarm, best, math.nan),
        "final_percent": final,
        **sums,
    }


def draw_xp(plan: TrafficPlan, runs: int, xp: Any, rng: Any) -> dict[str, Any]:
    """The traffic of ``runs`` runs drawn with ``rng`` (a generator of the array library with
    ``poisson`` and ``binomial``): :func:`~.draws.draw_traffic`'s distributions, in
    :data:`FIELDS` -> ``(runs, segments)`` arrays."""
    cols: dict[str, list[Any]] = {name: [] for name in FIELDS}
    zero = xp.zeros((runs,), dtype=xp.int64)
    for s in range(plan.segments):
        t_req = xp.astype(rng.poisson(float(plan.lam_target[s]), runs), xp.int64)
        c_req = xp.astype(rng.poisson(float(plan.lam_current[s]), runs), xp.int64)
        t_thr = c_thr = t_err = c_err = zero
        if plan.p_throttle_target[s] > 0:
            t_thr = xp.astype(rng.binomial(t_req, float(plan.p_throttle_target[s])), xp.int64)
        if plan.p_throttle_current[s] > 0:
            c_thr = xp.astype(rng.binomial(c_req, float(plan.p_throttle_current[s])), xp.int64)
        t_inv, c_inv = t_req - t_thr, c_req - c_thr
        if plan.p_error_target[s] > 0:
            t_err = xp.astype(rng.binomial(t_inv, float(plan.p_error_target[s])), xp.int64)
        if plan.p_error_current[s] > 0:
            c_err = xp.astype(rng.binomial(c_inv, float(plan.p_error_current[s])), xp.int64)
        for name, value in zip(FIELDS, (t_inv, c_inv, t_err, c_err, t_thr, c_thr)):
            cols[name].append(value)
    return {name: xp.stack(values, axis=1) for name, values in cols.items()}


def device_rng(xp: Any, seed: int) -> Any:
    """A generator of the array library with Poisson and binomial draws (CuPy's Generator
    lacks ``binomial`` in some versions: then its RandomState)."""
    from shiftsim._xp import random_module

    random = random_module(xp)
    gen = random.default_rng(seed)
    try:
        gen.binomial(xp.asarray([10, 10]), 0.5)
    except (AttributeError, NotImplementedError, TypeError):
        return random.RandomState(seed)
    return gen


def device_outcomes(
    plan: TrafficPlan, runs: int, seq: np.random.SeedSequence, xp: Any = None
) -> KernelOutcomes:
    """The outcomes of ``monte_carlo(..., device="cuda")`` for a Lambda or ECS plan: draws and
    kernel on the device (CuPy unless ``xp`` names another namespace), in blocks of
    :data:`DEVICE_BLOCK` runs; the outcomes come back to the host."""
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
        out = run_xkernel(plan, draw_xp(plan, size, xp, rng), xp)
        parts.append(KernelOutcomes(**{k: _host(out[k]) for k in KernelOutcomes.__slots__}))
    return KernelOutcomes.concat(parts)


def _host(value: Any) -> np.ndarray:
    if hasattr(value, "get") and not isinstance(value, np.ndarray):
        return np.asarray(value.get())
    return np.asarray(value)
