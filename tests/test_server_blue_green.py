"""EC2 blue/green deployments (codedeploy.md section 7, decision D12)."""

from __future__ import annotations

import pandas as pd
import pytest

from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts, ZonalConfig
from shiftsim.errors import ConfigError, UnsupportedScenarioError
from shiftsim.fleet import Fleet, TagFilter, Targets
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.server import (
    BlueGreen,
    LoadBalancerFault,
    Script,
    ScriptFault,
    ServerDeployment,
    ServerRun,
    simulate_server,
)

HOOKS = {
    "ApplicationStart": [Script("new/start.sh", 20)],
    "BeforeBlockTraffic": [Script("drain.sh", 5)],
    "AfterAllowTraffic": [Script("smoke.sh", 8)],
}


def simulate(
    blue_green: BlueGreen | None = None,
    config: str = "CodeDeployDefault.HalfAtATime",
    n: int = 4,
    **kwargs: object,
) -> ServerRun:
    fleet = kwargs.pop("fleet", None) or Fleet.of_size(n, auto_scaling_group="web")
    deployment = ServerDeployment(
        config,
        fleet=fleet,
        hooks=HOOKS,
        load_balancer=True,
        blue_green=blue_green or BlueGreen(),
        **kwargs,
    )  # type: ignore[arg-type]
    return simulate_server(deployment, rng=9)


def life(run: ServerRun, deployment_id: str | None = None) -> pd.DataFrame:
    frame = run.lifecycle
    return frame[frame.deployment_id == (deployment_id or run.deployment_id)]


def test_order_install_reroute_block_terminate() -> None:
    # UG:welcome.md, UG:deployments.md ([INFERENCE] codedeploy.md 4.2): install on the
    # replacements, reroute traffic to them, deregister the originals, then terminate them after
    # the termination wait (D12: 60 minutes by default).
    run = simulate()
    assert run.status == "Succeeded"
    frame = life(run)
    green = frame[frame.instance_id.str.endswith("-green")]
    blue = frame[~frame.instance_id.str.endswith("-green")]
    assert set(green.event) == {
        "ApplicationStop",
        "DownloadBundle",
        "BeforeInstall",
        "Install",
        "AfterInstall",
        "ApplicationStart",
        "ValidateService",
        "BeforeAllowTraffic",
        "AllowTraffic",
        "AfterAllowTraffic",
    }
    assert set(blue.event) == {"BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic"}
    installed = green[green.event == "ValidateService"].end.max()
    assert green[green.event == "BeforeAllowTraffic"].start.min() >= installed
    rerouted = green[green.event == "AfterAllowTraffic"].end.max()
    assert blue.start.min() == rerouted
    blocked = blue.end.max()
    assert run.duration == blocked + 60 * 60
    events = run.events
    assert events.event.tolist()[-3:] == ["TerminationWait", "Terminate", "DeploymentEnd"]
    types = run.instances.set_index("instance_id").instance_type
    assert types["i-000"] == "Blue" and types["i-000-green"] == "Green"


def test_replacements_follow_the_minimum_healthy_rules() -> None:
    # UG:instances-health.md: the minimum applies to the replacement environment; HalfAtATime on
    # 4 replacements installs (and reroutes, [INFERENCE]) 2 at a time.
    run = simulate()
    frame = life(run)
    starts = frame[frame.event == "ApplicationStop"].start
    assert starts.value_counts().tolist() == [2, 2]
    assert run.summary()["minimum_healthy"] == 2


def test_copy_auto_scaling_group_copies_the_healthy_instances() -> None:
    # UG:deployment-groups-create-blue-green.md: as many instances as the group has healthy.
    fleet = Fleet.of_size(5, auto_scaling_group="web").update("i-004", healthy=False)
    run = simulate(fleet=fleet)
    green = run.instances[run.instances.instance_type == "Green"]
    assert len(green) == 4


def test_discover_existing_uses_the_given_instances() -> None:
    green_fleet = Fleet.of_size(6, prefix="g-", tags={"color": "green"})
    green_fleet = green_fleet.update(["g-000"], tags={"color": "other"})
    bg = BlueGreen(
        "DISCOVER_EXISTING",
        green_fleet=green_fleet,
        green_targets=Targets(ec2_tag_filters=[TagFilter("color", "green")]),
    )
    run = simulate(bg, config="CodeDeployDefault.AllAtOnce")
    green = run.instances[run.instances.instance_type == "Green"]
    assert sorted(green.instance_id) == ["g-001", "g-002", "g-003", "g-004", "g-005"]


def test_keep_alive_ends_after_deregistration() -> None:
    run = simulate(BlueGreen(termination_action="KEEP_ALIVE"))
    assert run.duration == life(run).end.max()
    assert "KeepAlive" in run.events.event.tolist()


def test_termination_wait_is_configurable() -> None:
    run = simulate(BlueGreen(termination_wait_time_in_minutes=5))
    assert run.duration == life(run).end.max() + 300
    with pytest.raises(
        ConfigError,
        match=r"termination_wait_time_in_minutes must be an integer "
        r"in \[0, 2880\]",
    ):
        BlueGreen(termination_wait_time_in_minutes=3000)


def test_stop_deployment_without_continue_is_stopped() -> None:
    # API:DeploymentReadyOption: with STOP_DEPLOYMENT and no ContinueDeployment within
    # waitTimeInMinutes, the deployment status becomes Stopped.
    run = simulate(BlueGreen(action_on_timeout="STOP_DEPLOYMENT", wait_time_in_minutes=30))
    assert run.status == "Stopped"
    ready = run.events.set_index("event").loc["Ready", "time"]
    assert run.duration == ready + 30 * 60
    statuses = run.instances.set_index("instance_id").status
    assert statuses["i-000-green"] == "Ready" and statuses["i-000"] == "Skipped"
    sns = [n.event for n in run.notifications if n.channel == "sns"]
    assert sns.count("InstanceReady") == 4 and "DeploymentReady" in sns


def test_stop_deployment_with_continue_resumes() -> None:
    run = simulate(
        BlueGreen(
            action_on_timeout="STOP_DEPLOYMENT", wait_time_in_minutes=30, continue_after_minutes=10
        )
    )
    assert run.status == "Succeeded"
    events = run.events.set_index("event")
    assert events.loc["ContinueDeployment", "time"] == events.loc["Ready", "time"] + 600
    frame = life(run)
    assert (
        frame[frame.event == "BeforeAllowTraffic"].start.min()
        == events.loc["ContinueDeployment", "time"]
    )


def test_one_original_failing_to_deregister_fails_the_deployment() -> None:
    # UG:instances-health.md: if even one original instance fails to deregister, the whole
    # deployment is marked Failed.
    run = simulate(faults=[LoadBalancerFault("BlockTraffic", instances=["i-002"])])
    assert run.status == "Failed"
    assert "failed to deregister" in run.error_message
    row = run.instances.set_index("instance_id").loc["i-002"]
    assert row.failed_event == "BlockTraffic" and row.error_code == "UnknownError"


def test_rollback_reroutes_traffic_to_the_originals() -> None:
    # UG:welcome.md: a blue/green rollback routes traffic back to the original instances; the
    # hooks per codedeploy.md 4.2 (AllowTraffic on originals, BlockTraffic on replacements).
    run = simulate(
        faults=[ScriptFault("BeforeBlockTraffic", instances=["i-001"], revision="previous")],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )
    assert run.status == "Failed" and run.rolled_back
    rollback = run.deployments.set_index("creator").loc["codeDeployRollback"]
    assert rollback.deployment_type == "BLUE_GREEN" and rollback.status == "Succeeded"
    frame = life(run, rollback.deployment_id)
    blue = frame[~frame.instance_id.str.endswith("-green")]
    green = frame[frame.instance_id.str.endswith("-green")]
    assert set(blue.event) == {"BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"}
    assert set(green.event) == {"BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic"}
    assert green.start.min() >= blue.end.max()


def test_rollback_before_traffic_moved_has_nothing_to_reroute() -> None:
    run = simulate(
        faults=[ScriptFault("ApplicationStart")],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )
    assert run.status == "Failed" and run.rolled_back
    assert run.lifecycle.deployment_id.eq(run.deployment_id).all()
    assert run.deployments.status.tolist() == ["Failed", "Succeeded"]


def test_manual_stop_during_rerouting() -> None:
    run = simulate(manual_stop=ManualStop(1.5))
    assert run.status == "Stopped" and run.error_code == "MANUAL_STOP"


def test_blue_green_needs_a_load_balancer_and_ec2() -> None:
    fleet = Fleet.of_size(2, auto_scaling_group="web")
    with pytest.raises(ConfigError, match=r"load_balancer must be True for a blue/green"):
        ServerDeployment(fleet=fleet, blue_green=BlueGreen())
    on_prem = Fleet.of_size(2, on_premises=True)
    with pytest.raises(ConfigError, match=r"applies to EC2 instances only"):
        ServerDeployment(
            fleet=on_prem,
            load_balancer=True,
            blue_green=BlueGreen("DISCOVER_EXISTING", green_fleet=Fleet.of_size(1, prefix="g-")),
        )
    with pytest.raises(ConfigError, match=r"needs original instances in an Auto Scaling group"):
        ServerDeployment(fleet=Fleet.of_size(2), load_balancer=True, blue_green=BlueGreen())
    with pytest.raises(ConfigError, match=r"must be a Fleet with DISCOVER_EXISTING"):
        BlueGreen("DISCOVER_EXISTING")


def test_zonal_blue_green_is_not_modelled() -> None:
    config = DeploymentConfig(
        "z",
        "Server",
        minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 1),
        zonal_config=ZonalConfig(),
    )
    with pytest.raises(UnsupportedScenarioError, match=r"zonal configuration with a blue/green"):
        ServerDeployment(
            config,
            fleet=Fleet.of_size(2, auto_scaling_group="w"),
            load_balancer=True,
            blue_green=BlueGreen(),
        )
