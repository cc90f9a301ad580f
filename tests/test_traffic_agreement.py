"""Core == kernel run for run with the issue-12 traffic features: emission lags and timeouts
(D14), alarm-read failures (ignored or not), overridden alarm configurations and ECS test
traffic, ECS ready waits. STYLE: same plan, same draws, same outcome, field for field."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shiftsim
from shiftsim._engines.traffic.core import run_traffic
from shiftsim._engines.traffic.draws import draw_traffic
from shiftsim._engines.traffic.kernel import outcome_of, run_kernel
from shiftsim.monitoring import AlarmConfiguration, AlarmReadFailure


@st.composite
def alarms(draw: st.DrawFn, name: str, versions: tuple[str, ...]) -> shiftsim.Alarm:
    n = draw(st.integers(1, 3))
    return shiftsim.Alarm(
        name,
        metric=draw(st.sampled_from(["Errors", "ErrorRate", "Invocations"])),
        threshold=draw(st.sampled_from([0.0, 2.0])),
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.integers(1, n)),
        treat_missing_data=draw(st.sampled_from(["missing", "breaching", "notBreaching"])),
        version=draw(st.sampled_from(versions)),
        initial_state=draw(st.sampled_from(["INSUFFICIENT_DATA", "OK", "ALARM"])),
    )


@st.composite
def versions(draw: st.DrawFn, name: str) -> shiftsim.Version:
    return shiftsim.Version(
        name,
        error_rate=draw(st.sampled_from([0.0, 0.05, 0.5])),
        duration_ms=draw(st.sampled_from([100.0, 45_000.0, 180_000.0])),
        duration_sigma=draw(st.sampled_from([0.0, 0.7])),
        timeout=draw(st.sampled_from([None, 3.0, 60.0])),
    )


@st.composite
def monitoring(draw: st.DrawFn, versions_: tuple[str, ...]) -> dict[str, object]:
    failures = draw(
        st.lists(
            st.tuples(st.sampled_from([0.0, 1.0, 2.5]), st.sampled_from([0.5, 2.0, 4.0])).map(
                lambda p: AlarmReadFailure(min(p), max(p))
            ),
            max_size=2,
        )
    )
    override = None
    if draw(st.booleans()):
        enabled = draw(st.booleans())
        override = AlarmConfiguration(
            enabled=enabled,
            ignore_poll_alarm_failure=draw(st.booleans()),
            alarms=[draw(alarms("o", versions_))] if enabled else [],
        )
    return {
        "alarms": [draw(alarms(f"a{i}", versions_)) for i in range(draw(st.integers(0, 2)))],
        "alarm_read_failures": failures,
        "ignore_poll_alarm_failure": draw(st.booleans()),
        "override_alarm_configuration": override,
        "alarm_poll_interval": draw(st.sampled_from([30.0, 60.0, 90.0])),
        "metric_delay": draw(st.sampled_from([0.0, 45.0, 60.0])),
    }


@st.composite
def lambda_scenarios(draw: st.DrawFn) -> shiftsim.LambdaDeployment:
    return shiftsim.LambdaDeployment(
        draw(st.sampled_from(["Canary10Percent5Minutes", "Linear10PercentEvery1Minute"])),
        invocations_per_minute=draw(st.sampled_from([0.0, 40.0, 300.0])),
        current=draw(versions("1")),
        target=draw(versions("2")),
        hooks=shiftsim.LambdaHooks(after_allow_traffic=shiftsim.Hook(duration=240)),
        **draw(monitoring(("target", "alias"))),  # type: ignore[arg-type]
    )


@st.composite
def ecs_scenarios(draw: st.DrawFn) -> shiftsim.EcsDeployment:
    return shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        requests_per_minute=draw(st.sampled_from([5.0, 120.0])),
        target=draw(versions("2")),
        hooks=shiftsim.EcsHooks(
            before_install=draw(st.sampled_from([None, shiftsim.Hook(duration=70)])),
            after_allow_test_traffic=shiftsim.Hook(duration=draw(st.sampled_from([0, 150]))),
        ),
        test_traffic=True,
        test_requests_per_minute=draw(st.sampled_from([0.0, 20.0, 200.0])),
        ready_action=draw(st.sampled_from(["CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"])),
        ready_wait_minutes=draw(st.sampled_from([0, 2, 5])),
        continue_after_minutes=draw(st.sampled_from([None, 0.0, 1.5, 4.0])),
        manual_stop=draw(st.sampled_from([None, shiftsim.ManualStop(2.0, True)])),
        **draw(monitoring(("target", "alias", "test"))),  # type: ignore[arg-type]
    )


def agree(deployment: object, seed: int) -> None:
    plan = deployment.plan()  # type: ignore[attr-defined]
    draws = draw_traffic(plan, 20, np.random.SeedSequence(seed))
    outcomes = run_kernel(plan, draws)
    for i in range(draws.runs):
        core = run_traffic(plan, draws.row(i), deployment_id="d").outcome
        assert outcome_of(outcomes, i) == core, i


@pytest.mark.slow
@given(lambda_scenarios(), st.integers(0, 2**32 - 1))
def test_lambda_engines_agree(deployment: shiftsim.LambdaDeployment, seed: int) -> None:
    agree(deployment, seed)


@pytest.mark.slow
@given(ecs_scenarios(), st.integers(0, 2**32 - 1))
def test_ecs_engines_agree(deployment: shiftsim.EcsDeployment, seed: int) -> None:
    agree(deployment, seed)
