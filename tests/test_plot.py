"""Figures: rendered with Agg, checked by content (lines, labels, texts), never by pixels."""

from __future__ import annotations

import doctest
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb

import shiftsim
from shiftsim import plot
from shiftsim.ecs import EcsDeployment, EcsHooks, run_ecs
from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet
from shiftsim.server import BlueGreen, Script, ScriptFault, ServerDeployment, simulate_server


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
    assert ax.get_ylabel() == "traffic on the new version (%)"
    share = next(line for line in ax.get_lines() if line.get_label() == "new version share")
    x, y = share.get_data()
    assert float(x[-1]) == pytest.approx(run.duration / 60)
    assert list(y[:2]) == [0, 10] and y[-1] == 0  # rolled back to the old version
    assert "BeforeAllowTraffic" in texts(ax)
    labels = legend_texts(ax)
    assert {
        "new version share",
        "rollback",
        "alarm enters ALARM",
        "hook succeeded",
        "new version: true error rate",
        "new version: errors per minute",
    } <= set(labels)
    rollback = next(line for line in ax.get_lines() if line.get_label() == "rollback")
    assert rollback.get_xdata()[0] == pytest.approx(run.duration / 60)
    # The alarm's name labels its marker; the rollback is labelled too.
    assert {"errors \u2192 ALARM", "rollback"} <= {t.strip() for t in texts(ax)}
    twin = next(a for a in ax.figure.axes if a.get_ylabel() == "error rate (%)")
    true = next(line for line in twin.get_lines() if "true" in str(line.get_label()))
    assert set(true.get_ydata()) == {20.0}  # the release's 20%, not the noisy minutes
    assert twin.get_ylim()[1] == pytest.approx(32.0)  # the scale follows the true rate


def test_traffic_alarm_panel_shows_datapoints_threshold_window_and_states() -> None:
    """The M-of-N rule and the evaluation window: cloudwatch-alarms.md section 1 (AWS
    CloudWatch User Guide, "Evaluating an alarm"); datapoints arrive metric_delay after their
    period ends (decision D3)."""
    alarm = shiftsim.Alarm(
        "rate", metric="ErrorRate", threshold=5, evaluation_periods=3, datapoints_to_alarm=2
    )
    deployment = shiftsim.LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        invocations_per_minute=300,
        target=shiftsim.Version("2", error_rate=shiftsim.Profile.step(3, 0.0, 0.3)),
        alarms=[alarm],
    )
    run = shiftsim.simulate(deployment, rng=4)
    ax = plot.traffic(run)
    panel = ax.figure.axes[1]
    assert panel.get_ylabel() == "rate\nErrorRate"
    assert panel.get_xlabel() == "minutes since the deployment started"
    assert panel.get_shared_x_axes().joined(ax, panel)
    labels = legend_texts(panel)
    assert {"datapoint breaches", "datapoint", "threshold (> 5)"} <= set(labels)
    assert "window that fired (2 of 3)" in labels
    threshold = next(line for line in panel.get_lines() if "threshold" in str(line.get_label()))
    assert list(threshold.get_ydata()) == [5, 5]
    bars = [bar for container in panel.containers for bar in container]
    red = [bar for bar in bars if bar.get_facecolor()[:3] == to_rgb("tab:red")]
    assert sorted(bar.get_x() for bar in red) == [3, 4, 5]  # minutes 3, 4 and 5 breach 5%
    # The window CloudWatch had evaluated when the alarm fired at minute 6: minutes 2 to 5.
    window = next(p for p in panel.patches if "window" in str(p.get_label()))
    assert (window.get_x(), window.get_x() + window.get_width()) == (2.0, 5.0)
    assert {"INSUFFICIENT_DATA", "OK"} <= set(texts(panel))


def test_traffic_of_a_healthy_release_has_no_error_axis() -> None:
    run = shiftsim.simulate(
        shiftsim.LambdaDeployment("CodeDeployDefault.LambdaCanary10Percent5Minutes"), rng=1
    )
    ax = plot.traffic(run)
    assert len(ax.figure.axes) == 1  # no alarms, no errors: one panel
    assert ax.get_xlabel() == "minutes since the deployment started"


def test_traffic_without_alarm_panel_keeps_x_tick_labels() -> None:
    """The bottom-most axes carries the x tick labels, also when there is no alarm panel."""
    run = shiftsim.simulate(
        shiftsim.LambdaDeployment("Linear10PercentEvery1Minute", invocations_per_minute=300), rng=1
    )
    ax = plot.traffic(run)
    ax.figure.canvas.draw()
    assert len(ax.figure.axes) == 1
    assert any(label.get_visible() and label.get_text() for label in ax.get_xticklabels())
    assert ax.get_xlabel() == "minutes since the deployment started"


@pytest.mark.slow  # over a second on a 2-core machine
def test_traffic_marks_a_manual_stop() -> None:
    deployment = shiftsim.LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        manual_stop=shiftsim.ManualStop(4, True),
    )
    ax = plot.traffic(shiftsim.simulate(deployment, rng=1))
    assert {"StopDeployment", "rollback"} <= set(legend_texts(ax))
    assert "StopDeployment" in {t.strip() for t in texts(ax)}
    stop = next(line for line in ax.get_lines() if line.get_label() == "StopDeployment")
    assert stop.get_xdata()[0] == 4


@pytest.mark.slow  # over a second on a 2-core machine
def test_traffic_labels_of_several_alarms_do_not_overlap() -> None:
    alarms = [
        shiftsim.Alarm("errors", threshold=0, evaluation_periods=2),
        shiftsim.Alarm("rate", metric="ErrorRate", threshold=5, evaluation_periods=2),
    ]
    ax = plot.traffic(shiftsim.simulate(bad_lambda(alarms=alarms), rng=7))
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if "ALARM" in t.get_text()]
    assert len(boxes) == 2
    assert not boxes[0].overlaps(boxes[1])
    assert len(ax.figure.axes) == 4  # traffic, two alarm panels, the error-rate axis


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
    run = simulate_server(ServerDeployment(fleet=Fleet.of_size(2)), rng=1)
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
    return simulate_server(deployment, rng=1)


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


def test_fleet_colours_by_phase_and_keeps_zero_length_events_out_of_the_legend() -> None:
    run = half_at_a_time_run()
    ax = plot.fleet(run)
    labels = legend_texts(ax)
    # BeforeInstall and AfterInstall take no time without scripts: nothing to see, no entry.
    assert "BeforeInstall" not in labels and "AfterInstall" not in labels
    colors = {p.get_label(): p.get_facecolor() for p in ax.get_legend().get_patches()}
    blues = plt.get_cmap("Blues")
    assert colors["Install"][2] > colors["Install"][0]  # the install phase is blue
    assert colors["ApplicationStart"][1] > colors["ApplicationStart"][0]  # start: green
    assert blues is not None
    low = ax.figure.axes[-1]
    minimum = next(line for line in low.get_lines() if "minimum" in str(line.get_label()))
    healthy = next(line for line in low.get_lines() if line.get_label() == "healthy")
    assert minimum.get_zorder() > healthy.get_zorder()  # the minimum stays visible


@pytest.mark.slow  # over a second on a 2-core machine
def test_fleet_of_a_blue_green_run() -> None:
    deployment = ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web-asg"),
        load_balancer=True,
        blue_green=BlueGreen(termination_wait_time_in_minutes=10),
    )
    ax = plot.fleet(shiftsim.simulate(deployment, rng=2))
    labels = legend_texts(ax)
    assert {"original (blue) instances", "replacement (green) instances"} <= set(labels)
    colors = {t.get_text(): t.get_color() for t in ax.get_yticklabels()}
    assert colors["i-000"] != colors["i-000-green"]
    assert any(t.startswith("termination wait") for t in texts(ax))


@pytest.mark.slow  # over a second on a 2-core machine
def test_fleet_labels_stay_legible_on_a_large_fleet() -> None:
    run = simulate_server(
        ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=Fleet.of_size(50)), rng=1
    )
    ax = plot.fleet(run)
    ticks = ax.get_yticklabels()
    assert len(ticks) == 25  # every other row named
    assert all(t.get_fontsize() >= 5.5 for t in ticks)


def test_fleet_shows_the_rollback_deployment() -> None:
    deployment = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4),
        hooks={"ValidateService": [Script("check.sh", duration=10)]},
        faults=[ScriptFault("ValidateService", instances=["i-001"])],
        auto_rollback=shiftsim.AutoRollback(),
    )
    run = simulate_server(deployment, rng=3)
    ax = plot.fleet(run)
    assert ax.get_title() == "OneAtATime: Failed (HEALTH_CONSTRAINTS), rolled back"
    assert {"codeDeployRollback starts", "rollback / follow-up deployment"} <= set(legend_texts(ax))
    assert any(p.get_hatch() == "////" for p in ax.patches)  # the rollback's bars


@pytest.mark.slow
def test_fleet_bins_big_fleets_and_takes_an_axes() -> None:
    deployment = ServerDeployment(
        "CodeDeployDefault.AllAtOnce",
        fleet=Fleet.of_size(300),
        faults=[ScriptFault("ApplicationStart", probability=0.1)],
        hooks={"ApplicationStart": [Script("start.sh", duration=5)]},
    )
    run = simulate_server(deployment, rng=1)
    _, given = plt.subplots()
    ax = plot.fleet(run, ax=given, max_rows=30)
    assert ax is given
    assert ax.get_ylabel() == "instances, 10 per row (in the order deployed)"
    assert len(ax.patches) == 30
    # The colour bar says what a row's colour means.
    bar = next(a for a in ax.figure.axes if a.get_label() == "<colorbar>")
    assert bar.get_ylabel() == "share of the row's instances that failed"
    assert bar.get_ylim() == (0.0, 1.0)
    assert len(ax.figure.axes) == 3


def test_fleet_rejects_a_traffic_run() -> None:
    run = shiftsim.simulate(shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce"), rng=1)
    with pytest.raises(ConfigError, match=r"use plot\.traffic"):
        plot.fleet(run)


# ---------------------------------------------------------------------------------- schedules
@pytest.mark.slow  # over a second on a 2-core machine
def test_schedules_of_the_lambda_catalog() -> None:
    ax = plot.schedules(shiftsim.predefined_configs("Lambda"))
    assert ax.get_xlabel() == "minutes since AllowTraffic started"
    assert ax.get_ylabel() == "traffic on the new version (%)"
    # Each line is named at its end (direct labels), and no two names overlap.
    names = [t.get_text() for t in ax.texts]
    assert names[0] == "LambdaAllAtOnce" and len(names) == 9
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1 :])
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
    # Canary and linear are told apart in print by their line styles.
    assert canary.get_linestyle() == "--" and linear.get_linestyle() == "-"
    assert lines["LambdaAllAtOnce"].get_linestyle() == ":"
    # Lines sharing the 10% plateau are drawn apart (a point or so), so each shows.
    offsets = {
        line.get_transform().transform((0, 10))[1]
        for line in (canary, linear, lines["LambdaCanary10Percent10Minutes"])
    }
    assert len(offsets) == 3


def test_schedules_labels_and_linear_completion() -> None:
    ax = plot.schedules({"fast": "Linear10PercentEvery1Minute"}, linear_completion="interval_after")
    assert [t.get_text() for t in ax.texts] == ["fast"]
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
    assert ax.get_title() == "Risk of LambdaLinear10PercentEvery1Minute (300 runs)"
    # One configuration: its numbers are written out, and the panel is not a thin strip.
    assert any(t.get_text().endswith("to 100.0%)") for t in ax.texts)
    ax = plot.risk(mc, measures=["escape_rate", "duration_minutes"])
    assert [a.get_xlabel().split(" ")[0] for a in ax.figure.axes] == ["probability", "deployment"]


def test_risk_labels_of_one_configuration_are_rounded() -> None:
    mc = shiftsim.monte_carlo(bad_lambda(), runs=300, rng=2)
    ax = plot.risk(mc, measures=["duration_minutes"])
    (label,) = [t.get_text() for t in ax.texts if t.get_text().startswith("median")]
    median, p95 = (part.split()[-1] for part in label.split(", "))
    for number in (median, p95):  # at most one decimal for numbers over 1 (no "36.1346")
        assert len(number.replace(",", "").partition(".")[2]) <= 1, label


def test_short_numbers_for_labels() -> None:
    from shiftsim._figures.risk import short_number

    values = (36.1346, 1204.7, 0.04213, 0.0, 3.0, float("inf"))
    assert [short_number(v) for v in values] == ["36.1", "1,205", "0.042", "0", "3", "never"]


def test_risk_counts_get_whole_numbers() -> None:
    mc = shiftsim.monte_carlo(
        bad_lambda(target=shiftsim.Version("2", error_rate=0.0)), runs=50, rng=1
    )
    ax = plot.risk(mc)
    errors = ax.figure.axes[2]
    assert errors.get_xlim()[1] >= 4  # not a 0-1 axis for a count that is 0
    ticks = [t for t in errors.get_xticks() if errors.get_xlim()[0] <= t <= errors.get_xlim()[1]]
    assert all(float(t).is_integer() for t in ticks)
    height = ax.figure.get_size_inches()[1]
    assert height >= 2.6


@pytest.mark.slow  # over a second on a 2-core machine
def test_runs_share_one_time_scale() -> None:
    names = (
        "LambdaCanary10Percent5Minutes",
        "LambdaLinear10PercentEvery1Minute",
        "LambdaAllAtOnce",
    )
    runs = {
        n: shiftsim.simulate(replace(bad_lambda(), config=f"CodeDeployDefault.{n}"), rng=1)
        for n in names
    }
    axes = plot.runs(runs)
    assert len(axes) == 3
    assert len({a.get_xlim() for a in axes}) == 1
    longest = max(run.duration for run in runs.values()) / 60
    assert axes[2].get_xlim()[1] > longest  # AllAtOnce is drawn on the others' scale
    assert axes[0].get_title().startswith("LambdaCanary10Percent5Minutes\n")
    fleets = [
        half_at_a_time_run(),
        simulate_server(ServerDeployment(fleet=Fleet.of_size(3)), rng=1),
    ]
    axes = plot.runs(fleets)
    assert axes[0].get_xlim() == axes[1].get_xlim()
    assert axes[0].figure.axes[-1].get_xlim() == axes[0].get_xlim()  # window panels too
    with pytest.raises(ConfigError, match="all be Lambda/ECS runs"):
        plot.runs([fleets[0], runs[names[0]]])
    with pytest.raises(ConfigError, match="at least one"):
        plot.runs([])


def test_runs_rejects_what_is_not_a_run() -> None:
    with pytest.raises(ConfigError, match="must be a TrafficRun or an EcsRun; got str"):
        plot.runs(["not a run"])
    with pytest.raises(ConfigError, match="columns must be a positive integer; got 0"):
        plot.runs(["not a run"], columns=0)


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


# ---------------------------------------------------------------------------------- shortcuts
@pytest.mark.slow  # over a second on a 2-core machine
def test_run_and_monte_carlo_plot_shortcuts() -> None:
    run = shiftsim.simulate(bad_lambda(), rng=7)
    assert run.plot().get_title() == plot.traffic(run).get_title()
    ecs = run_ecs(EcsDeployment("CodeDeployDefault.ECSAllAtOnce"), rng=1)
    assert ecs.plot(alarms=False).get_ylabel() == "traffic on the replacement task set (%)"
    server = half_at_a_time_run()
    assert server.plot().get_title() == "HalfAtATime: Succeeded"  # type: ignore[attr-defined]
    mc = shiftsim.monte_carlo(bad_lambda(), runs=50, rng=1)
    ax = mc.plot(measures=["rollback_rate"])
    assert ax.get_xlabel() == "rollback probability (95% CI)"
