"""Drawing configurations' traffic schedules on one chart (private; the public entry point is
:func:`shiftsim.plot.schedules`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.transforms import offset_copy

from shiftsim._figures.layout import WIDTH, new_axes, short_name
from shiftsim.configs import (
    AllAtOnce,
    DeploymentConfig,
    TimeBasedCanary,
    TimeBasedLinear,
    allow_traffic_minutes,
    get_config,
)
from shiftsim.errors import ConfigError

__all__ = ["schedules_figure"]

#: Line styles per kind of schedule, so that they are told apart in print.
_STYLES: dict[type, str] = {TimeBasedCanary: "--", TimeBasedLinear: "-", AllAtOnce: ":"}


def schedules_figure(
    configs: Iterable[DeploymentConfig | str] | Mapping[str, DeploymentConfig | str],
    ax: Axes | None,
    linear_completion: str,
) -> Axes:
    """:func:`shiftsim.plot.schedules`: one line per configuration, named at its end."""
    resolved = _resolve(configs)
    ends = [
        allow_traffic_minutes(c.traffic_routing, linear_completion)  # type: ignore[arg-type]
        for _, c in resolved
    ]
    right = max(max(ends) * 1.08, 1.0)
    ax = new_axes(ax, (WIDTH + 2.6, 4.8))
    n = len(resolved)
    placed: list[tuple[float, str, Any]] = []
    for k, ((label, config), end) in enumerate(zip(resolved, ends)):
        # Lines that share a plateau are drawn a point or two apart so that each shows.
        dodge = offset_copy(
            ax.transData, fig=ax.get_figure(root=True), y=0.9 * (k - (n - 1) / 2), units="points"
        )
        color = _draw_schedule(ax, config, label, end, right, dodge)
        placed.append((end, label, color))
    ax.set_xlim(-right * 0.02, right)
    levels = _direct_labels(ax, placed)
    ax.set_ylim(-3, 106 + 7.5 * levels)
    ax.set_yticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("minutes since AllowTraffic started")
    ax.set_ylabel("traffic on the new version (%)")
    ax.set_title("Traffic schedules (dot: AllowTraffic ends; dashed: canary, solid: linear)")
    return ax


def _resolve(
    configs: Iterable[DeploymentConfig | str] | Mapping[str, DeploymentConfig | str],
) -> list[tuple[str, DeploymentConfig]]:
    """(label, configuration) of each one asked for, checked to shift traffic."""
    items = list(configs.items()) if isinstance(configs, Mapping) else [(None, c) for c in configs]
    if not items:
        raise ConfigError("plot.schedules: configs must name at least one configuration.")
    resolved: list[tuple[str, DeploymentConfig]] = []
    for label, config in items:
        config = get_config(config) if isinstance(config, str) else config
        if not isinstance(config, DeploymentConfig) or config.traffic_routing is None:
            name = config.name if isinstance(config, DeploymentConfig) else config
            raise ConfigError(
                f"plot.schedules: {name!r} has no traffic schedule; only Lambda and ECS "
                "configurations shift traffic."
            )
        resolved.append((label or short_name(config.name), config))
    return resolved


def _draw_schedule(
    ax: Axes, config: DeploymentConfig, label: str, end: float, right: float, transform: Any
) -> Any:
    """One configuration's share of traffic as steps, with a dot where AllowTraffic ends;
    returns the line's colour."""
    routing = config.traffic_routing
    assert routing is not None
    xs, ys = [0.0], [0.0]
    for minute, percent in routing.shifts():
        xs += [minute, minute]
        ys += [ys[-1], percent]
    xs.append(right)
    ys.append(100.0)
    style = _STYLES.get(type(routing), "-.")
    (line,) = ax.plot(xs, ys, ls=style, lw=1.8, label=label, transform=transform)
    ax.plot([end], [100.0], "o", color=line.get_color(), ms=5, transform=transform)
    return line.get_color()


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
