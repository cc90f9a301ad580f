"""Scenario files: the keys each platform takes and the limits on numbers (private)."""

from __future__ import annotations

import re

from shiftsim._limits import (
    MAX_INSTALL_SECONDS,
    MAX_RATE,
    MAX_RUNS,
    MIN_ALARM_POLL_INTERVAL,
)

__all__ = [
    "DEFAULT_RUNS",
    "MAX_FLEET_SIZE",
    "MAX_INSTALL_SECONDS",
    "MAX_RATE",
    "MAX_RUNS",
    "MIN_ALARM_POLL_INTERVAL",
    "PLATFORMS",
]

PLATFORMS = ("Lambda", "ECS", "Server")
#: Runs of ``shiftsim montecarlo`` and ``shiftsim compare`` when neither file nor flag says.
DEFAULT_RUNS = 10_000

# Upper bounds where the cost of a simulation follows a number of the file: the same constants
# as the API's (shiftsim/_limits.py), checked before anything is built.

#: Largest fleet (instances) a file may describe: 100 times CodeDeploy's limit of 1000 instances
#: per deployment (UG:limits.md, OVER_MAX_INSTANCES), so exceeding the limit can be simulated
#: (the API's own limit, shiftsim._limits.MAX_FLEET_SIZE, is ten times larger).
MAX_FLEET_SIZE = 100_000

# Platform names people write for Server (CodeDeploy's compute platform for EC2/on-premises).
_SERVER_ALIASES = ("ec2", "ec2/on-premises", "onpremises", "on-premises", "on_premises")

_COMMON_KEYS = (
    "platform",
    "name",
    "seed",
    "runs",
    "config",
    "appspec",
    "alarms",
    "auto_rollback",
    "manual_stop",
)
_TRAFFIC_KEYS = (
    "traffic",
    "versions",
    "hooks",
    "alarm_poll_interval",
    "metric_delay",
    "linear_completion",
    "ignore_poll_alarm_failure",
    "override_alarm_configuration",
    "alarm_read_failures",
    "names",
)
_PLATFORM_KEYS = {
    "Lambda": (*_COMMON_KEYS, *_TRAFFIC_KEYS, "sam_template", "function"),
    "ECS": (
        *_COMMON_KEYS,
        *_TRAFFIC_KEYS,
        "install_seconds",
        "test_traffic",
        "termination_wait_time_in_minutes",
        "test_requests_per_minute",
        "ready_action",
        "ready_wait_minutes",
        "continue_after_minutes",
        "termination_action",
        "skip_termination_wait_after_minutes",
    ),
}
_SERVER_SCALARS = (
    "load_balancer",
    "ignore_application_stop_failures",
    "alarm_poll_interval",
    "outdated_instances_strategy",
    "order",
    "clock_skew_tolerance_seconds",
    "max_instances",
    "max_run_time_minutes",
    "file_exists_behavior",
    "termination_hook_enabled",
)
_SERVER_KEYS = (
    *_COMMON_KEYS,
    *_SERVER_SCALARS,
    "fleet",
    "targets",
    "hooks",
    "previous_hooks",
    "script_durations",
    "reserved_durations",
    "faults",
    "alarm_events",
    "scale_outs",
    "scale_ins",
    "blue_green",
    "names",
)
_NAMES = {
    "Lambda": ("function_name", "alias", "application", "deployment_group"),
    "ECS": ("service_name", "cluster_name", "application", "deployment_group"),
}
_HOOK_EVENTS = {
    "Lambda": ("BeforeAllowTraffic", "AfterAllowTraffic"),
    "ECS": (
        "BeforeInstall",
        "AfterInstall",
        "AfterAllowTestTraffic",
        "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
}
_PROFILE_SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # shape: (required keys, optional keys)
    "step": (("at_minute", "before", "after"), ()),
    "ramp": (("start_minute", "end_minute", "start", "end"), ()),
    "burst": (("start_minute", "end_minute", "value"), ("baseline",)),
}
_ROUTING_KEYS = {
    "TimeBasedCanary": ("canary_percentage", "canary_interval"),
    "TimeBasedLinear": ("linear_percentage", "linear_interval"),
    "AllAtOnce": (),
}
_FIELD_IN_MESSAGE = re.compile(r"^\w+\.(\w+)")


def _snake(event: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", event).lower()
