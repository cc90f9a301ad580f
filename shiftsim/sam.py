"""SAM templates in: the Lambda deployment a ``DeploymentPreference`` makes SAM generate.

For an ``AWS::Serverless::Function`` with ``AutoPublishAlias`` and ``DeploymentPreference``, SAM
creates a CodeDeploy application (``ServerlessDeploymentApplication``), one deployment group per
function (``<Function>DeploymentGroup``) and an ``UpdatePolicy`` on the alias that runs the hooks
(codedeploy.md section 1.4; cloudwatch-alarms.md section 3.5). :func:`from_sam` reads the
template and returns the :class:`~shiftsim.lambda_.LambdaDeployment` that deployment group runs;
:func:`sam_deployment_group` returns the group itself in the API's shape.

What SAM does, and shiftsim therefore does:

* ``Type``: the nine SAM short names become ``CodeDeployDefault.Lambda<Name>``; any other string
  is passed through as a configuration name, so it must be a predefined one
  (``CodeDeployDefault.LambdaCanary10Percent5Minutes`` written out in full works) or a custom one
  you supply with ``configs=``.
* Rollback on all three events, always; ``DeploymentStyle`` BLUE_GREEN / WITH_TRAFFIC_CONTROL.
* ``Hooks.PreTraffic`` / ``Hooks.PostTraffic`` become the BeforeAllowTraffic / AfterAllowTraffic
  hooks; a ``!Ref`` to a function in the template names its ``FunctionName`` (or, without one,
  its logical id).
* ``Alarms`` referenced by logical id are read from the template's ``AWS::CloudWatch::Alarm``
  resources (see :func:`alarm_from_resource`); others must be given with ``alarms=``.
* ``Globals.Function`` is merged as SAM merges globals: mappings key by key, lists appended
  (globals first), anything else (intrinsics included) replaced by the function's own value.
* SAM's own errors are raised the same way, for any function of the template (SAM rejects the
  whole template): ``'DeploymentPreference' requires AutoPublishAlias property to be
  specified.``, ``'DeploymentPreference' is missing required Property 'Type'`` and ``'Hooks'
  property of 'DeploymentPreference' must be a dictionary``.
* ``Enabled: false`` (also the strings ``"false"`` / ``"False"``) means there is no CodeDeploy
  deployment for that function: :func:`from_sam` raises an :class:`~shiftsim.errors.AppSpecError`
  saying so rather than returning None.

Intrinsic functions (``!Ref``, ``!Sub``, ``!If``, ``!GetAtt``, ``!Join``, ``!FindInMap``...) are
resolved from parameter defaults (or ``parameters=``), pseudo parameters (``AWS::Region``
``us-east-1``, ``AWS::AccountId`` ``123456789012``, ``AWS::StackName`` ``shiftsim-stack``...,
all overridable through ``parameters=``) and ``Conditions``. Where a value that matters cannot be
resolved, the error names it, with the file, line and key path.

The YAML is read with PyYAML's safe loader; CloudFormation's short-form tags become their long
forms (``!Ref X`` -> ``{"Ref": "X"}``). Templates over 1 MiB are refused (CloudFormation's own
limit for a template in S3), as is any resolution that visits more than 100,000 nodes.

Examples
--------
>>> import shiftsim
>>> from shiftsim.sam import from_sam
>>> template = '''
... Resources:
...   Orders:
...     Type: AWS::Serverless::Function
...     Properties:
...       FunctionName: orders
...       AutoPublishAlias: live
...       DeploymentPreference:
...         Type: Canary10Percent5Minutes
...         Alarms: [!Ref OrdersErrors]
...   OrdersErrors:
...     Type: AWS::CloudWatch::Alarm
...     Properties:
...       Namespace: AWS/Lambda
...       MetricName: Errors
...       Dimensions:
...         - {Name: Resource, Value: !Sub "${Orders}:live"}
...         - {Name: FunctionName, Value: !Ref Orders}
...         - {Name: ExecutedVersion, Value: !GetAtt Orders.Version.Version}
...       Statistic: Sum
...       Period: 60
...       EvaluationPeriods: 2
...       Threshold: 0
...       ComparisonOperator: GreaterThanThreshold
... '''
>>> deployment = from_sam(template, invocations_per_minute=600,
...                       target=shiftsim.Version("2", error_rate=0.2))
>>> deployment.deployment_config.name
'CodeDeployDefault.LambdaCanary10Percent5Minutes'
>>> deployment.alarms[0]
Alarm('OrdersErrors': Errors Sum > 0 for 2 of 2 x 60 s on target)
>>> shiftsim.simulate(deployment, rng=7).status
'Stopped'
"""

from __future__ import annotations

import ast
import base64
import contextlib
import json
import os
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from shiftsim._checks import suggest
from shiftsim._files import read_text
from shiftsim._text import escape, excerpt
from shiftsim._yaml import SHORT_FORMS, Document, format_path, is_intrinsic, load_document
from shiftsim.alarms import COMPARISONS, TREAT_MISSING, Alarm
from shiftsim.boto import TriggerConfig, from_deployment_group
from shiftsim.configs import SAM_SHORT_NAMES, DeploymentConfig, predefined_configs
from shiftsim.errors import AppSpecError, ConfigError, UnsupportedScenarioError
from shiftsim.lambda_ import DEFAULT_ALARM_POLL_INTERVAL, DEFAULT_METRIC_DELAY, LambdaDeployment
from shiftsim.notifications import NotificationContext
from shiftsim.rollback import ROLLBACK_EVENTS, ManualStop
from shiftsim.traffic import Hook, Profile, Version

__all__ = [
    "MAX_TEMPLATE_BYTES",
    "Template",
    "alarm_from_resource",
    "from_sam",
    "load_template",
    "sam_deployment_group",
]

#: Largest template read, in bytes (CloudFormation's limit for a template in S3 is 1 MB).
MAX_TEMPLATE_BYTES = 1 << 20
#: Most nodes one resolution may visit (stops alias bombs and runaway intrinsics).
MAX_RESOLVE_STEPS = 100_000
#: Deepest nesting one resolution may enter.
MAX_RESOLVE_DEPTH = 100

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
CODEDEPLOY_APPLICATION = "ServerlessDeploymentApplication"
#: SAM's generated service role uses AWSCodeDeployRoleForLambda, which may only invoke hook
#: functions named CodeDeployHook_* (codedeploy.md section 11; SAMdoc).
HOOK_PREFIX = "CodeDeployHook_"
PREFERENCE_KEYS = (
    "Enabled",
    "Type",
    "Alarms",
    "Hooks",
    "Role",
    "TriggerConfigurations",
    "PassthroughCondition",
)
HOOK_EVENTS = {"PreTraffic": "BeforeAllowTraffic", "PostTraffic": "AfterAllowTraffic"}
_ALIAS_NAME = re.compile(r"(?!^[0-9]+$)^[a-zA-Z0-9_-]+$")


_DEFAULT_CONTEXT = NotificationContext()
#: Pseudo parameters and the values shiftsim gives them (override through ``parameters=``).
PSEUDO_PARAMETERS: dict[str, Any] = {
    "AWS::Region": _DEFAULT_CONTEXT.region,
    "AWS::AccountId": _DEFAULT_CONTEXT.account_id,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "shiftsim-stack",
    "AWS::StackId": (
        f"arn:aws:cloudformation:{_DEFAULT_CONTEXT.region}:{_DEFAULT_CONTEXT.account_id}:"
        "stack/shiftsim-stack/00000000-0000-0000-0000-000000000000"
    ),
    "AWS::NotificationARNs": [],
}
#: Stands in for a published version number that only exists after deployment.
VERSION_MARK = "<version>"


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

Path_ = tuple[Any, ...]


# ---------------------------------------------------------------------------- loading


@dataclass(frozen=True, slots=True, eq=False)
class Template:
    """A loaded template: its root mapping, where it came from and the lines of its values."""

    root: Mapping[str, Any]
    source: str
    doc: Document | None = None

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest node of ``path`` that the template has, if known."""
        if self.doc is None:
            return None
        return self.doc.key_line(tuple(path))

    def error(self, message: str, path: Path_) -> AppSpecError:
        return AppSpecError(
            message, source=self.source, line=self.line_of(path), path=format_path(path)
        )

    def __repr__(self) -> str:
        resources = self.root.get("Resources")
        count = len(resources) if isinstance(resources, Mapping) else 0
        return f"<Template {escape(self.source)}: {count} resources>"

    def where(self, path: Path_) -> str:
        line = self.line_of(path)
        shown = escape(self.source)
        loc = shown if line is None else f"{shown}:{line}"
        return f"{loc} at {format_path(path)}"


def load_template(template: str | os.PathLike[str] | Mapping[str, Any]) -> Template:
    """Read a SAM or CloudFormation template from a file, YAML/JSON text, or a mapping.

    A :class:`pathlib.Path` (any path-like object) is a file; a ``str`` is always the template's
    text, never opened as a file. A ``str`` that reads as a single line of text rather than a
    template is refused with an error saying it was taken for text (pass ``Path(name)`` to read
    the file of that name).

    The file is read with shiftsim's one reader (regular files of at most
    :data:`MAX_TEMPLATE_BYTES` bytes, UTF-8 or marked UTF-16/32) and the text with its one
    YAML/JSON loader and limits (:mod:`shiftsim._yaml`): CloudFormation's short-form tags
    become their long forms, and a duplicate key is an error, as in CloudFormation.

    Raises
    ------
    AppSpecError
        For text that is not YAML or JSON, too large, an unknown ``!Tag``, a duplicate key, or a
        root that is not a mapping; the error carries the file and line. Files that cannot be
        read raise its subclass :class:`~shiftsim.errors.FileError`.

    Examples
    --------
    >>> t = load_template("Resources:\\n  Topic:\\n    Type: AWS::SNS::Topic\\n    Properties:"
    ...                   "\\n      TopicName: !Sub '${AWS::StackName}-alerts'")
    >>> t.root["Resources"]["Topic"]["Properties"]["TopicName"]
    {'Fn::Sub': '${AWS::StackName}-alerts'}
    >>> t.line_of(("Resources", "Topic", "Properties", "TopicName"))
    5
    >>> load_template("template.yaml")
    Traceback (most recent call last):
    ...
    shiftsim.errors.AppSpecError: <string>:1: the template was given as a str, so it was read as \
template text, ...; to read the file of that name pass pathlib.Path('template.yaml')
    """
    if isinstance(template, Template):
        return template
    if isinstance(template, Mapping):
        return Template(template, "<dict>")
    if isinstance(template, os.PathLike):
        source = os.fspath(template)
        if not isinstance(source, str):
            raise ConfigError(f"from_sam: template path must be text; got {excerpt(source)}.")
        text = read_text(
            template,
            what="SAM template",
            limit=MAX_TEMPLATE_BYTES,
            why="CloudFormation's limit for a template in S3 is 1 MB",
        )
    elif isinstance(template, str):
        source, text = "<string>", template
    else:
        raise ConfigError(
            "from_sam: template must be a pathlib.Path, YAML/JSON text or a mapping; "
            f"got {type(template).__name__}."
        )
    doc = load_document(text, source)
    _check_loaded(doc, isinstance(template, str))
    return Template(doc.value, source, doc)


def _check_loaded(doc: Document, given_as_text: bool) -> None:
    """SAM's rules on top of the loader: duplicate keys and unknown tags are errors, and
    JSON-looking text must be JSON."""
    for line, note in doc.notes:
        raise AppSpecError(note.replace("; read as YAML instead", ""), source=doc.source, line=line)
    for path, first in doc.duplicates:
        raise AppSpecError(
            f"duplicate key {excerpt(path[-1])} (first at line {first}); CloudFormation rejects it",
            source=doc.source,
            line=doc.key_line(path),
            path=format_path(path),
        )
    for path, tag, line in doc.tags:
        if tag not in SHORT_FORMS:
            hint = suggest(tag, SHORT_FORMS)
            raise AppSpecError(
                f"unknown tag {excerpt(tag)}; CloudFormation's short forms are "
                f"{', '.join(SHORT_FORMS)}" + (f" ({hint})" if hint else ""),
                source=doc.source,
                line=line,
            )
        if tag in ("!Ref", "!Condition"):
            (arg,) = doc.value_at(path).values()
            if not isinstance(arg, str):
                raise AppSpecError(
                    f"{tag} takes a name (a scalar); got {excerpt(arg)}",
                    source=doc.source,
                    line=line,
                )
    root = doc.value
    if isinstance(root, Mapping):
        return
    if given_as_text and isinstance(root, str) and "\n" not in root.strip():
        raise AppSpecError(
            "the template was given as a str, so it was read as template text, and that text "
            f"is the single value {excerpt(root)} rather than a template; to read the file of "
            f"that name pass pathlib.Path({excerpt(root)})",
            source=doc.source,
            line=1,
        )
    raise AppSpecError(
        "a template must be a mapping with a Resources section; got "
        f"{'a list' if isinstance(root, list) else excerpt(root)}",
        source=doc.source,
        line=1,
    )


# ---------------------------------------------------------------------------- intrinsics


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
        if key in ("Fn::And", "Fn::Or"):
            if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
                raise _Unresolved(f"{key} takes 2 to 10 conditions; got {excerpt(arg)}")
            values = [self.boolean(v) for v in arg]
            return all(values) if key == "Fn::And" else any(values)
        if key == "Fn::Sub":
            return self.sub(arg, depth)
        if key == "Fn::GetAtt":
            return self.get_att(arg)
        if key == "Fn::Join":
            delimiter, items = _args(key, arg, 2)
            values = self.resolve(items, depth)
            if not isinstance(values, list):
                raise _Unresolved(f"Fn::Join needs a list; got {excerpt(values)}")
            return str(self.resolve(delimiter, depth)).join(_text(v) for v in values)
        if key == "Fn::Select":
            return self.select_item(arg, depth)
        if key == "Fn::Split":
            delimiter, text = (self.resolve(v, depth) for v in _args(key, arg, 2))
            if not isinstance(delimiter, str) or not delimiter:
                raise _Unresolved(
                    f"!Split takes a non-empty delimiter string; got {excerpt(delimiter)}"
                )
            if not isinstance(text, str):
                raise _Unresolved(f"!Split splits a string; got {excerpt(text)}")
            return text.split(delimiter)
        if key == "Fn::FindInMap":
            return self.find_in_map(arg, depth)
        if key == "Fn::Base64":
            return base64.b64encode(_text(self.resolve(arg, depth)).encode()).decode()
        if key == "Fn::ImportValue":
            raise _Unresolved(f"!ImportValue {show(arg)}: the value is exported by another stack")
        if key == "Fn::GetAZs":
            raise _Unresolved("!GetAZs: Availability Zones are only known in AWS")
        raise _Unresolved(f"{key} is not supported by shiftsim's template reader")

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


# ---------------------------------------------------------------------------- alarms


def _number(resolver: _Resolver, props: Mapping[str, Any], key: str, path: Path_) -> Any:
    value = resolver.value(props[key], (*path, key), key)
    if isinstance(value, bool):
        raise resolver.template.error(f"{key} must be a number; got {excerpt(value)}", (*path, key))
    if isinstance(value, str):
        try:
            return int(value) if re.fullmatch(r"-?\d+", value.strip()) else float(value)
        except ValueError:
            raise resolver.template.error(
                f"{key} must be a number; got {excerpt(value)}", (*path, key)
            ) from None
    return value


def _unsupported(template: Template, path: Path_, logical_id: str, what: str) -> Exception:
    return UnsupportedScenarioError(
        f"{template.where(path)}: alarm {excerpt(logical_id)} {what}. "
        f"shiftsim models alarms on the "
        "AWS/Lambda metrics Errors, Invocations, Throttles and Duration (and the metric-math "
        "error rate 100*errors/invocations) of the deployed function; pass "
        f"alarms={{{excerpt(logical_id)}: shiftsim.Alarm(...)}} to say how to model this one."
    )


def _watched_version(
    resolver: _Resolver,
    dims: Any,
    path: Path_,
    logical_id: str,
    function: str,
    alias: str,
) -> str:
    """``"target"`` or ``"alias"`` from an alarm's Dimensions (cloudwatch-alarms.md section 2)."""
    template = resolver.template
    try:
        dims = resolver.select(dims)
    except _Unresolved as err:
        raise template.error(f"cannot resolve Dimensions: {err}", path) from None
    if dims is None or dims is NO_VALUE:
        dims = []
    if not isinstance(dims, list):
        raise template.error(f"Dimensions must be a list; got {show(dims)}", path)
    values: dict[str, str] = {}
    for i, dim in enumerate(dims):
        if not isinstance(dim, Mapping) or "Name" not in dim or "Value" not in dim:
            raise template.error(
                f"a dimension must be {{Name, Value}}; got {excerpt(dim)}", (*path, i)
            )
        key = resolver.value(dim["Name"], (*path, i, "Name"), "the dimension name")
        values[_text(key)] = resolver.lenient(dim["Value"])
    name = resolver.function_name(function)
    owner = values.get("FunctionName", values.get("Resource", "").split(":")[0])
    others = {
        resolver.function_name(f): f
        for f, r in resolver.resources.items()
        if _mapping(r) is not None and r.get("Type") == SERVERLESS_FUNCTION and f != function
    }
    if owner in others and owner != name:
        raise _unsupported(
            template, path, logical_id, f"watches another function ({others[owner]})"
        )
    if "ExecutedVersion" in values:
        return "target"
    if "Resource" in values:
        qualifier = values["Resource"].rpartition(":")[2] if ":" in values["Resource"] else ""
        if qualifier == alias:
            return "alias"
        raise _unsupported(
            template,
            path,
            logical_id,
            f"uses Resource={excerpt(values['Resource'])}, "
            f"which alias traffic never reaches (it stays "
            "INSUFFICIENT_DATA, SAM PR #656); watch 'function:alias', with ExecutedVersion for "
            "the new version",
        )
    if "FunctionName" in values:
        return "alias"  # every version of the function: during a deployment, the alias traffic
    raise _unsupported(
        template, path, logical_id, f"has dimensions {sorted(values)} that name no function"
    )


class _Ratio:
    """``coefficient * product(numerator) / product(denominator)`` of metric ids."""

    def __init__(self, coefficient: float, numerator: Counter[str], denominator: Counter[str]):
        self.coefficient, self.numerator, self.denominator = coefficient, numerator, denominator

    @classmethod
    def of(cls, node: ast.AST) -> _Ratio:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return cls(float(node.value), Counter(), Counter())
        if isinstance(node, ast.Name):
            return cls(1.0, Counter([node.id]), Counter())
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            a, b = cls.of(node.left), cls.of(node.right)
            if isinstance(node.op, ast.Mult):
                return cls(
                    a.coefficient * b.coefficient,
                    a.numerator + b.numerator,
                    a.denominator + b.denominator,
                )
            if b.coefficient == 0:
                raise ValueError("division by zero")
            return cls(
                a.coefficient / b.coefficient,
                a.numerator + b.denominator,
                a.denominator + b.numerator,
            )
        raise ValueError("only products and quotients of metric ids and numbers are understood")


def _metric_math(
    resolver: _Resolver,
    props: Mapping[str, Any],
    path: Path_,
    logical_id: str,
    function: str,
    alias: str,
) -> dict[str, Any]:
    """Alarm fields for an error-rate expression such as ``100*errors/invocations``."""
    template = resolver.template
    queries = props["Metrics"]
    if not isinstance(queries, list) or not queries:
        raise template.error("Metrics must be a non-empty list", (*path, "Metrics"))
    by_id: dict[str, tuple[int, Mapping[str, Any]]] = {}
    returned = []
    for i, query in enumerate(queries):
        if not isinstance(query, Mapping) or "Id" not in query:
            raise template.error("each metric query needs an Id", (*path, "Metrics", i))
        by_id[str(query["Id"])] = (i, query)
        if resolver.value(query.get("ReturnData", False), (*path, "Metrics", i), "ReturnData") in (
            True,
            "true",
            "True",
        ):
            returned.append(query)
    if len(returned) != 1 or "Expression" not in returned[0]:
        expressions = [q for q in queries if isinstance(q, Mapping) and "Expression" in q]
        if len(returned) == 0 and len(expressions) == 1:
            returned = expressions
        else:
            raise _unsupported(
                template,
                (*path, "Metrics"),
                logical_id,
                "is a metric-math alarm without exactly one returned expression",
            )
    expression = str(resolver.value(returned[0]["Expression"], (*path, "Metrics"), "Expression"))
    try:
        ratio = _Ratio.of(ast.parse(expression.strip(), mode="eval").body)
    except (SyntaxError, ValueError) as err:
        raise _unsupported(
            template,
            (*path, "Metrics"),
            logical_id,
            f"has expression {excerpt(expression)} ({err})",
        ) from None
    common = ratio.numerator & ratio.denominator
    numerator, denominator = ratio.numerator - common, ratio.denominator - common
    stats: dict[str, Mapping[str, Any]] = {}
    for metric_id in (*numerator, *denominator):
        if metric_id not in by_id or "MetricStat" not in by_id[metric_id][1]:
            raise _unsupported(
                template,
                (*path, "Metrics"),
                logical_id,
                f"uses {excerpt(metric_id)} in {excerpt(expression)}, which is no MetricStat query",
            )
        index, query = by_id[metric_id]
        stat = resolver.value(query["MetricStat"], (*path, "Metrics", index), "MetricStat")
        metric = _mapping(stat.get("Metric")) or {}
        stats[metric_id] = {
            **metric,
            "Period": stat.get("Period"),
            "Stat": stat.get("Stat"),
            "index": index,
        }
    names = {i: str(s.get("MetricName")) for i, s in stats.items()}
    if (
        sorted(numerator.elements()) != [k for k, v in names.items() if v == "Errors"]
        or sorted(denominator.elements()) != [k for k, v in names.items() if v == "Invocations"]
        or len(numerator) != 1
        or len(denominator) != 1
        or ratio.coefficient <= 0
    ):
        raise _unsupported(
            template,
            (*path, "Metrics"),
            logical_id,
            f"has expression {excerpt(expression)}, which is not a positive multiple of "
            "errors/invocations",
        )
    versions, periods = set(), set()
    for metric_id, stat in stats.items():
        where = (*path, "Metrics", stat["index"], "MetricStat")
        if stat.get("Namespace") != "AWS/Lambda" or stat.get("Stat") != "Sum":
            raise _unsupported(
                template,
                where,
                logical_id,
                f"reads {excerpt(metric_id)} from namespace {excerpt(stat.get('Namespace'))} with "
                f"Stat {excerpt(stat.get('Stat'))}; an error rate needs AWS/Lambda sums",
            )
        versions.add(
            _watched_version(
                resolver, stat.get("Dimensions"), (*where, "Metric"), logical_id, function, alias
            )
        )
        periods.add(stat.get("Period"))
    if len(versions) != 1 or len(periods) != 1:
        raise _unsupported(
            template,
            (*path, "Metrics"),
            logical_id,
            "divides metrics of different versions or periods",
        )
    return {
        "metric": "ErrorRate",
        "version": versions.pop(),
        "period": int(_text(periods.pop())),
        # coefficient*E/I > t  <=>  100*E/I > 100*t/coefficient
        "scale": 100.0 / ratio.coefficient,
    }


def alarm_from_resource(
    template: str | os.PathLike[str] | Mapping[str, Any],
    logical_id: str,
    *,
    function: str,
    alias: str,
    parameters: Mapping[str, Any] | None = None,
) -> Alarm:
    """Read an ``AWS::CloudWatch::Alarm`` resource as the :class:`~shiftsim.alarms.Alarm` it is
    on ``function``'s ``alias``.

    Understood: ``MetricName`` Errors, Invocations, Throttles or Duration in ``AWS/Lambda``;
    ``Dimensions`` with ``ExecutedVersion`` (the new version: ``version="target"``),
    ``Resource=function:alias`` or ``FunctionName`` alone (everything through the alias:
    ``"alias"``); ``Statistic`` or ``ExtendedStatistic``; ``Period``, ``EvaluationPeriods``,
    ``DatapointsToAlarm``, ``Threshold``, ``ComparisonOperator``, ``TreatMissingData``; and
    metric math of the form ``c*errors/invocations`` (metric ``ErrorRate``, the threshold
    rescaled to percent). The alarm's name is its ``AlarmName``, else its logical id.

    Raises
    ------
    UnsupportedScenarioError
        For an alarm on another namespace, metric or function, anomaly detection, or another
        expression, naming what was not understood.

    Examples
    --------
    >>> t = {"Resources": {"E": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
    ...     "Metrics": [
    ...         {"Id": "rate", "Expression": "errors/invocations*100", "ReturnData": True},
    ...         {"Id": "errors", "ReturnData": False, "MetricStat": {"Period": 60, "Stat": "Sum",
    ...          "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
    ...                     "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}}},
    ...         {"Id": "invocations", "ReturnData": False, "MetricStat": {"Period": 60,
    ...          "Stat": "Sum", "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations",
    ...                     "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}}}],
    ...     "EvaluationPeriods": 3, "Threshold": 5,
    ...     "ComparisonOperator": "GreaterThanThreshold"}}}}
    >>> alarm_from_resource(t, "E", function="f", alias="live")
    Alarm('E': ErrorRate > 5 for 3 of 3 x 60 s on alias)
    """
    loaded = load_template(template)
    return _alarm(_Resolver(loaded, parameters), logical_id, function, alias)


def _alarm(resolver: _Resolver, logical_id: str, function: str, alias: str) -> Alarm:
    template = resolver.template
    path: Path_ = ("Resources", logical_id, "Properties")
    resource = _mapping(resolver.resources.get(logical_id))
    if resource is None or resource.get("Type") != "AWS::CloudWatch::Alarm":
        raise template.error(
            f"{excerpt(logical_id)} is not an AWS::CloudWatch::Alarm resource of the template",
            ("Resources", logical_id),
        )
    props = _props(resource)
    name = resolver.alarm_name(logical_id)
    fields: dict[str, Any] = {}
    if "ThresholdMetricId" in props:
        raise _unsupported(template, path, logical_id, "uses anomaly detection (ThresholdMetricId)")
    if "Metrics" in props:
        math = _metric_math(resolver, props, path, logical_id, function, alias)
        scale = math.pop("scale")
        fields.update(math)
    else:
        scale = 1.0
        namespace = resolver.value(props.get("Namespace"), (*path, "Namespace"), "Namespace")
        metric = resolver.value(props.get("MetricName"), (*path, "MetricName"), "MetricName")
        if namespace != "AWS/Lambda":
            raise _unsupported(
                template,
                (*path, "Namespace"),
                logical_id,
                f"watches namespace {excerpt(namespace)}",
            )
        if metric not in ("Errors", "Invocations", "Throttles", "Duration"):
            raise _unsupported(
                template, (*path, "MetricName"), logical_id, f"watches metric {excerpt(metric)}"
            )
        fields["metric"] = metric
        fields["version"] = _watched_version(
            resolver, props.get("Dimensions"), (*path, "Dimensions"), logical_id, function, alias
        )
        stat = props.get("Statistic", props.get("ExtendedStatistic"))
        if stat is None or ("Statistic" in props and "ExtendedStatistic" in props):
            raise template.error(
                "an alarm needs exactly one of Statistic and ExtendedStatistic", path
            )
        key = "Statistic" if "Statistic" in props else "ExtendedStatistic"
        fields["statistic"] = resolver.value(stat, (*path, key), key)
        if "Period" not in props:
            raise template.error("an alarm on a metric needs Period", path)
        fields["period"] = _number(resolver, props, "Period", path)
    for key, field in (
        ("EvaluationPeriods", "evaluation_periods"),
        ("DatapointsToAlarm", "datapoints_to_alarm"),
        ("Threshold", "threshold"),
    ):
        if key in props:
            fields[field] = _number(resolver, props, key, path)
    for key in ("EvaluationPeriods", "Threshold", "ComparisonOperator"):
        if key not in props:
            raise template.error(f"the alarm needs {key}", path)
    fields["threshold"] = fields["threshold"] * scale
    operator = resolver.value(
        props["ComparisonOperator"], (*path, "ComparisonOperator"), "ComparisonOperator"
    )
    if operator not in COMPARISONS:
        raise _unsupported(
            template,
            (*path, "ComparisonOperator"),
            logical_id,
            f"compares with {excerpt(operator)} (anomaly detection bands are not modelled)",
        )
    fields["comparison_operator"] = operator
    if "TreatMissingData" in props:
        treat = resolver.value(
            props["TreatMissingData"], (*path, "TreatMissingData"), "TreatMissingData"
        )
        if treat not in TREAT_MISSING:
            raise template.error(
                f"TreatMissingData must be one of {', '.join(TREAT_MISSING)}; got {excerpt(treat)}",
                (*path, "TreatMissingData"),
            )
        fields["treat_missing_data"] = treat
    try:
        return Alarm(name, **fields)
    except ConfigError as err:
        raise template.error(f"alarm {excerpt(logical_id)}: {err}", path) from err


# ---------------------------------------------------------------------------- preferences


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
    global_dp = globals_fn.get("DeploymentPreference")
    glob_path: Path_ = ("Globals", "Function", "DeploymentPreference")
    out = {}
    for function, resource in root["Resources"].items():
        if not isinstance(resource, Mapping) or resource.get("Type") != SERVERLESS_FUNCTION:
            continue
        props = _props(resource)
        local_dp = props.get("DeploymentPreference")
        if local_dp is None and global_dp is None:
            continue
        local_path: Path_ = ("Resources", function, "Properties", "DeploymentPreference")
        where = local_path if local_dp is not None else glob_path
        both = global_dp is not None and local_dp is not None
        try:
            merged = resolver.select(
                _merge(global_dp, local_dp)
                if both
                else (global_dp if local_dp is None else local_dp)
            )
        except _Unresolved as err:
            raise template.error(f"cannot resolve DeploymentPreference: {err}", where) from None
        if merged is NO_VALUE or merged is None or merged == {}:
            continue  # SAM skips an empty DeploymentPreference
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
        pref = _Preference(
            function,
            merged,
            _mapping(local_dp),
            _mapping(global_dp),
            alias_node,
            alias_path,
            True,
        )
        for key in merged:
            if key not in PREFERENCE_KEYS:
                hint = suggest(str(key), PREFERENCE_KEYS)
                warnings.warn(
                    f"{template.where(pref.path(str(key)))}: DeploymentPreference has no "
                    f"property {excerpt(key)}; SAM ignores it"
                    + (f" ({hint})" if hint else "")
                    + ".",
                    UserWarning,
                    stacklevel=4,
                )
        if "PassthroughCondition" in merged:
            try:
                value = resolver.resolve(merged["PassthroughCondition"])
            except _Unresolved:
                raise _sam_error(
                    template,
                    function,
                    "Unsupported intrinsic: the only intrinsic functions supported for property "
                    "PassthroughCondition are FindInMap and parameter Refs.",
                    pref.path("PassthroughCondition"),
                ) from None
            if value not in (True, False, "true", "True", "false", "False"):
                raise _sam_error(
                    template,
                    function,
                    "Invalid value for property PassthroughCondition.",
                    pref.path("PassthroughCondition"),
                )
        enabled = merged.get("Enabled", True)
        # SAM keeps an unresolved intrinsic, which is truthy: enabled.
        with contextlib.suppress(_Unresolved):
            enabled = resolver.resolve(enabled)
        enabled = False if enabled in ("false", "False") else enabled
        enabled = True if enabled in ("true", "True") else enabled
        if not isinstance(enabled, bool) and not is_intrinsic(enabled):
            # SAM's DeploymentPreference.Enabled is a Boolean (SAMdoc, DeploymentPreference).
            raise _sam_error(
                template,
                function,
                f"Enabled must be true or false; got {excerpt(enabled)}",
                pref.path("Enabled"),
            )
        if not enabled:
            out[function] = replace(pref, enabled=False)
            continue
        if "Type" not in merged:
            raise _sam_error(
                template,
                function,
                "'DeploymentPreference' is missing required Property 'Type'",
                where,
            )
        hooks = merged.get("Hooks", {})
        if not isinstance(hooks, Mapping) or is_intrinsic(hooks):
            raise _sam_error(
                template,
                function,
                "'Hooks' property of 'DeploymentPreference' must be a dictionary",
                pref.path("Hooks"),
            )
        alias = alias_node
        with contextlib.suppress(_Unresolved):
            alias = resolver.select(alias_node)
        if alias is None or alias is NO_VALUE or alias == "":
            raise _sam_error(
                template,
                function,
                "'DeploymentPreference' requires AutoPublishAlias property to be specified.",
                ("Resources", function, "Properties"),
            )
        out[function] = pref
    return out


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


def _group(resolver: _Resolver, pref: _Preference) -> _Group:
    template = resolver.template
    merged = pref.merged
    function = pref.function
    resource = template.root["Resources"][function]
    condition = resource.get("Condition")
    if condition is not None:
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


def from_sam(
    template: str | os.PathLike[str] | Mapping[str, Any],
    function: str | None = None,
    *,
    invocations_per_minute: float | Profile | Sequence[float] = 100.0,
    current: Version | None = None,
    target: Version | None = None,
    hooks: Mapping[str, Hook] | None = None,
    alarms: Mapping[str, Alarm] | None = None,
    configs: Mapping[str, DeploymentConfig] | Sequence[DeploymentConfig] | None = None,
    parameters: Mapping[str, Any] | None = None,
    manual_stop: ManualStop | None = None,
    alarm_poll_interval: float = DEFAULT_ALARM_POLL_INTERVAL,
    metric_delay: float = DEFAULT_METRIC_DELAY,
    linear_completion: str = "last_shift",
) -> LambdaDeployment:
    """The :class:`~shiftsim.lambda_.LambdaDeployment` SAM's ``DeploymentPreference`` produces.

    Parameters
    ----------
    template : pathlib.Path, str or mapping
        The SAM template: a file (a :class:`pathlib.Path` or other path-like object), its YAML
        or JSON text (a ``str``, never opened as a file), or the loaded mapping.
    function : str, optional
        The ``AWS::Serverless::Function`` (logical id, or its ``FunctionName``). Optional when
        exactly one function has an enabled DeploymentPreference.
    invocations_per_minute : float, Profile or sequence of float
        Calls to the alias, as for :class:`~shiftsim.lambda_.LambdaDeployment`.
    current, target : Version, optional
        How the old and new versions behave (default versions ``"1"`` and ``"2"``).
    hooks : mapping of str to Hook, optional
        How the hooks behave, keyed ``"PreTraffic"``/``"PostTraffic"`` (or the lifecycle names);
        the function names come from the template. A hook the template has but ``hooks`` does
        not describe succeeds after 30 s.
    alarms : mapping of str to Alarm, optional
        Alarms by logical id or alarm name: overrides for alarms in the template, and the alarms
        the template names but does not define.
    configs : mapping of str to DeploymentConfig, or sequence
        Custom deployment configurations that ``Type`` names.
    parameters : mapping, optional
        Template parameter values (over their defaults) and pseudo parameters
        (``"AWS::Region"``...).
    manual_stop, alarm_poll_interval, metric_delay, linear_completion
        As for :class:`~shiftsim.lambda_.LambdaDeployment`.

    Returns
    -------
    LambdaDeployment
        With SAM's names: ``application="ServerlessDeploymentApplication"``,
        ``deployment_group="<Function>DeploymentGroup"``, the alias, and the function's
        ``FunctionName`` (or logical id). ``TriggerConfigurations`` and ``Role`` are in
        :func:`sam_deployment_group`'s result.

    Raises
    ------
    AppSpecError
        The template is malformed, SAM would reject it, an intrinsic that matters cannot be
        resolved, or the function has no CodeDeploy deployment (``Enabled: false``); with file,
        line and key path.
    ConfigError
        A custom configuration or an alarm the template names is not supplied.
    UnsupportedScenarioError
        An alarm shiftsim cannot model (it says what; supply it with ``alarms=``).

    Examples
    --------
    >>> d = from_sam('''
    ... Resources:
    ...   Api:
    ...     Type: AWS::Serverless::Function
    ...     Properties:
    ...       AutoPublishAlias: live
    ...       DeploymentPreference:
    ...         Type: AllAtOnce
    ...         Hooks: {PreTraffic: !Ref Check}
    ...   Check:
    ...     Type: AWS::Serverless::Function
    ...     Properties:
    ...       FunctionName: CodeDeployHook_check
    ...       DeploymentPreference: {Enabled: false}
    ... ''', hooks={"PreTraffic": Hook(duration=5, outcome="Failed")})
    >>> d.hooks.before_allow_traffic
    Hook(function_name='CodeDeployHook_check', duration=5, outcome='Failed')
    """
    resolver, group = _resolve_group(template, function, parameters)
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
    behaviour = _hook_behaviour(hooks)
    missing = sorted(set(behaviour) - set(group.hooks))
    if missing:
        raise ConfigError(
            f"from_sam: hooks describes {missing}, but {group.function}'s DeploymentPreference "
            f"has no {' or '.join(k for k, v in HOOK_EVENTS.items() if v in missing)} hook."
        )
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
                    stacklevel=2,
                )
    current = current if current is not None else Version("1")
    target = target if target is not None else Version("2")
    appspec = {
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
    deployment = from_deployment_group(
        _group_kwargs(group),
        revision=appspec,
        alarms=alarm_objects,
        configs=config_map,
        compute_platform="Lambda",
        invocations_per_minute=invocations_per_minute,
        current=current,
        target=target,
        hooks=behaviour,
        manual_stop=manual_stop,
        alarm_poll_interval=alarm_poll_interval,
        metric_delay=metric_delay,
        linear_completion=linear_completion,
    )
    assert isinstance(deployment, LambdaDeployment)
    return deployment
