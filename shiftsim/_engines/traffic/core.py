"""The traffic-shifting lifecycle (Lambda and ECS) on the event core, one run at a time.

The run is a handful of callbacks on :class:`shiftsim.core.Simulation`: lifecycle phases start
and end, traffic shifts, CloudWatch evaluates alarms each minute, CodeDeploy polls alarm state, a
user may stop the deployment. The first of {a failed hook, an alarm seen by a poll, a manual stop,
the end} decides the outcome. Only :mod:`shiftsim._engines.traffic.draws` supplies randomness.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import Any, NamedTuple

from shiftsim._engines.traffic.draws import TrafficDraws
from shiftsim._engines.traffic.plan import MANUAL_STOP_MESSAGE, Phase, TrafficPlan
from shiftsim.alarms import ALARM, evaluate_range, no_data_state
from shiftsim.core import Priority, Simulation
from shiftsim.vocabulary import DeploymentStatus, ErrorCode, LifecycleEventStatus

__all__ = [
    "Outcome",
    "Trace",
    "TrafficSimulation",
    "alarm_inputs",
    "alarm_range",
    "datapoint",
    "run_traffic",
]

# Plain strings in the hot loop and the records (the enums' values, so results hold str).
IN_PROGRESS = DeploymentStatus.IN_PROGRESS.value
SUCCEEDED = DeploymentStatus.SUCCEEDED.value
FAILED = DeploymentStatus.FAILED.value
STOPPED = DeploymentStatus.STOPPED.value
SKIPPED = LifecycleEventStatus.SKIPPED.value
_ALARM_ACTIVE = ErrorCode.ALARM_ACTIVE.value
_MANUAL_STOP = ErrorCode.MANUAL_STOP.value
# Lambda and ECS word a manual stop their own way (EC2's is ErrorCode.MANUAL_STOP.message);
# kept so results do not change.


class Outcome(NamedTuple):
    """What one traffic-shifting run came to. Both engines produce exactly these fields.

    Times are seconds from the deployment's start; ``None`` where it did not happen.
    """

    status: str
    error_code: str | None
    rolled_back: bool
    end_time: float
    first_alarm_time: float | None
    detection_time: float | None
    target_invocations: int
    target_errors: int
    current_invocations: int
    current_errors: int
    final_percent: int


class Trace(NamedTuple):
    """What the event core saw along the way (for events, timeline and notifications)."""

    outcome: Outcome
    error_message: str
    events: tuple[tuple[float, str, str, str], ...]
    weights: tuple[tuple[float, int], ...]
    alarm_states: tuple[tuple[tuple[float, str], ...], ...]
    phases_run: tuple[tuple[Phase, str, float], ...]


# One datapoint of a binary-per-request metric from (count, population > 0): the statistic of
# per-request values that are 1 for an error (throttle, invocation) and 0 otherwise. Written
# once for both engines: each rule works on Python numbers and on arrays of any namespace alike,
# and each engine makes the value a float (Maximum and Minimum are true or false).
STATISTIC: dict[str, Callable[[Any, Any], Any]] = {
    "ErrorRate": lambda count, pop: 100.0 * count / pop,
    "Sum": lambda count, pop: count,
    "SampleCount": lambda count, pop: pop,
    "Average": lambda count, pop: count / pop,
    "Maximum": lambda count, pop: count > 0,
    "Minimum": lambda count, pop: count >= pop,
}


def datapoint(metric: str, statistic: str, count: float, population: float) -> float | None:
    """One datapoint of a binary-per-request metric (Errors, Throttles, Invocations, ErrorRate).

    ``count`` is how many requests were errors (or throttles, or invocations), ``population``
    how many requests could have been; no population means no datapoint.
    """
    if population <= 0:
        return None
    return float(STATISTIC["ErrorRate" if metric == "ErrorRate" else statistic](count, population))


SERIES = (
    "target_invocations",
    "current_invocations",
    "target_errors",
    "current_errors",
    "target_throttles",
    "current_throttles",
)
TEST_SERIES = ("test_invocations", "test_errors")


def _minute_series(
    plan: TrafficPlan, draws: TrafficDraws, rows: dict[str, list[int]]
) -> dict[str, list[int]]:
    """Per-minute totals of one run's segment draws, as plain lists (``rows`` are reused)."""
    bounds = plan.minute_segments
    if len(bounds) == plan.segments and bounds[-1][1] == plan.segments:
        return rows  # one segment per minute: already per-minute
    return {name: [sum(values[a:b]) for a, b in bounds] for name, values in rows.items()}


def _cumulative(values: list[int]) -> list[int]:
    return [0, *accumulate(values)]


def alarm_inputs(
    plan: TrafficPlan, series: dict[str, list[int]], draws: TrafficDraws
) -> list[tuple[list[int], list[int]] | list[float]]:
    """Per alarm: cumulative per-minute (count, population), or per-minute Duration values."""
    out: list[tuple[list[int], list[int]] | list[float]] = []
    for index, alarm in enumerate(plan.alarms):
        metric = alarm.metric
        if metric == "Duration":
            out.append(draws.duration[0, plan.duration_alarms.index(index)].tolist())
            continue
        kind = "throttles" if metric == "Throttles" else "errors"
        watched = "test" if alarm.version == "test" else "target"
        inv = series[f"{watched}_invocations"]
        count = inv if metric == "Invocations" else series[f"{watched}_{kind}"]
        if alarm.version == "alias":
            inv = [a + b for a, b in zip(inv, series["current_invocations"])]
            count = (
                inv
                if metric == "Invocations"
                else [a + b for a, b in zip(count, series[f"current_{kind}"])]
            )
        pop = [c + i for c, i in zip(count, inv)] if metric == "Throttles" else inv
        out.append((_cumulative(count), _cumulative(pop)))
    return out


def alarm_range(
    plan: TrafficPlan,
    index: int,
    inputs: tuple[list[int], list[int]] | list[float],
    evaluation: int,
) -> list[float | None]:
    """The evaluation range of alarm ``index`` at ``plan.eval_times[evaluation]``, oldest first."""
    windows = plan.windows[index][evaluation]
    if isinstance(inputs, list):  # Duration: one value per minute, period 60
        return [None if hi <= lo or inputs[lo] != inputs[lo] else inputs[lo] for lo, hi in windows]
    alarm = plan.alarms[index]
    value = STATISTIC["ErrorRate" if alarm.metric == "ErrorRate" else alarm.statistic]
    count, pop = inputs
    return [
        float(value(count[hi] - count[lo], pop[hi] - pop[lo]))
        if hi > lo and pop[hi] > pop[lo]
        else None
        for lo, hi in windows
    ]


def run_traffic(
    plan: TrafficPlan, draws: TrafficDraws, *, deployment_id: str, alarm_watch: bool = True
) -> Trace:
    """Simulate one run of ``plan`` on the event core with the first row of ``draws``."""
    run = TrafficSimulation(plan, draws, deployment_id=deployment_id, alarm_watch=alarm_watch)
    run.advance()
    return run.trace()


class TrafficSimulation:
    """One traffic-shifting run on the event core that can be advanced step by step.

    ``advance(until)`` processes events up to a time (seconds); ``stop`` and ``set_alarm`` act at
    the current time, as ``StopDeployment`` and ``SetAlarmState`` would. :func:`run_traffic` is
    this object advanced to the end.

    The callbacks are its methods: lifecycle steps (chained, one pending at a time), CloudWatch
    evaluations (chained likewise), CodeDeploy's polls (scheduled only while an alarm is in ALARM:
    a poll can act only then, and states change only at evaluations, so this is the same as
    polling every interval, D2), a manual stop and the end.
    """

    __slots__ = (
        "_current",
        "_events",
        "_first_alarm",
        "_history",
        "_inputs",
        "_pending_poll",
        "_phases_run",
        "_result",
        "_rows",
        "_sim",
        "_states",
        "_weights",
        "deployment_id",
        "plan",
    )

    def __init__(
        self,
        plan: TrafficPlan,
        draws: TrafficDraws,
        *,
        deployment_id: str,
        alarm_watch: bool = True,
    ) -> None:
        self.plan, self.deployment_id = plan, deployment_id
        sim = self._sim = Simulation()
        alarms = plan.alarms
        self._states = states = [a.initial_state for a in alarms]
        self._history: list[list[tuple[float, str]]] = [[(0.0, s)] for s in states]
        self._events: list[tuple[float, str, str, str]] = [(0.0, "Start", SUCCEEDED, "")]
        self._weights: list[tuple[float, int]] = [(0.0, 0)]
        self._phases_run: list[tuple[Phase, str, float]] = []
        self._current: list[Phase] = []
        self._result: dict[str, object] = {}
        self._first_alarm: list[float] = []
        self._pending_poll = False
        names: tuple[str, ...] = SERIES if plan.throttles else SERIES[:4]
        if any(a.version == "test" for a in alarms):
            names += TEST_SERIES
        self._rows = rows = {name: getattr(draws, name)[0].tolist() for name in names}
        self._inputs = (
            alarm_inputs(plan, _minute_series(plan, draws, rows), draws) if alarms else []
        )
        if plan.steps:
            sim.schedule(plan.steps[0][0], Priority.STEP, self._step, 0)
        if alarm_watch:
            if plan.eval_list:
                sim.schedule(plan.eval_list[0], Priority.EVALUATE, self._evaluate, 0)
            if ALARM in states:
                self._arm_poll(0.0)
        if plan.manual_stop_time is not None:
            sim.schedule(plan.manual_stop_time, Priority.REACT, self._manual)
        if plan.poll_failure_time is not None:
            sim.schedule(plan.poll_failure_time, Priority.POLL, self._read_failed)
        if plan.succeeds:
            sim.schedule(plan.end_time, Priority.LAST, self._end)

    # ------------------------------------------------------------------ callbacks
    def _finish(
        self, time: float, status: str, code: str | None, message: str, rollback: bool
    ) -> None:
        plan, log = self.plan, self._events.append
        if status == STOPPED and time <= plan.rollback_from:
            rollback = False  # nothing to roll back before the first phase that can
        reached = len(self._phases_run)
        if self._current and status != SUCCEEDED:
            interrupted = self._current.pop()
            self._phases_run.append((interrupted, FAILED, time))
            log((time, interrupted.name, FAILED, f"interrupted: deployment {status.lower()}"))
            reached += 1
        for skipped in (*(p.name for p in plan.phases[reached:]), *plan.unreached):
            log((time, skipped, SKIPPED, ""))
        self._result.update(status=status, code=code, message=message, time=time, rollback=rollback)
        if status == SUCCEEDED:
            log((time, "End", SUCCEEDED, ""))
        else:
            log((time, "Deployment", status, f"{code}: {message}"))
        if rollback:
            self._weights.append((time, 0))
            log((time, "Rollback", SUCCEEDED, "traffic returned to the original version"))
        self._sim.stop()

    def _step(self, index: int) -> None:
        plan = self.plan
        when, actions = plan.steps[index]
        if index + 1 < len(plan.steps):  # chained: the next instant of the agenda
            self._sim.schedule(plan.steps[index + 1][0], Priority.STEP, self._step, index + 1)
        log = self._events.append
        for kind, item in actions:
            if kind == "shift":
                self._weights.append((when, item))
                log((when, "TrafficShift", SUCCEEDED, f"{item}% of traffic on the target version"))
            elif kind == "start":
                self._current.append(item)
                log((when, item.name, IN_PROGRESS, ""))
            else:
                self._current.pop()
                if item.succeeds:
                    self._phases_run.append((item, SUCCEEDED, when))
                    log((when, item.name, SUCCEEDED, ""))
                    continue
                self._phases_run.append((item, FAILED, when))
                log((when, item.name, FAILED, item.message))
                self._finish(
                    when,
                    FAILED,
                    item.error_code,
                    item.message,
                    plan.rollback_on_failure and item.rollback_possible,
                )
                return

    def _evaluate(self, evaluation: int) -> None:
        plan = self.plan
        evals = plan.eval_list
        when = evals[evaluation]
        if evaluation + 1 < len(evals):  # chained: the heap stays small
            self._sim.schedule(
                evals[evaluation + 1], Priority.EVALUATE, self._evaluate, evaluation + 1
            )
        states, inputs, rules = self._states, self._inputs, plan.alarm_rules
        for i, alarm in enumerate(plan.alarms):
            if plan.blind[i][evaluation]:
                # No datapoint can exist yet: CloudWatch's "every point missing" rule.
                new = no_data_state(rules[i][2], states[i])
            else:
                values = alarm_range(plan, i, inputs[i], evaluation)
                new = evaluate_range(values, states[i], *rules[i])
            if new != states[i]:
                self._events.append(
                    (when, "AlarmStateChange", new, f"{alarm.name}: {states[i]} -> {new}")
                )
                states[i] = new
                self._history[i].append((when, new))
                if new == ALARM and not self._first_alarm:
                    self._first_alarm.append(when)
        if ALARM in states:
            self._arm_poll(when)

    def _arm_poll(self, now: float) -> None:
        if self._pending_poll:
            return
        grid = self.plan.poll_list
        k = bisect_left(grid, now)
        if k < len(grid):
            self._pending_poll = True
            self._sim.schedule(grid[k], Priority.POLL, self._poll)

    def _poll(self) -> None:
        self._pending_poll = False
        states = self._states
        if ALARM in states:
            when = self._sim.now
            active = ", ".join(a.name for a, s in zip(self.plan.alarms, states) if s == ALARM)
            self._result["detected"] = when
            self._finish(
                when,
                STOPPED,
                _ALARM_ACTIVE,
                f"One or more alarms have been activated: {active}.",
                self.plan.rollback_on_alarm,
            )

    def _read_failed(self) -> None:
        """A read of alarm state failed and ``ignorePollAlarmFailure`` is false: the deployment
        stops (API:AlarmConfiguration), rolling back as a stop on alarm would."""
        plan = self.plan
        self._finish(
            self._sim.now,
            STOPPED,
            plan.poll_failure_code,
            plan.poll_failure_message,
            plan.rollback_on_alarm,
        )

    def _manual(self) -> None:
        plan = self.plan
        self._finish(
            self._sim.now,
            STOPPED,
            plan.manual_stop_code,
            plan.manual_stop_message,
            plan.manual_stop_rolls_back,
        )

    def _end(self) -> None:
        self._finish(self._sim.now, SUCCEEDED, None, "", False)

    # ------------------------------------------------------------------ stepping
    @property
    def now(self) -> float:
        """The simulated clock, seconds since the deployment started."""
        return self._sim.now

    @property
    def done(self) -> bool:
        """Whether the deployment has reached a terminal status."""
        return "status" in self._result

    @property
    def status(self) -> str:
        return str(self._result.get("status", IN_PROGRESS))

    @property
    def weight(self) -> int:
        """Percent of traffic on the target version now."""
        return self._weights[-1][1]

    @property
    def alarm_states(self) -> dict[str, str]:
        return {a.name: s for a, s in zip(self.plan.alarms, self._states)}

    @property
    def events(self) -> tuple[tuple[float, str, str, str], ...]:
        """The event log so far: ``(time, event, status, detail)`` rows, only ever growing."""
        return tuple(self._events)

    @property
    def error_code(self) -> str | None:
        """CodeDeploy's error code once the deployment ended badly."""
        code = self._result.get("code")
        return None if code is None else str(code)

    @property
    def rolled_back(self) -> bool:
        return bool(self._result.get("rollback", False))

    @property
    def phase(self) -> str | None:
        """The lifecycle event in progress, if any."""
        return self._current[-1].name if self._current else None

    def advance(self, until: float | None = None) -> None:
        """Process events up to ``until`` seconds (all of them when None)."""
        if not self.done:
            self._sim.run(until=until)

    def stop(self, rollback: bool) -> None:
        """``StopDeployment`` now; ``rollback`` is its ``autoRollbackEnabled``."""
        if not self.done:
            self._finish(
                self.now,
                STOPPED,
                _MANUAL_STOP,
                MANUAL_STOP_MESSAGE,
                rollback,
            )

    def set_alarm(self, name: str, state: str) -> None:
        """``SetAlarmState`` now: CloudWatch recomputes it at its next evaluation."""
        names = [a.name for a in self.plan.alarms]
        if name not in names:
            raise KeyError(f"no alarm named {name!r}; the deployment has {names}")
        if self.done:
            return
        i = names.index(name)
        if self._states[i] != state:
            self._events.append(
                (
                    self.now,
                    "AlarmStateChange",
                    state,
                    f"{name}: {self._states[i]} -> {state} (SetAlarmState)",
                )
            )
            self._states[i] = state
            self._history[i].append((self.now, state))
            if state == ALARM and not self._first_alarm:
                self._first_alarm.append(self.now)
        if ALARM in self._states:
            self._arm_poll(self.now)

    def trace(self) -> Trace:
        """The finished run's record; the run must be done."""
        if not self.done:
            raise RuntimeError("the deployment has not finished; advance() it first")
        plan, result, rows = self.plan, self._result, self._rows
        first_alarm, weights = self._first_alarm, self._weights
        end_time = float(result["time"])  # type: ignore[arg-type]
        edges = plan.edge_list
        served = bisect_right(edges, end_time + 1e-9) - 1  # segments that ended
        live = bisect_left(edges, 0.0)  # the first segment after the start
        outcome = Outcome(
            status=str(result["status"]),
            error_code=result["code"],  # type: ignore[arg-type]
            rolled_back=bool(result["rollback"]),
            end_time=end_time,
            first_alarm_time=first_alarm[0] if first_alarm else None,
            detection_time=result.get("detected"),  # type: ignore[arg-type]
            target_invocations=sum(rows["target_invocations"][:served]),
            target_errors=sum(rows["target_errors"][:served]),
            current_invocations=sum(rows["current_invocations"][live:served]),
            current_errors=sum(rows["current_errors"][live:served]),
            final_percent=weights[-1][1],
        )
        return Trace(
            outcome,
            str(result["message"]),
            tuple(self._events),
            tuple(weights),
            tuple(tuple(h) for h in self._history),
            tuple(self._phases_run),
        )
