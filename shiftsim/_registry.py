"""The typed seam between the people-facing functions and the platforms.

:func:`shiftsim.simulate`, :func:`shiftsim.start`, :func:`shiftsim.monte_carlo`,
:func:`shiftsim.compare` and :func:`shiftsim.sweep` know no platform: they ask
:func:`platform_for` for the :class:`Platform` registered for the deployment's type and call it.
Each platform (Lambda, ECS, Server) implements the protocol once and registers it with
:func:`register`; ``shiftsim._platforms`` does so for the three built-in ones when ``shiftsim``
is imported.

Adding a platform is: a frozen deployment dataclass, an object with the four methods below, and
one ``register(MyDeployment, MyPlatform())`` call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

__all__ = ["Platform", "platform_for", "register", "registered"]


class Platform(Protocol):
    """What one deployment type provides to the people-facing functions.

    Every method takes the deployment and a :class:`numpy.random.SeedSequence` already made from
    the user's ``rng=`` (so each platform seeds the same way); arguments are checked by the
    caller.
    """

    @property
    def name(self) -> str:
        """The compute platform's name, as CodeDeploy spells it (``"Lambda"``...)."""
        ...

    def simulate(
        self,
        deployment: Any,
        *,
        rng: np.random.SeedSequence,
        engine: str,
        on_notification: Callable[[Any], None] | None,
    ) -> Any:
        """One run on ``engine`` (``"core"`` or ``"kernel"``), notifications delivered in order."""
        ...

    def start(self, deployment: Any, *, rng: np.random.SeedSequence) -> Any:
        """A stepper at minute 0 whose ``finish()`` is the run :meth:`simulate` returns."""
        ...

    def monte_carlo(
        self,
        deployment: Any,
        *,
        runs: int,
        rng: np.random.SeedSequence,
        progress: bool,
        exposure_minutes: float,
    ) -> Any:
        """``runs`` independent runs on the array kernel, as a Monte Carlo result
        (``exposure_minutes``: the horizon of the after-end exposure, where it applies)."""
        ...

    def replay(self, deployment: Any, *, rng: np.random.SeedSequence, runs: int, index: int) -> Any:
        """Run ``index`` of :meth:`monte_carlo`'s ``runs`` runs, in full, on the event core."""
        ...


_PLATFORMS: dict[type, Platform] = {}


def register(deployment_type: type, platform: Platform) -> None:
    """Make ``platform`` the one that runs deployments of exactly ``deployment_type``.

    Examples
    --------
    >>> import shiftsim
    >>> platform = platform_for(shiftsim.LambdaDeployment("AllAtOnce"))
    >>> register(shiftsim.LambdaDeployment, platform)  # registering again replaces it
    >>> platform.name
    'Lambda'
    """
    if not isinstance(deployment_type, type):
        raise TypeError(f"register: deployment_type must be a class; got {deployment_type!r}.")
    _PLATFORMS[deployment_type] = platform


def registered() -> tuple[type, ...]:
    """The deployment types with a platform, in registration order."""
    return tuple(_PLATFORMS)


def platform_for(deployment: object, *, caller: str = "shiftsim") -> Platform:
    """The platform registered for ``type(deployment)`` (or its nearest registered base).

    Raises
    ------
    TypeError
        Naming the type given and the supported ones, when nothing is registered for it.

    Examples
    --------
    >>> import shiftsim
    >>> platform_for(shiftsim.EcsDeployment("CodeDeployDefault.ECSAllAtOnce")).name
    'ECS'
    >>> platform_for("LambdaAllAtOnce", caller="simulate")
    Traceback (most recent call last):
    ...
    TypeError: simulate: deployment must be a LambdaDeployment, ... or ServerDeployment; got str.
    """
    for cls in type(deployment).__mro__:  # a subclass runs as its registered base
        platform = _PLATFORMS.get(cls)
        if platform is not None:
            return platform
    names = [t.__name__ for t in _PLATFORMS]
    supported = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    raise TypeError(
        f"{caller}: deployment must be a {supported or 'registered deployment type'}; "
        f"got {type(deployment).__name__}."
    )
