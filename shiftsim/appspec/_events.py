"""Lifecycle event names (private): which events a platform lets a file hook."""

from __future__ import annotations

from typing import Any

from shiftsim._text import excerpt
from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    kind,
    suggest_event,
)
from shiftsim.appspec._model import HOOK_EVENTS, PLATFORM_NAMES, PLATFORMS, RESERVED_EVENTS

__all__ = ["NEVER_RUN", "check_event_name", "event_problem"]

_RESERVED_NEIGHBOURS = {
    "DownloadBundle": ("ApplicationStop", "BeforeInstall"),
    "Install": ("BeforeInstall", "AfterInstall"),
    "BlockTraffic": ("BeforeBlockTraffic", "AfterBlockTraffic"),
    "AllowTraffic": ("BeforeAllowTraffic", "AfterAllowTraffic"),
    "TestTraffic": ("AfterAllowTestTraffic",),
    "AllowTestTraffic": ("AfterAllowTestTraffic",),
}
# Hook names of early agents (Agent:hook_executor.rb), renamed in the AppSpec reference.
_LEGACY_EVENTS = {
    "BeforeELBRemove": "BeforeBlockTraffic",
    "AfterELBRemove": "AfterBlockTraffic",
    "BeforeELBAdd": "BeforeAllowTraffic",
    "AfterELBAdd": "AfterAllowTraffic",
}


#: Added to the message when an EC2/On-Premises file hooks an event its agent never runs.
NEVER_RUN = (
    "; the agent accepts the file but never runs these scripts (it runs the scripts of the "
    "events above only; codedeploy-local refuses the file)"
)


def check_event_name(r: Checker, event: Any, path: Path, platform: str) -> bool:
    """Whether ``event`` is a lifecycle event of ``platform``; reports it when it is not.

    The EC2/On-Premises agent accepts any name and runs the scripts of its events only
    (Agent:application_specification.rb, parse_hooks; Agent:command_poller.rb,
    DEFAULT_HOOK_MAPPING), so there an unknown name is a warning. The Lambda and ECS AppSpec is
    read by the service: an unknown name is an error.
    """
    problem = event_problem(event, platform)
    if problem is None:
        return True
    if platform == "Server":
        r.warn(path, problem + NEVER_RUN, at_key=True)
    else:
        r.error(path, problem, at_key=True)
    return False


def event_problem(event: Any, platform: str) -> str | None:
    """Why ``event`` is not a lifecycle event a ``platform`` AppSpec can hook, or None."""
    allowed = HOOK_EVENTS[platform]
    where = f"{PLATFORM_NAMES[platform]} deployments"
    if isinstance(event, str) and event in allowed:
        return None
    if not isinstance(event, str):
        return f"a lifecycle event name must be text; got {kind(event)}"
    listed = ", ".join(allowed)
    if event in RESERVED_EVENTS[platform]:
        neighbours = [n for n in _RESERVED_NEIGHBOURS.get(event, ()) if n in allowed]
        use = " or ".join(repr(n) for n in neighbours) if neighbours else f"one of {listed}"
        what = "scripts" if platform == "Server" else "hook functions"
        reason = (
            "Start and End mark the beginning and the end of a deployment"
            if event in ("Start", "End")
            else f"{event} is a step CodeDeploy runs itself"
        )
        return (
            f"{excerpt(event)} is reserved for CodeDeploy and cannot run {what}: "
            f"{reason}. Hook {use} instead"
        )
    if event in _LEGACY_EVENTS and platform == "Server":
        return (
            f"{excerpt(event)} is an old name; the lifecycle event is now {_LEGACY_EVENTS[event]!r}"
        )
    other = [p for p in PLATFORMS if p != platform and event in HOOK_EVENTS[p]]
    if other:
        return (
            f"{excerpt(event)} is a lifecycle event of "
            f"{' and '.join(PLATFORM_NAMES[p] for p in other)} deployments, not of "
            f"{where}; the events are: {listed}"
        )
    hint = suggest_event(event, allowed)
    rest = f"{hint} (the events are: {listed})" if hint else f"the events are: {listed}"
    return f"{excerpt(event)} is not a lifecycle event of {where}; {rest}"
