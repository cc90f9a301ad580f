"""Faults, alarms, stops and rollbacks of EC2/on-premises deployments.

Each documented symptom cites its source (UG = AWS CodeDeploy User Guide page; codedeploy.md
section numbers refer to ../shared/reference/codedeploy.md).
"""

from __future__ import annotations

import pandas as pd
import pytest

from shiftsim._seeding import seed_sequence
from shiftsim.alarms import Alarm
from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.server import (
    InstanceStop,
    Script,
    ScriptFault,
    ServerDeployment,
    ServerRun,
    simulate_server,
)

HOOKS = {
    "ApplicationStop": [Script("new/stop.sh", 3)],
    "BeforeInstall": [Script("new/before.sh", 5)],
    "ApplicationStart": [Script("new/start.sh", 20)],
}
PREVIOUS = {
    "ApplicationStop": [Script("old/stop.sh", 4)],
    "BeforeInstall": [Script("old/before.sh", 6)],
    "ApplicationStart": [Script("old/start.sh", 25)],
}
AGENT_MESSAGE = "CodeDeploy agent was not able to receive the lifecycle event"
ON_FAILURE = AutoRollback(events=("DEPLOYMENT_FAILURE",))


def simulate(
    config: str = "CodeDeployDefault.OneAtATime", n: int = 5, *, seed: int = 1, **kwargs: object
) -> ServerRun:
    fleet = kwargs.pop("fleet", None) or Fleet.of_size(n)
    kwargs.setdefault("hooks", HOOKS)
    kwargs.setdefault("previous_hooks", PREVIOUS)
    deployment = ServerDeployment(config, fleet=fleet, **kwargs)  # type: ignore[arg-type]
    return simulate_server(deployment, rng=seed_sequence(seed))


def rows(run: ServerRun, deployment_id: str | None = None) -> pd.DataFrame:
    frame = run.instances
    frame = frame[frame.deployment_id == (deployment_id or run.deployment_id)]
    return frame.set_index("instance_id")


# ====================================================================== script faults
def test_script_fails() -> None:
    # Agent: hook_executor.rb, a script fails when its exit status is not 0 (ScriptFailed).
    run = simulate(faults=[ScriptFault("ApplicationStart", instances=["i-002"], exit_code=3)])
    row = rows(run).loc["i-002"]
    assert row.status == "Failed" and row.error_code == "ScriptFailed"
    assert row.message == (
        "Script at specified location: new/start.sh run as user root failed with exit code 3"
    )
    assert run.error_code == "HEALTH_CONSTRAINTS"


def test_script_hangs_until_its_timeout() -> None:
    # UG:reference-appspec-file-structure-hooks.md: an overrun script fails the instance;
    # UG:troubleshooting-deployments.md: a stuck process leaves the event pending until timeout.
    hooks = {**HOOKS, "ApplicationStart": [Script("new/start.sh", 20, timeout=600)]}
    run = simulate(
        "CodeDeployDefault.AllAtOnce",
        2,
        hooks=hooks,
        faults=[ScriptFault("ApplicationStart", mode="hang", instances=["i-001"])],
    )
    row = rows(run).loc["i-001"]
    assert row.error_code == "ScriptTimedOut"
    life = run.lifecycle.set_index(["instance_id", "event"])
    assert life.loc[("i-001", "ApplicationStart"), "duration"] == 600.0
    assert life.loc[("i-001", "ApplicationStart"), "status"] == "Failed"


def test_script_missing_fails_at_once() -> None:
    run = simulate(
        "CodeDeployDefault.AllAtOnce", 1, faults=[ScriptFault("BeforeInstall", mode="missing")]
    )
    row = rows(run).loc["i-000"]
    assert row.error_code == "ScriptMissing"
    assert row.message == "Script does not exist at specified location: new/before.sh"
    life = run.lifecycle.set_index("event")
    assert life.loc["BeforeInstall", "duration"] == 0.0


def test_probabilistic_faults_follow_the_seed() -> None:
    fault = ScriptFault("ApplicationStart", probability=0.3)
    a = simulate("CodeDeployDefault.AllAtOnce", 400, faults=[fault], seed=4)
    b = simulate("CodeDeployDefault.AllAtOnce", 400, faults=[fault], seed=4)
    c = simulate("CodeDeployDefault.AllAtOnce", 400, faults=[fault], seed=5)
    failed = (rows(a).status == "Failed").sum()
    assert 80 < failed < 160
    assert (rows(a).status == rows(b).status).all()
    assert not (rows(a).status == rows(c).status).all()


# ====================================================================== the agent and the host
@pytest.mark.parametrize("change", [{"agent_installed": False}, {"agent_running": False}])
def test_agent_missing_or_stopped(change: dict) -> None:
    # UG:troubleshooting-deployments.md: with the agent missing or not running, every lifecycle
    # event is Skipped and the deployment fails with HEALTH_CONSTRAINTS; an event that never
    # starts fails after 5 minutes (UG:limits.md, D10).
    fleet = Fleet.of_size(3).update("i-000", **change)
    run = simulate(fleet=fleet)
    row = rows(run).loc["i-000"]
    assert row.status == "Failed" and row.end - row.start == 300.0
    assert row.error_code == "UnknownError" and AGENT_MESSAGE in row.message
    assert "AGENT_ISSUE" in row.message
    life = run.lifecycle[run.lifecycle.instance_id == "i-000"]
    assert (life.status == "Skipped").all()
    assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS"


def test_instance_profile_without_s3_access() -> None:
    # UG:troubleshooting-deployments.md: DownloadBundle fails with "UnknownError: not opened for
    # reading" when the instance profile cannot read the bucket.
    fleet = Fleet.of_size(2).update("i-001", s3_access=False)
    run = simulate("CodeDeployDefault.AllAtOnce", fleet=fleet)
    row = rows(run).loc["i-001"]
    assert row.failed_event == "DownloadBundle"
    assert row.error_code == "UnknownError" and row.message == "not opened for reading"
    life = run.lifecycle.set_index(["instance_id", "event"])
    assert life.loc[("i-001", "ApplicationStop"), "status"] == "Succeeded"
    assert life.loc[("i-001", "BeforeInstall"), "status"] == "Skipped"


def test_clock_skew_beyond_the_tolerance() -> None:
    # UG:troubleshooting-deployments.md: "InvalidSignatureException - Signature expired"; the
    # tolerance is 300 s (D7) and can be changed.
    fleet = Fleet.of_size(3).update("i-001", clock_skew_seconds=-420)
    fleet = fleet.update("i-002", clock_skew_seconds=200)
    run = simulate("CodeDeployDefault.AllAtOnce", fleet=fleet)
    table = rows(run)
    assert table.loc["i-001", "status"] == "Failed"
    assert "InvalidSignatureException - Signature expired" in table.loc["i-001", "log_tail"]
    assert table.loc["i-001", "end"] == 300.0
    assert table.loc["i-002", "status"] == "Succeeded"
    tolerant = simulate(
        "CodeDeployDefault.AllAtOnce", fleet=fleet, clock_skew_tolerance_seconds=900
    )
    assert (rows(tolerant).status == "Succeeded").all()


def test_instance_stops_during_an_event() -> None:
    # UG:troubleshooting-auto-scaling.md: an agent that stops responding leaves CodeDeploy
    # waiting up to an hour for the pending event.
    run = simulate("CodeDeployDefault.AllAtOnce", 2, faults=[InstanceStop("i-001", 0.3)])
    row = rows(run).loc["i-001"]
    life = run.lifecycle.set_index(["instance_id", "event"])
    started = life.loc[("i-001", "ApplicationStart"), "start"]
    assert started <= 18.0 < started + 20
    assert row.failed_event == "ApplicationStart"
    assert row.end == started + 3600.0
    assert life.loc[("i-001", "ApplicationStart"), "status"] == "Failed"
    assert life.loc[("i-001", "ValidateService"), "status"] == "Skipped"


def test_instance_stops_before_its_turn() -> None:
    # UG:instances-health.md: a stopped instance is still deployed to and counts as failed; it
    # fails 5 minutes after its turn comes (UG:troubleshooting-ec2-instances.md).
    run = simulate("CodeDeployDefault.AllAtOnce", 3, faults=[InstanceStop("i-002", 0.0)])
    row = rows(run).loc["i-002"]
    assert row.status == "Failed" and row.end - row.start == 300.0
    assert run.status == "Succeeded"


def test_stops_while_waiting_lower_the_healthy_count() -> None:
    # UG:instances-health.md: stopped instances count as failed. HOST_COUNT 3 of 5 deploys two at
    # a time; once i-003 and i-004 stop while waiting, the group can never again have more than
    # 3 healthy instances with i-002 out of service, so the deployment cannot proceed.
    from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts

    config = DeploymentConfig(
        "three", "Server", minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 3)
    )
    stops = [InstanceStop("i-003", 0.1), InstanceStop("i-004", 0.1)]
    run = simulate(config, 5, faults=stops)  # type: ignore[arg-type]
    assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS"
    table = rows(run)
    assert table.status.tolist() == ["Succeeded", "Succeeded", "Skipped", "Skipped", "Skipped"]
    assert run.summary()["lowest_healthy"] == 1
    # Only the last instance stopping: it fails 5 minutes after its turn, and that is allowed.
    late = simulate(config, 5, faults=[InstanceStop("i-004", 0.1)])  # type: ignore[arg-type]
    assert late.status == "Succeeded" and rows(late).loc["i-004", "status"] == "Failed"


def test_a_stop_at_the_instant_an_instance_finishes_counts_after_the_finish() -> None:
    # UG:instances-health.md (codedeploy.md 3.1): a stopped instance counts as failed, and "a
    # deployment must never cause the number of healthy instances to fall below the minimum".
    # OneAtATime on 3 (minimum 2); each instance takes 60 s; i-000 stops at second 60, the
    # instant it finishes. It succeeded (the stop comes after its last event), but the group
    # then has 2 healthy instances, so CodeDeploy may not take i-001 down: it used to, as if
    # i-000 were still healthy, and the count fell to 1.
    one_minute = {"DownloadBundle": 58.0, "Install": 2.0}
    for at in (1.0, 1.01):
        run = simulate(
            n=3,
            hooks={},
            previous_hooks=None,
            reserved_durations=one_minute,
            faults=[InstanceStop("i-000", at)],
        )
        table = rows(run)
        assert table.loc["i-000", "status"] == "Succeeded"
        assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS"
        if at == 1.0:  # i-001 never starts
            assert table.status.tolist() == ["Succeeded", "Skipped", "Skipped"]
            assert run.summary()["lowest_healthy"] == 2
        else:  # i-001 started at second 60, before the stop: the stop, not CodeDeploy, lowers it
            assert table.loc["i-001", "start"] == 60.0
            assert run.summary()["lowest_healthy"] == 1


# ====================================================================== alarms and stops
def test_alarm_already_in_alarm_stops_at_once() -> None:
    # D4: an alarm already in ALARM at the start stops the deployment with ALARM_ACTIVE.
    run = simulate(alarms=[Alarm("cpu", initial_state="ALARM")])
    assert run.status == "Stopped" and run.error_code == "ALARM_ACTIVE"
    assert run.duration == 0.0
    assert (rows(run).status == "Skipped").all()


def test_alarm_during_the_deployment_stops_it_at_the_next_poll() -> None:
    # UG:monitoring-create-alarms.md: the deployment stops and its status becomes Stopped; D2:
    # CodeDeploy polls alarm state every 60 s by default.
    run = simulate(n=6, alarms=[Alarm("cpu")], alarm_events=[(1.2, "cpu", "ALARM")])
    assert run.status == "Stopped" and run.error_code == "ALARM_ACTIVE"
    assert run.duration == 120.0
    assert "Activated alarms: <cpu>" in run.error_message
    table = rows(run)
    assert set(table.status) == {"Succeeded", "Unknown", "Skipped"}
    assert not run.rolled_back
    events = run.events
    assert "AlarmStateChange" in events.event.tolist()
    assert "AlarmDetected" in events.event.tolist()


def test_alarm_that_clears_between_polls_goes_unseen() -> None:
    run = simulate(alarms=[Alarm("cpu")], alarm_events=[(1.1, "cpu", "ALARM"), (1.5, "cpu", "OK")])
    assert run.status == "Succeeded"


def test_alarm_with_rollback() -> None:
    # codedeploy.md 6: rollback on alarm only with DEPLOYMENT_STOP_ON_ALARM.
    run = simulate(
        alarms=[Alarm("cpu")],
        alarm_events=[(1.0, "cpu", "ALARM")],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_STOP_ON_ALARM",)),
    )
    assert run.status == "Stopped" and run.rolled_back


def test_manual_stop() -> None:
    # API:StopDeploymentInput.autoRollbackEnabled decides the rollback.
    run = simulate(manual_stop=ManualStop(1.0, auto_rollback_enabled=True))
    assert run.status == "Stopped" and run.error_code == "MANUAL_STOP"
    assert run.duration == 60.0
    assert run.rolled_back
    assert not simulate(manual_stop=ManualStop(1.0)).rolled_back
    assert simulate(manual_stop=ManualStop(500.0)).status == "Succeeded"


def test_alarm_events_must_name_an_alarm() -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'cpu'"):
        simulate(alarms=[Alarm("cpu")], alarm_events=[(1.0, "cpux", "ALARM")])
    with pytest.raises(ConfigError, match=r"at most 10 alarms"):
        simulate(alarms=[Alarm(f"a{k}") for k in range(11)])


# ====================================================================== rollback
def test_rollback_is_a_new_deployment() -> None:
    # UG:deployments-rollback-and-redeploy.md: a rollback redeploys the last known good revision
    # as a new deployment; API:DeploymentInfo.creator codeDeployRollback; D6: every instance of
    # the group, same configuration.
    run = simulate(
        faults=[ScriptFault("ApplicationStart", instances=["i-001"])], auto_rollback=ON_FAILURE
    )
    assert run.status == "Failed" and run.rolled_back
    deployments = run.deployments.set_index("deployment_id")
    rollback_id = run.rollback_deployment_id
    assert rollback_id is not None and rollback_id != run.deployment_id
    assert rollback_id.startswith("d-") and len(rollback_id) == 11
    assert deployments.loc[rollback_id, "creator"] == "codeDeployRollback"
    assert deployments.loc[rollback_id, "rollback_triggering_deployment_id"] == run.deployment_id
    assert deployments.loc[run.deployment_id, "rollback_deployment_id"] == rollback_id
    assert deployments.loc[rollback_id, "status"] == "Succeeded"
    assert deployments.loc[rollback_id, "start"] == run.duration
    back = rows(run, rollback_id)
    assert len(back) == 5 and (back.status == "Succeeded").all()
    # The rollback deploys the previous revision's scripts.
    life = run.lifecycle[run.lifecycle.deployment_id == rollback_id]
    assert (
        life.set_index(["instance_id", "event"]).loc[("i-004", "ApplicationStart"), "duration"]
        == 25.0
    )
    assert run.summary()["rollback_status"] == "Succeeded"


def test_rollback_application_stop_uses_the_last_install() -> None:
    # codedeploy.md 4.1 and trap 6: the agent records the last successful install at the end of
    # Install, so the rollback's ApplicationStop runs the failed revision's script (new/stop.sh,
    # 3 s) on instances that got past Install, and the previous one's (old/stop.sh, 4 s) on the
    # others.
    failing = ScriptFault("ApplicationStart", instances=["i-002"])
    run = simulate(faults=[failing], auto_rollback=ON_FAILURE)
    life = run.lifecycle[
        (run.lifecycle.deployment_id == run.rollback_deployment_id)
        & (run.lifecycle.event == "ApplicationStop")
    ].set_index("instance_id")
    assert life.duration.to_dict() == {
        "i-000": 3.0,
        "i-001": 3.0,
        "i-002": 3.0,
        "i-003": 4.0,
        "i-004": 4.0,
    }
    assert run.deployments.status.tolist() == ["Failed", "Succeeded"]
    # A broken ApplicationStop in the new revision breaks the rollback on an updated instance.
    broken = ScriptFault("ApplicationStop", revision="target", instances=["i-000"])
    again = simulate(faults=[failing, broken], auto_rollback=ON_FAILURE)
    back = rows(again, again.rollback_deployment_id)
    assert back.loc["i-000", "failed_event"] == "ApplicationStop"
    assert back.loc["i-000", "script"] == "new/stop.sh"
    assert again.deployments.status.tolist() == ["Failed", "Failed"]


def test_no_rollback_without_an_earlier_good_revision() -> None:
    # D6: with no earlier good revision there is no rollback, and the result says why.
    fleet = Fleet.of_size(3, revision="Unknown")
    failing = ScriptFault("ApplicationStart", instances=["i-000", "i-001"])
    run = simulate(fleet=fleet, faults=[failing], auto_rollback=ON_FAILURE)
    assert run.status == "Failed" and not run.rolled_back
    message = run.deployments.rollback_message.iloc[0]
    assert "no earlier successful revision" in message


def test_disabled_rollback_leaves_the_fleet_as_it_is() -> None:
    # UG:deployment-groups-configure-advanced-options.md: rollbacks can be disabled.
    run = simulate(
        faults=[ScriptFault("ApplicationStart", instances=["i-001"])],
        auto_rollback=AutoRollback.disabled(),
    )
    assert run.status == "Failed" and not run.rolled_back
    assert len(run.deployments) == 1


def test_no_rollback_when_nothing_was_deployed() -> None:
    fleet = Fleet.of_size(10)
    from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts

    config = DeploymentConfig(
        "p95", "Server", minimum_healthy_hosts=MinimumHealthyHosts("FLEET_PERCENT", 95)
    )
    run = simulate(config, fleet=fleet, auto_rollback=ON_FAILURE)  # type: ignore[arg-type]
    assert run.error_code == "HEALTH_CONSTRAINTS_INVALID" and not run.rolled_back


# ====================================================================== notifications
def test_instance_and_deployment_notifications() -> None:
    # codedeploy.md 9: SNS trigger messages (numbers as strings, PascalCase inside) and
    # EventBridge "CodeDeploy Instance State-change Notification".
    seen = []
    deployment = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(3),
        hooks=HOOKS,
        faults=[ScriptFault("ApplicationStart", instances=["i-001"])],
    )
    run = simulate_server(deployment, rng=1, on_notification=seen.append)
    assert seen == run.notifications
    sns = [n for n in seen if n.channel == "sns"]
    assert [n.event for n in sns] == [
        "DeploymentStart",
        "InstanceStart",
        "InstanceSuccess",
        "InstanceStart",
        "InstanceFailure",
        "DeploymentFailure",
    ]
    failure = next(n for n in sns if n.event == "InstanceFailure").payload
    assert failure["instanceId"].endswith(":instance/i-001")
    assert failure["instanceStatus"] == "Failed"
    events = {e["LifecycleEvent"]: e for e in failure["lifecycleEvents"]}
    assert events["ApplicationStart"]["LifecycleEventStatus"] == "Failed"
    assert isinstance(events["ApplicationStart"]["StartTime"], str)
    assert events["ValidateService"]["LifecycleEventStatus"] == "Skipped"
    bridge = [n for n in seen if n.channel == "eventbridge" and n.event.startswith("Instance")]
    assert bridge[0].payload["detail-type"] == "CodeDeploy Instance State-change Notification"
    assert bridge[0].payload["detail"]["instanceId"] == "i-000"
    assert [n.payload["detail"]["state"] for n in bridge] == [
        "START",
        "SUCCESS",
        "START",
        "FAILURE",
    ]
    end = sns[-1].payload
    assert end["status"] == "Failed"
    assert end["errorInformation"]["ErrorCode"] == "HEALTH_CONSTRAINTS"
    assert end["deploymentOverview"]["Failed"] == "1"
    assert [n.time for n in seen] == sorted(n.time for n in seen)


def test_rollback_notification() -> None:
    run = simulate(
        n=2, faults=[ScriptFault("ApplicationStart", instances=["i-000"])], auto_rollback=ON_FAILURE
    )
    events = [
        (n.event, n.payload["deploymentId"])
        for n in run.notifications
        if n.channel == "sns" and n.event.startswith("Deployment")
    ]
    assert ("DeploymentRollback", run.deployment_id) in events
    assert ("DeploymentStart", run.rollback_deployment_id) in events


def test_health_carries_over_to_the_next_deployment() -> None:
    # UG:instances-health.md: after a failed deployment, attempted instances are Healthy or
    # Unhealthy from their own result and the others keep their value; the next deployment
    # starts with the unhealthy ones.
    fleet = Fleet.of_size(4, revision="Unknown").update("i-003", revision="Old")
    run = simulate(
        fleet=fleet, faults=[ScriptFault("ApplicationStart", instances=["i-001", "i-002"])]
    )
    after = run.fleet_after
    assert [i.healthy for i in after] == [True, False, False, True]
    # i-002 was never attempted (the deployment failed first): still never deployed to.
    assert [i.revision for i in after] == ["Old", "Old", "Unknown", "Old"]
    again = simulate(fleet=after)
    order = rows(again).sort_values("start").index.tolist()
    assert order[:2] == ["i-001", "i-002"]


def test_fleet_after_blue_green_and_scale_out() -> None:
    from shiftsim.server import BlueGreen, ScaleOut

    fleet = Fleet.of_size(2, auto_scaling_group="web")
    run = simulate(fleet=fleet, load_balancer=True, blue_green=BlueGreen())
    assert run.fleet_after.ids == ("i-000-green", "i-001-green")
    grown = simulate(fleet=fleet, scale_outs=[ScaleOut(0.1, "web", instance_ids=["i-new"])])
    assert grown.fleet_after.ids == ("i-000", "i-001", "i-new")


def test_agent_failure_notification_comes_after_five_minutes() -> None:
    fleet = Fleet.of_size(2).update("i-001", agent_installed=False)
    run = simulate("CodeDeployDefault.AllAtOnce", fleet=fleet)
    failure = next(n for n in run.notifications if n.event == "InstanceFailure")
    assert failure.time == 300.0
    statuses = {e["LifecycleEventStatus"] for e in failure.payload["lifecycleEvents"]}
    assert statuses == {"Skipped"}
