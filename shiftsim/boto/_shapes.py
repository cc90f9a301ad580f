"""The API's shapes (private): the deployment-group keys shiftsim reads, and the checks of their
values that every platform shares (botocore's codedeploy model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shiftsim._checks import check_choice, invalid, suggest
from shiftsim.vocabulary import BLUE_GREEN_STYLE, GROUP_KEYS

__all__ = [
    "DEFAULT_SERVICE_ROLE",
    "LAMBDA_HOOK_EVENTS",
    "MAX_TRIGGERS",
    "OWNER",
    "SERVER_KEYS",
    "TRIGGER_EVENTS",
    "by_name",
    "check_group_keys",
    "check_group_shape",
    "check_group_values",
]


#: API:TriggerEventType, complete.
TRIGGER_EVENTS = (
    "DeploymentStart",
    "DeploymentSuccess",
    "DeploymentFailure",
    "DeploymentStop",
    "DeploymentRollback",
    "DeploymentReady",
    "InstanceStart",
    "InstanceSuccess",
    "InstanceFailure",
    "InstanceReady",
)
#: Triggers per deployment group (UG:monitoring-sns-event-notifications.md; UG:limits.md).
MAX_TRIGGERS = 10
LAMBDA_HOOK_EVENTS = ("BeforeAllowTraffic", "AfterAllowTraffic")
DEFAULT_SERVICE_ROLE = "arn:aws:iam::123456789012:role/CodeDeployServiceRole"

#: Keys that only make sense for EC2/on-premises groups; they must be empty for Lambda and ECS.
SERVER_KEYS = (
    "ec2TagFilters",
    "ec2TagSet",
    "onPremisesInstanceTagFilters",
    "onPremisesTagSet",
    "autoScalingGroups",
)
OWNER = "from_deployment_group"
#: Auto Scaling processes ``ec2DeploymentOptions`` may suspend (API:EC2DeploymentOptions;
#: botocore's codedeploy model, shape AutoScalingGroupProcess, at most 4).
AUTO_SCALING_PROCESSES = ("Terminate", "AZRebalance", "InstanceRefresh", "ScheduledActions")


def check_group_values(group: Mapping[str, Any]) -> None:
    """The value shapes botocore's model gives the members every platform reads
    (API:CreateDeploymentGroupInput, API:DeploymentGroupInfo): booleans are booleans (the
    text ``"false"`` is not false, and is refused rather than read as true), lists are lists
    (``None`` is refused: boto3 refuses it too; leave the key out instead)."""
    for key in ("autoRollbackConfiguration", "alarmConfiguration", "ec2DeploymentOptions"):
        if key in group and not isinstance(group[key], Mapping):
            raise invalid(OWNER, key, group[key], "must be a mapping")
    rollback = group.get("autoRollbackConfiguration") or {}
    alarm_config = group.get("alarmConfiguration") or {}
    for owner, raw, key in (
        ("autoRollbackConfiguration", rollback, "enabled"),
        ("alarmConfiguration", alarm_config, "enabled"),
        ("alarmConfiguration", alarm_config, "ignorePollAlarmFailure"),
    ):
        if key in raw and not isinstance(raw[key], bool):
            raise invalid(OWNER, f"{owner}.{key}", raw[key], "must be true or false (a boolean)")
    for owner, raw, key in (
        ("autoRollbackConfiguration", rollback, "events"),
        ("alarmConfiguration", alarm_config, "alarms"),
    ):
        if key in raw and (isinstance(raw[key], str) or not isinstance(raw[key], Sequence)):
            raise invalid(OWNER, f"{owner}.{key}", raw[key], "must be a list")
    style = group.get("deploymentStyle")
    if style is not None and not isinstance(style, Mapping):
        raise invalid(OWNER, "deploymentStyle", style, "must be a mapping")
    check_auto_scaling_groups(group.get("autoScalingGroups"))
    check_ec2_options(group.get("ec2DeploymentOptions") or {})


def check_auto_scaling_groups(groups: Any) -> None:
    """``autoScalingGroups``: names (create_deployment_group) or ``{"name": ...}`` objects
    (get_deployment_group, API:AutoScalingGroup)."""
    if groups is None:
        return
    if isinstance(groups, str) or not isinstance(groups, Sequence):
        raise invalid(OWNER, "autoScalingGroups", groups, "must be a list of group names")
    for i, entry in enumerate(groups):
        name = entry.get("name") if isinstance(entry, Mapping) else entry
        if not isinstance(name, str) or not name:
            raise invalid(
                OWNER,
                f"autoScalingGroups[{i}]",
                entry,
                "must be an Auto Scaling group name or {'name': ..., 'hook': ...} with a name",
            )


def check_ec2_options(options: Mapping[str, Any]) -> None:
    """``ec2DeploymentOptions`` (API:EC2DeploymentOptions, in both the create and the get
    shapes): the Auto Scaling processes CodeDeploy suspends during an EC2/on-premises in-place
    deployment. Checked, and otherwise without effect: shiftsim does not model Auto Scaling's
    processes (Terminate, AZRebalance, InstanceRefresh, ScheduledActions)."""
    for key in options:
        if key != "autoScalingGroupProcessesToSuspend":
            raise invalid(
                OWNER,
                f"ec2DeploymentOptions.{key}",
                options[key],
                "is not a member of EC2DeploymentOptions (autoScalingGroupProcessesToSuspend)",
            )
    processes = options.get("autoScalingGroupProcessesToSuspend", [])
    field = "ec2DeploymentOptions.autoScalingGroupProcessesToSuspend"
    if isinstance(processes, str) or not isinstance(processes, Sequence) or len(processes) > 4:
        raise invalid(OWNER, field, processes, "must be a list of at most 4 process names")
    for i, process in enumerate(processes):
        check_choice(OWNER, f"{field}[{i}]", process, AUTO_SCALING_PROCESSES)


def by_name(owner: str, field: str, items: Any, kind: type) -> dict[str, Any]:
    if items is None:
        return {}
    if isinstance(items, Mapping):
        out = dict(items)
    elif isinstance(items, Sequence) and not isinstance(items, str):
        out = {getattr(item, "name", None): item for item in items}
    else:
        raise invalid(owner, field, items, f"must be a mapping of names to {kind.__name__}")
    for name, value in out.items():
        if not isinstance(value, kind):
            raise invalid(owner, f"{field}[{name!r}]", value, f"must be a {kind.__name__}")
    return out


def check_group_keys(group: Mapping[str, Any]) -> None:
    """Every key of ``group`` is one of :data:`GROUP_KEYS`; else the closest is suggested."""
    for key in group:
        if key not in GROUP_KEYS:
            hint = suggest(str(key), GROUP_KEYS)
            raise invalid(
                OWNER,
                str(key),
                group[key],
                "is not a create_deployment_group or deploymentGroupInfo key",
                hint or None,
            )


def check_group_shape(group: Mapping[str, Any], platform: str) -> None:
    """The keys of a Lambda or ECS group: known, none of EC2/on-premises's, a blue/green
    style, and none of ECS's for Lambda."""
    check_group_keys(group)
    refuse_server_settings(group, platform)
    if group.get("outdatedInstancesStrategy") is not None:
        check_choice(
            OWNER,
            "outdatedInstancesStrategy",
            group["outdatedInstancesStrategy"],
            ("UPDATE", "IGNORE"),
        )
    processes = (group.get("ec2DeploymentOptions") or {}).get("autoScalingGroupProcessesToSuspend")
    if processes:
        raise invalid(
            OWNER,
            "ec2DeploymentOptions.autoScalingGroupProcessesToSuspend",
            processes,
            f"applies only to EC2/on-premises in-place deployments, not to {platform} "
            "(API:EC2DeploymentOptions)",
        )
    check_blue_green_style(group, platform)
    if platform == "Lambda":
        for key in ("ecsServices", "loadBalancerInfo", "blueGreenDeploymentConfiguration"):
            value = group.get(key)
            if value:
                raise invalid(OWNER, key, value, "does not apply to Lambda deployment groups")


def refuse_server_settings(group: Mapping[str, Any], platform: str) -> None:
    """A Lambda or ECS group selects no instances and has no Auto Scaling termination hook."""
    for key in SERVER_KEYS:
        value = group.get(key)
        if value and (not isinstance(value, Mapping) or any(value.values())):
            raise invalid(
                OWNER, key, value, f"applies only to EC2/on-premises groups, not to {platform}"
            )
    if group.get("terminationHookEnabled"):
        raise invalid(
            OWNER, "terminationHookEnabled", True, f"applies only to Auto Scaling, not {platform}"
        )


def check_blue_green_style(group: Mapping[str, Any], platform: str) -> None:
    """A Lambda or ECS group's ``deploymentStyle`` is blue/green with traffic control; an empty
    one, or a member left out, reads as absent."""
    style = group.get("deploymentStyle") or {}
    for key, want in BLUE_GREEN_STYLE.items():
        if style.get(key) is not None and style[key] != want:
            raise invalid(
                OWNER,
                f"deploymentStyle.{key}",
                style[key],
                f"must be {want!r} for {platform} deployment groups",
            )
