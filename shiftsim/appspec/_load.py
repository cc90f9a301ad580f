"""Reading an AppSpec: the public entry points (load_appspec, validate, the validate command).

What a file is, and what text is
--------------------------------
:func:`load_appspec` and :func:`validate` read a **file** when given a :class:`pathlib.Path` (any
:class:`os.PathLike`), and **text** when given a ``str`` -- except a ``str`` that is unambiguously
a file name: one line ending in ``.yml``, ``.yaml``, ``.json`` or ``.tpl`` (any case), not starting
with ``{`` or ``[`` and holding no ``": "``, which no AppSpec text is. A ``str`` is never opened
just because a file of that name exists, so text such as ``"/etc/passwd"`` is parsed as (bad)
AppSpec text and never read from disk. Errors say which of the two a ``str`` was taken for.

Files are read by :func:`shiftsim._files.read_text`: regular files only, at most
:data:`~shiftsim._yaml.MAX_BYTES` (1 MiB), UTF-8 (or UTF-8/16/32 with a byte order mark).
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path as FilePath
from typing import Any, Literal

from shiftsim._checks import suggest
from shiftsim._files import read_text
from shiftsim._text import escape, excerpt
from shiftsim._yaml import MAX_BYTES, Document, load_document
from shiftsim.appspec._checker import Checker
from shiftsim.appspec._document import read_root
from shiftsim.appspec._model import PLATFORMS, AppSpec, Finding
from shiftsim.errors import AppSpecError, ConfigError, FileError

__all__ = ["format_findings", "load_appspec", "main_validate", "validate"]

Taken = Literal["file", "text", "given text", "mapping"]

_FILE_NAME = re.compile(r"[^\n\r]*\.(?:ya?ml|json|tpl)", re.IGNORECASE)
_AS_FILE_RULE = (
    "a str is taken for a file name only when it is one line ending in .yml, .yaml, .json or "
    ".tpl; pass a pathlib.Path to read any other file"
)


def load_appspec(
    path_or_text: str | os.PathLike[str] | Mapping[str, Any],
    *,
    platform: str | None = None,
    source: str | None = None,
    as_text: bool = False,
) -> AppSpec:
    """Read and check an AppSpec file.

    Parameters
    ----------
    path_or_text : pathlib.Path, str or mapping
        A file (a :class:`pathlib.Path` or other :class:`os.PathLike`), the YAML/JSON text
        itself (a ``str``), or a mapping such as :meth:`AppSpec.to_dict` returns. A ``str`` is
        taken for a file name only when it is one line ending in ``.yml``, ``.yaml``, ``.json``
        or ``.tpl`` (and holds no ``": "``); any other ``str`` is text, never opened.
    platform : {"Server", "Lambda", "ECS"}, optional
        Check the file as this platform's AppSpec instead of detecting it from the content.
    source : str, optional
        Name used in messages; defaults to the path, or ``"<string>"`` for text.
    as_text : bool, default False
        A ``str`` is AppSpec text, never a file name, whatever it looks like: for text that
        comes from elsewhere, such as a revision's ``appSpecContent.content``.

    Returns
    -------
    AppSpec
        With every warning in :attr:`AppSpec.warnings`.

    Raises
    ------
    AppSpecError
        On the first error in the file (by line); its ``line`` and ``path`` say where. Use
        :func:`validate` to get every problem. A file that cannot be read (missing, not a
        regular file, over 1 MiB, not UTF-8) raises its subclass
        :class:`~shiftsim.errors.FileError`.

    Examples
    --------
    >>> spec = load_appspec("version: 0.0\\nos: linux\\nfiles:\\n"
    ...                     "  - {source: /, destination: /var/www/html}\\n")
    >>> spec.platform, spec.files[0].destination
    ('Server', '/var/www/html')
    >>> load_appspec("version: 0.0\\nos: linux\\nhooks:\\n  BeforeInstall:\\n    - timeout: 60\\n")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    shiftsim.errors.AppSpecError: <string>:5 at hooks.BeforeInstall[0]: this BeforeInstall \
script has no location (it has 'timeout'); ...
    """
    data, name, taken = _read(path_or_text, source, as_text)
    spec, findings = _check(data, name, platform, taken)
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
    as_text: bool = False,
) -> list[Finding]:
    """Every problem in an AppSpec file, errors and warnings, without raising.

    Takes the same arguments as :func:`load_appspec`. It never raises for any file or text: a
    file that cannot be read (missing, a directory or a pipe, over 1 MiB, not UTF-8) gives one
    error, and so does a value that is neither a path, a ``str`` nor a mapping. Only a
    ``platform`` that is not a platform raises (:class:`~shiftsim.errors.ConfigError`).

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
    platform = _platform(platform)
    name = source or "<input>"
    try:
        data, name, taken = _read(path_or_text, source, as_text)
        return _check(data, name, platform, taken)[1]
    except AppSpecError as err:
        return [Finding("error", err.source, err.line, err.path, err.message)]
    except TypeError as err:
        return [Finding("error", name, None, "", str(err))]
    except (RecursionError, MemoryError, ValueError) as err:  # pragma: no cover - defence
        message = f"shiftsim could not check this input ({type(err).__name__}: {excerpt(str(err))})"
        return [Finding("error", name, None, "", message)]


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
        reason = _usage_problem(name)
        if reason:
            print(f"shiftsim validate: error: {escape(name)}: {reason}", file=sys.stderr)
            usage_error = True
            continue
        checked += 1
        findings = validate(FilePath(name), platform=args.platform, source=name)
        errors += sum(f.severity == "error" for f in findings)
        warnings += sum(f.severity == "warning" for f in findings)
        shown = [f for f in findings if f.severity == "error" or not args.quiet]
        if shown:
            print(format_findings(shown))
    if not args.quiet and checked:  # nothing checked: the usage errors said it all
        print(
            f"{checked} file{'s' if checked != 1 else ''} checked: "
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
    if usage_error:
        return 2
    return 1 if errors else 0


def _usage_problem(name: str) -> str | None:
    """A missing file or a directory is a usage error of ``shiftsim validate``; anything else
    (a pipe, a device, a name too long) is for :func:`validate` to report as a finding."""
    try:
        info = os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        return "no such file"
    except (OSError, ValueError):
        return None
    return "is a directory" if stat.S_ISDIR(info.st_mode) else None


def _read(path_or_text: Any, source: str | None, as_text: bool) -> tuple[Any, str, Taken]:
    """The document's data, its name for messages, and what the argument was taken for."""
    if isinstance(path_or_text, Mapping):
        return path_or_text, source or "<dict>", "mapping"
    if isinstance(path_or_text, os.PathLike):
        return (
            _read_file(path_or_text, source, taken_from_str=False),
            _name(path_or_text, source),
            "file",
        )
    if isinstance(path_or_text, str):
        if not as_text and is_file_name(path_or_text):
            text = _read_file(path_or_text, source, taken_from_str=True)
            return text, _name(path_or_text, source), "file"
        return path_or_text, source or "<string>", "given text" if as_text else "text"
    raise TypeError(
        "load_appspec expects a pathlib.Path (a file), a str (the AppSpec's text) or a mapping; "
        f"got {type(path_or_text).__name__}"
    )


def is_file_name(text: str) -> bool:
    """Whether a ``str`` argument is taken for a file name rather than AppSpec text.

    Examples
    --------
    >>> is_file_name("deploy/appspec.yml"), is_file_name("/etc/passwd")
    (True, False)
    >>> is_file_name("version: 0.0  # appspec.yml")
    False
    """
    stripped = text.strip()
    return (
        _FILE_NAME.fullmatch(stripped) is not None
        and ": " not in stripped
        and not stripped.startswith(("{", "[", "#", "-"))
    )


def _name(path: str | os.PathLike[str], source: str | None) -> str:
    return source or os.fspath(path)


def _read_file(path: str | os.PathLike[str], source: str | None, *, taken_from_str: bool) -> str:
    name = _name(path, source)
    try:
        return read_text(path, what="AppSpec file", limit=MAX_BYTES, source=name)
    except FileError as err:
        if not taken_from_str or os.path.lexists(path):
            raise
        raise FileError(
            f"{err.message} (this str was taken for a file name: {_AS_FILE_RULE}; pass the "
            "AppSpec's text to read text)",
            source=err.source,
            line=err.line,
            path=err.path,
        ) from None


def _platform(platform: str | None) -> str | None:
    if platform is None or platform in PLATFORMS:
        return platform
    matches = [p for p in PLATFORMS if p.lower() == str(platform).lower()]
    if not matches:
        hint = suggest(str(platform), PLATFORMS)
        raise ConfigError(
            f"load_appspec.platform must be one of 'Server', 'Lambda', 'ECS'; "
            f"got {excerpt(platform)}.{' ' + hint if hint else ''}"
        )
    return matches[0]


def _check(
    data: Any, source: str, platform: str | None, taken: Taken
) -> tuple[AppSpec | None, list[Finding]]:
    platform = _platform(platform)
    try:
        if isinstance(data, Mapping):
            doc = Document(value=dict(data), source=source)
        else:
            doc = load_document(data, source)
    except AppSpecError as err:
        return None, [Finding("error", err.source, err.line, err.path, err.message)]
    if isinstance(doc.value, str) and taken in ("text", "given text"):
        # A one-value document: most likely a file name or other text given as a str.
        why = (
            "it is text, never a file name"
            if taken == "given text"
            else f"this str was read as AppSpec text, not as a file name: {_AS_FILE_RULE}"
        )
        message = (
            f"the AppSpec is the single value {excerpt(doc.value)}, not a mapping "
            f"(version: 0.0, ...); {why}"
        )
        return None, [Finding("error", source, 1, "", message)]
    reader = Checker(doc)
    spec = read_root(reader, platform)  # type: ignore[arg-type]
    findings = sorted(reader.findings, key=lambda f: f.line if f.line is not None else 0)
    if spec is not None:
        warnings = tuple(f for f in findings if f.severity == "warning")
        object.__setattr__(spec, "warnings", warnings)
    return spec, findings
