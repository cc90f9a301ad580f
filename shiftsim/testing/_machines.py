"""Hypothesis state machines that drive deployments step by step and check CodeDeploy's
invariants (imports Hypothesis: the ``testing`` extra)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from shiftsim._seeding import seed_sequence
from shiftsim.rollback import ManualStop
from shiftsim.server import InstanceStop, ScaleOut, ServerDeployment
from shiftsim.server.simulate import replay_with_actions
from shiftsim.stepping import DeploymentState, Stepper
from shiftsim.stepping import start as _start
from shiftsim.strategies import (
    deployment_configs,
    ecs_deployments,
    fleets,
    lambda_deployments,
    server_deployments,
)
from shiftsim.testing._explain import PENDING_INSTANCE_STATUSES, TERMINAL, explain
from shiftsim.testing._hooks import _hook_events, fail_hook
from shiftsim.vocabulary import DeploymentStatus, ErrorCode, InstanceStatus

__all__ = ["DeploymentMachine", "ServerDeploymentMachine"]

_IN_PROGRESS = DeploymentStatus.IN_PROGRESS.value


class DeploymentMachine(RuleBasedStateMachine):
    """Drive a Lambda or ECS deployment step by step; check CodeDeploy's invariants.

    At the start the machine draws a deployment from :attr:`deployments`, maybe makes one
    of its hooks fail (:func:`fail_hook`), and starts it with a drawn seed. Its rules then
    advance the clock, set alarm states (``SetAlarmState``), stop the deployment
    (``StopDeployment``, with or without rollback) or run it to the end. After every step it
    checks that:

    * the traffic split is a split: weights in [0, 100] that add up to 100;
    * while the deployment is in progress the target's weight never decreases;
    * after a rollback the target's weight is 0 and stays 0;
    * a deployment that ended never changes again (status, weights, error code);
    * the event log only grows, in time order, and no event is later than the clock.

    At the end it runs the deployment to completion and checks that the finished run agrees
    with the last state and with the log.

    Subclass it to change :attr:`deployments` or to add rules and invariants; use
    :attr:`stepper` to act and read, :attr:`state` for the state now and :attr:`history` for
    the states seen after each earlier step. Run it in pytest with ``TestX =
    MyMachine.TestCase``.

    Attributes
    ----------
    deployments : SearchStrategy
        What the machine deploys; default short Lambda and ECS deployments.
    max_step_minutes : int
        Longest single ``advance``.
    stepper : Stepper
        The deployment being driven.
    deployment : LambdaDeployment or EcsDeployment
        The deployment as started (with the failing hook, if any).
    history : list of DeploymentState
        The state after each step, oldest first.

    Examples
    --------
    >>> from hypothesis import settings
    >>> from hypothesis.stateful import rule
    >>> class NeverTouchTheAlias(DeploymentMachine):
    ...     @rule()
    ...     def look(self):
    ...         assert self.state.target_weight in range(101)
    >>> NeverTouchTheAlias.TestCase.settings = settings(max_examples=3, deadline=None)
    >>> NeverTouchTheAlias.TestCase().runTest()
    """

    deployments: st.SearchStrategy[Any] = st.one_of(
        lambda_deployments(configs=deployment_configs("Lambda", max_interval=10)),
        ecs_deployments(configs=deployment_configs("ECS", max_interval=10)),
    )
    max_step_minutes: int = 10

    def __init__(self) -> None:
        super().__init__()
        self.history: list[DeploymentState] = []
        self._log: list[tuple[Any, ...]] = []
        self._broken = False

    # -------------------------------------------------------------- setup
    @initialize(data=st.data())
    def start_deployment(self, data: st.DataObject) -> None:
        deployment = data.draw(self.deployments, label="deployment")
        failing = data.draw(
            st.none() | st.sampled_from(_hook_events(deployment)), label="failing_hook"
        )
        if failing is not None:
            deployment = fail_hook(deployment, failing)
        self.deployment = deployment
        stepper = _start(deployment, rng=data.draw(st.integers(0, 2**32 - 1)))

        assert isinstance(stepper, Stepper)  # deployments() draws Lambda and ECS ones
        self.stepper: Stepper = stepper

    @property
    def state(self) -> DeploymentState:
        """The deployment's state now."""
        return self.stepper.state

    # -------------------------------------------------------------- rules
    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        minutes = data.draw(st.integers(0, self.max_step_minutes), label="minutes")
        self.stepper.advance(minutes)

    @precondition(lambda self: bool(self.stepper.plan.alarms))
    @rule(data=st.data())
    def set_alarm(self, data: st.DataObject) -> None:
        names = [a.name for a in self.stepper.plan.alarms]
        name = data.draw(st.sampled_from(names), label="alarm")
        value = data.draw(st.sampled_from(("ALARM", "OK", "INSUFFICIENT_DATA")), label="to")
        self.stepper.set_alarm(name, value)

    @rule(rollback=st.none() | st.booleans())
    def stop(self, rollback: bool | None) -> None:
        self.stepper.stop(rollback=rollback)

    @rule()
    def finish(self) -> None:
        self.stepper.finish()

    # -------------------------------------------------------------- invariants
    @invariant()
    def check_codedeploy_invariants(self) -> None:
        """CodeDeploy's invariants on the state now and the states before it."""
        now = self.stepper.state
        try:
            self._check(now)
        except AssertionError:
            self._broken = True  # teardown must not bury this failure under another
            raise
        self.history.append(now)

    def _check(self, now: DeploymentState) -> None:
        earlier = self.history
        where = f"at minute {now.minute:g} ({now!r})"
        assert 0 <= now.target_weight <= 100, f"target weight out of [0, 100] {where}"
        assert sum(now.weights.values()) == 100, f"weights do not add up to 100 {where}"
        assert now.status in (_IN_PROGRESS, *TERMINAL), f"unknown status {where}"
        if any(s.rolled_back for s in (*earlier, now)):
            assert now.target_weight == 0, (
                f"the deployment was rolled back but the target still has "
                f"{now.target_weight}% of traffic {where}"
            )
        if earlier:
            last = earlier[-1]
            assert now.minute >= last.minute, f"the clock went back {where}"
            if last.status == _IN_PROGRESS and now.status == _IN_PROGRESS:
                assert now.target_weight >= last.target_weight, (
                    f"traffic moved back to the original version while the deployment was "
                    f"in progress: {last.target_weight}% -> {now.target_weight}% {where}"
                )
            if last.done:
                for name in ("status", "error_code", "rolled_back", "weights"):
                    assert getattr(now, name) == getattr(last, name), (
                        f"the deployment ended {last.status} at minute {last.minute:g} but "
                        f"its {name} changed from {getattr(last, name)!r} to "
                        f"{getattr(now, name)!r} {where}"
                    )
        log = list(self.stepper.events.itertuples(index=False, name=None))
        assert log[: len(self._log)] == self._log, (
            f"events were lost or rewritten in the log {where}: had {len(self._log)}, "
            f"now {len(log)}"
        )
        times = [row[0] for row in log]
        assert times == sorted(times), f"events out of time order {where}"
        assert not times or times[-1] <= 60.0 * now.minute + 1e-6, (
            f"an event at minute {times[-1] / 60:g} is later than the clock {where}"
        )
        self._log = log

    def teardown(self) -> None:
        """Run the deployment to its end; check the last state, then the finished run."""
        if not hasattr(self, "stepper") or self._broken:
            return
        run = self.stepper.finish()
        self.check_codedeploy_invariants()
        final = self.history[-1]
        summary = f"the run ({explain(run)})\n  and the last state ({final!r})"
        assert final.done, f"the deployment never ended: {final!r}"
        assert (run.status, run.rolled_back, run.outcome.final_percent) == (
            final.status,
            final.rolled_back,
            final.target_weight,
        ), f"disagree: {summary}"
        assert math.isclose(final.minute * 60.0, run.duration, abs_tol=1e-6), (
            f"the clock ({final.minute:g} min) did not stop when the deployment ended "
            f"({run.duration / 60.0:g} min)"
        )
        events = list(run.events.itertuples(index=False, name=None))
        assert events[: len(self._log)] == self._log, f"the run lost events of the log: {summary}"


class ServerDeploymentMachine(RuleBasedStateMachine):
    """Drive an EC2/on-premises deployment step by step; check CodeDeploy's invariants.

    The Server engine runs a deployment in one go, so this machine replays it: its rules
    move the clock and take actions at the current minute (an alarm state change, a
    ``StopDeployment``, an Auto Scaling scale-out), and after each action the scenario with
    every action so far is simulated again with the same seed. Because an action at minute
    ``t`` can only change what happens from ``t`` on, the replays must agree on everything
    before it. After every step the machine checks that:

    * nothing that happened before the current minute changed (no event or finished
      instance of the log is lost or rewritten);
    * once the deployment ended, its status, error code and end never change;
    * no lifecycle event of the deployment starts after it ended;
    * in place, CodeDeploy never took the healthy count below the minimum (or below where
      it started, when it started below), and never had more than ``N - minimum``
      instances in flight. An instance that stops (``InstanceStop``) lowers the count on its
      own: that is not CodeDeploy's doing (UG:instances-health.md).

    At the end every instance of every deployment it set off (rollback, launch, follow-up)
    is in a final status.

    Failing hooks come from the deployments themselves (``ScriptFault`` in
    :func:`~shiftsim.strategies.server_deployments`). Subclass it as
    :class:`DeploymentMachine`; :attr:`run` is the replayed run and :attr:`minute` the
    clock.

    Attributes
    ----------
    deployments : SearchStrategy
        Default ``server_deployments()`` on fleets of 1 to 6 instances.
    seeds : SearchStrategy
        The seed each example simulates with; default any 32-bit integer.
    deployment : ServerDeployment
        The deployment as drawn (before the machine's actions).
    run : ServerRun
        The deployment with every action so far, simulated to its end.
    minute : float
        The clock, minutes since the deployment started.

    Examples
    --------
    >>> from hypothesis import settings
    >>> from hypothesis.stateful import invariant
    >>> class NoInstanceLeftBehind(ServerDeploymentMachine):
    ...     @invariant()
    ...     def every_instance_was_deployed_to_or_skipped(self):
    ...         assert len(self.run.instances) >= len(self.deployment.fleet)
    >>> NoInstanceLeftBehind.TestCase.settings = settings(max_examples=3, deadline=None)
    >>> NoInstanceLeftBehind.TestCase().runTest()
    """

    deployments: st.SearchStrategy[Any] = server_deployments(fleets=fleets(1, 6, conditions=True))
    seeds: st.SearchStrategy[int] = st.integers(0, 2**32 - 1)
    max_step_minutes: int = 10

    def __init__(self) -> None:
        super().__init__()
        self.minute = 0.0
        self._past: tuple[list[tuple[Any, ...]], ...] = ([], [])
        self._last: tuple[float, Any] | None = None
        self._broken = False

    @initialize(data=st.data())
    def start_deployment(self, data: st.DataObject) -> None:
        self.deployment = data.draw(self.deployments, label="deployment")
        self.seed = data.draw(self.seeds, label="seed")
        self.alarm_events = list(self.deployment.alarm_events)
        self.scale_outs = list(self.deployment.scale_outs)
        self.manual_stop = self.deployment.manual_stop
        self._replay()

    def scenario(self) -> ServerDeployment:
        """The deployment with the machine's actions so far."""
        return replace(
            self.deployment,
            alarm_events=tuple(self.alarm_events),
            scale_outs=tuple(self.scale_outs),
            manual_stop=self.manual_stop,
        )

    def _replay(self) -> None:
        self.run = replay_with_actions(self.deployment, self.scenario(), seed_sequence(self.seed))

    @property
    def status(self) -> str:
        """The deployment's status at :attr:`minute`."""
        return _IN_PROGRESS if self.run.duration > 60.0 * self.minute else self.run.status

    # -------------------------------------------------------------- rules
    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        self.minute += data.draw(st.integers(0, self.max_step_minutes), label="minutes")

    @precondition(lambda self: bool(self.deployment.alarms))
    @rule(data=st.data())
    def set_alarm(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from([a.name for a in self.deployment.alarms]))
        value = data.draw(st.sampled_from(("ALARM", "OK", "INSUFFICIENT_DATA")), label="to")
        self.alarm_events.append((self.minute, name, value))
        self._replay()

    @precondition(lambda self: self.manual_stop is None)
    @rule(rollback=st.none() | st.booleans())
    def stop(self, rollback: bool | None) -> None:
        self.manual_stop = ManualStop(self.minute, rollback)
        self._replay()

    @precondition(
        lambda self: (
            self.deployment.blue_green is None
            and any(g is not None for g in self.deployment.fleet.auto_scaling_groups)
        )
    )
    @rule(count=st.integers(1, 3))
    def scale_out(self, count: int) -> None:
        group = next(g for g in self.deployment.fleet.auto_scaling_groups if g is not None)
        self.scale_outs.append(ScaleOut(self.minute, group, count))
        self._replay()

    # -------------------------------------------------------------- invariants
    @invariant()
    def check_codedeploy_invariants(self) -> None:
        """CodeDeploy's invariants on the replayed run up to the current minute."""
        try:
            self._check()
        except AssertionError:
            self._broken = True
            raise

    def _where(self) -> str:
        return f"at minute {self.minute:g}:\n  {explain(self.run)}"

    def _check(self) -> None:
        run, now = self.run, 60.0 * self.minute
        events, instances = run.events, run.instances

        def rows(frame: Any) -> list[tuple[Any, ...]]:
            # A missing value is None or NaN depending on the other rows' types: compare
            # them as one.
            return [
                tuple(None if isinstance(v, float) and v != v else v for v in row)
                for row in frame.itertuples(index=False, name=None)
            ]

        def history(before: float) -> tuple[list[tuple[Any, ...]], ...]:
            """Events and finished instances strictly before ``before`` seconds."""
            return (
                rows(events[events["time"] < before]),
                rows(instances[instances["end"] < before]),
            )

        if self._last is not None:
            before, last = self._last
            assert history(before) == self._past, (
                f"an action at minute {self.minute:g} changed what happened before minute "
                f"{before / 60:g} {self._where()}"
            )
            if last.duration < before:
                assert (run.status, run.error_code, run.duration) == (
                    last.status,
                    last.error_code,
                    last.duration,
                ), f"the deployment had ended {last.status} but changed {self._where()}"
        main = instances[instances["deployment_id"] == run.deployment_id]
        late = main[main["start"] > run.duration + 1e-6]
        assert late.empty, f"instances started after the deployment ended {self._where()}"
        invalid = run.error_code == ErrorCode.HEALTH_CONSTRAINTS_INVALID
        if self.deployment.blue_green is None and not invalid:
            self._check_window(main)
        self._past = history(now)
        self._last = (now, run)

    def _check_window(self, main: Any) -> None:
        """Healthy count and instances in flight, rebuilt from the instances CodeDeploy
        started and finished and the instances that stopped on their own
        (UG:instances-health.md)."""
        n = len(main)
        config = self.deployment.deployment_config
        if config.zonal_config is not None or n == 0:
            return
        minimum = config.minimum_healthy_hosts.minimum(n)
        ids = set(main.instance_id)
        healthy = {i.id: bool(i.healthy) and not i.stopped for i in self.deployment.fleet}
        stops = _stop_times(self.deployment, ids)
        window = _Window({i: healthy[i] for i in ids}, stops)
        floor = min(minimum, window.level)
        for when, kind, instance, succeeded in _moves(main, stops):
            if window.move(when, kind, instance, succeeded):  # CodeDeploy took it down
                assert window.level >= floor, (
                    f"CodeDeploy took {instance} out of service at minute {when / 60:g}: the "
                    f"healthy count fell to {window.level}, below the minimum of {minimum} "
                    f"{self._where()}"
                )
        assert window.peak <= max(n - minimum, 1), (
            f"{window.peak} instances were in flight at once; at most {n - minimum} may be "
            f"{self._where()}"
        )

    def teardown(self) -> None:
        """Every instance of every deployment ends in a final status."""
        if not hasattr(self, "run") or self._broken:
            return
        self.minute = max(self.minute, self.run.duration / 60.0)
        self.check_codedeploy_invariants()
        statuses = set(self.run.instances["status"]) | set(self.run.lifecycle["status"])
        pending = statuses & set(PENDING_INSTANCE_STATUSES)
        assert not pending, f"instances left {sorted(pending)}:\n  {explain(self.run)}"
        assert self.run.status in TERMINAL


# At one instant CodeDeploy first sees instances finish, then instances that stop (a stop at
# the instant an instance finishes comes after the finish), then starts the next ones; an
# instance that finishes as it starts (no time at all) finishes after the starts.
_FINISH, _STOP, _START, _INSTANT_FINISH = range(4)


def _stop_times(deployment: ServerDeployment, ids: set[str]) -> dict[str, float]:
    """When each instance of ``ids`` that an :class:`InstanceStop` stops does (seconds)."""
    stops: dict[str, float] = {}
    for fault in deployment.faults:
        if isinstance(fault, InstanceStop) and fault.instance in ids:
            at = 60.0 * fault.at_minute
            stops[fault.instance] = min(stops.get(fault.instance, math.inf), at)
    return stops


def _moves(main: Any, stops: dict[str, float]) -> list[tuple[float, int, str, bool]]:
    """``(seconds, kind, instance, succeeded)`` of every start, finish and later stop, in
    the order CodeDeploy sees them."""
    moves = [(at, _STOP, i, False) for i, at in stops.items() if at > 0.0]
    for row in main.itertuples(index=False):
        if row.start == row.start:  # started
            moves.append((row.start, _START, row.instance_id, False))
            finish = _FINISH if row.end > row.start else _INSTANT_FINISH
            moves.append((row.end, finish, row.instance_id, row.status == InstanceStatus.SUCCEEDED))
    return sorted(moves)


class _Window:
    """The healthy count and the instances in flight as the moves come.

    A stopped instance counts as failed (UG:instances-health.md): one that stops while idle
    and healthy lowers the count then, not when CodeDeploy reaches it; one that stops in flight
    is already out of the count. Instances that stop at second 0 are unhealthy from the start.
    """

    def __init__(self, healthy: dict[str, bool], stops: dict[str, float]) -> None:
        self.healthy = {i: h and stops.get(i, math.inf) > 0.0 for i, h in healthy.items()}
        self.stops = stops
        self.level = sum(self.healthy.values())
        self.flying: set[str] = set()
        self.peak = 0

    def move(self, when: float, kind: int, instance: str, succeeded: bool) -> bool:
        """Apply one move; True when it is CodeDeploy taking a healthy instance down."""
        if kind == _START:
            self.flying.add(instance)
            self.peak = max(self.peak, len(self.flying))
            if self.healthy[instance]:
                self.healthy[instance] = False
                self.level -= 1
                return True
        elif kind == _STOP:
            if self.healthy[instance] and instance not in self.flying:
                self.healthy[instance] = False
                self.level -= 1
        else:
            self.flying.discard(instance)
            if succeeded and self.stops.get(instance, math.inf) >= when:
                self.healthy[instance] = True
                self.level += 1
        return False
