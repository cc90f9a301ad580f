"""SAM templates: DeploymentPreference fields, Globals, alarms, intrinsics, errors, the corpus.

Sources: SAM = aws-sam-translator (codedeploy.md section 1.4, cloudwatch-alarms.md section 3.5);
SAMdoc = SAM's docs/safe_lambda_deployments.rst; CW = cloudwatch-alarms.md section 2.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import shiftsim
from shiftsim import (
    Alarm,
    AppSpecError,
    AutoRollback,
    ConfigError,
    DeploymentConfig,
    Hook,
    LambdaDeployment,
    TimeBasedCanary,
    UnsupportedScenarioError,
    Version,
)
from shiftsim.configs import SAM_SHORT_NAMES
from shiftsim.sam import (
    alarm_from_resource,
    from_sam,
    load_template,
    sam_deployment_group,
)

CORPUS = Path(
    os.environ.get("SHIFTSIM_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
)
SAM_DIR = CORPUS / "sam"


def fn(preference: str, *, extra: str = "", props: str = "      AutoPublishAlias: live\n") -> str:
    """A template with one function ``Fn`` whose DeploymentPreference body is ``preference``."""
    body = "\n".join("        " + line for line in preference.strip("\n").splitlines())
    return (
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      FunctionName: orders\n"
        f"{props}"
        "      DeploymentPreference:\n"
        f"{body}\n"
        f"{extra}"
    )


HOOK_FUNCTIONS = """
  Pre:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_pre
      DeploymentPreference: {Enabled: false}
  Post:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_post
      DeploymentPreference: {Enabled: false}
"""


def alarm_resource(name: str, body: str) -> str:
    lines = "\n".join("      " + line for line in body.strip("\n").splitlines())
    return f"  {name}:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n{lines}\n"


TARGET_ERRORS = alarm_resource(
    "TargetErrors",
    """
Namespace: AWS/Lambda
MetricName: Errors
Dimensions:
  - {Name: Resource, Value: !Sub "${Fn}:live"}
  - {Name: FunctionName, Value: !Ref Fn}
  - {Name: ExecutedVersion, Value: !GetAtt Fn.Version.Version}
Statistic: Sum
Period: 60
EvaluationPeriods: 2
Threshold: 0
ComparisonOperator: GreaterThanThreshold
""",
)
ALIAS_ERRORS = alarm_resource(
    "AliasErrors",
    """
AlarmName: !Sub "${AWS::StackName}-alias-errors"
Namespace: AWS/Lambda
MetricName: Errors
Dimensions:
  - {Name: Resource, Value: !Sub "${Fn}:live"}
  - {Name: FunctionName, Value: !Ref Fn}
Statistic: Sum
Period: 60
EvaluationPeriods: 3
DatapointsToAlarm: 2
Threshold: 5
ComparisonOperator: GreaterThanOrEqualToThreshold
TreatMissingData: notBreaching
""",
)


# ---------------------------------------------------------------------------- Type


@pytest.mark.parametrize("short", SAM_SHORT_NAMES)
def test_type_short_names(short: str) -> None:
    # SAM:deployment_preference_collection.py: a listed name becomes
    # Fn::Sub "CodeDeployDefault.Lambda${ConfigName}" (codedeploy.md 1.4).
    d = from_sam(fn(f"Type: {short}"))
    assert d.deployment_config.name == f"CodeDeployDefault.Lambda{short}"


def test_type_passes_other_names_through() -> None:
    # "Any other string is passed through unchanged, as the name of a custom configuration"
    # (codedeploy.md 1.4): it must be supplied, or be a predefined CodeDeploy name.
    template = fn("Type: Canary20Percent3Minutes")
    with pytest.raises(ConfigError, match=r"'Canary20Percent3Minutes'.*configs=") as err:
        from_sam(template)
    assert "<string>:8" in str(err.value)
    custom = DeploymentConfig("Canary20Percent3Minutes", "Lambda", TimeBasedCanary(20, 3))
    assert from_sam(template, configs=[custom]).config == custom
    assert from_sam(template, configs={"Canary20Percent3Minutes": custom}).config == custom
    full = from_sam(fn("Type: CodeDeployDefault.LambdaLinear10PercentEvery2Minutes"))
    assert full.deployment_config.name == "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes"
    with pytest.raises(AppSpecError, match="not a Lambda configuration"):
        from_sam(fn("Type: CodeDeployDefault.ECSAllAtOnce"))


def test_type_is_required_while_enabled() -> None:
    # SAM:deployment_preference.py: "'DeploymentPreference' is missing required Property 'Type'".
    with pytest.raises(AppSpecError, match="missing required Property 'Type'") as err:
        from_sam(fn("Alarms: []"))
    assert err.value.line == 7 and "Resource with id [Fn] is invalid." in str(err.value)


def test_type_from_parameters_mappings_and_conditions() -> None:
    template = """
Parameters:
  Stage: {Type: String, Default: prod, AllowedValues: [dev, prod]}
Mappings:
  Speeds: {prod: {type: Linear10PercentEvery3Minutes}, dev: {type: AllAtOnce}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: !If [IsProd, live, dev]
      DeploymentPreference:
        Type: !FindInMap [Speeds, !Ref Stage, type]
"""
    prod = from_sam(template)
    assert prod.deployment_config.name == "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes"
    assert prod.alias == "live"
    dev = from_sam(template, parameters={"Stage": "dev"})
    assert (dev.deployment_config.name, dev.alias) == ("CodeDeployDefault.LambdaAllAtOnce", "dev")
    with pytest.raises(AppSpecError, match="AllowedValues") as err:
        from_sam(template, parameters={"Stage": "qa"})
    assert err.value.line == 3
    with pytest.raises(ConfigError, match="did you mean 'Stage'"):
        from_sam(template, parameters={"Stag": "dev"})


# ---------------------------------------------------------------------------- AutoPublishAlias


def test_auto_publish_alias_is_required() -> None:
    # SAM:model/sam_resources.py: "'DeploymentPreference' requires AutoPublishAlias property to
    # be specified."
    with pytest.raises(AppSpecError) as err:
        from_sam(fn("Type: AllAtOnce", props=""))
    assert str(err.value).endswith(
        "Resource with id [Fn] is invalid. 'DeploymentPreference' requires AutoPublishAlias "
        "property to be specified."
    )
    assert err.value.path == "Resources.Fn.Properties"


def test_auto_publish_alias_name_rule() -> None:
    # SAM: the alias must match (?!^[0-9]+$)([a-zA-Z0-9-_]+).
    with pytest.raises(AppSpecError, match="AutoPublishAlias name \\('123'\\)"):
        from_sam(fn("Type: AllAtOnce", props="      AutoPublishAlias: '123'\n"))


# ---------------------------------------------------------------------------- Enabled


@pytest.mark.parametrize("value", ["false", "'false'", "'False'", "False"])
def test_enabled_false_means_no_deployment(value: str) -> None:
    # SAM:deployment_preference.py: Enabled false, "false" or "False" disables the preference;
    # neither Type nor AutoPublishAlias is then needed. from_sam raises rather than return None.
    template = fn(f"Enabled: {value}", props="")
    with pytest.raises(AppSpecError, match="no AWS::Serverless::Function has an enabled"):
        from_sam(template)
    with pytest.raises(AppSpecError, match="Enabled: false, so there is no CodeDeploy") as err:
        from_sam(template, function="Fn")
    assert err.value.path.endswith("DeploymentPreference.Enabled")


def test_enabled_true_and_from_parameter() -> None:
    assert isinstance(from_sam(fn("Enabled: 'true'\nType: AllAtOnce")), LambdaDeployment)
    template = "Parameters:\n  Gate: {Type: String, Default: 'false'}\n" + fn(
        "Enabled: !Ref Gate\nType: AllAtOnce"
    )
    with pytest.raises(AppSpecError, match="no CodeDeploy"):
        from_sam(template, function="Fn")
    assert from_sam(template, parameters={"Gate": "true"}).alias == "live"


# ---------------------------------------------------------------------------- Hooks


def test_hooks_map_to_traffic_events() -> None:
    # SAM:model/update_policy.py: PreTraffic -> BeforeAllowTrafficHook, PostTraffic ->
    # AfterAllowTrafficHook (codedeploy.md 1.4); a failing PostTraffic hook rolls back
    # (SAM:deployment_preference.py docstring).
    template = fn(
        "Type: AllAtOnce\nHooks:\n  PreTraffic: !Ref Pre\n  PostTraffic: !GetAtt Post.Arn",
        extra=HOOK_FUNCTIONS,
    )
    d = from_sam(template, hooks={"PostTraffic": Hook(duration=12, outcome="Failed")})
    assert d.hooks.before_allow_traffic == Hook("CodeDeployHook_pre")
    assert d.hooks.after_allow_traffic == Hook("CodeDeployHook_post", 12, "Failed")
    run = shiftsim.simulate(d, rng=1)
    assert (run.status, run.error_code, run.rolled_back) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
        True,
    )
    same = from_sam(template, hooks={"AfterAllowTraffic": Hook(duration=12, outcome="Failed")})
    assert same == d


def test_hook_names_and_arns() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:CodeDeployHook_remote:live"
    d = from_sam(
        fn(f"Type: AllAtOnce\nHooks:\n  PreTraffic: {arn}\n  PostTraffic: CodeDeployHook_x")
    )
    assert d.hooks.before_allow_traffic == Hook("CodeDeployHook_remote")
    assert d.hooks.after_allow_traffic == Hook("CodeDeployHook_x")


def test_hook_errors() -> None:
    # SAM: "'Hooks' property of 'DeploymentPreference' must be a dictionary".
    with pytest.raises(AppSpecError, match="must be a dictionary"):
        from_sam(fn("Type: AllAtOnce\nHooks: !Ref Pre", extra=HOOK_FUNCTIONS))
    with pytest.raises(AppSpecError, match="did you mean 'PreTraffic'"):
        from_sam(fn("Type: AllAtOnce\nHooks: {PreTrafic: !Ref Pre}", extra=HOOK_FUNCTIONS))
    with pytest.raises(AppSpecError, match=r"'Prr', which is not a resource.*did you mean 'Pre'"):
        from_sam(fn("Type: AllAtOnce\nHooks: {PreTraffic: !Ref Prr}", extra=HOOK_FUNCTIONS))
    with pytest.raises(ConfigError, match="has no PostTraffic hook"):
        from_sam(
            fn("Type: AllAtOnce\nHooks: {PreTraffic: !Ref Pre}", extra=HOOK_FUNCTIONS),
            hooks={"PostTraffic": Hook()},
        )
    with pytest.raises(ConfigError, match="did you mean 'PreTraffic'"):
        from_sam(fn("Type: AllAtOnce"), hooks={"Pretraffic": Hook()})


def test_hook_without_codedeployhook_prefix_warns() -> None:
    # AWSCodeDeployRoleForLambda, SAM's generated role, may only invoke CodeDeployHook_*
    # functions (SAMdoc; codedeploy.md 11 and 12.22). With a Role given, shiftsim cannot tell.
    extra = "  Check:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: x}\n"
    with pytest.warns(UserWarning, match="'shiftsim-stack-Check' does not start with") as caught:
        from_sam(fn("Type: AllAtOnce\nHooks: {PreTraffic: !Ref Check}", extra=extra))
    assert caught[0].filename == __file__  # the warning points at from_sam's caller
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_sam(
            fn(
                "Type: AllAtOnce\nRole: arn:aws:iam::1:role/x\nHooks: {PreTraffic: !Ref Check}",
                extra=extra,
            )
        )
        from_sam(
            fn("Type: AllAtOnce\nHooks: {PreTraffic: !Ref Check}", extra=extra),
            parameters={"AWS::StackName": "CodeDeployHook_stack"},
        )


# ---------------------------------------------------------------------------- Alarms


def test_alarms_from_template() -> None:
    # ExecutedVersion watches the new version only; Resource=f:alias without it watches the whole
    # alias (CW section 2; SAMdoc's two alarms).
    d = from_sam(
        fn(
            "Type: Canary10Percent5Minutes\nAlarms: [!Ref TargetErrors, !Ref AliasErrors]",
            extra=TARGET_ERRORS + ALIAS_ERRORS,
        )
    )
    target, alias = d.alarms
    assert target == Alarm("TargetErrors", "Errors", 0, evaluation_periods=2, version="target")
    assert alias == Alarm(
        "shiftsim-stack-alias-errors",
        "Errors",
        5,
        "GreaterThanOrEqualToThreshold",
        evaluation_periods=3,
        datapoints_to_alarm=2,
        treat_missing_data="notBreaching",
        version="alias",
    )
    group = sam_deployment_group(
        fn(
            "Type: AllAtOnce\nAlarms: [!Ref TargetErrors, !Ref AliasErrors]",
            extra=TARGET_ERRORS + ALIAS_ERRORS,
        )
    )
    # SAM: AlarmConfiguration {Enabled: true, Alarms: [{Name: ...}]} (codedeploy.md 1.4).
    assert group["alarmConfiguration"] == {
        "enabled": True,
        "alarms": [{"name": "TargetErrors"}, {"name": "shiftsim-stack-alias-errors"}],
    }


def test_alarm_rolls_back_a_bad_release() -> None:
    # SAMdoc: on an alarm during shifting "CodeDeploy will immediately flip the Alias back";
    # SAM hard-codes rollback on all three events (codedeploy.md 1.4).
    d = from_sam(
        fn("Type: Linear10PercentEvery1Minute\nAlarms: [!Ref TargetErrors]", extra=TARGET_ERRORS),
        invocations_per_minute=600,
        target=Version("2", error_rate=0.2),
    )
    assert d.auto_rollback == AutoRollback()
    run = shiftsim.simulate(d, rng=3)
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "ALARM_ACTIVE", True)


def test_alarm_names_and_overrides() -> None:
    template = fn(
        "Type: AllAtOnce\nAlarms: [external-alarm, !Ref TargetErrors]", extra=TARGET_ERRORS
    )
    with pytest.raises(ConfigError, match="'external-alarm' is not defined in the template"):
        from_sam(template)
    mine = Alarm("mine", threshold=3)
    d = from_sam(template, alarms={"external-alarm": mine, "TargetErrors": Alarm("x")})
    assert [a.name for a in d.alarms] == ["external-alarm", "TargetErrors"]
    assert d.alarms[0].threshold == 3
    with pytest.raises(
        AppSpecError, match=r"!Ref TargetError names no.*did you mean 'TargetErrors'"
    ):
        from_sam(fn("Type: AllAtOnce\nAlarms: [!Ref TargetError]", extra=TARGET_ERRORS))


def test_alarms_with_conditions() -> None:
    # SAM: Alarms may use Fn::If; an empty list or AWS::NoValue gives no AlarmConfiguration.
    template = (
        "Parameters:\n  Watch: {Type: String, Default: 'yes'}\n"
        "Conditions:\n  Watching: !Equals [!Ref Watch, 'yes']\n"
        + fn(
            "Type: AllAtOnce\nAlarms:\n  - !If [Watching, !Ref TargetErrors, !Ref AWS::NoValue]",
            extra=TARGET_ERRORS,
        )
    )
    assert len(from_sam(template).alarms) == 1
    assert from_sam(template, parameters={"Watch": "no"}).alarms == ()
    assert "alarmConfiguration" not in sam_deployment_group(template, parameters={"Watch": "no"})
    whole = fn(
        "Type: AllAtOnce\nAlarms: !If [Disabled, [!Ref TargetErrors], !Ref AWS::NoValue]",
        extra=TARGET_ERRORS,
    )
    with pytest.raises(AppSpecError, match="condition 'Disabled' is not defined"):
        from_sam(whole)


METRIC_MATH = """
Metrics:
  - Id: rate
    Expression: {expression}
    ReturnData: true
  - Id: errors
    ReturnData: false
    MetricStat:
      Period: 60
      Stat: Sum
      Metric:
        Namespace: AWS/Lambda
        MetricName: Errors
        Dimensions: [{{Name: Resource, Value: !Sub "${{Fn}}:live"}},
                     {{Name: ExecutedVersion, Value: !GetAtt Fn.Version.Version}}]
  - Id: invocations
    ReturnData: false
    MetricStat:
      Period: 60
      Stat: Sum
      Metric:
        Namespace: AWS/Lambda
        MetricName: Invocations
        Dimensions: [{{Name: Resource, Value: !Sub "${{Fn}}:live"}},
                     {{Name: ExecutedVersion, Value: !GetAtt Fn.Version.Version}}]
EvaluationPeriods: 2
Threshold: {threshold}
ComparisonOperator: GreaterThanThreshold
"""


@pytest.mark.parametrize(
    ("expression", "threshold", "percent"),
    [
        ("100*errors/invocations", 5, 5),
        ("errors/invocations*100", 5, 5),
        ("(errors / invocations) * 100", 2.5, 2.5),
        ("errors/invocations", 0.05, 5),
        ("1000*errors/invocations", 50, 5),
    ],
)
def test_metric_math_error_rate(expression: str, threshold: float, percent: float) -> None:
    # cloudwatch-alarms.md 1.5: the typical error-rate alarm is 100*errors/invocations > X;
    # shiftsim's ErrorRate is that percentage.
    body = METRIC_MATH.format(expression=f"'{expression}'", threshold=threshold)
    d = from_sam(fn("Type: AllAtOnce\nAlarms: [!Ref Rate]", extra=alarm_resource("Rate", body)))
    (alarm,) = d.alarms
    assert (alarm.metric, alarm.version, alarm.evaluation_periods) == ("ErrorRate", "target", 2)
    assert alarm.threshold == pytest.approx(percent)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("invocations/errors*100", "not a positive multiple of errors/invocations"),
        ("FILL(errors, 0)", "FILL"),
        ("errors - invocations", "only products and quotients"),
        ("100*errors/throttles", "throttles"),
    ],
)
def test_metric_math_not_understood(expression: str, message: str) -> None:
    body = METRIC_MATH.format(expression=f"'{expression}'", threshold=1)
    with pytest.raises(UnsupportedScenarioError, match=message) as err:
        from_sam(fn("Type: AllAtOnce\nAlarms: [!Ref Rate]", extra=alarm_resource("Rate", body)))
    assert "alarms={'Rate': shiftsim.Alarm(...)}" in str(err.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Namespace": "AWS/EC2"}, "watches namespace 'AWS/EC2'"),
        ({"MetricName": "ConcurrentExecutions"}, "watches metric 'ConcurrentExecutions'"),
        ({"ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold"}, "anomaly"),
        (
            {"Dimensions": [{"Name": "Resource", "Value": {"Ref": "Fn.Version"}}]},
            "alias traffic never reaches",
        ),
        (
            {"Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Other"}}]},
            "watches another function \\(Other\\)",
        ),
        ({"Dimensions": []}, "name no function"),
    ],
)
def test_alarms_not_modelled(changes: dict[str, Any], message: str) -> None:
    props = yaml.safe_load(
        TARGET_ERRORS.split("Properties:\n")[1]
        .replace("!Sub", "")
        .replace("!Ref", "")
        .replace("!GetAtt", "")
    )
    props.update(changes)
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "AutoPublishAlias": "live",
                    "DeploymentPreference": {"Type": "AllAtOnce", "Alarms": [{"Ref": "A"}]},
                },
            },
            "Other": {"Type": "AWS::Serverless::Function", "Properties": {}},
            "A": {"Type": "AWS::CloudWatch::Alarm", "Properties": props},
        }
    }
    with pytest.raises(UnsupportedScenarioError, match=message):
        from_sam(template)


def test_alarm_statistics_and_validation() -> None:
    p99 = (
        TARGET_ERRORS.replace("MetricName: Errors", "MetricName: Duration")
        .replace("Statistic: Sum", "ExtendedStatistic: p99")
        .replace("Threshold: 0", "Threshold: '800'")
    )
    (alarm,) = from_sam(fn("Type: AllAtOnce\nAlarms: [!Ref TargetErrors]", extra=p99)).alarms
    assert (alarm.metric, alarm.statistic, alarm.threshold) == ("Duration", "p99", 800)
    bad = TARGET_ERRORS.replace("Period: 60", "Period: 45")
    with pytest.raises(AppSpecError, match=r"Alarm.period must be 10, 20, 30") as err:
        from_sam(fn("Type: AllAtOnce\nAlarms: [!Ref TargetErrors]", extra=bad))
    assert err.value.path == "Resources.TargetErrors.Properties"
    both = TARGET_ERRORS.replace("Statistic: Sum", "Statistic: Sum\n      ExtendedStatistic: p9")
    with pytest.raises(AppSpecError, match="exactly one of Statistic and ExtendedStatistic"):
        from_sam(fn("Type: AllAtOnce\nAlarms: [!Ref TargetErrors]", extra=both))
    loaded = load_template(fn("Type: AllAtOnce", extra=TARGET_ERRORS))
    assert alarm_from_resource(loaded.root, "TargetErrors", function="Fn", alias="live").m == 2


# ---------------------------------------------------------------------------- Role, triggers


def test_role_and_trigger_configurations() -> None:
    # SAM: Role replaces the generated CodeDeployServiceRole; TriggerConfigurations pass through
    # to the deployment group (cloudwatch-alarms.md 3.5).
    template = fn(
        """
Type: AllAtOnce
Role: !GetAtt DeployRole.Arn
TriggerConfigurations:
  - TriggerName: ops
    TriggerTargetArn: !Ref Topic
    TriggerEvents: [DeploymentFailure, DeploymentRollback]
""",
        extra="  Topic: {Type: AWS::SNS::Topic}\n  DeployRole: {Type: AWS::IAM::Role}\n",
    )
    group = sam_deployment_group(template)
    assert group["serviceRoleArn"] == "!GetAtt DeployRole.Arn"
    assert group["triggerConfigurations"] == [
        {
            "triggerName": "ops",
            "triggerTargetArn": "!Ref Topic",
            "triggerEvents": ["DeploymentFailure", "DeploymentRollback"],
        }
    ]
    assert group["deploymentGroupName"] == "FnDeploymentGroup"
    assert group["applicationName"] == "ServerlessDeploymentApplication"
    d = from_sam(template)
    assert (d.application, d.deployment_group) == (
        "ServerlessDeploymentApplication",
        "FnDeploymentGroup",
    )
    with pytest.raises(AppSpecError, match="did you mean 'DeploymentFailure'") as err:
        from_sam(template.replace("DeploymentFailure", "DeploymentFail"))
    assert err.value.path.endswith("TriggerConfigurations[0]")


# ---------------------------------------------------------------------------- PassthroughCondition


def test_passthrough_condition_and_function_condition() -> None:
    # SAM: PassthroughCondition must be a boolean (or resolve to one); a function whose Condition
    # is false is not created, so it has no deployment.
    template = (
        "Parameters:\n  Env: {Type: String, Default: prod}\n"
        "Conditions:\n  IsProd: !Equals [prod, !Ref Env]\n"
        + fn("Type: AllAtOnce\nPassthroughCondition: true").replace(
            "    Type: AWS::Serverless::Function\n",
            "    Type: AWS::Serverless::Function\n    Condition: IsProd\n",
        )
    )
    assert from_sam(template).alias == "live"
    with pytest.raises(AppSpecError, match="Condition 'IsProd' is false"):
        from_sam(template, parameters={"Env": "dev"})
    with pytest.raises(AppSpecError, match="Invalid value for property PassthroughCondition"):
        from_sam(template.replace("PassthroughCondition: true", "PassthroughCondition: maybe"))
    with pytest.raises(AppSpecError, match="only intrinsic functions supported for property"):
        from_sam(
            template.replace("PassthroughCondition: true", "PassthroughCondition: !ImportValue x")
        )


# ---------------------------------------------------------------------------- Globals


def test_globals_merge() -> None:
    # SAM globals: maps merge key by key, lists append (globals first), scalars and intrinsics
    # are replaced by the function's value (SAM docs/globals.rst).
    template = (
        "Globals:\n  Function:\n    AutoPublishAlias: live\n    DeploymentPreference:\n"
        "      Type: AllAtOnce\n      Alarms: [!Ref TargetErrors]\n"
        "      Hooks: {PreTraffic: !Ref Pre}\n"
        + fn(
            "Type: Canary10Percent15Minutes\nAlarms: [!Ref AliasErrors]\n"
            "Hooks: {PostTraffic: !Ref Post}",
            props="",
            extra=HOOK_FUNCTIONS + TARGET_ERRORS + ALIAS_ERRORS,
        )
    )
    d = from_sam(template, function="Fn")
    assert d.deployment_config.name == "CodeDeployDefault.LambdaCanary10Percent15Minutes"
    assert [a.name for a in d.alarms] == ["TargetErrors", "shiftsim-stack-alias-errors"]
    assert (d.hooks.before_allow_traffic, d.hooks.after_allow_traffic) == (
        Hook("CodeDeployHook_pre"),
        Hook("CodeDeployHook_post"),
    )


def test_globals_apply_to_every_function() -> None:
    # A global DeploymentPreference reaches every function, and SAM then rejects a function
    # without an alias (corpus file 8 keeps hook functions out of Globals for that reason).
    template = (
        "Globals:\n  Function:\n    DeploymentPreference: {Type: AllAtOnce}\n"
        + fn("Type: Linear10PercentEvery2Minutes")
        + "  Other:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: x}\n"
    )
    with pytest.raises(AppSpecError, match=r"\[Other\] is invalid.*AutoPublishAlias"):
        from_sam(template, function="Fn")


def test_unknown_preference_key_warns() -> None:
    with pytest.warns(UserWarning, match="no property 'Alarm'.*did you mean 'Alarms'"):
        from_sam(fn("Type: AllAtOnce\nAlarm: []"))


# ---------------------------------------------------------------------------- selection


def test_function_selection() -> None:
    two = fn("Type: AllAtOnce") + (
        "  Second:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      AutoPublishAlias: live\n      DeploymentPreference: {Type: AllAtOnce}\n"
    )
    with pytest.raises(AppSpecError, match=r"2 functions .*: Fn, Second; pass function="):
        from_sam(two)
    assert from_sam(two, function="Second").function_name == "Second"
    assert from_sam(two, function="orders").function_name == "orders"  # by FunctionName
    with pytest.raises(AppSpecError, match="did you mean 'Second'"):
        from_sam(two, function="Secnd")
    plain = two + "  Plain:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: x}\n"
    with pytest.raises(AppSpecError, match="Plain' has no DeploymentPreference"):
        from_sam(plain, function="Plain")


# ---------------------------------------------------------------------------- loading


def test_loading_errors_have_lines() -> None:
    with pytest.raises(AppSpecError, match="not valid YAML") as err:
        from_sam("Resources:\n  Fn:\n    Type: [unclosed\n")
    assert err.value.line == 4
    with pytest.raises(AppSpecError, match=r"unknown tag '!Reff'.*did you mean '!Ref'") as err:
        from_sam(fn("Type: !Reff Speed"))
    assert err.value.line == 8
    with pytest.raises(AppSpecError, match="duplicate key 'Type' \\(first at line 8\\)"):
        from_sam(fn("Type: AllAtOnce\nType: Canary10Percent5Minutes"))
    with pytest.raises(AppSpecError, match="must be a mapping"):
        from_sam("- just\n- a list\n")
    with pytest.raises(AppSpecError, match="no Resources"):
        from_sam("Description: nothing\n")
    with pytest.raises(AppSpecError, match="python/object"):
        from_sam("Resources: !!python/object:os.system {}\n")
    with pytest.raises(AppSpecError, match="not valid JSON") as err:
        from_sam('{"Resources": {\n  "Fn": }\n}')
    assert err.value.line == 2


def test_unresolvable_values_are_named() -> None:
    template = "Parameters:\n  Speed: {Type: String}\n" + fn("Type: !Ref Speed")
    with pytest.raises(
        AppSpecError,
        match=r"!Ref Speed: parameter 'Speed' has no Default; pass "
        r"parameters=\{'Speed': \.\.\.\}",
    ) as err:
        from_sam(template)
    assert (err.value.line, err.value.path) == (
        10,
        "Resources.Fn.Properties.DeploymentPreference.Type",
    )
    with pytest.raises(AppSpecError, match=r"ImportValue.*exported by another stack"):
        from_sam(fn("Type: !ImportValue shared-speed"))
    with pytest.raises(AppSpecError, match="no parameter, pseudo parameter or resource"):
        from_sam(fn("Type: !Ref Nothing"))
    with pytest.raises(AppSpecError, match="condition 'Loop' depends on itself"):
        from_sam(
            "Conditions:\n  Loop: !Not [!Condition Loop]\n"
            + fn("Type: !If [Loop, AllAtOnce, Canary10Percent5Minutes]")
        )
    ssm = "Parameters:\n  Speed: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /x}\n"
    with pytest.raises(AppSpecError, match="SSM parameter read at deployment"):
        from_sam(ssm + fn("Type: !Ref Speed"))
    assert from_sam(ssm + fn("Type: !Ref Speed"), parameters={"Speed": "AllAtOnce"}).alias == "live"


def test_intrinsic_functions() -> None:
    template = (
        "Parameters:\n"
        "  Parts: {Type: CommaDelimitedList, Default: 'Linear10,PercentEvery2Minutes'}\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      FunctionName:\n"
        "        !Join ['-', [!Ref 'AWS::StackName', !Select [1, !Split [',', 'a,b']]]]\n"
        "      AutoPublishAlias: !Sub ['${x}${!literal}', {x: live}]\n"
        "      DeploymentPreference:\n        Type: !Join ['', !Ref Parts]\n"
    )
    with pytest.raises(AppSpecError, match=r"AutoPublishAlias name \('live\$\{literal\}'\)"):
        from_sam(template)
    d = from_sam(template.replace("${!literal}", ""), parameters={"AWS::StackName": "shop"})
    assert (d.function_name, d.alias) == ("shop-b", "live")
    assert d.deployment_config.name == "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes"
    with pytest.raises(ConfigError, match="not a pseudo parameter"):
        from_sam(template, parameters={"AWS::Regio": "x"})


@pytest.mark.slow
def test_hostile_input_is_refused_quickly() -> None:
    bomb = [
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      AutoPublishAlias: live\n      DeploymentPreference:\n        Type: AllAtOnce\n"
        "        X0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    ]
    for i in range(1, 9):
        bomb.append(
            f"        X{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1},"
            f" *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
        )
    bomb.append("        Alarms: [!Join ['', *a8]]\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AppSpecError, match="expands to more than 50000 nodes"):
            from_sam("".join(bomb))
    with pytest.raises(AppSpecError, match=r"at most|larger than"):
        from_sam("Description: " + "x" * (1 << 20) + "\n")
    with pytest.raises(AppSpecError, match="nest"):
        from_sam("Resources: " + "[" * 5000 + "]" * 5000)
    with pytest.raises(AppSpecError, match="nests deeper than 64 levels"):
        from_sam("[" * 10_000 + "]" * 10_000)  # JSON: once a RecursionError
    with pytest.raises(AppSpecError, match="nests deeper than 64 levels"):
        from_sam(
            "Resources:\n"
            + "".join(" " * i + f"k{i}:\n" for i in range(1, 80))
            + " " * 80
            + "v: 1\n"
        )


def test_template_from_path_json_and_mapping(tmp_path: Path) -> None:
    text = fn("Type: AllAtOnce")
    path = tmp_path / "template.yaml"
    path.write_text(text)
    as_dict = yaml.safe_load(text)

    json_path = tmp_path / "template.json"
    json_path.write_text(json.dumps(as_dict, indent="\t"))
    results = {from_sam(path), from_sam(text), from_sam(as_dict), from_sam(json_path)}
    assert len({repr(r) for r in results}) == 1
    # Text is text and paths are paths (issue 16): a str is never opened as a file.
    with pytest.raises(AppSpecError, match=r"was given as a str, so it was read as template text"):
        from_sam(str(path))
    with pytest.raises(AppSpecError, match=r"given as a str.*pathlib\.Path\('/etc/passwd'\)"):
        from_sam("/etc/passwd")
    with pytest.raises(ConfigError, match="template must be"):
        from_sam(42)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- properties


@pytest.mark.slow
@given(
    kind=st.sampled_from(SAM_SHORT_NAMES),
    alarms=st.integers(0, 2),
    pre=st.booleans(),
    post=st.booleans(),
    in_globals=st.booleans(),
)
def test_long_and_short_forms_agree(
    kind: str, alarms: int, pre: bool, post: bool, in_globals: bool
) -> None:
    preference: dict[str, Any] = {"Type": kind}
    if alarms:
        preference["Alarms"] = [{"Ref": "TargetErrors"}, {"Ref": "AliasErrors"}][:alarms]
    hooks = {
        k: {"Ref": v}
        for k, v, on in (("PreTraffic", "Pre", pre), ("PostTraffic", "Post", post))
        if on
    }
    if hooks:
        preference["Hooks"] = hooks
    short = load_template(
        fn("Type: AllAtOnce", extra=HOOK_FUNCTIONS + TARGET_ERRORS + ALIAS_ERRORS)
    )
    root = json.loads(json.dumps(short.root))  # long forms, plain data
    if in_globals:
        root["Globals"] = {"Function": {"DeploymentPreference": preference}}
        del root["Resources"]["Fn"]["Properties"]["DeploymentPreference"]
    else:
        root["Resources"]["Fn"]["Properties"]["DeploymentPreference"] = preference
    d = from_sam(yaml.safe_dump(root), function="Fn")
    assert d.deployment_config.name == f"CodeDeployDefault.Lambda{kind}"
    assert d.auto_rollback == AutoRollback()
    assert len(d.alarms) == alarms
    assert (d.hooks.before_allow_traffic is not None, d.hooks.after_allow_traffic is not None) == (
        pre,
        post,
    )
    assert d == from_sam(root, function="Fn")


# ---------------------------------------------------------------------------- the corpus

CORPUS_PARAMETERS = {
    "FunctionAlias": "live",
    "Environment": "prd",
    "EnvironmentNumber": "1",
    "Product": "shop",
}


def corpus_files() -> list[Path]:
    if not SAM_DIR.is_dir():
        return []
    return sorted(SAM_DIR.iterdir(), key=lambda p: int(p.name.split("_")[0]))


def number(path: Path) -> int:
    return int(path.name.split("_")[0])


@pytest.mark.skipif(not SAM_DIR.is_dir(), reason=f"corpus not found at {SAM_DIR}")
def test_corpus_is_all_covered() -> None:
    # Every file of corpus/sam/ is checked below, and SOURCES.tsv lists each one.
    notes = (CORPUS / "SOURCES.tsv").read_text()
    files = corpus_files()
    assert len(files) == len(CORPUS_EXPECTATIONS) == 19
    for path in files:
        assert f"sam/{path.name}" in notes
        assert number(path) in CORPUS_EXPECTATIONS


def expect_ok(
    config: str,
    alias: str,
    alarms: list[tuple[str, str]],
    pre: str | None,
    post: str | None,
    **options: Any,
) -> dict[str, Any]:
    return {
        "config": config,
        "alias": alias,
        "alarms": alarms,
        "pre": pre,
        "post": post,
        "options": options,
    }


CORPUS_EXPECTATIONS: dict[int, Any] = {
    # SOURCES.tsv: "looks malformed: DeploymentPreference without AutoPublishAlias (SAM
    # rejects); Alarms/Hooks reference undefined resources". Agreed: SAM's own error comes first.
    1: (AppSpecError, "requires AutoPublishAlias property to be specified", 16),
    2: expect_ok("Canary10Percent10Minutes", "live", [], None, None),
    3: expect_ok("Linear10PercentEvery1Minute", "live", [], None, None),
    # FunctionName-only dimensions watch every version: the alias's traffic (CW section 2).
    4: expect_ok(
        "Linear10PercentEvery1Minute", "live", [("HelloWorldErrorAlarm", "alias")], None, None
    ),
    # Two eligible functions: the caller must choose (each is checked below).
    5: (AppSpecError, "2 functions have an enabled DeploymentPreference", 10),
    # SAM's all-parameters fixture is valid SAM, but its alarm watches AWS/EC2 MyMetric, which
    # shiftsim cannot model: the error names it (supplying alarms= makes it run, below).
    6: (UnsupportedScenarioError, "MyCloudWatchAlarm' watches namespace 'AWS/EC2'", 48),
    # SOURCES.tsv: "Hooks is a scalar string 'Badhook' and no AutoPublishAlias (expected
    # invalid)". Agreed; SAM reports the Hooks error first (its expected output for this fixture
    # is "'Hooks' property of 'DeploymentPreference' must be a dictionary"), and so do we.
    7: (AppSpecError, "'Hooks' property of 'DeploymentPreference' must be a dictionary", 10),
    8: expect_ok("AllAtOnce", "Live", [], None, None),
    9: expect_ok("AllAtOnce", "test", [], "CodeDeployHook_SimpleAddPreTrafficHookFunction", None),
    10: expect_ok(
        "Canary10Percent5Minutes",
        "live",
        [
            ("shiftsim-stack-BotLatestVersionErrors", "target"),
            ("shiftsim-stack-BotAliasErrors", "alias"),
        ],
        "CodeDeployHook_-shiftsim-stack-pre-traffic-hook",
        None,
    ),
    11: expect_ok(
        "Linear10PercentEvery1Minute",
        "live",
        [],
        "CodeDeployHook_beforeAllowTraffic",
        "CodeDeployHook_afterAllowTraffic",
    ),
    12: expect_ok("Linear10PercentEvery1Minute", "live", [], "CodeDeployHook_preTrafficHook", None),
    13: (AppSpecError, "2 functions have an enabled DeploymentPreference", 5),
    # The alias and names come from parameters without defaults: the error says which to pass.
    14: (AppSpecError, "parameter 'FunctionAlias' has no Default", 30),
    15: expect_ok(
        "Canary10Percent5Minutes",
        "live",
        [("LatestVersionErrorMetricGreaterThanZeroAlarm", "target")],
        "CodeDeployHook_shiftsim-stack-canaryTest",
        "CodeDeployHook_shiftsim-stack-canaryTest",
    ),
    16: expect_ok(
        "Canary10Percent10Minutes",
        "live",
        [
            ("AliasErrorMetricGreaterThanZeroAlarm", "alias"),
            ("LatestVersionErrorMetricGreaterThanZeroAlarm", "target"),
        ],
        None,
        None,
    ),
    # SOURCES.tsv: "full CodeDeploy config name ... (accepted as custom config name)". Agreed,
    # with a nuance: SAM passes it through, and CodeDeploy then finds the predefined config of
    # that name, so no configs= is needed.
    17: expect_ok("Canary10Percent5Minutes", "prod", [], "CodeDeployHook_BeforeAllowTraffic", None),
    18: expect_ok(
        "Linear10PercentEvery10Minutes",
        "prod",
        [("MyAlarm", "target")],
        "CodeDeployHook_preTrafficHook",
        "CodeDeployHook_postTrafficHook",
    ),
    19: expect_ok("Linear10PercentEvery1Minute", "live", [], "CodeDeployHook_preTrafficHook", None),
}


@pytest.mark.skipif(not SAM_DIR.is_dir(), reason=f"corpus not found at {SAM_DIR}")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name.split("_")[0])
def test_corpus(path: Path) -> None:
    expected = CORPUS_EXPECTATIONS[number(path)]
    if isinstance(expected, tuple):
        error, message, line = expected
        with pytest.raises(error, match=message) as err:
            from_sam(path)
        assert f"{path}:{line}" in str(err.value)
        return
    d = from_sam(path, **expected["options"])
    assert d.deployment_config.name == f"CodeDeployDefault.Lambda{expected['config']}"
    assert d.alias == expected["alias"]
    assert [(a.name, a.version) for a in d.alarms] == expected["alarms"]
    hooks = d.hooks
    assert (
        getattr(hooks.before_allow_traffic, "function_name", None),
        getattr(hooks.after_allow_traffic, "function_name", None),
    ) == (expected["pre"], expected["post"])
    assert d.auto_rollback == AutoRollback()
    assert shiftsim.simulate(d, rng=1).status == "Succeeded"


@pytest.mark.skipif(not SAM_DIR.is_dir(), reason=f"corpus not found at {SAM_DIR}")
def test_corpus_follow_ups() -> None:
    files = {number(p): p for p in corpus_files()}
    a = from_sam(files[5], function="ExampleAFunction")
    assert [(x.version) for x in a.alarms] == ["alias", "target"]
    assert a.hooks.before_allow_traffic == Hook("CodeDeployHook_preTrafficHook")
    b = from_sam(files[5], function="ExampleBFunction")
    assert [x.name for x in b.alarms] == [
        "ExampleBAliasErrorMetricGreaterThanZeroAlarm",
        "ExampleBLatestVersionErrorMetricGreaterThanZeroAlarm",
    ]
    with pytest.warns(UserWarning, match="does not start with 'CodeDeployHook_'"):
        six = from_sam(files[6], alarms={"MyCloudWatchAlarm": Alarm("MyCloudWatchAlarm")})
    assert six.deployment_config.name == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    group = sam_deployment_group(files[6])
    assert group["triggerConfigurations"][0]["triggerEvents"] == [
        "DeploymentSuccess",
        "DeploymentFailure",
    ]
    eight = sam_deployment_group(files[8], parameters={"TypeParam": "Canary10Percent30Minutes"})
    assert eight["deploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent30Minutes"
    assert eight["serviceRoleArn"] == "!GetAtt DeploymentRole.Arn"
    for function in ("myFirstFunction", "mySecondFunction"):
        assert from_sam(files[13], function=function).hooks.before_allow_traffic == Hook(
            "CodeDeployHook_preTrafficHook"
        )
    prd = from_sam(files[14], parameters=CORPUS_PARAMETERS)
    assert prd.deployment_config.name == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    assert prd.function_name == "shop-prd-1-lambda-deployment-preferences"
    assert [x.threshold for x in prd.alarms] == [0, 0]
    dvd = from_sam(files[14], parameters=dict(CORPUS_PARAMETERS, Environment="dvd"))
    assert dvd.deployment_config.name == "CodeDeployDefault.LambdaAllAtOnce"
    assert [x.threshold for x in dvd.alarms] == [9000, 9000]
    assert dvd.hooks.before_allow_traffic == Hook(
        "CodeDeployHook_shop-dvd-1-lambda-deployment-preferences"
    )
    assert sam_deployment_group(files[12])["triggerConfigurations"][0]["triggerName"] == (
        "TestTrigger"
    )


# ---------------------------------------------------------------------------- issue 16


def test_a_hook_must_name_one_function() -> None:
    """A list is not a function name (it used to become the function '[1, 2]')."""
    with pytest.raises(AppSpecError, match=r"a hook names one Lambda function.*got \[1, 2\]"):
        from_sam(fn("Type: AllAtOnce\nHooks: {PreTraffic: [1, 2]}"))
    with pytest.raises(AppSpecError, match="a hook names one Lambda function"):
        from_sam(fn("Type: AllAtOnce\nHooks: {PostTraffic: {a: 1}}"))


@pytest.mark.parametrize("index", ["-1", "2", "x", "1.5", "true"])
def test_select_needs_an_index_from_zero_to_n_minus_one(index: str) -> None:
    """CloudFormation's Fn::Select reference: "The index value must be a value between zero and
    N-1"; Python's negative indexes from the end are not CloudFormation's."""
    template = fn(f"Type: !Select [{index}, [AllAtOnce, Linear10PercentEvery1Minute]]")
    with pytest.raises(AppSpecError, match=r"!Select (index|takes an integer)"):
        from_sam(template)
    ok = fn("Type: !Select ['1', [AllAtOnce, Linear10PercentEvery1Minute]]")
    assert from_sam(ok).deployment_config.name.endswith("Linear10PercentEvery1Minute")


def test_split_with_an_empty_delimiter_is_a_clean_error() -> None:
    with pytest.raises(AppSpecError, match="!Split takes a non-empty delimiter"):
        from_sam(fn("Type: !Select [0, !Split ['', AllAtOnce]]"))
    assert from_sam(fn("Type: !Select [0, !Split [',', 'AllAtOnce,x']]")).config.name.endswith(
        "AllAtOnce"
    )


@pytest.mark.parametrize("value", [".nan", "'yes'", "1", "[true]"])
def test_enabled_must_be_a_boolean(value: str) -> None:
    """SAM's DeploymentPreference.Enabled is a Boolean: NaN is not 'enabled'."""
    with pytest.raises(AppSpecError, match="Enabled must be true or false"):
        from_sam(fn(f"Type: AllAtOnce\nEnabled: {value}"))
    assert from_sam(fn("Type: AllAtOnce\nEnabled: 'True'")).alias == "live"


@pytest.mark.parametrize(
    "scalar",
    ['!!bool "maybe"', '!!int "abc"', '!!float "abc"', '!!timestamp "garbage"', "2001-02-30"],
)
def test_scalar_construction_errors_are_located(scalar: str) -> None:
    with pytest.raises(AppSpecError) as info:
        from_sam(fn(f"Type: AllAtOnce\nX: {scalar}"))
    assert info.value.line == 9


def test_huge_integers_and_nul_bytes_are_located() -> None:
    with pytest.raises(AppSpecError, match="longer than 100 characters") as info:
        from_sam(fn("Type: AllAtOnce\nX: " + "9" * 5000))
    assert info.value.line == 9
    with pytest.raises(AppSpecError, match="not valid YAML") as info:
        from_sam(fn("Type: AllAtOnce\nX: a\x00b"))
    assert info.value.line == 9


def test_errors_quote_a_short_escaped_excerpt() -> None:
    secret = "root:x:0:0:root:/root:/bin/bash\x1b[2J" * 100
    with pytest.raises(shiftsim.errors.ShiftsimError) as info:
        from_sam(fn(f"Type: {json.dumps(secret)}"))
    message = str(info.value)
    assert "\x1b" not in message
    assert len(message) < 1000 < len(secret)


@pytest.mark.parametrize(
    "module", ["_keys", "_template", "_resolve", "_alarms", "_preferences", "_groups"]
)
def test_submodule_docstring_examples_run(module: str) -> None:
    """shiftsim.sam is a package: test_docs runs the examples of top-level modules only."""
    import doctest
    import importlib

    result = doctest.testmod(
        importlib.import_module(f"shiftsim.sam.{module}"),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.failed == 0


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    MetricStat:\n      Period: 60\n      Stat: Sum\n      Metric:\n        Namespace: "
            "AWS/Lambda\n        MetricName: Errors",
            "    MetricStat: [1, 2]\n    X:\n      Metric:\n"
            "        Namespace: AWS/Lambda\n        MetricName: Errors",
            "MetricStat must be a mapping",
        ),
        ("Period: 60", "Period: sixty", "Period must be a whole number of seconds"),
    ],
)
def test_metric_math_shapes_are_clean_errors(old: str, new: str, message: str) -> None:
    body = METRIC_MATH.format(expression="'100*errors/invocations'", threshold=5).replace(old, new)
    template = fn("Type: AllAtOnce\nAlarms: [!Ref Rate]", extra=alarm_resource("Rate", body))
    with pytest.raises(AppSpecError, match=message):
        from_sam(template)


@pytest.mark.parametrize("value", ["", " []", " 3"])
def test_a_mappings_section_that_is_not_a_mapping_is_refused(value: str) -> None:
    """Issues 12 and 16: SAM refuses ``Mappings: null`` (or a list, a number):
    SAM:samtranslator/translator/translator.py passes ``template.get("Mappings", {})`` to
    IntrinsicsResolver, which raises "'Mappings' or 'Parameters' is either null or not a valid
    dictionary" (SAM:samtranslator/intrinsics/resolver.py). A null ``Parameters`` section is
    read as none there (SAM:samtranslator/sdk/parameter.py), so it stays accepted."""
    with pytest.raises(AppSpecError, match="the Mappings section must be a mapping") as err:
        from_sam(fn("Type: AllAtOnce") + f"Mappings:{value}\n")
    assert err.value.line == 9 and "(SAM refuses it)" in str(err.value)
    assert isinstance(from_sam(fn("Type: AllAtOnce") + "Parameters:\n"), LambdaDeployment)
