"""The lifecycle of an EC2/on-premises deployment: its events in CodeDeploy's order, the events
reserved for CodeDeploy, the time limits, and CodeDeploy's messages.

With a load balancer the traffic events surround the install events (codedeploy.md 4.1);
without one only ApplicationStop ... ValidateService run.
"""

from __future__ import annotations

from collections.abc import Sequence

from shiftsim._checks import invalid, suggest

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
BLOCK_EVENTS = ("BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic")
#: The install events, in the agent's order (Agent: deployer.rb).
INSTALL_EVENTS = (
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
)
#: Traffic events after the install events when a load balancer is configured.
ALLOW_EVENTS = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
#: The lifecycle events of an EC2/on-premises deployment, in CodeDeploy's order (with a
#: load balancer; without one only ApplicationStop ... ValidateService run).
LIFECYCLE_EVENTS = BLOCK_EVENTS + INSTALL_EVENTS + ALLOW_EVENTS
#: Events reserved for CodeDeploy: no scripts (UG:reference-appspec-file-structure-hooks.md).
RESERVED_EVENTS = ("DownloadBundle", "Install", "BlockTraffic", "AllowTraffic")
#: Events that run the scripts of the last successful install on the instance.
PREVIOUS_REVISION_EVENTS = ("ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic")
#: Events that run scripts.
HOOKABLE_EVENTS = tuple(e for e in LIFECYCLE_EVENTS if e not in RESERVED_EVENTS)

#: Seconds a script may run, by default and at most (D10).
MAX_SCRIPT_TIMEOUT = 3600
#: Seconds a lifecycle event may run (D10; UG:limits.md).
EVENT_TIMEOUT = 3600.0
#: Seconds after which an event that never starts fails (D10; UG:limits.md).
AGENT_TIMEOUT = 300.0

#: CodeDeploy's messages for the deployment-level error codes it reports here.
MESSAGES = {
    "HEALTH_CONSTRAINTS": (
        "The overall deployment failed because too many individual instances failed "
        "deployment, too few healthy instances are available for deployment, or some instances "
        "in your deployment group are experiencing problems."
    ),
    "NO_INSTANCES": (
        "The deployment failed because no instances were found for your deployment group. "
        "Check your deployment group settings to make sure the tags for your EC2 instances or "
        "Auto Scaling groups correctly identify the instances you want to deploy to."
    ),
    "MANUAL_STOP": "The deployment was stopped by a StopDeployment request.",
}
#: The agent-side message of an instance whose agent cannot take lifecycle events.
AGENT_MESSAGE = (
    "CodeDeploy agent was not able to receive the lifecycle event. Check the CodeDeploy agent "
    "logs on your host and make sure the agent is running and can connect to the CodeDeploy "
    "server."
)

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
