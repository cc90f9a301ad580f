"""The dispatch seam: one registry keyed by deployment type, no duck typing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import shiftsim
from shiftsim import _registry
from shiftsim._registry import MonteCarloOptions, platform_for, register, registered


def test_the_three_platforms_are_registered():
    assert registered()[:3] == (
        shiftsim.LambdaDeployment,
        shiftsim.EcsDeployment,
        shiftsim.ServerDeployment,
    )
    assert platform_for(shiftsim.LambdaDeployment("AllAtOnce")).name == "Lambda"
    assert platform_for(shiftsim.EcsDeployment("CodeDeployDefault.ECSAllAtOnce")).name == "ECS"
    assert platform_for(shiftsim.ServerDeployment("CodeDeployDefault.AllAtOnce")).name == "Server"


@pytest.mark.parametrize(
    "call",
    [
        lambda d: shiftsim.simulate(d, rng=1),
        lambda d: shiftsim.start(d, rng=1),
        lambda d: shiftsim.monte_carlo(d, runs=2, rng=1),
        lambda d: shiftsim.compare([d], runs=2, rng=1),
        lambda d: shiftsim.sweep(d, {"x": [1]}, runs=2, rng=1),
    ],
    ids=["simulate", "start", "monte_carlo", "compare", "sweep"],
)
def test_every_entry_point_names_the_type_and_the_supported_ones(call):
    with pytest.raises(
        TypeError, match=r"LambdaDeployment, EcsDeployment or ServerDeployment; got dict"
    ):
        call({"config": "AllAtOnce"})


def test_a_look_alike_is_not_a_deployment():
    """Dispatch is by type, never by attributes (no hasattr duck typing)."""

    class LooksLikeOne:
        def plan(self) -> None: ...

        def notification_context(self) -> None: ...

    with pytest.raises(TypeError, match="got LooksLikeOne"):
        shiftsim.simulate(LooksLikeOne(), rng=1)


def test_a_subclass_runs_as_its_registered_base():
    @dataclass(frozen=True, slots=True)
    class Mine(shiftsim.LambdaDeployment):
        pass

    run = shiftsim.simulate(Mine("AllAtOnce"), rng=3)
    base = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=3)
    assert run.status == "Succeeded"
    assert run.deployment_id != base.deployment_id  # IDs are unique per scenario (issue 11)
    columns = [c for c in run.events.columns if c != "deployment_id"]
    assert run.events[columns].equals(base.events[columns])


def test_a_new_platform_plugs_in_with_one_register_call(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_registry, "_PLATFORMS", dict(_registry._PLATFORMS))

    @dataclass(frozen=True)
    class Toy:
        size: int

    class ToyPlatform:
        name = "Toy"
        release_field = None
        rate_field = None

        def simulate(self, deployment: Any, *, rng: Any, engine: str, on_notification: Any):
            assert isinstance(rng, np.random.SeedSequence)
            return ("run", deployment.size, engine)

        def start(self, deployment: Any, *, rng: Any):
            return ("stepper", deployment.size)

        def monte_carlo(self, deployment: Any, *, runs: int, rng: Any, options: Any):
            assert isinstance(options, MonteCarloOptions)
            return ("mc", runs, options.workers)

        def replay(self, deployment: Any, *, rng: Any, runs: int, index: int):
            return ("replay", index)

    register(Toy, ToyPlatform())
    assert shiftsim.simulate(Toy(2), rng=0, engine="kernel") == ("run", 2, "kernel")
    assert shiftsim.start(Toy(2), rng=0) == ("stepper", 2)
    assert shiftsim.monte_carlo(Toy(2), runs=5, rng=0, workers=3) == ("mc", 5, 3)
    with pytest.raises(TypeError, match=r"or Toy; got int"):
        platform_for(3)


def test_register_wants_a_class():
    with pytest.raises(TypeError, match="must be a class"):
        register("LambdaDeployment", platform_for(shiftsim.LambdaDeployment("AllAtOnce")))  # type: ignore[arg-type]
