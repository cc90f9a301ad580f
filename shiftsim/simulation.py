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

from collections.abc import Callable
from typing import Any

from shiftsim._checks import check_choice
from shiftsim._registry import ENGINES, platform_for
from shiftsim._seeding import RngLike, seed_sequence
from shiftsim.notifications import Notification

__all__ = ["ENGINES", "simulate"]


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
    platform = platform_for(deployment, caller="simulate")
    return platform.simulate(
        deployment, rng=seed_sequence(rng), engine=engine, on_notification=on_notification
    )
