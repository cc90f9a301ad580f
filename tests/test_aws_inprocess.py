"""shiftsim.aws in process: boto3 clients answered through botocore's before-send event.

Every client here validates every response against botocore's output shapes (tests/_aws.py).
Behaviour cited from codedeploy-api.md (the reference collected for this feature) by section.
"""

from __future__ import annotations

import boto3
import pytest
from _aws import ROLE, client, ecs_appspec, lambda_appspec, lambda_group, put_alarm
from botocore.exceptions import ClientError, WaiterError

import shiftsim
from shiftsim.aws import CodeDeployBox, mock_codedeploy


@pytest.fixture
def box():
    with mock_codedeploy(rng=11) as box:
        yield box


@pytest.fixture
def manual():
    with mock_codedeploy(clock="manual", rng=11) as box:
        yield box


@pytest.fixture
def cd(box):
    return client("codedeploy")


def _deploy(cd, revision=None, **kwargs):
    revision = revision or lambda_appspec()
    return cd.create_deployment(
        applicationName=kwargs.pop("app", "orders"),
        deploymentGroupName=kwargs.pop("group", "live"),
        revision=revision,
        **kwargs,
    )["deploymentId"]


def _code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


# ---------------------------------------------------------------------------- applications


def test_applications_round_trip(cd):
    app_id = cd.create_application(applicationName="orders", computePlatform="Lambda")[
        "applicationId"
    ]
    info = cd.get_application(applicationName="orders")["application"]
    assert info["applicationId"] == app_id and info["computePlatform"] == "Lambda"
    assert cd.list_applications()["applications"] == ["orders"]
    assert (
        cd.batch_get_applications(applicationNames=["orders"])["applicationsInfo"][0][
            "applicationName"
        ]
        == "orders"
    )
    with pytest.raises(cd.exceptions.ApplicationAlreadyExistsException):
        cd.create_application(applicationName="orders")
    cd.delete_application(applicationName="orders")
    with pytest.raises(cd.exceptions.ApplicationDoesNotExistException) as err:
        cd.get_application(applicationName="orders")
    assert "orders" in err.value.response["Error"]["Message"]


def test_names_are_checked_server_side(cd):
    """botocore checks only min length (codedeploy-api.md 2.3); the pattern is the box's."""
    with pytest.raises(cd.exceptions.InvalidApplicationNameException):
        cd.create_application(applicationName="bad name!")
    with pytest.raises(ClientError) as err:
        cd.create_application(applicationName="x" * 101)
    assert _code(err) in ("InvalidApplicationNameException", "ValidationException")
    with pytest.raises(ClientError) as err:
        cd.create_application(applicationName="a", computePlatform="Windows")
    assert _code(err) == "ValidationException"


# ---------------------------------------------------------------------------- configs


def test_predefined_configs_listed_and_readable(cd):
    names = cd.list_deployment_configs()["deploymentConfigsList"]
    assert len(names) == 17
    one = cd.get_deployment_config(deploymentConfigName="CodeDeployDefault.OneAtATime")
    # codedeploy-api.md section 6: OneAtATime reports MOST_CONCURRENCY with value 1.
    assert one["deploymentConfigInfo"]["minimumHealthyHosts"] == {
        "type": "MOST_CONCURRENCY",
        "value": 1,
    }


def test_custom_config_lifecycle(cd):
    cd.create_deployment_config(
        deploymentConfigName="Linear20Every1",
        computePlatform="Lambda",
        trafficRoutingConfig={
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": 20, "linearInterval": 1},
        },
    )
    info = cd.get_deployment_config(deploymentConfigName="Linear20Every1")["deploymentConfigInfo"]
    assert info["trafficRoutingConfig"]["timeBasedLinear"]["linearPercentage"] == 20
    assert "Linear20Every1" in cd.list_deployment_configs()["deploymentConfigsList"]
    with pytest.raises(cd.exceptions.DeploymentConfigAlreadyExistsException):
        cd.create_deployment_config(
            deploymentConfigName="Linear20Every1",
            minimumHealthyHosts={"type": "HOST_COUNT", "value": 1},
        )
    with pytest.raises(cd.exceptions.InvalidDeploymentConfigNameException):
        cd.create_deployment_config(
            deploymentConfigName="CodeDeployDefault.Mine",
            minimumHealthyHosts={"type": "HOST_COUNT", "value": 1},
        )
    with pytest.raises(cd.exceptions.InvalidMinimumHealthyHostValueException):
        cd.create_deployment_config(
            deploymentConfigName="Bad", minimumHealthyHosts={"type": "FLEET_PERCENT", "value": 150}
        )
    with pytest.raises(cd.exceptions.InvalidOperationException):
        cd.delete_deployment_config(deploymentConfigName="CodeDeployDefault.AllAtOnce")
    cd.delete_deployment_config(deploymentConfigName="Linear20Every1")
    with pytest.raises(cd.exceptions.DeploymentConfigDoesNotExistException):
        cd.get_deployment_config(deploymentConfigName="Linear20Every1")


def test_custom_config_drives_the_deployment(manual):
    cd = client("codedeploy")
    cd.create_deployment_config(
        deploymentConfigName="Canary50For2",
        computePlatform="Lambda",
        trafficRoutingConfig={
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 50, "canaryInterval": 2},
        },
    )
    lambda_group(cd, config="Canary50For2")
    deployment_id = _deploy(cd)
    manual.advance(1)
    target = cd.get_deployment_target(deploymentId=deployment_id, targetId="orders")
    info = target["deploymentTarget"]["lambdaTarget"]["lambdaFunctionInfo"]
    assert info["targetVersionWeight"] == 50
    manual.advance(2)
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Succeeded"


# ---------------------------------------------------------------------------- groups


def test_deployment_group_round_trip(cd):
    lambda_group(cd, tags=[{"Key": "team", "Value": "orders"}])
    info = cd.get_deployment_group(applicationName="orders", deploymentGroupName="live")[
        "deploymentGroupInfo"
    ]
    assert info["computePlatform"] == "Lambda"
    assert info["deploymentConfigName"] == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    assert cd.list_deployment_groups(applicationName="orders")["deploymentGroups"] == ["live"]
    arn = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:orders/live"
    assert cd.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "orders"}
    ]
    cd.update_deployment_group(
        applicationName="orders",
        currentDeploymentGroupName="live",
        newDeploymentGroupName="prod",
        deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce",
    )
    got = cd.batch_get_deployment_groups(applicationName="orders", deploymentGroupNames=["prod"])
    assert got["deploymentGroupsInfo"][0]["deploymentConfigName"] == (
        "CodeDeployDefault.LambdaAllAtOnce"
    )
    with pytest.raises(cd.exceptions.DeploymentGroupDoesNotExistException):
        cd.get_deployment_group(applicationName="orders", deploymentGroupName="live")
    cd.delete_deployment_group(applicationName="orders", deploymentGroupName="prod")
    assert cd.list_deployment_groups(applicationName="orders")["deploymentGroups"] == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"deploymentConfigName": "CodeDeployDefault.OneAtATime"},
            "InvalidDeploymentConfigNameException",
        ),
        ({"deploymentConfigName": "Nope"}, "DeploymentConfigDoesNotExistException"),
        ({"alarmConfiguration": {"enabled": True, "alarms": []}}, "InvalidAlarmConfigException"),
        (
            {
                "alarmConfiguration": {
                    "enabled": True,
                    "alarms": [{"name": f"a{i}"} for i in range(11)],
                }
            },
            "AlarmsLimitExceededException",
        ),
        (
            {"autoRollbackConfiguration": {"enabled": True, "events": []}},
            "InvalidAutoRollbackConfigException",
        ),
        (
            {
                "deploymentStyle": {
                    "deploymentType": "IN_PLACE",
                    "deploymentOption": "WITHOUT_TRAFFIC_CONTROL",
                }
            },
            "InvalidDeploymentStyleException",
        ),
    ],
)
def test_deployment_group_errors(cd, change, code):
    cd.create_application(applicationName="orders", computePlatform="Lambda")
    kwargs = {
        "applicationName": "orders",
        "deploymentGroupName": "live",
        "serviceRoleArn": ROLE,
        **change,
    }
    with pytest.raises(ClientError) as err:
        cd.create_deployment_group(**kwargs)
    assert _code(err) == code


def test_group_of_a_missing_application(cd):
    with pytest.raises(cd.exceptions.ApplicationDoesNotExistException):
        cd.create_deployment_group(
            applicationName="ghost", deploymentGroupName="g", serviceRoleArn=ROLE
        )


# ---------------------------------------------------------------------------- deployments


def test_good_release_succeeds_and_waiter_returns_at_once(cd):
    lambda_group(cd)
    deployment_id = _deploy(cd, description="release 2")
    cd.get_waiter("deployment_successful").wait(deploymentId=deployment_id)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Succeeded"
    assert info["description"] == "release 2"
    assert (info["completeTime"] - info["createTime"]).total_seconds() == 9 * 60
    group = cd.get_deployment_group(applicationName="orders", deploymentGroupName="live")
    assert group["deploymentGroupInfo"]["lastSuccessfulDeployment"]["deploymentId"] == (
        deployment_id
    )


def test_alarm_stops_and_rolls_back(box, cd):
    """An alarm in ALARM stops the deployment with ALARM_ACTIVE and rolls it back
    (codedeploy-api.md 4.1, 4.2)."""
    put_alarm(client("cloudwatch"))
    lambda_group(cd, alarms=("orders-errors",))
    box.set_version("orders", shiftsim.Version("2", error_rate=0.5))
    deployment_id = _deploy(cd)
    with pytest.raises(WaiterError):
        cd.get_waiter("deployment_successful").wait(deploymentId=deployment_id)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Stopped"
    assert info["errorInformation"]["code"] == "ALARM_ACTIVE"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    rollback = cd.get_deployment(deploymentId=rollback_id)["deploymentInfo"]
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"] == deployment_id
    assert set(cd.list_deployments()["deployments"]) == {deployment_id, rollback_id}
    alarms = client("cloudwatch").describe_alarms(AlarmNames=["orders-errors"])
    assert alarms["MetricAlarms"][0]["StateValue"] == "ALARM"


def test_set_alarm_state_stops_a_running_deployment(manual):
    cd, cw = client("codedeploy"), client("cloudwatch")
    put_alarm(cw)
    lambda_group(cd, alarms=("orders-errors",))
    deployment_id = _deploy(cd)
    manual.advance(2)
    cw.set_alarm_state(AlarmName="orders-errors", StateValue="ALARM", StateReason="test")
    manual.advance(1)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Stopped", "ALARM_ACTIVE")
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.set_alarm_state(AlarmName="ghost", StateValue="ALARM", StateReason="x")


def test_one_active_deployment_per_group(manual):
    """codedeploy-api.md section 3: DeploymentLimitExceededException with AWS's message."""
    cd = client("codedeploy")
    lambda_group(cd)
    first = _deploy(cd)
    with pytest.raises(cd.exceptions.DeploymentLimitExceededException) as err:
        _deploy(cd)
    assert err.value.response["Error"]["Message"] == (
        f"The Deployment Group 'live' already has an active Deployment '{first}'"
    )
    manual.advance(60)
    assert _deploy(cd) != first


def test_manual_stop_with_and_without_rollback(manual):
    cd = client("codedeploy")
    lambda_group(cd)
    first = _deploy(cd)
    manual.advance(3)
    out = cd.stop_deployment(deploymentId=first, autoRollbackEnabled=False)
    assert out["status"] == "Succeeded"
    info = cd.get_deployment(deploymentId=first)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Stopped", "MANUAL_STOP")
    assert "rollbackInfo" not in info
    target = cd.get_deployment_target(deploymentId=first, targetId="orders")["deploymentTarget"]
    assert target["lambdaTarget"]["lambdaFunctionInfo"]["targetVersionWeight"] == 40
    with pytest.raises(cd.exceptions.DeploymentAlreadyCompletedException):
        cd.stop_deployment(deploymentId=first)
    second = _deploy(cd)
    manual.advance(3)
    cd.stop_deployment(deploymentId=second, autoRollbackEnabled=True)
    info = cd.get_deployment(deploymentId=second)["deploymentInfo"]
    assert "rollbackDeploymentId" in info["rollbackInfo"]


def test_hook_answered_by_the_users_code(manual):
    """Hooks wait for PutLifecycleEventHookExecutionStatus (codedeploy-api.md section 5)."""
    cd = client("codedeploy")
    lambda_group(cd, config="CodeDeployDefault.LambdaAllAtOnce")
    deployment_id = _deploy(cd, lambda_appspec(hooks={"BeforeAllowTraffic": "PreTraffic"}))
    manual.advance(5)
    (pending,) = manual.pending_hooks()
    assert pending["lifecycleEventName"] == "BeforeAllowTraffic"
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == (
        "InProgress"
    )
    with pytest.raises(cd.exceptions.InvalidLifecycleEventHookExecutionStatusException):
        cd.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id,
            lifecycleEventHookExecutionId=pending["lifecycleEventHookExecutionId"],
            status="Pending",
        )
    out = cd.put_lifecycle_event_hook_execution_status(
        deploymentId=deployment_id,
        lifecycleEventHookExecutionId=pending["lifecycleEventHookExecutionId"],
        status="Succeeded",
    )
    assert out["lifecycleEventHookExecutionId"] == pending["lifecycleEventHookExecutionId"]
    with pytest.raises(cd.exceptions.LifecycleEventAlreadyCompletedException):
        cd.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id,
            lifecycleEventHookExecutionId=pending["lifecycleEventHookExecutionId"],
            status="Succeeded",
        )
    manual.advance(1)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Succeeded"
    # The hook took the five minutes between its start and the answer.
    assert (info["completeTime"] - info["createTime"]).total_seconds() == 300
    events = cd.get_deployment_target(deploymentId=deployment_id, targetId="orders")[
        "deploymentTarget"
    ]["lambdaTarget"]["lifecycleEvents"]
    assert [e["lifecycleEventName"] for e in events] == [
        "Start",
        "BeforeAllowTraffic",
        "AllowTraffic",
        "End",
    ]
    assert all(e["status"] == "Succeeded" for e in events)


def test_unanswered_hook_fails_after_an_hour(manual):
    cd = client("codedeploy")
    lambda_group(cd, config="CodeDeployDefault.LambdaAllAtOnce")
    deployment_id = _deploy(cd, lambda_appspec(hooks={"BeforeAllowTraffic": "PreTraffic"}))
    manual.advance(59)
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == (
        "InProgress"
    )
    manual.advance(1)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
    )


def test_hook_played_by_a_python_callable(box, cd):
    calls = []

    def post_traffic(event):
        calls.append(event)
        # A real hook reports through the API, as this one does.
        client("codedeploy").put_lifecycle_event_hook_execution_status(
            deploymentId=event["DeploymentId"],
            lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
            status="Failed",
        )

    box.on_hook("PreTraffic", lambda event: "Succeeded", duration=10)
    box.on_hook("PostTraffic", post_traffic)
    lambda_group(cd, config="CodeDeployDefault.LambdaAllAtOnce")
    deployment_id = _deploy(
        cd,
        lambda_appspec(
            hooks={"BeforeAllowTraffic": "PreTraffic", "AfterAllowTraffic": "PostTraffic"}
        ),
    )
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert calls and calls[0]["DeploymentId"] == deployment_id
    assert (info["status"], info["errorInformation"]["code"]) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
    )
    assert "rollbackDeploymentId" in info["rollbackInfo"]
    run = box.run(deployment_id)
    assert run.rolled_back


def test_ecs_deployment_with_hooks_and_targets(box, cd):
    box.on_hook("CheckGreen", lambda event: "Succeeded")
    cd.create_application(applicationName="web", computePlatform="ECS")
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="web-live",
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        ecsServices=[{"serviceName": "web", "clusterName": "prod"}],
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "web-blue"}, {"name": "web-green"}],
                    "prodTrafficRoute": {"listenerArns": ["arn:aws:elasticloadbalancing:l/prod"]},
                }
            ]
        },
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": 5,
            }
        },
    )
    deployment_id = _deploy(
        cd, ecs_appspec(hooks={"AfterAllowTestTraffic": "CheckGreen"}), app="web", group="web-live"
    )
    cd.get_waiter("deployment_successful").wait(deploymentId=deployment_id)
    targets = cd.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    assert targets == ["prod:web"]
    got = cd.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=targets)
    ecs = got["deploymentTargets"][0]["ecsTarget"]
    assert {t["taskSetLabel"]: t["trafficWeight"] for t in ecs["taskSetsInfo"]} == {
        "Blue": 0,
        "Green": 100,
    }
    with pytest.raises(cd.exceptions.InvalidComputePlatformException):
        cd.list_deployment_instances(deploymentId=deployment_id)


def test_deployment_errors(manual):
    cd = client("codedeploy")
    lambda_group(cd)
    with pytest.raises(cd.exceptions.DeploymentGroupDoesNotExistException):
        _deploy(cd, group="nope")
    with pytest.raises(cd.exceptions.InvalidDeploymentConfigNameException):
        _deploy(cd, deploymentConfigName="CodeDeployDefault.OneAtATime")
    with pytest.raises(cd.exceptions.DescriptionTooLongException):
        _deploy(cd, description="x" * 257)
    with pytest.raises(cd.exceptions.InvalidRevisionException):
        _deploy(cd, {"revisionType": "AppSpecContent", "appSpecContent": {"content": "{oops"}})
    with pytest.raises(cd.exceptions.InvalidRevisionException):
        _deploy(cd, ecs_appspec())
    with pytest.raises(cd.exceptions.DeploymentDoesNotExistException):
        cd.get_deployment(deploymentId="d-NOTTHERE1")
    with pytest.raises(cd.exceptions.InvalidDeploymentIdException):
        cd.get_deployment(deploymentId="nope")
    with pytest.raises(cd.exceptions.BatchLimitExceededException):
        cd.batch_get_deployments(deploymentIds=[f"d-{i:09d}" for i in range(26)])
    deployment_id = _deploy(cd)
    with pytest.raises(cd.exceptions.UnsupportedActionForDeploymentTypeException):
        cd.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")


def test_list_deployments_filters_and_pages(manual):
    cd = client("codedeploy")
    lambda_group(cd, config="CodeDeployDefault.LambdaAllAtOnce")
    ids = []
    for _ in range(3):
        ids.append(_deploy(cd))
        manual.advance(1)
    listed = cd.list_deployments(applicationName="orders", deploymentGroupName="live")
    assert listed["deployments"] == ids[::-1]
    only = cd.list_deployments(includeOnlyStatuses=["Failed"])["deployments"]
    assert only == []
    with pytest.raises(cd.exceptions.DeploymentGroupNameRequiredException):
        cd.list_deployments(applicationName="orders")
    pages = cd.get_paginator("list_deployments").paginate()
    assert [d for page in pages for d in page["deployments"]] == ids[::-1]
    infos = cd.batch_get_deployments(deploymentIds=ids)["deploymentsInfo"]
    assert [i["status"] for i in infos] == ["Succeeded"] * 3


def test_unsupported_operation_is_an_aws_error(cd):
    with pytest.raises(ClientError) as err:
        cd.list_git_hub_account_token_names()
    assert _code(err) == "UnsupportedOperationException"
    assert "ListGitHubAccountTokenNames" in err.value.response["Error"]["Message"]


def test_auto_step_clock_moves_per_poll():
    with mock_codedeploy(auto_step=2, rng=1):
        cd = client("codedeploy")
        lambda_group(cd)
        deployment_id = _deploy(cd)
        statuses = [
            cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"]
            for _ in range(6)
        ]
    assert statuses[:4] == ["InProgress"] * 4 and statuses[-1] == "Succeeded"


def test_wall_clock_runs_faster_than_real_time():
    box = CodeDeployBox(clock="wall", speed=1e9)
    with mock_codedeploy(box):
        cd = client("codedeploy")
        lambda_group(cd)
        deployment_id = _deploy(cd)
        assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == (
            "Succeeded"
        )


def test_same_seed_same_ids():
    def once():
        with mock_codedeploy(rng=5):
            cd = client("codedeploy")
            lambda_group(cd)
            return _deploy(cd)

    assert once() == once()


def test_nothing_answers_outside_the_box():
    """Outside the context no box is active: the handler passes (the client then needs a
    network, so only the registration is checked here)."""
    from shiftsim.aws import active_box

    assert active_box() is None
    with mock_codedeploy() as box:
        assert active_box() is box
    assert active_box() is None


def test_decorator_form():
    @mock_codedeploy(rng=3)
    def body():
        cd = boto3.client("codedeploy", region_name="us-east-1")
        cd.create_application(applicationName="a")
        return cd.list_applications()["applications"]

    assert body() == ["a"] and body() == ["a"]


def test_ecs_bad_task_set_is_stopped_by_its_alarm(box, cd):
    """Versions are set per task set: the replacement task set (task definition web:7, named
    "7" for service "web") fails calls, the ALB alarm fires, traffic goes back."""
    cw = client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="web-5xx",
        MetricName="HTTPCode_Target_5XX_Count",
        Namespace="AWS/ApplicationELB",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
    )
    box.set_version("web", shiftsim.Version("7", error_rate=0.3))
    box.set_options("web", "web-live", requests_per_minute=600)
    cd.create_application(applicationName="web", computePlatform="ECS")
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="web-live",
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        ecsServices=[{"serviceName": "web", "clusterName": "prod"}],
        alarmConfiguration={"enabled": True, "alarms": [{"name": "web-5xx"}]},
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]},
    )
    deployment_id = _deploy(cd, ecs_appspec(), app="web", group="web-live")
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Stopped", "ALARM_ACTIVE")
    run = box.run(deployment_id)
    assert run.deployment.target.error_rate == 0.3 and run.rolled_back


def test_bare_decorator_is_refused_clearly():
    with pytest.raises(TypeError, match="parentheses"):

        @mock_codedeploy
        def body():
            pass


def test_on_premises_instances_are_the_fleet_their_tags_select(manual):
    cd = client("codedeploy")
    for name in ("rack-1", "rack-2", "lab-1"):
        cd.register_on_premises_instance(
            instanceName=name, iamUserArn=f"arn:aws:iam::123456789012:user/{name}"
        )
    cd.add_tags_to_on_premises_instances(
        tags=[{"Key": "site", "Value": "dc1"}], instanceNames=["rack-1", "rack-2"]
    )
    with pytest.raises(cd.exceptions.InstanceNameAlreadyRegisteredException):
        cd.register_on_premises_instance(instanceName="rack-1", iamUserArn="arn:aws:iam::1:user/x")
    listed = cd.list_on_premises_instances(
        tagFilters=[{"Key": "site", "Value": "dc1", "Type": "KEY_AND_VALUE"}]
    )
    assert listed["instanceNames"] == ["rack-1", "rack-2"]
    cd.create_application(applicationName="plant", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="plant",
        deploymentGroupName="dc1",
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.AllAtOnce",
        onPremisesInstanceTagFilters=[{"Key": "site", "Value": "dc1", "Type": "KEY_AND_VALUE"}],
    )
    revision = {
        "revisionType": "GitHub",
        "gitHubLocation": {"repository": "acme/plant", "commitId": "e" * 40},
    }
    deployment_id = cd.create_deployment(
        applicationName="plant", deploymentGroupName="dc1", revision=revision
    )["deploymentId"]
    manual.finish()
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == (
        "Succeeded"
    )
    assert sorted(cd.list_deployment_targets(deploymentId=deployment_id)["targetIds"]) == [
        "rack-1",
        "rack-2",
    ]
    got = cd.batch_get_deployment_instances(
        deploymentId=deployment_id, instanceIds=["rack-1", "lab-1"]
    )
    assert [s["instanceId"] for s in got["instancesSummary"]] == ["rack-1"]
    assert "lab-1" in got["errorMessage"]
    cd.remove_tags_from_on_premises_instances(
        tags=[{"Key": "site", "Value": "dc1"}], instanceNames=["rack-2"]
    )
    cd.deregister_on_premises_instance(instanceName="lab-1")
    assert "deregisterTime" in cd.get_on_premises_instance(instanceName="lab-1")["instanceInfo"]
    assert cd.list_on_premises_instances(registrationStatus="Registered")["instanceNames"] == [
        "rack-1",
        "rack-2",
    ]
    infos = cd.batch_get_on_premises_instances(instanceNames=["rack-2"])["instanceInfos"]
    assert infos[0]["tags"] == []
    # The deployed revision is registered with its application.
    revision_info = cd.get_application_revision(applicationName="plant", revision=revision)
    assert revision_info["revisionInfo"]["deploymentGroups"] == ["dc1"]
    batch = cd.batch_get_application_revisions(applicationName="plant", revisions=[revision])
    assert batch["revisions"][0]["genericRevisionInfo"]["deploymentGroups"] == ["dc1"]
    with pytest.raises(cd.exceptions.InstanceNotRegisteredException):
        cd.get_on_premises_instance(instanceName="ghost")


def test_registered_revisions(cd):
    cd.create_application(applicationName="orders", computePlatform="Lambda")
    revision = lambda_appspec()
    cd.register_application_revision(applicationName="orders", revision=revision, description="v2")
    assert cd.list_application_revisions(applicationName="orders")["revisions"] == [revision]
    info = cd.get_application_revision(applicationName="orders", revision=revision)
    assert info["revisionInfo"]["description"] == "v2"
    with pytest.raises(cd.exceptions.RevisionDoesNotExistException):
        cd.get_application_revision(applicationName="orders", revision=lambda_appspec(target="3"))
