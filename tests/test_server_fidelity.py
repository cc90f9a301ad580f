"""EC2/on-premises fidelity, second pass (issue 12): decisions D9, D13, D15, D16 of
../shared/reference/codedeploy.md, on both engines.

UG = AWS CodeDeploy User Guide, https://docs.aws.amazon.com/codedeploy/latest/userguide/<page>.html;
API = the CodeDeploy API Reference (codedeploy.md section 0).
"""

from __future__ import annotations

import numpy as np
import pytest

from shiftsim.alarms import Alarm
from shiftsim.appspec import load_appspec
from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet, Instance
from shiftsim.rollback import AutoRollback
from shiftsim.server import (
    BlueGreen,
    FileConflict,
    ScaleIn,
    Script,
    ScriptFault,
    ServerDeployment,
    ServerRun,
    ServerStepper,
    simulate_server,
    simulate_server_sequence,
)
from shiftsim.vocabulary import LIMITS, MAX_IN_PLACE_RUN_MINUTES

ENGINES = ("core", "kernel")
SLOW_START = {"ApplicationStart": [Script("scripts/start.sh", duration=50 * 60)]}


def start_order(run: ServerRun) -> list[str]:
    frame = run.instances
    frame = frame[frame.deployment_id == run.deployment_id].dropna(subset=["start"])
    return frame.sort_values("start", kind="stable").instance_id.tolist()


# ====================================================================== D13: instance order
@pytest.mark.parametrize("engine", ENGINES)
def test_d13_unhealthy_then_unknown_then_old_then_current(engine: str) -> None:
    # D13; UG:instances-health.md "Order in which instances are scheduled": unhealthy first,
    # then revision health Unknown, then Old, then Current (codedeploy.md 3.1).
    fleet = Fleet(
        [
            Instance("i-cur", revision="Current"),
            Instance("i-old", revision="Old"),
            Instance("i-unk", revision="Unknown", healthy=True),
            Instance("i-unh", healthy=False),
        ]
    )
    run = simulate_server(ServerDeployment("OneAtATime", fleet=fleet), rng=1, engine=engine)
    assert start_order(run) == ["i-unh", "i-unk", "i-old", "i-cur"]


def test_d13_shuffle_keeps_the_classes() -> None:
    # D13's option: shuffle within each class with the run's rng.
    fleet = Fleet(
        [Instance(f"i-c{k}", revision="Current") for k in range(4)]
        + [Instance(f"i-o{k}", revision="Old") for k in range(4)]
        + [Instance(f"i-u{k}", revision="Unknown", healthy=True) for k in range(4)]
    )
    orders = set()
    for seed in range(4):
        run = simulate_server(
            ServerDeployment("OneAtATime", fleet=fleet, order="shuffle"), rng=seed
        )
        order = start_order(run)
        assert [i[2] for i in order] == ["u"] * 4 + ["o"] * 4 + ["c"] * 4
        orders.add(tuple(order))
    assert len(orders) > 1


def test_d13_a_rollback_orders_by_the_revision_health_the_deployment_left() -> None:
    # UG:instances-health.md: after a failed deployment the group's revision stays; the
    # instances it reached hold a revision other than the group's (shiftsim: Old), the others
    # keep Current, so the rollback deploys to the failed instance, then the Old ones.
    fleet = Fleet.of_size(4, revision="Current")
    d = ServerDeployment(
        "OneAtATime",
        fleet=fleet,
        faults=[ScriptFault("ValidateService", instances=["i-001"])],
        hooks={"ValidateService": [Script("v.sh", 5)]},
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )
    run = simulate_server(d, rng=1)
    rollback = run.instances[run.instances.deployment_id != run.deployment_id]
    order = rollback.dropna(subset=["start"]).sort_values("start", kind="stable")
    assert order.instance_id.tolist() == ["i-001", "i-000", "i-002", "i-003"]


# ====================================================================== D15: run-time limit
@pytest.mark.parametrize("engine", ENGINES)
def test_d15_in_place_deployment_times_out_at_twelve_hours(engine: str) -> None:
    # D15; UG:limits.md (current quotas page): an EC2/on-premises in-place deployment may run
    # 12 hours; one still running then fails with ErrorCode TIMEOUT (API:ErrorInformation).
    # 16 instances one at a time with 50-minute scripts would take 13.4 hours.
    d = ServerDeployment("OneAtATime", fleet=Fleet.of_size(16), hooks=SLOW_START)
    run = simulate_server(d, rng=1, engine=engine)
    assert (run.status, run.error_code) == ("Failed", "TIMEOUT")
    main = run.deployments.iloc[0]
    assert main.end == 12 * 3600.0
    assert run.instances.status.value_counts().to_dict() == {
        "Succeeded": 14,
        "Unknown": 1,
        "Skipped": 1,
    }
    assert LIMITS["MAX_IN_PLACE_RUN_MINUTES"].value == MAX_IN_PLACE_RUN_MINUTES == 720


def test_d15_the_limit_is_a_parameter() -> None:
    # D15: 8 hours for custom configurations created before June 2023; any value for others.
    base = ServerDeployment("OneAtATime", fleet=Fleet.of_size(16), hooks=SLOW_START)
    longer = simulate_server(base.__class__(**{**_fields(base), "max_run_time_minutes": 900}))
    assert longer.status == "Succeeded"
    legacy = simulate_server(base.__class__(**{**_fields(base), "max_run_time_minutes": 480}))
    assert legacy.error_code == "TIMEOUT" and legacy.deployments.iloc[0].end == 8 * 3600.0
    with pytest.raises(ConfigError, match="max_run_time_minutes"):
        ServerDeployment("OneAtATime", fleet=Fleet.of_size(2), max_run_time_minutes=0)


def test_d15_a_timeout_rolls_back_as_a_failure() -> None:
    # A TIMEOUT is a failed deployment, so DEPLOYMENT_FAILURE rolls it back (API:
    # AutoRollbackConfiguration); the rollback has its own limit from its own start.
    d = ServerDeployment(
        "OneAtATime",
        fleet=Fleet.of_size(16),
        hooks=SLOW_START,
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )
    run = simulate_server(d, rng=1)
    assert run.error_code == "TIMEOUT" and run.rolled_back
    assert run.deployments.iloc[1].creator == "codeDeployRollback"


def _fields(d: ServerDeployment) -> dict:
    return {name: getattr(d, name) for name in d.__dataclass_fields__}


# ====================================================================== D9: alarms
def test_d9_ten_alarms_by_default_more_with_a_raised_quota() -> None:
    # D9; API:AlarmConfiguration ("A maximum of 10 alarms"), AlarmsLimitExceededException; the
    # current quotas page lists 50, adjustable: a parameter for a raised quota.
    alarms = [Alarm(f"a{k}") for k in range(11)]
    with pytest.raises(ConfigError, match=r"at most 10 alarms.*max_alarms"):
        ServerDeployment(fleet=Fleet.of_size(2), alarms=alarms)
    d = ServerDeployment(fleet=Fleet.of_size(2), alarms=alarms, max_alarms=50)
    assert len(d.alarms) == 11
    with pytest.raises(ConfigError, match="at most 50 alarms"):
        ServerDeployment(
            fleet=Fleet.of_size(2), alarms=[Alarm(f"a{k}") for k in range(51)], max_alarms=50
        )


# ====================================================================== D16: existing files
@pytest.mark.parametrize("engine", ENGINES)
def test_d16_disallow_fails_install_on_a_conflicting_file(engine: str) -> None:
    # D16; UG:troubleshooting-deployments.md: with the default DISALLOW a file already at a
    # destination fails Install ("a specified file already exists at this location").
    d = ServerDeployment(
        "AllAtOnce", fleet=Fleet.of_size(3), faults=[FileConflict(instances=["i-001"])]
    )
    run = simulate_server(d, rng=1, engine=engine)
    row = run.instances.set_index("instance_id").loc["i-001"]
    assert (row.status, row.failed_event, row.error_code) == ("Failed", "Install", "UnknownError")
    assert "specified file already exists" in row.message
    assert run.status == "Succeeded"  # AllAtOnce: one success is enough


@pytest.mark.parametrize("behavior", ["OVERWRITE", "RETAIN"])
def test_d16_overwrite_and_retain_install(behavior: str) -> None:
    # D16; UG:reference-appspec-file-structure-other.md: OVERWRITE replaces, RETAIN keeps.
    d = ServerDeployment(
        "OneAtATime",
        fleet=Fleet.of_size(3),
        faults=[FileConflict()],
        file_exists_behavior=behavior,
    )
    assert simulate_server(d, rng=1).instances.status.eq("Succeeded").all()


def test_d16_the_appspec_option_takes_precedence() -> None:
    # codedeploy.md 5.1: the AppSpec's file_exists_behavior takes precedence over the
    # CreateDeployment fileExistsBehavior.
    appspec = load_appspec(
        "version: 0.0\nos: linux\nfile_exists_behavior: OVERWRITE\n"
        "files:\n  - source: /\n    destination: /var/www\n",
        platform="Server",
    )
    d = ServerDeployment(
        "OneAtATime",
        fleet=Fleet.of_size(2),
        appspec=appspec,
        faults=[FileConflict()],
        file_exists_behavior="DISALLOW",
    )
    assert d.effective_file_exists_behavior == "OVERWRITE"
    assert simulate_server(d, rng=1).status == "Succeeded"


def test_d16_a_rollback_uses_the_last_successful_deployments_option() -> None:
    # D16; UG:deployments-rollback-and-redeploy.md: the rollback reuses the content option of
    # the last successful deployment, not the failed one's.
    def run(previous: str | None) -> ServerRun:
        d = ServerDeployment(
            "AllAtOnce",
            fleet=Fleet.of_size(2),
            faults=[FileConflict()],
            file_exists_behavior=None,
            previous_file_exists_behavior=previous,
            auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
        )
        return simulate_server(d, rng=1)

    assert run("OVERWRITE").deployments.status.tolist() == ["Failed", "Succeeded"]
    assert run(None).deployments.status.tolist() == ["Failed", "Failed"]
    with pytest.raises(ConfigError, match="file_exists_behavior"):
        ServerDeployment(fleet=Fleet.of_size(2), file_exists_behavior="REPLACE")


# ====================================================================== termination wait
def _blue_green(**options: object) -> ServerDeployment:
    return ServerDeployment(
        "AllAtOnce",
        fleet=Fleet.of_size(3, auto_scaling_group="asg"),
        load_balancer=True,
        blue_green=BlueGreen(**options),  # type: ignore[arg-type]
    )


def test_continue_deployment_ends_the_termination_wait_early() -> None:
    # API:ContinueDeployment (deploymentWaitType TERMINATION_WAIT) and
    # SkipWaitTimeForInstanceTermination end the blue/green termination wait early
    # (codedeploy.md 7, D12).
    full = simulate_server(_blue_green(), rng=1)
    early = simulate_server(_blue_green(skip_termination_wait_after_minutes=5), rng=1)
    events = early.events.set_index("event")
    wait_start = events.loc["TerminationWait", "time"]
    assert events.loc["ContinueDeployment", "detail"] == "TERMINATION_WAIT"
    assert early.duration == wait_start + 300.0 == full.duration - 55 * 60.0
    assert early.status == "Succeeded"


def test_stepper_continue_deployment_termination_wait() -> None:
    stepper = ServerStepper(_blue_green(), np.random.SeedSequence(1))
    with pytest.raises(ConfigError, match="DeploymentIsNotInReadyStateException"):
        stepper.continue_deployment("TERMINATION_WAIT")  # minute 0: not in the wait yet
    stepper.advance(20.0)
    stepper.continue_deployment("TERMINATION_WAIT")
    assert stepper.finish().duration == 20 * 60.0


def test_keep_alive_has_no_termination_wait() -> None:
    # API:BlueInstanceTerminationOption: KEEP_ALIVE deregisters the originals and leaves them
    # running; instanceTerminationWaitTimeStarted is false (API:DeploymentInfo).
    run = simulate_server(_blue_green(termination_action="KEEP_ALIVE"), rng=1)
    assert "TerminationWait" not in run.events.event.tolist()
    with pytest.raises(ConfigError, match="KEEP_ALIVE has no wait"):
        BlueGreen(termination_action="KEEP_ALIVE", skip_termination_wait_after_minutes=1)


# ====================================================================== consecutive deployments
def test_a_sequence_orders_the_next_deployment_by_what_the_last_left() -> None:
    fleet = Fleet.of_size(4)
    hooks = {"ApplicationStart": [Script("start.sh", 10)]}
    # UG:instances-health.md: instance health persists across deployments; after a successful
    # deployment the group's revision is the new one (its instances Current), after a failed
    # one attempted instances are Healthy or Unhealthy from their own result. The next
    # deployment schedules by D13: unhealthy, Unknown, Old, Current. OneAtATime on 4: i-001
    # fails, so the deployment fails with i-002 and i-003 never attempted.
    first = ServerDeployment(
        "OneAtATime",
        fleet=fleet,
        hooks=hooks,
        faults=[ScriptFault("ApplicationStart", instances=["i-001"])],
    )
    second = ServerDeployment("OneAtATime", fleet=fleet, hooks=hooks)
    third = ServerDeployment("OneAtATime", fleet=fleet, hooks=hooks)
    for engine in ENGINES:
        result = simulate_server_sequence([first, second, third], rng=3, engine=engine)
        assert [r.status for r in result.runs] == ["Failed", "Succeeded", "Succeeded"]
        # After the failure: i-001 unhealthy; i-000 holds the failed revision, i-002 and i-003
        # the old one (all Old): unhealthy first, then fleet order.
        assert start_order(result.runs[1]) == ["i-001", "i-000", "i-002", "i-003"]
        assert {i.revision for i in result.runs[1].fleet_after} == {"Current"}
        assert result.start_times[1] == result.runs[0].duration
        assert (
            result.runs[1].deployment.previous_hooks
            == result.runs[0].deployment.resolved_previous_hooks
        )
        assert result.runs[2].deployment.previous_hooks == result.runs[1].deployment.resolved_hooks


def test_a_sequence_carries_the_last_successful_file_option() -> None:
    # D16; UG:deployments-rollback-and-redeploy.md: the content option of the last successful
    # deployment is what a rollback reuses.
    fleet = Fleet.of_size(2)
    first = ServerDeployment("AllAtOnce", fleet=fleet, file_exists_behavior="OVERWRITE")
    second = ServerDeployment(
        "AllAtOnce",
        fleet=fleet,
        faults=[FileConflict()],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )
    result = simulate_server_sequence([first, second], rng=1)
    assert result.runs[1].deployment.previous_file_exists_behavior == "OVERWRITE"
    assert result.runs[1].deployments.status.tolist() == ["Failed", "Succeeded"]
    with pytest.raises(ConfigError, match="non-empty sequence"):
        simulate_server_sequence([])


# ====================================================================== scale-in
def _scale_in(hook: bool) -> ServerDeployment:
    hooks = {
        "ApplicationStart": [Script("start.sh", 60)],
        "ApplicationStop": [Script("stop.sh", 30)],
        "BeforeBlockTraffic": [Script("drain.sh", 5)],
    }
    return ServerDeployment(
        "AllAtOnce",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks=hooks,
        load_balancer=True,
        scale_ins=[ScaleIn(0.5, "web", instance_ids=["i-002"]), ScaleIn(60, "web")],
        termination_hook_enabled=hook,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_scale_in_with_the_termination_hook_runs_termination_deployments(engine: str) -> None:
    # API:CreateDeploymentGroupInput.terminationHookEnabled: CodeDeploy installs a termination
    # hook and performs termination deployments (creator autoscalingTermination,
    # API:DeploymentCreator) on scale-in, during (i-002) and after (i-003) the deployment.
    run = simulate_server(_scale_in(True), rng=1, engine=engine)
    deployments = run.deployments
    assert deployments.creator.tolist() == [
        "user",
        "autoscalingTermination",
        "autoscalingTermination",
    ]
    assert deployments.start.tolist()[1:] == [30.0, 3600.0]
    life = run.lifecycle
    term = life[life.deployment_id == deployments.deployment_id.iloc[1]]
    assert term.event.tolist() == [
        "BeforeBlockTraffic",
        "BlockTraffic",
        "AfterBlockTraffic",
        "ApplicationStop",
    ]
    assert term.status.eq("Succeeded").all()
    # The scaled-in instances leave the group.
    assert [i.id for i in run.fleet_after] == ["i-000", "i-001"]
    # i-002 was in the middle of its update: the user's deployment fails there as on a stopped
    # instance (UG:integrations-aws-auto-scaling-suspend-processes.md: a scale-in can terminate
    # an instance in the middle of its update).
    main = run.instances[run.instances.deployment_id == run.deployment_id].set_index("instance_id")
    assert main.loc["i-002", "status"] == "Failed"


def test_scale_in_without_the_hook_just_terminates() -> None:
    run = simulate_server(_scale_in(False), rng=1)
    assert run.deployments.creator.tolist() == ["user"]
    assert "ScaleIn" in run.events.event.tolist()
    assert [i.id for i in run.fleet_after] == ["i-000", "i-001"]
    with pytest.raises(ConfigError, match="scale_ins"):
        ServerDeployment(
            fleet=Fleet.of_size(2, auto_scaling_group="web"),
            scale_ins=[ScaleIn(1, "web", instance_ids=["i-009"])],
        )


def test_stepper_scale_in() -> None:
    d = ServerDeployment(
        "OneAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks={"ApplicationStart": [Script("start.sh", 60)]},
        termination_hook_enabled=True,
    )
    stepper = ServerStepper(d, np.random.SeedSequence(1))
    stepper.advance(2.0)
    stepper.scale_in("web", instance_ids=["i-003"])
    run = stepper.finish()
    assert run.deployments.creator.tolist() == ["user", "autoscalingTermination"]
    assert run.deployments.start.tolist()[1] == 120.0
