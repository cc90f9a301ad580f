"""The reader's reporting and generic value checks (private), shared by every part of an AppSpec."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim._yaml import Document, Path, format_path, is_intrinsic  # one rule (issue 10)
from shiftsim.appspec._model import APPSPEC_VERSION, PLACEHOLDER, Finding, Severity

__all__ = [
    "Checker",
    "check_version",
    "folded_key",
    "get_folded",
    "is_intrinsic",
    "kind",
    "suggest_event",
]


def kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {excerpt(value)}"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return excerpt(value)


class Checker:
    """Walks a loaded document, collecting findings; the parts of an AppSpec are read by the
    functions of the sibling modules, which report through it."""

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
                self.error(child, f"keys must be text; got {excerpt(key)}", at_key=True)
                continue
            if key in allowed:
                name = key
            elif fold_case and key.lower() in canonical:
                name = canonical[key.lower()]
                if not (lowercase_ok and key == key.lower()):
                    self.warn(
                        child,
                        f"{excerpt(key)} is spelled {excerpt(name)} in AWS's AppSpec reference; "
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
                    f"unknown key {excerpt(key)} in {where} (allowed: {listed}); AWS "
                    f"ignores it{'. ' + hint if hint else ''}",
                    at_key=True,
                )
                continue
            if name in found:
                self.error(
                    child, f"{excerpt(key)} repeats {excerpt(found[name][1][-1])}", at_key=True
                )
                continue
            found[name] = (value, child)
        return found

    def mapping(self, value: Any, path: Path, what: str, example: str) -> dict[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.error(path, f"{what} must be a mapping ({example}); got {kind(value)}")
        return None

    def text(self, value: Any, path: Path, what: str, *, strip: bool = False) -> str | None:
        """A string field; reports other types. Placeholders get a warning."""
        if is_intrinsic(value):
            self.error(
                path,
                f"{what} is a CloudFormation function ({next(iter(value))}); "
                "CodeDeploy reads the AppSpec as plain data and does not evaluate it",
            )
            return None
        if not isinstance(value, str):
            self.error(path, f"{what} must be text; got {kind(value)}")
            return None
        if strip:
            value = value.strip()
        if not value:
            self.error(path, f"{what} must not be empty")
            return None
        self.placeholder(value, path)
        return value

    def placeholder(self, value: str, path: Path) -> bool:
        found = PLACEHOLDER.findall(value)
        if found:
            self.warn(
                path,
                f"{excerpt(found[0])} is an unrendered placeholder: CodeDeploy would use it "
                "literally, so replace it before deploying",
            )
        return bool(found)

    def text_list(self, value: Any, path: Path, what: str) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.error(path, f"{what} must be a list; got {kind(value)}")
            return None
        items = [self.text(item, (*path, i), f"{what}[{i}]") for i, item in enumerate(value)]
        return None if None in items else tuple(item for item in items if item is not None)

    def choice(self, value: Any, path: Path, what: str, choices: Sequence[str]) -> str | None:
        if isinstance(value, str) and value in choices:
            return value
        if isinstance(value, str) and PLACEHOLDER.search(value):
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
        self.error(path, f"{what} must be {listed}; got {kind(value)}{'. ' + hint if hint else ''}")
        return None

    def integer(self, value: Any, path: Path, what: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(path, f"{what} must be an integer in [{low}, {high}]; got {kind(value)}")
            return None
        return value

    def scalar_text(self, value: Any, path: Path, what: str) -> str | None:
        # The agent reads location and runas with Ruby's to_s.strip.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.warn(
                path,
                f"{what} should be text; the agent reads {excerpt(value)} as {excerpt(str(value))}",
            )
            value = str(value)
        return self.text(value, path, what, strip=True)


def suggest_event(event: str, allowed: Sequence[str]) -> str:
    squashed = re.sub(r"[\s_-]", "", event).lower()
    for name in allowed:
        if name.lower() == squashed:
            return f"did you mean {excerpt(name)}?"
    return suggest(event, allowed, n=1)


def folded_key(mapping: Any, key: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    if key in mapping:
        return key
    lowered = key.lower()
    for candidate in mapping:
        if isinstance(candidate, str) and candidate.lower() == lowered:
            return candidate
    return None


def get_folded(mapping: Any, key: str) -> Any:
    found = folded_key(mapping, key)
    return None if found is None else mapping[found]


def check_version(r: Checker, root: dict[Any, Any], platform: str) -> None:
    key = folded_key(root, "version")
    if key is None or (platform == "Server" and key != "version"):
        # The agent reads exactly 'version'; the service's case handling is undocumented.
        hint = f" ({excerpt(key)} must be written in lowercase)" if key is not None else ""
        r.error(
            (),
            f"version is required; the only AppSpec version is 0.0 (write version: 0.0){hint}",
        )
        return
    path: Path = (key,)
    value = root[key]
    if isinstance(value, float) and value == APPSPEC_VERSION:
        return
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        r.warn(path, "write version: 0.0; 0 compares equal to 0.0, so it is accepted")
        return
    if isinstance(value, str) and value.strip() in ("0.0", "0"):
        if platform == "Server":
            r.error(
                path,
                f"version must be the number 0.0, not the text {excerpt(value)}: the "
                "CodeDeploy agent compares it with the number 0.0, so a quoted "
                "version fails with 'invalid version value'. Write version: 0.0 "
                "without quotes",
            )
        else:
            r.warn(path, f"write version: 0.0 as a number, not the text {excerpt(value)}")
        return
    r.error(path, f"version must be 0.0, the only AppSpec version; got {kind(value)}")
