"""Drawing the trade-off between misses and false rollbacks, with the Pareto frontier (private;
the public entry point is :func:`shiftsim.plot.tradeoff`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from shiftsim._figures.layout import WIDTH, new_axes
from shiftsim.errors import ConfigError

__all__ = ["tradeoff_figure"]

#: Axis labels of the two default measures (others take theirs from DECISION_MEASURES).
_AXIS_TEXTS = {
    "miss_rate": "misses: bad releases that escaped (95% CI)",
    "false_rollback_rate": "false rollbacks: good releases turned away (95% CI)",
}


def tradeoff_figure(
    results: pd.DataFrame,
    ax: Axes | None,
    constraints: Mapping[str, float] | None,
    x: str,
    y: str,
) -> Axes:
    """:func:`shiftsim.plot.tradeoff`: every configuration and alarm, the frontier numbered."""
    from shiftsim.decision import frontier

    wide = _wide_table(results, x, y)
    best = frontier(wide, constraints=constraints, objectives=(x, y))
    ax = new_axes(ax, (WIDTH + 4.4, 4.8))
    excluded = _excluded(wide, constraints)
    _draw_points(ax, wide[~excluded], x, y, hollow=False)
    handles = _draw_frontier(ax, best, x, y)
    if excluded.any():
        _draw_points(ax, wide[excluded], x, y, hollow=True)
        handles.insert(
            1,
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                color="silver",
                markerfacecolor="none",
                label="excluded by a constraint",
            ),
        )
    _draw_bounds(ax, constraints, x, y)
    _label_axes(ax, x, y)
    ax.set_title(_title(wide, constraints), fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(
        handles=handles,
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        handlelength=1.2,
    )
    return ax


def _wide_table(results: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """One row per configuration and alarm (:func:`shiftsim.tradeoff_table`), with ``x``
    and ``y`` among its measures."""
    from shiftsim.decision import tradeoff_table

    try:
        wide = tradeoff_table(results)
    except ConfigError as err:
        raise ConfigError(f"plot.tradeoff: {str(err).split(': ', 1)[-1]}") from None
    for name in (x, y):
        if name not in wide.columns:
            raise ConfigError(f"plot.tradeoff: the results have no measure {name[:80]!r}.")
    return wide


def _draw_bounds(ax: Axes, constraints: Mapping[str, float] | None, x: str, y: str) -> None:
    """Constraints on the two axes, as dashed lines."""
    for name, draw in ((x, ax.axvline), (y, ax.axhline)):
        bound = (constraints or {}).get(name)
        if bound is not None:
            draw(bound, color="tab:gray", ls="--", lw=1)


def _label_axes(ax: Axes, x: str, y: str) -> None:
    """The measures' names on the axes; rates get the range 0 to 1."""
    from shiftsim.decision import DECISION_MEASURES

    ax.set_xlabel(_AXIS_TEXTS.get(x, DECISION_MEASURES.get(x, ("", "", x))[2]))
    ax.set_ylabel(_AXIS_TEXTS.get(y, DECISION_MEASURES.get(y, ("", "", y))[2]))
    if x.endswith("_rate"):
        ax.set_xlim(-0.03, 1.03)
    if y.endswith("_rate"):
        ax.set_ylim(-0.03, 1.03)


def _title(wide: pd.DataFrame, constraints: Mapping[str, float] | None) -> str:
    """What is drawn, with the runs behind each point and the constraints of the frontier."""
    runs = int(wide["runs"].max()) if "runs" in wide.columns else None
    shown = ", ".join(f"{k} <= {v:g}" for k, v in (constraints or {}).items())
    title = "Misses against false rollbacks" + (f" ({runs:,} runs each)" if runs else "")
    return title + (f"\nfrontier under {shown}" if shown else "")


def _excluded(wide: pd.DataFrame, constraints: Mapping[str, float] | None) -> np.ndarray:
    """Rows that break a constraint (as :func:`shiftsim.frontier` reads them: NaN breaks)."""
    out = np.zeros(len(wide), dtype=bool)
    for name, bound in (constraints or {}).items():
        values = np.nan_to_num(wide[name].to_numpy(float), nan=np.inf)
        out |= values > float(bound) + 1e-12
    return out


def _draw_points(ax: Axes, frame: pd.DataFrame, x: str, y: str, *, hollow: bool) -> None:
    """Every configuration and alarm with its confidence intervals; ``hollow`` if excluded."""
    ax.errorbar(
        frame[x],
        frame[y],
        xerr=_ci_bars(frame, x),
        yerr=_ci_bars(frame, y),
        fmt="o",
        color="silver",
        ecolor="gainsboro",
        ms=4,
        capsize=0,
        zorder=1,
        markerfacecolor="none" if hollow else "silver",
        label="excluded by a constraint" if hollow else "configuration and alarm",
    )


def _ci_bars(frame: pd.DataFrame, name: str) -> Any:
    """Error bars (below, above) from a measure's ``_low``/``_high`` columns, if it has them."""
    value = frame[name].to_numpy(float)
    if f"{name}_low" not in frame.columns:
        return None
    low, high = frame[f"{name}_low"].to_numpy(float), frame[f"{name}_high"].to_numpy(float)
    return np.clip(np.vstack([value - low, high - value]), 0.0, None)


def _draw_frontier(ax: Axes, best: pd.DataFrame, x: str, y: str) -> list[Any]:
    """The Pareto frontier joined and numbered; returns the legend's handles."""
    order = best.sort_values([x, y], kind="stable")
    ax.plot(order[x], order[y], "-", color="tab:red", lw=1.2, zorder=2)
    # Points at the same place get one number; the legend lists what each number is.
    places: dict[tuple[float, float], list[str]] = {}
    for row in order.itertuples(index=False):
        places.setdefault((float(getattr(row, x)), float(getattr(row, y))), []).append(
            str(row.label)
        )
    handles: list[Any] = [
        Line2D([], [], marker="o", ls="", color="silver", label="configuration and alarm"),
        Line2D([], [], marker="o", ls="-", color="tab:red", label="Pareto frontier:"),
    ]
    for k, ((px, py), labels) in enumerate(places.items(), start=1):
        ax.plot([px], [py], "o", color="tab:red", ms=6, zorder=3)
        ax.annotate(
            str(k),
            (px, py),
            xytext=(5, 4 if k % 2 else -11),  # alternate, so close neighbours stay legible
            textcoords="offset points",
            fontsize="small",
            color="tab:red",
            weight="bold",
        )
        more = f" (+{len(labels) - 1} alike)" if len(labels) > 1 else ""
        handles.append(Line2D([], [], ls="", label=f"{k}  {labels[0]}{more}"))
    return handles
