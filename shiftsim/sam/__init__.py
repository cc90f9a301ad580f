"""SAM templates in: the Lambda deployment a ``DeploymentPreference`` makes SAM generate.

For an ``AWS::Serverless::Function`` with ``AutoPublishAlias`` and ``DeploymentPreference``, SAM
creates a CodeDeploy application (``ServerlessDeploymentApplication``), one deployment group per
function (``<Function>DeploymentGroup``) and an ``UpdatePolicy`` on the alias that runs the hooks
(codedeploy.md section 1.4; cloudwatch-alarms.md section 3.5). :func:`from_sam` reads the
template and returns the :class:`~shiftsim.lambda_.LambdaDeployment` that deployment group runs;
:func:`sam_deployment_group` returns the group itself in the API's shape.

What SAM does, and shiftsim therefore does:

* ``Type``: the nine SAM short names become ``CodeDeployDefault.Lambda<Name>``; any other string
  is passed through as a configuration name, so it must be a predefined one
  (``CodeDeployDefault.LambdaCanary10Percent5Minutes`` written out in full works) or a custom one
  you supply with ``configs=``.
* Rollback on all three events, always; ``DeploymentStyle`` BLUE_GREEN / WITH_TRAFFIC_CONTROL.
* ``Hooks.PreTraffic`` / ``Hooks.PostTraffic`` become the BeforeAllowTraffic / AfterAllowTraffic
  hooks; a ``!Ref`` to a function in the template names its ``FunctionName`` (or, without one,
  its logical id).
* ``Alarms`` referenced by logical id are read from the template's ``AWS::CloudWatch::Alarm``
  resources (see :func:`alarm_from_resource`); others must be given with ``alarms=``.
* ``Globals.Function`` is merged as SAM merges globals: mappings key by key, lists appended
  (globals first), anything else (intrinsics included) replaced by the function's own value.
* SAM's own errors are raised the same way, for any function of the template (SAM rejects the
  whole template): ``'DeploymentPreference' requires AutoPublishAlias property to be
  specified.``, ``'DeploymentPreference' is missing required Property 'Type'`` and ``'Hooks'
  property of 'DeploymentPreference' must be a dictionary``.
* ``Enabled: false`` (also the strings ``"false"`` / ``"False"``) means there is no CodeDeploy
  deployment for that function: :func:`from_sam` raises an :class:`~shiftsim.errors.AppSpecError`
  saying so rather than returning None.

Intrinsic functions (``!Ref``, ``!Sub``, ``!If``, ``!GetAtt``, ``!Join``, ``!FindInMap``...) are
resolved from parameter defaults (or ``parameters=``), pseudo parameters (``AWS::Region``
``us-east-1``, ``AWS::AccountId`` ``123456789012``, ``AWS::StackName`` ``shiftsim-stack``...,
all overridable through ``parameters=``) and ``Conditions``. Where a value that matters cannot be
resolved, the error names it, with the file, line and key path.

The YAML is read with PyYAML's safe loader; CloudFormation's short-form tags become their long
forms (``!Ref X`` -> ``{"Ref": "X"}``). Templates over 1 MiB are refused (CloudFormation's own
limit for a template in S3), as is any resolution that visits more than 100,000 nodes.

Examples
--------
>>> import shiftsim
>>> from shiftsim.sam import from_sam
>>> template = '''
... Resources:
...   Orders:
...     Type: AWS::Serverless::Function
...     Properties:
...       FunctionName: orders
...       AutoPublishAlias: live
...       DeploymentPreference:
...         Type: Canary10Percent5Minutes
...         Alarms: [!Ref OrdersErrors]
...   OrdersErrors:
...     Type: AWS::CloudWatch::Alarm
...     Properties:
...       Namespace: AWS/Lambda
...       MetricName: Errors
...       Dimensions:
...         - {Name: Resource, Value: !Sub "${Orders}:live"}
...         - {Name: FunctionName, Value: !Ref Orders}
...         - {Name: ExecutedVersion, Value: !GetAtt Orders.Version.Version}
...       Statistic: Sum
...       Period: 60
...       EvaluationPeriods: 2
...       Threshold: 0
...       ComparisonOperator: GreaterThanThreshold
... '''
>>> deployment = from_sam(template, invocations_per_minute=600,
...                       target=shiftsim.Version("2", error_rate=0.2))
>>> deployment.deployment_config.name
'CodeDeployDefault.LambdaCanary10Percent5Minutes'
>>> deployment.alarms[0]
Alarm('OrdersErrors': Errors Sum > 0 for 2 of 2 x 60 s on target)
>>> shiftsim.simulate(deployment, rng=7).status
'Stopped'
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim.alarms import Alarm
from shiftsim.boto import from_deployment_group
from shiftsim.configs import SAM_SHORT_NAMES, DeploymentConfig, predefined_configs
from shiftsim.errors import ConfigError
from shiftsim.lambda_ import DEFAULT_ALARM_POLL_INTERVAL, DEFAULT_METRIC_DELAY, LambdaDeployment
from shiftsim.rollback import ManualStop
from shiftsim.sam._alarms import (
    _alarm,
    alarm_from_resource,
)
from shiftsim.sam._groups import (
    _Group,
    _group_kwargs,
    _hook_behaviour,
    _resolve_group,
    sam_deployment_group,
)
from shiftsim.sam._keys import (
    HOOK_EVENTS,
    HOOK_PREFIX,
    MAX_TEMPLATE_BYTES,
)
from shiftsim.sam._resolve import (
    _props,
    _Resolver,
)
from shiftsim.sam._template import (
    Template,
    load_template,
)
from shiftsim.traffic import Hook, Profile, Version

__all__ = [
    "MAX_TEMPLATE_BYTES",
    "Template",
    "alarm_from_resource",
    "from_sam",
    "load_template",
    "sam_deployment_group",
]


def from_sam(
    template: str | os.PathLike[str] | Mapping[str, Any],
    function: str | None = None,
    *,
    invocations_per_minute: float | Profile | Sequence[float] = 100.0,
    current: Version | None = None,
    target: Version | None = None,
    hooks: Mapping[str, Hook] | None = None,
    alarms: Mapping[str, Alarm] | None = None,
    configs: Mapping[str, DeploymentConfig] | Sequence[DeploymentConfig] | None = None,
    parameters: Mapping[str, Any] | None = None,
    manual_stop: ManualStop | None = None,
    alarm_poll_interval: float = DEFAULT_ALARM_POLL_INTERVAL,
    metric_delay: float = DEFAULT_METRIC_DELAY,
    linear_completion: str = "last_shift",
) -> LambdaDeployment:
    """The :class:`~shiftsim.lambda_.LambdaDeployment` SAM's ``DeploymentPreference`` produces.

    Parameters
    ----------
    template : pathlib.Path, str or mapping
        The SAM template: a file (a :class:`pathlib.Path` or other path-like object), its YAML
        or JSON text (a ``str``, never opened as a file), or the loaded mapping.
    function : str, optional
        The ``AWS::Serverless::Function`` (logical id, or its ``FunctionName``). Optional when
        exactly one function has an enabled DeploymentPreference.
    invocations_per_minute : float, Profile or sequence of float
        Calls to the alias, as for :class:`~shiftsim.lambda_.LambdaDeployment`.
    current, target : Version, optional
        How the old and new versions behave (default versions ``"1"`` and ``"2"``).
    hooks : mapping of str to Hook, optional
        How the hooks behave, keyed ``"PreTraffic"``/``"PostTraffic"`` (or the lifecycle names);
        the function names come from the template. A hook the template has but ``hooks`` does
        not describe succeeds after 30 s.
    alarms : mapping of str to Alarm, optional
        Alarms by logical id or alarm name: overrides for alarms in the template, and the alarms
        the template names but does not define.
    configs : mapping of str to DeploymentConfig, or sequence
        Custom deployment configurations that ``Type`` names.
    parameters : mapping, optional
        Template parameter values (over their defaults) and pseudo parameters
        (``"AWS::Region"``...).
    manual_stop, alarm_poll_interval, metric_delay, linear_completion
        As for :class:`~shiftsim.lambda_.LambdaDeployment`.

    Returns
    -------
    LambdaDeployment
        With SAM's names: ``application="ServerlessDeploymentApplication"``,
        ``deployment_group="<Function>DeploymentGroup"``, the alias, and the function's
        ``FunctionName`` (or logical id). ``TriggerConfigurations`` and ``Role`` are in
        :func:`sam_deployment_group`'s result.

    Raises
    ------
    AppSpecError
        The template is malformed, SAM would reject it, an intrinsic that matters cannot be
        resolved, or the function has no CodeDeploy deployment (``Enabled: false``); with file,
        line and key path.
    ConfigError
        A custom configuration or an alarm the template names is not supplied.
    UnsupportedScenarioError
        An alarm shiftsim cannot model (it says what; supply it with ``alarms=``).

    Examples
    --------
    >>> d = from_sam('''
    ... Resources:
    ...   Api:
    ...     Type: AWS::Serverless::Function
    ...     Properties:
    ...       AutoPublishAlias: live
    ...       DeploymentPreference:
    ...         Type: AllAtOnce
    ...         Hooks: {PreTraffic: !Ref Check}
    ...   Check:
    ...     Type: AWS::Serverless::Function
    ...     Properties:
    ...       FunctionName: CodeDeployHook_check
    ...       DeploymentPreference: {Enabled: false}
    ... ''', hooks={"PreTraffic": Hook(duration=5, outcome="Failed")})
    >>> d.hooks.before_allow_traffic
    Hook(function_name='CodeDeployHook_check', duration=5, outcome='Failed')
    """
    resolver, group = _resolve_group(template, function, parameters)
    config_map = _config_map(resolver, group, configs)
    alarm_objects = _alarm_objects(resolver, group, alarms)
    behaviour = _hook_behaviour(hooks)
    missing = sorted(set(behaviour) - set(group.hooks))
    if missing:
        raise ConfigError(
            f"from_sam: hooks describes {missing}, but {group.function}'s DeploymentPreference "
            f"has no {' or '.join(k for k, v in HOOK_EVENTS.items() if v in missing)} hook."
        )
    _check_hook_names(resolver, group)
    current = current if current is not None else Version("1")
    target = target if target is not None else Version("2")
    appspec = {
        "version": 0.0,
        "Resources": [
            {
                group.function: {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": group.function_name,
                        "Alias": group.alias,
                        "CurrentVersion": current.name,
                        "TargetVersion": target.name,
                    },
                }
            }
        ],
        "Hooks": [{event: name} for event, (name, _, _) in group.hooks.items()],
    }
    deployment = from_deployment_group(
        _group_kwargs(group),
        revision=appspec,
        alarms=alarm_objects,
        configs=config_map,
        compute_platform="Lambda",
        invocations_per_minute=invocations_per_minute,
        current=current,
        target=target,
        hooks=behaviour,
        manual_stop=manual_stop,
        alarm_poll_interval=alarm_poll_interval,
        metric_delay=metric_delay,
        linear_completion=linear_completion,
    )
    assert isinstance(deployment, LambdaDeployment)
    return deployment


def _config_map(
    resolver: _Resolver,
    group: _Group,
    configs: Mapping[str, DeploymentConfig] | Sequence[DeploymentConfig] | None,
) -> dict[str, DeploymentConfig]:
    """The custom configurations given, checked against the one the template's Type names."""
    loaded = resolver.template
    config_map = (
        dict(configs or {})
        if isinstance(configs, Mapping)
        else {c.name: c for c in (configs or ())}
    )
    predefined = {c.name for c in predefined_configs("Lambda")}
    if group.config_name not in config_map and group.config_name not in predefined:
        everything = [c.name for c in predefined_configs()]
        if group.config_name in everything:
            raise loaded.error(
                f"Type {excerpt(group.config_name)} is not a Lambda configuration; SAM deployment "
                "groups are Lambda ones",
                ("Resources", group.function, "Properties", "DeploymentPreference", "Type"),
            )
        hint = suggest(group.config_name, [*SAM_SHORT_NAMES, *predefined])
        type_path = ("Resources", group.function, "Properties", "DeploymentPreference", "Type")
        raise ConfigError(
            f"from_sam: {loaded.where(type_path)}: "
            f"Type {excerpt(group.config_name)} is not one of SAM's nine names, so SAM passes it "
            "through as a custom configuration; supply it with configs="
            f"{{{excerpt(group.config_name)}: "
            f"DeploymentConfig({excerpt(group.config_name)}, 'Lambda', "
            "traffic_routing=...)}" + (f" ({hint})" if hint else "") + "."
        )
    return config_map


def _alarm_objects(
    resolver: _Resolver, group: _Group, alarms: Mapping[str, Alarm] | None
) -> dict[str, Alarm]:
    """The alarms the group names: given ones first, then the template's alarm resources."""
    loaded = resolver.template
    overrides = dict(alarms or {})
    for key, alarm in overrides.items():
        if not isinstance(alarm, Alarm):
            raise ConfigError(
                f"from_sam: alarms[{excerpt(key)}] must be an Alarm; got {excerpt(alarm)}."
            )
    alarm_objects: dict[str, Alarm] = {}
    for name, logical, where in group.alarm_refs:
        chosen = overrides.get(logical) if logical is not None else None
        chosen = chosen or overrides.get(name)
        if chosen is None and logical is not None:
            chosen = _alarm(resolver, logical, group.function, group.alias)
        if chosen is None:
            raise ConfigError(
                f"from_sam: {loaded.where(where)}: alarm {excerpt(name)} is not defined in the "
                f"template; pass alarms={{{excerpt(name)}: shiftsim.Alarm({excerpt(name)}, ...)}}."
            )
        alarm_objects[name] = chosen
    return alarm_objects


def _check_hook_names(resolver: _Resolver, group: _Group) -> None:
    """Warn about hook functions SAM's generated role may not invoke."""
    loaded = resolver.template
    if group.role is None:
        stack = str(resolver.pseudo["AWS::StackName"])
        for event, (name, where, logical) in group.hooks.items():
            physical = name
            if logical is not None and "FunctionName" not in _props(
                resolver.resources.get(logical)
            ):
                physical = f"{stack}-{logical}"  # CloudFormation's generated name starts so
            if not physical.startswith(HOOK_PREFIX):
                warnings.warn(
                    f"{loaded.where(where)}: the {event} hook function {excerpt(physical)} "
                    f"does not "
                    f"start with {excerpt(HOOK_PREFIX)}; SAM's generated CodeDeploy role "
                    "(AWSCodeDeployRoleForLambda) may only invoke CodeDeployHook_* functions, "
                    "so the hook would fail to run. Name it so, or give DeploymentPreference a "
                    "Role.",
                    UserWarning,
                    stacklevel=3,
                )
