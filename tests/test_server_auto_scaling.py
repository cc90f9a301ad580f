"""Auto Scaling during EC2 deployments (codedeploy.md section 8, trap 15)."""

from __future__ import annotations

import pytest

from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet
from shiftsim.rollback import AutoRollback
from shiftsim.server import (
    ScaleIn,
    ScaleOut,
    Script,
    ScriptFault,
    ServerDeployment,
    ServerRun,
    simulate_server,
)

HOOKS = {"ApplicationStart": [Script("new/start.sh", 20)]}
PREVIOUS = {"ApplicationStart": [Script("old/start.sh", 30)]}


def simulate(*scale_outs: ScaleOut, n: int = 4, **kwargs: object) -> ServerRun:
    fleet = kwargs.pop("fleet", None) or Fleet.of_size(n, auto_scaling_group="web")
    deployment = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=fleet,
        hooks=HOOKS,
        previous_hooks=PREVIOUS,
        scale_outs=scale_outs,
        **kwargs,
    )  # type: ignore[arg-type]
    return simulate_server(deployment, rng=5)


def test_scale_out_gets_the_last_successful_revision_then_a_follow_up() -> None:
    # UG:integrations-aws-auto-scaling.md: instances launched during a deployment receive the
    # revision most recently deployed successfully; after the deployment succeeds, CodeDeploy
    # starts a follow-on deployment (creator CodeDeployAutoUpdate) to update them.
    run = simulate(ScaleOut(0.5, "web", count=2, instance_ids=["i-new1", "i-new2"]))
    frame = run.deployments
    assert frame.creator.tolist() == ["user", "autoscaling", "CodeDeployAutoUpdate"]
    launch, follow = frame.iloc[1], frame.iloc[2]
    assert launch.start == 30.0 and launch.status == "Succeeded"
    assert follow.auto_update_root_deployment_id == run.deployment_id
    assert frame.iloc[0].auto_update_deployment_ids == follow.deployment_id
    assert follow.start == max(run.duration, launch.end)
    life = run.lifecycle.set_index(["deployment_id", "instance_id", "event"])
    # The launch deployment installs the previous revision (old/start.sh, 30 s) ...
    assert life.loc[(launch.deployment_id, "i-new1", "ApplicationStart"), "duration"] == 30.0
    # ... and the follow-up the new one, running the old ApplicationStop first.
    assert life.loc[(follow.deployment_id, "i-new1", "ApplicationStart"), "duration"] == 20.0
    instances = run.instances
    updated = instances[instances.deployment_id == follow.deployment_id]
    assert sorted(updated.instance_id) == ["i-new1", "i-new2"]
    assert (updated.status == "Succeeded").all()
    # OneAtATime over the whole group of 6: the follow-up updates one instance at a time.
    assert updated.start.diff().dropna().gt(0).all()


def test_ignore_strategy_leaves_them_outdated() -> None:
    # API:CreateDeploymentGroupInput.outdatedInstancesStrategy IGNORE: no follow-on deployment.
    run = simulate(ScaleOut(0.5, "web"), outdated_instances_strategy="IGNORE")
    assert run.deployments.creator.tolist() == ["user", "autoscaling"]


def test_failed_launch_deployment_terminates_the_instance() -> None:
    # UG:troubleshooting-auto-scaling.md: on failure CodeDeploy sends ABANDON and Auto Scaling
    # terminates the instance.
    broken = ScriptFault("ApplicationStart", revision="previous", instances=["i-bad"])
    run = simulate(ScaleOut(0.5, "web", count=2, instance_ids=["i-ok", "i-bad"]), faults=[broken])
    launch = run.deployments.iloc[1]
    assert launch.creator == "autoscaling" and launch.status == "Failed"
    terminated = run.events[run.events.event == "Terminate"]
    assert terminated.status.tolist() == ["ABANDON"] and "i-bad" in terminated.detail.iloc[0]
    follow = run.deployments.iloc[2]
    updated = run.instances[run.instances.deployment_id == follow.deployment_id]
    assert updated.instance_id.tolist() == ["i-ok"]


def test_scale_out_after_the_deployment_gets_the_new_revision() -> None:
    run = simulate(ScaleOut(60.0, "web", instance_ids=["i-late"]))
    frame = run.deployments
    assert frame.creator.tolist() == ["user", "autoscaling"]
    life = run.lifecycle.set_index(["deployment_id", "instance_id", "event"])
    assert life.loc[(frame.deployment_id[1], "i-late", "ApplicationStart"), "duration"] == 20.0


def test_no_follow_up_after_a_failed_deployment() -> None:
    failing = ScriptFault("ApplicationStart", instances=["i-000"])
    run = simulate(ScaleOut(0.1, "web"), faults=[failing])
    assert run.status == "Failed"
    assert run.deployments.creator.tolist() == ["user", "autoscaling"]


def test_rollback_covers_launched_instances() -> None:
    # D6: a rollback redeploys the last good revision to every instance of the group.
    failing = ScriptFault("ApplicationStart", instances=["i-001"])
    run = simulate(
        ScaleOut(0.1, "web", instance_ids=["i-new"]),
        faults=[failing],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )
    back = run.instances[run.instances.deployment_id == run.rollback_deployment_id]
    assert "i-new" in set(back.instance_id)


def test_scale_out_needs_a_group_of_the_deployment_group() -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'web'"):
        simulate(ScaleOut(1.0, "webb"))
    with pytest.raises(ConfigError, match=r"must not reuse an existing instance id"):
        simulate(ScaleOut(1.0, "web", instance_ids=["i-000"]))
    with pytest.raises(ConfigError, match=r"must hold exactly count=2 ids"):
        ScaleOut(1.0, "web", count=2, instance_ids=["a"])


def test_scale_out_counts_are_bounded() -> None:
    """Issue 16: a scale-out launches at most 1,000,000 instances (shiftsim._limits), and with
    the fleet the deployment never holds more."""
    with pytest.raises(ConfigError, match=r"ScaleOut.count must be an integer in \[1, 1000000\]"):
        ScaleOut(1, "web", count=10**30)
    with pytest.raises(ConfigError, match=r"ScaleIn.count must be an integer in \[1, 1000000\]"):
        ScaleIn(1, "web", count=10**30)
    fleet = Fleet.of_size(10, auto_scaling_group="web")
    with pytest.raises(ConfigError, match=r"scale_outs must leave at most 1_000_000 instances"):
        ServerDeployment(
            "CodeDeployDefault.OneAtATime",
            fleet=fleet,
            scale_outs=[ScaleOut(1, "web", count=600_000), ScaleOut(2, "web", count=400_000)],
        )
