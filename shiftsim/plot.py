"""Figures of deployments: traffic over time, fleet rollouts, schedules and risk.

Every function takes what it draws and ``ax=None``, draws on ``ax`` (or on a new figure) and
returns the :class:`~matplotlib.axes.Axes`. Nothing is shown: call ``plt.show()`` or save the
figure yourself. This is the only module of shiftsim that imports matplotlib.

* :func:`traffic`: a Lambda or ECS run, the target's traffic share over time with the hooks,
  alarm state changes, the rollback and the target's error rate;
* :func:`fleet`: an EC2/on-premises run as a Gantt chart, one row per instance, with the
  instances in flight and the healthy count against the minimum below;
* :func:`schedules`: several configurations' traffic schedules on one chart;
* :func:`risk`: rollback probability, detection time and blast radius per configuration from
  :func:`shiftsim.monte_carlo`, :func:`shiftsim.compare` or :func:`shiftsim.sweep`.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import shiftsim
>>> from shiftsim import plot
>>> ax = plot.schedules(["Canary10Percent5Minutes", "Linear10PercentEvery1Minute"])
>>> ax.get_ylabel()
'traffic on the new version (%)'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory, offset_copy

from shiftsim.configs import DeploymentConfig, allow_traffic_minutes, get_config
from shiftsim.errors import ConfigError

__all__ = ["fleet", "risk", "runs", "schedules", "traffic"]

_PREFIX = "CodeDeployDefault."
#: Colors of alarm states, as the CloudWatch console draws them.
STATE_COLORS = {"OK": "tab:green", "ALARM": "tab:red", "INSUFFICIENT_DATA": "tab:gray"}
#: Colors of lifecycle event outcomes in :func:`fleet`.
STATUS_COLORS = {
    "Succeeded": "tab:green",
    "Failed": "tab:red",
    "Skipped": "lightgray",
    "Pending": "whitesmoke",
    "InProgress": "tab:blue",
    "Unknown": "tab:purple",
    "Ready": "tab:cyan",
}
_HOOK_SHADES = ("#fde9c8", "#d9e8f6")
_WIDTH = 6.4


def short_name(name: str) -> str:
    """A configuration name without the ``CodeDeployDefault.`` prefix.

    >>> short_name("CodeDeployDefault.LambdaAllAtOnce")
    'LambdaAllAtOnce'
    """
    return name[len(_PREFIX) :] if name.startswith(_PREFIX) else name


def _new_axes(ax: Axes | None, size: tuple[float, float] = (_WIDTH, 4.0)) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


# ---------------------------------------------------------------------------------- traffic
def traffic(
    run: Any, ax: Axes | None = None, *, error_rate: bool = True, alarms: bool = True
) -> Axes:
    """Draw a Lambda or ECS run: the new version's share of traffic, then one panel per alarm.

    The top panel draws the share of traffic as steps; the hooks and other lifecycle events as
    shaded spans with their outcome (a green dot where a hook succeeded, a red cross where it
    failed); a ``StopDeployment`` call and the rollback as labelled vertical lines; each
    alarm's change to ALARM as a labelled triangle along the top; and, with ``error_rate``,
    the versions' true error rates (lines) and the error rate the new version showed each
    minute (dots) on a second y axis. A release without errors gets no second axis.

    Below, with ``alarms``, one panel per alarm: its datapoints per period (red where they
    breach), its threshold, the M-of-N window that sent it to ALARM, and its states by name
    along the top.

    Parameters
    ----------
    run : TrafficRun or EcsRun
        From :func:`shiftsim.simulate` or :func:`shiftsim.ecs.run_ecs`.
    ax : Axes, optional
        Where to draw the traffic panel; a new figure when None. The alarm panels are added
        below it (``ax.figure.axes``).
    error_rate : bool
        Also draw the error rates, on a twin y axis.
    alarms : bool
        Also draw one panel per alarm.

    Returns
    -------
    Axes
        The traffic panel.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import shiftsim
    >>> from shiftsim import plot
    >>> bad = shiftsim.LambdaDeployment(
    ...     "CodeDeployDefault.LambdaCanary10Percent5Minutes", invocations_per_minute=600,
    ...     target=shiftsim.Version("2", error_rate=0.2),
    ...     alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
    >>> ax = plot.traffic(shiftsim.simulate(bad, rng=7))
    >>> ax.get_title()
    'Lambda deployment: Stopped (ALARM_ACTIVE), rolled back'
    >>> ax.figure.axes[1].get_ylabel()  # the alarm's panel
    'errors\\nErrors (Sum)'
    """
    base = _traffic_run(run)
    deployment = getattr(run, "deployment", None) or getattr(base, "deployment", None)
    watched = list(getattr(deployment, "alarms", ()) or ()) if alarms else []
    if ax is None:
        fig = plt.figure(figsize=(_WIDTH + 1.4, 3.8 + 1.25 * len(watched)), layout="constrained")
        ax, panels = _traffic_axes(fig, len(watched))
    else:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        divider = make_axes_locatable(ax)
        panels = [divider.append_axes("bottom", size="38%", pad=0.3, sharex=ax) for _ in watched]
    _draw_traffic(ax, base, deployment, error_rate=error_rate, below=bool(panels))
    events = base.events
    for k, (panel, alarm) in enumerate(zip(panels, watched)):
        _draw_alarm(panel, base, deployment, alarm, events, last=k == len(panels) - 1)
    return ax


def _right_edge(end: float) -> float:
    """The right end of a run's time axis (minutes), a little after the run ended."""
    return max(end, 1.0) * 1.05


def _traffic_run(run: Any) -> Any:
    base = getattr(run, "run", run)  # an EcsRun wraps a TrafficRun
    if not (hasattr(base, "timeline") and hasattr(base, "events") and hasattr(base, "outcome")):
        raise ConfigError(
            f"plot.traffic: run must be a TrafficRun or an EcsRun; got {type(run).__name__}. "
            "For EC2/on-premises runs use plot.fleet."
        )
    return base


def _traffic_axes(fig: Any, alarms: int, spec: Any = None) -> tuple[Axes, list[Axes]]:
    """The traffic panel over one short panel per alarm, sharing x (in ``spec`` if given)."""
    ratios = [3.0] + [1.25] * alarms
    grid = (
        fig.add_gridspec(1 + alarms, 1, height_ratios=ratios)
        if spec is None
        else spec.subgridspec(1 + alarms, 1, height_ratios=ratios)
    )
    main = fig.add_subplot(grid[0])
    panels = [fig.add_subplot(grid[k], sharex=main) for k in range(1, 1 + alarms)]
    for axes in [main, *panels[:-1]]:
        axes.tick_params(labelbottom=False)
    return main, panels


def _platform(run: Any) -> str:
    plan = getattr(run, "plan", None)
    return str(getattr(plan, "platform", "Lambda"))


def _weights(run: Any) -> list[tuple[float, float]]:
    """(minute, percent on the target) at each change, from the start."""
    trace = getattr(run, "trace", None)
    if trace is not None and hasattr(trace, "weights"):
        return [(t / 60.0, float(w)) for t, w in trace.weights]
    points = [(0.0, 0.0)]
    for row in run.events.itertuples():
        if row.event == "TrafficShift":
            points.append((float(row.minute), float(str(row.detail).split("%")[0])))
        elif row.event == "Rollback":
            points.append((float(row.minute), 0.0))
    return points


def _phases(events: pd.DataFrame, main: str) -> list[tuple[str, float, float, str]]:
    """(name, start minute, end minute, final status) of each lifecycle event of ``main``."""
    skip = {"Start", "TrafficShift", "AlarmStateChange", "Deployment", "Rollback"}
    open_: dict[str, float] = {}
    out = []
    for row in events[events["deployment_id"] == main].itertuples():
        if row.event in skip:
            continue
        if row.status == "InProgress":
            open_[row.event] = float(row.minute)
        elif row.event in open_:
            out.append((str(row.event), open_.pop(row.event), float(row.minute), str(row.status)))
    return out


def _rate_at(rate: Any, minutes: np.ndarray) -> np.ndarray:
    """A version's error rate (a number or a Profile) at ``minutes``."""
    if hasattr(rate, "value_at"):
        return np.array([rate.value_at(float(m)) for m in minutes], dtype=float)
    try:
        return np.full(len(minutes), float(rate))
    except (TypeError, ValueError):
        return np.full(len(minutes), np.nan)


def _draw_traffic(
    ax: Axes,
    run: Any,
    deployment: Any,
    *,
    error_rate: bool,
    below: bool,
    right: float | None = None,
) -> None:
    """The traffic panel; ``right`` is the x range's right end (several runs share one)."""
    out = run.outcome
    end = out.end_time / 60.0
    platform = _platform(run)
    subject = "replacement task set" if platform == "ECS" else "new version"
    events = run.events
    main = run.deployment_id
    handles: list[Any] = []

    # Lifecycle events other than AllowTraffic, shaded, with their outcome at their end.
    outcomes: dict[str, list[tuple[float, float]]] = {"Succeeded": [], "Failed": []}
    shade = 0
    for name, start, stop, status in _phases(events, main):
        if name == "AllowTraffic" or stop <= start:
            continue
        failed = status == "Failed"
        color = "mistyrose" if failed else _HOOK_SHADES[shade % 2]
        shade += 1
        ax.axvspan(start, stop, color=color, alpha=0.8, lw=0, zorder=0)
        # A hook cut short by a stop did not fail by itself.
        stopped = failed and out.status == "Stopped"
        note = (" (stopped)" if stopped else " (failed)") if failed else ""
        ax.text(
            (start + stop) / 2,
            50,
            name + note,
            rotation=90,
            ha="center",
            va="center",
            fontsize="small",
            color="dimgray",
            clip_on=True,
        )
        if not stopped and status in outcomes:
            outcomes[status].append((stop, 88.0))
    for status, marker, color in (("Succeeded", "o", "tab:green"), ("Failed", "X", "tab:red")):
        if outcomes[status]:
            xs, ys = zip(*outcomes[status])
            (mark,) = ax.plot(
                xs,
                ys,
                marker,
                color=color,
                ms=8,
                ls="none",
                label=f"hook {status.lower()}",
                zorder=4,
                clip_on=False,
            )
            handles.append(mark)

    # The share of traffic on the target, as steps to the end of the deployment.
    points = _weights(run)
    times = [t for t, _ in points] + [end]
    weights = [w for _, w in points]
    weights.append(weights[-1])
    (share,) = ax.step(
        times, weights, where="post", color="tab:blue", lw=2.2, label=f"{subject} share", zorder=3
    )
    right = _right_edge(end) if right is None else right
    # What the deployment left behind, drawn on to the edge (it is not simulated further).
    (after,) = ax.plot(
        [end, right], [weights[-1]] * 2, color="tab:blue", lw=1.5, ls=":", label="after the end"
    )
    handles[:0] = [share, after]
    ax.set_ylim(-2, 118)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_xlim(min(0.0, times[0]), right)
    ax.set_ylabel(f"traffic on the {subject} (%)")
    if not below:
        ax.set_xlabel("minutes since the deployment started")

    # A StopDeployment call and the rollback, labelled where they happen.
    top = blended_transform_factory(ax.transData, ax.transAxes)
    labels: list[tuple[float, str, Any]] = []
    ended = events[(events["event"] == "Deployment") & (events["deployment_id"] == main)]
    stops = ended[ended["detail"].astype(str).str.startswith("MANUAL_STOP")]
    for row in stops.itertuples():
        handles.append(
            ax.axvline(row.minute, color="black", lw=1.6, ls="-.", label="StopDeployment")
        )
        labels.append((float(row.minute), "StopDeployment", "black"))
    for row in events[events["event"] == "Rollback"].head(1).itertuples():
        handles.append(ax.axvline(row.minute, color="tab:red", lw=2, ls="--", label="rollback"))
        labels.append((float(row.minute), "rollback", "tab:red"))
    # Each alarm's change to ALARM, named.
    changes = events[(events["event"] == "AlarmStateChange") & (events["status"] == "ALARM")]
    if len(changes):
        for row in changes.itertuples():
            name = str(row.detail).split(":")[0]
            labels.append((float(row.minute), f"{name} \u2192 ALARM", STATE_COLORS["ALARM"]))
        handles.append(
            Line2D(
                [],
                [],
                marker="v",
                ls="none",
                color=STATE_COLORS["ALARM"],
                label="alarm enters ALARM",
            )
        )
    _stacked_labels(ax, labels, top)

    twin = (
        _draw_error_rates(ax, run, deployment, subject, end, right, handles) if error_rate else None
    )

    status = f"{out.status}" + (f" ({out.error_code})" if out.error_code else "")
    if out.rolled_back:
        status += ", rolled back"
    ax.set_title(f"{platform} deployment: {status}")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01 if twin is None else 1.1, 1.0),
        fontsize="small",
        frameon=False,
    )


def _stacked_labels(ax: Axes, labels: list[tuple[float, str, Any]], transform: Any) -> None:
    """Triangles along the top with their names, stacked downwards where names would overlap."""
    if not labels:
        return
    labels = sorted(labels, key=lambda item: item[0])
    xmin, xmax = ax.get_xlim()
    width = ax.get_window_extent().width * 72.0 / ax.figure.dpi  # points
    per_char = 5.2 / max(width, 1.0) * (xmax - xmin)  # data units per character, small font
    levels: list[list[tuple[float, float]]] = []  # the spans taken on each level
    for x, text, color in labels:
        ax.plot(
            x,
            1.0,
            marker="v",
            ms=8,
            color=color,
            transform=transform,
            clip_on=False,
            ls="none",
            zorder=5,
        )
        extent = (len(text) + 1) * per_char
        leftward = x > xmin + 0.6 * (xmax - xmin)
        lo, hi = (x - extent, x) if leftward else (x, x + extent)
        level = next(
            (k for k, taken in enumerate(levels) if all(hi < a or lo > b for a, b in taken)),
            len(levels),
        )
        if level == len(levels):
            levels.append([])
        levels[level].append((lo, hi))
        leftward = x > xmin + 0.6 * (xmax - xmin)
        ax.text(
            x,
            0.955 - 0.075 * level,
            (text + " ") if leftward else (" " + text),
            transform=transform,
            ha="right" if leftward else "left",
            va="top",
            fontsize="small",
            color=color,
            clip_on=False,
            zorder=5,
            bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 0.5},
        )


def _draw_error_rates(
    ax: Axes,
    run: Any,
    deployment: Any,
    subject: str,
    end: float,
    right: float,
    handles: list[Any],
) -> Axes | None:
    """True error rates as lines, observed per-minute rate as dots, on a twin axis."""
    frame = run.timeline
    served = frame["target_invocations"] > 0
    observed = 100.0 * frame["target_errors"] / frame["target_invocations"].where(served)
    # The true rates hold after the end too: the version serves what it was left with.
    grid = np.linspace(0.0, right, 200)
    rates = {}
    for role, label, style in (("target", subject, "-"), ("current", "original version", "--")):
        version = getattr(deployment, role, None)
        if version is not None:
            rates[role] = (100.0 * _rate_at(version.error_rate, grid), label, style)
    true_peak = max((float(np.nanmax(r)) for r, _, _ in rates.values()), default=0.0)
    seen = observed.to_numpy(float)
    seen_peak = float(np.nanmax(seen)) if np.isfinite(seen).any() else 0.0
    if true_peak <= 0 and seen_peak <= 0:
        return None  # a healthy release: no empty error axis
    twin = ax.twinx()
    twin.spines["right"].set_color("tab:orange")
    for role, (values, label, style) in rates.items():
        if role == "current" and not np.nanmax(values) > 0:
            continue
        color = "tab:orange" if role == "target" else "dimgray"
        handles.append(
            twin.plot(
                grid, values, color=color, lw=1.8, ls=style, label=f"{label}: true error rate"
            )[0]
        )
    if served.any():
        mids = frame["minute"].to_numpy(float) + 0.5
        mids = np.minimum(mids, end)
        handles.append(
            twin.plot(
                mids,
                seen,
                "o",
                color="tab:orange",
                ms=3.5,
                alpha=0.55,
                label=f"{subject}: errors per minute",
            )[0]
        )
    # The scale follows the true rates; a noisy minute may leave the axis rather than squash it.
    reference = true_peak if true_peak > 0 else seen_peak
    twin.set_ylim(0, reference * 1.6)
    twin.set_ylabel("error rate (%)", color="tab:orange")
    twin.tick_params(axis="y", colors="tab:orange")
    return twin


def _alarm_datapoints(run: Any, alarm: Any) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(period start minutes, datapoint values with NaN for missing, period minutes)."""
    if alarm.metric not in ("Errors", "Invocations", "ErrorRate"):
        return None
    frame = run.timeline
    inv = frame["target_invocations"].to_numpy(float)
    err = frame["target_errors"].to_numpy(float)
    if alarm.version == "alias":
        inv = inv + frame["current_invocations"].to_numpy(float)
        err = err + frame["current_errors"].to_numpy(float)
    count = inv if alarm.metric == "Invocations" else err
    per = max(int(alarm.period) // 60, 1)
    n = -(-len(count) // per)
    pad = n * per - len(count)
    count = np.append(count, np.zeros(pad)).reshape(n, per).sum(axis=1)
    pop = np.append(inv, np.zeros(pad)).reshape(n, per).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if alarm.metric == "ErrorRate":
            values = 100.0 * count / pop
        else:
            values = {
                "Sum": count,
                "SampleCount": pop,
                "Average": count / pop,
                "Maximum": (count > 0) * 1.0,
                "Minimum": (count >= pop) * 1.0,
            }.get(alarm.statistic, count)
    values = np.where(pop > 0, values, np.nan)
    return np.arange(n) * float(per), values.astype(float), float(per)


def _alarm_history(alarm: Any, events: pd.DataFrame) -> list[tuple[float, str]]:
    """(minute, state) of ``alarm`` from the start, from the run's events."""
    history = [(0.0, str(alarm.initial_state))]
    rows = events[events["event"] == "AlarmStateChange"]
    for row in rows.itertuples():
        if str(row.detail).split(":")[0] == alarm.name:
            history.append((float(row.minute), str(row.status)))
    return history


def _fired_window(alarm: Any, minute: float, delay: float) -> tuple[float, float]:
    """Minutes covered by the N datapoints CloudWatch had evaluated when the alarm fired."""
    period = alarm.period / 60.0
    arrived = np.floor(minute - delay / 60.0 + 1e-9)
    newest = min(round(minute), arrived)
    return max(newest - alarm.evaluation_periods * max(period, 1.0), 0.0), newest


def _draw_alarm(
    ax: Axes,
    run: Any,
    deployment: Any,
    alarm: Any,
    events: pd.DataFrame,
    *,
    last: bool,
    right: float | None = None,
) -> None:
    """One alarm's panel under the traffic panel (``right`` as for :func:`_draw_traffic`)."""
    end = run.outcome.end_time / 60.0
    statistic = "" if alarm.metric == "ErrorRate" else f" ({alarm.statistic})"
    ax.set_ylabel(f"{alarm.name}\n{alarm.metric}{statistic}", fontsize="small")
    data = _alarm_datapoints(run, alarm)
    top = 1.0
    handles: list[Any] = []
    if data is not None:
        starts, values, per = data
        known = np.isfinite(values)
        breach = np.array([known[k] and alarm.breaches(values[k]) for k in range(len(values))])
        widths = np.minimum(per, np.maximum(end - starts, 0.0)) * 0.85
        for mask, color, label in (
            (breach, "tab:red", "datapoint breaches"),
            (known & ~breach, "tab:gray", "datapoint"),
        ):
            if mask.any():
                handles.append(
                    ax.bar(
                        starts[mask],
                        values[mask],
                        width=widths[mask],
                        align="edge",
                        color=color,
                        alpha=0.8,
                        label=label,
                    )
                )
        # A dot on every datapoint, so that a zero shows (and a gap means no datapoint).
        ax.plot(
            starts[known] + widths[known] / 2,
            values[known],
            "o",
            color="black",
            ms=2.5,
            ls="none",
            label="_datapoints",
        )
        missing = ~known & (starts < end)
        if missing.any():
            handles.append(
                ax.plot(
                    starts[missing] + per / 2,
                    np.zeros(missing.sum()),
                    "x",
                    color="dimgray",
                    ms=5,
                    ls="none",
                    label="no datapoint",
                )[0]
            )
        top = float(np.nanmax(values)) if known.any() else 0.0
    else:
        ax.text(
            0.01,
            0.45,
            f"{alarm.metric} datapoints are not in run.timeline",
            transform=ax.transAxes,
            fontsize="small",
            color="dimgray",
        )
    handles.append(
        ax.axhline(
            alarm.threshold,
            color="black",
            ls="--",
            lw=1,
            label=f"threshold ({_OPERATORS.get(alarm.comparison_operator, '?')} "
            f"{alarm.threshold:g})",
        )
    )
    high = max(top, float(alarm.threshold), 1e-9) * 1.45 + (1.0 if top <= 0 else 0.0)
    ax.set_ylim(0, high)
    # The M-of-N window that sent the alarm to ALARM.
    history = _alarm_history(alarm, events)
    delay = float(getattr(deployment, "metric_delay", 60.0))
    for minute, state in history[1:]:
        if state != "ALARM":
            continue
        lo, hi = _fired_window(alarm, minute, delay)
        if hi > lo:
            handles.append(
                ax.axvspan(
                    lo,
                    hi,
                    color="gold",
                    alpha=0.3,
                    lw=0,
                    zorder=0,
                    label=f"window that fired ({alarm.m} of {alarm.evaluation_periods})",
                )
            )
    # The alarm's states by name, along the top.
    band = blended_transform_factory(ax.transData, ax.transAxes)
    xmin, xmax = ax.get_xlim()
    right = max(xmax, _right_edge(end)) if right is None else right
    spans = [
        (t, history[k + 1][0] if k + 1 < len(history) else right, s)
        for k, (t, s) in enumerate(history)
    ]
    for start, stop, state in spans:
        if stop < start:
            continue
        color = STATE_COLORS.get(state, "black")
        ax.add_patch(
            plt.Rectangle(
                (start, 0.86),
                max(stop - start, 0.02),
                0.14,
                transform=band,
                color=color,
                alpha=0.35,
                lw=0,
                clip_on=True,
            )
        )
        if stop - start > 0.013 * len(state) * (right - xmin):
            ax.text(
                (start + stop) / 2,
                0.93,
                state,
                transform=band,
                ha="center",
                va="center",
                fontsize="x-small",
                color=color,
                clip_on=True,
            )
    if last:
        ax.set_xlabel("minutes since the deployment started")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize="x-small",
        frameon=False,
    )


_OPERATORS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": "\u2265",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "\u2264",
}


# ---------------------------------------------------------------------------------- fleet
#: The EC2/on-premises lifecycle events in order (codedeploy.md section 4.1), for colors.
SERVER_EVENTS = (
    "BeforeBlockTraffic",
    "BlockTraffic",
    "AfterBlockTraffic",
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
_OUTCOME_COLORS = {"Failed": "tab:red", "Unknown": "black"}
#: Lifecycle events grouped by phase, each phase in shades of one hue (codedeploy.md 4.1).
_PHASES = (
    ("Purples", ("BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic", "ApplicationStop")),
    ("Blues", ("DownloadBundle", "BeforeInstall", "Install", "AfterInstall")),
    ("Greens", ("ApplicationStart", "ValidateService")),
    ("YlOrBr", ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")),
)
#: Colours of the original (blue) and replacement (green) instances of a blue/green deployment.
_BLUE_GREEN = {"Blue": "#1f5fbf", "Green": "#1a8a3a"}


def _event_color(event: str) -> Any:
    for cmap, names in _PHASES:
        if event in names:
            k = names.index(event)
            shades = np.linspace(0.35, 0.8, len(names)) if cmap != "YlOrBr" else (0.25, 0.4, 0.5)
            return plt.get_cmap(cmap)(float(shades[k]))
    return "tab:gray"


def _label_rows(ax: Axes, order: list[str], limit: int = 40) -> None:
    """Row labels legible at any size: every row up to ``limit``, else every k-th row."""
    n = len(order)
    step = max(1, -(-n // limit))
    rows = list(range(0, n, step))
    ax.set_yticks(rows, [order[k] for k in rows], fontsize=max(5.5, min(9.0, 320.0 / max(n, 1))))


def fleet(run: Any, ax: Axes | None = None, *, max_rows: int = 60) -> Axes:
    """Draw an EC2/on-premises run as a Gantt chart, with the window below.

    One row per instance, in the order CodeDeploy started them; one bar per lifecycle event,
    coloured by phase (stop: purples, install: blues, start and validate: greens, traffic:
    browns), red where it failed and black where the deployment left it unfinished
    (``Unknown``). Deployments the run set off (a rollback, a follow-up) are drawn on the same
    rows, hatched, after a dotted line where each started. A blue/green deployment's original
    and replacement instances have blue and green row labels, and the wait before the
    originals terminate is shaded and labelled. Fleets with more than ``max_rows`` instances
    are binned: a row is then a group of instances, one bar per deployment from the first start
    to the last end, coloured by the share of them that failed (see the colour bar).

    Below, the user's deployment's window: instances in flight and healthy instances over
    time, against the minimum healthy hosts (in-place deployments).

    Parameters
    ----------
    run : ServerRun
        From :func:`shiftsim.simulate` on a :class:`~shiftsim.server.ServerDeployment`.
    ax : Axes, optional
        Where to draw the Gantt chart; the window panel is added below it.
    max_rows : int
        Most rows before instances are binned.

    Returns
    -------
    Axes
        The Gantt chart; the window panel is ``ax.figure.axes[-1]``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from shiftsim import plot
    >>> from shiftsim.fleet import Fleet
    >>> from shiftsim.server import ServerDeployment, simulate_server
    >>> run = simulate_server(ServerDeployment("CodeDeployDefault.HalfAtATime",
    ...                                        fleet=Fleet.of_size(6)), 1)
    >>> ax = plot.fleet(run)
    >>> ax.get_title()
    'HalfAtATime: Succeeded'
    """
    lifecycle = _frame_of(run, "lifecycle")
    instances = _frame_of(run, "instances")
    deployments = _frame_of(run, "deployments")
    if ax is None:
        fig = plt.figure(figsize=(_WIDTH + 2.8, 6.4), layout="constrained")
        ax, low = _fleet_axes(fig)
    else:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        low = make_axes_locatable(ax).append_axes("bottom", size="35%", pad=0.35, sharex=ax)
    _draw_fleet(ax, low, run, lifecycle, instances, deployments, max_rows)
    return ax


def _fleet_axes(fig: Any, spec: Any = None) -> tuple[Axes, Axes]:
    """The Gantt chart over the window panel, sharing x (in ``spec`` if given)."""
    grid = (
        fig.add_gridspec(2, 1, height_ratios=(3, 1))
        if spec is None
        else spec.subgridspec(2, 1, height_ratios=(3, 1))
    )
    top = fig.add_subplot(grid[0])
    return top, fig.add_subplot(grid[1], sharex=top)


def _draw_fleet(
    ax: Axes,
    low: Axes,
    run: Any,
    lifecycle: pd.DataFrame,
    instances: pd.DataFrame,
    deployments: pd.DataFrame,
    max_rows: int,
) -> None:
    main_id = run.deployment_id
    started = instances.dropna(subset=["start"]).sort_values("start", kind="stable")
    order = list(dict.fromkeys([*started["instance_id"], *instances["instance_id"]]))
    rows = {ident: k for k, ident in enumerate(order)}
    n = len(order)
    others = {d for d in deployments["deployment_id"] if d != main_id}
    legend: list[Any] = []
    if n <= max_rows:
        timed = lifecycle.dropna(subset=["start"])
        timed = timed[timed["status"] != "Skipped"]
        shown: dict[str, None] = {}
        for (dep, event, status), group in timed.groupby(
            ["deployment_id", "event", "status"], sort=False
        ):
            color = _OUTCOME_COLORS.get(str(status)) or _event_color(str(event))
            start = group["start"].to_numpy(float) / 60.0
            stop = group["end"].fillna(group["start"]).to_numpy(float) / 60.0
            is_other = dep in others
            ax.barh(
                group["instance_id"].map(rows).to_numpy(float),
                np.maximum(stop - start, 0.02),
                left=start,
                height=0.72,
                color=color,
                alpha=0.55 if is_other else 1.0,
                hatch="////" if is_other else None,
                edgecolor="white" if is_other else None,
                linewidth=0,
            )
            # Events that took no time cannot be seen: they stay out of the legend.
            if str(status) not in _OUTCOME_COLORS and (stop > start).any():
                shown[str(event)] = None
        _label_rows(ax, order)
        ax.set_ylabel("instance (in the order deployed)")
        known = [e for _, names in _PHASES for e in names]
        events = [e for e in known if e in shown] + [e for e in shown if e not in known]
        legend += [Patch(color=_event_color(e), label=e) for e in events]
        legend += [
            Patch(color=c, label=f"{s} event")
            for s, c in _OUTCOME_COLORS.items()
            if (timed["status"] == s).any()
        ]
        if "instance_type" in instances and instances["instance_type"].notna().any():
            kind = dict(zip(instances["instance_id"], instances["instance_type"]))
            for label in ax.get_yticklabels():
                color = _BLUE_GREEN.get(str(kind.get(label.get_text())))
                if color:
                    label.set_color(color)
            legend += [
                Patch(color=_BLUE_GREEN["Blue"], label="original (blue) instances"),
                Patch(color=_BLUE_GREEN["Green"], label="replacement (green) instances"),
            ]
    else:
        size = -(-n // max_rows)
        binned = instances.assign(_row=instances["instance_id"].map(rows) // size)
        cmap = plt.get_cmap("RdYlGn_r")
        for dep, group in binned.dropna(subset=["start"]).groupby("deployment_id", sort=False):
            stats = group.groupby("_row").agg(
                first=("start", "min"),
                last=("end", "max"),
                failed=("status", lambda s: float((s == "Failed").mean())),
            )
            is_other = dep in others
            ax.barh(
                stats.index.to_numpy(float),
                np.maximum((stats["last"] - stats["first"]).to_numpy(float) / 60.0, 0.02),
                left=stats["first"].to_numpy(float) / 60.0,
                height=0.8,
                color=cmap(stats["failed"].to_numpy(float)),
                alpha=0.55 if is_other else 1.0,
                hatch="////" if is_other else None,
                edgecolor="white" if is_other else None,
                linewidth=0,
            )
        ax.set_ylabel(f"instances, {size} per row (in the order deployed)")
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        bar = ax.figure.colorbar(
            ScalarMappable(Normalize(0.0, 1.0), cmap),
            ax=ax,
            location="left",
            pad=0.01,
            fraction=0.03,
            aspect=30,
        )
        bar.set_label("share of the row's instances that failed", fontsize="small")
        bar.ax.yaxis.set_ticks_position("left")
        bar.ax.yaxis.set_label_position("left")
        ax.yaxis.set_label_position("right")
        ax.set_yticks([])
    if others:
        legend.append(
            Patch(
                facecolor="lightgray",
                hatch="////",
                edgecolor="white",
                label="rollback / follow-up deployment",
            )
        )
    ends = lifecycle["end"].to_numpy(float) / 60.0
    last_event = float(np.nanmax(ends)) if np.isfinite(ends).any() else 0.0
    for record in deployments.to_dict("records"):
        other: dict[Any, Any] = dict(record)
        if other["deployment_id"] == main_id and float(other["end_minute"]) > last_event + 1e-6:
            # A blue/green deployment ends after the wait before the originals terminate.
            finish = float(other["end_minute"])
            ax.axvspan(last_event, finish, color="lightgray", alpha=0.35, lw=0, zorder=0)
            ax.text(
                (last_event + finish) / 2,
                0.5,
                f"termination wait\n({finish - last_event:.0f} min)",
                transform=blended_transform_factory(ax.transData, ax.transAxes),
                ha="center",
                va="center",
                fontsize="small",
                color="dimgray",
            )
            legend.append(
                ax.axvline(finish, color="black", ls="--", lw=1.2, label="deployment ends")
            )
        if other["deployment_id"] != main_id:
            line = ax.axvline(
                float(other["start_minute"]),
                color="dimgray",
                ls=":",
                lw=1.5,
                label=f"{other['creator']} starts",
            )
            legend.append(line)
    ax.set_ylim(n - 0.5 if n <= max_rows else -(-n // -(-n // max_rows)) - 0.5, -0.5)
    ax.set_title(_fleet_title(run))
    ax.legend(
        handles=legend,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize="small",
        frameon=False,
    )
    ax.tick_params(labelbottom=False)

    main = instances[instances["deployment_id"] == main_id]
    in_flight, healthy = _window(run, main, lifecycle)
    minimum = deployments.loc[deployments["deployment_id"] == main_id, "minimum_healthy"]
    if healthy is not None:
        low.step(
            *healthy, where="post", color="tab:green", lw=2.5, alpha=0.6, label="healthy", zorder=2
        )
    low.step(*in_flight, where="post", color="tab:blue", lw=1.5, label="in flight", zorder=3)
    if healthy is not None and len(minimum) and pd.notna(minimum.iloc[0]):
        value = int(minimum.iloc[0])
        # Drawn last and dashed, so that it shows where the healthy count sits on it.
        low.axhline(
            value,
            color="tab:red",
            ls=(0, (4, 2)),
            lw=1.6,
            zorder=4,
            label=f"minimum healthy ({value})",
        )
    low.set_xlabel("minutes since the deployment started")
    low.set_ylabel("instances")
    low.set_ylim(bottom=0, top=max(low.get_ylim()[1], 1.0) * 1.08)
    low.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)


def _frame_of(run: Any, name: str) -> pd.DataFrame:
    frame = getattr(run, name, None)
    if not isinstance(frame, pd.DataFrame) or not hasattr(run, "deployment_id"):
        raise ConfigError(
            f"plot.fleet: run must be a ServerRun (with a {name!r} DataFrame); got "
            f"{type(run).__name__}. For Lambda and ECS runs use plot.traffic."
        )
    return frame


def _fleet_title(run: Any) -> str:
    config = short_name(str(getattr(run.plan, "config_name", "")))
    code = f" ({run.error_code})" if run.error_code else ""
    back = ", rolled back" if run.rolled_back else ""
    return f"{config}: {run.status}{code}{back}" if config else f"{run.status}{code}{back}"


def _steps(times: np.ndarray, deltas: np.ndarray, base: float = 0.0) -> tuple[Any, Any]:
    """A step series from ``deltas`` applied at ``times`` (several may share a time)."""
    order = np.argsort(times, kind="stable")
    at, total = np.unique(times[order], return_index=True)
    sums = np.add.reduceat(deltas[order], total) if len(order) else np.zeros(0)
    return np.concatenate([[0.0], at]), base + np.concatenate([[0.0], np.cumsum(sums)])


def _window(
    run: Any, main: pd.DataFrame, lifecycle: pd.DataFrame
) -> tuple[tuple[Any, Any], tuple[Any, Any] | None]:
    """Step series (minutes) of the user's deployment: instances in flight (running a lifecycle
    event) and, for in-place deployments, healthy instances (a start takes a healthy instance out
    of the count; a success makes an instance healthy, a failure unhealthy)."""
    life = lifecycle[lifecycle["deployment_id"] == run.deployment_id].dropna(subset=["start"])
    life = life.assign(end=life["end"].fillna(np.inf))
    life = life[life["end"] > life["start"]].sort_values(["instance_id", "start"], kind="stable")
    # Merge each instance's events into spans of uninterrupted work.
    reach = life.groupby("instance_id", sort=False)["end"].cummax()
    previous = reach.groupby(life["instance_id"], sort=False).shift()
    span = (~(life["start"] <= previous)).cumsum()
    spans = life.groupby(span).agg(start=("start", "min"), end=("end", "max"))
    starts = spans["start"].to_numpy(float) / 60.0
    ends = spans["end"].to_numpy(float) / 60.0
    finite = np.isfinite(ends)
    in_flight = _steps(
        np.concatenate([starts, ends[finite]]),
        np.concatenate([np.ones(len(starts)), -np.ones(int(finite.sum()))]),
    )
    in_place = main["instance_type"].isna().all() if "instance_type" in main else True
    position = {ident: k for k, ident in enumerate(run.plan.ids)}
    if not in_place or not all(i in position for i in main["instance_id"]):
        return in_flight, None
    was = np.asarray(run.plan.healthy, dtype=bool)
    before = np.array([was[position[i]] for i in main["instance_id"]], dtype=bool)
    timed = main["start"].notna().to_numpy()
    ok = (main["status"] == "Succeeded").to_numpy()
    start = main["start"].to_numpy(float)[timed & before] / 60.0
    end = main["end"].to_numpy(float) / 60.0
    closes = timed & np.isfinite(end) & ok
    healthy = _steps(
        np.concatenate([start, end[closes]]),
        np.concatenate([-np.ones(len(start)), np.ones(int(closes.sum()))]),
        float(before.sum()),
    )
    return in_flight, healthy


# ---------------------------------------------------------------------------------- runs
def runs(
    runs: Mapping[str, Any] | Sequence[Any],
    *,
    columns: int | None = None,
    error_rate: bool = True,
    alarms: bool = True,
) -> list[Axes]:
    """Draw several runs side by side on one time scale, to compare them.

    Lambda and ECS runs are drawn as :func:`traffic` draws them, EC2/on-premises runs as
    :func:`fleet` does; every panel gets the same x range (the longest run's), so a run that
    took a minute looks a minute long next to one that took ten.

    Parameters
    ----------
    runs : mapping of label -> run, or sequence of runs
        The labels head the panels (with each run's own title below).
    columns : int, optional
        Runs per row; default one, so that their time axes line up under each other.
    error_rate, alarms : bool
        Passed to :func:`traffic`.

    Returns
    -------
    list of Axes
        Each run's main panel, in order.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import shiftsim
    >>> from shiftsim import plot
    >>> fast = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=1)
    >>> slow = shiftsim.simulate(shiftsim.LambdaDeployment("Canary10Percent5Minutes"), rng=1)
    >>> axes = plot.runs({"all at once": fast, "canary": slow})
    >>> axes[0].get_xlim() == axes[1].get_xlim()
    True
    """
    items = list(runs.items()) if isinstance(runs, Mapping) else [(None, r) for r in runs]
    if not items:
        raise ConfigError("plot.runs: runs must hold at least one run.")
    server = [hasattr(r, "lifecycle") for _, r in items]
    if any(server) and not all(server):
        raise ConfigError(
            "plot.runs: runs must all be Lambda/ECS runs or all EC2/on-premises runs; "
            "they are drawn on one time scale."
        )
    n = len(items)
    cols = 1 if columns is None else columns
    if not isinstance(cols, int) or cols < 1:
        raise ConfigError(f"plot.runs: columns must be a positive integer; got {columns!r}.")
    rows = -(-n // cols)
    if server[0]:
        size = (min(cols, n) * (_WIDTH + 2.8), rows * 5.2)
    else:
        most = max(
            len(getattr(getattr(r, "deployment", None), "alarms", ()) or ()) for _, r in items
        )
        size = (min(cols, n) * (_WIDTH + 1.4), rows * (3.6 + (1.25 * most if alarms else 0.0)))
    fig = plt.figure(figsize=size, layout="constrained")
    grid = fig.add_gridspec(rows, cols)
    mains: list[Axes] = []
    ends = [
        float(r.deployments["end_minute"].max())
        if server[0]
        else _traffic_run(r).outcome.end_time / 60.0
        for _, r in items
    ]
    right = _right_edge(max(ends))
    for k, (label, run) in enumerate(items):
        spec = grid[k // cols, k % cols]
        if server[0]:
            main, low = _fleet_axes(fig, spec)
            _draw_fleet(main, low, run, run.lifecycle, run.instances, run.deployments, max_rows=60)
        else:
            base = _traffic_run(run)
            deployment = getattr(run, "deployment", None) or getattr(base, "deployment", None)
            watched = list(getattr(deployment, "alarms", ()) or ()) if alarms else []
            main, panels = _traffic_axes(fig, len(watched), spec)
            _draw_traffic(
                main, base, deployment, error_rate=error_rate, below=bool(panels), right=right
            )
            for j, (panel, alarm) in enumerate(zip(panels, watched)):
                _draw_alarm(
                    panel,
                    base,
                    deployment,
                    alarm,
                    base.events,
                    last=j == len(panels) - 1,
                    right=right,
                )
        if label is not None:
            main.set_title(f"{label}\n{main.get_title()}")
        mains.append(main)
    # One time scale: every main panel (and the panels sharing its x) gets the widest range.
    left = min(a.get_xlim()[0] for a in mains)
    right = max(a.get_xlim()[1] for a in mains)
    for a in mains:
        a.set_xlim(left, right)
    return mains


# ---------------------------------------------------------------------------------- schedules
def schedules(
    configs: Iterable[DeploymentConfig | str] | Mapping[str, DeploymentConfig | str],
    ax: Axes | None = None,
    *,
    linear_completion: str = "last_shift",
) -> Axes:
    """Draw the traffic schedules of several configurations on one chart.

    Each line is the share of traffic on the new version, from the start of AllowTraffic, and
    ends with a dot where AllowTraffic ends (decision D1: at the last shift by default, one
    interval later with ``linear_completion="interval_after"``).

    Parameters
    ----------
    configs : iterable of DeploymentConfig or str, or mapping of label -> config
        Lambda or ECS configurations, or their names.
    ax : Axes, optional
    linear_completion : {"last_shift", "interval_after"}

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from shiftsim import plot, predefined_configs
    >>> ax = plot.schedules(predefined_configs("Lambda"))
    >>> len(ax.texts)  # each line named at its end
    9
    """
    items = list(configs.items()) if isinstance(configs, Mapping) else [(None, c) for c in configs]
    if not items:
        raise ConfigError("plot.schedules: configs must name at least one configuration.")
    resolved: list[tuple[str, DeploymentConfig]] = []
    for label, config in items:
        config = get_config(config) if isinstance(config, str) else config
        if not isinstance(config, DeploymentConfig) or config.traffic_routing is None:
            name = getattr(config, "name", config)
            raise ConfigError(
                f"plot.schedules: {name!r} has no traffic schedule; only Lambda and ECS "
                "configurations shift traffic."
            )
        resolved.append((label or short_name(config.name), config))
    ends = [
        allow_traffic_minutes(c.traffic_routing, linear_completion)  # type: ignore[arg-type]
        for _, c in resolved
    ]
    right = max(max(ends) * 1.08, 1.0)
    ax = _new_axes(ax, (_WIDTH + 2.6, 4.8))
    kinds = {"TimeBasedCanary": "--", "TimeBasedLinear": "-", "AllAtOnce": ":"}
    n = len(resolved)
    placed: list[tuple[float, str, Any]] = []
    for k, ((label, config), end) in enumerate(zip(resolved, ends)):
        routing = config.traffic_routing
        assert routing is not None
        xs, ys = [0.0], [0.0]
        for minute, percent in routing.shifts():
            xs += [minute, minute]
            ys += [ys[-1], percent]
        xs.append(right)
        ys.append(100.0)
        # Lines that share a plateau are drawn a point or two apart so that each shows.
        dodge = offset_copy(
            ax.transData, fig=ax.get_figure(root=True), y=0.9 * (k - (n - 1) / 2), units="points"
        )
        style = kinds.get(type(routing).__name__, "-.")
        (line,) = ax.plot(xs, ys, ls=style, lw=1.8, label=label, transform=dodge)
        ax.plot([end], [100.0], "o", color=line.get_color(), ms=5, transform=dodge)
        placed.append((end, label, line.get_color()))
    ax.set_xlim(-right * 0.02, right)
    levels = _direct_labels(ax, placed)
    ax.set_ylim(-3, 106 + 7.5 * levels)
    ax.set_yticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("minutes since AllowTraffic started")
    ax.set_ylabel("traffic on the new version (%)")
    ax.set_title("Traffic schedules (dot: AllowTraffic ends; dashed: canary, solid: linear)")
    return ax


def _direct_labels(ax: Axes, items: list[tuple[float, str, Any]]) -> int:
    """Name each line above its end dot, stacking names that would overlap; returns levels."""
    xmin, xmax = ax.get_xlim()
    width = ax.get_window_extent().width * 72.0 / ax.figure.dpi  # points
    per_char = 5.6 / width * (xmax - xmin)
    levels: list[list[tuple[float, float]]] = []
    for x, text, color in sorted(items, key=lambda item: item[0]):
        extent = (len(text) + 1) * per_char
        leftward = x > xmin + 0.55 * (xmax - xmin)
        lo, hi = (x - extent, x) if leftward else (x - per_char, x + extent)
        level = next(
            (k for k, taken in enumerate(levels) if all(hi < a or lo > b for a, b in taken)),
            len(levels),
        )
        if level == len(levels):
            levels.append([])
        levels[level].append((lo, hi))
        y = 104 + 7.5 * level
        ax.plot([x, x], [100, y], color=color, lw=0.6, alpha=0.7)
        ax.text(
            x,
            y,
            text,
            ha="right" if leftward else "left",
            va="bottom",
            fontsize="small",
            color=color,
        )
    return len(levels)


# ---------------------------------------------------------------------------------- risk
#: Measures :func:`risk` can draw: (column stem, axis label, kind).
RISK_MEASURES = {
    "rollback_rate": ("rollback probability (95% CI)", "rate"),
    "escape_rate": ("probability it reaches 100% (95% CI)", "rate"),
    "stop_rate": ("probability it is stopped or fails (95% CI)", "rate"),
    "detection_minute": ("detection (minutes after start):\nmedian, bar to 95th percentile", "q"),
    "target_errors": ("errors the new version served:\nmedian, bar to 95th percentile", "q"),
    "duration_minutes": ("deployment duration (minutes):\nmedian, bar to 95th percentile", "q"),
    "failed": ("instances that failed:\nmedian, bar to 95th percentile", "q"),
    "time_in_flight_minutes": ("instance-minutes in flight:\nmedian, bar to 95th percentile", "q"),
}
_COUNT_MEASURES = ("target_errors", "failed")
DEFAULT_RISK_MEASURES = ("rollback_rate", "detection_minute", "target_errors")
#: For EC2/on-premises results (no traffic, so no detection time or target errors).
DEFAULT_SERVER_RISK_MEASURES = ("rollback_rate", "failed", "duration_minutes")


def risk(
    result: Any,
    ax: Axes | None = None,
    *,
    measures: Sequence[str] | None = None,
) -> Axes:
    """Draw rollback probability, detection time and blast radius per configuration.

    Rates are drawn with their 95% Wilson confidence intervals; detection time and blast
    radius (the errors the new version served before the deployment ended) as the median with
    a bar to the 95th percentile. Runs that were never detected have no detection time: a
    configuration that was never detected says "never".

    Parameters
    ----------
    result : MonteCarloResult or DataFrame
        From :func:`shiftsim.monte_carlo` (one row), or a table from :func:`shiftsim.compare`
        or :func:`shiftsim.sweep` (one row per configuration or grid point).
    ax : Axes, optional
        With ``ax=None`` a new figure gets one panel per measure (the others are
        ``ax.figure.axes``); with an Axes, one measure is drawn on it (``rollback_rate``
        unless ``measures`` names another).
    measures : sequence of str, optional
        Among ``rollback_rate``, ``escape_rate``, ``stop_rate``, ``detection_minute``,
        ``target_errors``, ``duration_minutes`` and, for Server results, ``failed`` and
        ``time_in_flight_minutes``. Default: rollback rate, detection minute, target errors
        (Server: rollback rate, failed instances, duration).

    Returns
    -------
    Axes
        The first panel.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import shiftsim
    >>> from shiftsim import plot
    >>> base = shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce",
    ...     invocations_per_minute=100, target=shiftsim.Version("2", error_rate=0.1),
    ...     alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
    >>> table = shiftsim.compare(["Canary10Percent5Minutes", "Linear10PercentEvery1Minute"],
    ...                          deployment=base, runs=500, rng=2)
    >>> ax = plot.risk(table)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['LambdaCanary10Percent5Minutes', 'LambdaLinear10PercentEvery1Minute']
    """
    table = _risk_table(result)
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
    labels = _risk_labels(table)
    n = len(table)
    if ax is None:
        _, axes = plt.subplots(
            1,
            len(measures),
            figsize=(max(_WIDTH, 3.6 * len(measures)) + 2.0, max(2.6, 1.4 + 0.42 * n)),
            sharey=True,
            layout="constrained",
            squeeze=False,
        )
        panels = list(axes[0])
    elif len(measures) == 1:
        panels = [ax]
    else:
        raise ConfigError(
            "plot.risk: with an ax, draw one measure (measures=('rollback_rate',)); "
            "pass ax=None for one panel per measure."
        )
    y = np.arange(n)
    for panel, name in zip(panels, measures):
        label, kind = RISK_MEASURES[name]
        if kind == "rate":
            est = table[name].to_numpy(float)
            low = table[f"{name}_low"].to_numpy(float)
            high = table[f"{name}_high"].to_numpy(float)
            # Wilson bounds can sit a rounding error inside the estimate at 0 or 1.
            err = np.clip(np.vstack([est - low, high - est]), 0.0, None)
            panel.errorbar(est, y, xerr=err, fmt="o", color="tab:blue", capsize=3, label=label)
            panel.set_xlim(-0.03, 1.03)
            values = [f"{v:.1%} ({lo:.1%} to {hi:.1%})" for v, lo, hi in zip(est, low, high)]
        else:
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
            values = [f"median {m:g}, p95 {p:g}" for m, p in zip(median, p95)]
        if n == 1 and np.isfinite(table[_point_column(name, kind)].to_numpy(float)[0]):
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
    first = panels[0]
    first.set_yticks(y, labels)
    first.set_ylim(n - 0.5, -0.5)
    runs = table["runs"].iloc[0] if "runs" in table.columns and n else None
    if n == 1:
        title = f"Risk of {labels[0]}" + (f" ({int(runs):,} runs)" if runs else "")
    else:
        title = "Risk per configuration" + (f" ({int(runs):,} runs each)" if runs else "")
    first.figure.suptitle(title) if len(panels) > 1 else first.set_title(title)
    return first


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
        name = str(getattr(result.deployment.config, "name", result.deployment.config))
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
