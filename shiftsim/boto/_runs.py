"""Runs out (private): a simulated run as get_deployment reports it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shiftsim._checks import invalid
from shiftsim.boto._revisions import to_revision
from shiftsim.boto._server import server_get_deployment
from shiftsim.ecs import (
    EcsDeployment,
    EcsRun,
)
from shiftsim.lambda_ import LambdaDeployment
from shiftsim.results import TrafficRun
from shiftsim.server import ServerRun
from shiftsim.vocabulary import (
    BLUE_GREEN_STYLE,
    OVERVIEW,
    DeploymentStatus,
    InstanceStatus,
    target_status,
)

__all__ = ["to_get_deployment"]


def deployment_of(
    run: TrafficRun | EcsRun, deployment: Any
) -> LambdaDeployment | EcsDeployment | None:
    if deployment is not None:
        if not isinstance(deployment, (LambdaDeployment, EcsDeployment)):
            raise invalid(
                "to_get_deployment",
                "deployment",
                deployment,
                "must be the LambdaDeployment or EcsDeployment that was simulated",
            )
        return deployment
    found = run.deployment
    return found if isinstance(found, (LambdaDeployment, EcsDeployment)) else None


def to_get_deployment(
    run: Any,
    *,
    deployment: LambdaDeployment | EcsDeployment | None = None,
    deployment_id: str | None = None,
) -> dict[str, Any]:
    """A run as ``get_deployment`` would report it: ``{"deploymentInfo": {...}}``.

    Parameters
    ----------
    run : TrafficRun, EcsRun or ServerRun
    deployment : LambdaDeployment or EcsDeployment, optional
        What was simulated; an :class:`~shiftsim.ecs.EcsRun` carries it. Without it a
        :class:`~shiftsim.results.TrafficRun` cannot tell ``deploymentConfigName``,
        ``revision`` or ``autoRollbackConfiguration``, and those keys are left out.
    deployment_id : str, optional
        ``run.rollback_deployment_id`` to report the rollback deployment (creator
        ``codeDeployRollback``) instead of the original one; for a Server run any deployment of
        ``run.deployments`` (rollback, launch and ``CodeDeployAutoUpdate`` follow-ups).

    Returns
    -------
    dict
        API:DeploymentInfo fields: ``deploymentId``, ``applicationName``,
        ``deploymentGroupName``, ``deploymentConfigName``, ``status``, ``errorInformation``
        (``code``, ``message``), ``createTime``/``startTime``/``completeTime`` (timezone-aware
        datetimes, as boto3 returns them), ``creator``, ``deploymentOverview``,
        ``rollbackInfo`` (``rollbackDeploymentId``, ``rollbackTriggeringDeploymentId``,
        ``rollbackMessage``), ``computePlatform``, ``deploymentStyle``, and for ECS
        ``instanceTerminationWaitTimeStarted`` and ``blueGreenDeploymentConfiguration``;
        ``overrideAlarmConfiguration`` when the deployment has one; for Server
        ``fileExistsBehavior`` when the deployment sets it.

    Examples
    --------
    >>> import shiftsim
    >>> run = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=1)
    >>> info = to_get_deployment(run)["deploymentInfo"]
    >>> info["status"], info["creator"], info["deploymentOverview"]["Succeeded"]
    ('Succeeded', 'user', 1)
    >>> (info["completeTime"] - info["createTime"]).total_seconds() == run.duration
    True
    """
    if isinstance(run, ServerRun):
        return server_get_deployment(run, deployment_id)
    if not isinstance(run, (TrafficRun, EcsRun)):
        raise invalid("to_get_deployment", "run", run, "must be a TrafficRun, EcsRun or ServerRun")
    found = deployment_of(run, deployment)
    traffic = run.run if isinstance(run, EcsRun) else run
    start: datetime = traffic.context.start
    end = start + timedelta(seconds=traffic.outcome.end_time)
    is_rollback = reports_rollback(traffic, deployment_id)
    info = identity(traffic, is_rollback)
    if found is not None:
        info.update(deployment_settings(found, with_revision=not is_rollback))
    if is_rollback:
        info.update(rollback_outcome(traffic, end))
    else:
        info.update(own_outcome(run, traffic, start, end))
    return {"deploymentInfo": info}


def reports_rollback(traffic: TrafficRun, deployment_id: str | None) -> bool:
    """Whether ``deployment_id`` asks for the run's rollback deployment (it must name the run's
    own deployment, its rollback, or be None)."""
    rollback_id = traffic.rollback_deployment_id
    if deployment_id is not None and deployment_id not in (traffic.deployment_id, rollback_id):
        raise invalid(
            "to_get_deployment",
            "deployment_id",
            deployment_id,
            f"must be the run's deployment ({traffic.deployment_id!r}) or its rollback "
            f"({rollback_id!r})",
        )
    return deployment_id is not None and deployment_id == rollback_id


def identity(traffic: TrafficRun, is_rollback: bool) -> dict[str, Any]:
    """The fields that say which deployment this is, and those that never vary for Lambda/ECS."""
    ctx = traffic.context
    return {
        "applicationName": ctx.application,
        "deploymentGroupName": ctx.deployment_group,
        "deploymentId": traffic.rollback_deployment_id if is_rollback else traffic.deployment_id,
        "computePlatform": traffic.plan.platform,
        "deploymentStyle": dict(BLUE_GREEN_STYLE),
        "ignoreApplicationStopFailures": False,
        "updateOutdatedInstancesOnly": False,
    }


def deployment_settings(
    found: LambdaDeployment | EcsDeployment, *, with_revision: bool
) -> dict[str, Any]:
    """What only the simulated deployment tells: configuration, revision (not reported for a
    rollback), auto-rollback and an alarm override."""
    info: dict[str, Any] = {"deploymentConfigName": found.deployment_config.name}
    if with_revision:
        info["revision"] = to_revision(found)
    info["autoRollbackConfiguration"] = found.auto_rollback.to_boto()
    override = found.override_alarm_configuration
    if override is not None:
        # API:DeploymentInfo.overrideAlarmConfiguration (codedeploy-api.md 3.2).
        info["overrideAlarmConfiguration"] = {
            "enabled": override.enabled,
            "ignorePollAlarmFailure": override.ignore_poll_alarm_failure,
            "alarms": [{"name": alarm.name} for alarm in override.alarms],
        }
    return info


def rollback_outcome(traffic: TrafficRun, end: datetime) -> dict[str, Any]:
    """A rollback is a new deployment of the last good revision, reported as succeeded at the
    instant traffic returned (codedeploy.md section 6)."""
    return {
        "status": DeploymentStatus.SUCCEEDED.value,
        "creator": "codeDeployRollback",
        "createTime": end,
        "startTime": end,
        "completeTime": end,
        "deploymentOverview": {**OVERVIEW, InstanceStatus.SUCCEEDED.value: 1},
        "rollbackInfo": {
            "rollbackTriggeringDeploymentId": traffic.deployment_id,
            "rollbackMessage": f"Rollback of deployment {traffic.deployment_id} succeeded.",
        },
    }


def own_outcome(
    run: TrafficRun | EcsRun, traffic: TrafficRun, start: datetime, end: datetime
) -> dict[str, Any]:
    """The status, times, error and rollback of the run's own deployment."""
    out = traffic.outcome
    rollback_id = traffic.rollback_deployment_id
    info: dict[str, Any] = {
        "status": out.status,
        "creator": "user",
        "createTime": start,
        "startTime": start,
        "completeTime": end,
        "deploymentOverview": {**OVERVIEW, target_status(out.status): 1},
    }
    if out.error_code is not None:
        info["errorInformation"] = {"code": out.error_code, "message": traffic.error_message}
    if rollback_id is not None:
        info["rollbackInfo"] = {
            "rollbackDeploymentId": rollback_id,
            "rollbackMessage": f"Deployment {traffic.deployment_id} was rolled back by "
            f"deployment {rollback_id}.",
        }
    elif (
        isinstance(run, EcsRun)
        and out.status != DeploymentStatus.SUCCEEDED
        and not run.rollback_possible
    ):
        info["rollbackInfo"] = {
            "rollbackMessage": "The deployment cannot be rolled back: it ended before the "
            "replacement task set was installed (BeforeInstall)."
        }
    if isinstance(run, EcsRun):
        info.update(ecs_fields(run))
    return info


def ecs_fields(run: EcsRun) -> dict[str, Any]:
    """An ECS run's termination wait and blue/green configuration."""
    d = run.deployment
    keep = d.termination_action == "KEEP_ALIVE"
    succeeded = run.outcome.status == DeploymentStatus.SUCCEEDED
    ready: dict[str, Any] = {"actionOnTimeout": d.ready_action}
    if d.ready_wait_minutes:
        ready["waitTimeInMinutes"] = d.ready_wait_minutes
    return {
        # KEEP_ALIVE starts no termination wait (API:DeploymentInfo).
        "instanceTerminationWaitTimeStarted": succeeded and not keep,
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": d.termination_action,
                "terminationWaitTimeInMinutes": d.termination_wait_time_in_minutes,
            },
            "deploymentReadyOption": ready,
        },
    }
