"""The lifecycle of an EC2/on-premises deployment: its events in CodeDeploy's order, the events
reserved for CodeDeploy, the time limits, and CodeDeploy's messages, under the names the Server
modules use (the facts and their sources are in :mod:`shiftsim.vocabulary`).

With a load balancer the traffic events surround the install events (codedeploy.md 4.1);
without one only ApplicationStop ... ValidateService run.
"""

from __future__ import annotations

from collections.abc import Sequence

from shiftsim._checks import invalid, suggest
from shiftsim.vocabulary import (
    DEFAULT_SCRIPT_TIMEOUT_SECONDS,
    EVENT_START_TIMEOUT_SECONDS,
    LIFECYCLE_EVENT_TIMEOUT_SECONDS,
    PREVIOUS_REVISION_EVENTS,
    SERVER_ALLOW_EVENTS,
    SERVER_BLOCK_EVENTS,
    SERVER_BUILTIN_EVENTS,
    SERVER_EVENTS,
    SERVER_INSTALL_EVENTS,
    ErrorCode,
)
from shiftsim.vocabulary import HOOKABLE_EVENTS as _HOOKABLE

__all__ = [
    "AGENT_MESSAGE",
    "AGENT_TIMEOUT",
    "ALLOW_EVENTS",
    "BLOCK_EVENTS",
    "EVENT_TIMEOUT",
    "HOOKABLE_EVENTS",
    "INSTALL_EVENTS",
    "LIFECYCLE_EVENTS",
    "MAX_SCRIPT_TIMEOUT",
    "MESSAGES",
    "PREVIOUS_REVISION_EVENTS",
    "RESERVED_EVENTS",
    "check_event",
    "event_list",
]

#: Traffic events before the install events when a load balancer is configured.
BLOCK_EVENTS = SERVER_BLOCK_EVENTS
#: The install events, in the agent's order (Agent: deployer.rb).
INSTALL_EVENTS = SERVER_INSTALL_EVENTS
#: Traffic events after the install events when a load balancer is configured.
ALLOW_EVENTS = SERVER_ALLOW_EVENTS
#: The lifecycle events of an EC2/on-premises deployment, in CodeDeploy's order (with a
#: load balancer; without one only ApplicationStop ... ValidateService run).
LIFECYCLE_EVENTS = SERVER_EVENTS
#: Events reserved for CodeDeploy: no scripts (UG:reference-appspec-file-structure-hooks.md).
RESERVED_EVENTS = SERVER_BUILTIN_EVENTS
#: Events that run scripts.
HOOKABLE_EVENTS = _HOOKABLE["Server"]

#: Seconds a script may run, by default and at most (D10).
MAX_SCRIPT_TIMEOUT = DEFAULT_SCRIPT_TIMEOUT_SECONDS
#: Seconds a lifecycle event may run (D10; UG:limits.md).
EVENT_TIMEOUT = float(LIFECYCLE_EVENT_TIMEOUT_SECONDS)
#: Seconds after which an event that never starts fails (D10; UG:limits.md).
AGENT_TIMEOUT = float(EVENT_START_TIMEOUT_SECONDS)

#: CodeDeploy's messages for the deployment-level error codes it reports here.
MESSAGES = {
    code.value: code.message
    for code in (ErrorCode.HEALTH_CONSTRAINTS, ErrorCode.NO_INSTANCES, ErrorCode.MANUAL_STOP)
}
#: The agent-side message of an instance whose agent cannot take lifecycle events.
AGENT_MESSAGE = ErrorCode.AGENT_ISSUE.message

_RESERVED_HINTS = {
    "DownloadBundle": "To make DownloadBundle fail, give the instance s3_access=False.",
    "Install": None,
    "BlockTraffic": "Use LoadBalancerFault for a failed deregistration.",
    "AllowTraffic": "Use LoadBalancerFault for a failed registration.",
}


def event_list(load_balancer: bool) -> tuple[str, ...]:
    """The in-place lifecycle (codedeploy.md 4.1): with a load balancer, the traffic events
    surround the install events.

    >>> event_list(False)[0], len(event_list(True))
    ('ApplicationStop', 13)
    """
    return LIFECYCLE_EVENTS if load_balancer else INSTALL_EVENTS


def check_event(
    owner: str, field_name: str, event: object, *, allowed: Sequence[str] = HOOKABLE_EVENTS
) -> str:
    """``event`` if it is a lifecycle event that runs scripts, else a ConfigError saying why."""
    if isinstance(event, str) and event in allowed:
        return event
    if isinstance(event, str) and event in RESERVED_EVENTS:
        raise invalid(
            owner,
            field_name,
            event,
            "is reserved for CodeDeploy and runs no scripts "
            "(UG:reference-appspec-file-structure-hooks.md)",
            _RESERVED_HINTS[event],
        )
    hint = suggest(event, allowed) if isinstance(event, str) else ""
    raise invalid(
        owner,
        field_name,
        event,
        "must be a lifecycle event that runs scripts: " + ", ".join(allowed),
        hint or None,
    )
