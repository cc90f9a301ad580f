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

Hooks named with ``!Ref`` take the hook function's ``FunctionName``; ``hooks=`` says how they
behave:

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
... ''', hooks={"PreTraffic": shiftsim.Hook(duration=5, outcome="Failed")})
>>> d.hooks.before_allow_traffic
Hook(function_name='CodeDeployHook_check', duration=5, outcome='Failed')
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from shiftsim.alarms import Alarm
from shiftsim.boto import from_deployment_group
from shiftsim.configs import DeploymentConfig
from shiftsim.lambda_ import DEFAULT_ALARM_POLL_INTERVAL, DEFAULT_METRIC_DELAY, LambdaDeployment
from shiftsim.rollback import ManualStop
from shiftsim.sam._alarms import alarm_from_resource
from shiftsim.sam._groups import _group_kwargs, _resolve_group, sam_deployment_group
from shiftsim.sam._keys import MAX_TEMPLATE_BYTES
from shiftsim.sam._template import Template, load_template
from shiftsim.sam._translate import _alarm_objects, _config_map, _hook_objects, _revision
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
    """The :class:`~shiftsim.lambda_.LambdaDeployment` SAM's ``DeploymentPreference`` produces
    (examples in :mod:`shiftsim.sam`).

    Parameters
    ----------
    template : pathlib.Path, str or mapping
        A file (path-like), its YAML or JSON text (a ``str``, never opened as a file), or the
        loaded mapping.
    function : str, optional
        The ``AWS::Serverless::Function`` (logical id or ``FunctionName``); optional when exactly
        one function has an enabled DeploymentPreference.
    hooks : mapping of str to Hook, optional
        How the template's hooks behave, keyed ``"PreTraffic"``/``"PostTraffic"`` (or the
        lifecycle names); a hook ``hooks`` does not describe succeeds after 30 s.
    alarms : mapping of str to Alarm, optional
        By logical id or alarm name: overrides for the template's alarms, and those it only names.
    configs : mapping of str to DeploymentConfig, or sequence
        Custom deployment configurations that ``Type`` names.
    parameters : mapping, optional
        Template parameter values (over their defaults) and pseudo parameters (``"AWS::Region"``).
    invocations_per_minute, current, target, manual_stop, alarm_poll_interval, metric_delay
        As for :class:`~shiftsim.lambda_.LambdaDeployment`, as is ``linear_completion``.

    Returns
    -------
    LambdaDeployment
        With SAM's names: ``application="ServerlessDeploymentApplication"``, ``deployment_group=
        "<Function>DeploymentGroup"``, the alias and ``FunctionName`` (or logical id).

    Raises
    ------
    AppSpecError
        The template is malformed, SAM would reject it, an intrinsic that matters cannot be
        resolved, or the function has no CodeDeploy deployment (``Enabled: false``).
    ConfigError
        A custom configuration or an alarm the template names is not supplied.
    UnsupportedScenarioError
        An alarm shiftsim cannot model (it says what; supply it with ``alarms=``).
    """
    resolver, group = _resolve_group(template, function, parameters)
    current = current if current is not None else Version("1")
    target = target if target is not None else Version("2")
    deployment = from_deployment_group(  # SAM's steps, in order: Type, Alarms, Hooks
        _group_kwargs(group),
        configs=_config_map(resolver, group, configs),
        alarms=_alarm_objects(resolver, group, alarms),
        hooks=_hook_objects(resolver, group, hooks),
        revision=_revision(group, current, target),
        compute_platform="Lambda",
        invocations_per_minute=invocations_per_minute,
        current=current,
        target=target,
        manual_stop=manual_stop,
        alarm_poll_interval=alarm_poll_interval,
        metric_delay=metric_delay,
        linear_completion=linear_completion,
    )
    assert isinstance(deployment, LambdaDeployment)
    return deployment
