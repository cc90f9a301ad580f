"""The agent's rules for Linux ACL entries and SELinux ranges in ``permissions`` (private).

Both are checked as the CodeDeploy agent parses them (Agent:ace_info.rb, Agent:range_info.rb):
what it refuses makes the deployment fail on the instance, so shiftsim reports it as an error,
and what it accepts is accepted.

An ACL entry is ``[d[efault]:][u[ser]|g[roup]|m[ask]|o[ther]:][name]:permissions``, split on ``:``
into 2 to 4 parts read from the right. Without a type the entry is a named user's (``bob:rw``);
``m``/``mask`` and ``o``/``other`` in the name's place are the mask and others entries (``m:7``,
``mask:``). A mask or others entry takes no name, and a non-default entry with no name other
than the mask (``u::rw``, ``o::r``) is refused: the owner's, group's and others' base entries are
set with ``mode``. The permissions are one octal digit or any of ``r``, ``w``, ``x`` and ``-``
(not ``X``).

An SELinux range is ``s#[-s#][:c#[.c#](,c#[.c#])*]``: sensitivities ``s0`` and up, the high one
not below the low one; categories ``c0`` to ``c1023``, each range increasing, none repeated.

Examples
--------
>>> ace_problem("u:henry:7") is None, ace_problem("mask:") is None
(True, True)
>>> print(ace_problem("o::r"))  # doctest: +ELLIPSIS
an entry without a name is the owner's, group's or others' base entry, which the agent takes ...
>>> range_problem("s0:c2.c1")
'the category range c2.c1 decreases'
"""

from __future__ import annotations

import re

from shiftsim._text import excerpt

__all__ = ["ACE_SYNTAX", "RANGE_SYNTAX", "ace_problem", "is_default_ace", "range_problem"]

#: The syntax of an ACL entry, for messages.
ACE_SYNTAX = "[d:][u|g|m|o:][name]:perms, such as u:bob:rw or d:g:dev:5"
#: The syntax of an SELinux range, for messages.
RANGE_SYNTAX = "s#[-s#][:c#[.c#],...], such as s0-s3:c0.c7,c13"

_DEFAULT = ("d", "default")
_TYPES = {
    "u": "user",
    "user": "user",
    "g": "group",
    "group": "group",
    "m": "mask",
    "mask": "mask",
    "o": "other",
    "other": "other",
}
_MAX_CATEGORY = 1023
_DIGITS = re.compile(r"[0-9]+")


def _parse_ace(ace: str) -> tuple[bool, str, str, str] | str:
    """(default, type, name, permissions), or why the agent refuses the entry."""
    parts = ace.split(":")[::-1]
    if not 2 <= len(parts) <= 4:
        return f"an ACL entry has 2 to 4 parts separated by ':' ({ACE_SYNTAX})"
    default = False
    if len(parts) == 4:
        if parts[3] not in _DEFAULT:
            return f"a 4-part ACL entry starts with d: or default: ({ACE_SYNTAX})"
        default = True
    entry_type = ""
    if len(parts) >= 3:
        if parts[2] in _DEFAULT:
            if default:
                return "the ACL entry says default twice"
            default = True
        elif parts[2] in _TYPES:
            entry_type = _TYPES[parts[2]]
        else:
            return (
                f"{excerpt(parts[2])} is not an ACL entry type (u, user, g, group, m, mask, o, "
                f"other) or d/default ({ACE_SYNTAX})"
            )
    name = parts[1]
    if name in ("m", "mask", "o", "other"):
        if entry_type:
            name = _TYPES[name]  # u:mask:7 is the user named mask
        else:
            entry_type, name = _TYPES[name], ""
    entry_type = entry_type or "user"
    return default, entry_type, name, parts[0]


def ace_problem(ace: str) -> str | None:
    """Why the agent refuses the ACL entry ``ace``, or None when it accepts it."""
    parsed = _parse_ace(ace)
    if isinstance(parsed, str):
        return parsed
    default, entry_type, name, perms = parsed
    if entry_type in ("mask", "other") and name:
        return f"the mask and others entries take no name ({ACE_SYNTAX})"
    if not default and entry_type != "mask" and not name:
        return (
            "an entry without a name is the owner's, group's or others' base entry, which the "
            "agent takes from mode, not from acls"
        )
    if len(perms) == 1 and perms in "01234567":
        return None
    bad = [ch for ch in perms if ch not in "rwx-"]
    if bad:
        return (
            f"the permissions {excerpt(perms)} hold {excerpt(bad[0])}; write one octal digit "
            "(0-7) or r, w, x and - (the agent has no X)"
        )
    return None


def is_default_ace(ace: str) -> bool:
    """Whether the agent reads ``ace`` as a default entry (``d:``/``default:``)."""
    parsed = _parse_ace(ace)
    return not isinstance(parsed, str) and parsed[0]


def _two_parts(text: str, sep: str) -> list[str] | str:
    """``text`` split once on ``sep`` (one part when it has none); no part may be empty."""
    parts = text.split(sep, 1)
    if any(not part for part in parts):
        return f"{excerpt(text)} has an empty part around {sep!r}"
    return parts


def _level(text: str, letter: str) -> int | str:
    digits = text[1:]
    if not text.startswith(letter) or not _DIGITS.fullmatch(digits):
        what = "sensitivity" if letter == "s" else "category"
        return f"{excerpt(text)} is not a {what} ({letter} and a number, such as {letter}0)"
    return int(digits) if len(digits) <= 18 else 10**18


def _categories(text: str) -> str | None:
    seen: set[int] = set()
    items = text.split(",")
    while items and not items[-1]:
        items.pop()  # Ruby's split drops trailing empty parts
    for item in items:
        ends = _two_parts(item, ".")
        if isinstance(ends, str):
            return ends
        levels = [_level(end, "c") for end in ends]
        for level in levels:
            if isinstance(level, str):
                return level
            if level > _MAX_CATEGORY:
                return f"categories go up to c{_MAX_CATEGORY}; got {excerpt(item)}"
        low, high = levels[0], levels[-1]
        assert isinstance(low, int) and isinstance(high, int)
        if high < low:
            return f"the category range {item} decreases"
        span = set(range(low, high + 1))
        if span & seen:
            return "a category is listed twice"
        seen |= span
    return None


def range_problem(text: str) -> str | None:
    """Why the agent refuses the SELinux range ``text``, or None when it accepts it."""
    parts = _two_parts(text, ":")
    if isinstance(parts, str):
        return parts
    sensitivities = _two_parts(parts[0], "-")
    if isinstance(sensitivities, str):
        return sensitivities
    levels = [_level(s, "s") for s in sensitivities]
    for level in levels:
        if isinstance(level, str):
            return level
    if levels[-1] < levels[0]:  # type: ignore[operator]
        return f"the high sensitivity {sensitivities[1]} is below the low one {sensitivities[0]}"
    return _categories(parts[1]) if len(parts) == 2 else None
