"""Figures of deployments: traffic over time, fleet rollouts, comparisons, schedules and risk.

Every function takes what it draws and ``ax=None``, draws on ``ax`` (or on a new figure) and
returns the :class:`~matplotlib.axes.Axes`. Nothing is shown: call ``plt.show()`` or save the
figure yourself. Only this module, :mod:`shiftsim.animate` and :mod:`shiftsim.explore` import
matplotlib; ``import shiftsim`` does not. ``run.plot()`` and ``mc.plot()`` call these.

* :func:`traffic`: a Lambda or ECS run: the new version's share of traffic with the hooks and
  their outcomes, a StopDeployment call, the rollback, each alarm's change to ALARM, the
  versions' true error rates; below, one panel per alarm with its datapoints, threshold, the
  M-of-N window that fired and its states;
* :func:`fleet`: an EC2/on-premises run as a Gantt chart, one row per instance (binned with a
  colour bar for large fleets), with the instances in flight and the healthy count against the
  minimum below;
* :func:`runs`: several runs on one time scale;
* :func:`schedules`: several configurations' traffic schedules on one chart, told apart in
  print by line style and named at their ends;
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
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from shiftsim._figures import fleet as _fleet
from shiftsim._figures import traffic as _traffic
from shiftsim._figures.fleet import SERVER_EVENTS
from shiftsim._figures.traffic import STATE_COLORS
from shiftsim.configs import DeploymentConfig, allow_traffic_minutes, get_config
from shiftsim.errors import ConfigError
from shiftsim.server import ServerRun

__all__ = [
    "SERVER_EVENTS",
    "STATE_COLORS",
    "fleet",
    "risk",
    "runs",
    "schedules",
    "short_name",
    "tradeoff",
    "traffic",
]

_PREFIX = "CodeDeployDefault."
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
    base = _traffic.traffic_run(run)
    deployment = getattr(run, "deployment", None) or getattr(base, "deployment", None)
    watched = list(getattr(deployment, "alarms", ()) or ()) if alarms else []
    if ax is None:
        fig = plt.figure(figsize=(_WIDTH + 1.4, 3.8 + 1.25 * len(watched)), layout="constrained")
        ax, panels = _traffic.traffic_axes(fig, len(watched))
    else:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        divider = make_axes_locatable(ax)
        panels = [divider.append_axes("bottom", size="38%", pad=0.3, sharex=ax) for _ in watched]
    _traffic.draw_traffic(ax, base, deployment, error_rate=error_rate, below=bool(panels))
    events = base.events
    for k, (panel, alarm) in enumerate(zip(panels, watched)):
        _traffic.draw_alarm(panel, base, deployment, alarm, events, last=k == len(panels) - 1)
    return ax


# ---------------------------------------------------------------------------------- fleet
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
    ...                                        fleet=Fleet.of_size(6)), rng=1)
    >>> ax = plot.fleet(run)
    >>> ax.get_title()
    'HalfAtATime: Succeeded'
    """
    lifecycle = _fleet.frame_of(run, "lifecycle")
    instances = _fleet.frame_of(run, "instances")
    deployments = _fleet.frame_of(run, "deployments")
    if ax is None:
        fig = plt.figure(figsize=(_WIDTH + 2.8, 6.4), layout="constrained")
        ax, low = _fleet.fleet_axes(fig)
    else:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        low = make_axes_locatable(ax).append_axes("bottom", size="35%", pad=0.35, sharex=ax)
    _fleet.draw_fleet(ax, low, run, lifecycle, instances, deployments, max_rows)
    return ax


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
    server = [isinstance(r, ServerRun) for _, r in items]
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
        else _traffic.traffic_run(r).outcome.end_time / 60.0
        for _, r in items
    ]
    right = _traffic.right_edge(max(ends))
    for k, (label, run) in enumerate(items):
        spec = grid[k // cols, k % cols]
        if server[0]:
            main, low = _fleet.fleet_axes(fig, spec)
            _fleet.draw_fleet(
                main, low, run, run.lifecycle, run.instances, run.deployments, max_rows=60
            )
        else:
            base = _traffic.traffic_run(run)
            deployment = getattr(run, "deployment", None) or getattr(base, "deployment", None)
            watched = list(getattr(deployment, "alarms", ()) or ()) if alarms else []
            main, panels = _traffic.traffic_axes(fig, len(watched), spec)
            _traffic.draw_traffic(
                main, base, deployment, error_rate=error_rate, below=bool(panels), right=right
            )
            for j, (panel, alarm) in enumerate(zip(panels, watched)):
                _traffic.draw_alarm(
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
    measures = _risk_measures(table, ax, measures)
    labels = _risk_labels(table)
    n = len(table)
    panels = _risk_panels(ax, measures, n)
    y = np.arange(n)
    for panel, name in zip(panels, measures):
        label, kind = RISK_MEASURES[name]
        if kind == "rate":
            values = _draw_rate(panel, table, name, label, y)
        else:
            values = _draw_spread(panel, table, name, label, y)
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
            figsize=(max(_WIDTH, 3.6 * len(measures)) + 2.0, max(2.6, 1.4 + 0.42 * n)),
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
    return [f"median {_short(m)}, p95 {_short(p)}" for m, p in zip(median, p95)]


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
        axes are drawn as dashed lines, and points that break a bound are drawn hollow.
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


def _short(value: float) -> str:
    """A number for a label, to sensible precision: ``36.1``, ``1,204``, ``0.042``."""
    if not np.isfinite(value):
        return "never"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1 or value == 0:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2g}"
