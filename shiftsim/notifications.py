"""CodeDeploy's notification payloads: SNS trigger messages and EventBridge events.

A simulated run yields :class:`Notification` objects in time order; pass
``on_notification=callable`` to :func:`shiftsim.simulate` to receive them as they happen.
The shapes follow codedeploy.md section 9:

* SNS triggers (``channel="sns"``): deployment events ``DeploymentStart``, ``DeploymentSuccess``,
  ``DeploymentFailure``, ``DeploymentStop``, ``DeploymentRollback``, ``DeploymentReady`` and
  instance events ``InstanceStart``, ``InstanceSuccess``, ``InstanceFailure``, ``InstanceReady``.
  Every number and timestamp is a string (epoch seconds with milliseconds), and keys inside
  ``errorInformation`` and ``lifecycleEvents`` are PascalCase.
* EventBridge (``channel="eventbridge"``): ``detail-type`` "CodeDeploy Deployment State-change
  Notification" or "CodeDeploy Instance State-change Notification", ``source`` "aws.codedeploy",
  ``detail.state`` one of ``START``, ``SUCCESS``, ``FAILURE``, ``STOP``, ``READY``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["Notification", "NotificationContext"]

DEPLOYMENT_DETAIL_TYPE = "CodeDeploy Deployment State-change Notification"
INSTANCE_DETAIL_TYPE = "CodeDeploy Instance State-change Notification"
#: SNS trigger event -> EventBridge state (codedeploy.md section 9.2; "STOP", never "STOPPED").
EVENTBRIDGE_STATE = {
    "DeploymentStart": "START",
    "DeploymentSuccess": "SUCCESS",
    "DeploymentFailure": "FAILURE",
    "DeploymentStop": "STOP",
    "DeploymentReady": "READY",
    "InstanceStart": "START",
    "InstanceSuccess": "SUCCESS",
    "InstanceFailure": "FAILURE",
    "InstanceReady": "READY",
}
DEFAULT_START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Notification:
    """One message CodeDeploy would send.

    Attributes
    ----------
    time : float
        Seconds since the deployment started.
    channel : {"sns", "eventbridge"}
    event : str
        The SNS trigger event name (``DeploymentStart``...) for both channels.
    payload : dict
        The message body (SNS) or the whole event (EventBridge).
    """

    time: float
    channel: str
    event: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NotificationContext:
    """Names and clocks a run's notifications share.

    ``start`` is the wall-clock time of simulated second 0 (fixed by default, so runs are
    reproducible).
    """

    application: str = "shiftsim-app"
    deployment_group: str = "shiftsim-group"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    trigger_name: str = "shiftsim-trigger"
    start: datetime = DEFAULT_START
    deployment_group_id: str = field(default="")

    def group_id(self) -> str:
        if self.deployment_group_id:
            return self.deployment_group_id
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.application}/{self.deployment_group}"))

    def epoch(self, seconds: float) -> str:
        """Epoch seconds with milliseconds as a string, as SNS trigger messages carry them."""
        return f"{self.start.timestamp() + seconds:.3f}"

    def iso(self, seconds: float) -> str:
        moment = self.start + timedelta(seconds=seconds)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def arns(self) -> list[str]:
        base = f"arn:aws:codedeploy:{self.region}:{self.account_id}"
        return [
            f"{base}:application:{self.application}",
            f"{base}:deploymentgroup:{self.application}/{self.deployment_group}",
        ]

    # ------------------------------------------------------------------ deployments
    def deployment(
        self,
        time: float,
        event: str,
        deployment_id: str,
        *,
        status: str,
        create_time: float,
        complete_time: float | None,
        overview: dict[str, int],
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> list[Notification]:
        """The SNS message and, where EventBridge has a state for it, the EventBridge event."""
        message: dict[str, Any] = {
            "region": self.region,
            "accountId": self.account_id,
            "eventTriggerName": self.trigger_name,
            "applicationName": self.application,
            "deploymentId": deployment_id,
            "deploymentGroupName": self.deployment_group,
            "createTime": self.epoch(create_time),
            "completeTime": None if complete_time is None else self.epoch(complete_time),
            "deploymentOverview": {k: str(v) for k, v in overview.items()},
            "status": status,  # the API's casing: the guide's sample says "Failed"
        }
        if error_code is not None:
            message["errorInformation"] = {
                "ErrorCode": error_code,
                "ErrorMessage": error_message or "",
            }
        out = [Notification(time, "sns", event, message)]
        state = EVENTBRIDGE_STATE.get(event)
        if state is not None:
            detail = {
                "instanceGroupId": self.group_id(),
                "region": self.region,
                "application": self.application,
                "deploymentId": deployment_id,
                "state": state,
                "deploymentGroup": self.deployment_group,
            }
            out.append(
                Notification(
                    time,
                    "eventbridge",
                    event,
                    self._event(time, DEPLOYMENT_DETAIL_TYPE, self.arns(), detail),
                )
            )
        return out

    # ------------------------------------------------------------------ instances
    def instance(
        self,
        time: float,
        event: str,
        deployment_id: str,
        instance_id: str,
        *,
        status: str,
        lifecycle: list[tuple[str, str, float | None, float | None]],
    ) -> list[Notification]:
        """Instance trigger payloads; ``lifecycle`` holds (event, status, start, end) rows."""
        arn = f"arn:aws:ec2:{self.region}:{self.account_id}:instance/{instance_id}"
        message = {
            "region": self.region,
            "accountId": self.account_id,
            "eventTriggerName": self.trigger_name,
            "deploymentId": deployment_id,
            "instanceId": arn,
            "lastUpdatedAt": self.epoch(time),
            "instanceStatus": status,
            "lifecycleEvents": [
                {
                    "LifecycleEvent": name,
                    "LifecycleEventStatus": st,
                    "StartTime": None if start is None else self.epoch(start),
                    "EndTime": None if end is None else self.epoch(end),
                }
                for name, st, start, end in lifecycle
            ],
        }
        out = [Notification(time, "sns", event, message)]
        state = EVENTBRIDGE_STATE.get(event)
        if state is not None:
            detail = {
                "instanceGroupId": self.group_id(),
                "region": self.region,
                "application": self.application,
                "deploymentId": deployment_id,
                "state": state,
                "deploymentGroup": self.deployment_group,
                "instanceId": instance_id,
            }
            out.append(
                Notification(
                    time,
                    "eventbridge",
                    event,
                    self._event(time, INSTANCE_DETAIL_TYPE, [*self.arns(), arn], detail),
                )
            )
        return out

    def _event(
        self, time: float, detail_type: str, resources: list[str], detail: dict[str, Any]
    ) -> dict[str, Any]:
        key = f"{detail['deploymentId']}/{detail_type}/{detail['state']}/{time}"
        return {
            "version": "0",
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, key + detail.get("instanceId", ""))),
            "detail-type": detail_type,
            "source": "aws.codedeploy",
            "account": self.account_id,
            "time": self.iso(time),
            "region": self.region,
            "resources": resources,
            "detail": detail,
        }
