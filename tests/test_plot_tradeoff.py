"""plot.tradeoff: misses against false rollbacks, the frontier numbered and listed."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from shiftsim import plot
from shiftsim.errors import ConfigError


def wide() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["a", "b", "c", "d", "e"],
            "miss_rate": [0.1, 0.2, 0.3, 0.0, 0.1],
            "miss_rate_low": [0.05, 0.1, 0.2, 0.0, 0.05],
            "miss_rate_high": [0.15, 0.3, 0.4, 0.05, 0.15],
            "false_rollback_rate": [0.3, 0.1, 0.2, 0.5, 0.3],
            "false_rollback_rate_low": [0.2, 0.05, 0.1, 0.4, 0.2],
            "false_rollback_rate_high": [0.4, 0.15, 0.3, 0.6, 0.4],
            "runs": [100] * 5,
        }
    )


def test_the_frontier_is_numbered_and_listed() -> None:
    ax = plot.tradeoff(wide())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "configuration and alarm",
        "Pareto frontier:",
        "1  b",
        "2  a (+1 alike)",
        "3  d",
    ]
    assert ax.get_ylabel() == "misses: bad releases that escaped (95% CI)"
    assert "100 runs each" in ax.get_title()
    plt.close(ax.figure)


def test_constraints_are_drawn_and_named() -> None:
    ax = plot.tradeoff(wide(), constraints={"false_rollback_rate": 0.35})
    assert "false_rollback_rate <= 0.35" in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[3:] == ["1  b", "2  a (+1 alike)"]
    plt.close(ax.figure)


def test_points_a_constraint_excludes_are_hollow_and_named() -> None:
    ax = plot.tradeoff(wide(), constraints={"false_rollback_rate": 0.35})
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == ["configuration and alarm", "excluded by a constraint", "Pareto frontier:"]
    points = {str(bars.get_label()): bars.lines[0] for bars in ax.containers}
    hollow = points["excluded by a constraint"]
    assert list(hollow.get_xdata()) == [0.5]  # d breaks false_rollback_rate <= 0.35
    assert hollow.get_markerfacecolor() == "none"
    kept = points["configuration and alarm"]
    assert list(kept.get_xdata()) == [0.3, 0.1, 0.2, 0.3]
    assert kept.get_markerfacecolor() != "none"
    plt.close(ax.figure)


def test_without_constraints_no_point_is_hollow() -> None:
    ax = plot.tradeoff(wide())
    assert all(line.get_markerfacecolor() != "none" for line in ax.get_lines())
    assert "excluded by a constraint" not in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)


def test_a_table_without_the_measures_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"plot\.tradeoff"):
        plot.tradeoff(pd.DataFrame({"x": [1]}))
    with pytest.raises(ConfigError, match="no measure 'latency'"):
        plot.tradeoff(wide(), x="latency")
