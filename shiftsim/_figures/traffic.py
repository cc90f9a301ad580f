"""Drawing a Lambda or ECS run: the traffic panel and one panel per alarm (private; the public
entry points are :func:`shiftsim.plot.traffic` and :func:`shiftsim.plot.runs`)."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from shiftsim._figures.layout import WIDTH
from shiftsim.ecs import EcsDeployment, EcsRun
from shiftsim.errors import ConfigError
from shiftsim.lambda_ import DEFAULT_METRIC_DELAY, LambdaDeployment
from shiftsim.results import TrafficRun
from shiftsim.traffic import Profile
from shiftsim.vocabulary import DeploymentStatus, ErrorCode, LifecycleEventStatus

__all__ = [
    "STATE_COLORS",
    "alarm_datapoints",
    "alarm_history",
    "deployment_of",
    "draw_alarm",
    "draw_alarms",
    "draw_traffic",
    "metric_delay",
    "platform_of",
    "rate_at",
    "right_edge",
    "traffic_axes",
    "traffic_figure",
    "traffic_run",
    "watched_alarms",
    "weight_changes",
]

#: Colors of alarm states, as the CloudWatch console draws them.
STATE_COLORS = {"OK": "tab:green", "ALARM": "tab:red", "INSUFFICIENT_DATA": "tab:gray"}
_HOOK_SHADES = ("#fde9c8", "#d9e8f6")
#: Marker and colour of a hook that ended in each outcome.
_HOOK_OUTCOMES = {
    LifecycleEventStatus.SUCCEEDED: ("o", "tab:green"),
    LifecycleEventStatus.FAILED: ("X", "tab:red"),
}


def right_edge(end: float) -> float:
    """The right end of a run's time axis (minutes), a little after the run ended."""
    return max(end, 1.0) * 1.05


def traffic_run(run: Any) -> TrafficRun:
    """The traffic-shifting run of a Lambda or ECS run (an EcsRun wraps a TrafficRun)."""
    if isinstance(run, EcsRun):
        return run.run
    if isinstance(run, TrafficRun):
        return run
    raise ConfigError(
        f"plot.traffic: run must be a TrafficRun or an EcsRun; got {type(run).__name__}. "
        "For EC2/on-premises runs use plot.fleet."
    )


def deployment_of(run: TrafficRun | EcsRun) -> Any:
    """The deployment a run simulated (None for a TrafficRun made without one)."""
    return run.deployment


def metric_delay(deployment: LambdaDeployment | EcsDeployment | None) -> float:
    """Seconds after a minute ends before its datapoint is visible (D3): the deployment's, or
    CodeDeploy's default without one."""
    return DEFAULT_METRIC_DELAY if deployment is None else float(deployment.metric_delay)


def watched_alarms(deployment: Any) -> list[Any]:
    """The alarms a deployment watched (none without a deployment)."""
    return [] if deployment is None else list(deployment.alarms)


def traffic_figure(run: Any, ax: Axes | None, *, error_rate: bool, alarms: bool) -> Axes:
    """:func:`shiftsim.plot.traffic`: the traffic panel over one panel per alarm."""
    base = traffic_run(run)
    deployment = deployment_of(run)
    watched = watched_alarms(deployment) if alarms else []
    if ax is None:
        fig = plt.figure(figsize=(WIDTH + 1.4, 3.8 + 1.25 * len(watched)), layout="constrained")
        ax, panels = traffic_axes(fig, len(watched))
    else:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        divider = make_axes_locatable(ax)
        panels = [divider.append_axes("bottom", size="38%", pad=0.3, sharex=ax) for _ in watched]
    draw_traffic(ax, base, deployment, error_rate=error_rate, below=bool(panels))
    draw_alarms(panels, base, deployment, watched)
    return ax


def traffic_axes(fig: Any, alarms: int, spec: Any = None) -> tuple[Axes, list[Axes]]:
    """The traffic panel over one short panel per alarm, sharing x (in ``spec`` if given)."""
    ratios = [3.0] + [1.25] * alarms
    grid = (
        fig.add_gridspec(1 + alarms, 1, height_ratios=ratios)
        if spec is None
        else spec.subgridspec(1 + alarms, 1, height_ratios=ratios)
    )
    main = fig.add_subplot(grid[0])
    panels = [fig.add_subplot(grid[k], sharex=main) for k in range(1, 1 + alarms)]
    # Only the bottom-most axes carries the x tick labels (main itself when there is no panel).
    for axes in [main, *panels][:-1]:
        axes.tick_params(labelbottom=False)
    return main, panels


def platform_of(run: TrafficRun | EcsRun) -> str:
    """``"Lambda"`` or ``"ECS"``."""
    return str(run.plan.platform)


def weight_changes(run: TrafficRun | EcsRun) -> list[tuple[float, float]]:
    """(minute, percent on the target) at each change, from the start."""
    return [(t / 60.0, float(w)) for t, w in traffic_run(run).trace.weights]


def _phases(events: pd.DataFrame, main: str) -> list[tuple[str, float, float, str]]:
    """(name, start minute, end minute, final status) of each lifecycle event of ``main``."""
    skip = {"Start", "TrafficShift", "AlarmStateChange", "Deployment", "Rollback"}
    open_: dict[str, float] = {}
    out = []
    for row in events[events["deployment_id"] == main].itertuples():
        if row.event in skip:
            continue
        if row.status == LifecycleEventStatus.IN_PROGRESS:
            open_[row.event] = float(row.minute)
        elif row.event in open_:
            out.append((str(row.event), open_.pop(row.event), float(row.minute), str(row.status)))
    return out


def rate_at(rate: Any, minutes: np.ndarray) -> np.ndarray:
    """A version's error rate (a number or a Profile) at ``minutes``."""
    if isinstance(rate, Profile):
        return np.array([rate.value_at(float(m)) for m in minutes], dtype=float)
    try:
        return np.full(len(minutes), float(rate))
    except (TypeError, ValueError):
        return np.full(len(minutes), np.nan)


def draw_traffic(
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
    platform = platform_of(run)
    subject = "replacement task set" if platform == "ECS" else "new version"
    events = run.events
    handles = _draw_hooks(ax, events, run.deployment_id, out)
    right = right_edge(end) if right is None else right
    handles[:0] = _draw_share(ax, run, subject, end, right)
    if not below:
        ax.set_xlabel("minutes since the deployment started")
    handles += _draw_event_marks(ax, events, run.deployment_id)
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


def _draw_hooks(ax: Axes, events: pd.DataFrame, main: str, out: Any) -> list[Any]:
    """Lifecycle events other than AllowTraffic, shaded, with their outcome at their end."""
    handles: list[Any] = []
    outcomes: dict[str, list[tuple[float, float]]] = {s.value: [] for s in _HOOK_OUTCOMES}
    shade = 0
    for name, start, stop, status in _phases(events, main):
        if name == "AllowTraffic" or stop <= start:
            continue
        failed = status == LifecycleEventStatus.FAILED
        color = "mistyrose" if failed else _HOOK_SHADES[shade % 2]
        shade += 1
        ax.axvspan(start, stop, color=color, alpha=0.8, lw=0, zorder=0)
        # A hook cut short by a stop did not fail by itself.
        stopped = failed and out.status == DeploymentStatus.STOPPED
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
    for outcome, (marker, color) in _HOOK_OUTCOMES.items():
        if outcomes[outcome.value]:
            xs, ys = zip(*outcomes[outcome.value])
            (mark,) = ax.plot(
                xs,
                ys,
                marker,
                color=color,
                ms=8,
                ls="none",
                label=f"hook {outcome.value.lower()}",
                zorder=4,
                clip_on=False,
            )
            handles.append(mark)
    return handles


def _draw_share(ax: Axes, run: Any, subject: str, end: float, right: float) -> list[Any]:
    """The share of traffic on the target, as steps to the end of the deployment and beyond."""
    points = weight_changes(run)
    times = [t for t, _ in points] + [end]
    weights = [w for _, w in points]
    weights.append(weights[-1])
    (share,) = ax.step(
        times, weights, where="post", color="tab:blue", lw=2.2, label=f"{subject} share", zorder=3
    )
    # What the deployment left behind, drawn on to the edge (it is not simulated further).
    (after,) = ax.plot(
        [end, right], [weights[-1]] * 2, color="tab:blue", lw=1.5, ls=":", label="after the end"
    )
    ax.set_ylim(-2, 118)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_xlim(min(0.0, times[0]), right)
    ax.set_ylabel(f"traffic on the {subject} (%)")
    return [share, after]


def _draw_event_marks(ax: Axes, events: pd.DataFrame, main: str) -> list[Any]:
    """A StopDeployment call, the rollback and each alarm's change to ALARM, labelled."""
    handles: list[Any] = []
    top = blended_transform_factory(ax.transData, ax.transAxes)
    labels: list[tuple[float, str, Any]] = []
    ended = events[(events["event"] == "Deployment") & (events["deployment_id"] == main)]
    stops = ended[ended["detail"].astype(str).str.startswith(ErrorCode.MANUAL_STOP.value)]
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
    return handles


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
    versions = () if deployment is None else (deployment.target, deployment.current)
    roles = (("target", subject, "-"), ("current", "original version", "--"))
    for version, (role, label, style) in zip(versions, roles):
        rates[role] = (100.0 * rate_at(version.error_rate, grid), label, style)
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


def alarm_datapoints(run: Any, alarm: Any) -> tuple[np.ndarray, np.ndarray, float] | None:
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


def alarm_history(alarm: Any, events: pd.DataFrame) -> list[tuple[float, str]]:
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


def draw_alarms(
    panels: list[Axes],
    run: TrafficRun,
    deployment: Any,
    alarms: list[Any],
    right: float | None = None,
) -> None:
    """Each alarm's panel, the x axis labelled under the last (``right`` as for
    :func:`draw_traffic`)."""
    events = run.events
    for k, (panel, alarm) in enumerate(zip(panels, alarms)):
        draw_alarm(panel, run, deployment, alarm, events, last=k == len(panels) - 1, right=right)


def draw_alarm(
    ax: Axes,
    run: Any,
    deployment: Any,
    alarm: Any,
    events: pd.DataFrame,
    *,
    last: bool,
    right: float | None = None,
) -> None:
    """One alarm's panel under the traffic panel (``right`` as for :func:`draw_traffic`)."""
    end = run.outcome.end_time / 60.0
    statistic = "" if alarm.metric == "ErrorRate" else f" ({alarm.statistic})"
    ax.set_ylabel(f"{alarm.name}\n{alarm.metric}{statistic}", fontsize="small")
    data = alarm_datapoints(run, alarm)
    top = 1.0
    handles: list[Any] = []
    if data is not None:
        top = _draw_datapoints(ax, alarm, data, end, handles)
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
    history = alarm_history(alarm, events)
    delay = metric_delay(deployment)
    handles += _draw_fired_windows(ax, alarm, history, delay)
    _draw_state_band(ax, history, end, right)
    if last:
        ax.set_xlabel("minutes since the deployment started")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize="x-small",
        frameon=False,
    )


def _draw_datapoints(
    ax: Axes,
    alarm: Any,
    data: tuple[np.ndarray, np.ndarray, float],
    end: float,
    handles: list[Any],
) -> float:
    """The alarm's datapoints as bars (breaching ones red); their legend entries go to
    ``handles``. Returns the highest datapoint (0 if none)."""
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
    return float(np.nanmax(values)) if known.any() else 0.0


def _draw_fired_windows(
    ax: Axes, alarm: Any, history: list[tuple[float, str]], delay: float
) -> list[Any]:
    """The M-of-N window that sent the alarm to ALARM, each time it did."""
    handles: list[Any] = []
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
    return handles


def _draw_state_band(
    ax: Axes, history: list[tuple[float, str]], end: float, right: float | None
) -> None:
    """The alarm's states by name, along the top."""
    band = blended_transform_factory(ax.transData, ax.transAxes)
    xmin, xmax = ax.get_xlim()
    right = max(xmax, right_edge(end)) if right is None else right
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


_OPERATORS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": "\u2265",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "\u2264",
}
