"""``simulate``: run one deployment on the event core (or the vectorized kernel).

Examples
--------
>>> import shiftsim
>>> deployment = shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")
>>> run = shiftsim.simulate(deployment, rng=1)
>>> run.status
'Succeeded'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._checks import check_choice
from shiftsim._seeding import RngLike, deployment_id, entropy_of, scenario_key, seed_sequence
from shiftsim._shifting import Trace, TrafficSimulation
from shiftsim.draws import CHUNK, TrafficDraws, draw_traffic
from shiftsim.notifications import Notification
from shiftsim.plan import TrafficPlan
from shiftsim.results import TrafficRun

__all__ = ["simulate"]

ENGINES = ("core", "kernel")


def simulate(
    deployment: Any,
    *,
    rng: RngLike = None,
    engine: str = "core",
    on_notification: Callable[[Notification], None] | None = None,
) -> Any:
    """Simulate one deployment and return its run.

    Parameters
    ----------
    deployment : LambdaDeployment, EcsDeployment or ServerDeployment
    rng : None, int, SeedSequence or Generator
        The seed (SPEC 7). The same deployment and seed give the same run on either engine.
    engine : {"core", "kernel"}
        ``"core"``: the pure-Python discrete-event core. ``"kernel"``: the vectorized numpy
        kernel, for huge fleets.
    on_notification : callable, optional
        Called with each :class:`~shiftsim.notifications.Notification` (SNS trigger message or
        EventBridge event) in time order, as a subscriber would receive them.

    Returns
    -------
    TrafficRun or ServerRun

    Examples
    --------
    >>> import shiftsim
    >>> seen = []
    >>> deployment = shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")
    >>> run = shiftsim.simulate(deployment, rng=1, on_notification=lambda n: seen.append(n.event))
    >>> seen
    ['DeploymentStart', 'DeploymentStart', 'DeploymentSuccess', 'DeploymentSuccess']
    """
    check_choice("simulate", "engine", engine, ENGINES)
    seq = seed_sequence(rng)
    if (
        hasattr(deployment, "plan")
        and callable(deployment.plan)
        and hasattr(deployment, "notification_context")
    ):
        if engine == "kernel":
            from shiftsim.kernel import replay_with_kernel

            run = replay_with_kernel(deployment, seq)
        else:
            run = run_traffic_deployment(deployment, seq, runs=1, index=0)
        run = platform_run(deployment, run)
    else:
        server = importlib.import_module("shiftsim.server")
        if not isinstance(deployment, server.ServerDeployment):
            raise TypeError(
                "simulate: deployment must be a LambdaDeployment, EcsDeployment or "
                f"ServerDeployment; got {type(deployment).__name__}."
            )
        run = server.simulate_server(deployment, seq, engine=engine)
    if on_notification is not None:
        for note in run.notifications:
            on_notification(note)
    return run


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


def platform_run(deployment: Any, run: TrafficRun) -> Any:
    """ECS runs carry their task sets on top of the shared traffic run."""
    from shiftsim.ecs import EcsDeployment, EcsRun

    if isinstance(deployment, EcsDeployment):
        return EcsRun.from_traffic_run(deployment, run)
    return run


def run_ids(seq: np.random.SeedSequence, index: int, scenario: Any = None) -> tuple[str, str]:
    key: tuple[object, ...] = (entropy_of(seq), tuple(seq.spawn_key), index)
    if scenario is not None:  # unique per scenario and seed (issue 11)
        key = (*key, scenario_key(scenario))
    return deployment_id(*key, "deployment"), deployment_id(*key, "rollback")
