"""The traffic-shifting lifecycle (Lambda and ECS) on the event core, one run at a time.

The run is a handful of callbacks on :class:`shiftsim.core.Simulation`: lifecycle phases start
and end, traffic shifts, CloudWatch evaluates alarms each minute, CodeDeploy polls alarm state, a
user may stop the deployment. The first of {a failed hook, an alarm seen by a poll, a manual stop,
the end} decides the outcome. Only :mod:`shiftsim.draws` supplies randomness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shiftsim.alarms import ALARM, _evaluate
from shiftsim.core import Priority, Simulation
from shiftsim.draws import TrafficDraws, per_minute_sum
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


def _minute_series(plan: TrafficPlan, draws: TrafficDraws) -> dict[str, list[int]]:
    m, seg = plan.minutes, plan.segment_minute
    return {
        name: per_minute_sum(getattr(draws, name)[:1], seg, m)[0].tolist()
        for name in ("target_invocations", "current_invocations", "target_errors",
                     "current_errors", "target_throttles", "current_throttles")
    }


def _alarm_inputs(plan: TrafficPlan, series: dict[str, list[int]], draws: TrafficDraws
                  ) -> list[tuple[list[float], list[float]] | list[float]]:
    """Per alarm: per-minute (count, population) lists, or per-minute Duration values."""
    out: list[tuple[list[float], list[float]] | list[float]] = []
    duration_slot = {index: d for d, index in enumerate(plan.duration_alarms)}
    for index, alarm in enumerate(plan.alarms):
        if alarm.metric == "Duration":
            out.append(draws.duration[0, duration_slot[index]].tolist())
            continue
        versions = ("target",) if alarm.version == "target" else ("target", "current")
        inv = np.sum([series[f"{v}_invocations"] for v in versions], axis=0)
        if alarm.metric == "Invocations":
            count, pop = inv, inv
        elif alarm.metric == "Throttles":
            thr = np.sum([series[f"{v}_throttles"] for v in versions], axis=0)
            count, pop = thr, thr + inv
        else:
            count = np.sum([series[f"{v}_errors"] for v in versions], axis=0)
            pop = inv
        out.append((count.astype(float).tolist(), pop.astype(float).tolist()))
    return out


def alarm_range(plan: TrafficPlan, index: int, inputs: tuple[list[float], list[float]] | list[float],
                when: float) -> list[float | None]:
    """The evaluation range of alarm ``index`` at evaluation time ``when``, oldest first."""
    alarm = plan.alarms[index]
    period, size = alarm.period, alarm.range_size
    per = period // 60
    history, delay = plan.history, plan.metric_delay
    minutes = plan.minutes
    # Minute m covers [m*60 - history, (m+1)*60 - history); it is visible once it ended + delay.
    arrived = int((when - delay + history) // 60)
    values: list[float | None] = []
    for j in range(size - 1, -1, -1):
        end = int(round((when - j * period + history) / 60))
        lo, hi = max(end - per, 0), min(end, arrived, minutes)
        if hi <= lo:
            values.append(None)
            continue
        if isinstance(inputs, list):  # Duration: one value per minute, period 60
            v = inputs[lo]
            values.append(None if v != v else v)
            continue
        count, pop = inputs
        values.append(datapoint(alarm.metric, alarm.statistic, sum(count[lo:hi]), sum(pop[lo:hi])))
    return values


def run_traffic(plan: TrafficPlan, draws: TrafficDraws, *, deployment_id: str,
                alarm_watch: bool = True) -> Trace:
    """Simulate one run of ``plan`` on the event core with the first row of ``draws``."""
    sim = Simulation()
    schedule = sim.schedule
    events: list[tuple[float, str, str, str]] = []
    log = events.append
    weights: list[tuple[float, int]] = [(0.0, 0)]
    alarms = plan.alarms
    states = [a.initial_state for a in alarms]
    history_states: list[list[tuple[float, str]]] = [[(0.0, s)] for s in states]
    phases_run: list[tuple[Phase, str, float]] = []
    series = _minute_series(plan, draws)
    inputs = _alarm_inputs(plan, series, draws)
    result: dict[str, object] = {}
    first_alarm: list[float] = []
    current_phase: list[Phase] = []

    def finish(time: float, status: str, code: str | None, message: str, rollback: bool) -> None:
        reached = len(phases_run)
        if current_phase and status != SUCCEEDED:
            interrupted = current_phase.pop()
            phases_run.append((interrupted, FAILED, time))
            log((time, interrupted.name, FAILED, f"interrupted: deployment {status.lower()}"))
            reached += 1
        for skipped in plan.phases[reached:]:
            log((time, skipped.name, "Skipped", ""))
        result.update(status=status, code=code, message=message, time=time, rollback=rollback)
        if status != SUCCEEDED:
            log((time, "Deployment", status, f"{code}: {message}"))
        if rollback:
            weights.append((time, 0))
            log((time, "Rollback", SUCCEEDED, "traffic returned to the original version"))
        sim.stop()

    def evaluate(when: float) -> None:
        for i, alarm in enumerate(alarms):
            new = _evaluate(alarm_range(plan, i, inputs[i], when), states[i],
                            alarm.evaluation_periods, alarm.m, alarm.treat_missing_data,
                            alarm.comparison_operator, float(alarm.threshold))
            if new != states[i]:
                log((when, "AlarmStateChange", new, f"{alarm.name}: {states[i]} -> {new}"))
                states[i] = new
                history_states[i].append((when, new))
                if new == ALARM and not first_alarm:
                    first_alarm.append(when)

    def poll(when: float) -> None:
        active = [a.name for a, s in zip(alarms, states) if s == ALARM]
        if active:
            result["detected"] = when
            finish(when, STOPPED, "ALARM_ACTIVE",
                   f"One or more alarms have been activated: {', '.join(active)}.",
                   plan.rollback_on_alarm)

    def phase_start(phase: Phase) -> None:
        current_phase.append(phase)
        log((phase.start, phase.name, IN_PROGRESS, ""))

    def phase_end(phase: Phase) -> None:
        current_phase.pop()
        if phase.succeeds:
            phases_run.append((phase, SUCCEEDED, phase.end))
            log((phase.end, phase.name, SUCCEEDED, ""))
            return
        phases_run.append((phase, FAILED, phase.end))
        log((phase.end, phase.name, FAILED, phase.message))
        finish(phase.end, FAILED, "HOOK_EXECUTION_FAILURE", phase.message,
               plan.rollback_on_failure and phase.rollback_possible)

    def shift(when: float, percent: int) -> None:
        weights.append((when, percent))
        log((when, "TrafficShift", SUCCEEDED, f"{percent}% of traffic on the target version"))

    def manual(when: float) -> None:
        finish(when, STOPPED, "MANUAL_STOP", "The deployment was stopped by the user.",
               plan.manual_stop_rolls_back)

    def end(when: float) -> None:
        finish(when, SUCCEEDED, None, "", False)

    log((0.0, "Start", SUCCEEDED, ""))
    # Lifecycle steps share one priority, so at one instant they run in the order scheduled
    # here: a phase starts, its shifts happen, it ends, the next one starts.
    for phase in plan.phases:
        schedule(phase.start, Priority.STEP, phase_start, phase)
        if phase.name == "AllowTraffic":
            for when, percent in plan.shifts:
                schedule(when, Priority.STEP, shift, when, percent)
        schedule(phase.end, Priority.STEP, phase_end, phase)
    if alarm_watch:
        for when in plan.eval_times.tolist():
            schedule(when, Priority.EVALUATE, evaluate, when)
        for when in plan.poll_times.tolist():
            schedule(when, Priority.POLL, poll, when)
    if plan.manual_stop_time is not None:
        schedule(plan.manual_stop_time, Priority.REACT, manual, plan.manual_stop_time)
    if plan.succeeds:
        schedule(plan.end_time, Priority.LAST, end, plan.end_time)
    sim.run()
    if "status" not in result:  # defensive: a plan always ends in one of the callbacks above
        raise RuntimeError("traffic plan ended without a terminal event")

    end_time = float(result["time"])  # type: ignore[arg-type]
    if result["status"] == SUCCEEDED:
        log((end_time, "End", SUCCEEDED, ""))
    served = plan.edges[1:] <= end_time + 1e-9
    outcome = Outcome(
        status=str(result["status"]),
        error_code=result["code"],  # type: ignore[arg-type]
        rolled_back=bool(result["rollback"]),
        end_time=end_time,
        first_alarm_time=first_alarm[0] if first_alarm else None,
        detection_time=result.get("detected"),  # type: ignore[arg-type]
        target_invocations=int(draws.target_invocations[0, served].sum()),
        target_errors=int(draws.target_errors[0, served].sum()),
        current_invocations=int(draws.current_invocations[0, served & (plan.edges[:-1] >= 0)].sum()),
        current_errors=int(draws.current_errors[0, served & (plan.edges[:-1] >= 0)].sum()),
        final_percent=weights[-1][1],
    )
    return Trace(outcome, str(result["message"]), tuple(events), tuple(weights),
                 tuple(tuple(h) for h in history_states), tuple(phases_run))


Callback = Callable[..., None]
