"""Drawing an EC2/on-premises run: the Gantt chart and the window below it (private; the
public entry points are :func:`shiftsim.plot.fleet` and :func:`shiftsim.plot.runs`)."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from shiftsim._figures.layout import WIDTH, short_name
from shiftsim.errors import ConfigError
from shiftsim.server import ServerRun
from shiftsim.vocabulary import InstanceStatus, LifecycleEventStatus

__all__ = ["SERVER_EVENTS", "draw_fleet", "fleet_axes", "fleet_figure"]

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
_OUTCOME_COLORS = {
    LifecycleEventStatus.FAILED.value: "tab:red",
    LifecycleEventStatus.UNKNOWN.value: "black",
}
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


def fleet_figure(run: Any, ax: Axes | None, max_rows: int) -> Axes:
    """:func:`shiftsim.plot.fleet`: the Gantt chart over the window panel."""
    if not isinstance(run, ServerRun):
        raise ConfigError(
            f"plot.fleet: run must be a ServerRun; got {type(run).__name__}. "
            "For Lambda and ECS runs use plot.traffic."
        )
    lifecycle, instances, deployments = run.lifecycle, run.instances, run.deployments
    if ax is None:
        fig = plt.figure(figsize=(WIDTH + 2.8, 6.4), layout="constrained")
        ax, low = fleet_axes(fig)
    else:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        low = make_axes_locatable(ax).append_axes("bottom", size="35%", pad=0.35, sharex=ax)
    draw_fleet(ax, low, run, lifecycle, instances, deployments, max_rows)
    return ax


def fleet_axes(fig: Any, spec: Any = None) -> tuple[Axes, Axes]:
    """The Gantt chart over the window panel, sharing x (in ``spec`` if given)."""
    grid = (
        fig.add_gridspec(2, 1, height_ratios=(3, 1))
        if spec is None
        else spec.subgridspec(2, 1, height_ratios=(3, 1))
    )
    top = fig.add_subplot(grid[0])
    return top, fig.add_subplot(grid[1], sharex=top)


def draw_fleet(
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
        legend += _draw_event_bars(ax, lifecycle, rows, others)
        _label_rows(ax, order)
        ax.set_ylabel("instance (in the order deployed)")
        legend += _event_legend(lifecycle)
        legend += _colour_blue_green(ax, instances)
    else:
        _draw_binned_rows(ax, instances, rows, -(-n // max_rows), others)
    if others:
        legend.append(
            Patch(
                facecolor="lightgray",
                hatch="////",
                edgecolor="white",
                label="rollback / follow-up deployment",
            )
        )
    legend += _deployment_marks(ax, lifecycle, deployments, main_id)
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
    _draw_window_panel(low, run, lifecycle, instances, deployments)


def _timed_events(lifecycle: pd.DataFrame) -> pd.DataFrame:
    """The lifecycle events that ran (a start, not skipped)."""
    timed = lifecycle.dropna(subset=["start"])
    return timed[timed["status"] != LifecycleEventStatus.SKIPPED.value]


def _draw_event_bars(
    ax: Axes, lifecycle: pd.DataFrame, rows: dict[str, int], others: set[Any]
) -> list[Any]:
    """One bar per lifecycle event on its instance's row; the legend's event entries."""
    timed = _timed_events(lifecycle)
    shown: dict[str, None] = {}
    # Events that took no time are hairlines (0.3% of the time axis), like the legend says.
    hairline = 0.003 * max(float(timed["end"].fillna(timed["start"]).max()) / 60.0, 1e-9)
    for (dep, event, status), group in timed.groupby(
        ["deployment_id", "event", "status"], sort=False
    ):
        color = _OUTCOME_COLORS.get(str(status)) or _event_color(str(event))
        start = group["start"].to_numpy(float) / 60.0
        stop = group["end"].fillna(group["start"]).to_numpy(float) / 60.0
        is_other = dep in others
        ax.barh(
            group["instance_id"].map(rows).to_numpy(float),
            np.maximum(stop - start, hairline),
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
    known = [e for _, names in _PHASES for e in names]
    events = [e for e in known if e in shown] + [e for e in shown if e not in known]
    return [Patch(color=_event_color(e), label=e) for e in events]


def _event_legend(lifecycle: pd.DataFrame) -> list[Any]:
    """Legend entries for the outcomes (failed, unknown) that some event had."""
    timed = _timed_events(lifecycle)
    return [
        Patch(color=c, label=f"{s} event")
        for s, c in _OUTCOME_COLORS.items()
        if (timed["status"] == s).any()
    ]


def _colour_blue_green(ax: Axes, instances: pd.DataFrame) -> list[Any]:
    """Row labels of a blue/green deployment in the instances' colours; their legend entries."""
    if "instance_type" not in instances or not instances["instance_type"].notna().any():
        return []
    kind = dict(zip(instances["instance_id"], instances["instance_type"]))
    for label in ax.get_yticklabels():
        color = _BLUE_GREEN.get(str(kind.get(label.get_text())))
        if color:
            label.set_color(color)
    return [
        Patch(color=_BLUE_GREEN["Blue"], label="original (blue) instances"),
        Patch(color=_BLUE_GREEN["Green"], label="replacement (green) instances"),
    ]


def _draw_binned_rows(
    ax: Axes, instances: pd.DataFrame, rows: dict[str, int], size: int, others: set[Any]
) -> None:
    """A big fleet, ``size`` instances a row, coloured by the share that failed."""
    binned = instances.assign(_row=instances["instance_id"].map(rows) // size)
    cmap = plt.get_cmap("RdYlGn_r")
    for dep, group in binned.dropna(subset=["start"]).groupby("deployment_id", sort=False):
        stats = group.groupby("_row").agg(
            first=("start", "min"),
            last=("end", "max"),
            failed=("status", lambda s: float((s == LifecycleEventStatus.FAILED.value).mean())),
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


def _deployment_marks(
    ax: Axes, lifecycle: pd.DataFrame, deployments: pd.DataFrame, main_id: Any
) -> list[Any]:
    """The termination wait, the deployment's end and other deployments' starts."""
    legend: list[Any] = []
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
    return legend


def _draw_window_panel(
    low: Axes,
    run: Any,
    lifecycle: pd.DataFrame,
    instances: pd.DataFrame,
    deployments: pd.DataFrame,
) -> None:
    """The panel below: instances in flight, healthy ones and the minimum healthy."""
    main_id = run.deployment_id
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


def _fleet_title(run: Any) -> str:
    config = short_name(run.plan.config_name)
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
    ok = (main["status"] == InstanceStatus.SUCCEEDED.value).to_numpy()
    start = main["start"].to_numpy(float)[timed & before] / 60.0
    end = main["end"].to_numpy(float) / 60.0
    closes = timed & np.isfinite(end) & ok
    healthy = _steps(
        np.concatenate([start, end[closes]]),
        np.concatenate([-np.ones(len(start)), np.ones(int(closes.sum()))]),
        float(before.sum()),
    )
    return in_flight, healthy
