"""Read and check CodeDeploy AppSpec files for the three compute platforms.

:func:`load_appspec` reads an AppSpec file (YAML or JSON) for an EC2/On-Premises (``Server``),
AWS Lambda or Amazon ECS deployment into an :class:`AppSpec`, or raises :class:`AppSpecError`
naming the file, the 1-based line, the key path, what was found and what is allowed.
:func:`validate` returns every problem as a :class:`Finding` instead of raising, and
:func:`main_validate` is the ``shiftsim validate`` command that prints them like a linter.

Which platform
--------------
Unless ``platform=`` is given, the platform comes from the content: ``Resources`` listing an
``AWS::Lambda::Function`` means Lambda, an ``AWS::ECS::Service`` means ECS, and ``os``, ``files``,
``permissions`` or a ``hooks`` *mapping* mean Server. A SAM or CloudFormation template is refused
with a message pointing to the SAM reader.

Errors and warnings
-------------------
An **error** is something CodeDeploy or its agent would reject, or that cannot work: a missing or
wrong ``version``, an unknown or reserved lifecycle event, a script without ``location``,
``runas`` or ``permissions`` with ``os: windows``, an EC2 key such as ``os`` in a Lambda or ECS
file, ``$LATEST`` as a Lambda version, a value of the wrong type. A **warning** is something
AWS accepts or ignores but that is probably not what the author meant: an unknown key (the agent
ignores it), a duplicate key, an unrendered placeholder, script timeouts that add up to more than
the hour one lifecycle event may take, ``ContainerPort: "80"`` as a string.

Decisions where the sources leave a choice (each names its source):

* Hook script ``timeout`` must be a whole number of seconds in [1, 3600]: 3600 s is the most one
  lifecycle event may take (UG:reference-appspec-file-structure-hooks.md; UG:limits.md), so a
  longer timeout can never take effect. The agent rejects a timeout <= 0 and reads a string with
  Ruby's ``to_i`` (Agent:script_info.rb), so ``"300"`` is accepted with a warning. Timeouts that
  *add up* to more than 3600 s in one event are a **warning**: the guide asks authors to keep the
  total within the hour, but neither the agent nor the service rejects the file; the event simply
  fails if the scripts really run that long. Only timeouts written in the file are added up.
* ``runas`` with ``os: windows`` is an **error**, as shiftsim's specification asks, because
  ``runas`` "applies to Amazon Linux and Ubuntu Server instances only"
  (UG:reference-appspec-file-structure-hooks.md). Note that the Windows agent does not read it
  (Agent:platform/windows_util.rb), so AWS itself would run the script as the agent's user.
* ``version`` must be the *number* 0.0 in an EC2/On-Premises file: the agent compares it with the
  float 0.0 (Agent:application_specification.rb), so a quoted ``"0.0"`` is an error there. Lambda
  and ECS files are read by the service, whose comparison is undocumented: a quoted ``"0.0"`` is a
  warning there.
* Lambda and ECS keys are matched without regard to case: AWS's reference shows lowercase Lambda
  keys (``currentversion``) and its examples PascalCase (``CurrentVersion``); AWS's own ECS sample
  uses the ECS API's ``awsvpcConfiguration``. Spellings other than PascalCase (and, for Lambda,
  all-lowercase) get a warning. EC2/On-Premises keys are case-sensitive, as in the agent.
* A missing Lambda ``CurrentVersion`` is a warning: the reference marks it required, the
  console's template calls it optional.
* Placeholders: CodePipeline's ``<TASK_DEFINITION>`` (any ``<NAME>``) as the whole
  ``TaskDefinition`` is accepted silently, since the pipeline substitutes it. Other placeholders
  -- ``<NAME>``, ``${NAME}`` (Terraform, envsubst) and ``{{NAME}}`` -- are accepted wherever a
  string is expected, with a warning, and their values are not checked further. A raw template
  whose placeholders or ``%{ if }`` directives break the YAML/JSON syntax is an error that says so.

Hostile input
-------------
Files are parsed with ``yaml.safe_load`` semantics only (never ``yaml.load``), and refused quickly
when larger than :data:`MAX_BYTES` (1 MiB), nested deeper than :data:`MAX_DEPTH` (64) levels,
using more than :data:`MAX_ALIASES` (100) aliases, or expanding to more than :data:`MAX_NODES`
(10,000) nodes -- which stops "billion laughs" alias bombs.

Examples
--------
>>> from shiftsim.appspec import load_appspec
>>> spec = load_appspec('''
... version: 0.0
... Resources:
...   - myFunction:
...       Type: AWS::Lambda::Function
...       Properties: {Name: my-fn, Alias: live, CurrentVersion: "1", TargetVersion: "2"}
... Hooks:
...   - BeforeAllowTraffic: CodeDeployHook_preTraffic
... ''')
>>> spec.platform, spec.resources[0].target_version, spec.hooks
('Lambda', 2, {'BeforeAllowTraffic': 'CodeDeployHook_preTraffic'})
"""

from __future__ import annotations

import argparse
import codecs
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any, Literal

from shiftsim._checks import suggest
from shiftsim._yaml import (
    MAX_ALIASES,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Document,
    Path,
    format_path,
    load_document,
)
from shiftsim.errors import AppSpecError, ConfigError

__all__ = [
    "APPSPEC_VERSION",
    "DEFAULT_SCRIPT_TIMEOUT",
    "HOOK_EVENTS",
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EVENT_SECONDS",
    "MAX_NODES",
    "RESERVED_EVENTS",
    "AppSpec",
    "AwsvpcConfiguration",
    "CapacityProviderStrategyItem",
    "EcsTarget",
    "FileMapping",
    "Finding",
    "LambdaTarget",
    "Permission",
    "SELinuxContext",
    "ServerHook",
    "format_findings",
    "load_appspec",
    "main_validate",
    "validate",
]

Platform = Literal["Server", "Lambda", "ECS"]
Severity = Literal["error", "warning"]
PLATFORMS: tuple[Platform, ...] = ("Server", "Lambda", "ECS")
_PLATFORM_NAMES = {"Server": "EC2/On-Premises", "Lambda": "AWS Lambda", "ECS": "Amazon ECS"}

#: The only AppSpec version (UG:reference-appspec-file-structure-version.md).
APPSPEC_VERSION = 0.0
#: Timeout of a hook script when the AppSpec gives none, in seconds
#: (UG:reference-appspec-file-structure-hooks.md; Agent:script_info.rb).
DEFAULT_SCRIPT_TIMEOUT = 3600
#: Longest a lifecycle event may run, in seconds: the largest script timeout, and the budget its
#: scripts' timeouts should add up to (UG:reference-appspec-file-structure-hooks.md; UG:limits.md).
MAX_EVENT_SECONDS = 3600

#: Lifecycle events that can be hooked, per platform, in run order
#: (UG:reference-appspec-file-structure-hooks.md; API:PutLifecycleEventHookExecutionStatus).
HOOK_EVENTS: Mapping[str, tuple[str, ...]] = {
    "Server": (
        "BeforeBlockTraffic",
        "AfterBlockTraffic",
        "ApplicationStop",
        "BeforeInstall",
        "AfterInstall",
        "ApplicationStart",
        "ValidateService",
        "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
    "Lambda": ("BeforeAllowTraffic", "AfterAllowTraffic"),
    "ECS": (
        "BeforeInstall",
        "AfterInstall",
        "AfterAllowTestTraffic",
        "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
}
#: Events CodeDeploy runs itself, which no script or function can hook
#: (UG:reference-appspec-file-structure-hooks.md).
RESERVED_EVENTS: Mapping[str, tuple[str, ...]] = {
    "Server": ("Start", "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "End"),
    "Lambda": ("Start", "AllowTraffic", "End"),
    "ECS": ("Start", "Install", "TestTraffic", "AllowTestTraffic", "AllowTraffic", "End"),
}
_RESERVED_NEIGHBOURS = {
    "DownloadBundle": ("ApplicationStop", "BeforeInstall"),
    "Install": ("BeforeInstall", "AfterInstall"),
    "BlockTraffic": ("BeforeBlockTraffic", "AfterBlockTraffic"),
    "AllowTraffic": ("BeforeAllowTraffic", "AfterAllowTraffic"),
    "TestTraffic": ("AfterAllowTestTraffic",),
    "AllowTestTraffic": ("AfterAllowTestTraffic",),
}
# Hook names of early agents (Agent:hook_executor.rb), renamed in the AppSpec reference.
_LEGACY_EVENTS = {
    "BeforeELBRemove": "BeforeBlockTraffic",
    "AfterELBRemove": "AfterBlockTraffic",
    "BeforeELBAdd": "BeforeAllowTraffic",
    "AfterELBAdd": "AfterAllowTraffic",
}

_OSES = ("linux", "windows")
_FILE_EXISTS = ("DISALLOW", "OVERWRITE", "RETAIN")
_PERMISSION_TYPES = ("file", "directory")
_ASSIGN_PUBLIC_IP = ("ENABLED", "DISABLED")
_LAMBDA_TYPE = "AWS::Lambda::Function"
_ECS_TYPE = "AWS::ECS::Service"
_SERVER_KEYS = ("version", "os", "files", "file_exists_behavior", "permissions", "hooks")
_SERVER_ONLY = ("os", "files", "file_exists_behavior", "permissions")

_PLACEHOLDER = re.compile(r"<[A-Za-z0-9_.-]+>|\$\{[^}\n]*\}|\{\{[^}\n]*\}\}")
_PIPELINE_PLACEHOLDER = re.compile(r"^<[A-Za-z0-9_.-]+>$")
_TASKDEF_ARN = re.compile(
    r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}(?::\d+)?$"
)
_TASKDEF_FAMILY = re.compile(r"^[A-Za-z0-9_-]{1,255}(?::\d+)?$")
_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_PLATFORM_VERSION = re.compile(r"^(?:LATEST|\d+\.\d+\.\d+)$")
# Function name, name:qualifier, partial ARN or full ARN (LambdaAPI:Invoke FunctionName).
_FUNCTION_NAME = re.compile(
    r"^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:)?(?:function:)?"
    r"[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]+)?$"
)
_ALIAS_NAME = re.compile(r"^(?!\d+$)[A-Za-z0-9_-]{1,128}$")
_ACL = re.compile(r"^(?:d:|default:)?(?:u|user|g|group|m|mask|o|other):[^:]*:[rwxX-]{0,4}$")


# --------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in an AppSpec file.

    Parameters
    ----------
    severity : {"error", "warning"}
        ``"error"``: CodeDeploy would reject the file or the deployment cannot work.
        ``"warning"``: AWS accepts or ignores it, but it is probably a mistake.
    source : str
        File name, or ``"<string>"``.
    line : int or None
        1-based line, when known.
    path : str
        Key path, such as ``hooks.BeforeInstall[0].timeout``.
    message : str
        What was found, what is allowed, and a suggestion when there is one.

    Examples
    --------
    >>> print(Finding("error", "appspec.yml", 3, "os", "os is required"))
    appspec.yml:3: error: os: os is required
    """

    severity: Severity
    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        at = f"{self.path}: " if self.path else ""
        return f"{where}: {self.severity}: {at}{self.message}"


@dataclass(frozen=True, slots=True)
class FileMapping:
    """One ``files`` entry: copy ``source`` (relative to the bundle) to ``destination``.

    Examples
    --------
    >>> FileMapping("/", "/var/www/html")
    FileMapping(source='/', destination='/var/www/html')
    """

    source: str
    destination: str


@dataclass(frozen=True, slots=True)
class SELinuxContext:
    """SELinux labels of a ``permissions`` entry (``context``); Linux only."""

    type: str
    user: str | None = None
    range: str | None = None


@dataclass(frozen=True, slots=True)
class Permission:
    """One ``permissions`` entry, applied after the files are copied (Linux only).

    ``except_`` is the AppSpec's ``except`` (a Python keyword). ``mode`` is the octal mode as the
    agent reads it: digits 0-7, padded to at least three (``"644"``, ``"4755"``). ``type`` is the
    kinds of object the entry applies to; the agent's default is both.

    Examples
    --------
    >>> Permission("/var/www", owner="www-data", mode="755").type
    ('file', 'directory')
    """

    object: str
    pattern: str = "**"
    except_: tuple[str, ...] = ()
    owner: str | None = None
    group: str | None = None
    mode: str | None = None
    acls: tuple[str, ...] = ()
    context: SELinuxContext | None = None
    type: tuple[str, ...] = _PERMISSION_TYPES


@dataclass(frozen=True, slots=True)
class ServerHook:
    """One script of an EC2/On-Premises lifecycle event hook.

    Parameters
    ----------
    location : str
        Script path, relative to the root of the bundle.
    timeout : int
        Seconds before the script counts as failed, in [1, 3600]; default 3600.
    runas : str or None
        User to run the script as (Linux only); None runs it as the agent's user.
    sudo : bool
        The agent's undocumented ``sudo`` flag (Agent:linux_util.rb): run with ``sudo``.

    Examples
    --------
    >>> ServerHook("scripts/start.sh", timeout=300, runas="root").timeout
    300
    """

    location: str
    timeout: int = DEFAULT_SCRIPT_TIMEOUT
    runas: str | None = None
    sudo: bool = False

    def __post_init__(self) -> None:
        problem = _timeout_problem(self.timeout)
        if problem:
            raise ConfigError(f"ServerHook.timeout {problem}; got {self.timeout!r}.")
        if not isinstance(self.location, str) or not self.location.strip():
            raise ConfigError(
                f"ServerHook.location must be a non-empty path; got {self.location!r}."
            )


@dataclass(frozen=True, slots=True)
class LambdaTarget:
    """The Lambda function a Lambda AppSpec deploys: shift ``alias`` between two versions.

    Versions are published version numbers (ints); a string only when the file holds a
    placeholder such as ``"{{TARGET_VERSION}}"``. ``current_version`` is None when the file does
    not give it. ``logical_id`` is the resource's key in ``Resources`` (default: ``name``).

    Examples
    --------
    >>> LambdaTarget("my-fn", "live", 1, 2).logical_id
    'my-fn'
    """

    name: str
    alias: str
    current_version: int | str | None
    target_version: int | str
    logical_id: str = ""

    def __post_init__(self) -> None:
        for label, value in (
            ("current_version", self.current_version),
            ("target_version", self.target_version),
        ):
            if value is None and label == "current_version":
                continue
            problem = _version_problem(value)
            if problem:
                raise ConfigError(f"LambdaTarget.{label} {problem}; got {value!r}.")
        if not self.logical_id:
            object.__setattr__(self, "logical_id", self.name)


@dataclass(frozen=True, slots=True)
class AwsvpcConfiguration:
    """``NetworkConfiguration.AwsvpcConfiguration`` of an ECS AppSpec (all three fields)."""

    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    assign_public_ip: str


@dataclass(frozen=True, slots=True)
class CapacityProviderStrategyItem:
    """One ``CapacityProviderStrategy`` entry: ``base`` tasks first, then by ``weight``."""

    capacity_provider: str
    base: int = 0
    weight: int = 0


@dataclass(frozen=True, slots=True)
class EcsTarget:
    """The ECS service an ECS AppSpec deploys, with the replacement task set's settings.

    ``container_port`` is an int; a string only for a placeholder such as
    ``"<CONTAINER_PORT>"``. ``platform_version`` None means the service's default (``LATEST``);
    ``network_configuration`` None means the service's current network settings.

    Examples
    --------
    >>> EcsTarget("<TASK_DEFINITION>", "web", 80).logical_id
    'TargetService'
    """

    task_definition: str
    container_name: str
    container_port: int | str
    platform_version: str | None = None
    network_configuration: AwsvpcConfiguration | None = None
    capacity_provider_strategy: tuple[CapacityProviderStrategyItem, ...] = ()
    logical_id: str = "TargetService"

    def __post_init__(self) -> None:
        problem = _port_problem(self.container_port)
        if problem:
            raise ConfigError(f"EcsTarget.container_port {problem}; got {self.container_port!r}.")


Hooks = dict[str, tuple[ServerHook, ...]] | dict[str, str]


@dataclass(frozen=True, slots=True)
class AppSpec:
    """A checked AppSpec file.

    Parameters
    ----------
    platform : {"Server", "Lambda", "ECS"}
        CodeDeploy's compute platform.
    version : float
        Always 0.0.
    os : {"linux", "windows"} or None
        Server only.
    files, permissions : tuple
        Server only: :class:`FileMapping` and :class:`Permission` entries, in file order.
    hooks : dict
        Server: lifecycle event -> tuple of :class:`ServerHook`, run in order.
        Lambda and ECS: lifecycle event -> name of the Lambda function CodeDeploy invokes.
    resources : tuple
        Lambda: one :class:`LambdaTarget`; ECS: one :class:`EcsTarget`; Server: empty.
    file_exists_behavior : {"DISALLOW", "OVERWRITE", "RETAIN"} or None
        Server only; None means the deployment's own setting (default DISALLOW).
    warnings : tuple of Finding
        Problems AWS would accept or ignore (not compared by ``==``).
    source : str
        Where the AppSpec came from (not compared by ``==``).

    Examples
    --------
    >>> spec = load_appspec("version: 0.0\\nos: linux\\nhooks:\\n  AfterInstall:\\n"
    ...                     "    - location: scripts/setup.sh\\n")
    >>> spec.scripts("AfterInstall")
    (ServerHook(location='scripts/setup.sh', timeout=3600, runas=None, sudo=False),)
    >>> load_appspec(spec.to_dict()) == spec
    True
    """

    platform: Platform
    version: float = APPSPEC_VERSION
    os: str | None = None
    files: tuple[FileMapping, ...] = ()
    permissions: tuple[Permission, ...] = ()
    hooks: Hooks = field(default_factory=dict)
    resources: tuple[LambdaTarget | EcsTarget, ...] = ()
    file_exists_behavior: str | None = None
    warnings: tuple[Finding, ...] = field(default=(), compare=False)
    source: str = field(default="<string>", compare=False)

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            hint = suggest(str(self.platform), PLATFORMS)
            raise ConfigError(
                f"AppSpec.platform must be one of 'Server', 'Lambda', 'ECS'; got "
                f"{self.platform!r}.{' ' + hint if hint else ''}"
            )
        if isinstance(self.version, bool) or self.version != APPSPEC_VERSION:
            raise ConfigError(f"AppSpec.version must be 0.0; got {self.version!r}.")
        if self.platform == "Server" and self.os not in _OSES:
            raise ConfigError(
                f"AppSpec.os must be 'linux' or 'windows' for the Server platform; got {self.os!r}."
            )

    def scripts(self, event: str) -> tuple[ServerHook, ...]:
        """The scripts of a Server lifecycle event, in run order (empty if none).

        Examples
        --------
        >>> AppSpec("Server", os="linux").scripts("ApplicationStart")
        ()
        """
        value = self.hooks.get(event, ()) if self.platform == "Server" else ()
        return value if isinstance(value, tuple) else ()

    def hook_function(self, event: str) -> str | None:
        """The Lambda function hooked to a Lambda or ECS lifecycle event, or None.

        Examples
        --------
        >>> AppSpec("Lambda", hooks={"AfterAllowTraffic": "check"}).hook_function(
        ...     "AfterAllowTraffic")
        'check'
        """
        value = self.hooks.get(event) if self.platform != "Server" else None
        return value if isinstance(value, str) else None

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Unrendered placeholders (``<NAME>``, ``${NAME}``, ``{{NAME}}``) in the spec's values.

        Examples
        --------
        >>> AppSpec("ECS", resources=(EcsTarget("<TASK_DEFINITION>", "web", 80),)).placeholders
        ('<TASK_DEFINITION>',)
        """
        found: dict[str, None] = {}
        for text in _strings(self.to_dict()):
            found.update(dict.fromkeys(_PLACEHOLDER.findall(text)))
        return tuple(found)

    def to_dict(self) -> dict[str, Any]:
        """The AppSpec as plain data that dumps to YAML or JSON and loads back equal.

        Defaults the file left out (a script's 3600 s timeout, a permission's ``**`` pattern)
        are written out. Unknown keys, comments and warnings are not kept.

        Examples
        --------
        >>> AppSpec("Lambda", resources=(LambdaTarget("fn", "live", 1, 2),)).to_dict()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'version': 0.0, 'Resources': [{'fn': {'Type': 'AWS::Lambda::Function',
        'Properties': {'Name': 'fn', 'Alias': 'live', 'CurrentVersion': '1',
        'TargetVersion': '2'}}}]}
        """
        out: dict[str, Any] = {"version": self.version}
        if self.platform == "Server":
            out["os"] = self.os
            if self.files:
                out["files"] = [
                    {"source": f.source, "destination": f.destination} for f in self.files
                ]
            if self.file_exists_behavior is not None:
                out["file_exists_behavior"] = self.file_exists_behavior
            if self.permissions:
                out["permissions"] = [_permission_dict(p) for p in self.permissions]
            if self.hooks:
                out["hooks"] = {
                    event: [_script_dict(s) for s in scripts]
                    for event, scripts in self.hooks.items()
                    if isinstance(scripts, tuple)
                }
            return out
        out["Resources"] = [_resource_dict(r) for r in self.resources]
        if self.hooks:
            out["Hooks"] = [{event: name} for event, name in self.hooks.items()]
        return out

    def __repr__(self) -> str:
        if self.platform == "Server":
            detail = f"os={self.os!r}, {len(self.files)} files, hooks={list(self.hooks)}"
        else:
            names = [
                getattr(r, "name", None) or getattr(r, "task_definition", "")
                for r in self.resources
            ]
            detail = f"resources={names}, hooks={list(self.hooks)}"
        extra = f", {len(self.warnings)} warnings" if self.warnings else ""
        return f"AppSpec({self.platform}, {detail}{extra}, source={self.source!r})"

    def _repr_html_(self) -> str:
        from shiftsim._html import table

        rows: list[tuple[str, Any]] = [("platform", self.platform), ("source", self.source)]
        if self.os:
            rows.append(("os", self.os))
        for resource in self.resources:
            rows.append(("resource", resource))
        for event, value in self.hooks.items():
            shown = value if isinstance(value, str) else ", ".join(s.location for s in value)
            rows.append((f"hook {event}", shown))
        for warning in self.warnings:
            rows.append(("warning", f"line {warning.line}: {warning.message}"))
        return table("AppSpec", rows)


def _permission_dict(p: Permission) -> dict[str, Any]:
    out: dict[str, Any] = {"object": p.object, "pattern": p.pattern}
    if p.except_:
        out["except"] = list(p.except_)
    for key in ("owner", "group", "mode"):
        if getattr(p, key) is not None:
            out[key] = getattr(p, key)
    if p.acls:
        out["acls"] = list(p.acls)
    if p.context is not None:
        ctx = {"type": p.context.type, "user": p.context.user, "range": p.context.range}
        out["context"] = {k: v for k, v in ctx.items() if v is not None}
    out["type"] = list(p.type)
    return out


def _script_dict(s: ServerHook) -> dict[str, Any]:
    out: dict[str, Any] = {"location": s.location, "timeout": s.timeout}
    if s.runas is not None:
        out["runas"] = s.runas
    if s.sudo:
        out["sudo"] = True
    return out


def _resource_dict(r: LambdaTarget | EcsTarget) -> dict[str, Any]:
    props: dict[str, Any]
    if isinstance(r, LambdaTarget):
        props = {"Name": r.name, "Alias": r.alias}
        if r.current_version is not None:
            props["CurrentVersion"] = str(r.current_version)
        props["TargetVersion"] = str(r.target_version)
        return {r.logical_id: {"Type": _LAMBDA_TYPE, "Properties": props}}
    props = {
        "TaskDefinition": r.task_definition,
        "LoadBalancerInfo": {"ContainerName": r.container_name, "ContainerPort": r.container_port},
    }
    if r.platform_version is not None:
        props["PlatformVersion"] = r.platform_version
    if r.network_configuration is not None:
        net = r.network_configuration
        props["NetworkConfiguration"] = {
            "AwsvpcConfiguration": {
                "Subnets": list(net.subnets),
                "SecurityGroups": list(net.security_groups),
                "AssignPublicIp": net.assign_public_ip,
            }
        }
    if r.capacity_provider_strategy:
        props["CapacityProviderStrategy"] = [
            {"Base": item.base, "CapacityProvider": item.capacity_provider, "Weight": item.weight}
            for item in r.capacity_provider_strategy
        ]
    return {r.logical_id: {"Type": _ECS_TYPE, "Properties": props}}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --------------------------------------------------------------------------------------------
# Rules shared by the reader and the dataclasses


def _is_placeholder(value: object) -> bool:
    return isinstance(value, str) and _PLACEHOLDER.search(value) is not None


def _timeout_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number of seconds"
    if not 1 <= value <= MAX_EVENT_SECONDS:
        return (
            f"must be in [1, {MAX_EVENT_SECONDS}] seconds: {MAX_EVENT_SECONDS} s is the most "
            "one lifecycle event may run"
        )
    return None


def _version_problem(value: object) -> str | None:
    if _is_placeholder(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return "must be a published version number, a positive integer"
    return None


def _port_problem(value: object) -> str | None:
    if _is_placeholder(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return "must be a port number in [1, 65535]"
    return None


# --------------------------------------------------------------------------------------------
# Reading


def load_appspec(
    path_or_text: str | os.PathLike[str] | Mapping[str, Any],
    *,
    platform: str | None = None,
    source: str | None = None,
) -> AppSpec:
    """Read and check an AppSpec file.

    Parameters
    ----------
    path_or_text : str or path-like
        A path (a :class:`os.PathLike`, or a one-line string ending in ``.yml``, ``.yaml``,
        ``.json`` or ``.tpl`` or naming an existing file), the YAML/JSON text itself, or a
        mapping such as :meth:`AppSpec.to_dict` returns.
    platform : {"Server", "Lambda", "ECS"}, optional
        Check the file as this platform's AppSpec instead of detecting it from the content.
    source : str, optional
        Name used in messages; defaults to the path, or ``"<string>"`` for text.

    Returns
    -------
    AppSpec
        With every warning in :attr:`AppSpec.warnings`.

    Raises
    ------
    AppSpecError
        On the first error in the file (by line); its ``line`` and ``path`` say where. Use
        :func:`validate` to get every problem.
    FileNotFoundError
        The path does not exist.

    Examples
    --------
    >>> spec = load_appspec("version: 0.0\\nos: linux\\nfiles:\\n"
    ...                     "  - {source: /, destination: /var/www/html}\\n")
    >>> spec.platform, spec.files[0].destination
    ('Server', '/var/www/html')
    >>> load_appspec("version: 0.0\\nos: linux\\nhooks:\\n  Before Install: []\\n")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    shiftsim.errors.AppSpecError: <string>:4 at hooks['Before Install']: 'Before Install' is not \
a lifecycle event of EC2/On-Premises deployments; did you mean 'BeforeInstall'? ...
    """
    text, name = _read(path_or_text, source)
    spec, findings = _check(text, name, platform)
    errors = [f for f in findings if f.severity == "error"]
    if spec is None and not errors:  # pragma: no cover - every failure reports an error
        raise AppSpecError("cannot read this AppSpec", source=name)
    if errors:
        first = min(errors, key=lambda f: f.line if f.line is not None else sys.maxsize)
        more = len(errors) - 1
        message = first.message
        if more:
            message += (
                f" (and {more} more error{'s' if more > 1 else ''}; "
                "`shiftsim validate` lists them all)"
            )
        raise AppSpecError(message, source=first.source, line=first.line, path=first.path)
    assert spec is not None
    return spec


def validate(
    path_or_text: str | os.PathLike[str] | Mapping[str, Any],
    *,
    platform: str | None = None,
    source: str | None = None,
) -> list[Finding]:
    """Every problem in an AppSpec file, errors and warnings, without raising.

    Takes the same arguments as :func:`load_appspec`. A file that cannot be read gives one error.

    Returns
    -------
    list of Finding
        In document order (by line).

    Examples
    --------
    >>> for finding in validate("version: 1\\nos: linux\\n", source="appspec.yml"):
    ...     print(finding)
    appspec.yml:1: error: version: version must be 0.0, the only AppSpec version; got 1
    """
    try:
        text, name = _read(path_or_text, source)
    except OSError as err:
        name = source or str(path_or_text)
        reason = err.strerror or str(err)
        return [Finding("error", str(name), None, "", f"cannot read the file: {reason}")]
    return _check(text, name, platform)[1]


def format_findings(findings: Sequence[Finding]) -> str:
    """Linter lines, one per finding: ``file:line: severity: path: message``.

    Examples
    --------
    >>> print(format_findings(validate("version: 0.0\\nos: Linux\\n", source="a.yml")))
    a.yml:2: error: os: os must be 'linux' or 'windows'; got 'Linux'. did you mean 'linux'?
    """
    return "\n".join(str(finding) for finding in findings)


def main_validate(argv: Sequence[str] | None = None) -> int:
    """The ``shiftsim validate FILE [FILE ...]`` command.

    Prints every finding like a linter, then a summary. Returns 0 when no file has an error,
    1 when one has, and 2 for a usage error (bad option, missing file).

    Examples
    --------
    >>> main_validate(["--help"])  # doctest: +ELLIPSIS
    usage: shiftsim validate ...
    0
    """
    parser = argparse.ArgumentParser(
        prog="shiftsim validate",
        description="Check CodeDeploy AppSpec files (EC2/On-Premises, Lambda, ECS) like a linter.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="AppSpec files (YAML or JSON)")
    parser.add_argument(
        "--platform",
        choices=PLATFORMS,
        help="check as this compute platform instead of detecting it",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only, and no summary"
    )
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    usage_error = False
    errors = warnings = checked = 0
    for name in args.files:
        path = FilePath(name)
        if not path.is_file():
            reason = "is a directory" if path.is_dir() else "no such file"
            print(f"shiftsim validate: error: {name}: {reason}", file=sys.stderr)
            usage_error = True
            continue
        checked += 1
        findings = validate(path, platform=args.platform, source=name)
        errors += sum(f.severity == "error" for f in findings)
        warnings += sum(f.severity == "warning" for f in findings)
        shown = [f for f in findings if f.severity == "error" or not args.quiet]
        if shown:
            print(format_findings(shown))
    if not args.quiet:
        print(
            f"{checked} file{'s' if checked != 1 else ''} checked: "
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
    if usage_error:
        return 2
    return 1 if errors else 0


def _read(path_or_text: Any, source: str | None) -> tuple[Any, str]:
    if isinstance(path_or_text, Mapping):
        return path_or_text, source or "<dict>"
    if isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str) and _looks_like_path(path_or_text)
    ):
        name = source or os.fspath(path_or_text)
        return _read_file(FilePath(path_or_text), str(name)), str(name)
    if isinstance(path_or_text, str):
        return path_or_text, source or "<string>"
    raise TypeError(
        f"load_appspec expects a path, the text of an AppSpec or a mapping; "
        f"got {type(path_or_text).__name__}"
    )


def _looks_like_path(text: str) -> bool:
    if "\n" in text or not text.strip():
        return False
    if text.lower().endswith((".yml", ".yaml", ".json", ".tpl")):
        return True
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):
        return False


def _read_file(path: FilePath, name: str) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise AppSpecError(
            f"the file is larger than {MAX_BYTES} bytes (1 MiB); an AppSpec file "
            "is a few hundred bytes, so shiftsim does not parse it",
            source=name,
        )
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)  # a device or a growing file cannot make us read more
    if len(data) > MAX_BYTES:
        raise AppSpecError(f"the file is larger than {MAX_BYTES} bytes (1 MiB)", source=name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise AppSpecError(
            f"the file is not UTF-8 text ({err.reason} at byte {err.start})", source=name, line=line
        ) from err


def _check(text: Any, source: str, platform: str | None) -> tuple[AppSpec | None, list[Finding]]:
    if platform is not None and platform not in PLATFORMS:
        matches = [p for p in PLATFORMS if p.lower() == str(platform).lower()]
        if not matches:
            hint = suggest(str(platform), PLATFORMS)
            raise ConfigError(
                f"load_appspec.platform must be one of 'Server', 'Lambda', 'ECS'; "
                f"got {platform!r}.{' ' + hint if hint else ''}"
            )
        platform = matches[0]
    try:
        if isinstance(text, Mapping):
            doc = Document(value=dict(text), source=source)
        else:
            doc = load_document(text, source)
    except AppSpecError as err:
        return None, [Finding("error", err.source, err.line, err.path, err.message)]
    reader = _Reader(doc)
    spec = reader.read(platform)
    findings = sorted(reader.findings, key=lambda f: f.line if f.line is not None else 0)
    if spec is not None:
        warnings = tuple(f for f in findings if f.severity == "warning")
        object.__setattr__(spec, "warnings", warnings)
    return spec, findings


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {value!r}"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return repr(value)


def _is_intrinsic(value: object) -> bool:
    return (
        isinstance(value, dict)
        and len(value) == 1
        and any(isinstance(k, str) and (k == "Ref" or k.startswith("Fn::")) for k in value)
    )


class _Reader:
    """Walks a loaded document, collecting findings and building the AppSpec."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.findings: list[Finding] = []
        self.failed = False

    # -- reporting ---------------------------------------------------------------------------

    def error(self, path: Path, message: str, *, at_key: bool = False) -> None:
        self.failed = True
        self._add("error", path, message, at_key)

    def warn(self, path: Path, message: str, *, at_key: bool = False) -> None:
        self._add("warning", path, message, at_key)

    def _add(self, severity: Severity, path: Path, message: str, at_key: bool) -> None:
        line = self.doc.key_line(path) if at_key else self.doc.line(path)
        self.findings.append(Finding(severity, self.doc.source, line, format_path(path), message))

    # -- generic checks ----------------------------------------------------------------------

    def fields(
        self,
        mapping: dict[Any, Any],
        path: Path,
        allowed: Sequence[str],
        where: str,
        *,
        fold_case: bool = False,
        lowercase_ok: bool = False,
        foreign: Mapping[str, str] | None = None,
    ) -> dict[str, tuple[Any, Path]]:
        """Map each allowed key to (value, path); warn about unknown keys."""
        canonical = {key.lower(): key for key in allowed}
        found: dict[str, tuple[Any, Path]] = {}
        for key, value in mapping.items():
            child = (*path, key)
            if not isinstance(key, str):
                self.error(child, f"keys must be text; got {key!r}", at_key=True)
                continue
            if key in allowed:
                name = key
            elif fold_case and key.lower() in canonical:
                name = canonical[key.lower()]
                if not (lowercase_ok and key == key.lower()):
                    self.warn(
                        child,
                        f"{key!r} is spelled {name!r} in AWS's AppSpec reference; "
                        "shiftsim accepts it, but how CodeDeploy treats other spellings is "
                        "undocumented",
                        at_key=True,
                    )
            elif foreign and key in foreign:
                self.error(child, foreign[key], at_key=True)
                continue
            else:
                hint = suggest(key, allowed)
                listed = ", ".join(allowed)
                self.warn(
                    child,
                    f"unknown key {key!r} in {where} (allowed: {listed}); AWS "
                    f"ignores it{'. ' + hint if hint else ''}",
                    at_key=True,
                )
                continue
            if name in found:
                self.error(child, f"{key!r} repeats {found[name][1][-1]!r}", at_key=True)
                continue
            found[name] = (value, child)
        return found

    def mapping(self, value: Any, path: Path, what: str, example: str) -> dict[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.error(path, f"{what} must be a mapping ({example}); got {_kind(value)}")
        return None

    def text(self, value: Any, path: Path, what: str, *, strip: bool = False) -> str | None:
        """A string field; reports other types. Placeholders get a warning."""
        if _is_intrinsic(value):
            self.error(
                path,
                f"{what} is a CloudFormation function ({next(iter(value))}); "
                "CodeDeploy reads the AppSpec as plain data and does not evaluate it",
            )
            return None
        if not isinstance(value, str):
            self.error(path, f"{what} must be text; got {_kind(value)}")
            return None
        if strip:
            value = value.strip()
        if not value:
            self.error(path, f"{what} must not be empty")
            return None
        self.placeholder(value, path)
        return value

    def placeholder(self, value: str, path: Path) -> bool:
        found = _PLACEHOLDER.findall(value)
        if found:
            self.warn(
                path,
                f"{found[0]!r} is an unrendered placeholder: CodeDeploy would use it "
                "literally, so replace it before deploying",
            )
        return bool(found)

    def text_list(self, value: Any, path: Path, what: str) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.error(path, f"{what} must be a list; got {_kind(value)}")
            return None
        items = [self.text(item, (*path, i), f"{what}[{i}]") for i, item in enumerate(value)]
        return None if None in items else tuple(item for item in items if item is not None)

    def choice(self, value: Any, path: Path, what: str, choices: Sequence[str]) -> str | None:
        if isinstance(value, str) and value in choices:
            return value
        if isinstance(value, str) and _PLACEHOLDER.search(value):
            self.placeholder(value, path)
            return value
        listed = (
            " or ".join(repr(c) for c in choices)
            if len(choices) == 2
            else ("one of " + ", ".join(repr(c) for c in choices))
        )
        hint = suggest(value, choices) if isinstance(value, str) else ""
        if isinstance(value, str) and "|" in value:
            hint = "the reference's syntax line lists the choices with '|'; pick one"
        self.error(
            path, f"{what} must be {listed}; got {_kind(value)}{'. ' + hint if hint else ''}"
        )
        return None

    def integer(self, value: Any, path: Path, what: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(path, f"{what} must be an integer in [{low}, {high}]; got {_kind(value)}")
            return None
        return value

    # -- the document ------------------------------------------------------------------------

    def read(self, platform: Platform | None) -> AppSpec | None:
        doc = self.doc
        for path, first_line in doc.duplicates:
            self.warn(
                path,
                f"key {path[-1]!r} appears twice (first at line {first_line}); "
                "YAML keeps only the last one, so the earlier entry is ignored",
                at_key=True,
            )
        for line, note in doc.notes:
            self.findings.append(Finding("warning", doc.source, line, "", note))
        root = doc.value
        if not isinstance(root, dict):
            self.error(
                (),
                "an AppSpec file must be a mapping at the top level "
                f"(version: 0.0, ...); got {_kind(root)}",
            )
            return None
        if self.template(root):
            return None
        detected = platform or self.detect(root)
        if detected is None:
            return None
        if detected == "Server":
            return self.server(root)
        spec = self.function_platform(root, detected)
        return None if self.failed else spec

    def template(self, root: dict[Any, Any]) -> bool:
        """Refuse SAM and CloudFormation templates, with the way forward."""
        resources = _get_folded(root, "Resources")
        types: list[tuple[str, Path]] = []
        if isinstance(resources, dict):
            for name, body in resources.items():
                kind = _get_folded(body, "Type") if isinstance(body, dict) else None
                if isinstance(kind, str):
                    types.append((kind, ("Resources", name, "Type")))
        transform = root.get("Transform")
        serverless = [t for t in types if t[0].startswith("AWS::Serverless::")]
        is_sam = bool(serverless) or "AWS::Serverless" in str(transform)
        if is_sam:
            path: Path = serverless[0][1] if serverless else ("Transform",)
            what = serverless[0][0] if serverless else str(transform)
            self.error(
                path,
                f"this is an AWS SAM template ({what}), not an AppSpec file. SAM "
                "writes the AppSpec itself from the function's DeploymentPreference; load "
                "the template with shiftsim's SAM reader, from_sam(), instead",
            )
            return True
        if "AWSTemplateFormatVersion" in root or isinstance(resources, dict):
            self.error(
                ("Resources",) if isinstance(resources, dict) else (),
                "this is a CloudFormation template, not an AppSpec file: an AppSpec "
                "lists its Resources (- LogicalName: {Type, Properties}) and has "
                "version: 0.0",
            )
            return True
        return False

    def detect(self, root: dict[Any, Any]) -> Platform | None:
        resources_key = _folded_key(root, "Resources")
        resources = root.get(resources_key) if resources_key is not None else None
        if isinstance(resources, list):
            kinds: dict[str, Path] = {}
            for i, item in enumerate(resources):
                for name, body in item.items() if isinstance(item, dict) else ():
                    kind = _get_folded(body, "Type") if isinstance(body, dict) else None
                    if kind is not None:
                        type_key = _folded_key(body, "Type")
                        kinds.setdefault(str(kind), (resources_key, i, name, type_key))
            if _LAMBDA_TYPE in kinds and _ECS_TYPE in kinds:
                self.error(
                    kinds[_ECS_TYPE],
                    "Resources mixes an AWS::Lambda::Function and an "
                    "AWS::ECS::Service; one AppSpec deploys to one compute platform",
                )
                return None
            if _LAMBDA_TYPE in kinds:
                return "Lambda"
            if _ECS_TYPE in kinds:
                return "ECS"
            if kinds:
                kind, path = next(iter(kinds.items()))
                self.error(
                    path,
                    f"Type must be {_LAMBDA_TYPE!r} (AWS Lambda) or {_ECS_TYPE!r} "
                    f"(Amazon ECS); got {kind!r}. EC2/On-Premises AppSpecs have no "
                    "Resources",
                )
                return None
        if any(key in root for key in _SERVER_ONLY) or isinstance(root.get("hooks"), dict):
            return "Server"
        hooks = _get_folded(root, "Hooks")
        if resources is not None or isinstance(hooks, list):
            events = {
                k
                for item in (hooks if isinstance(hooks, list) else [])
                if isinstance(item, dict)
                for k in item
            }
            ecs_only = set(HOOK_EVENTS["ECS"]) - set(HOOK_EVENTS["Lambda"])
            return "ECS" if events & ecs_only else "Lambda"
        self.error(
            (),
            "cannot tell which compute platform this AppSpec is for: it has neither "
            "os/files/hooks (EC2/On-Premises) nor Resources (AWS Lambda, Amazon ECS). "
            "Add them, or pass platform='Server', 'Lambda' or 'ECS'",
        )
        return None

    def version(self, root: dict[Any, Any], platform: str) -> None:
        key = _folded_key(root, "version")
        if key is None or (platform == "Server" and key != "version"):
            # The agent reads exactly 'version'; the service's case handling is undocumented.
            hint = f" ({key!r} must be written in lowercase)" if key is not None else ""
            self.error(
                (),
                f"version is required; the only AppSpec version is 0.0 (write version: 0.0){hint}",
            )
            return
        path: Path = (key,)
        value = root[key]
        if isinstance(value, float) and value == APPSPEC_VERSION:
            return
        if isinstance(value, int) and not isinstance(value, bool) and value == 0:
            self.warn(path, "write version: 0.0; 0 compares equal to 0.0, so it is accepted")
            return
        if isinstance(value, str) and value.strip() in ("0.0", "0"):
            if platform == "Server":
                self.error(
                    path,
                    f"version must be the number 0.0, not the text {value!r}: the "
                    "CodeDeploy agent compares it with the number 0.0, so a quoted "
                    "version fails with 'invalid version value'. Write version: 0.0 "
                    "without quotes",
                )
            else:
                self.warn(path, f"write version: 0.0 as a number, not the text {value!r}")
            return
        self.error(path, f"version must be 0.0, the only AppSpec version; got {_kind(value)}")

    # -- EC2/On-Premises -----------------------------------------------------------------------

    def server(self, root: dict[Any, Any]) -> AppSpec | None:
        # The agent ignores keys it does not read (Agent:application_specification.rb), so
        # Lambda/ECS keys here are warnings; a capitalised 'Hooks' silently runs no script.
        foreign = [
            k
            for k in root
            if isinstance(k, str) and k != "hooks" and k.lower() in ("resources", "hooks")
        ]
        for key in foreign:
            message = f"{key!r} is a Lambda/ECS key; the EC2/On-Premises agent ignores it"
            if key.lower() == "hooks":
                message += (
                    ", so these scripts never run: the agent reads only 'hooks'. "
                    "did you mean 'hooks'?"
                )
            self.warn((key,), message, at_key=True)
        f = self.fields(
            {k: v for k, v in root.items() if k not in foreign},
            (),
            _SERVER_KEYS,
            "an EC2/On-Premises AppSpec",
        )
        self.version(root, "Server")
        os_name: str | None = None
        if "os" not in f:
            self.error((), "os is required in an EC2/On-Premises AppSpec: 'linux' or 'windows'")
        else:
            os_name = self.choice(f["os"][0], f["os"][1], "os", _OSES)
        files: tuple[FileMapping, ...] = ()
        if "files" in f:
            files = self.files(*f["files"], os_name)
        behavior = None
        if "file_exists_behavior" in f:
            behavior = self.choice(*f["file_exists_behavior"], "file_exists_behavior", _FILE_EXISTS)
        permissions: tuple[Permission, ...] = ()
        if "permissions" in f:
            permissions = self.permissions(*f["permissions"], os_name)
        hooks: dict[str, tuple[ServerHook, ...]] = {}
        if "hooks" in f:
            hooks = self.server_hooks(*f["hooks"], os_name)
        if self.failed or os_name is None:
            return None
        return AppSpec(
            "Server",
            APPSPEC_VERSION,
            os_name,
            files,
            permissions,
            hooks,
            file_exists_behavior=behavior,
            source=self.doc.source,
        )

    def files(self, value: Any, path: Path, os_name: str | None) -> tuple[FileMapping, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(
                path,
                f"files must be a list of - source: ... destination: ... entries; "
                f"got {_kind(value)}",
            )
            return ()
        out = []
        for i, item in enumerate(value):
            ipath = (*path, i)
            entry = self.mapping(item, ipath, "each files entry", "source: ..., destination: ...")
            if entry is None:
                continue
            f = self.fields(entry, ipath, ("source", "destination"), "a files entry")
            if "source" not in f or f["source"][0] is None:
                self.error(
                    ipath,
                    "a files entry needs a source (a file or folder in the bundle, "
                    "or / for all of it)",
                )
                continue
            if "destination" not in f or f["destination"][0] is None:
                self.error(
                    ipath,
                    "a files entry needs a destination (a fully qualified path on the instance)",
                )
                continue
            source = self.text(*f["source"], "source")
            destination = self.text(*f["destination"], "destination")
            if source is None or destination is None:
                continue
            if not _is_placeholder(destination) and os_name is not None:
                self.destination(destination, f["destination"][1], os_name)
            out.append(FileMapping(source, destination))
        return tuple(out)

    def destination(self, value: str, path: Path, os_name: str) -> None:
        # Paths are quoted by hand: repr() would double every Windows backslash.
        if os_name == "linux" and not value.startswith("/"):
            self.error(
                path,
                f"destination must be a fully qualified path such as /var/www/html; got '{value}'",
            )
        if os_name == "windows" and not re.match(r"^(?:[A-Za-z]:[\\/]|\\\\)", value):
            hint = ""
            if re.match(r"^[A-Za-z]:[^\\/]", value):
                hint = (
                    f"; did you mean '{value[:2]}\\{value[2:]}'? '{value}' is relative to "
                    f"the current folder of drive {value[0]}"
                )
            self.error(
                path,
                f"destination must be a fully qualified Windows path such as "
                f"C:\\inetpub\\wwwroot; got '{value}'{hint}",
            )

    def permissions(self, value: Any, path: Path, os_name: str | None) -> tuple[Permission, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(
                path, f"permissions must be a list of - object: ... entries; got {_kind(value)}"
            )
            return ()
        if value and os_name == "windows":
            self.error(
                path,
                "permissions apply to Linux instances only; the agent rejects them "
                "when os is windows. Remove the permissions section",
                at_key=True,
            )
            return ()
        allowed = (
            "object",
            "pattern",
            "except",
            "owner",
            "group",
            "mode",
            "acls",
            "context",
            "type",
        )
        out = []
        for i, item in enumerate(value):
            ipath = (*path, i)
            entry = self.mapping(item, ipath, "each permissions entry", "object: ..., owner: ...")
            if entry is None:
                continue
            f = self.fields(entry, ipath, allowed, "a permissions entry")
            if "object" not in f or f["object"][0] is None:
                self.error(
                    ipath,
                    "a permissions entry needs an object (the file or folder the "
                    "permissions apply to)",
                )
                continue
            obj = self.text(*f["object"], "object", strip=True)
            pattern = "**"
            if "pattern" in f and f["pattern"][0] is not None:
                pattern = self.text(*f["pattern"], "pattern") or "**"
            except_: tuple[str, ...] = ()
            if "except" in f and f["except"][0] is not None:
                except_ = self.text_list(*f["except"], "except") or ()
            owner = group = None
            if "owner" in f and f["owner"][0] is not None:
                owner = self.text(*f["owner"], "owner")
            if "group" in f and f["group"][0] is not None:
                group = self.text(*f["group"], "group")
            mode = self.mode(*f["mode"]) if "mode" in f and f["mode"][0] is not None else None
            acls: tuple[str, ...] = ()
            if "acls" in f and f["acls"][0] is not None:
                acls = self.text_list(*f["acls"], "acls") or ()
                for j, acl in enumerate(acls):
                    if not _ACL.match(acl) or re.match(
                        r"^(?:d:|default:)?(?:u|g|user|group):"
                        r":",
                        acl,
                    ):
                        self.error(
                            (*f["acls"][1], j),
                            f"{acl!r} is not a named ACL entry such "
                            "as u:bob:rw; use mode for the owner, group and others",
                        )
            context = None
            if "context" in f and f["context"][0] is not None:
                context = self.context(*f["context"])
            kinds: tuple[str, ...] = _PERMISSION_TYPES
            if "type" in f and f["type"][0] is not None:
                kinds = self.permission_types(*f["type"])
            if obj is None:
                continue
            out.append(Permission(obj, pattern, except_, owner, group, mode, acls, context, kinds))
        return tuple(out)

    def mode(self, value: Any, path: Path) -> str | None:
        raw = self.doc.raw.get(path, "")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.error(path, f"mode must be an octal mode such as 644; got {_kind(value)}")
            return None
        text = str(value).strip()
        if isinstance(value, int) and raw.startswith("0") and raw not in ("0", "00", "000"):
            self.warn(
                path,
                f"YAML reads mode {raw} as an octal number ({value} in decimal), so "
                f"the agent applies mode {value}; quote it ('{raw}') or drop the leading "
                "zero",
            )
        text = text.rjust(3, "0")
        if len(text) > 4 or not all("0" <= ch <= "7" for ch in text):
            self.error(
                path, f"mode must be 1 to 4 octal digits (0-7), as for chmod; got {_kind(value)}"
            )
            return None
        return text

    def context(self, value: Any, path: Path) -> SELinuxContext | None:
        entry = self.mapping(value, path, "context", "type: ..., user: ..., range: ...")
        if entry is None:
            return None
        f = self.fields(entry, path, ("user", "name", "type", "range"), "context")
        if "type" not in f or f["type"][0] is None:
            self.error(
                path,
                "context needs a type (the SELinux type); the agent rejects a context without one",
                at_key=True,
            )
            return None
        kind = self.text(*f["type"], "context.type")
        user = None
        for key in ("name", "user"):
            if key in f and f[key][0] is not None:
                user = self.text(*f[key], f"context.{key}")
        if "user" in f and "name" not in f:
            self.warn(
                f["user"][1],
                "the agent reads the SELinux user from 'name', not 'user' "
                "(the reference's spelling), so this user is not applied",
                at_key=True,
            )
        rng = self.text(*f["range"], "context.range") if "range" in f else None
        return None if kind is None else SELinuxContext(kind, user, rng)

    def permission_types(self, value: Any, path: Path) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.error(
                path, f"type must be a list of 'file' and/or 'directory'; got {_kind(value)}"
            )
            return _PERMISSION_TYPES
        kinds = [self.choice(v, (*path, i), "type", _PERMISSION_TYPES) for i, v in enumerate(value)]
        return tuple(k for k in kinds if k is not None)

    def server_hooks(
        self, value: Any, path: Path, os_name: str | None
    ) -> dict[str, tuple[ServerHook, ...]]:
        if value is None:
            return {}
        if isinstance(value, list):
            self.error(
                path,
                "hooks must map each lifecycle event to its scripts "
                "(BeforeInstall: [- location: ...]); got a list, which is the Lambda "
                "and ECS form",
            )
            return {}
        if not isinstance(value, dict):
            self.error(path, f"hooks must be a mapping of lifecycle events; got {_kind(value)}")
            return {}
        hooks: dict[str, tuple[ServerHook, ...]] = {}
        for event, scripts in value.items():
            epath = (*path, event)
            if not self.event_name(event, epath, "Server"):
                continue
            parsed = self.scripts(scripts, epath, event, os_name)
            if parsed is not None:
                hooks[event] = parsed
        return hooks

    def scripts(
        self, value: Any, path: Path, event: str, os_name: str | None
    ) -> tuple[ServerHook, ...] | None:
        if not isinstance(value, list):
            self.error(
                path,
                f"{event} must be a list of scripts (- location: path/to/script); "
                f"got {_kind(value)}",
            )
            return None
        out = []
        total = 0
        for i, item in enumerate(value):
            spath = (*path, i)
            entry = self.mapping(item, spath, "each script", "location: ..., timeout: ...")
            if entry is None:
                continue
            f = self.fields(entry, spath, ("location", "timeout", "runas", "sudo"), "a script")
            if "location" not in f or f["location"][0] is None:
                keys = ", ".join(repr(k) for k in entry) or "nothing"
                self.error(
                    spath,
                    f"this {event} script has no location (it has {keys}); every "
                    "script needs location: path/to/script, and the agent rejects one "
                    "without it. If this line belongs to the script above, remove its "
                    "'-'",
                )
                continue
            location = self.scalar_text(*f["location"], "location")
            timeout = DEFAULT_SCRIPT_TIMEOUT
            if "timeout" in f:
                given = self.timeout(*f["timeout"])
                if given is not None:
                    timeout = given
                    total += given
            runas = None
            if "runas" in f and f["runas"][0] is not None:
                if os_name == "windows":
                    self.error(
                        f["runas"][1],
                        "runas applies to Amazon Linux, Ubuntu Server and "
                        "RHEL instances only, and os is windows; remove it (scripts run "
                        "as the agent's user)",
                        at_key=True,
                    )
                else:
                    runas = self.scalar_text(*f["runas"], "runas")
            sudo = False
            if "sudo" in f and f["sudo"][0] is not None:
                if not isinstance(f["sudo"][0], bool):
                    self.warn(
                        f["sudo"][1],
                        f"sudo should be true or false; the agent treats {f['sudo'][0]!r} as true",
                    )
                sudo = f["sudo"][0] is not False
            if location is not None:
                out.append(ServerHook(location, timeout, runas, sudo))
        if total > MAX_EVENT_SECONDS:
            self.warn(
                path,
                f"the timeouts of the {event} scripts add up to {total} s, more than "
                f"the {MAX_EVENT_SECONDS} s one lifecycle event may run; the event fails if "
                "the scripts really take that long",
                at_key=True,
            )
        return tuple(out)

    def scalar_text(self, value: Any, path: Path, what: str) -> str | None:
        # The agent reads location and runas with Ruby's to_s.strip.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.warn(path, f"{what} should be text; the agent reads {value!r} as {str(value)!r}")
            value = str(value)
        return self.text(value, path, what, strip=True)

    def timeout(self, value: Any, path: Path) -> int | None:
        if isinstance(value, str) and value.strip().isdigit():
            self.warn(
                path,
                f"timeout should be a number of seconds, not the text {value!r}; the "
                "agent converts it",
            )
            value = int(value.strip())
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        problem = _timeout_problem(value)
        if problem:
            self.error(path, f"timeout {problem}; got {_kind(value)}")
            return None
        return int(value)

    def event_name(self, event: Any, path: Path, platform: str) -> bool:
        allowed = HOOK_EVENTS[platform]
        where = f"{_PLATFORM_NAMES[platform]} deployments"
        if isinstance(event, str) and event in allowed:
            return True
        if not isinstance(event, str):
            self.error(
                path, f"a lifecycle event name must be text; got {_kind(event)}", at_key=True
            )
            return False
        listed = ", ".join(allowed)
        if event in RESERVED_EVENTS[platform]:
            neighbours = [n for n in _RESERVED_NEIGHBOURS.get(event, ()) if n in allowed]
            use = " or ".join(repr(n) for n in neighbours) if neighbours else f"one of {listed}"
            what = "scripts" if platform == "Server" else "hook functions"
            reason = (
                "Start and End mark the beginning and the end of a deployment"
                if event in ("Start", "End")
                else f"{event} is a step CodeDeploy runs itself"
            )
            self.error(
                path,
                f"{event!r} is reserved for CodeDeploy and cannot run {what}: "
                f"{reason}. Hook {use} instead",
                at_key=True,
            )
            return False
        if event in _LEGACY_EVENTS and platform == "Server":
            self.error(
                path,
                f"{event!r} is an old name; the lifecycle event is now {_LEGACY_EVENTS[event]!r}",
                at_key=True,
            )
            return False
        other = [p for p in PLATFORMS if p != platform and event in HOOK_EVENTS[p]]
        if other:
            self.error(
                path,
                f"{event!r} is a lifecycle event of "
                f"{' and '.join(_PLATFORM_NAMES[p] for p in other)} deployments, not of "
                f"{where}; the events are: {listed}",
                at_key=True,
            )
            return False
        hint = _suggest_event(event, allowed)
        rest = f"{hint} (the events are: {listed})" if hint else f"the events are: {listed}"
        self.error(path, f"{event!r} is not a lifecycle event of {where}; {rest}", at_key=True)
        return False

    # -- AWS Lambda and Amazon ECS -------------------------------------------------------------

    def function_platform(self, root: dict[Any, Any], platform: Platform) -> AppSpec | None:
        name = _PLATFORM_NAMES[platform]
        foreign = {
            key: f"{key!r} is an EC2/On-Premises key; an {name} AppSpec has only version, "
            f"Resources and Hooks"
            for key in _SERVER_ONLY
        }
        # AWS's hooks reference writes 'hooks' for Lambda and 'Hooks' for ECS: accept both.
        f = self.fields(
            root,
            (),
            ("version", "Resources", "Hooks"),
            f"an {name} AppSpec",
            fold_case=True,
            lowercase_ok=True,
            foreign=foreign,
        )
        self.version(root, platform)
        hooks: dict[str, str] = {}
        if "Hooks" in f:
            hooks = self.function_hooks(*f["Hooks"], platform)
        if "Resources" not in f:
            example = (
                "the function to deploy (Name, Alias, CurrentVersion, TargetVersion)"
                if platform == "Lambda"
                else "the service to deploy (TaskDefinition, LoadBalancerInfo)"
            )
            self.error((), f"Resources is required in an {name} AppSpec: it names {example}")
            return None
        resources = self.resource_items(*f["Resources"], platform, platform == "Lambda")
        if self.failed:
            return None
        return AppSpec(
            platform, APPSPEC_VERSION, None, (), (), hooks, resources, source=self.doc.source
        )

    def resource_items(
        self, value: Any, path: Path, platform: str, lowercase_ok: bool
    ) -> tuple[LambdaTarget | EcsTarget, ...]:
        if not isinstance(value, list) or not value:
            self.error(
                path,
                f"Resources must be a list with one entry (- LogicalName: "
                f"{{Type: ..., Properties: ...}}); got {_kind(value)}",
            )
            return ()
        expected = _LAMBDA_TYPE if platform == "Lambda" else _ECS_TYPE
        out: list[LambdaTarget | EcsTarget] = []
        for i, item in enumerate(value):
            ipath = (*path, i)
            if not isinstance(item, dict) or len(item) != 1:
                self.error(
                    ipath,
                    "each Resources entry must be a mapping with one key, the "
                    f"resource's logical name; got {_kind(item)}",
                )
                continue
            logical, body = next(iter(item.items()))
            bpath = (*ipath, logical)
            body = self.mapping(body, bpath, str(logical), "Type: ..., Properties: ...")
            if body is None:
                continue
            f = self.fields(
                body,
                bpath,
                ("Type", "Properties"),
                "a resource",
                fold_case=True,
                lowercase_ok=lowercase_ok,
            )
            if "Type" not in f:
                self.error(bpath, f"the resource needs Type: {expected}", at_key=True)
                continue
            if f["Type"][0] != expected:
                self.error(
                    f["Type"][1],
                    f"Type must be {expected!r} in an "
                    f"{_PLATFORM_NAMES[platform]} AppSpec; got {_kind(f['Type'][0])}",
                )
                continue
            if "Properties" not in f:
                self.error(bpath, "the resource needs Properties", at_key=True)
                continue
            props = self.mapping(*f["Properties"], "Properties", "Name: ..., Alias: ...")
            if props is None:
                continue
            target: LambdaTarget | EcsTarget | None
            if platform == "Lambda":
                target = self.lambda_target(props, f["Properties"][1], str(logical))
            else:
                target = self.ecs_target(props, f["Properties"][1], str(logical))
            if target is not None:
                out.append(target)
        if len(value) > 1:
            what = "function" if platform == "Lambda" else "service"
            self.error(
                path,
                f"an {_PLATFORM_NAMES[platform]} AppSpec deploys one {what}; "
                f"Resources lists {len(value)}",
            )
        return tuple(out)

    def lambda_target(self, props: dict[Any, Any], path: Path, logical: str) -> LambdaTarget | None:
        f = self.fields(
            props,
            path,
            ("Name", "Alias", "CurrentVersion", "TargetVersion"),
            "the Lambda function's Properties",
            fold_case=True,
            lowercase_ok=True,
        )
        for key in ("Name", "Alias", "TargetVersion"):
            if key not in f or f[key][0] is None:
                self.error(
                    path,
                    f"Properties needs {key} (all of Name, Alias and TargetVersion are required)",
                    at_key=True,
                )
        if "Name" not in f or "Alias" not in f or "TargetVersion" not in f:
            return None
        name = self.text(*f["Name"], "Name")
        if name is not None and not _is_placeholder(name) and not _FUNCTION_NAME.match(name):
            self.warn(
                f["Name"][1],
                f"{name!r} does not look like a Lambda function name "
                "(letters, digits, - and _, up to 64) or ARN",
            )
        alias = self.text(*f["Alias"], "Alias")
        if alias is not None and not _is_placeholder(alias) and not _ALIAS_NAME.match(alias):
            self.error(
                f["Alias"][1],
                f"Alias must be an alias name (letters, digits, - and _, "
                f"not only digits, up to 128); got {alias!r}",
            )
            alias = None
        current = None
        if "CurrentVersion" in f:
            current = self.lambda_version(*f["CurrentVersion"], "CurrentVersion")
        else:
            self.warn(
                path,
                "CurrentVersion is missing; AWS's reference marks it required (the "
                "version the alias points to now)",
                at_key=True,
            )
        target = self.lambda_version(*f["TargetVersion"], "TargetVersion")
        if current is not None and current == target and not _is_placeholder(current):
            self.warn(
                f["TargetVersion"][1],
                f"CurrentVersion and TargetVersion are both {current!r}, so no traffic would move",
            )
        if name is None or alias is None or target is None:
            return None
        if "CurrentVersion" in f and current is None:
            return None
        return LambdaTarget(name, alias, current, target, logical)

    def lambda_version(self, value: Any, path: Path, what: str) -> int | str | None:
        if isinstance(value, str):
            text = value.strip()
            if text.upper() == "$LATEST":
                self.error(
                    path,
                    f"{what} is '$LATEST', but CodeDeploy shifts the alias between "
                    "two published versions, and $LATEST is not one (an alias cannot "
                    "route weighted traffic to it). Publish a version (aws lambda "
                    "publish-version) and give its number, such as '2'",
                )
                return None
            if self.placeholder(text, path):
                return text
            if text.isascii() and text.isdigit() and int(text) >= 1:
                return int(text)
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value  # unquoted numbers are accepted, though the reference quotes them
        self.error(
            path,
            f"{what} must be a published version number, a positive integer such "
            f"as '2'; got {_kind(value)}",
        )
        return None

    def ecs_target(self, props: dict[Any, Any], path: Path, logical: str) -> EcsTarget | None:
        keys = (
            "TaskDefinition",
            "LoadBalancerInfo",
            "PlatformVersion",
            "NetworkConfiguration",
            "CapacityProviderStrategy",
        )
        f = self.fields(props, path, keys, "the ECS service's Properties", fold_case=True)
        for key in ("TaskDefinition", "LoadBalancerInfo"):
            if key not in f or f[key][0] is None:
                self.error(
                    path,
                    f"Properties needs {key} (TaskDefinition and LoadBalancerInfo are required)",
                    at_key=True,
                )
        taskdef = None
        if "TaskDefinition" in f and f["TaskDefinition"][0] is not None:
            taskdef = self.task_definition(*f["TaskDefinition"])
        container = port = None
        if "LoadBalancerInfo" in f and f["LoadBalancerInfo"][0] is not None:
            container, port = self.load_balancer_info(*f["LoadBalancerInfo"])
        platform_version = None
        if "PlatformVersion" in f and f["PlatformVersion"][0] is not None:
            platform_version = self.text(*f["PlatformVersion"], "PlatformVersion")
            if (
                platform_version is not None
                and not _is_placeholder(platform_version)
                and not _PLATFORM_VERSION.match(platform_version)
            ):
                self.error(
                    f["PlatformVersion"][1],
                    "PlatformVersion must be LATEST or a Fargate "
                    f"platform version such as 1.4.0; got {platform_version!r}",
                )
        network = None
        if "NetworkConfiguration" in f and f["NetworkConfiguration"][0] is not None:
            network = self.network(*f["NetworkConfiguration"])
        strategy: tuple[CapacityProviderStrategyItem, ...] = ()
        if "CapacityProviderStrategy" in f and f["CapacityProviderStrategy"][0] is not None:
            strategy = self.capacity_providers(*f["CapacityProviderStrategy"])
        if taskdef is None or container is None or port is None:
            return None
        return EcsTarget(taskdef, container, port, platform_version, network, strategy, logical)

    def task_definition(self, value: Any, path: Path) -> str | None:
        if isinstance(value, str) and _PIPELINE_PLACEHOLDER.match(value.strip()):
            return value.strip()  # CodePipeline's ECS (Blue/Green) action fills it in
        if _is_intrinsic(value):
            self.error(
                path,
                f"TaskDefinition is a CloudFormation function ({next(iter(value))}), which "
                "CodeDeploy does not evaluate in an AppSpec. To let CodePipeline fill in the "
                "task definition, write TaskDefinition: <TASK_DEFINITION> and give the ECS "
                "(Blue/Green) action the taskdef artifact",
            )
            return None
        text = self.text(value, path, "TaskDefinition", strip=True)
        if text is None:
            return None
        if _is_placeholder(text) or _TASKDEF_ARN.match(text):
            return text
        if text.startswith("arn:"):
            self.error(
                path,
                "TaskDefinition is not a valid task-definition ARN "
                "(arn:aws:ecs:region:account-id:task-definition/family:revision, with a "
                f"12-digit account and no wildcards); got {text!r}",
            )
            return None
        if _TASKDEF_FAMILY.match(text):
            self.warn(
                path,
                f"TaskDefinition {text!r} is a task-definition family, not the ARN "
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
        self.error(
            path,
            "TaskDefinition must be a task-definition ARN (arn:aws:ecs:region:"
            "account-id:task-definition/family:revision) or a CodePipeline placeholder "
            f"such as <TASK_DEFINITION>; got {text!r}{hint}",
        )
        return None

    def load_balancer_info(self, value: Any, path: Path) -> tuple[str | None, int | str | None]:
        entry = self.mapping(
            value, path, "LoadBalancerInfo", "ContainerName: ..., ContainerPort: ..."
        )
        if entry is None:
            return None, None
        f = self.fields(
            entry, path, ("ContainerName", "ContainerPort"), "LoadBalancerInfo", fold_case=True
        )
        name: str | None = None
        port: int | str | None = None
        for key in ("ContainerName", "ContainerPort"):
            if key not in f or f[key][0] is None:
                self.error(path, f"LoadBalancerInfo needs {key}", at_key=True)
        if "ContainerName" in f and f["ContainerName"][0] is not None:
            name = self.text(*f["ContainerName"], "ContainerName")
            if name is not None and not _is_placeholder(name) and not _CONTAINER_NAME.match(name):
                self.error(
                    f["ContainerName"][1],
                    "ContainerName must be a container name from "
                    "the task definition (letters, digits, - and _, up to 255); got "
                    f"{name!r}",
                )
                name = None
        if "ContainerPort" in f and f["ContainerPort"][0] is not None:
            raw, ppath = f["ContainerPort"]
            port = raw
            if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
                self.warn(
                    ppath,
                    f"ContainerPort should be a number, not the text {raw!r}: it is "
                    "the one AppSpec property AWS's reference gives as a number",
                )
                port = int(raw.strip())
            elif isinstance(raw, str) and self.placeholder(raw, ppath):
                port = raw
            problem = _port_problem(port)
            if problem:
                self.error(ppath, f"ContainerPort {problem}; got {_kind(raw)}")
                port = None
        return name, port

    def network(self, value: Any, path: Path) -> AwsvpcConfiguration | None:
        entry = self.mapping(value, path, "NetworkConfiguration", "AwsvpcConfiguration: ...")
        if entry is None:
            return None
        f = self.fields(
            entry, path, ("AwsvpcConfiguration",), "NetworkConfiguration", fold_case=True
        )
        if "AwsvpcConfiguration" not in f:
            self.error(
                path,
                "NetworkConfiguration needs AwsvpcConfiguration (Subnets, "
                "SecurityGroups, AssignPublicIp)",
                at_key=True,
            )
            return None
        vpc = self.mapping(
            *f["AwsvpcConfiguration"],
            "AwsvpcConfiguration",
            "Subnets: [...], SecurityGroups: [...], AssignPublicIp: ...",
        )
        if vpc is None:
            return None
        vpath = f["AwsvpcConfiguration"][1]
        keys = ("Subnets", "SecurityGroups", "AssignPublicIp")
        g = self.fields(vpc, vpath, keys, "AwsvpcConfiguration", fold_case=True)
        missing = [k for k in keys if k not in g or g[k][0] is None]
        if len(missing) == len(keys):
            return None  # none given: CodeDeploy keeps the service's network settings
        if missing:
            self.error(
                vpath,
                "AwsvpcConfiguration must give all or none of Subnets, "
                f"SecurityGroups and AssignPublicIp; missing {', '.join(missing)}",
                at_key=True,
            )
            return None
        subnets = self.text_list(*g["Subnets"], "Subnets")
        groups = self.text_list(*g["SecurityGroups"], "SecurityGroups")
        # Limits of ECS's AwsVpcConfiguration (ECS API reference).
        if subnets is not None and not 1 <= len(subnets) <= 16:
            self.error(g["Subnets"][1], f"Subnets must list 1 to 16 subnets; got {len(subnets)}")
            subnets = None
        if groups is not None and not 1 <= len(groups) <= 5:
            self.error(
                g["SecurityGroups"][1],
                f"SecurityGroups must list 1 to 5 security groups; got {len(groups)}",
            )
            groups = None
        assign = self.choice(*g["AssignPublicIp"], "AssignPublicIp", _ASSIGN_PUBLIC_IP)
        if subnets is None or groups is None or assign is None:
            return None
        return AwsvpcConfiguration(subnets, groups, assign)

    def capacity_providers(
        self, value: Any, path: Path
    ) -> tuple[CapacityProviderStrategyItem, ...]:
        if not isinstance(value, list):
            self.error(
                path,
                "CapacityProviderStrategy must be a list of - CapacityProvider: ... "
                f"entries; got {_kind(value)}",
            )
            return ()
        out = []
        with_base = []
        for i, item in enumerate(value):
            ipath = (*path, i)
            entry = self.mapping(
                item,
                ipath,
                "each CapacityProviderStrategy entry",
                "CapacityProvider: ..., Base: ..., Weight: ...",
            )
            if entry is None:
                continue
            f = self.fields(
                entry,
                ipath,
                ("Base", "CapacityProvider", "Weight"),
                "a CapacityProviderStrategy entry",
                fold_case=True,
            )
            if "CapacityProvider" not in f or f["CapacityProvider"][0] is None:
                self.error(ipath, "each CapacityProviderStrategy entry needs CapacityProvider")
                continue
            provider = self.text(*f["CapacityProvider"], "CapacityProvider")
            # Ranges of ECS's CapacityProviderStrategyItem (ECS API reference).
            base = self.integer(*f["Base"], "Base", 0, 100_000) if "Base" in f else 0
            weight = self.integer(*f["Weight"], "Weight", 0, 1000) if "Weight" in f else 0
            if base:
                with_base.append(f["Base"][1])
            if provider is not None and base is not None and weight is not None:
                out.append(CapacityProviderStrategyItem(provider, base, weight))
        if len(with_base) > 1:
            self.error(
                with_base[1],
                "only one capacity provider in a strategy can have a Base greater than 0",
            )
        return tuple(out)

    def function_hooks(self, value: Any, path: Path, platform: str) -> dict[str, str]:
        if value is None:
            return {}
        name = _PLATFORM_NAMES[platform]
        if isinstance(value, dict):
            scripts = any(isinstance(v, list) for v in value.values())
            why = (
                f": {name} hooks run Lambda functions, not scripts on instances" if scripts else ""
            )
            self.error(
                path,
                f"Hooks must be a list of single-key mappings, one per event "
                f"(- BeforeAllowTraffic: MyHookFunction); got a mapping{why}",
            )
            return {}
        if not isinstance(value, list):
            self.error(
                path,
                f"Hooks must be a list (- BeforeAllowTraffic: MyHookFunction); got {_kind(value)}",
            )
            return {}
        hooks: dict[str, str] = {}
        for i, item in enumerate(value):
            ipath = (*path, i)
            if not isinstance(item, dict) or not item:
                self.error(
                    ipath,
                    "each Hooks entry must map one lifecycle event to a Lambda "
                    f"function name (- AfterAllowTraffic: MyHookFunction); got "
                    f"{_kind(item)}",
                )
                continue
            if len(item) > 1:
                self.warn(ipath, "write one hook per list entry, as AWS's examples do")
            for event, function in item.items():
                epath = (*ipath, event)
                if not self.event_name(event, epath, platform):
                    continue
                if event in hooks:
                    self.error(
                        epath,
                        f"{event} is hooked twice; CodeDeploy invokes one function "
                        "per lifecycle event",
                        at_key=True,
                    )
                    continue
                fn = self.text(function, epath, f"the {event} hook function")
                if fn is None:
                    continue
                if not _is_placeholder(fn) and not _FUNCTION_NAME.match(fn):
                    self.warn(
                        epath,
                        f"{fn!r} does not look like a Lambda function name (letters, "
                        "digits, - and _, up to 64) or ARN",
                    )
                hooks[event] = fn
        return hooks


def _suggest_event(event: str, allowed: Sequence[str]) -> str:
    squashed = re.sub(r"[\s_-]", "", event).lower()
    for name in allowed:
        if name.lower() == squashed:
            return f"did you mean {name!r}?"
    return suggest(event, allowed, n=1)


def _folded_key(mapping: Any, key: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    if key in mapping:
        return key
    lowered = key.lower()
    for candidate in mapping:
        if isinstance(candidate, str) and candidate.lower() == lowered:
            return candidate
    return None


def _get_folded(mapping: Any, key: str) -> Any:
    found = _folded_key(mapping, key)
    return None if found is None else mapping[found]
