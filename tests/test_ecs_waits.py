"""ECS waits: deploymentReadyOption (ready wait, ContinueDeployment READY_WAIT), ending the
termination wait early (ContinueDeployment TERMINATION_WAIT) and KEEP_ALIVE.

Sources: API:DeploymentReadyOption (STOP_DEPLOYMENT: "If traffic rerouting is not started before
the end of the specified wait period, the deployment status is changed to Stopped");
codedeploy-api.md section 4.1 (Ready status; the CloudFormation DeploymentReadyOption page);
UG:limits.md (ECS: at most 120 hours from the replacement's deployment to the traffic shift);
API:ContinueDeployment (READY_WAIT starts shifting traffic, TERMINATION_WAIT ends the wait
before the original is removed); API:BlueInstanceTerminationOption (KEEP_ALIVE);
API:DeploymentInfo.instanceTerminationWaitTimeStarted (false with KEEP_ALIVE).
"""

from __future__ import annotations

import pytest

import shiftsim
from shiftsim.errors import ConfigError


def ecs(**kw: object) -> shiftsim.EcsDeployment:
    """Install takes 60 s and no hook runs, so the ready wait starts at 60 s."""
    return shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        requests_per_minute=100,
        **kw,  # type: ignore[arg-type]
    )


def both(d: shiftsim.EcsDeployment) -> shiftsim.EcsRun:
    core = shiftsim.simulate(d, rng=5)
    assert shiftsim.simulate(d, rng=5, engine="kernel").outcome == core.outcome
    return core


def test_no_ready_wait_by_default() -> None:
    assert "ReadyWait" not in [p.name for p in ecs().plan().phases]


def test_stop_deployment_without_continue_stops_when_the_wait_ends() -> None:
    """Ready wait [60 s, 60 s + 30 min): nobody continues, so the deployment is Stopped at
    1,860 s, before any production traffic reaches the replacement, without rollback."""
    run = both(ecs(ready_action="STOP_DEPLOYMENT", ready_wait_minutes=30))
    out = run.outcome
    assert (run.status, run.error_code, out.end_time) == ("Stopped", "TIMEOUT", 1860.0)
    assert not run.rolled_back and out.target_invocations == 0
    assert "STOP_DEPLOYMENT" in run.error_message


def test_continue_deployment_reroutes_when_called() -> None:
    """ContinueDeployment(READY_WAIT) 5 minutes into the wait: AllAtOnce shifts at 360 s."""
    d = ecs(ready_action="STOP_DEPLOYMENT", ready_wait_minutes=30, continue_after_minutes=5)
    run = both(d)
    assert (run.status, run.outcome.end_time) == ("Succeeded", 360.0)
    assert run.run.trace.weights[-1] == (360.0, 100)


def test_a_continue_after_the_timeout_comes_too_late() -> None:
    d = ecs(ready_action="STOP_DEPLOYMENT", ready_wait_minutes=3, continue_after_minutes=5)
    assert both(d).error_code == "TIMEOUT"


def test_continue_deployment_action_reroutes_when_the_wait_ends() -> None:
    """CONTINUE_DEPLOYMENT with a 10-minute wait: rerouting starts at 60 + 600 s."""
    run = both(ecs(ready_wait_minutes=10))
    assert (run.status, run.outcome.end_time) == ("Succeeded", 660.0)


def test_a_manual_stop_during_the_wait_rolls_back() -> None:
    d = ecs(
        ready_action="STOP_DEPLOYMENT",
        ready_wait_minutes=30,
        manual_stop=shiftsim.ManualStop(10.0, True),
    )
    run = both(d)
    assert (run.error_code, run.outcome.end_time, run.rolled_back) == ("MANUAL_STOP", 600.0, True)


def test_an_alarm_is_watched_during_the_wait() -> None:
    stuck = shiftsim.Alarm("a", initial_state="ALARM")
    d = ecs(ready_action="STOP_DEPLOYMENT", ready_wait_minutes=30, alarms=[stuck])
    assert both(d).error_code == "ALARM_ACTIVE"


def test_termination_wait_ended_early() -> None:
    """ContinueDeployment(TERMINATION_WAIT) 10 minutes into a 60-minute wait."""
    run = shiftsim.ecs.run_ecs(ecs(skip_termination_wait_after_minutes=10), rng=1)
    assert run.termination_wait_minutes == 10.0
    assert run.termination_time == run.duration + 600.0
    assert run.events.iloc[-1]["event"] == "TerminateOriginalTaskSet"


def test_keep_alive_keeps_the_original_task_set() -> None:
    run = shiftsim.ecs.run_ecs(ecs(termination_action="KEEP_ALIVE"), rng=1)
    assert run.status == "Succeeded" and run.termination_time is None
    last = run.task_sets.iloc[-1]
    assert (last["task_set"], last["status"], last["traffic_weight"]) == ("original", "ACTIVE", 0)
    assert "TerminationWait" not in run.events["event"].tolist()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"ready_action": "WAIT"}, "ready_action"),
        ({"ready_wait_minutes": 7201}, "ready_wait_minutes"),
        ({"continue_after_minutes": -1}, "continue_after_minutes"),
        ({"termination_action": "KEEP"}, "termination_action"),
        (
            {"termination_action": "KEEP_ALIVE", "skip_termination_wait_after_minutes": 1},
            "skip_termination_wait_after_minutes",
        ),
    ],
)
def test_bad_waits_are_named(kw: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        ecs(**kw)


def test_stepper_continue_deployment_ready_wait() -> None:
    """ContinueDeployment(READY_WAIT) by hand: the past replays identically, the deployment ID
    stays, and rerouting starts now (API:ContinueDeployment)."""
    alarm = shiftsim.Alarm("errors", metric="Errors", threshold=0)
    d = ecs(ready_action="STOP_DEPLOYMENT", ready_wait_minutes=60, alarms=[alarm])
    sim = shiftsim.start(d, rng=3)
    ident = sim.deployment_id
    sim.set_alarm("errors", "OK")
    before = sim.advance(7).phase, sim.events
    assert before[0] == "ReadyWait"
    state = sim.continue_deployment("READY_WAIT")
    assert sim.deployment_id == ident
    assert sim.events.iloc[: len(before[1])].equals(before[1])
    assert state.target_weight == 100
    run = sim.finish()
    assert (run.status, run.duration) == ("Succeeded", 420.0)


def test_stepper_continue_deployment_termination_wait() -> None:
    sim = shiftsim.start(ecs(), rng=1)
    run = sim.finish()
    assert run.termination_time == run.duration + 3600.0
    sim.continue_deployment("TERMINATION_WAIT")
    assert sim.run.termination_time == run.duration


def test_stepper_continue_deployment_needs_the_wait() -> None:
    sim = shiftsim.start(ecs(), rng=1)
    with pytest.raises(ConfigError, match="DeploymentIsNotInReadyStateException"):
        sim.continue_deployment("READY_WAIT")
    with pytest.raises(ConfigError, match="DeploymentIsNotInReadyStateException"):
        sim.continue_deployment("TERMINATION_WAIT")  # not succeeded yet
    lam = shiftsim.start(shiftsim.LambdaDeployment("AllAtOnce"), rng=1)
    with pytest.raises(ConfigError, match="wait_type"):
        lam.continue_deployment("SOON")
