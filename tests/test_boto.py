"""CodeDeploy API shapes: deployment groups and revisions in, get_deployment out, triggers.

Shapes are botocore's CodeDeploy model (codedeploy.md source key API:<Shape>).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
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
    LambdaHooks,
    ManualStop,
    TimeBasedLinear,
    UnsupportedScenarioError,
    Version,
)
from shiftsim.boto import (
    TriggerConfig,
    from_deployment_group,
    to_deployment_group,
    to_get_deployment,
    to_revision,
    trigger_notifications,
)
from shiftsim.ecs import EcsDeployment, EcsHooks, run_ecs

ERRORS = Alarm("errors", threshold=0, evaluation_periods=2)


def lambda_group(**changes: Any) -> dict[str, Any]:
    group: dict[str, Any] = {
        "applicationName": "orders",
        "deploymentGroupName": "orders-live",
        "deploymentConfigName": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        "serviceRoleArn": "arn:aws:iam::123456789012:role/cd",
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
        "alarmConfiguration": {"enabled": True, "alarms": [{"name": "errors"}]},
        "deploymentStyle": {
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
    }
    group.update(changes)
    return {k: v for k, v in group.items() if v is not None}


def ecs_group(**changes: Any) -> dict[str, Any]:
    group: dict[str, Any] = {
        "applicationName": "shop",
        "deploymentGroupName": "web",
        "deploymentConfigName": "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "ecsServices": [{"serviceName": "web", "clusterName": "prod"}],
        "autoRollbackConfiguration": {
            "enabled": True,
            "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
        },
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": 15,
            },
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        },
        "loadBalancerInfo": {
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "blue"}, {"name": "green"}],
                    "prodTrafficRoute": {"listenerArns": ["arn:prod"]},
                    "testTrafficRoute": {"listenerArns": ["arn:test"]},
                }
            ]
        },
    }
    group.update(changes)
    return {k: v for k, v in group.items() if v is not None}


LAMBDA_APPSPEC = """
version: 0.0
Resources:
  - orders:
      Type: AWS::Lambda::Function
      Properties:
        Name: orders
        Alias: live
        CurrentVersion: "7"
        TargetVersion: "8"
Hooks:
  - BeforeAllowTraffic: CodeDeployHook_pre
  - AfterAllowTraffic: CodeDeployHook_post
"""


# ---------------------------------------------------------------------------- Lambda in


def test_lambda_group_with_revision() -> None:
    d = from_deployment_group(
        lambda_group(),
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": LAMBDA_APPSPEC}},
        alarms={"errors": ERRORS},
        invocations_per_minute=300,
        target=Version("ignored", duration_ms=250),
        hooks={"AfterAllowTraffic": Hook("x", duration=90, outcome="Failed")},
    )
    assert isinstance(d, LambdaDeployment)
    assert d.deployment_config.name == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    assert (d.application, d.deployment_group) == ("orders", "orders-live")
    assert (d.function_name, d.alias, d.current.name, d.target.name) == ("orders", "live", "7", "8")
    assert d.target.duration_ms == 250  # behaviour from the caller, name from the AppSpec
    assert d.alarms == (ERRORS,)
    assert d.auto_rollback == AutoRollback(True, ("DEPLOYMENT_FAILURE",))
    assert d.hooks.before_allow_traffic == Hook("CodeDeployHook_pre")
    assert d.hooks.after_allow_traffic == Hook("CodeDeployHook_post", 90, "Failed")
    assert shiftsim.simulate(d, rng=1).error_code == "HOOK_EXECUTION_FAILURE"


def test_lowercase_appspec_keys_and_string_revision() -> None:
    # codedeploy.md 5.3: the docs spell Lambda AppSpec keys both lowercase and PascalCase.
    text = LAMBDA_APPSPEC.replace("Resources", "resources").replace("Properties", "properties")
    d = from_deployment_group(
        lambda_group(alarmConfiguration=None),
        revision={"revisionType": "String", "string": {"content": text.replace("Name", "name")}},
    )
    assert (d.function_name, d.target.name) == ("orders", "8")


def test_auto_rollback_absent_means_disabled() -> None:
    # API:CreateDeploymentGroupInput: autoRollbackConfiguration is optional; a new group has
    # rollback off unless configured (AutoRollback.from_boto(None)).
    d = from_deployment_group(lambda_group(autoRollbackConfiguration=None, alarmConfiguration=None))
    assert d.auto_rollback == AutoRollback.disabled()
    d = from_deployment_group(
        lambda_group(autoRollbackConfiguration=None, alarmConfiguration=None),
        auto_rollback=AutoRollback(),
    )
    assert d.auto_rollback == AutoRollback()
    with pytest.raises(ConfigError, match="give rollback settings once"):
        from_deployment_group(lambda_group(alarmConfiguration=None), auto_rollback=AutoRollback())


def test_alarm_configuration_rules() -> None:
    # API:AlarmConfiguration: enabled with no alarms raises InvalidAlarmConfigException; alarms
    # are known to CodeDeploy only by name.
    disabled = {"enabled": False, "alarms": [{"name": "errors"}]}
    assert from_deployment_group(lambda_group(alarmConfiguration=disabled)).alarms == ()
    with pytest.raises(ConfigError, match="InvalidAlarmConfigException"):
        from_deployment_group(lambda_group(alarmConfiguration={"enabled": True, "alarms": []}))
    with pytest.raises(ConfigError, match=r"names \['errors'\] but alarms= holds no Alarm"):
        from_deployment_group(lambda_group())
    renamed = from_deployment_group(lambda_group(), alarms={"errors": Alarm("other")})
    assert renamed.alarms[0].name == "errors"
    eleven = {"enabled": True, "alarms": [{"name": f"a{i}"} for i in range(11)]}
    with pytest.raises(ConfigError, match="at most 10 alarms"):
        from_deployment_group(
            lambda_group(alarmConfiguration=eleven), alarms=[Alarm(f"a{i}") for i in range(11)]
        )


def test_custom_configuration_must_be_supplied() -> None:
    custom = DeploymentConfig("Linear20Every2", "Lambda", traffic_routing=TimeBasedLinear(20, 2))
    group = lambda_group(deploymentConfigName="Linear20Every2", alarmConfiguration=None)
    with pytest.raises(ConfigError, match=r"'Linear20Every2' is neither predefined.*configs="):
        from_deployment_group(group, compute_platform="Lambda")
    assert from_deployment_group(group, configs=[custom]).config == custom  # platform from it
    with pytest.raises(ConfigError, match="must be a Lambda configuration"):
        from_deployment_group(
            lambda_group(
                deploymentConfigName="CodeDeployDefault.ECSAllAtOnce", alarmConfiguration=None
            ),
            compute_platform="Lambda",
        )


def test_missing_configuration_name() -> None:
    group = lambda_group(deploymentConfigName=None, alarmConfiguration=None)
    with pytest.raises(ConfigError, match="deploymentConfigName is missing"):
        from_deployment_group(group, compute_platform="Lambda")
    d = from_deployment_group(group, compute_platform="Lambda", config="AllAtOnce")
    assert d.deployment_config.name == "CodeDeployDefault.LambdaAllAtOnce"
    with pytest.raises(ConfigError, match="not both"):
        from_deployment_group(lambda_group(alarmConfiguration=None), config="AllAtOnce")


def test_platform_inference_and_server() -> None:
    group = lambda_group(
        deploymentConfigName="CodeDeployDefault.HalfAtATime", alarmConfiguration=None
    )
    # A Server configuration makes it an EC2 group; traffic control needs a load balancer
    # (ErrorCode MISSING_ELB_INFORMATION, API:ErrorInformation).
    with pytest.raises(ConfigError, match="loadBalancerInfo"):
        from_deployment_group(group)
    server = from_deployment_group({"ec2TagFilters": [{"Key": "app", "Type": "KEY_ONLY"}]})
    assert isinstance(server, shiftsim.ServerDeployment)
    # API:CreateDeploymentGroupInput: with no configuration named, OneAtATime.
    assert server.deployment_config.name == "CodeDeployDefault.OneAtATime"
    with pytest.raises(ConfigError, match="cannot tell the compute platform"):
        from_deployment_group({"deploymentConfigName": "Custom"})
    info = lambda_group(alarmConfiguration=None, computePlatform="Lambda")
    assert isinstance(from_deployment_group(info), LambdaDeployment)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ec2TagFilters": [{"Key": "a", "Type": "KEY_ONLY"}]}, "only to EC2/on-premises"),
        ({"autoRollbackConfig": {}}, "did you mean 'autoRollbackConfiguration'"),
        (
            {"deploymentStyle": {"deploymentType": "IN_PLACE", "deploymentOption": "x"}},
            "deploymentStyle.deploymentType",
        ),
        ({"ecsServices": [{"serviceName": "x"}]}, "does not apply to Lambda"),
        ({"outdatedInstancesStrategy": "SKIP"}, "outdatedInstancesStrategy"),
        ({"terminationHookEnabled": True}, "Auto Scaling"),
        (
            {
                "triggerConfigurations": [
                    {
                        "triggerName": "t",
                        "triggerTargetArn": "a",
                        "triggerEvents": ["DeploymentSucess"],
                    }
                ]
            },
            "did you mean 'DeploymentSuccess'",
        ),
    ],
)
def test_invalid_group_keys(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_deployment_group(
            lambda_group(alarmConfiguration=None, **changes), compute_platform="Lambda"
        )


def test_empty_server_keys_from_get_deployment_group_are_fine() -> None:
    # deploymentGroupInfo lists empty EC2 fields even for Lambda groups (API:DeploymentGroupInfo).
    info = lambda_group(
        alarmConfiguration=None,
        ec2TagFilters=[],
        onPremisesInstanceTagFilters=[],
        autoScalingGroups=[],
        ec2TagSet={"ec2TagSetList": []},
        outdatedInstancesStrategy="UPDATE",
        deploymentGroupId="0c3f2d9e-0000-0000-0000-000000000000",
    )
    assert isinstance(from_deployment_group(info), LambdaDeployment)


def test_traffic_keyword_typos_are_named() -> None:
    with pytest.raises(ConfigError, match="did you mean 'invocations_per_minute'"):
        from_deployment_group(lambda_group(alarmConfiguration=None), invocation_per_minute=5)


def test_revision_problems() -> None:
    # Revisions are checked by shiftsim.appspec.load_appspec, which names file, line and key.
    group = lambda_group(alarmConfiguration=None)
    with pytest.raises(UnsupportedScenarioError, match="revisionType 'S3'"):
        from_deployment_group(group, revision={"revisionType": "S3", "s3Location": {}})
    with pytest.raises(AppSpecError, match="not valid YAML") as err:
        from_deployment_group(group, revision="version: 0.0\nResources: [unclosed\n")
    assert err.value.source == "revision"
    with pytest.raises(AppSpecError, match="Resources"):
        from_deployment_group(group, revision={"version": 0.0, "Resources": []})
    with pytest.raises(ConfigError, match="hooks= describes"):
        from_deployment_group(
            group,
            revision=LAMBDA_APPSPEC.split("Hooks:")[0],
            hooks=LambdaHooks(before_allow_traffic=Hook()),
        )
    ecs_spec = to_revision(EcsDeployment("CodeDeployDefault.ECSAllAtOnce"))
    with pytest.raises(ConfigError, match="revision's AppSpec is for ECS"):
        from_deployment_group(group, revision=ecs_spec)
    with pytest.raises(AppSpecError, match="did you mean 'BeforeAllowTraffic'"):
        from_deployment_group(
            group, revision=LAMBDA_APPSPEC.replace("BeforeAllowTraffic", "BeforeAllowTrafic")
        )
    server = "version: 0.0\nos: linux\nfiles:\n  - {source: /, destination: /srv}\n"
    with pytest.raises(ConfigError, match="AppSpec is for Server"):
        from_deployment_group(group, revision=server)
    with pytest.raises(ConfigError, match="must be a RevisionLocation"):
        from_deployment_group(group, revision=42)


def test_revision_as_appspec_object() -> None:
    from shiftsim.appspec import load_appspec

    spec = load_appspec(LAMBDA_APPSPEC)
    d = from_deployment_group(lambda_group(alarmConfiguration=None), revision=spec)
    assert (d.current.name, d.target.name) == ("7", "8")


# ---------------------------------------------------------------------------- ECS in


TASK_DEFINITION = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12"


def test_ecs_group() -> None:
    # API:BlueInstanceTerminationOption: terminationWaitTimeInMinutes; API:TrafficRoute: the test
    # listener (testTrafficRoute) is optional.
    revision = {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": TASK_DEFINITION,
                        "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80},
                    },
                }
            }
        ],
        "Hooks": [{"AfterAllowTestTraffic": "CodeDeployHook_smoke"}],
    }
    d = from_deployment_group(ecs_group(), revision=revision, requests_per_minute=50)
    assert isinstance(d, EcsDeployment)
    assert (d.service_name, d.cluster_name) == ("web", "prod")
    assert d.termination_wait_time_in_minutes == 15 and d.test_traffic
    assert d.target.name == "12"
    assert (d.container_name, d.container_port) == ("web", 80)
    assert d.hooks == EcsHooks(after_allow_test_traffic=Hook("CodeDeployHook_smoke"))
    run = run_ecs(d, rng=2)
    assert run.termination_time == run.duration + 15 * 60

    other_family = json.dumps(revision).replace("task-definition/web:12", "task-definition/api:3")
    assert from_deployment_group(ecs_group(), revision=other_family).target.name == "api:3"
    placeholder = json.dumps(revision).replace(
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12", "<TASK_DEFINITION>"
    )
    assert from_deployment_group(ecs_group(), revision=placeholder).target.name == "2"


def test_ecs_defaults_and_unsupported_options() -> None:
    group = ecs_group(blueGreenDeploymentConfiguration=None, loadBalancerInfo=None)
    d = from_deployment_group(group)
    assert d.termination_wait_time_in_minutes == 60  # D12
    assert not d.test_traffic
    assert (d.termination_action, d.ready_action, d.ready_wait_minutes) == (
        "TERMINATE",
        "CONTINUE_DEPLOYMENT",
        0,
    )


def test_ecs_keep_alive_and_ready_option_are_read() -> None:
    """codedeploy-api.md: BlueInstanceTerminationOption.action (TERMINATE | KEEP_ALIVE) and
    DeploymentReadyOption (actionOnTimeout, waitTimeInMinutes) of
    BlueGreenDeploymentConfiguration map onto EcsDeployment."""
    keep = ecs_group(
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "KEEP_ALIVE"}
        }
    )
    d = from_deployment_group(keep)
    assert d.termination_action == "KEEP_ALIVE"
    assert run_ecs(d, rng=1).termination_time is None
    wait = ecs_group(
        blueGreenDeploymentConfiguration={
            "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 5}
        }
    )
    d = from_deployment_group(wait)
    assert (d.ready_action, d.ready_wait_minutes) == ("STOP_DEPLOYMENT", 5)
    bad = ecs_group(
        blueGreenDeploymentConfiguration={
            "deploymentReadyOption": {"actionOnTimeout": "WAIT_FOREVER"}
        }
    )
    with pytest.raises(ConfigError, match="ready_action"):
        from_deployment_group(bad)


def test_ecs_checks_of_the_group() -> None:
    with pytest.raises(ConfigError, match="ecsServices"):
        from_deployment_group(ecs_group(ecsServices=[]))
    too_long = ecs_group(
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"terminationWaitTimeInMinutes": 2881}
        }
    )
    with pytest.raises(ConfigError, match="termination_wait_time_in_minutes"):
        from_deployment_group(too_long)
    with pytest.raises(ConfigError, match="contradicts loadBalancerInfo"):
        from_deployment_group(ecs_group(), test_traffic=False)


# ---------------------------------------------------------------------------- round trips

names = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
hooks = st.one_of(st.none(), st.builds(Hook, st.just("CodeDeployHook_h"), st.integers(0, 300)))
alarm_lists = st.lists(
    st.builds(
        Alarm,
        st.sampled_from(["a", "b", "c"]),
        metric=st.sampled_from(["Errors", "Throttles"]),
        threshold=st.integers(0, 5),
    ),
    max_size=3,
    unique_by=lambda a: a.name,
)
rollbacks = st.sampled_from(
    [AutoRollback(), AutoRollback.disabled(), AutoRollback(True, ("DEPLOYMENT_STOP_ON_ALARM",))]
)


@pytest.mark.slow
@given(
    config=st.sampled_from([c.name for c in shiftsim.predefined_configs("Lambda")]),
    function=names,
    group=names,
    versions=st.sampled_from([("1", "2"), ("41", "42")]),
    pre=hooks,
    post=hooks,
    alarms=alarm_lists,
    rollback=rollbacks,
)
def test_lambda_round_trip(
    config: str,
    function: str,
    group: str,
    versions: tuple[str, str],
    pre: Hook | None,
    post: Hook | None,
    alarms: list[Alarm],
    rollback: AutoRollback,
) -> None:
    d = LambdaDeployment(
        config,
        invocations_per_minute=50,
        current=Version(versions[0]),
        target=Version(versions[1], error_rate=0.1),
        alarms=alarms,
        auto_rollback=rollback,
        hooks=LambdaHooks(pre, post),
        function_name=function,
        deployment_group=group,
        manual_stop=ManualStop(3),
    )
    kwargs = json.loads(json.dumps(to_deployment_group(d)))  # plain JSON, as boto3 sends it
    back = from_deployment_group(
        kwargs,
        revision=to_revision(d),
        alarms=alarms,
        compute_platform="Lambda",
        invocations_per_minute=50,
        target=d.target,
        hooks=d.hooks,
        manual_stop=ManualStop(3),
    )
    assert back == d


@pytest.mark.slow
@given(
    config=st.sampled_from([c.name for c in shiftsim.predefined_configs("ECS")]),
    service=names,
    target=st.sampled_from(["2", "web:9"]),
    hooks=st.builds(EcsHooks, hooks, hooks, hooks, hooks, hooks),
    alarms=alarm_lists,
    rollback=rollbacks,
    test_traffic=st.booleans(),
    wait=st.integers(0, 2880),
)
def test_ecs_round_trip(
    config: str,
    service: str,
    target: str,
    hooks: EcsHooks,
    alarms: list[Alarm],
    rollback: AutoRollback,
    test_traffic: bool,
    wait: int,
) -> None:
    d = EcsDeployment(
        config,
        target=Version(target),
        alarms=alarms,
        auto_rollback=rollback,
        hooks=hooks,
        test_traffic=test_traffic,
        termination_wait_time_in_minutes=wait,
        service_name=service,
    )
    kwargs = json.loads(json.dumps(to_deployment_group(d)))
    back = from_deployment_group(
        kwargs, revision=to_revision(d), alarms={a.name: a for a in alarms}, hooks=hooks
    )
    assert back == d


# ---------------------------------------------------------------------------- get_deployment


def test_get_deployment_success() -> None:
    d = LambdaDeployment("AllAtOnce", function_name="orders")
    run = shiftsim.simulate(d, rng=3)
    info = to_get_deployment(run, deployment=d)["deploymentInfo"]
    assert info["status"] == "Succeeded" and "errorInformation" not in info
    assert info["deploymentConfigName"] == "CodeDeployDefault.LambdaAllAtOnce"
    assert info["computePlatform"] == "Lambda"
    assert info["deploymentStyle"] == {
        "deploymentType": "BLUE_GREEN",
        "deploymentOption": "WITH_TRAFFIC_CONTROL",
    }
    assert info["createTime"].tzinfo is not None
    assert info["completeTime"] - info["createTime"] == timedelta(seconds=run.duration)
    assert info["deploymentOverview"] == {
        "Pending": 0,
        "InProgress": 0,
        "Succeeded": 1,
        "Failed": 0,
        "Skipped": 0,
        "Ready": 0,
    }
    assert "rollbackInfo" not in info
    # The run carries its deployment, so the configuration name is known without deployment=.
    assert (
        to_get_deployment(run)["deploymentInfo"]["deploymentConfigName"]
        == "CodeDeployDefault.LambdaAllAtOnce"
    )


def test_get_deployment_rollback_pair() -> None:
    # A rollback is a new deployment (creator codeDeployRollback) linked both ways through
    # rollbackInfo (API:DeploymentInfo.creator, API:RollbackInfo; codedeploy.md 6).
    d = LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=600,
        target=Version("2", error_rate=0.2),
        alarms=[ERRORS],
    )
    run = shiftsim.simulate(d, rng=7)
    assert run.rolled_back
    first = to_get_deployment(run, deployment=d)["deploymentInfo"]
    assert first["status"] == "Stopped"
    assert first["errorInformation"] == {"code": "ALARM_ACTIVE", "message": run.error_message}
    assert first["rollbackInfo"]["rollbackDeploymentId"] == run.rollback_deployment_id
    second = to_get_deployment(run, deployment=d, deployment_id=run.rollback_deployment_id)
    info = second["deploymentInfo"]
    assert info["creator"] == "codeDeployRollback" and info["status"] == "Succeeded"
    assert info["rollbackInfo"]["rollbackTriggeringDeploymentId"] == run.deployment_id
    assert info["createTime"] == first["completeTime"]
    with pytest.raises(ConfigError, match="deployment_id"):
        to_get_deployment(run, deployment_id="d-NOTMINE00")


def test_get_deployment_ecs() -> None:
    d = EcsDeployment("CodeDeployDefault.ECSAllAtOnce", termination_wait_time_in_minutes=10)
    info = to_get_deployment(run_ecs(d, rng=4))["deploymentInfo"]
    assert info["computePlatform"] == "ECS"
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"
    assert info["instanceTerminationWaitTimeStarted"] is True
    terminate = info["blueGreenDeploymentConfiguration"][
        "terminateBlueInstancesOnDeploymentSuccess"
    ]
    assert terminate["terminationWaitTimeInMinutes"] == 10
    failing = EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        hooks=EcsHooks(before_install=Hook("CodeDeployHook_pre", outcome="Failed")),
    )
    info = to_get_deployment(run_ecs(failing, rng=4))["deploymentInfo"]
    assert (
        info["status"] == "Failed" and info["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE"
    )
    assert "cannot be rolled back" in info["rollbackInfo"]["rollbackMessage"]
    assert info["instanceTerminationWaitTimeStarted"] is False


def test_get_deployment_rejects_other_objects() -> None:
    with pytest.raises(ConfigError):
        to_get_deployment("d-123")  # type: ignore[arg-type]
    run = shiftsim.simulate(LambdaDeployment("AllAtOnce"), rng=1)
    with pytest.raises(ConfigError, match="deployment"):
        to_get_deployment(run, deployment="x")  # type: ignore[arg-type]


def test_group_fields_of_the_second_fidelity_pass() -> None:
    """codedeploy-api.md: AlarmConfiguration.ignorePollAlarmFailure (Lambda, ECS) and
    CreateDeploymentGroupInput.terminationHookEnabled (EC2 Auto Scaling groups) are read."""
    ignoring = {"enabled": True, "ignorePollAlarmFailure": True, "alarms": [{"name": "errors"}]}
    d = from_deployment_group(lambda_group(alarmConfiguration=ignoring), alarms=[ERRORS])
    assert d.ignore_poll_alarm_failure is True
    assert from_deployment_group(lambda_group(), alarms=[ERRORS]).ignore_poll_alarm_failure is False
    e = from_deployment_group(ecs_group(alarmConfiguration=ignoring), alarms=[ERRORS])
    assert e.ignore_poll_alarm_failure is True
    hooked = server_group(autoScalingGroups=["web-asg"], terminationHookEnabled=True)
    assert from_deployment_group(hooked).termination_hook_enabled is True
    assert from_deployment_group(server_group()).termination_hook_enabled is False


def test_get_deployment_reports_the_new_options() -> None:
    """codedeploy-api.md 3.2: DeploymentInfo carries overrideAlarmConfiguration,
    fileExistsBehavior and blueGreenDeploymentConfiguration as the deployment set them."""
    override = shiftsim.AlarmConfiguration(ignore_poll_alarm_failure=True, alarms=[ERRORS])
    d = LambdaDeployment("AllAtOnce", override_alarm_configuration=override)
    info = to_get_deployment(shiftsim.simulate(d, rng=1), deployment=d)["deploymentInfo"]
    assert info["overrideAlarmConfiguration"] == {
        "enabled": True,
        "ignorePollAlarmFailure": True,
        "alarms": [{"name": "errors"}],
    }
    plain = LambdaDeployment("AllAtOnce")
    info = to_get_deployment(shiftsim.simulate(plain, rng=1), deployment=plain)["deploymentInfo"]
    assert "overrideAlarmConfiguration" not in info
    server = from_deployment_group(server_group(), file_exists_behavior="OVERWRITE")
    info = to_get_deployment(shiftsim.simulate(server, rng=1))["deploymentInfo"]
    assert info["fileExistsBehavior"] == "OVERWRITE"
    keep = EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        termination_action="KEEP_ALIVE",
        ready_wait_minutes=5,
        continue_after_minutes=1,
    )
    info = to_get_deployment(run_ecs(keep, rng=1))["deploymentInfo"]
    blue_green = info["blueGreenDeploymentConfiguration"]
    assert blue_green["terminateBlueInstancesOnDeploymentSuccess"]["action"] == "KEEP_ALIVE"
    assert blue_green["deploymentReadyOption"] == {
        "actionOnTimeout": "CONTINUE_DEPLOYMENT",
        "waitTimeInMinutes": 5,
    }
    assert info["status"] == "Succeeded" and info["instanceTerminationWaitTimeStarted"] is False


# ---------------------------------------------------------------------------- triggers


def test_trigger_notifications() -> None:
    # SNS messages go to each trigger subscribed to the event, named by eventTriggerName
    # (UG:monitoring-sns-event-notifications.md); EventBridge is independent of triggers.
    run = shiftsim.simulate(LambdaDeployment("AllAtOnce"), rng=1)
    triggers = [
        TriggerConfig("all", "arn:aws:sns:x:1:all", ("DeploymentStart", "DeploymentSuccess")),
        {
            "triggerName": "done",
            "triggerTargetArn": "arn:aws:sns:x:1:done",
            "triggerEvents": ["DeploymentSuccess"],
        },
    ]
    notes = trigger_notifications(run.notifications, triggers)
    sns = [(n.event, n.payload["eventTriggerName"]) for n in notes if n.channel == "sns"]
    assert sns.count(("DeploymentSuccess", "done")) == sum(
        n.event == "DeploymentSuccess" for n in run.notifications if n.channel == "sns"
    )
    assert ("DeploymentStart", "done") not in sns
    assert [n for n in notes if n.channel == "eventbridge"] == [
        n for n in run.notifications if n.channel == "eventbridge"
    ]
    with pytest.raises(ConfigError, match="at most 10 triggers"):
        trigger_notifications(
            [], [TriggerConfig(f"t{i}", "arn", ("DeploymentStart",)) for i in range(11)]
        )
    with pytest.raises(ConfigError, match="unique trigger names"):
        trigger_notifications([], [triggers[0], triggers[0]])
    kwargs = to_deployment_group(LambdaDeployment("AllAtOnce"), triggers=[triggers[0]])  # type: ignore[list-item]
    assert kwargs["triggerConfigurations"] == [triggers[0].to_boto()]  # type: ignore[union-attr]


def test_server_group_and_get_deployment() -> None:
    """An EC2 in-place group with tag targeting, a target group and a Server AppSpec; the run
    reported in get_deployment's shape, its rollback deployment too (codedeploy.md 6, 8)."""
    from shiftsim.fleet import Fleet
    from shiftsim.server import ScriptFault

    fleet = Fleet.of_size(6, tags={"env": "prod"}).update(["i-000"], tags={"env": "dev"})
    group = {
        "applicationName": "shop",
        "deploymentGroupName": "web",
        "deploymentConfigName": "CodeDeployDefault.HalfAtATime",
        "ec2TagFilters": [{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
        "loadBalancerInfo": {"targetGroupInfoList": [{"name": "tg"}]},
        "deploymentStyle": {
            "deploymentType": "IN_PLACE",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
        "outdatedInstancesStrategy": "IGNORE",
    }
    revision = "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: a.sh\n"
    deployment = from_deployment_group(
        group, revision=revision, fleet=fleet, faults=[ScriptFault("BeforeInstall")]
    )
    assert deployment.load_balancer and deployment.outdated_instances_strategy == "IGNORE"
    run = shiftsim.simulate(deployment, rng=3)
    assert set(run.instances["instance_id"]) == set(fleet.ids) - {"i-000"}
    info = to_get_deployment(run)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Failed", "HEALTH_CONSTRAINTS")
    assert info["deploymentStyle"]["deploymentOption"] == "WITH_TRAFFIC_CONTROL"
    assert info["rollbackInfo"]["rollbackDeploymentId"] == run.rollback_deployment_id
    back = to_get_deployment(run, deployment_id=run.rollback_deployment_id)["deploymentInfo"]
    assert back["creator"] == "codeDeployRollback"
    assert back["rollbackInfo"]["rollbackTriggeringDeploymentId"] == run.deployment_id


# ---------------------------------------------------------------------------- hostile values


def server_group(**changes: Any) -> dict[str, Any]:
    group: dict[str, Any] = {
        "applicationName": "shop",
        "deploymentGroupName": "web",
        "computePlatform": "Server",
        "deploymentConfigName": "CodeDeployDefault.OneAtATime",
    }
    group.update(changes)
    return group


@pytest.mark.parametrize("content", ["/etc/passwd", "appspec.yml", "../../etc/shadow.yaml"])
def test_appspec_content_is_text_never_a_file(content: str) -> None:
    """API:RevisionLocation / API:AppSpecContent: ``content`` is the AppSpec's text (issue 16:
    it was read as a path and the file echoed in the error). It is never opened."""
    revision = {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}}
    with pytest.raises(AppSpecError) as info:
        from_deployment_group(lambda_group(alarmConfiguration=None), revision=revision)
    message = str(info.value)
    assert "root:" not in message and "never a file name" in message
    assert info.value.source == "revision" and len(message) < 300
    string = {"revisionType": "String", "string": {"content": content}}
    with pytest.raises(AppSpecError, match="never a file name"):
        from_deployment_group(lambda_group(alarmConfiguration=None), revision=string)


def test_ec2_deployment_options_are_accepted() -> None:
    """botocore's codedeploy model: ec2DeploymentOptions is a member of CreateDeploymentGroupInput
    and DeploymentGroupInfo (EC2DeploymentOptions.autoScalingGroupProcessesToSuspend, at most 4
    of Terminate, AZRebalance, InstanceRefresh, ScheduledActions; codedeploy-api.md,
    CreateDeploymentGroup). shiftsim checks it; it does not model Auto Scaling's processes."""
    options = {"autoScalingGroupProcessesToSuspend": ["Terminate", "AZRebalance"]}
    with_options = from_deployment_group(server_group(ec2DeploymentOptions=options))
    assert repr(with_options) == repr(from_deployment_group(server_group()))
    empty = {"autoScalingGroupProcessesToSuspend": []}
    assert isinstance(
        from_deployment_group(lambda_group(alarmConfiguration=None, ec2DeploymentOptions=empty)),
        LambdaDeployment,
    )
    with pytest.raises(ConfigError, match=r"ToSuspend\[0\] must be one of 'Terminate'"):
        from_deployment_group(
            server_group(ec2DeploymentOptions={"autoScalingGroupProcessesToSuspend": ["Launch"]})
        )
    with pytest.raises(ConfigError, match="applies only to EC2/on-premises in-place"):
        from_deployment_group(lambda_group(alarmConfiguration=None, ec2DeploymentOptions=options))


def test_auto_scaling_group_without_a_name() -> None:
    """API:AutoScalingGroup {name, hook, terminationHook}: an entry without a name is refused
    with its position, not a KeyError."""
    with pytest.raises(ConfigError, match=r"autoScalingGroups\[1\] must be an Auto Scaling"):
        from_deployment_group(server_group(autoScalingGroups=[{"name": "a"}, {"hook": "h"}]))
    deployment = from_deployment_group(server_group(autoScalingGroups=["a", {"name": "b"}]))
    assert deployment.targets.auto_scaling_groups == ("a", "b")


def test_empty_deployment_style_reads_as_absent() -> None:
    """API:DeploymentStyle: both members are optional; an empty one says nothing."""
    without = lambda_group(alarmConfiguration=None, deploymentStyle=None)
    assert from_deployment_group({**without, "deploymentStyle": {}}) == from_deployment_group(
        without
    )
    server = from_deployment_group(server_group(deploymentStyle={}))
    assert repr(server) == repr(from_deployment_group(server_group()))


@pytest.mark.parametrize("key", ["autoRollbackConfiguration", "alarmConfiguration"])
def test_enabled_must_be_a_boolean(key: str) -> None:
    """API:AutoRollbackConfiguration / API:AlarmConfiguration: enabled is a Boolean; the text
    "false" was counted as enabled (issue 16)."""
    raw = {"enabled": "false", "events": ["DEPLOYMENT_FAILURE"], "alarms": [{"name": "errors"}]}
    with pytest.raises(ConfigError, match=rf"{key}.enabled must be true or false.*'false'"):
        from_deployment_group(lambda_group(**{key: raw}), alarms=[ERRORS])


@pytest.mark.parametrize(
    ("key", "member"), [("autoRollbackConfiguration", "events"), ("alarmConfiguration", "alarms")]
)
def test_none_lists_are_refused_cleanly(key: str, member: str) -> None:
    """botocore's model: events and alarms are lists; boto3 refuses None too (issue 16: events
    None gave a TypeError)."""
    with pytest.raises(ConfigError, match=rf"{key}.{member} must be a list; got None"):
        from_deployment_group(lambda_group(**{key: {"enabled": True, member: None}}))


def test_error_messages_quote_short_excerpts() -> None:
    with pytest.raises(ConfigError) as info:
        from_deployment_group(lambda_group(deploymentStyle="x" * 10_000))
    assert len(str(info.value)) < 300


def test_package_modules_declare_all_and_public_names_keep_their_path() -> None:
    """shiftsim.boto is a package of private modules (issue 10); the public names keep their
    import path and present themselves as shiftsim.boto's."""
    import importlib
    import pkgutil

    import shiftsim.boto

    for _, name, _ in pkgutil.iter_modules(shiftsim.boto.__path__, "shiftsim.boto."):
        assert isinstance(importlib.import_module(name).__all__, list), name
    for name in shiftsim.boto.__all__:
        value = getattr(shiftsim.boto, name)
        assert getattr(value, "__module__", "shiftsim.boto") == "shiftsim.boto", name
