"""Shared helpers for the shiftsim.aws tests: clients whose every response is checked against
botocore's output shapes, and small builders for applications, groups and revisions."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.validate import ParamValidator

ROLE = "arn:aws:iam::123456789012:role/CodeDeployServiceRole"
REGION = "us-east-1"
TASK_DEFINITION = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"


def _validate(parsed: Any, model: Any, **_: Any) -> None:
    """``after-call`` handler: the reply parsed by botocore matches the output shape."""
    shape = model.output_shape
    if shape is None or "Error" in parsed:
        return
    body = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    _known(body, shape, model.name)


def _known(value: Any, shape: Any, where: str) -> None:
    """No key outside the shape (botocore's parser would drop it silently)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        extra = set(value) - set(shape.members)
        assert not extra, f"{where}: keys outside the model {extra}"
        for key, item in value.items():
            _known(item, shape.members[key], f"{where}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _known(item, shape.member, where)


def client(service: str, **kwargs: Any) -> Any:
    """A boto3 client whose every response is validated against botocore's model."""
    made = boto3.client(service, region_name=REGION, **kwargs)
    made.meta.events.register(
        f"after-call.{made.meta.service_model.service_id.hyphenize()}", _validate
    )
    return made


def lambda_appspec(
    function: str = "orders", current: str = "1", target: str = "2", hooks: dict | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [
            {
                function: {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": function,
                        "Alias": "live",
                        "CurrentVersion": current,
                        "TargetVersion": target,
                    },
                }
            }
        ],
    }
    if hooks:
        spec["Hooks"] = [{event: name} for event, name in hooks.items()]
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(spec)}}


def ecs_appspec(hooks: dict | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
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
    }
    if hooks:
        spec["Hooks"] = [{event: name} for event, name in hooks.items()]
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(spec)}}


def lambda_group(
    cd: Any,
    *,
    config: str = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    alarms: tuple[str, ...] = (),
    app: str = "orders",
    group: str = "live",
    **extra: Any,
) -> None:
    cd.create_application(applicationName=app, computePlatform="Lambda")
    kwargs: dict[str, Any] = {
        "applicationName": app,
        "deploymentGroupName": group,
        "serviceRoleArn": ROLE,
        "deploymentConfigName": config,
        "deploymentStyle": {
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        "autoRollbackConfiguration": {
            "enabled": True,
            "events": [
                "DEPLOYMENT_FAILURE",
                "DEPLOYMENT_STOP_ON_ALARM",
                "DEPLOYMENT_STOP_ON_REQUEST",
            ],
        },
    }
    if alarms:
        kwargs["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": a} for a in alarms]}
    kwargs.update(extra)
    cd.create_deployment_group(**kwargs)


def put_alarm(cw: Any, name: str = "orders-errors", threshold: float = 0.0) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "FunctionName", "Value": "orders"}],
    )
