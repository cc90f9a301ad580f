"""CodeDeploy's deployment groups: create, read, update, delete, and their checks."""

from __future__ import annotations

from typing import Any

import shiftsim
from shiftsim.aws._ops_common import (
    MAX_ALARMS,
    MAX_TAG_SETS,
    Box,
    check_config_platform,
    check_name,
    get_app,
    get_group,
    paginate,
    register,
    resource_arn,
)
from shiftsim.aws._ops_configs import custom_configs
from shiftsim.aws._protocol import AwsError, excerpt
from shiftsim.errors import ConfigError, UnsupportedScenarioError
from shiftsim.vocabulary import BLUE_GREEN_STYLE, GROUP_KEYS, GROUP_RECORD_KEYS

__all__ = ["PASSED_KEYS", "check_group", "group_kwargs"]

# ---------------------------------------------------------------------------- groups


def check_group(box: Box, p: dict[str, Any], platform: str) -> None:
    """A deployment group's settings (CreateDeploymentGroup, UpdateDeploymentGroup, or a
    deployment's overrides), checked as CodeDeploy does, then by shiftsim's own model."""
    if p.get("deploymentConfigName") is not None:
        check_config_platform(box, p["deploymentConfigName"], platform)
    names = _check_alarms(p)
    _check_tag_sets(p)
    _check_style(p, platform)
    try:
        shiftsim.from_deployment_group(
            group_kwargs(p),
            compute_platform=platform,
            alarms=[box.alarms.model(n) for n in names],
            configs=custom_configs(box),
            **({"fleet": box.fleet} if platform == "Server" and box.fleet is not None else {}),
        )
    except (ConfigError, UnsupportedScenarioError) as err:
        raise AwsError("InvalidInputException", str(err)[:300]) from err


def _check_alarms(p: dict[str, Any]) -> list[str]:
    """The alarm and auto-rollback configurations' rules; the alarm names."""
    alarms = p.get("alarmConfiguration") or {}
    names = [a.get("name") for a in alarms.get("alarms") or ()]
    if len(names) > MAX_ALARMS:
        raise AwsError(
            "AlarmsLimitExceededException",
            f"The maximum number of alarms for a deployment group ({MAX_ALARMS}) was exceeded.",
        )
    if len(set(names)) != len(names) or (alarms.get("enabled") and not names):
        raise AwsError(
            "InvalidAlarmConfigException",
            "The alarm configuration is invalid: alarm names must be unique, and an enabled "
            "configuration needs at least one alarm.",
        )
    rollback = p.get("autoRollbackConfiguration") or {}
    if rollback.get("enabled") and not rollback.get("events"):
        raise AwsError(
            "InvalidAutoRollbackConfigException",
            "An enabled autoRollbackConfiguration needs at least one event.",
        )
    return names


def _check_tag_sets(p: dict[str, Any]) -> None:
    """Tag filters or tag sets, never both; at most MAX_TAG_SETS groups in a set."""
    if p.get("ec2TagFilters") and p.get("ec2TagSet"):
        raise AwsError(
            "InvalidEC2TagCombinationException",
            "ec2TagFilters and ec2TagSet cannot both be given.",
        )
    if p.get("onPremisesInstanceTagFilters") and p.get("onPremisesTagSet"):
        raise AwsError(
            "InvalidOnPremisesTagCombinationException",
            "onPremisesInstanceTagFilters and onPremisesTagSet cannot both be given.",
        )
    for key, inner in (
        ("ec2TagSet", "ec2TagSetList"),
        ("onPremisesTagSet", "onPremisesTagSetList"),
    ):
        if len((p.get(key) or {}).get(inner) or ()) > MAX_TAG_SETS:
            raise AwsError(
                "TagSetListLimitExceededException",
                f"A tag set holds at most {MAX_TAG_SETS} tag groups.",
            )


def _check_style(p: dict[str, Any], platform: str) -> None:
    """Lambda and ECS groups are blue/green with traffic control; ECS groups name services."""
    style = p.get("deploymentStyle") or {}
    if platform in ("Lambda", "ECS") and style and style != BLUE_GREEN_STYLE:
        raise AwsError(
            "InvalidDeploymentStyleException",
            f"{platform} deployment groups use BLUE_GREEN with WITH_TRAFFIC_CONTROL.",
        )
    if platform == "ECS" and not p.get("ecsServices"):
        raise AwsError("InvalidECSServiceException", "An ECS deployment group needs ecsServices.")
    if platform != "ECS" and p.get("ecsServices"):
        raise AwsError(
            "InvalidECSServiceException", f"ecsServices apply to ECS groups, not {platform}."
        )


#: The group keys the box passes on to :func:`shiftsim.from_deployment_group`: all it reads
#: but the group's record (ID, tags, history) and two settings the box stores without
#: simulating them.
PASSED_KEYS = tuple(
    key
    for key in GROUP_KEYS
    if key not in (*GROUP_RECORD_KEYS, "terminationHookEnabled", "ec2DeploymentOptions")
)


def group_kwargs(p: dict[str, Any]) -> dict[str, Any]:
    """The group settings in ``p`` that :func:`shiftsim.from_deployment_group` reads."""
    return {k: p[k] for k in PASSED_KEYS if p.get(k) is not None}


def _asg(names: list[str], group: str) -> list[dict[str, str]]:
    return [
        {"name": n, "hook": f"CodeDeploy-managed-automatic-launch-deployment-hook-{group}"}
        for n in names
    ]


@register
def _create_deployment_group(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    app = get_app(box, p["applicationName"])
    name = p["deploymentGroupName"]
    check_name(name, "InvalidDeploymentGroupNameException", "deployment group name")
    if (p["applicationName"], name) in box.groups:
        raise AwsError(
            "DeploymentGroupAlreadyExistsException",
            f"The deployment group {excerpt(name)} already exists for application "
            f"{excerpt(p['applicationName'])}.",
        )
    if not str(p["serviceRoleArn"]).startswith("arn:"):
        raise AwsError("InvalidRoleException", "The serviceRoleArn is not an ARN.")
    platform = app["computePlatform"]
    check_group(box, p, platform)
    group_id = box.new_id("")
    info = {k: v for k, v in p.items() if k != "tags"}
    info.update(deploymentGroupId=group_id, computePlatform=platform, _active=None)
    if platform == "Server" and "deploymentConfigName" not in info:
        info["deploymentConfigName"] = "CodeDeployDefault.OneAtATime"
    box.groups[(p["applicationName"], name)] = info
    box.tags[resource_arn(box, "deploymentgroup", f"{p['applicationName']}/{name}")] = list(
        p.get("tags") or []
    )
    return {"deploymentGroupId": group_id}


def _group_info(group: dict[str, Any]) -> dict[str, Any]:
    info = {k: v for k, v in group.items() if not k.startswith("_")}
    if info.get("autoScalingGroups"):
        info["autoScalingGroups"] = _asg(info["autoScalingGroups"], info["deploymentGroupName"])
    return info


@register
def _get_deployment_group(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    group = get_group(box, p["applicationName"], p["deploymentGroupName"])
    return {"deploymentGroupInfo": _group_info(group)}


@register
def _batch_get_deployment_groups(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    app = p["applicationName"]
    get_app(box, app)
    infos, missing = [], []
    for name in p["deploymentGroupNames"]:
        group = box.groups.get((app, name))
        if group is None:
            missing.append(name)
        else:
            infos.append(_group_info(group))
    out: dict[str, Any] = {"deploymentGroupsInfo": infos}
    if missing:
        out["errorMessage"] = f"Deployment groups not found: {', '.join(missing)}"
    return out


@register
def _list_deployment_groups(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    app = p["applicationName"]
    get_app(box, app)
    names = sorted(g for a, g in box.groups if a == app)
    page, token = paginate(names, p.get("nextToken"))
    return {"applicationName": app, "deploymentGroups": page, "nextToken": token}


@register
def _update_deployment_group(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    app = p["applicationName"]
    current = p["currentDeploymentGroupName"]
    group = get_group(box, app, current)
    merged = dict(group)
    for key, value in p.items():
        if key not in ("applicationName", "currentDeploymentGroupName", "newDeploymentGroupName"):
            merged[key] = value
    new = p.get("newDeploymentGroupName") or current
    if new != current:
        check_name(new, "InvalidDeploymentGroupNameException", "deployment group name")
        if (app, new) in box.groups:
            raise AwsError(
                "DeploymentGroupAlreadyExistsException", f"{excerpt(new)} already exists."
            )
    merged["deploymentGroupName"] = new
    check_group(box, merged, group["computePlatform"])
    del box.groups[(app, current)]
    box.groups[(app, new)] = merged
    return {"hooksNotCleanedUp": []}


@register
def _delete_deployment_group(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    get_app(box, p["applicationName"])
    box.groups.pop((p["applicationName"], p["deploymentGroupName"]), None)
    return {"hooksNotCleanedUp": []}
