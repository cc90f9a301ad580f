"""SAM templates: intrinsic functions resolved against parameters and conditions (private)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import escape, excerpt
from shiftsim._yaml import is_intrinsic
from shiftsim.errors import ConfigError
from shiftsim.sam._keys import (
    MAX_RESOLVE_DEPTH,
    MAX_RESOLVE_STEPS,
    NO_VALUE,
    PSEUDO_PARAMETERS,
    SERVERLESS_FUNCTION,
    VERSION_MARK,
    Path_,
)
from shiftsim.sam._template import (
    Template,
)

__all__ = ["show"]


class _Unresolved(Exception):
    """A value that cannot be known before deployment, with why."""


def show(node: Any) -> str:
    """A short, readable rendering of a template value (intrinsics in short form)."""
    if is_intrinsic(node):
        ((key, arg),) = node.items()
        name = "!" + key.replace("Fn::", "")
        if key == "Fn::GetAtt" and isinstance(arg, list) and len(arg) == 2:
            return f"!GetAtt {arg[0]}.{arg[1]}"
        if isinstance(arg, str):
            return f"{name} {arg}"
        return f"{name} {escape(json.dumps(arg, default=str)[:80], 83)}"
    return (
        escape(json.dumps(node, default=str)[:80], 83)
        if not isinstance(node, str)
        else excerpt(node)
    )


class _Resolver:
    """Evaluates intrinsic functions against a template's parameters, conditions and mappings."""

    def __init__(self, template: Template, parameters: Mapping[str, Any] | None) -> None:
        self.template = template
        root = template.root
        self.resources: Mapping[str, Any] = _mapping(root.get("Resources")) or {}
        self.mappings: Mapping[str, Any] = _mapping(root.get("Mappings")) or {}
        self.conditions: Mapping[str, Any] = _mapping(root.get("Conditions")) or {}
        self.pseudo = dict(PSEUDO_PARAMETERS)
        self.params: dict[str, Any] = {}
        self.declared: Mapping[str, Any] = _mapping(root.get("Parameters")) or {}
        given = dict(parameters or {})
        for name in list(given):
            if isinstance(name, str) and name.startswith("AWS::"):
                if name not in self.pseudo:
                    raise ConfigError(
                        f"from_sam: parameters[{excerpt(name)}] is not a pseudo parameter; "
                        f"known: {', '.join(self.pseudo)}."
                    )
                self.pseudo[name] = given.pop(name)
        unknown = sorted(set(given) - set(self.declared))
        if unknown:
            hint = suggest(unknown[0], self.declared)
            raise ConfigError(
                f"from_sam: parameters {unknown} are not declared in the template's Parameters"
                + (f"; {hint}" if hint else "")
                + "."
            )
        for name, spec in self.declared.items():
            spec = _mapping(spec) or {}
            kind = str(spec.get("Type", "String"))
            if name in given:
                value = given[name]
            elif "Default" in spec and not kind.startswith("AWS::SSM::Parameter::Value"):
                value = spec["Default"]
            else:
                continue
            value = _parameter_value(value, kind)
            allowed = spec.get("AllowedValues")
            choices = allowed if isinstance(allowed, list) else None
            if (
                choices is not None
                and not isinstance(value, list)
                and value not in [_parameter_value(a, "String") for a in choices]
            ):
                raise template.error(
                    f"parameter {excerpt(name)} is {excerpt(value)}, "
                    f"not one of its AllowedValues {allowed}",
                    ("Parameters", name, "AllowedValues"),
                )
            self.params[name] = value
        self.steps = 0
        self._condition_cache: dict[str, bool] = {}
        self._in_progress: set[str] = set()
        self._names: dict[str, str] = {}

    # -- entry points ----------------------------------------------------------------------
    def value(self, node: Any, path: Path_, what: str) -> Any:
        """Resolve ``node`` fully or raise an AppSpecError naming what could not be."""
        try:
            return self.resolve(node)
        except _Unresolved as err:
            raise self.template.error(f"cannot resolve {what}: {err}", path) from None

    def resolve(self, node: Any, depth: int = 0) -> Any:
        self.steps += 1
        if self.steps > MAX_RESOLVE_STEPS or depth > MAX_RESOLVE_DEPTH:
            raise _Unresolved(
                f"the value is too large or too deeply nested (over {MAX_RESOLVE_STEPS} nodes "
                f"or {MAX_RESOLVE_DEPTH} levels)"
            )
        if is_intrinsic(node):
            ((key, arg),) = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Condition":
                return self.condition(arg)
            return self.function(key, arg, depth + 1)
        if isinstance(node, Mapping):
            out = {}
            for k, v in node.items():
                r = self.resolve(v, depth + 1)
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(node, list):
            items = [self.resolve(v, depth + 1) for v in node]
            return [r for r in items if r is not NO_VALUE]
        return node

    def select(self, node: Any, depth: int = 0) -> Any:
        """Peel ``Fn::If`` layers (deciding their conditions), leaving the chosen raw node."""
        while is_intrinsic(node) and "Fn::If" in node and depth < MAX_RESOLVE_DEPTH:
            arg = node["Fn::If"]
            if not isinstance(arg, list) or len(arg) != 3:
                raise _Unresolved(
                    f"Fn::If takes [condition, if_true, if_false]; got {excerpt(arg)}"
                )
            node = arg[1] if self.condition(arg[0]) else arg[2]
            depth += 1
        if node == {"Ref": "AWS::NoValue"}:
            return NO_VALUE
        return node

    # -- Ref and names -----------------------------------------------------------------------
    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise _Unresolved(f"Ref takes a name; got {excerpt(name)}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.declared:
            if name not in self.params:
                spec = _mapping(self.declared[name]) or {}
                why = (
                    "is an SSM parameter read at deployment"
                    if str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value")
                    else "has no Default"
                )
                raise _Unresolved(
                    f"!Ref {name}: parameter {excerpt(name)} {why}; "
                    f"pass parameters={{{excerpt(name)}: ...}}"
                )
            return self.params[name]
        base, _, attribute = name.partition(".")
        resource = _mapping(self.resources.get(base))
        if resource is not None:
            kind = resource.get("Type")
            if attribute == "" and kind == SERVERLESS_FUNCTION:
                return self.function_name(base)
            if attribute == "" and kind == "AWS::CloudWatch::Alarm":
                return self.alarm_name(base)
            if kind == SERVERLESS_FUNCTION and attribute in ("Version", "Alias"):
                arn = self.function_arn(base)
                if attribute == "Version":
                    return f"{arn}:{VERSION_MARK}"
                alias = self.select(_props(resource).get("AutoPublishAlias"))
                return f"{arn}:{self.resolve(alias)}"
            raise _Unresolved(
                f"!Ref {name}: the physical ID of {base} ({kind}) is only known after deployment"
            )
        known = [*self.declared, *self.pseudo, *self.resources]
        hint = suggest(name, known)
        raise _Unresolved(
            f"!Ref {name}: no parameter, pseudo parameter or resource is named {excerpt(name)}"
            + (f"; {hint}" if hint else "")
        )

    def function_name(self, logical_id: str) -> str:
        """A Serverless function's name: its FunctionName (resolved as far as possible) or,
        without one, its logical id."""
        if logical_id in self._names:
            return self._names[logical_id]
        if logical_id in self._in_progress:
            raise _Unresolved(f"FunctionName of {logical_id} refers to itself")
        self._in_progress.add(logical_id)
        try:
            raw = _props(self.resources.get(logical_id)).get("FunctionName")
            name = logical_id if raw is None else self.lenient(raw)
        finally:
            self._in_progress.discard(logical_id)
        self._names[logical_id] = name
        return name

    def function_arn(self, logical_id: str) -> str:
        return (
            f"arn:{self.pseudo['AWS::Partition']}:lambda:{self.pseudo['AWS::Region']}:"
            f"{self.pseudo['AWS::AccountId']}:function:{self.function_name(logical_id)}"
        )

    def alarm_name(self, logical_id: str) -> str:
        raw = _props(self.resources.get(logical_id)).get("AlarmName")
        return logical_id if raw is None else self.lenient(raw)

    def lenient(self, node: Any) -> str:
        """Resolve to text where possible; unresolvable parts of a ``!Sub`` stay ``${Name}``,
        anything else unresolvable is shown in short form."""
        try:
            value = self.resolve(node)
            return value if isinstance(value, str) else json.dumps(value, default=str)
        except _Unresolved:
            pass
        arg = node.get("Fn::Sub") if isinstance(node, Mapping) else None
        if isinstance(arg, str) or (isinstance(arg, list) and arg and isinstance(arg[0], str)):
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

            def one(match: re.Match[str]) -> str:
                try:
                    return str(self._sub_variable(match[1], variables or {}))
                except _Unresolved:
                    return match[0]

            return re.sub(r"\$\{(?!!)([^}]*)\}", one, text)
        return show(node)

    # -- conditions --------------------------------------------------------------------------
    def condition(self, name: Any) -> bool:
        if not isinstance(name, str):
            raise _Unresolved(f"a condition is named by a string; got {excerpt(name)}")
        if name in self._condition_cache:
            return self._condition_cache[name]
        if name not in self.conditions:
            hint = suggest(name, self.conditions)
            raise _Unresolved(
                f"condition {excerpt(name)} is not defined in Conditions"
                + (f"; {hint}" if hint else "")
            )
        if name in self._in_progress:
            raise _Unresolved(f"condition {excerpt(name)} depends on itself")
        self._in_progress.add(name)
        try:
            value = self.boolean(self.conditions[name])
        except _Unresolved as err:
            raise _Unresolved(f"condition {excerpt(name)}: {err}") from None
        finally:
            self._in_progress.discard(name)
        self._condition_cache[name] = value
        return value

    def boolean(self, node: Any) -> bool:
        value = self.resolve(node)
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _Unresolved(f"{show(node)} is not a condition (true or false); got {excerpt(value)}")

    # -- Fn:: ----------------------------------------------------------------------------------
    def function(self, key: str, arg: Any, depth: int) -> Any:
        if key in ("Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
            return self.logical(key, arg, depth)
        if key == "Fn::Sub":
            return self.sub(arg, depth)
        if key == "Fn::GetAtt":
            return self.get_att(arg)
        if key == "Fn::Join":
            return self.join(arg, depth)
        if key == "Fn::Select":
            return self.select_item(arg, depth)
        if key == "Fn::Split":
            return self.split(arg, depth)
        if key == "Fn::FindInMap":
            return self.find_in_map(arg, depth)
        if key == "Fn::Base64":
            return base64.b64encode(_text(self.resolve(arg, depth)).encode()).decode()
        if key == "Fn::ImportValue":
            raise _Unresolved(f"!ImportValue {show(arg)}: the value is exported by another stack")
        if key == "Fn::GetAZs":
            raise _Unresolved("!GetAZs: Availability Zones are only known in AWS")
        raise _Unresolved(f"{key} is not supported by shiftsim's template reader")

    def logical(self, key: str, arg: Any, depth: int) -> Any:
        """Fn::If, Fn::Equals, Fn::Not, Fn::And and Fn::Or."""
        if key == "Fn::If":
            chosen = self.select({key: arg})
            return chosen if chosen is NO_VALUE else self.resolve(chosen, depth)
        if key == "Fn::Equals":
            pair = _args(key, arg, 2)
            left, right = (self.resolve(v, depth) for v in pair)
            return _text(left) == _text(right)
        if key == "Fn::Not":
            (inner,) = _args(key, arg, 1)
            return not self.boolean(inner)
        if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
            raise _Unresolved(f"{key} takes 2 to 10 conditions; got {excerpt(arg)}")
        values = [self.boolean(v) for v in arg]
        return all(values) if key == "Fn::And" else any(values)

    def join(self, arg: Any, depth: int) -> str:
        delimiter, items = _args("Fn::Join", arg, 2)
        values = self.resolve(items, depth)
        if not isinstance(values, list):
            raise _Unresolved(f"Fn::Join needs a list; got {excerpt(values)}")
        return str(self.resolve(delimiter, depth)).join(_text(v) for v in values)

    def split(self, arg: Any, depth: int) -> list[str]:
        delimiter, text = (self.resolve(v, depth) for v in _args("Fn::Split", arg, 2))
        if not isinstance(delimiter, str) or not delimiter:
            raise _Unresolved(
                f"!Split takes a non-empty delimiter string; got {excerpt(delimiter)}"
            )
        if not isinstance(text, str):
            raise _Unresolved(f"!Split splits a string; got {excerpt(text)}")
        return text.split(delimiter)

    def select_item(self, arg: Any, depth: int) -> Any:
        """Fn::Select: the index must be an integer from 0 to N - 1 (CloudFormation's
        Fn::Select reference: "The index value must be a value between zero and N-1")."""
        index, items = _args("Fn::Select", arg, 2)
        values = self.resolve(items, depth)
        position = self.resolve(index, depth)
        if isinstance(position, str) and re.fullmatch(r"[0-9]{1,9}", position):
            position = int(position)
        if not isinstance(values, list):
            raise _Unresolved(f"!Select picks from a list; got {excerpt(values)}")
        if isinstance(position, bool) or not isinstance(position, int):
            raise _Unresolved(f"!Select takes an integer index; got {excerpt(position)}")
        if not 0 <= position < len(values):
            raise _Unresolved(
                f"!Select index {position} is outside the list of {len(values)} values; "
                f"CloudFormation requires an index from 0 to {len(values) - 1}"
            )
        return values[position]

    def sub(self, arg: Any, depth: int) -> str:
        variables: Mapping[str, Any]
        if isinstance(arg, str):
            text, variables = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text, variables = arg[0], _mapping(arg[1]) or {}
        else:
            raise _Unresolved(f"Fn::Sub takes a string or [string, variables]; got {excerpt(arg)}")

        def one(match: re.Match[str]) -> str:
            if match[1].startswith("!"):
                return "${" + match[1][1:] + "}"
            return _text(self._sub_variable(match[1], variables, depth))

        return re.sub(r"\$\{([^}]*)\}", one, text)

    def _sub_variable(self, name: str, variables: Mapping[str, Any], depth: int = 0) -> Any:
        name = name.strip()
        if name in variables:
            return self.resolve(variables[name], depth + 1)
        if "." in name and name.partition(".")[0] in self.resources:
            base, _, attribute = name.partition(".")
            if attribute in ("Version", "Alias") and self._type(base) == SERVERLESS_FUNCTION:
                return self.ref(name)
            return self.get_att([base, attribute])
        return self.ref(name)

    def get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = list(arg.partition(".")[::2])
        if not isinstance(arg, list) or len(arg) != 2:
            raise _Unresolved(f"Fn::GetAtt takes [resource, attribute]; got {excerpt(arg)}")
        resource, attribute = (self.resolve(v) for v in arg)
        resource, attribute = str(resource), str(attribute)
        if "." in resource and attribute == "Version":  # [F.Version, Version]
            resource, attribute = resource.partition(".")[0], "Version.Version"
        kind = self._type(resource)
        if kind is None:
            raise _Unresolved(
                f"!GetAtt {resource}.{attribute}: no resource named {excerpt(resource)}"
            )
        if kind == SERVERLESS_FUNCTION:
            if attribute == "Arn":
                return self.function_arn(resource)
            if attribute == "Version.Version":
                return VERSION_MARK
        raise _Unresolved(
            f"!GetAtt {resource}.{attribute}: the attribute is only known after deployment"
        )

    def find_in_map(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            raise _Unresolved(f"Fn::FindInMap takes [map, top key, second key]; got {excerpt(arg)}")
        names = [_text(self.resolve(v, depth)) for v in arg[:3]]
        table = _mapping(self.mappings.get(names[0]))
        row = _mapping(table.get(names[1])) if table is not None else None
        if row is not None and names[2] in row:
            return self.resolve(row[names[2]], depth)
        if len(arg) == 4 and isinstance(arg[3], Mapping) and "DefaultValue" in arg[3]:
            return self.resolve(arg[3]["DefaultValue"], depth)
        raise _Unresolved(f"!FindInMap {names}: Mappings has no such entry")

    def _type(self, logical_id: str) -> str | None:
        resource = _mapping(self.resources.get(logical_id))
        return None if resource is None else str(resource.get("Type"))


def _mapping(node: Any) -> Mapping[str, Any] | None:
    return node if isinstance(node, Mapping) else None


def _props(resource: Any) -> Mapping[str, Any]:
    resource = _mapping(resource) or {}
    return _mapping(resource.get("Properties")) or {}


def _args(key: str, arg: Any, n: int) -> list[Any]:
    if not isinstance(arg, list) or len(arg) != n:
        raise _Unresolved(f"{key} takes {n} arguments; got {excerpt(arg)}")
    return arg


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parameter_value(value: Any, kind: str) -> Any:
    """A parameter's value as CloudFormation passes it: a string, or a list for list types."""
    is_list = kind == "CommaDelimitedList" or kind.startswith("List<")
    if is_list:
        if isinstance(value, list):
            return [_text(v) for v in value]
        return [v.strip() for v in _text(value).split(",")]
    return _text(value)
