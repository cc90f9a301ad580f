"""GPU figures of issue 14, in one run of at most about 5 minutes, with agreement checks first.

Run from the repository root: ``PYTHONPATH=. python benchmarks/gpu.py`` (shiftsim need not be
installed; ``--quick`` shrinks every count by 10; ``--no-scaling`` leaves out part 4, as
``benchmarks/bench_speed.py`` does when it runs this script). Needs CuPy; without it (or
without a GPU) the script says so and exits 0. ``array_api_compat`` is used when importable
(a wheel in ``.whl/`` is picked up), else numpy's and CuPy's own namespaces.

Prints:

1. agreement: the same input arrays give identical results on CuPy and numpy (the traffic
   kernel, and the Server window); from a seed, the GPU's rollback rate (its own draws) lies
   in the CPU's 95% interval, for a Lambda canary and a Server rollout;
2. 10^8 Canary10Percent5Minutes deployments at 1,000 calls a minute with a 2-of-3 alarm on the
   GPU (target < 3 s; the first call, which compiles CuPy's kernels, reported apart);
3. the Server batch (runs x instances) on the GPU against one CPU core (target >= 50x);
4. monte_carlo across 1 .. 16 workers (Server and Lambda; target >= 0.7 x cores).
"""

from __future__ import annotations

import dataclasses
import glob
import os
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _wheel in glob.glob(os.path.join(ROOT, ".whl", "array_api_compat-*.whl")):
    sys.path.insert(0, _wheel)  # a pure-Python wheel imports from the zip
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

QUICK = "--quick" in sys.argv
SCALE = 10 if QUICK else 1


def line(text: str = "") -> None:
    print(text, flush=True)


def sync(cp: Any) -> None:
    cp.cuda.Stream.null.synchronize()


def gpu_or_exit() -> Any:
    try:
        import cupy as cp
    except Exception as exc:  # ImportError, or a CUDA library that fails to load
        line(f"CuPy is not available ({type(exc).__name__}: {exc}); no GPU figures. Exit 0.")
        sys.exit(0)
    try:
        props = cp.cuda.runtime.getDeviceProperties(0)
        name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    except Exception as exc:
        line(f"CuPy found no usable GPU ({type(exc).__name__}: {exc}); no GPU figures. Exit 0.")
        sys.exit(0)
    line(f"GPU: {name}; CuPy {cp.__version__}; numpy {np.__version__}; {os.cpu_count()} CPUs")
    return cp


def scenarios() -> tuple[Any, Any]:
    import shiftsim
    from benchmarks.bench_speed import canary, fleet_rollout

    lam = canary()
    risky = dataclasses.replace(lam, target=shiftsim.Version("2", error_rate=0.03))
    server = dataclasses.replace(fleet_rollout(p=0.45), auto_rollback=shiftsim.AutoRollback())
    return risky, server


def check(label: str, ok: bool, detail: str = "") -> bool:
    line(f"  [{'OK' if ok else 'MISMATCH'}] {label}{': ' + detail if detail else ''}")
    return ok


def agreement(cp: Any, xcp: Any) -> None:
    import shiftsim
    from shiftsim._engines.server.batch import Batch, walk
    from shiftsim._engines.server.plan import compile_plan
    from shiftsim._engines.traffic.draws import TrafficDraws, device_rng, draw_xp
    from shiftsim._seeding import seed_sequence
    from shiftsim._xp import compat
    from shiftsim.draws import draw_traffic
    from shiftsim.kernel import KernelOutcomes, run_kernel
    from shiftsim.montecarlo import wilson

    xnp = compat("numpy")
    risky, server = scenarios()
    line("\n1. Agreement")
    # Same input arrays -> identical outcomes (traffic kernel).
    plan = risky.plan()
    draws = draw_traffic(plan, 100_000 // SCALE, np.random.SeedSequence(0), 0)
    want = run_kernel(plan, draws)
    arrays = TrafficDraws(*(cp.asarray(getattr(draws, k)) for k in TrafficDraws.__slots__))
    got = run_kernel(plan, arrays, xcp).to_numpy()
    bad = [
        k
        for k in KernelOutcomes.__slots__
        if not np.array_equal(getattr(got, k), getattr(want, k), equal_nan=True)
    ]
    check("traffic kernel, same draws on CuPy and numpy", not bad, ", ".join(bad))
    # Same input arrays -> identical window (Server).
    g = np.random.default_rng(1)
    d = np.round(g.uniform(1, 100, size=(20_000, 40)), 1)
    ok = g.random((20_000, 40)) > 0.2
    args = {"unhealthy": 0, "t0": 0.0, "cap": 20, "c2": 20, "base": 0, "minimum": 20}
    a = walk(d, ok, deadline=1e9, xp=xnp, **args)
    b = walk(cp.asarray(d), cp.asarray(ok), deadline=1e9, xp=xcp, **args)
    bad = [k for k in a if not np.array_equal(np.asarray(a[k]), cp.asnumpy(b[k]))]
    check("Server window, same inputs on CuPy and numpy", not bad, ", ".join(bad))
    # From a seed: the rates agree within the CPU's interval.
    runs_cpu = 200_000 // SCALE
    cpu = shiftsim.monte_carlo(risky, runs=runs_cpu, rng=1)
    hits = int(cpu.runs["rolled_back"].sum())
    low, high = wilson(hits, runs_cpu)
    runs_gpu = 10_000_000 // SCALE
    out = run_kernel(plan, draw_xp(plan, runs_gpu, xcp, device_rng(xcp, 7)), xcp)
    rate = float(cp.mean(out.rolled_back.astype(cp.float64)))
    check(
        "Lambda canary rollback rate, GPU draws",
        low <= rate <= high,
        f"GPU {rate:.4f} ({runs_gpu:,} runs) vs CPU {hits / runs_cpu:.4f} [{low:.4f}, {high:.4f}]",
    )
    runs_cpu = 40_000 // SCALE
    cpu = shiftsim.monte_carlo(server, runs=runs_cpu, rng=1)
    hits = int(cpu.runs["rolled_back"].sum())
    low, high = wilson(hits, runs_cpu)
    batch = Batch(compile_plan(server), seed_sequence(1))
    cols = batch.device_summaries(0, 2_000_000 // SCALE, seed=3, xp=xcp)
    rate = float(cols["rolled_back"].mean())
    check(
        "Server rollback rate, GPU draws",
        low <= rate <= high,
        f"GPU {rate:.4f} vs CPU {hits / runs_cpu:.4f} [{low:.4f}, {high:.4f}]",
    )


def canary_figure(cp: Any, xcp: Any) -> None:
    from benchmarks.bench_speed import canary
    from shiftsim._engines.traffic.draws import device_rng, draw_xp
    from shiftsim._engines.traffic.kernel import run_kernel

    line("\n2. 10^8 Canary10Percent5Minutes deployments, 1,000 calls/min, 2-of-3 alarm")
    plan = canary().plan()
    rng = device_rng(xcp, 11)
    t0 = time.perf_counter()
    run_kernel(plan, draw_xp(plan, 100_000, xcp, rng), xcp)
    sync(cp)
    line(f"  first call (compiles CuPy kernels), 10^5 runs: {time.perf_counter() - t0:.2f} s")
    total, block = 100_000_000 // SCALE, 10_000_000 // SCALE
    for label, block_size in (("blocks of 10^7", block), ("blocks of 2.5x10^7", block * 5 // 2)):
        t0 = time.perf_counter()
        rolled = 0
        for lo in range(0, total, block_size):
            size = min(block_size, total - lo)
            out = run_kernel(plan, draw_xp(plan, size, xcp, rng), xcp)
            rolled += int(cp.sum(out.rolled_back))
        sync(cp)
        dt = time.perf_counter() - t0
        line(
            f"  {total:,} runs ({label}): {dt:.2f} s, {total / dt / 1e6:.1f} M runs/s, "
            f"rollback rate {rolled / total:.5f} (target < 3 s)"
        )
        cp.get_default_memory_pool().free_all_blocks()


def server_figure(cp: Any, xcp: Any) -> None:
    from benchmarks.bench_speed import fleet_rollout
    from shiftsim._engines.server.batch import Batch
    from shiftsim._engines.server.plan import compile_plan
    from shiftsim._seeding import seed_sequence

    line("\n3. Server batch, 40 instances HalfAtATime + LB, 5% ApplicationStart fault")
    batch = Batch(compile_plan(fleet_rollout()), seed_sequence(1))
    batch.summaries(0, 4096)
    runs_cpu = 200_000 // SCALE
    t0 = time.perf_counter()
    for lo in range(0, runs_cpu, 4096):
        batch.summaries(lo, min(lo + 4096, runs_cpu))
    cpu_rate = runs_cpu / (time.perf_counter() - t0)
    line(f"  one CPU core: {cpu_rate / 1e3:.1f}k runs/s ({runs_cpu:,} runs, exact draws)")
    t0 = time.perf_counter()
    batch.device_summaries(0, 100_000, seed=1, xp=xcp)
    sync(cp)
    line(f"  GPU first call (compiles), 10^5 runs: {time.perf_counter() - t0:.2f} s")
    for block in (1_000_000 // SCALE, 4_000_000 // SCALE):
        runs = 4 * block
        t0 = time.perf_counter()
        for k in range(4):
            batch.device_summaries(k * block, (k + 1) * block, seed=k, xp=xcp)
        sync(cp)
        rate = runs / (time.perf_counter() - t0)
        line(
            f"  GPU, blocks of {block:,}: {rate / 1e6:.2f} M runs/s ({runs:,} runs): "
            f"{rate / cpu_rate:.0f}x one CPU core (target >= 50x)"
        )
        cp.get_default_memory_pool().free_all_blocks()


def scaling() -> None:
    from benchmarks.bench_speed import scaling as cpu_scaling

    line("\n4. Workers scaling")
    cpu_scaling(QUICK)


def main() -> int:
    cp = gpu_or_exit()
    from shiftsim._xp import compat

    xcp = compat("cupy")
    line(f"array namespace for CuPy: {getattr(xcp, '__name__', xcp)}")
    start = time.perf_counter()
    for part in (agreement, canary_figure, server_figure):
        try:
            part(cp, xcp)
        except Exception as exc:  # keep going: print what failed, then the next figure
            line(f"  {part.__name__} failed: {type(exc).__name__}: {exc}")
    if "--no-scaling" not in sys.argv:
        try:
            scaling()
        except Exception as exc:
            line(f"  scaling failed: {type(exc).__name__}: {exc}")
    line(f"\nTotal {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
