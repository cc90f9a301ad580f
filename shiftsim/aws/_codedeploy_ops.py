"""CodeDeploy's operations, one function each: ``HANDLERS[name](box, params) -> result``.

Inputs, outputs and errors follow botocore's model (codedeploy-api.md section 3); limits follow
section 7, with the choices made where sources disagree noted at each constant.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import shiftsim
from shiftsim import vocabulary
from shiftsim.aws._live import LiveServer, LiveTraffic
from shiftsim.aws._protocol import AwsError, excerpt
from shiftsim.errors import AppSpecError, ConfigError, UnsupportedScenarioError

if TYPE_CHECKING:
    from shiftsim.aws._box import CodeDeployBox, Record

__all__ = ["HANDLERS", "check_required"]

ACCOUNT = "123456789012"
PREDEFINED_PREFIX = "CodeDeployDefault."
#: Alarms per deployment group. The quotas page says 50, the API model's
#: AlarmsLimitExceededException and AlarmConfiguration docs say 10 (codedeploy-api.md 7,
#: unresolved): the model wins here, as shiftsim's vocabulary does (decision D9).
MAX_ALARMS = vocabulary.MAX_ALARMS
#: Custom deployment configurations per account (S-QUOTAS: 50).
MAX_CUSTOM_CONFIGS = 50
#: BatchGetDeployments: the model's operation docs say 25 (codedeploy-api.md 7, unresolved).
MAX_BATCH_DEPLOYMENTS = 25
MAX_BATCH_APPLICATIONS = 100
MAX_BATCH_TARGETS = 25
MAX_DESCRIPTION = 256
MAX_TAG_SETS = 3
PAGE = 100
GROUP_KEYS = (
    "applicationName",
    "deploymentGroupName",
    "deploymentConfigName",
    "computePlatform",
    "serviceRoleArn",
    "triggerConfigurations",
    "alarmConfiguration",
    "autoRollbackConfiguration",
    "deploymentStyle",
    "blueGreenDeploymentConfiguration",
    "loadBalancerInfo",
    "ecsServices",
    "ec2TagFilters",
    "ec2TagSet",
    "onPremisesInstanceTagFilters",
    "onPremisesTagSet",
    "autoScalingGroups",
    "outdatedInstancesStrategy",
)
#: Member -> the CodeDeploy exception for its absence, where the operation models one.
REQUIRED = {
    "applicationName": "ApplicationNameRequiredException",
    "deploymentGroupName": "DeploymentGroupNameRequiredException",
    "currentDeploymentGroupName": "DeploymentGroupNameRequiredException",
    "deploymentId": "DeploymentIdRequiredException",
    "deploymentIds": "DeploymentIdRequiredException",
    "deploymentConfigName": "DeploymentConfigNameRequiredException",
    "serviceRoleArn": "RoleRequiredException",
    "revision": "RevisionRequiredException",
    "targetIds": "DeploymentTargetIdRequiredException",
    "targetId": "DeploymentTargetIdRequiredException",
    "instanceId": "InstanceIdRequiredException",
}
#: Members CodeDeploy requires although the model leaves them optional (codedeploy-api.md 3.1).
ALSO_REQUIRED = {
    "CreateDeployment": ("deploymentGroupName", "revision"),
    "PutLifecycleEventHookExecutionStatus": ("deploymentId",),
    "ContinueDeployment": ("deploymentId",),
}

Handler = Callable[["CodeDeployBox", dict[str, Any]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def _op(function: Handler) -> Handler:
    name = "".join(part.capitalize() for part in function.__name__.strip("_").split("_"))
    HANDLERS[name] = function
    return function


def check_required(operation: Any, params: dict[str, Any]) -> None:
    """Missing members get CodeDeploy's own ``...RequiredException`` where it has one."""
    shape = operation.input_shape
    if shape is None:
        return
    errors = {e.name for e in operation.error_shapes}
    needed = list(shape.required_members) + list(ALSO_REQUIRED.get(operation.name, ()))
    if params.get("deploymentMode") == "RESTART":
        needed = [n for n in needed if n != "revision"]
    for member in needed:
        value = params.get(member)
        if value is None or value == "" or value == []:
            code = REQUIRED.get(member)
            if code is not None and code in errors:
                raise AwsError(code, f"The {member} is required.")
            raise AwsError("ValidationException", f"Missing required parameter {member}.")


# ---------------------------------------------------------------------------- helpers


def _app(box: CodeDeployBox, name: str) -> dict[str, Any]:
    app = box.applications.get(name)
    if app is None:
        raise AwsError(
            "ApplicationDoesNotExistException",
            f"No application found for name: {excerpt(name)}",
        )
    return app


def _group(box: CodeDeployBox, app: str, name: str) -> dict[str, Any]:
    _app(box, app)
    group = box.groups.get((app, name))
    if group is None:
        raise AwsError(
            "DeploymentGroupDoesNotExistException",
            f"No Deployment Group found for name: {excerpt(name)}",
        )
    return group


def _record(box: CodeDeployBox, deployment_id: str) -> Record:
    if not isinstance(deployment_id, str) or not deployment_id.startswith("d-"):
        raise AwsError(
            "InvalidDeploymentIdException",
            f"Specified DeploymentId is not in the valid format: {excerpt(deployment_id)}",
        )
    record = box.records.get(deployment_id)
    if record is None:
        raise AwsError(
            "DeploymentDoesNotExistException",
            f"The deployment {excerpt(deployment_id)} could not be found in this account.",
        )
    return record


def _predefined() -> dict[str, Any]:
    return {c.name: c for c in shiftsim.predefined_configs()}


def _config_info(box: CodeDeployBox, name: str) -> dict[str, Any]:
    custom = box.configs.get(name)
    if custom is not None:
        return custom
    found = _predefined().get(name)
    if found is None:
        raise AwsError(
            "DeploymentConfigDoesNotExistException",
            f"No deployment configuration found for name: {excerpt(name)}",
        )
    info = found.to_boto()
    info["deploymentConfigId"] = f"{name}-id"
    info["createTime"] = box.start_time
    return info


def _page(items: list[Any], token: Any, size: int = PAGE) -> tuple[list[Any], str | None]:
    start = 0
    if token is not None:
        if not (isinstance(token, str) and token.isdigit() and int(token) <= len(items)):
            raise AwsError("InvalidNextTokenException", "The next token is not valid.")
        start = int(token)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _arn(box: CodeDeployBox, kind: str, name: str) -> str:
    return f"arn:aws:codedeploy:{box.region}:{ACCOUNT}:{kind}:{name}"


def _check_name(value: Any, code: str, what: str) -> None:
    import re

    if not isinstance(value, str) or not 1 <= len(value) <= 100:
        raise AwsError(code, f"The {what} must be 1 to 100 characters long.")
    if re.fullmatch(r"[A-Za-z0-9+=,.@_-]+", value) is None:
        raise AwsError(
            code,
            f"The {what} {excerpt(value)!r} may contain only letters, digits and +=,.@_-",
        )


# ---------------------------------------------------------------------------- applications


@_op
def _create_application(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    name = p["applicationName"]
    _check_name(name, "InvalidApplicationNameException", "application name")
    if name in box.applications:
        raise AwsError(
            "ApplicationAlreadyExistsException",
            f"The application {excerpt(name)} already exists with the IAM user or AWS account.",
        )
    if len(box.applications) >= 1000:
        raise AwsError("ApplicationLimitExceededException", "More than 1000 applications.")
    app_id = box.new_id("")
    box.applications[name] = {
        "applicationId": app_id,
        "applicationName": name,
        "createTime": box.now,
        "linkedToGitHub": False,
        "computePlatform": p.get("computePlatform") or "Server",
    }
    box.tags[_arn(box, "application", name)] = list(p.get("tags") or [])
    return {"applicationId": app_id}


@_op
def _get_application(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    return {"application": _app(box, p["applicationName"])}


@_op
def _batch_get_applications(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    names = p["applicationNames"]
    if len(names) > MAX_BATCH_APPLICATIONS:
        raise AwsError("BatchLimitExceededException", "The maximum number of names was exceeded.")
    return {"applicationsInfo": [_app(box, n) for n in names]}


@_op
def _list_applications(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    page, token = _page(sorted(box.applications), p.get("nextToken"))
    return {"applications": page, "nextToken": token}


@_op
def _update_application(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    old = p.get("applicationName")
    new = p.get("newApplicationName")
    if old is None:
        raise AwsError("ApplicationNameRequiredException", "The applicationName is required.")
    app = _app(box, old)
    if new and new != old:
        _check_name(new, "InvalidApplicationNameException", "application name")
        if new in box.applications:
            raise AwsError("ApplicationAlreadyExistsException", f"{excerpt(new)} already exists.")
        app["applicationName"] = new
        box.applications[new] = box.applications.pop(old)
        for a, g in list(box.groups):
            if a == old:
                group = box.groups.pop((a, g))
                group["applicationName"] = new
                box.groups[(new, g)] = group
    return {}


@_op
def _delete_application(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    name = p["applicationName"]
    if name in box.applications:
        del box.applications[name]
        for key in [k for k in box.groups if k[0] == name]:
            del box.groups[key]
    return {}


@_op
def _register_application_revision(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    _app(box, p["applicationName"])
    if len(p.get("description") or "") > MAX_DESCRIPTION:
        raise AwsError("DescriptionTooLongException", "The description is too long.")
    box.revisions.setdefault(p["applicationName"], []).append(
        {
            "revisionLocation": p["revision"],
            "registerTime": box.now,
            "description": p.get("description"),
        }
    )
    return {}


@_op
def _list_application_revisions(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    _app(box, p["applicationName"])
    items = [r["revisionLocation"] for r in box.revisions.get(p["applicationName"], [])]
    page, token = _page(items, p.get("nextToken"))
    return {"revisions": page, "nextToken": token}


# ---------------------------------------------------------------------------- configurations


@_op
def _create_deployment_config(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    name = p["deploymentConfigName"]
    _check_name(name, "InvalidDeploymentConfigNameException", "deployment configuration name")
    if name.startswith(PREDEFINED_PREFIX):
        raise AwsError(
            "InvalidDeploymentConfigNameException",
            f"A custom deployment configuration name cannot start with {PREDEFINED_PREFIX}",
        )
    if name in box.configs:
        raise AwsError(
            "DeploymentConfigAlreadyExistsException",
            f"The deployment configuration {excerpt(name)} already exists.",
        )
    if len(box.configs) >= MAX_CUSTOM_CONFIGS:
        raise AwsError(
            "DeploymentConfigLimitExceededException",
            f"At most {MAX_CUSTOM_CONFIGS} custom deployment configurations are allowed.",
        )
    platform = p.get("computePlatform") or "Server"
    raw = dict(p, computePlatform=platform)
    if platform == "Server" and "minimumHealthyHosts" not in raw:
        raise AwsError(
            "InvalidMinimumHealthyHostValueException",
            "A Server deployment configuration needs minimumHealthyHosts.",
        )
    try:
        shiftsim.DeploymentConfig.from_boto(raw)
    except ConfigError as err:
        code = (
            "InvalidMinimumHealthyHostValueException"
            if "minimumHealthyHosts" in raw
            else "InvalidTrafficRoutingConfigurationException"
        )
        raise AwsError(code, str(err)[:300]) from err
    config_id = box.new_id("")
    box.configs[name] = dict(raw, deploymentConfigId=config_id, createTime=box.now)
    return {"deploymentConfigId": config_id}


@_op
def _get_deployment_config(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    return {"deploymentConfigInfo": _config_info(box, p["deploymentConfigName"])}


@_op
def _list_deployment_configs(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    names = sorted(_predefined()) + sorted(box.configs)
    page, token = _page(names, p.get("nextToken"))
    return {"deploymentConfigsList": page, "nextToken": token}


@_op
def _delete_deployment_config(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    name = p["deploymentConfigName"]
    if name in _predefined():
        raise AwsError(
            "InvalidOperationException", "A predefined deployment configuration cannot be deleted."
        )
    if any(g.get("deploymentConfigName") == name for g in box.groups.values()):
        raise AwsError(
            "DeploymentConfigInUseException",
            f"The deployment configuration {excerpt(name)} is used by a deployment group.",
        )
    box.configs.pop(name, None)
    return {}


def _custom_configs(box: CodeDeployBox) -> list[Any]:
    return [
        shiftsim.DeploymentConfig.from_boto(
            {k: v for k, v in c.items() if k not in ("deploymentConfigId", "createTime")}
        )
        for c in box.configs.values()
    ]


# ---------------------------------------------------------------------------- groups


def _check_group(box: CodeDeployBox, p: dict[str, Any], platform: str) -> None:
    config = p.get("deploymentConfigName")
    if config is not None:
        info = _config_info(box, config)
        if info.get("computePlatform", "Server") != platform:
            raise AwsError(
                "InvalidDeploymentConfigNameException",
                f"The deployment configuration {excerpt(config)} is for "
                f"{info.get('computePlatform')}, but the application uses {platform}.",
            )
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
    style = p.get("deploymentStyle") or {}
    if (
        platform in ("Lambda", "ECS")
        and style
        and style
        != {
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        }
    ):
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
    try:
        shiftsim.from_deployment_group(
            _group_kwargs(p),
            compute_platform=platform,
            alarms=[box.alarms.model(n) for n in names],
            configs=_custom_configs(box),
            **({"fleet": box.fleet} if platform == "Server" and box.fleet is not None else {}),
        )
    except (ConfigError, UnsupportedScenarioError) as err:
        raise AwsError("InvalidInputException", str(err)[:300]) from err


def _group_kwargs(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p[k] for k in GROUP_KEYS if p.get(k) is not None}


def _asg(names: list[str], group: str) -> list[dict[str, str]]:
    return [
        {"name": n, "hook": f"CodeDeploy-managed-automatic-launch-deployment-hook-{group}"}
        for n in names
    ]


@_op
def _create_deployment_group(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    app = _app(box, p["applicationName"])
    name = p["deploymentGroupName"]
    _check_name(name, "InvalidDeploymentGroupNameException", "deployment group name")
    if (p["applicationName"], name) in box.groups:
        raise AwsError(
            "DeploymentGroupAlreadyExistsException",
            f"The deployment group {excerpt(name)} already exists for application "
            f"{excerpt(p['applicationName'])}.",
        )
    if not str(p["serviceRoleArn"]).startswith("arn:"):
        raise AwsError("InvalidRoleException", "The serviceRoleArn is not an ARN.")
    platform = app["computePlatform"]
    _check_group(box, p, platform)
    group_id = box.new_id("")
    info = {k: v for k, v in p.items() if k != "tags"}
    info.update(deploymentGroupId=group_id, computePlatform=platform, _active=None)
    if platform == "Server" and "deploymentConfigName" not in info:
        info["deploymentConfigName"] = "CodeDeployDefault.OneAtATime"
    box.groups[(p["applicationName"], name)] = info
    box.tags[_arn(box, "deploymentgroup", f"{p['applicationName']}/{name}")] = list(
        p.get("tags") or []
    )
    return {"deploymentGroupId": group_id}


def _group_info(group: dict[str, Any]) -> dict[str, Any]:
    info = {k: v for k, v in group.items() if not k.startswith("_")}
    if info.get("autoScalingGroups"):
        info["autoScalingGroups"] = _asg(info["autoScalingGroups"], info["deploymentGroupName"])
    return info


@_op
def _get_deployment_group(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    group = _group(box, p["applicationName"], p["deploymentGroupName"])
    return {"deploymentGroupInfo": _group_info(group)}


@_op
def _batch_get_deployment_groups(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    app = p["applicationName"]
    _app(box, app)
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


@_op
def _list_deployment_groups(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    app = p["applicationName"]
    _app(box, app)
    names = sorted(g for a, g in box.groups if a == app)
    page, token = _page(names, p.get("nextToken"))
    return {"applicationName": app, "deploymentGroups": page, "nextToken": token}


@_op
def _update_deployment_group(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    app = p["applicationName"]
    current = p["currentDeploymentGroupName"]
    group = _group(box, app, current)
    merged = dict(group)
    for key, value in p.items():
        if key not in ("applicationName", "currentDeploymentGroupName", "newDeploymentGroupName"):
            merged[key] = value
    new = p.get("newDeploymentGroupName") or current
    if new != current:
        _check_name(new, "InvalidDeploymentGroupNameException", "deployment group name")
        if (app, new) in box.groups:
            raise AwsError(
                "DeploymentGroupAlreadyExistsException", f"{excerpt(new)} already exists."
            )
    merged["deploymentGroupName"] = new
    _check_group(box, merged, group["computePlatform"])
    del box.groups[(app, current)]
    box.groups[(app, new)] = merged
    return {"hooksNotCleanedUp": []}


@_op
def _delete_deployment_group(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    _app(box, p["applicationName"])
    box.groups.pop((p["applicationName"], p["deploymentGroupName"]), None)
    return {"hooksNotCleanedUp": []}


# ---------------------------------------------------------------------------- tags


def _tag_key(box: CodeDeployBox, arn: str) -> str:
    if arn not in box.tags:
        raise AwsError("ResourceArnRequiredException", f"No resource found for {excerpt(arn)}.")
    return arn


@_op
def _list_tags_for_resource(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": box.tags[_tag_key(box, p["ResourceArn"])]}


@_op
def _tag_resource(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    tags = box.tags[_tag_key(box, p["ResourceArn"])]
    for tag in p["Tags"]:
        tags[:] = [t for t in tags if t.get("Key") != tag.get("Key")] + [tag]
    return {}


@_op
def _untag_resource(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    tags = box.tags[_tag_key(box, p["ResourceArn"])]
    tags[:] = [t for t in tags if t.get("Key") not in p["TagKeys"]]
    return {}


# ---------------------------------------------------------------------------- revisions


def _s3_bundle(box: CodeDeployBox, location: dict[str, Any]) -> bytes | None:
    """The bundle's bytes from moto's S3, when moto is mocking AWS in this process."""
    moto_models = sys.modules.get("moto.core.models")
    stubber = getattr(moto_models, "botocore_stubber", None)
    if stubber is None or not getattr(stubber, "enabled", False):
        return None
    import boto3

    client = boto3.client("s3", region_name=box.region)
    kwargs = {"Bucket": location.get("bucket"), "Key": location.get("key")}
    if location.get("version"):
        kwargs["VersionId"] = location["version"]
    try:
        return bytes(client.get_object(**kwargs)["Body"].read())
    except Exception:
        return None


def _appspec_from_bundle(data: bytes, bundle: str) -> str:
    names = ("appspec.yml", "appspec.yaml", "appspec.json")
    if bundle in ("YAML", "JSON"):
        return data.decode("utf-8")
    try:
        if bundle == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in names:
                    if name in archive.namelist():
                        return archive.read(name).decode("utf-8")
        else:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
                for member in archive.getmembers():
                    if member.name.lstrip("./") in names and member.isfile():
                        handle = archive.extractfile(member)
                        if handle is not None:
                            return handle.read().decode("utf-8")
    except (zipfile.BadZipFile, tarfile.TarError, UnicodeDecodeError) as err:
        raise AwsError("InvalidRevisionException", f"The {bundle} bundle cannot be read.") from err
    raise AwsError("InvalidRevisionException", "The bundle has no appspec.yml at its root.")


def _revision_appspec(box: CodeDeployBox, revision: dict[str, Any], platform: str) -> Any:
    """The AppSpec a revision carries (a parsed :class:`shiftsim.AppSpec`), or None for an
    EC2/on-premises bundle the box cannot read (GitHub, or S3 outside moto)."""
    kind = revision.get("revisionType")
    text: str | None = None
    if kind == "AppSpecContent":
        text = (revision.get("appSpecContent") or {}).get("content")
    elif kind == "String":
        if platform != "Lambda":
            raise AwsError("InvalidRevisionException", "String revisions are for Lambda only.")
        text = (revision.get("string") or {}).get("content")
    elif kind == "S3":
        location = revision.get("s3Location") or {}
        if not location.get("bucket") or not location.get("key"):
            raise AwsError("InvalidRevisionException", "s3Location needs bucket and key.")
        data = _s3_bundle(box, location)
        if data is None:
            if platform == "Server":
                return None
            raise AwsError(
                "RevisionDoesNotExistException",
                f"The revision s3://{excerpt(location.get('bucket'))}/"
                f"{excerpt(location.get('key'))} cannot be found.",
            )
        bundle = location.get("bundleType") or ("YAML" if platform != "Server" else "zip")
        text = _appspec_from_bundle(data, bundle)
    elif kind == "GitHub":
        if platform != "Server":
            raise AwsError("InvalidRevisionException", "GitHub revisions are for EC2/on-premises.")
        return None
    if platform == "Server" and kind in ("AppSpecContent", "String"):
        raise AwsError(
            "InvalidRevisionException",
            f"A {kind} revision is for Lambda or ECS; EC2/on-premises deploy S3 or GitHub bundles.",
        )
    if not isinstance(text, str) or not text.strip():
        raise AwsError("InvalidRevisionException", "The revision has no AppSpec content.")
    try:
        spec = shiftsim.load_appspec(text, source="revision")
    except AppSpecError as err:
        raise AwsError("InvalidRevisionException", str(err)[:300]) from err
    if spec.platform != platform:
        raise AwsError(
            "InvalidRevisionException",
            f"The revision's AppSpec is for {spec.platform}, the application for {platform}.",
        )
    return spec


# ---------------------------------------------------------------------------- deployments


@_op
def _create_deployment(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    app_name, group_name = p["applicationName"], p["deploymentGroupName"]
    app = _app(box, app_name)
    group = _group(box, app_name, group_name)
    platform = app["computePlatform"]
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
            f"The Deployment Group '{group_name}' already has an active Deployment '{active}'",
        )
    if p.get("deploymentMode") == "RESTART" and platform != "Server":
        raise AwsError("InvalidInputException", "deploymentMode RESTART is for EC2 in-place.")
    revision = p.get("revision") or group.get("targetRevision")
    if revision is None:
        raise AwsError("RevisionRequiredException", "The revision is required.")
    kwargs = _group_kwargs(group)
    config = p.get("deploymentConfigName")
    if config is not None:
        info = _config_info(box, config)
        if info.get("computePlatform", "Server") != platform:
            raise AwsError(
                "InvalidDeploymentConfigNameException",
                f"The deployment configuration {excerpt(config)} is not for {platform}.",
            )
        kwargs["deploymentConfigName"] = config
    if p.get("overrideAlarmConfiguration") is not None:
        kwargs["alarmConfiguration"] = p["overrideAlarmConfiguration"]
    if p.get("autoRollbackConfiguration") is not None:
        kwargs["autoRollbackConfiguration"] = p["autoRollbackConfiguration"]
    _check_group(box, kwargs, platform)
    spec = _revision_appspec(box, revision, platform)
    alarm_names = [a["name"] for a in (kwargs.get("alarmConfiguration") or {}).get("alarms") or ()]
    if not (kwargs.get("alarmConfiguration") or {}).get("enabled", bool(alarm_names)):
        kwargs.pop("alarmConfiguration", None)
        alarm_names = []
    options = box.options_for(app_name, group_name)
    hooks: dict[str, str] = {}
    if platform == "Server":
        if box.fleet is not None:
            options.setdefault("fleet", box.fleet)
        if p.get("ignoreApplicationStopFailures") is not None:
            options["ignore_application_stop_failures"] = bool(p["ignoreApplicationStopFailures"])
    elif spec is not None:
        hooks = {e: f for e in spec.hooks if (f := spec.hook_function(e))}
    try:
        deployment = shiftsim.from_deployment_group(
            kwargs,
            revision=spec,
            alarms=[box.alarms.model(n) for n in alarm_names],
            configs=_custom_configs(box),
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
    from shiftsim.aws._box import Record

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


def _use_revision(box: CodeDeployBox, app: str, group: str, revision: dict[str, Any]) -> None:
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
    counts = dict.fromkeys(("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready"), 0)
    live = record.live
    if isinstance(live, LiveServer):
        for item in live.instances():
            key = item["status"] if item["status"] in counts else "Failed"
            counts[key] += 1
    else:
        counts[
            "InProgress"
            if status == "InProgress"
            else ("Succeeded" if status == "Succeeded" else "Failed")
        ] = 1
    return counts


def _deployment_info(box: CodeDeployBox, record: Record) -> dict[str, Any]:
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
            {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
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
            info["instanceTerminationWaitTimeStarted"] = status == "Succeeded"
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


@_op
def _get_deployment(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    return {"deploymentInfo": _deployment_info(box, _record(box, p["deploymentId"]))}


@_op
def _batch_get_deployments(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    ids = p["deploymentIds"]
    if len(ids) > MAX_BATCH_DEPLOYMENTS:
        raise AwsError(
            "BatchLimitExceededException",
            f"At most {MAX_BATCH_DEPLOYMENTS} deployment IDs can be given.",
        )
    infos = []
    for deployment_id in ids:
        try:
            infos.append(_deployment_info(box, _record(box, deployment_id)))
        except AwsError as err:
            if err.code != "DeploymentDoesNotExistException":
                raise
    return {"deploymentsInfo": infos}


@_op
def _list_deployments(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    app, group = p.get("applicationName"), p.get("deploymentGroupName")
    if (app is None) != (group is None):
        raise AwsError(
            "DeploymentGroupNameRequiredException"
            if group is None
            else "ApplicationNameRequiredException",
            "applicationName and deploymentGroupName must be given together.",
        )
    if app is not None:
        _group(box, app, str(group))
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
    page, token = _page(ids, p.get("nextToken"))
    return {"deployments": page, "nextToken": token}


@_op
def _stop_deployment(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    if record.live is None or record.settled:
        raise AwsError(
            "DeploymentAlreadyCompletedException",
            f"The deployment {record.id} has already completed.",
        )
    rollback = p.get("autoRollbackEnabled")
    record.live.stop(None if rollback is None else bool(rollback))
    box._settle(record)
    return {"status": "Succeeded", "statusMessage": f"Deployment {record.id} was stopped."}


@_op
def _continue_deployment(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    wait = p.get("deploymentWaitType") or "READY_WAIT"
    if record.platform == "Lambda":
        raise AwsError(
            "UnsupportedActionForDeploymentTypeException",
            "ContinueDeployment applies to blue/green EC2 and ECS deployments.",
        )
    if wait == "TERMINATION_WAIT" and record.settled and record.status == "Succeeded":
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


@_op
def _put_lifecycle_event_hook_execution_status(
    box: CodeDeployBox, p: dict[str, Any]
) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    execution = p.get("lifecycleEventHookExecutionId")
    status = p.get("status")
    if status not in ("Succeeded", "Failed"):
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


# ---------------------------------------------------------------------------- targets


def _started(record: Record) -> None:
    if record.live is None:
        raise AwsError(
            "DeploymentNotStartedException",
            f"The deployment {record.id} has no targets (it is a rollback record).",
        )


def _target_ids(box: CodeDeployBox, record: Record) -> list[str]:
    live = record.live
    if isinstance(live, LiveServer):
        return [i["id"] for i in live.instances()]
    deployment = record.extras["deployment"]
    if record.platform == "Lambda":
        return [deployment.function_name]
    return [f"{deployment.cluster_name}:{deployment.service_name}"]


def _target(box: CodeDeployBox, record: Record, target_id: str) -> dict[str, Any]:
    live = record.live
    now = box.now
    if isinstance(live, LiveServer):
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
                "lastUpdatedAt": now,
                "lifecycleEvents": live.lifecycle(target_id, record.created),
                "instanceLabel": item["label"] if item["label"] in ("Blue", "Green") else "Blue",
            },
        }
    if target_id not in _target_ids(box, record):
        raise AwsError(
            "DeploymentTargetDoesNotExistException",
            f"The target {excerpt(target_id)} is not part of deployment {record.id}.",
        )
    assert isinstance(live, LiveTraffic)
    deployment = record.extras["deployment"]
    status = live.status()
    target_status = (
        "InProgress"
        if status == "InProgress"
        else ("Succeeded" if status == "Succeeded" else "Failed")
    )
    weight = live.target_weight()
    common = {
        "deploymentId": record.id,
        "targetId": target_id,
        "status": target_status,
        "lastUpdatedAt": now,
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


@_op
def _list_deployment_targets(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
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
    page, token = _page(ids, p.get("nextToken"))
    return {"targetIds": page, "nextToken": token}


def _first(target: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in target.items() if k != "deploymentTargetType")


@_op
def _get_deployment_target(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    _started(record)
    return {"deploymentTarget": _target(box, record, p["targetId"])}


@_op
def _batch_get_deployment_targets(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    _started(record)
    ids = p["targetIds"]
    limit = MAX_BATCH_TARGETS if record.platform == "Server" else 1
    if len(ids) > limit:
        raise AwsError(
            "DeploymentTargetListSizeExceededException",
            f"At most {limit} target IDs can be given for a {record.platform} deployment.",
        )
    return {"deploymentTargets": [_target(box, record, i) for i in ids]}


def _instance_summary(box: CodeDeployBox, record: Record, instance_id: str) -> dict[str, Any]:
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


@_op
def _list_deployment_instances(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    _started(record)
    _instances_platform(record)
    ids = _target_ids(box, record)
    statuses = p.get("instanceStatusFilter")
    if statuses:
        ids = [i for i in ids if _first(_target(box, record, i))["status"] in statuses]
    page, token = _page(ids, p.get("nextToken"))
    return {"instancesList": page, "nextToken": token}


@_op
def _get_deployment_instance(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    _started(record)
    _instances_platform(record)
    if p["instanceId"] not in _target_ids(box, record):
        raise AwsError(
            "InstanceDoesNotExistException",
            f"The instance {excerpt(p['instanceId'])} is not part of deployment {record.id}.",
        )
    return {"instanceSummary": _instance_summary(box, record, p["instanceId"])}


@_op
def _batch_get_deployment_instances(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(box, p["deploymentId"])
    _started(record)
    _instances_platform(record)
    known = set(_target_ids(box, record))
    found = [i for i in p["instanceIds"] if i in known]
    missing = [i for i in p["instanceIds"] if i not in known]
    out: dict[str, Any] = {"instancesSummary": [_instance_summary(box, record, i) for i in found]}
    if missing:
        out["errorMessage"] = f"Instances not found: {', '.join(missing[:10])}"
    return out


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


# ---------------------------------------------------------------------------- on-premises


def _on_prem(box: CodeDeployBox, name: Any) -> dict[str, Any]:
    found = box.on_premises.get(name)
    if found is None:
        raise AwsError(
            "InstanceNotRegisteredException",
            f"The on-premises instance {excerpt(name)} is not registered.",
        )
    return found


@_op
def _register_on_premises_instance(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("instanceName")
    if not name:
        raise AwsError("InstanceNameRequiredException", "The instanceName is required.")
    if p.get("iamSessionArn") and p.get("iamUserArn"):
        raise AwsError(
            "MultipleIamArnsProvidedException", "Give iamSessionArn or iamUserArn, not both."
        )
    if not (p.get("iamSessionArn") or p.get("iamUserArn")):
        raise AwsError("IamArnRequiredException", "An iamSessionArn or iamUserArn is required.")
    existing = box.on_premises.get(name)
    if existing is not None and "deregisterTime" not in existing:
        raise AwsError(
            "InstanceNameAlreadyRegisteredException",
            f"The on-premises instance {excerpt(name)} is already registered.",
        )
    box.on_premises[name] = {
        "instanceName": name,
        "instanceArn": f"arn:aws:codedeploy:{box.region}:{ACCOUNT}:instance/{name}",
        "registerTime": box.now,
        "tags": [],
        **{k: p[k] for k in ("iamSessionArn", "iamUserArn") if p.get(k)},
    }
    return {}


@_op
def _deregister_on_premises_instance(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    _on_prem(box, p["instanceName"])["deregisterTime"] = box.now
    return {}


@_op
def _get_on_premises_instance(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    return {"instanceInfo": _on_prem(box, p["instanceName"])}


@_op
def _batch_get_on_premises_instances(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    names = p["instanceNames"]
    if len(names) > MAX_BATCH_APPLICATIONS:
        raise AwsError("BatchLimitExceededException", "At most 100 instance names can be given.")
    return {"instanceInfos": [box.on_premises[n] for n in names if n in box.on_premises]}


def _tag_match(tags: list[dict[str, str]], wanted: dict[str, Any]) -> bool:
    kind = wanted.get("Type", "KEY_AND_VALUE")
    for tag in tags:
        key_ok = tag.get("Key") == wanted.get("Key")
        value_ok = tag.get("Value") == wanted.get("Value")
        if (
            (kind == "KEY_ONLY" and key_ok)
            or (kind == "VALUE_ONLY" and value_ok)
            or (kind == "KEY_AND_VALUE" and key_ok and value_ok)
        ):
            return True
    return False


@_op
def _list_on_premises_instances(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    status = p.get("registrationStatus")
    names = []
    for name, info in sorted(box.on_premises.items()):
        registered = "deregisterTime" not in info
        if status == "Registered" and not registered:
            continue
        if status == "Deregistered" and registered:
            continue
        filters = p.get("tagFilters") or []
        if filters and not any(_tag_match(info["tags"], f) for f in filters):
            continue
        names.append(name)
    page, token = _page(names, p.get("nextToken"))
    return {"instanceNames": page, "nextToken": token}


def _instance_tags(box: CodeDeployBox, p: dict[str, Any]) -> list[dict[str, Any]]:
    if len(p["instanceNames"]) > 100:
        raise AwsError("InstanceLimitExceededException", "At most 100 instance names.")
    return [_on_prem(box, n) for n in p["instanceNames"]]


@_op
def _add_tags_to_on_premises_instances(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    for info in _instance_tags(box, p):
        for tag in p["tags"]:
            kept = [t for t in info["tags"] if t.get("Key") != tag.get("Key")]
            info["tags"] = [*kept, tag]
        if len(info["tags"]) > 10:
            raise AwsError("TagLimitExceededException", "An instance holds at most 10 tags.")
    return {}


@_op
def _remove_tags_from_on_premises_instances(
    box: CodeDeployBox, p: dict[str, Any]
) -> dict[str, Any]:
    removed = {(t.get("Key"), t.get("Value")) for t in p["tags"]}
    for info in _instance_tags(box, p):
        info["tags"] = [t for t in info["tags"] if (t.get("Key"), t.get("Value")) not in removed]
    return {}


# ---------------------------------------------------------------------------- revisions out


def _revision_info(box: CodeDeployBox, app: str, revision: dict[str, Any]) -> dict[str, Any]:
    for item in box.revisions.get(app, []):
        if item["revisionLocation"] == revision:
            return item
    raise AwsError(
        "RevisionDoesNotExistException", "The revision is not registered with the application."
    )


@_op
def _get_application_revision(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    _app(box, p["applicationName"])
    item = _revision_info(box, p["applicationName"], p["revision"])
    return {
        "applicationName": p["applicationName"],
        "revision": item["revisionLocation"],
        "revisionInfo": _generic(item),
    }


def _generic(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": item.get("description"),
        "deploymentGroups": sorted(item.get("groups", ())),
        "firstUsedTime": item.get("firstUsedTime"),
        "lastUsedTime": item.get("lastUsedTime"),
        "registerTime": item["registerTime"],
    }


@_op
def _batch_get_application_revisions(box: CodeDeployBox, p: dict[str, Any]) -> dict[str, Any]:
    _app(box, p["applicationName"])
    if len(p["revisions"]) > 25:
        raise AwsError("BatchLimitExceededException", "At most 25 revisions can be given.")
    infos = []
    for revision in p["revisions"]:
        item = _revision_info(box, p["applicationName"], revision)
        infos.append({"revisionLocation": revision, "genericRevisionInfo": _generic(item)})
    return {"applicationName": p["applicationName"], "revisions": infos}


@_op
def _skip_wait_time_for_instance_termination(
    box: CodeDeployBox, p: dict[str, Any]
) -> dict[str, Any]:
    """Deprecated; ContinueDeployment(TERMINATION_WAIT) replaces it (codedeploy-api.md 3)."""
    return HANDLERS["ContinueDeployment"](
        box, {"deploymentId": p.get("deploymentId"), "deploymentWaitType": "TERMINATION_WAIT"}
    )
