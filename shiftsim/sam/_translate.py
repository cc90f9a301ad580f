"""SAM templates: from a resolved deployment group to the Lambda deployment's inputs (private).

:func:`shiftsim.sam.from_sam` takes SAM's steps in order, one helper each: the configuration
``Type`` names (:func:`_config_map`), the alarms ``Alarms`` names (:func:`_alarm_objects`), the
hooks ``Hooks`` names and how they behave (:func:`_hook_objects`), and the AppSpec revision SAM's
``UpdatePolicy`` deploys (:func:`_revision`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim.alarms import Alarm
from shiftsim.configs import SAM_SHORT_NAMES, DeploymentConfig, predefined_configs
from shiftsim.errors import ConfigError
from shiftsim.sam._alarms import _alarm
from shiftsim.sam._groups import _Group, _hook_behaviour
from shiftsim.sam._keys import HOOK_EVENTS, HOOK_PREFIX
from shiftsim.sam._resolve import _props, _Resolver
from shiftsim.traffic import Hook, Version

__all__: list[str] = []


def _config_map(
    resolver: _Resolver,
    group: _Group,
    configs: Mapping[str, DeploymentConfig] | Sequence[DeploymentConfig] | None,
) -> dict[str, DeploymentConfig]:
    """The custom configurations given, checked against the one the template's Type names."""
    loaded = resolver.template
    config_map = (
        dict(configs or {})
        if isinstance(configs, Mapping)
        else {c.name: c for c in (configs or ())}
    )
    predefined = {c.name for c in predefined_configs("Lambda")}
    if group.config_name not in config_map and group.config_name not in predefined:
        everything = [c.name for c in predefined_configs()]
        if group.config_name in everything:
            raise loaded.error(
                f"Type {excerpt(group.config_name)} is not a Lambda configuration; SAM deployment "
                "groups are Lambda ones",
                ("Resources", group.function, "Properties", "DeploymentPreference", "Type"),
            )
        hint = suggest(group.config_name, [*SAM_SHORT_NAMES, *predefined])
        type_path = ("Resources", group.function, "Properties", "DeploymentPreference", "Type")
        raise ConfigError(
            f"from_sam: {loaded.where(type_path)}: "
            f"Type {excerpt(group.config_name)} is not one of SAM's nine names, so SAM passes it "
            "through as a custom configuration; supply it with configs="
            f"{{{excerpt(group.config_name)}: "
            f"DeploymentConfig({excerpt(group.config_name)}, 'Lambda', "
            "traffic_routing=...)}" + (f" ({hint})" if hint else "") + "."
        )
    return config_map


def _alarm_objects(
    resolver: _Resolver, group: _Group, alarms: Mapping[str, Alarm] | None
) -> dict[str, Alarm]:
    """The alarms the group names: given ones first, then the template's alarm resources."""
    loaded = resolver.template
    overrides = dict(alarms or {})
    for key, alarm in overrides.items():
        if not isinstance(alarm, Alarm):
            raise ConfigError(
                f"from_sam: alarms[{excerpt(key)}] must be an Alarm; got {excerpt(alarm)}."
            )
    alarm_objects: dict[str, Alarm] = {}
    for name, logical, where in group.alarm_refs:
        chosen = overrides.get(logical) if logical is not None else None
        chosen = chosen or overrides.get(name)
        if chosen is None and logical is not None:
            chosen = _alarm(resolver, logical, group.function, group.alias)
        if chosen is None:
            raise ConfigError(
                f"from_sam: {loaded.where(where)}: alarm {excerpt(name)} is not defined in the "
                f"template; pass alarms={{{excerpt(name)}: shiftsim.Alarm({excerpt(name)}, ...)}}."
            )
        alarm_objects[name] = chosen
    return alarm_objects


def _hook_objects(
    resolver: _Resolver, group: _Group, hooks: Mapping[str, Hook] | None
) -> dict[str, Hook]:
    """How the group's hooks behave, by lifecycle event: ``hooks`` checked against the hooks
    the template names, with a warning for a hook function SAM's role may not invoke."""
    behaviour = _hook_behaviour(hooks)
    missing = sorted(set(behaviour) - set(group.hooks))
    if missing:
        raise ConfigError(
            f"from_sam: hooks describes {missing}, but {group.function}'s DeploymentPreference "
            f"has no {' or '.join(k for k, v in HOOK_EVENTS.items() if v in missing)} hook."
        )
    _check_hook_names(resolver, group)
    return behaviour


def _check_hook_names(resolver: _Resolver, group: _Group) -> None:
    """Warn about hook functions SAM's generated role may not invoke."""
    loaded = resolver.template
    if group.role is None:
        stack = str(resolver.pseudo["AWS::StackName"])
        for event, (name, where, logical) in group.hooks.items():
            physical = name
            if logical is not None and "FunctionName" not in _props(
                resolver.resources.get(logical)
            ):
                physical = f"{stack}-{logical}"  # CloudFormation's generated name starts so
            if not physical.startswith(HOOK_PREFIX):
                warnings.warn(
                    f"{loaded.where(where)}: the {event} hook function {excerpt(physical)} "
                    f"does not "
                    f"start with {excerpt(HOOK_PREFIX)}; SAM's generated CodeDeploy role "
                    "(AWSCodeDeployRoleForLambda) may only invoke CodeDeployHook_* functions, "
                    "so the hook would fail to run. Name it so, or give DeploymentPreference a "
                    "Role.",
                    UserWarning,
                    stacklevel=4,  # over _hook_objects and from_sam: from_sam's caller
                )


def _revision(group: _Group, current: Version, target: Version) -> dict[str, Any]:
    """The AppSpec SAM's ``UpdatePolicy`` deploys: the function's alias moves from ``current``
    to ``target``, with the hooks the template names."""
    return {
        "version": 0.0,
        "Resources": [
            {
                group.function: {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": group.function_name,
                        "Alias": group.alias,
                        "CurrentVersion": current.name,
                        "TargetVersion": target.name,
                    },
                }
            }
        ],
        "Hooks": [{event: name} for event, (name, _, _) in group.hooks.items()],
    }
