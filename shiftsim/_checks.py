"""Validation helpers that build house-style error messages (private)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

import numpy as np

from shiftsim._text import excerpt
from shiftsim.errors import ConfigError

__all__ = [
    "check_choice",
    "check_int",
    "check_number",
    "closest",
    "did_you_mean",
    "invalid",
    "suggest",
]


def invalid(
    owner: str, field: str, value: object, rule: str, hint: str | None = None
) -> ConfigError:
    """Build the house-style :class:`ConfigError` for ``owner.field``."""
    message = f"{owner}.{field} {rule}; got {excerpt(value)}."
    if hint:
        message += f" {hint}"
    return ConfigError(message)


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The (at most ``n``) ``choices`` closest to ``word``, best first.

    Falls back to a case-insensitive comparison when nothing matches as typed.
    """
    pool = list(choices)
    close = get_close_matches(word, pool, n=n, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        matches = get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)
        close = [lowered[c] for c in matches]
    return close


def did_you_mean(names: Iterable[str]) -> str:
    """``did you mean 'a' or 'b'?`` for ``names``, or ``""`` when there are none."""
    listed = [repr(c) for c in names]
    return "did you mean " + " or ".join(listed) + "?" if listed else ""


def suggest(word: str, choices: Iterable[str], n: int = 3) -> str:
    """Return a ``did you mean ...?`` sentence for the closest of ``choices``, or ``""``."""
    return did_you_mean(closest(word, choices, n))


def check_int(
    owner: str, field: str, value: object, low: int | None = None, high: int | None = None
) -> int:
    """Check that ``value`` is an integer (a Python or numpy integer, not a ``bool``) within
    ``[low, high]``; returns it as a Python ``int``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise invalid(owner, field, value, _range_rule("an integer", low, high))
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid(owner, field, value, _range_rule("an integer", low, high))
    return int(value)


def check_number(
    owner: str,
    field: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
) -> float:
    """Check that ``value`` is a finite real number within the bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise invalid(owner, field, value, _range_rule("a number", low, high, low_open))
    if value in (float("inf"), float("-inf")):
        raise invalid(owner, field, value, _range_rule("a finite number", low, high, low_open))
    too_low = low is not None and (value <= low if low_open else value < low)
    if too_low or (high is not None and value > high):
        raise invalid(owner, field, value, _range_rule("a number", low, high, low_open))
    try:
        return float(value)
    except OverflowError:  # an int beyond float range (10**400): compared above, exactly
        raise invalid(
            owner, field, value, _range_rule("a finite number", low, high, low_open)
        ) from None


def check_choice(owner: str, field: str, value: object, choices: Iterable[str]) -> str:
    """Check that ``value`` is one of ``choices``, suggesting the closest on a miss."""
    pool = tuple(choices)
    if isinstance(value, str) and value in pool:
        return value
    hint = suggest(value, pool) if isinstance(value, str) else ""
    listed = ", ".join(repr(c) for c in pool)
    raise invalid(owner, field, value, f"must be one of {listed}", hint or None)


def _range_rule(kind: str, low: float | None, high: float | None, low_open: bool = False) -> str:
    lo, hi = _bound(low), _bound(high)
    if low is not None and high is not None:
        return f"must be {kind} in {'(' if low_open else '['}{lo}, {hi}]"
    if low is not None:
        return f"must be {kind} {'>' if low_open else '>='} {lo}"
    if high is not None:
        return f"must be {kind} <= {hi}"
    return f"must be {kind}"


def _bound(value: float | None) -> str:
    """An integer bound in full (1000000), any other as ``:g`` (1e+09)."""
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:g}"
