"""A traffic-shifting scenario compiled into the plain plan both engines run.

Lambda and ECS deployments compile to a :class:`TrafficPlan`: the lifecycle phases with their
times, the traffic shifts, and a grid of **segments** (spans of constant target weight that never
cross a minute boundary, a phase boundary, a poll of alarm state or a manual stop). Everything that
depends on chance is drawn per segment by :mod:`.draws`; everything else (when each phase
starts, when CloudWatch evaluates, when CodeDeploy polls) is fixed here. A deployment can only end
at a segment edge, so both engines need nothing finer than the segments.

Time is in seconds from the deployment's start (second 0 is a whole minute on CloudWatch's clock).
The grid starts ``history`` seconds before that, so alarms that watch the whole alias see the
datapoints the old version produced before the deployment began.

Timing rules, with the modelling decisions they follow:

* CloudWatch evaluates every alarm at each whole minute (cloudwatch-alarms.md section 1.4).
* CodeDeploy reads alarm state every ``alarm_poll_interval`` seconds from second 0 (D2) through the
  end of the last hook (D4). At one instant CloudWatch evaluates before CodeDeploy polls, and
  CodeDeploy polls before taking its next step.
* A one-minute datapoint becomes visible ``metric_delay`` seconds after its minute ends (D3),
  plus, for Lambda, the watched versions' emission lag (D14: a datapoint is stamped at invocation
  start and emitted when the invocation ends; :attr:`shiftsim.Version.emission_lag`).
* Reads of alarm state that fail (:class:`shiftsim.monitoring.AlarmReadFailure`) are left out of
  the poll grid when ``ignorePollAlarmFailure`` is true; otherwise the first one stops the
  deployment (``poll_failure_time``) and the grid ends before it.
* ECS test traffic (``test_rate``) reaches the replacement during AfterAllowTestTraffic; alarms
  with ``version="test"`` watch it.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._limits import MAX_PLAN_STEPS, MAX_TRAFFIC_COUNT
from shiftsim.alarms import Alarm
from shiftsim.configs import TrafficRouting, allow_traffic_minutes
from shiftsim.errors import ConfigError, UnsupportedScenarioError
from shiftsim.monitoring import AlarmReadFailure, watched_alarms
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.traffic import Hook, Profile, Version
from shiftsim.vocabulary import ErrorCode

__all__ = [
    "MANUAL_STOP_MESSAGE",
    "Phase",
    "PhaseSpec",
    "TrafficPlan",
    "compile_deployment",
    "compile_traffic_plan",
]


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    """One lifecycle event of a traffic-shifting platform, before timing is fixed.

    Exactly one of: a ``hook`` (a function that reports), ``traffic=True`` (AllowTraffic, timed
    by the configuration), or a fixed ``seconds`` (a step CodeDeploy performs itself).
    ``error`` = ``(error code, message)`` makes the step fail at once (a Lambda alias left
    split by an earlier stop, for instance); ``stop_at_end`` = ``(error code, message)`` stops
    the deployment without rollback when the step ends (an ECS ready wait that times out with
    ``STOP_DEPLOYMENT``).
    """

    name: str
    hook: Hook | None = None
    traffic: bool = False
    seconds: float = 0.0
    rollback_possible: bool = True
    error: tuple[str, str] | None = None
    stop_at_end: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Phase:
    """One lifecycle event with its planned times and result."""

    name: str
    start: float
    end: float
    succeeds: bool
    message: str
    rollback_possible: bool
    is_hook: bool
    error_code: str = ErrorCode.HOOK_EXECUTION_FAILURE.value


@dataclass(frozen=True, slots=True, eq=False)
class TrafficPlan:
    """The compiled scenario. Arrays are read-only; index ``s`` is a segment, ``m`` a minute.

    Attributes
    ----------
    phases : tuple of Phase
        Lifecycle events in order, cut after the first one that fails.
    unreached : tuple of str
        The lifecycle events after a failing one, which never start (reported Skipped).
    rollback_from : float
        A stop (alarm or manual) rolls back only after this time: the start of the first phase
        that can roll back (``-inf`` when every phase can; ECS's BeforeInstall cannot).
    shifts : tuple of (float, int)
        ``(time, percent)`` of each traffic shift that happens before ``end_time``.
    end_time : float
        When the deployment ends if nothing stops it (success, or the failing hook's end).
    succeeds : bool
        Whether it ends Succeeded when nothing stops it.
    edges : ndarray, shape (S + 1,)
        Segment boundaries in seconds, from ``-history`` to ``end_time``.
    weight : ndarray, shape (S,)
        Planned share of traffic on the target in each segment, in [0, 1].
    lam_target, lam_current : ndarray, shape (S,)
        Expected requests to each version in each segment (Poisson means).
    lam_test : ndarray, shape (S,)
        Expected test-listener requests to the target (ECS, during AfterAllowTestTraffic).
    lags : tuple of float
        Per alarm, the emission lag (D14) added to ``metric_delay`` for its datapoints.
    poll_failure_time : float or None
        When a failed read of alarm state stops the deployment (None: never).
    poll_failure_code, poll_failure_message : str
        The stop's error code and message.
    manual_stop_time, manual_stop_rolls_back, manual_stop_code, manual_stop_message
        The planned stop: a ``StopDeployment`` call, or a ready wait that times out
        (``PhaseSpec.stop_at_end``), whichever comes first (the call on a tie).
    p_error_target, p_error_current, p_throttle_target, p_throttle_current : ndarray, shape (S,)
        Per-request error and throttle probabilities, averaged over the segment.
    segment_minute : ndarray of int, shape (S,)
        Index of the minute each segment lies in; minute ``m`` starts at ``minute_start[m]``.
    eval_times, poll_times : ndarray
        When CloudWatch evaluates alarms and when CodeDeploy polls them, up to ``end_time``.
    alarm_rules : tuple
        Per alarm, the arguments of CloudWatch's evaluation: (N, M, treat_missing_data,
        comparison_operator, threshold).
    throttles : bool
        Whether the throttle series matter: a request can be throttled, or an alarm watches
        Throttles (otherwise the engines skip the all-zero throttle draws).
    edge_list, eval_list, poll_list : tuple of float
        ``edges``, ``eval_times`` and ``poll_times`` as plain tuples, for the event core.
    steps : tuple
        The lifecycle agenda grouped by instant: ``(time, actions)`` with actions
        ``("start", phase)``, ``("shift", percent)`` and ``("end", phase)`` in the order they
        happen at that instant (a phase starts, its shifts happen, it ends, the next starts).
    minute_segments : tuple of (int, int)
        For each minute, the ``[first, last)`` range of its segments.
    windows : tuple
        ``windows[a][e]`` lists, oldest first, the ``[lo, hi)`` minute bounds of each datapoint in
        alarm ``a``'s evaluation range at ``eval_times[e]`` (empty when ``hi <= lo``: missing).
        A minute is in a datapoint once it has ended plus ``metric_delay``.
    blind : tuple
        ``blind[a][e]`` is True when no datapoint of alarm ``a`` can exist at evaluation ``e``:
        no minute has become visible for the watched version yet (the target version gets no
        traffic before AllowTraffic starts; the alias has traffic from the plan's history).
    """

    platform: str
    phases: tuple[Phase, ...]
    unreached: tuple[str, ...]
    rollback_from: float
    shifts: tuple[tuple[float, int], ...]
    end_time: float
    succeeds: bool
    history: float
    edges: np.ndarray
    weight: np.ndarray
    lam_target: np.ndarray
    lam_current: np.ndarray
    lam_test: np.ndarray
    p_error_target: np.ndarray
    p_error_current: np.ndarray
    p_throttle_target: np.ndarray
    p_throttle_current: np.ndarray
    segment_minute: np.ndarray
    minute_start: np.ndarray
    eval_times: np.ndarray
    poll_times: np.ndarray
    alarms: tuple[Alarm, ...]
    duration_alarms: tuple[int, ...]
    target: Version
    current: Version
    metric_delay: float
    alarm_poll_interval: float
    steps: tuple[tuple[float, tuple[tuple[str, Any], ...]], ...]
    alarm_rules: tuple[tuple[int, int, str, str, float], ...]
    throttles: bool
    edge_list: tuple[float, ...]
    eval_list: tuple[float, ...]
    poll_list: tuple[float, ...]
    minute_segments: tuple[tuple[int, int], ...]
    windows: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]
    blind: tuple[tuple[bool, ...], ...]
    manual_stop_time: float | None
    manual_stop_rolls_back: bool
    manual_stop_code: str
    manual_stop_message: str
    rollback_on_failure: bool
    rollback_on_alarm: bool
    lags: tuple[float, ...]
    poll_failure_time: float | None
    poll_failure_code: str
    poll_failure_message: str

    @property
    def segments(self) -> int:
        return int(self.weight.shape[0])

    @property
    def minutes(self) -> int:
        return int(self.minute_start.shape[0])

    def __repr__(self) -> str:
        return (
            f"TrafficPlan({self.platform}, {len(self.phases)} phases, "
            f"{len(self.shifts)} shifts, ends at {self.end_time:g} s, "
            f"{self.segments} segments)"
        )


def _history_seconds(alarms: Sequence[Alarm], delays: Sequence[float]) -> float:
    """How far before the start to simulate: only alias-wide alarms see pre-deployment traffic
    (the target version has none), and they look back one evaluation range."""
    alias = [(a, d) for a, d in zip(alarms, delays) if a.version == "alias"]
    if not alias:
        return 0.0
    return max(60.0 * math.ceil((a.range_size * a.period + d) / 60.0) for a, d in alias)


def _alarm_lags(alarms: Sequence[Alarm], lags: tuple[float, float]) -> tuple[float, ...]:
    """Per alarm, the emission lag of the invocations it counts (D14): the target's for
    ``target`` and ``test`` alarms, the longer of the two versions' for ``alias`` ones (a
    minute's datapoint is complete once both versions' invocations are emitted)."""
    return tuple(max(lags) if a.version == "alias" else lags[1] for a in alarms)


def _poll_grid(
    alarms: Sequence[Alarm],
    interval: float,
    end_time: float,
    failures: Sequence[AlarmReadFailure],
    ignore: bool,
) -> tuple[np.ndarray, float | None, AlarmReadFailure | None]:
    """CodeDeploy's reads of alarm state (D2): ``(times, stop time, failure)``. Failed reads are
    dropped when ignored; otherwise the first failed read stops the deployment."""
    if not alarms:
        return np.zeros(0), None, None
    grid = np.arange(0.0, end_time + 1e-9, float(interval))
    if not failures:
        return grid, None, None
    failed = [next((f for f in failures if f.fails_at(t)), None) for t in grid.tolist()]
    if ignore:
        return grid[[f is None for f in failed]], None, None
    first = next((k for k, f in enumerate(failed) if f is not None), None)
    if first is None:
        return grid, None, None
    return grid[:first], float(grid[first]), failed[first]


def compile_traffic_plan(
    *,
    platform: str,
    phases: Sequence[PhaseSpec],
    routing: TrafficRouting,
    linear_completion: str,
    rate: Profile,
    current: Version,
    target: Version,
    alarms: Sequence[Alarm],
    alarm_poll_interval: float,
    metric_delay: float,
    manual_stop: ManualStop | None,
    auto_rollback: AutoRollback,
    lags: tuple[float, float] = (0.0, 0.0),
    read_failures: Sequence[AlarmReadFailure] = (),
    ignore_poll_failure: bool = False,
    test_rate: Profile | None = None,
) -> TrafficPlan:
    """Fix every time in a traffic-shifting deployment and lay out its segments.

    ``lags`` are the (current, target) emission lags in seconds (D14), ``test_rate`` the test
    listener's requests per minute during AfterAllowTestTraffic (ECS).
    """
    _check_modelled(alarms)
    planned, shifts, end_time, succeeds, unreached = _timeline(phases, routing, linear_completion)
    polls = _poll_grid(alarms, alarm_poll_interval, end_time, read_failures, ignore_poll_failure)
    clock = _alarm_clock(alarms, polls, alarm_poll_interval, metric_delay, lags, end_time)
    _check_size(platform, rate, end_time, clock["history"], alarm_poll_interval if alarms else None)
    stop = _planned_stop(phases, planned, manual_stop, auto_rollback, end_time)
    test_span = _test_span(planned, test_rate)
    grid = _grid(clock, stop, test_span, end_time, planned, shifts)
    arrays = _segment_arrays(grid["edges"], shifts, rate, current, target)
    arrays["lam_test"] = _test_arrays(grid["edges"], test_rate, test_span)
    _freeze(*arrays.values())
    return TrafficPlan(
        platform=platform,
        phases=tuple(planned),
        unreached=unreached,
        rollback_from=_rollback_from(planned),
        shifts=tuple((t, p) for t, p in shifts if t <= end_time),
        end_time=end_time,
        succeeds=succeeds,
        target=target,
        current=current,
        steps=_steps(planned, shifts),
        throttles=_throttles(arrays, alarms),
        rollback_on_failure=auto_rollback.rolls_back("DEPLOYMENT_FAILURE"),
        rollback_on_alarm=auto_rollback.rolls_back("DEPLOYMENT_STOP_ON_ALARM"),
        **clock,
        **stop,
        **grid,
        **arrays,
        **_alarm_tables(alarms, clock, grid["minute_start"], shifts, test_span),
    )


def _freeze(*arrays: np.ndarray) -> None:
    """Make the plan's arrays read-only."""
    for value in arrays:
        value.setflags(write=False)


def _alarm_clock(
    alarms: Sequence[Alarm],
    polls: tuple[np.ndarray, float | None, AlarmReadFailure | None],
    interval: float,
    metric_delay: float,
    lags: tuple[float, float],
    end_time: float,
) -> dict[str, Any]:
    """The plan's alarm timing: when CodeDeploy polls (``polls``, from :func:`_poll_grid`) and
    CloudWatch evaluates, each alarm's emission lag (D14), the history its range needs before
    second 0, and the failed read of alarm state that stops the deployment, if any."""
    poll_times, failure_time, failure = polls
    eval_times = np.arange(60.0, end_time + 1e-9, 60.0) if alarms else np.zeros(0)
    alarm_lags = _alarm_lags(alarms, lags)
    delays = [float(metric_delay) + lag for lag in alarm_lags]
    _freeze(eval_times, poll_times)
    return {
        "history": _history_seconds(alarms, delays),
        "eval_times": eval_times,
        "poll_times": poll_times,
        "eval_list": tuple(eval_times.tolist()),
        "poll_list": tuple(poll_times.tolist()),
        "metric_delay": float(metric_delay),
        "alarm_poll_interval": float(interval),
        "lags": alarm_lags,
        "poll_failure_time": failure_time,
        "poll_failure_code": failure.error_code if failure else "",
        "poll_failure_message": failure.message() if failure else "",
    }


def _grid(
    clock: dict[str, Any],
    stop: dict[str, Any],
    test_span: Sequence[float],
    end_time: float,
    planned: Sequence[Phase],
    shifts: Sequence[tuple[float, int]],
) -> dict[str, Any]:
    """The plan's segments and minutes, and which minute each segment is in: segments are cut
    (:func:`_edges`) at polls, at the planned stop, at a failed read and around test traffic."""
    history = clock["history"]
    extra = [stop["manual_stop_time"], clock["poll_failure_time"], *test_span]
    edges, minute_edges = _edges(history, end_time, planned, shifts, clock["poll_times"], extra)
    segment_minute = np.floor((edges[:-1] + history) / 60.0 + 1e-9).astype(np.int64)
    minute_start = minute_edges[:-1]
    _freeze(edges, segment_minute, minute_start)
    return {
        "edges": edges,
        "edge_list": tuple(edges.tolist()),
        "segment_minute": segment_minute,
        "minute_start": minute_start,
        "minute_segments": _minute_segments(segment_minute, minute_start.size),
    }


def _throttles(arrays: dict[str, Any], alarms: Sequence[Alarm]) -> bool:
    """Whether the throttle series matter: a request can be throttled or an alarm watches them."""
    return bool(
        arrays["p_throttle_target"].any()
        or arrays["p_throttle_current"].any()
        or any(a.metric == "Throttles" for a in alarms)
    )


def _minute_segments(segment_minute: np.ndarray, minutes: int) -> tuple[tuple[int, int], ...]:
    """For each minute, the ``[first, last)`` range of its segments."""
    seg_minutes = segment_minute.tolist()
    return tuple(
        (bisect_left(seg_minutes, m), bisect_right(seg_minutes, m)) for m in range(minutes)
    )


def _edges(
    history: float,
    end_time: float,
    planned: Sequence[Phase],
    shifts: Sequence[tuple[float, int]],
    poll_times: np.ndarray,
    extra: Sequence[float | None],
) -> tuple[np.ndarray, np.ndarray]:
    """Segment edges (every minute, shift, poll, phase start and ``extra`` instant) and the
    minute edges, from ``-history``."""
    last_minute = math.ceil(end_time / 60.0) * 60.0
    minute_edges = np.arange(-history, max(last_minute, 60.0) + 1e-9, 60.0)
    cuts = {0.0, end_time, *minute_edges.tolist(), *(t for t, _ in shifts), *poll_times.tolist()}
    cuts.update(p.start for p in planned)
    cuts.update(t for t in extra if t is not None)
    edges = np.array(sorted(c for c in cuts if -history <= c <= max(end_time, 0.0)))
    if edges.size < 2:  # an instant deployment with no history: one empty segment
        edges = np.array([0.0, 0.0])
    return edges, minute_edges


def _test_span(planned: Sequence[Phase], test_rate: Profile | None) -> tuple[float, ...]:
    """``(start, end)`` of the test listener's traffic: the AfterAllowTestTraffic event (empty
    when there is no test traffic or the deployment never gets there)."""
    if test_rate is None:
        return ()
    phase = next((p for p in planned if p.name == "AfterAllowTestTraffic"), None)
    if phase is None or phase.end <= phase.start:
        return ()
    return (phase.start, phase.end)


def _test_arrays(edges: np.ndarray, test_rate: Profile | None, span: Sequence[float]) -> Any:
    """Expected test-listener requests per segment (zero outside ``span``)."""
    lam = np.zeros(edges.size - 1)
    if test_rate is None or not span:
        return lam
    for s, (a, b) in enumerate(zip(edges[:-1].tolist(), edges[1:].tolist())):
        if span[0] <= a and b <= span[1]:
            lam[s] = test_rate.integral(a / 60.0, b / 60.0)
    return lam


#: What a ``StopDeployment`` call reports on Lambda and ECS (kept as 0.1 worded it).
MANUAL_STOP_MESSAGE = "The deployment was stopped by the user."


def _planned_stop(
    specs: Sequence[PhaseSpec],
    planned: Sequence[Phase],
    manual_stop: ManualStop | None,
    auto_rollback: AutoRollback,
    end_time: float,
) -> dict[str, Any]:
    """The plan's first planned stop: its time, whether it rolls back, its error code and
    message; a manual stop wins a tie with a step's ``stop_at_end``."""
    time, rolls_back = _manual_stop(manual_stop, auto_rollback, end_time)
    code, message = ErrorCode.MANUAL_STOP.value, MANUAL_STOP_MESSAGE
    for spec, phase in zip(specs, planned):
        if spec.stop_at_end is not None and (time is None or phase.end < time):
            time, rolls_back, (code, message) = phase.end, False, spec.stop_at_end
            break
    return {
        "manual_stop_time": time,
        "manual_stop_rolls_back": rolls_back,
        "manual_stop_code": code,
        "manual_stop_message": message,
    }


def _manual_stop(
    manual_stop: ManualStop | None, auto_rollback: AutoRollback, end_time: float
) -> tuple[float | None, bool]:
    """When a ``StopDeployment`` call lands (None if after the end), and whether it rolls back."""
    if manual_stop is not None and 60.0 * manual_stop.at_minute <= end_time:
        return 60.0 * float(manual_stop.at_minute), manual_stop.rolls_back(auto_rollback)
    return None, False


def _rollback_from(planned: Sequence[Phase]) -> float:
    """From when a failure can roll back: always, unless the first phase cannot (ECS's
    BeforeInstall), then from the first phase that can."""
    if planned and not planned[0].rollback_possible:
        return next((p.start for p in planned if p.rollback_possible), math.inf)
    return -math.inf


def _alarm_tables(
    alarms: Sequence[Alarm],
    clock: dict[str, Any],
    minute_start: np.ndarray,
    shifts: Sequence[tuple[float, int]],
    test_span: Sequence[float],
) -> dict[str, Any]:
    """The plan's per-alarm fields: rules, datapoint windows per evaluation, blind evaluations.

    Each alarm's datapoints arrive the metric delay plus its emission lag late (D3, D14)."""
    eval_times, history = clock["eval_times"], clock["history"]
    delays = [clock["metric_delay"] + lag for lag in clock["lags"]]
    windows = tuple(
        tuple(
            _window_bounds(alarm, when, history, delay, minute_start.size)
            for when in eval_times.tolist()
        )
        for alarm, delay in zip(alarms, delays)
    )
    first_traffic = {
        "target": list(shifts),
        "test": [(test_span[0], 100)] if test_span else [],
    }
    return {
        "alarms": tuple(alarms),
        "duration_alarms": tuple(i for i, a in enumerate(alarms) if a.metric == "Duration"),
        "alarm_rules": tuple(
            (
                a.evaluation_periods,
                a.m,
                a.treat_missing_data,
                a.comparison_operator,
                float(a.threshold),
            )
            for a in alarms
        ),
        "windows": windows,
        "blind": tuple(
            tuple(
                all(hi <= lo for lo, hi in bounds)
                or (
                    a.version != "alias"
                    and _before_traffic(bounds, minute_start, first_traffic[a.version])
                )
                for bounds in per_eval
            )
            for a, per_eval in zip(alarms, windows)
        ),
    }


def _check_modelled(alarms: Sequence[Alarm]) -> None:
    """Refuse the alarms the engines do not model, naming why."""
    for alarm in alarms:
        if alarm.period < 60:
            raise UnsupportedScenarioError(
                f"Alarm {alarm.name!r} has period {alarm.period} s, but Lambda and ECS publish "
                "one-minute metrics; a high-resolution alarm on them lapses into "
                "INSUFFICIENT_DATA (cloudwatch-alarms.md section 1.1). Use period=60 or a "
                "multiple of 60."
            )
        if alarm.metric == "Duration" and (alarm.period != 60 or alarm.version != "target"):
            raise UnsupportedScenarioError(
                f"Alarm {alarm.name!r}: Duration alarms are modelled for period=60 on the target "
                "version only (an exact order-statistic draw per minute); "
                f"got period={alarm.period}, version={alarm.version!r}."
            )
        if alarm.metric == "Throttles" and alarm.version == "test":
            raise UnsupportedScenarioError(
                f"Alarm {alarm.name!r}: test-listener traffic is not throttled in shiftsim; "
                "watch Errors, ErrorRate or Invocations on version='test'."
            )


def _timeline(
    phases: Sequence[PhaseSpec], routing: TrafficRouting, linear_completion: str
) -> tuple[list[Phase], list[tuple[float, int]], float, bool, tuple[str, ...]]:
    """The phases one after another until the first that fails: ``(phases, shifts, end time,
    succeeds, names of the phases never reached)``."""
    planned: list[Phase] = []
    shifts: list[tuple[float, int]] = []
    clock = 0.0
    for k, spec in enumerate(phases):
        code = ErrorCode.HOOK_EXECUTION_FAILURE.value
        if spec.error is not None:
            end, ok, (code, message) = clock, False, spec.error
        elif spec.hook is not None:
            end = spec.hook.end_time(clock)
            ok = spec.hook.succeeds
            message = "" if ok else spec.hook.failure_message()
        elif spec.traffic:
            end = clock + 60.0 * allow_traffic_minutes(routing, linear_completion)
            shifts = [(clock + 60.0 * minute, percent) for minute, percent in routing.shifts()]
            ok, message = True, ""
        else:
            end, ok, message = clock + float(spec.seconds), True, ""
        planned.append(
            Phase(
                spec.name,
                clock,
                end,
                ok,
                message,
                spec.rollback_possible,
                spec.hook is not None,
                code,
            )
        )
        clock = end
        if not ok:
            return planned, shifts, clock, False, tuple(later.name for later in phases[k + 1 :])
    return planned, shifts, clock, True, ()


def _segment_arrays(
    edges: np.ndarray,
    shifts: Sequence[tuple[float, int]],
    rate: Profile,
    current: Version,
    target: Version,
) -> dict[str, Any]:
    """Per segment: target weight, expected calls per version, error and throttle rates."""
    starts, ends = edges[:-1], edges[1:]
    weight = np.zeros(starts.shape)
    for time, percent in shifts:
        weight[starts >= time - 1e-9] = percent / 100.0
    demand = np.array([rate.integral(a / 60.0, b / 60.0) for a, b in zip(starts, ends)])
    mids = [(a / 60.0, b / 60.0) for a, b in zip(starts, ends)]

    def mean_of(profile: Profile) -> np.ndarray:
        return np.array([profile.mean(a, b) for a, b in mids])

    def errors_of(version: Version) -> np.ndarray:
        # D14: an invocation that reaches the timeout is an error too (an independent cause).
        p = mean_of(version.error_profile)
        timeouts = version.timeout_rate
        return p + (1.0 - p) * timeouts if timeouts > 0 else p

    return {
        "weight": weight,
        "lam_target": demand * weight,
        "lam_current": demand * (1.0 - weight),
        "p_error_target": errors_of(target),
        "p_error_current": errors_of(current),
        "p_throttle_target": mean_of(target.throttle_profile),
        "p_throttle_current": mean_of(current.throttle_profile),
    }


def _steps(
    planned: Sequence[Phase], shifts: Sequence[tuple[float, int]]
) -> tuple[tuple[float, tuple[tuple[str, Any], ...]], ...]:
    """The event core's agenda: phase starts, shifts and phase ends, grouped by time."""
    agenda: list[tuple[float, tuple[str, Any]]] = []
    for phase in planned:
        agenda.append((phase.start, ("start", phase)))
        if phase.name == "AllowTraffic":
            agenda += [(when, ("shift", percent)) for when, percent in shifts]
        agenda.append((phase.end, ("end", phase)))
    return tuple(
        (when, tuple(action for _, action in group))
        for when, group in itertools.groupby(agenda, key=lambda item: item[0])
    )


def _window_bounds(
    alarm: Alarm, when: float, history: float, delay: float, minutes: int
) -> tuple[tuple[int, int], ...]:
    """Minute bounds of each datapoint in ``alarm``'s range at ``when``, oldest first.

    Minute ``m`` covers ``[m*60 - history, (m+1)*60 - history)``; with sliding windows evaluated
    each minute, datapoint ``j`` (0 = newest) covers the ``period`` seconds ending ``j`` periods
    before ``when``, counting only minutes already visible.
    """
    period, per = alarm.period, alarm.period // 60
    arrived = int((when - delay + history) // 60)
    bounds = []
    for j in range(alarm.range_size - 1, -1, -1):
        end = round((when - j * period + history) / 60)
        bounds.append((max(end - per, 0), min(end, arrived, minutes)))
    return tuple(bounds)


def _check_size(
    platform: str, rate: Profile, end_time: float, history: float, poll: float | None
) -> None:
    """Issue 16: a plan stays small (polls plus minutes) and its counts exact (rate x minutes
    below 2**53, so float64 and the kernel's int64 counts never round or wrap)."""
    minutes = (end_time + history) / 60.0
    steps = minutes + (end_time / poll if poll else 0.0)
    if steps > MAX_PLAN_STEPS:
        raise ConfigError(
            f"{platform} deployment: alarm_poll_interval ({poll:g} s) over {end_time / 60.0:,.0f} "
            f"minutes (and {history / 60.0:,.0f} minutes of alarm history) makes {steps:,.0f} "
            f"polls and minutes to simulate; at most {MAX_PLAN_STEPS:,}. Poll less often or "
            "shorten the deployment."
        )
    if rate.bounds()[1] * minutes >= MAX_TRAFFIC_COUNT:
        raise ConfigError(
            f"{platform} deployment: rate x minutes must stay below 2**53 calls, so counts are "
            f"exact; got {rate.bounds()[1]:g} a minute for {minutes:g} minutes."
        )


def compile_deployment(
    deployment: Any, platform: str, phases: Sequence[PhaseSpec], rate: Profile
) -> TrafficPlan:
    """Compile a Lambda or ECS deployment (anything with their common fields)."""
    routing = deployment.deployment_config.traffic_routing
    assert routing is not None  # a Lambda or ECS configuration always routes traffic
    alarms, ignore = watched_alarms(deployment)
    # D14 stamps Lambda datapoints at invocation start; load-balancer metrics (ECS) are not.
    lagged = platform == "Lambda"
    lags = (deployment.current.emission_lag, deployment.target.emission_lag) if lagged else (0, 0)
    test_rate = getattr(deployment, "test_rate_profile", None)
    return compile_traffic_plan(
        platform=platform,
        phases=phases,
        routing=routing,
        linear_completion=deployment.linear_completion,
        rate=rate,
        current=deployment.current,
        target=deployment.target,
        alarms=alarms,
        alarm_poll_interval=deployment.alarm_poll_interval,
        metric_delay=deployment.metric_delay,
        manual_stop=deployment.manual_stop,
        auto_rollback=deployment.auto_rollback,
        lags=(float(lags[0]), float(lags[1])),
        read_failures=deployment.alarm_read_failures,
        ignore_poll_failure=ignore,
        test_rate=test_rate,
    )


def _before_traffic(
    bounds: tuple[tuple[int, int], ...],
    minute_start: np.ndarray,
    shifts: Sequence[tuple[float, int]],
) -> bool:
    """Whether every visible minute of a range ends before the first traffic shift."""
    if not shifts:
        return True
    first = shifts[0][0]
    return all(hi <= lo or minute_start[hi - 1] + 60.0 <= first for lo, hi in bounds)
