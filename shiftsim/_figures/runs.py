"""Drawing several runs side by side on one time scale (private; the public entry point is
:func:`shiftsim.plot.runs`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from shiftsim._figures import fleet as _fleet
from shiftsim._figures import traffic as _traffic
from shiftsim._figures.layout import WIDTH
from shiftsim.errors import ConfigError
from shiftsim.server import ServerRun

__all__ = ["runs_figure"]


def runs_figure(
    runs: Mapping[str, Any] | Sequence[Any],
    *,
    columns: int | None,
    error_rate: bool,
    alarms: bool,
) -> list[Axes]:
    """:func:`shiftsim.plot.runs`: each run's figure in one grid, on the longest run's time
    scale."""
    items = list(runs.items()) if isinstance(runs, Mapping) else [(None, r) for r in runs]
    server = _all_server(items)
    cols = 1 if columns is None else columns
    if not isinstance(cols, int) or cols < 1:
        raise ConfigError(f"plot.runs: columns must be a positive integer; got {columns!r}.")
    if not server:
        for _, run in items:
            _traffic.traffic_run(run)  # a Lambda or ECS run, or a clear error
    n = len(items)
    rows = -(-n // cols)
    fig = plt.figure(figsize=_size(items, server, cols, rows, alarms), layout="constrained")
    grid = fig.add_gridspec(rows, cols)
    right = _traffic.right_edge(max(_end_minute(run, server) for _, run in items))
    mains: list[Axes] = []
    for k, (label, run) in enumerate(items):
        spec = grid[k // cols, k % cols]
        if server:
            main = _draw_fleet(fig, spec, run)
        else:
            main = _draw_traffic(fig, spec, run, right, error_rate=error_rate, alarms=alarms)
        if label is not None:
            main.set_title(f"{label}\n{main.get_title()}")
        mains.append(main)
    # One time scale: every main panel (and the panels sharing its x) gets the widest range.
    left = min(a.get_xlim()[0] for a in mains)
    right = max(a.get_xlim()[1] for a in mains)
    for a in mains:
        a.set_xlim(left, right)
    return mains


def _all_server(items: list[tuple[Any, Any]]) -> bool:
    """Whether the runs are EC2/on-premises runs (they must all be, or none)."""
    if not items:
        raise ConfigError("plot.runs: runs must hold at least one run.")
    server = [isinstance(r, ServerRun) for _, r in items]
    if any(server) and not all(server):
        raise ConfigError(
            "plot.runs: runs must all be Lambda/ECS runs or all EC2/on-premises runs; "
            "they are drawn on one time scale."
        )
    return server[0]


def _size(
    items: list[tuple[Any, Any]], server: bool, cols: int, rows: int, alarms: bool
) -> tuple[float, float]:
    """The figure's size (inches): room for each run's panels, and the most alarm panels."""
    wide = min(cols, len(items))
    if server:
        return (wide * (WIDTH + 2.8), rows * 5.2)
    most = max(len(_traffic.watched_alarms(_traffic.deployment_of(r))) for _, r in items)
    return (wide * (WIDTH + 1.4), rows * (3.6 + (1.25 * most if alarms else 0.0)))


def _end_minute(run: Any, server: bool) -> float:
    """When a run's last deployment ended (minutes)."""
    if server:
        return float(run.deployments["end_minute"].max())
    return _traffic.traffic_run(run).outcome.end_time / 60.0


def _draw_fleet(fig: Any, spec: Any, run: ServerRun) -> Axes:
    """An EC2/on-premises run in ``spec``, as :func:`shiftsim.plot.fleet` draws it."""
    main, low = _fleet.fleet_axes(fig, spec)
    _fleet.draw_fleet(main, low, run, run.lifecycle, run.instances, run.deployments, max_rows=60)
    return main


def _draw_traffic(
    fig: Any, spec: Any, run: Any, right: float, *, error_rate: bool, alarms: bool
) -> Axes:
    """A Lambda or ECS run in ``spec``, as :func:`shiftsim.plot.traffic` draws it, with its
    time axis ending at ``right``."""
    base = _traffic.traffic_run(run)
    deployment = _traffic.deployment_of(run)
    watched = _traffic.watched_alarms(deployment) if alarms else []
    main, panels = _traffic.traffic_axes(fig, len(watched), spec)
    _traffic.draw_traffic(
        main, base, deployment, error_rate=error_rate, below=bool(panels), right=right
    )
    _traffic.draw_alarms(panels, base, deployment, watched, right=right)
    return main
