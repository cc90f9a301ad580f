"""Reading the permissions section of EC2/On-Premises AppSpec files (private)."""

from __future__ import annotations

import re
from typing import Any

from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    kind,
)
from shiftsim.appspec._model import PERMISSION_TYPES, Permission, SELinuxContext

__all__ = ["read_context", "read_mode", "read_permission_types", "read_permissions"]

_ACL = re.compile(r"^(?:d:|default:)?(?:u|user|g|group|m|mask|o|other):[^:]*:[rwxX-]{0,4}$")


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
        entry = r.mapping(item, ipath, "each permissions entry", "object: ..., owner: ...")
        if entry is None:
            continue
        f = r.fields(entry, ipath, allowed, "a permissions entry")
        if "object" not in f or f["object"][0] is None:
            r.error(
                ipath,
                "a permissions entry needs an object (the file or folder the permissions apply to)",
            )
            continue
        obj = r.text(*f["object"], "object", strip=True)
        pattern = "**"
        if "pattern" in f and f["pattern"][0] is not None:
            pattern = r.text(*f["pattern"], "pattern") or "**"
        except_: tuple[str, ...] = ()
        if "except" in f and f["except"][0] is not None:
            except_ = r.text_list(*f["except"], "except") or ()
        owner = group = None
        if "owner" in f and f["owner"][0] is not None:
            owner = r.text(*f["owner"], "owner")
        if "group" in f and f["group"][0] is not None:
            group = r.text(*f["group"], "group")
        mode = read_mode(r, *f["mode"]) if "mode" in f and f["mode"][0] is not None else None
        acls: tuple[str, ...] = ()
        if "acls" in f and f["acls"][0] is not None:
            acls = r.text_list(*f["acls"], "acls") or ()
            for j, acl in enumerate(acls):
                if not _ACL.match(acl) or re.match(
                    r"^(?:d:|default:)?(?:u|g|user|group):"
                    r":",
                    acl,
                ):
                    r.error(
                        (*f["acls"][1], j),
                        f"{acl!r} is not a named ACL entry such "
                        "as u:bob:rw; use mode for the owner, group and others",
                    )
        context = None
        if "context" in f and f["context"][0] is not None:
            context = read_context(r, *f["context"])
        kinds: tuple[str, ...] = PERMISSION_TYPES
        if "type" in f and f["type"][0] is not None:
            kinds = read_permission_types(r, *f["type"])
        if obj is None:
            continue
        out.append(Permission(obj, pattern, except_, owner, group, mode, acls, context, kinds))
    return tuple(out)


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
    kind = r.text(*f["type"], "context.type")
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
    rng = r.text(*f["range"], "context.range") if "range" in f else None
    return None if kind is None else SELinuxContext(kind, user, rng)


def read_permission_types(r: Checker, value: Any, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list):
        r.error(path, f"type must be a list of 'file' and/or 'directory'; got {kind(value)}")
        return PERMISSION_TYPES
    kinds = [r.choice(v, (*path, i), "type", PERMISSION_TYPES) for i, v in enumerate(value)]
    return tuple(k for k in kinds if k is not None)
