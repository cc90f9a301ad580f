"""The traffic kernel is one module written against an array namespace: on numpy's array API
namespace (``array_api_compat.numpy``, the code path CuPy takes on a GPU) and on
array-api-strict (when installed) it returns what it returns on plain numpy, run for run, given
the same draws; its device entry point (draws made by the array library's own generator) agrees
with the CPU in distribution."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest
from array_api_compat import array_namespace
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftsim
from shiftsim._engines.traffic.draws import TrafficDraws, draw_traffic, draw_xp
from shiftsim._engines.traffic.kernel import device_outcomes, supported
from shiftsim.kernel import KernelOutcomes, run_kernel
from shiftsim.monitoring import AlarmReadFailure
from shiftsim.montecarlo import MonteCarloResult, wilson
from shiftsim.strategies import ecs_deployments, lambda_deployments

NUMPY = array_namespace(np.zeros(1))
NAMESPACES = [
    pytest.param("numpy", id="array-api-compat-numpy"),
    pytest.param(
        "array_api_strict",
        id="array-api-strict",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("array_api_strict") is None,
            reason="array_api_strict is not installed",
        ),
    ),
]
CANARY = shiftsim.LambdaDeployment(
    "Canary10Percent5Minutes",
    invocations_per_minute=1000,
    target=shiftsim.Version("2", error_rate=0.006),
    alarms=[
        shiftsim.Alarm(
            "errors", metric="Errors", threshold=5, evaluation_periods=3, datapoints_to_alarm=2
        )
    ],
)


def namespace(name: str) -> tuple[Any, Any]:
    """The namespace ``name`` and the function that puts a numpy array into it."""
    if name == "numpy":
        return NUMPY, np.asarray
    xp = pytest.importorskip(name)
    return xp, xp.asarray


def assert_same_outcomes(deployment: Any, name: str, runs: int = 400, seed: int = 0) -> None:
    """The kernel on namespace ``name`` equals the kernel on plain numpy, field for field and
    run for run, on the same draws."""
    xp, convert = namespace(name)
    plan = deployment.plan()
    draws = draw_traffic(plan, runs, np.random.SeedSequence(seed), 0)
    want = run_kernel(plan, draws)
    arrays = TrafficDraws(*(convert(getattr(draws, f)) for f in TrafficDraws.__slots__))
    got = run_kernel(plan, arrays, xp)
    for field in KernelOutcomes.__slots__:
        mine, theirs = np.asarray(getattr(got, field)), getattr(want, field)
        assert mine.dtype == theirs.dtype, field
        np.testing.assert_array_equal(mine, theirs, err_msg=f"{name}: {field}")


SCENARIOS = {
    "canary": CANARY,
    "linear-two-alarms": shiftsim.LambdaDeployment(
        "Linear10PercentEvery1Minute",
        invocations_per_minute=50,
        target=shiftsim.Version("2", error_rate=0.05),
        alarms=[
            shiftsim.Alarm(
                "rate",
                metric="ErrorRate",
                threshold=3,
                evaluation_periods=2,
                treat_missing_data="missing",
            ),
            shiftsim.Alarm(
                "calls",
                metric="Invocations",
                threshold=1,
                evaluation_periods=1,
                comparison_operator="LessThanThreshold",
                treat_missing_data="breaching",
            ),
        ],
        manual_stop=shiftsim.ManualStop(7.0),
    ),
    "all-at-once": shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce"),
    # Every statistic of core.STATISTIC, the one table both engines read (Maximum and Minimum
    # are comparisons there, made floats by each engine).
    "statistics": shiftsim.LambdaDeployment(
        "Linear10PercentEvery1Minute",
        invocations_per_minute=20,
        target=shiftsim.Version("2", error_rate=0.1),
        alarms=[
            shiftsim.Alarm(stat, metric="Errors", statistic=stat, threshold=limit)
            for stat, limit in (
                ("Maximum", 0.5),
                ("Minimum", 0.5),
                ("Average", 0.2),
                ("Sum", 2),
                ("SampleCount", 40),
            )
        ],
    ),
    "ecs-canary": shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        target=shiftsim.Version("2", error_rate=0.03),
        alarms=[shiftsim.Alarm("errors", threshold=2, evaluation_periods=2)],
    ),
    # What the GPU kernel once got wrong (it was a second copy): a failed alarm poll stops the
    # deployment with the failure's code ...
    "alarm-read-failure": shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=100,
        target=shiftsim.Version("2", error_rate=0.02),
        alarms=[shiftsim.Alarm("errors", threshold=3, evaluation_periods=2)],
        alarm_read_failures=[AlarmReadFailure(2.0, 4.0, "IAM_ROLE_PERMISSIONS")],
    ),
    # ... a deployment that fails (here: an alias left split, lambda_.py) ends with its phase's
    # code, not always HOOK_EXECUTION_FAILURE ...
    "split-alias": shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes", invocations_per_minute=60, split_alias=True
    ),
    # ... an ECS ready wait that stops the deployment has its code, and an alarm on the test
    # listener watches the test traffic alone.
    "ecs-test-traffic-alarm": shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        requests_per_minute=120,
        target=shiftsim.Version("2", error_rate=0.04),
        hooks=shiftsim.EcsHooks(after_allow_test_traffic=shiftsim.Hook(duration=240)),
        test_traffic=True,
        test_requests_per_minute=30,
        ready_action="STOP_DEPLOYMENT",
        ready_wait_minutes=2,
        alarms=[
            shiftsim.Alarm("test-errors", threshold=1, evaluation_periods=2, version="test"),
            shiftsim.Alarm("errors", threshold=4, evaluation_periods=3, version="alias"),
        ],
    ),
}


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("deployment", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_same_draws_same_outcomes(deployment: Any, name: str) -> None:
    assert_same_outcomes(deployment, name)


def test_the_once_divergent_scenarios_exercise_their_rules() -> None:
    """The scenarios above reach the outcomes they are there for (else they test nothing)."""
    errors = {}
    for key in ("alarm-read-failure", "split-alias", "ecs-test-traffic-alarm"):
        mc = shiftsim.monte_carlo(SCENARIOS[key], runs=400, rng=0, workers=1)
        errors[key] = set(mc.runs["error_code"].dropna())
    assert "IAM_ROLE_PERMISSIONS" in errors["alarm-read-failure"]
    assert errors["split-alias"] == {"INVALID_LAMBDA_CONFIGURATION"}
    assert errors["ecs-test-traffic-alarm"] == {"ALARM_ACTIVE", "TIMEOUT"}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMESPACES)
@settings(max_examples=30, deadline=None)
@given(deployment=st.one_of(lambda_deployments(), ecs_deployments()), seed=st.integers(0, 99))
def test_same_draws_same_outcomes_on_random_deployments(
    name: str, deployment: Any, seed: int
) -> None:
    assert_same_outcomes(deployment, name, runs=64, seed=seed)


def test_duration_alarms_are_named_as_unsupported() -> None:
    d = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        alarms=[shiftsim.Alarm("slow", metric="Duration", threshold=500, statistic="p99")],
    )
    assert "Duration" in (supported(d.plan()) or "")
    with pytest.raises(shiftsim.errors.UnsupportedScenarioError, match="Duration"):
        device_outcomes(d.plan(), 10, np.random.SeedSequence(0), xp=NUMPY)


def test_device_draws_agree_in_distribution() -> None:
    """Draws made with the array library's own generator (numpy's here, CuPy's on a GPU) give
    the rollback rate within the CPU path's confidence interval."""
    runs = 20_000
    cpu = shiftsim.monte_carlo(CANARY, runs=runs, rng=1, workers=1)
    hits = int(cpu.runs["rolled_back"].sum())
    low, high = wilson(hits, runs)
    plan = CANARY.plan()
    out = run_kernel(plan, draw_xp(plan, runs, NUMPY, np.random.default_rng(2)), NUMPY)
    rate = float(np.mean(out.rolled_back))
    margin = (high - low) / 2
    assert low - 2 * margin <= rate <= high + 2 * margin


def test_device_draws_include_the_test_traffic() -> None:
    """The device draws carry the ECS test listener's requests (an alarm on version="test"
    watches them): their mean is the plan's, and the target's errors among them are drawn."""
    plan = SCENARIOS["ecs-test-traffic-alarm"].plan()
    draws = draw_xp(plan, 4000, NUMPY, np.random.default_rng(3))
    assert draws.test_invocations.shape == (4000, plan.segments)
    expected = plan.lam_test.sum()
    assert expected > 0
    assert abs(draws.test_invocations.sum(axis=1).mean() - expected) < 0.05 * expected
    assert draws.test_errors.sum() > 0


def test_device_monte_carlo_runs_on_any_namespace() -> None:
    """The GPU entry point, run on numpy's namespace (CuPy is not needed here)."""
    seq = np.random.SeedSequence(4)
    outcomes = device_outcomes(CANARY.plan(), 3000, seq, xp=NUMPY)
    mc = MonteCarloResult(CANARY, CANARY.plan(), outcomes, seq.entropy, (), 60.0)
    assert mc.n_runs == 3000
    assert set(mc.runs["status"]) <= {"Succeeded", "Stopped"}
