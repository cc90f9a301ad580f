"""A SimPy model of the same Lambda deployment, for the core-vs-SimPy benchmark.

It consumes the same compiled plan and the same draws as shiftsim's event core and reaches the
same outcome; only the event machinery differs (SimPy processes and timeouts instead of plain
callbacks on a heap). benchmarks/bench_lambda.py checks that the outcomes agree before timing.
"""

from __future__ import annotations

import simpy

from shiftsim._shifting import SERIES, _alarm_inputs, _minute_series, alarm_range
from shiftsim.alarms import ALARM, _evaluate
from shiftsim.draws import TrafficDraws
from shiftsim.plan import TrafficPlan


def run_simpy(plan: TrafficPlan, draws: TrafficDraws) -> tuple[str, str | None, float]:
    """(status, error code, end time) of one run, simulated with SimPy."""
    env = simpy.Environment()
    done = env.event()
    alarms = plan.alarms
    states = [a.initial_state for a in alarms]
    rows = {name: getattr(draws, name)[0].tolist() for name in SERIES}
    inputs = _alarm_inputs(plan, _minute_series(plan, rows), draws)
    result: list[tuple[str, str | None, float]] = []

    def finish(status: str, code: str | None) -> None:
        if not result:
            result.append((status, code, env.now))
            done.succeed()

    def evaluator():
        for e, when in enumerate(plan.eval_times.tolist()):
            yield env.timeout(when - env.now)
            for i, alarm in enumerate(alarms):
                states[i] = _evaluate(alarm_range(plan, i, inputs[i], e), states[i],
                                      alarm.evaluation_periods, alarm.m, alarm.treat_missing_data,
                                      alarm.comparison_operator, float(alarm.threshold))

    def poller():
        for when in plan.poll_times.tolist():
            yield env.timeout(when - env.now)
            # Let the evaluator (scheduled at the same instant, earlier) run first.
            yield env.timeout(0)
            if any(s == ALARM for s in states):
                finish("Stopped", "ALARM_ACTIVE")

    def lifecycle():
        weight = 0
        for phase in plan.phases:
            yield env.timeout(phase.start - env.now)
            if phase.name == "AllowTraffic":
                for when, percent in plan.shifts:
                    yield env.timeout(when - env.now)
                    weight = percent
            yield env.timeout(phase.end - env.now)
            yield env.timeout(0)
            yield env.timeout(0)
            if not phase.succeeds:
                finish("Failed", "HOOK_EXECUTION_FAILURE")
                return
        del weight
        yield env.timeout(0)
        yield env.timeout(0)
        finish("Succeeded", None)

    env.process(evaluator())
    env.process(poller())
    env.process(lifecycle())
    env.run(until=done)
    return result[0]
