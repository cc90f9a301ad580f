"""shiftsim.testing (assertions, fail_hook, DeploymentMachine) and the pytest plugin."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

import shiftsim
from shiftsim import (
    Alarm,
    AutoRollback,
    ConfigError,
    EcsDeployment,
    Hook,
    LambdaDeployment,
    LambdaHooks,
    ManualStop,
    Version,
)
from shiftsim._seeding import seed_sequence
from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts
from shiftsim.fleet import Fleet
from shiftsim.server import InstanceStop, Script, ScriptFault, ServerDeployment, simulate_server
from shiftsim.server.simulate import replay_with_actions
from shiftsim.testing import (
    DeploymentMachine,
    ServerDeploymentMachine,
    assert_blast_radius,
    assert_escape_rate,
    assert_rollback_rate,
    assert_rolls_back,
    assert_stopped_by_alarm,
    assert_succeeds,
    explain,
    fail_hook,
)

pytest_plugins = ["pytester"]

BAD = LambdaDeployment(
    "Linear10PercentEvery1Minute",
    invocations_per_minute=1000,
    target=Version("2", error_rate=0.2),
    alarms=[
        Alarm("errors", threshold=0),
        Alarm("latency", metric="Duration", statistic="p99", threshold=5000),
    ],
)


def failure(check: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)  # type: ignore[operator]
    return str(info.value)


# ------------------------------------------------------------------ assertions on Lambda/ECS


def test_a_bad_release_is_stopped_by_its_alarm_and_rolled_back() -> None:
    run = shiftsim.simulate(BAD, rng=3)
    assert_stopped_by_alarm(run, "errors", rolled_back=True)
    assert_rolls_back(run, within_minutes=5)
    message = failure(assert_succeeds, run)
    assert message.startswith("expected the deployment to succeed, but:\n  Lambda deployment d-")
    assert "ended Stopped (ALARM_ACTIVE) at minute 2 and was rolled back" in message
    assert (
        "alarm 'errors' (Errors Sum > 0 for 1 of 1 x 60 s on target) entered ALARM at minute 2"
        in (message)
    )
    assert "CodeDeploy saw the alarm at minute 2" in message
    assert re.search(r"took up to 20% of traffic \(now 0%\) and served \d+ invocations", message)
    assert "alarm 'latency' never entered ALARM" in message


def test_stopped_by_the_wrong_alarm_says_which_alarms_fired() -> None:
    message = failure(assert_stopped_by_alarm, shiftsim.simulate(BAD, rng=3), "latency")
    assert "expected alarm 'latency' to be in ALARM" in message
    assert "(in ALARM: ['errors'])" in message


def test_rolled_back_too_late() -> None:
    message = failure(assert_rolls_back, shiftsim.simulate(BAD, rng=3), within_minutes=1)
    assert "expected a rollback within 1 minutes (it completed at minute 2)" in message


def test_no_rollback_when_the_group_does_not_roll_back_on_alarms() -> None:
    # Decision D5: stopped on alarm without DEPLOYMENT_STOP_ON_ALARM, the alias keeps its split.
    run = shiftsim.simulate(replace(BAD, auto_rollback=AutoRollback.disabled()), rng=3)
    assert_stopped_by_alarm(run, rolled_back=False)
    message = failure(assert_rolls_back, run)
    assert "ended Stopped (ALARM_ACTIVE) at minute 2, not rolled back" in message
    assert "took up to 20% of traffic (now 20%)" in message
    assert "expected a rollback after the alarm" in failure(
        assert_stopped_by_alarm, run, rolled_back=True
    )


def test_blast_radius_counts_what_the_target_served() -> None:
    run = shiftsim.simulate(BAD, rng=3)
    errors = run.outcome.target_errors
    assert errors > 0
    assert_blast_radius(run, max_target_errors=errors)
    message = failure(assert_blast_radius, run, max_target_errors=errors - 1)
    assert f"at most {errors - 1} errors (it served {errors})" in message
    invocations = run.outcome.target_invocations
    message = failure(assert_blast_radius, run, max_target_invocations=invocations - 1)
    assert f"(it served {invocations})" in message
    with pytest.raises(ConfigError, match="max_target_invocations must be given"):
        assert_blast_radius(run)


def test_a_healthy_release_succeeds() -> None:
    run = shiftsim.simulate(LambdaDeployment("Canary10Percent5Minutes"), rng=0)
    assert_succeeds(run)
    assert "expected a rollback, but:" in failure(assert_rolls_back, run)
    message = failure(assert_stopped_by_alarm, run)
    assert "expected an alarm to stop the deployment (Stopped, ALARM_ACTIVE)" in message


def test_ecs_runs_are_explained_as_ecs() -> None:
    deployment = EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        requests_per_minute=1000,
        target=Version("2", error_rate=0.3),
        alarms=[Alarm("5xx")],
    )
    run = shiftsim.simulate(deployment, rng=0)
    assert_stopped_by_alarm(run, "5xx", rolled_back=True)
    assert explain(run).startswith("ECS deployment d-")
    assert "lifecycle: BeforeInstall Succeeded, Install Succeeded" in explain(run)


def test_manual_stop_explained() -> None:
    run = shiftsim.simulate(
        LambdaDeployment("Linear10PercentEvery1Minute", manual_stop=ManualStop(3)), rng=0
    )
    text = explain(run)
    assert "ended Stopped (MANUAL_STOP) at minute 3 and was rolled back" in text
    assert "error message: The deployment was stopped by the user." in text


# ------------------------------------------------------------------ Server runs


def test_server_runs() -> None:
    fleet = Fleet.of_size(4)
    hooks = {"ApplicationStart": [Script("start.sh", 5)]}
    healthy = simulate_server(ServerDeployment("CodeDeployDefault.OneAtATime", fleet=fleet), rng=0)
    assert_succeeds(healthy)
    broken = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=fleet,
        hooks=hooks,
        faults=[ScriptFault("ApplicationStart", instances=["i-000"])],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )
    run = simulate_server(broken, rng=0)
    message = failure(assert_succeeds, run)
    assert "Server deployment d-" in message and "ended Failed (HEALTH_CONSTRAINTS)" in message
    assert "instance i-000 failed at ApplicationStart: ScriptFailed" in message
    assert_rolls_back(run)
    with pytest.raises(TypeError, match=r"look at run\.instances"):
        assert_blast_radius(run, max_target_errors=0)


def test_server_alarm_stop() -> None:
    deployment = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4),
        hooks={"ApplicationStart": [Script("start.sh", 60)]},
        alarms=[Alarm("cpu"), Alarm("errors")],
        alarm_events=[(1.0, "cpu", "ALARM")],
    )
    run = simulate_server(deployment, rng=0)
    assert_stopped_by_alarm(run, "cpu", rolled_back=False)
    assert "(in ALARM: ['cpu'])" in failure(assert_stopped_by_alarm, run, "errors")


def test_explain_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="got str"):
        explain("d-123")


# ------------------------------------------------------------------ fail_hook


@pytest.mark.parametrize("event", ["BeforeAllowTraffic", "AfterAllowTraffic"])
def test_fail_hook_lambda(event: str) -> None:
    deployment = LambdaDeployment(
        "Canary10Percent5Minutes",
        hooks=LambdaHooks(before_allow_traffic=Hook("CodeDeployHook_pre", duration=20)),
    )
    broken = fail_hook(deployment, event)
    run = shiftsim.simulate(broken, rng=0)
    assert (run.status, run.error_code) == ("Failed", "HOOK_EXECUTION_FAILURE")
    # BeforeAllowTraffic fails before any traffic moves (codedeploy.md 4.4).
    assert run.outcome.final_percent == 0
    assert broken.hooks.before_allow_traffic.function_name == "CodeDeployHook_pre"


@pytest.mark.parametrize("event", shiftsim.ecs.ECS_HOOK_EVENTS)
def test_fail_hook_ecs(event: str) -> None:
    deployment = fail_hook(EcsDeployment("CodeDeployDefault.ECSAllAtOnce"), event)
    run = shiftsim.simulate(deployment, rng=0)
    assert (run.status, run.error_code) == ("Failed", "HOOK_EXECUTION_FAILURE")
    # UG:reference-appspec-file-structure-hooks.md: no rollback is possible in BeforeInstall.
    assert run.rolled_back is (event != "BeforeInstall")


def test_fail_hook_no_response_times_out() -> None:
    broken = fail_hook(LambdaDeployment("AllAtOnce"), "AfterAllowTraffic", outcome="NoResponse")
    assert shiftsim.simulate(broken, rng=0).duration == 3600.0


def test_fail_hook_checks_its_arguments() -> None:
    with pytest.raises(ConfigError, match="did you mean 'AfterAllowTraffic'"):
        fail_hook(LambdaDeployment("AllAtOnce"), "AfterAllowTrafic")
    with pytest.raises(ConfigError, match="AfterAllowTestTraffic"):
        fail_hook(LambdaDeployment("AllAtOnce"), "AfterAllowTestTraffic")
    with pytest.raises(ConfigError, match="Lambda or ECS"):
        fail_hook(ServerDeployment(fleet=Fleet.of_size(1)), "ApplicationStart")


# ------------------------------------------------------------------ DeploymentMachine

FAST = settings(
    max_examples=15,
    stateful_step_count=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TestDeploymentMachine = DeploymentMachine.TestCase
# As many examples as the Hypothesis profile (dev or ci) asks for.
TestDeploymentMachine.settings = settings(stateful_step_count=20, deadline=None)
TestDeploymentMachine.pytestmark = [pytest.mark.slow]


TestServerDeploymentMachine = ServerDeploymentMachine.TestCase
TestServerDeploymentMachine.settings = settings(stateful_step_count=12, deadline=None)
TestServerDeploymentMachine.pytestmark = [pytest.mark.slow]


def drive_server_machine(
    deployment: ServerDeployment, seed: int, machine: type[ServerDeploymentMachine] | None = None
) -> None:
    """Run ``machine`` (default ServerDeploymentMachine) on this one deployment and seed,
    deterministically: start, check, at most one step, finish."""

    class OneDeployment(machine or ServerDeploymentMachine):  # type: ignore[misc]
        deployments = st.just(deployment)
        seeds = st.just(seed)

    case = OneDeployment.TestCase
    case.settings = settings(
        FAST, max_examples=1, stateful_step_count=1, derandomize=True, phases=[Phase.generate]
    )
    case().runTest()


HOST_COUNT_1 = DeploymentConfig(
    "one-healthy", "Server", minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 1)
)


def test_server_machine_does_not_blame_codedeploy_for_an_instance_that_stops() -> None:
    """The example Hypothesis found: i-001 and i-002 are stopped, i-000 stops at second 0.

    UG:instances-health.md (codedeploy.md 3.1, "Guard rules" and "Stopped EC2 instances";
    https://docs.aws.amazon.com/codedeploy/latest/userguide/instances-health.html): "a
    deployment must never cause the number of healthy instances to fall below the minimum";
    CodeDeploy "will attempt to deploy to all instances in a deployment group, even those that
    are currently in a Stopped state", which count as failed; and a group that starts below the
    minimum is not reduced any further. The group starts with no healthy instance (i-000 stops
    as the deployment starts, on its own), so deploying to the three stopped instances lowers
    nothing: the drop from 1 to 0 is i-000's, not CodeDeploy's.
    """
    fleet = Fleet.of_size(3).update(["i-001", "i-002"], stopped=True)
    deployment = ServerDeployment(HOST_COUNT_1, fleet=fleet, faults=[InstanceStop("i-000", 0.0)])
    run = simulate_server(deployment, rng=seed_sequence(0))
    rows = run.instances.set_index("instance_id")
    assert (run.status, run.error_code) == ("Failed", "HEALTH_CONSTRAINTS")
    assert (rows.status == "Failed").all()
    assert (rows.failed_event == "ApplicationStop").all()
    assert rows.message.str.contains("AGENT_ISSUE").all()
    assert run.summary()["lowest_healthy"] == 0
    drive_server_machine(deployment, seed=0)


class IgnoresTheMinimum(ServerDeploymentMachine):
    """A broken engine: it deploys to every instance at once, whatever the minimum."""

    def _replay(self) -> None:
        def reckless(d: ServerDeployment) -> ServerDeployment:
            return replace(d, config="CodeDeployDefault.AllAtOnce")

        self.run = replay_with_actions(
            reckless(self.deployment), reckless(self.scenario()), seed_sequence(self.seed)
        )


@pytest.mark.slow  # over 0.2 s: keeps the fast subset under 20 s
def test_server_machine_still_blames_codedeploy_for_what_it_takes_down() -> None:
    # UG:instances-health.md: HOST_COUNT 1 of 3 deploys to at most two at once; taking all
    # three down leaves 0 healthy, which CodeDeploy must never do. An instance that stops later
    # does not excuse it.
    deployment = ServerDeployment(
        HOST_COUNT_1, fleet=Fleet.of_size(3), faults=[InstanceStop("i-002", 5.0)]
    )
    drive_server_machine(deployment, seed=0)
    with pytest.raises(AssertionError, match="the healthy count fell to 0, below the minimum of 1"):
        drive_server_machine(deployment, seed=0, machine=IgnoresTheMinimum)


class RewritesHistory(DeploymentMachine):
    """A broken engine: it drops the first event of the log."""

    @rule()
    def lose_an_event(self) -> None:
        log = self.stepper._sim._events  # reach into the engine on purpose: it is "broken"
        if len(log) > 1:
            del log[0]


class ShiftsAfterRollback(DeploymentMachine):
    """A broken engine: traffic creeps back to the target after a rollback."""

    @rule()
    def creep(self) -> None:
        if self.stepper.state.rolled_back:
            self.stepper._sim._weights.append((self.stepper._sim.now, 10))


class ForgetsItsSeed(ServerDeploymentMachine):
    """A broken engine: the past depends on what happens later (a new seed on each action)."""

    @rule()
    def reseed(self) -> None:
        self.seed += 1
        self._replay()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("machine", "complaint"),
    [
        (RewritesHistory, "events were lost or rewritten"),
        (ForgetsItsSeed, "changed what happened before minute"),
        (ShiftsAfterRollback, "rolled back but the target still has 10% of traffic"),
    ],
)
def test_the_machine_catches_a_broken_engine(
    machine: type[DeploymentMachine | ServerDeploymentMachine], complaint: str
) -> None:
    case = machine.TestCase
    # Finding the bug is the point; shrinking it would only cost time.
    case.settings = settings(
        FAST, max_examples=200, stateful_step_count=25, phases=[Phase.generate]
    )
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        case().runTest()


# ------------------------------------------------------------------ the pytest plugin

PLUGIN_TEST = """
import shiftsim
from shiftsim.testing import assert_rolls_back

def test_seeds_are_stable(shiftsim_seed, shiftsim_rng):
    print("SEED", shiftsim_seed)

def test_fails(shiftsim_rng):
    run = shiftsim.simulate(shiftsim.LambdaDeployment("Canary10Percent5Minutes"), rng=shiftsim_rng)
    assert_rolls_back(run)

def test_fails_without_the_fixture():
    assert False
"""


@pytest.fixture
def plugin_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    # Only this plugin, whether or not shiftsim's entry point is installed.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_plugin_demo=PLUGIN_TEST)
    return pytester


def seeds_printed(result: pytest.RunResult) -> list[str]:
    return re.findall(r"SEED \d+", result.stdout.str())


@pytest.mark.slow
def test_plugin_reports_the_seed_of_failed_tests(plugin_run: pytest.Pytester) -> None:
    result = plugin_run.runpytest("-p", "shiftsim.pytest_plugin", "--shiftsim-seed=1234", "-s")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "shiftsim: --shiftsim-seed=1234",
            "*- shiftsim -*",
            "shiftsim_seed was *, shiftsim_rng numpy.random.default_rng(*) (session seed 1234).",
            "Replay: pytest --shiftsim-seed=1234 'test_plugin_demo.py::test_fails'",
            "*= shiftsim seeds of failed tests =*",
            "test_plugin_demo.py::test_fails: seed *",
            "Replay them with: pytest --shiftsim-seed=1234",
        ]
    )
    assert "test_fails_without_the_fixture: seed" not in result.stdout.str()
    assert "expected a rollback, but:" in result.stdout.str()


@pytest.mark.slow
def test_plugin_seeds_are_reproducible(plugin_run: pytest.Pytester) -> None:
    first = plugin_run.runpytest("-p", "shiftsim.pytest_plugin", "--shiftsim-seed=7", "-s")
    again = plugin_run.runpytest("-p", "shiftsim.pytest_plugin", "--shiftsim-seed=7", "-s")
    other = plugin_run.runpytest("-p", "shiftsim.pytest_plugin", "--shiftsim-seed=8", "-s")
    assert seeds_printed(first) == seeds_printed(again) != seeds_printed(other)


@pytest.mark.slow
def test_plugin_rejects_negative_seeds(plugin_run: pytest.Pytester) -> None:
    result = plugin_run.runpytest("-p", "shiftsim.pytest_plugin", "--shiftsim-seed=-1")
    result.stderr.fnmatch_lines(["*--shiftsim-seed must be a non-negative integer; got -1.*"])


def test_plugin_reexports_the_assertions() -> None:
    from shiftsim import pytest_plugin

    assert pytest_plugin.assert_rolls_back is assert_rolls_back
    with pytest.raises(AttributeError, match="no attribute 'assert_nothing'"):
        pytest_plugin.assert_nothing  # noqa: B018


# ------------------------------------------------------------------ many runs (issue 11)


def test_a_monte_carlo_result_is_not_one_run() -> None:
    mc = shiftsim.monte_carlo(BAD, runs=20, rng=0)
    for check in (assert_rolls_back, assert_succeeds, assert_stopped_by_alarm, explain):
        with pytest.raises(TypeError, match=r"got a MonteCarloResult of 20 runs"):
            check(mc)
    with pytest.raises(TypeError, match=r"assert_rollback_rate\(mc, at_least=\.\.\.\)"):
        assert_blast_radius(mc, max_target_errors=1)


def test_rate_assertions_need_evidence() -> None:
    """900 of 1000 rolled back: the one-sided 99% Wilson lower bound is about 0.876."""
    mc = shiftsim.monte_carlo(BAD, runs=1000, rng=1)
    assert mc.runs["rolled_back"].all()
    assert_rollback_rate(mc, at_least=0.99, confidence=0.99)
    assert_escape_rate(mc, at_most=0.01)
    message = failure(assert_rollback_rate, mc, at_most=0.5)
    assert message.startswith("expected a rollback rate of at most 50.00% with 95% confidence")
    assert "1000/1000 = 100.00%" in message


def test_one_sided_wilson_bounds_by_hand() -> None:
    """p = 0.9, n = 1000, z(0.99) = 2.32635: centre (0.9 + z^2/2000) / (1 + z^2/1000)
    = 0.89785, half-width z sqrt(0.09/1000 + z^2/4e6) / (1 + z^2/1000) = 0.02212."""
    from shiftsim.testing._rates import _one_sided_wilson

    low, high = _one_sided_wilson(900, 1000, 0.99)
    assert low == pytest.approx(0.87573, abs=1e-4)
    assert high == pytest.approx(0.91996, abs=1e-4)
    assert _one_sided_wilson(0, 10, 0.95)[0] == 0.0
    assert _one_sided_wilson(10, 10, 0.95)[1] == 1.0


def test_a_rate_right_at_the_bound_is_not_evidence() -> None:
    canary = replace(BAD, config="Canary10Percent5Minutes", invocations_per_minute=10)
    mc = shiftsim.monte_carlo(canary, runs=400, rng=2)
    rate = float(mc.runs["rolled_back"].mean())
    assert 0.05 < rate < 0.95
    with pytest.raises(AssertionError, match="more runs may show"):
        assert_rollback_rate(mc, at_least=rate)
    assert_rollback_rate(mc, at_least=rate - 0.1)


def test_rate_assertions_check_their_arguments() -> None:
    mc = shiftsim.monte_carlo(BAD, runs=10, rng=0)
    with pytest.raises(TypeError, match="must be a Monte Carlo result"):
        assert_rollback_rate(shiftsim.simulate(BAD, rng=0), at_least=0.5)
    with pytest.raises(ConfigError, match="at_least"):
        assert_rollback_rate(mc)
    with pytest.raises(ConfigError, match="confidence"):
        assert_escape_rate(mc, at_most=0.5, confidence=1.0)
    with pytest.raises(ConfigError, match="at_most"):
        assert_escape_rate(mc, at_most=1.5)


def test_server_monte_carlo_rates() -> None:
    server = ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(2),
        hooks={"ApplicationStart": [Script("start.sh", duration=5)]},
        faults=[ScriptFault("ApplicationStart")],
    )
    mc = shiftsim.monte_carlo(server, runs=30, rng=0)
    assert_escape_rate(mc, at_most=0.2)


GIVEN_TEST = """
import shiftsim
from hypothesis import HealthCheck, given, settings
from shiftsim.strategies import lambda_deployments, rngs

@settings(max_examples=5, deadline=None)
@given(deployment=lambda_deployments(), rng=rngs())
def test_with_rngs(deployment, rng):
    shiftsim.simulate(deployment, rng=rng)

@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deployment=lambda_deployments())
def test_with_the_seed(shiftsim_seed, deployment):
    shiftsim.simulate(deployment, rng=shiftsim_seed)

@settings(max_examples=20, deadline=None)
@given(rng=rngs())
def test_fails_with_a_replayable_seed(rng):
    assert rng.integers(0, 10) < 0
"""


@pytest.mark.slow
def test_seeding_inside_given(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_given=GIVEN_TEST)
    result = pytester.runpytest("-p", "shiftsim.pytest_plugin", "-p", "hypothesis")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*rng=default_rng(0),*"])  # numpy.random.default_rng(0)
