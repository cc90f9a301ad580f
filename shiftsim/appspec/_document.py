"""Reading the top of an AppSpec file (private): which platform it is for; templates refused."""

from __future__ import annotations

from typing import Any

from shiftsim._text import excerpt
from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    folded_key,
    get_folded,
    kind,
)
from shiftsim.appspec._functions import read_function_platform
from shiftsim.appspec._model import (
    ECS_TYPE,
    HOOK_EVENTS,
    LAMBDA_TYPE,
    SERVER_ONLY,
    AppSpec,
    Finding,
    Platform,
)
from shiftsim.appspec._server import read_server

__all__ = ["detect_platform", "is_template", "read_root"]


def read_root(r: Checker, platform: Platform | None) -> AppSpec | None:
    doc = r.doc
    for path, first_line in doc.duplicates:
        r.warn(
            path,
            f"key {excerpt(path[-1])} appears twice (first at line {first_line}); "
            "YAML keeps only the last one, so the earlier entry is ignored",
            at_key=True,
        )
    for line, note in doc.notes:
        r.findings.append(Finding("warning", doc.source, line, "", note))
    root = doc.value
    if not isinstance(root, dict):
        r.error(
            (),
            "an AppSpec file must be a mapping at the top level "
            f"(version: 0.0, ...); got {kind(root)}",
        )
        return None
    if is_template(r, root):
        return None
    detected = platform or detect_platform(r, root)
    if detected is None:
        return None
    if detected == "Server":
        return read_server(r, root)
    spec = read_function_platform(r, root, detected)
    return None if r.failed else spec


def is_template(r: Checker, root: dict[Any, Any]) -> bool:
    """Refuse SAM and CloudFormation templates, with the way forward."""
    resources = get_folded(root, "Resources")
    types: list[tuple[str, Path]] = []
    if isinstance(resources, dict):
        for name, body in resources.items():
            kind = get_folded(body, "Type") if isinstance(body, dict) else None
            if isinstance(kind, str):
                types.append((kind, ("Resources", name, "Type")))
    transform = root.get("Transform")
    serverless = [t for t in types if t[0].startswith("AWS::Serverless::")]
    is_sam = bool(serverless) or "AWS::Serverless" in str(transform)
    if is_sam:
        path: Path = serverless[0][1] if serverless else ("Transform",)
        what = serverless[0][0] if serverless else str(transform)
        r.error(
            path,
            f"this is an AWS SAM template ({what}), not an AppSpec file. SAM "
            "writes the AppSpec itself from the function's DeploymentPreference; load "
            "the template with shiftsim's SAM reader, from_sam(), instead",
        )
        return True
    if "AWSTemplateFormatVersion" in root or isinstance(resources, dict):
        r.error(
            ("Resources",) if isinstance(resources, dict) else (),
            "this is a CloudFormation template, not an AppSpec file: an AppSpec "
            "lists its Resources (- LogicalName: {Type, Properties}) and has "
            "version: 0.0",
        )
        return True
    return False


def detect_platform(r: Checker, root: dict[Any, Any]) -> Platform | None:
    resources_key = folded_key(root, "Resources")
    resources = root.get(resources_key) if resources_key is not None else None
    if isinstance(resources, list):
        kinds: dict[str, Path] = {}
        for i, item in enumerate(resources):
            for name, body in item.items() if isinstance(item, dict) else ():
                kind = get_folded(body, "Type") if isinstance(body, dict) else None
                if kind is not None:
                    type_key = folded_key(body, "Type")
                    kinds.setdefault(str(kind), (resources_key, i, name, type_key))
        if LAMBDA_TYPE in kinds and ECS_TYPE in kinds:
            r.error(
                kinds[ECS_TYPE],
                "Resources mixes an AWS::Lambda::Function and an "
                "AWS::ECS::Service; one AppSpec deploys to one compute platform",
            )
            return None
        if LAMBDA_TYPE in kinds:
            return "Lambda"
        if ECS_TYPE in kinds:
            return "ECS"
        if kinds:
            kind, path = next(iter(kinds.items()))
            r.error(
                path,
                f"Type must be {LAMBDA_TYPE!r} (AWS Lambda) or {ECS_TYPE!r} "
                f"(Amazon ECS); got {excerpt(kind)}. EC2/On-Premises AppSpecs have no "
                "Resources",
            )
            return None
    if any(key in root for key in SERVER_ONLY) or isinstance(root.get("hooks"), dict):
        return "Server"
    hooks = get_folded(root, "Hooks")
    if resources is not None or isinstance(hooks, list):
        events = {
            k
            for item in (hooks if isinstance(hooks, list) else [])
            if isinstance(item, dict)
            for k in item
        }
        ecs_only = set(HOOK_EVENTS["ECS"]) - set(HOOK_EVENTS["Lambda"])
        return "ECS" if events & ecs_only else "Lambda"
    r.error(
        (),
        "cannot tell which compute platform this AppSpec is for: it has neither "
        "os/files/hooks (EC2/On-Premises) nor Resources (AWS Lambda, Amazon ECS). "
        "Add them, or pass platform='Server', 'Lambda' or 'ECS'",
    )
    return None
