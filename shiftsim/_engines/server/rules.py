"""The decision rules of the Server window, written once as small pure functions.

:func:`can_start`, :func:`is_doomed` and :func:`has_succeeded` work on Python scalars and on
numpy arrays alike, so the event core (:mod:`.core`, one instance at a time) and the array
kernel (:mod:`.kernel`, all instances at once) decide alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from shiftsim._engines.server.codes import C_NONE, C_STOPPED, C_STOPPED_MID_EVENT
from shiftsim.server.lifecycle import AGENT_TIMEOUT, EVENT_TIMEOUT
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = [
    "alarm_detection_time",
    "can_start",
    "deadline_status",
    "has_succeeded",
    "instance_order",
    "is_doomed",
    "minimum_is_invalid",
    "stopped_outcome",
    "zone_doomed",
]


def minimum_is_invalid(group_size: Any, minimum: Any) -> Any:
    """A minimum at or above the group size fails the deployment at once with
    ``HEALTH_CONSTRAINTS_INVALID`` (UG:instances-health.md).

    >>> minimum_is_invalid(10, 10), minimum_is_invalid(10, 9)
    (True, False)
    """
    return minimum >= group_size


def can_start(in_flight: Any, cap: Any, candidate_healthy: Any, healthy: Any, minimum: Any) -> Any:
    """Whether the next instance may start now.

    At most ``cap`` instances are in flight, and starting a **healthy** instance takes it out of
    the healthy count, so it may start only while ``healthy > minimum`` ("a deployment must never
    cause the number of healthy instances to fall below the minimum", UG:instances-health.md).
    Starting an unhealthy instance never lowers the count.

    >>> can_start(0, 4, True, 5, 5), can_start(0, 4, False, 5, 5), can_start(4, 4, False, 9, 5)
    (False, True, False)
    """
    return (in_flight < cap) & ((candidate_healthy == 0) | (healthy > minimum))


def is_doomed(n: Any, failed: Any, base_healthy: Any, minimum: Any, healthy_idle: Any) -> Any:
    """Whether the deployment can no longer succeed, so it fails now with HEALTH_CONSTRAINTS.

    ``best = n - failed + base_healthy`` is the most healthy instances the group can still
    have. The deployment is doomed when healthy instances wait to be deployed but ``best`` is at
    or below the minimum (none of them could ever start), when ``best`` is below the minimum,
    or when no instance of the pass can still succeed.

    HalfAtATime on 9 instances (minimum 5): the fourth failure dooms it while instances wait.

    >>> is_doomed(9, 4, 0, 5, 1), is_doomed(9, 4, 0, 5, 0), is_doomed(9, 3, 0, 5, 2)
    (True, False, False)
    """
    best = n - failed + base_healthy
    return ((healthy_idle > 0) & (best <= minimum)) | (best < minimum) | (n - failed < 1)


def zone_doomed(n: int, failed: int, minimum: int, healthy_idle: int) -> bool:
    """The per-zone form of :func:`is_doomed` (no need for a success in every zone).

    >>> zone_doomed(3, 1, 2, 1), zone_doomed(3, 1, 2, 0)
    (True, False)
    """
    best = n - failed
    return bool((healthy_idle > 0 and best <= minimum) or best < minimum)


def has_succeeded(succeeded: Any, base_healthy: Any, minimum: Any) -> Any:
    """Overall success once every instance has been deployed to: at least one instance
    succeeded and the healthy count reached the minimum (UG:instances-health.md).

    >>> has_succeeded(1, 0, 0), has_succeeded(0, 0, 0), has_succeeded(8, 0, 9)
    (True, False, False)
    """
    return (succeeded >= 1) & (succeeded + base_healthy >= minimum)


def instance_order(
    healthy: np.ndarray,
    zone_rank: np.ndarray | None = None,
    shuffle_u: np.ndarray | None = None,
    revision: np.ndarray | None = None,
) -> np.ndarray:
    """Positions in start order (decision D13): by zone (zonal deployments), then unhealthy
    instances, then healthy ones whose revision health is Unknown, then Old, then Current
    (UG:instances-health.md, "Order in which instances are scheduled"); within each class fleet
    order, or the ``shuffle_u`` uniforms. ``revision`` holds the fleet's revision-health codes
    (0 Current, 1 Old, 2 Unknown; None: all alike).

    >>> instance_order(np.array([True, False, True, False])).tolist()
    [1, 3, 0, 2]
    >>> healthy, revision = np.array([True, True, True, False]), np.array([0, 1, 2, 1])
    >>> instance_order(healthy, revision=revision).tolist()
    [3, 2, 1, 0]
    """
    n = healthy.shape[0]
    tie = np.arange(n) if shuffle_u is None else shuffle_u
    rank = healthy.astype(np.int8)
    if revision is not None:
        rank = np.where(healthy, 3 - revision.astype(np.int8), 0)
    keys = [tie, rank]
    if zone_rank is not None:
        keys.append(zone_rank)
    return np.lexsort(keys)


def deadline_status(code: str | None) -> str:
    """The status of a deployment ended by its deadline: Failed at its run-time limit (error
    code TIMEOUT, D15), Stopped by an alarm or a StopDeployment.

    >>> deadline_status("TIMEOUT"), deadline_status("MANUAL_STOP")
    ('Failed', 'Stopped')
    """
    if code == ErrorCode.TIMEOUT.value:
        return DeploymentStatus.FAILED.value
    return DeploymentStatus.STOPPED.value


def stopped_outcome(
    start: float,
    stop_time: float,
    ev_start: np.ndarray,
    ev_end: np.ndarray,
    rel_end: float,
    agent_timeout: float = AGENT_TIMEOUT,
    event_timeout: float = EVENT_TIMEOUT,
) -> tuple[float, int, int]:
    """An instance that stops at ``stop_time`` (absolute seconds) and starts at ``start``.

    Returns ``(rel_end, fail_event, cause)``; ``cause`` is ``C_NONE`` when the stop comes after
    the instance finished. Stopped before it starts: no event starts, the instance fails
    ``agent_timeout`` later. Stopped during an event: the agent never reports, the event fails
    when it times out, ``event_timeout`` after it started (codedeploy.md 8, D10).

    >>> stopped_outcome(0.0, 15.0, np.array([0.0, 10.0]), np.array([10.0, 20.0]), 20.0)
    (3610.0, 1, 8)
    """
    if stop_time <= start:
        return agent_timeout, 0, C_STOPPED
    rel = stop_time - start
    if rel >= rel_end:
        return rel_end, -1, C_NONE
    for e in range(ev_start.shape[0]):
        s, t = ev_start[e], ev_end[e]
        if s <= rel < t:
            return float(s) + event_timeout, e, C_STOPPED_MID_EVENT
    # Between two events (or at a boundary): the next event never starts.
    later = np.flatnonzero(np.nan_to_num(ev_start, nan=-1.0) >= rel)
    nxt = int(later[0]) if later.size else ev_start.shape[0] - 1
    return rel + agent_timeout, nxt, C_STOPPED


def alarm_detection_time(
    initial: Sequence[str], changes: Sequence[tuple[float, int, str]], poll: float
) -> float | None:
    """The first time CodeDeploy sees an alarm in ALARM (seconds), or None.

    CodeDeploy reads alarm state every ``poll`` seconds from second 0 (D2); a state change at
    the instant of a poll is seen by it (CloudWatch evaluates first). ``changes`` holds
    ``(time, alarm index, state)``.

    >>> alarm_detection_time(["OK"], [(61.0, 0, "ALARM")], 60.0)
    120.0
    >>> alarm_detection_time(["OK"], [(61.0, 0, "ALARM"), (90.0, 0, "OK")], 60.0) is None
    True
    """
    states = list(initial)
    ordered = sorted(changes, key=lambda c: c[0])
    t = 0.0
    k = 0
    while True:
        nxt = ordered[k][0] if k < len(ordered) else math.inf
        if "ALARM" in states:
            first = math.ceil(t / poll - 1e-12) * poll
            if first < nxt:
                return float(first)
        if k >= len(ordered):
            return None
        # Apply every change at this instant.
        t = nxt
        while k < len(ordered) and ordered[k][0] == t:
            states[ordered[k][1]] = ordered[k][2]
            k += 1
