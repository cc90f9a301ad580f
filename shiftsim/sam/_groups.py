"""SAM templates: the deployment group SAM generates for a function (private)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim._yaml import is_intrinsic
from shiftsim.boto import TriggerConfig
from shiftsim.configs import SAM_SHORT_NAMES
from shiftsim.errors import ConfigError
from shiftsim.rollback import ROLLBACK_EVENTS
from shiftsim.sam._keys import (
    _ALIAS_NAME,
    CODEDEPLOY_APPLICATION,
    HOOK_EVENTS,
    NO_VALUE,
    SERVERLESS_FUNCTION,
    Path_,
)
from shiftsim.sam._preferences import (
    _choose,
    _Group,
    _Preference,
    _preferences,
    _sam_error,
)
from shiftsim.sam._resolve import (
    _props,
    _Resolver,
    _text,
    _Unresolved,
    show,
)
from shiftsim.sam._template import (
    load_template,
)
from shiftsim.traffic import Hook

__all__ = ["sam_deployment_group"]


def _group(resolver: _Resolver, pref: _Preference) -> _Group:
    template = resolver.template
    merged = pref.merged
    function = pref.function
    resource = template.root["Resources"][function]
    condition = resource.get("Condition")
    if condition is not None:
        _check_created(resolver, function, condition)
    alias = resolver.value(pref.alias_node, pref.alias_path, "AutoPublishAlias")
    if not isinstance(alias, str) or not _ALIAS_NAME.match(alias):
        raise _sam_error(
            template,
            function,
            f"AutoPublishAlias name ('{alias}') must contain only alphanumeric characters, "
            "hyphens, or underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern.",
            pref.alias_path,
        )
    kind = resolver.value(merged["Type"], pref.path("Type"), "DeploymentPreference.Type")
    if not isinstance(kind, str) or not kind:
        raise template.error(
            f"Type must be a configuration name; got {excerpt(kind)}", pref.path("Type")
        )
    config_name = f"CodeDeployDefault.Lambda{kind}" if kind in SAM_SHORT_NAMES else kind

    alarm_refs = _alarm_refs(resolver, pref)
    hooks = _hooks(resolver, pref)

    role = None
    if merged.get("Role") not in (None, ""):
        role = resolver.lenient(merged["Role"])
    triggers = _sam_triggers(resolver, pref)
    passthrough = merged.get("PassthroughCondition", False)
    passthrough = resolver.resolve(passthrough) in (True, "true", "True")
    return _Group(
        function,
        resolver.function_name(function),
        alias,
        config_name,
        tuple(alarm_refs),
        hooks,
        role,
        triggers,
        passthrough,
        condition if isinstance(condition, str) else None,
    )


def _check_created(resolver: _Resolver, function: str, condition: Any) -> None:
    """A function whose Condition is false is not created: no deployment for it."""
    template = resolver.template
    try:
        created = resolver.condition(condition)
    except _Unresolved as err:
        raise template.error(
            f"cannot tell whether {function} is created: {err}",
            ("Resources", function, "Condition"),
        ) from None
    if not created:
        raise template.error(
            f"function {excerpt(function)} is not created: its Condition {excerpt(condition)} "
            f"is false, so "
            "there is no CodeDeploy deployment for it",
            ("Resources", function, "Condition"),
        )


def _alarm_refs(resolver: _Resolver, pref: _Preference) -> list[tuple[str, str | None, Path_]]:
    """The alarms a preference names: (alarm name, logical id of a template alarm, where)."""
    template = resolver.template
    merged = pref.merged
    alarm_refs: list[tuple[str, str | None, Path_]] = []
    try:
        alarms = resolver.select(merged.get("Alarms"))
    except _Unresolved as err:
        raise template.error(f"cannot resolve Alarms: {err}", pref.path("Alarms")) from None
    if alarms is not None and alarms is not NO_VALUE:
        if not isinstance(alarms, list):
            raise template.error(f"Alarms must be a list; got {show(alarms)}", pref.path("Alarms"))
        for i, item in enumerate(alarms):
            where = pref.path("Alarms", i)
            try:
                chosen = resolver.select(item)
            except _Unresolved as err:
                raise template.error(f"cannot resolve the alarm: {err}", where) from None
            if chosen is NO_VALUE:
                continue
            target = chosen.get("Ref") if is_intrinsic(chosen) else None
            if isinstance(target, str) and resolver._type(target) == "AWS::CloudWatch::Alarm":
                alarm_refs.append((resolver.alarm_name(target), target, where))
                continue
            if (
                isinstance(target, str)
                and target not in resolver.declared
                and (target not in resolver.pseudo)
            ):
                hint = suggest(
                    target,
                    [
                        r
                        for r in resolver.resources
                        if resolver._type(r) == "AWS::CloudWatch::Alarm"
                    ],
                )
                raise template.error(
                    f"!Ref {target} names no AWS::CloudWatch::Alarm of the template"
                    + (f" ({hint})" if hint else "")
                    + "; CloudFormation would reject the unresolved reference",
                    where,
                )
            name = resolver.value(chosen, where, "the alarm name")
            alarm_refs.append((_text(name), None, where))
    return alarm_refs


def _hooks(resolver: _Resolver, pref: _Preference) -> dict[str, tuple[str, Path_, str | None]]:
    """The hook functions, by CodeDeploy event: (function name, where, logical id)."""
    template = resolver.template
    merged = pref.merged
    hooks: dict[str, tuple[str, Path_, str | None]] = {}
    raw_hooks = merged.get("Hooks") or {}
    for key in raw_hooks:
        if key not in HOOK_EVENTS:
            hint = suggest(str(key), HOOK_EVENTS)
            raise template.error(
                f"Hooks has no event {excerpt(key)}; SAM knows PreTraffic and PostTraffic"
                + (f" ({hint})" if hint else ""),
                (*pref.path("Hooks"), key),
            )
    for key, event in HOOK_EVENTS.items():
        if key not in raw_hooks:
            continue
        where = (*pref.path("Hooks"), key)
        try:
            chosen = resolver.select(raw_hooks[key])
        except _Unresolved as err:
            raise template.error(f"cannot resolve the hook: {err}", where) from None
        if chosen is NO_VALUE or chosen is None:
            continue
        hooks[event] = _hook_function(resolver, chosen, where)
    return hooks


def _hook_function(resolver: _Resolver, node: Any, where: Path_) -> tuple[str, Path_, str | None]:
    """A hook's function name: a function of the template by Ref or GetAtt, or a name/ARN."""
    template = resolver.template
    logical = None
    if is_intrinsic(node) and "Ref" in node:
        logical = node["Ref"]
    elif is_intrinsic(node) and "Fn::GetAtt" in node:
        arg = node["Fn::GetAtt"]
        logical = arg[0] if isinstance(arg, list) and arg else None
    if (
        isinstance(logical, str)
        and logical not in resolver.declared
        and (logical not in resolver.pseudo)
    ):
        kind = resolver._type(logical)
        if kind is None:
            functions = [
                r
                for r in resolver.resources
                if resolver._type(r) in (SERVERLESS_FUNCTION, "AWS::Lambda::Function")
            ]
            hint = suggest(logical, functions)
            raise template.error(
                f"the hook refers to {excerpt(logical)}, which is not a resource of the template"
                + (f" ({hint})" if hint else "")
                + "; CloudFormation would reject the unresolved reference",
                where,
            )
        if kind == "AWS::Lambda::Function":
            raw = _props(resolver.resources[logical]).get("FunctionName")
            return (logical if raw is None else resolver.lenient(raw)), where, logical
        if kind != SERVERLESS_FUNCTION:
            raise template.error(
                f"the hook refers to {excerpt(logical)}, a {kind}, not a function", where
            )
        return resolver.function_name(logical), where, logical
    value = resolver.value(node, where, "the hook function")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        # The hook becomes the alias's UpdatePolicy hook, a function name or ARN (SAMdoc).
        raise template.error(
            f"a hook names one Lambda function (a name, an ARN, or !Ref of a function); "
            f"got {excerpt(value)}",
            where,
        )
    name = _text(value)
    match = re.search(r":function:([^:]+)", name)
    return (match[1] if match else name), where, None


def _sam_triggers(resolver: _Resolver, pref: _Preference) -> tuple[TriggerConfig, ...]:
    template = resolver.template
    try:
        raw = resolver.select(pref.merged.get("TriggerConfigurations"))
    except _Unresolved as err:
        raise template.error(
            f"cannot resolve TriggerConfigurations: {err}", pref.path("TriggerConfigurations")
        ) from None
    if raw is None or raw is NO_VALUE:
        return ()
    if not isinstance(raw, list):
        raise template.error(
            "TriggerConfigurations must be a list", pref.path("TriggerConfigurations")
        )
    out = []
    for i, item in enumerate(raw):
        where = pref.path("TriggerConfigurations", i)
        if not isinstance(item, Mapping):
            raise template.error(f"a trigger must be a mapping; got {show(item)}", where)
        name = resolver.value(item.get("TriggerName"), (*where, "TriggerName"), "TriggerName")
        events = resolver.value(
            item.get("TriggerEvents"), (*where, "TriggerEvents"), "TriggerEvents"
        )
        arn = resolver.lenient(item.get("TriggerTargetArn"))
        try:
            out.append(TriggerConfig(name, arn, tuple(events or ())))
        except ConfigError as err:
            raise template.error(str(err), where) from err
    return tuple(out)


def _resolve_group(
    template: str | os.PathLike[str] | Mapping[str, Any],
    function: str | None,
    parameters: Mapping[str, Any] | None,
) -> tuple[_Resolver, _Group]:
    loaded = load_template(template)
    resolver = _Resolver(loaded, parameters)
    prefs = _preferences(resolver)
    group = _group(resolver, _choose(loaded, prefs, function, resolver))
    return resolver, group


def _group_kwargs(group: _Group) -> dict[str, Any]:
    out: dict[str, Any] = {
        "applicationName": CODEDEPLOY_APPLICATION,
        "deploymentGroupName": f"{group.function}DeploymentGroup",
        "deploymentConfigName": group.config_name,
        "serviceRoleArn": group.role or "CodeDeployServiceRole",
        "autoRollbackConfiguration": {"enabled": True, "events": list(ROLLBACK_EVENTS)},
        "deploymentStyle": {
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
    }
    if group.alarm_refs:
        out["alarmConfiguration"] = {
            "enabled": True,
            "alarms": [{"name": name} for name, _, _ in group.alarm_refs],
        }
    if group.triggers:
        out["triggerConfigurations"] = [t.to_boto() for t in group.triggers]
    return out


def sam_deployment_group(
    template: str | os.PathLike[str] | Mapping[str, Any],
    function: str | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The CodeDeploy deployment group SAM generates for ``function``, as
    ``create_deployment_group`` keyword arguments.

    ``applicationName`` and ``deploymentGroupName`` are SAM's logical ids
    (``ServerlessDeploymentApplication``, ``<Function>DeploymentGroup``); ``serviceRoleArn`` is
    the ``Role`` given or SAM's generated ``CodeDeployServiceRole``.

    Examples
    --------
    >>> group = sam_deployment_group('''
    ... Resources:
    ...   Fn:
    ...     Type: AWS::Serverless::Function
    ...     Properties:
    ...       AutoPublishAlias: live
    ...       DeploymentPreference: {Type: Linear10PercentEvery1Minute}
    ... ''')
    >>> group["deploymentConfigName"]
    'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'
    >>> group["autoRollbackConfiguration"]["events"]  # doctest: +NORMALIZE_WHITESPACE
    ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']
    """
    _, group = _resolve_group(template, function, parameters)
    return _group_kwargs(group)


def _hook_behaviour(hooks: Mapping[str, Hook] | None) -> dict[str, Hook]:
    out: dict[str, Hook] = {}
    for key, hook in (hooks or {}).items():
        event = HOOK_EVENTS.get(key, key)
        if event not in HOOK_EVENTS.values():
            hint = suggest(str(key), [*HOOK_EVENTS, *HOOK_EVENTS.values()])
            raise ConfigError(
                f"from_sam: hooks key {excerpt(key)} must be PreTraffic or PostTraffic (or "
                "BeforeAllowTraffic or AfterAllowTraffic)" + (f"; {hint}" if hint else "") + "."
            )
        if not isinstance(hook, Hook):
            raise ConfigError(
                f"from_sam: hooks[{excerpt(key)}] must be a Hook; got {excerpt(hook)}."
            )
        out[event] = hook
    return out
