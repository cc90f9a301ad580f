"""CodeDeploy in a box: your own boto3 code, the AWS CLI or any SDK drive simulated deployments.

Install with ``pip install shiftsim[aws]``. Two ways in:

* **In process**: under :func:`mock_codedeploy` (a context manager or decorator; the pytest
  fixture ``codedeploy_box`` is in :mod:`shiftsim.aws.fixtures`) every boto3/botocore client for
  ``codedeploy`` is answered by a :class:`CodeDeployBox`, and CloudWatch's alarm calls
  (``put_metric_alarm``, ``describe_alarms``, ``set_alarm_state``, ``delete_alarms``) by its
  alarm model, through botocore's ``before-send`` event: no network, nothing in your code
  patched. It works next to moto's ``mock_aws``, which keeps answering every other service (and
  holds the S3 bundles EC2/on-premises deployments read their ``appspec.yml`` from).
* **Over HTTP**: ``shiftsim serve --port 4566`` (or :func:`serve`) speaks CodeDeploy's JSON 1.1
  protocol and CloudWatch's JSON 1.0 alarm operations, for ``aws deploy ... --endpoint-url`` and
  any SDK.

Deployments run on shiftsim's own engines, in simulated time the test controls (see
``clock=``): traffic shifts, alarms evaluate the versions' error rates, hooks wait for
``PutLifecycleEventHookExecutionStatus`` (or a Python callable registered with
:meth:`CodeDeployBox.on_hook`) and time out after an hour, and failures roll back.

Examples
--------
>>> import boto3
>>> import shiftsim
>>> from shiftsim.aws import mock_codedeploy
>>> appspec = '''
... version: 0.0
... Resources:
...   - orders:
...       Type: AWS::Lambda::Function
...       Properties: {Name: orders, Alias: live, CurrentVersion: "1", TargetVersion: "2"}
... '''
>>> with mock_codedeploy(rng=7) as box:
...     box.set_version("orders", shiftsim.Version("2", error_rate=0.3))
...     cw = boto3.client("cloudwatch", region_name="us-east-1")
...     _ = cw.put_metric_alarm(AlarmName="orders-errors", MetricName="Errors",
...                         Namespace="AWS/Lambda", Statistic="Sum", Period=60,
...                         EvaluationPeriods=1, Threshold=0,
...                         ComparisonOperator="GreaterThanThreshold")
...     cd = boto3.client("codedeploy", region_name="us-east-1")
...     _ = cd.create_application(applicationName="orders", computePlatform="Lambda")
...     _ = cd.create_deployment_group(
...         applicationName="orders", deploymentGroupName="live",
...         serviceRoleArn="arn:aws:iam::123456789012:role/CodeDeploy",
...         deploymentConfigName="CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
...         alarmConfiguration={"enabled": True, "alarms": [{"name": "orders-errors"}]},
...         autoRollbackConfiguration={"enabled": True,
...                                    "events": ["DEPLOYMENT_STOP_ON_ALARM"]})
...     deployment_id = cd.create_deployment(
...         applicationName="orders", deploymentGroupName="live",
...         revision={"revisionType": "AppSpecContent",
...                   "appSpecContent": {"content": appspec}})["deploymentId"]
...     info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
>>> info["status"], info["errorInformation"]["code"], "rollbackDeploymentId" in info["rollbackInfo"]
('Stopped', 'ALARM_ACTIVE', True)
"""

try:
    import botocore  # noqa: F401
    import werkzeug  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"shiftsim.aws needs {err.name}: install the 'aws' extra (pip install 'shiftsim[aws]')."
    ) from err

from shiftsim.aws._box import CodeDeployBox
from shiftsim.aws._http import serve
from shiftsim.aws._inprocess import active_box, mock_codedeploy, patch_client
from shiftsim.aws._protocol import AwsError

__all__ = ["AwsError", "CodeDeployBox", "active_box", "mock_codedeploy", "patch_client", "serve"]
