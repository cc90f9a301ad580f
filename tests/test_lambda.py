"""Lambda deployments end to end: lifecycle, alarms, rollback, manual stop, hooks, and the shapes
of events, timeline, summary and notifications.

Expectations come from ``shared/reference/codedeploy.md`` (decisions D1-D13 and the fact sheet)
and ``shared/reference/cloudwatch-alarms.md``; each test names the source they cite.
"""

from __future__ import annotations

import re
import uuid

import numpy as np
import pandas as pd
import pytest

import shiftsim
from shiftsim import (
    Alarm,
    AutoRollback,
    ConfigError,
    Hook,
    LambdaDeployment,
    LambdaHooks,
    ManualStop,
    Profile,
    UnsupportedScenarioError,
    Version,
    simulate,
    traffic_schedule,
)
from shiftsim.configs import TimeBasedLinear

ERRORS = Alarm("errors", metric="Errors", threshold=0)
BAD = Version("2", error_rate=1.0)
SEED = 20260101
DEPLOYMENT_ID = re.compile(r"^d-[A-Z0-9]{9}$")  # CLIex:get-deployment.rst, e.g. d-A1B2C3123


def deploy(config="Canary10Percent5Minutes", **kwargs) -> LambdaDeployment:
    kwargs.setdefault("invocations_per_minute", 600)
    return LambdaDeployment(config, **kwargs)


def run_of(config="Canary10Percent5Minutes", seed=SEED, **kwargs):
    return simulate(deploy(config, **kwargs), rng=seed)


def shifts(run) -> list[tuple[float, int]]:
    """(time, percent) of every TrafficShift row."""
    rows = run.events[run.events.event == "TrafficShift"]
    return [(t, int(d.split("%")[0])) for t, d in zip(rows.time, rows.detail)]


def rows(run, event: str) -> pd.DataFrame:
    return run.events[run.events.event == event]


def lifecycle(run) -> list[tuple[float, str, str]]:
    frame = run.events[~run.events.event.isin(["TrafficShift", "AlarmStateChange"])]
    return list(zip(frame.time, frame.event, frame.status))


# --------------------------------------------------------------------------- lifecycle


def test_lifecycle_order_with_both_hooks():
    """UG:reference-appspec-file-structure-hooks.md (codedeploy.md section 4.4): Start ->
    BeforeAllowTraffic -> AllowTraffic -> AfterAllowTraffic -> End. AllowTraffic starts when the
    BeforeAllowTraffic hook reports (section 2.3), AfterAllowTraffic runs "after all traffic is
    shifted"."""
    run = run_of(hooks=LambdaHooks(Hook("CodeDeployHook_pre", 45), Hook("CodeDeployHook_post", 20)))
    assert lifecycle(run) == [
        (0.0, "Start", "Succeeded"),
        (0.0, "BeforeAllowTraffic", "InProgress"),
        (45.0, "BeforeAllowTraffic", "Succeeded"),
        (45.0, "AllowTraffic", "InProgress"),
        (345.0, "AllowTraffic", "Succeeded"),
        (345.0, "AfterAllowTraffic", "InProgress"),
        (365.0, "AfterAllowTraffic", "Succeeded"),
        (365.0, "End", "Succeeded"),
    ]
    assert shifts(run) == [(45.0, 10), (345.0, 100)]
    assert (run.status, run.error_code, run.rolled_back) == ("Succeeded", None, False)
    assert run.duration == 365.0


def test_without_hooks_there_are_no_hook_events():
    run = run_of()
    assert [event for _, event, _ in lifecycle(run)] == [
        "Start",
        "AllowTraffic",
        "AllowTraffic",
        "End",
    ]


@pytest.mark.parametrize("config", shiftsim.predefined_configs("Lambda"), ids=lambda c: c.name)
def test_alias_follows_the_configuration_schedule(config):
    """UG:deployment-configurations.md, D1: the TrafficShift rows are the schedule, in seconds."""
    run = simulate(LambdaDeployment(config, invocations_per_minute=10), rng=SEED)
    expected = [(60.0 * m, p) for m, p in traffic_schedule(config).itertuples(index=False)]
    assert shifts(run) == expected
    assert run.duration == 60.0 * traffic_schedule(config).attrs["allow_traffic_minutes"]
    assert run.summary()["final_weight"] == 100


def test_interval_after_option_waits_one_interval_after_the_last_shift():
    """D1's alternative: Linear10PercentEvery1Minute's AllowTraffic lasts 10 minutes (SAMdoc)."""
    run = run_of("Linear10PercentEvery1Minute", linear_completion="interval_after")
    assert shifts(run)[-1] == (540.0, 100)
    assert run.duration == 600.0
    assert lifecycle(run)[-1] == (600.0, "End", "Succeeded")


def test_each_call_is_routed_with_the_alias_weight():
    """LambdaDG (cloudwatch-alarms.md section 4): Lambda's "simple probabilistic model" sends each
    invocation to the new version with probability equal to its weight."""
    run = run_of("Canary10Percent30Minutes", invocations_per_minute=1000)
    minutes = run.timeline.iloc[:30]
    target, current = minutes.target_invocations.sum(), minutes.current_invocations.sum()
    assert 0.09 < target / (target + current) < 0.11
    assert 28_000 < target + current < 32_000  # Poisson, 1000 a minute for 30 minutes


def test_versions_fail_at_their_error_rates():
    run = run_of("Canary10Percent15Minutes", current=Version("1", error_rate=0.3))
    timeline = run.timeline
    assert timeline.target_errors.sum() == 0
    ratio = timeline.current_errors.sum() / timeline.current_invocations.sum()
    assert 0.27 < ratio < 0.33


def test_a_per_minute_rate_profile():
    run = run_of(invocations_per_minute=[0, 0, 600])
    timeline = run.timeline
    assert (timeline.target_invocations + timeline.current_invocations).tolist()[:2] == [0, 0]
    assert (timeline.current_invocations.iloc[2:] > 400).all()


def test_throttled_requests_are_not_invocations():
    """L-UG (cloudwatch-alarms.md section 2): Throttles are counted in neither Invocations nor
    Errors, and a Throttles alarm still sees them."""
    run = run_of(
        target=Version("2", throttle_rate=1.0),
        alarms=[Alarm("throttles", metric="Throttles", threshold=0)],
    )
    assert run.timeline.target_invocations.sum() == 0
    assert (run.status, run.error_code) == ("Stopped", "ALARM_ACTIVE")


# --------------------------------------------------------------------------- alarms


def test_alarm_stops_and_rolls_back_the_alias_at_once():
    """UG:monitoring-create-alarms.md: an alarm stops the deployment (Stopped); with
    DEPLOYMENT_STOP_ON_ALARM, "CodeDeploy will immediately flip the Alias back to old version"
    (SAMdoc), through a new deployment created by ``codeDeployRollback``
    (API:DeploymentInfo.creator, API:RollbackInfo; codedeploy.md section 6)."""
    run = run_of(target=BAD, alarms=[ERRORS])
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "ALARM_ACTIVE", True)
    assert "errors" in run.error_message
    assert run.summary()["final_weight"] == 0
    assert run.timeline.target_weight.iloc[-1] == 0

    deployments = run.deployments.set_index("deployment_id")
    original, rollback = run.deployment_id, run.rollback_deployment_id
    assert DEPLOYMENT_ID.match(original) and DEPLOYMENT_ID.match(rollback)
    assert original != rollback
    assert deployments.loc[original, "creator"] == "user"
    assert deployments.loc[original, "status"] == "Stopped"
    assert deployments.loc[original, "rollback_deployment_id"] == rollback
    assert deployments.loc[rollback, "creator"] == "codeDeployRollback"
    assert deployments.loc[rollback, "rollback_triggering_deployment_id"] == original

    rollback_rows = rows(run, "Rollback")
    assert rollback_rows.deployment_id.tolist() == [rollback]
    assert rollback_rows.time.tolist() == [run.duration]


def test_alarm_without_rollback_on_alarm_leaves_the_split():
    """D5; UG:troubleshooting-deployments-lambda.md: a Lambda deployment stopped without rollback
    leaves the alias pointing at two versions."""
    run = run_of(
        target=BAD, alarms=[ERRORS], auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",))
    )
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "ALARM_ACTIVE", False)
    assert run.summary()["final_weight"] == 10
    assert run.timeline.target_weight.iloc[-1] == 10
    assert rows(run, "Rollback").empty
    assert run.rollback_deployment_id is None
    assert len(run.deployments) == 1


def test_disabled_rollback_ignores_the_stop_on_alarm_event():
    """UG:deployment-groups-configure-advanced-options.md: "Disable rollbacks" keeps the events."""
    disabled = AutoRollback(enabled=False, events=("DEPLOYMENT_STOP_ON_ALARM",))
    run = run_of(target=BAD, alarms=[ERRORS], auto_rollback=disabled)
    assert (run.status, run.rolled_back, run.summary()["final_weight"]) == ("Stopped", False, 10)


@pytest.mark.parametrize("config", ["Canary10Percent5Minutes", "AllAtOnce"])
def test_alarm_already_in_alarm_stops_the_deployment_at_second_0(config):
    """D4; SAM:deployment_preference.py (alarms in ALARM "before a deployment starts"); COMM
    SLS-82 (AllAtOnce deployments are cancelled too): no traffic ever moves."""
    run = run_of(config, alarms=[Alarm("already", initial_state="ALARM")])
    assert (run.status, run.error_code) == ("Stopped", "ALARM_ACTIVE")
    assert run.duration == 0.0
    assert run.summary()["detection_minute"] == 0.0
    assert shifts(run) == []
    assert run.summary()["target_invocations"] == 0
    assert run.timeline.target_weight.tolist() == [0]


def test_alarms_are_watched_during_before_allow_traffic():
    """D4: alarms are watched from the deployment's start through the end of the last hook. An
    alias-wide alarm (SAM-SAFE's AliasErrorMetricGreaterThanZeroAlarm) fires on the old version's
    errors while the BeforeAllowTraffic hook still runs, and no traffic moves."""
    run = run_of(
        current=Version("1", error_rate=1.0),
        alarms=[Alarm("alias-errors", version="alias")],
        hooks=LambdaHooks(before_allow_traffic=Hook("CodeDeployHook_pre", duration=600)),
    )
    assert (run.status, run.error_code) == ("Stopped", "ALARM_ACTIVE")
    assert run.duration < 600
    assert shifts(run) == []
    assert rows(run, "AllowTraffic").status.tolist() == ["Skipped"]


def test_alarms_are_watched_during_after_allow_traffic():
    """D4 (cloudwatch-alarms.md section 3.3 [INF]): the whole deployment is watched, so an
    AfterAllowTraffic hook that waits is the bake time that catches an all-at-once release."""
    run = run_of(
        "AllAtOnce",
        target=BAD,
        alarms=[ERRORS],
        hooks=LambdaHooks(after_allow_traffic=Hook("CodeDeployHook_bake", duration=600)),
    )
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "ALARM_ACTIVE", True)
    assert rows(run, "AfterAllowTraffic").status.tolist() == ["InProgress", "Failed"]
    assert rows(run, "End").empty


def test_alarm_on_target_only_ignores_the_old_versions_errors():
    """cloudwatch-alarms.md section 2: the ExecutedVersion alarm watches the new version only;
    the alias-wide one also counts the old version's errors (SAM-SAFE)."""
    old_is_flaky = Version("1", error_rate=0.5)
    target_only = run_of(current=old_is_flaky, alarms=[Alarm("t", version="target")])
    alias_wide = run_of(current=old_is_flaky, alarms=[Alarm("a", version="alias")])
    assert target_only.status == "Succeeded"
    assert (alias_wide.status, alias_wide.error_code) == ("Stopped", "ALARM_ACTIVE")


def test_insufficient_data_never_stops_a_deployment():
    """cloudwatch-alarms.md section 3.2 [INF]: only ALARM triggers; an alarm that never gets data
    never rolls anything back."""
    run = run_of(invocations_per_minute=0, alarms=[ERRORS])
    assert run.status == "Succeeded"
    assert set(run.timeline["alarm:errors"]) == {"INSUFFICIENT_DATA"}


@pytest.mark.parametrize(
    ("alarm", "target"),
    [
        (Alarm("rate", metric="ErrorRate", threshold=5), Version("2", error_rate=0.2)),
        (
            Alarm("p99", metric="Duration", statistic="p99", threshold=1000),
            Version("2", duration_ms=2000, duration_sigma=0.3),
        ),
    ],
    ids=["error-rate", "duration-p99"],
)
def test_metric_math_and_latency_alarms(alarm, target):
    """cloudwatch-alarms.md sections 1.5 and 2: ``100*errors/invocations > X`` and Duration
    percentiles."""
    run = run_of(target=target, alarms=[alarm])
    assert (run.status, run.error_code) == ("Stopped", "ALARM_ACTIVE")


def test_m_out_of_n_alarm_needs_m_breaching_minutes():
    """CW-UG: M of the last N datapoints must breach. Errors start at minute 3 of a 10-minute
    canary: a 3-of-3 alarm fires a minute later than a 2-of-3 one."""
    late = Version("2", error_rate=Profile.step(3, 0.0, 1.0))
    two = run_of(
        "Canary10Percent10Minutes",
        target=late,
        alarms=[Alarm("e", evaluation_periods=3, datapoints_to_alarm=2)],
    )
    three = run_of(
        "Canary10Percent10Minutes", target=late, alarms=[Alarm("e", evaluation_periods=3)]
    )
    assert two.summary()["alarm_minute"] == 6.0  # minutes 3 and 4 are visible at 6 (D3)
    assert three.summary()["alarm_minute"] == 7.0


def test_high_resolution_alarm_is_refused_for_one_minute_metrics():
    """cloudwatch-alarms.md section 1.1: a 10/20/30 s alarm on a one-minute metric lapses into
    INSUFFICIENT_DATA; shiftsim names the limitation instead of simulating something else."""
    with pytest.raises(UnsupportedScenarioError, match=r"'fast'.*period 10 s"):
        run_of(alarms=[Alarm("fast", period=10)])


# --------------------------------------------------------------------------- D2, D3, D4 timing


def test_alarm_poll_interval_delays_detection():
    """D2: how often CodeDeploy reads alarm state is undocumented, so it is a parameter and the
    results must show its effect. The alarm enters ALARM at minute 2 either way; CodeDeploy sees
    it at its next poll, and the target keeps serving bad requests until then."""
    results = {
        poll: run_of(
            "Linear10PercentEvery10Minutes", target=BAD, alarms=[ERRORS], alarm_poll_interval=poll
        )
        for poll in (60, 90, 300)
    }
    summary = {poll: run.summary() for poll, run in results.items()}
    assert {poll: s["alarm_minute"] for poll, s in summary.items()} == {60: 2, 90: 2, 300: 2}
    assert {poll: s["detection_minute"] for poll, s in summary.items()} == {60: 2, 90: 3, 300: 5}
    errors = [summary[poll]["target_errors"] for poll in (60, 90, 300)]
    assert errors[0] < errors[1] < errors[2]
    # The events show the gap: ALARM at 120 s, the stop at the next poll.
    late = results[300].events
    assert late[late.event == "AlarmStateChange"].time.tolist() == [120.0]
    assert late[late.event == "Deployment"].time.tolist() == [300.0]


@pytest.mark.parametrize(("delay", "minute"), [(0, 1), (30, 2), (60, 2), (120, 3)])
def test_metric_delay_shifts_detection(delay, minute):
    """D3: a one-minute datapoint is visible ``metric_delay`` seconds after its minute ends, and
    CloudWatch evaluates each whole minute (cloudwatch-alarms.md section 1.4)."""
    run = run_of("Linear10PercentEvery10Minutes", target=BAD, alarms=[ERRORS], metric_delay=delay)
    assert run.summary()["alarm_minute"] == minute
    assert run.summary()["detection_minute"] == minute


def test_data_later_than_the_evaluation_range_is_never_seen():
    """cloudwatch-alarms.md sections 1.3-1.4 [INF]: the evaluation range ends at the check time, so
    a datapoint arriving later than the range is never evaluated. With a 3-minute delay a 1-of-1
    alarm (range 3, D11) stays blind for 90 minutes of errors; a 2-of-3 alarm (range 5) still
    catches the release."""
    blind = run_of("Linear10PercentEvery10Minutes", target=BAD, alarms=[ERRORS], metric_delay=180)
    assert blind.status == "Succeeded"
    assert blind.summary()["target_errors"] == blind.summary()["target_invocations"] > 0
    tolerant = Alarm("errors", evaluation_periods=3, datapoints_to_alarm=2)
    caught = run_of(
        "Linear10PercentEvery10Minutes", target=BAD, alarms=[tolerant], metric_delay=180
    )
    assert (caught.status, caught.error_code) == ("Stopped", "ALARM_ACTIVE")


def test_alarms_are_not_watched_after_success():
    """D4 (cloudwatch-alarms.md section 3.3): there is no bake time after the last shift and a
    Succeeded deployment is no longer watched. Errors start in the last canary minute: visible at
    once (metric_delay 0) they stop the deployment at its last second; a minute late, the
    deployment has already Succeeded and nothing after its end is recorded."""
    late = Version("2", error_rate=Profile.step(4, 0.0, 1.0))
    caught = run_of(target=late, alarms=[ERRORS], metric_delay=0)
    assert (caught.status, caught.duration) == ("Stopped", 300.0)

    missed = run_of(target=late, alarms=[ERRORS], metric_delay=60)
    assert (missed.status, missed.duration) == ("Succeeded", 300.0)
    assert missed.summary()["target_errors"] > 0
    assert missed.events.time.max() == 300.0
    assert "ALARM" not in set(rows(missed, "AlarmStateChange").status)
    assert "ALARM" not in set(missed.timeline["alarm:errors"])


def test_all_at_once_without_hooks_is_never_caught():
    """The trap: LambdaAllAtOnce with no hooks ends at second 0, before any datapoint exists, so
    even a release that fails every call Succeeds (D4; cloudwatch-alarms.md section 3.3)."""
    run = run_of("AllAtOnce", target=BAD, alarms=[ERRORS])
    assert (run.status, run.duration, run.summary()["final_weight"]) == ("Succeeded", 0.0, 100)


# --------------------------------------------------------------------------- hooks


def test_failed_before_allow_traffic_moves_no_traffic():
    """SAM:deployment_preference.py docstring, SAMdoc: a failing PreTraffic hook aborts the
    deployment before any traffic moves; the alias stays on the old version."""
    run = run_of(
        hooks=LambdaHooks(before_allow_traffic=Hook("CodeDeployHook_pre", 30, "Failed")), target=BAD
    )
    assert (run.status, run.error_code) == ("Failed", "HOOK_EXECUTION_FAILURE")
    assert "CodeDeployHook_pre" in run.error_message
    assert run.duration == 30.0
    assert shifts(run) == []
    assert run.summary()["target_invocations"] == 0
    assert run.summary()["final_weight"] == 0
    assert set(run.timeline.target_weight) == {0}
    assert "InProgress" not in set(rows(run, "AllowTraffic").status)


def test_lifecycle_events_after_a_failed_hook_are_skipped():
    """codedeploy.md section 10.3: events that never run are reported Skipped. A failed
    BeforeAllowTraffic hook must list AllowTraffic and AfterAllowTraffic as Skipped, just as an
    alarm during that hook does (test_alarms_are_watched_during_before_allow_traffic)."""
    hooks = LambdaHooks(Hook("CodeDeployHook_pre", 30, "Failed"), Hook("CodeDeployHook_post"))
    run = run_of(hooks=hooks)
    assert rows(run, "AllowTraffic").status.tolist() == ["Skipped"]
    assert rows(run, "AfterAllowTraffic").status.tolist() == ["Skipped"]


def test_before_allow_traffic_that_never_reports_fails_after_one_hour():
    """UG:reference-appspec-file-structure-hooks.md: no report within one hour fails the
    deployment (codedeploy.md section 4.5, D10)."""
    silent = Hook("CodeDeployHook_pre", duration=1, outcome="NoResponse")
    run = run_of(hooks=LambdaHooks(before_allow_traffic=silent))
    assert (run.status, run.error_code) == ("Failed", "HOOK_EXECUTION_FAILURE")
    assert run.duration == 3600.0
    assert "3600" in run.error_message
    assert shifts(run) == []


def test_failed_after_allow_traffic_rolls_the_alias_back():
    """SAM:deployment_preference.py docstring: a failing PostTraffic hook means "100% shifting
    traffic back to the old version" (rollback on DEPLOYMENT_FAILURE)."""
    run = run_of(hooks=LambdaHooks(after_allow_traffic=Hook("CodeDeployHook_post", 30, "Failed")))
    assert (run.status, run.error_code, run.rolled_back) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
        True,
    )
    assert run.duration == 330.0
    assert shifts(run)[-1] == (300.0, 100)
    assert run.summary()["final_weight"] == 0
    assert run.timeline.target_weight.iloc[-1] == 0


def test_failed_after_allow_traffic_without_rollback_keeps_the_new_version():
    """UG:deployment-steps-ecs.md analogue: without rollback, components stay as they are."""
    run = run_of(
        hooks=LambdaHooks(after_allow_traffic=Hook("CodeDeployHook_post", 30, "Failed")),
        auto_rollback=AutoRollback(events=("DEPLOYMENT_STOP_ON_ALARM",)),
    )
    assert (run.status, run.rolled_back, run.summary()["final_weight"]) == ("Failed", False, 100)


def test_after_allow_traffic_that_never_reports_fails_an_hour_after_it_started():
    """codedeploy.md section 4.5: the one-hour limit runs from the hook's invocation."""
    silent = Hook("CodeDeployHook_post", duration=5, outcome="NoResponse")
    run = run_of(
        hooks=LambdaHooks(after_allow_traffic=silent), auto_rollback=AutoRollback.disabled()
    )
    assert (run.status, run.error_code, run.rolled_back) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
        False,
    )
    assert run.duration == 300.0 + 3600.0
    assert run.summary()["final_weight"] == 100


def test_hook_reporting_success_after_one_hour_is_too_late():
    late = Hook("CodeDeployHook_post", duration=4000)
    run = run_of(hooks=LambdaHooks(after_allow_traffic=late))
    assert (run.status, run.duration) == ("Failed", 3900.0)


# --------------------------------------------------------------------------- manual stop


def test_manual_stop_with_rollback():
    """API:StopDeploymentInput; the group's DEPLOYMENT_STOP_ON_REQUEST rolls back (codedeploy.md
    section 6). The deployment ends Stopped with MANUAL_STOP (API:ErrorCode)."""
    run = run_of("Linear10PercentEvery1Minute", manual_stop=ManualStop(3.5))
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "MANUAL_STOP", True)
    assert run.duration == 210.0
    assert [p for _, p in shifts(run)] == [10, 20, 30, 40]
    assert run.summary()["final_weight"] == 0


def test_manual_stop_without_rollback_leaves_the_alias_split():
    """UG:troubleshooting-deployments-lambda.md: stopped without rollback, the alias points at two
    versions."""
    run = run_of(
        "Linear10PercentEvery1Minute", manual_stop=ManualStop(3.5, auto_rollback_enabled=False)
    )
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "MANUAL_STOP", False)
    assert run.summary()["final_weight"] == 40
    assert run.timeline.target_weight.iloc[-1] == 40


def test_stop_deployment_can_roll_back_when_the_group_does_not():
    """API:StopDeploymentInput ``autoRollbackEnabled`` overrides the group setting."""
    run = run_of(
        "Linear10PercentEvery1Minute",
        auto_rollback=AutoRollback.disabled(),
        manual_stop=ManualStop(2, auto_rollback_enabled=True),
    )
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "MANUAL_STOP", True)


def test_manual_stop_after_the_end_has_no_effect():
    """UG:deployments-stop.md: a deployment past the point where it can be stopped is not."""
    run = run_of(manual_stop=ManualStop(30))
    assert (run.status, run.error_code) == ("Succeeded", None)


# --------------------------------------------------------------------------- result shapes


def test_events_shape():
    run = run_of(target=BAD, alarms=[ERRORS])
    events = run.events
    assert list(events.columns) == ["time", "minute", "deployment_id", "event", "status", "detail"]
    assert events.time.is_monotonic_increasing
    np.testing.assert_allclose(events.minute, events.time / 60.0)
    assert set(events.deployment_id) == {run.deployment_id, run.rollback_deployment_id}
    change = rows(run, "AlarmStateChange").iloc[0]
    assert (change.status, change.detail) == ("ALARM", "errors: INSUFFICIENT_DATA -> ALARM")
    terminal = rows(run, "Deployment")
    assert terminal.status.tolist() == ["Stopped"]
    assert terminal.detail.iloc[0].startswith("ALARM_ACTIVE: ")


def test_timeline_shape():
    alarms = [ERRORS, Alarm("rate", metric="ErrorRate", threshold=50)]
    run = run_of("Canary10Percent5Minutes", alarms=alarms)
    timeline = run.timeline
    assert list(timeline.columns) == [
        "minute",
        "target_weight",
        "target_invocations",
        "target_errors",
        "current_invocations",
        "current_errors",
        "alarm:errors",
        "alarm:rate",
    ]
    assert timeline.minute.tolist() == [0, 1, 2, 3, 4]
    assert timeline.target_weight.tolist() == [10, 10, 10, 10, 100]  # at each minute's end
    for column in timeline.columns[2:6]:
        assert timeline[column].dtype.kind == "i"
    assert set(timeline["alarm:errors"]) <= {"OK", "ALARM", "INSUFFICIENT_DATA"}
    summary = run.summary()
    assert timeline.target_invocations.sum() == summary["target_invocations"]
    assert timeline.target_errors.sum() == summary["target_errors"]


def test_summary_shape():
    run = run_of(target=BAD, alarms=[ERRORS])
    summary = run.summary()
    assert list(summary.index) == [
        "status",
        "error_code",
        "rolled_back",
        "duration_minutes",
        "alarm_minute",
        "detection_minute",
        "target_invocations",
        "target_errors",
        "exposure_errors",
        "final_weight",
    ]
    assert summary.name == run.deployment_id
    assert summary["duration_minutes"] == run.duration / 60
    assert 0 < summary["target_errors"] == summary["target_invocations"]


def test_same_seed_same_run():
    """House style (SPEC 7): a seed replays a run exactly."""
    first, second = run_of(target=BAD, alarms=[ERRORS]), run_of(target=BAD, alarms=[ERRORS])
    pd.testing.assert_frame_equal(first.events, second.events)
    pd.testing.assert_frame_equal(first.timeline, second.timeline)
    assert first.deployment_id == second.deployment_id
    other = run_of(target=BAD, alarms=[ERRORS], seed=SEED + 1)
    assert not first.timeline.equals(other.timeline)


@pytest.mark.parametrize(
    "rng", [7, np.random.SeedSequence(7), np.random.default_rng(7), None], ids=type
)
def test_rng_accepts_int_seedsequence_generator_and_none(rng):
    """House style (SPEC 7): ``rng`` is None, an int, a SeedSequence or a Generator."""
    assert simulate(deploy(), rng=rng).status == "Succeeded"


# --------------------------------------------------------------------------- notifications

SNS_DEPLOYMENT_KEYS = {
    "region",
    "accountId",
    "eventTriggerName",
    "applicationName",
    "deploymentId",
    "deploymentGroupName",
    "createTime",
    "completeTime",
    "deploymentOverview",
    "status",
}
OVERVIEW_KEYS = {"Failed", "InProgress", "Pending", "Skipped", "Succeeded"}
EPOCH = re.compile(r"^\d+\.\d{3}$")  # e.g. "1446744207.564"
STATE = {
    "DeploymentStart": "START",
    "DeploymentSuccess": "SUCCESS",
    "DeploymentFailure": "FAILURE",
    "DeploymentStop": "STOP",
}


def notes(run, channel):
    return [n for n in run.notifications if n.channel == channel]


@pytest.mark.parametrize(
    ("kwargs", "sns_events"),
    [
        ({}, ["DeploymentStart", "DeploymentSuccess"]),
        (
            {
                "hooks": LambdaHooks(after_allow_traffic=Hook(outcome="Failed")),
                "auto_rollback": AutoRollback.disabled(),
            },
            ["DeploymentStart", "DeploymentFailure"],
        ),
        (
            {"target": BAD, "alarms": [ERRORS]},
            [
                "DeploymentStart",
                "DeploymentStop",
                "DeploymentRollback",
                "DeploymentStart",
                "DeploymentSuccess",
            ],
        ),
    ],
    ids=["succeeded", "failed", "stopped-and-rolled-back"],
)
def test_sns_trigger_messages(kwargs, sns_events):
    """UG:monitoring-sns-event-notifications-json-format.md (codedeploy.md section 9.1): the
    deployment trigger keys; every number and timestamp a string; PascalCase errorInformation."""
    run = run_of(**kwargs)
    messages = notes(run, "sns")
    assert [n.event for n in messages] == sns_events
    for note in messages:
        body = note.payload
        assert SNS_DEPLOYMENT_KEYS <= set(body) <= SNS_DEPLOYMENT_KEYS | {"errorInformation"}
        assert body["region"] == "us-east-1"
        assert DEPLOYMENT_ID.match(body["deploymentId"])
        assert EPOCH.match(body["createTime"])
        assert set(body["deploymentOverview"]) == OVERVIEW_KEYS
        assert all(isinstance(v, str) and v.isdigit() for v in body["deploymentOverview"].values())
        if note.event != "DeploymentStart":
            assert EPOCH.match(body["completeTime"])
    final = messages[1].payload
    if run.error_code is None:
        assert "errorInformation" not in final
    else:
        assert final["errorInformation"] == {
            "ErrorCode": run.error_code,
            "ErrorMessage": run.error_message,
        }
    start = float(messages[0].payload["createTime"])
    assert float(final["completeTime"]) - start == pytest.approx(run.duration)


def test_rollback_deployment_has_its_own_messages():
    """codedeploy.md section 6: a rollback is a new deployment with its own ID."""
    run = run_of(target=BAD, alarms=[ERRORS])
    by_event = [(n.event, n.payload["deploymentId"]) for n in notes(run, "sns")]
    original, rollback = run.deployment_id, run.rollback_deployment_id
    assert by_event == [
        ("DeploymentStart", original),
        ("DeploymentStop", original),
        ("DeploymentRollback", original),
        ("DeploymentStart", rollback),
        ("DeploymentSuccess", rollback),
    ]


def test_eventbridge_events():
    """codedeploy.md section 9.2 (aws_lambda_events fixtures, aws-lambda-go events/codedeploy.go):
    ``detail-type``, ``source`` aws.codedeploy, the detail keys, and STOP, not STOPPED."""
    run = run_of(target=BAD, alarms=[ERRORS])
    events = notes(run, "eventbridge")
    assert [n.payload["detail"]["state"] for n in events] == ["START", "STOP", "START", "SUCCESS"]
    for note in events:
        event = note.payload
        assert event["detail-type"] == "CodeDeploy Deployment State-change Notification"
        assert event["source"] == "aws.codedeploy"
        assert event["resources"] == [
            "arn:aws:codedeploy:us-east-1:123456789012:application:shiftsim-app",
            "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:shiftsim-app/shiftsim-group",
        ]
        detail = event["detail"]
        assert set(detail) == {
            "instanceGroupId",
            "region",
            "application",
            "deploymentId",
            "state",
            "deploymentGroup",
        }
        assert detail["state"] == STATE[note.event]
        uuid.UUID(detail["instanceGroupId"])
        assert (detail["application"], detail["deploymentGroup"]) == (
            "shiftsim-app",
            "shiftsim-group",
        )


def test_names_in_notifications_come_from_the_deployment():
    run = run_of(application="payments", deployment_group="payments-live")
    sns = notes(run, "sns")[0].payload
    assert (sns["applicationName"], sns["deploymentGroupName"]) == ("payments", "payments-live")
    bridge = notes(run, "eventbridge")[0].payload
    assert bridge["resources"][1].endswith(":deploymentgroup:payments/payments-live")


def test_on_notification_receives_every_payload_in_time_order():
    """simulate(on_notification=...) hands a subscriber each message as it would arrive."""
    received = []
    run = simulate(deploy(target=BAD, alarms=[ERRORS]), rng=SEED, on_notification=received.append)
    assert received == run.notifications
    times = [n.time for n in received]
    assert times == sorted(times)
    assert times[0] == 0.0
    assert times[-1] == run.duration


# ---------------------------------------------------------------------- issue 16: bounded cost
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # CloudWatch keeps at most one datapoint a second (cloudwatch-alarms.md section 1).
        ({"alarm_poll_interval": 1e-9}, r"alarm_poll_interval must be a number in \[1, 392400\]"),
        ({"alarm_poll_interval": 0.5}, r"alarm_poll_interval must be a number in \[1, 392400\]"),
        # 109 h, CodeDeploy's longest deployment (UG:limits.md; codedeploy.md 10.4).
        (
            {"metric_delay": 1e12},
            r"metric_delay must be a number in \[0, 392400\]; got 1000000000000.0",
        ),
        ({"invocations_per_minute": 10**400}, r"in \[0, 1e\+09\]; got an integer of about 401"),
        ({"invocations_per_minute": 1e20}, r"must be a number in \[0, 1e\+09\]; got 1e\+20"),
        ({"invocations_per_minute": [5, 2e10]}, r"invocations_per_minute\[1\] must be a number"),
        ({"invocations_per_minute": Profile.constant(1e20)}, r"must stay <= 1e\+09 a minute"),
        ({"alarms": None}, r"alarms must be an Alarm or a sequence of Alarms \(\(\) for none\)"),
    ],
)
def test_numbers_that_set_the_cost_are_bounded(kwargs: dict, message: str) -> None:
    """Issue 16: refused with the field, the value and the limit, before anything is built."""
    with pytest.raises(ConfigError, match=message):
        LambdaDeployment("AllAtOnce", **kwargs)


def test_plans_stay_small_and_counts_exact() -> None:
    """Issue 16: polls plus minutes at most MAX_PLAN_STEPS (default 60-s polls fit every
    deployment the other limits allow), and rate x minutes below 2**53."""
    from shiftsim._engines.traffic.plan import compile_deployment

    slow = shiftsim.DeploymentConfig("Slow", "Lambda", traffic_routing=TimeBasedLinear(10, 320))
    alarm = Alarm("errors", threshold=0)
    fine = LambdaDeployment(slow, alarms=[alarm], invocations_per_minute=1e9)
    assert fine.plan().end_time == 2880 * 60.0
    frantic = LambdaDeployment(slow, alarms=[alarm], alarm_poll_interval=1)
    with pytest.raises(ConfigError, match=r"alarm_poll_interval \(1 s\) over 2,880 minutes"):
        shiftsim.simulate(frantic, rng=1)
    with pytest.raises(ConfigError, match=r"rate x minutes must stay below 2\*\*53"):
        compile_deployment(fine, "Lambda", fine.phases(), Profile.constant(1e13))
