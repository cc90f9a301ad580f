"""Deployments and their parts are plain frozen values: ``dataclasses.replace`` works for every
field (STYLE.md: "a property test checks replace for every field"), and the checks Lambda, ECS
and Server share live in one place (shiftsim._validation)."""

from __future__ import annotations

import dataclasses
import enum
import inspect
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftsim
from shiftsim import (
    Alarm,
    AutoRollback,
    DeploymentConfig,
    EcsDeployment,
    EcsHooks,
    Hook,
    LambdaDeployment,
    LambdaHooks,
    ManualStop,
    Profile,
    Version,
)
from shiftsim._validation import check_alarms, resolve_config
from shiftsim.configs import (
    AllAtOnce,
    MinimumHealthyHosts,
    TimeBasedCanary,
    TimeBasedLinear,
    ZonalConfig,
    get_config,
)
from shiftsim.errors import ConfigError
from shiftsim.monitoring import AlarmConfiguration, AlarmReadFailure

HOOKS = st.none() | st.builds(
    Hook,
    function_name=st.sampled_from(["CodeDeployHook_a", "CodeDeployHook_b"]),
    duration=st.sampled_from([1.0, 30, 4000.0]),
    outcome=st.sampled_from(["Succeeded", "Failed", "NoResponse"]),
)
VERSIONS = st.builds(
    Version,
    name=st.sampled_from(["1", "2", "3", "blue"]),
    error_rate=st.sampled_from([0.0, 0.01, 0.5]),
    duration_ms=st.sampled_from([1.0, 100.0, 2500]),
)
ALARM_LISTS = st.lists(
    st.builds(
        Alarm,
        name=st.sampled_from(["errors", "error-rate", "latency", "throttles"]),
        threshold=st.sampled_from([0, 0.5, 10]),
        evaluation_periods=st.integers(1, 5),
    ),
    max_size=3,
    unique_by=lambda a: a.name,
).flatmap(lambda alarms: st.sampled_from([alarms, tuple(alarms)]))
RATES = st.sampled_from([1.0, 100, 2500.0, [10.0, 20.0], Profile(((0, 5.0), (10, 50.0)))])
COMMON: dict[str, st.SearchStrategy[Any]] = {
    "current": VERSIONS.filter(lambda v: v.name != "2"),
    "target": VERSIONS.filter(lambda v: v.name != "1"),
    "alarms": ALARM_LISTS,
    "auto_rollback": st.builds(AutoRollback, enabled=st.booleans()),
    "manual_stop": st.none() | st.builds(ManualStop, at_minute=st.sampled_from([0.5, 3.0])),
    "alarm_poll_interval": st.sampled_from([1.0, 60.0, 300]),
    "metric_delay": st.sampled_from([0.0, 60.0, 120]),
    "linear_completion": st.sampled_from(["last_shift", "interval_after"]),
    "application": st.sampled_from(["app", "other-app"]),
    "deployment_group": st.sampled_from(["group", "other-group"]),
    "ignore_poll_alarm_failure": st.booleans(),
    "override_alarm_configuration": st.none()
    | st.builds(AlarmConfiguration, enabled=st.just(False)),
    "alarm_read_failures": st.lists(
        st.builds(AlarmReadFailure, start_minute=st.just(1.0), end_minute=st.just(2.5)),
        max_size=2,
    ),
}
FIELDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {
    LambdaDeployment: {
        **COMMON,
        "config": st.sampled_from(
            ["AllAtOnce", "Canary10Percent5Minutes", get_config("Linear10PercentEvery1Minute")]
        ),
        "invocations_per_minute": RATES,
        "hooks": st.builds(LambdaHooks, before_allow_traffic=HOOKS, after_allow_traffic=HOOKS),
        "function_name": st.sampled_from(["fn", "other-fn"]),
        "alias": st.sampled_from(["live", "prod"]),
        "split_alias": st.booleans(),
    },
    EcsDeployment: {
        **COMMON,
        "config": st.sampled_from(
            [
                "CodeDeployDefault.ECSAllAtOnce",
                get_config("CodeDeployDefault.ECSCanary10Percent5Minutes"),
            ]
        ),
        "requests_per_minute": RATES,
        "hooks": st.builds(
            EcsHooks,
            before_install=HOOKS,
            after_allow_test_traffic=HOOKS,
            after_allow_traffic=HOOKS,
        ),
        "install_seconds": st.sampled_from([0.0, 60, 90.5]),
        "test_traffic": st.booleans(),
        "termination_wait_time_in_minutes": st.integers(0, 2880),
        "service_name": st.sampled_from(["svc", "other-svc"]),
        "cluster_name": st.sampled_from(["c1", "c2"]),
        "container_name": st.sampled_from(["app", "web"]),
        "container_port": st.integers(1, 65535),
        "test_requests_per_minute": st.sampled_from([0.0, 30, [0.0, 5.0]]),
        "ready_action": st.sampled_from(["CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"]),
        "ready_wait_minutes": st.integers(0, 7200),
        "continue_after_minutes": st.none() | st.sampled_from([0, 2.5]),
        "termination_action": st.sampled_from(["TERMINATE", "KEEP_ALIVE"]),
        "skip_termination_wait_after_minutes": st.none() | st.sampled_from([0, 10.5]),
    },
    AlarmConfiguration: {
        "enabled": st.booleans(),
        "ignore_poll_alarm_failure": st.booleans(),
        "alarms": ALARM_LISTS,
    },
    AlarmReadFailure: {
        "start_minute": st.sampled_from([0, 1.5]),
        "end_minute": st.sampled_from([2, 4.5]),
        "error_code": st.sampled_from(["THROTTLED", "INTERNAL_ERROR"]),
    },
    Version: {
        "name": st.sampled_from(["1", "7", "$LATEST"]),
        "error_rate": st.sampled_from([0.0, 0.2, 1.0]),
        "throttle_rate": st.sampled_from([0.0, 0.1]),
        "duration_ms": st.sampled_from([0.0, 100, 900.5]),
        "duration_sigma": st.sampled_from([0.0, 0.5]),
        "timeout": st.none() | st.sampled_from([1, 60.0, 900]),
    },
    Hook: {
        "function_name": st.sampled_from(["CodeDeployHook_x", "CodeDeployHook_y"]),
        "duration": st.sampled_from([0.0, 10, 3600.0, 5000.0]),
        "outcome": st.sampled_from(["Succeeded", "Failed", "NoResponse"]),
    },
    Alarm: {
        "name": st.sampled_from(["a", "b-c"]),
        "metric": st.sampled_from(["Errors", "Invocations", "ErrorRate"]),
        "threshold": st.sampled_from([0, 0.25, 5.0]),
        "comparison_operator": st.sampled_from(
            ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold"]
        ),
        "statistic": st.sampled_from(["Sum", "Average", "Maximum"]),
        "period": st.sampled_from([60, 120.0, 300]),
        "evaluation_periods": st.sampled_from([3, 4.0, 5]),
        "datapoints_to_alarm": st.none() | st.integers(1, 3),
        "treat_missing_data": st.sampled_from(["missing", "notBreaching", "breaching", "ignore"]),
        "version": st.sampled_from(["target", "alias", "test"]),
        "initial_state": st.sampled_from(["OK", "ALARM", "INSUFFICIENT_DATA"]),
    },
    Profile: {"points": st.sampled_from([[(0, 1.0)], ((0, 1), (5, 9.5)), [[0, 2], [1, 3]]])},
    LambdaHooks: {"before_allow_traffic": HOOKS, "after_allow_traffic": HOOKS},
    EcsHooks: {
        name: HOOKS
        for name in (
            "before_install",
            "after_install",
            "after_allow_test_traffic",
            "before_allow_traffic",
            "after_allow_traffic",
        )
    },
    TimeBasedCanary: {
        "canary_percentage": st.integers(1, 99),
        "canary_interval": st.sampled_from([1, 5.0, 2880]),
    },
    TimeBasedLinear: {
        "linear_percentage": st.sampled_from([10, 25.0, 50]),
        "linear_interval": st.sampled_from([1, 3.0, 10]),
    },
    MinimumHealthyHosts: {
        "type": st.sampled_from(["HOST_COUNT", "FLEET_PERCENT"]),
        "value": st.sampled_from([1, 2.0, 50]),
    },
    ZonalConfig: {
        "monitor_duration_in_seconds": st.none() | st.sampled_from([0, 60, 900]),
        "first_zone_monitor_duration_in_seconds": st.none() | st.sampled_from([0, 30]),
        "minimum_healthy_hosts_per_zone": st.builds(
            MinimumHealthyHosts, type=st.just("HOST_COUNT"), value=st.integers(0, 3)
        ),
    },
    DeploymentConfig: {
        "name": st.sampled_from(["custom", "my-config"]),
        "traffic_routing": st.sampled_from(
            [AllAtOnce(), TimeBasedCanary(10, 5), TimeBasedLinear(20, 2)]
        ),
    },
}
#: Arguments the checks under test are built from (fields not given take their defaults).
BASE: dict[type, dict[str, Any]] = {
    LambdaDeployment: {"config": "Canary10Percent5Minutes", "alarms": [Alarm("errors")]},
    EcsDeployment: {"config": "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"},
    Version: {"name": "2", "error_rate": 0.01},
    Hook: {},
    AlarmConfiguration: {"alarms": [Alarm("errors")]},
    AlarmReadFailure: {"start_minute": 1, "end_minute": 3},
    Alarm: {"name": "errors", "evaluation_periods": 3, "datapoints_to_alarm": 2},
    Profile: {"points": [(0, 10.0), (5, 20.0)]},
    LambdaHooks: {},
    EcsHooks: {},
    TimeBasedCanary: {"canary_percentage": 10, "canary_interval": 5},
    TimeBasedLinear: {"linear_percentage": 10, "linear_interval": 1},
    MinimumHealthyHosts: {"type": "HOST_COUNT", "value": 2},
    ZonalConfig: {},
    DeploymentConfig: {
        "name": "custom",
        "compute_platform": "Lambda",
        "traffic_routing": AllAtOnce(),
    },
}
CASES = [(cls, name) for cls, fields in FIELDS.items() for name in fields]


def test_every_field_has_a_strategy():
    """Adding a field to one of these dataclasses means adding it to this test."""
    for cls, fields in FIELDS.items():
        names = {f.name for f in dataclasses.fields(cls)}
        skipped = {"compute_platform", "minimum_healthy_hosts", "zonal_config"}  # Server-only
        assert set(fields) == names - (skipped if cls is DeploymentConfig else set()), cls


@pytest.mark.parametrize(("cls", "name"), CASES, ids=[f"{c.__name__}.{n}" for c, n in CASES])
@settings(max_examples=15)  # 78 fields; the values are few and hand-picked
@given(data=st.data())
def test_replace_equals_constructing_with_that_field(cls: type, name: str, data: st.DataObject):
    """``replace(x, field=v) == type(x)(**args, field=v)`` for every field and valid value."""
    value = data.draw(FIELDS[cls][name], label=name)
    kwargs = {**BASE[cls], name: value}
    try:
        expected = cls(**kwargs)
    except ConfigError:  # the value is valid alone but not with the base's other fields
        return
    original = cls(**BASE[cls])
    assert dataclasses.replace(original, **{name: value}) == expected
    # Replacing a field twice, or with its own value, changes nothing else.
    again = dataclasses.replace(expected, **{name: getattr(expected, name)})
    assert again == expected


def test_deployments_are_frozen_values():
    d = LambdaDeployment("AllAtOnce", alarms=[Alarm("errors")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.config = "Canary10Percent5Minutes"  # type: ignore[misc]
    assert d == LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce", alarms=(Alarm("errors"),))
    assert d.alarms == (Alarm("errors"),)  # any sequence, kept as a tuple


def test_lambda_init_is_the_fields_then_the_rate_alias():
    """LambdaDeployment writes its __init__ out, for the requests_per_minute alias (issue 11):
    its parameters are the fields, in order, with their types and defaults, then the alias."""
    params = list(inspect.signature(LambdaDeployment).parameters.values())
    fields = dataclasses.fields(LambdaDeployment)
    assert [p.name for p in params] == [f.name for f in fields] + ["requests_per_minute"]
    *own, alias = params
    assert {p.kind for p in own} == {inspect.Parameter.POSITIONAL_OR_KEYWORD}
    assert alias.kind is inspect.Parameter.KEYWORD_ONLY
    for param, f in zip(own, fields):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = inspect.Parameter.empty
        # The rate's default is a marker (the two rate names must not both be given).
        given = param.default.value if isinstance(param.default, enum.Enum) else param.default
        assert given == default, f.name
        rate = f.name == "invocations_per_minute"
        assert param.annotation == (f"{f.type} | _Rate" if rate else f.type), f.name
    assert alias.annotation == f"{fields[1].type} | _Rate"
    assert LambdaDeployment("AllAtOnce") == LambdaDeployment("AllAtOnce", requests_per_minute=100)
    with pytest.raises(ConfigError, match="must not be given with invocations_per_minute"):
        LambdaDeployment("AllAtOnce", 100.0, requests_per_minute=100)  # positional, same value


def test_resolve_config_is_shared_and_names_the_platform():
    assert resolve_config("X", "AllAtOnce", "Lambda") == get_config(
        "CodeDeployDefault.LambdaAllAtOnce"
    )
    with pytest.raises(ConfigError, match=r"X\.config must be an ECS configuration, not one for"):
        resolve_config("X", "AllAtOnce", "ECS")
    with pytest.raises(ConfigError, match="Use OneAtATime"):
        resolve_config("X", "AllAtOnce", "Server", hint="Use OneAtATime.")
    with pytest.raises(ConfigError, match="must be a DeploymentConfig or a configuration name"):
        resolve_config("X", 3, "Lambda")


def test_check_alarms_is_shared():
    """At most 10 alarms per deployment group (D9; API:AlarmConfiguration)."""
    assert check_alarms("X", Alarm("a")) == (Alarm("a"),)
    with pytest.raises(ConfigError, match=r"X\.alarms\[1\] must be an Alarm"):
        check_alarms("X", [Alarm("a"), "b"])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="at most 10 alarms"):
        check_alarms("X", [Alarm(f"a{i}") for i in range(11)])
    with pytest.raises(ConfigError, match="unique names"):
        check_alarms("X", [Alarm("a"), Alarm("a")])


def test_simulate_sees_the_replaced_field():
    base = shiftsim.LambdaDeployment("AllAtOnce")
    slow = dataclasses.replace(base, config="Linear10PercentEvery1Minute")
    assert shiftsim.simulate(slow, rng=1).duration > shiftsim.simulate(base, rng=1).duration
