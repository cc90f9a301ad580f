"""The documentation holds: every docstring example runs, and ``__all__`` matches docs/api.md."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import shiftsim

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(
    name
    for _, name, _ in pkgutil.iter_modules(shiftsim.__path__, "shiftsim.")
    if name not in {"shiftsim.pytest_plugin"}
)
#: Packages whose examples live in their modules (a package's doctests cover only its __init__).
PACKAGES = ("shiftsim.strategies", "shiftsim.testing")
#: Modules whose examples take seconds (Hypothesis searches, figures): in the slow set.
SLOW = (*PACKAGES, "shiftsim.animate", "shiftsim.plot")
MODULES += sorted(
    name
    for package in PACKAGES
    if hasattr(importlib.import_module(package), "__path__")
    for _, name, _ in pkgutil.iter_modules(importlib.import_module(package).__path__, f"{package}.")
)


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n.startswith(SLOW) else n for n in MODULES],
)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_all_matches_documented_api() -> None:
    """SimPy and Hypothesis check their exports against their docs; so do we."""
    text = (ROOT / "docs" / "api.md").read_text()
    documented = set(re.findall(r"^### `shiftsim\.(\w+)`", text, flags=re.MULTILINE))
    assert documented == set(shiftsim.__all__)
    assert list(shiftsim.__all__) == sorted(shiftsim.__all__)


@pytest.mark.slow
def test_import_is_cheap() -> None:
    """matplotlib and hypothesis load only in the modules that draw or generate."""
    import subprocess
    import sys

    code = (
        "import sys, shiftsim; "
        "print(sorted(m for m in ('matplotlib', 'hypothesis') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
