"""Plain-text tables of the ``shiftsim`` commands: trade-offs, frontier, comparison, summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._text import escape
from shiftsim.cli._info import _PREFIX, _text_table

__all__ = ["format_compare", "format_frontier", "format_summary", "format_tradeoffs"]


def _ci(row: dict[str, Any], name: str, scale: float, fmt: str) -> str:
    value = row.get(name, float("nan"))
    if value is None or not np.isfinite(value):
        return "-"
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    text = format(scale * value, fmt)
    if low is not None and high is not None and np.isfinite(low) and np.isfinite(high):
        text += f" ({format(scale * low, fmt)}-{format(scale * high, fmt)})"
    return text


def format_tradeoffs(table: pd.DataFrame, frontier: Sequence[str] = ()) -> str:
    """A :func:`shiftsim.tradeoff_table` as fixed-width text, frontier rows marked ``*``,
    95% intervals in parentheses.

    Examples
    --------
    >>> row = {"config": "CodeDeployDefault.LambdaAllAtOnce", "label": "AllAtOnce",
    ...        "miss_rate": 1.0, "miss_rate_low": 0.96, "miss_rate_high": 1.0,
    ...        "false_rollback_rate": 0.0, "false_rollback_rate_low": 0.0,
    ...        "false_rollback_rate_high": 0.04, "exposure_errors": 240.0,
    ...        "exposure_errors_low": 240.0, "exposure_errors_high": 240.0,
    ...        "detection_minute": float("nan"), "duration_minutes": 0.0}
    >>> print(format_tradeoffs(pd.DataFrame([row]), ["AllAtOnce"]))
    ... # doctest: +NORMALIZE_WHITESPACE
      configuration missed % false rollbacks % exposure errors detect min duration min
    * AllAtOnce 100.0 (96.0-100.0) 0.0 (0.0-4.0) 240 (240-240) - 0.0
    """
    rows = []
    for raw in table.to_dict("records"):
        row = {str(k): v for k, v in raw.items()}
        shown: dict[str, str] = {"": "*" if row["label"] in frontier else ""}
        if "config" in row:
            shown["configuration"] = str(row["config"]).replace(_PREFIX, "", 1)
            for platform in ("Lambda", "ECS"):
                if shown["configuration"].startswith(platform):
                    shown["configuration"] = shown["configuration"][len(platform) :]
        if "alarms" in row:
            shown["alarm"] = str(row["alarms"])
        axes = [c for c in table.columns if c not in ("config", "alarms", "label", "runs")]
        axes = [c for c in axes if not any(c.startswith(m) for m in _DECISION_STEMS)]
        for name in axes:
            shown[name] = str(row[name])
        if "config" not in row and "alarms" not in row and not axes:
            shown["configuration"] = str(row["label"])
        shown["missed %"] = _ci(row, "miss_rate", 100, ".1f")
        shown["false rollbacks %"] = _ci(row, "false_rollback_rate", 100, ".1f")
        if "exposure_errors" in row:
            shown["exposure errors"] = _ci(row, "exposure_errors", 1, ".0f")
            shown["detect min"] = _ci({"v": row["detection_minute"]}, "v", 1, ".1f")
        shown["duration min"] = _ci({"v": row.get("duration_minutes")}, "v", 1, ".1f")
        rows.append(shown)
    return _text_table(rows)


_DECISION_STEMS = (
    "miss_rate",
    "false_rollback_rate",
    "exposure_errors",
    "detection_minute",
    "duration_minutes",
)


def format_frontier(table: pd.DataFrame, best: pd.DataFrame, constraints: dict[str, float]) -> str:
    """Name the frontier (rows marked ``*``) and, among them, the fewest errors served."""
    bounds = []
    for name, bound in constraints.items():
        if name == "false_rollback_rate":
            bounds.append(f"false rollbacks <= {100 * bound:g}%")
        elif name == "duration_minutes":
            bounds.append(f"duration <= {bound:g} min")
        else:
            bounds.append(f"{name} <= {bound:g}")
    where = " and ".join(bounds)
    if best.empty:
        return f"Nothing meets {where}."
    lines = [
        "* the Pareto frontier: nothing else misses less without more false rollbacks,",
        f"  among the rows with {where}:",
    ]
    records = best.to_dict("records")
    for row in records:
        lines.append(
            f"  {escape(str(row['label']))}: missed {100 * float(row['miss_rate']):.1f}%, "
            f"false rollbacks {100 * float(row['false_rollback_rate']):.1f}%"
        )
    exposures = [float(r.get("exposure_errors", np.nan)) for r in records]
    if any(np.isfinite(exposures)):
        fewest = records[int(np.nanargmin(exposures))]
        lines.append(
            f"Fewest bad requests served among them: {escape(str(fewest['label']))} "
            f"({float(fewest['exposure_errors']):.0f} errors on average)."
        )
    return "\n".join(lines)


def format_compare(table: pd.DataFrame) -> str:
    """The table :func:`shiftsim.compare` returns, as readable fixed-width text.

    Examples
    --------
    >>> row = {"config": "CodeDeployDefault.LambdaAllAtOnce", "runs": 10, "rollback_rate": 0.5,
    ...        "rollback_rate_low": 0.24, "rollback_rate_high": 0.76, "escape_rate": 0.5,
    ...        "detection_minute_median": 2.0, "detection_minute_p95": 3.0,
    ...        "target_errors_median": 4.0, "target_errors_p95": 9.0, "target_errors_mean": 4.5,
    ...        "duration_minutes_median": 2.5}
    >>> print(format_compare(pd.DataFrame([row])))  # doctest: +NORMALIZE_WHITESPACE
                      rolled back          escaped  detected (min)  errors served       duration
    configuration     % (95% CI)           %        median  p95     median  p95  mean   median (min)
    LambdaAllAtOnce    50.0 (24.0-76.0)     50.0     2       3       4       9    4.5    2.5
    """
    names = [str(c).replace(_PREFIX, "", 1) for c in table["config"]]
    width = max(len("configuration"), *(len(n) for n in names))

    def num(value: float, fmt: str = "g") -> str:
        return "never" if not np.isfinite(value) else format(value, fmt)

    lines = [
        f"{'':{width}}  {'rolled back':<19}  {'escaped':<7}  {'detected (min)':<14}  "
        f"{'errors served':<18}  duration",
        f"{'configuration':{width}}  {'% (95% CI)':<19}  {'%':<7}  {'median':<6}  {'p95':<6}  "
        f"{'median':<6}  {'p95':<4}  {'mean':<5}  median (min)",
    ]
    for name, raw in zip(names, table.to_dict("records")):
        row = {key: float(value) for key, value in raw.items() if key != "config"}
        ci = f"({100 * row['rollback_rate_low']:.1f}-{100 * row['rollback_rate_high']:.1f})"
        lines.append(
            f"{name:{width}}  {100 * row['rollback_rate']:5.1f} {ci:<13}  "
            f"{100 * row['escape_rate']:5.1f}    {num(row['detection_minute_median']):<6}  "
            f"{num(row['detection_minute_p95']):<6}  {num(row['target_errors_median']):<6}  "
            f"{num(row['target_errors_p95']):<4}  {num(row['target_errors_mean'], '.1f'):<5}  "
            f"{num(row['duration_minutes_median'])}"
        )
    return "\n".join(lines)


def format_summary(summary: pd.DataFrame) -> str:
    """:meth:`MonteCarloResult.summary` as readable text: rates in percent with their 95%
    intervals, then the mean and quantiles of detection minute, errors served and duration."""
    labels = {
        "rollback_rate": "rolled back",
        "stop_rate": "stopped or failed",
        "escape_rate": "escaped (Succeeded)",
        "detection_minute": "detected at (minute)",
        "target_errors": "errors served before the end",
        "exposure_errors": "errors served in the incident (exposure)",
        "duration_minutes": "duration (minutes)",
    }
    rates, spreads = [], []
    for measure, row in summary.iterrows():
        label = labels.get(str(measure), str(measure))
        if pd.notna(row["ci_low"]):
            rates.append(
                {
                    "": label,
                    "%": f"{100 * row['estimate']:.1f}",
                    "95% CI": f"{100 * row['ci_low']:.1f}-{100 * row['ci_high']:.1f}",
                }
            )
        else:
            spreads.append(
                {
                    "": label,
                    **{
                        name: "never" if pd.isna(row[col]) else f"{row[col]:.4g}"
                        for name, col in (
                            ("mean", "estimate"),
                            ("5%", "q05"),
                            ("median", "q50"),
                            ("95%", "q95"),
                        )
                    },
                }
            )
    return _text_table(rates) + "\n\n" + _text_table(spreads)
