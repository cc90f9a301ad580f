"""Speed at the limit (issue 14): the Server batch engine against ``simulate()`` per run, one
million Server runs, scaling across workers, and the reference anchors in the same run.

Run with ``.venv/bin/python benchmarks/bench_speed.py`` (``--quick`` for smaller counts); it
ends with ``benchmarks/gpu.py``'s GPU figures where CuPy is present.
Prints seconds and ratios measured in one run; nothing here is asserted.

Scenario (the issue's): 40 instances, ``HalfAtATime`` behind a load balancer, one fixed
30-second script at each of five hookable events, a 5% ``ApplicationStart`` script fault.
The anchors are ``shared/anchors/thread_scaling.py`` (``../shared`` beside the repository, or
``$SHIFTSIM_SHARED``): numpy's bare draws and per-thread ``monte_carlo`` on 1, 2, 4, ... threads.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import shiftsim
from shiftsim._parallel import default_workers
from shiftsim.fleet import Fleet
from shiftsim.server import Script, ScriptFault, ServerDeployment, simulate_server

EVENTS = ("ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService")
ROOT = Path(__file__).resolve().parent.parent


def fleet_rollout(n: int = 40, p: float = 0.05) -> ServerDeployment:
    """The issue's Server scenario."""
    hooks = {e: [Script(f"scripts/{e}.sh", duration=30.0)] for e in EVENTS}
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(n),
        load_balancer=True,
        hooks=hooks,
        faults=[ScriptFault("ApplicationStart", probability=p)],
    )


def canary() -> shiftsim.LambdaDeployment:
    """The issue's Lambda scenario: Canary10Percent5Minutes, 1,000 calls a minute, 2 of 3."""
    return shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=1000,
        target=shiftsim.Version("2", error_rate=0.01),
        alarms=[
            shiftsim.Alarm(
                "errors", metric="Errors", threshold=5, evaluation_periods=3, datapoints_to_alarm=2
            )
        ],
    )


def timed(fn):  # type: ignore[no-untyped-def]
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def server_figures(quick: bool) -> float:
    """Server monte_carlo per run against simulate() per run; returns the one-core runs/s."""
    d = fleet_rollout()
    n_sim = 50 if quick else 300
    t_sim, _ = timed(lambda: [simulate_server(d, rng=i) for i in range(n_sim)])
    shiftsim.monte_carlo(d, runs=2000, rng=0, workers=1)  # warm (imports)
    runs = 20_000 if quick else 200_000
    t_mc, mc = timed(lambda: shiftsim.monte_carlo(d, runs=runs, rng=1, workers=1))
    per_sim, per_mc = t_sim / n_sim, t_mc / runs
    print("Server, 40 instances HalfAtATime + load balancer, 5% ApplicationStart fault")
    print(f"  simulate() per run          {per_sim * 1e6:10.1f} us  ({n_sim} runs)")
    print(
        f"  monte_carlo per run, 1 core {per_mc * 1e6:10.2f} us  ({runs:,} runs): "
        f"{per_sim / per_mc:,.0f}x faster per run (target >= 100x)"
    )
    print(f"  {mc!r}")
    big = 100_000 if quick else 1_000_000
    t_big, _ = timed(lambda: shiftsim.monte_carlo(d, runs=big, rng=2, workers=1))
    print(f"  {big:,} runs on one core: {t_big:.2f} s (target < 10 s for 10^6)")
    return runs / t_mc


def scaling(quick: bool) -> None:
    """monte_carlo across 1 .. cores workers (same result for each)."""
    cores = default_workers()
    counts = sorted({k for k in (1, 2, 4, 8, 16, cores) if k <= cores})
    d = fleet_rollout()
    lam = canary()
    server_runs = 40_000 if quick else 400_000
    lambda_runs = 4 * 65_536 if quick else 16 * 65_536
    print(f"\nWorkers scaling on {cores} cores (blocks fixed by the seed; results identical)")
    base_s = base_l = None
    for k in counts:
        t_s, _ = timed(lambda k=k: shiftsim.monte_carlo(d, runs=server_runs, rng=3, workers=k))
        t_l, _ = timed(lambda k=k: shiftsim.monte_carlo(lam, runs=lambda_runs, rng=3, workers=k))
        base_s, base_l = base_s or t_s, base_l or t_l
        print(
            f"  workers={k:2d}  Server {server_runs / t_s / 1e3:8.1f}k runs/s "
            f"({base_s / t_s:4.2f}x, {base_s / t_s / k:4.2f} x cores)   "
            f"Lambda {lambda_runs / t_l / 1e6:6.2f}M runs/s ({base_l / t_l:4.2f}x, "
            f"{base_l / t_l / k:4.2f} x cores)",
            flush=True,
        )


def anchors() -> None:
    """The shared thread-scaling anchor, in the same run."""
    shared = Path(os.environ.get("SHIFTSIM_SHARED", ROOT.parent / "shared"))
    script = shared / "anchors" / "thread_scaling.py"
    if not script.exists():
        print(f"\nAnchor {script} is absent: skipped (set SHIFTSIM_SHARED to the shared folder)")
        return
    print(f"\nAnchor: {script}")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run(
        [sys.executable, str(script), str(default_workers())], env=env, cwd=ROOT, check=False
    )


def gpu(quick: bool) -> None:
    """benchmarks/gpu.py's GPU figures where CuPy is present (it says so and exits otherwise)."""
    print("\nGPU (benchmarks/gpu.py)", flush=True)
    args = [sys.executable, str(ROOT / "benchmarks" / "gpu.py"), "--no-scaling"]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run(args + (["--quick"] if quick else []), env=env, cwd=ROOT, check=False)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    server_figures(quick)
    scaling(quick)
    anchors()
    gpu(quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
