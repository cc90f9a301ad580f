"""The built-in platforms (Lambda, ECS, Server), registered with :mod:`shiftsim._registry`.

``shiftsim/__init__.py`` imports this module once, which registers the three platforms; the
people-facing functions (:func:`shiftsim.simulate`, :func:`shiftsim.start`,
:func:`shiftsim.monte_carlo`, :func:`shiftsim.compare`, :func:`shiftsim.sweep`) find them through
:func:`shiftsim._registry.platform_for` and never import a platform themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._registry import MonteCarloOptions, register
from shiftsim._server_monte_carlo import server_monte_carlo
from shiftsim._traffic_run import replay_with_kernel, run_traffic_deployment
from shiftsim.ecs import EcsDeployment, EcsRun
from shiftsim.lambda_ import LambdaDeployment
from shiftsim.montecarlo import traffic_monte_carlo
from shiftsim.notifications import Notification
from shiftsim.results import TrafficRun
from shiftsim.server import ServerDeployment, ServerStepper, simulate_server
from shiftsim.stepping import Stepper

__all__ = ["SERVER", "ServerPlatform", "TrafficPlatform"]

Listener = Callable[[Notification], None] | None


def _same(deployment: Any, run: TrafficRun) -> TrafficRun:
    return run


def _deliver(run: Any, on_notification: Listener) -> None:
    if on_notification is not None:
        for note in run.notifications:
            on_notification(note)


@dataclass(frozen=True, slots=True)
class TrafficPlatform:
    """Lambda or ECS: one plan, one block of draws, the event core or the run-vectorized kernel.

    ``rate_field`` names the deployment's request rate (Lambda: ``invocations_per_minute``);
    ``record`` turns the shared traffic run into the platform's run (ECS adds its task sets).
    """

    name: str
    rate_field: str
    record: Callable[[Any, TrafficRun], Any] = _same
    release_field: str = "target"

    def simulate(
        self,
        deployment: Any,
        *,
        rng: np.random.SeedSequence,
        engine: str,
        on_notification: Listener,
    ) -> Any:
        if engine == "kernel":
            run = replay_with_kernel(deployment, rng)
        else:
            run = run_traffic_deployment(deployment, rng, runs=1, index=0)
        run = self.record(deployment, run)
        _deliver(run, on_notification)
        return run

    def start(self, deployment: Any, *, rng: np.random.SeedSequence) -> Stepper:
        return Stepper(deployment, rng)

    def monte_carlo(
        self,
        deployment: Any,
        *,
        runs: int,
        rng: np.random.SeedSequence,
        options: MonteCarloOptions,
    ) -> Any:
        return traffic_monte_carlo(deployment, runs, rng, options)

    def replay(self, deployment: Any, *, rng: np.random.SeedSequence, runs: int, index: int) -> Any:
        run = run_traffic_deployment(deployment, rng, runs=runs, index=index)
        return self.record(deployment, run)


@dataclass(frozen=True, slots=True)
class ServerPlatform:
    """EC2/on-premises: the Server engines, vectorized over instances.

    A release is a revision (varied by field paths, not a Version) and there is no request rate.
    """

    name: str = "Server"
    release_field: None = None
    rate_field: None = None

    def simulate(
        self,
        deployment: Any,
        *,
        rng: np.random.SeedSequence,
        engine: str,
        on_notification: Listener,
    ) -> Any:
        run = simulate_server(deployment, rng=rng, engine=engine)
        _deliver(run, on_notification)
        return run

    def start(self, deployment: Any, *, rng: np.random.SeedSequence) -> ServerStepper:
        return ServerStepper(deployment, rng)

    def monte_carlo(
        self,
        deployment: Any,
        *,
        runs: int,
        rng: np.random.SeedSequence,
        options: MonteCarloOptions,
    ) -> Any:
        # A revision on instances has no per-request exposure: the horizon does not apply.
        return server_monte_carlo(deployment, runs, rng, options)

    def replay(self, deployment: Any, *, rng: np.random.SeedSequence, runs: int, index: int) -> Any:
        return simulate_server(
            deployment, rng=np.random.SeedSequence(rng.entropy, spawn_key=(*rng.spawn_key, index))
        )


#: The Server platform (one instance: it has no parameters).
SERVER = ServerPlatform()

register(LambdaDeployment, TrafficPlatform("Lambda", "invocations_per_minute"))
register(EcsDeployment, TrafficPlatform("ECS", "requests_per_minute", EcsRun.from_traffic_run))
register(ServerDeployment, SERVER)
