"""Drive an EC2/on-premises deployment step by step: :class:`ServerStepper`, by replay.

``shiftsim.start(server_deployment, rng=...)`` returns one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from shiftsim._checks import check_choice, check_number, invalid
from shiftsim._server_model.auto_scaling import ScaleIn, ScaleOut
from shiftsim._server_model.deployment import ServerDeployment
from shiftsim.alarms import ALARM_STATES
from shiftsim.rollback import ManualStop
from shiftsim.server.run import ServerRun
from shiftsim.server.simulate import replay_with_actions
from shiftsim.vocabulary import DeploymentStatus, InstanceStatus

__all__ = ["ServerDeploymentState", "ServerStepper"]

IN_PROGRESS = DeploymentStatus.IN_PROGRESS.value
#: API:DeploymentWaitType (codedeploy.md 10.1).
WAIT_TYPES = ("READY_WAIT", "TERMINATION_WAIT")


@dataclass(frozen=True, slots=True)
class ServerDeploymentState:
    """An EC2/on-premises deployment at one minute (the user's deployment).

    ``instances`` counts instance statuses then: ``Pending`` (not started), ``InProgress``,
    and the final statuses of those that finished.
    """

    minute: float
    status: str
    error_code: str | None
    rolled_back: bool
    instances: dict[str, int]
    alarm_states: dict[str, str]

    @property
    def done(self) -> bool:
        return self.status != IN_PROGRESS


class ServerStepper:
    """An EC2/on-premises deployment driven step by step, by replay.

    The Server engine runs a deployment in one go, so the stepper keeps the actions taken so far
    (alarm state changes, a ``StopDeployment``, Auto Scaling scale-outs) as parts of the
    scenario and simulates it again, with the same seed, when asked what happened. An action at
    minute ``t`` changes nothing before ``t``, so every replay agrees with the last on the past.
    With no action, :attr:`run` is ``simulate(deployment, rng=...)``.

    Examples
    --------
    >>> import numpy as np
    >>> from shiftsim.fleet import Fleet
    >>> from shiftsim.server import Script
    >>> slow = {"BeforeInstall": [Script("install.sh", duration=60)]}
    >>> deployment = ServerDeployment("OneAtATime", fleet=Fleet.of_size(4), hooks=slow)
    >>> sim = ServerStepper(deployment, np.random.SeedSequence(1))
    >>> sim.advance(1.5).instances
    {'Succeeded': 1, 'InProgress': 1, 'Pending': 2}
    >>> sim.stop(rollback=False).status, sim.run.error_code
    ('Stopped', 'MANUAL_STOP')
    """

    __slots__ = (
        "_alarm_events",
        "_blue_green",
        "_minute",
        "_run",
        "_scale_ins",
        "_scale_outs",
        "_seq",
        "_stop",
        "deployment",
    )

    def __init__(self, deployment: ServerDeployment, seq: np.random.SeedSequence) -> None:
        self.deployment = deployment
        self._seq = seq
        self._minute = 0.0
        self._alarm_events = list(deployment.alarm_events)
        self._scale_outs = list(deployment.scale_outs)
        self._scale_ins = list(deployment.scale_ins)
        self._stop = deployment.manual_stop
        self._blue_green = deployment.blue_green
        self._run: ServerRun | None = None

    @property
    def minute(self) -> float:
        return self._minute

    def scenario(self) -> ServerDeployment:
        """The deployment with every action taken so far."""
        return replace(
            self.deployment,
            alarm_events=tuple(self._alarm_events),
            scale_outs=tuple(self._scale_outs),
            scale_ins=tuple(self._scale_ins),
            manual_stop=self._stop,
            blue_green=self._blue_green,
        )

    def _replayed(self) -> ServerRun:
        if self._run is None:
            self._run = replay_with_actions(self.deployment, self.scenario(), self._seq)
        return self._run

    @property
    def done(self) -> bool:
        return self._replayed().duration / 60.0 <= self._minute + 1e-9

    @property
    def state(self) -> ServerDeploymentState:
        run, minute = self._replayed(), self._minute
        finished = run.duration / 60.0 <= minute + 1e-9
        frame = run.instances
        mine = frame[frame["deployment_id"] == run.deployment_id]
        start, end = mine["start_minute"].to_numpy(), mine["end_minute"].to_numpy()
        counts: dict[str, int] = {}
        for status, s0, s1 in zip(mine["status"].tolist(), start.tolist(), end.tolist()):
            if s0 != s0 or s0 > minute:  # never started, or not yet
                key = status if finished else InstanceStatus.PENDING.value
            elif s1 == s1 and s1 <= minute:
                key = status
            else:
                key = InstanceStatus.IN_PROGRESS.value
            counts[key] = counts.get(key, 0) + 1
        states = {a.name: a.initial_state for a in self.deployment.alarms}
        for at, name, state in sorted(self._alarm_events, key=lambda e: e[0]):
            if at <= minute:
                states[name] = state
        return ServerDeploymentState(
            minute=minute,
            status=run.status if finished else IN_PROGRESS,
            error_code=run.error_code if finished else None,
            rolled_back=bool(run.rolled_back) if finished else False,
            instances=counts,
            alarm_states=states,
        )

    def advance(self, minutes: float) -> ServerDeploymentState:
        """Let ``minutes`` of simulated time pass."""
        check_number("ServerStepper.advance", "minutes", minutes, 0.0)
        self._minute += float(minutes)
        return self.state

    def _act(self) -> ServerDeploymentState:
        self._run = None
        return self.state

    def stop(self, rollback: bool | None = None) -> ServerDeploymentState:
        """``StopDeployment`` now; ``rollback=None`` follows the group's
        ``DEPLOYMENT_STOP_ON_REQUEST``."""
        if self.done:
            return self.state
        self._stop = ManualStop(self._minute, rollback)
        return self._act()

    def set_alarm(self, name: str, state: str) -> ServerDeploymentState:
        """An alarm changes state now (Server deployments have no simulated metrics)."""
        names = [a.name for a in self.deployment.alarms]
        if name not in names:
            raise invalid(
                "ServerStepper.set_alarm",
                "name",
                name,
                f"must be one of the deployment's alarms {names}",
            )
        check_choice("ServerStepper.set_alarm", "state", state, ALARM_STATES)
        self._alarm_events.append((self._minute, name, state))
        return self._act()

    def scale_out(self, auto_scaling_group: str, count: int = 1) -> ServerDeploymentState:
        """Auto Scaling launches ``count`` instances into ``auto_scaling_group`` now."""
        self._scale_outs.append(ScaleOut(self._minute, auto_scaling_group, count))
        return self._act()

    def scale_in(
        self, auto_scaling_group: str, count: int = 1, instance_ids: list[str] | None = None
    ) -> ServerDeploymentState:
        """Auto Scaling terminates ``count`` instances of ``auto_scaling_group`` now (see
        :class:`~shiftsim.server.ScaleIn`)."""
        self._scale_ins.append(ScaleIn(self._minute, auto_scaling_group, count, instance_ids))
        return self._act()

    def continue_deployment(self, wait_type: str = "READY_WAIT") -> ServerDeploymentState:
        """``ContinueDeployment`` now (API:ContinueDeployment), for a blue/green deployment:
        ``READY_WAIT`` reroutes traffic to the ready replacements (with
        ``action_on_timeout="STOP_DEPLOYMENT"``); ``TERMINATION_WAIT`` (the older
        ``SkipWaitTimeForInstanceTermination``) terminates the originals now instead of at the
        end of the termination wait. The deployment must be in that wait now, as CodeDeploy
        requires (DeploymentIsNotInReadyStateException)."""
        owner = "ServerStepper.continue_deployment"
        check_choice(owner, "wait_type", wait_type, WAIT_TYPES)
        bg, run = self._blue_green, self._replayed()
        events = run.events
        marker = DeploymentStatus.READY.value if wait_type == "READY_WAIT" else "TerminationWait"
        rows = events[(events["deployment_id"] == run.deployment_id) & (events["event"] == marker)]
        began = float(rows["minute"].iloc[0]) if len(rows) else None
        waiting = (
            bg is not None
            and began is not None
            and began <= self._minute < run.duration / 60.0
            and (wait_type != "READY_WAIT" or bg.action_on_timeout == "STOP_DEPLOYMENT")
        )
        if not waiting or bg is None or began is None:
            raise invalid(
                owner,
                "wait_type",
                wait_type,
                f"needs a blue/green deployment in its {wait_type} at minute {self._minute:g} "
                "(DeploymentIsNotInReadyStateException)",
            )
        after = self._minute - began
        if wait_type == "READY_WAIT":
            self._blue_green = replace(bg, continue_after_minutes=after)
        else:
            self._blue_green = replace(bg, skip_termination_wait_after_minutes=after)
        return self._act()

    def finish(self) -> ServerRun:
        """Run to the end and return the run."""
        self._minute = max(self._minute, self._replayed().duration / 60.0)
        return self._replayed()

    @property
    def run(self) -> ServerRun:
        """The finished :class:`~shiftsim.server.ServerRun`."""
        if not self.done:
            raise RuntimeError(
                f"ServerStepper.run: the deployment is still InProgress at minute "
                f"{self._minute:g}; advance() it further or call finish() first."
            )
        return self._replayed()

    def __repr__(self) -> str:
        state = self.state
        return f"<ServerStepper minute {state.minute:g}: {state.status}, {state.instances}>"
