"""How CodeDeploy watches alarms for one deployment: overrides and failed reads of alarm state.

A deployment group's ``AlarmConfiguration`` has ``enabled``, ``ignorePollAlarmFailure`` and
``alarms`` (API:AlarmConfiguration). Lambda and ECS deployments carry the group's alarms and
``ignore_poll_alarm_failure``; a ``CreateDeployment`` call may replace all three for that one
deployment with ``overrideAlarmConfiguration`` (API:CreateDeploymentInput), given here as an
:class:`AlarmConfiguration`. AWS's suggested use is switching alarm polling off so that a fix can
be deployed while an alarm raised by the bad release still fires (cloudwatch-alarms.md 3.1).

When CodeDeploy cannot read alarm state from CloudWatch, "false: The deployment stops if alarm
status information can't be retrieved from Amazon CloudWatch. true: The deployment proceeds even
if alarm status information can't be retrieved" (API:AlarmConfiguration.ignorePollAlarmFailure).
:class:`AlarmReadFailure` injects that fault: every read of alarm state (a poll, D2) during
``[start_minute, end_minute)`` fails.

Choices where AWS documents nothing (also in FIDELITY_NOTES.md):

* the stop's error code is not documented; it is the fault's ``error_code``, by default
  ``THROTTLED`` (API:ErrorCode, "throttling by other AWS services", the common reason a
  ``DescribeAlarms`` call fails); ``IAM_ROLE_PERMISSIONS`` models a service role without
  ``cloudwatch:DescribeAlarms``, ``INTERNAL_ERROR`` anything else;
* the stop is a stop by the alarm monitoring, so it rolls back when ``auto_rollback`` holds
  ``DEPLOYMENT_STOP_ON_ALARM``;
* with ``ignore_poll_alarm_failure=True`` a failed read sees nothing: an alarm already in ALARM
  is noticed at the first read after the failure window.

Examples
--------
>>> from shiftsim import Alarm
>>> AlarmConfiguration(enabled=False)
AlarmConfiguration(enabled=False, ignore_poll_alarm_failure=False, alarms=())
>>> AlarmReadFailure(start_minute=2, end_minute=4).fails_at(150.0)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shiftsim._checks import check_choice, check_number, invalid
from shiftsim._validation import check_alarms
from shiftsim.alarms import Alarm
from shiftsim.vocabulary import ErrorCode

__all__ = [
    "READ_FAILURE_CODES",
    "AlarmConfiguration",
    "AlarmReadFailure",
    "check_monitoring",
    "watched_alarms",
]

#: Error codes a failed read of alarm state may stop a deployment with (API:ErrorCode).
READ_FAILURE_CODES = tuple(
    c.value for c in (ErrorCode.THROTTLED, ErrorCode.IAM_ROLE_PERMISSIONS, ErrorCode.INTERNAL_ERROR)
)


@dataclass(frozen=True, slots=True)
class AlarmConfiguration:
    """``CreateDeployment.overrideAlarmConfiguration``: the group's alarm settings replaced for
    one deployment (API:CreateDeploymentInput, API:AlarmConfiguration).

    Parameters
    ----------
    enabled : bool
        False: no alarm is watched during this deployment.
    ignore_poll_alarm_failure : bool
        Whether the deployment proceeds when alarm state cannot be read (default False: it
        stops).
    alarms : sequence of Alarm
        The alarms watched instead of the group's; at least one when ``enabled`` is True
        (InvalidAlarmConfigException), at most 10 (D9).

    Examples
    --------
    >>> from shiftsim import Alarm
    >>> AlarmConfiguration(alarms=[Alarm("errors")]).alarms[0].name
    'errors'
    """

    enabled: bool = True
    ignore_poll_alarm_failure: bool = False
    alarms: Sequence[Alarm] = ()

    def __post_init__(self) -> None:
        for name in ("enabled", "ignore_poll_alarm_failure"):
            if not isinstance(getattr(self, name), bool):
                raise invalid("AlarmConfiguration", name, getattr(self, name), "must be a bool")
        alarms = check_alarms("AlarmConfiguration", self.alarms)
        object.__setattr__(self, "alarms", alarms)
        if self.enabled and not alarms:
            raise invalid(
                "AlarmConfiguration",
                "alarms",
                [],
                "must name at least one alarm when enabled is True (InvalidAlarmConfigException)",
                "Use enabled=False to watch no alarm during this deployment.",
            )


@dataclass(frozen=True, slots=True)
class AlarmReadFailure:
    """A fault: CodeDeploy's reads of alarm state fail during ``[start_minute, end_minute)``.

    Parameters
    ----------
    start_minute, end_minute : float
        Minutes from the deployment's start; ``end_minute`` must not be before ``start_minute``.
    error_code : {"THROTTLED", "IAM_ROLE_PERMISSIONS", "INTERNAL_ERROR"}
        The code the deployment stops with when failures are not ignored (AWS documents none).

    Examples
    --------
    >>> AlarmReadFailure(0, 1).fails_at(60.0)
    False
    """

    start_minute: float
    end_minute: float
    error_code: str = ErrorCode.THROTTLED.value

    def __post_init__(self) -> None:
        check_number("AlarmReadFailure", "start_minute", self.start_minute, 0.0)
        check_number("AlarmReadFailure", "end_minute", self.end_minute, float(self.start_minute))
        check_choice("AlarmReadFailure", "error_code", self.error_code, READ_FAILURE_CODES)

    def fails_at(self, seconds: float) -> bool:
        """Whether a read of alarm state at ``seconds`` fails."""
        return 60.0 * self.start_minute <= seconds < 60.0 * self.end_minute

    def message(self) -> str:
        return (
            f"{self.error_code}: CodeDeploy could not read alarm state from CloudWatch, and "
            "ignorePollAlarmFailure is false."
        )


def check_monitoring(d: Any, owner: str) -> None:
    """Check a Lambda or ECS deployment's alarm-monitoring fields (in canonical form after)."""
    if not isinstance(d.ignore_poll_alarm_failure, bool):
        raise invalid(
            owner, "ignore_poll_alarm_failure", d.ignore_poll_alarm_failure, "must be a bool"
        )
    override = d.override_alarm_configuration
    if override is not None and not isinstance(override, AlarmConfiguration):
        raise invalid(
            owner,
            "override_alarm_configuration",
            override,
            "must be an AlarmConfiguration or None",
        )
    failures = d.alarm_read_failures
    failures = (failures,) if isinstance(failures, AlarmReadFailure) else tuple(failures)
    for i, failure in enumerate(failures):
        if not isinstance(failure, AlarmReadFailure):
            raise invalid(
                owner, f"alarm_read_failures[{i}]", failure, "must be an AlarmReadFailure"
            )
    object.__setattr__(d, "alarm_read_failures", failures)


def watched_alarms(d: Any) -> tuple[tuple[Alarm, ...], bool]:
    """The alarms a deployment watches and whether failed reads are ignored, after its
    ``override_alarm_configuration``."""
    override = d.override_alarm_configuration
    if override is None:
        return tuple(d.alarms), bool(d.ignore_poll_alarm_failure)
    alarms = tuple(override.alarms) if override.enabled else ()
    return alarms, override.ignore_poll_alarm_failure
