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

import pandas as pd
from matplotlib.axes import Axes

from shiftsim._figures import layout as _layout
from shiftsim._figures.fleet import SERVER_EVENTS, fleet_figure
from shiftsim._figures.risk import DEFAULT_RISK_MEASURES as DEFAULT_RISK_MEASURES
from shiftsim._figures.risk import DEFAULT_SERVER_RISK_MEASURES as DEFAULT_SERVER_RISK_MEASURES
from shiftsim._figures.risk import RISK_MEASURES as RISK_MEASURES
from shiftsim._figures.risk import risk_figure
from shiftsim._figures.runs import runs_figure
from shiftsim._figures.schedules import schedules_figure
from shiftsim._figures.tradeoff import tradeoff_figure
from shiftsim._figures.traffic import STATE_COLORS, traffic_figure
from shiftsim.configs import DeploymentConfig

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

# Also importable from here, as before: RISK_MEASURES (the measures risk() draws, by name) and
# its defaults, DEFAULT_RISK_MEASURES and DEFAULT_SERVER_RISK_MEASURES.


def short_name(name: str) -> str:
    """A configuration name without the ``CodeDeployDefault.`` prefix.

    >>> short_name("CodeDeployDefault.LambdaAllAtOnce")
    'LambdaAllAtOnce'
    """
    return _layout.short_name(name)


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
    return traffic_figure(run, ax, error_rate=error_rate, alarms=alarms)


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
    return fleet_figure(run, ax, max_rows)


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
    return runs_figure(runs, columns=columns, error_rate=error_rate, alarms=alarms)


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
    return schedules_figure(configs, ax, linear_completion)


# ---------------------------------------------------------------------------------- risk
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
    return risk_figure(result, ax, measures)


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
    return tradeoff_figure(results, ax, constraints, x, y)
