"""The tidy tables of a Server run, built from its pass records: one row per instance of a
deployment (with the diagnostics of a failure), and per instance per lifecycle event."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._engines.server import codes
from shiftsim._engines.server.plan import PassPlan, ServerPlan
from shiftsim._engines.server.record import PassRecord
from shiftsim._engines.server.state import DeploymentRecord
from shiftsim._engines.server.timeline import pass_timeline
from shiftsim._server_model.deployment import DEFAULT_CLOCK_SKEW_TOLERANCE
from shiftsim._server_model.lifecycle import AGENT_MESSAGE

__all__ = [
    "INSTANCE_COLUMNS",
    "LIFECYCLE_COLUMNS",
    "deployment_instances",
    "diagnostics",
    "lifecycle_frame",
    "pass_lifecycle",
    "pass_rows",
]

INSTANCE_COLUMNS = [
    "deployment_id",
    "instance_id",
    "instance_type",
    "availability_zone",
    "status",
    "start",
    "end",
    "start_minute",
    "end_minute",
    "duration",
    "failed_event",
    "error_code",
    "script",
    "message",
    "log_tail",
]
LIFECYCLE_COLUMNS = [
    "deployment_id",
    "instance_id",
    "event",
    "status",
    "start",
    "end",
    "duration",
    "error_code",
    "script",
]


def diagnostics(
    plan: ServerPlan, pp: PassPlan, g: int, event: str, error: int, cause: int, slot: int
) -> tuple[str, str | None, str, str]:
    """(LifecycleErrorCode, script location, message, log tail) of a failed instance."""
    code = codes.LIFECYCLE_ERRORS[error]
    script = pp.slots[slot] if slot >= 0 else None
    loc = script.location if script is not None else None
    if cause in codes.AGENT_CAUSES:
        tails = {
            codes.C_NOT_INSTALLED: "(no agent log: the CodeDeploy agent is not installed)",
            codes.C_NOT_RUNNING: "(no agent log: the CodeDeploy agent is not running)",
            codes.C_STOPPED: "(no agent log: the instance is stopped)",
        }
        if cause == codes.C_CLOCK_SKEW:
            tail = (
                "InstanceAgent::Plugins::CodeDeployPlugin::CommandPoller: Cannot reach "
                "InstanceService: Aws::CodeDeployCommand::Errors::InvalidSignatureException "
                "- Signature expired (the instance clock is off by more than the "
                f"{DEFAULT_CLOCK_SKEW_TOLERANCE:g} s tolerance, D7)"
            )
        else:
            tail = tails[cause]
        return code, None, f"{AGENT_MESSAGE} (cause: {codes.CAUSES[cause]}; AGENT_ISSUE)", tail
    if cause == codes.C_S3:
        return (
            code,
            None,
            "not opened for reading",
            "LifecycleEvent - DownloadBundle\nUnknownError: not opened for reading (the "
            "revision could not be read from Amazon S3: the instance profile lacks "
            "permission, the bucket is in another Region, or S3 failed)",
        )
    if cause == codes.C_STOPPED_MID_EVENT:
        return (
            code,
            loc,
            f"The instance stopped during {event}; no result was reported and the "
            f"event timed out after {pp.event_timeout:g} seconds.",
            "",
        )
    if cause == codes.C_LOAD_BALANCER:
        what = (
            "failed to deregister from the load balancer"
            if event == "BlockTraffic"
            else "failed to register with the load balancer (health checks did not pass)"
        )
        return code, None, f"The instance {what}.", ""
    if cause == codes.C_FILE_EXISTS:
        return (
            code,
            None,
            "The deployment failed because a specified file already exists at this location "
            "(file_exists_behavior DISALLOW, D16).",
            "",
        )
    if cause == codes.C_EVENT_TIMEOUT and script is None:
        return (
            code,
            None,
            (f"The lifecycle event {event} did not complete within {pp.event_timeout:g} seconds."),
            "",
        )
    assert script is not None
    runas = script.runas or "root"
    if error == codes.E_MISSING:
        message = f"Script does not exist at specified location: {loc}"
    elif error == codes.E_TIMED_OUT:
        limit = script.timeout if cause == codes.C_SCRIPT else pp.event_timeout
        message = f"Script at specified location: {loc} failed to complete in {limit:g} seconds"
    else:
        exit_code = next((r.exit_code for r in pp.faults if r.slot == slot), 1)
        message = (
            f"Script at specified location: {loc} run as user {runas} failed with exit "
            f"code {exit_code}"
        )
    tail = f"LifecycleEvent - {event}\nScript - {loc}\n[stderr]{message}"
    return code, loc, message, tail[-2048:]


def pass_rows(plan: ServerPlan, dep: DeploymentRecord, rec: PassRecord) -> dict[str, Any]:
    """Per-instance columns of one pass (pass-local order = fleet order)."""
    pp, tl = rec.plan, rec.timeline
    rel = tl.rel_end.copy()
    fail_event = tl.fail_event.astype(np.int64)
    error = tl.error.astype(np.int64)
    cause = tl.cause.astype(np.int64)
    slot = tl.error_slot.astype(np.int64)
    for i, (r, fe, c) in rec.overrides.items():
        rel[i], fail_event[i], error[i], cause[i], slot[i] = r, fe, codes.E_UNKNOWN, c, -1
    status = rec.final.astype(np.int64)
    start = rec.start
    end = np.where(status == codes.S_UNKNOWN, rec.end, start + rel)
    end[status == codes.S_SKIPPED] = np.nan
    n = pp.n
    failed_event = np.full(n, None, dtype=object)
    error_code = np.full(n, None, dtype=object)
    script = np.full(n, None, dtype=object)
    message = np.full(n, None, dtype=object)
    log_tail = np.full(n, None, dtype=object)
    for i in np.flatnonzero(status == codes.S_FAILED).tolist():
        g = int(pp.instances[i])
        event = pp.events[fail_event[i]]
        code, loc, text, tail = diagnostics(
            plan, pp, g, event, int(error[i]), int(cause[i]), int(slot[i])
        )
        failed_event[i], error_code[i], script[i], message[i], log_tail[i] = (
            event,
            code,
            loc,
            text,
            tail,
        )
    unknown = np.flatnonzero(status == codes.S_UNKNOWN)
    if unknown.size:
        note = (
            "The deployment ended while this instance was being deployed to; no more "
            "lifecycle events were scheduled, leaving it in an indeterminate state."
        )
        message[unknown] = note
    return {
        "idx": pp.instances,
        "status": status,
        "start": start,
        "end": end,
        "failed_event": failed_event,
        "error_code": error_code,
        "script": script,
        "message": message,
        "log_tail": log_tail,
    }


def deployment_instances(plan: ServerPlan, dep: DeploymentRecord) -> pd.DataFrame:
    names = np.asarray(codes.STATUSES, dtype=object)
    ids = np.asarray(plan.ids, dtype=object)
    zones = np.asarray(plan.zone, dtype=object)
    idx = dep.instances
    n = int(idx.shape[0])
    if len(dep.passes) == 1 and dep.passes[0].plan.n == n:
        cols = pass_rows(plan, dep, dep.passes[0])
        pos = cols["idx"]
        data: dict[str, Any] = {
            "deployment_id": np.full(n, dep.id, dtype=object),
            "instance_id": ids[pos],
            "instance_type": np.full(n, None, dtype=object),
            "availability_zone": zones[pos],
            "status": names[cols["status"]],
            "start": cols["start"],
            "end": cols["end"],
        }
        for key in ("failed_event", "error_code", "script", "message", "log_tail"):
            data[key] = cols[key]
    else:
        rows: dict[int, dict[str, Any]] = {
            int(g): {
                "status": codes.S_SKIPPED,
                "start": math.nan,
                "end": math.nan,
                "failed_event": None,
                "error_code": None,
                "script": None,
                "message": None,
                "log_tail": None,
            }
            for g in idx.tolist()
        }
        for rec in dep.passes:
            cols = pass_rows(plan, dep, rec)
            for k, g in enumerate(cols["idx"].tolist()):
                row = rows[g]
                st = int(cols["status"][k])
                if st == codes.S_SKIPPED:
                    if row["status"] == codes.S_SUCCEEDED and rec.plan.kind == "reroute":
                        row["status"] = codes.S_READY
                    continue
                if row["start"] != row["start"]:
                    row["start"] = float(cols["start"][k])
                row["end"] = float(cols["end"][k])
                row["status"] = st
                for key in ("failed_event", "error_code", "script", "message", "log_tail"):
                    row[key] = cols[key][k]
        if dep.ready_time is not None:
            for g, row in rows.items():
                if (
                    dep.roles.get(g) == "Green"
                    and row["status"] == codes.S_SUCCEEDED
                    and not any(rec.plan.kind == "reroute" for rec in dep.passes)
                ):
                    row["status"] = codes.S_READY
        order = list(rows)
        data = {
            "deployment_id": np.full(len(order), dep.id, dtype=object),
            "instance_id": ids[order] if order else np.zeros(0, dtype=object),
            "instance_type": np.asarray([dep.roles.get(g) for g in order], dtype=object),
            "availability_zone": zones[order] if order else np.zeros(0, dtype=object),
            "status": np.asarray([codes.STATUSES[rows[g]["status"]] for g in order], dtype=object),
            "start": np.asarray([rows[g]["start"] for g in order], dtype=np.float64),
            "end": np.asarray([rows[g]["end"] for g in order], dtype=np.float64),
        }
        for key in ("failed_event", "error_code", "script", "message", "log_tail"):
            data[key] = np.asarray([rows[g][key] for g in order], dtype=object)
    data["start_minute"] = data["start"] / 60.0
    data["end_minute"] = data["end"] / 60.0
    data["duration"] = data["end"] - data["start"]
    return pd.DataFrame(data, columns=INSTANCE_COLUMNS)


def pass_lifecycle(plan: ServerPlan, rec: PassRecord) -> dict[str, np.ndarray]:
    """(n, events) arrays of absolute start/end, status, error code and script slot."""
    pp = rec.plan
    full = pass_timeline(pp, rec.draws, full=True)
    assert full.ev_start is not None and full.ev_end is not None
    assert full.ev_status is not None and full.ev_error is not None and full.ev_slot is not None
    start = rec.start[:, None] + full.ev_start
    end = rec.start[:, None] + full.ev_end
    status = full.ev_status.copy()
    error = full.ev_error.astype(np.int64)
    slot = full.ev_slot.astype(np.int64)
    unstarted = np.isnan(rec.start)
    status[unstarted] = codes.S_SKIPPED
    error[unstarted] = -1
    slot[unstarted] = -1
    cut_rows = rec.final == codes.S_UNKNOWN
    if cut_rows.any():
        cut = rec.end
        later = cut_rows[:, None] & ~(start < cut)
        running = cut_rows[:, None] & (start < cut) & (end > cut)
        status[later] = codes.S_SKIPPED
        status[running] = codes.S_UNKNOWN
        end = np.where(running, cut, end)
        error[later | running] = -1
        slot[later | running] = -1
    for i, (_, fe, cause) in rec.overrides.items():
        s0 = rec.start[i]
        status[i, fe:] = codes.S_SKIPPED
        error[i, fe:] = -1
        slot[i, fe:] = -1
        if cause == codes.C_STOPPED_MID_EVENT:
            status[i, fe] = codes.S_FAILED
            error[i, fe] = codes.E_UNKNOWN
            end[i, fe] = s0 + full.ev_start[i, fe] + pp.event_timeout
    skipped = status == codes.S_SKIPPED
    start = np.where(skipped, np.nan, start)
    end = np.where(skipped, np.nan, end)
    return {"start": start, "end": end, "status": status, "error": error, "slot": slot}


def lifecycle_frame(plan: ServerPlan, records: tuple[DeploymentRecord, ...]) -> pd.DataFrame:
    """One row per instance per lifecycle event of every pass of ``records``."""
    parts = []
    ids = np.asarray(plan.ids, dtype=object)
    statuses = np.asarray(codes.STATUSES, dtype=object)
    errors = np.asarray((*codes.LIFECYCLE_ERRORS, None), dtype=object)
    for d in records:
        for rec in d.passes:
            pp = rec.plan
            if pp.n == 0:
                continue
            arr = pass_lifecycle(plan, rec)
            n_events = len(pp.events)
            locations = np.asarray([s.location for s in pp.slots] + [None], dtype=object)
            start, end = arr["start"].ravel(), arr["end"].ravel()
            parts.append(
                pd.DataFrame(
                    {
                        "deployment_id": np.full(pp.n * n_events, d.id, dtype=object),
                        "instance_id": np.repeat(ids[pp.instances], n_events),
                        "event": np.tile(np.asarray(pp.events, dtype=object), pp.n),
                        "status": statuses[arr["status"].ravel()],
                        "start": start,
                        "end": end,
                        "duration": end - start,
                        "error_code": errors[arr["error"].ravel()],
                        "script": locations[arr["slot"].ravel()],
                    },
                    columns=LIFECYCLE_COLUMNS,
                )
            )
    if not parts:
        return pd.DataFrame(columns=LIFECYCLE_COLUMNS)
    return pd.concat(parts, ignore_index=True)
