"""Statistical assertions on a Monte Carlo result (one-sided Wilson bounds)."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from shiftsim._checks import check_number, invalid
from shiftsim.montecarlo import MonteCarloResult, ServerMonteCarloResult
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["assert_escape_rate", "assert_rollback_rate"]


def _one_sided_wilson(hits: int, n: int, confidence: float) -> tuple[float, float]:
    """Lower and upper one-sided Wilson bounds at ``confidence`` for ``hits`` of ``n``."""
    z = NormalDist().inv_cdf(confidence)
    p = hits / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = 0.0 if hits == 0 else max(0.0, centre - half)
    high = 1.0 if hits == n else min(1.0, centre + half)
    return low, high


def _assert_rate(
    owner: str,
    mc: Any,
    what: str,
    hits_of: Any,
    at_least: float | None,
    at_most: float | None,
    confidence: float,
) -> None:

    if not isinstance(mc, (MonteCarloResult, ServerMonteCarloResult)):
        raise TypeError(
            f"{owner}: mc must be a Monte Carlo result (from shiftsim.monte_carlo); got "
            f"{type(mc).__name__}. For one run use assert_rolls_back or assert_succeeds."
        )
    if at_least is None and at_most is None:
        raise invalid(owner, "at_least", None, "or at_most must be given")
    for name, bound in (("at_least", at_least), ("at_most", at_most)):
        if bound is not None:
            check_number(owner, name, bound, 0.0, 1.0)
    check_number(owner, "confidence", confidence, 0.5, 1.0)
    if confidence >= 1.0:
        raise invalid(owner, "confidence", confidence, "must be in [0.5, 1)")
    frame = mc.runs
    n = len(frame)
    hits = int(hits_of(frame).sum())
    low, high = _one_sided_wilson(hits, n, confidence)
    seen = (
        f"{what} {hits}/{n} = {hits / n:.2%} (one-sided {confidence:.0%} Wilson bounds: at "
        f"least {low:.2%}, at most {high:.2%})"
    )
    if at_least is not None and low < at_least:
        raise AssertionError(
            f"expected a {what} of at least {at_least:.2%} with {confidence:.0%} confidence, "
            f"but {seen}. The true rate may be lower; or more runs may show it is not."
        )
    if at_most is not None and high > at_most:
        raise AssertionError(
            f"expected a {what} of at most {at_most:.2%} with {confidence:.0%} confidence, "
            f"but {seen}. The true rate may be higher; or more runs may show it is not."
        )


def assert_rollback_rate(
    mc: Any,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    confidence: float = 0.95,
) -> None:
    """Assert, with ``confidence``, that the share of runs rolled back is within bounds.

    Passes only when the runs are evidence: the one-sided Wilson bound at ``confidence`` must
    clear the bound (``at_least``: the lower bound; ``at_most``: the upper one). So a
    deployment whose true rate breaks the bound passes at most ``1 - confidence`` of the time,
    and one whose true rate sits right at the bound fails: give it a margin, or more runs.

    Parameters
    ----------
    mc : MonteCarloResult or ServerMonteCarloResult
    at_least, at_most : float, optional
        Bounds on the rollback rate, in [0, 1].
    confidence : float
        In [0.5, 1); default 0.95.

    Examples
    --------
    >>> import shiftsim
    >>> bad = shiftsim.LambdaDeployment("Linear10PercentEvery1Minute",
    ...     invocations_per_minute=600, target=shiftsim.Version(error_rate=0.1),
    ...     alarms=[shiftsim.Alarm("errors", threshold=0)])
    >>> mc = shiftsim.monte_carlo(bad, runs=1000, rng=1)
    >>> assert_rollback_rate(mc, at_least=0.95, confidence=0.99)
    >>> assert_rollback_rate(mc, at_most=0.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: expected a rollback rate of at most 50.00% with 95% confidence, but ...
    """
    __tracebackhide__ = True
    _assert_rate(
        "assert_rollback_rate",
        mc,
        "rollback rate",
        lambda f: f["rolled_back"].astype(bool),
        at_least,
        at_most,
        confidence,
    )


def assert_escape_rate(
    mc: Any,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    confidence: float = 0.95,
) -> None:
    """Assert, with ``confidence``, that the share of runs that Succeeded is within bounds.

    For a bad release this is the miss rate: how often it escapes to 100% of traffic. Same
    rule as :func:`assert_rollback_rate`.

    Examples
    --------
    >>> import shiftsim
    >>> bad = shiftsim.LambdaDeployment("AllAtOnce", target=shiftsim.Version(error_rate=0.1),
    ...                                 alarms=[shiftsim.Alarm("errors", threshold=0)])
    >>> assert_escape_rate(shiftsim.monte_carlo(bad, runs=500, rng=0), at_least=0.99)
    """
    __tracebackhide__ = True
    _assert_rate(
        "assert_escape_rate",
        mc,
        "escape rate",
        lambda f: f["status"].astype(str) == DeploymentStatus.SUCCEEDED.value,
        at_least,
        at_most,
        confidence,
    )
