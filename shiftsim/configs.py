"""CodeDeploy deployment configurations: the predefined catalog, custom ones, and schedules.

A :class:`DeploymentConfig` is what ``get_deployment_config`` returns in the CodeDeploy API: a name,
a compute platform, and either a traffic-routing rule (Lambda, ECS) or a minimum-healthy-hosts rule
(Server). Intervals are in **minutes**, as in CodeDeploy.

Examples
--------
>>> from shiftsim import get_config, traffic_schedule
>>> config = get_config("Canary10Percent5Minutes")
>>> config.name
'CodeDeployDefault.LambdaCanary10Percent5Minutes'
>>> traffic_schedule(config).to_dict("records")
[{'minute': 0, 'percent': 10}, {'minute': 5, 'percent': 100}]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from shiftsim._checks import check_choice, check_int, closest, did_you_mean, invalid
from shiftsim._html import config_html
from shiftsim.errors import ConfigError
from shiftsim.vocabulary import MAX_SHIFTING_MINUTES, MAX_STEP_PERCENT

__all__ = [
    "AllAtOnce",
    "DeploymentConfig",
    "MinimumHealthyHosts",
    "TimeBasedCanary",
    "TimeBasedLinear",
    "ZonalConfig",
    "get_config",
    "predefined_configs",
    "traffic_schedule",
]

ComputePlatform = Literal["Lambda", "ECS", "Server"]
LinearCompletion = Literal["last_shift", "interval_after"]

# MAX_SHIFTING_MINUTES (2880) and MAX_STEP_PERCENT (99): shiftsim.vocabulary (UG:limits.md).
COMPUTE_PLATFORMS = ("Lambda", "ECS", "Server")
LINEAR_COMPLETIONS = ("last_shift", "interval_after")


@dataclass(frozen=True, slots=True)
class TimeBasedCanary:
    """Shift ``canary_percentage`` of traffic, then the rest ``canary_interval`` minutes later.

    Parameters
    ----------
    canary_percentage : int
        Percent of traffic moved in the first increment, 1-99.
    canary_interval : int
        Minutes between the first and second shift, 1-2880.

    Examples
    --------
    >>> TimeBasedCanary(canary_percentage=20, canary_interval=15).shifts()
    ((0, 20), (15, 100))
    """

    canary_percentage: int
    canary_interval: int

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "canary_percentage",
            check_int(
                "TimeBasedCanary", "canary_percentage", self.canary_percentage, 1, MAX_STEP_PERCENT
            ),
        )
        object.__setattr__(
            self,
            "canary_interval",
            check_int(
                "TimeBasedCanary", "canary_interval", self.canary_interval, 1, MAX_SHIFTING_MINUTES
            ),
        )

    def shifts(self) -> tuple[tuple[int, int], ...]:
        """``(minute, percent)`` pairs from the start of AllowTraffic."""
        return ((0, self.canary_percentage), (self.canary_interval, 100))

    @property
    def interval(self) -> int:
        return self.canary_interval


@dataclass(frozen=True, slots=True)
class TimeBasedLinear:
    """Shift ``linear_percentage`` of traffic at the start of each ``linear_interval`` minutes.

    Follows modelling decision D1: with ``K = ceil(100 / linear_percentage)`` increments, shift
    ``k`` happens at minute ``k * linear_interval`` (``k = 0 .. K-1``) and the last one sets 100%.
    A percentage that does not divide 100 ends with a smaller final step (15 -> 15, 30, ..., 90,
    100).

    Examples
    --------
    >>> TimeBasedLinear(linear_percentage=25, linear_interval=2).shifts()
    ((0, 25), (2, 50), (4, 75), (6, 100))
    """

    linear_percentage: int
    linear_interval: int

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "linear_percentage",
            check_int(
                "TimeBasedLinear", "linear_percentage", self.linear_percentage, 1, MAX_STEP_PERCENT
            ),
        )
        object.__setattr__(
            self,
            "linear_interval",
            check_int(
                "TimeBasedLinear", "linear_interval", self.linear_interval, 1, MAX_SHIFTING_MINUTES
            ),
        )
        span = (self.increments - 1) * self.linear_interval
        if span > MAX_SHIFTING_MINUTES:
            raise ConfigError(
                f"TimeBasedLinear spans {span} minutes from first to last shift "
                f"({self.increments} increments of {self.linear_percentage}% every "
                f"{self.linear_interval} minutes); CodeDeploy allows at most "
                f"{MAX_SHIFTING_MINUTES} minutes (48 h). Raise linear_percentage or shorten "
                "linear_interval."
            )

    @property
    def increments(self) -> int:
        return math.ceil(100 / self.linear_percentage)

    @property
    def interval(self) -> int:
        return self.linear_interval

    def shifts(self) -> tuple[tuple[int, int], ...]:
        """``(minute, percent)`` pairs from the start of AllowTraffic."""
        k_total = self.increments
        return tuple(
            (k * self.linear_interval, min(100, (k + 1) * self.linear_percentage))
            for k in range(k_total)
        )


@dataclass(frozen=True, slots=True)
class AllAtOnce:
    """Shift all traffic at once.

    Examples
    --------
    >>> AllAtOnce().shifts()
    ((0, 100),)
    """

    def shifts(self) -> tuple[tuple[int, int], ...]:
        return ((0, 100),)

    @property
    def interval(self) -> int:
        return 0


TrafficRouting = TimeBasedCanary | TimeBasedLinear | AllAtOnce

MINIMUM_HEALTHY_TYPES = ("HOST_COUNT", "FLEET_PERCENT", "MOST_CONCURRENCY")


@dataclass(frozen=True, slots=True)
class MinimumHealthyHosts:
    """The minimum number of healthy instances an EC2/on-premises deployment keeps.

    Parameters
    ----------
    type : {"HOST_COUNT", "FLEET_PERCENT", "MOST_CONCURRENCY"}
        ``HOST_COUNT`` is an absolute number (>= 0); ``FLEET_PERCENT`` a percentage below 100,
        rounded **up** to instances at the start of a deployment. ``MOST_CONCURRENCY`` is the type
        the API reports for ``CodeDeployDefault.OneAtATime`` (value 1: at most one instance in
        flight, minimum = N - 1, decision D8); it cannot be created through the API.
    value : int

    Examples
    --------
    >>> MinimumHealthyHosts("FLEET_PERCENT", 50).minimum(9)
    5
    >>> MinimumHealthyHosts("MOST_CONCURRENCY", 1).minimum(10)
    9
    """

    type: str
    value: int

    def __post_init__(self) -> None:
        check_choice("MinimumHealthyHosts", "type", self.type, MINIMUM_HEALTHY_TYPES)
        if self.type == "FLEET_PERCENT":
            object.__setattr__(
                self, "value", check_int("MinimumHealthyHosts", "value", self.value, 0, 99)
            )
        elif self.type == "MOST_CONCURRENCY":
            object.__setattr__(
                self, "value", check_int("MinimumHealthyHosts", "value", self.value, 1, None)
            )
        else:
            object.__setattr__(
                self, "value", check_int("MinimumHealthyHosts", "value", self.value, 0, None)
            )

    def minimum(self, fleet_size: int) -> int:
        """The minimum healthy count for a fleet of ``fleet_size`` instances."""
        if self.type == "HOST_COUNT":
            return self.value
        if self.type == "FLEET_PERCENT":
            # Integer arithmetic: ceil(value% of N) without floating-point error.
            return -(-self.value * fleet_size // 100)
        return max(fleet_size - self.value, 0)


ZONAL_MINIMUM_TYPES = ("HOST_COUNT", "FLEET_PERCENT")


@dataclass(frozen=True, slots=True)
class ZonalConfig:
    """Deploy to one Availability Zone at a time (API:ZonalConfig), EC2/on-premises only.

    Parameters
    ----------
    monitor_duration_in_seconds : int or None
        Wait after each zone before the next one starts; ``None`` starts the next zone at once.
    first_zone_monitor_duration_in_seconds : int or None
        Wait after the first zone; ``None`` uses ``monitor_duration_in_seconds``.
    minimum_healthy_hosts_per_zone : MinimumHealthyHosts
        Default 0 percent, as in the API. Types HOST_COUNT or FLEET_PERCENT.
    """

    monitor_duration_in_seconds: int | None = None
    first_zone_monitor_duration_in_seconds: int | None = None
    minimum_healthy_hosts_per_zone: MinimumHealthyHosts = field(
        default_factory=lambda: MinimumHealthyHosts("FLEET_PERCENT", 0)
    )

    def __post_init__(self) -> None:
        for name in ("monitor_duration_in_seconds", "first_zone_monitor_duration_in_seconds"):
            value = getattr(self, name)
            if value is not None:
                check_int("ZonalConfig", name, value, 0, None)
        per_zone = self.minimum_healthy_hosts_per_zone
        if not isinstance(per_zone, MinimumHealthyHosts):
            raise invalid(
                "ZonalConfig",
                "minimum_healthy_hosts_per_zone",
                per_zone,
                "must be a MinimumHealthyHosts",
            )
        check_choice(
            "ZonalConfig",
            "minimum_healthy_hosts_per_zone.type",
            per_zone.type,
            ZONAL_MINIMUM_TYPES,
        )

    def __repr__(self) -> str:
        per_zone = self.minimum_healthy_hosts_per_zone
        monitor = self.monitor_duration_in_seconds or 0
        return (
            f"ZonalConfig(monitor {monitor} s, first zone {self.first_zone_monitor_seconds} s, "
            f"per zone {per_zone.type} {per_zone.value})"
        )

    @property
    def first_zone_monitor_seconds(self) -> int:
        first = self.first_zone_monitor_duration_in_seconds
        return first if first is not None else (self.monitor_duration_in_seconds or 0)


@dataclass(frozen=True, slots=True)
class DeploymentConfig:
    """A named CodeDeploy deployment configuration.

    Lambda and ECS configurations carry ``traffic_routing``; Server configurations carry
    ``minimum_healthy_hosts`` (and optionally ``zonal_config``).

    Examples
    --------
    >>> custom = DeploymentConfig("Linear15Every2", "Lambda",
    ...                           traffic_routing=TimeBasedLinear(15, 2))
    >>> [p for _, p in custom.traffic_routing.shifts()]
    [15, 30, 45, 60, 75, 90, 100]
    >>> DeploymentConfig.from_boto(custom.to_boto()) == custom
    True
    """

    name: str
    compute_platform: str
    traffic_routing: TrafficRouting | None = None
    minimum_healthy_hosts: MinimumHealthyHosts | None = None
    zonal_config: ZonalConfig | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise invalid("DeploymentConfig", "name", self.name, "must be a non-empty string")
        check_choice(
            "DeploymentConfig", "compute_platform", self.compute_platform, COMPUTE_PLATFORMS
        )
        if self.compute_platform == "Server":
            if self.traffic_routing is not None:
                raise invalid(
                    "DeploymentConfig",
                    "traffic_routing",
                    self.traffic_routing,
                    "must be None for the Server compute platform",
                    "Server configurations use minimum_healthy_hosts.",
                )
            if not isinstance(self.minimum_healthy_hosts, MinimumHealthyHosts):
                raise invalid(
                    "DeploymentConfig",
                    "minimum_healthy_hosts",
                    self.minimum_healthy_hosts,
                    "must be a MinimumHealthyHosts for the Server compute platform",
                )
            if self.zonal_config is not None and not isinstance(self.zonal_config, ZonalConfig):
                raise invalid(
                    "DeploymentConfig",
                    "zonal_config",
                    self.zonal_config,
                    "must be a ZonalConfig or None",
                )
        else:
            if not isinstance(self.traffic_routing, (TimeBasedCanary, TimeBasedLinear, AllAtOnce)):
                raise invalid(
                    "DeploymentConfig",
                    "traffic_routing",
                    self.traffic_routing,
                    f"must be TimeBasedCanary, TimeBasedLinear or AllAtOnce for "
                    f"{self.compute_platform}",
                )
            for name in ("minimum_healthy_hosts", "zonal_config"):
                if getattr(self, name) is not None:
                    raise invalid(
                        "DeploymentConfig",
                        name,
                        getattr(self, name),
                        f"must be None for the {self.compute_platform} compute platform",
                    )

    # ------------------------------------------------------------------ boto3 shapes
    @classmethod
    def from_boto(cls, info: Mapping[str, Any]) -> DeploymentConfig:
        """Read ``get_deployment_config()["deploymentConfigInfo"]`` or ``create_deployment_config``
        keyword arguments.

        Examples
        --------
        >>> DeploymentConfig.from_boto({
        ...     "deploymentConfigName": "CodeDeployDefault.HalfAtATime",
        ...     "computePlatform": "Server",
        ...     "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 50},
        ... }).minimum_healthy_hosts.minimum(9)
        5
        """
        if not isinstance(info, Mapping):
            raise invalid("DeploymentConfig.from_boto", "info", info, "must be a mapping")
        name = info.get("deploymentConfigName")
        platform = info.get("computePlatform", "Server")
        routing: TrafficRouting | None = None
        minimum: MinimumHealthyHosts | None = None
        zonal: ZonalConfig | None = None
        if "trafficRoutingConfig" in info:
            routing = _routing_from_boto(info["trafficRoutingConfig"])
        if "minimumHealthyHosts" in info:
            mhh = info["minimumHealthyHosts"]
            if not isinstance(mhh, Mapping):
                raise invalid(
                    "DeploymentConfig.from_boto",
                    "minimumHealthyHosts",
                    mhh,
                    "must be a mapping with 'type' and 'value'",
                )
            minimum = MinimumHealthyHosts(mhh.get("type"), mhh.get("value"))  # type: ignore[arg-type]
        if "zonalConfig" in info:
            zonal = _zonal_from_boto(info["zonalConfig"])
        if platform == "Server" and minimum is None and routing is None:
            raise ConfigError(
                "DeploymentConfig.from_boto: a Server configuration needs 'minimumHealthyHosts'."
            )
        return cls(name, platform, routing, minimum, zonal)  # type: ignore[arg-type]

    def to_boto(self) -> dict[str, Any]:
        """The ``create_deployment_config`` keyword arguments for this configuration."""
        out: dict[str, Any] = {
            "deploymentConfigName": self.name,
            "computePlatform": self.compute_platform,
        }
        if self.minimum_healthy_hosts is not None:
            out["minimumHealthyHosts"] = {
                "type": self.minimum_healthy_hosts.type,
                "value": self.minimum_healthy_hosts.value,
            }
        if self.zonal_config is not None:
            z = self.zonal_config
            zonal: dict[str, Any] = {
                "minimumHealthyHostsPerZone": {
                    "type": z.minimum_healthy_hosts_per_zone.type,
                    "value": z.minimum_healthy_hosts_per_zone.value,
                }
            }
            if z.monitor_duration_in_seconds is not None:
                zonal["monitorDurationInSeconds"] = z.monitor_duration_in_seconds
            if z.first_zone_monitor_duration_in_seconds is not None:
                zonal["firstZoneMonitorDurationInSeconds"] = (
                    z.first_zone_monitor_duration_in_seconds
                )
            out["zonalConfig"] = zonal
        routing = self.traffic_routing
        if isinstance(routing, TimeBasedCanary):
            out["trafficRoutingConfig"] = {
                "type": "TimeBasedCanary",
                "timeBasedCanary": {
                    "canaryPercentage": routing.canary_percentage,
                    "canaryInterval": routing.canary_interval,
                },
            }
        elif isinstance(routing, TimeBasedLinear):
            out["trafficRoutingConfig"] = {
                "type": "TimeBasedLinear",
                "timeBasedLinear": {
                    "linearPercentage": routing.linear_percentage,
                    "linearInterval": routing.linear_interval,
                },
            }
        elif isinstance(routing, AllAtOnce):
            out["trafficRoutingConfig"] = {"type": "AllAtOnce"}
        return out

    @property
    def is_predefined(self) -> bool:
        return self.name in _CATALOG

    def __repr__(self) -> str:
        rule = (
            self.traffic_routing if self.traffic_routing is not None else self.minimum_healthy_hosts
        )
        return f"DeploymentConfig({self.name!r}, {self.compute_platform}, {rule})"

    def _repr_html_(self) -> str:
        return config_html(self)


ROUTING_TYPES = ("TimeBasedCanary", "TimeBasedLinear", "AllAtOnce")


def _routing_from_boto(raw: Any) -> TrafficRouting:
    owner = "DeploymentConfig.from_boto"
    if not isinstance(raw, Mapping):
        raise invalid(owner, "trafficRoutingConfig", raw, "must be a mapping")
    kind = check_choice(owner, "trafficRoutingConfig.type", raw.get("type"), ROUTING_TYPES)
    if kind == "AllAtOnce":
        return AllAtOnce()
    key = "timeBasedCanary" if kind == "TimeBasedCanary" else "timeBasedLinear"
    body = raw.get(key)
    if not isinstance(body, Mapping):
        raise invalid(
            owner, f"trafficRoutingConfig.{key}", body, f"must be a mapping when type is {kind!r}"
        )
    if kind == "TimeBasedCanary":
        return TimeBasedCanary(body.get("canaryPercentage"), body.get("canaryInterval"))  # type: ignore[arg-type]
    return TimeBasedLinear(body.get("linearPercentage"), body.get("linearInterval"))  # type: ignore[arg-type]


def _zonal_from_boto(raw: Any) -> ZonalConfig:
    if not isinstance(raw, Mapping):
        raise invalid("DeploymentConfig.from_boto", "zonalConfig", raw, "must be a mapping")
    per_zone = raw.get("minimumHealthyHostsPerZone", {"type": "FLEET_PERCENT", "value": 0})
    if not isinstance(per_zone, Mapping):
        raise invalid(
            "DeploymentConfig.from_boto",
            "zonalConfig.minimumHealthyHostsPerZone",
            per_zone,
            "must be a mapping with 'type' and 'value'",
        )
    return ZonalConfig(
        raw.get("monitorDurationInSeconds"),
        raw.get("firstZoneMonitorDurationInSeconds"),
        MinimumHealthyHosts(per_zone.get("type"), per_zone.get("value")),  # type: ignore[arg-type]
    )


def _build_catalog() -> dict[str, DeploymentConfig]:
    catalog: dict[str, DeploymentConfig] = {}

    def add(
        name: str,
        platform: str,
        routing: TrafficRouting | None = None,
        minimum: MinimumHealthyHosts | None = None,
    ) -> None:
        full = f"CodeDeployDefault.{name}"
        catalog[full] = DeploymentConfig(full, platform, routing, minimum)

    for minutes in (5, 10, 15, 30):
        add(f"LambdaCanary10Percent{minutes}Minutes", "Lambda", TimeBasedCanary(10, minutes))
    add("LambdaLinear10PercentEvery1Minute", "Lambda", TimeBasedLinear(10, 1))
    for minutes in (2, 3, 10):
        add(f"LambdaLinear10PercentEvery{minutes}Minutes", "Lambda", TimeBasedLinear(10, minutes))
    add("LambdaAllAtOnce", "Lambda", AllAtOnce())
    for minutes in (1, 3):
        add(f"ECSLinear10PercentEvery{minutes}Minutes", "ECS", TimeBasedLinear(10, minutes))
    for minutes in (5, 15):
        add(f"ECSCanary10Percent{minutes}Minutes", "ECS", TimeBasedCanary(10, minutes))
    add("ECSAllAtOnce", "ECS", AllAtOnce())
    add("OneAtATime", "Server", minimum=MinimumHealthyHosts("MOST_CONCURRENCY", 1))
    add("HalfAtATime", "Server", minimum=MinimumHealthyHosts("FLEET_PERCENT", 50))
    add("AllAtOnce", "Server", minimum=MinimumHealthyHosts("HOST_COUNT", 0))
    return catalog


_CATALOG = _build_catalog()

#: SAM ``DeploymentPreference.Type`` short names (SAM: deployment_preference_collection.py).
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


def predefined_configs(compute_platform: str | None = None) -> tuple[DeploymentConfig, ...]:
    """Every predefined ``CodeDeployDefault.*`` configuration, optionally for one platform.

    Examples
    --------
    >>> [len(predefined_configs(p)) for p in ("Lambda", "ECS", "Server")]
    [9, 5, 3]
    """
    if compute_platform is not None:
        check_choice("predefined_configs", "compute_platform", compute_platform, COMPUTE_PLATFORMS)
    return tuple(
        c
        for c in _CATALOG.values()
        if compute_platform is None or c.compute_platform == compute_platform
    )


def get_config(name: str) -> DeploymentConfig:
    """Look up a predefined configuration by its AWS name or its SAM short name.

    Parameters
    ----------
    name : str
        ``"CodeDeployDefault.LambdaCanary10Percent5Minutes"``, or the SAM short name
        ``"Canary10Percent5Minutes"`` (SAM maps it to ``CodeDeployDefault.Lambda<name>``).

    Raises
    ------
    ConfigError
        For an unknown name, suggesting the closest real ones (for example the ECS
        ``...Every1Minutes`` spelling).

    Examples
    --------
    >>> get_config("CodeDeployDefault.ECSLinear10PercentEvery1Minutes").traffic_routing
    TimeBasedLinear(linear_percentage=10, linear_interval=1)
    """
    if not isinstance(name, str):
        raise ConfigError(f"get_config: name must be a string; got {name!r}.")
    if name in _CATALOG:
        return _CATALOG[name]
    if name in SAM_SHORT_NAMES:
        return _CATALOG[f"CodeDeployDefault.Lambda{name}"]
    advice = _name_hint(name) or "see shiftsim.predefined_configs() for the list"
    raise ConfigError(
        f"get_config: {name!r} is not a predefined CodeDeploy configuration; {advice} "
        "(custom configurations are built with DeploymentConfig(...))."
    )


_PREFIX = "CodeDeployDefault."


def _name_hint(name: str) -> str:
    """``did you mean ...?`` for an unknown configuration name, or ``""``.

    Names are compared without the ``CodeDeployDefault.`` prefix they all share: with it, any
    word looks close to every catalog name (``'foo'`` got three random suggestions), and a name
    typed without it (``ECSLinear10PercentEvery1Minute``) matched SAM's *Lambda* short names
    rather than the ECS configuration it misspells. SAM short names are offered only for names
    typed without the prefix, since SAM never adds one to them.
    """
    prefixed = name.lower().startswith(_PREFIX.lower())
    bare = name[len(_PREFIX) :] if prefixed else name
    spellings: dict[str, list[str]] = {}
    for full in _CATALOG:
        spellings.setdefault(full[len(_PREFIX) :], []).append(full)
    if not prefixed:
        for short in SAM_SHORT_NAMES:
            spellings.setdefault(short, []).append(short)
    names = [full for key in closest(bare, spellings) for full in spellings[key]]
    return did_you_mean(dict.fromkeys(names[:3]))


def allow_traffic_minutes(routing: TrafficRouting, linear_completion: str = "last_shift") -> int:
    """Length of the AllowTraffic step in minutes (decision D1).

    With ``"last_shift"`` (default) AllowTraffic ends at the last shift; with
    ``"interval_after"`` a linear configuration waits one more interval, so
    Linear10PercentEvery10Minutes takes 100 minutes as the SAM guide says.
    """
    check_choice("traffic_schedule", "linear_completion", linear_completion, LINEAR_COMPLETIONS)
    last = routing.shifts()[-1][0]
    if linear_completion == "interval_after" and isinstance(routing, TimeBasedLinear):
        return last + routing.linear_interval
    return last


def traffic_schedule(
    config: DeploymentConfig | TrafficRouting | str, linear_completion: str = "last_shift"
) -> pd.DataFrame:
    """One row per traffic shift: ``minute`` from the start of AllowTraffic and ``percent``.

    ``percent`` is the share of traffic on the target version after the shift. The frame's
    ``attrs["allow_traffic_minutes"]`` holds when AllowTraffic ends under ``linear_completion``
    (see :func:`allow_traffic_minutes`, decision D1).

    Examples
    --------
    >>> traffic_schedule("CodeDeployDefault.LambdaLinear10PercentEvery1Minute").iloc[-1].tolist()
    [9, 100]
    """
    if isinstance(config, str):
        config = get_config(config)
    routing = config.traffic_routing if isinstance(config, DeploymentConfig) else config
    if routing is None:
        raise ConfigError(
            f"traffic_schedule: {getattr(config, 'name', config)!r} is a Server configuration; "
            "it has no traffic schedule (it uses minimum healthy hosts)."
        )
    shifts = routing.shifts()
    frame = pd.DataFrame(shifts, columns=["minute", "percent"])
    frame.attrs["allow_traffic_minutes"] = allow_traffic_minutes(routing, linear_completion)
    return frame
