"""Reading AWS Lambda and Amazon ECS AppSpec files (private): Resources and Hooks."""

from __future__ import annotations

import re
from typing import Any

from shiftsim._text import excerpt
from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    check_version,
    kind,
)
from shiftsim.appspec._ecs import read_ecs_target
from shiftsim.appspec._events import check_event_name
from shiftsim.appspec._model import (
    APPSPEC_VERSION,
    ECS_TYPE,
    LAMBDA_TYPE,
    PLATFORM_NAMES,
    SERVER_ONLY,
    AppSpec,
    EcsTarget,
    LambdaTarget,
    Platform,
    is_placeholder,
)

__all__ = [
    "read_function_hooks",
    "read_function_platform",
    "read_lambda_target",
    "read_lambda_version",
    "read_resource_items",
]

# Function name, name:qualifier, partial ARN or full ARN (LambdaAPI:Invoke FunctionName).
_FUNCTION_NAME = re.compile(
    r"^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:)?(?:function:)?"
    r"[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]+)?$"
)
_ALIAS_NAME = re.compile(r"^(?!\d+$)[A-Za-z0-9_-]{1,128}$")


def read_function_platform(r: Checker, root: dict[Any, Any], platform: Platform) -> AppSpec | None:
    name = PLATFORM_NAMES[platform]
    foreign = {
        key: f"{excerpt(key)} is an EC2/On-Premises key; an {name} AppSpec has only version, "
        f"Resources and Hooks"
        for key in SERVER_ONLY
    }
    # AWS's hooks reference writes 'hooks' for Lambda and 'Hooks' for ECS: accept both.
    f = r.fields(
        root,
        (),
        ("version", "Resources", "Hooks"),
        f"an {name} AppSpec",
        fold_case=True,
        lowercase_ok=True,
        foreign=foreign,
    )
    check_version(r, root, platform)
    hooks: dict[str, str] = {}
    if "Hooks" in f:
        hooks = read_function_hooks(r, *f["Hooks"], platform)
    if "Resources" not in f:
        example = (
            "the function to deploy (Name, Alias, CurrentVersion, TargetVersion)"
            if platform == "Lambda"
            else "the service to deploy (TaskDefinition, LoadBalancerInfo)"
        )
        r.error((), f"Resources is required in an {name} AppSpec: it names {example}")
        return None
    resources = read_resource_items(r, *f["Resources"], platform, platform == "Lambda")
    if r.failed:
        return None
    return AppSpec(platform, APPSPEC_VERSION, None, (), (), hooks, resources, source=r.doc.source)


def read_resource_items(
    r: Checker, value: Any, path: Path, platform: str, lowercase_ok: bool
) -> tuple[LambdaTarget | EcsTarget, ...]:
    if not isinstance(value, list) or not value:
        r.error(
            path,
            f"Resources must be a list with one entry (- LogicalName: "
            f"{{Type: ..., Properties: ...}}); got {kind(value)}",
        )
        return ()
    expected = LAMBDA_TYPE if platform == "Lambda" else ECS_TYPE
    out: list[LambdaTarget | EcsTarget] = []
    for i, item in enumerate(value):
        ipath = (*path, i)
        if not isinstance(item, dict) or len(item) != 1:
            r.error(
                ipath,
                "each Resources entry must be a mapping with one key, the "
                f"resource's logical name; got {kind(item)}",
            )
            continue
        logical, body = next(iter(item.items()))
        bpath = (*ipath, logical)
        body = r.mapping(body, bpath, str(logical), "Type: ..., Properties: ...")
        if body is None:
            continue
        f = r.fields(
            body,
            bpath,
            ("Type", "Properties"),
            "a resource",
            fold_case=True,
            lowercase_ok=lowercase_ok,
        )
        if "Type" not in f:
            r.error(bpath, f"the resource needs Type: {expected}", at_key=True)
            continue
        if f["Type"][0] != expected:
            r.error(
                f["Type"][1],
                f"Type must be {expected!r} in an "
                f"{PLATFORM_NAMES[platform]} AppSpec; got {kind(f['Type'][0])}",
            )
            continue
        if "Properties" not in f:
            r.error(bpath, "the resource needs Properties", at_key=True)
            continue
        props = r.mapping(*f["Properties"], "Properties", "Name: ..., Alias: ...")
        if props is None:
            continue
        target: LambdaTarget | EcsTarget | None
        if platform == "Lambda":
            target = read_lambda_target(r, props, f["Properties"][1], str(logical))
        else:
            target = read_ecs_target(r, props, f["Properties"][1], str(logical))
        if target is not None:
            out.append(target)
    if len(value) > 1:
        what = "function" if platform == "Lambda" else "service"
        r.error(
            path,
            f"an {PLATFORM_NAMES[platform]} AppSpec deploys one {what}; "
            f"Resources lists {len(value)}",
        )
    return tuple(out)


def read_lambda_target(
    r: Checker, props: dict[Any, Any], path: Path, logical: str
) -> LambdaTarget | None:
    f = r.fields(
        props,
        path,
        ("Name", "Alias", "CurrentVersion", "TargetVersion"),
        "the Lambda function's Properties",
        fold_case=True,
        lowercase_ok=True,
    )
    for key in ("Name", "Alias", "TargetVersion"):
        if key not in f or f[key][0] is None:
            r.error(
                path,
                f"Properties needs {key} (all of Name, Alias and TargetVersion are required)",
                at_key=True,
            )
    if "Name" not in f or "Alias" not in f or "TargetVersion" not in f:
        return None
    name = r.text(*f["Name"], "Name")
    if name is not None and not is_placeholder(name) and not _FUNCTION_NAME.match(name):
        r.warn(
            f["Name"][1],
            f"{excerpt(name)} does not look like a Lambda function name "
            "(letters, digits, - and _, up to 64) or ARN",
        )
    alias = r.text(*f["Alias"], "Alias")
    if alias is not None and not is_placeholder(alias) and not _ALIAS_NAME.match(alias):
        r.error(
            f["Alias"][1],
            f"Alias must be an alias name (letters, digits, - and _, "
            f"not only digits, up to 128); got {excerpt(alias)}",
        )
        alias = None
    current = None
    if "CurrentVersion" in f:
        current = read_lambda_version(r, *f["CurrentVersion"], "CurrentVersion")
    else:
        r.warn(
            path,
            "CurrentVersion is missing; AWS's reference marks it required (the "
            "version the alias points to now)",
            at_key=True,
        )
    target = read_lambda_version(r, *f["TargetVersion"], "TargetVersion")
    if current is not None and current == target and not is_placeholder(current):
        r.warn(
            f["TargetVersion"][1],
            f"CurrentVersion and TargetVersion are both {excerpt(current)}, so no traffic "
            "would move",
        )
    if name is None or alias is None or target is None:
        return None
    if "CurrentVersion" in f and current is None:
        return None
    return LambdaTarget(name, alias, current, target, logical)


def read_lambda_version(r: Checker, value: Any, path: Path, what: str) -> int | str | None:
    if isinstance(value, str):
        text = value.strip()
        if text.upper() == "$LATEST":
            r.error(
                path,
                f"{what} is '$LATEST', but CodeDeploy shifts the alias between "
                "two published versions, and $LATEST is not one (an alias cannot "
                "route weighted traffic to it). Publish a version (aws lambda "
                "publish-version) and give its number, such as '2'",
            )
            return None
        if r.placeholder(text, path):
            return text
        if text.isascii() and text.isdigit() and int(text) >= 1:
            return int(text)
    elif isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value  # unquoted numbers are accepted, though the reference quotes them
    r.error(
        path,
        f"{what} must be a published version number, a positive integer such "
        f"as '2'; got {kind(value)}",
    )
    return None


def read_function_hooks(r: Checker, value: Any, path: Path, platform: str) -> dict[str, str]:
    if value is None:
        return {}
    name = PLATFORM_NAMES[platform]
    if isinstance(value, dict):
        scripts = any(isinstance(v, list) for v in value.values())
        why = f": {name} hooks run Lambda functions, not scripts on instances" if scripts else ""
        r.error(
            path,
            f"Hooks must be a list of single-key mappings, one per event "
            f"(- BeforeAllowTraffic: MyHookFunction); got a mapping{why}",
        )
        return {}
    if not isinstance(value, list):
        r.error(
            path,
            f"Hooks must be a list (- BeforeAllowTraffic: MyHookFunction); got {kind(value)}",
        )
        return {}
    hooks: dict[str, str] = {}
    for i, item in enumerate(value):
        ipath = (*path, i)
        if not isinstance(item, dict) or not item:
            r.error(
                ipath,
                "each Hooks entry must map one lifecycle event to a Lambda "
                f"function name (- AfterAllowTraffic: MyHookFunction); got "
                f"{kind(item)}",
            )
            continue
        if len(item) > 1:
            r.warn(ipath, "write one hook per list entry, as AWS's examples do")
        for event, function in item.items():
            epath = (*ipath, event)
            if not check_event_name(r, event, epath, platform):
                continue
            if event in hooks:
                r.error(
                    epath,
                    f"{event} is hooked twice; CodeDeploy invokes one function per lifecycle event",
                    at_key=True,
                )
                continue
            fn = r.text(function, epath, f"the {event} hook function")
            if fn is None:
                continue
            if not is_placeholder(fn) and not _FUNCTION_NAME.match(fn):
                r.warn(
                    epath,
                    f"{excerpt(fn)} does not look like a Lambda function name (letters, "
                    "digits, - and _, up to 64) or ARN",
                )
            hooks[event] = fn
    return hooks
