"""Strategies for deployment configurations, valid and invalid (:class:`InvalidConfig`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from shiftsim._checks import check_choice, check_int
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
from shiftsim.errors import ConfigError

__all__ = ["InvalidConfig", "deployment_configs", "invalid_deployment_configs"]


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
    return st.one_of(
        *_invalid_routings(),
        *_invalid_minimums(),
        *_invalid_platforms(),
        *_invalid_zonal_and_named(),
    )


def _invalid_routings() -> tuple[SearchStrategy[InvalidConfig], ...]:
    """Canary and linear routings: percentages and intervals out of range, schedules too long."""
    percent, interval = st.integers(1, 99), st.integers(1, 60)

    @st.composite
    def too_long(draw: st.DrawFn) -> dict[str, Any]:
        p = draw(st.integers(1, 33))  # with 2 increments (p >= 34) no interval is too long
        increments = math.ceil(100 / p)
        shortest = MAX_SHIFTING_MINUTES // (increments - 1) + 1
        return {"linear_percentage": p, "linear_interval": draw(st.integers(shortest, 2880))}

    return (
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
    )


def _invalid_minimums() -> tuple[SearchStrategy[InvalidConfig], ...]:
    """Minimum-healthy-hosts rules of an unknown type or out of range."""
    return (
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
    )


def _invalid_platforms() -> tuple[SearchStrategy[InvalidConfig], ...]:
    """Configurations whose settings do not fit their compute platform, or have no name."""
    canary = st.builds(TimeBasedCanary, st.integers(1, 99), st.integers(1, 60))
    linear, minimum = _linear(60), _minimum_healthy_hosts()
    return (
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
    )


def _invalid_zonal_and_named() -> tuple[SearchStrategy[InvalidConfig], ...]:
    """Zonal settings, misspelled predefined names and malformed ``boto3`` shapes."""
    return (
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
