"""Run every benchmark in this folder, one after another, and print their figures.

Usage: ``make bench`` (installs the ``bench`` extra, SimPy) or
``.venv/bin/python benchmarks/run.py``. Each benchmark prints ratios measured in one run;
nothing is asserted.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted(p for p in HERE.glob("bench_*.py"))


def main() -> int:
    print(
        f"# {platform.platform()}, Python {platform.python_version()}, "
        f"{platform.processor() or platform.machine()}"
    )
    failed = 0
    for script in SCRIPTS:
        print(f"\n## {script.name}", flush=True)
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
