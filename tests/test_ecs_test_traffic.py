"""ECS test-listener traffic: validate the replacement with test traffic, an alarm rolls back.

Sources: UG:deployment-steps-ecs.md (AllowTestTraffic: the optional test listener sends traffic
to the replacement task set; AfterAllowTestTraffic's result can trigger a rollback;
"CodeDeploy implements rollbacks by rerouting traffic from the replacement task set to the
original task set"); codedeploy.md section 4.3.
"""

from __future__ import annotations

import numpy as np
import pytest

import shiftsim
from shiftsim._engines.traffic.core import run_traffic
from shiftsim._engines.traffic.draws import draw_traffic
from shiftsim._engines.traffic.kernel import outcome_of, run_kernel
from shiftsim.errors import ConfigError, UnsupportedScenarioError

TEST_ERRORS = shiftsim.Alarm(
    "test-errors",
    metric="Errors",
    threshold=0,
    evaluation_periods=3,
    datapoints_to_alarm=1,
    version="test",
)


def ecs(target: shiftsim.Version, **kw: object) -> shiftsim.EcsDeployment:
    """Install 60 s, then a 5-minute AfterAllowTestTraffic hook [60 s, 360 s) with 60 test
    requests per minute; then AllAtOnce production traffic."""
    kw.setdefault("test_requests_per_minute", 60.0)
    kw.setdefault("test_traffic", True)
    kw.setdefault("alarms", [TEST_ERRORS])
    return shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        requests_per_minute=600,
        target=target,
        hooks=shiftsim.EcsHooks(after_allow_test_traffic=shiftsim.Hook(duration=300)),
        **kw,  # type: ignore[arg-type]
    )


def both(d: shiftsim.EcsDeployment) -> shiftsim.EcsRun:
    core = shiftsim.simulate(d, rng=2)
    assert shiftsim.simulate(d, rng=2, engine="kernel").outcome == core.outcome
    return core


def test_an_alarm_on_test_traffic_rolls_back_before_production_traffic() -> None:
    """Test traffic starts at 60 s; minute 1's errors are visible at 120 + 60 = 180 s, the
    alarm enters ALARM at the 180 s evaluation and the 180 s poll stops the deployment during
    AfterAllowTestTraffic; it rolls back (past Install) and production never reached the
    replacement."""
    run = both(ecs(shiftsim.Version("2", error_rate=0.5)))
    out = run.outcome
    assert (run.status, run.error_code, out.detection_time) == ("Stopped", "ALARM_ACTIVE", 180.0)
    assert run.rolled_back and out.target_invocations == 0 and out.final_percent == 0


def test_a_healthy_replacement_passes_its_test_traffic() -> None:
    run = both(ecs(shiftsim.Version("2")))
    assert run.status == "Succeeded"


def test_without_test_requests_the_test_alarm_sees_nothing() -> None:
    """No test requests: the test alarm's datapoints are all missing (INSUFFICIENT_DATA)."""
    run = both(ecs(shiftsim.Version("2", error_rate=0.5), test_requests_per_minute=0.0))
    assert run.status == "Succeeded" and run.outcome.first_alarm_time is None


def test_test_traffic_leaves_production_draws_unchanged() -> None:
    """The test draws come last in each segment's stream (draws.py layout), so production
    counts are identical with and without test traffic (common random numbers)."""
    with_test = ecs(shiftsim.Version("2"))
    without = ecs(shiftsim.Version("2"), test_requests_per_minute=0.0)
    seq = np.random.SeedSequence(4)
    a, b = draw_traffic(with_test.plan(), 8, seq), draw_traffic(without.plan(), 8, seq)
    assert np.array_equal(a.target_invocations, b.target_invocations)
    assert a.test_invocations.sum() > 0 and b.test_invocations.sum() == 0
    lam = with_test.plan().lam_test
    assert lam.sum() == pytest.approx(300.0)  # 60 per minute for the 5-minute hook


def test_engines_agree_run_for_run() -> None:
    d = ecs(shiftsim.Version("2", error_rate=0.02), test_requests_per_minute=[0, 30, 90, 5])
    plan = d.plan()
    draws = draw_traffic(plan, 40, np.random.SeedSequence(9))
    outcomes = run_kernel(plan, draws)
    for i in range(draws.runs):
        assert outcome_of(outcomes, i) == run_traffic(plan, draws.row(i), deployment_id="d").outcome


def test_test_requests_need_a_test_listener() -> None:
    with pytest.raises(ConfigError, match="test_requests_per_minute"):
        ecs(shiftsim.Version("2"), test_traffic=False)


def test_lambda_has_no_test_listener() -> None:
    with pytest.raises(ConfigError, match="version='test'"):
        shiftsim.LambdaDeployment("AllAtOnce", alarms=[TEST_ERRORS])


def test_throttle_alarms_on_test_traffic_are_refused() -> None:
    alarm = shiftsim.Alarm("t", metric="Throttles", version="test")
    with pytest.raises(UnsupportedScenarioError, match="test-listener"):
        ecs(shiftsim.Version("2"), alarms=[alarm]).plan()
