"""Alarm-read failures, ignorePollAlarmFailure and overrideAlarmConfiguration.

Sources: API:AlarmConfiguration.ignorePollAlarmFailure ("false: The deployment stops if alarm
status information can't be retrieved from Amazon CloudWatch"; "true: The deployment proceeds");
API:CreateDeploymentInput.overrideAlarmConfiguration (replaces the group's alarm settings for one
deployment); codedeploy.md section 6 "Alarms"; cloudwatch-alarms.md section 3.1.
"""

from __future__ import annotations

import dataclasses

import pytest

import shiftsim
from shiftsim import _seeding
from shiftsim._seeding import scenario_key
from shiftsim.errors import ConfigError
from shiftsim.monitoring import AlarmConfiguration, AlarmReadFailure

ERRORS = shiftsim.Alarm("errors", metric="Errors", threshold=0, evaluation_periods=1)


def lam(**kw: object) -> shiftsim.LambdaDeployment:
    kw.setdefault("alarms", [ERRORS])
    return shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes",
        invocations_per_minute=600,
        **kw,  # type: ignore[arg-type]
    )


def both(d: object) -> shiftsim.TrafficRun:
    core = shiftsim.simulate(d, rng=11)
    assert shiftsim.simulate(d, rng=11, engine="kernel").outcome == core.outcome
    return core


BAD = shiftsim.Version("2", error_rate=1.0)
WINDOW = AlarmReadFailure(start_minute=2, end_minute=4)


def test_failed_read_stops_the_deployment_when_not_ignored() -> None:
    """Reads every 60 s (D2); the read at 120 s is the first in [2, 4) minutes: the deployment
    stops there (API:AlarmConfiguration), with the fault's error code, and rolls back as a stop
    on alarm (DEPLOYMENT_STOP_ON_ALARM is in the default AutoRollback)."""
    run = both(lam(alarm_read_failures=[WINDOW]))
    assert (run.status, run.error_code, run.outcome.end_time) == ("Stopped", "THROTTLED", 120.0)
    assert run.rolled_back and run.outcome.final_percent == 0
    assert run.outcome.detection_time is None
    assert "ignorePollAlarmFailure is false" in run.error_message


def test_failed_read_without_stop_on_alarm_keeps_the_split() -> None:
    """Without DEPLOYMENT_STOP_ON_ALARM the alias keeps its 10% split (D5)."""
    rollback = shiftsim.AutoRollback(events=("DEPLOYMENT_FAILURE",))
    run = both(lam(alarm_read_failures=[WINDOW], auto_rollback=rollback))
    assert run.status == "Stopped" and not run.rolled_back and run.outcome.final_percent == 10


def test_ignored_failed_reads_let_the_deployment_proceed() -> None:
    """ignore_poll_alarm_failure=True: a healthy release succeeds at minute 5 as usual."""
    run = both(lam(alarm_read_failures=[WINDOW], ignore_poll_alarm_failure=True))
    assert run.status == "Succeeded" and run.outcome.end_time == 300.0


def test_ignored_failed_reads_delay_detection() -> None:
    """A failing target: minute 0's errors are visible at 120 s (60 s + 60 s delay) and the
    alarm enters ALARM then; the reads at 120 and 180 s fail and are ignored, so CodeDeploy first
    sees the alarm at 240 s. Without the fault it sees it at 120 s."""
    assert both(lam(target=BAD)).outcome.detection_time == 120.0
    run = both(lam(target=BAD, alarm_read_failures=[WINDOW], ignore_poll_alarm_failure=True))
    assert (run.error_code, run.outcome.detection_time) == ("ALARM_ACTIVE", 240.0)
    assert run.outcome.first_alarm_time == 120.0


def test_a_failed_read_sees_no_alarm() -> None:
    """The read at 120 s fails, so it cannot see the alarm raised at 120 s: the stop is the
    read failure's (error code IAM_ROLE_PERMISSIONS here), not ALARM_ACTIVE."""
    failure = AlarmReadFailure(2, 3, error_code="IAM_ROLE_PERMISSIONS")
    run = both(lam(target=BAD, alarm_read_failures=[failure]))
    assert (run.error_code, run.outcome.end_time) == ("IAM_ROLE_PERMISSIONS", 120.0)


def test_manual_stop_at_the_same_instant_wins() -> None:
    """At one instant CodeDeploy reacts to a StopDeployment call before it reads alarms."""
    run = both(lam(alarm_read_failures=[WINDOW], manual_stop=shiftsim.ManualStop(2.0)))
    assert run.error_code == "MANUAL_STOP"


def test_no_alarms_means_no_reads_to_fail() -> None:
    run = both(lam(alarms=[], alarm_read_failures=[WINDOW]))
    assert run.status == "Succeeded"


def test_override_disables_the_groups_alarms() -> None:
    """overrideAlarmConfiguration with enabled=False: the failing release is not caught (AWS's
    suggested use: deploy a fix while an alarm still fires, cloudwatch-alarms.md 3.1)."""
    stuck = shiftsim.Alarm("errors", initial_state="ALARM")
    assert both(lam(alarms=[stuck])).error_code == "ALARM_ACTIVE"
    run = both(lam(alarms=[stuck], override_alarm_configuration=AlarmConfiguration(enabled=False)))
    assert run.status == "Succeeded"


def test_override_replaces_alarms_and_ignore_flag() -> None:
    other = shiftsim.Alarm("other", metric="Errors", threshold=0)
    override = AlarmConfiguration(alarms=[other], ignore_poll_alarm_failure=True)
    d = lam(alarm_read_failures=[WINDOW], override_alarm_configuration=override)
    assert [a.name for a in d.plan().alarms] == ["other"]
    assert both(d).status == "Succeeded"


def test_ecs_read_failure_before_install_cannot_roll_back() -> None:
    """ECS: a stop before Install cannot roll back (UG hooks reference: BeforeInstall)."""
    d = shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        alarms=[ERRORS],
        hooks=shiftsim.EcsHooks(before_install=shiftsim.Hook(duration=300)),
        alarm_read_failures=[AlarmReadFailure(1, 2)],
    )
    run = both(d)
    assert (run.status, run.outcome.end_time, run.rolled_back) == ("Stopped", 60.0, False)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: AlarmConfiguration(), "AlarmConfiguration.alarms"),
        (lambda: AlarmConfiguration(enabled=1), "AlarmConfiguration.enabled"),
        (lambda: AlarmReadFailure(3, 2), "AlarmReadFailure.end_minute"),
        (lambda: AlarmReadFailure(0, 1, error_code="NOPE"), "AlarmReadFailure.error_code"),
        (lambda: lam(alarm_read_failures=[1]), r"alarm_read_failures\[0\]"),
        (lambda: lam(ignore_poll_alarm_failure="yes"), "ignore_poll_alarm_failure"),
        (lambda: lam(override_alarm_configuration={}), "override_alarm_configuration"),
    ],
)
def test_bad_values_are_named(make: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()  # type: ignore[operator]


def test_new_fields_count_in_deployment_ids_only_when_set() -> None:
    """Fields added after 0.1 (metadata ADDED) enter the scenario digest only when set, so
    every existing scenario keeps its deployment IDs (tests/test_golden.py)."""
    base = scenario_key(lam())
    assert scenario_key(lam(ignore_poll_alarm_failure=False)) == base
    assert scenario_key(lam(ignore_poll_alarm_failure=True)) != base
    assert scenario_key(lam(target=shiftsim.Version("2", timeout=30))) != base


def test_scenario_key_is_kept_per_deployment_and_matches_a_fresh_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The digest of a deployment is computed once and kept by identity; an equal deployment
    built again, and one changed with ``dataclasses.replace``, get their own walk."""
    walks: list[object] = []  # the deployments walked (the walk recurses into their parts)
    canonical = _seeding._canonical

    def counted(value: object) -> str:
        if isinstance(value, shiftsim.LambdaDeployment):
            walks.append(value)
        return canonical(value)

    monkeypatch.setattr(_seeding, "_canonical", counted)
    d = lam()
    first = scenario_key(d)
    assert scenario_key(d) == first and walks == [d]  # the second call did not walk
    assert scenario_key(lam()) == first and len(walks) == 2
    changed = dataclasses.replace(d, invocations_per_minute=601)
    assert scenario_key(changed) != first
    for k in range(20):  # more deployments than the cache keeps: d's entry goes
        scenario_key(dataclasses.replace(d, invocations_per_minute=700 + k))
    walks.clear()
    assert scenario_key(d) == first and walks == [d]
