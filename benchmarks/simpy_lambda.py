"""A SimPy model of the same Lambda deployment, for the core-vs-SimPy benchmark.

Written as a SimPy user would write it: one process per actor, each advancing with timeouts.

* traffic: walks the plan's segments, adding each segment's drawn invocations and errors to
  per-minute counters as simulated time passes (so served counts are known when it stops);
* CloudWatch: evaluates every alarm at each whole minute from the counters;
* CodeDeploy's poller: reads alarm state every ``alarm_poll_interval`` seconds;
* the lifecycle: runs the phases and the traffic shifts.

It consumes the same compiled plan and the same draws as shiftsim's event core, uses the same
CloudWatch evaluation function, and must reach the same outcome (bench_lambda.py checks this on
every timed run before timing). The event core differs by design: plain callbacks on a heap,
polls scheduled only when an alarm is in ALARM, and served counts read from the draws at the end.
"""

from __future__ import annotations

import simpy

from shiftsim._engines.traffic.core import SERIES, alarm_inputs, alarm_range
from shiftsim._engines.traffic.draws import TrafficDraws
from shiftsim._engines.traffic.plan import TrafficPlan
from shiftsim.alarms import ALARM, evaluate_range


def run_simpy(plan: TrafficPlan, draws: TrafficDraws) -> tuple[str, str | None, float, int, int]:
    """(status, error code, end time, target invocations, target errors) of one run."""
    return _SimpyRun(plan, draws).run()


class _SimpyRun:
    """One run as four SimPy processes sharing the run's counters and alarm states."""

    def __init__(self, plan: TrafficPlan, draws: TrafficDraws) -> None:
        self.plan, self.draws = plan, draws
        self.env = simpy.Environment()
        self.done = self.env.event()
        self.states = [a.initial_state for a in plan.alarms]
        self.rows = {name: getattr(draws, name)[0].tolist() for name in SERIES}
        self.counters = {name: [0] * plan.minutes for name in SERIES}
        self.served = {"target_invocations": 0, "target_errors": 0}
        self.result: list[tuple[str, str | None, float, int, int]] = []

    def run(self) -> tuple[str, str | None, float, int, int]:
        env = self.env
        env.process(self.traffic())
        env.process(self.cloudwatch())
        env.process(self.poller())
        env.process(self.lifecycle())
        env.run(until=self.done)
        return self.result[0]

    def finish(self, status: str, code: str | None) -> None:
        if not self.result:
            served = self.served
            self.result.append(
                (status, code, self.env.now, served["target_invocations"], served["target_errors"])
            )
            self.done.succeed()

    def traffic(self):
        env, plan, rows = self.env, self.plan, self.rows
        edges = plan.edges.tolist()
        for s, minute in enumerate(plan.segment_minute.tolist()):
            yield env.timeout(edges[s + 1] - env.now)
            for name in SERIES:
                self.counters[name][minute] += rows[name][s]
            self.served["target_invocations"] += rows["target_invocations"][s]
            self.served["target_errors"] += rows["target_errors"][s]

    def cloudwatch(self):
        env, plan, states = self.env, self.plan, self.states
        for e, when in enumerate(plan.eval_times.tolist()):
            yield env.timeout(when - env.now)
            inputs = alarm_inputs(plan, self.counters, self.draws)  # per-minute counters so far
            for i, alarm in enumerate(plan.alarms):
                states[i] = evaluate_range(
                    alarm_range(plan, i, inputs[i], e),
                    states[i],
                    alarm.evaluation_periods,
                    alarm.m,
                    alarm.treat_missing_data,
                    alarm.comparison_operator,
                    float(alarm.threshold),
                )

    def poller(self):
        env = self.env
        for when in self.plan.poll_times.tolist():
            yield env.timeout(when - env.now)
            yield env.timeout(0)  # after CloudWatch's evaluation at the same instant
            if ALARM in self.states:
                self.finish("Stopped", "ALARM_ACTIVE")

    def lifecycle(self):
        env, plan = self.env, self.plan
        for phase in plan.phases:
            yield env.timeout(phase.start - env.now)
            if phase.name == "AllowTraffic":
                for when, _percent in plan.shifts:
                    yield env.timeout(when - env.now)
            yield env.timeout(phase.end - env.now)
            yield env.timeout(0)
            yield env.timeout(0)
            if not phase.succeeds:
                self.finish("Failed", "HOOK_EXECUTION_FAILURE")
                return
        yield env.timeout(0)
        yield env.timeout(0)
        self.finish("Succeeded", None)
