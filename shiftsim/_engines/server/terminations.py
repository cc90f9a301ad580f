"""Auto Scaling scale-ins of a Server run: the instances leave the deployment group, after a
termination deployment (creator ``autoscalingTermination``) when the group's termination hook is
enabled (API:CreateDeploymentGroupInput.terminationHookEnabled; codedeploy.md 8).

A deployment running on an instance when it scales in sees it stop then (its stop time is
compiled into the plan, so both window engines handle it). The termination deployment runs at
the scale-in on its instances all at once: BeforeBlockTraffic, BlockTraffic and
AfterBlockTraffic with a load balancer, then ApplicationStop, with the scripts of the revision
installed on each instance; Auto Scaling terminates the instances when it ends, whatever its
outcome. Its draws use role ``TERMINATION_ROLE + j`` for scale-in ``j``
(:mod:`.draws`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from shiftsim._engines.server.codes import REV_PREVIOUS, S_SUCCEEDED
from shiftsim._server_model.lifecycle import BLOCK_EVENTS
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

if TYPE_CHECKING:
    from shiftsim._engines.server.state import DeploymentRecord, RunState

__all__ = ["TERMINATION_EVENTS", "TERMINATION_ROLE", "run_terminations"]

#: Draw role of the termination deployment of scale-in 0 (then 1, 2, ...).
TERMINATION_ROLE = 1000
#: Events of a termination deployment without a load balancer (with one, BLOCK_EVENTS first).
TERMINATION_EVENTS = ("ApplicationStop",)


def run_terminations(runner: RunState, d0: DeploymentRecord) -> None:
    """Every scale-in of the run, in order: record it on the user's deployment, run its
    termination deployment when the hook is enabled, and take its instances out of the group."""
    plan = runner.plan
    for j, (t, group, idx) in enumerate(plan.scale_ins):
        names = ", ".join(plan.ids[k] for k in idx.tolist())
        d0.events.append((t, "ScaleIn", "Terminating", f"{group}: {names}"))
        for k in idx.tolist():
            runner.gone_at[int(k)] = min(runner.gone_at.get(int(k), t), t)
        if plan.termination_hook:
            _termination_deployment(runner, j, t, idx)
        else:
            d0.terminated += [int(k) for k in idx.tolist()]


def _termination_deployment(runner: RunState, j: int, t: float, idx: np.ndarray) -> None:
    plan = runner.plan
    n = int(idx.shape[0])
    d = runner.new("autoscalingTermination", t, idx, "termination", j)
    d.minimum, d.cap = 0, n
    events = (BLOCK_EVENTS if plan.load_balancer else ()) + TERMINATION_EVENTS
    pp = runner.make_pass(
        role=TERMINATION_ROLE + j,
        phase=0,
        kind="termination",
        idx=idx,
        events=events,
        deployed=REV_PREVIOUS,
        t0=t,
        minimum=0,
        cap=n,
        healthy=np.zeros(n, dtype=bool),
        terminating=True,
    )
    rec = runner.execute(pp, t, REV_PREVIOUS, *runner.deadline_args(t, False))
    d.passes.append(rec)
    d.events += rec.events
    d.terminated += [int(k) for k in idx.tolist()]
    d.events.append(
        (rec.end, "Terminate", DeploymentStatus.SUCCEEDED.value, f"{n} instances terminated")
    )
    if (rec.final != S_SUCCEEDED).any():
        d.finish(
            rec.end,
            DeploymentStatus.FAILED.value,
            ErrorCode.HEALTH_CONSTRAINTS.value,
            ErrorCode.HEALTH_CONSTRAINTS.message,
        )
    else:
        d.finish(rec.end, DeploymentStatus.SUCCEEDED.value)
