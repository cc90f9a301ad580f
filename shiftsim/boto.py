"""CodeDeploy API shapes in and out: deployment groups, revisions, ``get_deployment``, triggers.

Users already hold these dicts: the keyword arguments their code passes to boto3's
``create_deployment_group`` (or what ``get_deployment_group`` returns as ``deploymentGroupInfo``),
the revision their pipeline sends (``AppSpecContent``), and the ``deploymentInfo`` their
dashboards read. This module turns the first two into a ready-to-run
:class:`~shiftsim.lambda_.LambdaDeployment`, :class:`~shiftsim.ecs.EcsDeployment` or
:class:`~shiftsim.server.ServerDeployment`, and reports a simulated run in the third.

What the API does not say (how often a hook fails, how many requests arrive, how a version
behaves, which instances exist) is passed as keyword arguments, exactly as to the deployment
classes (``fleet=`` for EC2/on-premises groups).

Shapes follow botocore's CodeDeploy model (codedeploy.md source key ``API:<Shape>``).

Examples
--------
>>> import shiftsim
>>> from shiftsim.boto import from_deployment_group, to_get_deployment
>>> group = {
...     "applicationName": "orders",
...     "deploymentGroupName": "orders-live",
...     "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
...     "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]},
...     "alarmConfiguration": {"enabled": True, "alarms": [{"name": "orders-errors"}]},
...     "deploymentStyle": {"deploymentType": "BLUE_GREEN",
...                         "deploymentOption": "WITH_TRAFFIC_CONTROL"},
... }
>>> deployment = from_deployment_group(
...     group, compute_platform="Lambda",
...     alarms=[shiftsim.Alarm("orders-errors", threshold=0, evaluation_periods=2)],
...     invocations_per_minute=600, target=shiftsim.Version("2", error_rate=0.2))
>>> info = to_get_deployment(shiftsim.simulate(deployment, rng=7), deployment=deployment)
>>> info["deploymentInfo"]["status"], info["deploymentInfo"]["errorInformation"]["code"]
('Stopped', 'ALARM_ACTIVE')
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim.alarms import Alarm
from shiftsim.configs import DeploymentConfig, predefined_configs
from shiftsim.ecs import (
    DEFAULT_TERMINATION_WAIT_MINUTES,
    ECS_HOOK_EVENTS,
    EcsDeployment,
    EcsHooks,
    EcsRun,
)
from shiftsim.errors import ConfigError, UnsupportedScenarioError
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.notifications import Notification
from shiftsim.results import TrafficRun
from shiftsim.rollback import AutoRollback
from shiftsim.traffic import Hook, Version

__all__ = [
    "TRIGGER_EVENTS",
    "TriggerConfig",
    "from_deployment_group",
    "to_deployment_group",
    "to_get_deployment",
    "to_revision",
    "trigger_notifications",
]

#: API:TriggerEventType, complete.
TRIGGER_EVENTS = (
    "DeploymentStart",
    "DeploymentSuccess",
    "DeploymentFailure",
    "DeploymentStop",
    "DeploymentRollback",
    "DeploymentReady",
    "InstanceStart",
    "InstanceSuccess",
    "InstanceFailure",
    "InstanceReady",
)
#: Triggers per deployment group (UG:monitoring-sns-event-notifications.md; UG:limits.md).
MAX_TRIGGERS = 10
LAMBDA_HOOK_EVENTS = ("BeforeAllowTraffic", "AfterAllowTraffic")
BLUE_GREEN_STYLE = {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
DEFAULT_SERVICE_ROLE = "arn:aws:iam::123456789012:role/CodeDeployServiceRole"

#: Keys of ``create_deployment_group`` (API:CreateDeploymentGroupInput) and of
#: ``deploymentGroupInfo`` (API:DeploymentGroupInfo) that this module reads or accepts.
GROUP_KEYS = (
    "applicationName",
    "deploymentGroupName",
    "deploymentGroupId",
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
    "tags",
    "ec2DeploymentOptions",
    "targetRevision",
    "lastSuccessfulDeployment",
    "lastAttemptedDeployment",
)
#: Keys that only make sense for EC2/on-premises groups; they must be empty for Lambda and ECS.
SERVER_KEYS = (
    "ec2TagFilters",
    "ec2TagSet",
    "onPremisesInstanceTagFilters",
    "onPremisesTagSet",
    "autoScalingGroups",
)
OWNER = "from_deployment_group"
#: Auto Scaling processes ``ec2DeploymentOptions`` may suspend (API:EC2DeploymentOptions;
#: botocore's codedeploy model, shape AutoScalingGroupProcess, at most 4).
AUTO_SCALING_PROCESSES = ("Terminate", "AZRebalance", "InstanceRefresh", "ScheduledActions")


def _invalid(
    owner: str, field: str, value: object, rule: str, hint: str | None = None
) -> ConfigError:
    """The house-style :class:`ConfigError`, quoting a short escaped excerpt of ``value``."""
    message = f"{owner}.{field} {rule}; got {excerpt(value)}."
    return ConfigError(f"{message} {hint}" if hint else message)


def _check_choice(owner: str, field: str, value: object, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``; else a ConfigError suggesting the closest."""
    if isinstance(value, str) and value in choices:
        return value
    hint = suggest(value, choices) if isinstance(value, str) else ""
    listed = ", ".join(repr(c) for c in choices)
    raise _invalid(owner, field, value, f"must be one of {listed}", hint or None)


def _check_group_values(group: Mapping[str, Any]) -> None:
    """The value shapes botocore's model gives the members every platform reads
    (API:CreateDeploymentGroupInput, API:DeploymentGroupInfo): booleans are booleans (the
    text ``"false"`` is not false, and is refused rather than read as true), lists are lists
    (``None`` is refused: boto3 refuses it too; leave the key out instead)."""
    for key in ("autoRollbackConfiguration", "alarmConfiguration", "ec2DeploymentOptions"):
        if key in group and not isinstance(group[key], Mapping):
            raise _invalid(OWNER, key, group[key], "must be a mapping")
    rollback = group.get("autoRollbackConfiguration") or {}
    alarm_config = group.get("alarmConfiguration") or {}
    for owner, raw, key in (
        ("autoRollbackConfiguration", rollback, "enabled"),
        ("alarmConfiguration", alarm_config, "enabled"),
        ("alarmConfiguration", alarm_config, "ignorePollAlarmFailure"),
    ):
        if key in raw and not isinstance(raw[key], bool):
            raise _invalid(OWNER, f"{owner}.{key}", raw[key], "must be true or false (a boolean)")
    for owner, raw, key in (
        ("autoRollbackConfiguration", rollback, "events"),
        ("alarmConfiguration", alarm_config, "alarms"),
    ):
        if key in raw and (isinstance(raw[key], str) or not isinstance(raw[key], Sequence)):
            raise _invalid(OWNER, f"{owner}.{key}", raw[key], "must be a list")
    style = group.get("deploymentStyle")
    if style is not None and not isinstance(style, Mapping):
        raise _invalid(OWNER, "deploymentStyle", style, "must be a mapping")
    _check_auto_scaling_groups(group.get("autoScalingGroups"))
    _check_ec2_options(group.get("ec2DeploymentOptions") or {})


def _check_auto_scaling_groups(groups: Any) -> None:
    """``autoScalingGroups``: names (create_deployment_group) or ``{"name": ...}`` objects
    (get_deployment_group, API:AutoScalingGroup)."""
    if groups is None:
        return
    if isinstance(groups, str) or not isinstance(groups, Sequence):
        raise _invalid(OWNER, "autoScalingGroups", groups, "must be a list of group names")
    for i, entry in enumerate(groups):
        name = entry.get("name") if isinstance(entry, Mapping) else entry
        if not isinstance(name, str) or not name:
            raise _invalid(
                OWNER,
                f"autoScalingGroups[{i}]",
                entry,
                "must be an Auto Scaling group name or {'name': ..., 'hook': ...} with a name",
            )


def _check_ec2_options(options: Mapping[str, Any]) -> None:
    """``ec2DeploymentOptions`` (API:EC2DeploymentOptions, in both the create and the get
    shapes): the Auto Scaling processes CodeDeploy suspends during an EC2/on-premises in-place
    deployment. Checked, and otherwise without effect: shiftsim does not model Auto Scaling's
    processes (Terminate, AZRebalance, InstanceRefresh, ScheduledActions)."""
    for key in options:
        if key != "autoScalingGroupProcessesToSuspend":
            raise _invalid(
                OWNER,
                f"ec2DeploymentOptions.{key}",
                options[key],
                "is not a member of EC2DeploymentOptions (autoScalingGroupProcessesToSuspend)",
            )
    processes = options.get("autoScalingGroupProcessesToSuspend", [])
    field = "ec2DeploymentOptions.autoScalingGroupProcessesToSuspend"
    if isinstance(processes, str) or not isinstance(processes, Sequence) or len(processes) > 4:
        raise _invalid(OWNER, field, processes, "must be a list of at most 4 process names")
    for i, process in enumerate(processes):
        _check_choice(OWNER, f"{field}[{i}]", process, AUTO_SCALING_PROCESSES)


@dataclass(frozen=True, slots=True)
class TriggerConfig:
    """One SNS trigger of a deployment group (API:TriggerConfig).

    Examples
    --------
    >>> t = TriggerConfig.from_boto({"triggerName": "ops", "triggerTargetArn": "arn:aws:sns:x",
    ...                              "triggerEvents": ["DeploymentFailure"]})
    >>> t.to_boto()["triggerEvents"]
    ['DeploymentFailure']
    """

    trigger_name: str
    trigger_target_arn: str
    trigger_events: tuple[str, ...]

    def __post_init__(self) -> None:
        owner = "TriggerConfig"
        for name in ("trigger_name", "trigger_target_arn"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise _invalid(owner, name, value, "must be a non-empty string")
        events = self.trigger_events
        if isinstance(events, str) or not isinstance(events, (tuple, list)) or not events:
            raise _invalid(owner, "trigger_events", events, "must be a non-empty list of events")
        for event in events:
            _check_choice(owner, "trigger_events[]", event, TRIGGER_EVENTS)
        object.__setattr__(self, "trigger_events", tuple(events))

    @classmethod
    def from_boto(cls, raw: Mapping[str, Any]) -> TriggerConfig:
        """Read one ``triggerConfigurations`` entry."""
        if not isinstance(raw, Mapping):
            raise _invalid("TriggerConfig.from_boto", "trigger", raw, "must be a mapping")
        return cls(
            raw.get("triggerName"),  # type: ignore[arg-type]
            raw.get("triggerTargetArn"),  # type: ignore[arg-type]
            tuple(raw.get("triggerEvents") or ()),
        )

    def to_boto(self) -> dict[str, Any]:
        return {
            "triggerName": self.trigger_name,
            "triggerTargetArn": self.trigger_target_arn,
            "triggerEvents": list(self.trigger_events),
        }


def _triggers(raw: Any) -> tuple[TriggerConfig, ...]:
    if raw is None:
        return ()
    if isinstance(raw, (str, Mapping)) or not isinstance(raw, Sequence):
        raise _invalid(OWNER, "triggerConfigurations", raw, "must be a list of trigger mappings")
    out = tuple(t if isinstance(t, TriggerConfig) else TriggerConfig.from_boto(t) for t in raw)
    if len(out) > MAX_TRIGGERS:
        raise _invalid(
            OWNER,
            "triggerConfigurations",
            f"{len(out)} triggers",
            f"must hold at most {MAX_TRIGGERS} triggers (UG:limits.md)",
        )
    names = [t.trigger_name for t in out]
    if len(set(names)) != len(names):
        raise _invalid(OWNER, "triggerConfigurations", names, "must have unique trigger names")
    return out


def trigger_notifications(
    notifications: Sequence[Notification], triggers: Sequence[TriggerConfig | Mapping[str, Any]]
) -> list[Notification]:
    """The notifications a deployment group with ``triggers`` sends.

    Each SNS message goes out once per trigger whose ``triggerEvents`` include its event, with
    that trigger's ``eventTriggerName`` (UG:monitoring-sns-event-notifications.md); EventBridge
    events do not depend on triggers and pass through unchanged.

    Examples
    --------
    >>> import shiftsim
    >>> run = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=1)
    >>> ops = TriggerConfig("ops", "arn:aws:sns:us-east-1:123456789012:ops", ("DeploymentSuccess",))
    >>> [(n.event, n.payload["eventTriggerName"])
    ...  for n in trigger_notifications(run.notifications, [ops]) if n.channel == "sns"]
    [('DeploymentSuccess', 'ops')]
    """
    configs = _triggers(list(triggers))
    out: list[Notification] = []
    for note in notifications:
        if note.channel != "sns":
            out.append(note)
            continue
        for trigger in configs:
            if note.event in trigger.trigger_events:
                payload = dict(note.payload, eventTriggerName=trigger.trigger_name)
                out.append(replace(note, payload=payload))
    return out


# ---------------------------------------------------------------------------- revisions


@dataclass(frozen=True, slots=True)
class _Revision:
    """What a checked Lambda or ECS AppSpec names."""

    platform: str
    hooks: dict[str, str]
    function_name: str | None = None
    alias: str | None = None
    current_version: str | None = None
    target_version: str | None = None
    task_definition: str | None = None
    container_name: str | None = None
    container_port: int | None = None
    appspec: Any = None


def _appspec_content(revision: Any) -> Any:
    """The AppSpec text or mapping inside a RevisionLocation (or the revision itself)."""
    if isinstance(revision, Mapping) and "revisionType" in revision:
        kind = revision["revisionType"]
        if kind == "AppSpecContent":
            return (revision.get("appSpecContent") or {}).get("content")
        if kind == "String":
            return (revision.get("string") or {}).get("content")
        raise UnsupportedScenarioError(
            f"{OWNER}: revision.revisionType {kind!r} points at a bundle shiftsim cannot "
            "fetch; pass the AppSpec itself (revisionType 'AppSpecContent', its text, a "
            "mapping, or a shiftsim.appspec.AppSpec)."
        )
    return revision


def _version_name(value: object) -> str | None:
    """A version number from an AppSpec as a Version name; None for a placeholder."""
    if value is None:
        return None
    text = str(value)
    return None if text.startswith(("<", "{{", "${")) else text


def _revision(revision: Any) -> _Revision:
    """Check the revision's AppSpec with :func:`shiftsim.appspec.load_appspec` and keep the
    names it gives."""
    from shiftsim.appspec import AppSpec, LambdaTarget, load_appspec

    if isinstance(revision, AppSpec):
        spec = revision
    else:
        content = _appspec_content(revision)
        if not isinstance(content, (str, Mapping)):
            raise _invalid(
                OWNER,
                "revision",
                revision,
                "must be a RevisionLocation (AppSpecContent or String), AppSpec text, a mapping, "
                "or a shiftsim.appspec.AppSpec",
            )
        # The API defines the content as AppSpec text: it is never opened as a file.
        spec = load_appspec(content, source="revision", as_text=True)
    if spec.platform == "Server":
        return _Revision("Server", {}, appspec=spec)
    hooks = {event: name for event in spec.hooks if (name := spec.hook_function(event))}
    (target,) = spec.resources
    if isinstance(target, LambdaTarget):
        return _Revision(
            "Lambda",
            hooks,
            function_name=target.name,
            alias=target.alias,
            current_version=_version_name(target.current_version),
            target_version=_version_name(target.target_version),
        )
    port = target.container_port if isinstance(target.container_port, int) else None
    name = None if _version_name(target.container_name) is None else target.container_name
    return _Revision(
        "ECS",
        hooks,
        task_definition=target.task_definition,
        container_name=name,
        container_port=port,
    )


_TASK_DEFINITION = re.compile(r"task-definition/(?P<family>[^:/]+):(?P<revision>\d+)$")


def _task_set_name(task_definition: str, service: str) -> str | None:
    """The version name for a task definition ARN: its revision when the family is the service's
    name, else ``family:revision``; None for a CodePipeline placeholder."""
    if task_definition.startswith("<") and task_definition.endswith(">"):
        return None
    match = _TASK_DEFINITION.search(task_definition)
    if match is None:
        return task_definition
    family, revision = match["family"], match["revision"]
    return revision if family == service else f"{family}:{revision}"


def _task_definition_arn(version: str, service: str) -> str:
    if version.startswith("arn:"):
        return version
    name = version if ":" in version else f"{service}:{version}"
    return f"arn:aws:ecs:us-east-1:123456789012:task-definition/{name}"


def to_revision(deployment: LambdaDeployment | EcsDeployment) -> dict[str, Any]:
    """The ``RevisionLocation`` (``AppSpecContent``) a pipeline would send for ``deployment``.

    Examples
    --------
    >>> import json, shiftsim
    >>> rev = to_revision(shiftsim.LambdaDeployment("AllAtOnce", function_name="orders"))
    >>> json.loads(rev["appSpecContent"]["content"])["Resources"][0]["orders"]["Properties"]
    {'Name': 'orders', 'Alias': 'live', 'CurrentVersion': '1', 'TargetVersion': '2'}
    """
    if isinstance(deployment, LambdaDeployment):
        resource = {
            deployment.function_name: {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Name": deployment.function_name,
                    "Alias": deployment.alias,
                    "CurrentVersion": deployment.current.name,
                    "TargetVersion": deployment.target.name,
                },
            }
        }
        hooks = [
            {event: hook.function_name}
            for event, hook in (
                ("BeforeAllowTraffic", deployment.hooks.before_allow_traffic),
                ("AfterAllowTraffic", deployment.hooks.after_allow_traffic),
            )
            if hook is not None
        ]
    elif isinstance(deployment, EcsDeployment):
        resource = {
            "TargetService": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "TaskDefinition": _task_definition_arn(
                        deployment.target.name, deployment.service_name
                    ),
                    "LoadBalancerInfo": {
                        "ContainerName": deployment.container_name,
                        "ContainerPort": deployment.container_port,
                    },
                },
            }
        }
        hooks = [{e: h.function_name} for e, h in deployment.hooks.by_event().items()]
    else:
        raise _invalid(
            "to_revision", "deployment", deployment, "must be a LambdaDeployment or EcsDeployment"
        )
    spec: dict[str, Any] = {"version": 0.0, "Resources": [resource]}
    if hooks:
        spec["Hooks"] = hooks
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(spec)}}


# ---------------------------------------------------------------------------- groups in


def _by_name(owner: str, field: str, items: Any, kind: type) -> dict[str, Any]:
    if items is None:
        return {}
    if isinstance(items, Mapping):
        out = dict(items)
    elif isinstance(items, Sequence) and not isinstance(items, str):
        out = {getattr(item, "name", None): item for item in items}
    else:
        raise _invalid(owner, field, items, f"must be a mapping of names to {kind.__name__}")
    for name, value in out.items():
        if not isinstance(value, kind):
            raise _invalid(owner, f"{field}[{name!r}]", value, f"must be a {kind.__name__}")
    return out


def _platform(
    group: Mapping[str, Any],
    explicit: str | None,
    configs: Mapping[str, DeploymentConfig],
    revision: _Revision | None,
) -> str:
    platform = explicit or group.get("computePlatform")
    if platform is None and group.get("ecsServices"):
        platform = "ECS"
    name = group.get("deploymentConfigName")
    if platform is None and isinstance(name, str):
        known = {c.name: c for c in predefined_configs()} | dict(configs)
        if name in known:
            platform = known[name].compute_platform
    if platform is None and any(group.get(k) for k in SERVER_KEYS):
        platform = "Server"
    if platform is None and revision is not None:
        platform = revision.platform
    if platform is None:
        raise ConfigError(
            f"{OWNER}: cannot tell the compute platform (a deployment group's platform is its "
            "application's); pass compute_platform='Lambda' or 'ECS', or include "
            "'computePlatform' as get_deployment_group returns it."
        )
    _check_choice(OWNER, "computePlatform", platform, ("Lambda", "ECS", "Server"))
    return str(platform)


def _config(
    group: Mapping[str, Any],
    configs: Mapping[str, DeploymentConfig],
    traffic: dict[str, Any],
    platform: str,
) -> DeploymentConfig | str:
    name = group.get("deploymentConfigName")
    if name is None:
        if "config" not in traffic:
            raise ConfigError(
                f"{OWNER}: deploymentConfigName is missing; CodeDeploy's documented default "
                "(CodeDeployDefault.OneAtATime) is an EC2/on-premises configuration, so name a "
                f"{platform} configuration, or pass config=..."
            )
        config: DeploymentConfig | str = traffic.pop("config")
        return config
    if "config" in traffic:
        raise ConfigError(
            f"{OWNER}: give the configuration once, as deploymentConfigName ({name!r}) or as "
            "config=..., not both."
        )
    if not isinstance(name, str) or not name:
        raise _invalid(OWNER, "deploymentConfigName", name, "must be a configuration name")
    if name in configs:
        return replace(configs[name], name=name)
    predefined = {c.name: c for c in predefined_configs()}
    if name in predefined:
        return predefined[name]
    hint = suggest(name, [*predefined, *configs])
    raise ConfigError(
        f"{OWNER}: deploymentConfigName {name!r} is neither predefined nor among configs=; "
        f"pass configs={{{name!r}: DeploymentConfig({name!r}, {platform!r}, "
        "traffic_routing=...)}" + (f" ({hint})" if hint else "") + "."
    )


def _alarms(group: Mapping[str, Any], alarms: Mapping[str, Alarm]) -> tuple[Alarm, ...]:
    raw = group.get("alarmConfiguration")
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise _invalid(OWNER, "alarmConfiguration", raw, "must be a mapping")
    entries = raw.get("alarms") or []
    if not raw.get("enabled", False):
        return ()
    if not entries:
        raise _invalid(
            OWNER,
            "alarmConfiguration.alarms",
            entries,
            "must name at least one alarm when enabled is true (InvalidAlarmConfigException)",
        )
    out: list[Alarm] = []
    missing: list[str] = []
    for i, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name:
            raise _invalid(OWNER, f"alarmConfiguration.alarms[{i}]", entry, "must be {'name': ...}")
        if name in alarms:
            alarm = alarms[name]
            out.append(alarm if alarm.name == name else replace(alarm, name=name))
        else:
            missing.append(name)
    if missing:
        example = ", ".join(f"{n!r}: shiftsim.Alarm({n!r}, ...)" for n in missing)
        raise ConfigError(
            f"{OWNER}: alarmConfiguration names {missing} but alarms= holds no Alarm for "
            f"{'it' if len(missing) == 1 else 'them'}; shiftsim needs each alarm's metric and "
            f"threshold: pass alarms={{{example}}}."
        )
    return tuple(out)


def _check_group_shape(group: Mapping[str, Any], platform: str) -> None:
    for key in group:
        if key not in GROUP_KEYS:
            hint = suggest(str(key), GROUP_KEYS)
            raise _invalid(
                OWNER,
                str(key),
                group[key],
                "is not a create_deployment_group or deploymentGroupInfo key",
                hint or None,
            )
    for key in SERVER_KEYS:
        value = group.get(key)
        if value and (not isinstance(value, Mapping) or any(value.values())):
            raise _invalid(
                OWNER, key, value, f"applies only to EC2/on-premises groups, not to {platform}"
            )
    if group.get("terminationHookEnabled"):
        raise _invalid(
            OWNER, "terminationHookEnabled", True, f"applies only to Auto Scaling, not {platform}"
        )
    if group.get("outdatedInstancesStrategy") is not None:
        _check_choice(
            OWNER,
            "outdatedInstancesStrategy",
            group["outdatedInstancesStrategy"],
            ("UPDATE", "IGNORE"),
        )
    processes = (group.get("ec2DeploymentOptions") or {}).get("autoScalingGroupProcessesToSuspend")
    if processes:
        raise _invalid(
            OWNER,
            "ec2DeploymentOptions.autoScalingGroupProcessesToSuspend",
            processes,
            f"applies only to EC2/on-premises in-place deployments, not to {platform} "
            "(API:EC2DeploymentOptions)",
        )
    # An empty deploymentStyle, or a member left out, reads as absent.
    style = group.get("deploymentStyle") or {}
    for key, want in BLUE_GREEN_STYLE.items():
        if style.get(key) is not None:
            got = style[key]
            if got != want:
                raise _invalid(
                    OWNER,
                    f"deploymentStyle.{key}",
                    got,
                    f"must be {want!r} for {platform} deployment groups",
                )
    if platform == "Lambda":
        for key in ("ecsServices", "loadBalancerInfo", "blueGreenDeploymentConfiguration"):
            value = group.get(key)
            if value:
                raise _invalid(OWNER, key, value, "does not apply to Lambda deployment groups")


def _ecs_options(group: Mapping[str, Any], traffic: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    services = group.get("ecsServices")
    if not isinstance(services, Sequence) or len(services) != 1:
        raise _invalid(
            OWNER,
            "ecsServices",
            services,
            "must list exactly one {'serviceName': ..., 'clusterName': ...} for an ECS group",
        )
    service = services[0]
    if not isinstance(service, Mapping):
        raise _invalid(OWNER, "ecsServices[0]", service, "must be a mapping")
    out["service_name"] = service.get("serviceName")
    out["cluster_name"] = service.get("clusterName")
    blue_green = group.get("blueGreenDeploymentConfiguration") or {}
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    action = terminate.get("action", "TERMINATE")
    if action != "TERMINATE":
        raise UnsupportedScenarioError(
            f"{OWNER}: blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess"
            f".action {action!r} is not modelled for ECS; the original task set is removed "
            "after terminationWaitTimeInMinutes (TERMINATE)."
        )
    wait = terminate.get("terminationWaitTimeInMinutes", DEFAULT_TERMINATION_WAIT_MINUTES)
    out["termination_wait_time_in_minutes"] = wait
    ready = blue_green.get("deploymentReadyOption") or {}
    if ready.get("actionOnTimeout", "CONTINUE_DEPLOYMENT") != "CONTINUE_DEPLOYMENT":
        raise UnsupportedScenarioError(
            f"{OWNER}: blueGreenDeploymentConfiguration.deploymentReadyOption.actionOnTimeout "
            f"{ready.get('actionOnTimeout')!r} waits for a ContinueDeployment call, which "
            "shiftsim does not model; use CONTINUE_DEPLOYMENT."
        )
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


def _hooks(events: Sequence[str], named: Mapping[str, str] | None, given: Any) -> dict[str, Hook]:
    """Merge hook functions named by the revision with the behaviour the caller gives."""
    if isinstance(given, EcsHooks):
        given = given.by_event()
    elif isinstance(given, LambdaHooks):
        pairs = zip(LAMBDA_HOOK_EVENTS, (given.before_allow_traffic, given.after_allow_traffic))
        given = {event: hook for event, hook in pairs if hook is not None}
    behaviour = dict(given or {})
    for event, hook in behaviour.items():
        _check_choice(OWNER, "hooks", event, events)
        if not isinstance(hook, Hook):
            raise _invalid(OWNER, f"hooks[{event!r}]", hook, "must be a Hook")
    if named is None:
        return behaviour
    for event in named:
        _check_choice(OWNER, "revision.Hooks", event, events)
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


def _named(version: Version | None, name: str | None, default: str) -> Version:
    base = version if version is not None else Version(default)
    if not isinstance(base, Version):
        raise _invalid(OWNER, "current/target", base, "must be a Version")
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
        raise _invalid(OWNER, "kwargs", kwargs, "must be a mapping of deployment group fields")
    _check_group_values(kwargs)
    alarm_map = _by_name(OWNER, "alarms", alarms, Alarm)
    config_map = _by_name(OWNER, "configs", configs, DeploymentConfig)
    rev = None if revision is None else _revision(revision)
    platform = _platform(kwargs, compute_platform, config_map, rev)
    if rev is not None and rev.platform != platform:
        raise ConfigError(
            f"{OWNER}: the revision's AppSpec is for {rev.platform}, the deployment group for "
            f"{platform}."
        )
    if platform == "Server":
        return _server_deployment(kwargs, rev, alarm_map, config_map, traffic)
    _check_group_shape(kwargs, platform)
    _triggers(kwargs.get("triggerConfigurations"))
    cls: type[LambdaDeployment | EcsDeployment] = (
        LambdaDeployment if platform == "Lambda" else EcsDeployment
    )
    options = _group_options(kwargs, cls, traffic, alarm_map)
    options["config"] = _config(kwargs, config_map, options, platform)
    if platform == "Lambda":
        hooks = _hooks(LAMBDA_HOOK_EVENTS, None if rev is None else rev.hooks, options.get("hooks"))
        options["hooks"] = LambdaHooks(
            hooks.get("BeforeAllowTraffic"), hooks.get("AfterAllowTraffic")
        )
        if rev is not None:
            for key, value in (("function_name", rev.function_name), ("alias", rev.alias)):
                if value is not None:
                    options[key] = value
            options["current"] = _named(options.get("current"), rev.current_version, "1")
            options["target"] = _named(options.get("target"), rev.target_version, "2")
        return LambdaDeployment(**options)
    options.update(_ecs_options(kwargs, options))
    hooks = _hooks(ECS_HOOK_EVENTS, None if rev is None else rev.hooks, options.get("hooks"))
    options["hooks"] = EcsHooks.from_events(hooks)
    if rev is not None and rev.task_definition is not None:
        task_set = _task_set_name(rev.task_definition, options["service_name"])
        options["target"] = _named(options.get("target"), task_set, "2")
    if rev is not None and rev.container_name is not None:
        options["container_name"] = rev.container_name
    if rev is not None and rev.container_port is not None:
        options["container_port"] = rev.container_port
    return EcsDeployment(**options)


# ---------------------------------------------------------------------------- groups out


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
        raise _invalid(
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
        out["triggerConfigurations"] = [t.to_boto() for t in _triggers(list(triggers))]
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


# ---------------------------------------------------------------------------- runs out


def _deployment_of(run: Any, deployment: Any) -> LambdaDeployment | EcsDeployment | None:
    if deployment is not None:
        if not isinstance(deployment, (LambdaDeployment, EcsDeployment)):
            raise _invalid(
                "to_get_deployment",
                "deployment",
                deployment,
                "must be the LambdaDeployment or EcsDeployment that was simulated",
            )
        return deployment
    found = getattr(run, "deployment", None)
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
        ``instanceTerminationWaitTimeStarted`` and ``blueGreenDeploymentConfiguration``.

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
    from shiftsim.server import ServerRun

    if isinstance(run, ServerRun):
        return _server_get_deployment(run, deployment_id)
    if not isinstance(run, (TrafficRun, EcsRun)):
        raise _invalid("to_get_deployment", "run", run, "must be a TrafficRun, EcsRun or ServerRun")
    found = _deployment_of(run, deployment)
    ecs = run.run if isinstance(run, EcsRun) else None
    traffic = ecs if ecs is not None else run
    assert isinstance(traffic, TrafficRun)
    ctx, out = traffic.context, traffic.outcome
    start: datetime = ctx.start
    end = start + timedelta(seconds=out.end_time)
    rollback_id = traffic.rollback_deployment_id
    if deployment_id is not None and deployment_id not in (traffic.deployment_id, rollback_id):
        raise _invalid(
            "to_get_deployment",
            "deployment_id",
            deployment_id,
            f"must be the run's deployment ({traffic.deployment_id!r}) or its rollback "
            f"({rollback_id!r})",
        )
    is_rollback = deployment_id is not None and deployment_id == rollback_id
    info: dict[str, Any] = {
        "applicationName": ctx.application,
        "deploymentGroupName": ctx.deployment_group,
        "deploymentId": deployment_id if is_rollback else traffic.deployment_id,
        "computePlatform": traffic.plan.platform,
        "deploymentStyle": dict(BLUE_GREEN_STYLE),
        "ignoreApplicationStopFailures": False,
        "updateOutdatedInstancesOnly": False,
    }
    if found is not None:
        info["deploymentConfigName"] = found.deployment_config.name
        info["revision"] = to_revision(found)
        info["autoRollbackConfiguration"] = found.auto_rollback.to_boto()
    if is_rollback:
        # A rollback is a new deployment of the last good revision, reported as succeeded at the
        # instant traffic returned (codedeploy.md section 6).
        info.update(
            status="Succeeded",
            creator="codeDeployRollback",
            createTime=end,
            startTime=end,
            completeTime=end,
            deploymentOverview=dict(_OVERVIEW, Succeeded=1),
            rollbackInfo={
                "rollbackTriggeringDeploymentId": traffic.deployment_id,
                "rollbackMessage": f"Rollback of deployment {traffic.deployment_id} succeeded.",
            },
        )
        if found is not None:
            del info["revision"]
        return {"deploymentInfo": info}
    _add_outcome(info, run, traffic, start, end)
    return {"deploymentInfo": info}


_OVERVIEW = {"Pending": 0, "InProgress": 0, "Succeeded": 0, "Failed": 0, "Skipped": 0, "Ready": 0}


def _add_outcome(
    info: dict[str, Any], run: Any, traffic: TrafficRun, start: datetime, end: datetime
) -> None:
    """The status, times, error and rollback of the run's own deployment, in ``info``."""
    out = traffic.outcome
    rollback_id = traffic.rollback_deployment_id
    info.update(
        status=out.status,
        creator="user",
        createTime=start,
        startTime=start,
        completeTime=end,
        deploymentOverview=dict(
            _OVERVIEW, **{"Succeeded" if out.status == "Succeeded" else "Failed": 1}
        ),
    )
    if out.error_code is not None:
        info["errorInformation"] = {"code": out.error_code, "message": traffic.error_message}
    if rollback_id is not None:
        info["rollbackInfo"] = {
            "rollbackDeploymentId": rollback_id,
            "rollbackMessage": f"Deployment {traffic.deployment_id} was rolled back by "
            f"deployment {rollback_id}.",
        }
    elif isinstance(run, EcsRun) and out.status != "Succeeded" and not run.rollback_possible:
        info["rollbackInfo"] = {
            "rollbackMessage": "The deployment cannot be rolled back: it ended before the "
            "replacement task set was installed (BeforeInstall)."
        }
    if isinstance(run, EcsRun):
        d = run.deployment
        info["instanceTerminationWaitTimeStarted"] = out.status == "Succeeded"
        info["blueGreenDeploymentConfiguration"] = {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": d.termination_wait_time_in_minutes,
            },
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        }


def _group_options(
    group: Mapping[str, Any],
    cls: type,
    traffic: Mapping[str, Any],
    alarm_map: Mapping[str, Alarm],
) -> dict[str, Any]:
    """The deployment fields every platform reads from a group: alarms, rollback, names; plus
    the caller's own fields, which must be fields of ``cls``."""
    allowed = {f.name for f in fields(cls)} - {"alarms"}
    for key in traffic:
        if key not in allowed:
            hint = suggest(key, allowed)
            raise _invalid(OWNER, key, traffic[key], f"is not a {cls.__name__} field", hint or None)
    options = dict(traffic)
    options["alarms"] = _alarms(group, alarm_map)
    if "autoRollbackConfiguration" in group:
        if "auto_rollback" in options:
            raise ConfigError(
                f"{OWNER}: give rollback settings once, as autoRollbackConfiguration or as "
                "auto_rollback=..., not both."
            )
        options["auto_rollback"] = AutoRollback.from_boto(group["autoRollbackConfiguration"])
    elif "auto_rollback" not in options:
        options["auto_rollback"] = AutoRollback.disabled()  # the API's default
    for key, name in (
        ("applicationName", "application"),
        ("deploymentGroupName", "deployment_group"),
    ):
        if group.get(key) is not None:
            options[name] = group[key]
    return options


def _server_deployment(
    group: Mapping[str, Any],
    rev: _Revision | None,
    alarm_map: Mapping[str, Alarm],
    config_map: Mapping[str, DeploymentConfig],
    traffic: dict[str, Any],
) -> Any:
    """An EC2/on-premises deployment group (API:CreateDeploymentGroupInput) as a
    :class:`~shiftsim.server.ServerDeployment`."""
    from shiftsim.fleet import Targets
    from shiftsim.server import BlueGreen, ServerDeployment

    for key in group:
        if key not in GROUP_KEYS:
            hint = suggest(str(key), GROUP_KEYS)
            raise _invalid(
                OWNER,
                str(key),
                group[key],
                "is not a create_deployment_group or deploymentGroupInfo key",
                hint or None,
            )
    if group.get("ecsServices"):
        raise _invalid(
            OWNER, "ecsServices", group["ecsServices"], "applies only to ECS groups, not to Server"
        )
    _triggers(group.get("triggerConfigurations"))
    options = _group_options(group, ServerDeployment, traffic, alarm_map)
    if group.get("deploymentConfigName") is None and "config" not in options:
        # API:CreateDeploymentGroupInput: CodeDeploy's default configuration.
        options["config"] = "CodeDeployDefault.OneAtATime"
    else:
        options["config"] = _config(group, config_map, options, "Server")
    if any(group.get(k) for k in SERVER_KEYS) and "targets" not in options:
        options["targets"] = Targets.from_boto(group)
    if group.get("outdatedInstancesStrategy") is not None:
        options["outdated_instances_strategy"] = group["outdatedInstancesStrategy"]
    lb = group.get("loadBalancerInfo") or {}
    style = group.get("deploymentStyle") or {}
    with_lb = bool(
        lb.get("elbInfoList") or lb.get("targetGroupInfoList") or lb.get("targetGroupPairInfoList")
    )
    if style.get("deploymentOption") == "WITH_TRAFFIC_CONTROL" and not with_lb:
        raise _invalid(
            OWNER,
            "loadBalancerInfo",
            lb,
            "must name a load balancer or target group when deploymentOption is "
            "WITH_TRAFFIC_CONTROL (MISSING_ELB_INFORMATION)",
        )
    if "load_balancer" not in options:
        options["load_balancer"] = with_lb and style.get("deploymentOption") != (
            "WITHOUT_TRAFFIC_CONTROL"
        )
    if style.get("deploymentType") == "BLUE_GREEN" and "blue_green" not in options:
        options["blue_green"] = _blue_green(
            group.get("blueGreenDeploymentConfiguration") or {}, BlueGreen
        )
    if rev is not None and "appspec" not in options and "hooks" not in options:
        options["appspec"] = rev.appspec
    return ServerDeployment(**options)


def _blue_green(raw: Mapping[str, Any], blue_green: Any) -> Any:
    """``blueGreenDeploymentConfiguration`` for EC2 (API:BlueGreenDeploymentConfiguration)."""
    owner = f"{OWNER}.blueGreenDeploymentConfiguration"
    if not isinstance(raw, Mapping):
        raise _invalid(owner, "blueGreenDeploymentConfiguration", raw, "must be a mapping")
    green = raw.get("greenFleetProvisioningOption") or {}
    ready = raw.get("deploymentReadyOption") or {}
    terminate = raw.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    options: dict[str, Any] = {}
    if "action" in green:
        options["green_fleet_provisioning"] = green["action"]
    if "actionOnTimeout" in ready:
        options["action_on_timeout"] = ready["actionOnTimeout"]
    if "waitTimeInMinutes" in ready:
        options["wait_time_in_minutes"] = ready["waitTimeInMinutes"]
    if "action" in terminate:
        options["termination_action"] = terminate["action"]
    if "terminationWaitTimeInMinutes" in terminate:
        options["termination_wait_time_in_minutes"] = terminate["terminationWaitTimeInMinutes"]
    return blue_green(**options)


def _server_get_deployment(run: Any, deployment_id: str | None) -> dict[str, Any]:
    """``deploymentInfo`` of one deployment of a Server run (the user's by default)."""
    table = run.deployments
    wanted = run.deployment_id if deployment_id is None else deployment_id
    rows = table[table["deployment_id"] == wanted]
    if rows.empty:
        raise _invalid(
            "to_get_deployment",
            "deployment_id",
            deployment_id,
            f"must be one of the run's deployments {table['deployment_id'].tolist()}",
        )
    row = rows.iloc[0]
    start: datetime = run.context.start
    instances = run.instances
    statuses = instances[instances["deployment_id"] == wanted]["status"].value_counts()
    overview = {
        key: int(statuses.get(key, 0))
        for key in ("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready")
    }
    deployment = run.deployment
    info: dict[str, Any] = {
        "applicationName": run.context.application,
        "deploymentGroupName": run.context.deployment_group,
        "deploymentId": wanted,
        "deploymentConfigName": deployment.deployment_config.name,
        "computePlatform": "Server",
        "status": row["status"],
        "creator": row["creator"],
        "createTime": start + timedelta(seconds=float(row["start"])),
        "startTime": start + timedelta(seconds=float(row["start"])),
        "completeTime": start + timedelta(seconds=float(row["end"])),
        "deploymentOverview": overview,
        "deploymentStyle": {
            "deploymentType": str(row["deployment_type"]),
            "deploymentOption": "WITH_TRAFFIC_CONTROL"
            if deployment.load_balancer
            else "WITHOUT_TRAFFIC_CONTROL",
        },
        "ignoreApplicationStopFailures": bool(deployment.ignore_application_stop_failures),
        "autoRollbackConfiguration": deployment.auto_rollback.to_boto(),
    }
    if isinstance(row["error_code"], str):
        info["errorInformation"] = {"code": row["error_code"], "message": row["error_message"]}
    rollback: dict[str, Any] = {}
    for column, key in (
        ("rollback_deployment_id", "rollbackDeploymentId"),
        ("rollback_triggering_deployment_id", "rollbackTriggeringDeploymentId"),
        ("rollback_message", "rollbackMessage"),
    ):
        if isinstance(row[column], str):
            rollback[key] = row[column]
    if rollback:
        info["rollbackInfo"] = rollback
    return {"deploymentInfo": info}
