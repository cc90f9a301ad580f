"""Reading an Amazon ECS AppSpec's service properties (private)."""

from __future__ import annotations

import re
from typing import Any

from shiftsim._text import excerpt
from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    is_intrinsic,
    kind,
)
from shiftsim.appspec._model import (
    AwsvpcConfiguration,
    CapacityProviderStrategyItem,
    EcsTarget,
    is_placeholder,
    port_problem,
)

__all__ = [
    "read_capacity_providers",
    "read_ecs_target",
    "read_load_balancer_info",
    "read_network",
    "read_task_definition",
]

_PIPELINE_PLACEHOLDER = re.compile(r"^<[A-Za-z0-9_.-]+>$")
_TASKDEF_ARN = re.compile(
    r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}(?::\d+)?$"
)
_TASKDEF_FAMILY = re.compile(r"^[A-Za-z0-9_-]{1,255}(?::\d+)?$")
_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_PLATFORM_VERSION = re.compile(r"^(?:LATEST|\d+\.\d+\.\d+)$")
_ASSIGN_PUBLIC_IP = ("ENABLED", "DISABLED")


def read_ecs_target(
    r: Checker, props: dict[Any, Any], path: Path, logical: str
) -> EcsTarget | None:
    keys = (
        "TaskDefinition",
        "LoadBalancerInfo",
        "PlatformVersion",
        "NetworkConfiguration",
        "CapacityProviderStrategy",
    )
    f = r.fields(props, path, keys, "the ECS service's Properties", fold_case=True)
    for key in ("TaskDefinition", "LoadBalancerInfo"):
        if key not in f or f[key][0] is None:
            r.error(
                path,
                f"Properties needs {key} (TaskDefinition and LoadBalancerInfo are required)",
                at_key=True,
            )
    taskdef = None
    if "TaskDefinition" in f and f["TaskDefinition"][0] is not None:
        taskdef = read_task_definition(r, *f["TaskDefinition"])
    container = port = None
    if "LoadBalancerInfo" in f and f["LoadBalancerInfo"][0] is not None:
        container, port = read_load_balancer_info(r, *f["LoadBalancerInfo"])
    platform_version = None
    if "PlatformVersion" in f and f["PlatformVersion"][0] is not None:
        platform_version = r.text(*f["PlatformVersion"], "PlatformVersion")
        if (
            platform_version is not None
            and not is_placeholder(platform_version)
            and not _PLATFORM_VERSION.match(platform_version)
        ):
            r.error(
                f["PlatformVersion"][1],
                "PlatformVersion must be LATEST or a Fargate "
                f"platform version such as 1.4.0; got {excerpt(platform_version)}",
            )
    network = None
    if "NetworkConfiguration" in f and f["NetworkConfiguration"][0] is not None:
        network = read_network(r, *f["NetworkConfiguration"])
    strategy: tuple[CapacityProviderStrategyItem, ...] = ()
    if "CapacityProviderStrategy" in f and f["CapacityProviderStrategy"][0] is not None:
        strategy = read_capacity_providers(r, *f["CapacityProviderStrategy"])
    if taskdef is None or container is None or port is None:
        return None
    return EcsTarget(taskdef, container, port, platform_version, network, strategy, logical)


def read_task_definition(r: Checker, value: Any, path: Path) -> str | None:
    if isinstance(value, str) and _PIPELINE_PLACEHOLDER.match(value.strip()):
        return value.strip()  # CodePipeline's ECS (Blue/Green) action fills it in
    if is_intrinsic(value):
        r.error(
            path,
            f"TaskDefinition is a CloudFormation function ({next(iter(value))}), which "
            "CodeDeploy does not evaluate in an AppSpec. To let CodePipeline fill in the "
            "task definition, write TaskDefinition: <TASK_DEFINITION> and give the ECS "
            "(Blue/Green) action the taskdef artifact",
        )
        return None
    text = r.text(value, path, "TaskDefinition", strip=True)
    if text is None:
        return None
    if is_placeholder(text) or _TASKDEF_ARN.match(text):
        return text
    if text.startswith("arn:"):
        r.error(
            path,
            "TaskDefinition is not a valid task-definition ARN "
            "(arn:aws:ecs:region:account-id:task-definition/family:revision, with a "
            f"12-digit account and no wildcards); got {excerpt(text)}",
        )
        return None
    if _TASKDEF_FAMILY.match(text):
        r.warn(
            path,
            f"TaskDefinition {excerpt(text)} is a task-definition family, not the ARN "
            "AWS's reference asks for (arn:aws:ecs:region:account-id:task-definition/"
            "family:revision); how CodeDeploy resolves a family is undocumented",
        )
        return text
    hint = ""
    if text.lower().endswith(".json"):
        hint = (
            ". It looks like a file name: CodePipeline's ECS (Blue/Green) action registers "
            "taskdef.json and writes its ARN over the <TASK_DEFINITION> placeholder, so "
            "write TaskDefinition: <TASK_DEFINITION>"
        )
    r.error(
        path,
        "TaskDefinition must be a task-definition ARN (arn:aws:ecs:region:"
        "account-id:task-definition/family:revision) or a CodePipeline placeholder "
        f"such as <TASK_DEFINITION>; got {excerpt(text)}{hint}",
    )
    return None


def read_load_balancer_info(
    r: Checker, value: Any, path: Path
) -> tuple[str | None, int | str | None]:
    entry = r.mapping(value, path, "LoadBalancerInfo", "ContainerName: ..., ContainerPort: ...")
    if entry is None:
        return None, None
    f = r.fields(
        entry, path, ("ContainerName", "ContainerPort"), "LoadBalancerInfo", fold_case=True
    )
    name: str | None = None
    port: int | str | None = None
    for key in ("ContainerName", "ContainerPort"):
        if key not in f or f[key][0] is None:
            r.error(path, f"LoadBalancerInfo needs {key}", at_key=True)
    if "ContainerName" in f and f["ContainerName"][0] is not None:
        name = r.text(*f["ContainerName"], "ContainerName")
        if name is not None and not is_placeholder(name) and not _CONTAINER_NAME.match(name):
            r.error(
                f["ContainerName"][1],
                "ContainerName must be a container name from "
                "the task definition (letters, digits, - and _, up to 255); got "
                f"{excerpt(name)}",
            )
            name = None
    if "ContainerPort" in f and f["ContainerPort"][0] is not None:
        raw, ppath = f["ContainerPort"]
        port = raw
        if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            r.warn(
                ppath,
                f"ContainerPort should be a number, not the text {excerpt(raw)}: it is "
                "the one AppSpec property AWS's reference gives as a number",
            )
            port = int(raw.strip())
        elif isinstance(raw, str) and r.placeholder(raw, ppath):
            port = raw
        problem = port_problem(port)
        if problem:
            r.error(ppath, f"ContainerPort {problem}; got {kind(raw)}")
            port = None
    return name, port


def read_network(r: Checker, value: Any, path: Path) -> AwsvpcConfiguration | None:
    entry = r.mapping(value, path, "NetworkConfiguration", "AwsvpcConfiguration: ...")
    if entry is None:
        return None
    f = r.fields(entry, path, ("AwsvpcConfiguration",), "NetworkConfiguration", fold_case=True)
    if "AwsvpcConfiguration" not in f:
        r.error(
            path,
            "NetworkConfiguration needs AwsvpcConfiguration (Subnets, "
            "SecurityGroups, AssignPublicIp)",
            at_key=True,
        )
        return None
    vpc = r.mapping(
        *f["AwsvpcConfiguration"],
        "AwsvpcConfiguration",
        "Subnets: [...], SecurityGroups: [...], AssignPublicIp: ...",
    )
    if vpc is None:
        return None
    vpath = f["AwsvpcConfiguration"][1]
    keys = ("Subnets", "SecurityGroups", "AssignPublicIp")
    g = r.fields(vpc, vpath, keys, "AwsvpcConfiguration", fold_case=True)
    missing = [k for k in keys if k not in g or g[k][0] is None]
    if len(missing) == len(keys):
        return None  # none given: CodeDeploy keeps the service's network settings
    if missing:
        r.error(
            vpath,
            "AwsvpcConfiguration must give all or none of Subnets, "
            f"SecurityGroups and AssignPublicIp; missing {', '.join(missing)}",
            at_key=True,
        )
        return None
    subnets = r.text_list(*g["Subnets"], "Subnets")
    groups = r.text_list(*g["SecurityGroups"], "SecurityGroups")
    # Limits of ECS's AwsVpcConfiguration (ECS API reference).
    if subnets is not None and not 1 <= len(subnets) <= 16:
        r.error(g["Subnets"][1], f"Subnets must list 1 to 16 subnets; got {len(subnets)}")
        subnets = None
    if groups is not None and not 1 <= len(groups) <= 5:
        r.error(
            g["SecurityGroups"][1],
            f"SecurityGroups must list 1 to 5 security groups; got {len(groups)}",
        )
        groups = None
    assign = r.choice(*g["AssignPublicIp"], "AssignPublicIp", _ASSIGN_PUBLIC_IP)
    if subnets is None or groups is None or assign is None:
        return None
    return AwsvpcConfiguration(subnets, groups, assign)


def read_capacity_providers(
    r: Checker, value: Any, path: Path
) -> tuple[CapacityProviderStrategyItem, ...]:
    if not isinstance(value, list):
        r.error(
            path,
            "CapacityProviderStrategy must be a list of - CapacityProvider: ... "
            f"entries; got {kind(value)}",
        )
        return ()
    out = []
    with_base = []
    for i, item in enumerate(value):
        ipath = (*path, i)
        entry = r.mapping(
            item,
            ipath,
            "each CapacityProviderStrategy entry",
            "CapacityProvider: ..., Base: ..., Weight: ...",
        )
        if entry is None:
            continue
        f = r.fields(
            entry,
            ipath,
            ("Base", "CapacityProvider", "Weight"),
            "a CapacityProviderStrategy entry",
            fold_case=True,
        )
        if "CapacityProvider" not in f or f["CapacityProvider"][0] is None:
            r.error(ipath, "each CapacityProviderStrategy entry needs CapacityProvider")
            continue
        provider = r.text(*f["CapacityProvider"], "CapacityProvider")
        # Ranges of ECS's CapacityProviderStrategyItem (ECS API reference).
        base = r.integer(*f["Base"], "Base", 0, 100_000) if "Base" in f else 0
        weight = r.integer(*f["Weight"], "Weight", 0, 1000) if "Weight" in f else 0
        if base:
            with_base.append(f["Base"][1])
        if provider is not None and base is not None and weight is not None:
            out.append(CapacityProviderStrategyItem(provider, base, weight))
    if len(with_base) > 1:
        r.error(
            with_base[1],
            "only one capacity provider in a strategy can have a Base greater than 0",
        )
    return tuple(out)
