"""The result of a Server simulation: :class:`ServerRun`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._engines.server import codes
from shiftsim._engines.server.plan import ServerPlan
from shiftsim._engines.server.state import DeploymentRecord
from shiftsim._html import table
from shiftsim._server_model.deployment import ServerDeployment
from shiftsim.fleet import REVISIONS, Fleet, Instance
from shiftsim.notifications import Notification, NotificationContext
from shiftsim.server.frames import INSTANCE_COLUMNS, deployment_instances, lifecycle_frame
from shiftsim.server.notes import run_notifications
from shiftsim.vocabulary import DeploymentStatus, ErrorCode, InstanceStatus

__all__ = ["ServerRun"]


@dataclass(frozen=True, slots=True, eq=False)
class ServerRun:
    """One simulated EC2/on-premises deployment and everything it set off (rollback, launch and
    follow-up deployments).

    Attributes
    ----------
    status : {"Succeeded", "Failed", "Stopped"}
        Of the user's deployment.
    error_code : str or None
        CodeDeploy's ErrorCode: ``HEALTH_CONSTRAINTS``, ``HEALTH_CONSTRAINTS_INVALID``,
        ``NO_INSTANCES``, ``ALARM_ACTIVE``, ``MANUAL_STOP``, ``OVER_MAX_INSTANCES``, ``TIMEOUT``.
    rolled_back : bool
        Whether a rollback deployment was created (see :attr:`deployments` for its outcome).
    seed_entropy : int or tuple
        Entropy of the seed; ``simulate_server(deployment, rng=SeedSequence(seed_entropy))`` replays
        the run.

    Notes
    -----
    DataFrames are built when asked for: :attr:`instances`, :attr:`lifecycle`,
    :attr:`deployments`, :attr:`events`; plus :attr:`notifications` and :meth:`summary`. Times
    are seconds from the start of the user's deployment (``start``, ``end``, ``time``), with
    minutes alongside.
    """

    deployment: ServerDeployment
    plan: ServerPlan
    records: tuple[DeploymentRecord, ...]
    seed_entropy: Any
    context: NotificationContext
    health: np.ndarray | None = None
    last_install: np.ndarray | None = None
    revision: np.ndarray | None = None

    # ------------------------------------------------------------------ scalars
    @property
    def _main(self) -> DeploymentRecord:
        return self.records[0]

    @property
    def deployment_id(self) -> str:
        return self._main.id

    @property
    def status(self) -> str:
        return self._main.status

    @property
    def error_code(self) -> str | None:
        return self._main.error_code

    @property
    def error_message(self) -> str:
        return self._main.error_message

    @property
    def rolled_back(self) -> bool:
        return self._main.rollback_id is not None

    @property
    def rollback_deployment_id(self) -> str | None:
        return self._main.rollback_id

    @property
    def duration(self) -> float:
        """Seconds from start to end of the user's deployment."""
        return self._main.end - self._main.start

    @property
    def fleet_after(self) -> Fleet:
        """The fleet as the next deployment of a new revision finds it.

        Instance health persists across deployments (UG:instances-health.md): an instance that
        was deployed to is healthy if its last deployment succeeded there, others keep their
        health. ``revision`` is the revision health (D13): ``Current`` where the group's last
        successful revision is installed (after a successful deployment, its own revision),
        ``Old`` where another one is, ``Unknown`` where none is; instances that stopped are
        ``stopped``. Scale-out launches join the fleet and
        instances Auto Scaling terminated leave it. After a successful blue/green deployment the
        replacements take the originals' place.

        Examples
        --------
        >>> from shiftsim.fleet import Fleet
        >>> from shiftsim.server import simulate_server
        >>> d = ServerDeployment(fleet=Fleet.of_size(2, revision="Unknown"))
        >>> simulate_server(d, rng=1).fleet_after["i-000"].revision
        'Current'
        """
        plan = self.plan
        assert self.health is not None and self.last_install is not None
        fleet = self.deployment.fleet
        gone = {g for d in self.records for g in d.terminated}
        bg = plan.blue_green is not None
        if bg and self.status == DeploymentStatus.SUCCEEDED.value:
            gone |= {int(k) for k in plan.targets.tolist()}
        keep = [k for k in range(len(fleet)) if k not in gone]
        extra = (
            [int(k) for k in plan.green.tolist()]
            if bg and self.status == DeploymentStatus.SUCCEEDED.value
            else []
        )
        extra += [int(k) for _, _, idx in plan.launches for k in idx.tolist() if k not in gone]
        rows: list[Instance] = []
        stopped = plan.stopped | np.isfinite(plan.stop_time)
        revision = self._revision_after()
        for g in keep + extra:
            source = (
                fleet[g]
                if g < len(fleet)
                else Instance(
                    plan.ids[g], availability_zone=plan.zone[g], auto_scaling_group=plan.group[g]
                )
            )
            rows.append(
                replace(
                    source,
                    healthy=bool(self.health[g]) and not bool(stopped[g]),
                    revision=REVISIONS[int(revision[g])],
                    stopped=bool(stopped[g]),
                )
            )
        return Fleet(rows)

    def _revision_after(self) -> np.ndarray:
        """Revision health codes after the run (0 Current, 1 Old, 2 Unknown); the replacements
        of a successful blue/green deployment hold the group's new revision."""
        assert self.last_install is not None
        if self.revision is None:  # a run recorded without revision health
            return np.where(self.last_install == codes.REV_NONE, 2, 1)
        out = self.revision.copy()
        if self.plan.blue_green is not None and self.status == DeploymentStatus.SUCCEEDED.value:
            green = self.plan.green
            out[green] = np.where(self.last_install[green] == codes.REV_NONE, 2, 0)
        return out

    # ------------------------------------------------------------------ frames
    @property
    def instances(self) -> pd.DataFrame:
        """One row per instance of each deployment (the user's first, then the ones it set
        off): status (Succeeded, Failed, Skipped, Unknown, Ready), start/end seconds and
        minutes, the failed event and its diagnostics (LifecycleErrorCode, script, message,
        log tail). ``instance_type`` is Blue or Green in blue/green deployments."""
        frames = [deployment_instances(self.plan, d) for d in self.records]
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=INSTANCE_COLUMNS)
        )

    @property
    def lifecycle(self) -> pd.DataFrame:
        """One row per instance per lifecycle event: status (Succeeded, Failed, Skipped,
        Unknown), start/end seconds, duration, LifecycleErrorCode and script of a failure."""
        return lifecycle_frame(self.plan, self.records)

    @property
    def deployments(self) -> pd.DataFrame:
        """The user's deployment and every deployment it set off: creator (user,
        codeDeployRollback, autoscaling, CodeDeployAutoUpdate), status, error code, times, and
        the links CodeDeploy keeps (rollbackInfo, relatedDeployments)."""
        rows = []
        for d in self.records:
            rows.append(
                (
                    d.id,
                    d.creator,
                    d.style,
                    d.status,
                    d.error_code,
                    d.error_message,
                    d.start,
                    d.end,
                    d.start / 60.0,
                    d.end / 60.0,
                    int(d.instances.shape[0]),
                    d.minimum,
                    d.rollback_id,
                    d.rollback_of,
                    d.rollback_message or None,
                    d.auto_update_root,
                    ", ".join(d.auto_update_ids) or None,
                )
            )
        return pd.DataFrame(
            rows,
            columns=[
                "deployment_id",
                "creator",
                "deployment_type",
                "status",
                "error_code",
                "error_message",
                "start",
                "end",
                "start_minute",
                "end_minute",
                "instances",
                "minimum_healthy",
                "rollback_deployment_id",
                "rollback_triggering_deployment_id",
                "rollback_message",
                "auto_update_root_deployment_id",
                "auto_update_deployment_ids",
            ],
        )

    @property
    def events(self) -> pd.DataFrame:
        """Deployment-level events in time order: starts and ends, alarms, stops, zones and
        monitor periods, scale-outs, blue/green Ready, waits and terminations, rollbacks.
        Columns ``time`` (s), ``minute``, ``deployment_id``, ``event``, ``status``, ``detail``."""
        rows = []
        names = {a.name for a in self.deployment.alarms}
        for minute, name, state in self.deployment.alarm_events:
            if name in names:
                rows.append((minute * 60.0, self._main.id, "AlarmStateChange", state, name))
        for d in self.records:
            rows += [(t, d.id, e, s, detail) for t, e, s, detail in d.events]
        if self._main.error_code in (ErrorCode.ALARM_ACTIVE.value, ErrorCode.MANUAL_STOP.value):
            rows.append(
                (
                    self._main.end,
                    self._main.id,
                    "AlarmDetected"
                    if self._main.error_code == ErrorCode.ALARM_ACTIVE.value
                    else "ManualStop",
                    DeploymentStatus.STOPPED.value,
                    self._main.error_message,
                )
            )
        rows.sort(key=lambda r: r[0])
        frame = pd.DataFrame(rows, columns=["time", "deployment_id", "event", "status", "detail"])
        frame.insert(1, "minute", frame["time"] / 60.0)
        return frame

    @property
    def notifications(self) -> list[Notification]:
        """SNS trigger messages and EventBridge events of every deployment, in time order
        (codedeploy.md section 9): DeploymentStart/Success/Failure/Stop/Rollback/Ready and
        InstanceStart/Success/Failure/Ready."""
        return run_notifications(self.context, self.plan, self.records)

    def summary(self) -> pd.Series:
        """The user's deployment at a glance.

        ``time_in_flight_minutes`` sums each instance's time being deployed to;
        ``peak_in_flight`` and ``lowest_healthy`` are what the window reached (the healthy
        count includes instances outside the deployment that count toward the minimum).
        """
        d = self._main
        frame = deployment_instances(self.plan, d)
        counts = frame["status"].value_counts()
        spans = (frame["end"] - frame["start"]).dropna()
        last = max(r.end for r in self.records)
        rollback = next((r for r in self.records if r.id == d.rollback_id), None)
        return pd.Series(
            {
                "status": d.status,
                "error_code": d.error_code,
                "rolled_back": self.rolled_back,
                "rollback_status": None if rollback is None else rollback.status,
                "duration_minutes": (d.end - d.start) / 60.0,
                "instances": len(frame),
                "succeeded": int(counts.get(InstanceStatus.SUCCEEDED.value, 0)),
                "failed": int(counts.get(InstanceStatus.FAILED.value, 0)),
                "skipped": int(counts.get(InstanceStatus.SKIPPED.value, 0)),
                "unknown": int(counts.get(InstanceStatus.UNKNOWN.value, 0)),
                "ready": int(counts.get(InstanceStatus.READY.value, 0)),
                "minimum_healthy": d.minimum,
                "max_in_flight": d.cap,
                "peak_in_flight": max((r.peak for r in d.passes), default=0),
                "lowest_healthy": min((r.low_water for r in d.passes), default=None),
                "time_in_flight_minutes": float(spans.sum()) / 60.0,
                "deployments": len(self.records),
                "end_minutes": last / 60.0,
            },
            name=d.id,
        )

    def __repr__(self) -> str:
        d = self._main
        code = f" ({d.error_code})" if d.error_code else ""
        back = ", rolled back" if self.rolled_back else ""
        others = len(self.records) - 1
        extra = f", +{others} deployment{'s' if others != 1 else ''}" if others else ""
        return (
            f"<ServerRun {d.id} {self.plan.config_name}: {d.status}{code}{back} after "
            f"{(d.end - d.start) / 60:.1f} min, {int(d.instances.shape[0])} instances{extra}>"
        )

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw this run with :func:`shiftsim.plot.fleet` (which imports matplotlib).

        ``ax`` and ``options`` go to :func:`shiftsim.plot.fleet`; returns its Axes.
        """
        from shiftsim import plot

        return plot.fleet(self, ax=ax, **options)

    def _repr_html_(self) -> str:
        rows = [(str(k), v) for k, v in self.summary().items()]
        return table(f"Server deployment {self.deployment_id}", rows)
