"""Turn shiftsim's outputs into deterministic, diffable golden documents (test helper).

A golden document is a JSON object of named sections. Values are canonical: numbers keep
their exact value (floats are written by ``repr``, which round-trips; a float with an integral
value is written as an integer, so a column's dtype may change from int to float without a
diff), ``None``/``NaN``/``NaT``/``pd.NA`` are all ``null``, tuples are lists. Each frame is
``{"columns": [...], "rows": [[...], ...]}``; frame dtypes are kept apart in a ``dtypes``
section.

Deployment IDs (``d-`` and 9 characters) are replaced everywhere by ``<deploy-01>``,
``<deploy-02>``... (as wide as an ID) in order of first appearance, and EventBridge event
``id`` fields by ``<event-id>``; the real values go to the ``ids`` section. So a change of
ID scheme fails only the ID check.

:func:`dump` writes a document with one frame row, notification or output line per text line,
so ``git diff`` and the test's failure message show exactly what changed.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import shiftsim
from shiftsim.cli import main as cli_main

__all__ = [
    "ID_PATTERN",
    "canonical",
    "cli_document",
    "compare_document",
    "dump",
    "mask_ids",
    "monte_carlo_document",
    "run_document",
]

ID_PATTERN = re.compile(r"\bd-[A-Z0-9]{9}\b")


# ---------------------------------------------------------------------------------- values
def canonical(value: Any) -> Any:
    """``value`` as plain JSON data, one spelling per value (see the module docstring)."""
    kind = type(value)
    if kind is str or value is None or kind is bool or kind is int:
        return value
    if kind is float:
        return _number(value)
    if kind is dict:
        return {str(k): canonical(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [canonical(v) for v in value]
    return _canonical_object(value)


def _canonical_object(value: Any) -> Any:
    """:func:`canonical` for pandas, numpy and other objects (after the plain types)."""
    if isinstance(value, pd.DataFrame):
        return frame(value)
    if isinstance(value, pd.Series):
        return {
            "name": canonical(value.name),
            "values": {str(k): canonical(v) for k, v in value.items()},
        }
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [canonical(v) for v in value]
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _number(float(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "to_frame"):  # a Fleet
        return frame(value.to_frame())
    return repr(value)


def _number(x: float) -> Any:
    if x != x:  # NaN
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def frame(df: pd.DataFrame) -> dict[str, Any]:
    """Columns and rows; each column goes through ``tolist`` (plain Python scalars) first."""
    columns = [[canonical(v) for v in df.iloc[:, k].tolist()] for k in range(df.shape[1])]
    return {
        "columns": [str(c) for c in df.columns],
        "rows": [list(row) for row in zip(*columns)] if columns else [[]] * len(df),
    }


def dtypes_of(sections: dict[str, Any]) -> dict[str, Any]:
    """``{section: {column: dtype}}`` for the frames among ``sections``."""
    return {
        name: {str(c): str(t) for c, t in value.dtypes.items()}
        for name, value in sections.items()
        if isinstance(value, pd.DataFrame)
    }


# ---------------------------------------------------------------------------------- IDs
def mask_ids(doc: Any) -> tuple[Any, dict[str, list[str]]]:
    """``doc`` with deployment IDs and EventBridge event IDs replaced by placeholders, and the
    real values in order (``{"deployment_ids": [...], "eventbridge_event_ids": [...]}``)."""
    found: dict[str, str] = {}
    events: list[str] = []

    def sub(text: str) -> str:
        def name(m: re.Match[str]) -> str:
            if m.group(0) not in found:
                # As wide as a real ID, so text tables keep their alignment.
                found[m.group(0)] = f"<deploy-{len(found) + 1:02d}>"
            return found[m.group(0)]

        return ID_PATTERN.sub(name, text)

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            out = {}
            for k, v in x.items():
                if k == "id" and x.get("source") == "aws.codedeploy" and isinstance(v, str):
                    events.append(v)
                    out[k] = "<event-id>"
                else:
                    out[k] = walk(v)
            return out
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str):
            return sub(x)
        return x

    masked = walk(doc)
    return masked, {"deployment_ids": list(found), "eventbridge_event_ids": events}


# ---------------------------------------------------------------------------------- runs
RUN_SCALARS = (
    "status",
    "error_code",
    "error_message",
    "rolled_back",
    "duration",
    "deployment_id",
    "rollback_deployment_id",
    "termination_time",
    "rollback_possible",
)
RUN_FRAMES = (
    "events",
    "timeline",
    "instances",
    "lifecycle",
    "deployments",
    "task_sets",
    "fleet_after",
)


def run_sections(run: Any) -> dict[str, Any]:
    """Everything a run exposes publicly, by attribute name (raw values)."""
    sections: dict[str, Any] = {
        "type": type(run).__name__,
        "repr": repr(run),
        "scalars": {k: getattr(run, k) for k in RUN_SCALARS if hasattr(run, k)},
    }
    for name in RUN_FRAMES:
        if hasattr(run, name):
            value = getattr(run, name)
            sections[name] = value.to_frame() if hasattr(value, "to_frame") else value
    sections["summary"] = run.summary()
    sections["notifications"] = [
        {"time": n.time, "channel": n.channel, "event": n.event, "payload": n.payload}
        for n in run.notifications
    ]
    return sections


def document(kind: str, sections: dict[str, Any]) -> dict[str, Any]:
    """The golden document of raw ``sections``: canonical, IDs masked, dtypes apart."""
    body, ids = mask_ids(canonical(sections))
    return {"kind": kind, **body, "dtypes": dtypes_of(sections), "ids": ids}


def run_document(deployment: Any, seed: int, engine: str) -> dict[str, Any]:
    """``shiftsim.simulate(deployment, rng=seed, engine=engine)`` as a golden document; a
    ShiftsimError (say, a scenario the kernel does not support) is recorded as the outcome."""
    try:
        run = shiftsim.simulate(deployment, rng=seed, engine=engine)
    except shiftsim.ShiftsimError as err:
        return document("error", {"error": {"type": type(err).__name__, "message": str(err)}})
    return document("run", run_sections(run))


def monte_carlo_document(deployment: Any, runs: int, seed: int) -> dict[str, Any]:
    result = shiftsim.monte_carlo(deployment, runs=runs, rng=seed)
    return document(
        "monte_carlo",
        {
            "type": type(result).__name__,
            "n_runs": result.n_runs,
            "runs": result.runs,
            "summary": result.summary(),
        },
    )


def compare_document(configs: list[str], deployment: Any, runs: int, seed: int) -> dict[str, Any]:
    table = shiftsim.compare(configs, deployment=deployment, runs=runs, rng=seed)
    return document("compare", {"table": table})


def cli_document(argv: list[str], replacements: dict[str, str]) -> dict[str, Any]:
    """Exit code, stdout and stderr of ``shiftsim.cli.main(argv)``. ``replacements`` maps
    placeholders (``{tmp}``) to folders: filled into ``argv`` and put back into the output, so
    the document does not depend on where the files lie."""
    real = [arg.format(**replacements) for arg in argv]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(real)

    def lines(text: str) -> list[str]:
        for key, folder in sorted(replacements.items(), key=lambda kv: -len(kv[1])):
            text = text.replace(folder, "{" + key + "}")
        return text.splitlines()

    return document(
        "cli",
        {
            "argv": argv,
            "exit_code": code,
            "stdout": lines(out.getvalue()),
            "stderr": lines(err.getvalue()),
        },
    )


# ---------------------------------------------------------------------------------- text
def dump(doc: dict[str, Any]) -> str:
    """``doc`` as JSON text: one line per frame row, list item or mapping entry below the
    section level, so diffs are line diffs."""
    return "\n".join(_lines(doc, 0)) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _lines(value: Any, depth: int) -> Iterator[str]:
    pad = " " * depth
    if isinstance(value, dict) and value and depth < 4 and not _is_leafy(value):
        yield "{"
        items = list(value.items())
        for i, (k, v) in enumerate(items):
            comma = "," if i < len(items) - 1 else ""
            sub = list(_lines(v, depth + 1))
            sub[0] = f"{pad} {_compact(k)}: {sub[0]}"
            sub[-1] += comma
            yield from sub
        yield pad + "}"
    elif isinstance(value, list) and _one_per_line(value):
        yield "["
        for i, v in enumerate(value):
            yield f"{pad} {_compact(v)}" + ("," if i < len(value) - 1 else "")
        yield pad + "]"
    else:
        yield _compact(value)


def _one_per_line(value: list[Any]) -> bool:
    """Rows, records and lines of text get a line each; short lists of scalars stay inline."""
    if any(isinstance(v, (list, dict)) for v in value):
        return True
    return len(value) > 1 and all(isinstance(v, str) for v in value)


def _is_leafy(value: dict[str, Any]) -> bool:
    """A small mapping of scalars stays on one line."""
    return len(value) <= 3 and all(not isinstance(v, (dict, list)) for v in value.values())


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


Maker = Callable[[], dict[str, Any]]
