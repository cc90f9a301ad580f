"""Hypothesis strategies for CodeDeploy scenarios, to test deployment tooling against shiftsim.

Install with the ``testing`` extra (``pip install shiftsim[testing]``): this is the only module of
shiftsim, with :mod:`shiftsim.testing`, that imports Hypothesis.

Every strategy generates only what shiftsim accepts (each example constructs without error, and
each deployment simulates), and shrinks toward the simplest case: predefined configurations
(``AllAtOnce`` first), healthy versions, no alarms, no hooks, default rollback settings, small
fleets. Arguments that take a strategy let you narrow one part and keep the rest.

=============================  ===========================================================
:func:`deployment_configs`     predefined and valid custom configurations
:func:`invalid_deployment_configs`  constructor calls that must raise ``ConfigError``
:func:`alarms`                 CloudWatch alarms the traffic engines evaluate
:func:`versions`               versions, healthy or bad releases (error steps, ramps, bursts)
:func:`hooks`                  lifecycle hook functions (succeeding, failing, silent)
:func:`lambda_deployments`     complete :class:`~shiftsim.LambdaDeployment` scenarios
:func:`ecs_deployments`        complete :class:`~shiftsim.ecs.EcsDeployment` scenarios
:func:`server_deployments`     complete :class:`~shiftsim.server.ServerDeployment` scenarios
:func:`fleets`                 EC2/on-premises fleets
:func:`faults`                 script, load-balancer and instance faults for a fleet
:func:`appspecs`               AppSpec documents, as dicts or YAML/JSON text
=============================  ===========================================================

Examples
--------
>>> from hypothesis import given, settings
>>> import shiftsim
>>> from shiftsim.strategies import lambda_deployments
>>> @settings(max_examples=5)
... @given(lambda_deployments())
... def test_terminal(deployment):
...     assert shiftsim.simulate(deployment, rng=0).status in {"Succeeded", "Failed", "Stopped"}
>>> test_terminal()
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "shiftsim.strategies needs Hypothesis; install it with `pip install shiftsim[testing]`."
    ) from err
import numpy as np
import yaml

from shiftsim import appspec as _appspec
from shiftsim._checks import check_choice, check_int
from shiftsim.alarms import Alarm
from shiftsim.configs import (
    COMPUTE_PLATFORMS,
    MAX_SHIFTING_MINUTES,
    AllAtOnce,
    DeploymentConfig,
    MinimumHealthyHosts,
    TimeBasedCanary,
    TimeBasedLinear,
    ZonalConfig,
    get_config,
    predefined_configs,
)
from shiftsim.ecs import EcsDeployment, EcsHooks
from shiftsim.errors import ConfigError
from shiftsim.fleet import DEFAULT_ZONES, Fleet
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.rollback import ROLLBACK_EVENTS, AutoRollback, ManualStop
from shiftsim.server import (
    BlueGreen,
    Duration,
    InstanceStop,
    LoadBalancerFault,
    ScaleOut,
    Script,
    ScriptFault,
    ServerDeployment,
)
from shiftsim.server.lifecycle import HOOKABLE_EVENTS, event_list
from shiftsim.traffic import Hook, Profile, Version

__all__ = [
    "InvalidConfig",
    "alarms",
    "appspecs",
    "deployment_configs",
    "ecs_deployments",
    "faults",
    "fleets",
    "hooks",
    "invalid_deployment_configs",
    "lambda_deployments",
    "rngs",
    "server_deployments",
    "versions",
]

SearchStrategy = st.SearchStrategy


_PATH_PART = st.sampled_from(("app", "scripts", "config", "www", "bin", "lib"))
_SCRIPTS = st.sampled_from(
    ("scripts/start.sh", "scripts/stop.sh", "scripts/install_deps.sh", "scripts/validate.sh")
)


# --------------------------------------------------------------------------------------------
# Deployment configurations


def _predefined(platform: str | None) -> tuple[DeploymentConfig, ...]:
    """The catalog with each platform's all-at-once configuration first (the simplest)."""
    configs = predefined_configs(platform)
    return tuple(sorted(configs, key=lambda c: not c.name.endswith("AllAtOnce")))


@st.composite
def _linear(draw: st.DrawFn, max_interval: int) -> TimeBasedLinear:
    percentage = draw(st.integers(1, 99))
    increments = math.ceil(100 / percentage)
    # The first-to-last shift span, (increments - 1) * interval, must stay within 2880 minutes.
    longest = MAX_SHIFTING_MINUTES // (increments - 1) if increments > 1 else MAX_SHIFTING_MINUTES
    interval = draw(st.integers(1, max(1, min(max_interval, longest))))
    return TimeBasedLinear(percentage, interval)


def _routing_name(platform: str, routing: TimeBasedCanary | TimeBasedLinear | AllAtOnce) -> str:
    if isinstance(routing, TimeBasedCanary):
        kind = f"Canary{routing.canary_percentage}Percent{routing.canary_interval}Minutes"
    elif isinstance(routing, TimeBasedLinear):
        kind = f"Linear{routing.linear_percentage}PercentEvery{routing.linear_interval}Minutes"
    else:
        kind = "AllAtOnce"
    return f"Custom.{platform}{kind}"


def _custom_traffic(platform: str, max_interval: int) -> SearchStrategy[DeploymentConfig]:
    routing = st.one_of(
        st.builds(TimeBasedCanary, st.integers(1, 99), st.integers(1, max_interval)),
        _linear(max_interval),
        st.just(AllAtOnce()),
    )
    return routing.map(
        lambda r: DeploymentConfig(_routing_name(platform, r), platform, traffic_routing=r)
    )


def _minimum_healthy_hosts(max_hosts: int = 10) -> SearchStrategy[MinimumHealthyHosts]:
    return st.one_of(
        st.builds(MinimumHealthyHosts, st.just("HOST_COUNT"), st.integers(0, max_hosts)),
        st.builds(MinimumHealthyHosts, st.just("FLEET_PERCENT"), st.integers(0, 99)),
    )


def _zonal_configs() -> SearchStrategy[ZonalConfig]:
    seconds = st.none() | st.integers(0, 3600)
    return st.builds(
        ZonalConfig,
        monitor_duration_in_seconds=seconds,
        first_zone_monitor_duration_in_seconds=seconds,
        minimum_healthy_hosts_per_zone=_minimum_healthy_hosts(3),
    )


def _custom_server() -> SearchStrategy[DeploymentConfig]:
    def build(minimum: MinimumHealthyHosts, zonal: ZonalConfig | None) -> DeploymentConfig:
        zone = "Zonal" if zonal is not None else ""
        name = f"Custom.Server{zone}{minimum.type.title().replace('_', '')}{minimum.value}"
        return DeploymentConfig(name, "Server", minimum_healthy_hosts=minimum, zonal_config=zonal)

    return st.builds(build, _minimum_healthy_hosts(), st.none() | _zonal_configs())


def deployment_configs(
    platform: str | None = None,
    *,
    custom: bool = True,
    max_interval: int = MAX_SHIFTING_MINUTES,
) -> SearchStrategy[DeploymentConfig]:
    """Predefined ``CodeDeployDefault.*`` configurations and valid custom ones.

    Shrinks toward the platform's predefined all-at-once configuration.

    Parameters
    ----------
    platform : {"Lambda", "ECS", "Server"}, optional
        Only configurations of this compute platform; all three when None.
    custom : bool
        Also generate custom configurations (canary, linear and all-at-once routing for Lambda
        and ECS; ``HOST_COUNT`` or ``FLEET_PERCENT`` minimums, with or without a zonal
        configuration, for Server). False keeps to the predefined catalog.
    max_interval : int
        Longest canary or linear interval of a custom configuration, in minutes (1 to 2880).
        Lower it to keep simulated deployments short.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(deployment_configs("ECS", max_interval=10))
    ... def test_ecs_configs_shift_everything(config):
    ...     assert config.traffic_routing.shifts()[-1][1] == 100
    >>> test_ecs_configs_shift_everything()
    """
    if platform is not None:
        check_choice("deployment_configs", "platform", platform, COMPUTE_PLATFORMS)
    check_int("deployment_configs", "max_interval", max_interval, 1, MAX_SHIFTING_MINUTES)
    catalog = _predefined(platform)
    # Hypothesis shrinks toward the example that makes the fewest choices: st.just() makes none,
    # so the simplest configuration comes first as a just(), ahead of the whole catalog.
    options: list[SearchStrategy[DeploymentConfig]] = [
        st.just(catalog[0]),
        st.sampled_from(catalog),
    ]
    if custom:
        for name in COMPUTE_PLATFORMS if platform is None else (platform,):
            options.append(
                _custom_server() if name == "Server" else _custom_traffic(name, max_interval)
            )
    return st.one_of(*options)


@dataclass(frozen=True, slots=True)
class InvalidConfig:
    """A constructor call that breaks one of CodeDeploy's rules, for negative tests.

    Calling it makes the call, which must raise :class:`~shiftsim.errors.ConfigError`.

    Attributes
    ----------
    factory : callable
        What is called: a configuration class, :func:`~shiftsim.get_config` or
        :meth:`DeploymentConfig.from_boto <shiftsim.DeploymentConfig.from_boto>`.
    kwargs : dict
        Its keyword arguments.
    rule : str
        The rule the call breaks, in words.

    Examples
    --------
    >>> bad = InvalidConfig(TimeBasedCanary, {"canary_percentage": 0, "canary_interval": 5},
    ...                     "canary_percentage below 1")
    >>> bad
    TimeBasedCanary(canary_percentage=0, canary_interval=5)  # canary_percentage below 1
    >>> bad()
    Traceback (most recent call last):
    ...
    shiftsim.errors.ConfigError: TimeBasedCanary.canary_percentage must be an integer in [1, 99]; \
got 0.
    """

    factory: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    rule: str = ""

    def __call__(self) -> Any:
        return self.factory(**self.kwargs)

    def __repr__(self) -> str:
        name = getattr(self.factory, "__qualname__", repr(self.factory))
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{name}({args})  # {self.rule}"


def _invalid(
    factory: Callable[..., Any], rule: str, **kwargs: SearchStrategy[Any]
) -> SearchStrategy[InvalidConfig]:
    return st.fixed_dictionaries(kwargs).map(lambda kw: InvalidConfig(factory, kw, rule))


def _not_int(low: int, high: int) -> SearchStrategy[Any]:
    """Values check_int rejects for the range [low, high]."""
    return st.one_of(
        st.integers(max_value=low - 1),
        st.integers(min_value=high + 1),
        st.floats(low, high).filter(lambda x: not x.is_integer()),
        st.booleans(),
        st.integers(low, high).map(str),
        st.none(),
    )


def _misspelled_names() -> SearchStrategy[str]:
    """Names that are not in the catalog: classic typos of real ones, and arbitrary text."""
    typos = st.sampled_from(
        [
            "CodeDeployDefault.ECSLinear10PercentEvery1Minute",  # ECS is "...1Minutes"
            "CodeDeployDefault.LambdaLinear10PercentEvery1Minutes",  # Lambda is "...1Minute"
            "CodeDeployDefault.ECSCanary10Percent10Minutes",  # no such ECS canary
            "CodeDeployDefault.LambdaLinear10PercentEvery5Minutes",
            "LambdaCanary10Percent5Minutes",  # the AWS name without its prefix
            "CodeDeployDefault.OneAtATimes",
            "Canary10Percent5Minute",
        ]
    )
    return st.one_of(typos, st.text(min_size=1, max_size=30)).filter(_unknown)


def _unknown(name: str) -> bool:
    try:
        get_config(name)
    except ConfigError:
        return True
    return False


def invalid_deployment_configs() -> SearchStrategy[InvalidConfig]:
    """Configurations CodeDeploy rejects, as :class:`InvalidConfig` calls that raise
    :class:`~shiftsim.errors.ConfigError`.

    Covers out-of-range and mistyped percentages and intervals, linear schedules longer than
    48 hours, bad minimum-healthy-hosts rules, settings of the wrong compute platform, unknown
    platforms, empty names, misspelled predefined names, and malformed ``boto3`` shapes.

    Examples
    --------
    >>> import pytest
    >>> from hypothesis import given
    >>> from shiftsim import ConfigError
    >>> @given(invalid_deployment_configs())
    ... def test_rejected(bad):
    ...     with pytest.raises(ConfigError):
    ...         bad()
    >>> test_rejected()
    """
    percent, interval = st.integers(1, 99), st.integers(1, 60)
    canary, linear = st.builds(TimeBasedCanary, percent, interval), _linear(60)
    minimum = _minimum_healthy_hosts()

    @st.composite
    def too_long(draw: st.DrawFn) -> dict[str, Any]:
        p = draw(st.integers(1, 33))  # with 2 increments (p >= 34) no interval is too long
        increments = math.ceil(100 / p)
        shortest = MAX_SHIFTING_MINUTES // (increments - 1) + 1
        return {"linear_percentage": p, "linear_interval": draw(st.integers(shortest, 2880))}

    return st.one_of(
        _invalid(
            TimeBasedCanary,
            "canary_percentage must be an integer in [1, 99]",
            canary_percentage=_not_int(1, 99),
            canary_interval=interval,
        ),
        _invalid(
            TimeBasedCanary,
            "canary_interval must be an integer in [1, 2880] minutes",
            canary_percentage=percent,
            canary_interval=_not_int(1, MAX_SHIFTING_MINUTES),
        ),
        _invalid(
            TimeBasedLinear,
            "linear_percentage must be an integer in [1, 99]",
            linear_percentage=_not_int(1, 99),
            linear_interval=interval,
        ),
        _invalid(
            TimeBasedLinear,
            "linear_interval must be an integer in [1, 2880] minutes",
            linear_percentage=percent,
            linear_interval=_not_int(1, MAX_SHIFTING_MINUTES),
        ),
        too_long().map(
            lambda kw: InvalidConfig(
                TimeBasedLinear, kw, "first to last shift must span at most 2880 minutes"
            )
        ),
        _invalid(
            MinimumHealthyHosts,
            "type must be HOST_COUNT or FLEET_PERCENT",
            type=st.sampled_from(["PERCENT", "FLEET_PERCENTAGE", "host_count", "COUNT", ""]),
            value=st.integers(0, 10),
        ),
        _invalid(
            MinimumHealthyHosts,
            "a FLEET_PERCENT value must be in [0, 99]",
            type=st.just("FLEET_PERCENT"),
            value=st.integers(100, 1000) | st.integers(max_value=-1),
        ),
        _invalid(
            MinimumHealthyHosts,
            "a HOST_COUNT value must be >= 0",
            type=st.just("HOST_COUNT"),
            value=st.integers(max_value=-1),
        ),
        _invalid(
            DeploymentConfig,
            "compute_platform must be Lambda, ECS or Server",
            name=st.just("Custom"),
            compute_platform=st.sampled_from(["EC2", "lambda", "ecs", "Fargate", "On-Premises"]),
            traffic_routing=canary,
        ),
        _invalid(
            DeploymentConfig,
            "name must be a non-empty string",
            name=st.sampled_from(["", None]),
            compute_platform=st.just("Lambda"),
            traffic_routing=canary,
        ),
        _invalid(
            DeploymentConfig,
            "a Server configuration has no traffic routing",
            name=st.just("Custom"),
            compute_platform=st.just("Server"),
            traffic_routing=canary | linear,
            minimum_healthy_hosts=minimum,
        ),
        _invalid(
            DeploymentConfig,
            "a Server configuration needs minimum_healthy_hosts",
            name=st.just("Custom"),
            compute_platform=st.just("Server"),
        ),
        _invalid(
            DeploymentConfig,
            "Lambda and ECS configurations need traffic routing",
            name=st.just("Custom"),
            compute_platform=st.sampled_from(["Lambda", "ECS"]),
        ),
        _invalid(
            DeploymentConfig,
            "minimum_healthy_hosts is for Server configurations only",
            name=st.just("Custom"),
            compute_platform=st.sampled_from(["Lambda", "ECS"]),
            traffic_routing=canary | linear | st.just(AllAtOnce()),
            minimum_healthy_hosts=minimum,
        ),
        _invalid(
            ZonalConfig,
            "monitor durations must be whole seconds >= 0",
            monitor_duration_in_seconds=st.integers(max_value=-1) | st.just(1.5),
        ),
        _invalid(
            ZonalConfig,
            "the per-zone minimum is HOST_COUNT or FLEET_PERCENT",
            minimum_healthy_hosts_per_zone=st.just(MinimumHealthyHosts("MOST_CONCURRENCY", 1)),
        ),
        _invalid(get_config, "not a predefined configuration name", name=_misspelled_names()),
        _invalid(
            DeploymentConfig.from_boto,
            "malformed get_deployment_config shape",
            info=st.sampled_from(
                [
                    {"deploymentConfigName": "x", "computePlatform": "Server"},
                    {
                        "deploymentConfigName": "x",
                        "computePlatform": "Lambda",
                        "trafficRoutingConfig": {"type": "TimeBasedCanary"},
                    },
                    {
                        "deploymentConfigName": "x",
                        "computePlatform": "Lambda",
                        "trafficRoutingConfig": {"type": "TimeBasedFlexible"},
                    },
                    {
                        "deploymentConfigName": "x",
                        "computePlatform": "Server",
                        "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 100},
                    },
                ]
            ),
        ),
    )


# --------------------------------------------------------------------------------------------
# Alarms, versions, hooks


ALARM_NAMES = ("errors", "error-rate", "latency-p99", "throttles", "invocations", "canary-5xx")
_THRESHOLDS: Mapping[str, SearchStrategy[float]] = {
    "Errors": st.integers(0, 20).map(float),
    "ErrorRate": st.floats(0.0, 50.0),
    "Duration": st.floats(10.0, 3000.0),
    "Throttles": st.integers(0, 20).map(float),
    "Invocations": st.integers(0, 1000).map(float),
}
_STATISTICS: Mapping[str, tuple[str, ...]] = {
    "Errors": ("Sum", "Average", "Maximum", "SampleCount", "Minimum"),
    "ErrorRate": ("Sum",),
    "Duration": ("p99", "Average", "Maximum", "p90", "p50", "p99.9", "Minimum"),
    "Throttles": ("Sum", "Average", "Maximum"),
    "Invocations": ("Sum", "SampleCount"),
}
_COMPARISONS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)


@st.composite
def _alarm(draw: st.DrawFn, name: SearchStrategy[str], metric: SearchStrategy[str]) -> Alarm:
    # Every alarm makes the same choices in the same order, whatever its metric: Hypothesis
    # prefers examples with fewer choices, so skipping some for one metric would make that
    # metric, not Errors, the one failures shrink to.
    chosen = draw(metric)
    n = draw(st.integers(1, 5))
    statistics = _STATISTICS[chosen]
    statistic = statistics[draw(st.integers(0, len(_STATISTICS["Duration"]) - 1)) % len(statistics)]
    period = draw(st.sampled_from((60, 120, 300)))
    version = draw(st.sampled_from(("target", "alias")))
    duration = chosen == "Duration"  # modelled at 60 s on the target only
    return Alarm(
        name=draw(name),
        metric=chosen,
        threshold=draw(_THRESHOLDS[chosen]),
        comparison_operator=draw(st.sampled_from(_COMPARISONS)),
        statistic=statistic,
        period=60 if duration else period,
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.none() | st.integers(1, n)),
        treat_missing_data=draw(
            st.sampled_from(("missing", "notBreaching", "breaching", "ignore"))
        ),
        version="target" if duration else version,
        initial_state=draw(st.sampled_from(("INSUFFICIENT_DATA", "OK", "ALARM"))),
    )


def alarms(
    name: str | None = None, *, metrics: tuple[str, ...] | None = None
) -> SearchStrategy[Alarm]:
    """CloudWatch alarms that Lambda and ECS deployments can watch.

    Shrinks toward ``Alarm("errors")``: ``Errors > 0`` in one one-minute period of the target.
    Periods are multiples of 60 s and Duration alarms watch the target at 60 s, which is what
    the traffic engines model; an alarm may start in ``ALARM`` (the deployment then stops with
    ``ALARM_ACTIVE`` at once, decision D4).

    Parameters
    ----------
    name : str, optional
        The alarm's name; drawn from a few plausible names when None.
    metrics : tuple of str, optional
        Only these metrics (``"Errors"``, ``"ErrorRate"``, ``"Duration"``, ``"Throttles"``,
        ``"Invocations"``).

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(alarms(metrics=("Errors", "ErrorRate")))
    ... def test_error_alarms(alarm):
    ...     assert alarm.metric in ("Errors", "ErrorRate") and alarm.period % 60 == 0
    >>> test_error_alarms()
    """
    chosen = tuple(_THRESHOLDS) if metrics is None else tuple(metrics)
    for metric in chosen:
        check_choice("alarms", "metrics[]", metric, tuple(_THRESHOLDS))
    names = st.just(name) if name is not None else st.sampled_from(ALARM_NAMES)
    return _alarm(names, st.sampled_from(chosen))


def _alarm_lists(max_size: int = 3) -> SearchStrategy[list[Alarm]]:
    return st.lists(alarms(), max_size=max_size, unique_by=lambda a: a.name)


def _rates(low: float, high: float) -> SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _bad_profiles() -> SearchStrategy[Profile]:
    """Error rates of a bad release: a step up, a ramp up, or a burst, in minutes."""
    minute, low, high = _rates(0.0, 30.0), _rates(0.0, 0.01), _rates(0.05, 1.0)
    return st.one_of(
        st.builds(Profile.step, minute, low, high),
        st.builds(lambda a, d, lo, hi: Profile.ramp(a, a + d, lo, hi), minute, minute, low, high),
        st.builds(
            lambda a, d, hi, lo: Profile.burst(a, a + d, hi, lo), minute, _rates(1, 30), high, low
        ),
    )


def versions(name: str | None = None, *, bad: bool | None = None) -> SearchStrategy[Version]:
    """Function versions (or ECS task sets) and how they behave, including bad releases.

    Healthy versions have a constant error rate of at most 1% and rare throttles. Bad releases
    fail 5% to 100% of their invocations, from the start or after a :class:`~shiftsim.Profile`
    step, ramp or burst (minutes since the deployment started). Shrinks toward a version with no
    errors, no throttles and 100 ms calls.

    Parameters
    ----------
    name : str, optional
        The version's name; a number from 2 to 99 when None.
    bad : bool, optional
        True: only bad releases; False: only healthy versions; None: either.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(versions("7", bad=True))
    ... def test_bad_release(version):
    ...     assert version.error_profile.bounds()[1] >= 0.05
    >>> test_bad_release()
    """
    names = st.just(name) if name is not None else st.integers(2, 99).map(str)
    durations = st.just(100.0) | _rates(1.0, 2000.0)
    sigmas = st.just(0.0) | _rates(0.0, 1.5)
    healthy = st.builds(
        Version,
        names,
        error_rate=st.just(0.0) | _rates(0.0, 0.01),
        throttle_rate=st.just(0.0) | _rates(0.0, 0.01),
        duration_ms=durations,
        duration_sigma=sigmas,
    )
    broken = st.builds(
        Version,
        names,
        error_rate=_bad_profiles() | _rates(0.05, 1.0),
        throttle_rate=st.just(0.0) | _rates(0.0, 0.2),
        duration_ms=durations,
        duration_sigma=sigmas,
    )
    if bad is None:
        return healthy | broken
    return broken if bad else healthy


def hooks(outcome: str | None = None, *, name: str | None = None) -> SearchStrategy[Hook]:
    """Lifecycle hook functions: how long they take and what they report.

    Shrinks toward a hook that succeeds at once. A ``NoResponse`` hook, or one that takes longer
    than 3600 s, fails the deployment after 3600 s (decision D10).

    Parameters
    ----------
    outcome : {"Succeeded", "Failed", "NoResponse"}, optional
        Only this outcome.
    name : str, optional
        The hook function's name; ``CodeDeployHook_...`` names when None.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(hooks("Failed"))
    ... def test_failing(hook):
    ...     assert not hook.succeeds
    >>> test_failing()
    """
    outcomes = ("Succeeded", "Failed", "NoResponse")
    chosen = st.sampled_from(outcomes) if outcome is None else st.just(outcome)
    if outcome is not None:
        check_choice("hooks", "outcome", outcome, outcomes)
    names = (
        st.just(name)
        if name is not None
        else st.sampled_from(("CodeDeployHook_check", "CodeDeployHook_smokeTest"))
    )
    duration = st.just(0.0) | _rates(0.0, 600.0) | _rates(3000.0, 4000.0)
    return st.builds(Hook, names, duration, chosen)


# --------------------------------------------------------------------------------------------
# Deployments


def _auto_rollbacks() -> SearchStrategy[AutoRollback]:
    events = st.lists(st.sampled_from(ROLLBACK_EVENTS), unique=True, min_size=1).map(tuple)
    return st.one_of(
        st.just(AutoRollback()),
        st.just(AutoRollback.disabled()),
        st.builds(AutoRollback, st.booleans(), events),
    )


def _manual_stops() -> SearchStrategy[ManualStop | None]:
    return st.none() | st.builds(
        ManualStop,
        st.integers(0, 30).map(float) | _rates(0.0, 30.0),
        st.none() | st.booleans(),
    )


def _traffic_rates() -> SearchStrategy[Any]:
    """Calls per minute: a constant, a list of per-minute rates, or a Profile (never < 0)."""
    return st.one_of(
        st.just(100.0),
        _rates(0.0, 5000.0),
        st.lists(_rates(0.0, 2000.0), min_size=1, max_size=10),
        st.builds(Profile.ramp, _rates(0, 10), _rates(10, 30), _rates(0, 2000), _rates(0, 2000)),
    )


_POLL_INTERVALS = st.sampled_from((60.0, 30.0, 15.0, 120.0, 300.0))
_METRIC_DELAYS = st.sampled_from((60.0, 0.0, 30.0, 120.0))
_COMPLETIONS = st.sampled_from(("last_shift", "interval_after"))


def lambda_deployments(
    *,
    configs: SearchStrategy[DeploymentConfig] | None = None,
    target: SearchStrategy[Version] | None = None,
    alarm_lists: SearchStrategy[list[Alarm]] | None = None,
) -> SearchStrategy[LambdaDeployment]:
    """Complete Lambda deployments: configuration, traffic, versions, alarms, hooks, rollback.

    Shrinks toward ``LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")``: 100 calls a
    minute, healthy versions "1" and "2", no alarms, no hooks, SAM's rollback settings, no
    manual stop.

    Parameters
    ----------
    configs : strategy of DeploymentConfig, optional
        Default ``deployment_configs("Lambda", max_interval=30)``, which keeps each run short.
    target : strategy of Version, optional
        The new version (named "2"); default ``versions("2")``, healthy or bad.
    alarm_lists : strategy of list of Alarm, optional
        Default: up to three alarms with unique names.

    Examples
    --------
    >>> from hypothesis import given
    >>> import shiftsim
    >>> @given(lambda_deployments(target=versions("2", bad=False), alarm_lists=st.just([])))
    ... def test_healthy_without_alarms_succeeds(deployment):
    ...     run = shiftsim.simulate(deployment, rng=0)
    ...     assert run.status == "Succeeded" or run.error_code in (
    ...         "HOOK_EXECUTION_FAILURE", "MANUAL_STOP")
    >>> test_healthy_without_alarms_succeeds()
    """
    hook = st.none() | hooks()
    return st.builds(
        LambdaDeployment,
        config=configs if configs is not None else deployment_configs("Lambda", max_interval=30),
        invocations_per_minute=_traffic_rates(),
        current=versions("1", bad=False),
        target=target if target is not None else versions("2"),
        alarms=alarm_lists if alarm_lists is not None else _alarm_lists(),
        auto_rollback=_auto_rollbacks(),
        hooks=st.builds(LambdaHooks, hook, hook),
        manual_stop=_manual_stops(),
        alarm_poll_interval=_POLL_INTERVALS,
        metric_delay=_METRIC_DELAYS,
        linear_completion=_COMPLETIONS,
    )


def ecs_deployments(
    *,
    configs: SearchStrategy[DeploymentConfig] | None = None,
    target: SearchStrategy[Version] | None = None,
    alarm_lists: SearchStrategy[list[Alarm]] | None = None,
) -> SearchStrategy[EcsDeployment]:
    """Complete ECS blue/green deployments: configuration, requests, task sets, alarms, the five
    hooks, test traffic, termination wait and rollback.

    Shrinks toward ``EcsDeployment("CodeDeployDefault.ECSAllAtOnce")`` with healthy task sets,
    no alarms, no hooks, a 60 s Install and the default 60-minute termination wait.

    Parameters
    ----------
    configs : strategy of DeploymentConfig, optional
        Default ``deployment_configs("ECS", max_interval=30)``.
    target : strategy of Version, optional
        The replacement task set (named "2"); default ``versions("2")``.
    alarm_lists : strategy of list of Alarm, optional
        Default: up to three alarms with unique names.

    Examples
    --------
    >>> from hypothesis import given
    >>> from shiftsim.ecs import run_ecs
    >>> @given(ecs_deployments())
    ... def test_original_removed_only_after_success(deployment):
    ...     run = run_ecs(deployment, rng=0)
    ...     assert (run.termination_time is not None) == (run.status == "Succeeded")
    >>> test_original_removed_only_after_success()
    """
    hook = st.none() | hooks()
    return st.builds(
        EcsDeployment,
        config=configs if configs is not None else deployment_configs("ECS", max_interval=30),
        requests_per_minute=_traffic_rates(),
        current=versions("1", bad=False),
        target=target if target is not None else versions("2"),
        alarms=alarm_lists if alarm_lists is not None else _alarm_lists(),
        auto_rollback=_auto_rollbacks(),
        hooks=st.builds(EcsHooks, hook, hook, hook, hook, hook),
        install_seconds=st.just(60.0) | _rates(0.0, 600.0),
        test_traffic=st.booleans(),
        termination_wait_time_in_minutes=st.just(60) | st.integers(0, 2880),
        manual_stop=_manual_stops(),
        alarm_poll_interval=_POLL_INTERVALS,
        metric_delay=_METRIC_DELAYS,
        linear_completion=_COMPLETIONS,
    )


# --------------------------------------------------------------------------------------------
# Fleets


@st.composite
def _fleet(draw: st.DrawFn, min_size: int, max_size: int, conditions: bool) -> Fleet:
    n = draw(st.integers(min_size, max_size))
    fleet = Fleet.of_size(
        n,
        zones=draw(st.sampled_from((DEFAULT_ZONES, DEFAULT_ZONES[:1], DEFAULT_ZONES[:2]))),
        auto_scaling_group=draw(st.sampled_from((None, "web-asg"))),
        tags={"env": "prod"},
    )
    if n == 0:
        return fleet
    ids = st.lists(st.sampled_from(fleet.ids), unique=True, max_size=n)
    changes: list[dict[str, Any]] = [{"healthy": False}, {"revision": "Unknown", "healthy": False}]
    if conditions:
        changes += [
            {"agent_running": False},
            {"agent_installed": False},
            {"s3_access": False},
            {"clock_skew_seconds": 900.0},
            {"stopped": True},
        ]
    for change in changes:
        chosen = draw(ids)
        if chosen:
            fleet = fleet.update(chosen, **change)
    return fleet


def fleets(
    min_size: int = 1, max_size: int = 10, *, conditions: bool = False
) -> SearchStrategy[Fleet]:
    """EC2 fleets tagged ``env=prod``, some instances unhealthy or never deployed to.

    Shrinks toward ``Fleet.of_size(min_size, tags={"env": "prod"})``: healthy instances running
    an older revision, spread over three Availability Zones, in no Auto Scaling group (or all in
    ``web-asg``).

    Parameters
    ----------
    min_size, max_size : int
        Bounds on the number of instances (``0 <= min_size <= max_size``).
    conditions : bool
        Also break some instances the way real fleets break (codedeploy.md 10.3): agent stopped
        or not installed, no S3 access to the revision, a clock skewed by 15 minutes, instance
        stopped.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(fleets(2, 5))
    ... def test_size(fleet):
    ...     assert 2 <= len(fleet) <= 5
    >>> test_size()
    """
    check_int("fleets", "min_size", min_size, 0)
    check_int("fleets", "max_size", max_size, min_size)
    return _fleet(min_size, max_size, conditions)


def _fault_events(hooks: Mapping[str, Any] | None, load_balancer: bool) -> list[tuple[str, int]]:
    """``(event, script index)`` of every script a ScriptFault can break."""
    if not hooks:
        return []
    events = event_list(load_balancer)
    return [(e, k) for e, scripts in hooks.items() if e in events for k in range(len(scripts))]


def faults(
    fleet: Fleet, *, hooks: Mapping[str, Any] | None = None, load_balancer: bool = False
) -> SearchStrategy[list[Any]]:
    """Faults of an EC2/on-premises deployment to ``fleet``: failing, hanging or missing scripts,
    load-balancer failures and instances that stop mid-deployment.

    Shrinks toward no faults. Script faults target the scripts in ``hooks`` (the deployment's
    ``{event: [Script, ...]}``), on named instances or with a probability; load-balancer faults
    need ``load_balancer=True``.

    Parameters
    ----------
    fleet : Fleet
        The instances faults may name.
    hooks : mapping, optional
        The deployment's scripts; without them there are no script faults.
    load_balancer : bool
        Whether the deployment group has a load balancer.

    Examples
    --------
    >>> from hypothesis import given
    >>> from shiftsim.fleet import Fleet
    >>> from shiftsim.server import Script, ServerDeployment
    >>> fleet, hooks = Fleet.of_size(4), {"ApplicationStart": [Script("start.sh", 5)]}
    >>> @given(faults(fleet, hooks=hooks))
    ... def test_faults_are_accepted(found):
    ...     ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=fleet, hooks=hooks,
    ...                      faults=found)
    >>> test_faults_are_accepted()
    """
    if len(fleet) == 0:
        return st.just([])
    instances = st.none() | st.lists(
        st.sampled_from(fleet.ids), min_size=1, max_size=3, unique=True
    )
    probability = st.just(1.0) | _rates(0.0, 1.0)
    options: list[SearchStrategy[Any]] = [
        st.builds(InstanceStop, st.sampled_from(fleet.ids), st.integers(0, 30).map(float))
    ]
    scripts = _fault_events(hooks, load_balancer)
    if scripts:
        options.append(
            st.builds(
                lambda where, mode, ids, p: ScriptFault(
                    where[0], mode=mode, instances=ids, probability=p, script=where[1]
                ),
                st.sampled_from(scripts),
                st.sampled_from(("fail", "hang", "missing")),
                instances,
                probability,
            )
        )
    if load_balancer:
        options.append(
            st.builds(
                LoadBalancerFault,
                st.sampled_from(("BlockTraffic", "AllowTraffic")),
                instances,
                probability,
            )
        )
    return st.lists(st.one_of(*options), max_size=3)


def _scripts(load_balancer: bool) -> SearchStrategy[dict[str, list[Any]]]:
    events = [e for e in event_list(load_balancer) if e in HOOKABLE_EVENTS]
    duration = st.one_of(
        st.just(10.0),
        st.integers(0, 120).map(float),
        st.builds(Duration.uniform, st.integers(0, 30), st.integers(30, 120)),
        st.builds(Duration.lognormal, st.integers(1, 60), _rates(0.0, 1.0)),
    )
    script = st.builds(
        Script,
        _SCRIPTS,
        duration,
        timeout=st.just(3600.0) | st.integers(30, 3600).map(float),
    )
    return st.dictionaries(
        st.sampled_from(events), st.lists(script, min_size=1, max_size=2), max_size=4
    ).map(lambda hooks: {e: hooks[e] for e in events if e in hooks})


# Built once: Hypothesis validates a strategy the first time it draws from it.
_SCRIPTS_WITH_LB, _SCRIPTS_WITHOUT_LB = _scripts(True), _scripts(False)
_SERVER_ALARMS = st.lists(alarms(), max_size=2, unique_by=lambda a: a.name)
_SERVER_ROLLBACKS = st.just(AutoRollback.disabled()) | _auto_rollbacks()
_BLUE_GREEN = st.none() | st.builds(
    BlueGreen,
    termination_action=st.sampled_from(("TERMINATE", "KEEP_ALIVE")),
    termination_wait_time_in_minutes=st.just(60) | st.integers(0, 120),
)


@st.composite
def _server_deployment(
    draw: st.DrawFn,
    configs: SearchStrategy[DeploymentConfig],
    fleet_strategy: SearchStrategy[Fleet],
) -> ServerDeployment:
    config = draw(configs)
    fleet = draw(fleet_strategy)
    load_balancer = draw(st.booleans())
    hooks = draw(_SCRIPTS_WITH_LB if load_balancer else _SCRIPTS_WITHOUT_LB)
    alarm_list = draw(_SERVER_ALARMS)
    names = [a.name for a in alarm_list] or ["-"]
    alarm_events = draw(
        st.lists(
            st.tuples(
                st.integers(0, 60).map(float),
                st.sampled_from(names),
                st.sampled_from(("ALARM", "OK", "INSUFFICIENT_DATA")),
            ),
            max_size=3,
        )
    )
    groups = [g for g in fleet.auto_scaling_groups if g is not None]
    scale_outs = draw(
        st.lists(
            st.builds(
                ScaleOut,
                st.integers(0, 30).map(float),
                st.sampled_from(groups or ["-"]),
                st.integers(1, 3),
            ),
            max_size=2,
        )
    )
    # Blue/green needs a load balancer, an Auto Scaling group to copy, and EC2 instances; it is
    # not modelled with zonal configurations or scale-outs.
    blue_green = draw(_BLUE_GREEN)
    if not (load_balancer and groups and config.zonal_config is None):
        blue_green = None
    return ServerDeployment(
        config,
        fleet=fleet,
        load_balancer=load_balancer,
        hooks=hooks,
        faults=draw(faults(fleet, hooks=hooks, load_balancer=load_balancer)),
        ignore_application_stop_failures=draw(st.booleans()),
        auto_rollback=draw(_SERVER_ROLLBACKS),
        alarms=alarm_list,
        alarm_events=alarm_events if alarm_list else [],
        manual_stop=draw(_manual_stops()),
        scale_outs=scale_outs if groups and blue_green is None else [],
        outdated_instances_strategy=draw(st.sampled_from(("UPDATE", "IGNORE"))),
        blue_green=blue_green,
        order=draw(st.sampled_from(("fleet", "shuffle"))),
    )


def server_deployments(
    *,
    configs: SearchStrategy[DeploymentConfig] | None = None,
    fleets: SearchStrategy[Fleet] | None = None,
) -> SearchStrategy[ServerDeployment]:
    """Complete EC2/on-premises deployments: fleet, configuration, scripts, faults, alarms,
    manual stops, Auto Scaling scale-outs, rollback settings, in-place or blue/green.

    Shrinks toward ``ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=Fleet.of_size(1))``:
    one healthy instance, no load balancer, no scripts, no faults, no alarms, rollback disabled
    (the API's default).

    Parameters
    ----------
    configs : strategy of DeploymentConfig, optional
        Default ``deployment_configs("Server")``.
    fleets : strategy of Fleet, optional
        Default ``fleets(1, 8, conditions=True)``.

    Examples
    --------
    >>> from hypothesis import given
    >>> import shiftsim
    >>> @given(server_deployments())
    ... def test_instances_end_terminal(deployment):
    ...     run = shiftsim.simulate(deployment, rng=0)
    ...     assert not run.instances["status"].isin(["Pending", "InProgress"]).any()
    >>> test_instances_end_terminal()
    """
    return _server_deployment(
        configs if configs is not None else deployment_configs("Server"),
        fleets if fleets is not None else _fleet(1, 8, True),
    )


# --------------------------------------------------------------------------------------------
# AppSpec files


def _server_hooks(os_name: str) -> SearchStrategy[dict[str, tuple[Any, ...]]]:
    script = st.builds(
        _appspec.ServerHook,
        location=_SCRIPTS,
        timeout=st.just(300) | st.integers(1, 900),
        # runas applies to Linux only; the choice is made either way (see _alarm).
        runas=(st.none() | st.sampled_from(("root", "app"))).map(
            lambda user: None if os_name == "windows" else user
        ),
    )
    events = _appspec.HOOK_EVENTS["Server"]
    return st.dictionaries(
        st.sampled_from(events),
        st.lists(script, min_size=1, max_size=2).map(tuple),
        max_size=4,
    ).map(lambda hooks: {e: hooks[e] for e in events if e in hooks})


@st.composite
def _server_spec(draw: st.DrawFn) -> Any:
    os_name = draw(st.sampled_from(("linux", "windows")))
    linux = os_name == "linux"
    root = "/var/www/html" if linux else "C:\\inetpub\\wwwroot"
    files = st.builds(
        _appspec.FileMapping,
        _PATH_PART.map(lambda p: f"{p}/") | st.just("/"),
        _PATH_PART.map(lambda p: f"{root}/{p}" if linux else f"{root}\\{p}"),
    )
    permissions = st.lists(
        st.builds(
            _appspec.Permission,
            object=st.just(root),
            owner=st.none() | st.just("www-data"),
            mode=st.none() | st.sampled_from(("644", "755")),
        ),
        max_size=1,
    )
    mappings = tuple(draw(st.lists(files, max_size=2, unique_by=lambda f: f.destination)))
    modes = tuple(draw(permissions))  # drawn either way, as in _alarm; applied on Linux only
    return _appspec.AppSpec(
        "Server",
        os=os_name,
        files=mappings,
        permissions=modes if linux else (),
        hooks=draw(_server_hooks(os_name)),
        file_exists_behavior=draw(st.none() | st.sampled_from(("DISALLOW", "OVERWRITE", "RETAIN"))),
    )


def _function_hooks(platform: str) -> SearchStrategy[dict[str, str]]:
    events = _appspec.HOOK_EVENTS[platform]
    names = st.sampled_from(("CodeDeployHook_preTraffic", "CodeDeployHook_postTraffic"))
    return st.dictionaries(st.sampled_from(events), names).map(
        lambda hooks: {e: hooks[e] for e in events if e in hooks}
    )


@st.composite
def _lambda_spec(draw: st.DrawFn) -> Any:
    current = draw(st.integers(1, 50))
    target = draw(st.integers(1, 50).filter(lambda v: v != current))
    resource = _appspec.LambdaTarget(
        name=draw(st.sampled_from(("my-function", "checkout", "orders_api"))),
        alias=draw(st.sampled_from(("live", "prod", "blue"))),
        current_version=current,
        target_version=target,
    )
    return _appspec.AppSpec("Lambda", resources=(resource,), hooks=draw(_function_hooks("Lambda")))


@st.composite
def _ecs_spec(draw: st.DrawFn) -> Any:
    family = draw(st.sampled_from(("web", "api", "worker")))
    revision = draw(st.integers(1, 200))
    task_definition = f"arn:aws:ecs:us-east-1:111122223333:task-definition/{family}:{revision}"
    network = st.none() | st.builds(
        _appspec.AwsvpcConfiguration,
        st.just(("subnet-1234abcd",)),
        st.just(("sg-1234abcd",)),
        st.sampled_from(("DISABLED", "ENABLED")),
    )
    resource = _appspec.EcsTarget(
        task_definition=task_definition,
        container_name=family,
        container_port=draw(st.sampled_from((80, 8080, 443)) | st.integers(1, 65535)),
        platform_version=draw(st.none() | st.sampled_from(("LATEST", "1.4.0"))),
        network_configuration=draw(network),
    )
    return _appspec.AppSpec("ECS", resources=(resource,), hooks=draw(_function_hooks("ECS")))


_SPECS = {"Server": _server_spec, "Lambda": _lambda_spec, "ECS": _ecs_spec}
FORMS = ("dict", "yaml", "json")


def _render(spec: Any, form: str) -> Any:
    doc = spec.to_dict()
    if form == "yaml":
        return yaml.safe_dump(doc, sort_keys=False)
    if form == "json":
        return json.dumps(doc, indent=2)
    return doc


def appspecs(
    platform: str | None = None, *, form: str | None = None
) -> SearchStrategy[dict[str, Any] | str]:
    """Valid AppSpec documents that :func:`shiftsim.appspec.load_appspec` reads without errors or
    warnings, as dicts or as YAML or JSON text.

    Shrinks toward the smallest file of the platform: a Server file with ``os: linux`` and
    nothing else, a Lambda file with one function and no hooks, an ECS file with one service
    and no hooks.

    Parameters
    ----------
    platform : {"Server", "Lambda", "ECS"}, optional
        All three when None.
    form : {"dict", "yaml", "json"}, optional
        How the document is given; any of the three when None.

    Examples
    --------
    >>> from hypothesis import given
    >>> from shiftsim.appspec import load_appspec
    >>> @given(appspecs("Lambda", form="yaml"))
    ... def test_lambda_appspec(text):
    ...     assert load_appspec(text).platform == "Lambda"
    >>> test_lambda_appspec()
    """
    platforms = COMPUTE_PLATFORMS if platform is None else (platform,)
    for name in platforms:
        check_choice("appspecs", "platform", name, COMPUTE_PLATFORMS)
    if form is not None:
        check_choice("appspecs", "form", form, FORMS)
    forms = st.sampled_from(FORMS) if form is None else st.just(form)
    specs = st.one_of(*(_SPECS[name]() for name in platforms))
    return st.builds(_render, specs, forms)


# --------------------------------------------------------------------------------------------
# Seeds inside @given


class _SeededGenerator(np.random.Generator):
    """``numpy.random.default_rng(seed)`` that shows as such in a falsifying example."""

    def __init__(self, seed: int) -> None:
        super().__init__(np.random.PCG64(seed))
        self.seed = seed

    def __repr__(self) -> str:
        return f"numpy.random.default_rng({self.seed})"


def rngs() -> SearchStrategy[np.random.Generator]:
    """Seeded ``numpy.random.Generator`` objects, to pass as ``rng=`` inside ``@given``.

    pytest's function-scoped fixtures (``shiftsim_rng`` included) are created once per test,
    not once per Hypothesis example, so Hypothesis refuses them in ``@given`` tests. Draw the
    seed with the example instead: each example gets a fresh generator, a failure shrinks
    toward seed 0 and shows as ``rng=default_rng(N)``: ``numpy.random.default_rng(N)``
    replays it.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import shiftsim
    >>> @settings(max_examples=5, deadline=None)
    ... @given(rng=rngs())
    ... def test_all_at_once_succeeds(rng):
    ...     run = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=rng)
    ...     assert run.status == "Succeeded"
    >>> test_all_at_once_succeeds()
    >>> rngs().example()  # doctest: +SKIP
    numpy.random.default_rng(3102)
    """
    return st.integers(0, 2**32 - 1).map(default_rng)


def default_rng(seed: int) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, shown as such (what :func:`rngs` draws)."""
    return _SeededGenerator(seed)
