"""Hook scripts of an EC2/on-premises revision: :class:`Script`, how long it runs
(:class:`Duration`), and the ``hooks`` mapping read from a dict or an AppSpec."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._checks import check_choice, check_number, invalid
from shiftsim._server_model.lifecycle import MAX_SCRIPT_TIMEOUT, check_event

__all__ = [
    "DEFAULT_RESERVED_SECONDS",
    "DEFAULT_SCRIPT_SECONDS",
    "DURATION_KINDS",
    "Duration",
    "Hooks",
    "Script",
    "check_duration",
    "hooks_from_appspec",
    "normalize_hooks",
]

#: Seconds a script runs when an AppSpec gives no duration for it.
DEFAULT_SCRIPT_SECONDS = 10.0
#: Default seconds of the reserved events. These are ELB defaults, not CodeDeploy facts:
#: DownloadBundle 5 s, Install 2 s, BlockTraffic 300 s (the target group's default
#: deregistration delay), AllowTraffic 150 s (5 health checks 30 s apart).
DEFAULT_RESERVED_SECONDS = {
    "DownloadBundle": 5.0,
    "Install": 2.0,
    "BlockTraffic": 300.0,
    "AllowTraffic": 150.0,
}
DURATION_KINDS = ("fixed", "uniform", "normal", "lognormal", "exponential")


@dataclass(frozen=True, slots=True)
class Duration:
    """How long a script (or a reserved event) runs, in seconds: fixed or drawn per instance.

    Use the constructors: :meth:`fixed`, :meth:`uniform`, :meth:`normal` (truncated at 0),
    :meth:`lognormal` (by its median) and :meth:`exponential`. Anywhere a duration is asked for,
    a plain number means fixed seconds, and an object with ``rvs(size=, random_state=)`` (a frozen
    ``scipy.stats`` distribution) works too.

    Examples
    --------
    >>> Duration.lognormal(median=30, sigma=0.5)
    Duration(kind='lognormal', a=30.0, b=0.5)
    >>> Duration.uniform(10, 20).mean
    15.0
    """

    kind: str = "fixed"
    a: float = 0.0
    b: float = 0.0

    def __post_init__(self) -> None:
        owner = "Duration"
        check_choice(owner, "kind", self.kind, DURATION_KINDS)
        a = check_number(owner, "a", self.a, 0.0)
        b = check_number(owner, "b", self.b, 0.0)
        if self.kind == "uniform" and b < a:
            raise invalid(owner, "b", b, f"must be >= a ({a:g}) for a uniform duration")
        if self.kind in ("lognormal", "exponential") and a <= 0:
            raise invalid(owner, "a", a, f"must be > 0 for a {self.kind} duration")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)

    @classmethod
    def fixed(cls, seconds: float) -> Duration:
        return cls("fixed", seconds)

    @classmethod
    def uniform(cls, low: float, high: float) -> Duration:
        return cls("uniform", low, high)

    @classmethod
    def normal(cls, mean: float, sd: float) -> Duration:
        return cls("normal", mean, sd)

    @classmethod
    def lognormal(cls, median: float, sigma: float) -> Duration:
        return cls("lognormal", median, sigma)

    @classmethod
    def exponential(cls, mean: float) -> Duration:
        return cls("exponential", mean)

    @property
    def is_fixed(self) -> bool:
        """True when every draw is the same number (then no random number is used)."""
        return (
            self.kind == "fixed"
            or (self.kind != "exponential" and self.b == 0.0)
            or (self.kind == "uniform" and self.a == self.b)
        )

    @property
    def mean(self) -> float:
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        if self.kind == "lognormal":
            return self.a * math.exp(self.b**2 / 2)
        return self.a

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws in seconds (never negative)."""
        if self.is_fixed:
            return np.full(size, self.a)
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, size)
        if self.kind == "normal":
            return np.maximum(rng.normal(self.a, self.b, size), 0.0)
        if self.kind == "lognormal":
            return self.a * np.exp(self.b * rng.standard_normal(size))
        return rng.exponential(self.a, size)


def check_duration(owner: str, field_name: str, value: object) -> Any:
    """``value`` as a duration model: seconds (a float), a Duration, or a distribution."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return check_number(owner, field_name, value, 0.0)
    if isinstance(value, Duration) or hasattr(value, "rvs") or hasattr(value, "sample"):
        return value
    raise invalid(
        owner,
        field_name,
        value,
        "must be seconds (a number >= 0), a Duration, or a distribution with rvs()",
    )


@dataclass(frozen=True, slots=True)
class Script:
    """One AppSpec hook script: where it is, how long it runs, and its timeout.

    Parameters
    ----------
    location : str
        Path in the bundle, as in the AppSpec ``location``.
    duration : float or Duration
        Seconds it runs (fixed, or a model drawn per instance).
    timeout : float
        Seconds before the agent gives up (``ScriptTimedOut``); default and maximum 3600 (D10).
    runas : str or None
        The user the script runs as (Linux only).

    Examples
    --------
    >>> Script("scripts/start.sh", duration=Duration.uniform(5, 15), timeout=60).timeout
    60.0
    """

    location: str
    duration: Any = DEFAULT_SCRIPT_SECONDS
    timeout: float = MAX_SCRIPT_TIMEOUT
    runas: str | None = None

    def __post_init__(self) -> None:
        owner = "Script"
        if not isinstance(self.location, str) or not self.location:
            raise invalid(owner, "location", self.location, "must be a non-empty string")
        object.__setattr__(self, "duration", check_duration(owner, "duration", self.duration))
        object.__setattr__(
            self,
            "timeout",
            check_number(owner, "timeout", self.timeout, 0.0, MAX_SCRIPT_TIMEOUT, low_open=True),
        )
        if self.runas is not None and (not isinstance(self.runas, str) or not self.runas):
            raise invalid(owner, "runas", self.runas, "must be a non-empty string or None")


#: The scripts of one revision, per lifecycle event.
Hooks = dict[str, tuple[Script, ...]]


def _as_script(
    owner: str, field_name: str, event: str, k: int, item: object, durations: Mapping[str, Any]
) -> Script:
    if isinstance(item, Script):
        return item
    if isinstance(item, (int, float, Duration)) and not isinstance(item, bool):
        return Script(f"scripts/{event}.sh" if k == 0 else f"scripts/{event}-{k}.sh", item)
    location = getattr(item, "location", None)
    if isinstance(item, Mapping):
        location = item.get("location")
    if isinstance(location, str):
        raw_timeout = (
            item.get("timeout") if isinstance(item, Mapping) else getattr(item, "timeout", None)
        )
        runas = item.get("runas") if isinstance(item, Mapping) else getattr(item, "runas", None)
        duration = durations.get(location, DEFAULT_SCRIPT_SECONDS)
        return Script(
            location, duration, MAX_SCRIPT_TIMEOUT if raw_timeout is None else raw_timeout, runas
        )
    raise invalid(
        owner,
        f"{field_name}[{event!r}][{k}]",
        item,
        "must be a Script, seconds, a Duration, or an object with a location",
    )


def normalize_hooks(
    owner: str, field_name: str, value: object, durations: Mapping[str, Any] | None = None
) -> Hooks:
    """``hooks`` (a mapping or an AppSpec-like object, None for none) as :class:`Script` tuples
    per event; AppSpec scripts are timed by ``durations`` (location -> duration)."""
    durations = durations or {}
    if value is None:
        return {}
    platform = getattr(value, "platform", "Server")
    if platform != "Server":
        raise invalid(
            owner,
            field_name,
            f"a {platform} AppSpec",
            "must be an EC2/on-premises (Server) AppSpec",
        )
    raw = getattr(value, "hooks", value)
    if not isinstance(raw, Mapping):
        raise invalid(
            owner,
            field_name,
            value,
            "must map lifecycle event names to lists of scripts (or be an AppSpec)",
        )
    out: Hooks = {}
    for event, scripts in raw.items():
        check_event(owner, f"{field_name} key", event)
        if isinstance(scripts, (Script, int, float, Duration)) and not isinstance(scripts, bool):
            scripts = [scripts]
        if isinstance(scripts, (str, bytes)) or not isinstance(scripts, Iterable):
            raise invalid(owner, f"{field_name}[{event!r}]", scripts, "must be a list of scripts")
        out[event] = tuple(
            _as_script(owner, field_name, event, k, s, durations) for k, s in enumerate(scripts)
        )
    return out


def hooks_from_appspec(appspec: Any, durations: Mapping[str, Any] | None = None) -> Hooks:
    """The ``hooks`` of an AppSpec-like object as :class:`Script` lists.

    ``appspec`` is anything with a ``hooks`` mapping of event name to scripts that have
    ``location`` and ``timeout`` (and optionally ``runas``), such as
    ``shiftsim.appspec.load_appspec(...)``'s result, or such a mapping itself. ``durations`` maps a
    script location to its duration (seconds or a :class:`Duration`); others run
    :data:`DEFAULT_SCRIPT_SECONDS`.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> spec = NS(hooks={"AfterInstall": [NS(location="scripts/migrate.sh", timeout=300)]})
    >>> hooks_from_appspec(spec, {"scripts/migrate.sh": 42})["AfterInstall"][0]
    Script(location='scripts/migrate.sh', duration=42.0, timeout=300.0, runas=None)
    """
    if durations is not None and not isinstance(durations, Mapping):
        raise invalid(
            "hooks_from_appspec", "durations", durations, "must map script locations to durations"
        )
    clean = {
        k: check_duration("hooks_from_appspec", f"durations[{k!r}]", v)
        for k, v in (durations or {}).items()
    }
    return normalize_hooks("hooks_from_appspec", "appspec", appspec, clean)
