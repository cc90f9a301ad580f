"""Revisions (private): the AppSpec a RevisionLocation holds, in and out."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shiftsim._checks import invalid
from shiftsim.appspec import AppSpec, LambdaTarget, load_appspec
from shiftsim.boto._shapes import OWNER
from shiftsim.ecs import (
    EcsDeployment,
)
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.lambda_ import LambdaDeployment

__all__ = ["RevisionNames", "read_revision", "task_set_name", "to_revision"]


@dataclass(frozen=True, slots=True)
class RevisionNames:
    """What a checked Lambda or ECS AppSpec names."""

    platform: str
    hooks: dict[str, str]
    function_name: str | None = None
    alias: str | None = None
    current_version: str | None = None
    target_version: str | None = None
    task_definition: str | None = None
    container_name: str | None = None
    container_port: int | None = None
    appspec: Any = None


def appspec_content(revision: Any) -> Any:
    """The AppSpec text or mapping inside a RevisionLocation (or the revision itself)."""
    if isinstance(revision, Mapping) and "revisionType" in revision:
        kind = revision["revisionType"]
        if kind == "AppSpecContent":
            return (revision.get("appSpecContent") or {}).get("content")
        if kind == "String":
            return (revision.get("string") or {}).get("content")
        raise UnsupportedScenarioError(
            f"{OWNER}: revision.revisionType {kind!r} points at a bundle shiftsim cannot "
            "fetch; pass the AppSpec itself (revisionType 'AppSpecContent', its text, a "
            "mapping, or a shiftsim.appspec.AppSpec)."
        )
    return revision


def version_name(value: object) -> str | None:
    """A version number from an AppSpec as a Version name; None for a placeholder."""
    if value is None:
        return None
    text = str(value)
    return None if text.startswith(("<", "{{", "${")) else text


def read_revision(revision: Any) -> RevisionNames:
    """Check the revision's AppSpec with :func:`shiftsim.appspec.load_appspec` and keep the
    names it gives."""
    if isinstance(revision, AppSpec):
        spec = revision
    else:
        content = appspec_content(revision)
        if not isinstance(content, (str, Mapping)):
            raise invalid(
                OWNER,
                "revision",
                revision,
                "must be a RevisionLocation (AppSpecContent or String), AppSpec text, a mapping, "
                "or a shiftsim.appspec.AppSpec",
            )
        # The API defines the content as AppSpec text: it is never opened as a file.
        spec = load_appspec(content, source="revision", as_text=True)
    if spec.platform == "Server":
        return RevisionNames("Server", {}, appspec=spec)
    hooks = {event: name for event in spec.hooks if (name := spec.hook_function(event))}
    (target,) = spec.resources
    if isinstance(target, LambdaTarget):
        return RevisionNames(
            "Lambda",
            hooks,
            function_name=target.name,
            alias=target.alias,
            current_version=version_name(target.current_version),
            target_version=version_name(target.target_version),
        )
    port = target.container_port if isinstance(target.container_port, int) else None
    name = None if version_name(target.container_name) is None else target.container_name
    return RevisionNames(
        "ECS",
        hooks,
        task_definition=target.task_definition,
        container_name=name,
        container_port=port,
    )


TASK_DEFINITION_ARN = re.compile(r"task-definition/(?P<family>[^:/]+):(?P<revision>\d+)$")


def task_set_name(task_definition: str, service: str) -> str | None:
    """The version name for a task definition ARN: its revision when the family is the service's
    name, else ``family:revision``; None for a CodePipeline placeholder."""
    if task_definition.startswith("<") and task_definition.endswith(">"):
        return None
    match = TASK_DEFINITION_ARN.search(task_definition)
    if match is None:
        return task_definition
    family, revision = match["family"], match["revision"]
    return revision if family == service else f"{family}:{revision}"


def task_definition_arn(version: str, service: str) -> str:
    if version.startswith("arn:"):
        return version
    name = version if ":" in version else f"{service}:{version}"
    return f"arn:aws:ecs:us-east-1:123456789012:task-definition/{name}"


def to_revision(deployment: LambdaDeployment | EcsDeployment) -> dict[str, Any]:
    """The ``RevisionLocation`` (``AppSpecContent``) a pipeline would send for ``deployment``.

    Examples
    --------
    >>> import json, shiftsim
    >>> rev = to_revision(shiftsim.LambdaDeployment("AllAtOnce", function_name="orders"))
    >>> json.loads(rev["appSpecContent"]["content"])["Resources"][0]["orders"]["Properties"]
    {'Name': 'orders', 'Alias': 'live', 'CurrentVersion': '1', 'TargetVersion': '2'}
    """
    if isinstance(deployment, LambdaDeployment):
        resource = {
            deployment.function_name: {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Name": deployment.function_name,
                    "Alias": deployment.alias,
                    "CurrentVersion": deployment.current.name,
                    "TargetVersion": deployment.target.name,
                },
            }
        }
        hooks = [
            {event: hook.function_name}
            for event, hook in (
                ("BeforeAllowTraffic", deployment.hooks.before_allow_traffic),
                ("AfterAllowTraffic", deployment.hooks.after_allow_traffic),
            )
            if hook is not None
        ]
    elif isinstance(deployment, EcsDeployment):
        resource = {
            "TargetService": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "TaskDefinition": task_definition_arn(
                        deployment.target.name, deployment.service_name
                    ),
                    "LoadBalancerInfo": {
                        "ContainerName": deployment.container_name,
                        "ContainerPort": deployment.container_port,
                    },
                },
            }
        }
        hooks = [{e: h.function_name} for e, h in deployment.hooks.by_event().items()]
    else:
        raise invalid(
            "to_revision", "deployment", deployment, "must be a LambdaDeployment or EcsDeployment"
        )
    spec: dict[str, Any] = {"version": 0.0, "Resources": [resource]}
    if hooks:
        spec["Hooks"] = hooks
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(spec)}}
