"""Drive a deployment step by step: advance the clock, fire alarms, stop it, look at it.

:func:`start` begins a Lambda or ECS deployment on the event core and returns a :class:`Stepper`.
Nothing happens until you advance it; in between you can do what an operator or a controller
would do through the API (``StopDeployment``, CloudWatch's ``SetAlarmState``) and read the
deployment's :class:`DeploymentState`. A stepper advanced to the end gives exactly the run
:func:`shiftsim.simulate` gives for the same deployment and seed: same draws, same deployment
IDs, same events.

Times are in **minutes** since the deployment started, like CodeDeploy's intervals.

Notes
-----
* Traffic is drawn per segment of the deployment's plan (spans between whole minutes, shifts,
  phase changes and alarm polls, see :mod:`shiftsim._engines.traffic.plan`). A stop between two
  segment edges ends the deployment at that instant, but the traffic of the unfinished segment is
  not counted in the run's totals. Advance in whole minutes to stop on an edge.
* :meth:`Stepper.set_alarm` is ``SetAlarmState``: CloudWatch recomputes the alarm from its
  metric at its next evaluation (every whole minute), so a forced ``ALARM`` stops the deployment
  only if CodeDeploy polls before CloudWatch resets it. With the default 60 s poll interval, an
  alarm set on a whole minute is seen at once.
* EC2/on-premises deployments cannot be stepped yet: :func:`start` raises
  :class:`~shiftsim.errors.UnsupportedScenarioError` for them.

Examples
--------
>>> import shiftsim
>>> from shiftsim.stepping import start
>>> deployment = shiftsim.LambdaDeployment(
...     "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
...     alarms=[shiftsim.Alarm("errors", metric="Errors", threshold=0)],
... )
>>> sim = start(deployment, rng=1)
>>> sim.advance(3).weights
{'1': 60, '2': 40}
>>> sim.set_alarm("errors", "ALARM").status
'InProgress'
>>> state = sim.advance(1)
>>> state.status, state.error_code, state.rolled_back, state.weights
('Stopped', 'ALARM_ACTIVE', True, {'1': 100, '2': 0})
>>> sim.run.status
'Stopped'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._checks import check_choice, check_number, invalid
from shiftsim._registry import platform_for
from shiftsim._seeding import RngLike, seed_sequence
from shiftsim._traffic_run import setup_traffic_run
from shiftsim.alarms import ALARM_STATES
from shiftsim.ecs import EcsDeployment, EcsRun
from shiftsim.lambda_ import LambdaDeployment
from shiftsim.results import TrafficRun, event_frame
from shiftsim.server import ServerStepper
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["DeploymentState", "Stepper", "start"]


@dataclass(frozen=True, slots=True)
class DeploymentState:
    """A snapshot of a deployment being stepped, as ``GetDeployment`` would show it.

    Attributes
    ----------
    minute : float
        Minutes since the deployment started (the stepper's clock).
    status : {"InProgress", "Succeeded", "Failed", "Stopped"}
    phase : str or None
        The lifecycle event in progress (``"BeforeAllowTraffic"``, ``"AllowTraffic"``...), or
        None between events and once the deployment has ended.
    target_weight : int
        Percent of traffic on the target version (the replacement task set for ECS).
    weights : dict of str to int
        Percent of traffic per version name, current version first; they add up to 100.
    alarm_states : dict of str to str
        Each alarm's state: ``"OK"``, ``"ALARM"`` or ``"INSUFFICIENT_DATA"``.
    error_code : str or None
        CodeDeploy's ``ErrorCode`` once the deployment failed or stopped (``ALARM_ACTIVE``,
        ``HOOK_EXECUTION_FAILURE``, ``MANUAL_STOP``).
    rolled_back : bool
        Whether a rollback returned traffic to the original version.

    Examples
    --------
    >>> import shiftsim
    >>> from shiftsim.stepping import start
    >>> start(shiftsim.LambdaDeployment("AllAtOnce"), rng=0).state
    DeploymentState(minute 0: InProgress, phase None, {'1': 100, '2': 0})
    """

    minute: float
    status: str
    phase: str | None
    target_weight: int
    weights: dict[str, int]
    alarm_states: dict[str, str]
    error_code: str | None
    rolled_back: bool

    @property
    def done(self) -> bool:
        """Whether the deployment has reached a terminal status."""
        return self.status != DeploymentStatus.IN_PROGRESS

    def __repr__(self) -> str:
        code = f" ({self.error_code})" if self.error_code else ""
        back = ", rolled back" if self.rolled_back else ""
        alarms = f", alarms {self.alarm_states}" if self.alarm_states else ""
        return (
            f"DeploymentState(minute {self.minute:g}: {self.status}{code}{back}, "
            f"phase {self.phase}, {self.weights}{alarms})"
        )


class Stepper:
    """A Lambda or ECS deployment on the event core, advanced by hand. Build one with
    :func:`start`.

    Every method that acts returns the new :class:`DeploymentState`, so calls chain.

    Attributes
    ----------
    deployment : LambdaDeployment or EcsDeployment
        What is being deployed.
    deployment_id : str
        The deployment's ``d-`` ID, the same :func:`shiftsim.simulate` gives for this seed.
    seed_entropy : int or tuple
        Entropy of the seed the run was drawn from (replay it with ``rng=seed_entropy``).

    Examples
    --------
    >>> import shiftsim
    >>> sim = start(shiftsim.LambdaDeployment("Linear10PercentEvery1Minute"), rng=0)
    >>> [sim.advance(1).target_weight for _ in range(3)]
    [20, 30, 40]
    >>> sim.stop().rolled_back, sim.run.error_code
    (True, 'MANUAL_STOP')
    """

    __slots__ = (
        "_advanced_to",
        "_alarms_set",
        "_run",
        "_seq",
        "_setup",
        "_sim",
        "deployment",
        "draws",
        "plan",
        "seed_entropy",
    )

    def __init__(
        self, deployment: LambdaDeployment | EcsDeployment, seq: np.random.SeedSequence
    ) -> None:
        # The same plan, draws and IDs as simulate() (run 0 of 1).
        self._seq = seq
        # What continue_deployment replays: the last advance() target (None before any) and
        # the alarm states set by hand, each with the target reached when it was set.
        self._advanced_to: float | None = None
        self._alarms_set: list[tuple[float | None, str, str]] = []
        self._setup = setup_traffic_run(deployment, seq)
        self._sim = self._setup.simulation()
        self._run: TrafficRun | EcsRun | None = None
        self.deployment, self.plan, self.draws = deployment, self._setup.plan, self._setup.draws
        self.seed_entropy = self._setup.seed_entropy

    # ------------------------------------------------------------------ reading
    @property
    def deployment_id(self) -> str:
        return self._setup.deployment_id

    @property
    def minute(self) -> float:
        """The clock, in minutes since the deployment started."""
        return self._sim.now / 60.0

    @property
    def done(self) -> bool:
        """Whether the deployment has reached a terminal status."""
        return self._sim.done

    @property
    def state(self) -> DeploymentState:
        """The deployment now (a new snapshot at each call)."""
        sim = self._sim
        weight = sim.weight
        return DeploymentState(
            minute=sim.now / 60.0,
            status=sim.status,
            phase=sim.phase,
            target_weight=weight,
            weights={self.plan.current.name: 100 - weight, self.plan.target.name: weight},
            alarm_states=sim.alarm_states,
            error_code=sim.error_code,
            rolled_back=sim.rolled_back,
        )

    @property
    def events(self) -> pd.DataFrame:
        """The event log so far, with the columns of :attr:`TrafficRun.events`.

        The log only grows: rows already there never change.
        """
        setup = self._setup
        return event_frame(self._sim.events, setup.deployment_id, setup.rollback_id)

    @property
    def run(self) -> TrafficRun | EcsRun:
        """The finished run (an :class:`~shiftsim.ecs.EcsRun` for ECS), equal to what
        :func:`shiftsim.simulate` returns for the same deployment and seed when nothing was done
        by hand.

        Raises
        ------
        RuntimeError
            While the deployment is still in progress; call :meth:`finish` to run it to the end.
        """
        if self._run is None:
            if not self.done:
                raise RuntimeError(
                    f"Stepper.run: deployment {self.deployment_id} is still InProgress at minute "
                    f"{self.minute:g}; advance() it further or call finish() first."
                )
            run = self._setup.result(self._sim.trace())
            deployment = self.deployment
            if isinstance(deployment, EcsDeployment):
                self._run = EcsRun.from_traffic_run(deployment, run)
            else:
                self._run = run
        return self._run

    # ------------------------------------------------------------------ acting
    def advance(self, minutes: float) -> DeploymentState:
        """Let ``minutes`` of simulated time pass (nothing happens once the deployment ended).

        Examples
        --------
        >>> import shiftsim
        >>> sim = start(shiftsim.LambdaDeployment("Canary10Percent5Minutes"), rng=0)
        >>> sim.advance(0).target_weight, sim.advance(5).target_weight, sim.state.status
        (10, 100, 'Succeeded')
        """
        check_number("Stepper.advance", "minutes", minutes, 0.0)
        self._advanced_to = self._sim.now + 60.0 * float(minutes)
        self._sim.advance(self._advanced_to)
        return self.state

    def finish(self) -> TrafficRun | EcsRun:
        """Run the deployment to its end and return :attr:`run`.

        Examples
        --------
        >>> import shiftsim
        >>> d = shiftsim.LambdaDeployment("Canary10Percent5Minutes")
        >>> start(d, rng=3).finish().trace == shiftsim.simulate(d, rng=3).trace
        True
        """
        self._sim.advance()
        return self.run

    def stop(self, rollback: bool | None = True) -> DeploymentState:
        """``StopDeployment`` now: the deployment ends ``Stopped`` with ``MANUAL_STOP``.

        Parameters
        ----------
        rollback : bool or None
            ``autoRollbackEnabled``: True returns traffic to the original version, False keeps
            the split it has (decision D5), None follows the deployment group's
            :class:`~shiftsim.rollback.AutoRollback` (``DEPLOYMENT_STOP_ON_REQUEST``).

        Examples
        --------
        >>> import shiftsim
        >>> sim = start(shiftsim.LambdaDeployment("Linear10PercentEvery1Minute"), rng=0)
        >>> sim.advance(2).target_weight
        30
        >>> sim.stop(rollback=False).weights, sim.state.error_code
        ({'1': 70, '2': 30}, 'MANUAL_STOP')
        """
        if rollback is None:
            rollback = self.deployment.auto_rollback.rolls_back("DEPLOYMENT_STOP_ON_REQUEST")
        elif not isinstance(rollback, bool):
            raise invalid("Stepper.stop", "rollback", rollback, "must be True, False or None")
        self._sim.stop(rollback)
        return self.state

    def set_alarm(self, name: str, state: str) -> DeploymentState:
        """CloudWatch's ``SetAlarmState`` now: put alarm ``name`` in ``state``.

        CodeDeploy sees an ALARM at its next poll of alarm state; CloudWatch recomputes the
        alarm from its metric at the next whole minute.

        Parameters
        ----------
        name : str
            One of the deployment's alarms.
        state : {"ALARM", "OK", "INSUFFICIENT_DATA"}

        Raises
        ------
        ConfigError
            For an alarm the deployment does not have, or an unknown state.

        Examples
        --------
        >>> import shiftsim
        >>> d = shiftsim.LambdaDeployment("Canary10Percent5Minutes",
        ...                               alarms=[shiftsim.Alarm("errors")])
        >>> sim = start(d, rng=0)
        >>> sim.set_alarm("errors", "ALARM").alarm_states
        {'errors': 'ALARM'}
        >>> sim.advance(0).error_code
        'ALARM_ACTIVE'
        """
        check_choice("Stepper.set_alarm", "name", name, [a.name for a in self.plan.alarms])
        check_choice("Stepper.set_alarm", "state", state, ALARM_STATES)
        self._alarms_set.append((self._advanced_to, name, state))
        self._sim.set_alarm(name, state)
        return self.state

    def continue_deployment(self, wait_type: str = "READY_WAIT") -> DeploymentState:
        """``ContinueDeployment`` now (API:ContinueDeployment), for an ECS deployment waiting:
        ``READY_WAIT`` ends its ready wait and reroutes production traffic;
        ``TERMINATION_WAIT`` (the older ``SkipWaitTimeForInstanceTermination``), once it
        succeeded, removes the original task set now instead of after the termination wait.

        The deployment must be in that wait (DeploymentIsNotInReadyStateException otherwise).
        It is re-planned with the call as :attr:`~shiftsim.EcsDeployment.continue_after_minutes`
        (or ``skip_termination_wait_after_minutes``) and replayed to now with the same draws and
        alarm states set by hand: per-segment draws make the past identical, so only what comes
        after the call changes. The deployment ID stays.

        Examples
        --------
        >>> import shiftsim
        >>> d = shiftsim.EcsDeployment(
        ...     "CodeDeployDefault.ECSAllAtOnce",
        ...     ready_action="STOP_DEPLOYMENT",
        ...     ready_wait_minutes=60,
        ... )
        >>> sim = start(d, rng=0)
        >>> sim.advance(5).phase
        'ReadyWait'
        >>> sim.continue_deployment().target_weight
        100
        """
        owner = "Stepper.continue_deployment"
        check_choice(owner, "wait_type", wait_type, ("READY_WAIT", "TERMINATION_WAIT"))
        d, sim = self.deployment, self._sim
        ready = wait_type == "READY_WAIT" and sim.phase == "ReadyWait"
        ending = wait_type == "TERMINATION_WAIT" and sim.status == DeploymentStatus.SUCCEEDED
        if (
            not isinstance(d, EcsDeployment)
            or not (ready or ending)
            or (ending and d.termination_action == "KEEP_ALIVE")
        ):
            raise invalid(
                owner,
                "wait_type",
                wait_type,
                f"needs an ECS deployment in its {wait_type} at minute {self.minute:g} "
                "(DeploymentIsNotInReadyStateException)",
            )
        if ending:
            self.deployment = replace(d, skip_termination_wait_after_minutes=0.0)
            self._run = None
            return self.state
        began = next(p.start for p in self.plan.phases if p.name == "ReadyWait")
        self._replan(replace(d, continue_after_minutes=(sim.now - began) / 60.0))
        return self.state

    def _replan(self, deployment: EcsDeployment) -> None:
        """Swap in ``deployment`` (same seed and IDs) and replay it to now."""
        old = self._setup
        setup = replace(
            setup_traffic_run(deployment, self._seq),
            deployment_id=old.deployment_id,
            rollback_id=old.rollback_id,
        )
        sim = setup.simulation()
        for until, name, state in self._alarms_set:
            if until is not None:
                sim.advance(until)
            sim.set_alarm(name, state)
        if self._advanced_to is not None:
            sim.advance(self._advanced_to)
        self._setup, self._sim, self.deployment = setup, sim, deployment
        self.plan, self.draws = setup.plan, setup.draws

    def __repr__(self) -> str:
        return f"<Stepper {self.deployment_id} {self.plan.platform}: {self.state!r}>"


def start(deployment: Any, *, rng: RngLike = None) -> Stepper | ServerStepper:
    """Begin ``deployment`` at minute 0, to be advanced step by step.

    Parameters
    ----------
    deployment : LambdaDeployment, EcsDeployment or ServerDeployment
    rng : None, int, SeedSequence or Generator
        The seed (SPEC 7). ``start(d, rng=s).finish()`` is the run ``simulate(d, rng=s)``
        returns.

    Returns
    -------
    Stepper or ServerStepper

    Raises
    ------
    TypeError
        For anything that is not a deployment.

    Examples
    --------
    >>> import shiftsim
    >>> sim = start(shiftsim.LambdaDeployment("Canary10Percent5Minutes"), rng=42)
    >>> sim.advance(1).weights
    {'1': 90, '2': 10}
    >>> sim.finish().status
    'Succeeded'
    """
    return platform_for(deployment, caller="shiftsim.start").start(
        deployment, rng=seed_sequence(rng)
    )
