"""The dispatch seam: one registry keyed by deployment type, no duck typing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import shiftsim
from shiftsim import _registry
from shiftsim._registry import MonteCarloOptions, platform_for, register, registered
from shiftsim.decision import apply_axis
from shiftsim.errors import ConfigError
from shiftsim.montecarlo import _as_release


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


def test_compare_and_sweep_read_a_platforms_fields_from_its_registration(
    monkeypatch: pytest.MonkeyPatch,
):
    """The release a Version replaces and the rate ``requests_per_minute`` names are the
    platform's ``release_field`` and ``rate_field``, found by type, never by attribute."""
    monkeypatch.setattr(_registry, "_PLATFORMS", dict(_registry._PLATFORMS))

    @dataclass(frozen=True)
    class Toy:
        build: shiftsim.Version
        rps: float = 1.0
        target: float = 0.0  # a look-alike field: not the release

    class ToyPlatform:
        name = "Toy"
        release_field = "build"
        rate_field = "rps"

    register(Toy, ToyPlatform())  # type: ignore[arg-type]
    toy = Toy(shiftsim.Version("2"))
    assert apply_axis(toy, "error_rate", 0.25) == Toy(shiftsim.Version("2", error_rate=0.25))
    assert apply_axis(toy, "requests_per_minute", 9.0).rps == 9.0
    assert _as_release("compare", toy, shiftsim.Version("3")).build.name == "3"


def test_a_server_release_is_a_mapping_and_it_has_no_rate():
    server = shiftsim.ServerDeployment("CodeDeployDefault.AllAtOnce")
    with pytest.raises(ConfigError, match=r"compare\.releases must be mappings of field -> value"):
        shiftsim.compare([server], releases={"bad": shiftsim.Version()}, runs=2, rng=1)
    with pytest.raises(ConfigError, match="ServerDeployment has no field 'requests_per_minute'"):
        shiftsim.sweep(server, {"requests_per_minute": [1.0]}, runs=2, rng=1)
    with pytest.raises(ConfigError, match="ServerDeployment has no field 'error_rate'"):
        shiftsim.sweep(server, {"error_rate": [0.1]}, runs=2, rng=1)
    ecs = shiftsim.EcsDeployment("CodeDeployDefault.ECSAllAtOnce")
    assert apply_axis(ecs, "requests_per_minute", 50.0).requests_per_minute == 50.0
    assert apply_axis(ecs, "error_rate", 0.5).target.error_rate == 0.5


def test_a_threshold_axis_needs_alarms(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_registry, "_PLATFORMS", dict(_registry._PLATFORMS))

    @dataclass(frozen=True)
    class Quiet:
        size: int = 1

    class QuietPlatform:
        name = "Quiet"
        release_field = None
        rate_field = None

    register(Quiet, QuietPlatform())  # type: ignore[arg-type]
    with pytest.raises(
        ConfigError, match=r"'threshold': Quiet has no field 'alarms' \(fields: size\)"
    ):
        apply_axis(Quiet(), "threshold", 1.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 0}, r"sweep\.workers must be a positive integer"),
        ({"device": "tpu"}, r"sweep\.device must be None, 'cpu' or 'cuda'; got 'tpu'"),
        ({"exposure_minutes": -1}, r"sweep\.exposure_minutes must be"),
    ],
)
def test_monte_carlo_options_are_checked_once_naming_the_caller(options, message):
    with pytest.raises(ConfigError, match=message):
        MonteCarloOptions.checked("sweep", **options)
    assert MonteCarloOptions.checked("sweep", workers=2, device="cpu") == MonteCarloOptions(
        workers=2
    )
