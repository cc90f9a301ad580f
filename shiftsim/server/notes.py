"""The SNS trigger messages and EventBridge events of a Server run (codedeploy.md section 9),
built from its deployment and pass records."""

from __future__ import annotations

import numpy as np

from shiftsim._engines.server import codes
from shiftsim._engines.server.plan import ServerPlan
from shiftsim._engines.server.record import PassRecord
from shiftsim._engines.server.state import DeploymentRecord
from shiftsim.notifications import Notification, NotificationContext
from shiftsim.server.frames import deployment_instances, pass_lifecycle, pass_rows
from shiftsim.vocabulary import (
    END_TRIGGER_EVENTS,
    NOTIFICATION_OVERVIEW,
    DeploymentStatus,
    InstanceStatus,
    LifecycleEventStatus,
)

__all__ = ["run_notifications"]


def run_notifications(
    ctx: NotificationContext, plan: ServerPlan, records: tuple[DeploymentRecord, ...]
) -> list[Notification]:
    """Every notification of every deployment of the run, in time order:
    DeploymentStart/Success/Failure/Stop/Rollback/Ready and InstanceStart/Success/Failure/Ready.
    """
    notes: list[Notification] = []
    for d in records:
        notes += _deployment_notes(ctx, plan, d)
    notes.sort(key=lambda note: note.time)
    return notes


def _deployment_notes(
    ctx: NotificationContext, plan: ServerPlan, d: DeploymentRecord
) -> list[Notification]:
    frame = deployment_instances(plan, d)
    counts = frame["status"].value_counts().to_dict()
    n = len(frame)
    notes = ctx.deployment(
        d.start,
        "DeploymentStart",
        d.id,
        status=DeploymentStatus.IN_PROGRESS.value,
        create_time=d.start,
        complete_time=None,
        overview={**NOTIFICATION_OVERVIEW, InstanceStatus.PENDING.value: n},
    )
    seen: set[int] = set()
    for rec in d.passes:
        if rec.plan.n:
            notes += _instance_notes(ctx, plan, d, rec, seen)
    if d.ready_time is not None:
        notes += ctx.deployment(
            d.ready_time,
            "DeploymentReady",
            d.id,
            status=DeploymentStatus.READY.value,
            create_time=d.start,
            complete_time=None,
            overview={**NOTIFICATION_OVERVIEW, InstanceStatus.READY.value: n},
        )
    overview: dict[str, int] = {
        **NOTIFICATION_OVERVIEW,
        **{str(k): int(v) for k, v in counts.items() if k in NOTIFICATION_OVERVIEW},
    }
    notes += ctx.deployment(
        d.end,
        END_TRIGGER_EVENTS[d.status],
        d.id,
        status=d.status,
        create_time=d.start,
        complete_time=d.end,
        overview=overview,
        error_code=d.error_code,
        error_message=d.error_message if d.error_code else None,
    )
    if d.rollback_id is not None:
        notes += ctx.deployment(
            d.end,
            "DeploymentRollback",
            d.id,
            status=d.status,
            create_time=d.start,
            complete_time=d.end,
            overview=overview,
            error_code=d.error_code,
            error_message=d.error_message or None,
        )
    return notes


def _instance_notes(
    ctx: NotificationContext,
    plan: ServerPlan,
    d: DeploymentRecord,
    rec: PassRecord,
    seen: set[int],
) -> list[Notification]:
    """InstanceStart (once per instance and deployment) and the instance's outcome in one
    pass."""
    notes: list[Notification] = []
    ids = plan.ids
    arr = pass_lifecycle(plan, rec)
    events = rec.plan.events
    ends = pass_rows(plan, d, rec)["end"].tolist()
    status_rows = np.asarray(codes.STATUSES, dtype=object)[arr["status"]].tolist()
    start_rows = arr["start"].tolist()
    end_rows = arr["end"].tolist()
    finals = rec.final.tolist()
    starts = rec.start.tolist()
    members = rec.plan.instances.tolist()
    pending: list[tuple[str, str, float | None, float | None]] = [
        (e, LifecycleEventStatus.PENDING.value, None, None) for e in events
    ]
    for k in np.flatnonzero(~np.isnan(rec.start)).tolist():
        g = members[k]
        iid = ids[g]
        if g not in seen:
            seen.add(g)
            notes += ctx.instance(
                starts[k],
                "InstanceStart",
                d.id,
                iid,
                status=InstanceStatus.IN_PROGRESS.value,
                lifecycle=pending,
            )
        final = finals[k]
        if final == codes.S_SKIPPED:
            continue
        life = [
            (e, st, _opt(a), _opt(b))
            for e, st, a, b in zip(events, status_rows[k], start_rows[k], end_rows[k])
        ]
        if rec.plan.kind == "install" and final == codes.S_SUCCEEDED:
            event, status = "InstanceReady", InstanceStatus.READY.value
        elif final == codes.S_SUCCEEDED:
            event, status = "InstanceSuccess", InstanceStatus.SUCCEEDED.value
        else:
            event, status = "InstanceFailure", InstanceStatus.FAILED.value
        notes += ctx.instance(ends[k], event, d.id, iid, status=status, lifecycle=life)
    return notes


def _opt(value: float) -> float | None:
    return None if value != value else float(value)
