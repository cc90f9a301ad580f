"""Lifecycle event names (private): which events a platform lets a file hook."""

from __future__ import annotations

from typing import Any

from shiftsim._yaml import Path
from shiftsim.appspec._checker import (
    Checker,
    kind,
    suggest_event,
)
from shiftsim.appspec._model import HOOK_EVENTS, PLATFORM_NAMES, PLATFORMS, RESERVED_EVENTS

__all__ = ["check_event_name"]

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


def check_event_name(r: Checker, event: Any, path: Path, platform: str) -> bool:
    allowed = HOOK_EVENTS[platform]
    where = f"{PLATFORM_NAMES[platform]} deployments"
    if isinstance(event, str) and event in allowed:
        return True
    if not isinstance(event, str):
        r.error(path, f"a lifecycle event name must be text; got {kind(event)}", at_key=True)
        return False
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
        r.error(
            path,
            f"{event!r} is reserved for CodeDeploy and cannot run {what}: "
            f"{reason}. Hook {use} instead",
            at_key=True,
        )
        return False
    if event in _LEGACY_EVENTS and platform == "Server":
        r.error(
            path,
            f"{event!r} is an old name; the lifecycle event is now {_LEGACY_EVENTS[event]!r}",
            at_key=True,
        )
        return False
    other = [p for p in PLATFORMS if p != platform and event in HOOK_EVENTS[p]]
    if other:
        r.error(
            path,
            f"{event!r} is a lifecycle event of "
            f"{' and '.join(PLATFORM_NAMES[p] for p in other)} deployments, not of "
            f"{where}; the events are: {listed}",
            at_key=True,
        )
        return False
    hint = suggest_event(event, allowed)
    rest = f"{hint} (the events are: {listed})" if hint else f"the events are: {listed}"
    r.error(path, f"{event!r} is not a lifecycle event of {where}; {rest}", at_key=True)
    return False
