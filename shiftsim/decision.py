"""Choosing a configuration and an alarm: misses against false rollbacks.

An alarm that catches every bad release also rolls back good ones on noise; one that never
rolls back a good release lets bad ones escape. :func:`shiftsim.compare` and
:func:`shiftsim.sweep` given ``releases=`` deploy each release (at least a bad and a good one)
under every configuration and alarm design, on common random numbers, and measure both sides:

======================== ======= ==============================================================
measure                  release what it is
======================== ======= ==============================================================
``miss_rate``            bad     share of runs that Succeeded: the bad release escaped to 100%
``exposure_errors``      bad     mean failures served in the whole incident: before the end,
                                 plus ``exposure_minutes`` after it at the final weight
``detection_minute``     bad     mean minute CodeDeploy saw the alarm (runs it did)
``false_rollback_rate``  good    share of runs that did not succeed (rolled back, stopped or
                                 failed): a good release turned away
``duration_minutes``     good    mean time a good release takes to deploy
======================== ======= ==============================================================

Rates come with 95% Wilson intervals, means with 95% normal intervals (mean +- 1.96 standard
errors). For EC2/on-premises, a bad release is the scenario as given and a good one the scenario
without its script faults; there is no traffic, so no exposure or detection time.

:func:`tradeoff_table` turns the tidy long frame into one row per configuration and alarm,
:func:`frontier` keeps the Pareto-optimal rows under constraints, and
:func:`shiftsim.plot.tradeoff` draws misses against false rollbacks.

Examples
--------
>>> import shiftsim
>>> base = shiftsim.LambdaDeployment("AllAtOnce", invocations_per_minute=200,
...                                  alarms=[shiftsim.Alarm("errors", threshold=0)])
>>> long = shiftsim.compare(["AllAtOnce", "Canary10Percent5Minutes"], deployment=base,
...     releases={"bad": shiftsim.Version(error_rate=0.02), "good": shiftsim.Version()},
...     runs=500, rng=1)
>>> table = tradeoff_table(long)
>>> table[["label", "miss_rate", "false_rollback_rate"]]
                     label  miss_rate  false_rollback_rate
0                AllAtOnce       1.00                  0.0
1  Canary10Percent5Minutes       0.17                  0.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._checks import invalid
from shiftsim._registry import platform_for
from shiftsim.alarms import Alarm
from shiftsim.configs import DeploymentConfig
from shiftsim.errors import ConfigError
from shiftsim.traffic import Version
from shiftsim.vocabulary import DeploymentStatus

__all__ = [
    "DECISION_MEASURES",
    "frontier",
    "set_path",
    "tradeoff_table",
    "value_label",
    "wilson",
]

#: z for two-sided 95% intervals.
_Z95 = 1.959963984540054

#: The measures of a decision frame: name -> (release kind, kind of estimate, short label).
DECISION_MEASURES: dict[str, tuple[str, str, str]] = {
    "miss_rate": ("bad", "rate", "missed (bad release escaped)"),
    "false_rollback_rate": ("good", "rate", "false rollbacks (good release turned away)"),
    "exposure_errors": ("bad", "mean", "errors served in the incident (exposure)"),
    "detection_minute": ("bad", "mean", "time to detect (minutes)"),
    "duration_minutes": ("good", "mean", "deployment duration (minutes)"),
}
LONG_COLUMNS = ["label", "release", "measure", "estimate", "ci_low", "ci_high", "n"]
_PREFIX = "CodeDeployDefault."
_TOKEN = re.compile(r"([A-Za-z_]\w*)|\[(\d+)\]")


# ------------------------------------------------------------------------------ grid paths
def _parse(path: str) -> list[str | int]:
    tokens: list[str | int] = []
    pos = 0
    text = path
    while pos < len(text):
        if text[pos] == "." and tokens and pos + 1 < len(text):
            pos += 1
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ConfigError(
                f"sweep: grid has {path[:80]!r}; an axis is a field path such as "
                "'alarms[0].threshold' or 'target.error_rate'."
            )
        tokens.append(match.group(1) if match.group(1) else int(match.group(2)))
        pos = match.end()
    if not tokens or not isinstance(tokens[0], str):
        raise ConfigError(f"sweep: grid has {path[:80]!r}; an axis must start with a field name.")
    return tokens


def set_path(obj: Any, path: str, value: Any) -> Any:
    """``obj`` with the field at ``path`` (``"alarms[0].threshold"``) replaced by ``value``.

    Every step is a dataclass field or an index into a tuple or list; the objects on the way
    are rebuilt with :func:`dataclasses.replace`, so their own checks run.

    Examples
    --------
    >>> import shiftsim
    >>> d = shiftsim.LambdaDeployment("AllAtOnce", alarms=[shiftsim.Alarm("errors")])
    >>> set_path(d, "alarms[0].evaluation_periods", 3).alarms[0].evaluation_periods
    3
    """
    return _set(obj, _parse(path), value, path)


def _set(obj: Any, tokens: list[str | int], value: Any, path: str) -> Any:
    head, rest = tokens[0], tokens[1:]
    if isinstance(head, int):
        if isinstance(obj, (str, bytes)) or not isinstance(obj, Sequence):
            raise ConfigError(f"sweep: grid axis {path[:80]!r} indexes something not a list.")
        if not 0 <= head < len(obj):
            raise ConfigError(
                f"sweep: grid axis {path[:80]!r}: index {head} is out of range "
                f"(there are {len(obj)})."
            )
        items = list(obj)
        items[head] = _set(items[head], rest, value, path) if rest else value
        return type(obj)(items) if isinstance(obj, (tuple, list)) else tuple(items)
    _check_field(obj, head, path)
    new = _set(getattr(obj, head), rest, value, path) if rest else value
    return replace(obj, **{head: new})


def _check_field(obj: Any, name: str, path: str) -> None:
    """A ConfigError naming the axis and the fields there are, unless ``obj`` is a dataclass
    with a field ``name``."""
    if not is_dataclass(obj) or name not in {f.name for f in fields(obj)}:
        known = ", ".join(f.name for f in fields(obj)) if is_dataclass(obj) else ""
        raise ConfigError(
            f"sweep: grid axis {path[:80]!r}: {type(obj).__name__} has no field {name!r}"
            + (f" (fields: {known[:300]})." if known else ".")
        )


def apply_axis(deployment: Any, name: str, value: Any) -> Any:
    """One grid axis applied to a deployment: the shorthands ``error_rate`` (the error rate of
    the release it ships: its platform's ``release_field``), ``threshold`` (every alarm's),
    ``requests_per_minute`` (its platform's ``rate_field``), or a field path.

    Examples
    --------
    >>> import shiftsim
    >>> d = shiftsim.LambdaDeployment("AllAtOnce")
    >>> apply_axis(d, "requests_per_minute", 300).invocations_per_minute
    300
    """
    platform = platform_for(deployment, caller="sweep")
    if name == "error_rate" and platform.release_field is not None:
        return set_path(deployment, f"{platform.release_field}.error_rate", value)
    if name == "threshold":
        _check_field(deployment, "alarms", name)
        alarms = tuple(replace(a, threshold=value) for a in deployment.alarms)
        return replace(deployment, alarms=alarms)
    if name == "alarms" and value is not None:
        _check_field(deployment, "alarms", name)
        return replace(deployment, alarms=tuple(value))
    if name == "requests_per_minute" and platform.rate_field is not None:
        name = platform.rate_field  # one rate name across platforms
    return set_path(deployment, name, value)


# ------------------------------------------------------------------------------ labels
def _config_label(name: str) -> str:
    name = name.replace(_PREFIX, "", 1)
    for platform in ("Lambda", "ECS"):
        if name.startswith(platform) and len(name) > len(platform):
            return name[len(platform) :]
    return name


def _alarm_label(alarm: Any) -> str:
    symbol = {
        "GreaterThanThreshold": ">",
        "GreaterThanOrEqualToThreshold": ">=",
        "LessThanThreshold": "<",
        "LessThanOrEqualToThreshold": "<=",
    }[alarm.comparison_operator]
    period = "min" if alarm.period == 60 else f"{alarm.period}s"
    return (
        f"{alarm.metric} {symbol} {alarm.threshold:g}, {alarm.m} of "
        f"{alarm.evaluation_periods} {period}"
    )


def value_label(value: Any) -> str:
    """A short readable label for a grid value: configurations by their short name, alarms by
    their rule, versions by their error rate, numbers with ``g``.

    Examples
    --------
    >>> import shiftsim
    >>> value_label("CodeDeployDefault.LambdaCanary10Percent5Minutes")
    'Canary10Percent5Minutes'
    >>> value_label([shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
    'Errors > 0, 2 of 2 min'
    """
    if isinstance(value, DeploymentConfig):
        return _config_label(value.name)
    if isinstance(value, str):
        return _config_label(value) if value.startswith(_PREFIX) else value
    if isinstance(value, Alarm):
        return _alarm_label(value)
    if isinstance(value, Version):
        return f"{value.error_rate:g} errors" if isinstance(value.error_rate, float) else "profile"
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{value:g}"
    if isinstance(value, Sequence):
        return " + ".join(value_label(v) for v in value) or "no alarm"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def axis_name(path: str) -> str:
    """The short column name of a grid axis: the last field of its path."""
    names = [t for t in _TOKEN.findall(path) if t[0]]
    return names[-1][0] if names else path


# ------------------------------------------------------------------------------ measures
def wilson(successes: int, trials: int) -> tuple[float, float]:
    """Wilson score 95% interval for a binomial proportion."""
    if trials == 0:
        return (float("nan"), float("nan"))
    p = successes / trials
    denom = 1 + _Z95**2 / trials
    centre = (p + _Z95**2 / (2 * trials)) / denom
    half = _Z95 * np.sqrt(p * (1 - p) / trials + _Z95**2 / (4 * trials**2)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


def _rate_row(hits: int, n: int) -> tuple[float, float, float, int]:
    if n == 0:
        return (float("nan"), float("nan"), float("nan"), 0)
    low, high = wilson(hits, n)
    return (hits / n, low, high, n)


def _mean_row(values: np.ndarray) -> tuple[float, float, float, int]:
    values = values[~np.isnan(values)]
    n = int(values.size)
    if n == 0:
        return (float("nan"), float("nan"), float("nan"), 0)
    mean = float(values.mean())
    if n < 2:
        return (mean, float("nan"), float("nan"), n)
    half = _Z95 * float(values.std(ddof=1)) / np.sqrt(n)
    return (mean, mean - half, mean + half, n)


def release_measures(mc: Any, kind: str) -> list[tuple[str, float, float, float, int]]:
    """The decision measures of one Monte Carlo result of a ``kind`` ("bad"/"good") release."""
    runs = mc.runs
    status = runs["status"].astype(str).to_numpy()
    n = len(runs)
    succeeded = int((status == DeploymentStatus.SUCCEEDED.value).sum())
    rows = []
    if kind == "bad":
        rows.append(("miss_rate", *_rate_row(succeeded, n)))
        if "exposure_errors" in runs.columns:
            rows.append(("exposure_errors", *_mean_row(runs["exposure_errors"].to_numpy(float))))
            rows.append(("detection_minute", *_mean_row(runs["detection_minute"].to_numpy(float))))
    else:
        rows.append(("false_rollback_rate", *_rate_row(n - succeeded, n)))
        rows.append(("duration_minutes", *_mean_row(runs["duration_minutes"].to_numpy(float))))
    return rows


def release_kind(owner: str, name: object) -> str:
    """``"bad"`` or ``"good"`` from a release's name (it must start with one of them)."""
    if isinstance(name, str):
        for kind in ("bad", "good"):
            if name.lower().startswith(kind):
                return kind
    raise invalid(
        owner,
        "releases",
        name,
        "must be keyed by names starting with 'bad' or 'good' (which side of the trade-off "
        "each release is on), e.g. {'bad': Version(error_rate=0.02), 'good': Version()}",
    )


# ------------------------------------------------------------------------------ wide and frontier
def tradeoff_table(results: pd.DataFrame) -> pd.DataFrame:
    """A decision frame, one row per configuration and alarm (grid point).

    Parameters
    ----------
    results : DataFrame
        The tidy long frame :func:`shiftsim.compare` or :func:`shiftsim.sweep` return with
        ``releases=``.

    Returns
    -------
    DataFrame
        The grid's columns and ``label``, then per measure its estimate and ``<measure>_low`` /
        ``<measure>_high``. With several releases of one kind a measure's columns are suffixed
        with `` [release]``. In grid order.
    """
    wide = isinstance(results, pd.DataFrame) and "measure" not in results.columns
    if wide and "label" in results.columns:
        return results
    if not isinstance(results, pd.DataFrame) or not set(LONG_COLUMNS) <= set(results.columns):
        raise ConfigError(
            "tradeoff_table: results must be the frame shiftsim.compare or shiftsim.sweep "
            "return with releases=."
        )
    axes = [c for c in results.columns if c not in LONG_COLUMNS]
    per_measure = results.groupby("measure", sort=False)["release"].nunique()
    order = list(dict.fromkeys(results["label"]))
    base = results.drop_duplicates("label").set_index("label")[axes]
    out = base.loc[order].reset_index()[[*axes, "label"]]
    position = {label: i for i, label in enumerate(order)}
    columns: dict[str, np.ndarray] = {}
    for row in results.itertuples(index=False):
        key = str(row.measure)
        if per_measure[key] > 1:
            key = f"{key} [{row.release}]"
        for suffix, value in (("", row.estimate), ("_low", row.ci_low), ("_high", row.ci_high)):
            column = columns.setdefault(key + suffix, np.full(len(order), np.nan))
            column[position[row.label]] = float(value)  # type: ignore[arg-type]
    for name, values in columns.items():
        out[name] = values
    runs = results.groupby("label", sort=False)["n"].max()
    out["runs"] = runs.loc[order].to_numpy()
    return out


def frontier(
    results: pd.DataFrame,
    *,
    constraints: Mapping[str, float] | None = None,
    objectives: Sequence[str] = ("miss_rate", "false_rollback_rate"),
) -> pd.DataFrame:
    """The Pareto frontier of a decision frame: the configurations and alarms no other beats.

    A row is on the frontier when it meets every constraint and no other row that meets them
    is at least as good on every objective and better on one (lower is better for all).

    Parameters
    ----------
    results : DataFrame
        From :func:`shiftsim.compare` or :func:`shiftsim.sweep` with ``releases=`` (long), or
        :func:`tradeoff_table` (wide).
    constraints : mapping of str to float, optional
        Upper bounds on measures, e.g. ``{"false_rollback_rate": 0.05, "duration_minutes":
        30}``.
    objectives : sequence of str
        Measures to minimise together; default misses and false rollbacks.

    Returns
    -------
    DataFrame
        The frontier's rows of :func:`tradeoff_table`, best first on the first objective.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"label": ["a", "b", "c"], "miss_rate": [0.1, 0.2, 0.3],
    ...                      "false_rollback_rate": [0.3, 0.1, 0.2]})
    >>> frontier(wide)["label"].tolist()
    ['a', 'b']
    >>> frontier(wide, constraints={"false_rollback_rate": 0.2})["label"].tolist()
    ['b']
    """
    wide = tradeoff_table(results)
    constraints = dict(constraints or {})
    objectives = [objectives] if isinstance(objectives, str) else list(objectives)
    if not objectives:
        raise ConfigError("frontier: objectives must name at least one measure.")
    for name in [*objectives, *constraints]:
        if name not in wide.columns:
            known = ", ".join(c for c in wide.columns if c in DECISION_MEASURES or "[" in c)
            raise ConfigError(
                f"frontier: the results have no measure {str(name)[:80]!r}; they have {known}."
            )
    keep = np.ones(len(wide), dtype=bool)
    for name, bound in constraints.items():
        values = wide[name].to_numpy(float)
        keep &= np.nan_to_num(values, nan=np.inf) <= float(bound) + 1e-12
    points = np.nan_to_num(wide[objectives].to_numpy(float), nan=np.inf)
    on = np.zeros(len(wide), dtype=bool)
    for i in np.flatnonzero(keep):
        others = points[keep]
        dominated = np.any(np.all(others <= points[i], axis=1) & np.any(others < points[i], axis=1))
        on[i] = not dominated
    chosen = wide[on]
    return chosen.sort_values(objectives, kind="stable").reset_index(drop=True)
