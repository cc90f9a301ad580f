"""What a simulated traffic-shifting deployment came to, as plain values and tidy DataFrames.

A :class:`TrafficRun` keeps tuples and arrays; its DataFrames (``events``, ``timeline``,
``deployments``) are built when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._engines.traffic.core import Outcome, Trace
from shiftsim._engines.traffic.draws import TrafficDraws
from shiftsim._engines.traffic.plan import TrafficPlan
from shiftsim._exposure import exposure_of
from shiftsim._html import table
from shiftsim.notifications import Notification, NotificationContext
from shiftsim.vocabulary import (
    END_TRIGGER_EVENTS,
    NOTIFICATION_OVERVIEW,
    DeploymentStatus,
    InstanceStatus,
    target_status,
)

__all__ = ["TrafficRun"]


@dataclass(frozen=True, slots=True, eq=False)
class TrafficRun:
    """One simulated Lambda or ECS deployment.

    Attributes
    ----------
    status : {"Succeeded", "Failed", "Stopped"}
    error_code : str or None
        CodeDeploy's ``ErrorCode`` (``ALARM_ACTIVE``, ``HOOK_EXECUTION_FAILURE``,
        ``MANUAL_STOP``).
    rolled_back : bool
        Whether a rollback deployment returned traffic to the original version.
    outcome : Outcome
        The fields both engines agree on.
    seed_entropy : int or tuple
        Entropy of the SeedSequence the run was drawn from; with ``run_index`` and ``runs`` it
        replays the run.
    deployment : LambdaDeployment or EcsDeployment
        The scenario that was run.
    """

    plan: TrafficPlan
    trace: Trace
    draws: TrafficDraws
    deployment_id: str
    rollback_deployment_id: str | None
    context: NotificationContext
    seed_entropy: Any
    run_index: int = 0
    deployment: Any = None

    # ------------------------------------------------------------------ scalars
    @property
    def outcome(self) -> Outcome:
        return self.trace.outcome

    @property
    def status(self) -> str:
        return self.trace.outcome.status

    @property
    def error_code(self) -> str | None:
        return self.trace.outcome.error_code

    @property
    def error_message(self) -> str:
        return self.trace.error_message

    @property
    def rolled_back(self) -> bool:
        return self.trace.outcome.rolled_back

    @property
    def duration(self) -> float:
        """Seconds from start to the end (or stop) of the deployment."""
        return self.trace.outcome.end_time

    # ------------------------------------------------------------------ frames
    @property
    def events(self) -> pd.DataFrame:
        """One row per lifecycle event, traffic shift, alarm state change and rollback.

        Columns: ``time`` (s), ``minute``, ``deployment_id``, ``event``, ``status``, ``detail``.
        """
        return event_frame(self.trace.events, self.deployment_id, self.rollback_deployment_id)

    @property
    def timeline(self) -> pd.DataFrame:
        """One row per minute of the deployment, counting only traffic served before it ended.

        Columns: ``minute``, ``target_weight`` (percent at the minute's end),
        ``target_invocations``, ``target_errors``, ``current_invocations``, ``current_errors``,
        then one ``alarm:<name>`` column per alarm with its state at the minute's end.
        """
        plan, out = self.plan, self.trace.outcome
        end = out.end_time
        n = max(int(np.ceil(end / 60.0 - 1e-9)), 1)
        starts, ends = plan.edges[:-1], plan.edges[1:]
        served = (ends <= end + 1e-9) & (starts >= 0)
        minute = np.floor(starts / 60.0 + 1e-9).astype(int)
        frame: dict[str, Any] = {"minute": np.arange(n)}
        marks = np.minimum((np.arange(n) + 1) * 60.0, end)
        marks[-1] = end  # the last row shows the state the deployment ended in
        frame["target_weight"] = [_at(self.trace.weights, t) for t in marks]
        for name in (
            "target_invocations",
            "target_errors",
            "current_invocations",
            "current_errors",
        ):
            values = getattr(self.draws, name)[0]
            frame[name] = np.bincount(minute[served], weights=values[served], minlength=n)[
                :n
            ].astype(np.int64)
        for alarm, history in zip(plan.alarms, self.trace.alarm_states):
            frame[f"alarm:{alarm.name}"] = [_at(history, t) for t in marks]
        return pd.DataFrame(frame)

    @property
    def deployments(self) -> pd.DataFrame:
        """The original deployment and any rollback deployment it triggered."""
        out = self.trace.outcome
        rows: list[tuple[Any, ...]] = [
            (
                self.deployment_id,
                "user",
                out.status,
                out.error_code,
                0.0,
                out.end_time,
                self.rollback_deployment_id,
                None,
            )
        ]
        if self.rollback_deployment_id is not None:
            rows.append(
                (
                    self.rollback_deployment_id,
                    "codeDeployRollback",
                    DeploymentStatus.SUCCEEDED.value,
                    None,
                    out.end_time,
                    out.end_time,
                    None,
                    self.deployment_id,
                )
            )
        return pd.DataFrame(
            rows,
            columns=[
                "deployment_id",
                "creator",
                "status",
                "error_code",
                "start",
                "end",
                "rollback_deployment_id",
                "rollback_triggering_deployment_id",
            ],
        )

    @property
    def notifications(self) -> list[Notification]:
        """SNS trigger messages and EventBridge events, in time order."""
        ctx, out = self.context, self.trace.outcome
        end = out.end_time
        overview = {k: 0 for k in NOTIFICATION_OVERVIEW if k != InstanceStatus.READY}
        final = {**overview, target_status(out.status): 1}
        notes = ctx.deployment(
            0.0,
            "DeploymentStart",
            self.deployment_id,
            status=DeploymentStatus.IN_PROGRESS.value,
            create_time=0.0,
            complete_time=None,
            overview={**overview, InstanceStatus.IN_PROGRESS.value: 1},
        )
        event = END_TRIGGER_EVENTS[out.status]
        notes += ctx.deployment(
            end,
            event,
            self.deployment_id,
            status=out.status,
            create_time=0.0,
            complete_time=end,
            overview=final,
            error_code=out.error_code,
            error_message=self.error_message if out.error_code else None,
        )
        if self.rollback_deployment_id is not None:
            notes += ctx.deployment(
                end,
                "DeploymentRollback",
                self.deployment_id,
                status=out.status,
                create_time=0.0,
                complete_time=end,
                overview=final,
                error_code=out.error_code,
                error_message=self.error_message,
            )
            for name, status in (
                ("DeploymentStart", DeploymentStatus.IN_PROGRESS.value),
                ("DeploymentSuccess", DeploymentStatus.SUCCEEDED.value),
            ):
                notes += ctx.deployment(
                    end,
                    name,
                    self.rollback_deployment_id,
                    status=status,
                    create_time=end,
                    complete_time=end if status == DeploymentStatus.SUCCEEDED else None,
                    overview={**overview, target_status(status): 1},
                )
        return notes

    def summary(self, exposure_minutes: float = 60.0) -> pd.Series:
        """The run at a glance: status, timing (minutes) and what the target served.

        ``target_invocations`` and ``target_errors`` count what the new version served before
        the deployment ended or rolled back; ``exposure_errors`` adds the failures it is
        expected to serve afterwards, at the weight it ended with, for ``exposure_minutes``
        (default 60: until a person notices an escaped release; see
        :mod:`shiftsim._exposure`). ``detection_minute`` is when CodeDeploy saw an alarm,
        ``alarm_minute`` when the first alarm entered ALARM.
        """
        out = self.trace.outcome
        return pd.Series(
            {
                "status": out.status,
                "error_code": out.error_code,
                "rolled_back": out.rolled_back,
                "duration_minutes": out.end_time / 60.0,
                "alarm_minute": None if out.first_alarm_time is None else out.first_alarm_time / 60,
                "detection_minute": None if out.detection_time is None else out.detection_time / 60,
                "target_invocations": out.target_invocations,
                "target_errors": out.target_errors,
                "exposure_errors": exposure_of(self, exposure_minutes),
                "final_weight": out.final_percent,
            },
            name=self.deployment_id,
        )

    def __repr__(self) -> str:
        out = self.trace.outcome
        code = f" ({out.error_code})" if out.error_code else ""
        back = ", rolled back" if out.rolled_back else ""
        return (
            f"<TrafficRun {self.deployment_id} {self.plan.platform}: {out.status}{code}{back} "
            f"after {out.end_time / 60:.1f} min; target served "
            f"{_count(out.target_invocations, 'invocation')}, {_count(out.target_errors, 'error')}>"
        )

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw this run with :func:`shiftsim.plot.traffic` (which imports matplotlib).

        ``ax`` and ``options`` go to :func:`shiftsim.plot.traffic`; returns its Axes.
        """
        from shiftsim import plot

        return plot.traffic(self, ax=ax, **options)

    def _repr_html_(self) -> str:
        rows = [(str(k), v) for k, v in self.summary().items()]
        return table(f"{self.plan.platform} deployment {self.deployment_id}", rows)


def _count(n: int, noun: str) -> str:
    """``"1 error"``, ``"3 errors"``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


EVENT_COLUMNS = ["time", "minute", "deployment_id", "event", "status", "detail"]


def event_frame(
    events: tuple[tuple[float, str, str, str], ...], deployment_id: str, rollback_id: str | None
) -> pd.DataFrame:
    """The events table: the rollback's row belongs to the rollback deployment."""
    rows = [
        (
            time,
            time / 60.0,
            rollback_id if event == "Rollback" else deployment_id,
            event,
            status,
            detail,
        )
        for time, event, status, detail in events
    ]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def _at(history: tuple[tuple[float, Any], ...], time: float) -> Any:
    """The last value in a ``(time, value)`` history at or before ``time``."""
    value = history[0][1]
    for when, v in history:
        if when <= time + 1e-9:
            value = v
        else:
            break
    return value
