"""Bad input: every invalid configuration, alarm or deployment parameter raises a
:class:`ShiftsimError` that is also a :class:`ValueError`, and its message names the field, shows
the value (its ``repr``) and states the rule (house style, STYLE.md "Errors")."""

from __future__ import annotations

import pytest

import shiftsim
from shiftsim import (
    Alarm,
    AllAtOnce,
    AppSpecError,
    AutoRollback,
    ConfigError,
    DeploymentConfig,
    Hook,
    LambdaDeployment,
    LambdaHooks,
    ManualStop,
    MinimumHealthyHosts,
    Profile,
    ShiftsimError,
    TimeBasedCanary,
    TimeBasedLinear,
    UnsupportedScenarioError,
    Version,
    ZonalConfig,
    get_config,
    predefined_configs,
    simulate,
    traffic_schedule,
)

CANARY = "Canary10Percent5Minutes"


def alarms(count: int) -> list[Alarm]:
    return [Alarm(f"alarm-{i}") for i in range(count)]


# (call, field as named in the message, value as shown, words of the rule)
CASES = [
    # TimeBasedCanary / TimeBasedLinear: UG:limits.md, API:TimeBasedCanary/TimeBasedLinear
    (
        lambda: TimeBasedCanary(True, 5),
        "TimeBasedCanary.canary_percentage",
        "True",
        "must be an integer in [1, 99]",
    ),
    (lambda: TimeBasedCanary(0, 5), "TimeBasedCanary.canary_percentage", "0", "[1, 99]"),
    (lambda: TimeBasedCanary(100, 5), "TimeBasedCanary.canary_percentage", "100", "[1, 99]"),
    (
        lambda: TimeBasedCanary(10.5, 5),
        "TimeBasedCanary.canary_percentage",
        "10.5",
        "must be an integer",
    ),
    (lambda: TimeBasedCanary(10, 2881), "TimeBasedCanary.canary_interval", "2881", "[1, 2880]"),
    (lambda: TimeBasedCanary(10, 0), "TimeBasedCanary.canary_interval", "0", "[1, 2880]"),
    (
        lambda: TimeBasedCanary(10, 1.5),
        "TimeBasedCanary.canary_interval",
        "1.5",
        "must be an integer",
    ),
    (lambda: TimeBasedLinear(150, 1), "TimeBasedLinear.linear_percentage", "150", "[1, 99]"),
    (
        lambda: TimeBasedLinear(10, "1"),
        "TimeBasedLinear.linear_interval",
        "'1'",
        "must be an integer",
    ),
    (lambda: TimeBasedLinear(10, 321), "linear_interval", "321", "at most 2880 minutes"),
    # MinimumHealthyHosts, ZonalConfig: API:MinimumHealthyHosts, API:ZonalConfig
    (
        lambda: MinimumHealthyHosts("FLEET_PERCENT", 100),
        "MinimumHealthyHosts.value",
        "100",
        "[0, 99]",
    ),
    (lambda: MinimumHealthyHosts("HOST_COUNT", -1), "MinimumHealthyHosts.value", "-1", ">= 0"),
    (lambda: MinimumHealthyHosts("MOST_CONCURRENCY", 0), "MinimumHealthyHosts.value", "0", ">= 1"),
    (
        lambda: MinimumHealthyHosts("FLEET", 50),
        "MinimumHealthyHosts.type",
        "'FLEET'",
        "must be one of 'HOST_COUNT', 'FLEET_PERCENT', 'MOST_CONCURRENCY'",
    ),
    (
        lambda: ZonalConfig(minimum_healthy_hosts_per_zone=None),
        "ZonalConfig.minimum_healthy_hosts_per_zone",
        "None",
        "must be a MinimumHealthyHosts",
    ),
    (
        lambda: DeploymentConfig.from_boto(
            {
                "deploymentConfigName": "z",
                "minimumHealthyHosts": {"type": "HOST_COUNT", "value": 1},
                "zonalConfig": {"minimumHealthyHostsPerZone": 50},
            }
        ),
        "zonalConfig.minimumHealthyHostsPerZone",
        "50",
        "must be a mapping",
    ),
    (
        lambda: ZonalConfig(monitor_duration_in_seconds=-5),
        "ZonalConfig.monitor_duration_in_seconds",
        "-5",
        ">= 0",
    ),
    (
        lambda: ZonalConfig(
            minimum_healthy_hosts_per_zone=MinimumHealthyHosts("MOST_CONCURRENCY", 1)
        ),
        "ZonalConfig.minimum_healthy_hosts_per_zone.type",
        "'MOST_CONCURRENCY'",
        "must be one of 'HOST_COUNT', 'FLEET_PERCENT'",
    ),
    # DeploymentConfig
    (
        lambda: DeploymentConfig("", "Lambda", AllAtOnce()),
        "DeploymentConfig.name",
        "''",
        "non-empty string",
    ),
    (
        lambda: DeploymentConfig("x", "Lamda", AllAtOnce()),
        "DeploymentConfig.compute_platform",
        "'Lamda'",
        "must be one of 'Lambda', 'ECS', 'Server'",
    ),
    (
        lambda: DeploymentConfig("x", "Lambda"),
        "DeploymentConfig.traffic_routing",
        "None",
        "must be TimeBasedCanary, TimeBasedLinear or AllAtOnce",
    ),
    (
        lambda: DeploymentConfig("x", "Server", AllAtOnce(), MinimumHealthyHosts("HOST_COUNT", 1)),
        "DeploymentConfig.traffic_routing",
        "AllAtOnce()",
        "must be None for the Server",
    ),
    (
        lambda: DeploymentConfig("x", "Server"),
        "DeploymentConfig.minimum_healthy_hosts",
        "None",
        "must be a MinimumHealthyHosts",
    ),
    (
        lambda: DeploymentConfig("x", "ECS", AllAtOnce(), MinimumHealthyHosts("HOST_COUNT", 1)),
        "DeploymentConfig.minimum_healthy_hosts",
        "MinimumHealthyHosts(type='HOST_COUNT', value=1)",
        "must be None for the ECS",
    ),
    (
        lambda: DeploymentConfig.from_boto(
            {
                "deploymentConfigName": "x",
                "computePlatform": "Lambda",
                "trafficRoutingConfig": {"type": "TimeBasedFlexible"},
            }
        ),
        "trafficRoutingConfig.type",
        "'TimeBasedFlexible'",
        "must be one of 'TimeBasedCanary', 'TimeBasedLinear', 'AllAtOnce'",
    ),
    (
        lambda: DeploymentConfig.from_boto(
            {
                "deploymentConfigName": "x",
                "computePlatform": "Lambda",
                "trafficRoutingConfig": {"type": "TimeBasedCanary"},
            }
        ),
        "trafficRoutingConfig.timeBasedCanary",
        "None",
        "must be a mapping",
    ),
    (
        lambda: DeploymentConfig.from_boto(["not", "a", "mapping"]),
        "info",
        "['not', 'a', 'mapping']",
        "must be a mapping",
    ),
    # Names and schedules
    (
        lambda: get_config("CodeDeployDefault.ECSLinear10PercentEvery1Minute"),
        "get_config",
        "'CodeDeployDefault.ECSLinear10PercentEvery1Minute'",
        "is not a predefined CodeDeploy configuration",
    ),
    (lambda: get_config(42), "name", "42", "must be a string"),
    (
        lambda: predefined_configs("Fargate"),
        "compute_platform",
        "'Fargate'",
        "must be one of 'Lambda', 'ECS', 'Server'",
    ),
    (
        lambda: traffic_schedule(CANARY, linear_completion="after"),
        "linear_completion",
        "'after'",
        "must be one of 'last_shift', 'interval_after'",
    ),
    # Alarm: CW-API PutMetricAlarm, API:Alarm (cloudwatch-alarms.md section 1.1)
    (lambda: Alarm(""), "Alarm.name", "''", "1 to 255 characters"),
    (
        lambda: Alarm("a", metric="Latency"),
        "Alarm.metric",
        "'Latency'",
        "must be one of 'Errors', 'Invocations', 'Throttles', 'Duration', 'ErrorRate'",
    ),
    (
        lambda: Alarm("a", period=45),
        "Alarm.period",
        "45",
        "must be 10, 20, 30 or a multiple of 60 seconds",
    ),
    (lambda: Alarm("a", period=0), "Alarm.period", "0", ">= 1"),
    (lambda: Alarm("a", period=True), "Alarm.period", "True", "must be an integer"),
    (lambda: Alarm("a", evaluation_periods=0), "Alarm.evaluation_periods", "0", ">= 1"),
    (
        lambda: Alarm("a", evaluation_periods=3, datapoints_to_alarm=4),
        "Alarm.datapoints_to_alarm",
        "4",
        "[1, 3]",
    ),
    (lambda: Alarm("a", datapoints_to_alarm=0), "Alarm.datapoints_to_alarm", "0", "[1, 1]"),
    (
        lambda: Alarm("a", evaluation_periods=1441),
        "Alarm.evaluation_periods",
        "1441",
        "must not exceed 86400 s",
    ),
    (
        lambda: Alarm("a", statistic="Median"),
        "Alarm.statistic",
        "'Median'",
        "must be Sum, Average, SampleCount, Minimum, Maximum or a percentile",
    ),
    (
        lambda: Alarm("a", metric="Errors", statistic="p99"),
        "Alarm.statistic",
        "'p99'",
        "percentiles apply to the Duration metric only",
    ),
    (
        lambda: Alarm("a", metric="Duration", statistic="p101"),
        "Alarm.statistic",
        "'p101'",
        "percentile",
    ),
    (lambda: Alarm("a", threshold=float("nan")), "Alarm.threshold", "nan", "must be a number"),
    (lambda: Alarm("a", threshold=float("inf")), "Alarm.threshold", "inf", "finite"),
    (lambda: Alarm("a", threshold=True), "Alarm.threshold", "True", "must be a number"),
    (
        lambda: Alarm("a", comparison_operator="GreaterThan"),
        "Alarm.comparison_operator",
        "'GreaterThan'",
        "did you mean 'GreaterThanThreshold'",
    ),
    (
        lambda: Alarm("a", treat_missing_data="notbreaching"),
        "Alarm.treat_missing_data",
        "'notbreaching'",
        "did you mean 'notBreaching'",
    ),
    (
        lambda: Alarm("a", version="new"),
        "Alarm.version",
        "'new'",
        "must be one of 'target', 'alias'",
    ),
    (
        lambda: Alarm("a", initial_state="PENDING"),
        "Alarm.initial_state",
        "'PENDING'",
        "must be one of 'OK', 'ALARM', 'INSUFFICIENT_DATA'",
    ),
    (lambda: Alarm("a").evaluate([1.0], "STOPPED"), "state", "'STOPPED'", "must be one of"),
    # Traffic: Profile, Version, Hook
    (
        lambda: Profile(((2, 0.1), (1, 0.2))),
        "Profile.points[1].minute",
        "1",
        "must not be earlier than the previous point",
    ),
    (lambda: Profile(()), "Profile.points", "()", "non-empty sequence"),
    (
        lambda: Profile.burst(5, 4, 0.5),
        "Profile.burst.end_minute",
        "4",
        "must not be before start_minute",
    ),
    (lambda: Version("$LATEST"), "Version.name", "'$LATEST'", "must be a published version"),
    (lambda: Version("2", error_rate=1.5), "Version.error_rate", "1.5", "[0, 1]"),
    (
        lambda: Version("2", error_rate=Profile.ramp(0, 5, 0.0, 1.2)),
        "Version.error_rate",
        "Profile(",
        "must stay within [0, 1]",
    ),
    (lambda: Version("2", throttle_rate=-0.1), "Version.throttle_rate", "-0.1", "[0, 1]"),
    (lambda: Version("2", duration_ms=0), "Version.duration_ms", "0", "> 0"),
    (lambda: Hook(duration=-1), "Hook.duration", "-1", ">= 0"),
    (
        lambda: Hook(outcome="Timeout"),
        "Hook.outcome",
        "'Timeout'",
        "must be one of 'Succeeded', 'Failed', 'NoResponse'",
    ),
    (lambda: Hook(function_name=""), "Hook.function_name", "''", "non-empty string"),
    (
        lambda: LambdaHooks(before_allow_traffic="CodeDeployHook_pre"),
        "LambdaHooks.before_allow_traffic",
        "'CodeDeployHook_pre'",
        "must be a Hook or None",
    ),
    # Rollback: API:AutoRollbackConfiguration, API:StopDeploymentInput
    (
        lambda: AutoRollback(enabled=True, events=()),
        "AutoRollback.events",
        "()",
        "must name at least one event when enabled is True",
    ),
    (
        lambda: AutoRollback(events=("DEPLOYMENT_STOP_ON_ALARMS",)),
        "AutoRollback.events",
        "'DEPLOYMENT_STOP_ON_ALARMS'",
        "did you mean 'DEPLOYMENT_STOP_ON_ALARM'",
    ),
    (
        lambda: AutoRollback(events=("DEPLOYMENT_FAILURE", "DEPLOYMENT_FAILURE")),
        "AutoRollback.events",
        "('DEPLOYMENT_FAILURE', 'DEPLOYMENT_FAILURE')",
        "must not repeat an event",
    ),
    (
        lambda: AutoRollback(events="DEPLOYMENT_FAILURE"),
        "AutoRollback.events",
        "'DEPLOYMENT_FAILURE'",
        "must be a tuple of rollback event names",
    ),
    (lambda: AutoRollback(enabled="yes"), "AutoRollback.enabled", "'yes'", "must be True or False"),
    (lambda: ManualStop(-1), "ManualStop.at_minute", "-1", ">= 0"),
    (
        lambda: ManualStop(3, auto_rollback_enabled=1),
        "ManualStop.auto_rollback_enabled",
        "1",
        "must be True, False or None",
    ),
    # LambdaDeployment
    (
        lambda: LambdaDeployment(CANARY, alarms=alarms(11)),
        "LambdaDeployment.alarms",
        "11",
        "at most 10 alarms",
    ),
    (
        lambda: LambdaDeployment(CANARY, alarms=[Alarm("errors"), Alarm("errors", threshold=5)]),
        "LambdaDeployment.alarms",
        "['errors']",
        "must have unique names",
    ),
    (
        lambda: LambdaDeployment(CANARY, alarms=["errors"]),
        "LambdaDeployment.alarms[0]",
        "'errors'",
        "must be an Alarm",
    ),
    (
        lambda: LambdaDeployment(CANARY, current=Version("3"), target=Version("3")),
        "LambdaDeployment.target.name",
        "'3'",
        "must differ from current.name",
    ),
    (
        lambda: LambdaDeployment(CANARY, target="2"),
        "LambdaDeployment.target",
        "'2'",
        "must be a Version",
    ),
    (
        lambda: LambdaDeployment(CANARY, invocations_per_minute=-1),
        "LambdaDeployment.invocations_per_minute",
        "-1",
        "in [0, 1e+09]",
    ),
    (
        lambda: LambdaDeployment(CANARY, invocations_per_minute=True),
        "LambdaDeployment.invocations_per_minute",
        "True",
        "must be a number",
    ),
    (
        lambda: LambdaDeployment(CANARY, invocations_per_minute=[100, -5]),
        "LambdaDeployment.invocations_per_minute[1]",
        "-5",
        "in [0, 1e+09]",
    ),
    (
        lambda: LambdaDeployment(CANARY, linear_completion="after_last"),
        "LambdaDeployment.linear_completion",
        "'after_last'",
        "must be one of 'last_shift', 'interval_after'",
    ),
    (
        lambda: LambdaDeployment(CANARY, alarm_poll_interval=0),
        "LambdaDeployment.alarm_poll_interval",
        "0",
        "in [1, 392400]",
    ),
    (
        lambda: LambdaDeployment(CANARY, metric_delay=-1),
        "LambdaDeployment.metric_delay",
        "-1",
        "in [0, 392400]",
    ),
    (
        lambda: LambdaDeployment("CodeDeployDefault.ECSAllAtOnce"),
        "LambdaDeployment.config",
        "'CodeDeployDefault.ECSAllAtOnce'",
        "must be a Lambda configuration",
    ),
    (
        lambda: LambdaDeployment(CANARY, auto_rollback=True),
        "LambdaDeployment.auto_rollback",
        "True",
        "must be an AutoRollback",
    ),
    (
        lambda: LambdaDeployment(CANARY, manual_stop=3),
        "LambdaDeployment.manual_stop",
        "3",
        "must be a ManualStop or None",
    ),
    (
        lambda: simulate(LambdaDeployment(CANARY), engine="gpu"),
        "simulate.engine",
        "'gpu'",
        "must be one of 'core', 'kernel'",
    ),
]


def case_id(case) -> str:
    return f"{case[1]}={case[2]}"


@pytest.mark.parametrize(("call", "field", "shown", "rule"), CASES, ids=map(case_id, CASES))
def test_bad_input_is_a_config_error_that_names_field_value_and_rule(call, field, shown, rule):
    with pytest.raises(ShiftsimError) as info:
        call()
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error, ConfigError)
    message = str(error)
    assert field in message, f"the message does not name the field: {message}"
    assert shown in message, f"the message does not show the value: {message}"
    assert rule in message, f"the message does not state the rule: {message}"


def test_message_shape_follows_the_house_style():
    """STYLE.md: ``"TimeBasedLinear.linear_percentage must be an integer in [1, 99]; got
    150."``"""
    with pytest.raises(ConfigError) as info:
        TimeBasedLinear(150, 1)
    assert str(info.value) == (
        "TimeBasedLinear.linear_percentage must be an integer in [1, 99]; got 150."
    )


def test_ecs_trap_error_suggests_the_fix():
    """STYLE.md: suggest the fix when there is one (``did you mean
    'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'?``)."""
    with pytest.raises(
        ConfigError,
        match=r"did you mean 'CodeDeployDefault\.ECSLinear10Percent"
        r"Every1Minutes'",
    ):
        get_config("CodeDeployDefault.ECSLinear10PercentEvery1Minute")


def test_error_tree():
    """STYLE.md "Errors": one small tree rooted at ShiftsimError; configuration and AppSpec errors
    are also ValueErrors; an unsupported scenario is a NotImplementedError."""
    assert issubclass(ConfigError, ShiftsimError) and issubclass(ConfigError, ValueError)
    assert issubclass(AppSpecError, ShiftsimError) and issubclass(AppSpecError, ValueError)
    assert issubclass(UnsupportedScenarioError, ShiftsimError)
    assert issubclass(UnsupportedScenarioError, NotImplementedError)
    assert not issubclass(UnsupportedScenarioError, ValueError)


def test_appspec_error_says_where():
    """STYLE.md: AppSpec/template errors say where (file, key path, line)."""
    error = AppSpecError(
        "expected a list", source="appspec.yml", line=7, path="hooks.BeforeInstall[0]"
    )
    assert str(error) == "appspec.yml:7 at hooks.BeforeInstall[0]: expected a list"
    assert (error.source, error.line, error.path) == ("appspec.yml", 7, "hooks.BeforeInstall[0]")
    assert str(AppSpecError("empty document")) == "<string>: empty document"


def test_unsupported_alarm_is_named_not_simulated_differently():
    with pytest.raises(UnsupportedScenarioError) as info:
        simulate(LambdaDeployment(CANARY, alarms=[Alarm("fast", period=30)]), rng=1)
    assert "'fast'" in str(info.value)
    assert "period 30 s" in str(info.value)


def test_outcomes_are_never_raised():
    """STYLE.md: rollbacks, alarms and failed hooks are outcomes recorded in the result."""
    deployment = LambdaDeployment(
        CANARY,
        invocations_per_minute=600,
        target=Version("2", error_rate=1.0),
        alarms=[Alarm("errors")],
        hooks=LambdaHooks(after_allow_traffic=Hook(outcome="Failed")),
    )
    assert simulate(deployment, rng=1).status == "Stopped"


def test_negative_seed_is_a_config_error():
    with pytest.raises(ConfigError, match="rng"):
        simulate(LambdaDeployment(CANARY), rng=-1)


def test_simulate_rejects_what_is_not_a_deployment():
    """simulate's docstring: a LambdaDeployment, EcsDeployment or ServerDeployment."""
    with pytest.raises(TypeError, match="LambdaDeployment"):
        simulate(object(), rng=1)


def test_every_public_error_is_exported():
    for name in ("ShiftsimError", "ConfigError", "AppSpecError", "UnsupportedScenarioError"):
        assert name in shiftsim.__all__


def test_file_errors_are_located_appspec_errors_with_escaped_names() -> None:
    """FileError (issue 16): the one reader's errors are AppSpecErrors (same attributes), and
    names with control characters are shown escaped."""
    from shiftsim.errors import FileError

    assert issubclass(FileError, AppSpecError) and issubclass(FileError, ValueError)
    err = FileError("the scenario file is a directory", source="a\x1b[2Jb.yml")
    assert (err.source, err.line, err.path) == ("a\x1b[2Jb.yml", None, "")
    assert str(err) == "a\\x1b[2Jb.yml: the scenario file is a directory"


# ---------------------------------------------------------------------- issue 16: short excerpts
def test_messages_quote_a_short_escaped_excerpt_of_any_value() -> None:
    """Issue 16: no message quotes more than ~80 characters of input, escaped."""
    from shiftsim._checks import check_number, invalid

    huge = "root:x:0:0:root:/root:/bin/bash\x1b[31m\n" * 1000
    message = str(invalid("Hook", "function_name", huge, "must be short"))
    assert message.startswith("Hook.function_name must be short; got 'root:x:0:0")
    assert len(message) < 200 and "\x1b" not in message and "\\x1b" in message
    assert "(37000 chars)" in message
    with pytest.raises(ConfigError, match=r"must be a finite number; got an integer of about 401"):
        check_number("X", "rate", 10**400)  # beyond float range: no OverflowError
