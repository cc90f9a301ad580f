"""Simulate an EC2/on-premises deployment: :func:`simulate_server`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shiftsim._checks import check_choice
from shiftsim._engines.server.plan import compile_plan
from shiftsim._engines.server.runner import ENGINES, Runner
from shiftsim._seeding import RngLike, entropy_of, scenario_key, seed_sequence
from shiftsim._server_model.deployment import ServerDeployment
from shiftsim.notifications import Notification
from shiftsim.server.run import ServerRun

__all__ = ["replay_with_actions", "simulate_server"]


def simulate_server(
    deployment: ServerDeployment,
    *,
    rng: RngLike = None,
    engine: str = "core",
    on_notification: Callable[[Notification], None] | None = None,
) -> ServerRun:
    """Simulate an EC2/on-premises deployment.

    Parameters
    ----------
    deployment : ServerDeployment
    rng : None, int, SeedSequence or Generator
        The seed, as everywhere in shiftsim (``numpy.random.default_rng`` accepts it).
    engine : {"core", "kernel"}
        ``"kernel"`` walks each pass's minimum-healthy-hosts window on arrays instead of event
        by event: the same run, for huge fleets. Zonal passes are walked zone by zone; a pass
        with instances that stop mid-deployment is walked by the event core's window.
    on_notification : callable, optional
        Called with each notification (SNS and EventBridge) in time order.

    Examples
    --------
    >>> from shiftsim.fleet import Fleet
    >>> run = simulate_server(ServerDeployment("CodeDeployDefault.OneAtATime",
    ...                                        fleet=Fleet.of_size(3)), rng=7)
    >>> run.status, run.summary()["succeeded"]
    ('Succeeded', 3)
    """
    if not isinstance(deployment, ServerDeployment):
        raise TypeError(
            f"simulate_server: deployment must be a ServerDeployment; got "
            f"{type(deployment).__name__}."
        )
    check_choice("simulate_server", "engine", engine, tuple(ENGINES))
    run = replay_with_actions(deployment, deployment, seed_sequence(rng), engine)
    if on_notification is not None:
        for note in run.notifications:
            on_notification(note)
    return run


def replay_with_actions(
    original: ServerDeployment,
    deployment: ServerDeployment,
    seq: np.random.SeedSequence,
    engine: str = "core",
) -> ServerRun:
    """The run of ``deployment`` (``original`` plus an operator's actions: stops, alarm states,
    scale events) under ``original``'s deployment IDs, as a stepped deployment keeps its ID."""
    plan = compile_plan(deployment)
    runner = Runner(plan, seq, engine, scenario_key(original)).run()
    return ServerRun(
        deployment,
        plan,
        tuple(runner.deployments),
        entropy_of(seq),
        deployment.notification_context(),
        runner.health,
        runner.last_install,
        runner.revision,
    )
