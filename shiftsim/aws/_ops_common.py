"""What CodeDeploy's operations share: the limits, the handler registry, the box's interface
(:class:`Box`) and the lookups (application, group, deployment, configuration, page)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import shiftsim
from shiftsim import vocabulary
from shiftsim.aws._cloudwatch import AlarmStore
from shiftsim.aws._live import LiveServer, LiveTraffic
from shiftsim.aws._protocol import AwsError, excerpt
from shiftsim.aws._record import Record

__all__ = [
    "ACCOUNT",
    "ALSO_REQUIRED",
    "HANDLERS",
    "MAX_ALARMS",
    "MAX_BATCH_APPLICATIONS",
    "MAX_BATCH_DEPLOYMENTS",
    "MAX_BATCH_TARGETS",
    "MAX_CUSTOM_CONFIGS",
    "MAX_DESCRIPTION",
    "MAX_TAG_SETS",
    "PAGE",
    "PREDEFINED_PREFIX",
    "REQUIRED",
    "Box",
    "Handler",
    "check_config_platform",
    "check_name",
    "check_required",
    "config_info",
    "get_app",
    "get_group",
    "get_record",
    "paginate",
    "predefined_configs",
    "register",
    "resource_arn",
]

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


class Box(Protocol):
    """What the operations read and change of a :class:`~shiftsim.aws.CodeDeployBox` (typed
    here, so that the operations do not import the box that dispatches to them)."""

    region: str
    start_time: datetime
    applications: dict[str, dict[str, Any]]
    groups: dict[tuple[str, str], dict[str, Any]]
    configs: dict[str, dict[str, Any]]
    records: dict[str, Record]
    order: list[str]
    revisions: dict[str, list[dict[str, Any]]]
    tags: dict[str, list[dict[str, str]]]
    on_premises: dict[str, dict[str, Any]]
    alarms: AlarmStore

    @property
    def now(self) -> datetime: ...
    @property
    def minute(self) -> float: ...
    @property
    def fleet(self) -> Any: ...
    def versions_for(
        self, deployment: shiftsim.LambdaDeployment | shiftsim.EcsDeployment
    ) -> shiftsim.LambdaDeployment | shiftsim.EcsDeployment: ...
    def options_for(self, application: str, group: str) -> dict[str, Any]: ...
    def start_live(self, deployment: Any, hooks: dict[str, str]) -> LiveTraffic | LiveServer: ...
    def _settle(self, record: Record) -> None: ...
    def status_of(self, record: Record) -> str: ...
    def new_id(self, prefix: str) -> str: ...


Handler = Callable[[Box, dict[str, Any]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def register(function: Handler) -> Handler:
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


def get_app(box: Box, name: str) -> dict[str, Any]:
    app = box.applications.get(name)
    if app is None:
        raise AwsError(
            "ApplicationDoesNotExistException",
            f"No application found for name: {excerpt(name)}",
        )
    return app


def get_group(box: Box, app: str, name: str) -> dict[str, Any]:
    get_app(box, app)
    group = box.groups.get((app, name))
    if group is None:
        raise AwsError(
            "DeploymentGroupDoesNotExistException",
            f"No Deployment Group found for name: {excerpt(name)}",
        )
    return group


def get_record(box: Box, deployment_id: str) -> Record:
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


def predefined_configs() -> dict[str, Any]:
    return {c.name: c for c in shiftsim.predefined_configs()}


def config_info(box: Box, name: str) -> dict[str, Any]:
    custom = box.configs.get(name)
    if custom is not None:
        return custom
    found = predefined_configs().get(name)
    if found is None:
        raise AwsError(
            "DeploymentConfigDoesNotExistException",
            f"No deployment configuration found for name: {excerpt(name)}",
        )
    info = found.to_boto()
    info["deploymentConfigId"] = f"{name}-id"
    info["createTime"] = box.start_time
    return info


def check_config_platform(box: Box, name: str, platform: str) -> None:
    """The configuration ``name`` exists and is for ``platform`` (the application's)."""
    info = config_info(box, name)
    if info.get("computePlatform", "Server") != platform:
        raise AwsError(
            "InvalidDeploymentConfigNameException",
            f"The deployment configuration {excerpt(name)} is for "
            f"{info.get('computePlatform')}, but the application uses {platform}.",
        )


def paginate(items: list[Any], token: Any, size: int = PAGE) -> tuple[list[Any], str | None]:
    start = 0
    if token is not None:
        if not (isinstance(token, str) and token.isdigit() and int(token) <= len(items)):
            raise AwsError("InvalidNextTokenException", "The next token is not valid.")
        start = int(token)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def resource_arn(box: Box, kind: str, name: str) -> str:
    return f"arn:aws:codedeploy:{box.region}:{ACCOUNT}:{kind}:{name}"


def check_name(value: Any, code: str, what: str) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= 100:
        raise AwsError(code, f"The {what} must be 1 to 100 characters long.")
    if re.fullmatch(r"[A-Za-z0-9+=,.@_-]+", value) is None:
        raise AwsError(
            code,
            f"The {what} {excerpt(value)!r} may contain only letters, digits and +=,.@_-",
        )
