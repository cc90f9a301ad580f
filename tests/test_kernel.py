"""The vectorized kernel agrees with the event core, run for run and in distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shiftsim
from shiftsim._shifting import run_traffic
from shiftsim.alarms import Alarm
from shiftsim.draws import draw_traffic
from shiftsim.kernel import STATE_CODE, evaluate_block, outcome_of, run_kernel

LAMBDA_CONFIGS = [c.name for c in shiftsim.predefined_configs("Lambda")]


@st.composite
def alarms(draw: st.DrawFn, name: str) -> Alarm:
    metric = draw(st.sampled_from(["Errors", "ErrorRate", "Invocations", "Duration"]))
    n = draw(st.integers(1, 4))
    statistic = "Sum"
    version = draw(st.sampled_from(["target", "alias"]))
    period = draw(st.sampled_from([60, 120]))
    if metric == "Duration":
        statistic = draw(st.sampled_from(["p99", "p50", "Maximum", "Average"]))
        version, period = "target", 60
    elif metric == "Errors":
        statistic = draw(st.sampled_from(["Sum", "Average", "Maximum", "SampleCount"]))
    operator = draw(
        st.sampled_from(
            ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold"]
        )
    )
    threshold = {"Errors": 1.0, "ErrorRate": 5.0, "Invocations": 3.0, "Duration": 250.0}[metric]
    if statistic in ("Average", "Maximum"):
        threshold = 0.05
    return Alarm(
        name,
        metric=metric,
        statistic=statistic,
        threshold=threshold,
        comparison_operator=operator,
        period=period,
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.integers(1, n)),
        treat_missing_data=draw(
            st.sampled_from(["missing", "ignore", "breaching", "notBreaching"])
        ),
        version=version,
        initial_state=draw(st.sampled_from(["INSUFFICIENT_DATA", "OK", "ALARM"])),
    )


@st.composite
def hooks(draw: st.DrawFn) -> shiftsim.Hook | None:
    if not draw(st.booleans()):
        return None
    return shiftsim.Hook(
        duration=draw(st.sampled_from([0.0, 17.0, 60.0, 95.5])),
        outcome=draw(st.sampled_from(["Succeeded", "Succeeded", "Failed", "NoResponse"])),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> shiftsim.LambdaDeployment:
    n_alarms = draw(st.integers(0, 3))
    stop = None
    if draw(st.booleans()):
        stop = shiftsim.ManualStop(
            draw(st.sampled_from([0.0, 1.5, 3.0, 7.25])), draw(st.sampled_from([None, True, False]))
        )
    return shiftsim.LambdaDeployment(
        draw(st.sampled_from(LAMBDA_CONFIGS[:6] + LAMBDA_CONFIGS[8:])),
        invocations_per_minute=draw(st.sampled_from([0.0, 3.0, 40.0, 300.0])),
        current=shiftsim.Version("1", error_rate=draw(st.sampled_from([0.0, 0.01]))),
        target=shiftsim.Version(
            "2",
            error_rate=draw(st.sampled_from([0.0, 0.05, 0.5, shiftsim.Profile.step(3, 0, 0.4)])),
            duration_ms=200.0,
            duration_sigma=draw(st.sampled_from([0.0, 0.6])),
        ),
        alarms=tuple(draw(alarms(f"a{i}")) for i in range(n_alarms)),
        hooks=shiftsim.LambdaHooks(draw(hooks()), draw(hooks())),
        auto_rollback=draw(
            st.sampled_from([shiftsim.AutoRollback(), shiftsim.AutoRollback.disabled()])
        ),
        manual_stop=stop,
        alarm_poll_interval=draw(st.sampled_from([10.0, 60.0, 90.0])),
        metric_delay=draw(st.sampled_from([0.0, 45.0, 60.0, 150.0])),
    )


@pytest.mark.slow
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_kernel_equals_core_run_for_run(deployment: shiftsim.LambdaDeployment, seed: int) -> None:
    """STYLE: same plan, same draws, same outcome, field for field."""
    plan = deployment.plan()
    draws = draw_traffic(plan, 40, np.random.SeedSequence(seed))
    outcomes = run_kernel(plan, draws)
    for i in range(draws.runs):
        core = run_traffic(plan, draws.row(i), deployment_id="d").outcome
        assert outcome_of(outcomes, i) == core, i


def test_monte_carlo_replay_equals_kernel() -> None:
    deployment = shiftsim.LambdaDeployment(
        "Linear10PercentEvery1Minute",
        invocations_per_minute=120,
        target=shiftsim.Version("2", error_rate=0.03),
        alarms=[Alarm("errors", threshold=1, evaluation_periods=3, datapoints_to_alarm=2)],
    )
    mc = shiftsim.monte_carlo(deployment, runs=500, rng=11)
    for i in (0, 7, 123, 499):
        assert mc.replay(i).outcome == mc.kernel_outcome(i)


def test_replay_spans_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replaying a run regenerates only its chunk, with the chunk's real size."""
    monkeypatch.setattr("shiftsim.draws.CHUNK", 64)
    monkeypatch.setattr("shiftsim.montecarlo.CHUNK", 64)
    monkeypatch.setattr("shiftsim.simulation.CHUNK", 64)
    deployment = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=50,
        target=shiftsim.Version("2", error_rate=0.05),
        alarms=[Alarm("errors", threshold=0, evaluation_periods=2)],
    )
    mc = shiftsim.monte_carlo(deployment, runs=150, rng=5)
    for i in (0, 63, 64, 130, 149):
        assert mc.replay(i).outcome == mc.kernel_outcome(i)


def test_simulate_with_either_engine_is_identical() -> None:
    deployment = shiftsim.LambdaDeployment(
        "Canary10Percent10Minutes",
        invocations_per_minute=200,
        target=shiftsim.Version("2", error_rate=0.02),
        alarms=[Alarm("errors", threshold=0, evaluation_periods=2)],
    )
    core = shiftsim.simulate(deployment, rng=99)
    kernel = shiftsim.simulate(deployment, rng=99, engine="kernel")
    assert core.outcome == kernel.outcome
    assert core.events.equals(kernel.events)


@pytest.mark.slow
def test_rates_agree_in_distribution() -> None:
    """Independent draws: the kernel's rollback rate matches the core's within binomial bounds."""
    deployment = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=30,
        target=shiftsim.Version("2", error_rate=0.04),
        alarms=[Alarm("errors", threshold=0, evaluation_periods=2)],
    )
    mc = shiftsim.monte_carlo(deployment, runs=20_000, rng=1)
    core_runs = 600
    core_rate = np.mean(
        [shiftsim.simulate(deployment, rng=10_000 + i).rolled_back for i in range(core_runs)]
    )
    kernel_rate = float(mc.outcomes.rolled_back.mean())
    se = math.sqrt(
        kernel_rate * (1 - kernel_rate) / core_runs + kernel_rate * (1 - kernel_rate) / 20_000
    )
    assert abs(core_rate - kernel_rate) < 4 * se + 1e-9


@given(
    st.lists(st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.0, 5.0])), min_size=3, max_size=8),
    st.integers(1, 3),
    st.data(),
)
def test_vector_evaluation_matches_scalar(
    values: list[float | None], n: int, data: st.DataObject
) -> None:
    """The kernel's evaluate_block is CloudWatch's scalar rule on arrays (one rule, two forms)."""
    m = data.draw(st.integers(1, n))
    treat = data.draw(st.sampled_from(["missing", "ignore", "breaching", "notBreaching"]))
    state = data.draw(st.sampled_from(["OK", "ALARM", "INSUFFICIENT_DATA"]))
    op = data.draw(st.sampled_from(["GreaterThanThreshold", "LessThanOrEqualToThreshold"]))
    alarm = Alarm(
        "x",
        threshold=1.0,
        evaluation_periods=n,
        datapoints_to_alarm=m,
        treat_missing_data=treat,
        comparison_operator=op,
    )
    expected = alarm.evaluate(values, state)
    row = np.array([[np.nan if v is None else v for v in values]])
    code = evaluate_block(row, np.array([STATE_CODE[state]]), n, m, treat, op, 1.0)
    assert int(code[0]) == STATE_CODE[expected]


def test_monte_carlo_rejects_bad_runs() -> None:
    deployment = shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")
    for runs in (0, -3, 2.5, True, "10"):
        with pytest.raises(shiftsim.ConfigError, match=r"runs must be a positive integer"):
            shiftsim.monte_carlo(deployment, runs=runs, rng=1)  # type: ignore[arg-type]


def test_monte_carlo_rejects_unsupported_platform() -> None:
    with pytest.raises(shiftsim.UnsupportedScenarioError, match="monte_carlo"):
        shiftsim.monte_carlo(object(), runs=10, rng=1)


def test_seed_entropy_reproduces() -> None:
    deployment = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        target=shiftsim.Version("2", error_rate=0.1),
        alarms=[Alarm("errors", threshold=0, evaluation_periods=2)],
    )
    first = shiftsim.monte_carlo(deployment, runs=300, rng=None)
    again = shiftsim.monte_carlo(
        deployment, runs=300, rng=np.random.SeedSequence(first.seed_entropy)
    )
    assert first.runs.equals(again.runs)


ECS_CONFIGS = [c.name for c in shiftsim.predefined_configs("ECS")]


@st.composite
def ecs_scenarios(draw: st.DrawFn) -> shiftsim.EcsDeployment:
    stop = None
    if draw(st.booleans()):
        stop = shiftsim.ManualStop(
            draw(st.sampled_from([0.0, 0.5, 2.0, 6.0])), draw(st.sampled_from([None, True, False]))
        )
    return shiftsim.EcsDeployment(
        draw(st.sampled_from(ECS_CONFIGS)),
        requests_per_minute=draw(st.sampled_from([5.0, 120.0])),
        target=shiftsim.Version("2", error_rate=draw(st.sampled_from([0.0, 0.2]))),
        alarms=tuple(draw(alarms(f"a{i}")) for i in range(draw(st.integers(0, 2)))),
        hooks=shiftsim.EcsHooks(
            before_install=draw(hooks()),
            after_install=draw(hooks()),
            before_allow_traffic=draw(hooks()),
        ),
        install_seconds=draw(st.sampled_from([0.0, 45.0])),
        manual_stop=stop,
    )


@pytest.mark.slow
@given(ecs_scenarios(), st.integers(0, 2**32 - 1))
def test_kernel_equals_core_for_ecs(deployment: shiftsim.EcsDeployment, seed: int) -> None:
    """ECS shares the plan and the engines, including 'no rollback before Install'
    (UG:reference-appspec-file-structure-hooks.md: BeforeInstall cannot roll back)."""
    plan = deployment.plan()
    draws = draw_traffic(plan, 20, np.random.SeedSequence(seed))
    outcomes = run_kernel(plan, draws)
    for i in range(draws.runs):
        core = run_traffic(plan, draws.row(i), deployment_id="d").outcome
        assert outcome_of(outcomes, i) == core, i
        if core.rolled_back and core.status == "Stopped":
            assert core.end_time > plan.rollback_from
