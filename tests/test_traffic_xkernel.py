"""The array-API traffic kernel equals the numpy kernel, given the same draws, on numpy and on
array-api-strict."""

from __future__ import annotations

from typing import Any

import array_api_strict
import numpy as np
import pytest
from array_api_compat import array_namespace
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftsim
from shiftsim._engines.traffic.xkernel import (
    FIELDS,
    device_outcomes,
    draw_xp,
    run_xkernel,
    supported,
)
from shiftsim.draws import draw_traffic
from shiftsim.kernel import KernelOutcomes, run_kernel
from shiftsim.montecarlo import MonteCarloResult, wilson
from shiftsim.strategies import ecs_deployments, lambda_deployments

NUMPY = array_namespace(np.zeros(1))
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


def assert_same_outcomes(deployment: Any, runs: int = 400, seed: int = 0) -> None:
    plan = deployment.plan()
    if supported(plan) is not None:
        return
    draws = draw_traffic(plan, runs, np.random.SeedSequence(seed), 0)
    want = run_kernel(plan, draws)
    arrays = {name: np.ascontiguousarray(getattr(draws, name)) for name in FIELDS}
    for xp, convert in ((NUMPY, np.asarray), (array_api_strict, array_api_strict.asarray)):
        got = run_xkernel(plan, {k: convert(v) for k, v in arrays.items()}, xp)
        for name in KernelOutcomes.__slots__:
            np.testing.assert_array_equal(
                np.asarray(got[name]), getattr(want, name), err_msg=f"{xp.__name__}: {name}"
            )


@pytest.mark.parametrize(
    "deployment",
    [
        CANARY,
        shiftsim.LambdaDeployment(
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
        shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce"),
        shiftsim.EcsDeployment(
            "CodeDeployDefault.ECSCanary10Percent5Minutes",
            target=shiftsim.Version("2", error_rate=0.03),
            alarms=[shiftsim.Alarm("errors", threshold=2, evaluation_periods=2)],
        ),
    ],
    ids=["canary", "linear-two-alarms", "all-at-once", "ecs-canary"],
)
def test_same_draws_same_outcomes(deployment: Any) -> None:
    assert_same_outcomes(deployment)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(deployment=st.one_of(lambda_deployments(), ecs_deployments()), seed=st.integers(0, 99))
def test_same_draws_same_outcomes_on_random_deployments(deployment: Any, seed: int) -> None:
    assert_same_outcomes(deployment, runs=64, seed=seed)


def test_duration_alarms_are_named_as_unsupported() -> None:
    d = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        alarms=[shiftsim.Alarm("slow", metric="Duration", threshold=500, statistic="p99")],
    )
    assert "Duration" in (supported(d.plan()) or "")


def test_device_draws_agree_in_distribution() -> None:
    """Draws made with the array library's own generator (numpy's here, CuPy's on a GPU) give
    the rollback rate within the CPU path's confidence interval."""
    runs = 20_000
    cpu = shiftsim.monte_carlo(CANARY, runs=runs, rng=1, workers=1)
    hits = int(cpu.runs["rolled_back"].sum())
    low, high = wilson(hits, runs)
    plan = CANARY.plan()
    out = run_xkernel(plan, draw_xp(plan, runs, NUMPY, np.random.default_rng(2)), NUMPY)
    rate = float(np.mean(out["rolled_back"]))
    margin = (high - low) / 2
    assert low - 2 * margin <= rate <= high + 2 * margin


def test_device_monte_carlo_runs_on_any_namespace() -> None:
    """The GPU entry point, run on numpy's namespace (CuPy is not needed here)."""
    seq = np.random.SeedSequence(4)
    outcomes = device_outcomes(CANARY.plan(), 3000, seq, xp=np)
    mc = MonteCarloResult(CANARY, CANARY.plan(), outcomes, seq.entropy, (), 60.0)
    assert mc.n_runs == 3000
    assert set(mc.runs["status"]) <= {"Succeeded", "Stopped"}
