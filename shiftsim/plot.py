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
from matplotlib.transforms import blended_transform_factory

from shiftsim.configs import DeploymentConfig, allow_traffic_minutes, get_config
from shiftsim.errors import ConfigError

__all__ = ["fleet", "risk", "schedules", "tradeoff", "traffic"]

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
def traffic(run: Any, ax: Axes | None = None, *, error_rate: bool = True) -> Axes:
    """Draw a Lambda or ECS run: the new version's share of traffic over time.

    The share is drawn as steps, the hooks and other lifecycle events as shaded spans, alarm
    state changes as triangles along the top (colored by the new state), the rollback as a red
    vertical line, and, with ``error_rate``, the new version's error rate per minute on a
    second y axis (only minutes in which it served traffic).

    Parameters
    ----------
    run : TrafficRun or EcsRun
        From :func:`shiftsim.simulate` or :func:`shiftsim.ecs.run_ecs`.
    ax : Axes, optional
        Where to draw; a new figure when None.
    error_rate : bool
        Also draw the new version's error rate per minute, on a twin y axis (the figure's
        other Axes).

    Returns
    -------
    Axes

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
    """
    base = getattr(run, "run", run)  # an EcsRun wraps a TrafficRun
    trace = getattr(base, "trace", None)
    if trace is None:
        raise ConfigError(
            f"plot.traffic: run must be a TrafficRun or an EcsRun; got {type(run).__name__}. "
            "For EC2/on-premises runs use plot.fleet."
        )
    ax = _new_axes(ax, (_WIDTH + 1.0, 4.6))
    out = trace.outcome
    end = out.end_time / 60.0
    platform = base.plan.platform
    subject = "replacement task set" if platform == "ECS" else "new version"

    # Lifecycle events other than AllowTraffic, shaded.
    shade = 0
    for phase, status, finished in trace.phases_run:
        start, stop = phase.start / 60.0, finished / 60.0
        if phase.name == "AllowTraffic" or stop <= start:
            continue
        failed = status == "Failed"
        color = "mistyrose" if failed else _HOOK_SHADES[shade % 2]
        shade += 1
        ax.axvspan(start, stop, color=color, alpha=0.8, lw=0, zorder=0)
        # A hook cut short by a stop did not fail by itself.
        note = (" (stopped)" if out.status == "Stopped" else " (failed)") if failed else ""
        ax.text(
            (start + stop) / 2,
            50,
            phase.name + note,
            rotation=90,
            ha="center",
            va="center",
            fontsize="small",
            color="dimgray",
            clip_on=True,
        )

    # The share of traffic on the target, as steps to the end of the deployment.
    times = [t / 60.0 for t, _ in trace.weights] + [end]
    weights = [w for _, w in trace.weights]
    weights.append(weights[-1])
    (share,) = ax.step(
        times, weights, where="post", color="tab:blue", lw=2, label=f"{subject} share"
    )
    right = max(end, 1.0) * 1.05
    # What the deployment left behind, drawn on to the edge (it is not simulated further).
    (after,) = ax.plot(
        [end, right], [weights[-1]] * 2, color="tab:blue", lw=1.5, ls=":", label="after the end"
    )
    ax.set_ylim(-2, 105)
    ax.set_xlim(min(0.0, times[0]), right)
    ax.set_xlabel("minutes since the deployment started")
    ax.set_ylabel(f"traffic on the {subject} (%)")

    handles: list[Any] = [share, after]
    events = base.events
    top = blended_transform_factory(ax.transData, ax.transAxes)
    changes = events[events["event"] == "AlarmStateChange"]
    seen_states: dict[str, None] = {}
    for row in changes.itertuples():
        state = str(row.status)
        seen_states[state] = None
        ax.plot(
            row.minute,
            0.97,
            marker="v",
            ms=9,
            color=STATE_COLORS.get(state, "black"),
            transform=top,
            clip_on=False,
            ls="none",
        )
    for state in seen_states:
        handles.append(
            Line2D(
                [],
                [],
                marker="v",
                ls="none",
                color=STATE_COLORS.get(state, "black"),
                label=f"alarm -> {state}",
            )
        )
    rollbacks = events[events["event"] == "Rollback"]
    for row in rollbacks.itertuples():
        line = ax.axvline(row.minute, color="tab:red", lw=2, ls="--", label="rollback")
        handles.append(line)
        break

    if error_rate:
        frame = base.timeline
        served = frame["target_invocations"] > 0
        if served.any():
            twin = ax.twinx()
            rate = 100.0 * frame["target_errors"] / frame["target_invocations"].where(served)
            # Each minute's rate is drawn over that minute.
            edges = np.append(frame["minute"].to_numpy(float), frame["minute"].iloc[-1] + 1)
            values = np.append(rate.to_numpy(float), rate.iloc[-1])
            twin.step(
                np.minimum(edges, end),
                values,
                where="post",
                color="tab:orange",
                lw=1.5,
                label=f"{subject} error rate",
            )
            twin.set_ylabel(f"{subject} error rate per minute (%)", color="tab:orange")
            twin.tick_params(axis="y", colors="tab:orange")
            peak = np.nanmax(values) if np.isfinite(values).any() else 0.0
            twin.set_ylim(0, max(1.0, float(peak) * 1.25))
            handles.append(twin.get_lines()[-1])

    status = f"{out.status}" + (f" ({out.error_code})" if out.error_code else "")
    if out.rolled_back:
        status += ", rolled back"
    ax.set_title(f"{platform} deployment: {status}")
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=3,
        fontsize="small",
        frameon=False,
    )
    return ax


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


#: tab20 without its reds, which mark failures.
_EVENT_PALETTE = (0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)


def _event_color(event: str) -> Any:
    k = SERVER_EVENTS.index(event) if event in SERVER_EVENTS else len(SERVER_EVENTS)
    return plt.get_cmap("tab20")(_EVENT_PALETTE[k % len(_EVENT_PALETTE)])


def fleet(run: Any, ax: Axes | None = None, *, max_rows: int = 60) -> Axes:
    """Draw an EC2/on-premises run as a Gantt chart, with the window below.

    One row per instance, in the order CodeDeploy started them; one bar per lifecycle event,
    colored by the event, red where it failed and black where the deployment left it
    unfinished (``Unknown``). Deployments the run set off (a rollback, a follow-up) are drawn
    on the same rows, paler, after a dotted line where each started. Fleets with more than
    ``max_rows`` instances are binned: a row is then a group of instances, one bar per
    deployment from the first start to the last end, colored by the share of them that failed.

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
        _, (ax, low) = plt.subplots(
            2,
            1,
            figsize=(_WIDTH + 2.6, 6.4),
            sharex=True,
            height_ratios=(3, 1),
            layout="constrained",
        )
    else:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        low = make_axes_locatable(ax).append_axes("bottom", size="35%", pad=0.35, sharex=ax)
    main_id = run.deployment_id
    started = instances.dropna(subset=["start"]).sort_values("start", kind="stable")
    order = list(dict.fromkeys([*started["instance_id"], *instances["instance_id"]]))
    rows = {ident: k for k, ident in enumerate(order)}
    n = len(order)
    pale = {d: 1.0 if d == main_id else 0.45 for d in deployments["deployment_id"]}
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
            ax.barh(
                group["instance_id"].map(rows).to_numpy(float),
                np.maximum(stop - start, 0.02),
                left=start,
                height=0.72,
                color=color,
                alpha=pale.get(dep, 0.45),
                linewidth=0,
            )
            if str(status) not in _OUTCOME_COLORS:
                shown[str(event)] = None
        ax.set_yticks(range(n), order if n <= 40 else [""] * n)
        ax.set_ylabel("instance (in the order deployed)")
        events = [e for e in SERVER_EVENTS if e in shown] + [
            e for e in shown if e not in SERVER_EVENTS
        ]
        legend += [Patch(color=_event_color(e), label=e) for e in events]
        legend += [
            Patch(color=c, label=f"{s} event")
            for s, c in _OUTCOME_COLORS.items()
            if (timed["status"] == s).any()
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
            ax.barh(
                stats.index.to_numpy(float),
                np.maximum((stats["last"] - stats["first"]).to_numpy(float) / 60.0, 0.02),
                left=stats["first"].to_numpy(float) / 60.0,
                height=0.8,
                color=cmap(stats["failed"].to_numpy(float)),
                alpha=pale.get(dep, 0.45),
            )
        ax.set_ylabel(f"instances, {size} per row (in the order deployed)")
        legend += [
            Patch(color=cmap(0.0), label="all succeeded"),
            Patch(color=cmap(1.0), label="all failed"),
        ]
    ends = lifecycle["end"].to_numpy(float) / 60.0
    last_event = float(np.nanmax(ends)) if np.isfinite(ends).any() else 0.0
    for other in deployments.to_dict("records"):
        if other["deployment_id"] == main_id and float(other["end_minute"]) > last_event + 1e-6:
            # A blue/green deployment ends after the wait before the originals terminate.
            legend.append(
                ax.axvline(
                    float(other["end_minute"]),
                    color="black",
                    ls="--",
                    lw=1.2,
                    label="deployment ends",
                )
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
    ax.invert_yaxis()
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
    if healthy is not None and len(minimum) and pd.notna(minimum.iloc[0]):
        value = int(minimum.iloc[0])
        low.axhline(value, color="tab:red", ls="--", lw=1, label=f"minimum healthy ({value})")
    if healthy is not None:
        low.step(*healthy, where="post", color="tab:green", lw=2.5, alpha=0.8, label="healthy")
    low.step(*in_flight, where="post", color="tab:blue", lw=1.5, label="in flight")
    low.set_xlabel("minutes since the deployment started")
    low.set_ylabel("instances")
    low.set_ylim(bottom=0)
    low.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


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
    >>> len(ax.get_legend().get_texts())
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
    ax = _new_axes(ax, (_WIDTH + 2.6, 4.2))
    styles = ("-", "--", "-.", ":")
    for k, ((label, config), end) in enumerate(zip(resolved, ends)):
        routing = config.traffic_routing
        assert routing is not None
        xs, ys = [0.0], [0.0]
        for minute, percent in routing.shifts():
            xs += [minute, minute]
            ys += [ys[-1], percent]
        xs.append(right)
        ys.append(100.0)
        (line,) = ax.plot(xs, ys, ls=styles[(k // 10) % 4], lw=1.8, label=label)
        ax.plot([end], [100.0], "o", color=line.get_color(), ms=5)
    ax.set_xlim(-right * 0.02, right)
    ax.set_ylim(-2, 105)
    ax.set_xlabel("minutes since AllowTraffic started")
    ax.set_ylabel("traffic on the new version (%)")
    ax.set_title("Traffic schedules (dot: AllowTraffic ends)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


# ---------------------------------------------------------------------------------- risk
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
DEFAULT_RISK_MEASURES = ("rollback_rate", "detection_minute", "exposure_errors")
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
            figsize=(max(_WIDTH, 3.6 * len(measures)) + 2.0, 1.2 + 0.42 * n),
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
        else:
            median = table[f"{name}_median"].to_numpy(float)
            p95 = table[f"{name}_p95"].to_numpy(float)
            panel.hlines(y, median, p95, color="tab:orange", lw=2)
            panel.plot(median, y, "o", color="tab:orange", label=label)
            known = np.isfinite(p95)
            right = float(np.nanmax(p95)) if known.any() else 1.0
            panel.set_xlim(-0.03 * max(right, 1.0), max(right, 1.0) * 1.1)
            for k in np.flatnonzero(~np.isfinite(median)):
                panel.text(0.0, y[k], " never", va="center", fontsize="small", color="dimgray")
        panel.set_xlabel(label)
        panel.grid(axis="x", alpha=0.3)
    first = panels[0]
    first.set_yticks(y, labels)
    first.set_ylim(n - 0.5, -0.5)
    runs = table["runs"].iloc[0] if "runs" in table.columns and n else None
    title = "Risk per configuration" + (f" ({int(runs):,} runs each)" if runs else "")
    first.figure.suptitle(title) if len(panels) > 1 else first.set_title(title)
    return first


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


# ---------------------------------------------------------------------------------- tradeoff
def tradeoff(
    results: pd.DataFrame,
    ax: Axes | None = None,
    *,
    constraints: Mapping[str, float] | None = None,
    x: str = "false_rollback_rate",
    y: str = "miss_rate",
) -> Axes:
    """Draw misses against false rollbacks, one point per configuration and alarm, with the
    Pareto frontier (:func:`shiftsim.frontier`) joined and labelled.

    Parameters
    ----------
    results : DataFrame
        From :func:`shiftsim.compare` or :func:`shiftsim.sweep` with ``releases=`` (or
        :func:`shiftsim.tradeoff_table`).
    ax : Axes, optional
    constraints : mapping of str to float, optional
        Upper bounds the frontier must meet (as :func:`shiftsim.frontier`); bounds on the two
        axes are drawn as dashed lines.
    x, y : str
        The measures on the axes (default false rollback rate across, miss rate up).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import shiftsim
    >>> from shiftsim import plot
    >>> base = shiftsim.LambdaDeployment("AllAtOnce", invocations_per_minute=200,
    ...     current=shiftsim.Version("1", error_rate=0.002),
    ...     alarms=[shiftsim.Alarm("errors", threshold=0)])
    >>> long = shiftsim.compare(["Canary10Percent5Minutes", "AllAtOnce"], deployment=base,
    ...     releases={"bad": shiftsim.Version(error_rate=0.02),
    ...               "good": shiftsim.Version(error_rate=0.002)}, runs=100, rng=1)
    >>> ax = plot.tradeoff(long)
    >>> ax.get_xlabel()
    'false rollbacks: good releases turned away (95% CI)'
    """
    from shiftsim.decision import DECISION_MEASURES, frontier, tradeoff_table

    try:
        wide = tradeoff_table(results)
    except ConfigError as err:
        raise ConfigError(f"plot.tradeoff: {str(err).split(': ', 1)[-1]}") from None
    for name in (x, y):
        if name not in wide.columns:
            raise ConfigError(f"plot.tradeoff: the results have no measure {name[:80]!r}.")
    best = frontier(wide, constraints=constraints, objectives=(x, y))
    ax = _new_axes(ax, (_WIDTH + 4.4, 4.8))
    texts = {
        "miss_rate": "misses: bad releases that escaped (95% CI)",
        "false_rollback_rate": "false rollbacks: good releases turned away (95% CI)",
    }

    def bars(frame: pd.DataFrame, name: str) -> Any:
        value = frame[name].to_numpy(float)
        if f"{name}_low" not in frame.columns:
            return None
        low, high = frame[f"{name}_low"].to_numpy(float), frame[f"{name}_high"].to_numpy(float)
        return np.clip(np.vstack([value - low, high - value]), 0.0, None)

    ax.errorbar(
        wide[x],
        wide[y],
        xerr=bars(wide, x),
        yerr=bars(wide, y),
        fmt="o",
        color="silver",
        ecolor="gainsboro",
        ms=4,
        capsize=0,
        zorder=1,
        label="configuration and alarm",
    )
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
    for name, draw in ((x, ax.axvline), (y, ax.axhline)):
        bound = (constraints or {}).get(name)
        if bound is not None:
            draw(bound, color="tab:gray", ls="--", lw=1)
    ax.set_xlabel(texts.get(x, DECISION_MEASURES.get(x, ("", "", x))[2]))
    ax.set_ylabel(texts.get(y, DECISION_MEASURES.get(y, ("", "", y))[2]))
    if x.endswith("_rate"):
        ax.set_xlim(-0.03, 1.03)
    if y.endswith("_rate"):
        ax.set_ylim(-0.03, 1.03)
    runs = int(wide["runs"].max()) if "runs" in wide.columns else None
    shown = ", ".join(f"{k} <= {v:g}" for k, v in (constraints or {}).items())
    title = "Misses against false rollbacks" + (f" ({runs:,} runs each)" if runs else "")
    ax.set_title(title + (f"\nfrontier under {shown}" if shown else ""), fontsize="medium")
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
