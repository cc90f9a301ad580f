"""What every entry point must do with a hostile case: the rules of issue 16, as checks."""

from __future__ import annotations

import os
from typing import Any

from hostile.cases import Case
from shiftsim._text import escape

__all__ = ["MAX_MB", "problems"]

#: Most memory a call may use (peak resident set of the process running it), in MiB.
MAX_MB = 500
#: Longest error message accepted, in characters (messages quote short excerpts only).
MAX_MESSAGE = 1500
_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\n"} | {"\x7f"}


def problems(case: Case, result: dict[str, Any]) -> list[str]:
    """Every rule the result breaks (empty when the entry point refused the case cleanly)."""
    out: list[str] = []
    entry = result["entry"]
    if result.get("timed_out"):
        out.append(f"hung (killed after {result['seconds']} s)")
    if result.get("max_rss_mb", 0) > MAX_MB:
        out.append(f"used {result['max_rss_mb']} MiB")
    outcome = result["outcome"]
    if outcome in ("crash", "died"):
        out.append(f"raised {result.get('type')}: {result.get('message', '')[:300]}")
        return out
    if entry.startswith("cli-"):
        out.extend(_cli_problems(case, result))
        return out
    if entry == "validate":
        if outcome != "ok":
            out.append(f"validate() raised {result.get('type')}: {result.get('message')}")
        elif not case.may_load and not result.get("errors"):
            out.append("validate() found no error")
        for finding in result.get("findings", []):
            out.extend(_message_problems(finding))
        return out
    if outcome == "ok":
        if not case.may_load:
            out.append(f"accepted it (returned a {result.get('type')})")
        return out
    message = result["message"]
    out.extend(_message_problems(message))
    if entry != "from_deployment_group":
        shown = escape(os.path.basename(result["path"]))[:60]
        if shown not in message and "<string>" not in message:
            out.append(f"the error does not name the file: {message[:200]}")
    return out


def _message_problems(message: str) -> list[str]:
    out = []
    if len(message) > MAX_MESSAGE:
        out.append(f"a message of {len(message)} characters")
    if _CONTROL & set(message):
        out.append(f"raw control characters in the message: {message[:120]!r}")
    if "root:x:0:0" in message:
        out.append("the message discloses /etc/passwd")
    if "x" * 200 in message:
        out.append("the message quotes more than a short excerpt of the input")
    return out


def _cli_problems(case: Case, result: dict[str, Any]) -> list[str]:
    out = []
    rc = result.get("rc")
    stderr = result.get("stderr", "")
    if rc == 70:
        out.append(f"internal error: {stderr[:300]}")
    if "Traceback" in stderr or "Traceback" in result.get("stdout", ""):
        out.append("printed a traceback")
    if rc not in (0, 1, 2, 70):
        out.append(f"exit code {rc}")
    if rc == 0 and not case.may_load:
        out.append("exit code 0")
    lines = [line for line in stderr.splitlines() if line.strip()]
    if rc and not lines and result["entry"] != "cli-validate":
        out.append("failed without a message")
    if result["entry"] != "cli-validate" and len(lines) > 1:
        out.append(f"{len(lines)} lines on stderr: {stderr[:300]!r}")
    for line in lines:
        out.extend(_message_problems(line))
    return out
