"""A deployment's targets and instances (ListDeploymentTargets, ...Instances)."""

from __future__ import annotations

from typing import Any

from shiftsim.aws._live import LiveServer, LiveTraffic
from shiftsim.aws._ops_common import ACCOUNT, MAX_BATCH_TARGETS, Box, get_record, paginate, register
from shiftsim.aws._protocol import AwsError, excerpt
from shiftsim.aws._record import Record
from shiftsim.vocabulary import target_status

__all__: list[str] = []

# ---------------------------------------------------------------------------- targets


def _started(record: Record) -> None:
    if record.live is None:
        raise AwsError(
            "DeploymentNotStartedException",
            f"The deployment {record.id} has no targets (it is a rollback record).",
        )


def _target_ids(box: Box, record: Record) -> list[str]:
    live = record.live
    if isinstance(live, LiveServer):
        return [i["id"] for i in live.instances()]
    deployment = record.extras["deployment"]
    if record.platform == "Lambda":
        return [deployment.function_name]
    return [f"{deployment.cluster_name}:{deployment.service_name}"]


def _target(box: Box, record: Record, target_id: str) -> dict[str, Any]:
    live = record.live
    if isinstance(live, LiveServer):
        return _instance_target(box, record, live, target_id)
    if target_id not in _target_ids(box, record):
        raise AwsError(
            "DeploymentTargetDoesNotExistException",
            f"The target {excerpt(target_id)} is not part of deployment {record.id}.",
        )
    assert isinstance(live, LiveTraffic)
    return _traffic_target(box, record, live, target_id)


def _instance_target(box: Box, record: Record, live: LiveServer, target_id: str) -> dict[str, Any]:
    """An EC2/on-premises deployment's InstanceTarget."""
    found = [i for i in live.instances() if i["id"] == target_id]
    if not found:
        raise AwsError(
            "DeploymentTargetDoesNotExistException",
            f"The target {excerpt(target_id)} is not part of deployment {record.id}.",
        )
    item = found[0]
    return {
        "deploymentTargetType": "InstanceTarget",
        "instanceTarget": {
            "deploymentId": record.id,
            "targetId": target_id,
            "targetArn": f"arn:aws:ec2:{box.region}:{ACCOUNT}:instance/{target_id}",
            "status": item["status"],
            "lastUpdatedAt": box.now,
            "lifecycleEvents": live.lifecycle(target_id, record.created),
            "instanceLabel": item["label"] if item["label"] in ("Blue", "Green") else "Blue",
        },
    }


def _traffic_target(box: Box, record: Record, live: LiveTraffic, target_id: str) -> dict[str, Any]:
    """A Lambda deployment's LambdaTarget, or an ECS deployment's ECSTarget."""
    deployment = record.extras["deployment"]
    status = live.status()
    weight = live.target_weight()
    common = {
        "deploymentId": record.id,
        "targetId": target_id,
        "status": target_status(status),
        "lastUpdatedAt": box.now,
        "lifecycleEvents": live.lifecycle(record.created),
    }
    if record.platform == "Lambda":
        return {
            "deploymentTargetType": "LambdaTarget",
            "lambdaTarget": dict(
                common,
                targetArn=f"arn:aws:lambda:{box.region}:{ACCOUNT}:function:"
                f"{deployment.function_name}:{deployment.alias}",
                lambdaFunctionInfo={
                    "functionName": deployment.function_name,
                    "functionAlias": deployment.alias,
                    "currentVersion": deployment.current.name,
                    "targetVersion": deployment.target.name,
                    "targetVersionWeight": float(weight),
                },
            ),
        }
    return {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": dict(
            common,
            targetArn=f"arn:aws:ecs:{box.region}:{ACCOUNT}:service/{deployment.cluster_name}/"
            f"{deployment.service_name}",
            taskSetsInfo=[
                {
                    "identifer": f"ecs-svc/{label.lower()}",
                    "desiredCount": 1,
                    "pendingCount": 0,
                    "runningCount": 1,
                    "status": "PRIMARY" if share >= 50 else "ACTIVE",
                    "trafficWeight": float(share),
                    "targetGroup": {"name": f"{deployment.service_name}-{label.lower()}"},
                    "taskSetLabel": label,
                }
                for label, share in (("Blue", 100 - weight), ("Green", weight))
            ],
        ),
    }


@register
def _list_deployment_targets(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    _started(record)
    ids = _target_ids(box, record)
    filters = p.get("targetFilters") or {}
    for name in filters:
        if name not in ("TargetStatus", "ServerInstanceLabel"):
            raise AwsError("InvalidTargetFilterNameException", f"Unknown filter {excerpt(name)}.")
    wanted = filters.get("TargetStatus")
    if wanted:
        ids = [i for i in ids if _first(_target(box, record, i))["status"] in wanted]
    labels = filters.get("ServerInstanceLabel")
    if labels:
        ids = [i for i in ids if _first(_target(box, record, i)).get("instanceLabel") in labels]
    page, token = paginate(ids, p.get("nextToken"))
    return {"targetIds": page, "nextToken": token}


def _first(target: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in target.items() if k != "deploymentTargetType")


@register
def _get_deployment_target(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    _started(record)
    return {"deploymentTarget": _target(box, record, p["targetId"])}


@register
def _batch_get_deployment_targets(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    _started(record)
    ids = p["targetIds"]
    limit = MAX_BATCH_TARGETS if record.platform == "Server" else 1
    if len(ids) > limit:
        raise AwsError(
            "DeploymentTargetListSizeExceededException",
            f"At most {limit} target IDs can be given for a {record.platform} deployment.",
        )
    return {"deploymentTargets": [_target(box, record, i) for i in ids]}


def _instance_summary(box: Box, record: Record, instance_id: str) -> dict[str, Any]:
    target = _first(_target(box, record, instance_id))
    return {
        "deploymentId": record.id,
        "instanceId": instance_id,
        "status": target["status"],
        "lastUpdatedAt": target["lastUpdatedAt"],
        "lifecycleEvents": target["lifecycleEvents"],
        "instanceType": target.get("instanceLabel", "Blue"),
    }


def _instances_platform(record: Record) -> None:
    if record.platform == "ECS":
        raise AwsError(
            "InvalidComputePlatformException",
            "Deployment instances are listed for EC2/on-premises and Lambda deployments only; "
            "use ListDeploymentTargets.",
        )


@register
def _list_deployment_instances(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    _started(record)
    _instances_platform(record)
    ids = _target_ids(box, record)
    statuses = p.get("instanceStatusFilter")
    if statuses:
        ids = [i for i in ids if _first(_target(box, record, i))["status"] in statuses]
    page, token = paginate(ids, p.get("nextToken"))
    return {"instancesList": page, "nextToken": token}


@register
def _get_deployment_instance(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    _started(record)
    _instances_platform(record)
    if p["instanceId"] not in _target_ids(box, record):
        raise AwsError(
            "InstanceDoesNotExistException",
            f"The instance {excerpt(p['instanceId'])} is not part of deployment {record.id}.",
        )
    return {"instanceSummary": _instance_summary(box, record, p["instanceId"])}


@register
def _batch_get_deployment_instances(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    record = get_record(box, p["deploymentId"])
    _started(record)
    _instances_platform(record)
    known = set(_target_ids(box, record))
    found = [i for i in p["instanceIds"] if i in known]
    missing = [i for i in p["instanceIds"] if i not in known]
    out: dict[str, Any] = {"instancesSummary": [_instance_summary(box, record, i) for i in found]}
    if missing:
        out["errorMessage"] = f"Instances not found: {', '.join(missing[:10])}"
    return out
