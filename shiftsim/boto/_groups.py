"""Deployment groups in and out (private): from_deployment_group and to_deployment_group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from shiftsim.alarms import Alarm
from shiftsim.boto._fields import group_config, group_options, group_platform
from shiftsim.boto._revisions import read_revision, task_set_name
from shiftsim.boto._server import server_deployment
from shiftsim.boto._shapes import (
    BLUE_GREEN_STYLE,
    DEFAULT_SERVICE_ROLE,
    LAMBDA_HOOK_EVENTS,
    OWNER,
    by_name,
    check_choice,
    check_group_shape,
    check_group_values,
    invalid,
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

__all__ = ["from_deployment_group", "to_deployment_group"]


def ecs_options(group: Mapping[str, Any], traffic: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
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
    out["service_name"] = service.get("serviceName")
    out["cluster_name"] = service.get("clusterName")
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
    pairs = (group.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList")
    if pairs:
        test_route = (pairs[0].get("testTrafficRoute") or {}).get("listenerArns")
        test = bool(test_route)
        if "test_traffic" in traffic and traffic["test_traffic"] != test:
            raise ConfigError(
                f"{OWNER}: test_traffic={traffic['test_traffic']!r} contradicts "
                "loadBalancerInfo, whose testTrafficRoute "
                + ("lists a listener" if test else "lists none")
                + "."
            )
        out["test_traffic"] = test
    return out


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
        ``deploymentGroupInfo``. Read: ``applicationName``, ``deploymentGroupName``,
        ``deploymentConfigName``, ``autoRollbackConfiguration`` (absent means disabled, the API
        default), ``alarmConfiguration``, ``blueGreenDeploymentConfiguration`` (ECS termination
        wait, D12), ``ecsServices``, ``loadBalancerInfo`` (an ECS test listener),
        ``deploymentStyle`` and ``triggerConfigurations`` (validated; apply them to a run with
        :func:`trigger_notifications`); for EC2/on-premises groups also ``ec2TagFilters``,
        ``ec2TagSet``, ``onPremises...``, ``autoScalingGroups`` (the targets, applied to
        ``fleet=``), ``loadBalancerInfo`` (a load balancer adds the six traffic events),
        ``outdatedInstancesStrategy`` and the blue/green options. EC2-only keys must be empty
        for Lambda and ECS. ``ec2DeploymentOptions`` (the Auto Scaling processes to suspend) is
        checked against the API's shape and has no other effect: shiftsim does not model Auto
        Scaling's processes. An empty ``deploymentStyle`` (or a member left out) reads as
        absent. Booleans must be booleans and lists lists, as in botocore's model: the text
        ``"false"`` is refused, not read as true; ``None`` is refused (leave the key out).
    revision : mapping, str or AppSpec, optional
        A ``RevisionLocation`` with ``AppSpecContent`` (or ``String``), or the AppSpec itself
        (text, mapping, or a :class:`shiftsim.appspec.AppSpec`), checked with
        :func:`shiftsim.appspec.load_appspec`. It names the function, alias and versions
        (Lambda), the replacement task definition (ECS) and the hook functions, or the hook
        scripts (Server, timed by ``script_durations=``).
    alarms : mapping of str to Alarm, or sequence of Alarm
        The CloudWatch alarms ``alarmConfiguration`` names: the API knows only their names.
    configs : mapping of str to DeploymentConfig, or sequence
        Custom deployment configurations by name.
    compute_platform : {"Lambda", "ECS", "Server"}, optional
        The application's platform, when ``kwargs`` does not tell it (``computePlatform``,
        ``ecsServices`` or a predefined configuration's name do).
    **traffic
        Other fields of :class:`~shiftsim.lambda_.LambdaDeployment` or
        :class:`~shiftsim.ecs.EcsDeployment` (``invocations_per_minute`` or
        ``requests_per_minute``, ``current``, ``target``, ``hooks`` as the deployment's hooks
        class or ``{event: Hook}``, ``manual_stop``...). With a revision, its names win and
        ``hooks`` only says how each hook behaves.

    Returns
    -------
    LambdaDeployment, EcsDeployment or ServerDeployment

    Raises
    ------
    ConfigError
        A key that breaks the API's rules, a configuration or alarm that cannot be found.
    AppSpecError
        The revision's AppSpec is malformed (with line and key path).
    UnsupportedScenarioError
        An option shiftsim does not model.

    Examples
    --------
    >>> d = from_deployment_group({
    ...     "applicationName": "shop", "deploymentGroupName": "web",
    ...     "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
    ...     "ecsServices": [{"serviceName": "web", "clusterName": "prod"}],
    ...     "blueGreenDeploymentConfiguration": {"terminateBlueInstancesOnDeploymentSuccess": {
    ...         "action": "TERMINATE", "terminationWaitTimeInMinutes": 5}},
    ... })
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
    if rev is not None and rev.platform != platform:
        raise ConfigError(
            f"{OWNER}: the revision's AppSpec is for {rev.platform}, the deployment group for "
            f"{platform}."
        )
    if platform == "Server":
        return server_deployment(kwargs, rev, alarm_map, config_map, traffic)
    check_group_shape(kwargs, platform)
    read_triggers(kwargs.get("triggerConfigurations"))
    cls: type[LambdaDeployment | EcsDeployment] = (
        LambdaDeployment if platform == "Lambda" else EcsDeployment
    )
    options = group_options(kwargs, cls, traffic, alarm_map)
    options["config"] = group_config(kwargs, config_map, options, platform)
    if platform == "Lambda":
        hooks = merge_hooks(
            LAMBDA_HOOK_EVENTS, None if rev is None else rev.hooks, options.get("hooks")
        )
        options["hooks"] = LambdaHooks(
            hooks.get("BeforeAllowTraffic"), hooks.get("AfterAllowTraffic")
        )
        if rev is not None:
            for key, value in (("function_name", rev.function_name), ("alias", rev.alias)):
                if value is not None:
                    options[key] = value
            options["current"] = named_version(options.get("current"), rev.current_version, "1")
            options["target"] = named_version(options.get("target"), rev.target_version, "2")
        return LambdaDeployment(**options)
    options.update(ecs_options(kwargs, options))
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
        service = deployment.service_name
        listener = f"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/{service}"
        pair: dict[str, Any] = {
            "targetGroups": [{"name": f"{service}-blue"}, {"name": f"{service}-green"}],
            "prodTrafficRoute": {"listenerArns": [f"{listener}/prod"]},
        }
        if deployment.test_traffic:
            pair["testTrafficRoute"] = {"listenerArns": [f"{listener}/test"]}
        out["ecsServices"] = [{"serviceName": service, "clusterName": deployment.cluster_name}]
        out["loadBalancerInfo"] = {"targetGroupPairInfoList": [pair]}
        out["blueGreenDeploymentConfiguration"] = {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": deployment.termination_wait_time_in_minutes,
            },
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        }
    return out
