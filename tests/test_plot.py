"""Figures: rendered with Agg, checked by content (lines, labels, texts), never by pixels."""

from __future__ import annotations

import doctest
import subprocess
import sys
from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

import shiftsim
from shiftsim import plot
from shiftsim.ecs import EcsDeployment, EcsHooks, run_ecs
from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet
from shiftsim.server import Script, ScriptFault, ServerDeployment, simulate_server


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def bad_lambda(**kwargs: object) -> shiftsim.LambdaDeployment:
    options: dict[str, object] = {
        "invocations_per_minute": 600,
        "target": shiftsim.Version("2", error_rate=0.2),
        "alarms": [shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)],
        "hooks": shiftsim.LambdaHooks(shiftsim.Hook("CodeDeployHook_pre", duration=30)),
    }
    options.update(kwargs)
    return shiftsim.LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.slow
def test_module_doctests() -> None:
    result = doctest.testmod(plot, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow
def test_import_shiftsim_does_not_import_matplotlib() -> None:
    code = (
        "import sys, shiftsim, shiftsim.cli, shiftsim.scenario;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'matplotlib'];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------- traffic
def test_traffic_of_a_rolled_back_lambda_run() -> None:
    run = shiftsim.simulate(bad_lambda(), rng=7)
    assert run.rolled_back
    ax = plot.traffic(run)
    assert ax.get_title() == "Lambda deployment: Stopped (ALARM_ACTIVE), rolled back"
    assert ax.get_xlabel() == "minutes since the deployment started"
    assert ax.get_ylabel() == "traffic on the new version (%)"
    share = next(line for line in ax.get_lines() if line.get_label() == "new version share")
    x, y = share.get_data()
    assert float(x[-1]) == pytest.approx(run.duration / 60)
    assert list(y[:2]) == [0, 10] and y[-1] == 0  # rolled back to the old version
    assert "BeforeAllowTraffic" in texts(ax)
    labels = legend_texts(ax)
    assert {"new version share", "rollback", "alarm -> ALARM", "new version error rate"} <= set(
        labels
    )
    rollback = next(line for line in ax.get_lines() if line.get_label() == "rollback")
    assert rollback.get_xdata()[0] == pytest.approx(run.duration / 60)
    twin = ax.figure.axes[1]
    assert twin.get_ylabel() == "new version error rate per minute (%)"
    rates = twin.get_lines()[0].get_ydata()
    assert np.nanmax(rates) > 5  # the bad release's 20% shows, minute by minute


def test_traffic_draws_on_a_given_axes_without_error_rate() -> None:
    _, given = plt.subplots()
    run = shiftsim.simulate(shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce"), rng=1)
    ax = plot.traffic(run, ax=given, error_rate=False)
    assert ax is given
    assert len(ax.figure.axes) == 1
    assert ax.get_title() == "Lambda deployment: Succeeded"
    assert legend_texts(ax) == ["new version share", "after the end"]
    after = next(line for line in ax.get_lines() if line.get_label() == "after the end")
    assert list(after.get_ydata()) == [100, 100]  # AllAtOnce: everything moved at minute 0


def test_traffic_of_an_ecs_run_shows_task_set_and_lifecycle() -> None:
    deployment = EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        hooks=EcsHooks(after_allow_test_traffic=shiftsim.Hook("CodeDeployHook_t", duration=45)),
    )
    ax = plot.traffic(run_ecs(deployment, rng=2))
    assert ax.get_ylabel() == "traffic on the replacement task set (%)"
    assert {"Install", "AfterAllowTestTraffic"} <= set(texts(ax))
    share = next(
        line for line in ax.get_lines() if line.get_label() == "replacement task set share"
    )
    assert list(share.get_ydata()) == [0, 10, 100, 100]


def test_traffic_marks_a_failed_hook() -> None:
    hooks = shiftsim.LambdaHooks(
        after_allow_traffic=shiftsim.Hook("CodeDeployHook_post", duration=60, outcome="Failed")
    )
    deployment = shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce", hooks=hooks)
    ax = plot.traffic(shiftsim.simulate(deployment, rng=1))
    assert "AfterAllowTraffic (failed)" in texts(ax)
    assert ax.get_title().startswith("Lambda deployment: Failed (HOOK_EXECUTION_FAILURE)")


def test_traffic_rejects_a_server_run() -> None:
    run = simulate_server(ServerDeployment(fleet=Fleet.of_size(2)), 1)
    with pytest.raises(ConfigError, match=r"use plot\.fleet"):
        plot.traffic(run)


# ---------------------------------------------------------------------------------- fleet
def half_at_a_time_run(**kwargs: object) -> object:
    deployment = ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(9),
        hooks={"ApplicationStart": [Script("start.sh", duration=20)]},
        faults=[ScriptFault("ApplicationStart", instances=["i-001", "i-004"])],
        **kwargs,  # type: ignore[arg-type]
    )
    return simulate_server(deployment, 1)


def test_fleet_gantt_and_window() -> None:
    run = half_at_a_time_run()
    ax = plot.fleet(run)
    assert ax.get_title() == "HalfAtATime: Succeeded"
    assert ax.get_ylabel() == "instance (in the order deployed)"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(ticks) == [f"i-00{k}" for k in range(9)]
    assert ticks[:4] == ["i-000", "i-001", "i-002", "i-003"]  # the first batch: 9 - 5 = 4
    labels = legend_texts(ax)
    assert {"ApplicationStart", "Install", "Failed event"} <= set(labels)
    red = [
        p for p in ax.patches if p.get_facecolor()[:3] == plt.matplotlib.colors.to_rgb("tab:red")
    ]
    assert len(red) == 2  # the two failed ApplicationStart events
    low = ax.figure.axes[-1]
    assert low.get_xlabel() == "minutes since the deployment started"
    assert low.get_ylabel() == "instances"
    assert {"in flight", "healthy", "minimum healthy (5)"} == set(legend_texts(low))
    flight = next(line for line in low.get_lines() if line.get_label() == "in flight")
    assert max(flight.get_ydata()) == 4
    healthy = next(line for line in low.get_lines() if line.get_label() == "healthy")
    assert min(healthy.get_ydata()) == run.summary()["lowest_healthy"] == 5
    assert healthy.get_ydata()[-1] == 7


def test_fleet_shows_the_rollback_deployment() -> None:
    deployment = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4),
        hooks={"ValidateService": [Script("check.sh", duration=10)]},
        faults=[ScriptFault("ValidateService", instances=["i-001"])],
        auto_rollback=shiftsim.AutoRollback(),
    )
    run = simulate_server(deployment, 3)
    ax = plot.fleet(run)
    assert ax.get_title() == "OneAtATime: Failed (HEALTH_CONSTRAINTS), rolled back"
    assert "codeDeployRollback starts" in legend_texts(ax)


@pytest.mark.slow
def test_fleet_bins_big_fleets_and_takes_an_axes() -> None:
    deployment = ServerDeployment(
        "CodeDeployDefault.AllAtOnce",
        fleet=Fleet.of_size(300),
        faults=[ScriptFault("ApplicationStart", probability=0.1)],
        hooks={"ApplicationStart": [Script("start.sh", duration=5)]},
    )
    run = simulate_server(deployment, 1)
    _, given = plt.subplots()
    ax = plot.fleet(run, ax=given, max_rows=30)
    assert ax is given
    assert ax.get_ylabel() == "instances, 10 per row (in the order deployed)"
    assert len(ax.patches) == 30
    assert legend_texts(ax) == ["all succeeded", "all failed"]
    assert len(ax.figure.axes) == 2


def test_fleet_rejects_a_traffic_run() -> None:
    run = shiftsim.simulate(shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce"), rng=1)
    with pytest.raises(ConfigError, match=r"use plot\.traffic"):
        plot.fleet(run)


# ---------------------------------------------------------------------------------- schedules
def test_schedules_of_the_lambda_catalog() -> None:
    ax = plot.schedules(shiftsim.predefined_configs("Lambda"))
    assert ax.get_xlabel() == "minutes since AllowTraffic started"
    assert ax.get_ylabel() == "traffic on the new version (%)"
    labels = legend_texts(ax)
    assert labels[0] == "LambdaCanary10Percent5Minutes" and len(labels) == 9
    lines = {line.get_label(): line for line in ax.get_lines()}
    canary = lines["LambdaCanary10Percent5Minutes"]
    assert list(zip(canary.get_xdata()[:5], canary.get_ydata()[:5])) == [
        (0, 0),
        (0, 0),
        (0, 10),
        (5, 10),
        (5, 100),
    ]
    linear = lines["LambdaLinear10PercentEvery1Minute"]
    assert max(linear.get_ydata()) == 100 and 9 in list(linear.get_xdata())
    assert ax.get_xlim()[1] >= 90  # Linear10PercentEvery10Minutes reaches 100% at minute 90


def test_schedules_labels_and_linear_completion() -> None:
    ax = plot.schedules({"fast": "Linear10PercentEvery1Minute"}, linear_completion="interval_after")
    assert legend_texts(ax) == ["fast"]
    dot = next(line for line in ax.get_lines() if line.get_marker() == "o")
    assert list(dot.get_xdata()) == [10]  # D1's alternative: one interval after the last shift


def test_schedules_rejects_server_configs_and_nothing() -> None:
    with pytest.raises(ConfigError, match="has no traffic schedule"):
        plot.schedules(["CodeDeployDefault.HalfAtATime"])
    with pytest.raises(ConfigError, match="at least one"):
        plot.schedules([])


# ---------------------------------------------------------------------------------- risk
@pytest.fixture(scope="module")
def comparison() -> object:
    base = shiftsim.LambdaDeployment(
        "CodeDeployDefault.LambdaAllAtOnce",
        invocations_per_minute=200,
        target=shiftsim.Version("2", error_rate=0.05),
        alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)],
    )
    return shiftsim.compare(
        [
            "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
            "CodeDeployDefault.LambdaAllAtOnce",
        ],
        deployment=base,
        runs=400,
        rng=1,
    )


def test_risk_of_a_comparison(comparison: object) -> None:
    ax = plot.risk(comparison)
    axes = ax.figure.axes
    assert len(axes) == 3 and ax is axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "LambdaCanary10Percent5Minutes",
        "LambdaLinear10PercentEvery1Minute",
        "LambdaAllAtOnce",
    ]
    assert axes[0].get_xlabel() == "rollback probability (95% CI)"
    assert axes[1].get_xlabel().startswith("detection (minutes after start)")
    assert axes[2].get_xlabel().startswith("errors served in the incident (exposure")
    assert ax.figure.get_suptitle() == "Risk per configuration (400 runs each)"
    # AllAtOnce ends at once: never detected, and the alarm never fires.
    assert " never" in texts(axes[1])
    points = axes[0].lines[0].get_xdata()
    assert points[2] == 0.0 and points[1] == 1.0


def test_risk_of_one_monte_carlo_result_on_a_given_axes() -> None:
    mc = shiftsim.monte_carlo(bad_lambda(), runs=300, rng=2)
    _, given = plt.subplots()
    ax = plot.risk(mc, ax=given)
    assert ax is given
    assert [t.get_text() for t in ax.get_yticklabels()] == ["LambdaLinear10PercentEvery1Minute"]
    assert ax.get_title() == "Risk per configuration (300 runs each)"
    ax = plot.risk(mc, measures=["escape_rate", "duration_minutes"])
    assert [a.get_xlabel().split(" ")[0] for a in ax.figure.axes] == ["probability", "deployment"]


def test_risk_labels_sweep_points() -> None:
    table = shiftsim.sweep(bad_lambda(), {"error_rate": [0.0, 0.1]}, runs=100, rng=1)
    ax = plot.risk(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["error_rate=0", "error_rate=0.1"]


def test_risk_rejects_bad_input(comparison: object) -> None:
    with pytest.raises(ConfigError, match="choose among"):
        plot.risk(comparison, measures=["p99"])
    _, given = plt.subplots()
    with pytest.raises(ConfigError, match="draw one measure"):
        plot.risk(comparison, ax=given, measures=["rollback_rate", "target_errors"])
    with pytest.raises(ConfigError, match="MonteCarloResult"):
        plot.risk([1, 2, 3])
