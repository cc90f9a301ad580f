"""Testing a deployment pipeline's policy against CodeDeploy's behaviour, without AWS.

This is what a team that runs its own release pipeline would write. Their (toy) pipeline
promotes a Lambda release like this:

* it picks a CodeDeploy configuration from the release's risk: linear for routine releases,
  a 10-minute canary for risky ones;
* it attaches the team's standard alarm (error rate above 5% in 2 of 3 minutes) and SAM's
  rollback settings;
* it watches the deployment minute by minute and, past the 20-minute change window, stops it
  with a rollback;
* it reads the release from the AppSpec file the build produced, and refuses custom
  configurations CodeDeploy would reject.

The tests below check that policy with shiftsim's Hypothesis strategies (seeds drawn with
``rngs()`` inside ``@given``), its assertion helpers (on one run, and statistical ones on many
runs), its pytest fixture ``shiftsim_rng`` and a subclass of its ``DeploymentMachine``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

import shiftsim
from shiftsim import Alarm, AutoRollback, ConfigError, LambdaDeployment, LambdaHooks, Version
from shiftsim.appspec import LambdaTarget, load_appspec
from shiftsim.strategies import appspecs, invalid_deployment_configs, rngs, versions
from shiftsim.testing import (
    DeploymentMachine,
    assert_blast_radius,
    assert_escape_rate,
    assert_rollback_rate,
    assert_rolls_back,
    assert_stopped_by_alarm,
    assert_succeeds,
)

RISKS = ("routine", "risky")

# ------------------------------------------------------------------ the team's pipeline


@dataclass(frozen=True)
class ReleasePolicy:
    """How the team's pipeline rolls out a Lambda release, and when it pulls the plug."""

    change_window_minutes: float = 20.0
    invocations_per_minute: float = 2000.0

    def config_for(self, risk: str) -> str:
        return {
            "routine": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
            "risky": "CodeDeployDefault.LambdaCanary10Percent10Minutes",
        }[risk]

    def deployment_for(
        self,
        target: Version,
        risk: str,
        current: Version | None = None,
        hooks: LambdaHooks | None = None,
    ) -> LambdaDeployment:
        return LambdaDeployment(
            self.config_for(risk),
            invocations_per_minute=self.invocations_per_minute,
            current=current or Version("1"),
            target=target,
            alarms=[
                Alarm(
                    "error-rate",
                    metric="ErrorRate",
                    threshold=5,
                    evaluation_periods=3,
                    datapoints_to_alarm=2,
                )
            ],
            auto_rollback=AutoRollback(),
            hooks=hooks or LambdaHooks(),
        )

    def deployment_from_appspec(self, document: Any) -> LambdaDeployment:
        """The release the build's AppSpec file describes, rolled out as a risky one."""
        resource = load_appspec(document, platform="Lambda").resources[0]
        assert isinstance(resource, LambdaTarget)
        return self.deployment_for(
            Version(str(resource.target_version)),
            "risky",
            current=Version(str(resource.current_version)),
        )

    def checked_config(self, build: Callable[[], Any]) -> Any:
        """Build a team's custom configuration, or say why the pipeline refuses it."""
        try:
            return build()
        except ConfigError as err:
            return f"refused: {err}"

    def on_tick(self, state: shiftsim.DeploymentState) -> str | None:
        """What the pipeline does after each minute: "stop" past the change window."""
        if state.status == "InProgress" and state.minute >= self.change_window_minutes:
            return "stop"
        return None


POLICY = ReleasePolicy()


def run_pipeline(deployment: LambdaDeployment, rng: Any) -> Any:
    """The pipeline's watch loop, on shiftsim's stepping API instead of the AWS API."""
    sim = shiftsim.start(deployment, rng=rng)
    while not sim.done:
        if POLICY.on_tick(sim.advance(1)) == "stop":
            sim.stop(rollback=True)
    return sim.run


# ------------------------------------------------------------------ its tests

bad_from_the_start = versions("2", bad=True).filter(lambda v: v.error_profile.value_at(0) >= 0.2)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(bad_from_the_start, st.sampled_from(RISKS), rngs())
def test_bad_releases_are_rolled_back_within_five_minutes(
    release: Version, risk: str, rng: Any
) -> None:
    run = run_pipeline(POLICY.deployment_for(release, risk), rng=rng)
    assert_stopped_by_alarm(run, "error-rate", rolled_back=True)
    assert_rolls_back(run, within_minutes=5)
    assert_blast_radius(run, max_target_errors=1500)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(versions("2", bad=False), st.sampled_from(RISKS), rngs())
def test_healthy_releases_go_out(release: Version, risk: str, rng: Any) -> None:
    assert_succeeds(run_pipeline(POLICY.deployment_for(release, risk), rng=rng))


def test_the_standard_alarm_on_many_releases(shiftsim_rng: Any) -> None:
    """Both sides, with evidence: a release failing 20% of calls escapes under 1% of the time;
    one as noisy as today's version (1% of calls fail) is rolled back under 5% of the time."""
    noisy = Version("1", error_rate=0.01)
    for risk in RISKS:
        bad = POLICY.deployment_for(Version(error_rate=0.2), risk, current=noisy)
        assert_escape_rate(shiftsim.monte_carlo(bad, runs=1000, rng=shiftsim_rng), at_most=0.01)
        good = POLICY.deployment_for(Version(error_rate=0.01), risk, current=noisy)
        mc = shiftsim.monte_carlo(good, runs=1000, rng=shiftsim_rng)
        assert_rollback_rate(mc, at_most=0.05, confidence=0.99)


def test_slow_hooks_are_stopped_at_the_end_of_the_change_window(shiftsim_rng: Any) -> None:
    slow = LambdaHooks(before_allow_traffic=shiftsim.Hook("CodeDeployHook_pre", duration=1800))
    run = run_pipeline(POLICY.deployment_for(Version("2"), "risky", hooks=slow), shiftsim_rng)
    assert run.error_code == "MANUAL_STOP"
    assert_rolls_back(run, within_minutes=POLICY.change_window_minutes)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(appspecs("Lambda"))
def test_every_lambda_appspec_becomes_a_deployment(document: Any) -> None:
    deployment = POLICY.deployment_from_appspec(document)
    resource = load_appspec(document).resources[0]
    assert isinstance(resource, LambdaTarget)
    assert deployment.target.name == str(resource.target_version)


@settings(max_examples=25, deadline=None)
@given(invalid_deployment_configs())
def test_configs_codedeploy_would_reject_are_refused(bad: Any) -> None:
    verdict = POLICY.checked_config(bad)
    assert isinstance(verdict, str) and verdict.startswith("refused: ")


class PipelineMachine(DeploymentMachine):
    """CodeDeploy's invariants, plus the pipeline's own, while the pipeline and an operator act.

    The pipeline's deployments replace the machine's; time passes the pipeline's way (a policy
    check after every minute); the machine's other rules (alarms, manual stops, finishing)
    still play the operator and CloudWatch.
    """

    deployments = st.builds(POLICY.deployment_for, versions("2"), st.sampled_from(RISKS))

    @rule(minutes=st.integers(1, 5))
    def advance(self, minutes: int) -> None:
        for _ in range(minutes):
            if POLICY.on_tick(self.stepper.advance(1)) == "stop":
                self.stepper.stop(rollback=True)

    @invariant()
    def nothing_runs_past_the_change_window(self) -> None:
        state = self.state
        if state.status == "InProgress":
            assert state.minute <= POLICY.change_window_minutes, state

    @invariant()
    def alarms_always_roll_back(self) -> None:
        state = self.state
        if state.error_code == "ALARM_ACTIVE":
            assert state.rolled_back, f"stopped on an alarm without rolling back: {state}"


PipelineMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
TestPipeline = PipelineMachine.TestCase
TestPipeline.pytestmark = [pytest.mark.slow]
