"""The README's "Test your deployment code" example runs as written and prints what it says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_in_process_example_runs_as_written():
    section = README.read_text().split("## Test your deployment code", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert match is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(match.group(1), str(README), "exec"), {})
    assert out.getvalue().strip() == "Stopped ALARM_ACTIVE"
