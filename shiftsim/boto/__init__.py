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

from shiftsim.boto._groups import from_deployment_group, to_deployment_group
from shiftsim.boto._revisions import to_revision
from shiftsim.boto._runs import to_get_deployment
from shiftsim.boto._shapes import TRIGGER_EVENTS
from shiftsim.boto._triggers import TriggerConfig, trigger_notifications

__all__ = [
    "TRIGGER_EVENTS",
    "TriggerConfig",
    "from_deployment_group",
    "to_deployment_group",
    "to_get_deployment",
    "to_revision",
    "trigger_notifications",
]

# The public names live in private modules; they present themselves as shiftsim.boto's, so that
# reprs, pickles, documentation and docstring examples name the path users import from.
for _public in (
    TriggerConfig,
    from_deployment_group,
    to_deployment_group,
    to_get_deployment,
    to_revision,
    trigger_notifications,
):
    _public.__module__ = __name__
del _public
