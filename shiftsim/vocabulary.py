"""CodeDeploy's vocabulary in one place: lifecycle events, statuses, error codes and limits.

Every platform module, engine and format reader takes its names and numbers from here, so a
lifecycle-event list, a status spelling or the 3,600-second limit exists exactly once. Each fact
names its source in the tags of ``shiftsim``'s reference (``UG:<file>``: the CodeDeploy User Guide;
``API:<Shape>``: the CodeDeploy API model; ``D<n>``: a modelling decision of the reference). The
limits and their sources are also listed in :data:`LIMITS`.

Statuses and codes are ``str``-valued enums: a member *is* its AWS spelling, so
``run.status == "Succeeded"``, ``f"{code}"`` and ``json.dumps`` all see the plain string.

Examples
--------
>>> from shiftsim.vocabulary import DeploymentStatus, ErrorCode, lifecycle_events
>>> DeploymentStatus.SUCCEEDED == "Succeeded"
True
>>> f"{ErrorCode.ALARM_ACTIVE}"
'ALARM_ACTIVE'
>>> lifecycle_events("Lambda")
('BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "BLUE_GREEN_STYLE",
    "CLOCK_SKEW_TOLERANCE_SECONDS",
    "DEFAULT_SCRIPT_TIMEOUT_SECONDS",
    "DEFAULT_TERMINATION_WAIT_MINUTES",
    "ECS_EVENTS",
    "END_TRIGGER_EVENTS",
    "EVENT_START_TIMEOUT_SECONDS",
    "GROUP_KEYS",
    "GROUP_RECORD_KEYS",
    "HOOKABLE_EVENTS",
    "LAMBDA_EVENTS",
    "LIFECYCLE_EVENT_TIMEOUT_SECONDS",
    "LIMITS",
    "MAX_ALARMS",
    "MAX_BLUE_GREEN_RUN_MINUTES",
    "MAX_ECS_READY_WAIT_MINUTES",
    "MAX_IN_PLACE_RUN_MINUTES",
    "MAX_LEGACY_IN_PLACE_RUN_MINUTES",
    "MAX_READY_WAIT_MINUTES",
    "MAX_SHIFTING_MINUTES",
    "MAX_STEP_PERCENT",
    "MAX_TERMINATION_WAIT_MINUTES",
    "NOTIFICATION_OVERVIEW",
    "OVERVIEW",
    "PREVIOUS_REVISION_EVENTS",
    "PSEUDO_EVENTS",
    "SERVER_ALLOW_EVENTS",
    "SERVER_BLOCK_EVENTS",
    "SERVER_BUILTIN_EVENTS",
    "SERVER_EVENTS",
    "SERVER_INSTALL_EVENTS",
    "UNHOOKABLE_EVENTS",
    "ComputePlatform",
    "DeploymentStatus",
    "DeploymentType",
    "ErrorCode",
    "HookStatus",
    "InstanceStatus",
    "LifecycleErrorCode",
    "LifecycleEventStatus",
    "Limit",
    "StopStatus",
    "lifecycle_events",
    "target_status",
]


class _Name(str, enum.Enum):
    """A member equal to, hashing as, printing as and formatting as its AWS spelling."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    # Enum hashes by member name; hash by value so ``{"Succeeded": ...}[SUCCEEDED]`` works.
    __hash__ = str.__hash__


# ============================================================================ platforms
class ComputePlatform(_Name):
    """The compute platforms (API:ComputePlatform)."""

    SERVER = "Server"
    LAMBDA = "Lambda"
    ECS = "ECS"


class DeploymentType(_Name):
    """How a deployment replaces the application (API:DeploymentType)."""

    IN_PLACE = "IN_PLACE"
    BLUE_GREEN = "BLUE_GREEN"


# ============================================================================ lifecycle events
#: Pseudo-events that open and close every deployment's event list; never hookable
#: (UG:reference-appspec-file-structure-hooks.md).
PSEUDO_EVENTS = ("Start", "End")

#: Lambda's events in run order, pseudo-events aside (codedeploy.md 4.4;
#: UG:reference-appspec-file-structure-hooks.md).
LAMBDA_EVENTS = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")

#: ECS's events in run order (codedeploy.md 4.3; UG:deployment-steps-ecs.md).
ECS_EVENTS = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)

#: EC2/on-premises: taking an instance out of its load balancer (codedeploy.md 4.1).
SERVER_BLOCK_EVENTS = ("BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic")
#: EC2/on-premises: installing the revision, in the agent's order (codedeploy.md 4.1;
#: Agent:deployer.rb ``DEFAULT_ORDERED_LIFECYCLE_EVENTS``).
SERVER_INSTALL_EVENTS = (
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
)
#: EC2/on-premises: putting an instance back behind its load balancer (codedeploy.md 4.1).
SERVER_ALLOW_EVENTS = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
#: Every EC2/on-premises event in run order, as an in-place deployment with a load balancer runs
#: them (codedeploy.md 4.1).
SERVER_EVENTS = SERVER_BLOCK_EVENTS + SERVER_INSTALL_EVENTS + SERVER_ALLOW_EVENTS

#: The EC2/on-premises events CodeDeploy and its agent do themselves: they take time on the
#: instance but run no scripts (codedeploy.md 4.1 "Reserved events";
#: UG:reference-appspec-file-structure-hooks.md). Not the same as :data:`UNHOOKABLE_EVENTS`,
#: which also names the pseudo-events and the other platforms' events.
SERVER_BUILTIN_EVENTS = ("DownloadBundle", "Install", "BlockTraffic", "AllowTraffic")

#: EC2/on-premises events whose scripts come from the last successful install on the instance,
#: not from the revision being deployed (codedeploy.md 4.1; API:CreateDeploymentInput).
PREVIOUS_REVISION_EVENTS = ("ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic")

#: Events a script (Server) or hook function (Lambda, ECS) can hook, per platform, in run order
#: (UG:reference-appspec-file-structure-hooks.md; API:PutLifecycleEventHookExecutionStatus).
HOOKABLE_EVENTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Server": tuple(e for e in SERVER_EVENTS if e not in SERVER_BUILTIN_EVENTS),
        "Lambda": ("BeforeAllowTraffic", "AfterAllowTraffic"),
        "ECS": (
            "BeforeInstall",
            "AfterInstall",
            "AfterAllowTestTraffic",
            "BeforeAllowTraffic",
            "AfterAllowTraffic",
        ),
    }
)

#: Events CodeDeploy runs itself, per platform, which no script or function can hook: the
#: pseudo-events and the reserved events (UG:reference-appspec-file-structure-hooks.md;
#: codedeploy.md 4.1, 4.3, 4.4). ECS's test-traffic step is spelled both ``TestTraffic`` and
#: ``AllowTestTraffic`` in AWS's pages; both are listed.
UNHOOKABLE_EVENTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Server": ("Start", *SERVER_BUILTIN_EVENTS, "End"),
        "Lambda": ("Start", "AllowTraffic", "End"),
        "ECS": ("Start", "Install", "TestTraffic", "AllowTestTraffic", "AllowTraffic", "End"),
    }
)

Role = Literal["deployment", "replacement", "original", "rollback_replacement", "rollback_original"]


def lifecycle_events(
    platform: str,
    deployment_type: str = "IN_PLACE",
    *,
    load_balancer: bool = True,
    role: Role = "deployment",
) -> tuple[str, ...]:
    """The lifecycle events one target runs, in order, pseudo-events aside.

    Parameters
    ----------
    platform : {"Server", "Lambda", "ECS"}
        The compute platform.
    deployment_type : {"IN_PLACE", "BLUE_GREEN"}
        Server only; Lambda and ECS deployments are always blue/green in AWS's sense and take
        the default.
    load_balancer : bool
        Server in-place only: without a load balancer the six traffic events do not apply
        (UG:reference-appspec-file-structure-hooks.md; codedeploy.md 4.1).
    role : str
        Server blue/green only: which instances (codedeploy.md 4.2, "Lifecycle event hook
        availability"): ``"replacement"`` (install then allow traffic), ``"original"`` (block
        traffic), ``"rollback_replacement"`` (block traffic) or ``"rollback_original"`` (allow
        traffic). ``"deployment"`` (the default) means the replacement instances.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> lifecycle_events("Server", load_balancer=False)[:2]
    ('ApplicationStop', 'DownloadBundle')
    >>> lifecycle_events("Server", "BLUE_GREEN", role="original")
    ('BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic')
    """
    if platform == "Lambda":
        return LAMBDA_EVENTS
    if platform == "ECS":
        return ECS_EVENTS
    if platform != "Server":
        raise ValueError(f"platform must be one of ('Server', 'Lambda', 'ECS'); got {platform!r}.")
    if deployment_type == "IN_PLACE":
        return SERVER_EVENTS if load_balancer else SERVER_INSTALL_EVENTS
    if deployment_type != "BLUE_GREEN":
        raise ValueError(
            f"deployment_type must be 'IN_PLACE' or 'BLUE_GREEN'; got {deployment_type!r}."
        )
    by_role = {
        "deployment": SERVER_INSTALL_EVENTS + SERVER_ALLOW_EVENTS,
        "replacement": SERVER_INSTALL_EVENTS + SERVER_ALLOW_EVENTS,
        "original": SERVER_BLOCK_EVENTS,
        "rollback_replacement": SERVER_BLOCK_EVENTS,
        "rollback_original": SERVER_ALLOW_EVENTS,
    }
    if role not in by_role:
        raise ValueError(f"role must be one of {tuple(by_role)}; got {role!r}.")
    return by_role[role]


# ============================================================================ statuses
class DeploymentStatus(_Name):
    """A deployment's status (API:DeploymentStatus; codedeploy.md 10.1)."""

    CREATED = "Created"
    QUEUED = "Queued"
    IN_PROGRESS = "InProgress"
    BAKING = "Baking"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    STOPPED = "Stopped"
    READY = "Ready"

    @property
    def terminal(self) -> bool:
        """Whether the deployment has ended (the ``DeploymentSuccessful`` waiter's final
        states, codedeploy.md 10.1)."""
        return self in _TERMINAL


_TERMINAL = frozenset(
    {DeploymentStatus.SUCCEEDED, DeploymentStatus.FAILED, DeploymentStatus.STOPPED}
)


class InstanceStatus(_Name):
    """A target's (instance's) status (API:InstanceStatus, API:TargetStatus)."""

    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SKIPPED = "Skipped"
    UNKNOWN = "Unknown"
    READY = "Ready"


def _no_counts(*statuses: InstanceStatus) -> Mapping[str, int]:
    """A read-only count of zero per status, keyed by the statuses' plain spellings in order."""
    return MappingProxyType(dict.fromkeys((s.value for s in statuses), 0))


#: A deployment's ``deploymentOverview`` with nothing counted yet: one zero per instance status,
#: keyed by the plain spelling, in the API's order (API:DeploymentOverview). Read-only; copy it
#: (``dict(OVERVIEW)``) to count.
OVERVIEW: Mapping[str, int] = _no_counts(
    InstanceStatus.PENDING,
    InstanceStatus.IN_PROGRESS,
    InstanceStatus.SUCCEEDED,
    InstanceStatus.FAILED,
    InstanceStatus.SKIPPED,
    InstanceStatus.READY,
)
#: The same counts in the order shiftsim's SNS and EventBridge messages list them
#: (their ``deploymentOverview``; codedeploy.md section 9): alphabetical, ``Ready`` last. A Lambda
#: or ECS deployment has no ``Ready`` instances and leaves that key out.
NOTIFICATION_OVERVIEW: Mapping[str, int] = _no_counts(
    InstanceStatus.FAILED,
    InstanceStatus.IN_PROGRESS,
    InstanceStatus.PENDING,
    InstanceStatus.SKIPPED,
    InstanceStatus.SUCCEEDED,
    InstanceStatus.READY,
)

#: The SNS trigger event a deployment sends when it ends with each status (codedeploy.md
#: section 9.1: DeploymentSuccess, DeploymentFailure, DeploymentStop).
END_TRIGGER_EVENTS: Mapping[str, str] = MappingProxyType(
    {
        DeploymentStatus.SUCCEEDED.value: "DeploymentSuccess",
        DeploymentStatus.FAILED.value: "DeploymentFailure",
        DeploymentStatus.STOPPED.value: "DeploymentStop",
    }
)


def target_status(deployment_status: str) -> str:
    """The status of a Lambda or ECS deployment's one target while the deployment is
    ``deployment_status`` (API:TargetStatus): in progress while it runs, succeeded with it, and
    failed when it fails or is stopped.

    Examples
    --------
    >>> target_status("Stopped")
    'Failed'
    """
    if deployment_status == DeploymentStatus.IN_PROGRESS:
        return InstanceStatus.IN_PROGRESS.value
    succeeded = deployment_status == DeploymentStatus.SUCCEEDED
    return (InstanceStatus.SUCCEEDED if succeeded else InstanceStatus.FAILED).value


class LifecycleEventStatus(_Name):
    """A lifecycle event's status on one target (API:LifecycleEventStatus)."""

    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SKIPPED = "Skipped"
    UNKNOWN = "Unknown"


class HookStatus(_Name):
    """What a Lambda or ECS hook function reports: only these two are accepted
    (API:PutLifecycleEventHookExecutionStatusInput; codedeploy.md 10.1)."""

    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class StopStatus(_Name):
    """What ``StopDeployment`` answers (API:StopStatus)."""

    PENDING = "Pending"
    SUCCEEDED = "Succeeded"


# ============================================================================ error codes
class LifecycleErrorCode(_Name):
    """Why a lifecycle event failed on an instance (API:Diagnostics ``errorCode``)."""

    SUCCESS = "Success"
    SCRIPT_MISSING = "ScriptMissing"
    SCRIPT_NOT_EXECUTABLE = "ScriptNotExecutable"
    SCRIPT_TIMED_OUT = "ScriptTimedOut"
    SCRIPT_FAILED = "ScriptFailed"
    UNKNOWN_ERROR = "UnknownError"


class ErrorCode(_Name):
    """Why a deployment failed or stopped (API:ErrorCode, complete; codedeploy.md 10.2).

    :attr:`message` is the console's text for the codes whose text shiftsim reproduces, else
    ``""``; the engines add the run's details (which alarms, which hook) after it.
    """

    AGENT_ISSUE = "AGENT_ISSUE"
    ALARM_ACTIVE = "ALARM_ACTIVE"
    APPLICATION_MISSING = "APPLICATION_MISSING"
    AUTOSCALING_VALIDATION_ERROR = "AUTOSCALING_VALIDATION_ERROR"
    AUTO_SCALING_CONFIGURATION = "AUTO_SCALING_CONFIGURATION"
    AUTO_SCALING_IAM_ROLE_PERMISSIONS = "AUTO_SCALING_IAM_ROLE_PERMISSIONS"
    CODEDEPLOY_RESOURCE_CANNOT_BE_FOUND = "CODEDEPLOY_RESOURCE_CANNOT_BE_FOUND"
    CUSTOMER_APPLICATION_UNHEALTHY = "CUSTOMER_APPLICATION_UNHEALTHY"
    DEPLOYMENT_GROUP_MISSING = "DEPLOYMENT_GROUP_MISSING"
    ECS_UPDATE_ERROR = "ECS_UPDATE_ERROR"
    ELASTIC_LOAD_BALANCING_INVALID = "ELASTIC_LOAD_BALANCING_INVALID"
    ELB_INVALID_INSTANCE = "ELB_INVALID_INSTANCE"
    HEALTH_CONSTRAINTS = "HEALTH_CONSTRAINTS"
    HEALTH_CONSTRAINTS_INVALID = "HEALTH_CONSTRAINTS_INVALID"
    HOOK_EXECUTION_FAILURE = "HOOK_EXECUTION_FAILURE"
    IAM_ROLE_MISSING = "IAM_ROLE_MISSING"
    IAM_ROLE_PERMISSIONS = "IAM_ROLE_PERMISSIONS"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    INVALID_ECS_SERVICE = "INVALID_ECS_SERVICE"
    INVALID_LAMBDA_CONFIGURATION = "INVALID_LAMBDA_CONFIGURATION"
    INVALID_LAMBDA_FUNCTION = "INVALID_LAMBDA_FUNCTION"
    INVALID_REVISION = "INVALID_REVISION"
    MANUAL_STOP = "MANUAL_STOP"
    MISSING_BLUE_GREEN_DEPLOYMENT_CONFIGURATION = "MISSING_BLUE_GREEN_DEPLOYMENT_CONFIGURATION"
    MISSING_ELB_INFORMATION = "MISSING_ELB_INFORMATION"
    MISSING_GITHUB_TOKEN = "MISSING_GITHUB_TOKEN"
    NO_EC2_SUBSCRIPTION = "NO_EC2_SUBSCRIPTION"
    NO_INSTANCES = "NO_INSTANCES"
    OVER_MAX_INSTANCES = "OVER_MAX_INSTANCES"
    RESOURCE_LIMIT_EXCEEDED = "RESOURCE_LIMIT_EXCEEDED"
    REVISION_MISSING = "REVISION_MISSING"
    THROTTLED = "THROTTLED"
    TIMEOUT = "TIMEOUT"
    CLOUDFORMATION_STACK_FAILURE = "CLOUDFORMATION_STACK_FAILURE"

    @property
    def message(self) -> str:
        """AWS's text for this code, or ``""`` where shiftsim has none."""
        return _MESSAGES.get(self, "")


# The console's texts (UG:error-codes.md; UG:monitoring-cloudwatch-events.md for ALARM_ACTIVE).
# The Lambda/ECS engines word the alarm and manual-stop messages their own way (kept as they
# are so results do not change); these are the EC2/on-premises wordings.
_MESSAGES = {
    ErrorCode.HEALTH_CONSTRAINTS: (
        "The overall deployment failed because too many individual instances failed "
        "deployment, too few healthy instances are available for deployment, or some instances "
        "in your deployment group are experiencing problems."
    ),
    ErrorCode.NO_INSTANCES: (
        "The deployment failed because no instances were found for your deployment group. "
        "Check your deployment group settings to make sure the tags for your EC2 instances or "
        "Auto Scaling groups correctly identify the instances you want to deploy to."
    ),
    ErrorCode.MANUAL_STOP: "The deployment was stopped by a StopDeployment request.",
    ErrorCode.ALARM_ACTIVE: (
        "One or more alarms have been activated according to the Amazon CloudWatch metrics you "
        "selected, and the affected deployments have been stopped."
    ),
    ErrorCode.AGENT_ISSUE: (
        "CodeDeploy agent was not able to receive the lifecycle event. Check the CodeDeploy "
        "agent logs on your host and make sure the agent is running and can connect to the "
        "CodeDeploy server."
    ),
}


# ============================================================================ limits
#: Seconds a lifecycle event may run before it fails: the most a Server event's scripts may
#: take, and how long a Lambda or ECS hook has to report (D10; UG:limits.md; codedeploy.md 4.1
#: "Hook script timeouts", 4.5, 10.4).
LIFECYCLE_EVENT_TIMEOUT_SECONDS = 3600
#: Timeout of a hook script whose AppSpec gives none, in seconds (D10;
#: UG:reference-appspec-file-structure-hooks.md; Agent:script_info.rb; codedeploy.md 4.1).
DEFAULT_SCRIPT_TIMEOUT_SECONDS = 3600
#: Seconds after which a lifecycle event that never starts fails (D10; UG:limits.md;
#: codedeploy.md 10.4).
EVENT_START_TIMEOUT_SECONDS = 300
#: Clock skew an instance's agent tolerates, in seconds (D7; codedeploy.md 10.3).
CLOCK_SKEW_TOLERANCE_SECONDS = 300
#: Longest time between the first and last traffic shift, in minutes (UG:limits.md;
#: codedeploy.md 2.2).
MAX_SHIFTING_MINUTES = 2880
#: Largest percentage one canary or linear increment may shift (UG:limits.md; codedeploy.md 2.2).
MAX_STEP_PERCENT = 99
#: Alarms per deployment group (D9; API:AlarmConfiguration; codedeploy.md D9).
MAX_ALARMS = 10
#: Default wait before blue/green originals (instances, task set) are removed, minutes (D12).
DEFAULT_TERMINATION_WAIT_MINUTES = 60
#: Largest ``terminationWaitTimeInMinutes`` (D12; API:BlueInstanceTerminationOption;
#: codedeploy.md 7).
MAX_TERMINATION_WAIT_MINUTES = 2880
#: Largest blue/green ``waitTimeInMinutes`` before rerouting (UG:limits.md "48 h";
#: API:DeploymentReadyOption; codedeploy.md 7).
MAX_READY_WAIT_MINUTES = 2880
#: Longest an EC2/on-premises in-place deployment may run, in minutes: 12 hours with a predefined
#: configuration or a custom one created since June 2023 (D15; UG:limits.md, current quotas
#: page).
MAX_IN_PLACE_RUN_MINUTES = 720
#: The same for a custom configuration created before June 2023: 8 hours (D15; UG:limits.md).
MAX_LEGACY_IN_PLACE_RUN_MINUTES = 480
#: Longest an EC2 blue/green deployment may run, in minutes: 109 hours (D15; UG:limits.md:
#: 48 h + 48 h + 1 h for each of 13 lifecycle events; codedeploy.md 7).
MAX_BLUE_GREEN_RUN_MINUTES = 109 * 60
#: Largest ECS ready wait, minutes: "120 hours" between the replacement task set's deployment and
#: the production traffic shift (UG:limits.md; codedeploy.md 7 and 12, item 9).
MAX_ECS_READY_WAIT_MINUTES = 7200


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit of :data:`LIMITS`: its value, unit and source."""

    value: int
    unit: str
    source: str


#: Every limit above by its constant's name, with its unit and source.
LIMITS: Mapping[str, Limit] = MappingProxyType(
    {
        "LIFECYCLE_EVENT_TIMEOUT_SECONDS": Limit(
            LIFECYCLE_EVENT_TIMEOUT_SECONDS,
            "seconds",
            "D10; UG:limits.md; codedeploy.md 4.1 (Hook script timeouts), 4.5, 10.4",
        ),
        "DEFAULT_SCRIPT_TIMEOUT_SECONDS": Limit(
            DEFAULT_SCRIPT_TIMEOUT_SECONDS,
            "seconds",
            "D10; UG:reference-appspec-file-structure-hooks.md; codedeploy.md 4.1",
        ),
        "EVENT_START_TIMEOUT_SECONDS": Limit(
            EVENT_START_TIMEOUT_SECONDS, "seconds", "D10; UG:limits.md; codedeploy.md 10.4"
        ),
        "CLOCK_SKEW_TOLERANCE_SECONDS": Limit(
            CLOCK_SKEW_TOLERANCE_SECONDS, "seconds", "D7; codedeploy.md 10.3 (Clock skew)"
        ),
        "MAX_SHIFTING_MINUTES": Limit(
            MAX_SHIFTING_MINUTES, "minutes", "UG:limits.md; codedeploy.md 2.2"
        ),
        "MAX_STEP_PERCENT": Limit(MAX_STEP_PERCENT, "percent", "UG:limits.md; codedeploy.md 2.2"),
        "MAX_ALARMS": Limit(MAX_ALARMS, "alarms", "D9; API:AlarmConfiguration"),
        "DEFAULT_TERMINATION_WAIT_MINUTES": Limit(
            DEFAULT_TERMINATION_WAIT_MINUTES, "minutes", "D12"
        ),
        "MAX_TERMINATION_WAIT_MINUTES": Limit(
            MAX_TERMINATION_WAIT_MINUTES,
            "minutes",
            "D12; API:BlueInstanceTerminationOption; codedeploy.md 7",
        ),
        "MAX_READY_WAIT_MINUTES": Limit(
            MAX_READY_WAIT_MINUTES,
            "minutes",
            "UG:limits.md; API:DeploymentReadyOption; codedeploy.md 7",
        ),
        "MAX_IN_PLACE_RUN_MINUTES": Limit(
            MAX_IN_PLACE_RUN_MINUTES, "minutes", "D15; UG:limits.md (current quotas page)"
        ),
        "MAX_LEGACY_IN_PLACE_RUN_MINUTES": Limit(
            MAX_LEGACY_IN_PLACE_RUN_MINUTES, "minutes", "D15; UG:limits.md"
        ),
        "MAX_BLUE_GREEN_RUN_MINUTES": Limit(
            MAX_BLUE_GREEN_RUN_MINUTES, "minutes", "D15; UG:limits.md; codedeploy.md 7"
        ),
        "MAX_ECS_READY_WAIT_MINUTES": Limit(
            MAX_ECS_READY_WAIT_MINUTES, "minutes", "UG:limits.md; codedeploy.md 7, 12 item 9"
        ),
    }
)

# ============================================================================ API shapes

#: ``deploymentStyle`` of every Lambda and ECS deployment group (API:DeploymentStyle).
BLUE_GREEN_STYLE = {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
#: Keys of ``deploymentGroupInfo`` (API:DeploymentGroupInfo) that record a group (its ID, tags,
#: last revision and deployments) rather than say how it deploys: accepted, and not read.
GROUP_RECORD_KEYS = (
    "deploymentGroupId",
    "tags",
    "targetRevision",
    "lastSuccessfulDeployment",
    "lastAttemptedDeployment",
)
#: Keys of ``create_deployment_group`` (API:CreateDeploymentGroupInput) and of
#: ``deploymentGroupInfo`` (API:DeploymentGroupInfo) that shiftsim.boto and shiftsim.aws read
#: or accept.
GROUP_KEYS = (
    "applicationName",
    "deploymentGroupName",
    "deploymentConfigName",
    "computePlatform",
    "serviceRoleArn",
    "triggerConfigurations",
    "alarmConfiguration",
    "autoRollbackConfiguration",
    "deploymentStyle",
    "blueGreenDeploymentConfiguration",
    "loadBalancerInfo",
    "ecsServices",
    "ec2TagFilters",
    "ec2TagSet",
    "onPremisesInstanceTagFilters",
    "onPremisesTagSet",
    "autoScalingGroups",
    "outdatedInstancesStrategy",
    "terminationHookEnabled",
    "ec2DeploymentOptions",
    *GROUP_RECORD_KEYS,
)
