"""shiftsim.strategies: every example is accepted and simulates, failures shrink to the simplest
case, and properties of shiftsim itself checked with its own strategies."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Found

import shiftsim
from shiftsim import ConfigError, EcsDeployment, LambdaDeployment, traffic_schedule
from shiftsim.appspec import load_appspec
from shiftsim.configs import MAX_SHIFTING_MINUTES
from shiftsim.fleet import Fleet
from shiftsim.server import Script, ServerDeployment
from shiftsim.strategies import (
    InvalidConfig,
    alarms,
    appspecs,
    deployment_configs,
    ecs_deployments,
    faults,
    fleets,
    hooks,
    invalid_deployment_configs,
    lambda_deployments,
    server_deployments,
    versions,
)

seeds = st.integers(0, 2**32 - 1)
# Hypothesis searches over whole deployments: seconds per test.
pytestmark = pytest.mark.slow

TERMINAL = {"Succeeded", "Failed", "Stopped"}
short_lambda = lambda_deployments(configs=deployment_configs("Lambda", max_interval=10))
short_ecs = ecs_deployments(configs=deployment_configs("ECS", max_interval=10))


def minimal(strategy: st.SearchStrategy[Any]) -> Any:
    """The example Hypothesis shrinks a failure to when every example fails."""
    seen: list[Any] = []

    # No explain phase: it re-runs the test to annotate the report, which is all we skip.
    @settings(
        database=None,
        max_examples=5,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def fails(value: Any) -> None:
        seen.append(value)
        raise Found

    with pytest.raises(Found):
        fails()
    return seen[-1]


# ------------------------------------------------------------------ only what shiftsim accepts


@pytest.mark.parametrize("platform", [None, "Lambda", "ECS", "Server"])
@given(data=st.data())
def test_configs_build_deployments_that_simulate(platform: str | None, data: st.DataObject) -> None:
    config = data.draw(deployment_configs(platform, max_interval=30))
    assert platform in (None, config.compute_platform)
    if config.compute_platform == "Lambda":
        run = shiftsim.simulate(LambdaDeployment(config), rng=0)
    elif config.compute_platform == "ECS":
        run = shiftsim.simulate(EcsDeployment(config), rng=0)
    else:
        fleet = data.draw(fleets(0, 6))
        run = shiftsim.simulate(ServerDeployment(config, fleet=fleet), rng=0)
    assert run.status in TERMINAL


@given(deployment_configs(max_interval=MAX_SHIFTING_MINUTES, custom=True))
def test_custom_configs_respect_the_48_hour_limit(config: shiftsim.DeploymentConfig) -> None:
    # UG:limits.md: at most 2880 minutes between the first and last traffic shift.
    if config.traffic_routing is not None:
        assert config.traffic_routing.shifts()[-1][0] <= MAX_SHIFTING_MINUTES


@given(deployment_configs(custom=False))
def test_predefined_only(config: shiftsim.DeploymentConfig) -> None:
    assert config.is_predefined


@given(invalid_deployment_configs())
def test_invalid_configs_raise_config_error(bad: InvalidConfig) -> None:
    with pytest.raises(ConfigError):
        bad()


@given(alarms(), seeds)
def test_alarms_are_evaluated_by_the_traffic_engines(alarm: shiftsim.Alarm, seed: int) -> None:
    deployment = LambdaDeployment("Linear10PercentEvery1Minute", alarms=[alarm])
    assert shiftsim.simulate(deployment, rng=seed).status in TERMINAL


@given(versions(bad=True))
def test_bad_releases_fail_at_least_5_percent_at_some_point(version: shiftsim.Version) -> None:
    assert version.error_profile.bounds()[1] >= 0.05


@given(versions(bad=False))
def test_healthy_versions_fail_at_most_1_percent(version: shiftsim.Version) -> None:
    assert version.error_profile.bounds()[1] <= 0.01


@given(hooks("NoResponse"))
def test_silent_hooks_time_out(hook: shiftsim.Hook) -> None:
    assert hook.times_out and hook.end_time(0.0) == 3600.0


@given(short_lambda, seeds)
def test_lambda_deployments_simulate(deployment: LambdaDeployment, seed: int) -> None:
    assert shiftsim.simulate(deployment, rng=seed).status in TERMINAL


@given(short_ecs, seeds)
def test_ecs_deployments_simulate(deployment: EcsDeployment, seed: int) -> None:
    assert shiftsim.simulate(deployment, rng=seed).status in TERMINAL


@settings(max_examples=25)
@given(server_deployments(), seeds)
def test_server_deployments_simulate(deployment: ServerDeployment, seed: int) -> None:
    assert shiftsim.simulate(deployment, rng=seed).status in TERMINAL


@given(st.integers(0, 8).flatmap(lambda n: st.tuples(st.just(n), fleets(n, n + 4))))
def test_fleets_stay_in_bounds(args: tuple[int, Fleet]) -> None:
    low, fleet = args
    assert low <= len(fleet) <= low + 4


@given(fleet=fleets(1, 6, conditions=True), load_balancer=st.booleans(), data=st.data())
def test_faults_are_accepted_by_server_deployments(
    fleet: Fleet, load_balancer: bool, data: st.DataObject
) -> None:
    scripts = {"ApplicationStart": [Script("start.sh", 5)], "ApplicationStop": [Script("stop.sh")]}
    found = data.draw(faults(fleet, hooks=scripts, load_balancer=load_balancer))
    deployment = ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=fleet,
        hooks=scripts,
        faults=found,
        load_balancer=load_balancer,
    )
    assert shiftsim.simulate(deployment, rng=0).status in TERMINAL


@pytest.mark.parametrize("platform", ["Server", "Lambda", "ECS"])
@given(data=st.data())
def test_appspecs_load_cleanly(platform: str, data: st.DataObject) -> None:
    document = data.draw(appspecs(platform))
    spec = load_appspec(document)
    assert spec.platform == platform
    assert spec.warnings == ()
    assert load_appspec(spec.to_dict()) == spec


def test_appspec_forms() -> None:
    assert isinstance(minimal(appspecs("Lambda", form="dict")), dict)
    text = minimal(appspecs("Lambda", form="yaml"))
    assert isinstance(text, str) and isinstance(yaml.safe_load(text), dict)
    assert isinstance(json.loads(str(minimal(appspecs("ECS", form="json")))), dict)


def test_arguments_are_checked() -> None:
    with pytest.raises(ConfigError, match="did you mean 'Lambda'"):
        deployment_configs("lambda")
    with pytest.raises(ConfigError, match="max_interval"):
        deployment_configs("ECS", max_interval=0)
    with pytest.raises(ConfigError, match="metrics"):
        alarms(metrics=("Latency",))
    with pytest.raises(ConfigError, match="max_size"):
        fleets(3, 2)
    with pytest.raises(ConfigError, match="form"):
        appspecs(form="toml")


# ------------------------------------------------------------------ shrinking


def test_failures_shrink_to_the_simplest_case() -> None:
    assert minimal(deployment_configs()) == shiftsim.get_config("CodeDeployDefault.LambdaAllAtOnce")
    assert minimal(deployment_configs("ECS")).name == "CodeDeployDefault.ECSAllAtOnce"
    assert minimal(deployment_configs("Server")).name == "CodeDeployDefault.AllAtOnce"
    assert minimal(alarms()) == shiftsim.Alarm("errors")
    assert minimal(versions("2")) == shiftsim.Version("2")
    assert minimal(lambda_deployments()) == LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")
    assert minimal(ecs_deployments()) == EcsDeployment("CodeDeployDefault.ECSAllAtOnce")
    fleet = minimal(fleets(2, 9))
    assert isinstance(fleet, Fleet) and len(fleet) == 2 and all(i.healthy for i in fleet)
    server = minimal(server_deployments())
    assert isinstance(server, ServerDeployment)
    assert (len(server.fleet), server.faults, server.hooks, server.alarms) == (1, (), {}, ())
    assert minimal(faults(Fleet.of_size(3))) == []
    assert minimal(appspecs("Server", form="dict")) == {"version": 0.0, "os": "linux"}


# ------------------------------------------------------------------ shiftsim's own properties


@given(deployment_configs(max_interval=60))
def test_traffic_schedules_only_move_forward(config: shiftsim.DeploymentConfig) -> None:
    if config.traffic_routing is None:
        minimum = config.minimum_healthy_hosts
        assert minimum is not None
        assert all(0 <= minimum.minimum(n) <= max(n, minimum.value) for n in range(0, 50))
        return
    frame = traffic_schedule(config)
    assert frame["minute"].is_monotonic_increasing
    assert frame["percent"].is_monotonic_increasing
    assert frame["percent"].iloc[-1] == 100


@given(short_lambda | short_ecs, seeds)
def test_final_weight_follows_the_outcome(deployment: Any, seed: int) -> None:
    run = shiftsim.simulate(deployment, rng=seed)
    weights = [p for _, p in getattr(run, "run", run).trace.weights]
    assert all(0 <= p <= 100 for p in weights)
    if run.status == "Succeeded":
        assert run.outcome.final_percent == 100
    if run.rolled_back:
        assert run.outcome.final_percent == 0 and run.status in ("Failed", "Stopped")


@given(short_lambda, seeds)
def test_rollbacks_happen_only_when_the_group_asks_for_them(
    deployment: LambdaDeployment, seed: int
) -> None:
    run = shiftsim.simulate(deployment, rng=seed)
    if not run.rolled_back:
        return
    event = {
        "HOOK_EXECUTION_FAILURE": "DEPLOYMENT_FAILURE",
        "ALARM_ACTIVE": "DEPLOYMENT_STOP_ON_ALARM",
        "MANUAL_STOP": "DEPLOYMENT_STOP_ON_REQUEST",
    }[run.error_code]
    if event == "DEPLOYMENT_STOP_ON_REQUEST" and deployment.manual_stop is not None:
        assert deployment.manual_stop.rolls_back(deployment.auto_rollback)
    else:
        assert deployment.auto_rollback.rolls_back(event)


@settings(max_examples=20)
@given(short_lambda | short_ecs, seeds)
def test_core_and_kernel_agree(deployment: Any, seed: int) -> None:
    core = shiftsim.simulate(deployment, rng=seed)
    kernel = shiftsim.simulate(deployment, rng=seed, engine="kernel")
    assert core.outcome == kernel.outcome


@given(short_lambda, seeds)
def test_same_seed_same_run(deployment: LambdaDeployment, seed: int) -> None:
    a, b = shiftsim.simulate(deployment, rng=seed), shiftsim.simulate(deployment, rng=seed)
    assert a.trace == b.trace and a.deployment_id == b.deployment_id


# ------------------------------------------------------------------ rngs (issue 11)


def test_rngs_are_numpy_generators_that_say_how_to_replay_them() -> None:
    import numpy as np

    from shiftsim.strategies import default_rng, rngs

    rng = default_rng(42)
    assert isinstance(rng, np.random.Generator)
    assert repr(rng) == "numpy.random.default_rng(42)"
    assert rng.integers(0, 10**9) == np.random.default_rng(42).integers(0, 10**9)
    seen: list[int] = []

    @settings(max_examples=10, deadline=None, database=None)
    @given(rngs())
    def draw(r: np.random.Generator) -> None:
        seen.append(int(r.integers(0, 10**9)))

    draw()
    assert len(seen) >= 2
