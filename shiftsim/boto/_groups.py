"""Deployment groups in and out (private): from_deployment_group and to_deployment_group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from shiftsim._checks import check_choice, invalid
from shiftsim.alarms import Alarm
from shiftsim.boto._fields import group_config, group_options, group_platform
from shiftsim.boto._revisions import RevisionNames, read_revision, task_set_name
from shiftsim.boto._server import server_deployment
from shiftsim.boto._shapes import (
    DEFAULT_SERVICE_ROLE,
    LAMBDA_HOOK_EVENTS,
    OWNER,
    by_name,
    check_group_shape,
    check_group_values,
)
from shiftsim.boto._triggers import TriggerConfig, read_triggers
from shiftsim.configs import DeploymentConfig
from shiftsim.ecs import (
    DEFAULT_TERMINATION_WAIT_MINUTES,
    ECS_HOOK_EVENTS,
    EcsDeployment,
    EcsHooks,
)
from shiftsim.errors import ConfigError
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.traffic import Hook, Version
from shiftsim.vocabulary import BLUE_GREEN_STYLE

__all__ = ["from_deployment_group", "to_deployment_group"]


def ecs_service(group: Mapping[str, Any]) -> dict[str, Any]:
    """``ecsServices``: the one service (and its cluster) an ECS group deploys."""
    services = group.get("ecsServices")
    if not isinstance(services, Sequence) or len(services) != 1:
        raise invalid(
            OWNER,
            "ecsServices",
            services,
            "must list exactly one {'serviceName': ..., 'clusterName': ...} for an ECS group",
        )
    service = services[0]
    if not isinstance(service, Mapping):
        raise invalid(OWNER, "ecsServices[0]", service, "must be a mapping")
    return {"service_name": service.get("serviceName"), "cluster_name": service.get("clusterName")}


def ecs_blue_green(group: Mapping[str, Any]) -> dict[str, Any]:
    """``blueGreenDeploymentConfiguration`` of an ECS group: the termination of the original
    task set (D12) and the ready option."""
    out: dict[str, Any] = {}
    blue_green = group.get("blueGreenDeploymentConfiguration") or {}
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    # API:BlueInstanceTerminationOption and API:DeploymentReadyOption (codedeploy-api.md);
    # EcsDeployment checks the values.
    if terminate.get("action") is not None:
        out["termination_action"] = terminate["action"]
    wait = terminate.get("terminationWaitTimeInMinutes", DEFAULT_TERMINATION_WAIT_MINUTES)
    out["termination_wait_time_in_minutes"] = wait
    ready = blue_green.get("deploymentReadyOption") or {}
    if ready.get("actionOnTimeout") is not None:
        out["ready_action"] = ready["actionOnTimeout"]
    if ready.get("waitTimeInMinutes") is not None:
        out["ready_wait_minutes"] = ready["waitTimeInMinutes"]
    return out


def ecs_test_traffic(group: Mapping[str, Any], traffic: Mapping[str, Any]) -> dict[str, Any]:
    """``loadBalancerInfo`` of an ECS group: whether a test listener carries test traffic."""
    pairs = (group.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList")
    if not pairs:
        return {}
    test_route = (pairs[0].get("testTrafficRoute") or {}).get("listenerArns")
    test = bool(test_route)
    if "test_traffic" in traffic and traffic["test_traffic"] != test:
        raise ConfigError(
            f"{OWNER}: test_traffic={traffic['test_traffic']!r} contradicts "
            "loadBalancerInfo, whose testTrafficRoute "
            + ("lists a listener" if test else "lists none")
            + "."
        )
    return {"test_traffic": test}


def merge_hooks(
    events: Sequence[str], named: Mapping[str, str] | None, given: Any
) -> dict[str, Hook]:
    """Merge hook functions named by the revision with the behaviour the caller gives."""
    if isinstance(given, EcsHooks):
        given = given.by_event()
    elif isinstance(given, LambdaHooks):
        pairs = zip(LAMBDA_HOOK_EVENTS, (given.before_allow_traffic, given.after_allow_traffic))
        given = {event: hook for event, hook in pairs if hook is not None}
    behaviour = dict(given or {})
    for event, hook in behaviour.items():
        check_choice(OWNER, "hooks", event, events)
        if not isinstance(hook, Hook):
            raise invalid(OWNER, f"hooks[{event!r}]", hook, "must be a Hook")
    if named is None:
        return behaviour
    for event in named:
        check_choice(OWNER, "revision.Hooks", event, events)
    extra = sorted(set(behaviour) - set(named))
    if extra:
        raise ConfigError(
            f"{OWNER}: hooks= describes {extra}, but the revision's AppSpec has no hook for "
            f"{'it' if len(extra) == 1 else 'them'}."
        )
    out = {}
    for event, function in named.items():
        hook = behaviour.get(event)
        out[event] = Hook(function) if hook is None else replace(hook, function_name=function)
    return out


def named_version(version: Version | None, name: str | None, default: str) -> Version:
    base = version if version is not None else Version(default)
    if not isinstance(base, Version):
        raise invalid(OWNER, "current/target", base, "must be a Version")
    return base if name is None or name == base.name else replace(base, name=name)


def from_deployment_group(
    kwargs: Mapping[str, Any],
    *,
    revision: Any = None,
    alarms: Mapping[str, Alarm] | Sequence[Alarm] | None = None,
    configs: Mapping[str, DeploymentConfig] | Sequence[DeploymentConfig] | None = None,
    compute_platform: str | None = None,
    **traffic: Any,
) -> Any:
    """Build the deployment a CodeDeploy deployment group (and revision) would run.

    Parameters
    ----------
    kwargs : mapping
        ``create_deployment_group`` keyword arguments, or ``get_deployment_group``'s
        ``deploymentGroupInfo``. Read: names, ``deploymentConfigName``, ``alarmConfiguration``,
        ``autoRollbackConfiguration`` (absent: disabled, the API default), ``deploymentStyle``
        (empty members read as absent), ``triggerConfigurations`` (checked; apply them with
        :func:`trigger_notifications`), ``blueGreenDeploymentConfiguration``,
        ``loadBalancerInfo`` (an ECS test listener; an EC2 load balancer adds the six traffic
        events), ``ecsServices``; for EC2/on-premises ``outdatedInstancesStrategy`` and the
        targets (``ec2TagFilters``, ``ec2TagSet``, ``onPremises...``, ``autoScalingGroups``,
        applied to ``fleet=``; empty for Lambda and ECS).
        ``ec2DeploymentOptions`` is only checked (shiftsim does not model Auto Scaling's
        processes). Types are botocore's: ``"false"`` and ``None`` are refused.
    revision : mapping, str or AppSpec, optional
        A ``RevisionLocation`` with ``AppSpecContent`` (or ``String``), or the AppSpec itself,
        checked with :func:`shiftsim.appspec.load_appspec`. It names the function, alias and
        versions (Lambda), the replacement task definition (ECS) and the hook functions, or
        the hook scripts (Server, timed by ``script_durations=``).
    alarms : mapping of str to Alarm, or sequence of Alarm
        The CloudWatch alarms ``alarmConfiguration`` names (the API knows only their names).
    configs : mapping of str to DeploymentConfig, or sequence
        Custom deployment configurations by name.
    compute_platform : {"Lambda", "ECS", "Server"}, optional
        The application's platform, when ``kwargs`` does not tell it (``computePlatform``,
        ``ecsServices`` or a predefined configuration's name do).
    **traffic
        Other fields of the deployment class (``invocations_per_minute``,
        ``requests_per_minute``, ``current``, ``target``, ``hooks`` as the hooks class or
        ``{event: Hook}``, ``manual_stop``, ``fleet``...). With a revision, its names win and
        ``hooks`` only says how each hook behaves.

    Returns
    -------
    LambdaDeployment, EcsDeployment or ServerDeployment

    Raises
    ------
    ConfigError, AppSpecError or UnsupportedScenarioError
        A key that breaks the API's rules, a configuration or alarm that cannot be found; a
        malformed AppSpec (with line and key path); an option shiftsim does not model.

    Examples
    --------
    >>> d = from_deployment_group({
    ...     "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
    ...     "ecsServices": [{"serviceName": "web", "clusterName": "prod"}],
    ...     "blueGreenDeploymentConfiguration": {"terminateBlueInstancesOnDeploymentSuccess": {
    ...         "action": "TERMINATE", "terminationWaitTimeInMinutes": 5}}})
    >>> type(d).__name__, d.termination_wait_time_in_minutes, d.auto_rollback.enabled
    ('EcsDeployment', 5, False)
    """
    if not isinstance(kwargs, Mapping):
        raise invalid(OWNER, "kwargs", kwargs, "must be a mapping of deployment group fields")
    check_group_values(kwargs)
    alarm_map = by_name(OWNER, "alarms", alarms, Alarm)
    config_map = by_name(OWNER, "configs", configs, DeploymentConfig)
    rev = None if revision is None else read_revision(revision)
    platform = group_platform(kwargs, compute_platform, config_map, rev)
    if platform == "Server":
        return server_deployment(kwargs, rev, alarm_map, config_map, traffic)
    check_group_shape(kwargs, platform)
    read_triggers(kwargs.get("triggerConfigurations"))
    cls = LambdaDeployment if platform == "Lambda" else EcsDeployment
    options = group_options(kwargs, cls, traffic, alarm_map)
    options["config"] = group_config(kwargs, config_map, options, platform)
    if platform == "Lambda":
        return lambda_deployment(options, rev)
    return ecs_deployment(kwargs, options, rev)


def lambda_deployment(options: dict[str, Any], rev: RevisionNames | None) -> LambdaDeployment:
    """A Lambda group's deployment: the hooks, function, alias and versions the revision
    names, over the caller's ``options``."""
    hooks = merge_hooks(
        LAMBDA_HOOK_EVENTS, None if rev is None else rev.hooks, options.get("hooks")
    )
    options["hooks"] = LambdaHooks(hooks.get("BeforeAllowTraffic"), hooks.get("AfterAllowTraffic"))
    if rev is not None:
        for key, value in (("function_name", rev.function_name), ("alias", rev.alias)):
            if value is not None:
                options[key] = value
        options["current"] = named_version(options.get("current"), rev.current_version, "1")
        options["target"] = named_version(options.get("target"), rev.target_version, "2")
    return LambdaDeployment(**options)


def ecs_deployment(
    group: Mapping[str, Any], options: dict[str, Any], rev: RevisionNames | None
) -> EcsDeployment:
    """An ECS group's deployment: its service, blue/green and test-listener settings, then
    the hooks, task set and container the revision names."""
    options.update(ecs_service(group))
    options.update(ecs_blue_green(group))
    options.update(ecs_test_traffic(group, options))
    hooks = merge_hooks(ECS_HOOK_EVENTS, None if rev is None else rev.hooks, options.get("hooks"))
    options["hooks"] = EcsHooks.from_events(hooks)
    if rev is not None and rev.task_definition is not None:
        task_set = task_set_name(rev.task_definition, options["service_name"])
        options["target"] = named_version(options.get("target"), task_set, "2")
    if rev is not None and rev.container_name is not None:
        options["container_name"] = rev.container_name
    if rev is not None and rev.container_port is not None:
        options["container_port"] = rev.container_port
    return EcsDeployment(**options)


def to_deployment_group(
    deployment: LambdaDeployment | EcsDeployment,
    *,
    triggers: Sequence[TriggerConfig] = (),
    service_role_arn: str = DEFAULT_SERVICE_ROLE,
) -> dict[str, Any]:
    """The ``create_deployment_group`` keyword arguments for ``deployment``'s group.

    :func:`from_deployment_group` reads them back (with the same ``alarms``); see
    :func:`to_revision` for the names the group does not hold.

    Examples
    --------
    >>> from shiftsim.ecs import EcsDeployment
    >>> kwargs = to_deployment_group(EcsDeployment("CodeDeployDefault.ECSAllAtOnce",
    ...                                            test_traffic=True))
    >>> kwargs["blueGreenDeploymentConfiguration"]["terminateBlueInstancesOnDeploymentSuccess"]
    {'action': 'TERMINATE', 'terminationWaitTimeInMinutes': 60}
    >>> from_deployment_group(kwargs).test_traffic
    True
    """
    if not isinstance(deployment, (LambdaDeployment, EcsDeployment)):
        raise invalid(
            "to_deployment_group",
            "deployment",
            deployment,
            "must be a LambdaDeployment or EcsDeployment",
        )
    out: dict[str, Any] = {
        "applicationName": deployment.application,
        "deploymentGroupName": deployment.deployment_group,
        "deploymentConfigName": deployment.deployment_config.name,
        "serviceRoleArn": service_role_arn,
        "autoRollbackConfiguration": deployment.auto_rollback.to_boto(),
        "alarmConfiguration": {
            "enabled": bool(deployment.alarms),
            "ignorePollAlarmFailure": False,
            "alarms": [{"name": a.name} for a in deployment.alarms],
        },
        "deploymentStyle": dict(BLUE_GREEN_STYLE),
    }
    if triggers:
        out["triggerConfigurations"] = [t.to_boto() for t in read_triggers(list(triggers))]
    if isinstance(deployment, EcsDeployment):
        out.update(ecs_group_fields(deployment))
    return out


def ecs_group_fields(deployment: EcsDeployment) -> dict[str, Any]:
    """An ECS deployment's service, listeners (a test listener when it takes test traffic) and
    blue/green settings, in ``create_deployment_group``'s shape."""
    service = deployment.service_name
    listener = f"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/{service}"
    pair: dict[str, Any] = {
        "targetGroups": [{"name": f"{service}-blue"}, {"name": f"{service}-green"}],
        "prodTrafficRoute": {"listenerArns": [f"{listener}/prod"]},
    }
    if deployment.test_traffic:
        pair["testTrafficRoute"] = {"listenerArns": [f"{listener}/test"]}
    return {
        "ecsServices": [{"serviceName": service, "clusterName": deployment.cluster_name}],
        "loadBalancerInfo": {"targetGroupPairInfoList": [pair]},
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": deployment.termination_wait_time_in_minutes,
            },
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        },
    }
