"""The AppSpec model (private): CodeDeploy's AppSpec vocabulary, the dataclasses a checked file
becomes, and the value rules the dataclasses and the reader share.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from shiftsim._checks import suggest
from shiftsim._text import escape
from shiftsim.errors import ConfigError

__all__ = [
    "APPSPEC_VERSION",
    "DEFAULT_SCRIPT_TIMEOUT",
    "ECS_TYPE",
    "HOOK_EVENTS",
    "LAMBDA_TYPE",
    "MAX_EVENT_SECONDS",
    "OSES",
    "PERMISSION_TYPES",
    "PLACEHOLDER",
    "PLATFORMS",
    "PLATFORM_NAMES",
    "RESERVED_EVENTS",
    "SERVER_ONLY",
    "AppSpec",
    "AwsvpcConfiguration",
    "CapacityProviderStrategyItem",
    "EcsTarget",
    "FileMapping",
    "Finding",
    "LambdaTarget",
    "Permission",
    "Platform",
    "SELinuxContext",
    "ServerHook",
    "Severity",
    "is_placeholder",
    "port_problem",
    "timeout_problem",
    "version_problem",
]


Platform = Literal["Server", "Lambda", "ECS"]
Severity = Literal["error", "warning"]
PLATFORMS: tuple[Platform, ...] = ("Server", "Lambda", "ECS")
PLATFORM_NAMES = {"Server": "EC2/On-Premises", "Lambda": "AWS Lambda", "ECS": "Amazon ECS"}

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

OSES = ("linux", "windows")
PERMISSION_TYPES = ("file", "directory")
LAMBDA_TYPE = "AWS::Lambda::Function"
ECS_TYPE = "AWS::ECS::Service"
SERVER_ONLY = ("os", "files", "file_exists_behavior", "permissions")

PLACEHOLDER = re.compile(r"<[A-Za-z0-9_.-]+>|\$\{[^}\n]*\}|\{\{[^}\n]*\}\}")


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
        source = escape(self.source)  # a file name may be long or hold control characters
        where = source if self.line is None else f"{source}:{self.line}"
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
    type: tuple[str, ...] = PERMISSION_TYPES


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
        problem = timeout_problem(self.timeout)
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
            problem = version_problem(value)
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
        problem = port_problem(self.container_port)
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
        if self.platform == "Server" and self.os not in OSES:
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
            found.update(dict.fromkeys(PLACEHOLDER.findall(text)))
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
        return {r.logical_id: {"Type": LAMBDA_TYPE, "Properties": props}}
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
    return {r.logical_id: {"Type": ECS_TYPE, "Properties": props}}


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


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and PLACEHOLDER.search(value) is not None


def timeout_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number of seconds"
    if not 1 <= value <= MAX_EVENT_SECONDS:
        return (
            f"must be in [1, {MAX_EVENT_SECONDS}] seconds: {MAX_EVENT_SECONDS} s is the most "
            "one lifecycle event may run"
        )
    return None


def version_problem(value: object) -> str | None:
    if is_placeholder(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return "must be a published version number, a positive integer"
    return None


def port_problem(value: object) -> str | None:
    if is_placeholder(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return "must be a port number in [1, 65535]"
    return None
