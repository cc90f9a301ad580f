"""The in-place passes of a Server run: the user's in-place deployment, the Auto Scaling launch
deployments of every scale-out, then the ``CodeDeployAutoUpdate`` follow-up of instances
launched with the previous revision (after a success) or the rollback (after a failure or an
interrupt, D6). The scale-ins' termination deployments are in :mod:`.terminations`.
"""

from __future__ import annotations

import math

import numpy as np

from shiftsim._engines.server.codes import REV_NONE, REV_PREVIOUS, REV_TARGET, S_SUCCEEDED
from shiftsim._engines.server.record import PassRecord
from shiftsim._engines.server.state import DeploymentRecord, RunState
from shiftsim._engines.server.terminations import run_terminations
from shiftsim._server_model.lifecycle import event_list
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["run_follow_up", "run_in_place", "run_in_place_rollback", "run_launches"]


def run_in_place(runner: RunState) -> None:
    """The user's in-place deployment, its launches, then a follow-up or a rollback."""
    plan = runner.plan
    targets = plan.targets
    d0 = runner.new("user", 0.0, targets, "deployment")
    n = int(targets.shape[0])
    if n == 0:
        runner.fail_at_start(d0, ErrorCode.NO_INSTANCES.value, ErrorCode.NO_INSTANCES.message)
    elif plan.max_instances is not None and n > plan.max_instances:
        runner.fail_at_start(
            d0,
            ErrorCode.OVER_MAX_INSTANCES.value,
            f"The deployment targets {n} instances, more than the {plan.max_instances} allowed.",
        )
    else:
        m = runner.check_minimum(d0, n)
        if m is not None and plan.interrupt_time <= 0.0:
            d0.finish(
                0.0, DeploymentStatus.STOPPED.value, plan.interrupt_code, plan.interrupt_message
            )
        elif m is not None:
            pp = runner.in_place_pass(0, targets, REV_TARGET, 0.0, m)
            if not runner.zonal_invalid(d0, pp):
                runner.run_pass(d0, pp, 0.0, REV_TARGET, interrupted=True)
    outdated = run_launches(runner, d0)
    run_terminations(runner, d0)
    if d0.status == DeploymentStatus.SUCCEEDED.value:
        run_follow_up(runner, d0, outdated)
    else:
        run_in_place_rollback(runner, d0)


def run_launches(runner: RunState, d0: DeploymentRecord) -> list[tuple[int, float]]:
    """Launch deployments of every scale-out; returns the outdated instances (launched
    during ``d0`` with the previous revision) and when each became ready."""
    plan = runner.plan
    outdated: list[tuple[int, float]] = []
    for j, (t, group, idx) in enumerate(plan.launches):
        during = t < d0.end or math.isnan(d0.end)
        target_now = d0.status == DeploymentStatus.SUCCEEDED.value and not during
        revision = REV_TARGET if target_now else (REV_PREVIOUS if plan.has_previous else REV_NONE)
        names = ", ".join(plan.ids[k] for k in idx.tolist())
        d0.events.append((t, "ScaleOut", "Launched", f"{group}: {names}"))
        if revision == REV_NONE:
            # No successful revision in the group yet: nothing to deploy on launch.
            outdated += [(int(k), t) for k in idx.tolist()] if during else []
            continue
        rec, bad = _launch(runner, j, t, idx, revision)
        if during and revision == REV_PREVIOUS:
            ends = rec.start + rec.timeline.rel_end
            outdated += [(int(idx[k]), float(ends[k])) for k in np.flatnonzero(~bad).tolist()]
    return outdated


def _launch(
    runner: RunState, j: int, t: float, idx: np.ndarray, revision: int
) -> tuple[PassRecord, np.ndarray]:
    """The launch deployment of scale-out ``j``: every instance at once; Auto Scaling
    terminates those that fail (ABANDON). Returns its pass and who failed."""
    plan = runner.plan
    n = int(idx.shape[0])
    d = runner.new("autoscaling", t, idx, j)
    d.minimum, d.cap = 0, n
    pp = runner.make_pass(
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
    rec = runner.execute(pp, t, revision, *runner.deadline_args(t, False))
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


def run_follow_up(
    runner: RunState, d0: DeploymentRecord, outdated: list[tuple[int, float]]
) -> None:
    """The ``CodeDeployAutoUpdate`` deployment of instances launched with the previous
    revision during ``d0``."""
    plan = runner.plan
    if not plan.update_outdated or not outdated:
        return
    t = max([d0.end] + [when for _, when in outdated])
    out_idx = np.asarray([g for g, _ in outdated], dtype=np.int64)
    group = runner.group_at(t)
    d = runner.new("CodeDeployAutoUpdate", t, out_idx, "follow-up")
    d.auto_update_root = d0.id
    d0.auto_update_ids.append(d.id)
    n_group = int(group.shape[0])
    m = runner.check_minimum(d, n_group)
    if m is None:
        return
    others = np.setdiff1d(group, out_idx)
    pp = runner.make_pass(
        role=2,
        phase=0,
        kind="in-place",
        idx=out_idx,
        events=event_list(plan.load_balancer),
        deployed=REV_TARGET,
        t0=t,
        minimum=m,
        cap=n_group - m,
        base=int(runner.health[others].sum()),
        zonal=plan.zonal is not None,
    )
    if not runner.zonal_invalid(d, pp):
        runner.run_pass(d, pp, t, REV_TARGET)


def run_in_place_rollback(runner: RunState, d0: DeploymentRecord) -> None:
    """Redeploy the last good revision to the whole group (D6), if ``d0`` rolls back."""
    plan = runner.plan
    if not runner.rollback_triggered(d0):
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
    group = runner.group_at(t)
    r = runner.new("codeDeployRollback", t, group, "rollback")
    r.rollback_of, d0.rollback_id = d0.id, r.id
    d0.events.append((t, "Rollback", DeploymentStatus.CREATED.value, r.id))
    n = int(group.shape[0])
    m = runner.check_minimum(r, n)
    if m is not None:
        pp = runner.in_place_pass(1, group, REV_PREVIOUS, t, m)
        if not runner.zonal_invalid(r, pp):
            runner.run_pass(r, pp, t, REV_PREVIOUS)
    d0.rollback_message = f"Rolled back by {r.id} ({r.status})."
