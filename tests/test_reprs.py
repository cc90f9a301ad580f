"""What Jupyter shows: every public configuration, deployment and result has a short one-line
``__repr__`` and an ``_repr_html_`` with its essentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import shiftsim
from shiftsim.ecs import EcsDeployment
from shiftsim.fleet import Fleet
from shiftsim.scenario import parse_scenario
from shiftsim.server import ServerDeployment, simulate_server

#: Longest acceptable repr: one line that fits a notebook cell's width.
SHORT = 160

LAMBDA = shiftsim.LambdaDeployment(
    "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    invocations_per_minute=600,
    target=shiftsim.Version("2", error_rate=0.2),
    alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)],
)
ECS = EcsDeployment("CodeDeployDefault.ECSLinear10PercentEvery1Minutes")
SERVER = ServerDeployment("CodeDeployDefault.HalfAtATime", fleet=Fleet.of_size(4))

#: name -> (how to build it, text its HTML must show)
OBJECTS: dict[str, tuple[Callable[[], Any], str]] = {
    "DeploymentConfig (Lambda)": (
        lambda: shiftsim.get_config("CodeDeployDefault.LambdaLinear10PercentEvery1Minute"),
        "100% at 9 min",
    ),
    "DeploymentConfig (Server)": (
        lambda: shiftsim.get_config("CodeDeployDefault.OneAtATime"),
        "MOST_CONCURRENCY 1",
    ),
    "LambdaDeployment": (lambda: LAMBDA, "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
    "EcsDeployment": (lambda: ECS, "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"),
    "ServerDeployment": (lambda: SERVER, "HalfAtATime"),
    "Fleet": (lambda: Fleet.of_size(3), "Auto Scaling groups"),
    "TrafficRun": (lambda: shiftsim.simulate(LAMBDA, rng=7), "ALARM_ACTIVE"),
    "EcsRun": (lambda: shiftsim.simulate(ECS, rng=1), "Succeeded"),
    "ServerRun": (lambda: simulate_server(SERVER, rng=1), "Succeeded"),
    "MonteCarloResult": (lambda: shiftsim.monte_carlo(LAMBDA, runs=200, rng=1), "rollback_rate"),
    "AppSpec": (lambda: shiftsim.load_appspec("version: 0.0\nos: linux\n"), "linux"),
    "Scenario": (
        lambda: parse_scenario("platform: Lambda\nconfig: AllAtOnce\nseed: 3\n"),
        "CodeDeployDefault.LambdaAllAtOnce",
    ),
}


@pytest.mark.parametrize("name", list(OBJECTS))
def test_short_repr_and_html(name: str) -> None:
    build, essential = OBJECTS[name]
    obj = build()
    text = repr(obj)
    assert "\n" not in text and len(text) <= SHORT, text
    html = obj._repr_html_()
    assert isinstance(html, str) and "<table" in html
    assert essential in html


def test_traffic_run_repr_pluralises_its_counts() -> None:
    deployment = shiftsim.LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        invocations_per_minute=600,
        target=shiftsim.Version("2", error_rate=0.005),
        alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=1)],
    )
    run = shiftsim.simulate(deployment, rng=3)
    assert run.summary()["target_errors"] == 1
    assert repr(run).endswith("invocations, 1 error>")
