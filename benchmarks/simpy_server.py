"""A SimPy model of the same in-place rollout, for the core-vs-SimPy benchmark.

Written as a SimPy user would write it: one process per instance, started in CodeDeploy's order
(D13), each taking an in-flight slot from a ``simpy.Resource`` (capacity ``N - minimum``) and,
for a healthy instance, one unit of the healthy budget (a ``simpy.Container`` holding
``healthy - minimum``), then running its lifecycle as one timeout and giving both back (a
success returns a unit of budget, as it adds a healthy instance; a failure does not).

It consumes the same compiled pass and the same draws as shiftsim's event core (each
instance's lifecycle time from :func:`shiftsim._engines.server.timeline.pass_timeline`), so both
must give every instance the same start time; ``bench_server.py`` checks this before timing. It
leaves out what the rollout in the benchmark does not need (failing the deployment early, alarms,
stops).
"""

from __future__ import annotations

import numpy as np
import simpy

from shiftsim._engines.server.plan import PassPlan
from shiftsim._engines.server.timeline import Timeline


def run_simpy(plan: PassPlan, timeline: Timeline, order: np.ndarray) -> np.ndarray:
    """Start time of every instance of the pass (pass-local order), in seconds."""
    env = simpy.Environment()
    n = plan.n
    slots = simpy.Resource(env, capacity=max(plan.cap, 1))
    budget_size = int(plan.healthy.sum()) + plan.base_healthy - plan.minimum
    budget = simpy.Container(env, init=max(budget_size, 0), capacity=max(n + plan.base_healthy, 1))
    rel_end = timeline.rel_end.tolist()
    ok = timeline.ok.tolist()
    healthy = plan.healthy.tolist()
    start = np.full(n, np.nan)

    def instance(i: int):
        with slots.request() as slot:
            yield slot
            if healthy[i]:
                yield budget.get(1)
            start[i] = env.now
            yield env.timeout(rel_end[i])
            if ok[i]:
                yield budget.put(1)

    for i in order.tolist():
        env.process(instance(i))
    env.run()
    return start
