"""The traffic model shared by Lambda and ECS: versions, their behaviour over time, and hooks.

Calls to an alias (or requests to an ECS service) arrive as a Poisson process. Each call goes to
the target version with probability equal to the target's weight at that instant, Lambda's
per-invocation random routing (cloudwatch-alarms.md section 4). Each :class:`Version` has an error
rate, a throttle rate and a latency distribution; any of its rates may change over time through a
:class:`Profile` to model a bad release (a step, a ramp, an error burst).

Examples
--------
>>> bad = Version("2", error_rate=Profile.step(at_minute=3, before=0.0, after=0.25))
>>> bad.error_rate.value_at(2.0), bad.error_rate.value_at(4.0)
(0.0, 0.25)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from shiftsim._checks import check_choice, check_number, invalid
from shiftsim._limits import MAX_RATE
from shiftsim._seeding import ADDED
from shiftsim.vocabulary import LIFECYCLE_EVENT_TIMEOUT_SECONDS, HookStatus

__all__ = ["Hook", "Profile", "Version"]

#: The longest Lambda function timeout, seconds (Lambda DG, "Lambda quotas": 900 s, 15 minutes).
MAX_FUNCTION_TIMEOUT_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class Profile:
    """A piecewise-linear function of **minutes since the deployment started**.

    ``points`` are ``(minute, value)`` pairs with non-decreasing minutes; the value is held
    constant before the first point and after the last. Two points at the same minute make a
    step.

    Examples
    --------
    >>> ramp = Profile.ramp(start_minute=0, end_minute=10, start=0.0, end=0.5)
    >>> ramp.value_at(5)
    0.25
    >>> ramp.mean(0, 10)
    0.25
    """

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        pts = self.points
        if isinstance(pts, (str, bytes)) or not isinstance(pts, Sequence) or not pts:
            raise invalid(
                "Profile", "points", pts, "must be a non-empty sequence of (minute, value) pairs"
            )
        clean: list[tuple[float, float]] = []
        for i, pair in enumerate(pts):
            if not isinstance(pair, Sequence) or len(pair) != 2:
                raise invalid("Profile", f"points[{i}]", pair, "must be a (minute, value) pair")
            minute = check_number("Profile", f"points[{i}].minute", pair[0])
            value = check_number("Profile", f"points[{i}].value", pair[1])
            if clean and minute < clean[-1][0]:
                raise invalid(
                    "Profile",
                    f"points[{i}].minute",
                    pair[0],
                    f"must not be earlier than the previous point ({clean[-1][0]:g})",
                )
            clean.append((minute, value))
        object.__setattr__(self, "points", tuple(clean))

    @classmethod
    def constant(cls, value: float) -> Profile:
        return cls(((0.0, value),))

    @classmethod
    def step(cls, at_minute: float, before: float, after: float) -> Profile:
        """``before`` until ``at_minute``, ``after`` from then on."""
        return cls(((at_minute, before), (at_minute, after)))

    @classmethod
    def ramp(cls, start_minute: float, end_minute: float, start: float, end: float) -> Profile:
        """``start`` until ``start_minute``, linear to ``end`` at ``end_minute``, then held."""
        return cls(((start_minute, start), (end_minute, end)))

    @classmethod
    def burst(
        cls, start_minute: float, end_minute: float, value: float, baseline: float = 0.0
    ) -> Profile:
        """``value`` between the two minutes, ``baseline`` elsewhere."""
        if end_minute < start_minute:
            raise invalid(
                "Profile.burst",
                "end_minute",
                end_minute,
                f"must not be before start_minute ({start_minute:g})",
            )
        return cls(
            (
                (start_minute, baseline),
                (start_minute, value),
                (end_minute, value),
                (end_minute, baseline),
            )
        )

    def value_at(self, minute: float) -> float:
        """The value at ``minute`` (right-continuous at steps)."""
        pts = self.points
        if minute < pts[0][0]:
            return pts[0][1]
        for (m0, v0), (m1, v1) in itertools.pairwise(pts):
            if m0 <= minute < m1:
                return v0 + (v1 - v0) * (minute - m0) / (m1 - m0)
        return pts[-1][1]

    def integral(self, a: float, b: float) -> float:
        """Exact integral of the profile over minutes ``[a, b]``."""
        if b <= a:
            return 0.0
        pts = self.points
        # Extend flat to both sides so the whole real line is covered by linear pieces.
        knots = [(min(a, pts[0][0]), pts[0][1]), *pts, (max(b, pts[-1][0]), pts[-1][1])]
        total = 0.0
        for (m0, v0), (m1, v1) in itertools.pairwise(knots):
            lo, hi = max(m0, a), min(m1, b)
            if hi <= lo or m1 == m0:
                continue
            slope = (v1 - v0) / (m1 - m0)
            total += (v0 + slope * ((lo + hi) / 2 - m0)) * (hi - lo)
        return total

    def mean(self, a: float, b: float) -> float:
        """Average value over minutes ``[a, b]`` (the value at ``a`` when ``a == b``)."""
        return self.integral(a, b) / (b - a) if b > a else self.value_at(a)

    def bounds(self) -> tuple[float, float]:
        values = [v for _, v in self.points]
        return min(values), max(values)


Rate = float | Profile


def rate_profile(owner: str, field: str, value: object) -> Profile:
    """A traffic rate (per minute) as a :class:`Profile`: a number, a Profile, or a sequence of
    per-minute rates (minute ``m`` has ``value[m]``; the last one holds afterwards)."""
    if isinstance(value, Profile):
        if value.bounds()[0] < 0:
            raise invalid(owner, field, value, "must never be negative")
        if value.bounds()[1] > MAX_RATE:
            raise invalid(owner, field, value, f"must stay <= {MAX_RATE:g} a minute at every point")
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Profile.constant(check_number(owner, field, value, 0.0, MAX_RATE))
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) > 0:
        points: list[tuple[float, float]] = []
        for m, rate in enumerate(value):
            rate = check_number(owner, f"{field}[{m}]", rate, 0.0, MAX_RATE)
            points += [(float(m), rate), (float(m + 1), rate)]
        return Profile(tuple(points))
    raise invalid(
        owner, field, value, "must be a number >= 0, a Profile, or a sequence of per-minute rates"
    )


def _as_profile(owner: str, field: str, value: object, low: float, high: float | None) -> Profile:
    if isinstance(value, Profile):
        lo, hi = value.bounds()
        if lo < low or (high is not None and hi > high):
            span = f"[{low:g}, {high:g}]" if high is not None else f">= {low:g}"
            raise invalid(owner, field, value, f"must stay within {span} at every point")
        return value
    return Profile.constant(check_number(owner, field, value, low, high))


class _DefaultName(str):
    """The name a :class:`Version` gets when none is given: ``"1"``, which a deployment may
    renumber so that ``target=Version(error_rate=0.05)`` does not collide with the current
    version (issue 11)."""

    __slots__ = ()


DEFAULT_VERSION_NAME = _DefaultName("1")


def numbered_after(current: Version, target: Version) -> Version:
    """``target``, renamed to follow ``current`` when both carry the default name ``"1"``.

    So ``target=Version(error_rate=0.05)`` is version ``"2"`` next to a default current version.
    """
    if current.name != target.name or not isinstance(target.name, _DefaultName):
        return target
    after = current.name
    return replace(target, name=str(int(after) + 1) if after.isdigit() else "2")


@dataclass(frozen=True, slots=True)
class Version:
    """One version of the function (or task set) and how it behaves.

    Parameters
    ----------
    name : str
        The version, e.g. ``"1"``. Lambda versions are positive integers; ``$LATEST`` cannot
        take weighted traffic. Without a name a version is ``"1"``, and a deployment whose
        target has no name numbers it after the current version (``"2"``).
    error_rate : float or Profile
        Probability that one invocation fails (counted in ``Errors``), in [0, 1].
    throttle_rate : float or Profile
        Probability that a request is throttled (counted in ``Throttles``, in neither
        ``Invocations`` nor ``Errors``), in [0, 1].
    duration_ms : float
        Median invocation duration in milliseconds (> 0).
    duration_sigma : float
        Log-scale spread of a lognormal duration; 0 means every call takes ``duration_ms``.
    timeout : float or None
        The function's timeout in seconds, up to 900 (Lambda's ``Timeout``); None (the default)
        means no invocation ever reaches it. An invocation whose lognormal duration reaches the
        timeout is an error, counted in ``Errors``, with ``Duration`` equal to the timeout
        (decision D14): the share :attr:`timeout_rate` adds to ``error_rate`` (as an independent
        cause) and Duration statistics are capped at the timeout.

    Notes
    -----
    When a Lambda datapoint becomes visible (decision D14, codedeploy.md; Lambda DG: "the
    timestamp on a metric reflects when the function was invoked"): it is stamped at
    invocation start, emitted when the invocation ends, then visible after the metric delay
    (D3). shiftsim takes the typical invocation, the median ``duration_ms`` capped at the
    timeout, so a minute's datapoint becomes visible :attr:`emission_lag` seconds later than
    the metric delay alone says: a version whose invocations run 3 minutes is detected about
    3 minutes later than one whose invocations take 100 ms. The lag counts whole seconds (an
    invocation shorter than one second adds nothing), so ordinary functions keep the D3
    timing exactly. ECS task sets are measured by the load balancer, not stamped this way: the
    lag applies to Lambda deployments only.

    Examples
    --------
    >>> Version("7", error_rate=0.02)
    Version('7', error_rate=0.02)
    """

    name: str = DEFAULT_VERSION_NAME
    error_rate: Rate = 0.0
    throttle_rate: Rate = 0.0
    duration_ms: float = 100.0
    duration_sigma: float = 0.0
    timeout: float | None = field(default=None, metadata=ADDED)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise invalid("Version", "name", self.name, "must be a non-empty string")
        if self.name == "$LATEST":
            raise invalid(
                "Version",
                "name",
                self.name,
                "must be a published version; an alias cannot route weighted traffic "
                "to $LATEST (Lambda AliasRoutingConfiguration)",
            )
        _as_profile("Version", "error_rate", self.error_rate, 0.0, 1.0)
        _as_profile("Version", "throttle_rate", self.throttle_rate, 0.0, 1.0)
        check_number("Version", "duration_ms", self.duration_ms, 0.0, low_open=True)
        check_number("Version", "duration_sigma", self.duration_sigma, 0.0, 10.0)
        if self.timeout is not None:
            check_number(
                "Version", "timeout", self.timeout, 0.0, MAX_FUNCTION_TIMEOUT_SECONDS, low_open=True
            )

    @property
    def timeout_rate(self) -> float:
        """Share of invocations that reach the timeout: ``P(duration >= timeout)`` for the
        lognormal duration (0 without a timeout).

        >>> Version("2", duration_ms=180_000, timeout=60).timeout_rate
        1.0
        >>> round(Version("2", duration_ms=1000, duration_sigma=1.0, timeout=1).timeout_rate, 3)
        0.5
        """
        if self.timeout is None:
            return 0.0
        limit_ms = 1000.0 * float(self.timeout)
        if self.duration_sigma == 0:
            return 1.0 if self.duration_ms >= limit_ms else 0.0
        z = (math.log(limit_ms) - math.log(self.duration_ms)) / self.duration_sigma
        return 0.5 * math.erfc(z / math.sqrt(2.0))

    @property
    def emission_lag(self) -> float:
        """Whole seconds from an invocation's start to its metrics' emission (decision D14):
        the median duration capped at the timeout, rounded down.

        >>> Version("2").emission_lag, Version("2", duration_ms=180_000).emission_lag
        (0.0, 180.0)
        >>> Version("2", duration_ms=180_000, timeout=60).emission_lag
        60.0
        """
        seconds = float(self.duration_ms) / 1000.0
        if self.timeout is not None:
            seconds = min(seconds, float(self.timeout))
        return float(math.floor(seconds + 1e-9))

    @property
    def error_profile(self) -> Profile:
        return _as_profile("Version", "error_rate", self.error_rate, 0.0, 1.0)

    @property
    def throttle_profile(self) -> Profile:
        return _as_profile("Version", "throttle_rate", self.throttle_rate, 0.0, 1.0)

    def __repr__(self) -> str:
        parts = [repr(self.name)]
        for name, default in (
            ("error_rate", 0.0),
            ("throttle_rate", 0.0),
            ("duration_ms", 100.0),
            ("duration_sigma", 0.0),
            ("timeout", None),
        ):
            value = getattr(self, name)
            if value != default:
                parts.append(f"{name}={value!r}")
        return f"Version({', '.join(parts)})"


#: A hook function that never reports: shiftsim's word, not a status AWS knows (the hook fails
#: when its hour is up, D10).
NO_RESPONSE = "NoResponse"
#: What a :class:`Hook` may do: report one of AWS's two hook statuses, or never report.
HOOK_OUTCOMES = (*(s.value for s in HookStatus), NO_RESPONSE)
#: A hook that does not report within one hour fails the deployment (D10, UG hooks reference;
#: :data:`shiftsim.vocabulary.LIFECYCLE_EVENT_TIMEOUT_SECONDS`).
HOOK_TIMEOUT_SECONDS = float(LIFECYCLE_EVENT_TIMEOUT_SECONDS)


@dataclass(frozen=True, slots=True)
class Hook:
    """A lifecycle hook function (Lambda or ECS): how long it takes and what it reports.

    Parameters
    ----------
    function_name : str
        The hook's Lambda function.
    duration : float
        Seconds from invocation to ``PutLifecycleEventHookExecutionStatus``.
    outcome : {"Succeeded", "Failed", "NoResponse"}
        What it reports. ``NoResponse`` never reports, so the hook fails after 3600 s. A report
        later than 3600 s also arrives too late and the hook fails at 3600 s.

    Examples
    --------
    >>> Hook("CodeDeployHook_preTraffic", duration=45).end_time(0.0)
    45.0
    """

    function_name: str = "CodeDeployHook_hook"
    duration: float = 30.0
    outcome: str = HookStatus.SUCCEEDED.value

    def __post_init__(self) -> None:
        if not isinstance(self.function_name, str) or not self.function_name:
            raise invalid("Hook", "function_name", self.function_name, "must be a non-empty string")
        check_number("Hook", "duration", self.duration, 0.0)
        check_choice("Hook", "outcome", self.outcome, HOOK_OUTCOMES)

    @property
    def times_out(self) -> bool:
        return self.outcome == NO_RESPONSE or self.duration > HOOK_TIMEOUT_SECONDS

    @property
    def succeeds(self) -> bool:
        return self.outcome == HookStatus.SUCCEEDED and not self.times_out

    def end_time(self, start: float) -> float:
        """When the hook's result is known, seconds."""
        return start + (HOOK_TIMEOUT_SECONDS if self.times_out else float(self.duration))

    def failure_message(self) -> str:
        if self.times_out:
            return (
                f"The hook {self.function_name} did not report a status within "
                f"{HOOK_TIMEOUT_SECONDS:.0f} seconds."
            )
        return f"The hook {self.function_name} reported Failed."
