"""The pipeline's deploy script against shiftsim's CodeDeploy in a box.

Each test builds the account the script deploys into (an application, a deployment group with
an alarm and automatic rollback) with plain boto3, says how the new version behaves, runs the
script, and checks what it reported. Simulated time: the waiter returns at once.
"""

from __future__ import annotations

import boto3
import pytest
from deploy_release import deploy, main

import shiftsim
from shiftsim.aws import mock_codedeploy

ROLE = "arn:aws:iam::123456789012:role/CodeDeployServiceRole"


def _account(config: str = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute") -> None:
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    cw.put_metric_alarm(
        AlarmName="orders-errors",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "orders"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cd = boto3.client("codedeploy", region_name="us-east-1")
    cd.create_application(applicationName="orders", computePlatform="Lambda")
    cd.create_deployment_group(
        applicationName="orders",
        deploymentGroupName="live",
        serviceRoleArn=ROLE,
        deploymentConfigName=config,
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        alarmConfiguration={"enabled": True, "alarms": [{"name": "orders-errors"}]},
        autoRollbackConfiguration={
            "enabled": True,
            "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
        },
    )


@pytest.fixture
def box():
    with mock_codedeploy(rng=2026) as box:
        _account()
        yield box


def test_good_release_goes_live(box):
    box.set_version("orders", shiftsim.Version("7", error_rate=0.0))
    report = deploy("orders", "live", "orders", "6", "7", log=lambda line: None)
    assert report["status"] == "Succeeded" and not report["rolledBack"]


def test_bad_release_is_stopped_by_its_alarm_and_rolled_back(box):
    box.set_version("orders", shiftsim.Version("7", error_rate=0.05))
    report = deploy("orders", "live", "orders", "6", "7", log=lambda line: None)
    assert report["status"] == "Stopped"
    assert report["errorCode"] == "ALARM_ACTIVE"
    assert report["rolledBack"]
    # The run behind it: traffic went back to version 6.
    assert box.run(report["deploymentId"]).rolled_back


def test_failing_hook_fails_the_release(box):
    box.on_hook("PreTrafficCheck", lambda event: "Failed", duration=20)
    report = deploy(
        "orders",
        "live",
        "orders",
        "6",
        "7",
        before_traffic_hook="PreTrafficCheck",
        log=lambda line: None,
    )
    assert (report["status"], report["errorCode"]) == ("Failed", "HOOK_EXECUTION_FAILURE")
    assert report["rolledBack"]


def test_slow_release_is_stopped_by_the_script():
    """Each poll moves simulated time one minute; the script gives up after three polls,
    stops the deployment and rolls it back (StopDeployment with autoRollbackEnabled)."""
    with mock_codedeploy(auto_step=1, rng=2026):
        _account(config="CodeDeployDefault.LambdaLinear10PercentEvery10Minutes")
        report = deploy(
            "orders", "live", "orders", "6", "7", delay=0, max_attempts=3, log=lambda line: None
        )
    assert (report["status"], report["errorCode"]) == ("Stopped", "MANUAL_STOP")
    assert report["rolledBack"]


def test_command_line_exit_status(box, capsys):
    box.set_version("orders", shiftsim.Version("7", error_rate=0.05))
    argv = [
        "--application",
        "orders",
        "--group",
        "live",
        "--function",
        "orders",
        "--current",
        "6",
        "--target",
        "7",
    ]
    assert main(argv) == 1
    assert '"status": "Stopped"' in capsys.readouterr().out
