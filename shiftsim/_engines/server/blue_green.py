"""The blue/green passes of a Server run: install the revision on the replacements, an optional
wait for ContinueDeployment, reroute traffic to them, block it on the originals, then terminate
or keep the originals; and the blue/green rollback (codedeploy.md 4.2).
"""

from __future__ import annotations

import numpy as np

from shiftsim._engines.server.codes import REV_PREVIOUS, REV_TARGET, S_SUCCEEDED
from shiftsim._engines.server.record import PassRecord
from shiftsim._engines.server.rules import deadline_status
from shiftsim._engines.server.state import DeploymentRecord, RunState
from shiftsim._server_model.lifecycle import ALLOW_EVENTS, BLOCK_EVENTS, INSTALL_EVENTS
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["run_blue_green", "run_blue_green_rollback"]


def run_blue_green(runner: RunState) -> None:
    """The user's blue/green deployment: install on the replacements, an optional wait,
    reroute traffic, block it on the originals, then terminate or keep them."""
    plan = runner.plan
    blue, green = plan.targets, plan.green
    d0 = runner.new("user", 0.0, np.concatenate([green, blue]), "deployment", style="BLUE_GREEN")
    d0.roles = {
        **{int(k): "Green" for k in green.tolist()},
        **{int(k): "Blue" for k in blue.tolist()},
    }
    m = _start(runner, d0)
    if m is None:
        return
    ready = _install_replacements(runner, d0, m)
    if ready is None:
        return
    t = _ready_wait(runner, d0)
    if t is None:
        return
    rec = _reroute(runner, d0, ready, m, t)
    if rec is not None:
        _block_originals(runner, d0, rec.end)


def _fail_and_roll_back(runner: RunState, d0: DeploymentRecord, rec: PassRecord) -> None:
    d0.finish_with(rec)
    run_blue_green_rollback(runner, d0)


def _start(runner: RunState, d0: DeploymentRecord) -> int | None:
    """The minimum over the replacements, or None after ``d0`` ended at its start."""
    plan = runner.plan
    bg = plan.blue_green
    assert bg is not None
    deadline, code, message = runner.interrupt_args()
    n = int(plan.green.shape[0])
    if plan.targets.shape[0] == 0 or n == 0:
        runner.fail_at_start(d0, ErrorCode.NO_INSTANCES.value, ErrorCode.NO_INSTANCES.message)
        return None
    m = runner.check_minimum(d0, n)
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


def _install_replacements(runner: RunState, d0: DeploymentRecord, m: int) -> np.ndarray | None:
    """1. Install the revision on the replacements under the minimum-healthy rules;
    returns the ready replacements, or None after ``d0`` ended."""
    green = runner.plan.green
    n = int(green.shape[0])
    pp = runner.make_pass(
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
    rec = runner.execute(pp, 0.0, REV_TARGET, *runner.interrupt_args())
    d0.passes.append(rec)
    if rec.outcome != DeploymentStatus.SUCCEEDED.value:
        _fail_and_roll_back(runner, d0, rec)
        return None
    ready = green[rec.final == S_SUCCEEDED]
    d0.ready_time = rec.end
    note = f"{ready.shape[0]} replacements ready"
    d0.events.append((rec.end, DeploymentStatus.READY.value, DeploymentStatus.READY.value, note))
    return ready


def _ready_wait(runner: RunState, d0: DeploymentRecord) -> float | None:
    """2. The optional wait for ContinueDeployment; returns when traffic moves, or None
    after ``d0`` ended."""
    bg = runner.plan.blue_green
    assert bg is not None and d0.ready_time is not None
    t = d0.ready_time
    if bg.action_on_timeout != "STOP_DEPLOYMENT":
        return t
    deadline, code, message = runner.interrupt_args()
    wait = bg.wait_time_in_minutes * 60.0
    cont = bg.continue_after_minutes
    resume = t + cont * 60.0 if cont is not None and cont * 60.0 <= wait else None
    until = resume if resume is not None else t + wait
    if deadline < until:
        d0.finish(max(deadline, t), deadline_status(code), code, message)
        run_blue_green_rollback(runner, d0)
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
    d0.events.append((resume, "ContinueDeployment", DeploymentStatus.SUCCEEDED.value, "READY_WAIT"))
    return resume


def _reroute(
    runner: RunState, d0: DeploymentRecord, ready: np.ndarray, m: int, t: float
) -> PassRecord | None:
    """3. Reroute traffic to the replacements, in batches of the configuration."""
    n = int(runner.plan.green.shape[0])
    k = int(ready.shape[0])
    pp = runner.make_pass(
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
    rec = runner.execute(pp, t, REV_TARGET, *runner.interrupt_args())
    d0.passes.append(rec)
    if rec.outcome != DeploymentStatus.SUCCEEDED.value:
        _fail_and_roll_back(runner, d0, rec)
        return None
    return rec


def _block_originals(runner: RunState, d0: DeploymentRecord, t: float) -> None:
    """4. Block traffic on every original (one failure fails the deployment), then 5.
    terminate them after the wait (D12) or keep them alive."""
    bg = runner.plan.blue_green
    assert bg is not None
    blue = runner.plan.targets
    pp = runner.all_at_once_pass(0, 2, "block", blue, BLOCK_EVENTS, REV_PREVIOUS, t)
    rec = runner.execute(pp, t, REV_PREVIOUS, *runner.interrupt_args())
    d0.passes.append(rec)
    if rec.outcome != DeploymentStatus.SUCCEEDED.value:
        msg = rec.message
        if rec.outcome == DeploymentStatus.FAILED.value:
            msg = (
                "An original instance failed to deregister from the load balancer, so "
                "the whole deployment failed (UG:instances-health.md)."
            )
        d0.finish(rec.end, rec.outcome, rec.error_code, msg)
        run_blue_green_rollback(runner, d0)
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


def run_blue_green_rollback(runner: RunState, d0: DeploymentRecord) -> None:
    """Allow traffic on the originals (last successful revision's scripts), then block it
    on the replacements that had received it (most recent deployment's scripts),
    codedeploy.md 4.2."""
    if not runner.rollback_triggered(d0):
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
    blue = runner.plan.targets
    r = runner.new(
        "codeDeployRollback", t, np.concatenate([blue, moved]), "rollback", style="BLUE_GREEN"
    )
    r.roles = {
        **{int(k): "Blue" for k in blue.tolist()},
        **{int(k): "Green" for k in moved.tolist()},
    }
    r.rollback_of, d0.rollback_id = d0.id, r.id
    d0.events.append((t, "Rollback", DeploymentStatus.CREATED.value, r.id))
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
    pa = runner.all_at_once_pass(1, 0, "rollback-allow", blue, ALLOW_EVENTS, REV_PREVIOUS, t)
    last = runner.execute(pa, t, REV_PREVIOUS, *runner.deadline_args(t, False))
    r.passes.append(last)
    if last.outcome == DeploymentStatus.SUCCEEDED.value and moved.shape[0]:
        pb = runner.all_at_once_pass(
            1, 1, "rollback-block", moved, BLOCK_EVENTS, REV_TARGET, last.end
        )
        last = runner.execute(pb, last.end, REV_TARGET, *runner.deadline_args(t, False))
        r.passes.append(last)
    r.finish_with(last)
    d0.rollback_message = f"Rolled back by {r.id} ({r.status})."
