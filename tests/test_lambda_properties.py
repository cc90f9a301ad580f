"""Invariants of Lambda deployments, checked with Hypothesis over random scenarios.

Uses the ``dev``/``ci`` profiles from ``conftest.py``. Each example simulates one deployment on the
event core in a few milliseconds.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shiftsim import (
    Alarm,
    AutoRollback,
    DeploymentConfig,
    Hook,
    LambdaDeployment,
    LambdaHooks,
    ManualStop,
    Profile,
    TimeBasedCanary,
    TimeBasedLinear,
    Version,
    get_config,
    predefined_configs,
    simulate,
    traffic_schedule,
)
from shiftsim.alarms import COMPARISONS

# Hypothesis properties over whole deployments: seconds per test.
pytestmark = pytest.mark.slow

TERMINAL = {"Succeeded", "Failed", "Stopped"}
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")
STATES = ("INSUFFICIENT_DATA", "OK", "ALARM")

seeds = st.integers(0, 2**32 - 1)
lambda_configs = st.one_of(
    st.sampled_from(predefined_configs("Lambda")),
    st.builds(TimeBasedCanary, st.integers(1, 99), st.integers(1, 15)).map(
        lambda r: DeploymentConfig("CustomCanary", "Lambda", traffic_routing=r)
    ),
    st.builds(TimeBasedLinear, st.integers(5, 99), st.integers(1, 4)).map(
        lambda r: DeploymentConfig("CustomLinear", "Lambda", traffic_routing=r)
    ),
)
rates = st.one_of(
    st.floats(0, 1), st.builds(Profile.step, st.floats(0, 20), st.floats(0, 1), st.floats(0, 1))
)


def hooks_with(outcomes=("Succeeded", "Failed", "NoResponse"), longest=900.0):
    return st.one_of(
        st.none(),
        st.builds(
            Hook, st.just("CodeDeployHook_h"), st.floats(0, longest), st.sampled_from(outcomes)
        ),
    )


@st.composite
def alarms(draw, metrics=("Errors", "Invocations", "Throttles", "ErrorRate", "Duration")):
    n = draw(st.integers(1, 3))
    metric = draw(st.sampled_from(metrics))
    duration = metric == "Duration"
    return Alarm(
        draw(st.text("abcdef", min_size=1, max_size=4)),
        metric=metric,
        threshold=draw(st.sampled_from([0, 1, 5, 50, 200])),
        comparison_operator=draw(st.sampled_from(COMPARISONS)),
        statistic=draw(
            st.sampled_from(
                ["p50", "p99", "Average", "Maximum"]
                if duration
                else ["Sum", "Average", "Maximum", "Minimum", "SampleCount"]
            )
        ),
        period=60 if duration else draw(st.sampled_from([60, 120])),
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.one_of(st.none(), st.integers(1, n))),
        treat_missing_data=draw(st.sampled_from(TREATMENTS)),
        version="target" if duration else draw(st.sampled_from(["target", "alias"])),
        initial_state=draw(st.sampled_from(STATES)),
    )


@st.composite
def auto_rollbacks(draw):
    events = tuple(e for e in ROLLBACK_EVENTS if draw(st.booleans()))
    enabled = draw(st.booleans()) and bool(events)
    return AutoRollback(enabled=enabled, events=events)


@st.composite
def deployments(draw):
    """Any Lambda deployment: configuration, traffic, versions, hooks, alarms, rollback, stop."""
    return LambdaDeployment(
        draw(lambda_configs),
        invocations_per_minute=draw(st.sampled_from([0.0, 3.0, 60.0, 600.0])),
        current=Version("1", error_rate=draw(rates)),
        target=Version(
            "2",
            error_rate=draw(rates),
            throttle_rate=draw(st.sampled_from([0, 0.2])),
            duration_ms=draw(st.sampled_from([50.0, 2000.0])),
            duration_sigma=0.5,
        ),
        alarms=draw(st.lists(alarms(), max_size=3, unique_by=lambda a: a.name)),
        auto_rollback=draw(auto_rollbacks()),
        hooks=LambdaHooks(draw(hooks_with()), draw(hooks_with())),
        manual_stop=draw(
            st.one_of(
                st.none(),
                st.builds(ManualStop, st.floats(0, 40), st.sampled_from([None, True, False])),
            )
        ),
        alarm_poll_interval=draw(st.sampled_from([10.0, 45.0, 60.0, 90.0, 300.0])),
        metric_delay=draw(st.sampled_from([0.0, 30.0, 60.0, 120.0, 180.0])),
        linear_completion=draw(st.sampled_from(["last_shift", "interval_after"])),
    )


def shift_percents(run) -> list[int]:
    rows = run.events[run.events.event == "TrafficShift"]
    return [int(detail.split("%")[0]) for detail in rows.detail]


# --------------------------------------------------------------------------- invariants


@given(deployments(), seeds)
def test_alias_weight_stays_in_range_rises_until_a_rollback_and_is_zero_after_one(deployment, seed):
    run = simulate(deployment, rng=seed)
    weights = run.timeline.target_weight.tolist()
    shifted = shift_percents(run)
    final = run.summary()["final_weight"]
    assert all(0 <= w <= 100 for w in [*weights, *shifted, final])
    assert shifted == sorted(set(shifted)), "each traffic shift raises the target's share"
    if run.rolled_back:
        assert weights[-1] == 0
        assert final == 0
        assert weights[:-1] == sorted(weights[:-1])
        events = run.events.event.tolist()
        rollback_at = events.index("Rollback")
        assert "TrafficShift" not in events[rollback_at:]
    else:
        assert weights == sorted(weights)
        assert final == (shifted[-1] if shifted else 0)
        assert weights[-1] == final


@given(deployments(), seeds)
def test_every_run_ends_in_exactly_one_terminal_status(deployment, seed):
    run = simulate(deployment, rng=seed)
    events = run.events
    assert run.status in TERMINAL
    terminal = events[events.event.isin(["End", "Deployment"])]
    assert len(terminal) == 1
    row = terminal.iloc[0]
    assert row.status == run.status
    assert (row.event == "End") == (run.status == "Succeeded")
    assert row.time == run.duration == events.time.max()
    assert events.time.is_monotonic_increasing
    expected_codes = {
        "Succeeded": {None},
        "Failed": {"HOOK_EXECUTION_FAILURE"},
        "Stopped": {"ALARM_ACTIVE", "MANUAL_STOP"},
    }
    assert run.error_code in expected_codes[run.status]
    # Nothing but the rollback deployment follows the terminal row.
    after = events.iloc[terminal.index[0] + 1 :]
    assert set(after.event) <= {"Rollback"}
    assert len(after) == int(run.rolled_back)
    if run.status == "Succeeded":
        assert not run.rolled_back
    own = [
        n.event
        for n in run.notifications
        if n.channel == "sns" and n.payload["deploymentId"] == run.deployment_id
    ]
    ends = [e for e in own if e in {"DeploymentSuccess", "DeploymentFailure", "DeploymentStop"}]
    assert len(ends) == 1


@given(deployments(), seeds)
def test_same_seed_gives_identical_events_and_timeline(deployment, seed):
    first, second = simulate(deployment, rng=seed), simulate(deployment, rng=seed)
    pd.testing.assert_frame_equal(first.events, second.events)
    pd.testing.assert_frame_equal(first.timeline, second.timeline)
    pd.testing.assert_series_equal(first.summary(), second.summary())
    assert first.notifications == second.notifications


@given(deployments(), seeds)
def test_timeline_counts_what_the_summary_reports(deployment, seed):
    run = simulate(deployment, rng=seed)
    timeline, summary = run.timeline, run.summary()
    assert len(timeline) == max(math.ceil(run.duration / 60 - 1e-9), 1)
    assert timeline.minute.tolist() == list(range(len(timeline)))
    assert timeline.target_invocations.sum() == summary["target_invocations"]
    assert timeline.target_errors.sum() == summary["target_errors"]
    assert (timeline.target_errors <= timeline.target_invocations).all()
    assert (timeline.current_errors <= timeline.current_invocations).all()


# --------------------------------------------------------------------------- good and bad releases


@st.composite
def errors_alarms(draw):
    """``Errors`` alarms that a release without errors can never breach: an upper bound on a
    statistic of the per-invocation 0/1 error metric (cloudwatch-alarms.md section 2), data
    treated as anything but breaching, and not already in ALARM."""
    n = draw(st.integers(1, 3))
    inclusive = draw(st.booleans())
    return Alarm(
        draw(st.text("abcdef", min_size=1, max_size=4)),
        metric="Errors",
        statistic=draw(st.sampled_from(["Sum", "Average", "Maximum", "Minimum"])),
        comparison_operator=(
            "GreaterThanOrEqualToThreshold" if inclusive else "GreaterThanThreshold"
        ),
        threshold=draw(st.sampled_from([1, 5]) if inclusive else st.sampled_from([0, 0.5, 3])),
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.integers(1, n)),
        period=draw(st.sampled_from([60, 120])),
        treat_missing_data=draw(st.sampled_from(["missing", "notBreaching", "ignore"])),
        version=draw(st.sampled_from(["target", "alias"])),
        initial_state=draw(st.sampled_from(["INSUFFICIENT_DATA", "OK"])),
    )


@given(
    lambda_configs,
    st.sampled_from([60.0, 600.0, 3000.0]),
    st.lists(errors_alarms(), min_size=1, max_size=3, unique_by=lambda a: a.name),
    hooks_with(),
    hooks_with(),
    st.sampled_from([0.0, 60.0, 120.0]),
    seeds,
)
def test_a_release_without_errors_never_rolls_back_on_an_errors_alarm(
    config, rate, alarm_list, before, after, delay, seed
):
    deployment = LambdaDeployment(
        config,
        invocations_per_minute=rate,
        current=Version("1"),
        target=Version("2"),
        alarms=alarm_list,
        hooks=LambdaHooks(before, after),
        metric_delay=delay,
    )
    run = simulate(deployment, rng=seed)
    assert run.error_code != "ALARM_ACTIVE"
    assert run.summary()["target_errors"] == 0
    assert "ALARM" not in set(run.events[run.events.event == "AlarmStateChange"].status)


def first_bad_datapoint_visible(t0: float, delay: float) -> float:
    """When the first minute holding target traffic is visible in CloudWatch (D3)."""
    return (math.floor(t0 / 60) + 1) * 60 + delay


def latest_detection(t0: float, alarm: Alarm, delay: float, poll: float) -> float:
    """The latest second CodeDeploy can see an ``Errors > 0`` alarm on a release that fails
    every call, if traffic keeps flowing: N full breaching minutes from the first whole minute
    of AllowTraffic, visible after ``delay`` (D3), evaluated at the next whole minute
    (cloudwatch-alarms.md section 1.4) and read at the next poll (D2). With ``delay`` <= 120 s
    those minutes are still inside the evaluation range (D11: N + 2 periods or more)."""
    first_full_minute = math.ceil(t0 / 60) * 60
    evaluated = math.ceil((first_full_minute + 60 * alarm.evaluation_periods + delay) / 60) * 60
    return math.ceil(evaluated / poll) * poll


@st.composite
def bad_releases(draw):
    config = draw(
        lambda_configs.filter(lambda c: min(p for _, p in c.traffic_routing.shifts()) >= 5)
    )
    before = draw(
        st.one_of(st.none(), st.builds(Hook, st.just("CodeDeployHook_pre"), st.floats(0, 300)))
    )
    after = draw(hooks_with(longest=1800.0))
    n = draw(st.integers(1, 3))
    alarm = Alarm(
        "errors",
        metric="Errors",
        threshold=0,
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.integers(1, n)),
        treat_missing_data=draw(st.sampled_from(TREATMENTS)),
        initial_state=draw(st.sampled_from(STATES)),
    )
    return LambdaDeployment(
        config,
        invocations_per_minute=draw(st.sampled_from([1000.0, 3000.0])),
        target=Version("2", error_rate=1.0),
        alarms=[alarm],
        hooks=LambdaHooks(before, after),
        alarm_poll_interval=draw(st.sampled_from([10.0, 30.0, 60.0, 90.0, 120.0])),
        metric_delay=draw(st.sampled_from([0.0, 30.0, 60.0, 90.0, 120.0])),
        linear_completion=draw(st.sampled_from(["last_shift", "interval_after"])),
    )


def timing(deployment):
    """(start of AllowTraffic, planned end) of a deployment whose BeforeAllowTraffic succeeds."""
    before, after = deployment.hooks.before_allow_traffic, deployment.hooks.after_allow_traffic
    t0 = before.end_time(0.0) if before is not None else 0.0
    allow = traffic_schedule(deployment.config, deployment.linear_completion).attrs[
        "allow_traffic_minutes"
    ]
    shifted = t0 + 60 * allow
    return t0, after.end_time(shifted) if after is not None else shifted


@given(bad_releases(), seeds)
def test_a_release_failing_every_call_is_always_caught_when_codedeploy_can_see_it(deployment, seed):
    """Error rate 1 with an ``Errors > 0`` alarm on the target and enough traffic: whenever the
    deployment lasts until the alarm can be seen, it is stopped and rolled back."""
    alarm = deployment.alarms[0]
    t0, end = timing(deployment)
    assume(
        alarm.initial_state == "ALARM"
        or end
        >= latest_detection(t0, alarm, deployment.metric_delay, deployment.alarm_poll_interval)
    )
    run = simulate(deployment, rng=seed)
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "ALARM_ACTIVE", True)
    assert run.summary()["final_weight"] == 0
    assert run.duration <= end


@st.composite
def bad_releases_that_end_early(draw):
    """Bad releases whose deployment ends before the first target datapoint is visible."""
    config = draw(
        st.sampled_from(
            [
                get_config("AllAtOnce"),
                DeploymentConfig(
                    "Canary10Every1", "Lambda", traffic_routing=TimeBasedCanary(10, 1)
                ),
                DeploymentConfig(
                    "Canary50Every2", "Lambda", traffic_routing=TimeBasedCanary(50, 2)
                ),
            ]
        )
    )
    delay = draw(st.sampled_from([0.0, 30.0, 60.0, 90.0, 120.0, 180.0]))
    t0 = draw(st.floats(0, 600))
    allow = traffic_schedule(config).attrs["allow_traffic_minutes"]
    slack = first_bad_datapoint_visible(t0, delay) - t0 - 60 * allow
    assume(slack > 0)
    before = Hook("CodeDeployHook_pre", t0) if t0 or draw(st.booleans()) else None
    after_duration = draw(st.floats(0, 1, exclude_max=True)) * slack
    after = draw(
        st.one_of(
            st.none(),
            st.builds(
                Hook,
                st.just("CodeDeployHook_post"),
                st.just(after_duration),
                st.sampled_from(["Succeeded", "Failed"]),
            ),
        )
    )
    n = draw(st.integers(1, 3))
    alarm = Alarm(
        "errors",
        metric="Errors",
        threshold=0,
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.integers(1, n)),
        treat_missing_data=draw(st.sampled_from(["missing", "notBreaching", "ignore"])),
        initial_state=draw(st.sampled_from(["INSUFFICIENT_DATA", "OK"])),
    )
    deployment = LambdaDeployment(
        config,
        invocations_per_minute=3000.0,
        target=Version("2", error_rate=1.0),
        alarms=[alarm],
        hooks=LambdaHooks(before, after),
        alarm_poll_interval=draw(st.sampled_from([10.0, 30.0, 60.0, 90.0])),
        metric_delay=delay,
    )
    t0, end = timing(deployment)
    assume(end < first_bad_datapoint_visible(t0, delay))  # rounding at the boundary
    return deployment


@given(bad_releases_that_end_early(), seeds)
def test_a_release_failing_every_call_is_never_caught_when_it_ends_before_any_datapoint(
    deployment, seed
):
    """The other side, a real trap: a deployment that ends before its first target datapoint is
    visible cannot be stopped by that datapoint, however bad the release (D3, D4)."""
    t0, end = timing(deployment)
    assert end < first_bad_datapoint_visible(t0, deployment.metric_delay)
    run = simulate(deployment, rng=seed)
    assert run.error_code != "ALARM_ACTIVE"
    assert run.status in {"Succeeded", "Failed"}
    assert run.summary()["target_errors"] == run.summary()["target_invocations"]


def test_all_at_once_without_hooks_ends_at_second_0_and_is_never_caught():
    """The trap, spelled out: LambdaAllAtOnce with no hooks has no time for any alarm."""
    deployment = LambdaDeployment(
        "AllAtOnce",
        invocations_per_minute=3000,
        target=Version("2", error_rate=1.0),
        alarms=[Alarm("errors", metric="Errors", threshold=0)],
    )
    t0, end = timing(deployment)
    assert (t0, end) == (0.0, 0.0)
    for seed in range(5):
        run = simulate(deployment, rng=seed)
        assert (run.status, run.duration, run.rolled_back) == ("Succeeded", 0.0, False)
