"""Helpers shared by the ``shiftsim`` commands: seeds, progress, JSON, figures, file hints."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from typing import Any, TextIO

import pandas as pd

from shiftsim._files import read_text
from shiftsim._text import escape
from shiftsim._yaml import load_document
from shiftsim.errors import ShiftsimError

__all__ = []


def _file_kind(name: str) -> str | None:
    """``"scenario"`` or ``"appspec"`` when the file at ``name`` clearly is one, else None."""

    try:  # AppSpec and scenario files are small: a hint never reads more than 64 KiB
        doc = load_document(read_text(name, what="file", limit=1 << 16), name)
    except ShiftsimError:
        return None
    value = doc.value
    if not isinstance(value, dict):
        return None
    if value.get("platform") in ("Lambda", "ECS", "Server"):
        return "scenario"
    if "version" in value and ({"Resources", "resources", "hooks", "files", "os"} & set(value)):
        return "appspec"
    return None


def _file_hint(args: argparse.Namespace) -> str:
    """A hint when the file given to a scenario command is an AppSpec file."""
    name = getattr(args, "scenario", None)
    if not isinstance(name, str) or _file_kind(name) != "appspec":
        return ""
    return (
        f". {escape(name)} looks like an AppSpec file, not a scenario: check it with "
        f"'shiftsim validate {escape(name)}', or name it in a scenario file with 'appspec:'"
    )


# ---------------------------------------------------------------------------------- helpers
def _progress(args: argparse.Namespace) -> bool:
    """A progress bar only on a terminal (never in CI logs) and unless --no-progress."""
    return not args.no_progress and sys.stderr.isatty()


def _seed(given: int | None, default: int | None) -> int:
    """The seed to use: the flag's, the scenario's, or a fresh one (printed, so it replays)."""
    if given is not None:
        return given
    if default is not None:
        return default
    return secrets.randbits(32)


def _info_stream(args: argparse.Namespace) -> TextIO:
    """Where to say what was written: stderr when stdout carries JSON."""
    return sys.stderr if getattr(args, "json", False) else sys.stdout


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return records


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, indent=2, default=str))


def _pyplot() -> tuple[Any, Any]:
    """pyplot with a file-only backend, and shiftsim.plot, imported only for a figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shiftsim import plot

    return plt, plot


def _save(figure: Any, path: str, out: TextIO) -> None:
    figure.savefig(path, dpi=120)
    print(f"wrote the figure to {os.path.abspath(path)}", file=out)


def _save_risk(table: pd.DataFrame, path: str, out: TextIO) -> None:
    plt, plot = _pyplot()
    ax = plot.risk(table)
    _save(ax.figure, path, out)
    plt.close(ax.figure)
