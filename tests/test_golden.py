"""Golden outputs: the refactoring of issue 10 must not change what shiftsim computes.

For every scenario of tests/golden/scenarios.py (Lambda, ECS and EC2/on-premises, both
engines), a few Monte Carlo and compare cases, and the CLI's output for the example scenarios,
tests/golden/data/ holds what shiftsim 0.1 computed: events, timeline, instances, lifecycle,
deployments, task sets, notifications, ``summary()`` and the run's scalars. These tests
recompute them and compare exactly (values; floats bit for bit). Three separate checks:

* ``test_golden_outputs``: every value, with deployment IDs replaced by placeholders;
* ``test_golden_deployment_ids``: the deployment IDs (and the EventBridge event IDs derived from
  them), so an intentional change of ID scheme fails only here;
* ``test_golden_dtypes``: the DataFrames' column dtypes.

After an INTENTIONAL behaviour change, regenerate and review the diff::

    SHIFTSIM_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff --stat tests/golden/data

The CLI case that validates a file of the AppSpec corpus needs ../shared/corpus beside the
repository (or ``SHIFTSIM_CORPUS=/path/to/corpus``) and is skipped without it.
"""

from __future__ import annotations

import difflib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from golden import record
from golden.scenarios import (
    CLI_COMMANDS,
    CLI_FILES,
    COMPARE,
    ENGINES,
    MONTE_CARLO,
    SCENARIOS,
)

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "golden" / "data"
UPDATE = os.environ.get("SHIFTSIM_UPDATE_GOLDENS", "") not in ("", "0")
CORPUS = Path(os.environ.get("SHIFTSIM_CORPUS") or REPO.parent / "shared" / "corpus")
REGENERATE = "SHIFTSIM_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_golden.py"


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _cli(argv: list[str]) -> dict[str, Any]:
    if any("{corpus}" in arg for arg in argv) and not CORPUS.is_dir():
        pytest.skip(f"the AppSpec corpus is not at {CORPUS}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in CLI_FILES.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        with _cwd(REPO):
            return record.cli_document(argv, {"tmp": tmp, "corpus": str(CORPUS), "repo": str(REPO)})


def _cases() -> dict[str, Callable[[], dict[str, Any]]]:
    """File stem -> how to compute its document."""
    cases: dict[str, Callable[[], dict[str, Any]]] = {}
    for name, build, seed in SCENARIOS:
        for engine in ENGINES:
            cases[f"{name}.{engine}"] = functools.partial(
                lambda b, s, e: record.run_document(b(), s, e), build, seed, engine
            )
    for name, build, runs, seed in MONTE_CARLO:
        cases[name] = functools.partial(
            lambda b, r, s: record.monte_carlo_document(b(), r, s), build, runs, seed
        )
    for name, configs, build, runs, seed in COMPARE:
        cases[name] = functools.partial(
            lambda c, b, r, s: record.compare_document(c, b(), r, s), configs, build, runs, seed
        )
    for name, argv in CLI_COMMANDS:
        cases[name] = functools.partial(_cli, argv)
    return cases


CASES = _cases()


@functools.cache
def _fresh(stem: str) -> dict[str, Any]:
    doc = CASES[stem]()
    if UPDATE:
        DATA.mkdir(parents=True, exist_ok=True)
        (DATA / f"{stem}.json").write_text(record.dump(doc), encoding="utf-8")
    return doc


def _stored(stem: str) -> dict[str, Any]:
    path = DATA / f"{stem}.json"
    if not path.is_file():
        pytest.fail(f"no golden file {path.relative_to(REPO)}; create it with:\n  {REGENERATE}")
    return record.load(path)


def _diff(stem: str, stored: dict[str, Any], fresh: dict[str, Any], what: str) -> str:
    changed = sorted(k for k in stored.keys() | fresh.keys() if stored.get(k) != fresh.get(k))
    lines = list(
        difflib.unified_diff(
            record.dump(stored).splitlines(),
            record.dump(fresh).splitlines(),
            f"stored tests/golden/data/{stem}.json",
            "computed now",
            n=2,
            lineterm="",
        )
    )
    if len(lines) > 120:
        lines = [*lines[:120], f"... ({len(lines) - 120} more diff lines)"]
    return (
        f"{what} of {stem} changed (sections: {', '.join(changed)}).\n"
        + "\n".join(lines)
        + f"\nIf this change is intended, regenerate and review with git diff:\n  {REGENERATE}"
    )


def _body(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("ids", "dtypes")}


@pytest.mark.parametrize("stem", sorted(CASES))
def test_golden_outputs(stem: str) -> None:
    fresh = _body(_fresh(stem))
    stored = _body(_stored(stem))
    if fresh != stored:
        pytest.fail(_diff(stem, stored, fresh, "The output"), pytrace=False)


@pytest.mark.parametrize("stem", sorted(CASES))
def test_golden_deployment_ids(stem: str) -> None:
    fresh = {"ids": _fresh(stem)["ids"]}
    stored = {"ids": _stored(stem)["ids"]}
    if fresh != stored:
        pytest.fail(_diff(stem, stored, fresh, "The deployment IDs"), pytrace=False)


@pytest.mark.slow  # over a second on a 2-core machine
@pytest.mark.parametrize("stem", sorted(CASES))
def test_golden_dtypes(stem: str) -> None:
    fresh = {"dtypes": _fresh(stem)["dtypes"]}
    stored = {"dtypes": _stored(stem)["dtypes"]}
    if fresh != stored:
        pytest.fail(_diff(stem, stored, fresh, "The frame dtypes"), pytrace=False)


def test_golden_files_are_exactly_the_cases() -> None:
    on_disk = {p.stem for p in DATA.glob("*.json")}
    stale = sorted(on_disk - set(CASES))
    if UPDATE:
        for stem in stale:
            (DATA / f"{stem}.json").unlink()
        return
    assert not stale, f"golden files without a case (delete them or regenerate): {stale}"


def test_enough_scenarios_on_every_platform_and_engine() -> None:
    # Issue 10: at least 50 scenarios across the three platforms and both engines.
    assert len(SCENARIOS) >= 50
    prefixes = {name.split("-")[0] for name, _, _ in SCENARIOS}
    assert prefixes == {"lambda", "ecs", "server"}
    assert ENGINES == ("core", "kernel")
    assert len({name for name, _, _ in SCENARIOS}) == len(SCENARIOS)
