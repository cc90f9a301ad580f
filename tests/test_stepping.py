"""The stepping API: shiftsim.start, Stepper and DeploymentState.

Stepping must be the same simulation as ``simulate``: a stepper advanced to the end (in one go or
in any increments) gives the run ``simulate`` gives for the same seed. Behaviour of the actions
(StopDeployment, SetAlarmState) is checked against the CodeDeploy user guide.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shiftsim
from shiftsim import (
    Alarm,
    AutoRollback,
    ConfigError,
    EcsDeployment,
    Hook,
    LambdaDeployment,
    LambdaHooks,
    Version,
)
from shiftsim.fleet import Fleet
from shiftsim.server import ServerDeployment
from shiftsim.stepping import DeploymentState, start
from shiftsim.strategies import deployment_configs, ecs_deployments, lambda_deployments

seeds = st.integers(0, 2**32 - 1)
short_deployments = st.one_of(
    lambda_deployments(configs=deployment_configs("Lambda", max_interval=10)),
    ecs_deployments(configs=deployment_configs("ECS", max_interval=10)),
)


def same_run(a: Any, b: Any) -> None:
    """Two runs are the same simulation: same type, IDs, seed, draws and trace."""
    assert type(a) is type(b)
    ta = getattr(a, "run", a)
    tb = getattr(b, "run", b)
    assert ta.trace == tb.trace
    assert (ta.deployment_id, ta.rollback_deployment_id) == (
        tb.deployment_id,
        tb.rollback_deployment_id,
    )
    assert ta.seed_entropy == tb.seed_entropy
    assert np.array_equal(ta.draws.target_errors, tb.draws.target_errors)
    assert ta.events.equals(tb.events)


# ------------------------------------------------------------------ same simulation


@pytest.mark.slow
@given(short_deployments, seeds)
def test_finish_is_simulate(deployment: Any, seed: int) -> None:
    same_run(start(deployment, rng=seed).finish(), shiftsim.simulate(deployment, rng=seed))


@pytest.mark.slow
@given(short_deployments, seeds, st.lists(st.integers(0, 7), min_size=1, max_size=8))
def test_advancing_in_steps_is_simulate(deployment: Any, seed: int, steps: list[int]) -> None:
    sim = start(deployment, rng=seed)
    for minutes in steps:
        sim.advance(minutes)
    same_run(sim.finish(), shiftsim.simulate(deployment, rng=seed))


@pytest.mark.slow
@given(short_deployments, seeds)
def test_log_so_far_is_a_prefix_of_the_run(deployment: Any, seed: int) -> None:
    sim = start(deployment, rng=seed)
    sim.advance(2)
    before = sim.events
    events = sim.finish().events
    assert events.iloc[: len(before)].reset_index(drop=True).equals(before)


def test_generator_rng_is_drawn_once_like_simulate() -> None:
    deployment = LambdaDeployment("Canary10Percent5Minutes")
    a = start(deployment, rng=np.random.default_rng(5)).finish()
    b = shiftsim.simulate(deployment, rng=np.random.default_rng(5))
    same_run(a, b)


# ------------------------------------------------------------------ state


def test_state_follows_the_canary_schedule() -> None:
    # UG:deployment-configurations.md: Canary10Percent5Minutes shifts 10%, then the remaining
    # 90% five minutes later.
    sim = start(LambdaDeployment("Canary10Percent5Minutes"), rng=0)
    assert sim.state == DeploymentState(
        0.0, "InProgress", None, 0, {"1": 100, "2": 0}, {}, None, False
    )
    assert sim.advance(0).weights == {"1": 90, "2": 10}
    assert sim.state.phase == "AllowTraffic"
    assert sim.advance(4.5).target_weight == 10
    state = sim.advance(0.5)
    assert (state.status, state.target_weight, state.phase, state.done) == (
        "Succeeded",
        100,
        None,
        True,
    )
    assert sim.advance(60).minute == 5.0  # the clock stops when the deployment ends


def test_ecs_state_names_the_task_sets_and_phases() -> None:
    deployment = EcsDeployment(
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        current=Version("web:1"),
        target=Version("web:2"),
        install_seconds=60,
    )
    sim = start(deployment, rng=0)
    assert sim.advance(0.5).phase == "Install"
    state = sim.advance(1.5)
    assert state.phase == "AllowTraffic"
    assert state.weights == {"web:1": 80, "web:2": 20}
    assert isinstance(sim.finish(), shiftsim.EcsRun)


def test_repr_reads_like_get_deployment() -> None:
    sim = start(LambdaDeployment("AllAtOnce", alarms=[Alarm("errors")]), rng=0)
    assert repr(sim.state) == (
        "DeploymentState(minute 0: InProgress, phase None, {'1': 100, '2': 0}, "
        "alarms {'errors': 'INSUFFICIENT_DATA'})"
    )
    assert repr(sim).startswith(f"<Stepper {sim.deployment_id} Lambda: DeploymentState(")


# ------------------------------------------------------------------ StopDeployment


def test_stop_with_rollback_returns_traffic_to_the_original() -> None:
    # UG:deployments-stop.md: StopDeployment with autoRollbackEnabled rolls back to the last
    # good revision; for Lambda the alias goes back to the original version at once.
    sim = start(LambdaDeployment("Linear10PercentEvery1Minute"), rng=1)
    sim.advance(3)
    state = sim.stop(rollback=True)
    assert (state.status, state.error_code, state.rolled_back) == ("Stopped", "MANUAL_STOP", True)
    assert state.weights == {"1": 100, "2": 0}
    run = sim.run
    assert run.rollback_deployment_id is not None
    assert run.deployments["creator"].tolist() == ["user", "codeDeployRollback"]


def test_stop_without_rollback_keeps_the_split() -> None:
    # UG:troubleshooting-deployments-lambda.md: a manual stop without rollback leaves the alias
    # pointing at two versions (decision D5).
    sim = start(LambdaDeployment("Linear10PercentEvery1Minute"), rng=1)
    sim.advance(3)
    state = sim.stop(rollback=False)
    assert (state.status, state.rolled_back, state.weights) == (
        "Stopped",
        False,
        {"1": 60, "2": 40},
    )


@pytest.mark.parametrize(
    ("auto_rollback", "rolled_back"),
    [(AutoRollback(), True), (AutoRollback(events=("DEPLOYMENT_FAILURE",)), False)],
)
def test_stop_with_rollback_none_follows_the_deployment_group(
    auto_rollback: AutoRollback, rolled_back: bool
) -> None:
    deployment = LambdaDeployment("Canary10Percent5Minutes", auto_rollback=auto_rollback)
    sim = start(deployment, rng=0)
    sim.advance(1)
    assert sim.stop(rollback=None).rolled_back is rolled_back


def test_stop_before_install_cannot_roll_back_on_ecs() -> None:
    # UG:reference-appspec-file-structure-hooks.md: before Install "a rollback is not possible".
    deployment = EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        hooks=shiftsim.EcsHooks(before_install=Hook("CodeDeployHook_pre", duration=120)),
    )
    sim = start(deployment, rng=0)
    sim.advance(1)
    assert sim.stop(rollback=True).rolled_back is False


def test_stop_after_the_end_changes_nothing() -> None:
    sim = start(LambdaDeployment("AllAtOnce"), rng=0)
    run = sim.finish()
    assert sim.stop(rollback=True).status == "Succeeded"
    assert sim.run is run


# ------------------------------------------------------------------ SetAlarmState


def test_alarm_set_on_a_minute_stops_the_deployment_at_that_poll() -> None:
    # UG:deployments-stop.md and D2: CodeDeploy polls alarm state; an alarm in ALARM stops the
    # deployment (Stopped, ALARM_ACTIVE) and DEPLOYMENT_STOP_ON_ALARM rolls it back.
    deployment = LambdaDeployment("Linear10PercentEvery1Minute", alarms=[Alarm("errors")])
    sim = start(deployment, rng=0)
    sim.advance(4)
    assert sim.set_alarm("errors", "ALARM").status == "InProgress"
    state = sim.advance(0)
    assert (state.status, state.error_code, state.rolled_back, state.minute) == (
        "Stopped",
        "ALARM_ACTIVE",
        True,
        4.0,
    )
    assert sim.run.outcome.first_alarm_time == 240.0


def test_alarm_without_rollback_on_alarm_keeps_the_split() -> None:
    deployment = LambdaDeployment(
        "Linear10PercentEvery1Minute",
        alarms=[Alarm("errors")],
        auto_rollback=AutoRollback.disabled(),
    )
    sim = start(deployment, rng=0)
    sim.advance(4)
    sim.set_alarm("errors", "ALARM")
    state = sim.advance(1)
    assert (state.status, state.rolled_back, state.target_weight) == ("Stopped", False, 50)


def test_cloudwatch_recomputes_a_forced_state_before_a_late_poll() -> None:
    # SetAlarmState lasts until CloudWatch's next evaluation (each whole minute); with a poll
    # every 5 minutes the forced ALARM is gone before CodeDeploy looks.
    deployment = LambdaDeployment(
        "Linear10PercentEvery1Minute", alarms=[Alarm("errors")], alarm_poll_interval=300
    )
    sim = start(deployment, rng=0)
    sim.advance(1.5)
    sim.set_alarm("errors", "ALARM")
    assert sim.advance(1).alarm_states == {"errors": "OK"}
    assert sim.finish().status == "Succeeded"


def test_set_alarm_rejects_unknown_alarms_and_states() -> None:
    sim = start(LambdaDeployment("AllAtOnce", alarms=[Alarm("errors")]), rng=0)
    with pytest.raises(ConfigError, match="did you mean 'errors'"):
        sim.set_alarm("erors", "ALARM")
    with pytest.raises(ConfigError, match=r"Stepper\.set_alarm\.state"):
        sim.set_alarm("errors", "ALARMED")


# ------------------------------------------------------------------ hooks and errors


def test_failing_hook_ends_the_deployment_while_stepping() -> None:
    deployment = LambdaDeployment(
        "Canary10Percent5Minutes",
        hooks=LambdaHooks(after_allow_traffic=Hook("CodeDeployHook_post", 30, "Failed")),
    )
    sim = start(deployment, rng=0)
    assert sim.advance(5).phase == "AfterAllowTraffic"
    state = sim.advance(1)
    assert (state.status, state.error_code, state.target_weight) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
        0,
    )


def test_misuse_is_explained() -> None:
    sim = start(LambdaDeployment("Canary10Percent5Minutes"), rng=0)
    with pytest.raises(RuntimeError, match="still InProgress at minute 0"):
        sim.run  # noqa: B018
    with pytest.raises(ConfigError, match=r"Stepper\.advance\.minutes"):
        sim.advance(-1)
    with pytest.raises(ConfigError, match=r"Stepper\.stop\.rollback"):
        sim.stop(rollback="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="EcsDeployment or ServerDeployment; got str"):
        start("LambdaAllAtOnce")


SLOW = {"BeforeInstall": [shiftsim.Script("install.sh", duration=60)]}


def test_server_stepping_without_actions_is_simulate() -> None:
    deployment = ServerDeployment(
        "CodeDeployDefault.OneAtATime", fleet=Fleet.of_size(3), hooks=SLOW
    )
    sim = start(deployment, rng=8)
    assert sim.advance(0).instances == {"Pending": 2, "InProgress": 1}
    assert not sim.done
    with pytest.raises(RuntimeError, match="still InProgress"):
        _ = sim.run
    finished = sim.finish()
    expected = shiftsim.simulate(deployment, rng=8)
    pd.testing.assert_frame_equal(finished.instances, expected.instances)
    assert sim.state.status == "Succeeded" and sim.state.instances == {"Succeeded": 3}


def test_server_stop_and_alarm_act_at_the_current_minute() -> None:
    """A stop or an alarm at minute t changes nothing before t (UG:deployments-stop.md)."""
    deployment = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4),
        hooks=SLOW,
        alarms=[shiftsim.Alarm("cpu")],
        auto_rollback=shiftsim.AutoRollback(),
    )
    sim = start(deployment, rng=2)
    before = sim.advance(1.5).instances
    state = sim.set_alarm("cpu", "ALARM")
    assert state.alarm_states == {"cpu": "ALARM"}
    assert state.instances == before  # nothing before the alarm changed
    end = sim.advance(5)
    assert (end.status, end.error_code) == ("Stopped", "ALARM_ACTIVE")
    stopped = start(deployment, rng=2)
    stopped.advance(1.5)
    result = stopped.stop(rollback=False)
    assert (result.status, result.error_code, result.rolled_back) == (
        "Stopped",
        "MANUAL_STOP",
        False,
    )
    with pytest.raises(ConfigError, match="alarms"):
        stopped.set_alarm("mem", "ALARM")


@pytest.mark.slow
def test_import_shiftsim_does_not_import_hypothesis() -> None:
    code = (
        "import sys, shiftsim, shiftsim.stepping, shiftsim.pytest_plugin; "
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
