"""Reading EC2/On-Premises AppSpec files (private): os, files and hooks (permissions apart)."""

from __future__ import annotations

import math
import re
from typing import Any

from shiftsim._text import escape, excerpt
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
        message = f"{excerpt(key)} is a Lambda/ECS key; the EC2/On-Premises agent ignores it"
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
    """Warn about a destination that is not a fully qualified path.

    UG:reference-appspec-file-structure-files.md asks for one; the agent accepts any
    (Agent:file_info.rb), so a relative destination is a warning.
    """
    # Paths are quoted by hand (escaped): repr() would double every Windows backslash.
    shown = escape(value, 80)
    accepted = "; the agent accepts it, but where a relative destination lands is undocumented"
    if os_name == "linux" and not value.startswith("/"):
        r.warn(
            path,
            f"destination should be a fully qualified path such as /var/www/html; got "
            f"'{shown}'{accepted}",
        )
    if os_name == "windows" and not re.match(r"^(?:[A-Za-z]:[\\/]|\\\\)", value):
        hint = ""
        if re.match(r"^[A-Za-z]:[^\\/]", value):
            hint = (
                f"; did you mean '{shown[:2]}\\{shown[2:]}'? '{shown}' is relative to "
                f"the current folder of drive {value[0]}"
            )
        r.warn(
            path,
            f"destination should be a fully qualified Windows path such as "
            f"C:\\inetpub\\wwwroot; got '{shown}'{hint}{accepted}",
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
        known = check_event_name(r, event, epath, "Server")
        if scripts is None:
            continue  # the agent ignores an event with no scripts (Agent: parse_hooks)
        # The agent parses the scripts of every event, even one it never runs.
        parsed = read_scripts(r, scripts, epath, str(event), os_name)
        if parsed is not None and known:
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
            keys = excerpt(list(entry))[1:-1] or "nothing"
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
        runas = _runas(r, f, os_name)
        sudo = False
        if "sudo" in f and f["sudo"][0] is not None:
            if not isinstance(f["sudo"][0], bool):
                r.warn(
                    f["sudo"][1],
                    "sudo should be true or false; the agent treats "
                    f"{excerpt(f['sudo'][0])} as true",
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


def _runas(r: Checker, f: dict[str, tuple[Any, Path]], os_name: str | None) -> str | None:
    if "runas" not in f or f["runas"][0] is None:
        return None
    if os_name == "windows":
        # UG:reference-appspec-file-structure-hooks.md: runas applies to Linux instances; the
        # Windows agent never reads it (Agent:platform/windows_util.rb, prepare_script_command).
        r.warn(
            f["runas"][1],
            "runas applies to Amazon Linux, Ubuntu Server and RHEL instances only, and os is "
            "windows: the Windows agent ignores it and runs the script as the agent's user",
            at_key=True,
        )
        return None
    return r.scalar_text(*f["runas"], "runas")


# Ruby's String#to_i, which the agent applies to a timeout (Agent:script_info.rb): leading
# whitespace, a sign and digits (with single underscores); whatever follows is ignored.
_RUBY_TO_I = re.compile(r"\s*([+-]?\d+(?:_\d+)*)")


def read_timeout(r: Checker, value: Any, path: Path) -> int | None:
    """A script's timeout as the agent reads it (``to_i``), or None after reporting it.

    None (an empty ``timeout:``) is the default, 3600 s. Text and fractions are converted as the
    agent converts them, with a warning; what converts to 0 or less is refused, as the agent
    refuses it, and more than 3600 s is refused after the user guide.
    """
    if value is None:
        return None
    given = value
    if isinstance(value, str):
        match = _RUBY_TO_I.match(value)
        digits = match.group(1).replace("_", "") if match else "0"
        value = int(digits) if len(digits) <= 18 else 10**18
        if value > 0:
            r.warn(
                path,
                f"timeout should be a number of seconds, not the text {excerpt(given)}; "
                f"the agent converts it to {value}",
            )
    elif isinstance(value, float) and math.isfinite(value):
        value = int(value)
        if value > 0 and value != given:
            r.warn(
                path,
                "timeout should be a whole number of seconds; the agent truncates "
                f"{excerpt(given)} to {value}",
            )
    problem = timeout_problem(value)
    if problem and isinstance(given, str) and value <= 0:
        problem = (
            f"must be a number of seconds (the agent reads this text as {value} and refuses it)"
        )
    if problem:
        r.error(path, f"timeout {problem}; got {kind(given)}")
        return None
    return int(value)
