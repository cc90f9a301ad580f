"""Server kernel benchmark: the vectorized window against the event core, 1,000 to 1,000,000
instances.

Run with ``.venv/bin/python benchmarks/bench_server_kernel.py`` (``--million`` adds the
1,000,000-instance rollout; for its peak memory run
``/usr/bin/time -v .venv/bin/python benchmarks/bench_server_kernel.py --only-million``).
Prints seconds and ratios measured in one run; nothing here is asserted.

The rollout is bench_server.py's: HalfAtATime behind a load balancer, 13 lifecycle events per
instance, one lognormal script in each hookable event. Two comparisons:

* the window walk alone, on identical compiled inputs: ``run_window`` (event core) against
  ``window_kernel`` (the vectorized window), which must agree on every start time;
* the whole ``simulate_server`` call on either engine (compile, draw, lifecycle timings, walk,
  result), which includes the work both engines share.
"""

from __future__ import annotations

import gc
import sys
import time

import numpy as np

from shiftsim._engines.server.core import run_window
from shiftsim._engines.server.kernel import window_kernel
from shiftsim._engines.server.plan import compile_plan
from shiftsim._engines.server.runner import in_place_inputs
from shiftsim._seeding import seed_sequence
from shiftsim.server import simulate_server

try:
    from bench_server import SEED, scenario
except ImportError:  # run from the repo root
    from benchmarks.bench_server import SEED, scenario


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def million() -> None:
    n = 1_000_000
    deployment = scenario(n)
    start = time.perf_counter()
    run = simulate_server(deployment, rng=SEED, engine="kernel")
    elapsed = time.perf_counter() - start
    frame = run.instances
    print(
        f"1,000,000-instance HalfAtATime rollout on the kernel: {elapsed:.2f} s "
        f"({run.status}; instances table {len(frame):,} rows built in "
        f"{time.perf_counter() - start - elapsed:.2f} s more)"
    )


def main(argv: list[str]) -> int:
    if "--only-million" in argv:
        million()
        return 0
    print(
        f"{'instances':>10} {'window core s':>14} {'window kernel s':>16} {'ratio':>7} "
        f"{'simulate core s':>16} {'simulate kernel s':>18} {'ratio':>7}"
    )
    for n in (1_000, 10_000, 100_000):
        deployment = scenario(n)
        inputs = in_place_inputs(compile_plan(deployment), seed_sequence(SEED))
        args = (
            inputs.plan,
            inputs.draws,
            inputs.timeline,
            inputs.order,
            0.0,
            inputs.deadline,
            inputs.deadline_code,
        )
        t_core, core = best_of(3, lambda a=args: run_window(*a))
        t_kernel, kernel = best_of(3, lambda a=args: window_kernel(*a))
        assert np.array_equal(core.start, kernel.start)
        s_core, _ = best_of(2, lambda d=deployment: simulate_server(d, rng=SEED))
        s_kernel, _ = best_of(2, lambda d=deployment: simulate_server(d, rng=SEED, engine="kernel"))
        print(
            f"{n:>10,} {t_core:>14.4f} {t_kernel:>16.4f} {t_core / t_kernel:>6.0f}x "
            f"{s_core:>16.3f} {s_kernel:>18.3f} {s_core / s_kernel:>6.1f}x"
        )
    if "--million" in argv:
        million()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
