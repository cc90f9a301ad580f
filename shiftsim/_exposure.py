"""Exposure: the bad requests of the whole incident, not only those served before the end.

CodeDeploy stops watching alarms once a deployment has Succeeded (decision D4), so a bad release
that escapes keeps failing calls until a person notices. The *exposure* of a run counts the
failures the target version served before the deployment ended (``target_errors``) plus the
failures it is expected to serve afterwards at the weight it ended with (100% when Succeeded, 0%
after a rollback, the kept split when stopped without rollback, decision D5) for
``exposure_minutes`` minutes: the time until someone notices an escaped release.

The after-end part is an expectation (rate x weight x (1 - throttle rate) x error rate,
integrated over the horizon), not a draw, so it adds no random numbers and keeps common random
numbers intact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from shiftsim._checks import check_number
from shiftsim.traffic import Profile, Version, rate_profile

__all__ = [
    "DEFAULT_EXPOSURE_MINUTES",
    "TrafficDeployment",
    "after_end_errors",
    "check_exposure_minutes",
    "exposure_of",
]

#: Default horizon (minutes after the deployment ended) until a person notices an escape.
DEFAULT_EXPOSURE_MINUTES = 60.0
#: Integration step (minutes) for time-varying rates.
_STEP = 1.0 / 60.0


def check_exposure_minutes(owner: str, value: object) -> float:
    """``value`` as a horizon in minutes (a number >= 0), or a ConfigError naming ``owner``."""
    return float(check_number(owner, "exposure_minutes", value, 0.0))


@runtime_checkable
class TrafficDeployment(Protocol):
    """What exposure reads of a deployment: a Lambda or ECS one (this layer cannot import
    them). Both name their rate ``requests_per_minute``, Lambda's as an alias of its own
    ``invocations_per_minute``."""

    @property
    def requests_per_minute(self) -> float | Profile | Sequence[float]: ...

    @property
    def target(self) -> Version: ...


def _rate(deployment: object) -> Profile:
    """The deployment's request rate, as a Profile."""
    if not isinstance(deployment, TrafficDeployment):
        raise TypeError(f"{type(deployment).__name__} has no traffic rate; exposure needs one.")
    owner = type(deployment).__name__
    return rate_profile(owner, "requests_per_minute", deployment.requests_per_minute)


def after_end_errors(
    deployment: TrafficDeployment,
    end_seconds: np.ndarray,
    final_percent: np.ndarray,
    exposure_minutes: float,
) -> np.ndarray:
    """Expected failures the target serves from each run's end for ``exposure_minutes``.

    Parameters
    ----------
    deployment : LambdaDeployment or EcsDeployment
    end_seconds, final_percent : array
        Per run: when the deployment ended (s) and the target's weight then (percent).
    exposure_minutes : float

    Returns
    -------
    numpy.ndarray
        One float per run.

    Examples
    --------
    >>> import numpy as np, shiftsim
    >>> d = shiftsim.LambdaDeployment("AllAtOnce", invocations_per_minute=200,
    ...                               target=shiftsim.Version("2", error_rate=0.02))
    >>> after_end_errors(d, np.array([0.0]), np.array([100]), 60.0)
    array([240.])
    """
    ends = np.asarray(end_seconds, dtype=float) / 60.0
    weight = np.asarray(final_percent, dtype=float) / 100.0
    if exposure_minutes <= 0 or ends.size == 0:
        return np.zeros(ends.shape)
    rate = _rate(deployment)
    target = deployment.target
    profiles = (rate, target.error_profile, target.throttle_profile)
    if all(len(p.points) == 1 for p in profiles):
        per_minute = rate.points[0][1] * target.error_profile.points[0][1]
        per_minute *= 1.0 - target.throttle_profile.points[0][1]
        return weight * per_minute * exposure_minutes
    top = float(np.nanmax(ends)) + exposure_minutes
    edges = np.arange(0.0, top + 2 * _STEP, _STEP)
    mids = (edges[:-1] + edges[1:]) / 2

    def values(profile: Profile) -> np.ndarray:
        return np.array([profile.value_at(float(m)) for m in mids])

    density = values(rate) * values(target.error_profile) * (1.0 - values(target.throttle_profile))
    cumulative = np.concatenate([[0.0], np.cumsum(density * _STEP)])
    later = np.interp(ends + exposure_minutes, edges, cumulative)
    return weight * (later - np.interp(ends, edges, cumulative))


def exposure_of(run: Any, exposure_minutes: float = DEFAULT_EXPOSURE_MINUTES) -> float:
    """One run's exposure: ``target_errors`` plus :func:`after_end_errors` (a float).

    Examples
    --------
    >>> import shiftsim
    >>> d = shiftsim.LambdaDeployment("AllAtOnce", invocations_per_minute=200,
    ...                               target=shiftsim.Version("2", error_rate=0.02))
    >>> run = shiftsim.simulate(d, rng=0)
    >>> exposure_of(run) - run.outcome.target_errors
    240.0
    """
    horizon = check_exposure_minutes("summary", exposure_minutes)
    out = run.outcome
    after = after_end_errors(
        run.deployment, np.array([out.end_time]), np.array([out.final_percent]), horizon
    )
    return float(out.target_errors + after[0])
