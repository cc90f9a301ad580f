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
    assert legend[2:] == ["1  b", "2  a (+1 alike)"]
    plt.close(ax.figure)


def test_a_table_without_the_measures_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"plot\.tradeoff"):
        plot.tradeoff(pd.DataFrame({"x": [1]}))
    with pytest.raises(ConfigError, match="no measure 'latency'"):
        plot.tradeoff(wide(), x="latency")
