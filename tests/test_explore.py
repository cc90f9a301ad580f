"""The interactive explorer, exercised headless: widgets built, values changed as a user
would, the run and the figure checked after each change."""

from __future__ import annotations

import doctest
from collections.abc import Iterator

import matplotlib.pyplot as plt
import pytest

import shiftsim
from shiftsim import explore as explore_module
from shiftsim.errors import ConfigError
from shiftsim.explore import explore

pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def titles(view: explore_module.Explorer) -> list[str]:
    return [ax.get_title() for ax in view.figure.axes]


def test_module_doctests() -> None:
    result = doctest.testmod(explore_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow
def test_controls_drive_the_run_and_the_figure() -> None:
    view = explore(rng=3)
    assert set(view.controls) == {
        "config",
        "invocations_per_minute",
        "error_rate",
        "metric",
        "threshold",
        "evaluation_periods",
        "datapoints_to_alarm",
        "treat_missing_data",
        "seed",
    }
    view.controls["error_rate"].value = 0.0
    assert view.run.status == "Succeeded"
    assert "Lambda deployment: Succeeded" in titles(view)
    assert "Succeeded" in view.summary.value
    view.controls["error_rate"].value = 0.3
    assert view.run.status == "Stopped" and view.run.rolled_back
    assert "Lambda deployment: Stopped (ALARM_ACTIVE), rolled back" in titles(view)
    # The alarm panel follows the alarm's fields.
    view.controls["metric"].value = "ErrorRate"
    view.controls["threshold"].value = 50.0
    assert view.deployment.alarms[0].metric == "ErrorRate"
    assert view.figure.axes[1].get_ylabel().endswith("ErrorRate")
    assert view.run.status == "Succeeded"  # 30% never breaches 50%
    view.controls["config"].value = "CodeDeployDefault.LambdaAllAtOnce"
    assert view.deployment.deployment_config.name == "CodeDeployDefault.LambdaAllAtOnce"


@pytest.mark.slow
def test_m_never_exceeds_n_and_the_seed_replays() -> None:
    view = explore()
    view.controls["evaluation_periods"].value = 4
    view.controls["datapoints_to_alarm"].value = 3
    assert view.deployment.alarms[0].m == 3
    view.controls["evaluation_periods"].value = 2
    assert view.controls["datapoints_to_alarm"].max == 2
    assert view.deployment.alarms[0].m <= 2
    view.controls["seed"].value = 11
    assert view.run.outcome == shiftsim.simulate(view.deployment, rng=11).outcome


def test_starts_from_a_given_deployment_and_refuses_others() -> None:
    deployment = shiftsim.LambdaDeployment(
        "Linear10PercentEvery1Minute",
        invocations_per_minute=100,
        target=shiftsim.Version("2", error_rate=0.1),
        alarms=[shiftsim.Alarm("rate", metric="ErrorRate", threshold=5, evaluation_periods=3)],
    )
    view = explore(deployment, rng=1)
    assert view.controls["config"].value == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    assert view.controls["metric"].value == "ErrorRate"
    assert view.controls["invocations_per_minute"].value == 100
    with pytest.raises(ConfigError, match="must be a LambdaDeployment or an EcsDeployment"):
        explore("not a deployment")
    with pytest.raises(ConfigError, match="rng must be an integer seed"):
        explore(rng=-1)


def test_ecs_rate_control_reads_and_sets_requests_per_minute() -> None:
    # ECS names its rate requests_per_minute (Lambda: invocations_per_minute); the rate control
    # is keyed, read and written by the deployment's own field (its platform's rate_field).
    deployment = shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes", requests_per_minute=1200
    )
    view = explore(deployment)
    assert "invocations_per_minute" not in view.controls
    rate = view.controls["requests_per_minute"]
    assert rate.value == 1200 and rate.description == "requests per minute"
    rate.value = 2500
    assert view.deployment.requests_per_minute == 2500
    assert view.run.plan.platform == "ECS"
    assert view.controls["config"].value == "CodeDeployDefault.ECSCanary10Percent5Minutes"


def test_rate_control_starts_at_the_first_minute_of_a_per_minute_rate() -> None:
    deployment = shiftsim.LambdaDeployment("AllAtOnce", invocations_per_minute=[400, 900])
    view = explore(deployment)
    assert view.controls["invocations_per_minute"].value == 400
