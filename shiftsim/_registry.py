"""The typed seam between the people-facing functions and the platforms.

:func:`shiftsim.simulate`, :func:`shiftsim.start`, :func:`shiftsim.monte_carlo`,
:func:`shiftsim.compare` and :func:`shiftsim.sweep` know no platform: they ask
:func:`platform_for` for the :class:`Platform` registered for the deployment's type and call it.
Each platform (Lambda, ECS, Server) implements the protocol once and registers it with
:func:`register`; ``shiftsim._platforms`` does so for the three built-in ones when ``shiftsim``
is imported.

Adding a platform is: a frozen deployment dataclass, an object with the attributes and methods
of :class:`Platform`, and one ``register(MyDeployment, MyPlatform())`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from shiftsim._checks import invalid
from shiftsim._exposure import DEFAULT_EXPOSURE_MINUTES, check_exposure_minutes
from shiftsim._parallel import check_executor, check_workers, map_blocks, progress_bar

__all__ = [
    "ENGINES",
    "MonteCarloOptions",
    "Platform",
    "platform_for",
    "register",
    "registered",
]

#: The two engines every platform runs on: ``"core"`` (the discrete-event core) and ``"kernel"``
#: (the vectorized numpy kernel).
ENGINES = ("core", "kernel")


@dataclass(frozen=True, slots=True)
class MonteCarloOptions:
    """How :func:`shiftsim.monte_carlo` computes its runs, checked once and passed through.

    Attributes
    ----------
    exposure_minutes : float
        The horizon of the after-end exposure, where it applies (traffic platforms).
    workers : int
        Cores for the fixed blocks of runs.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where to run the blocks instead (``workers`` is then ignored).
    device : {None, "cuda"}
        ``"cuda"``: the array kernels on the GPU, where the platform has them.
    progress : bool
        A progress bar over blocks.

    Examples
    --------
    >>> MonteCarloOptions.checked("monte_carlo", workers=2, device="cpu")
    MonteCarloOptions(exposure_minutes=60.0, workers=2, executor=None, device=None, progress=False)
    """

    exposure_minutes: float = DEFAULT_EXPOSURE_MINUTES
    workers: int = 1
    executor: Any = None
    device: str | None = None
    progress: bool = False

    @classmethod
    def checked(
        cls,
        owner: str,
        *,
        exposure_minutes: object = DEFAULT_EXPOSURE_MINUTES,
        workers: object = None,
        executor: object = None,
        device: object = None,
        progress: bool = False,
    ) -> MonteCarloOptions:
        """The options from what a person passed to ``owner``, or a ConfigError naming the
        field, the value and the rule (``workers=None``: every core; ``device="cpu"``: None)."""
        horizon = check_exposure_minutes(owner, exposure_minutes)
        cores = check_workers(owner, workers)
        where = check_executor(owner, executor)
        if device not in (None, "cpu", "cuda"):
            raise invalid(owner, "device", device, "must be None, 'cpu' or 'cuda'")
        return cls(horizon, cores, where, "cuda" if device == "cuda" else None, progress)

    def map_blocks(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], *, processes: bool = False
    ) -> list[Any]:
        """``[fn(task) for task in tasks]`` over the blocks of runs: on :attr:`executor`, else on
        :attr:`workers` threads (or ``processes``; one on the GPU), in order, with a progress
        bar when :attr:`progress` is set."""
        return map_blocks(
            fn,
            tasks,
            workers=1 if self.device == "cuda" else self.workers,
            executor=self.executor,
            processes=processes,
            progress=(lambda it: progress_bar(it, True, "monte_carlo", total=len(tasks)))
            if self.progress
            else None,
        )


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

    @property
    def release_field(self) -> str | None:
        """The deployment's field holding the :class:`~shiftsim.Version` it ships (``"target"``),
        which a ``releases=`` Version of :func:`shiftsim.compare` replaces; None where a
        release is not a Version (Server: a revision, varied by field paths)."""
        ...

    @property
    def rate_field(self) -> str | None:
        """The deployment's field holding its request rate (the ``requests_per_minute`` axis of
        :func:`shiftsim.sweep`); None where the platform serves no requests."""
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
        options: MonteCarloOptions,
    ) -> Any:
        """``runs`` independent runs on the array kernel, as a Monte Carlo result, computed as
        ``options`` say (:meth:`MonteCarloOptions.map_blocks` runs the blocks)."""
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
