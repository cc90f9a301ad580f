"""Reading EC2/On-Premises AppSpec files (private): os, files and hooks (permissions apart)."""

from __future__ import annotations

import re
from typing import Any

from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    check_version,
    kind,
)
from shiftsim.appspec._events import check_event_name
from shiftsim.appspec._model import (
    APPSPEC_VERSION,
    DEFAULT_SCRIPT_TIMEOUT,
    MAX_EVENT_SECONDS,
    OSES,
    AppSpec,
    FileMapping,
    Permission,
    ServerHook,
    is_placeholder,
    timeout_problem,
)
from shiftsim.appspec._permissions import read_permissions

__all__ = [
    "check_destination",
    "read_files",
    "read_scripts",
    "read_server",
    "read_server_hooks",
    "read_timeout",
]

_SERVER_KEYS = ("version", "os", "files", "file_exists_behavior", "permissions", "hooks")
_FILE_EXISTS = ("DISALLOW", "OVERWRITE", "RETAIN")


def read_server(r: Checker, root: dict[Any, Any]) -> AppSpec | None:
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
                ", so these scripts never run: the agent reads only 'hooks'. did you mean 'hooks'?"
            )
        r.warn((key,), message, at_key=True)
    f = r.fields(
        {k: v for k, v in root.items() if k not in foreign},
        (),
        _SERVER_KEYS,
        "an EC2/On-Premises AppSpec",
    )
    check_version(r, root, "Server")
    os_name: str | None = None
    if "os" not in f:
        r.error((), "os is required in an EC2/On-Premises AppSpec: 'linux' or 'windows'")
    else:
        os_name = r.choice(f["os"][0], f["os"][1], "os", OSES)
    files: tuple[FileMapping, ...] = ()
    if "files" in f:
        files = read_files(r, *f["files"], os_name)
    behavior = None
    if "file_exists_behavior" in f:
        behavior = r.choice(*f["file_exists_behavior"], "file_exists_behavior", _FILE_EXISTS)
    permissions: tuple[Permission, ...] = ()
    if "permissions" in f:
        permissions = read_permissions(r, *f["permissions"], os_name)
    hooks: dict[str, tuple[ServerHook, ...]] = {}
    if "hooks" in f:
        hooks = read_server_hooks(r, *f["hooks"], os_name)
    if r.failed or os_name is None:
        return None
    return AppSpec(
        "Server",
        APPSPEC_VERSION,
        os_name,
        files,
        permissions,
        hooks,
        file_exists_behavior=behavior,
        source=r.doc.source,
    )


def read_files(r: Checker, value: Any, path: Path, os_name: str | None) -> tuple[FileMapping, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.error(
            path,
            f"files must be a list of - source: ... destination: ... entries; got {kind(value)}",
        )
        return ()
    out = []
    for i, item in enumerate(value):
        ipath = (*path, i)
        entry = r.mapping(item, ipath, "each files entry", "source: ..., destination: ...")
        if entry is None:
            continue
        f = r.fields(entry, ipath, ("source", "destination"), "a files entry")
        if "source" not in f or f["source"][0] is None:
            r.error(
                ipath,
                "a files entry needs a source (a file or folder in the bundle, or / for all of it)",
            )
            continue
        if "destination" not in f or f["destination"][0] is None:
            r.error(
                ipath,
                "a files entry needs a destination (a fully qualified path on the instance)",
            )
            continue
        source = r.text(*f["source"], "source")
        destination = r.text(*f["destination"], "destination")
        if source is None or destination is None:
            continue
        if not is_placeholder(destination) and os_name is not None:
            check_destination(r, destination, f["destination"][1], os_name)
        out.append(FileMapping(source, destination))
    return tuple(out)


def check_destination(r: Checker, value: str, path: Path, os_name: str) -> None:
    # Paths are quoted by hand: repr() would double every Windows backslash.
    if os_name == "linux" and not value.startswith("/"):
        r.error(
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
        r.error(
            path,
            f"destination must be a fully qualified Windows path such as "
            f"C:\\inetpub\\wwwroot; got '{value}'{hint}",
        )


def read_server_hooks(
    r: Checker, value: Any, path: Path, os_name: str | None
) -> dict[str, tuple[ServerHook, ...]]:
    if value is None:
        return {}
    if isinstance(value, list):
        r.error(
            path,
            "hooks must map each lifecycle event to its scripts "
            "(BeforeInstall: [- location: ...]); got a list, which is the Lambda "
            "and ECS form",
        )
        return {}
    if not isinstance(value, dict):
        r.error(path, f"hooks must be a mapping of lifecycle events; got {kind(value)}")
        return {}
    hooks: dict[str, tuple[ServerHook, ...]] = {}
    for event, scripts in value.items():
        epath = (*path, event)
        if not check_event_name(r, event, epath, "Server"):
            continue
        parsed = read_scripts(r, scripts, epath, event, os_name)
        if parsed is not None:
            hooks[event] = parsed
    return hooks


def read_scripts(
    r: Checker, value: Any, path: Path, event: str, os_name: str | None
) -> tuple[ServerHook, ...] | None:
    if not isinstance(value, list):
        r.error(
            path,
            f"{event} must be a list of scripts (- location: path/to/script); got {kind(value)}",
        )
        return None
    out = []
    total = 0
    for i, item in enumerate(value):
        spath = (*path, i)
        entry = r.mapping(item, spath, "each script", "location: ..., timeout: ...")
        if entry is None:
            continue
        f = r.fields(entry, spath, ("location", "timeout", "runas", "sudo"), "a script")
        if "location" not in f or f["location"][0] is None:
            keys = ", ".join(repr(k) for k in entry) or "nothing"
            r.error(
                spath,
                f"this {event} script has no location (it has {keys}); every "
                "script needs location: path/to/script, and the agent rejects one "
                "without it. If this line belongs to the script above, remove its "
                "'-'",
            )
            continue
        location = r.scalar_text(*f["location"], "location")
        timeout = DEFAULT_SCRIPT_TIMEOUT
        if "timeout" in f:
            given = read_timeout(r, *f["timeout"])
            if given is not None:
                timeout = given
                total += given
        runas = None
        if "runas" in f and f["runas"][0] is not None:
            if os_name == "windows":
                r.error(
                    f["runas"][1],
                    "runas applies to Amazon Linux, Ubuntu Server and "
                    "RHEL instances only, and os is windows; remove it (scripts run "
                    "as the agent's user)",
                    at_key=True,
                )
            else:
                runas = r.scalar_text(*f["runas"], "runas")
        sudo = False
        if "sudo" in f and f["sudo"][0] is not None:
            if not isinstance(f["sudo"][0], bool):
                r.warn(
                    f["sudo"][1],
                    f"sudo should be true or false; the agent treats {f['sudo'][0]!r} as true",
                )
            sudo = f["sudo"][0] is not False
        if location is not None:
            out.append(ServerHook(location, timeout, runas, sudo))
    if total > MAX_EVENT_SECONDS:
        r.warn(
            path,
            f"the timeouts of the {event} scripts add up to {total} s, more than "
            f"the {MAX_EVENT_SECONDS} s one lifecycle event may run; the event fails if "
            "the scripts really take that long",
            at_key=True,
        )
    return tuple(out)


def read_timeout(r: Checker, value: Any, path: Path) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        r.warn(
            path,
            f"timeout should be a number of seconds, not the text {value!r}; the agent converts it",
        )
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    problem = timeout_problem(value)
    if problem:
        r.error(path, f"timeout {problem}; got {kind(value)}")
        return None
    return int(value)
