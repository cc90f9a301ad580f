"""The passes of a Server scenario in time order: the user's deployment (in-place or
blue/green), the Auto Scaling launch deployments, the ``CodeDeployAutoUpdate`` follow-up and the
rollback.

:class:`Runner` keeps the group's state between passes (each instance's health and the revision
of its last successful install), compiles each pass from the :class:`~.plan.ServerPlan` with
:func:`~.plan.compile_pass`, draws it (:mod:`.draws`), times each instance's lifecycle
(:mod:`.timeline`) and hands it to a window engine (:mod:`.core` or :mod:`.kernel`). Each
CodeDeploy deployment of the run becomes a :class:`DeploymentRecord`.
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
    REV_TARGET,
    S_SUCCEEDED,
)
from shiftsim._engines.server.core import run_window
from shiftsim._engines.server.draws import PassDraws, draw_pass, pass_order
from shiftsim._engines.server.kernel import window_kernel
from shiftsim._engines.server.plan import PassPlan, ServerPlan, compile_pass
from shiftsim._engines.server.record import PassEvent, PassRecord, WindowEngine, installed
from shiftsim._engines.server.rules import deadline_status, minimum_is_invalid
from shiftsim._engines.server.terminations import run_terminations
from shiftsim._engines.server.timeline import Timeline, pass_timeline
from shiftsim._seeding import deployment_id, entropy_of
from shiftsim._server_model.lifecycle import (
    ALLOW_EVENTS,
    BLOCK_EVENTS,
    INSTALL_EVENTS,
    event_list,
)
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["ENGINES", "DeploymentRecord", "PassInputs", "Runner", "in_place_inputs"]

#: The window engines by name.
ENGINES: dict[str, WindowEngine] = {"core": run_window, "kernel": window_kernel}


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


class Runner:
    """Runs the passes of a scenario in time order and keeps the group's state between them:
    each instance's health and the revision of its last successful install."""

    def __init__(
        self,
        plan: ServerPlan,
        seq: np.random.SeedSequence,
        engine: str = "core",
        scenario: str = "",
    ) -> None:
        self.plan = plan
        self.seq = seq
        self.walk = ENGINES[engine]
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

    def run(self) -> Runner:
        """Run the user's deployment and everything it sets off."""
        if self.plan.blue_green is not None:
            self.run_blue_green()
        else:
            self.run_in_place()
        return self

    # ------------------------------------------------------------------ helpers
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

    def _group_at(self, t: float) -> np.ndarray:
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

    def _rollback_triggered(self, d0: DeploymentRecord) -> bool:
        plan = self.plan
        if d0.status == DeploymentStatus.FAILED.value:
            return plan.rollback_on_failure
        if d0.status == DeploymentStatus.STOPPED.value and d0.error_code in (
            ErrorCode.ALARM_ACTIVE.value,
            ErrorCode.MANUAL_STOP.value,
        ):
            return plan.interrupt_rolls_back
        return False

    # ------------------------------------------------------------------ in-place
    def run_in_place(self) -> None:
        """The user's in-place deployment, its launches, then a follow-up or a rollback."""
        plan = self.plan
        targets = plan.targets
        d0 = self.new("user", 0.0, targets, "deployment")
        n = int(targets.shape[0])
        if n == 0:
            self.fail_at_start(d0, ErrorCode.NO_INSTANCES.value, ErrorCode.NO_INSTANCES.message)
        elif plan.max_instances is not None and n > plan.max_instances:
            self.fail_at_start(
                d0,
                ErrorCode.OVER_MAX_INSTANCES.value,
                (
                    f"The deployment targets {n} instances, more than the {plan.max_instances} "
                    "allowed."
                ),
            )
        else:
            m = self.check_minimum(d0, n)
            if m is not None and plan.interrupt_time <= 0.0:
                d0.finish(
                    0.0, DeploymentStatus.STOPPED.value, plan.interrupt_code, plan.interrupt_message
                )
            elif m is not None:
                pp = self.in_place_pass(0, targets, REV_TARGET, 0.0, m)
                if not self.zonal_invalid(d0, pp):
                    self.run_pass(d0, pp, 0.0, REV_TARGET, interrupted=True)
        outdated = self.run_launches(d0)
        run_terminations(self, d0)
        if d0.status == DeploymentStatus.SUCCEEDED.value:
            self.run_follow_up(d0, outdated)
        else:
            self.run_in_place_rollback(d0)

    def run_launches(self, d0: DeploymentRecord) -> list[tuple[int, float]]:
        """Launch deployments of every scale-out; returns the outdated instances (launched
        during ``d0`` with the previous revision) and when each became ready."""
        plan = self.plan
        outdated: list[tuple[int, float]] = []
        for j, (t, group, idx) in enumerate(plan.launches):
            during = t < d0.end or math.isnan(d0.end)
            target_now = d0.status == DeploymentStatus.SUCCEEDED.value and not during
            revision = (
                REV_TARGET if target_now else (REV_PREVIOUS if plan.has_previous else REV_NONE)
            )
            names = ", ".join(plan.ids[k] for k in idx.tolist())
            d0.events.append((t, "ScaleOut", "Launched", f"{group}: {names}"))
            if revision == REV_NONE:
                # No successful revision in the group yet: nothing to deploy on launch.
                outdated += [(int(k), t) for k in idx.tolist()] if during else []
                continue
            rec, bad = self._launch(j, t, idx, revision)
            if during and revision == REV_PREVIOUS:
                ends = rec.start + rec.timeline.rel_end
                outdated += [(int(idx[k]), float(ends[k])) for k in np.flatnonzero(~bad).tolist()]
        return outdated

    def _launch(
        self, j: int, t: float, idx: np.ndarray, revision: int
    ) -> tuple[PassRecord, np.ndarray]:
        """The launch deployment of scale-out ``j``: every instance at once; Auto Scaling
        terminates those that fail (ABANDON). Returns its pass and who failed."""
        plan = self.plan
        n = int(idx.shape[0])
        d = self.new("autoscaling", t, idx, j)
        d.minimum, d.cap = 0, n
        pp = self.make_pass(
            role=3 + j,
            phase=0,
            kind="launch",
            idx=idx,
            events=event_list(plan.load_balancer),
            deployed=revision,
            t0=t,
            minimum=0,
            cap=n,
            healthy=np.zeros(n, dtype=bool),
        )
        rec = self.execute(pp, t, revision, *self.deadline_args(t, False))
        d.passes.append(rec)
        bad = rec.final != S_SUCCEEDED
        for k in np.flatnonzero(bad).tolist():
            g = int(idx[k])
            d.terminated.append(g)
            d.events.append(
                (
                    rec.end,
                    "Terminate",
                    "ABANDON",
                    f"{plan.ids[g]}: the launch deployment failed, so Auto Scaling "
                    "terminates the instance",
                )
            )
        if bad.any():
            d.finish(
                rec.end,
                DeploymentStatus.FAILED.value,
                ErrorCode.HEALTH_CONSTRAINTS.value,
                ErrorCode.HEALTH_CONSTRAINTS.message,
            )
        else:
            d.finish(rec.end, DeploymentStatus.SUCCEEDED.value)
        return rec, bad

    def run_follow_up(self, d0: DeploymentRecord, outdated: list[tuple[int, float]]) -> None:
        """The ``CodeDeployAutoUpdate`` deployment of instances launched with the previous
        revision during ``d0``."""
        plan = self.plan
        if not plan.update_outdated or not outdated:
            return
        t = max([d0.end] + [when for _, when in outdated])
        out_idx = np.asarray([g for g, _ in outdated], dtype=np.int64)
        group = self._group_at(t)
        d = self.new("CodeDeployAutoUpdate", t, out_idx, "follow-up")
        d.auto_update_root = d0.id
        d0.auto_update_ids.append(d.id)
        n_group = int(group.shape[0])
        m = self.check_minimum(d, n_group)
        if m is None:
            return
        others = np.setdiff1d(group, out_idx)
        pp = self.make_pass(
            role=2,
            phase=0,
            kind="in-place",
            idx=out_idx,
            events=event_list(plan.load_balancer),
            deployed=REV_TARGET,
            t0=t,
            minimum=m,
            cap=n_group - m,
            base=int(self.health[others].sum()),
            zonal=plan.zonal is not None,
        )
        if not self.zonal_invalid(d, pp):
            self.run_pass(d, pp, t, REV_TARGET)

    def run_in_place_rollback(self, d0: DeploymentRecord) -> None:
        """Redeploy the last good revision to the whole group (D6), if ``d0`` rolls back."""
        plan = self.plan
        if not self._rollback_triggered(d0):
            return
        attempted = any((~np.isnan(r.start)).any() for r in d0.passes)
        if not attempted:
            d0.rollback_message = "No rollback: no instance was deployed to."
            return
        if not plan.has_previous:
            d0.rollback_message = (
                "No rollback: the deployment group has no earlier successful "
                "revision to roll back to (D6)."
            )
            d0.events.append((d0.end, "Rollback", "NotPossible", d0.rollback_message))
            return
        t = d0.end
        group = self._group_at(t)
        r = self.new("codeDeployRollback", t, group, "rollback")
        r.rollback_of, d0.rollback_id = d0.id, r.id
        d0.events.append((t, "Rollback", "Created", r.id))
        n = int(group.shape[0])
        m = self.check_minimum(r, n)
        if m is not None:
            pp = self.in_place_pass(1, group, REV_PREVIOUS, t, m)
            if not self.zonal_invalid(r, pp):
                self.run_pass(r, pp, t, REV_PREVIOUS)
        d0.rollback_message = f"Rolled back by {r.id} ({r.status})."

    # ------------------------------------------------------------------ blue/green
    def run_blue_green(self) -> None:
        """The user's blue/green deployment: install on the replacements, an optional wait,
        reroute traffic, block it on the originals, then terminate or keep them."""
        plan = self.plan
        blue, green = plan.targets, plan.green
        d0 = self.new("user", 0.0, np.concatenate([green, blue]), "deployment", style="BLUE_GREEN")
        d0.roles = {
            **{int(k): "Green" for k in green.tolist()},
            **{int(k): "Blue" for k in blue.tolist()},
        }
        m = self._blue_green_start(d0)
        if m is None:
            return
        ready = self._install_replacements(d0, m)
        if ready is None:
            return
        t = self._ready_wait(d0)
        if t is None:
            return
        rec = self._reroute(d0, ready, m, t)
        if rec is not None:
            self._block_originals(d0, rec.end)

    def _fail_blue_green(self, d0: DeploymentRecord, rec: PassRecord) -> None:
        d0.finish_with(rec)
        self.run_blue_green_rollback(d0)

    def _blue_green_start(self, d0: DeploymentRecord) -> int | None:
        """The minimum over the replacements, or None after ``d0`` ended at its start."""
        plan = self.plan
        bg = plan.blue_green
        assert bg is not None
        deadline, code, message = self.interrupt_args()
        n = int(plan.green.shape[0])
        if plan.targets.shape[0] == 0 or n == 0:
            self.fail_at_start(d0, ErrorCode.NO_INSTANCES.value, ErrorCode.NO_INSTANCES.message)
            return None
        m = self.check_minimum(d0, n)
        if m is None:
            return None
        if deadline <= 0.0:
            d0.finish(0.0, DeploymentStatus.STOPPED.value, code, message)
            return None
        d0.events.append(
            (
                0.0,
                "ProvisionReplacements",
                DeploymentStatus.SUCCEEDED.value,
                f"{bg.green_fleet_provisioning}: {n} replacement instances",
            )
        )
        return m

    def _install_replacements(self, d0: DeploymentRecord, m: int) -> np.ndarray | None:
        """1. Install the revision on the replacements under the minimum-healthy rules;
        returns the ready replacements, or None after ``d0`` ended."""
        green = self.plan.green
        n = int(green.shape[0])
        pp = self.make_pass(
            role=0,
            phase=0,
            kind="install",
            idx=green,
            events=INSTALL_EVENTS,
            deployed=REV_TARGET,
            t0=0.0,
            minimum=m,
            cap=n - m,
        )
        rec = self.execute(pp, 0.0, REV_TARGET, *self.interrupt_args())
        d0.passes.append(rec)
        if rec.outcome != DeploymentStatus.SUCCEEDED.value:
            self._fail_blue_green(d0, rec)
            return None
        ready = green[rec.final == S_SUCCEEDED]
        d0.ready_time = rec.end
        d0.events.append((rec.end, "Ready", "Ready", f"{ready.shape[0]} replacements ready"))
        return ready

    def _ready_wait(self, d0: DeploymentRecord) -> float | None:
        """2. The optional wait for ContinueDeployment; returns when traffic moves, or None
        after ``d0`` ended."""
        bg = self.plan.blue_green
        assert bg is not None and d0.ready_time is not None
        t = d0.ready_time
        if bg.action_on_timeout != "STOP_DEPLOYMENT":
            return t
        deadline, code, message = self.interrupt_args()
        wait = bg.wait_time_in_minutes * 60.0
        cont = bg.continue_after_minutes
        resume = t + cont * 60.0 if cont is not None and cont * 60.0 <= wait else None
        until = resume if resume is not None else t + wait
        if deadline < until:
            d0.finish(max(deadline, t), deadline_status(code), code, message)
            self.run_blue_green_rollback(d0)
            return None
        if resume is None:
            d0.finish(
                t + wait,
                DeploymentStatus.STOPPED.value,
                ErrorCode.TIMEOUT.value,
                (
                    f"No ContinueDeployment call within the {bg.wait_time_in_minutes}-minute "
                    "wait (deploymentReadyOption STOP_DEPLOYMENT); the replacements stay ready "
                    "and the originals keep serving traffic."
                ),
            )
            return None
        d0.events.append(
            (resume, "ContinueDeployment", DeploymentStatus.SUCCEEDED.value, "READY_WAIT")
        )
        return resume

    def _reroute(
        self, d0: DeploymentRecord, ready: np.ndarray, m: int, t: float
    ) -> PassRecord | None:
        """3. Reroute traffic to the replacements, in batches of the configuration."""
        n = int(self.plan.green.shape[0])
        k = int(ready.shape[0])
        pp = self.make_pass(
            role=0,
            phase=1,
            kind="reroute",
            idx=ready,
            events=ALLOW_EVENTS,
            deployed=REV_TARGET,
            t0=t,
            minimum=m,
            cap=max(n - m, 1),
            healthy=np.zeros(k, dtype=bool),
        )
        rec = self.execute(pp, t, REV_TARGET, *self.interrupt_args())
        d0.passes.append(rec)
        if rec.outcome != DeploymentStatus.SUCCEEDED.value:
            self._fail_blue_green(d0, rec)
            return None
        return rec

    def _block_originals(self, d0: DeploymentRecord, t: float) -> None:
        """4. Block traffic on every original (one failure fails the deployment), then 5.
        terminate them after the wait (D12) or keep them alive."""
        bg = self.plan.blue_green
        assert bg is not None
        blue = self.plan.targets
        pp = self.all_at_once_pass(0, 2, "block", blue, BLOCK_EVENTS, REV_PREVIOUS, t)
        rec = self.execute(pp, t, REV_PREVIOUS, *self.interrupt_args())
        d0.passes.append(rec)
        if rec.outcome != DeploymentStatus.SUCCEEDED.value:
            msg = rec.message
            if rec.outcome == DeploymentStatus.FAILED.value:
                msg = (
                    "An original instance failed to deregister from the load balancer, so "
                    "the whole deployment failed (UG:instances-health.md)."
                )
            d0.finish(rec.end, rec.outcome, rec.error_code, msg)
            self.run_blue_green_rollback(d0)
            return
        t = rec.end
        b = int(blue.shape[0])
        if bg.termination_action == "TERMINATE":
            wait = bg.termination_wait_time_in_minutes * 60.0
            minutes = bg.termination_wait_time_in_minutes
            d0.events.append(
                (t, "TerminationWait", DeploymentStatus.IN_PROGRESS.value, f"{minutes} minutes")
            )
            skip = bg.skip_termination_wait_after_minutes
            if skip is not None and skip * 60.0 < wait:
                wait, done = skip * 60.0, DeploymentStatus.SUCCEEDED.value
                d0.events.append((t + wait, "ContinueDeployment", done, "TERMINATION_WAIT"))
            d0.events.append(
                (
                    t + wait,
                    "Terminate",
                    DeploymentStatus.SUCCEEDED.value,
                    f"{b} original instances terminated",
                )
            )
            d0.terminated += [int(k) for k in blue.tolist()]
            d0.finish(t + wait, DeploymentStatus.SUCCEEDED.value)
        else:
            d0.events.append(
                (
                    t,
                    "KeepAlive",
                    DeploymentStatus.SUCCEEDED.value,
                    f"{b} original instances deregistered and left running",
                )
            )
            d0.finish(t, DeploymentStatus.SUCCEEDED.value)

    def run_blue_green_rollback(self, d0: DeploymentRecord) -> None:
        """Allow traffic on the originals (last successful revision's scripts), then block it
        on the replacements that had received it (most recent deployment's scripts),
        codedeploy.md 4.2."""
        if not self._rollback_triggered(d0):
            return
        t = d0.end
        moved = np.zeros(0, dtype=np.int64)
        blocked = False
        for rec in d0.passes:
            started = ~np.isnan(rec.start)
            if rec.plan.kind == "reroute":
                moved = rec.plan.instances[started]
            if rec.plan.kind == "block":
                blocked = bool(started.any())
        blue = self.plan.targets
        r = self.new(
            "codeDeployRollback", t, np.concatenate([blue, moved]), "rollback", style="BLUE_GREEN"
        )
        r.roles = {
            **{int(k): "Blue" for k in blue.tolist()},
            **{int(k): "Green" for k in moved.tolist()},
        }
        r.rollback_of, d0.rollback_id = d0.id, r.id
        d0.events.append((t, "Rollback", "Created", r.id))
        if moved.shape[0] == 0 and not blocked:
            r.events.append(
                (
                    t,
                    "Reroute",
                    DeploymentStatus.SUCCEEDED.value,
                    "traffic never left the original instances",
                )
            )
            r.finish(t, DeploymentStatus.SUCCEEDED.value)
            d0.rollback_message = f"Rolled back by {r.id} (Succeeded)."
            return
        pa = self.all_at_once_pass(1, 0, "rollback-allow", blue, ALLOW_EVENTS, REV_PREVIOUS, t)
        last = self.execute(pa, t, REV_PREVIOUS, *self.deadline_args(t, False))
        r.passes.append(last)
        if last.outcome == DeploymentStatus.SUCCEEDED.value and moved.shape[0]:
            pb = self.all_at_once_pass(
                1, 1, "rollback-block", moved, BLOCK_EVENTS, REV_TARGET, last.end
            )
            last = self.execute(pb, last.end, REV_TARGET, *self.deadline_args(t, False))
            r.passes.append(last)
        r.finish_with(last)
        d0.rollback_message = f"Rolled back by {r.id} ({r.status})."


@dataclass(frozen=True, slots=True, eq=False)
class PassInputs:
    """Everything an engine needs to run the user's in-place deployment: the compiled pass, its
    draws, each instance's lifecycle relative to its start, the start order (D13), and the
    moment an alarm or a manual stop interrupts (``math.inf`` if none)."""

    plan: PassPlan
    draws: PassDraws
    timeline: Timeline
    order: np.ndarray
    deadline: float
    deadline_code: str | None


def in_place_inputs(plan: ServerPlan, seq: np.random.SeedSequence) -> PassInputs:
    """The user's in-place pass compiled and drawn exactly as a run does, for either window
    engine to walk: ``run_window(inputs.plan, inputs.draws, inputs.timeline, inputs.order, 0.0,
    inputs.deadline, inputs.deadline_code)``."""
    if plan.blue_green is not None:
        raise UnsupportedScenarioError(
            "in_place_inputs: a blue/green deployment has several passes"
        )
    runner = Runner(plan, seq)
    m = int(plan.minimum_rule.minimum(int(plan.targets.shape[0])))
    pp = runner.in_place_pass(0, plan.targets, REV_TARGET, 0.0, m)
    draws, timeline, order = runner.inputs(pp)
    deadline, code, _ = runner.interrupt_args()
    return PassInputs(pp, draws, timeline, order, deadline, code)
