"""Hostile input (issue 16): every entry point refuses every generated case cleanly.

The cases (tests/hostile/cases.py) are made at test time: alias and merge bombs, deep nesting,
files over the size limit (50 MB in the slow tier), binary data, every encoding and byte order
mark, every explicit YAML tag, impossible dates, huge integers, NaN and infinities, duplicate
keys, FIFOs, devices, directories, symbolic-link loops, paths the reader refuses, and terminal
escape sequences in values, keys and file names.

* Fast tier: the readers this suite's owner maintains (``from_sam``, ``load_scenario``) run a
  sample of the cases in-process.
* Slow tier: tests/hostile/driver.py runs every case against every entry point (``load_appspec``,
  ``shiftsim.appspec.validate``, ``from_sam``, ``load_scenario``, ``from_deployment_group``, and
  ``shiftsim simulate``/``montecarlo``/``validate``), each call in a forked child killed after 10 s
  (a hang guard, not a timing assertion), with its peak memory measured. Each result must be a
  located ShiftsimError (``validate()``: a list of problems, never an exception; the CLI: a one-line
  error, no traceback, exit code other than 70) within 500 MiB. The worst time and memory are
  printed and written to ``hostile-summary.json`` (in ``$SHIFTSIM_HOSTILE_REPORT`` if set).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hostile.cases import CASES, Case, by_name
from hostile.checks import MAX_MB, problems

from shiftsim.errors import ShiftsimError
from shiftsim.sam import from_sam
from shiftsim.scenario import load_scenario

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(os, "fork"), reason="FIFOs, devices and fork: POSIX"
)

DRIVER = Path(__file__).parent / "hostile" / "driver.py"
ENTRY_POINTS = (
    "load_appspec",
    "validate",
    "from_sam",
    "load_scenario",
    "from_deployment_group",
    "cli-simulate",
    "cli-montecarlo",
    "cli-validate",
)
# Entry points of another owner that still fail some cases while their fixes land: the pairs
# (case, entry point) listed here are xfail(strict=False) and must be removed when they pass.
FORMATS2 = "formats2 (owner of shiftsim/appspec and shiftsim/boto.py) is fixing this; remove"
PENDING: dict[tuple[str, str], str] = {}

# In-process sample for the fast tier (readers of this suite's owner only).
FAST = (
    "tag-bool-maybe",
    "tag-timestamp-garbage",
    "tag-python-object",
    "date-feb-30",
    "int-5000-digits",
    "nan",
    "escape-sequences",
    "passwd-path",
    "recursive-alias",
    "many-aliases",
    "deep-json",
    "duplicate-keys",
    "nul-bytes",
    "utf16-le-no-bom",
    "utf32-be-bom",
    "just-over-1mib",
    "fifo",
    "dev-zero",
    "symlink-loop",
    "escape-in-file-name",
)


def _in_process(case: Case, entry: str, folder: Path) -> dict[str, Any]:
    fmt, call = {"from_sam": ("sam", from_sam), "load_scenario": ("scenario", load_scenario)}[entry]
    path = case.make(folder, fmt)
    result: dict[str, Any] = {"entry": entry, "path": os.fspath(path), "case": case.name}
    tracemalloc.start()
    try:
        value = call(path)
    except ShiftsimError as err:
        result.update(outcome="error", type=type(err).__name__, message=str(err))
    except Exception as err:  # the suite looks for these
        result.update(outcome="crash", type=type(err).__name__, message=str(err))
    else:
        result.update(outcome="ok", type=type(value).__name__)
    finally:
        result["max_rss_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


@pytest.mark.parametrize("entry", ["from_sam", "load_scenario"])
@pytest.mark.parametrize("name", FAST)
def test_hostile_case_in_process(name: str, entry: str, tmp_path: Path) -> None:
    case = by_name(name)
    result = _in_process(case, entry, tmp_path)
    assert not problems(case, result), result


# ------------------------------------------------------------------ slow tier: everything
@pytest.fixture(scope="session")
def hostile_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    folder = tmp_path_factory.mktemp("hostile")
    out = folder / "results.json"
    subprocess.run(
        [sys.executable, str(DRIVER), str(out), "--slow"],
        check=True,
        timeout=1800,
        cwd=Path(__file__).resolve().parents[1],
    )
    results = json.loads(out.read_text())
    _summarize(results, Path(os.environ.get("SHIFTSIM_HOSTILE_REPORT") or folder))
    return {(r["case"], r["entry"]): r for r in results}


def _summarize(results: list[dict[str, Any]], folder: Path) -> None:
    slowest = max(results, key=lambda r: r["seconds"])
    largest = max(results, key=lambda r: r["max_rss_mb"])
    summary = {
        "cases": len({r["case"] for r in results}),
        "entry_points": len({r["entry"] for r in results}),
        "calls": len(results),
        "worst_seconds": {k: slowest[k] for k in ("case", "entry", "seconds")},
        "worst_max_rss_mb": {k: largest[k] for k in ("case", "entry", "max_rss_mb")},
        "limit_mb": MAX_MB,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile-summary.json").write_text(json.dumps(summary, indent=1))
    (folder / "hostile-results.json").write_text(json.dumps(results, indent=1))
    print(f"\nhostile suite: {json.dumps(summary)}")


def _param(case: Case, entry: str) -> Any:
    marks = [pytest.mark.slow]
    reason = PENDING.get((case.name, entry))
    if reason:
        marks.append(pytest.mark.xfail(strict=False, reason=reason))
    return pytest.param(case.name, entry, marks=marks, id=f"{case.name}-{entry}")


@pytest.mark.parametrize(("name", "entry"), [_param(c, e) for c in CASES for e in ENTRY_POINTS])
def test_hostile_case(name: str, entry: str, hostile_results: dict[tuple[str, str], Any]) -> None:
    result = hostile_results[(name, entry)]
    assert not problems(by_name(name), result), result


# ------------------------------------------------------------------ API values (issue 16)
def _api_values() -> dict[str, Any]:
    """Keyword values whose cost once followed the number: each must be refused at once."""
    import shiftsim
    from shiftsim import Alarm, EcsDeployment, Fleet, Hook, LambdaDeployment, Profile
    from shiftsim.configs import DeploymentConfig, TimeBasedLinear
    from shiftsim.server import ScaleOut, ServerDeployment

    ecs = "CodeDeployDefault.ECSAllAtOnce"
    server = "CodeDeployDefault.AllAtOnce"
    slow = DeploymentConfig("Slow", "Lambda", traffic_routing=TimeBasedLinear(10, 320))
    lam = LambdaDeployment("AllAtOnce")
    return {
        "Fleet.of_size(10**30)": lambda: Fleet.of_size(10**30),
        "Fleet(endless items)": lambda: Fleet(itertools.repeat({"id": "i-1"})),
        "ScaleOut.count=10**30": lambda: ScaleOut(1, "web", count=10**30),
        "Lambda alarm_poll_interval=1e-9": lambda: LambdaDeployment(
            "AllAtOnce", alarm_poll_interval=1e-9
        ),
        "Lambda metric_delay=10**400": lambda: LambdaDeployment("AllAtOnce", metric_delay=10**400),
        "Lambda rate=10**400": lambda: LambdaDeployment(
            "AllAtOnce", invocations_per_minute=10**400
        ),
        "Lambda rate=1e20": lambda: LambdaDeployment("AllAtOnce", invocations_per_minute=1e20),
        "Lambda rate=Profile(1e20)": lambda: LambdaDeployment(
            "AllAtOnce", invocations_per_minute=Profile.constant(1e20)
        ),
        "Lambda alarms=None": lambda: LambdaDeployment("AllAtOnce", alarms=None),
        "Lambda 1-s polls over 48 h": lambda: shiftsim.simulate(
            LambdaDeployment(slow, alarms=[Alarm("e")], alarm_poll_interval=1), rng=1
        ),
        "ECS install_seconds=10 years": lambda: EcsDeployment(ecs, install_seconds=315_360_000),
        "ECS alarm_poll_interval=1e-6": lambda: EcsDeployment(ecs, alarm_poll_interval=1e-6),
        "Server alarm_poll_interval=1e-6": lambda: ServerDeployment(
            server, fleet=Fleet.of_size(2), alarm_poll_interval=1e-6
        ),
        "Server alarms=None": lambda: ServerDeployment(server, fleet=Fleet.of_size(2), alarms=None),
        "Alarm.period=1": lambda: Alarm("e", period=1),
        "Alarm.evaluation_periods=10**30": lambda: Alarm("e", evaluation_periods=10**30),
        "Hook.duration=10**400": lambda: Hook(duration=10**400),
        "monte_carlo runs=10**30": lambda: shiftsim.monte_carlo(lam, runs=10**30, rng=1),
        "compare runs=10**30": lambda: shiftsim.compare(
            ["AllAtOnce"], deployment=lam, runs=10**30, rng=1
        ),
        "sweep runs=10**30": lambda: shiftsim.sweep(
            lam, {"invocations_per_minute": [1]}, runs=10**30, rng=1
        ),
    }


API_VALUES = sorted(_api_values())


@pytest.mark.parametrize("name", API_VALUES)
def test_hostile_api_value(name: str) -> None:
    """Each refused with a ShiftsimError naming the field, within 500 MiB of Python allocations
    (tracemalloc) and a 10-s alarm (a hang guard, not a timing assertion)."""
    import signal

    def hang(signum: int, frame: Any) -> None:
        raise TimeoutError(f"{name} still running after 10 s")

    call = _api_values()[name]
    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(10)
    tracemalloc.start()
    try:
        with pytest.raises(ShiftsimError) as info:
            call()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    message = str(info.value)
    assert peak < MAX_MB, f"{name}: {peak:.0f} MiB"
    assert len(message) < 600 and "\x1b" not in message, message
