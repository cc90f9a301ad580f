"""Random interleavings of API calls and simulated time: what CodeDeploy promises holds.

A deployment's status only moves forward (a terminal status never changes), a group has at
most one deployment in progress, every deployment is listed exactly once, and every response
matches botocore's output shapes (codedeploy-api.md sections 3, 4.1 and 6).
"""

from __future__ import annotations

import pytest
from _aws import client, lambda_appspec, lambda_group, put_alarm
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import shiftsim
from shiftsim.aws import mock_codedeploy

TERMINAL = {"Succeeded", "Failed", "Stopped"}
GROUPS = ("live", "canary")


class BoxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_codedeploy(clock="manual", rng=3)
        self.box = self.mock.start()
        self.cd, self.cw = client("codedeploy"), client("cloudwatch")
        put_alarm(self.cw)
        lambda_group(self.cd, alarms=("orders-errors",), group="live")
        self.cd.create_deployment_group(
            applicationName="orders",
            deploymentGroupName="canary",
            serviceRoleArn="arn:aws:iam::123456789012:role/x",
            deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
        )
        self.box.set_version("orders", shiftsim.Version("2", error_rate=0.01))
        self.seen: dict[str, str] = {}
        self.group_of: dict[str, str] = {}

    def teardown(self) -> None:
        self.mock.stop()
        self.cd.close()
        self.cw.close()

    @rule(group=st.sampled_from(GROUPS), hook=st.booleans())
    def create(self, group: str, hook: bool) -> None:
        revision = lambda_appspec(hooks={"BeforeAllowTraffic": "Pre"} if hook else None)
        try:
            deployment_id = self.cd.create_deployment(
                applicationName="orders", deploymentGroupName=group, revision=revision
            )["deploymentId"]
        except ClientError as err:
            assert err.response["Error"]["Code"] == "DeploymentLimitExceededException"
            assert any(
                self.group_of[d] == group and s not in TERMINAL for d, s in self.seen.items()
            )
            return
        assert deployment_id not in self.seen
        self.seen[deployment_id] = "InProgress"
        self.group_of[deployment_id] = group

    @rule(minutes=st.sampled_from([0, 0.5, 1, 3, 30, 61]))
    def advance(self, minutes: float) -> None:
        self.box.advance(minutes)

    @precondition(lambda self: self.seen)
    @rule(data=st.data(), rollback=st.sampled_from([True, False, None]))
    def stop(self, data: st.DataObject, rollback: bool | None) -> None:
        deployment_id = data.draw(st.sampled_from(sorted(self.seen)))
        kwargs = {} if rollback is None else {"autoRollbackEnabled": rollback}
        try:
            self.cd.stop_deployment(deploymentId=deployment_id, **kwargs)
        except ClientError as err:
            assert err.response["Error"]["Code"] == "DeploymentAlreadyCompletedException"
            assert self.seen[deployment_id] in TERMINAL

    @rule(state=st.sampled_from(["ALARM", "OK"]))
    def alarm(self, state: str) -> None:
        self.cw.set_alarm_state(AlarmName="orders-errors", StateValue=state, StateReason="t")

    @rule(status=st.sampled_from(["Succeeded", "Failed"]))
    def answer_hooks(self, status: str) -> None:
        for hook in self.box.pending_hooks():
            self.cd.put_lifecycle_event_hook_execution_status(
                deploymentId=hook["deploymentId"],
                lifecycleEventHookExecutionId=hook["lifecycleEventHookExecutionId"],
                status=status,
            )

    @invariant()
    def statuses_only_move_forward(self) -> None:
        if not self.seen:
            return
        infos = self.cd.batch_get_deployments(deploymentIds=sorted(self.seen)[-25:])
        for info in infos["deploymentsInfo"]:
            before, now = self.seen[info["deploymentId"]], info["status"]
            if before in TERMINAL:
                assert now == before
            if now in TERMINAL:
                assert "completeTime" in info
            self.seen[info["deploymentId"]] = now

    @invariant()
    def one_active_per_group_and_every_deployment_listed_once(self) -> None:
        for group in GROUPS:
            active = self.cd.list_deployments(
                applicationName="orders",
                deploymentGroupName=group,
                includeOnlyStatuses=["InProgress", "Ready"],
            )["deployments"]
            assert len(active) <= 1
        listed = self.cd.list_deployments()["deployments"]
        assert len(listed) == len(set(listed))
        assert set(self.seen) <= set(listed)


TestBox = BoxMachine.TestCase
TestBox.settings = settings(
    max_examples=40,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestBox = pytest.mark.slow(TestBox)
