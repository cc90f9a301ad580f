"""Every Python block of the README runs as written, and prints what its comments say.

The blocks of one section run in order in one namespace, as a reader would run them; the
``test_*`` functions a block defines are called (with a seeded Generator for ``shiftsim_rng``)
and the Hypothesis state machines it defines are run, with the settings the block shows.
"""

from __future__ import annotations

import contextlib
import io
import re
import unittest
from pathlib import Path
from typing import Any

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def sections() -> dict[str, list[str]]:
    """Section heading -> the code of its ```python blocks, in order."""
    text = README.read_text()
    found: dict[str, list[str]] = {}
    heading = "top"
    pattern = r"^(#+ [^\n]*)$|^```python\n(.*?)^```"
    for match in re.finditer(pattern, text, re.MULTILINE | re.DOTALL):
        if match.group(1):
            heading = match.group(1).lstrip("# ").strip()
        else:
            found.setdefault(heading, []).append(match.group(2))
    return found


SECTIONS = sections()


def run_section(codes: list[str]) -> tuple[dict[str, Any], str]:
    out = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "readme"}
    with contextlib.redirect_stdout(out):
        for code in codes:
            before = set(namespace)
            exec(compile(code, str(README), "exec"), namespace)
            for name in sorted(set(namespace) - before):
                value = namespace[name]
                if name.startswith("test_") and callable(value):
                    wants = value.__code__.co_varnames[: value.__code__.co_argcount]
                    fixtures = {"shiftsim_rng": np.random.default_rng(0), "shiftsim_seed": 0}
                    value(**{arg: fixtures[arg] for arg in wants})
                elif isinstance(value, type) and issubclass(value, unittest.TestCase):
                    value().runTest()
    return namespace, out.getvalue()


def test_the_readme_has_its_blocks() -> None:
    assert list(SECTIONS)[:3] == [
        "A first simulation",
        "Which configuration, which alarm?",
        "Testing your deployment tooling",
    ]
    assert [len(codes) for codes in SECTIONS.values()][:3] == [1, 2, 3]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SECTIONS))
def test_section_runs_as_written(name: str) -> None:
    namespace, out = run_section(SECTIONS[name])
    lines = out.splitlines()
    if name == "A first simulation":
        assert lines[0] == "Stopped ALARM_ACTIVE True"
        assert len(namespace["risk"]) == 9  # one row per Lambda configuration
    if name == "Which configuration, which alarm?":
        assert len(namespace["table"]) == 18  # 9 configurations x 2 alarm designs
        assert not namespace["best"].empty
        assert len(namespace["tuning"]) == 6 * 5  # grid points x measures
    if name == "Testing your deployment tooling":
        assert lines[0] == "Stopped"
        assert namespace["TestSplitAlias"].settings.max_examples == 50
