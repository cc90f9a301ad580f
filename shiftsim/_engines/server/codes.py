"""The integer codes in the Server engines' arrays: revisions, fault modes, lifecycle error
codes, failure causes and statuses, each with its names where a frame shows them."""

from __future__ import annotations

from shiftsim.vocabulary import InstanceStatus, LifecycleErrorCode

__all__ = [
    "AGENT_CAUSES",
    "CAUSES",
    "C_CLOCK_SKEW",
    "C_EVENT_TIMEOUT",
    "C_FILE_EXISTS",
    "C_LOAD_BALANCER",
    "C_NONE",
    "C_NOT_INSTALLED",
    "C_NOT_RUNNING",
    "C_S3",
    "C_SCRIPT",
    "C_STOPPED",
    "C_STOPPED_MID_EVENT",
    "E_FAILED",
    "E_MISSING",
    "E_NOT_EXECUTABLE",
    "E_SUCCESS",
    "E_TIMED_OUT",
    "E_UNKNOWN",
    "H_CURRENT",
    "H_OLD",
    "H_UNKNOWN",
    "LIFECYCLE_ERRORS",
    "MODE_FAIL",
    "MODE_FILE",
    "MODE_HANG",
    "MODE_LB",
    "MODE_MISSING",
    "MODE_NONE",
    "PER_INSTANCE",
    "REV_NONE",
    "REV_PREVIOUS",
    "REV_TARGET",
    "STATUSES",
    "S_FAILED",
    "S_PENDING",
    "S_READY",
    "S_SKIPPED",
    "S_SUCCEEDED",
    "S_UNKNOWN",
]

#: Revision codes: which revision's scripts run.
REV_NONE, REV_TARGET, REV_PREVIOUS = 0, 1, 2
#: Revision health codes, as :data:`shiftsim.fleet.REVISIONS` orders them (D13).
H_CURRENT, H_OLD, H_UNKNOWN = 0, 1, 2
#: ``PassPlan.event_source`` value for events that run the last successful install's scripts.
PER_INSTANCE = -1

#: LifecycleErrorCode (API:Diagnostics).
LIFECYCLE_ERRORS = (
    LifecycleErrorCode.SUCCESS.value,
    LifecycleErrorCode.SCRIPT_MISSING.value,
    LifecycleErrorCode.SCRIPT_NOT_EXECUTABLE.value,
    LifecycleErrorCode.SCRIPT_TIMED_OUT.value,
    LifecycleErrorCode.SCRIPT_FAILED.value,
    LifecycleErrorCode.UNKNOWN_ERROR.value,
)
E_SUCCESS, E_MISSING, E_NOT_EXECUTABLE, E_TIMED_OUT, E_FAILED, E_UNKNOWN = range(6)

#: Fault modes.
MODE_NONE, MODE_FAIL, MODE_HANG, MODE_MISSING, MODE_LB, MODE_FILE = range(6)

#: Why an instance failed, beyond its lifecycle error code (drives the diagnostics text).
CAUSES = (
    "none",
    "script",
    "agent not installed",
    "agent not running",
    "clock skew",
    "stopped",
    "s3 access",
    "event timeout",
    "stopped mid-event",
    "load balancer",
    "file exists",
)
(
    C_NONE,
    C_SCRIPT,
    C_NOT_INSTALLED,
    C_NOT_RUNNING,
    C_CLOCK_SKEW,
    C_STOPPED,
    C_S3,
    C_EVENT_TIMEOUT,
    C_STOPPED_MID_EVENT,
    C_LOAD_BALANCER,
    C_FILE_EXISTS,
) = range(11)
AGENT_CAUSES = (C_NOT_INSTALLED, C_NOT_RUNNING, C_CLOCK_SKEW, C_STOPPED)

#: Lifecycle event and instance status codes used in the arrays.
STATUSES = (
    InstanceStatus.SKIPPED.value,
    InstanceStatus.SUCCEEDED.value,
    InstanceStatus.FAILED.value,
    InstanceStatus.UNKNOWN.value,
    InstanceStatus.READY.value,
    InstanceStatus.PENDING.value,
)
S_SKIPPED, S_SUCCEEDED, S_FAILED, S_UNKNOWN, S_READY, S_PENDING = range(6)
