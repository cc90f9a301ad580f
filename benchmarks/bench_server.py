"""Server benchmark: in-place rollouts of 1,000, 10,000 and 100,000 instances on the event core,
next to a SimPy model of the same rollout (``simpy_server.py``).

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_server.py`` (add ``--quick`` to skip
the 100,000-instance SimPy run, which takes minutes). Prints seconds, instances per second and
the ratio measured in one run; nothing here is asserted.

The rollout: ``CodeDeployDefault.HalfAtATime`` behind a load balancer (13 lifecycle events per
instance), one script in each of the 9 hookable events with a lognormal duration (median 20 s),
no faults. Half the fleet is in flight at once, so both engines keep ``N / 2`` timers in a binary
heap and the cost per instance grows with ``log N`` (and the heap's cache footprint); a second
table shows the event core on OneAtATime (one timer), where the cost per instance is flat.

Timed for shiftsim: the whole ``simulate_server`` call (compile the scenario, draw, compute
every instance's lifecycle, walk the window on the event core). Timed for SimPy: only its
simulation, given the same compiled pass and the same draws (so SimPy is spared the rest).
"""

from __future__ import annotations

import gc
import sys
import time
from dataclasses import replace

import numpy as np

from shiftsim._server_model.lifecycle import HOOKABLE_EVENTS
from shiftsim.fleet import Fleet
from shiftsim.server import Duration, Script, ServerDeployment, simulate_server

try:
    from simpy_server import run_simpy
except ImportError:  # run from the repo root
    from benchmarks.simpy_server import run_simpy

SIZES = (1_000, 10_000, 100_000)
SEED = 20_260_101


def scenario(n: int) -> ServerDeployment:
    hooks = {e: [Script(f"scripts/{e}.sh", Duration.lognormal(20, 0.5))] for e in HOOKABLE_EVENTS}
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime", fleet=Fleet.of_size(n), load_balancer=True, hooks=hooks
    )


def timed(fn):
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, out = timed(fn)
    for _ in range(repeat - 1):
        t, out = timed(fn)
        best = min(best, t)
    return best, out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    print("in-place HalfAtATime rollout, 13 lifecycle events per instance, no faults")
    print(
        f"{'instances':>10} {'core s':>9} {'core inst/s':>12} {'us/inst':>8} {'SimPy s':>9} "
        f"{'SimPy inst/s':>13} {'SimPy/core':>11}"
    )
    for n in SIZES:
        deployment = scenario(n)
        core_s, run = best_of(
            3 if n < 100_000 else 2, lambda d=deployment: simulate_server(d, rng=SEED)
        )
        rec = run.records[0].passes[0]
        assert run.status == "Succeeded"
        if quick and n >= 100_000:
            print(
                f"{n:>10,} {core_s:>9.3f} {n / core_s:>12,.0f} {core_s / n * 1e6:>8.2f} "
                f"{'skipped':>9}"
            )
            continue
        simpy_s, starts = timed(lambda r=rec: run_simpy(r.plan, r.timeline, r.order))
        # Same plan, same draws: SimPy and the event core must start every instance together.
        assert np.allclose(starts, rec.start), "SimPy and the event core disagree"
        print(
            f"{n:>10,} {core_s:>9.3f} {n / core_s:>12,.0f} {core_s / n * 1e6:>8.2f} "
            f"{simpy_s:>9.3f} {n / simpy_s:>13,.0f} {simpy_s / core_s:>10.1f}x"
        )
    print("\nevent core alone, OneAtATime (one instance in flight)")
    print(f"{'instances':>10} {'core s':>9} {'core inst/s':>12} {'us/inst':>8}")
    for n in SIZES:
        # One instance at a time takes about 11 minutes each here: CodeDeploy's 12-hour limit
        # (D15) would stop the rollout after ~65 instances, so it is lifted to time them all.
        one = replace(
            scenario(n), config="CodeDeployDefault.OneAtATime", max_run_time_minutes=10**9
        )
        core_s, run = best_of(2, lambda d=one: simulate_server(d, rng=SEED))
        assert run.status == "Succeeded", run.status
        print(f"{n:>10,} {core_s:>9.3f} {n / core_s:>12,.0f} {core_s / n * 1e6:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
