"""Deployment configurations: the predefined catalog, custom ones, schedules and boto3 shapes.

Every expectation comes from ``shared/reference/codedeploy.md``; each test names the primary source
that file cites (``UG:`` CodeDeploy User Guide, ``API:`` CodeDeploy API model, ``SAM:``
aws-sam-translator) and the modelling decision (``D1``...) it follows.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timezone

import pandas as pd
import pytest

from shiftsim import (
    AllAtOnce,
    ConfigError,
    DeploymentConfig,
    MinimumHealthyHosts,
    TimeBasedCanary,
    TimeBasedLinear,
    ZonalConfig,
    get_config,
    predefined_configs,
    traffic_schedule,
)

# UG:deployment-configurations.md (codedeploy.md section 1.2), names confirmed by
# CDK:lambda/deployment-config.ts. Note the singular "Every1Minute".
LAMBDA = {
    "CodeDeployDefault.LambdaCanary10Percent5Minutes": TimeBasedCanary(10, 5),
    "CodeDeployDefault.LambdaCanary10Percent10Minutes": TimeBasedCanary(10, 10),
    "CodeDeployDefault.LambdaCanary10Percent15Minutes": TimeBasedCanary(10, 15),
    "CodeDeployDefault.LambdaCanary10Percent30Minutes": TimeBasedCanary(10, 30),
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": TimeBasedLinear(10, 1),
    "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes": TimeBasedLinear(10, 2),
    "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes": TimeBasedLinear(10, 3),
    "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": TimeBasedLinear(10, 10),
    "CodeDeployDefault.LambdaAllAtOnce": AllAtOnce(),
}
# UG:deployment-configurations.md (codedeploy.md section 1.3). Note the plural "Every1Minutes".
ECS = {
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": TimeBasedLinear(10, 1),
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": TimeBasedLinear(10, 3),
    "CodeDeployDefault.ECSCanary10Percent5Minutes": TimeBasedCanary(10, 5),
    "CodeDeployDefault.ECSCanary10Percent15Minutes": TimeBasedCanary(10, 15),
    "CodeDeployDefault.ECSAllAtOnce": AllAtOnce(),
}
# UG:instances-health.md and API:MinimumHealthyHosts (codedeploy.md section 1.1); OneAtATime is
# MOST_CONCURRENCY 1 as GetDeploymentConfig reports it, never FLEET_PERCENT 99 (D8).
SERVER = {
    "CodeDeployDefault.OneAtATime": MinimumHealthyHosts("MOST_CONCURRENCY", 1),
    "CodeDeployDefault.HalfAtATime": MinimumHealthyHosts("FLEET_PERCENT", 50),
    "CodeDeployDefault.AllAtOnce": MinimumHealthyHosts("HOST_COUNT", 0),
}
# SAM:model/preferences/deployment_preference_collection.py,
# CODEDEPLOY_PREDEFINED_CONFIGURATIONS_LIST
SAM_SHORT_NAMES = (
    "Canary10Percent5Minutes",
    "Canary10Percent10Minutes",
    "Canary10Percent15Minutes",
    "Canary10Percent30Minutes",
    "Linear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes",
    "AllAtOnce",
)


def message_of(call, *args, **kwargs) -> str:
    with pytest.raises(ConfigError) as info:
        call(*args, **kwargs)
    return str(info.value)


# --------------------------------------------------------------------------- the catalog


@pytest.mark.parametrize(("name", "routing"), LAMBDA.items())
def test_lambda_predefined_configs(name, routing):
    """UG:deployment-configurations.md: the nine Lambda configurations by their exact names."""
    config = get_config(name)
    assert config.name == name
    assert config.compute_platform == "Lambda"
    assert config.traffic_routing == routing
    assert config.minimum_healthy_hosts is None
    assert config.is_predefined


@pytest.mark.parametrize(("name", "routing"), ECS.items())
def test_ecs_predefined_configs(name, routing):
    """UG:deployment-configurations.md: the five ECS configurations by their exact names."""
    config = get_config(name)
    assert (config.name, config.compute_platform, config.traffic_routing) == (name, "ECS", routing)
    assert config.minimum_healthy_hosts is None


@pytest.mark.parametrize(("name", "minimum"), SERVER.items())
def test_server_predefined_configs(name, minimum):
    """UG:instances-health.md, API:MinimumHealthyHosts; OneAtATime per D8."""
    config = get_config(name)
    assert (config.name, config.compute_platform) == (name, "Server")
    assert config.minimum_healthy_hosts == minimum
    assert config.traffic_routing is None


def test_predefined_catalog_is_exactly_the_documented_one():
    """UG:deployment-configurations.md: 9 Lambda, 5 ECS and 3 EC2/on-premises configurations."""
    assert {c.name for c in predefined_configs("Lambda")} == set(LAMBDA)
    assert {c.name for c in predefined_configs("ECS")} == set(ECS)
    assert {c.name for c in predefined_configs("Server")} == set(SERVER)
    assert len(predefined_configs()) == 17


@pytest.mark.parametrize("short", SAM_SHORT_NAMES)
def test_sam_short_names_map_to_lambda_configs(short):
    """SAM:deployment_preference_collection.py turns a short name into
    ``CodeDeployDefault.Lambda${ConfigName}`` (codedeploy.md section 1.4)."""
    assert get_config(short) is get_config(f"CodeDeployDefault.Lambda{short}")


def test_sam_all_at_once_is_the_lambda_one_not_the_server_one():
    """SAM maps ``AllAtOnce`` to ``CodeDeployDefault.LambdaAllAtOnce`` (codedeploy.md section 1.4),
    not to the EC2 ``CodeDeployDefault.AllAtOnce``."""
    assert get_config("AllAtOnce").compute_platform == "Lambda"
    assert get_config("CodeDeployDefault.AllAtOnce").compute_platform == "Server"


@pytest.mark.parametrize(
    "typo",
    ["CodeDeployDefault.ECSLinear10PercentEvery1Minute", "ECSLinear10PercentEvery1Minute"],
)
def test_ecs_singular_spelling_suggests_the_plural_name(typo):
    """The ECS name is plural, ``...Every1Minutes``; PRs #1 and #2 of
    aws-samples/aws-codedeploy-linear-canary-deployments-blog fixed exactly this typo
    (codedeploy.md sections 1.3 and 12.2). Typed with or without the prefix, the error must point
    at the ECS configuration first, not at SAM's Lambda short names."""
    message = message_of(get_config, typo)
    assert repr(typo) in message
    assert "did you mean 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'" in message


def test_lambda_plural_spelling_suggests_the_singular_name():
    """The Lambda name is singular, ``...Every1Minute`` (codedeploy.md section 12.2)."""
    message = message_of(get_config, "CodeDeployDefault.LambdaLinear10PercentEvery1Minutes")
    assert "'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'" in message


@pytest.mark.parametrize(
    "missing",
    [
        "CodeDeployDefault.ECSLinear10PercentEvery2Minutes",
        "CodeDeployDefault.ECSLinear10PercentEvery10Minutes",
        "CodeDeployDefault.ECSCanary10Percent10Minutes",
        "CodeDeployDefault.ECSCanary10Percent30Minutes",
    ],
)
def test_ecs_has_no_2_or_10_minute_linear_nor_10_or_30_minute_canary(missing):
    """UG:deployment-configurations.md (codedeploy.md section 1.3)."""
    with pytest.raises(ConfigError):
        get_config(missing)


def test_sam_short_names_exist_only_for_lambda():
    """codedeploy.md section 12.2: SAM short names are Lambda-only, so ``ECSAllAtOnce`` is not a
    name; the error points at the full ECS name."""
    assert "'CodeDeployDefault.ECSAllAtOnce'" in message_of(get_config, "ECSAllAtOnce")


def test_unrelated_name_gets_no_made_up_suggestion():
    message = message_of(get_config, "foo")
    assert "did you mean" not in message
    assert "predefined_configs()" in message


def test_name_lookup_suggests_across_case():
    assert "'CodeDeployDefault.HalfAtATime'" in message_of(
        get_config, "codedeploydefault.halfatatime"
    )


# --------------------------------------------------------------------------- schedules


def schedule(config, **kwargs) -> list[tuple[int, int]]:
    frame = traffic_schedule(config, **kwargs)
    return list(frame.itertuples(index=False, name=None))


def test_canary_10_percent_5_minutes_schedule():
    """UG:deployment-configurations.md: 10% first, "The remaining 90 percent is deployed five
    minutes later" (codedeploy.md section 2.3)."""
    frame = traffic_schedule("CodeDeployDefault.LambdaCanary10Percent5Minutes")
    assert list(frame.columns) == ["minute", "percent"]
    assert schedule("CodeDeployDefault.LambdaCanary10Percent5Minutes") == [(0, 10), (5, 100)]
    assert frame.attrs["allow_traffic_minutes"] == 5


@pytest.mark.parametrize("minutes", [5, 10, 15, 30])
def test_every_lambda_canary_has_two_increments(minutes):
    """API:TimeBasedCanary: exactly two increments, ``canaryInterval`` minutes apart."""
    name = f"CodeDeployDefault.LambdaCanary10Percent{minutes}Minutes"
    assert schedule(name) == [(0, 10), (minutes, 100)]


def test_linear_10_percent_every_1_minute_reaches_100_at_minute_9():
    """D1 (Model A): API:TimeBasedLinear shifts "at the start of each increment", so 10 increments
    at minutes 0..9; UG:limits.md measures shifting "between the first and last traffic shift"."""
    assert schedule("CodeDeployDefault.LambdaLinear10PercentEvery1Minute") == [
        (k, 10 * (k + 1)) for k in range(10)
    ]
    frame = traffic_schedule("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
    assert frame.attrs["allow_traffic_minutes"] == 9


def test_linear_10_percent_every_10_minutes_default_and_interval_after():
    """D1: 100% at minute 90 by default; the documented alternative waits one interval more, so
    the deployment takes 100 minutes as SAMdoc says ("complete in 100 minutes")."""
    name = "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes"
    assert schedule(name)[-1] == (90, 100)
    assert traffic_schedule(name).attrs["allow_traffic_minutes"] == 90
    after = traffic_schedule(name, linear_completion="interval_after")
    assert after.attrs["allow_traffic_minutes"] == 100
    # The option moves the end of AllowTraffic, not the shifts themselves.
    assert schedule(name, linear_completion="interval_after") == schedule(name)


@pytest.mark.parametrize("name", ["Canary10Percent5Minutes", "AllAtOnce"])
def test_interval_after_changes_only_linear_configurations(name):
    """D1's option is about linear shifting; canary and all-at-once timing is unambiguous."""
    default = traffic_schedule(name).attrs["allow_traffic_minutes"]
    assert (
        traffic_schedule(name, linear_completion="interval_after").attrs["allow_traffic_minutes"]
        == default
    )


def test_linear_15_percent_ends_with_a_smaller_step():
    """codedeploy.md section 2.3 [INFERENCE]: 15% steps go 15, 30, ..., 90, then 100."""
    assert schedule(TimeBasedLinear(15, 2)) == [
        (0, 15),
        (2, 30),
        (4, 45),
        (6, 60),
        (8, 75),
        (10, 90),
        (12, 100),
    ]


@pytest.mark.parametrize("percent", range(1, 100))
def test_linear_schedule_shape_for_every_percentage(percent):
    """D1: K = ceil(100/p) equal increments, equally spaced (API:TimeBasedLinear), the last at
    100%."""
    shifts = TimeBasedLinear(percent, 3).shifts()
    assert len(shifts) == math.ceil(100 / percent)
    assert [m for m, _ in shifts] == [3 * k for k in range(len(shifts))]
    assert [p for _, p in shifts[:-1]] == [percent * (k + 1) for k in range(len(shifts) - 1)]
    assert shifts[-1][1] == 100
    percents = [p for _, p in shifts]
    assert percents == sorted(set(percents))


def test_all_at_once_schedule():
    """codedeploy.md section 2.3: AllAtOnce is 100% at t0."""
    assert schedule("CodeDeployDefault.LambdaAllAtOnce") == [(0, 100)]
    assert traffic_schedule(AllAtOnce()).attrs["allow_traffic_minutes"] == 0


def test_traffic_schedule_accepts_config_routing_and_name():
    config = get_config("Linear10PercentEvery3Minutes")
    by_name = traffic_schedule("Linear10PercentEvery3Minutes")
    pd.testing.assert_frame_equal(traffic_schedule(config), by_name)
    pd.testing.assert_frame_equal(traffic_schedule(config.traffic_routing), by_name)
    assert by_name["minute"].dtype.kind == "i"
    assert by_name["percent"].dtype.kind == "i"


def test_server_configuration_has_no_traffic_schedule():
    message = message_of(traffic_schedule, "CodeDeployDefault.HalfAtATime")
    assert "'CodeDeployDefault.HalfAtATime'" in message
    assert "minimum healthy hosts" in message


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize("percent", [1, 50, 99])
def test_step_percentages_1_to_99_are_valid(percent):
    """UG:limits.md: at most 99% in one increment; API percentages are integers."""
    assert TimeBasedCanary(percent, 5).canary_percentage == percent
    assert TimeBasedLinear(percent, 1).linear_percentage == percent


@pytest.mark.parametrize("percent", [0, 100])
def test_step_percentages_outside_1_to_99_are_rejected(percent):
    """UG:limits.md (codedeploy.md section 2.2)."""
    with pytest.raises(ConfigError):
        TimeBasedCanary(percent, 5)
    with pytest.raises(ConfigError):
        TimeBasedLinear(percent, 5)


def test_canary_interval_limit_is_2880_minutes():
    """UG:limits.md: at most 2880 minutes between the first and last traffic shift."""
    assert TimeBasedCanary(10, 2880).shifts()[-1] == (2880, 100)
    with pytest.raises(ConfigError):
        TimeBasedCanary(10, 2881)


@pytest.mark.parametrize(
    ("percent", "interval", "span"),
    [(10, 320, 2880), (1, 29, 2871), (50, 2880, 2880)],
)
def test_linear_span_at_most_2880_minutes_is_valid(percent, interval, span):
    """UG:limits.md: the span from first to last shift, (K - 1) * interval, is what is limited."""
    assert TimeBasedLinear(percent, interval).shifts()[-1][0] == span


@pytest.mark.parametrize(("percent", "interval"), [(10, 321), (1, 30), (25, 961)])
def test_linear_span_over_2880_minutes_is_rejected(percent, interval):
    """UG:limits.md (codedeploy.md section 2.2)."""
    message = message_of(TimeBasedLinear, percent, interval)
    assert "2880" in message
    assert "linear_interval" in message


def test_fleet_percent_must_be_below_100():
    """API:MinimumHealthyHosts: FLEET_PERCENT is below 100 (codedeploy.md section 3.1)."""
    assert MinimumHealthyHosts("FLEET_PERCENT", 99).value == 99
    with pytest.raises(ConfigError):
        MinimumHealthyHosts("FLEET_PERCENT", 100)


def test_host_count_must_not_be_negative():
    assert MinimumHealthyHosts("HOST_COUNT", 0).minimum(10) == 0
    with pytest.raises(ConfigError):
        MinimumHealthyHosts("HOST_COUNT", -1)


@pytest.mark.parametrize(
    ("minimum", "fleet", "expected"),
    [
        # UG:deployment-configurations.md: HalfAtATime with 9 instances needs 5 (rounded up).
        (MinimumHealthyHosts("FLEET_PERCENT", 50), 9, 5),
        (MinimumHealthyHosts("FLEET_PERCENT", 33), 10, 4),
        (MinimumHealthyHosts("FLEET_PERCENT", 30), 10, 3),
        # D8: OneAtATime keeps every instance but one healthy.
        (MinimumHealthyHosts("MOST_CONCURRENCY", 1), 10, 9),
        (MinimumHealthyHosts("MOST_CONCURRENCY", 1), 1, 0),
        (MinimumHealthyHosts("HOST_COUNT", 0), 10, 0),
    ],
)
def test_minimum_healthy_hosts_rounding(minimum, fleet, expected):
    """FLEET_PERCENT rounds up (API:MinimumHealthyHosts, codedeploy.md section 12.4)."""
    assert minimum.minimum(fleet) == expected


def test_configs_are_frozen_and_replace_revalidates():
    """House style: frozen dataclasses changed with ``dataclasses.replace``."""
    canary = TimeBasedCanary(10, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        canary.canary_percentage = 20  # type: ignore[misc]
    assert dataclasses.replace(canary, canary_interval=15).shifts() == ((0, 10), (15, 100))
    with pytest.raises(ConfigError):
        dataclasses.replace(canary, canary_percentage=100)


# --------------------------------------------------------------------------- boto3 shapes


@pytest.mark.parametrize("config", predefined_configs(), ids=lambda c: c.name)
def test_every_predefined_config_round_trips_through_boto(config):
    assert DeploymentConfig.from_boto(config.to_boto()) == config


def test_get_deployment_config_response_for_one_at_a_time():
    """The GetDeploymentConfig sample response (APIdoc-live GetDeploymentConfig; codedeploy.md
    section 1.1): OneAtATime is ``MOST_CONCURRENCY``/1, a type the API will not let you create."""
    response = {
        "deploymentConfigInfo": {
            "deploymentConfigId": "00000000-0000-0000-0000-000000000001",
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
            "minimumHealthyHosts": {"type": "MOST_CONCURRENCY", "value": 1},
            "createTime": datetime(2014, 10, 6, tzinfo=timezone.utc),
            "computePlatform": "Server",
        }
    }
    config = DeploymentConfig.from_boto(response["deploymentConfigInfo"])
    assert config == get_config("CodeDeployDefault.OneAtATime")
    assert config.minimum_healthy_hosts.minimum(4) == 3
    assert config.to_boto() == {
        "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        "computePlatform": "Server",
        "minimumHealthyHosts": {"type": "MOST_CONCURRENCY", "value": 1},
    }


def test_get_deployment_config_response_for_a_lambda_canary():
    """boto3 ``get_deployment_config`` response syntax (API:DeploymentConfigInfo)."""
    info = {
        "deploymentConfigId": "8a4d0a55-1b2c-4d6e-9f00-000000000000",
        "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        "createTime": datetime(2017, 11, 28, tzinfo=timezone.utc),
        "computePlatform": "Lambda",
        "trafficRoutingConfig": {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
        },
    }
    assert DeploymentConfig.from_boto(info) == get_config("Canary10Percent5Minutes")


@pytest.mark.parametrize(
    ("config", "expected_routing"),
    [
        (
            DeploymentConfig("c", "Lambda", traffic_routing=TimeBasedCanary(20, 15)),
            {
                "type": "TimeBasedCanary",
                "timeBasedCanary": {"canaryPercentage": 20, "canaryInterval": 15},
            },
        ),
        (
            DeploymentConfig("l", "ECS", traffic_routing=TimeBasedLinear(15, 2)),
            {
                "type": "TimeBasedLinear",
                "timeBasedLinear": {"linearPercentage": 15, "linearInterval": 2},
            },
        ),
        (
            DeploymentConfig("a", "Lambda", traffic_routing=AllAtOnce()),
            {"type": "AllAtOnce"},
        ),
    ],
)
def test_custom_traffic_routing_to_boto(config, expected_routing):
    """``create_deployment_config`` keyword arguments (API:TrafficRoutingConfig)."""
    out = config.to_boto()
    assert out == {
        "deploymentConfigName": config.name,
        "computePlatform": config.compute_platform,
        "trafficRoutingConfig": expected_routing,
    }
    assert DeploymentConfig.from_boto(out) == config


def test_create_deployment_config_kwargs_default_to_server():
    """API:CreateDeploymentConfigInput: ``computePlatform`` defaults to Server."""
    config = DeploymentConfig.from_boto(
        {"deploymentConfigName": "Two", "minimumHealthyHosts": {"type": "HOST_COUNT", "value": 2}}
    )
    assert config.compute_platform == "Server"
    assert config.minimum_healthy_hosts == MinimumHealthyHosts("HOST_COUNT", 2)


def test_zonal_config_round_trips():
    """API:ZonalConfig (codedeploy.md section 3.3)."""
    config = DeploymentConfig(
        "Zonal",
        "Server",
        minimum_healthy_hosts=MinimumHealthyHosts("FLEET_PERCENT", 75),
        zonal_config=ZonalConfig(
            monitor_duration_in_seconds=900,
            first_zone_monitor_duration_in_seconds=1800,
            minimum_healthy_hosts_per_zone=MinimumHealthyHosts("HOST_COUNT", 1),
        ),
    )
    out = config.to_boto()
    assert out["zonalConfig"] == {
        "monitorDurationInSeconds": 900,
        "firstZoneMonitorDurationInSeconds": 1800,
        "minimumHealthyHostsPerZone": {"type": "HOST_COUNT", "value": 1},
    }
    assert DeploymentConfig.from_boto(out) == config


def test_first_zone_monitor_defaults_to_monitor_duration():
    """API:ZonalConfig: without firstZoneMonitorDurationInSeconds the monitor duration applies."""
    assert ZonalConfig(monitor_duration_in_seconds=600).first_zone_monitor_seconds == 600
    assert ZonalConfig().first_zone_monitor_seconds == 0
