"""The random inputs of traffic-shifting runs, in one documented layout.

Randomness enters shiftsim once, here. Both engines consume these arrays and nothing else that is
random, which is why the event core and the vectorized kernel agree run for run.

Layout
------
Runs are drawn in chunks of :data:`CHUNK` runs; segment ``s`` of chunk ``c`` of a run set seeded
by ``seq`` has its own ``numpy.random.Generator(PCG64)`` on
``SeedSequence(seq.entropy, spawn_key=seq.spawn_key + (c, s))``, which draws, in this order, one
value per run of the chunk:

1. ``target_requests ~ Poisson(plan.lam_target[s])``
2. ``current_requests ~ Poisson(plan.lam_current[s])``
3. ``target_throttles ~ Binomial(target_requests, plan.p_throttle_target[s])``  (if p > 0)
4. ``current_throttles ~ Binomial(current_requests, plan.p_throttle_current[s])`` (if p > 0)
5. ``target_errors ~ Binomial(target_invocations, plan.p_error_target[s])``     (if p > 0)
6. ``current_errors ~ Binomial(current_invocations, plan.p_error_current[s])``  (if p > 0)
7. ``test_invocations ~ Poisson(plan.lam_test[s])``                         (if lam_test > 0)
8. ``test_errors ~ Binomial(test_invocations, plan.p_error_target[s])``  (if both > 0)

Draws 7 and 8 come last, so scenarios without test traffic draw exactly what they drew before.

Duration alarm ``d`` (in plan order) has the stream ``spawn_key + (c, DURATION_KEY + d)`` and
draws, per run and minute, the target's latency statistic: the exact order statistic of that
minute's invocations as ``Beta(k, n - k + 1)`` from two ``standard_gamma`` arrays mapped through
the lognormal quantile (``Average`` and ``Sum`` use a normal approximation of the mean of ``n``
lognormals). With a function timeout (D14) every duration is capped at it: order statistics
are capped directly, and the normal approximation uses the capped lognormal's moments.

One stream per segment makes these **common random numbers**: two deployments whose plans share
their first segments (the same scenario under Canary 5 and Canary 30 minutes, say) draw identical
traffic there, so differences between them come from the configuration, not from noise.

Invocations are requests minus throttles (throttled requests are in neither ``Invocations`` nor
``Errors``, cloudwatch-alarms.md section 2). Draws use the **planned** weights: a rollback or stop
only truncates a run, so the draws never depend on what happened in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._engines.traffic.plan import TrafficPlan
from shiftsim._xp import random_module

__all__ = ["CHUNK", "DURATION_KEY", "TrafficDraws", "device_rng", "draw_traffic", "draw_xp"]

#: Runs per independently seeded chunk; replaying run ``i`` regenerates only its chunk.
CHUNK = 1 << 16
#: Stream keys at and above this one belong to Duration alarms, not segments.
DURATION_KEY = 1 << 30


@dataclass(frozen=True, slots=True, eq=False)
class TrafficDraws:
    """Random inputs for ``runs`` runs of one plan (arrays of shape ``(runs, S)``).

    ``duration`` has shape ``(runs, D, minutes)``, one slice per Duration alarm, NaN where the
    target had no invocations that minute.
    """

    target_invocations: np.ndarray
    current_invocations: np.ndarray
    target_errors: np.ndarray
    current_errors: np.ndarray
    target_throttles: np.ndarray
    current_throttles: np.ndarray
    duration: np.ndarray
    test_invocations: np.ndarray
    test_errors: np.ndarray

    @property
    def runs(self) -> int:
        return int(self.target_invocations.shape[0])

    def row(self, i: int) -> TrafficDraws:
        """The draws of run ``i`` alone (as a one-run block)."""
        sl = slice(i, i + 1)
        return TrafficDraws(*(getattr(self, name)[sl] for name in _FIELDS))


_FIELDS = (
    "target_invocations",
    "current_invocations",
    "target_errors",
    "current_errors",
    "target_throttles",
    "current_throttles",
    "duration",
    "test_invocations",
    "test_errors",
)


def draw_traffic(
    plan: TrafficPlan, runs: int, seq: np.random.SeedSequence, chunk: int = 0
) -> TrafficDraws:
    """Draw ``runs`` runs (at most :data:`CHUNK`) as chunk ``chunk`` of the run set ``seq``."""
    # Stored segment-major (one contiguous row of runs per segment) and exposed as (runs, S).
    shape = (plan.segments, runs)
    t_inv = np.empty(shape, dtype=np.int64)
    c_inv = np.empty(shape, dtype=np.int64)
    t_err = np.zeros(shape, dtype=np.int64)
    c_err = np.zeros(shape, dtype=np.int64)
    t_thr = np.zeros(shape, dtype=np.int64)
    c_thr = np.zeros(shape, dtype=np.int64)
    x_inv = np.zeros(shape, dtype=np.int64)
    x_err = np.zeros(shape, dtype=np.int64)
    for s in range(plan.segments):
        rng = _stream(seq, chunk, s)
        t_inv[s] = rng.poisson(plan.lam_target[s], runs)
        c_inv[s] = rng.poisson(plan.lam_current[s], runs)
        if plan.p_throttle_target[s] > 0:
            t_thr[s] = rng.binomial(t_inv[s], plan.p_throttle_target[s])
            t_inv[s] -= t_thr[s]
        if plan.p_throttle_current[s] > 0:
            c_thr[s] = rng.binomial(c_inv[s], plan.p_throttle_current[s])
            c_inv[s] -= c_thr[s]
        if plan.p_error_target[s] > 0:
            t_err[s] = rng.binomial(t_inv[s], plan.p_error_target[s])
        if plan.p_error_current[s] > 0:
            c_err[s] = rng.binomial(c_inv[s], plan.p_error_current[s])
        if plan.lam_test[s] > 0:
            x_inv[s] = rng.poisson(plan.lam_test[s], runs)
            if plan.p_error_target[s] > 0:
                x_err[s] = rng.binomial(x_inv[s], plan.p_error_target[s])
    durations = np.empty((runs, len(plan.duration_alarms), plan.minutes))
    if plan.duration_alarms:
        per_minute = per_minute_sum(t_inv.T, plan.segment_minute, plan.minutes)
        for d, index in enumerate(plan.duration_alarms):
            stat = plan.alarms[index].statistic
            durations[:, d, :] = _latency_statistic(
                _stream(seq, chunk, DURATION_KEY + d),
                per_minute,
                stat,
                plan.target.duration_ms,
                plan.target.duration_sigma,
                plan.target.timeout,
            )
    return TrafficDraws(
        t_inv.T, c_inv.T, t_err.T, c_err.T, t_thr.T, c_thr.T, durations, x_inv.T, x_err.T
    )


def draw_xp(plan: TrafficPlan, runs: int, xp: Any, rng: Any) -> TrafficDraws:
    """The traffic of ``runs`` runs drawn with ``rng``, a generator of the array library behind
    ``xp`` (``cupy.random`` on a GPU, see :func:`device_rng`), as arrays of ``xp``.

    :func:`draw_traffic`'s distributions, steps 1 to 8, from other streams: runs drawn here
    differ from the CPU's and agree with them in distribution. No latency draws (``duration``
    is empty), so plans with Duration alarms stay on :func:`draw_traffic`.
    """

    def draw(values: Any) -> Any:
        return xp.astype(values, xp.int64)

    zero = xp.zeros((runs,), dtype=xp.int64)
    names = ("t_inv", "c_inv", "t_err", "c_err", "t_thr", "c_thr", "x_inv", "x_err")
    cols: dict[str, list[Any]] = {name: [] for name in names}
    for s in range(plan.segments):
        t_req = draw(rng.poisson(float(plan.lam_target[s]), runs))
        c_req = draw(rng.poisson(float(plan.lam_current[s]), runs))
        t_thr = c_thr = t_err = c_err = x_inv = x_err = zero
        if plan.p_throttle_target[s] > 0:
            t_thr = draw(rng.binomial(t_req, float(plan.p_throttle_target[s])))
        if plan.p_throttle_current[s] > 0:
            c_thr = draw(rng.binomial(c_req, float(plan.p_throttle_current[s])))
        t_inv, c_inv = t_req - t_thr, c_req - c_thr
        if plan.p_error_target[s] > 0:
            t_err = draw(rng.binomial(t_inv, float(plan.p_error_target[s])))
        if plan.p_error_current[s] > 0:
            c_err = draw(rng.binomial(c_inv, float(plan.p_error_current[s])))
        if plan.lam_test[s] > 0:
            x_inv = draw(rng.poisson(float(plan.lam_test[s]), runs))
            if plan.p_error_target[s] > 0:
                x_err = draw(rng.binomial(x_inv, float(plan.p_error_target[s])))
        for name, value in zip(names, (t_inv, c_inv, t_err, c_err, t_thr, c_thr, x_inv, x_err)):
            cols[name].append(value)
    # Segment-major in memory, (runs, S) to the kernel, as draw_traffic stores them.
    t = {name: xp.permute_dims(xp.stack(values), (1, 0)) for name, values in cols.items()}
    duration = xp.zeros((runs, 0, plan.minutes), dtype=xp.float64)
    return TrafficDraws(
        t["t_inv"], t["c_inv"], t["t_err"], t["c_err"], t["t_thr"], t["c_thr"], duration,
        t["x_inv"], t["x_err"],
    )  # fmt: skip


def device_rng(xp: Any, seed: int) -> Any:
    """A generator of the array library behind ``xp`` with Poisson and binomial draws (CuPy's
    Generator lacks ``binomial`` in some versions: then its RandomState)."""
    random = random_module(xp)
    gen = random.default_rng(seed)
    try:
        gen.binomial(xp.asarray([10, 10]), 0.5)
    except (AttributeError, NotImplementedError, TypeError):
        return random.RandomState(seed)
    return gen


def _stream(seq: np.random.SeedSequence, chunk: int, key: int) -> np.random.Generator:
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, chunk, key))
    return np.random.Generator(np.random.PCG64(child))


def per_minute_sum(values: np.ndarray, segment_minute: np.ndarray, minutes: int) -> np.ndarray:
    """Sum ``(runs, S)`` segment values into ``(runs, minutes)``."""
    first = np.searchsorted(segment_minute, np.arange(minutes))
    empty = first >= np.append(first[1:], segment_minute.size)
    if values.shape[1] == 0:
        return np.zeros((values.shape[0], minutes), dtype=values.dtype)
    out = np.add.reduceat(values, np.minimum(first, values.shape[1] - 1), axis=1)
    out[:, empty] = 0
    return out


def _capped_moments(median_ms: float, sigma: float, cap_ms: float | None) -> tuple[float, float]:
    """Mean and standard deviation of ``min(X, cap)`` for a lognormal ``X`` (D14's timeout)."""
    s2 = sigma * sigma
    if cap_ms is None:
        return (
            median_ms * math.exp(s2 / 2),
            median_ms * math.sqrt((math.exp(s2) - 1) * math.exp(s2)),
        )
    if sigma == 0:
        return min(median_ms, cap_ms), 0.0

    def phi(x: float) -> float:
        return 0.5 * math.erfc(-x / math.sqrt(2.0))

    z = (math.log(cap_ms) - math.log(median_ms)) / sigma
    above = 1.0 - phi(z)
    first = median_ms * math.exp(s2 / 2) * phi(z - sigma) + cap_ms * above
    second = median_ms**2 * math.exp(2 * s2) * phi(z - 2 * sigma) + cap_ms**2 * above
    return first, math.sqrt(max(second - first * first, 0.0))


def _latency_statistic(
    rng: np.random.Generator,
    n: np.ndarray,
    stat: str,
    median_ms: float,
    sigma: float,
    timeout: float | None = None,
) -> np.ndarray:
    """One statistic of ``n`` lognormal durations per cell (capped at ``timeout`` seconds);
    NaN where ``n == 0``."""
    n = n.astype(np.float64)
    has = n > 0
    safe = np.where(has, n, 1.0)
    cap_ms = None if timeout is None else 1000.0 * float(timeout)
    if stat in ("Average", "Sum"):
        z = rng.standard_normal(n.shape)
        mean, sd = _capped_moments(median_ms, sigma, cap_ms)
        avg = np.maximum(mean + sd / np.sqrt(safe) * z, 0.0)
        if cap_ms is not None:
            avg = np.minimum(avg, cap_ms)
        value = avg * safe if stat == "Sum" else avg
    elif stat == "SampleCount":
        value = safe.copy()
    else:
        q = {"Minimum": 0.0, "Maximum": 100.0}.get(stat)
        q = float(stat[1:]) if q is None else q
        k = np.clip(np.ceil(q / 100.0 * safe), 1, safe)  # nearest-rank percentile
        a = rng.standard_gamma(k)
        b = rng.standard_gamma(safe - k + 1)
        u = a / (a + b)
        value = median_ms * np.exp(sigma * norm_ppf(u))
        if cap_ms is not None:
            value = np.minimum(value, cap_ms)
    return np.where(has, value, np.nan)


# Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_B = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
)
_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)


def norm_ppf(u: np.ndarray) -> np.ndarray:
    """Standard normal quantile, vectorized, for ``0 < u < 1``."""
    u = np.clip(np.asarray(u, dtype=np.float64), 1e-300, 1 - 1e-16)
    out = np.empty_like(u)
    low, high = u < 0.02425, u > 1 - 0.02425
    mid = ~(low | high)
    q = u[mid] - 0.5
    r = q * q
    num = ((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]
    den = ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1
    out[mid] = q * num / den
    for mask, sign in ((low, 1.0), (high, -1.0)):
        tail = u[mask] if sign > 0 else 1 - u[mask]
        s = np.sqrt(-2 * np.log(tail))
        num = ((((_C[0] * s + _C[1]) * s + _C[2]) * s + _C[3]) * s + _C[4]) * s + _C[5]
        den = (((_D[0] * s + _D[1]) * s + _D[2]) * s + _D[3]) * s + 1
        out[mask] = sign * num / den
    return out
