"""CodeDeploy's custom deployment configurations."""

from __future__ import annotations

from typing import Any

import shiftsim
from shiftsim.aws._ops_common import (
    MAX_CUSTOM_CONFIGS,
    PREDEFINED_PREFIX,
    Box,
    check_name,
    config_info,
    paginate,
    predefined_configs,
    register,
)
from shiftsim.aws._protocol import AwsError, excerpt
from shiftsim.errors import ConfigError

__all__ = ["custom_configs"]

# ---------------------------------------------------------------------------- configurations


@register
def _create_deployment_config(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    name = p["deploymentConfigName"]
    check_name(name, "InvalidDeploymentConfigNameException", "deployment configuration name")
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


@register
def _get_deployment_config(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    return {"deploymentConfigInfo": config_info(box, p["deploymentConfigName"])}


@register
def _list_deployment_configs(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    names = sorted(predefined_configs()) + sorted(box.configs)
    page, token = paginate(names, p.get("nextToken"))
    return {"deploymentConfigsList": page, "nextToken": token}


@register
def _delete_deployment_config(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    name = p["deploymentConfigName"]
    if name in predefined_configs():
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


def custom_configs(box: Box) -> list[Any]:
    return [
        shiftsim.DeploymentConfig.from_boto(
            {k: v for k, v in c.items() if k not in ("deploymentConfigId", "createTime")}
        )
        for c in box.configs.values()
    ]
