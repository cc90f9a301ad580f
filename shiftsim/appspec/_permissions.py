"""Reading the permissions section of EC2/On-Premises AppSpec files (private)."""

from __future__ import annotations

from typing import Any

from shiftsim._text import excerpt
from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    kind,
)
from shiftsim.appspec._linux import RANGE_SYNTAX, ace_problem, is_default_ace, range_problem
from shiftsim.appspec._model import PERMISSION_TYPES, Permission, SELinuxContext, is_placeholder

__all__ = ["read_acls", "read_context", "read_mode", "read_permission_types", "read_permissions"]

_ALLOWED = ("object", "pattern", "except", "owner", "group", "mode", "acls", "context", "type")
# Agent:installer.rb (generate_instructions) and Agent:linux_permission_info.rb
# (validate_file_acl): a default ACL entry on a file fails the Install step. (pattern and except
# also fail on a file, but only when the object itself is a copied file, which the AppSpec does
# not say, so they are not reported.)
_DEFAULT_ON_FILES = (
    "default ACL entries (d:) apply to directories only: the agent accepts the file, but its "
    "Install step fails when the entry applies to a file, as type includes file (write type: "
    "[directory])"
)


def read_permissions(
    r: Checker, value: Any, path: Path, os_name: str | None
) -> tuple[Permission, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.error(path, f"permissions must be a list of - object: ... entries; got {kind(value)}")
        return ()
    if value and os_name == "windows":
        r.error(
            path,
            "permissions apply to Linux instances only; the agent rejects them "
            "when os is windows. Remove the permissions section",
            at_key=True,
        )
        return ()
    out = []
    for i, item in enumerate(value):
        ipath = (*path, i)
        entry = r.mapping(item, ipath, "each permissions entry", "object: ..., owner: ...")
        if entry is None:
            continue
        f = r.fields(entry, ipath, _ALLOWED, "a permissions entry")
        if "object" not in f or f["object"][0] is None:
            r.error(
                ipath,
                "a permissions entry needs an object (the file or folder the permissions apply to)",
            )
            continue
        obj = r.scalar_text(*f["object"], "object")  # the agent reads it with to_s.strip
        pattern = "**"
        if "pattern" in f and f["pattern"][0] is not None:
            pattern = r.text(*f["pattern"], "pattern") or "**"
        except_: tuple[str, ...] = ()
        if "except" in f and f["except"][0] is not None:
            except_ = r.text_list(*f["except"], "except") or ()
        owner = _account(r, f, "owner")
        group = _account(r, f, "group")
        mode = read_mode(r, *f["mode"]) if "mode" in f and f["mode"][0] is not None else None
        acls: tuple[str, ...] = ()
        if "acls" in f and f["acls"][0] is not None:
            acls = read_acls(r, *f["acls"])
        context = None
        if "context" in f and f["context"][0] is not None:
            context = read_context(r, *f["context"])
        kinds: tuple[str, ...] = PERMISSION_TYPES
        if "type" in f and f["type"][0] is not None:
            kinds = read_permission_types(r, *f["type"])
        if obj is None:
            continue
        permission = Permission(obj, pattern, except_, owner, group, mode, acls, context, kinds)
        _warn_install_failures(r, permission, f)
        out.append(permission)
    return tuple(out)


def _account(r: Checker, f: dict[str, tuple[Any, Path]], key: str) -> str | None:
    """``owner`` or ``group``: a name. The agent accepts any value, but looks it up by name."""
    if key not in f or f[key][0] is None:
        return None
    value, path = f[key]
    if isinstance(value, int) and not isinstance(value, bool):
        r.warn(
            path,
            f"{key} is the number {value}; the agent accepts the file, but looks the {key} up "
            "by name (Ruby's Etc.getpwnam/getgrnam), so its Install step fails on a number: "
            f"give the {'user' if key == 'owner' else 'group'}'s name",
        )
        return str(value)
    return r.text(value, path, key)


def read_acls(r: Checker, value: Any, path: Path) -> tuple[str, ...]:
    """The ``acls`` list; each entry as the agent parses it (Agent:ace_info.rb)."""
    acls = r.text_list(value, path, "acls") or ()
    for j, acl in enumerate(acls):
        problem = ace_problem(acl)
        if problem:
            r.error((*path, j), f"the agent refuses the ACL entry {excerpt(acl)}: {problem}")
    return acls


def _warn_install_failures(
    r: Checker, permission: Permission, f: dict[str, tuple[Any, Path]]
) -> None:
    if "file" in permission.type and any(is_default_ace(acl) for acl in permission.acls):
        r.warn(f["acls"][1], _DEFAULT_ON_FILES)


def read_mode(r: Checker, value: Any, path: Path) -> str | None:
    raw = r.doc.raw.get(path, "")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        r.error(path, f"mode must be an octal mode such as 644; got {kind(value)}")
        return None
    text = str(value).strip()
    if isinstance(value, int) and raw.startswith("0") and raw not in ("0", "00", "000"):
        r.warn(
            path,
            f"YAML reads mode {raw} as an octal number ({value} in decimal), so "
            f"the agent applies mode {value}; quote it ('{raw}') or drop the leading "
            "zero",
        )
    text = text.rjust(3, "0")
    if len(text) > 4 or not all("0" <= ch <= "7" for ch in text):
        r.error(path, f"mode must be 1 to 4 octal digits (0-7), as for chmod; got {kind(value)}")
        return None
    return text


def read_context(r: Checker, value: Any, path: Path) -> SELinuxContext | None:
    entry = r.mapping(value, path, "context", "type: ..., user: ..., range: ...")
    if entry is None:
        return None
    f = r.fields(entry, path, ("user", "name", "type", "range"), "context")
    if "type" not in f or f["type"][0] is None:
        r.error(
            path,
            "context needs a type (the SELinux type); the agent rejects a context without one",
            at_key=True,
        )
        return None
    selinux_type = r.text(*f["type"], "context.type")
    user = None
    for key in ("name", "user"):
        if key in f and f[key][0] is not None:
            user = r.text(*f[key], f"context.{key}")
    if "user" in f and "name" not in f:
        r.warn(
            f["user"][1],
            "the agent reads the SELinux user from 'name', not 'user' "
            "(the reference's spelling), so this user is not applied",
            at_key=True,
        )
    rng = None
    if "range" in f and f["range"][0] is not None:
        rng = r.text(*f["range"], "context.range")
        problem = None if rng is None or is_placeholder(rng) else range_problem(rng)
        if problem:
            r.error(
                f["range"][1],
                f"the agent refuses the SELinux range {excerpt(rng)}: {problem} ({RANGE_SYNTAX})",
            )
            rng = None
    return None if selinux_type is None else SELinuxContext(selinux_type, user, rng)


def read_permission_types(r: Checker, value: Any, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list):
        r.error(path, f"type must be a list of 'file' and/or 'directory'; got {kind(value)}")
        return PERMISSION_TYPES
    kinds = [r.choice(v, (*path, i), "type", PERMISSION_TYPES) for i, v in enumerate(value)]
    return tuple(k for k in kinds if k is not None)
