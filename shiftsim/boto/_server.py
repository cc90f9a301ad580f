"""EC2/on-premises deployment groups and deployments (private)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from shiftsim._checks import invalid
from shiftsim.alarms import Alarm
from shiftsim.boto._fields import group_config, group_options
from shiftsim.boto._revisions import RevisionNames
from shiftsim.boto._shapes import OWNER, SERVER_KEYS, check_group_keys
from shiftsim.boto._triggers import read_triggers
from shiftsim.configs import DeploymentConfig
from shiftsim.fleet import Targets
from shiftsim.server import BlueGreen, ServerDeployment
from shiftsim.vocabulary import OVERVIEW

__all__ = ["server_deployment", "server_get_deployment"]


def server_deployment(
    group: Mapping[str, Any],
    rev: RevisionNames | None,
    alarm_map: Mapping[str, Alarm],
    config_map: Mapping[str, DeploymentConfig],
    traffic: dict[str, Any],
) -> Any:
    """An EC2/on-premises deployment group (API:CreateDeploymentGroupInput) as a
    :class:`~shiftsim.server.ServerDeployment`."""
    check_group_keys(group)
    if group.get("ecsServices"):
        raise invalid(
            OWNER, "ecsServices", group["ecsServices"], "applies only to ECS groups, not to Server"
        )
    read_triggers(group.get("triggerConfigurations"))
    options = group_options(group, ServerDeployment, traffic, alarm_map)
    if group.get("deploymentConfigName") is None and "config" not in options:
        # API:CreateDeploymentGroupInput: CodeDeploy's default configuration.
        options["config"] = "CodeDeployDefault.OneAtATime"
    else:
        options["config"] = group_config(group, config_map, options, "Server")
    if any(group.get(k) for k in SERVER_KEYS) and "targets" not in options:
        options["targets"] = Targets.from_boto(group)
    if group.get("terminationHookEnabled") is not None:
        # API:CreateDeploymentGroupInput.terminationHookEnabled (codedeploy-api.md).
        options.setdefault("termination_hook_enabled", group["terminationHookEnabled"])
    if group.get("outdatedInstancesStrategy") is not None:
        options["outdated_instances_strategy"] = group["outdatedInstancesStrategy"]
    server_style(group, options)
    if rev is not None and "appspec" not in options and "hooks" not in options:
        options["appspec"] = rev.appspec
    return ServerDeployment(**options)


def server_style(group: Mapping[str, Any], options: dict[str, Any]) -> None:
    """``deploymentStyle`` and ``loadBalancerInfo`` of an EC2/on-premises group: whether a
    load balancer takes traffic, and the blue/green settings, into ``options`` (unless the
    caller gave them)."""
    lb = group.get("loadBalancerInfo") or {}
    style = group.get("deploymentStyle") or {}
    with_lb = bool(
        lb.get("elbInfoList") or lb.get("targetGroupInfoList") or lb.get("targetGroupPairInfoList")
    )
    if style.get("deploymentOption") == "WITH_TRAFFIC_CONTROL" and not with_lb:
        raise invalid(
            OWNER,
            "loadBalancerInfo",
            lb,
            "must name a load balancer or target group when deploymentOption is "
            "WITH_TRAFFIC_CONTROL (MISSING_ELB_INFORMATION)",
        )
    if "load_balancer" not in options:
        options["load_balancer"] = with_lb and style.get("deploymentOption") != (
            "WITHOUT_TRAFFIC_CONTROL"
        )
    if style.get("deploymentType") == "BLUE_GREEN" and "blue_green" not in options:
        options["blue_green"] = read_blue_green(
            group.get("blueGreenDeploymentConfiguration") or {}, BlueGreen
        )


def read_blue_green(raw: Mapping[str, Any], blue_green: Any) -> Any:
    """``blueGreenDeploymentConfiguration`` for EC2 (API:BlueGreenDeploymentConfiguration)."""
    owner = f"{OWNER}.blueGreenDeploymentConfiguration"
    if not isinstance(raw, Mapping):
        raise invalid(owner, "blueGreenDeploymentConfiguration", raw, "must be a mapping")
    green = raw.get("greenFleetProvisioningOption") or {}
    ready = raw.get("deploymentReadyOption") or {}
    terminate = raw.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    options: dict[str, Any] = {}
    if "action" in green:
        options["green_fleet_provisioning"] = green["action"]
    if "actionOnTimeout" in ready:
        options["action_on_timeout"] = ready["actionOnTimeout"]
    if "waitTimeInMinutes" in ready:
        options["wait_time_in_minutes"] = ready["waitTimeInMinutes"]
    if "action" in terminate:
        options["termination_action"] = terminate["action"]
    if "terminationWaitTimeInMinutes" in terminate:
        options["termination_wait_time_in_minutes"] = terminate["terminationWaitTimeInMinutes"]
    return blue_green(**options)


def server_get_deployment(run: Any, deployment_id: str | None) -> dict[str, Any]:
    """``deploymentInfo`` of one deployment of a Server run (the user's by default)."""
    table = run.deployments
    wanted = run.deployment_id if deployment_id is None else deployment_id
    rows = table[table["deployment_id"] == wanted]
    if rows.empty:
        raise invalid(
            "to_get_deployment",
            "deployment_id",
            deployment_id,
            f"must be one of the run's deployments {table['deployment_id'].tolist()}",
        )
    row = rows.iloc[0]
    start: datetime = run.context.start
    instances = run.instances
    statuses = instances[instances["deployment_id"] == wanted]["status"].value_counts()
    overview = {key: int(statuses.get(key, 0)) for key in OVERVIEW}
    deployment = run.deployment
    info: dict[str, Any] = {
        "applicationName": run.context.application,
        "deploymentGroupName": run.context.deployment_group,
        "deploymentId": wanted,
        "deploymentConfigName": deployment.deployment_config.name,
        "computePlatform": "Server",
        "status": row["status"],
        "creator": row["creator"],
        "createTime": start + timedelta(seconds=float(row["start"])),
        "startTime": start + timedelta(seconds=float(row["start"])),
        "completeTime": start + timedelta(seconds=float(row["end"])),
        "deploymentOverview": overview,
        "deploymentStyle": {
            "deploymentType": str(row["deployment_type"]),
            "deploymentOption": "WITH_TRAFFIC_CONTROL"
            if deployment.load_balancer
            else "WITHOUT_TRAFFIC_CONTROL",
        },
        "ignoreApplicationStopFailures": bool(deployment.ignore_application_stop_failures),
        "autoRollbackConfiguration": deployment.auto_rollback.to_boto(),
    }
    if deployment.file_exists_behavior is not None:
        # API:DeploymentInfo.fileExistsBehavior (codedeploy-api.md 3.2).
        info["fileExistsBehavior"] = deployment.file_exists_behavior
    if isinstance(row["error_code"], str):
        info["errorInformation"] = {"code": row["error_code"], "message": row["error_message"]}
    rollback: dict[str, Any] = {}
    for column, key in (
        ("rollback_deployment_id", "rollbackDeploymentId"),
        ("rollback_triggering_deployment_id", "rollbackTriggeringDeploymentId"),
        ("rollback_message", "rollbackMessage"),
    ):
        if isinstance(row[column], str):
            rollback[key] = row[column]
    if rollback:
        info["rollbackInfo"] = rollback
    return {"deploymentInfo": info}
