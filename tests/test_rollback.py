"""Automatic rollback settings and manual stops (codedeploy.md section 6)."""

from __future__ import annotations

import pytest

from shiftsim import AutoRollback, ConfigError, ManualStop

EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")


def test_default_is_what_sam_generates():
    """SAM:deployment_preference_collection.py ``deployment_group()``: always enabled with all
    three events (codedeploy.md section 1.4)."""
    default = AutoRollback()
    assert default.enabled
    assert default.events == EVENTS
    assert all(default.rolls_back(event) for event in EVENTS)


def test_disabled_rolls_nothing_back():
    off = AutoRollback.disabled()
    assert (off.enabled, off.events) == (False, ())
    assert not any(off.rolls_back(event) for event in EVENTS)


def test_disable_rollbacks_keeps_the_events_but_switches_them_off():
    """UG:deployment-groups-configure-advanced-options.md: "Disable rollbacks" keeps the
    configuration; in the API that is ``enabled: false``."""
    kept = AutoRollback(enabled=False, events=EVENTS)
    assert kept.events == EVENTS
    assert not any(kept.rolls_back(event) for event in EVENTS)


def test_only_the_listed_events_roll_back():
    """API:AutoRollbackConfiguration."""
    on_alarm = AutoRollback(events=("DEPLOYMENT_STOP_ON_ALARM",))
    assert on_alarm.rolls_back("DEPLOYMENT_STOP_ON_ALARM")
    assert not on_alarm.rolls_back("DEPLOYMENT_FAILURE")
    assert not on_alarm.rolls_back("DEPLOYMENT_STOP_ON_REQUEST")


def test_events_given_as_a_list_become_a_tuple():
    assert AutoRollback(events=["DEPLOYMENT_FAILURE"]).events == ("DEPLOYMENT_FAILURE",)


def test_enabled_with_no_events_is_rejected():
    """API exceptions: ``enabled: true`` with no events raises InvalidAutoRollbackConfigException
    (codedeploy.md section 6)."""
    with pytest.raises(ConfigError) as info:
        AutoRollback(enabled=True, events=())
    assert "InvalidAutoRollbackConfigException" in str(info.value)
    assert "AutoRollback.disabled()" in str(info.value)


def test_boto_shapes():
    """API:AutoRollbackConfiguration ``{enabled, events}``; a deployment group without one has
    rollback disabled."""
    raw = {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
    config = AutoRollback.from_boto(raw)
    assert config == AutoRollback(events=("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"))
    assert config.to_boto() == raw
    assert AutoRollback.from_boto(None) == AutoRollback.disabled()
    assert AutoRollback.from_boto({"enabled": False}) == AutoRollback.disabled()


@pytest.mark.parametrize(
    ("auto_rollback", "override", "expected"),
    [
        (AutoRollback(), None, True),
        (AutoRollback(events=("DEPLOYMENT_FAILURE",)), None, False),
        (AutoRollback.disabled(), None, False),
        (AutoRollback.disabled(), True, True),
        (AutoRollback(), False, False),
    ],
)
def test_manual_stop_rolls_back_per_stop_deployment(auto_rollback, override, expected):
    """API:StopDeploymentInput ``autoRollbackEnabled`` decides; left out, the group's
    DEPLOYMENT_STOP_ON_REQUEST does (codedeploy.md section 6)."""
    stop = ManualStop(at_minute=3, auto_rollback_enabled=override)
    assert stop.rolls_back(auto_rollback) is expected
