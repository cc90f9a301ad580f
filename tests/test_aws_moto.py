"""shiftsim.aws next to moto's mock_aws: moto answers S3 (and every other service), the box
answers CodeDeploy and CloudWatch's alarm calls (codedeploy-api.md 2.2, 2.4). EC2/on-premises
deployments read appspec.yml from the S3 bundle moto holds."""

from __future__ import annotations

import io
import zipfile

import pytest
from _aws import ROLE, client
from moto import mock_aws

import shiftsim
from shiftsim.aws import mock_codedeploy

APPSPEC = """\
version: 0.0
os: linux
files:
  - source: /
    destination: /srv/app
hooks:
  BeforeInstall:
    - location: scripts/stop.sh
      timeout: 300
  ApplicationStart:
    - location: scripts/start.sh
"""


def _bundle() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("appspec.yml", APPSPEC)
        archive.writestr("scripts/stop.sh", "#!/bin/sh\n")
        archive.writestr("scripts/start.sh", "#!/bin/sh\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def moto():
    """One mock_aws for the module (starting one resets every moto backend, about a second);
    each test uses its own bucket names."""
    with mock_aws():
        yield


@pytest.fixture
def aws(moto):
    with mock_codedeploy(clock="manual", rng=2) as box:
        box.set_fleet(shiftsim.Fleet.of_size(4, tags={"env": "prod"}))
        yield box


def _server_group(cd, **extra):
    cd.create_application(applicationName="web", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="prod",
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.OneAtATime",
        ec2TagFilters=[{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
        **extra,
    )


def _s3_revision(bucket="releases"):
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="web/v2.zip", Body=_bundle())
    return {
        "revisionType": "S3",
        "s3Location": {"bucket": bucket, "key": "web/v2.zip", "bundleType": "zip"},
    }


def test_server_deployment_from_a_moto_s3_bundle(aws):
    cd = client("codedeploy")
    _server_group(cd)
    deployment_id = cd.create_deployment(
        applicationName="web", deploymentGroupName="prod", revision=_s3_revision()
    )["deploymentId"]
    aws.advance(0.05)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "InProgress"
    assert info["deploymentOverview"]["InProgress"] == 1
    aws.finish()
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Succeeded" and info["deploymentOverview"]["Succeeded"] == 4
    targets = cd.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    assert len(targets) == 4
    target = cd.get_deployment_target(deploymentId=deployment_id, targetId=targets[0])
    events = target["deploymentTarget"]["instanceTarget"]["lifecycleEvents"]
    names = [e["lifecycleEventName"] for e in events]
    assert names[:3] == ["ApplicationStop", "DownloadBundle", "BeforeInstall"]
    before = next(e for e in events if e["lifecycleEventName"] == "BeforeInstall")
    assert before["status"] == "Succeeded"
    instances = cd.list_deployment_instances(deploymentId=deployment_id)["instancesList"]
    assert sorted(instances) == sorted(targets)
    summary = cd.get_deployment_instance(deploymentId=deployment_id, instanceId=targets[0])
    assert summary["instanceSummary"]["status"] == "Succeeded"


def test_moto_never_sees_the_codedeploy_calls(aws):
    from moto.codedeploy.models import codedeploy_backends

    cd = client("codedeploy")
    cd.create_application(applicationName="web", computePlatform="Server")
    backend = codedeploy_backends["123456789012"]["us-east-1"]
    assert backend.applications == {}


def test_moto_still_answers_other_cloudwatch_calls(aws):
    cw = client("cloudwatch")
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Hits", "Value": 1.0}])
    assert cw.list_metrics(Namespace="App")["Metrics"][0]["MetricName"] == "Hits"
    cw.put_metric_alarm(
        AlarmName="hits",
        MetricName="Hits",
        Namespace="App",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=10,
        ComparisonOperator="GreaterThanThreshold",
    )
    assert [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]] == ["hits"]


def test_missing_bundle_fails_the_call_for_lambda_but_not_for_server(aws):
    cd = client("codedeploy")
    cd.create_application(applicationName="fn", computePlatform="Lambda")
    cd.create_deployment_group(
        applicationName="fn",
        deploymentGroupName="live",
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce",
    )
    missing = {
        "revisionType": "S3",
        "s3Location": {"bucket": "none", "key": "x.yml", "bundleType": "YAML"},
    }
    with pytest.raises(cd.exceptions.RevisionDoesNotExistException):
        cd.create_deployment(applicationName="fn", deploymentGroupName="live", revision=missing)


def test_server_stop_and_github_revision(aws):
    cd = client("codedeploy")
    _server_group(
        cd, autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_STOP_ON_REQUEST"]}
    )
    revision = {
        "revisionType": "GitHub",
        "gitHubLocation": {"repository": "acme/web", "commitId": "a" * 40},
    }
    deployment_id = cd.create_deployment(
        applicationName="web", deploymentGroupName="prod", revision=revision
    )["deploymentId"]
    aws.advance(0.1)
    cd.stop_deployment(deploymentId=deployment_id)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Stopped", "MANUAL_STOP")
    aws.finish()  # the rollback
    with pytest.raises(cd.exceptions.InvalidRevisionException):
        cd.create_deployment(
            applicationName="web",
            deploymentGroupName="prod",
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}},
        )


def test_server_group_with_load_balancer_blue_green_and_asgs(aws):
    cd = client("codedeploy")
    cd.create_application(applicationName="web", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="bg",
        serviceRoleArn=ROLE,
        autoScalingGroups=["web-asg"],
        deploymentStyle={"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        loadBalancerInfo={"targetGroupInfoList": [{"name": "web-tg"}]},
        ec2TagSet={"ec2TagSetList": [[{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]]},
    )
    info = cd.get_deployment_group(applicationName="web", deploymentGroupName="bg")[
        "deploymentGroupInfo"
    ]
    assert info["autoScalingGroups"][0]["name"] == "web-asg"
    assert info["deploymentConfigName"] == "CodeDeployDefault.OneAtATime"
    with pytest.raises(cd.exceptions.InvalidEC2TagCombinationException):
        cd.create_deployment_group(
            applicationName="web",
            deploymentGroupName="both",
            serviceRoleArn=ROLE,
            ec2TagFilters=[{"Key": "a", "Type": "KEY_ONLY"}],
            ec2TagSet={"ec2TagSetList": [[{"Key": "b", "Type": "KEY_ONLY"}]]},
        )


def test_the_bundle_is_read(aws):
    """A bundle without appspec.yml at its root is an invalid revision: the box did open it."""
    cd = client("codedeploy")
    _server_group(cd)
    s3 = client("s3")
    s3.create_bucket(Bucket="bad")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", "no appspec here")
    s3.put_object(Bucket="bad", Key="v.zip", Body=buffer.getvalue())
    revision = {
        "revisionType": "S3",
        "s3Location": {"bucket": "bad", "key": "v.zip", "bundleType": "zip"},
    }
    with pytest.raises(cd.exceptions.InvalidRevisionException) as err:
        cd.create_deployment(applicationName="web", deploymentGroupName="prod", revision=revision)
    assert "appspec.yml" in err.value.response["Error"]["Message"]


def _blue_green_group(cd):
    cd.create_application(applicationName="web", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="bg",
        serviceRoleArn=ROLE,
        autoScalingGroups=["web-asg"],
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        loadBalancerInfo={"targetGroupInfoList": [{"name": "web-tg"}]},
        blueGreenDeploymentConfiguration={
            "greenFleetProvisioningOption": {"action": "COPY_AUTO_SCALING_GROUP"},
            "deploymentReadyOption": {
                "actionOnTimeout": "STOP_DEPLOYMENT",
                "waitTimeInMinutes": 30,
            },
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": 5,
            },
        },
    )


def test_blue_green_waits_ready_until_continue_deployment(aws):
    """codedeploy-api.md 4.1: Ready waits for ContinueDeployment(READY_WAIT); without it
    the deployment stops when waitTimeInMinutes ends."""
    aws.set_fleet(shiftsim.Fleet.of_size(2, auto_scaling_group="web-asg"))
    cd = client("codedeploy")
    _blue_green_group(cd)
    revision = {
        "revisionType": "GitHub",
        "gitHubLocation": {"repository": "acme/web", "commitId": "b" * 40},
    }
    deployment_id = cd.create_deployment(
        applicationName="web", deploymentGroupName="bg", revision=revision
    )["deploymentId"]
    with pytest.raises(cd.exceptions.DeploymentIsNotInReadyStateException):
        cd.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    aws.advance(5)
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Ready"
    targets = cd.list_deployment_targets(
        deploymentId=deployment_id, targetFilters={"ServerInstanceLabel": ["Green"]}
    )["targetIds"]
    assert len(targets) == 2
    cd.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    aws.finish()
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == (
        "Succeeded"
    )
    # The second one is never continued: it stops when the 30-minute wait ends.
    second = cd.create_deployment(
        applicationName="web", deploymentGroupName="bg", revision=revision
    )["deploymentId"]
    aws.advance(31)
    info = cd.get_deployment(deploymentId=second)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Stopped", "TIMEOUT")


def test_alarm_set_by_cloudwatch_stops_a_server_deployment(aws):
    """CodeDeploy polls alarms every minute (decision D2): the fleet is large enough (20
    instances one at a time, about 2.5 minutes) for the poll to see it."""
    aws.set_fleet(shiftsim.Fleet.of_size(20, tags={"env": "prod"}))
    cw, cd = client("cloudwatch"), client("codedeploy")
    cw.put_metric_alarm(
        AlarmName="web-5xx",
        MetricName="HTTPCode_Target_5XX_Count",
        Namespace="AWS/ApplicationELB",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
    )
    _server_group(
        cd,
        alarmConfiguration={"enabled": True, "alarms": [{"name": "web-5xx"}]},
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]},
    )
    revision = {
        "revisionType": "GitHub",
        "gitHubLocation": {"repository": "acme/web", "commitId": "c" * 40},
    }
    deployment_id = cd.create_deployment(
        applicationName="web", deploymentGroupName="prod", revision=revision
    )["deploymentId"]
    aws.advance(0.1)
    cw.set_alarm_state(AlarmName="web-5xx", StateValue="ALARM", StateReason="5xx spike")
    aws.finish()
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Stopped", "ALARM_ACTIVE")
    assert "rollbackDeploymentId" in info["rollbackInfo"]
    rollback = cd.get_deployment(deploymentId=info["rollbackInfo"]["rollbackDeploymentId"])
    assert rollback["deploymentInfo"]["creator"] == "codeDeployRollback"


def test_server_rollback_is_a_deployment_of_its_own(aws):
    """A rollback is a new deployment with a new ID (codedeploy-api.md 4.2); on EC2 it takes
    time, and the group is busy until it ends."""
    cd = client("codedeploy")
    _server_group(
        cd,
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_STOP_ON_REQUEST"]},
    )
    revision = {
        "revisionType": "GitHub",
        "gitHubLocation": {"repository": "acme/web", "commitId": "d" * 40},
    }
    first = cd.create_deployment(
        applicationName="web", deploymentGroupName="prod", revision=revision
    )["deploymentId"]
    aws.advance(0.2)
    cd.stop_deployment(deploymentId=first, autoRollbackEnabled=True)
    info = cd.get_deployment(deploymentId=first)["deploymentInfo"]
    assert info["status"] == "Stopped"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    rollback = cd.get_deployment(deploymentId=rollback_id)["deploymentInfo"]
    assert (rollback["creator"], rollback["status"]) == ("codeDeployRollback", "InProgress")
    with pytest.raises(cd.exceptions.DeploymentLimitExceededException):
        cd.create_deployment(applicationName="web", deploymentGroupName="prod", revision=revision)
    aws.advance(10)
    rollback = cd.get_deployment(deploymentId=rollback_id)["deploymentInfo"]
    assert rollback["status"] == "Succeeded" and "completeTime" in rollback
    assert cd.list_deployments(includeOnlyStatuses=["Succeeded"])["deployments"] == [rollback_id]


def test_script_faults_per_group_fail_the_deployment(aws):
    """Faults come from the same model as simulate(): a failing BeforeInstall script on one
    instance fails the deployment, and its target shows the script's diagnostics."""
    cd = client("codedeploy")
    _server_group(cd)
    aws.set_options(
        "web", "prod", faults=[shiftsim.ScriptFault("BeforeInstall", instances=["i-001"])]
    )
    deployment_id = cd.create_deployment(
        applicationName="web", deploymentGroupName="prod", revision=_s3_revision("faulty")
    )["deploymentId"]
    aws.finish()
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Failed"
    failed = cd.list_deployment_targets(
        deploymentId=deployment_id, targetFilters={"TargetStatus": ["Failed"]}
    )["targetIds"]
    assert failed == ["i-001"]
    target = cd.get_deployment_target(deploymentId=deployment_id, targetId="i-001")
    events = target["deploymentTarget"]["instanceTarget"]["lifecycleEvents"]
    before = next(e for e in events if e["lifecycleEventName"] == "BeforeInstall")
    assert (before["status"], before["diagnostics"]["errorCode"]) == ("Failed", "ScriptFailed")
    assert before["diagnostics"]["scriptName"] == "scripts/stop.sh"
