"""SAM templates: DeploymentPreference as SAM reads and merges it (private)."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim._yaml import is_intrinsic
from shiftsim.boto import TriggerConfig
from shiftsim.errors import AppSpecError
from shiftsim.sam._keys import (
    NO_VALUE,
    PREFERENCE_KEYS,
    SERVERLESS_FUNCTION,
    Path_,
)
from shiftsim.sam._resolve import (
    _mapping,
    _props,
    _Resolver,
    _Unresolved,
)
from shiftsim.sam._template import (
    Template,
)

__all__ = []


def _token(node: Any) -> str:
    if isinstance(node, Mapping):
        return "primitive" if is_intrinsic(node) else "dict"
    return "list" if isinstance(node, list) else "primitive"


def _merge(global_value: Any, local_value: Any) -> Any:
    """SAM's Globals merge: maps key by key, lists appended (globals first), else local wins."""
    kind = _token(global_value)
    if kind != _token(local_value) or kind == "primitive":
        return local_value
    if kind == "list":
        return [*global_value, *local_value]
    out = dict(global_value)
    for key, value in local_value.items():
        out[key] = _merge(global_value[key], value) if key in global_value else value
    return out


@dataclass(frozen=True, slots=True)
class _Preference:
    """One function's DeploymentPreference after Globals, with where each part came from."""

    function: str
    merged: Mapping[str, Any]
    local: Mapping[str, Any] | None
    glob: Mapping[str, Any] | None
    alias_node: Any
    alias_path: Path_
    enabled: bool

    def path(self, key: str, index: int | None = None) -> Path_:
        """Where ``key`` (item ``index`` of a list) was written: the function or Globals."""
        local: Path_ = ("Resources", self.function, "Properties", "DeploymentPreference")
        glob: Path_ = ("Globals", "Function", "DeploymentPreference")
        in_local = self.local is not None and key in self.local
        in_glob = self.glob is not None and key in self.glob
        if index is not None and in_local and in_glob:
            assert self.glob is not None
            first = self.glob[key]
            if isinstance(first, list):
                if index < len(first):
                    return (*glob, key, index)
                return (*local, key, index - len(first))
        base = local if in_local or (not in_glob and self.local is not None) else glob
        return (*base, key) if index is None else (*base, key, index)


def _sam_error(template: Template, function: str, message: str, path: Path_) -> AppSpecError:
    return template.error(f"Resource with id [{function}] is invalid. {message}", path)


def _preferences(resolver: _Resolver) -> dict[str, _Preference]:
    """Every Serverless function's DeploymentPreference, checked as SAM checks them."""
    template = resolver.template
    root = template.root
    if not isinstance(root.get("Resources"), Mapping) or not root["Resources"]:
        raise template.error("the template has no Resources", ("Resources",))
    globals_fn = _mapping((_mapping(root.get("Globals")) or {}).get("Function")) or {}
    out = {}
    for function, resource in root["Resources"].items():
        if not isinstance(resource, Mapping) or resource.get("Type") != SERVERLESS_FUNCTION:
            continue
        pref = _preference(resolver, function, _props(resource), globals_fn)
        if pref is not None:
            out[function] = _checked(resolver, pref)
    return out


def _preference(
    resolver: _Resolver, function: str, props: Mapping[str, Any], globals_fn: Mapping[str, Any]
) -> _Preference | None:
    """One function's DeploymentPreference merged with Globals (None when there is none)."""
    template = resolver.template
    global_dp = globals_fn.get("DeploymentPreference")
    glob_path: Path_ = ("Globals", "Function", "DeploymentPreference")
    local_dp = props.get("DeploymentPreference")
    if local_dp is None and global_dp is None:
        return None
    local_path: Path_ = ("Resources", function, "Properties", "DeploymentPreference")
    where = local_path if local_dp is not None else glob_path
    both = global_dp is not None and local_dp is not None
    try:
        merged = resolver.select(
            _merge(global_dp, local_dp) if both else (global_dp if local_dp is None else local_dp)
        )
    except _Unresolved as err:
        raise template.error(f"cannot resolve DeploymentPreference: {err}", where) from None
    if merged is NO_VALUE or merged is None or merged == {}:
        return None  # SAM skips an empty DeploymentPreference
    if not isinstance(merged, Mapping):
        raise _sam_error(
            template, function, "Type of property 'DeploymentPreference' is invalid.", where
        )
    if "AutoPublishAlias" in props:
        alias_node = props["AutoPublishAlias"]
        alias_path: Path_ = ("Resources", function, "Properties", "AutoPublishAlias")
    else:
        alias_node = globals_fn.get("AutoPublishAlias")
        alias_path = ("Globals", "Function", "AutoPublishAlias")
    return _Preference(
        function,
        merged,
        _mapping(local_dp),
        _mapping(global_dp),
        alias_node,
        alias_path,
        True,
    )


def _checked(resolver: _Resolver, pref: _Preference) -> _Preference:
    """SAM's checks of one preference: unknown keys (a warning), PassthroughCondition, Enabled,
    Type, Hooks and AutoPublishAlias."""
    template = resolver.template
    merged, function = pref.merged, pref.function
    for key in merged:
        if key not in PREFERENCE_KEYS:
            hint = suggest(str(key), PREFERENCE_KEYS)
            warnings.warn(
                f"{template.where(pref.path(str(key)))}: DeploymentPreference has no "
                f"property {excerpt(key)}; SAM ignores it" + (f" ({hint})" if hint else "") + ".",
                UserWarning,
                stacklevel=5,
            )
    if "PassthroughCondition" in merged:
        _check_passthrough(resolver, pref)
    if not _enabled(resolver, pref):
        return replace(pref, enabled=False)
    if "Type" not in merged:
        raise _sam_error(
            template,
            function,
            "'DeploymentPreference' is missing required Property 'Type'",
            ("Resources", function, "Properties", "DeploymentPreference")
            if pref.local is not None
            else ("Globals", "Function", "DeploymentPreference"),
        )
    hooks = merged.get("Hooks", {})
    if not isinstance(hooks, Mapping) or is_intrinsic(hooks):
        raise _sam_error(
            template,
            function,
            "'Hooks' property of 'DeploymentPreference' must be a dictionary",
            pref.path("Hooks"),
        )
    alias = pref.alias_node
    with contextlib.suppress(_Unresolved):
        alias = resolver.select(pref.alias_node)
    if alias is None or alias is NO_VALUE or alias == "":
        raise _sam_error(
            template,
            function,
            "'DeploymentPreference' requires AutoPublishAlias property to be specified.",
            ("Resources", function, "Properties"),
        )
    return pref


def _check_passthrough(resolver: _Resolver, pref: _Preference) -> None:
    try:
        value = resolver.resolve(pref.merged["PassthroughCondition"])
    except _Unresolved:
        raise _sam_error(
            resolver.template,
            pref.function,
            "Unsupported intrinsic: the only intrinsic functions supported for property "
            "PassthroughCondition are FindInMap and parameter Refs.",
            pref.path("PassthroughCondition"),
        ) from None
    if value not in (True, False, "true", "True", "false", "False"):
        raise _sam_error(
            resolver.template,
            pref.function,
            "Invalid value for property PassthroughCondition.",
            pref.path("PassthroughCondition"),
        )


def _enabled(resolver: _Resolver, pref: _Preference) -> bool:
    enabled = pref.merged.get("Enabled", True)
    # SAM keeps an unresolved intrinsic, which is truthy: enabled.
    with contextlib.suppress(_Unresolved):
        enabled = resolver.resolve(enabled)
    enabled = False if enabled in ("false", "False") else enabled
    enabled = True if enabled in ("true", "True") else enabled
    if is_intrinsic(enabled):
        return True
    if not isinstance(enabled, bool):
        # SAM's DeploymentPreference.Enabled is a Boolean (SAMdoc, DeploymentPreference).
        raise _sam_error(
            resolver.template,
            pref.function,
            f"Enabled must be true or false; got {excerpt(enabled)}",
            pref.path("Enabled"),
        )
    return enabled


def _choose(
    template: Template, prefs: Mapping[str, _Preference], function: str | None, resolver: _Resolver
) -> _Preference:
    functions = [
        f
        for f, r in (template.root.get("Resources") or {}).items()
        if isinstance(r, Mapping) and r.get("Type") == SERVERLESS_FUNCTION
    ]
    enabled = [f for f, p in prefs.items() if p.enabled]
    if function is None:
        if len(enabled) == 1:
            return prefs[enabled[0]]
        if not enabled:
            raise template.error(
                "no AWS::Serverless::Function has an enabled DeploymentPreference, so SAM "
                "creates no CodeDeploy deployment"
                + (f" (functions: {', '.join(functions)})" if functions else ""),
                ("Resources",),
            )
        raise template.error(
            f"{len(enabled)} functions have an enabled DeploymentPreference: "
            f"{', '.join(enabled)}; pass function= one of them",
            ("Resources",),
        )
    if function not in functions:
        by_name = [f for f in functions if resolver.function_name(f) == function]
        if len(by_name) == 1:
            function = by_name[0]
        else:
            hint = suggest(function, functions)
            raise template.error(
                f"no AWS::Serverless::Function {excerpt(function)}; the template has "
                f"{', '.join(functions) or 'none'}" + (f" ({hint})" if hint else ""),
                ("Resources",),
            )
    pref = prefs.get(function)
    if pref is None:
        raise template.error(
            f"function {excerpt(function)} has no DeploymentPreference, so there is no CodeDeploy "
            "deployment for it (SAM publishes and shifts its alias at once)",
            ("Resources", function, "Properties"),
        )
    if not pref.enabled:
        raise template.error(
            f"function {excerpt(function)} has DeploymentPreference Enabled: false, so there is no "
            "CodeDeploy deployment for it",
            pref.path("Enabled"),
        )
    return pref


@dataclass(frozen=True, slots=True)
class _Group:
    """What SAM generates for one function, resolved."""

    function: str
    function_name: str
    alias: str
    config_name: str
    alarm_refs: tuple[tuple[str, str | None, Path_], ...]  # (name, logical id, path)
    hooks: dict[str, tuple[str, Path_, str | None]]  # event -> (function name, path, logical)
    role: str | None
    triggers: tuple[TriggerConfig, ...]
    passthrough_condition: bool
    condition: str | None
