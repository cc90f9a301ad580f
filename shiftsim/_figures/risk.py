"""Drawing Monte Carlo risk per configuration: rates with their confidence intervals, and
medians with a bar to the 95th percentile (private; the public entry point is
:func:`shiftsim.plot.risk`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from shiftsim._figures.layout import WIDTH, short_name
from shiftsim.errors import ConfigError

__all__ = [
    "DEFAULT_RISK_MEASURES",
    "DEFAULT_SERVER_RISK_MEASURES",
    "RISK_MEASURES",
    "risk_figure",
    "short_number",
]

#: Measures :func:`risk` can draw: (column stem, axis label, kind).
RISK_MEASURES = {
    "rollback_rate": ("rollback probability (95% CI)", "rate"),
    "escape_rate": ("probability it reaches 100% (95% CI)", "rate"),
    "stop_rate": ("probability it is stopped or fails (95% CI)", "rate"),
    "detection_minute": ("detection (minutes after start):\nmedian, bar to 95th percentile", "q"),
    "target_errors": (
        "errors the new version served before the end:\nmedian, bar to 95th percentile",
        "q",
    ),
    "exposure_errors": (
        "errors served in the incident (exposure: before\nthe end + the horizon after it): "
        "median, bar to p95",
        "q",
    ),
    "duration_minutes": ("deployment duration (minutes):\nmedian, bar to 95th percentile", "q"),
    "failed": ("instances that failed:\nmedian, bar to 95th percentile", "q"),
    "time_in_flight_minutes": ("instance-minutes in flight:\nmedian, bar to 95th percentile", "q"),
}
_COUNT_MEASURES = ("target_errors", "exposure_errors", "failed")
DEFAULT_RISK_MEASURES = ("rollback_rate", "detection_minute", "exposure_errors")
#: For EC2/on-premises results (no traffic, so no detection time or target errors).
DEFAULT_SERVER_RISK_MEASURES = ("rollback_rate", "failed", "duration_minutes")


def risk_figure(result: Any, ax: Axes | None, measures: Sequence[str] | None) -> Axes:
    """:func:`shiftsim.plot.risk`: one panel per measure, one row per configuration."""
    table = _risk_table(result)
    measures = _risk_measures(table, ax, measures)
    labels = _risk_labels(table)
    n = len(table)
    panels = _risk_panels(ax, measures, n)
    y = np.arange(n)
    for panel, name in zip(panels, measures):
        _draw_measure(panel, table, name, y)
    first = panels[0]
    first.set_yticks(y, labels)
    first.set_ylim(n - 0.5, -0.5)
    title = _risk_title(table, labels)
    first.figure.suptitle(title) if len(panels) > 1 else first.set_title(title)
    return first


def _draw_measure(panel: Axes, table: pd.DataFrame, name: str, y: np.ndarray) -> None:
    """One measure's panel; a single configuration also gets its numbers written out."""
    label, kind = RISK_MEASURES[name]
    if kind == "rate":
        values = _draw_rate(panel, table, name, label, y)
    else:
        values = _draw_spread(panel, table, name, label, y)
    if len(table) == 1 and np.isfinite(table[_point_column(name, kind)].to_numpy(float)[0]):
        # One configuration: its numbers, written above the point.
        panel.annotate(
            values[0],
            (0.5, 0.78),
            xycoords="axes fraction",
            ha="center",
            fontsize="small",
            color="dimgray",
        )
    panel.set_xlabel(label)
    panel.grid(axis="x", alpha=0.3)


def _risk_title(table: pd.DataFrame, labels: list[str]) -> str:
    """The figure's title, with the number of runs behind each row when the table has it."""
    n = len(table)
    runs = table["runs"].iloc[0] if "runs" in table.columns and n else None
    if n == 1:
        return f"Risk of {labels[0]}" + (f" ({int(runs):,} runs)" if runs else "")
    return "Risk per configuration" + (f" ({int(runs):,} runs each)" if runs else "")


def _risk_measures(
    table: pd.DataFrame, ax: Axes | None, measures: Sequence[str] | None
) -> Sequence[str]:
    """The measures :func:`risk` draws, checked (the defaults where ``measures`` is None)."""
    if measures is None:
        server = "target_errors_median" not in table.columns
        default = DEFAULT_SERVER_RISK_MEASURES if server else DEFAULT_RISK_MEASURES
        measures = default if ax is None else ("rollback_rate",)
    if isinstance(measures, str):
        measures = (measures,)
    for name in measures:
        if name not in RISK_MEASURES:
            listed = ", ".join(RISK_MEASURES)
            raise ConfigError(f"plot.risk: measures has {name!r}; choose among {listed}.")
    if not measures:
        raise ConfigError("plot.risk: measures must name at least one measure.")
    return measures


def _risk_panels(ax: Axes | None, measures: Sequence[str], n: int) -> list[Axes]:
    """One panel per measure in a new figure, or the one given."""
    if ax is None:
        _, axes = plt.subplots(
            1,
            len(measures),
            figsize=(max(WIDTH, 3.6 * len(measures)) + 2.0, max(2.6, 1.4 + 0.42 * n)),
            sharey=True,
            layout="constrained",
            squeeze=False,
        )
        return list(axes[0])
    if len(measures) == 1:
        return [ax]
    raise ConfigError(
        "plot.risk: with an ax, draw one measure (measures=('rollback_rate',)); "
        "pass ax=None for one panel per measure."
    )


def _draw_rate(panel: Axes, table: pd.DataFrame, name: str, label: str, y: np.ndarray) -> list[str]:
    """A rate with its confidence interval; returns each row's numbers as text."""
    est = table[name].to_numpy(float)
    low = table[f"{name}_low"].to_numpy(float)
    high = table[f"{name}_high"].to_numpy(float)
    # Wilson bounds can sit a rounding error inside the estimate at 0 or 1.
    err = np.clip(np.vstack([est - low, high - est]), 0.0, None)
    panel.errorbar(est, y, xerr=err, fmt="o", color="tab:blue", capsize=3, label=label)
    panel.set_xlim(-0.03, 1.03)
    return [f"{v:.1%} ({lo:.1%} to {hi:.1%})" for v, lo, hi in zip(est, low, high)]


def _draw_spread(
    panel: Axes, table: pd.DataFrame, name: str, label: str, y: np.ndarray
) -> list[str]:
    """A median with a bar to the 95th percentile; returns each row's numbers as text."""
    median = table[f"{name}_median"].to_numpy(float)
    p95 = table[f"{name}_p95"].to_numpy(float)
    panel.hlines(y, median, p95, color="tab:orange", lw=2)
    panel.plot(median, y, "o", color="tab:orange", label=label)
    known = np.isfinite(p95)
    right = float(np.nanmax(p95)) if known.any() else 1.0
    # Counts get whole-number ticks and room for a few; minutes a scale of at least 1.
    counts = name in _COUNT_MEASURES
    right = max(right, 4.0 if counts else 1.0)
    panel.set_xlim(-0.03 * right, right * 1.1)
    if counts:
        panel.xaxis.set_major_locator(MaxNLocator(integer=True))
    for k in np.flatnonzero(~np.isfinite(median)):
        panel.text(0.0, y[k], " never", va="center", fontsize="small", color="dimgray")
    return [f"median {short_number(m)}, p95 {short_number(p)}" for m, p in zip(median, p95)]


def _point_column(name: str, kind: str) -> str:
    return name if kind == "rate" else f"{name}_median"


def _risk_table(result: Any) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        missing = [c for c in ("rollback_rate", "rollback_rate_low") if c not in result.columns]
        if missing:
            raise ConfigError(
                f"plot.risk: the table lacks the columns {missing}; pass a MonteCarloResult or "
                "the table shiftsim.compare or shiftsim.sweep returns."
            )
        if result.empty:
            raise ConfigError("plot.risk: the table is empty.")
        return result.reset_index(drop=True)
    from shiftsim.montecarlo import MonteCarloResult, ServerMonteCarloResult, summary_row

    if isinstance(result, (MonteCarloResult, ServerMonteCarloResult)):
        name = result.deployment.config.name
        return pd.DataFrame([{"config": name, **summary_row(result)}])
    raise ConfigError(
        f"plot.risk: result must be a MonteCarloResult, a ServerMonteCarloResult or a "
        f"compare/sweep table; got "
        f"{type(result).__name__}."
    )


def _risk_labels(table: pd.DataFrame) -> list[str]:
    stats = ("runs", "target_errors_mean")
    params = [
        c
        for c in table.columns
        if c not in stats and not any(c.startswith(m) for m in RISK_MEASURES)
    ]
    if params == ["config"]:
        return [short_name(str(v)) for v in table["config"]]
    out = []
    for row in table[params].itertuples(index=False):
        parts = []
        for name, value in zip(params, row):
            shown = (
                short_name(str(value))
                if name == "config"
                else f"{value:g}"
                if isinstance(value, float)
                else str(value)
            )
            parts.append(shown if name == "config" else f"{name}={shown}")
        out.append(", ".join(parts))
    return out


def short_number(value: float) -> str:
    """A number for a label, to sensible precision: ``36.1``, ``1,204``, ``0.042``."""
    if not np.isfinite(value):
        return "never"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1 or value == 0:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2g}"
