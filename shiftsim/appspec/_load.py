"""Reading an AppSpec: the public entry points (load_appspec, validate, the validate command)."""

from __future__ import annotations

import argparse
import codecs
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path as FilePath
from typing import Any

from shiftsim._checks import suggest
from shiftsim._yaml import MAX_BYTES, Document, load_document
from shiftsim.appspec._checker import Checker
from shiftsim.appspec._document import read_root
from shiftsim.appspec._model import PLATFORMS, AppSpec, Finding
from shiftsim.errors import AppSpecError, ConfigError

__all__ = ["format_findings", "load_appspec", "main_validate", "validate"]


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
    reader = Checker(doc)
    spec = read_root(reader, platform)
    findings = sorted(reader.findings, key=lambda f: f.line if f.line is not None else 0)
    if spec is not None:
        warnings = tuple(f for f in findings if f.severity == "warning")
        object.__setattr__(spec, "warnings", warnings)
    return spec, findings
