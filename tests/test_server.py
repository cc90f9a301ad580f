"""EC2/on-premises in-place deployments: minimum healthy hosts, lifecycle, results.

Each example from AWS's documentation cites its page: UG = AWS CodeDeploy User Guide,
https://docs.aws.amazon.com/codedeploy/latest/userguide/<page>.html (codedeploy.md section 0).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from shiftsim._engines.server.core import run_window
from shiftsim._engines.server.plan import compile_plan
from shiftsim._engines.server.runner import in_place_inputs
from shiftsim._seeding import seed_sequence
from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts
from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet, TagFilter, Targets
from shiftsim.server import (
    Duration,
    Script,
    ScriptFault,
    ServerDeployment,
    ServerRun,
    hooks_from_appspec,
    simulate_server,
)

START = Script("scripts/start.sh", duration=20)
HOOKS = {
    "ApplicationStop": [Script("scripts/stop.sh", 3)],
    "ApplicationStart": [START],
    "ValidateService": [Script("scripts/validate.sh", 4)],
}
IN_PLACE = [
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
]
WITH_LB = [
    "BeforeBlockTraffic",
    "BlockTraffic",
    "AfterBlockTraffic",
    *IN_PLACE,
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
]


def custom(kind: str, value: int) -> DeploymentConfig:
    return DeploymentConfig(
        f"{kind}{value}", "Server", minimum_healthy_hosts=MinimumHealthyHosts(kind, value)
    )


def simulate(
    config: DeploymentConfig | str,
    n: int = 9,
    *,
    failing: tuple[int, ...] = (),
    seed: int = 3,
    **kwargs: object,
) -> ServerRun:
    fleet = kwargs.pop("fleet", None) or Fleet.of_size(n)
    faults = list(kwargs.pop("faults", ()))  # type: ignore[call-overload]
    if failing:
        faults.append(ScriptFault("ApplicationStart", instances=[fleet.ids[k] for k in failing]))
    kwargs.setdefault("hooks", HOOKS)
    deployment = ServerDeployment(config, fleet=fleet, faults=faults, **kwargs)  # type: ignore[arg-type]
    return simulate_server(deployment, rng=seed_sequence(seed))


def max_concurrency(frame: pd.DataFrame) -> int:
    """Most instances being deployed to at one moment, from the instances table."""
    rows = frame.dropna(subset=["start"])
    moments = [(s, 1) for s in rows["start"]] + [(e, -1) for e in rows["end"]]
    moments.sort(key=lambda m: (m[0], m[1]))  # finishes before starts at one instant
    level = peak = 0
    for _, step in moments:
        level += step
        peak = max(peak, level)
    return peak


def main(run: ServerRun) -> pd.DataFrame:
    frame = run.instances
    return frame[frame.deployment_id == run.deployment_id].reset_index(drop=True)


# ====================================================================== minimum healthy hosts
def test_half_at_a_time_nine_instances_deploys_four_at_a_time() -> None:
    # UG:deployment-configurations.md: with 9 instances HalfAtATime deploys to at most 4 at a
    # time; 5 or more must succeed.
    run = simulate("CodeDeployDefault.HalfAtATime", 9)
    assert run.status == "Succeeded"
    assert run.summary()["minimum_healthy"] == 5
    assert run.summary()["max_in_flight"] == 4
    assert max_concurrency(main(run)) == 4
    assert run.summary()["lowest_healthy"] == 5


def test_half_at_a_time_needs_five_successes() -> None:
    # UG:deployment-configurations.md: "succeeds if at least half succeed, rounding up" (5 of 9).
    late = simulate("CodeDeployDefault.HalfAtATime", 9, failing=(5, 6, 7, 8))
    assert late.status == "Succeeded"
    assert (main(late).status == "Succeeded").sum() == 5
    five = simulate("CodeDeployDefault.HalfAtATime", 9, failing=(0, 2, 4, 6, 8))
    assert five.status == "Failed" and five.error_code == "HEALTH_CONSTRAINTS"


def test_half_at_a_time_fails_as_soon_as_it_cannot_proceed() -> None:
    # UG:instances-health.md: a deployment never lets the healthy count fall below the minimum;
    # four failures in the first batch leave 5 healthy, so nothing more may start.
    run = simulate("CodeDeployDefault.HalfAtATime", 9, failing=(0, 1, 2, 3))
    assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS"
    frame = main(run)
    assert (frame.status == "Failed").sum() == 4
    assert (frame.status == "Skipped").sum() == 5
    assert run.duration == frame.end.max()


@pytest.mark.parametrize("position", range(5))
def test_one_at_a_time_fails_unless_the_last_instance_fails(position: int) -> None:
    # API:MinimumHealthyHosts and UG:deployment-configurations.md: OneAtATime keeps all but one
    # instance healthy; if only the last instance fails the deployment still succeeds.
    run = simulate("CodeDeployDefault.OneAtATime", 5, failing=(position,))
    assert max_concurrency(main(run)) == 1
    if position == 4:
        assert run.status == "Succeeded"
    else:
        assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS"
        assert (main(run).status == "Skipped").sum() == 4 - position


def test_one_at_a_time_on_one_instance_needs_it_to_succeed() -> None:
    # API:MinimumHealthyHosts: with one instance, OneAtATime succeeds only if it succeeds.
    assert simulate("CodeDeployDefault.OneAtATime", 1).status == "Succeeded"
    assert simulate("CodeDeployDefault.OneAtATime", 1, failing=(0,)).status == "Failed"


def test_host_count_eight_of_ten() -> None:
    # UG:instances-health.md: HOST_COUNT 8 of 10 deploys two at a time; two failures fail it
    # unless the second failure is the last instance.
    config = custom("HOST_COUNT", 8)
    ok = simulate(config, 10)
    assert ok.status == "Succeeded" and max_concurrency(main(ok)) == 2
    assert simulate(config, 10, failing=(0, 1)).status == "Failed"
    assert simulate(config, 10, failing=(0, 5)).status == "Failed"
    last = simulate(config, 10, failing=(0, 9))
    assert last.status == "Succeeded"
    assert (main(last).status == "Succeeded").sum() == 8


def test_host_count_nine_of_ten_is_like_one_at_a_time() -> None:
    # UG:instances-health.md: any failure fails it at once, unless it is the last instance.
    config = custom("HOST_COUNT", 9)
    assert simulate(config, 10, failing=(3,)).status == "Failed"
    assert simulate(config, 10, failing=(9,)).status == "Succeeded"


def test_all_at_once_succeeds_if_one_instance_succeeds() -> None:
    # UG:deployment-configurations.md: AllAtOnce succeeds if at least one instance succeeds and
    # fails only if every instance fails.
    one = simulate("CodeDeployDefault.AllAtOnce", 6, failing=(0, 1, 2, 3, 4))
    assert one.status == "Succeeded"
    assert max_concurrency(main(one)) == 6
    none = simulate("CodeDeployDefault.AllAtOnce", 6, failing=tuple(range(6)))
    assert none.status == "Failed" and none.error_code == "HEALTH_CONSTRAINTS"


def test_host_count_zero_needs_one_success() -> None:
    # UG:instances-health.md: with minimum 0, 0 healthy instances means Failed.
    config = custom("HOST_COUNT", 0)
    assert simulate(config, 10, failing=tuple(range(10))).status == "Failed"
    assert simulate(config, 10, failing=tuple(range(9))).status == "Succeeded"


def test_fleet_percent_95_of_10_fails_before_deploying_anything() -> None:
    # UG:instances-health.md: 95% of 10 rounds up to 10; the deployment fails immediately.
    run = simulate(custom("FLEET_PERCENT", 95), 10)
    assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS_INVALID"
    assert run.duration == 0.0
    assert (main(run).status == "Skipped").all()
    assert run.lifecycle.empty


@pytest.mark.parametrize(
    "kind, value, minimum, batch",
    [
        ("HOST_COUNT", 6, 6, 3),  # API:MinimumHealthyHosts, 9 instances
        ("FLEET_PERCENT", 40, 4, 5),  # API:MinimumHealthyHosts: ceil(3.6) = 4
    ],
)
def test_documented_batch_sizes(kind: str, value: int, minimum: int, batch: int) -> None:
    run = simulate(custom(kind, value), 9)
    assert run.summary()["minimum_healthy"] == minimum
    assert max_concurrency(main(run)) == batch


def test_stopped_instances_count_as_failed_and_go_first() -> None:
    # UG:instances-health.md: CodeDeploy still deploys to stopped instances, and they count as
    # failed; unhealthy instances are deployed to first (D13).
    fleet = Fleet.of_size(5).update("i-003", stopped=True)
    run = simulate("CodeDeployDefault.OneAtATime", fleet=fleet)
    frame = main(run).set_index("instance_id")
    assert frame.loc["i-003", "start"] == 0.0
    assert frame.loc["i-003", "status"] == "Failed"
    assert frame.loc["i-003", "end"] == 300.0  # an event that never starts fails after 5 min
    assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS"


def test_unhealthy_instances_first_then_fleet_order() -> None:
    # D13; UG:instances-health.md: CodeDeploy starts with the unhealthy instances.
    fleet = Fleet.of_size(5).update(["i-002", "i-004"], healthy=False)
    frame = main(simulate("CodeDeployDefault.OneAtATime", fleet=fleet)).sort_values("start")
    assert frame.instance_id.tolist() == ["i-002", "i-004", "i-000", "i-001", "i-003"]


def test_shuffle_order_keeps_unhealthy_first_and_follows_the_seed() -> None:
    fleet = Fleet.of_size(12).update(["i-010"], healthy=False)
    first = main(simulate("CodeDeployDefault.OneAtATime", fleet=fleet, order="shuffle", seed=1))
    again = main(simulate("CodeDeployDefault.OneAtATime", fleet=fleet, order="shuffle", seed=1))
    other = main(simulate("CodeDeployDefault.OneAtATime", fleet=fleet, order="shuffle", seed=2))
    order = first.sort_values("start").instance_id.tolist()
    assert order[0] == "i-010"
    assert order == again.sort_values("start").instance_id.tolist()
    assert order != other.sort_values("start").instance_id.tolist()
    assert order[1:] != sorted(order[1:])


def test_a_group_below_its_minimum_never_loses_more_health() -> None:
    # UG:instances-health.md: if the group starts with fewer healthy instances than the minimum,
    # CodeDeploy does not reduce the count any further. Unhealthy ones are deployed to first.
    fleet = Fleet.of_size(6, revision="Unknown")  # never deployed to: all unhealthy
    fleet = fleet.update(["i-004", "i-005"], revision="Old")
    run = simulate(custom("HOST_COUNT", 4), fleet=fleet)
    assert run.status == "Succeeded"
    assert run.summary()["lowest_healthy"] == 2
    frame = main(run).sort_values("start")
    assert frame.instance_id.tolist()[-2:] == ["i-004", "i-005"]
    assert max_concurrency(frame) == 2


# ====================================================================== lifecycle
def test_lifecycle_order_without_a_load_balancer() -> None:
    # UG:reference-appspec-file-structure-hooks.md: without a load balancer the traffic events
    # do not apply.
    run = simulate("CodeDeployDefault.AllAtOnce", 2)
    life = run.lifecycle[run.lifecycle.instance_id == "i-000"]
    assert life.event.tolist() == IN_PLACE
    assert (life.start.diff().dropna() >= 0).all()
    assert (life.start.iloc[1:].to_numpy() == life.end.iloc[:-1].to_numpy()).all()


def test_lifecycle_order_with_a_load_balancer() -> None:
    # Agent: deployer.rb DEFAULT_ORDERED_LIFECYCLE_EVENTS; BlockTraffic before ApplicationStop,
    # AllowTraffic after ValidateService (codedeploy.md 4.1).
    run = simulate("CodeDeployDefault.AllAtOnce", 2, load_balancer=True)
    life = run.lifecycle[run.lifecycle.instance_id == "i-001"]
    assert life.event.tolist() == WITH_LB
    assert (life.status == "Succeeded").all()
    # Reserved events run no scripts but take time (defaults: ELB deregistration and checks).
    durations = life.set_index("event").duration
    assert durations["BlockTraffic"] == 300.0 and durations["AllowTraffic"] == 150.0


def test_reserved_events_take_their_configured_time() -> None:
    run = simulate(
        "CodeDeployDefault.AllAtOnce",
        1,
        reserved_durations={"DownloadBundle": 30, "Install": Duration.fixed(12)},
    )
    life = run.lifecycle.set_index("event")
    assert life.loc["DownloadBundle", "duration"] == 30.0
    assert life.loc["Install", "duration"] == 12.0


def test_scripts_in_one_event_run_in_order() -> None:
    hooks = {"AfterInstall": [Script("a.sh", 5), Script("b.sh", 7)]}
    run = simulate("CodeDeployDefault.AllAtOnce", 1, hooks=hooks)
    assert run.lifecycle.set_index("event").loc["AfterInstall", "duration"] == 12.0
    failing = simulate(
        "CodeDeployDefault.AllAtOnce",
        1,
        hooks=hooks,
        faults=[ScriptFault("AfterInstall", script=0)],
    )
    row = main(failing).iloc[0]
    assert row.script == "a.sh" and row.end == 5.0 + 2.0 + 5.0  # DownloadBundle + Install + a.sh


def test_application_stop_is_a_no_op_on_a_first_deployment() -> None:
    # UG:reference-appspec-file-structure-hooks.md: on the first deployment there is no earlier
    # AppSpec, so ApplicationStop does not run (reported Succeeded, codedeploy.md 4.1).
    fleet = Fleet.of_size(2).update("i-000", revision="Unknown")
    broken = ScriptFault("ApplicationStop")  # the previous revision's script is broken
    run = simulate("CodeDeployDefault.AllAtOnce", fleet=fleet, faults=[broken])
    life = run.lifecycle.set_index(["instance_id", "event"])
    assert life.loc[("i-000", "ApplicationStop"), "status"] == "Succeeded"
    assert life.loc[("i-000", "ApplicationStop"), "duration"] == 0.0
    assert life.loc[("i-001", "ApplicationStop"), "status"] == "Failed"


def test_application_stop_runs_the_previous_revisions_scripts() -> None:
    # API:CreateDeploymentInput.ignoreApplicationStopFailures: ApplicationStop, BeforeBlockTraffic
    # and AfterBlockTraffic use the AppSpec of the previous successful deployment.
    previous = {"ApplicationStop": [Script("old/stop.sh", 9)]}
    run = simulate(
        "CodeDeployDefault.AllAtOnce",
        1,
        previous_hooks=previous,
        faults=[ScriptFault("ApplicationStop")],
    )
    row = main(run).iloc[0]
    assert row.failed_event == "ApplicationStop" and row.script == "old/stop.sh"
    assert row.end == 9.0


@pytest.mark.parametrize("event", ["ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic"])
def test_ignore_application_stop_failures(event: str) -> None:
    # API:CreateDeploymentInput.ignoreApplicationStopFailures covers exactly these three events.
    hooks = {**HOOKS, event: [Script(f"scripts/{event}.sh", 2)]}
    fault = ScriptFault(event)
    failed = simulate(
        "CodeDeployDefault.AllAtOnce", 1, hooks=hooks, load_balancer=True, faults=[fault]
    )
    assert failed.status == "Failed" and main(failed).failed_event[0] == event
    ignored = simulate(
        "CodeDeployDefault.AllAtOnce",
        1,
        hooks=hooks,
        load_balancer=True,
        faults=[fault],
        ignore_application_stop_failures=True,
    )
    assert ignored.status == "Succeeded"
    row = ignored.lifecycle.set_index("event").loc[event]
    assert row.status == "Succeeded" and row.error_code == "ScriptFailed"


def test_ignore_does_not_cover_other_events() -> None:
    run = simulate(
        "CodeDeployDefault.AllAtOnce", 1, failing=(0,), ignore_application_stop_failures=True
    )
    assert run.status == "Failed"


def test_script_timeout_is_script_timed_out() -> None:
    # UG:reference-appspec-file-structure-hooks.md: a script that overruns its timeout fails the
    # deployment to that instance; Agent message "failed to complete in <N> seconds".
    hooks = {"ValidateService": [Script("scripts/slow.sh", duration=100, timeout=60)]}
    run = simulate("CodeDeployDefault.AllAtOnce", 1, hooks=hooks)
    row = main(run).iloc[0]
    assert row.error_code == "ScriptTimedOut"
    assert row.message == (
        "Script at specified location: scripts/slow.sh failed to complete in 60 seconds"
    )
    assert row.end == 7.0 + 60.0


def test_a_lifecycle_event_may_run_at_most_an_hour() -> None:
    # UG:limits.md: 3600 s until a lifecycle event fails if not completed (D10).
    hooks = {"AfterInstall": [Script("a.sh", 2000), Script("b.sh", 2000)]}
    row = main(simulate("CodeDeployDefault.AllAtOnce", 1, hooks=hooks)).iloc[0]
    assert row.error_code == "ScriptTimedOut" and row.script == "b.sh"
    assert row.end == 7.0 + 3600.0


def test_random_durations_follow_the_seed() -> None:
    hooks = {"ApplicationStart": [Script("s.sh", Duration.lognormal(30, 0.5))]}
    a = main(simulate("CodeDeployDefault.AllAtOnce", 20, hooks=hooks, seed=5))
    b = main(simulate("CodeDeployDefault.AllAtOnce", 20, hooks=hooks, seed=5))
    c = main(simulate("CodeDeployDefault.AllAtOnce", 20, hooks=hooks, seed=6))
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.end, c.end)
    assert a.end.nunique() == 20


def test_appspec_like_objects_give_the_scripts() -> None:
    from types import SimpleNamespace as NS

    spec = NS(hooks={"BeforeInstall": (NS(location="scripts/deps.sh", timeout=120, runas="app"),)})
    run = simulate(
        "CodeDeployDefault.AllAtOnce",
        1,
        hooks=None,
        appspec=spec,
        script_durations={"scripts/deps.sh": 40},
    )
    life = run.lifecycle.set_index("event")
    assert life.loc["BeforeInstall", "duration"] == 40.0
    hooks = hooks_from_appspec(spec)
    assert hooks["BeforeInstall"][0].timeout == 120.0 and hooks["BeforeInstall"][0].runas == "app"


# ====================================================================== results
def test_result_frames_and_summary() -> None:
    run = simulate("CodeDeployDefault.HalfAtATime", 9, failing=(2,), load_balancer=True)
    frame = main(run)
    assert list(frame.columns) == [
        "deployment_id",
        "instance_id",
        "instance_type",
        "availability_zone",
        "status",
        "start",
        "end",
        "start_minute",
        "end_minute",
        "duration",
        "failed_event",
        "error_code",
        "script",
        "message",
        "log_tail",
    ]
    failed = frame[frame.status == "Failed"].iloc[0]
    assert failed.instance_id == "i-002" and failed.failed_event == "ApplicationStart"
    assert failed.error_code == "ScriptFailed" and failed.script == "scripts/start.sh"
    assert "failed with exit code 1" in failed.message and "ApplicationStart" in failed.log_tail
    assert np.allclose(frame.end_minute, frame.end / 60)
    life = run.lifecycle
    assert len(life) == 9 * 13
    assert set(life.status) <= {"Succeeded", "Failed", "Skipped", "Unknown"}
    deployments = run.deployments
    assert deployments.creator.tolist() == ["user"]
    events = run.events
    assert events.event.iloc[0] == "DeploymentStart" and events.event.iloc[-1] == "DeploymentEnd"
    summary = run.summary()
    assert summary["succeeded"] == 8 and summary["failed"] == 1
    assert summary["time_in_flight_minutes"] > 0
    assert math.isclose(summary["duration_minutes"], run.duration / 60)
    assert repr(run).startswith(f"<ServerRun {run.deployment_id} CodeDeployDefault.HalfAtATime:")
    assert "<table>" in run._repr_html_()
    assert "HalfAtATime" in repr(run.deployment) and "<table>" in run.deployment._repr_html_()


def test_no_matching_instance_is_no_instances() -> None:
    # API:ErrorInformation: NO_INSTANCES, no instances were specified or found.
    run = simulate(
        "CodeDeployDefault.OneAtATime",
        3,
        targets=Targets(ec2_tag_filters=[TagFilter("env", "prod")]),
    )
    assert run.status == "Failed" and run.error_code == "NO_INSTANCES"
    assert run.instances.empty


def test_targets_choose_the_deployed_instances() -> None:
    fleet = Fleet.of_size(6, tags={"env": "prod"}).update(["i-000", "i-001"], tags={"env": "test"})
    run = simulate(
        "CodeDeployDefault.AllAtOnce",
        fleet=fleet,
        targets=Targets(ec2_tag_filters=[TagFilter("env", "prod")]),
    )
    assert main(run).instance_id.tolist() == ["i-002", "i-003", "i-004", "i-005"]


def test_over_max_instances() -> None:
    run = simulate("CodeDeployDefault.AllAtOnce", 5, max_instances=4)
    assert run.error_code == "OVER_MAX_INSTANCES"


def test_same_seed_same_run_and_entropy_replays() -> None:
    hooks = {"ApplicationStart": [Script("s.sh", Duration.uniform(5, 50))]}
    fleet = Fleet.of_size(15)
    deployment = ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=fleet,
        hooks=hooks,
        faults=[ScriptFault("ApplicationStart", probability=0.2)],
    )
    first = simulate_server(deployment, rng=11)
    again = simulate_server(deployment, rng=np.random.SeedSequence(first.seed_entropy))
    pd.testing.assert_frame_equal(first.instances, again.instances)
    pd.testing.assert_frame_equal(first.lifecycle, again.lifecycle)
    assert first.deployment_id == again.deployment_id


# ====================================================================== bad input
def test_unknown_lifecycle_event_suggests_the_closest() -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'ApplicationStart'"):
        ServerDeployment(fleet=Fleet.of_size(1), hooks={"ApplicationStrat": [START]})
    with pytest.raises(ConfigError, match=r"did you mean 'ValidateService'"):
        ScriptFault("ValidateServices")


def test_reserved_events_take_no_scripts() -> None:
    with pytest.raises(ConfigError, match=r"is reserved for CodeDeploy and runs no scripts"):
        ServerDeployment(fleet=Fleet.of_size(1), hooks={"Install": [START]})
    with pytest.raises(ConfigError, match=r"s3_access=False"):
        ScriptFault("DownloadBundle")


def test_fault_on_a_missing_instance() -> None:
    with pytest.raises(ConfigError, match=r"faults\[0\] instance must|did you mean 'i-002'"):
        ServerDeployment(
            fleet=Fleet.of_size(3),
            hooks=HOOKS,
            faults=[ScriptFault("ApplicationStart", instances=["i-0002"])],
        )


def test_fault_on_a_script_that_does_not_exist() -> None:
    with pytest.raises(ConfigError, match=r"must index a script of BeforeInstall in hooks"):
        ServerDeployment(fleet=Fleet.of_size(1), hooks=HOOKS, faults=[ScriptFault("BeforeInstall")])
    with pytest.raises(ConfigError, match=r"runs only with a load balancer"):
        ServerDeployment(
            fleet=Fleet.of_size(1),
            hooks={"AfterAllowTraffic": [START]},
            faults=[ScriptFault("AfterAllowTraffic")],
        )


def test_bad_configs_and_parameters() -> None:
    with pytest.raises(ConfigError, match=r"must be a Server configuration, not one for Lambda"):
        ServerDeployment("CodeDeployDefault.LambdaAllAtOnce", fleet=Fleet.of_size(1))
    with pytest.raises(
        ConfigError,
        match=r"MinimumHealthyHosts.value must be an integer in "
        r"\[0, 99\]",
    ):
        MinimumHealthyHosts("FLEET_PERCENT", 100)
    with pytest.raises(ConfigError, match=r"Script.timeout must be a number in \(0, 3600\]"):
        Script("a.sh", timeout=4000)
    with pytest.raises(ConfigError, match=r"ServerDeployment.appspec cannot be combined"):
        ServerDeployment(fleet=Fleet.of_size(1), hooks=HOOKS, appspec=HOOKS)
    with pytest.raises(ConfigError, match=r"did you mean 'shuffle'"):
        ServerDeployment(fleet=Fleet.of_size(1), order="shufle")
    with pytest.raises(ConfigError, match=r"ScriptFault.probability must be a number in"):
        ScriptFault("ApplicationStart", probability=1.5)
    with pytest.raises(ConfigError, match=r"Duration.b must be >= a"):
        Duration.uniform(5, 1)


def test_in_place_inputs_reproduce_the_run() -> None:
    # One model, two engines: the compiled pass and its draws are all an engine needs.
    hooks = {"ApplicationStart": [Script("s.sh", Duration.uniform(5, 50))]}
    deployment = ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(30),
        hooks=hooks,
        faults=[ScriptFault("ApplicationStart", probability=0.1)],
    )
    inputs = in_place_inputs(compile_plan(deployment), seed_sequence(8))
    record = run_window(
        inputs.plan,
        inputs.draws,
        inputs.timeline,
        inputs.order,
        0.0,
        inputs.deadline,
        inputs.deadline_code,
    )
    run = simulate_server(deployment, rng=8)
    np.testing.assert_array_equal(record.start, main(run).start.to_numpy())
    assert record.outcome == run.status


def test_shiftsim_simulate_dispatches_to_the_server_engine() -> None:
    import shiftsim

    deployment = ServerDeployment(
        "CodeDeployDefault.HalfAtATime", fleet=Fleet.of_size(9), hooks=HOOKS
    )
    seen: list = []
    run = shiftsim.simulate(deployment, rng=3, on_notification=seen.append)
    assert isinstance(run, ServerRun)
    pd.testing.assert_frame_equal(run.instances, simulate_server(deployment, rng=3).instances)
    assert seen == run.notifications


def test_scripts_from_a_loaded_appspec() -> None:
    from shiftsim.appspec import load_appspec

    spec = load_appspec(
        "version: 0.0\nos: linux\nhooks:\n"
        "  BeforeInstall:\n    - location: scripts/deps.sh\n      timeout: 90\n"
        "  ApplicationStart:\n    - location: scripts/start.sh\n"
        "    - location: scripts/warm.sh\n      runas: app\n"
    )
    run = simulate(
        "CodeDeployDefault.AllAtOnce",
        1,
        hooks=None,
        appspec=spec,
        script_durations={"scripts/deps.sh": 120, "scripts/start.sh": 5, "scripts/warm.sh": 6},
    )
    row = main(run).iloc[0]
    assert row.failed_event == "BeforeInstall" and row.error_code == "ScriptTimedOut"
    ok = simulate(
        "CodeDeployDefault.AllAtOnce",
        1,
        hooks=None,
        appspec=spec,
        script_durations={"scripts/deps.sh": 60},
    )
    life = ok.lifecycle.set_index("event")
    assert life.loc["ApplicationStart", "duration"] == 2 * 10.0  # DEFAULT_SCRIPT_SECONDS each
    lambda_spec = load_appspec(
        "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n"
        "      Properties:\n        Name: f\n        Alias: live\n"
        "        CurrentVersion: '1'\n        TargetVersion: '2'\n"
    )
    with pytest.raises(ConfigError, match=r"must be an EC2/on-premises \(Server\) AppSpec"):
        hooks_from_appspec(lambda_spec)


def test_polls_and_alarms_are_checked() -> None:
    """Issue 16: polls at least 1 s apart (CloudWatch keeps at most one datapoint a second,
    cloudwatch-alarms.md section 1); ``alarms=None`` is a ConfigError (``()`` means none)."""
    fleet = Fleet.of_size(2)
    with pytest.raises(ConfigError, match=r"alarm_poll_interval must be a number >= 1; got 1e-09"):
        ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=fleet, alarm_poll_interval=1e-9)
    with pytest.raises(ConfigError, match=r"alarms must be an Alarm or a sequence of Alarms"):
        ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=fleet, alarms=None)
