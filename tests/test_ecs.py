"""ECS blue/green deployments: lifecycle order, hooks, alarms, rollback, task sets, termination.

Sources are cited as in ../shared/reference/codedeploy.md (UG = CodeDeploy User Guide, API =
CodeDeploy API model, D = the modelling decisions at the top of that file).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shiftsim
from shiftsim import Alarm, AutoRollback, ConfigError, Hook, ManualStop, Profile, Version
from shiftsim.ecs import (
    ECS_HOOK_EVENTS,
    ECS_LIFECYCLE,
    EcsDeployment,
    EcsHooks,
    EcsRun,
    run_ecs,
)

ECS_CONFIGS = [c.name for c in shiftsim.predefined_configs("ECS")]


def hooks_failing_at(event: str, outcome: str = "Failed") -> EcsHooks:
    """Every hook succeeds after 10 s except the one at ``event``."""
    return EcsHooks.from_events(
        {
            e: Hook(
                f"CodeDeployHook_{e}", duration=10, outcome=outcome if e == event else "Succeeded"
            )
            for e in ECS_HOOK_EVENTS
        }
    )


def started(run: EcsRun) -> list[str]:
    ev = run.events
    return ev.loc[ev.status == "InProgress", "event"].tolist()


# ---------------------------------------------------------------------------- ordering


def test_lifecycle_order_and_timing() -> None:
    # UG:deployment-steps-ecs.md (codedeploy.md 4.3): BeforeInstall -> Install -> AfterInstall ->
    # AllowTestTraffic -> AfterAllowTestTraffic -> BeforeAllowTraffic -> AllowTraffic ->
    # AfterAllowTraffic; each hook runs once per deployment.
    hooks = EcsHooks.from_events(
        {
            e: Hook(f"CodeDeployHook_{e}", duration=10 * (i + 1))
            for i, e in enumerate(ECS_HOOK_EVENTS)
        }
    )
    d = EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        hooks=hooks,
        install_seconds=45,
        test_traffic=True,
    )
    run = run_ecs(d, rng=1)
    assert run.status == "Succeeded"
    assert [e for e in started(run) if e != "TerminationWait"] == list(ECS_LIFECYCLE)
    phases = {p.name: (p.start, p.end) for p in run.plan.phases}
    assert phases["BeforeInstall"] == (0, 10)
    assert phases["Install"] == (10, 55)
    assert phases["AfterInstall"] == (55, 75)
    assert phases["AllowTestTraffic"] == (75, 75)
    assert phases["AfterAllowTestTraffic"] == (75, 105)
    assert phases["BeforeAllowTraffic"] == (105, 145)
    # Canary 10% then 100% five minutes later (UG:deployment-configurations.md, codedeploy 1.3).
    assert phases["AllowTraffic"] == (145, 445)
    assert run.plan.shifts == ((145, 10), (445, 100))
    assert phases["AfterAllowTraffic"] == (445, 495)
    assert run.duration == 495


def test_hook_events_without_hooks_take_no_time() -> None:
    # "If an event hook is not present, no operation is executed for that event"
    # (UG:reference-appspec-file-structure-hooks.md).
    d = EcsDeployment("CodeDeployDefault.ECSAllAtOnce", install_seconds=30)
    run = run_ecs(d, rng=2)
    assert started(run) == [*ECS_LIFECYCLE, "TerminationWait"]
    assert run.duration == 30
    assert run.plan.shifts == ((30, 100),)


def test_linear_configuration_shifts_every_interval() -> None:
    # ECSLinear10PercentEvery1Minutes: +10% each minute (codedeploy.md 1.3; D1).
    d = EcsDeployment("CodeDeployDefault.ECSLinear10PercentEvery1Minutes", install_seconds=0)
    run = run_ecs(d, rng=3)
    assert [p for _, p in run.plan.shifts] == list(range(10, 101, 10))
    weights = run.task_sets.query("task_set == 'replacement'").traffic_weight.tolist()
    assert weights[-1] == 100 and weights == sorted(weights)


# ---------------------------------------------------------------------------- hooks


def test_before_install_failure_cannot_roll_back() -> None:
    # "BeforeInstall ... A rollback is not possible at this point"
    # (UG:reference-appspec-file-structure-hooks.md; codedeploy.md 4.3).
    d = EcsDeployment("CodeDeployDefault.ECSAllAtOnce", hooks=hooks_failing_at("BeforeInstall"))
    run = run_ecs(d, rng=4)
    assert (run.status, run.error_code, run.rolled_back) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
        False,
    )
    assert run.rollback_deployment_id is None
    assert not run.rollback_possible
    assert set(run.task_sets.task_set) == {"original"}  # no replacement was ever created
    assert started(run) == ["BeforeInstall"]
    skipped = run.events.query("status == 'Skipped'").event.tolist()
    assert skipped == list(ECS_LIFECYCLE[1:])


@pytest.mark.parametrize("event", ECS_HOOK_EVENTS[1:])
def test_later_hook_failure_rolls_back(event: str) -> None:
    # AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic and AfterAllowTraffic "can trigger a
    # rollback" (UG:reference-appspec-file-structure-hooks.md); an ECS rollback reroutes traffic
    # to the original task set (UG:deployment-steps-ecs.md; codedeploy.md 6).
    d = EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        hooks=hooks_failing_at(event),
        test_traffic=True,
    )
    run = run_ecs(d, rng=5)
    assert (run.status, run.error_code, run.rolled_back) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
        True,
    )
    assert run.rollback_deployment_id is not None
    failed = run.events.query("status == 'Failed' and event != 'Deployment'").event.tolist()
    assert failed == [event]
    last = run.task_sets.groupby("task_set").tail(1).set_index("task_set")
    assert last.loc["original", "status"] == "PRIMARY"
    assert last.loc["original", "traffic_weight"] == 100
    assert last.loc["replacement", "status"] == "DRAINING"
    assert last.loc["replacement", "traffic_weight"] == 0
    assert run.termination_time is None


@pytest.mark.parametrize("event", ECS_HOOK_EVENTS)
def test_silent_hook_fails_after_one_hour(event: str) -> None:
    # A hook that does not report within one hour fails the deployment
    # (UG:reference-appspec-file-structure-hooks.md; codedeploy.md 4.5; D10).
    d = EcsDeployment("CodeDeployDefault.ECSAllAtOnce", hooks=hooks_failing_at(event, "NoResponse"))
    run = run_ecs(d, rng=6)
    phase = next(p for p in run.plan.phases if p.name == event)
    assert phase.end - phase.start == 3600
    assert run.status == "Failed"
    assert run.rolled_back is (event != "BeforeInstall")


def test_failure_without_rollback_keeps_task_sets() -> None:
    # "Without rollbacks the status is Failed and components stay as they are"
    # (UG:deployment-steps-ecs.md; codedeploy.md 6).
    d = EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        hooks=hooks_failing_at("AfterAllowTraffic"),
        auto_rollback=AutoRollback(True, ("DEPLOYMENT_STOP_ON_ALARM",)),
    )
    run = run_ecs(d, rng=7)
    assert (run.status, run.rolled_back) == ("Failed", False)
    last = run.task_sets.groupby("task_set").tail(1).set_index("task_set")
    assert last.loc["replacement", ["status", "traffic_weight"]].tolist() == ["PRIMARY", 100]
    assert last.loc["original", ["status", "traffic_weight"]].tolist() == ["ACTIVE", 0]


# ---------------------------------------------------------------------------- alarms


def bad_release(**kwargs: object) -> EcsDeployment:
    options: dict[str, object] = {
        "requests_per_minute": 1000,
        "target": Version("2", error_rate=0.3),
        "alarms": [Alarm("green-5xx", threshold=0, evaluation_periods=2)],
    }
    options.update(kwargs)
    return EcsDeployment("CodeDeployDefault.ECSLinear10PercentEvery3Minutes", **options)  # type: ignore[arg-type]


def test_alarm_stops_and_rolls_back() -> None:
    # An alarm in ALARM stops the deployment (Stopped, ALARM_ACTIVE); with
    # DEPLOYMENT_STOP_ON_ALARM traffic returns to the original task set
    # (UG:monitoring-create-alarms.md; UG:deployment-steps-ecs.md; codedeploy.md 6).
    run = run_ecs(bad_release(), rng=8)
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "ALARM_ACTIVE", True)
    assert run.outcome.detection_time is not None
    final = run.task_sets.groupby("task_set").tail(1).set_index("task_set")
    assert final.loc["original", "traffic_weight"] == 100
    assert final.loc["replacement", "status"] == "DRAINING"


def test_alarm_without_rollback_keeps_split() -> None:
    # D5: stopped on alarm with no rollback, an ECS deployment keeps its task sets.
    run = run_ecs(bad_release(auto_rollback=AutoRollback(True, ("DEPLOYMENT_FAILURE",))), rng=8)
    assert (run.status, run.rolled_back) == ("Stopped", False)
    final = run.task_sets.groupby("task_set").tail(1).set_index("task_set")
    split = final.traffic_weight.to_dict()
    assert split["replacement"] == run.outcome.final_percent > 0
    assert split["original"] + split["replacement"] == 100


def test_alarm_active_at_start_stops_without_rollback() -> None:
    # D4: an alarm already in ALARM stops the deployment at once (ALARM_ACTIVE); on ECS nothing
    # is installed yet, so nothing to roll back (UG:reference-appspec-file-structure-hooks.md).
    d = EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce", alarms=[Alarm("already", initial_state="ALARM")]
    )
    run = run_ecs(d, rng=9)
    assert (run.status, run.error_code, run.duration) == ("Stopped", "ALARM_ACTIVE", 0)
    assert not run.rolled_back and run.rollback_deployment_id is None
    assert "Rollback" not in run.events.event.tolist()


def test_alarm_during_after_allow_test_traffic_rolls_back() -> None:
    # An ECS deployment can be rolled back by an alarm while its AfterAllowTestTraffic hook runs
    # (UG:deployment-steps-ecs.md; cloudwatch-alarms.md 3.3). Here a service-wide alarm sees the
    # original task set's errors.
    d = EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        install_seconds=30,
        hooks=EcsHooks(after_allow_test_traffic=Hook("CodeDeployHook_tests", duration=600)),
        current=Version("1", error_rate=0.3),
        alarms=[Alarm("service-errors", threshold=5, version="alias")],
        test_traffic=True,
    )
    run = run_ecs(d, rng=10)
    assert (run.status, run.rolled_back) == ("Stopped", True)
    phase = next(p for p in run.plan.phases if p.name == "AfterAllowTestTraffic")
    assert phase.start < run.outcome.detection_time <= phase.end


def test_alarms_not_watched_during_termination_wait() -> None:
    # D4: alarms are never watched after the deployment Succeeded; the termination wait follows
    # success (UG:deployment-steps-ecs.md; cloudwatch-alarms.md 3.3).
    d = EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        requests_per_minute=600,
        target=Version("2", error_rate=Profile.step(at_minute=3, before=0.0, after=1.0)),
        alarms=[Alarm("green-errors", threshold=0)],
        install_seconds=60,
    )
    run = run_ecs(d, rng=11)
    assert run.status == "Succeeded"
    assert run.plan.poll_times.max() <= run.duration


# ---------------------------------------------------------------------------- manual stop


def test_manual_stop_before_install_cannot_roll_back() -> None:
    # StopDeployment with autoRollbackEnabled (API:StopDeploymentInput) during BeforeInstall:
    # nothing installed, nothing to roll back (UG:reference-appspec-file-structure-hooks.md).
    d = EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        hooks=EcsHooks(before_install=Hook("CodeDeployHook_slow", duration=300)),
        manual_stop=ManualStop(at_minute=2, auto_rollback_enabled=True),
    )
    run = run_ecs(d, rng=12)
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "MANUAL_STOP", False)


def test_manual_stop_during_traffic_rolls_back() -> None:
    d = EcsDeployment(
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        manual_stop=ManualStop(at_minute=4),
    )
    run = run_ecs(d, rng=13)
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "MANUAL_STOP", True)


# ---------------------------------------------------------------------------- termination


@pytest.mark.parametrize("wait", [0, 1, 60, 2880])
def test_termination_wait(wait: int) -> None:
    # D12 / API:BlueInstanceTerminationOption: the original task set is deleted
    # terminationWaitTimeInMinutes (<= 2880) after success (UG:deployment-steps-ecs.md).
    d = EcsDeployment("CodeDeployDefault.ECSAllAtOnce", termination_wait_time_in_minutes=wait)
    run = run_ecs(d, rng=14)
    assert run.termination_time == run.duration + 60 * wait
    ev = run.events.set_index("event")
    assert ev.loc["TerminateOriginalTaskSet", "time"] == run.termination_time
    assert ev.loc["TerminationWait", "time"] == run.duration
    last = run.task_sets.iloc[-1]
    assert (last.task_set, last.status, last.time) == ("original", "DRAINING", run.termination_time)
    assert run.summary()["termination_minute"] == run.termination_time / 60


def test_default_termination_wait_is_one_hour() -> None:
    # D12: 60 minutes by default (the console default, UG:tutorial-ecs-deployment-deploy.md).
    assert EcsDeployment("CodeDeployDefault.ECSAllAtOnce").termination_wait_time_in_minutes == 60


@pytest.mark.parametrize("wait", [-1, 2881, 1.5, True])
def test_termination_wait_limits(wait: object) -> None:
    with pytest.raises(ConfigError, match="termination_wait_time_in_minutes"):
        EcsDeployment("CodeDeployDefault.ECSAllAtOnce", termination_wait_time_in_minutes=wait)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- validation


def test_lambda_configuration_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"EcsDeployment\.config must be an ECS configuration"):
        EcsDeployment("CodeDeployDefault.LambdaAllAtOnce")


def test_singular_minute_spelling_suggests_the_plural() -> None:
    # codedeploy.md 1.3: the ECS name is ...Every1Minutes (plural).
    with pytest.raises(ConfigError, match="ECSLinear10PercentEvery1Minutes"):
        EcsDeployment("CodeDeployDefault.ECSLinear10PercentEvery1Minute")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"requests_per_minute": -1}, "requests_per_minute"),
        ({"requests_per_minute": "many"}, "requests_per_minute"),
        ({"target": Version("1")}, "target.name"),
        ({"hooks": {"BeforeInstall": None}}, "hooks"),
        ({"install_seconds": -5}, "install_seconds"),
        ({"test_traffic": "yes"}, "test_traffic"),
        ({"service_name": ""}, "service_name"),
        ({"alarms": [Alarm("a"), Alarm("a")]}, "alarms"),
    ],
)
def test_invalid_fields_are_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=f"EcsDeployment.{field}"):
        EcsDeployment("CodeDeployDefault.ECSAllAtOnce", **changes)  # type: ignore[arg-type]


def test_hooks_reject_unknown_event() -> None:
    with pytest.raises(ConfigError, match="did you mean 'BeforeInstall'"):
        EcsHooks.from_events({"BeforeInstal": Hook()})
    with pytest.raises(ConfigError, match="must be a Hook"):
        EcsHooks(after_install="CodeDeployHook_x")  # type: ignore[arg-type]


def test_request_profiles() -> None:
    d = EcsDeployment("CodeDeployDefault.ECSAllAtOnce", requests_per_minute=[10, 20, 30])
    plan = d.plan()
    assert plan.lam_current.sum() == pytest.approx(10)  # the first minute, before any shift
    with pytest.raises(ConfigError, match=r"requests_per_minute\[1\]"):
        EcsDeployment("CodeDeployDefault.ECSAllAtOnce", requests_per_minute=[1, -1])


# ---------------------------------------------------------------------------- engines


def test_simulate_and_engines_agree() -> None:
    d = bad_release(test_traffic=True)
    core = run_ecs(d, rng=15)
    kernel = run_ecs(d, rng=15, engine="kernel")
    assert core.outcome == kernel.outcome
    via_simulate = shiftsim.simulate(d, rng=15)
    assert via_simulate.outcome == core.outcome
    assert isinstance(
        EcsRun.from_traffic_run(d, getattr(via_simulate, "run", via_simulate)), EcsRun
    )


def test_notifications_and_reprs() -> None:
    run = run_ecs(EcsDeployment("CodeDeployDefault.ECSAllAtOnce"), rng=16)
    events = [n.event for n in run.notifications if n.channel == "sns"]
    assert events == ["DeploymentStart", "DeploymentSuccess"]
    assert "EcsRun" in repr(run) and "DRAINING" not in repr(run)
    assert "ECS deployment" in run._repr_html_()
    d = run.deployment
    assert "termination wait 60 min" in repr(d) and "test listener" in d._repr_html_()
    assert isinstance(run.timeline, pd.DataFrame) and isinstance(run.deployments, pd.DataFrame)
    with pytest.raises(ConfigError):
        run_ecs(shiftsim.LambdaDeployment("LambdaAllAtOnce"))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- properties

hook_strategy = st.one_of(
    st.none(),
    st.builds(
        Hook,
        function_name=st.just("CodeDeployHook_x"),
        duration=st.integers(0, 600),
        outcome=st.sampled_from(["Succeeded", "Succeeded", "Failed"]),
    ),
)


@pytest.mark.slow
@given(
    config=st.sampled_from(ECS_CONFIGS),
    hooks=st.builds(
        EcsHooks, hook_strategy, hook_strategy, hook_strategy, hook_strategy, hook_strategy
    ),
    error_rate=st.sampled_from([0.0, 0.05, 0.5]),
    test_traffic=st.booleans(),
    wait=st.integers(0, 2880),
    seed=st.integers(0, 2**16),
)
def test_task_set_invariants(
    config: str, hooks: EcsHooks, error_rate: float, test_traffic: bool, wait: int, seed: int
) -> None:
    d = EcsDeployment(
        config,
        requests_per_minute=120,
        target=Version("2", error_rate=error_rate),
        alarms=[Alarm("errs", threshold=0, evaluation_periods=2)],
        hooks=hooks,
        test_traffic=test_traffic,
        termination_wait_time_in_minutes=wait,
    )
    run = run_ecs(d, rng=seed)
    ts = run.task_sets
    assert ts.traffic_weight.between(0, 100).all()
    for _, snap in ts.groupby("time", sort=False):
        live = snap.drop_duplicates("task_set", keep="last")
        live = live[live.status != "DRAINING"]
        if not live.empty:
            assert live.traffic_weight.sum() == 100
            assert (live.status == "PRIMARY").sum() == 1
    installs = [p.start for p in run.plan.phases if p.name == "Install"]
    replacement = ts[ts.task_set == "replacement"]
    assert replacement.empty or replacement.time.min() >= installs[0]
    if not run.rollback_possible:
        assert not run.rolled_back
    if run.rolled_back:
        assert ts[ts.task_set == "original"].iloc[-1].traffic_weight == 100
    if run.status == "Succeeded":
        assert run.termination_time == run.duration + 60 * wait
    else:
        assert run.termination_time is None
    assert run_ecs(d, rng=seed).outcome == run.outcome  # determinism per seed


def test_install_and_polls_are_bounded() -> None:
    """Issue 16: Install at most 120 h (432,000 s), ECS's longest wait between deployment and
    traffic shift (UG:limits.md; codedeploy.md section 12, trap 9); polls at least 1 s apart
    (CloudWatch keeps at most one datapoint a second, cloudwatch-alarms.md section 1)."""
    with pytest.raises(ConfigError, match=r"install_seconds must be a number in \[0, 432000\]"):
        EcsDeployment("CodeDeployDefault.ECSAllAtOnce", install_seconds=10 * 365 * 86400)
    with pytest.raises(ConfigError, match=r"EcsDeployment.alarm_poll_interval must be a number in"):
        EcsDeployment("CodeDeployDefault.ECSAllAtOnce", alarm_poll_interval=1e-9)
    with pytest.raises(ConfigError, match=r"requests_per_minute must be a number in \[0, 1e\+09\]"):
        EcsDeployment("CodeDeployDefault.ECSAllAtOnce", requests_per_minute=10**400)
    assert (
        EcsDeployment("CodeDeployDefault.ECSAllAtOnce", install_seconds=432_000).install_seconds
        == 432_000
    )


def test_task_sets_has_one_row_per_task_set_at_each_instant() -> None:
    """The start and Install at second 0 give one row per task set, not a repeated original."""
    from pathlib import Path

    from shiftsim.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    loaded = load_scenario(root / "examples" / "scenarios" / "ecs-linear.yml")
    frame = shiftsim.simulate(loaded.deployment, rng=loaded.seed).task_sets
    assert not frame.duplicated(["time", "task_set"]).any()
    first = frame[frame["time"] == 0.0]
    assert first["task_set"].tolist() == ["original", "replacement"]
