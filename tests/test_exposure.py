"""Exposure: the failures of the whole incident, hand-computed (issue 11)."""

from __future__ import annotations

import numpy as np
import pytest

import shiftsim
from shiftsim._exposure import after_end_errors
from shiftsim.errors import ConfigError

ERRORS = shiftsim.Alarm("errors", threshold=0, evaluation_periods=1)


def escaping(**kwargs: object) -> shiftsim.LambdaDeployment:
    return shiftsim.LambdaDeployment(
        "AllAtOnce",
        invocations_per_minute=200,
        target=shiftsim.Version("2", error_rate=0.02),
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_all_at_once_escape_is_exposed_for_the_whole_horizon() -> None:
    """AllAtOnce with no hooks ends at minute 0 before any alarm is read (D4): every run
    escapes, serves nothing before the end, then 200 calls/min x 2% x 60 min = 240 failures."""
    mc = shiftsim.monte_carlo(escaping(alarms=[ERRORS]), runs=200, rng=1)
    runs = mc.runs
    assert (runs["status"] == "Succeeded").all()
    assert (runs["target_errors"] == 0).all()
    assert np.allclose(runs["exposure_errors"], 200 * 0.02 * 60)
    assert mc.summary().at["exposure_errors", "estimate"] == pytest.approx(240.0)
    assert mc.summary().attrs["exposure_minutes"] == 60.0


def test_the_horizon_is_a_parameter() -> None:
    mc = shiftsim.monte_carlo(escaping(), runs=10, rng=1, exposure_minutes=30)
    assert np.allclose(mc.runs["exposure_errors"], 200 * 0.02 * 30)
    none = shiftsim.monte_carlo(escaping(), runs=10, rng=1, exposure_minutes=0)
    assert (none.runs["exposure_errors"] == 0).all()


def test_throttled_requests_are_not_failures() -> None:
    d = shiftsim.LambdaDeployment(
        "AllAtOnce",
        invocations_per_minute=200,
        target=shiftsim.Version("2", error_rate=0.02, throttle_rate=0.5),
    )
    mc = shiftsim.monte_carlo(d, runs=5, rng=1)
    assert np.allclose(mc.runs["exposure_errors"], 200 * 0.5 * 0.02 * 60)


def test_a_canary_that_rolls_back_has_no_exposure_after_the_end() -> None:
    d = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=600,
        target=shiftsim.Version("2", error_rate=0.2),
        alarms=[ERRORS],
    )
    runs = shiftsim.monte_carlo(d, runs=300, rng=2).runs
    back = runs[runs["rolled_back"]]
    assert len(back) > 250
    assert (back["exposure_errors"] == back["target_errors"]).all()


def test_a_stop_without_rollback_keeps_serving_its_split() -> None:
    """D5: stopped without rollback, the alias keeps its split; the target keeps 10% of the
    traffic for the horizon: 600 x 10% x 20% x 60 = 720 more failures."""
    d = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=600,
        target=shiftsim.Version("2", error_rate=0.2),
        alarms=[ERRORS],
        auto_rollback=shiftsim.AutoRollback.disabled(),
    )
    runs = shiftsim.monte_carlo(d, runs=200, rng=3).runs
    stopped = runs[runs["status"] == "Stopped"]
    assert len(stopped) > 150 and (stopped["final_weight"] == 10).all()
    assert np.allclose(stopped["exposure_errors"] - stopped["target_errors"], 720.0)


def test_a_time_varying_rate_is_integrated() -> None:
    """100 calls/min for the first hour, 300 afterwards; 1% fail; over 120 minutes from
    minute 0: (100 x 60 + 300 x 60) x 1% = 240."""
    rate = shiftsim.Profile(((0, 100), (60, 100), (60, 300)))
    d = shiftsim.LambdaDeployment(
        "AllAtOnce", invocations_per_minute=rate, target=shiftsim.Version("2", error_rate=0.01)
    )
    got = after_end_errors(d, np.array([0.0, 3600.0]), np.array([100, 100]), 120.0)
    assert got == pytest.approx([240.0, 360.0])


def test_one_run_summary_has_its_exposure() -> None:
    run = shiftsim.simulate(escaping(), rng=0)
    assert run.summary()["exposure_errors"] == pytest.approx(240.0)
    assert run.summary(exposure_minutes=15)["exposure_errors"] == pytest.approx(60.0)


def test_ecs_runs_have_an_exposure_too() -> None:
    d = shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        requests_per_minute=100,
        target=shiftsim.Version("2", error_rate=0.1),
    )
    mc = shiftsim.monte_carlo(d, runs=20, rng=0)
    escaped = mc.runs[mc.runs["status"] == "Succeeded"]
    after = escaped["exposure_errors"] - escaped["target_errors"]
    assert np.allclose(after, 100 * 0.1 * 60)


def test_exposure_needs_a_traffic_deployment() -> None:
    """A run without a Lambda or ECS deployment has no rate to carry past its end."""
    ends, weights = np.array([0.0]), np.array([100])
    with pytest.raises(TypeError, match="NoneType has no traffic rate"):
        after_end_errors(None, ends, weights, 60.0)  # type: ignore[arg-type]
    server = shiftsim.ServerDeployment(
        "CodeDeployDefault.AllAtOnce", fleet=shiftsim.Fleet.of_size(2)
    )
    with pytest.raises(TypeError, match="ServerDeployment has no traffic rate"):
        after_end_errors(server, ends, weights, 60.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, float("nan"), "60", True])
def test_a_bad_horizon_is_refused(bad: object) -> None:
    with pytest.raises(ConfigError, match="exposure_minutes"):
        shiftsim.monte_carlo(escaping(), runs=1, rng=0, exposure_minutes=bad)  # type: ignore[arg-type]
