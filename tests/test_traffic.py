"""The traffic model: rate profiles, versions and hooks."""

from __future__ import annotations

import pytest

from shiftsim import ConfigError, Hook, Profile, Version

# --------------------------------------------------------------------------- Profile


def test_constant_profile():
    flat = Profile.constant(3.0)
    assert [flat.value_at(m) for m in (-5, 0, 7.5, 1e6)] == [3.0, 3.0, 3.0, 3.0]
    assert flat.integral(2, 12) == pytest.approx(30.0)
    assert flat.mean(2, 12) == pytest.approx(3.0)


def test_step_profile_is_right_continuous():
    step = Profile.step(at_minute=3, before=0.0, after=0.25)
    assert step.value_at(2.999) == 0.0
    assert step.value_at(3) == 0.25
    assert step.value_at(100) == 0.25
    assert step.integral(0, 10) == pytest.approx(0.25 * 7)


def test_ramp_profile_interpolates_and_holds():
    ramp = Profile.ramp(start_minute=2, end_minute=6, start=0.0, end=1.0)
    assert ramp.value_at(0) == 0.0
    assert ramp.value_at(4) == pytest.approx(0.5)
    assert ramp.value_at(6) == 1.0
    assert ramp.value_at(60) == 1.0
    # 0 for two minutes, a triangle of area 2 over [2, 6], then 1 for four minutes.
    assert ramp.integral(0, 10) == pytest.approx(2.0 + 4.0)


def test_burst_profile_covers_start_to_end():
    burst = Profile.burst(start_minute=4, end_minute=6, value=0.9, baseline=0.01)
    assert burst.value_at(3.99) == 0.01
    assert burst.value_at(4) == 0.9
    assert burst.value_at(5.99) == 0.9
    assert burst.value_at(6) == 0.01
    assert burst.integral(0, 10) == pytest.approx(0.01 * 8 + 0.9 * 2)
    assert burst.bounds() == (0.01, 0.9)


def test_integral_extends_flat_before_the_first_and_after_the_last_point():
    profile = Profile(((3, 1.0), (5, 2.0)))
    assert profile.integral(0, 10) == pytest.approx(3 * 1.0 + 2 * 1.5 + 5 * 2.0)
    assert profile.integral(-10, -5) == pytest.approx(5.0)  # negative minutes: before the start
    assert profile.integral(4, 4) == 0.0
    assert profile.integral(5, 4) == 0.0


def test_mean_of_an_empty_interval_is_the_value_there():
    ramp = Profile.ramp(0, 10, 0.0, 1.0)
    assert ramp.mean(5, 5) == pytest.approx(0.5)
    assert ramp.mean(0, 10) == pytest.approx(0.5)


def test_points_are_normalised_to_a_tuple_of_floats():
    profile = Profile([[0, 1], [2, 3]])
    assert profile.points == ((0.0, 1.0), (2.0, 3.0))
    assert all(isinstance(v, float) for pair in profile.points for v in pair)


@pytest.mark.parametrize(
    "points",
    [(), "ab", ((0, 1), (2,)), ((2, 1.0), (1, 1.0)), ((0, float("nan")),), ((0, True),)],
)
def test_invalid_profiles_are_rejected(points):
    with pytest.raises(ConfigError):
        Profile(points)


# --------------------------------------------------------------------------- Version


def test_version_defaults_and_repr():
    assert Version() == Version("1", 0.0, 0.0, 100.0, 0.0)
    assert repr(Version("7", error_rate=0.02)) == "Version('7', error_rate=0.02)"
    assert repr(Version("3")) == "Version('3')"


def test_version_rates_may_be_profiles():
    bad = Version("2", error_rate=Profile.step(at_minute=3, before=0.0, after=0.25))
    assert bad.error_profile.value_at(2.0) == 0.0
    assert bad.error_profile.value_at(4.0) == 0.25
    assert Version("2", error_rate=0.1).error_profile == Profile.constant(0.1)
    assert Version("2").throttle_profile == Profile.constant(0.0)


def test_latest_cannot_take_weighted_traffic():
    """LambdaAPI:AliasRoutingConfiguration: AdditionalVersionWeights keys match ``[0-9]+``, so an
    alias cannot route to ``$LATEST`` (codedeploy.md sections 11 and 12.21)."""
    with pytest.raises(ConfigError) as info:
        Version("$LATEST")
    assert "'$LATEST'" in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"error_rate": 1.5},
        {"error_rate": -0.1},
        {"error_rate": Profile.ramp(0, 5, 0.0, 1.2)},
        {"throttle_rate": 2},
        {"duration_ms": 0},
        {"duration_sigma": -1},
        {"name": ""},
    ],
)
def test_invalid_versions_are_rejected(kwargs):
    with pytest.raises(ConfigError):
        Version(**{"name": "2", **kwargs})


# --------------------------------------------------------------------------- Hook


def test_hook_reports_after_its_duration():
    hook = Hook("CodeDeployHook_preTraffic", duration=45)
    assert hook.end_time(0.0) == 45.0
    assert hook.end_time(100.0) == 145.0
    assert hook.succeeds
    assert not hook.times_out


def test_hook_that_never_reports_fails_after_one_hour():
    """UG:reference-appspec-file-structure-hooks.md: a hook that does not report within one hour
    fails the deployment (codedeploy.md section 4.5; D10)."""
    silent = Hook("CodeDeployHook_post", duration=5, outcome="NoResponse")
    assert silent.times_out
    assert not silent.succeeds
    assert silent.end_time(300.0) == 3900.0
    assert "did not report a status within 3600 seconds" in silent.failure_message()


def test_hook_reporting_later_than_one_hour_fails_at_one_hour():
    late = Hook("CodeDeployHook_post", duration=3601)
    assert late.times_out
    assert not late.succeeds
    assert late.end_time(0.0) == 3600.0


def test_hook_reporting_at_exactly_one_hour_is_in_time():
    assert Hook(duration=3600).succeeds
    assert Hook(duration=3600).end_time(0.0) == 3600.0


def test_failed_hook_message_names_the_function():
    failed = Hook("CodeDeployHook_pre", duration=10, outcome="Failed")
    assert not failed.succeeds
    assert failed.end_time(0.0) == 10.0
    assert failed.failure_message() == "The hook CodeDeployHook_pre reported Failed."


def test_rates_are_finite_and_at_most_1e9_a_minute() -> None:
    """Issue 16: every rate (number, list, Profile) at most MAX_RATE = 1e9 a minute, checked
    before float() (no OverflowError for 10**400) and before numpy's Poisson sampler."""
    from shiftsim.traffic import rate_profile

    assert rate_profile("X", "rate", 1e9).value_at(0) == 1e9
    for bad in (10**400, 1e20, float("inf"), float("nan"), [1, 10**400]):
        with pytest.raises(ConfigError, match=r"X\.rate(\[1\])? must be a (finite )?number"):
            rate_profile("X", "rate", bad)
    with pytest.raises(ConfigError, match=r"X\.rate must stay <= 1e\+09 a minute at every point"):
        rate_profile("X", "rate", Profile.step(5, 10.0, 2e9))
