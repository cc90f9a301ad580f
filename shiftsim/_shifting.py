"""The traffic-shifting lifecycle (Lambda and ECS) on the event core, one run at a time.

The run is a handful of callbacks on :class:`shiftsim.core.Simulation`: lifecycle phases start
and end, traffic shifts, CloudWatch evaluates alarms each minute, CodeDeploy polls alarm state, a
user may stop the deployment. The first of {a failed hook, an alarm seen by a poll, a manual stop,
the end} decides the outcome. Only :mod:`shiftsim.draws` supplies randomness.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from shiftsim.alarms import ALARM, _evaluate
from shiftsim.core import Priority, Simulation
from shiftsim.draws import TrafficDraws
from shiftsim.plan import Phase, TrafficPlan

__all__ = ["Outcome", "datapoint", "run_traffic"]

IN_PROGRESS, SUCCEEDED, FAILED, STOPPED = "InProgress", "Succeeded", "Failed", "Stopped"


@dataclass(frozen=True, slots=True)
class Outcome:
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


@dataclass(frozen=True, slots=True)
class Trace:
    """What the event core saw along the way (for events, timeline and notifications)."""

    outcome: Outcome
    error_message: str
    events: tuple[tuple[float, str, str, str], ...]
    weights: tuple[tuple[float, int], ...]
    alarm_states: tuple[tuple[tuple[float, str], ...], ...]
    phases_run: tuple[tuple[Phase, str, float], ...]


def datapoint(metric: str, statistic: str, count: float, population: float) -> float | None:
    """One datapoint of a binary-per-request metric (Errors, Throttles, Invocations, ErrorRate).

    ``count`` is how many requests were errors (or throttles, or invocations), ``population``
    how many requests could have been; no population means no datapoint.
    """
    if population <= 0:
        return None
    if metric == "ErrorRate":
        return 100.0 * count / population
    if statistic == "Sum":
        return float(count)
    if statistic == "SampleCount":
        return float(population)
    if statistic == "Average":
        return count / population
    if statistic == "Maximum":
        return 1.0 if count > 0 else 0.0
    return 1.0 if count >= population else 0.0  # Minimum


SERIES = (
    "target_invocations",
    "current_invocations",
    "target_errors",
    "current_errors",
    "target_throttles",
    "current_throttles",
)


def _minute_series(
    plan: TrafficPlan, draws: TrafficDraws, rows: dict[str, list[int]]
) -> dict[str, list[int]]:
    """Per-minute totals of one run's segment draws, as plain lists (``rows`` are reused)."""
    bounds = plan.minute_segments
    if len(bounds) == plan.segments and bounds[-1][1] == plan.segments:
        return rows  # one segment per minute: already per-minute
    return {name: [sum(values[a:b]) for a, b in bounds] for name, values in rows.items()}


def _cumulative(values: list[int]) -> list[int]:
    out = [0]
    total = 0
    for v in values:
        total += v
        out.append(total)
    return out


def _alarm_inputs(
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
        inv = series["target_invocations"]
        count = inv if metric == "Invocations" else series[f"target_{kind}"]
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
    alarm = plan.alarms[index]
    values: list[float | None] = []
    for lo, hi in plan.windows[index][evaluation]:
        if hi <= lo:
            values.append(None)
        elif isinstance(inputs, list):  # Duration: one value per minute, period 60
            v = inputs[lo]
            values.append(None if v != v else v)
        else:
            count, pop = inputs
            values.append(
                datapoint(alarm.metric, alarm.statistic, count[hi] - count[lo], pop[hi] - pop[lo])
            )
    return values


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
    """

    def __init__(
        self,
        plan: TrafficPlan,
        draws: TrafficDraws,
        *,
        deployment_id: str,
        alarm_watch: bool = True,
    ) -> None:
        sim = Simulation()
        schedule = sim.schedule
        events: list[tuple[float, str, str, str]] = []
        log = events.append
        weights: list[tuple[float, int]] = [(0.0, 0)]
        alarms = plan.alarms
        states = [a.initial_state for a in alarms]
        history_states: list[list[tuple[float, str]]] = [[(0.0, s)] for s in states]
        phases_run: list[tuple[Phase, str, float]] = []
        throttles = plan.throttles or any(a.metric == "Throttles" for a in alarms)
        names = SERIES if throttles else SERIES[:4]
        rows = {name: getattr(draws, name)[0].tolist() for name in names}
        inputs = _alarm_inputs(plan, _minute_series(plan, draws, rows), draws) if alarms else []
        result: dict[str, object] = {}
        first_alarm: list[float] = []
        current_phase: list[Phase] = []
        self.plan, self.deployment_id = plan, deployment_id
        self._sim, self._events, self._weights, self._states = sim, events, weights, states
        self._history, self._phases_run, self._rows = history_states, phases_run, rows
        self._result, self._first_alarm, self._current = result, first_alarm, current_phase

        def finish(
            time: float, status: str, code: str | None, message: str, rollback: bool
        ) -> None:
            if status == STOPPED and time <= plan.rollback_from:
                rollback = False  # nothing to roll back before the first phase that can
            reached = len(phases_run)
            if current_phase and status != SUCCEEDED:
                interrupted = current_phase.pop()
                phases_run.append((interrupted, FAILED, time))
                log((time, interrupted.name, FAILED, f"interrupted: deployment {status.lower()}"))
                reached += 1
            for skipped in (*(p.name for p in plan.phases[reached:]), *plan.unreached):
                log((time, skipped, "Skipped", ""))
            result.update(status=status, code=code, message=message, time=time, rollback=rollback)
            if status == SUCCEEDED:
                log((time, "End", SUCCEEDED, ""))
            else:
                log((time, "Deployment", status, f"{code}: {message}"))
            if rollback:
                weights.append((time, 0))
                log((time, "Rollback", SUCCEEDED, "traffic returned to the original version"))
            sim.stop()

        rules = [
            (
                a.evaluation_periods,
                a.m,
                a.treat_missing_data,
                a.comparison_operator,
                float(a.threshold),
            )
            for a in alarms
        ]
        eval_times = plan.eval_times.tolist()
        last_eval = len(eval_times) - 1

        def evaluate(when: float, evaluation: int) -> None:
            # Evaluations are chained: each schedules the next, so the heap stays small.
            if evaluation < last_eval:
                schedule(
                    eval_times[evaluation + 1],
                    Priority.EVALUATE,
                    evaluate,
                    eval_times[evaluation + 1],
                    evaluation + 1,
                )
            for i, alarm in enumerate(alarms):
                new = _evaluate(alarm_range(plan, i, inputs[i], evaluation), states[i], *rules[i])
                if new != states[i]:
                    log((when, "AlarmStateChange", new, f"{alarm.name}: {states[i]} -> {new}"))
                    states[i] = new
                    history_states[i].append((when, new))
                    if new == ALARM and not first_alarm:
                        first_alarm.append(when)
            if ALARM in states:
                arm_poll(when)

        # CodeDeploy polls on a fixed grid (D2), but a poll can only act when an alarm is in
        # ALARM, and states change only at evaluations: so a poll is scheduled, at the next grid
        # time, only when an evaluation leaves an alarm in ALARM. Same outcome as polling every
        # interval.
        poll_grid = plan.poll_times.tolist()
        pending_poll: list[float] = []

        def arm_poll(now: float) -> None:
            if pending_poll:
                return
            k = bisect_left(poll_grid, now)
            if k < len(poll_grid):
                pending_poll.append(poll_grid[k])
                schedule(poll_grid[k], Priority.POLL, poll, poll_grid[k])

        def poll(when: float) -> None:
            pending_poll.clear()
            if ALARM in states:
                active = ", ".join(a.name for a, s in zip(alarms, states) if s == ALARM)
                result["detected"] = when
                finish(
                    when,
                    STOPPED,
                    "ALARM_ACTIVE",
                    f"One or more alarms have been activated: {active}.",
                    plan.rollback_on_alarm,
                )

        def step(when: float, actions: tuple[tuple[str, Any], ...]) -> None:
            for kind, item in actions:
                if kind == "shift":
                    weights.append((when, item))
                    log(
                        (
                            when,
                            "TrafficShift",
                            SUCCEEDED,
                            f"{item}% of traffic on the target version",
                        )
                    )
                elif kind == "start":
                    current_phase.append(item)
                    log((when, item.name, IN_PROGRESS, ""))
                else:
                    current_phase.pop()
                    if item.succeeds:
                        phases_run.append((item, SUCCEEDED, when))
                        log((when, item.name, SUCCEEDED, ""))
                        continue
                    phases_run.append((item, FAILED, when))
                    log((when, item.name, FAILED, item.message))
                    finish(
                        when,
                        FAILED,
                        "HOOK_EXECUTION_FAILURE",
                        item.message,
                        plan.rollback_on_failure and item.rollback_possible,
                    )
                    return

        def manual(when: float) -> None:
            finish(
                when,
                STOPPED,
                "MANUAL_STOP",
                "The deployment was stopped by the user.",
                plan.manual_stop_rolls_back,
            )

        def end(when: float) -> None:
            finish(when, SUCCEEDED, None, "", False)

        log((0.0, "Start", SUCCEEDED, ""))
        for when, actions in plan.steps:
            schedule(when, Priority.STEP, step, when, actions)
        if alarm_watch:
            if eval_times:
                schedule(eval_times[0], Priority.EVALUATE, evaluate, eval_times[0], 0)
            if ALARM in states:
                arm_poll(0.0)
        if plan.manual_stop_time is not None:
            schedule(plan.manual_stop_time, Priority.REACT, manual, plan.manual_stop_time)
        if plan.succeeds:
            schedule(plan.end_time, Priority.LAST, end, plan.end_time)
        self._finish, self._arm_poll = finish, arm_poll

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
                "MANUAL_STOP",
                "The deployment was stopped by the user.",
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
        edges = plan.edges.tolist()
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
