"""One Lambda or ECS run: compile the plan, draw its row, run the event core (or the kernel).

Shared by :func:`shiftsim.simulate`, :class:`shiftsim.Stepper`, ``run_ecs`` and the Monte Carlo
replay, so all of them see the same plan, the same draws and the same deployment IDs for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from shiftsim._engines.traffic.core import Trace, TrafficSimulation
from shiftsim._engines.traffic.draws import CHUNK, TrafficDraws, draw_traffic
from shiftsim._engines.traffic.kernel import outcome_of, run_kernel
from shiftsim._engines.traffic.plan import TrafficPlan
from shiftsim._seeding import deployment_id, entropy_of, scenario_key
from shiftsim.results import TrafficRun

__all__ = [
    "TrafficSetup",
    "replay_with_kernel",
    "run_ids",
    "run_traffic_deployment",
    "setup_traffic_run",
]


@dataclass(frozen=True, slots=True, eq=False)
class TrafficSetup:
    """Everything one traffic-shifting run needs before it runs: plan, draws, IDs, names."""

    deployment: Any
    plan: TrafficPlan
    draws: TrafficDraws
    deployment_id: str
    rollback_id: str
    seed_entropy: Any
    index: int

    def simulation(self) -> TrafficSimulation:
        """A fresh steppable run on the event core."""
        return TrafficSimulation(self.plan, self.draws, deployment_id=self.deployment_id)

    def result(self, trace: Trace) -> TrafficRun:
        """The run record of a finished trace."""
        return TrafficRun(
            self.plan,
            trace,
            self.draws,
            self.deployment_id,
            self.rollback_id if trace.outcome.rolled_back else None,
            self.deployment.notification_context(),
            self.seed_entropy,
            self.index,
            self.deployment,
        )


def setup_traffic_run(
    deployment: Any, seq: np.random.SeedSequence, *, runs: int = 1, index: int = 0
) -> TrafficSetup:
    """Run ``index`` of a set of ``runs`` runs seeded by ``seq``, ready to simulate."""
    plan = deployment.plan()
    chunk, offset = divmod(index, CHUNK)
    size = min(CHUNK, runs - chunk * CHUNK)
    draws = draw_traffic(plan, size, seq, chunk).row(offset)
    ids = run_ids(seq, index, deployment)
    return TrafficSetup(deployment, plan, draws, ids[0], ids[1], entropy_of(seq), index)


def run_traffic_deployment(
    deployment: Any, seq: np.random.SeedSequence, *, runs: int, index: int
) -> TrafficRun:
    """Run ``index`` of a set of ``runs`` runs seeded by ``seq``, on the event core."""
    setup = setup_traffic_run(deployment, seq, runs=runs, index=index)
    simulation = setup.simulation()
    simulation.advance()
    return setup.result(simulation.trace())


def replay_with_kernel(deployment: Any, seq: np.random.SeedSequence) -> TrafficRun:
    """``simulate(deployment, engine="kernel")`` for Lambda and ECS.

    The kernel decides the outcome; the event log and timeline are the core's reconstruction of
    the same draws (the kernel keeps no per-event record). The two must agree, and
    :class:`RuntimeError` is raised if they ever do not.
    """
    run = run_traffic_deployment(deployment, seq, runs=1, index=0)
    outcome = outcome_of(run_kernel(run.plan, run.draws), 0)
    if outcome != run.outcome:  # an internal invariant, tested; never expected to fire
        raise RuntimeError(f"engines disagree: kernel {outcome} vs core {run.outcome}")
    return replace(run, trace=run.trace._replace(outcome=outcome))


def run_ids(seq: np.random.SeedSequence, index: int, scenario: Any = None) -> tuple[str, str]:
    """The deployment and rollback IDs of run ``index``: unique per scenario and seed."""
    key: tuple[object, ...] = (entropy_of(seq), tuple(seq.spawn_key), index)
    if scenario is not None:
        key = (*key, scenario_key(scenario))
    return deployment_id(*key, "deployment"), deployment_id(*key, "rollback")
