"""Run hostile cases against every entry point, one forked child per (case, entry point).

Usage: ``python tests/hostile/driver.py OUT.json [--slow] [CASE ...]``. shiftsim is imported once;
each call runs in a forked child, so a hang is killed after :data:`HANG_GUARD` seconds and the
child's peak memory (``ru_maxrss`` from ``wait4``) is measured per case. Each result records the
outcome (``ok``, ``error`` for a :class:`~shiftsim.errors.ShiftsimError`, ``crash`` for any other
exception), the message, the exit code and output of CLI commands, the wall time and peak memory.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shiftsim.cli
from hostile.cases import CASES, Case
from shiftsim.appspec import load_appspec, validate
from shiftsim.boto import from_deployment_group
from shiftsim.errors import ShiftsimError
from shiftsim.sam import from_sam
from shiftsim.scenario import load_scenario

__all__ = ["ENTRY_POINTS", "HANG_GUARD", "run_all", "run_one"]

#: Seconds after which a call counts as a hang and its child is killed.
HANG_GUARD = 10.0

LAMBDA_GROUP = {
    "applicationName": "orders",
    "deploymentGroupName": "orders-live",
    "deploymentConfigName": "CodeDeployDefault.LambdaAllAtOnce",
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
}


def _content(path: Path) -> str:
    """What a caller of the API would pass as AppSpec *content*: the file's text, or the path
    itself when it is no regular file (that text must never be opened as a file)."""
    try:
        if path.is_file() and not path.is_symlink():
            return path.read_bytes()[: 2 << 20].decode("utf-8", "replace")
    except OSError:
        pass
    return os.fspath(path)


def _boto(path: Path) -> Any:
    revision = {"revisionType": "AppSpecContent", "appSpecContent": {"content": _content(path)}}
    return from_deployment_group(LAMBDA_GROUP, revision=revision)


def _cli(*command: str) -> Callable[[Path], Any]:
    def call(path: Path) -> Any:
        return ("cli", shiftsim.cli.main([command[0], os.fspath(path), *command[1:]]))

    return call


#: Entry point -> (input format, call).
ENTRY_POINTS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "load_appspec": ("appspec", load_appspec),
    "validate": ("appspec", validate),
    "from_sam": ("sam", from_sam),
    "load_scenario": ("scenario", load_scenario),
    "from_deployment_group": ("appspec", _boto),
    "cli-simulate": ("scenario", _cli("simulate", "--seed", "1")),
    "cli-montecarlo": (
        "scenario",
        _cli("montecarlo", "--runs", "20", "--seed", "1", "--no-progress"),
    ),
    "cli-validate": ("appspec", _cli("validate")),
}


def _child(entry: str, path: Path) -> dict[str, Any]:
    _, call = ENTRY_POINTS[entry]
    out, err = io.StringIO(), io.StringIO()
    result: dict[str, Any] = {}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            value = call(path)
    except ShiftsimError as error:
        message = str(error)
        result = {"outcome": "error", "type": type(error).__name__, "message": message}
        result["source"] = str(getattr(error, "source", ""))
    except BaseException as error:
        result = {
            "outcome": "crash",
            "type": type(error).__name__,
            "message": str(error)[:2000],
            "traceback": traceback.format_exc()[-3000:],
        }
    else:
        result = {"outcome": "ok", "type": type(value).__name__}
        if isinstance(value, tuple) and value[:1] == ("cli",):
            result["rc"] = value[1]
        if isinstance(value, list):
            result["findings"] = [str(f)[:500] for f in value[:20]]
            result["errors"] = sum(getattr(f, "severity", "") == "error" for f in value)
    result["stdout"] = out.getvalue()[-4000:]
    result["stderr"] = err.getvalue()[-4000:]
    return result


def run_one(case: Case, entry: str, folder: Path) -> dict[str, Any]:
    """Make the case's file for ``entry``'s format and run ``entry`` on it in a forked child."""
    fmt, _ = ENTRY_POINTS[entry]
    path = case.make(folder, fmt)
    with tempfile.TemporaryFile() as report:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                data = json.dumps(_child(entry, path)).encode()
                os.write(report.fileno(), data)
            except BaseException:
                code = 3
            finally:
                os._exit(code)
        timed_out = False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.perf_counter() - start > HANG_GUARD:
                os.kill(pid, signal.SIGKILL)
                _, status, usage = os.wait4(pid, 0)
                timed_out = True
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        report.seek(0)
        raw = report.read()
    result: dict[str, Any] = json.loads(raw) if raw else {"outcome": "died", "status": status}
    scale = 1024 if sys.platform != "darwin" else 1  # ru_maxrss: KiB on Linux, bytes on macOS
    result.update(
        case=case.name,
        entry=entry,
        path=os.fspath(path),
        seconds=round(seconds, 3),
        max_rss_mb=round(usage.ru_maxrss * scale / 2**20, 1),
        timed_out=timed_out,
    )
    return result


def run_all(folder: Path, *, slow: bool, only: set[str] | None = None) -> list[dict[str, Any]]:
    results = []
    for case in CASES:
        if (case.slow and not slow) or (only and case.name not in only):
            continue
        for entry in ENTRY_POINTS:
            results.append(run_one(case, entry, folder))
    return results


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    slow = "--slow" in argv[1:]
    only = {a for a in argv[1:] if not a.startswith("--")} or None
    with tempfile.TemporaryDirectory() as folder:
        results = run_all(Path(folder), slow=slow, only=only)
    out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
