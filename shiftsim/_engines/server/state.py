"""The state of a Server run between its passes, and the steps every pass takes.

:class:`RunState` holds the group's state (each instance's health and the revision of its last
successful install, the instances scaled in) and the CodeDeploy deployments of the run so far
(:class:`DeploymentRecord`). Its methods are what every pass does: compile it from the
:class:`~.plan.ServerPlan` (:func:`~.plan.compile_pass`), draw it (:mod:`.draws`), time each
instance's lifecycle (:mod:`.timeline`), walk it on a window engine (:mod:`.core` or
:mod:`.kernel`) and update the group's state from the result. The passes themselves are in
:mod:`.in_place`, :mod:`.blue_green` and :mod:`.terminations`; :class:`~.runner.Runner` runs
them in time order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shiftsim._engines.server.codes import (
    H_CURRENT,
    H_OLD,
    H_UNKNOWN,
    REV_NONE,
    REV_PREVIOUS,
    S_SUCCEEDED,
)
from shiftsim._engines.server.draws import PassDraws, draw_pass, pass_order
from shiftsim._engines.server.plan import PassPlan, ServerPlan, compile_pass
from shiftsim._engines.server.record import PassEvent, PassRecord, WindowEngine, installed
from shiftsim._engines.server.rules import minimum_is_invalid
from shiftsim._engines.server.timeline import Timeline, pass_timeline
from shiftsim._seeding import deployment_id, entropy_of
from shiftsim._server_model.lifecycle import event_list
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["DeploymentRecord", "RunState"]


@dataclass(slots=True, eq=False)
class DeploymentRecord:
    """One CodeDeploy deployment of the run (the user's, a rollback, a follow-up, a launch)."""

    id: str
    creator: str
    style: str
    start: float
    instances: np.ndarray
    roles: dict[int, str] = field(default_factory=dict)
    end: float = math.nan
    status: str = DeploymentStatus.IN_PROGRESS.value
    error_code: str | None = None
    error_message: str = ""
    passes: list[PassRecord] = field(default_factory=list)
    events: list[PassEvent] = field(default_factory=list)
    rollback_id: str | None = None
    rollback_of: str | None = None
    rollback_message: str = ""
    auto_update_root: str | None = None
    auto_update_ids: list[str] = field(default_factory=list)
    minimum: int | None = None
    cap: int | None = None
    ready_time: float | None = None
    terminated: list[int] = field(default_factory=list)

    def finish(self, time: float, status: str, code: str | None = None, message: str = "") -> None:
        """End the deployment at ``time``."""
        self.end, self.status, self.error_code, self.error_message = time, status, code, message
        detail = f"{code}: {message}" if code else ""
        self.events.append((time, "DeploymentEnd", status, detail))

    def finish_with(self, rec: PassRecord) -> None:
        """End the deployment as its last pass ended."""
        self.finish(rec.end, rec.outcome, rec.error_code, rec.message)


class RunState:
    """The group's state between the passes of a run (each instance's health and the revision
    of its last successful install), the run's deployments, and the steps of a pass; ``walk``
    is the window engine."""

    def __init__(
        self,
        plan: ServerPlan,
        seq: np.random.SeedSequence,
        walk: WindowEngine,
        scenario: str = "",
    ) -> None:
        self.plan = plan
        self.seq = seq
        self.walk = walk
        self.health = plan.healthy.copy()
        self.revision = plan.revision.copy()
        self.group_revision = REV_PREVIOUS if plan.has_previous else REV_NONE
        self.last_install = plan.last_install.copy()
        self.gone_at: dict[int, float] = {}  # instance -> when a scale-in took it out
        self.deployments: list[DeploymentRecord] = []
        # Deployment IDs: unique per seed and, given its digest, per scenario.
        self.key: tuple[object, ...] = (entropy_of(seq), tuple(seq.spawn_key))
        if scenario:
            self.key = (*self.key, scenario)

    def new(
        self,
        creator: str,
        start: float,
        instances: np.ndarray,
        *parts: object,
        style: str = "IN_PLACE",
    ) -> DeploymentRecord:
        """A new deployment of the run, with its id derived from the seed and ``parts``."""
        d = DeploymentRecord(
            deployment_id(*self.key, creator, *parts), creator, style, start, instances
        )
        d.events.append(
            (start, "DeploymentStart", DeploymentStatus.IN_PROGRESS.value, f"creator {creator}")
        )
        self.deployments.append(d)
        return d

    def make_pass(
        self,
        *,
        role: int,
        phase: int,
        kind: str,
        idx: np.ndarray,
        events: Sequence[str],
        deployed: int,
        t0: float,
        minimum: int,
        cap: int,
        base: int = 0,
        zonal: bool = False,
        healthy: np.ndarray | None = None,
        terminating: bool = False,
    ) -> PassPlan:
        """Compile one pass over instances ``idx`` (their health from the group's state
        unless ``healthy`` is given)."""
        return compile_pass(
            self.plan,
            role=role,
            phase=phase,
            kind=kind,
            instances=idx,
            events=events,
            deployed=deployed,
            source=self.last_install[idx],
            healthy=self.health[idx] if healthy is None else healthy,
            revision=self.revision[idx],
            t0=t0,
            minimum=minimum,
            cap=cap,
            base_healthy=base,
            zonal=zonal,
            terminating=terminating,
        )

    def in_place_pass(
        self, role: int, idx: np.ndarray, deployed: int, t0: float, minimum: int
    ) -> PassPlan:
        """An in-place pass of the whole lifecycle over instances ``idx`` under their own
        window, zonal when the configuration is (the user's deployment, a rollback)."""
        plan = self.plan
        return self.make_pass(
            role=role,
            phase=0,
            kind="in-place",
            idx=idx,
            events=event_list(plan.load_balancer),
            deployed=deployed,
            t0=t0,
            minimum=minimum,
            cap=int(idx.shape[0]) - minimum,
            zonal=plan.zonal is not None,
        )

    def all_at_once_pass(
        self,
        role: int,
        phase: int,
        kind: str,
        idx: np.ndarray,
        events: Sequence[str],
        deployed: int,
        t0: float,
    ) -> PassPlan:
        """A pass that deploys to every instance at once, none counting as healthy (traffic
        passes of blue/green deployments and their rollbacks)."""
        b = int(idx.shape[0])
        return self.make_pass(
            role=role,
            phase=phase,
            kind=kind,
            idx=idx,
            events=events,
            deployed=deployed,
            t0=t0,
            minimum=b,
            cap=b,
            healthy=np.zeros(b, dtype=bool),
        )

    def inputs(self, pp: PassPlan) -> tuple[PassDraws, Timeline, np.ndarray]:
        """The draws, lifecycle timeline and start order of a pass."""
        draws = draw_pass(pp, self.seq)
        return draws, pass_timeline(pp, draws), pass_order(pp, draws)

    def execute(
        self,
        pp: PassPlan,
        t0: float,
        deployed: int,
        deadline: float = math.inf,
        code: str | None = None,
        message: str = "",
    ) -> PassRecord:
        """Draw and walk a pass, then update the group's state from it."""
        draws, timeline, order = self.inputs(pp)
        rec = self.walk(pp, draws, timeline, order, t0, deadline, code, message)
        self._apply(rec, deployed)
        return rec

    def run_pass(
        self,
        d: DeploymentRecord,
        pp: PassPlan,
        t0: float,
        deployed: int,
        interrupted: bool = False,
    ) -> PassRecord:
        """Execute a pass of ``d`` (stopped by the user's interrupt when ``interrupted``) and
        end ``d`` with it."""
        rec = self.execute(pp, t0, deployed, *self.deadline_args(d.start, interrupted))
        d.passes.append(rec)
        d.events += rec.events
        d.finish_with(rec)
        return rec

    def _apply(self, rec: PassRecord, deployed: int) -> None:
        """Health after a pass (attempted instances from their own result) and the revision
        of the last successful install (recorded at the end of Install, Agent)."""
        started = ~np.isnan(rec.start)
        idx = rec.plan.instances
        # Deregistered instances (block passes) serve no traffic: their health is not at stake.
        if rec.plan.kind in ("in-place", "launch", "install"):
            self.health[idx[started]] = rec.final[started] == S_SUCCEEDED
        if rec.plan.kind in ("in-place", "launch"):
            self._revision_health(rec, deployed)
        if "Install" in rec.plan.events:
            got = idx[installed(rec)]
            self.last_install[got] = deployed
            # Files of a revision are on the instance, though its deployment failed there.
            self.revision[got[self.revision[got] == H_UNKNOWN]] = H_OLD

    def _revision_health(self, rec: PassRecord, deployed: int) -> None:
        """Revision health after an in-place pass (D13; UG:instances-health.md): a success makes
        the deployed revision the group's (other holders Old); an instance deployed to
        successfully is Current if its revision is the group's, else Old."""
        if rec.outcome == DeploymentStatus.SUCCEEDED.value and deployed != self.group_revision:
            self.revision[self.revision != H_UNKNOWN] = H_OLD
            self.group_revision = deployed
        got = rec.plan.instances[rec.final == S_SUCCEEDED]
        self.revision[got] = H_CURRENT if deployed == self.group_revision else H_OLD

    def fail_at_start(self, d: DeploymentRecord, code: str, message: str) -> None:
        d.finish(d.start, DeploymentStatus.FAILED.value, code, message)

    def interrupt_args(self) -> tuple[float, str | None, str]:
        """The user's deployment's deadline: (second, error code, message)."""
        return self.deadline_args(0.0, True)

    def deadline_args(self, start: float, interrupted: bool) -> tuple[float, str | None, str]:
        """The deadline of a deployment that started at ``start``: the user's interrupt (an
        alarm, a stop) when ``interrupted`` and it comes first, else the run-time limit (D15),
        at which a deployment still running fails with TIMEOUT."""
        p = self.plan
        limit = start + p.run_time_limit
        if interrupted and p.interrupt_time <= limit:
            return p.interrupt_time, p.interrupt_code, p.interrupt_message
        hours = p.run_time_limit / 3600.0
        message = f"The deployment timed out: it was still running at its {hours:g}-hour "
        return limit, ErrorCode.TIMEOUT.value, message + "run-time limit (UG:limits.md, D15)."

    def check_minimum(self, d: DeploymentRecord, n: int) -> int | None:
        """The minimum for ``n`` instances, or None after failing ``d`` because it is invalid."""
        rule = self.plan.minimum_rule
        m = int(rule.minimum(n))
        d.minimum, d.cap = m, n - m
        if minimum_is_invalid(n, m):
            self.fail_at_start(
                d,
                ErrorCode.HEALTH_CONSTRAINTS_INVALID.value,
                (
                    f"The deployment cannot start because the minimum number of healthy instances "
                    f"({m}, from {rule.type} {rule.value}) is not below the {n} instances of the "
                    "deployment."
                ),
            )
            return None
        return m

    def zonal_invalid(self, d: DeploymentRecord, pp: PassPlan) -> bool:
        """Whether a per-zone minimum is at or above its zone's size (then ``d`` fails)."""
        if pp.zonal is None:
            return False
        sizes = np.bincount(pp.zone, minlength=len(pp.zone_names))
        for name, size, m in zip(pp.zone_names, sizes.tolist(), pp.zonal.minimum):
            if m >= size:
                self.fail_at_start(
                    d,
                    ErrorCode.HEALTH_CONSTRAINTS_INVALID.value,
                    (
                        f"The minimum number of healthy instances per zone ({m}) is not below the "
                        f"{size} instances in {name}."
                    ),
                )
                return True
        return False

    def group_at(self, t: float) -> np.ndarray:
        """The deployment group's instances at ``t``: the targets, then the launched instances
        still alive, less those scaled in."""
        alive = self.plan.targets.tolist() + self._alive_launched(t)
        members = [k for k in dict.fromkeys(alive) if self.gone_at.get(k, math.inf) > t]
        return np.asarray(members, dtype=np.int64)

    def _alive_launched(self, before: float) -> list[int]:
        dead = {g for d in self.deployments for g in d.terminated}
        return [
            int(k)
            for t, _, idx in self.plan.launches
            if t < before
            for k in idx.tolist()
            if int(k) not in dead
        ]

    def rollback_triggered(self, d0: DeploymentRecord) -> bool:
        plan = self.plan
        if d0.status == DeploymentStatus.FAILED.value:
            return plan.rollback_on_failure
        if d0.status == DeploymentStatus.STOPPED.value and d0.error_code in (
            ErrorCode.ALARM_ACTIVE.value,
            ErrorCode.MANUAL_STOP.value,
        ):
            return plan.interrupt_rolls_back
        return False
