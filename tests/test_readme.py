"""The README's first example runs as written and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def first_example() -> str:
    text = README.read_text()
    section = text.split("## A first simulation", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert match is not None
    return match.group(1)


@pytest.mark.slow
def test_readme_example_runs_as_written() -> None:
    out = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(out):
        exec(compile(first_example(), str(README), "exec"), namespace)
    assert out.getvalue().splitlines()[0] == "Stopped ALARM_ACTIVE True"
    risk = namespace["risk"]
    assert len(risk) == 9  # one row per Lambda configuration
