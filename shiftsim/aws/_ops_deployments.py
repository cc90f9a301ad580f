"""CodeDeploy's deployments: create, read, list, stop, continue, and hook statuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import shiftsim
from shiftsim import vocabulary
from shiftsim.aws._live import LiveServer
from shiftsim.aws._ops_common import (
    HANDLERS,
    MAX_BATCH_DEPLOYMENTS,
    MAX_DESCRIPTION,
    Box,
    check_config_platform,
    get_app,
    get_group,
    get_record,
    paginate,
    register,
)
from shiftsim.aws._ops_configs import custom_configs
from shiftsim.aws._ops_groups import check_group, group_kwargs
from shiftsim.aws._ops_revisions import revision_appspec
from shiftsim.aws._protocol import AwsError, excerpt
from shiftsim.aws._record import Record
from shiftsim.errors import AppSpecError, ConfigError, UnsupportedScenarioError
from shiftsim.vocabulary import (
    BLUE_GREEN_STYLE,
    DeploymentStatus,
    HookStatus,
    InstanceStatus,
    StopStatus,
    target_status,
)

__all__: list[str] = []

# ---------------------------------------------------------------------------- deployments


def _check_can_deploy(box: Box, p: dict[str, Any], group: dict[str, Any], platform: str) -> None:
    """CreateDeployment's refusals before the revision is read: a long description, a group
    already deploying, RESTART outside EC2/on-premises."""
    if len(p.get("description") or "") > MAX_DESCRIPTION:
        raise AwsError(
            "DescriptionTooLongException",
            f"The description is longer than {MAX_DESCRIPTION} characters.",
        )
    active = group.get("_active")
    if (
        active is not None
        and not vocabulary.DeploymentStatus(box.status_of(box.records[active])).terminal
    ):
        raise AwsError(
            "DeploymentLimitExceededException",
            f"The Deployment Group '{p['deploymentGroupName']}' already has an active "
            f"Deployment '{active}'",
        )
    if p.get("deploymentMode") == "RESTART" and platform != "Server":
        raise AwsError("InvalidInputException", "deploymentMode RESTART is for EC2 in-place.")


def _deployment_kwargs(
    box: Box, p: dict[str, Any], group: dict[str, Any], platform: str
) -> tuple[dict[str, Any], list[str]]:
    """The group's settings with the deployment's overrides, checked, and its alarm names
    (none when the alarm configuration is disabled)."""
    kwargs = group_kwargs(group)
    config = p.get("deploymentConfigName")
    if config is not None:
        check_config_platform(box, config, platform)
        kwargs["deploymentConfigName"] = config
    if p.get("overrideAlarmConfiguration") is not None:
        kwargs["alarmConfiguration"] = p["overrideAlarmConfiguration"]
    if p.get("autoRollbackConfiguration") is not None:
        kwargs["autoRollbackConfiguration"] = p["autoRollbackConfiguration"]
    check_group(box, kwargs, platform)
    alarm_names = [a["name"] for a in (kwargs.get("alarmConfiguration") or {}).get("alarms") or ()]
    if not (kwargs.get("alarmConfiguration") or {}).get("enabled", bool(alarm_names)):
        kwargs.pop("alarmConfiguration", None)
        alarm_names = []
    return kwargs, alarm_names


def _options_and_hooks(
    box: Box, p: dict[str, Any], platform: str, spec: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """The box's options for the group (plus the fleet and the stop-failure flag for
    EC2/on-premises), and the Lambda/ECS hooks: lifecycle event -> function."""
    options = box.options_for(p["applicationName"], p["deploymentGroupName"])
    hooks: dict[str, str] = {}
    if platform == "Server":
        if box.fleet is not None:
            options.setdefault("fleet", box.fleet)
        if p.get("ignoreApplicationStopFailures") is not None:
            options["ignore_application_stop_failures"] = bool(p["ignoreApplicationStopFailures"])
    elif spec is not None:
        hooks = {e: f for e in spec.hooks if (f := spec.hook_function(e))}
    return options, hooks


@register
def _create_deployment(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    app_name, group_name = p["applicationName"], p["deploymentGroupName"]
    app = get_app(box, app_name)
    group = get_group(box, app_name, group_name)
    platform = app["computePlatform"]
    _check_can_deploy(box, p, group, platform)
    revision = p.get("revision") or group.get("targetRevision")
    if revision is None:
        raise AwsError("RevisionRequiredException", "The revision is required.")
    kwargs, alarm_names = _deployment_kwargs(box, p, group, platform)
    spec = revision_appspec(box, revision, platform)
    options, hooks = _options_and_hooks(box, p, platform, spec)
    try:
        deployment = shiftsim.from_deployment_group(
            kwargs,
            revision=spec,
            alarms=[box.alarms.model(n) for n in alarm_names],
            configs=custom_configs(box),
            compute_platform=platform,
            **options,
        )
    except AppSpecError as err:
        raise AwsError("InvalidRevisionException", str(err)[:300]) from err
    except (ConfigError, UnsupportedScenarioError, TypeError) as err:
        raise AwsError("InvalidInputException", str(err)[:300]) from err
    if platform != "Server":
        deployment = box.versions_for(deployment)
    live = box.start_live(deployment, hooks)
    record = Record(
        id=live.deployment_id,
        application=app_name,
        group=group_name,
        platform=platform,
        created_minute=box.minute,
        created=box.now,
        request=dict(p, revision=revision),
        live=live,
        extras={"config": deployment.deployment_config.name, "deployment": deployment},
    )
    box.records[record.id] = record
    box.order.append(record.id)
    _use_revision(box, app_name, group_name, revision)
    group["_active"] = record.id
    return {"deploymentId": record.id}


def _use_revision(box: Box, app: str, group: str, revision: dict[str, Any]) -> None:
    """A deployed revision is registered with its application (as CodeDeploy does)."""
    items = box.revisions.setdefault(app, [])
    item = next((i for i in items if i["revisionLocation"] == revision), None)
    if item is None:
        item = {"revisionLocation": revision, "registerTime": box.now}
        items.append(item)
    item.setdefault("firstUsedTime", box.now)
    item["lastUsedTime"] = box.now
    item.setdefault("groups", set()).add(group)


def _overview(record: Record, status: str) -> dict[str, int]:
    counts = dict(vocabulary.OVERVIEW)
    live = record.live
    if isinstance(live, LiveServer):
        for item in live.instances():
            key = item["status"] if item["status"] in counts else InstanceStatus.FAILED.value
            counts[key] += 1
    else:
        counts[target_status(status)] = 1
    return counts


def _deployment_info(box: Box, record: Record) -> dict[str, Any]:
    group = box.groups.get((record.application, record.group)) or {}
    status = box.status_of(record)
    info: dict[str, Any] = {
        "applicationName": record.application,
        "deploymentGroupName": record.group,
        "deploymentId": record.id,
        "status": status,
        "createTime": record.created,
        "creator": record.creator,
        "computePlatform": record.platform,
        "deploymentOverview": _overview(record, status),
        "ignoreApplicationStopFailures": bool(record.request.get("ignoreApplicationStopFailures")),
        "updateOutdatedInstancesOnly": bool(record.request.get("updateOutdatedInstancesOnly")),
        "deploymentStyle": group.get("deploymentStyle")
        or (
            dict(BLUE_GREEN_STYLE)
            if record.platform != "Server"
            else {"deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"}
        ),
    }
    if record.creator == "user":
        info["startTime"] = record.created
        deployment = record.extras["deployment"]
        info["deploymentConfigName"] = record.extras["config"]
        info["revision"] = record.request.get("revision")
        info["autoRollbackConfiguration"] = deployment.auto_rollback.to_boto()
        for key in ("description", "fileExistsBehavior", "deploymentMode", "targetInstances"):
            if record.request.get(key) is not None:
                info[key] = record.request[key]
        if record.request.get("overrideAlarmConfiguration") is not None:
            info["overrideAlarmConfiguration"] = record.request["overrideAlarmConfiguration"]
        for key in ("loadBalancerInfo", "blueGreenDeploymentConfiguration"):
            if group.get(key) is not None:
                info[key] = group[key]
        if record.platform == "ECS":
            info["instanceTerminationWaitTimeStarted"] = status == DeploymentStatus.SUCCEEDED
    else:
        info["startTime"] = record.created
        info["deploymentConfigName"] = group.get("deploymentConfigName")
        if record.rollback_of is not None:
            info["rollbackInfo"] = {
                "rollbackTriggeringDeploymentId": record.rollback_of,
                "rollbackMessage": f"Rollback of deployment {record.rollback_of}.",
            }
    done = vocabulary.DeploymentStatus(status).terminal
    if done and record.end_minute is not None:
        info["completeTime"] = box.start_time + timedelta(minutes=record.end_minute)
    if done and record.error is not None:
        code, message = record.error
        info["errorInformation"] = {"code": code, "message": message}
    if record.rollback_id is not None:
        info["rollbackInfo"] = {
            "rollbackDeploymentId": record.rollback_id,
            "rollbackMessage": f"Deployment {record.id} was rolled back by deployment "
            f"{record.rollback_id}.",
        }
    return info


@register
def _get_deployment(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    return {"deploymentInfo": _deployment_info(box, get_record(box, p["deploymentId"]))}


@register
def _batch_get_deployments(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    ids = p["deploymentIds"]
    if len(ids) > MAX_BATCH_DEPLOYMENTS:
        raise AwsError(
            "BatchLimitExceededException",
            f"At most {MAX_BATCH_DEPLOYMENTS} deployment IDs can be given.",
        )
    infos = []
    for deployment_id in ids:
        try:
            infos.append(_deployment_info(box, get_record(box, deployment_id)))
        except AwsError as err:
            if err.code != "DeploymentDoesNotExistException":
                raise
    return {"deploymentsInfo": infos}


@register
def _list_deployments(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    app, group = p.get("applicationName"), p.get("deploymentGroupName")
    if (app is None) != (group is None):
        raise AwsError(
            "DeploymentGroupNameRequiredException"
            if group is None
            else "ApplicationNameRequiredException",
            "applicationName and deploymentGroupName must be given together.",
        )
    if app is not None:
        get_group(box, app, str(group))
    statuses = p.get("includeOnlyStatuses")
    window = p.get("createTimeRange") or {}
    ids = []
    for deployment_id in reversed(box.order):
        record = box.records[deployment_id]
        if app is not None and (record.application, record.group) != (app, group):
            continue
        if p.get("externalId") is not None and record.request.get("externalId") != p["externalId"]:
            continue
        if statuses and box.status_of(record) not in statuses:
            continue
        if window.get("start") is not None and record.created < window["start"]:
            continue
        if window.get("end") is not None and record.created > window["end"]:
            continue
        ids.append(deployment_id)
    page, token = paginate(ids, p.get("nextToken"))
    return {"deployments": page, "nextToken": token}


@register
def _stop_deployment(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    if record.live is None or record.settled:
        raise AwsError(
            "DeploymentAlreadyCompletedException",
            f"The deployment {record.id} has already completed.",
        )
    rollback = p.get("autoRollbackEnabled")
    record.live.stop(None if rollback is None else bool(rollback))
    box._settle(record)
    return {
        "status": StopStatus.SUCCEEDED.value,
        "statusMessage": f"Deployment {record.id} was stopped.",
    }


@register
def _continue_deployment(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    wait = p.get("deploymentWaitType") or "READY_WAIT"
    if record.platform == "Lambda":
        raise AwsError(
            "UnsupportedActionForDeploymentTypeException",
            "ContinueDeployment applies to blue/green EC2 and ECS deployments.",
        )
    succeeded = record.status == DeploymentStatus.SUCCEEDED
    if wait == "TERMINATION_WAIT" and record.settled and succeeded:
        # The original environment's termination wait is not part of shiftsim's deployments:
        # it has nothing left to wait for.
        return {}
    if record.settled:
        raise AwsError(
            "DeploymentAlreadyCompletedException",
            f"The deployment {record.id} has already completed.",
        )
    live = record.live
    if wait == "READY_WAIT" and isinstance(live, LiveServer) and live.continue_ready():
        box._settle(record)
        return {}
    raise AwsError(
        "DeploymentIsNotInReadyStateException",
        f"The deployment {record.id} is not in the Ready state.",
    )


@register
def _put_lifecycle_event_hook_execution_status(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    execution = p.get("lifecycleEventHookExecutionId")
    status = p.get("status")
    if status not in tuple(HookStatus):
        raise AwsError(
            "InvalidLifecycleEventHookExecutionStatusException",
            f"The status {excerpt(status)} is not valid: report Succeeded or Failed.",
        )
    live = record.live
    if isinstance(live, LiveServer) or live is None:
        raise AwsError(
            "UnsupportedActionForDeploymentTypeException",
            "Lifecycle hooks are reported for Lambda and ECS deployments only.",
        )
    call = live.hook_for(str(execution))
    if call is None:
        raise AwsError(
            "InvalidLifecycleEventHookExecutionIdException",
            f"No lifecycle event hook execution {excerpt(execution)} for deployment {record.id}.",
        )
    live.answer(call, status)
    return {"lifecycleEventHookExecutionId": call.execution_id}


@register
def _skip_wait_time_for_instance_termination(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    """Deprecated; ContinueDeployment(TERMINATION_WAIT) replaces it (codedeploy-api.md 3)."""
    return HANDLERS["ContinueDeployment"](
        box, {"deploymentId": p.get("deploymentId"), "deploymentWaitType": "TERMINATION_WAIT"}
    )
