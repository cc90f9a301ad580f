"""Strategies for the traffic family: alarms, versions, hooks, Lambda and ECS deployments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from shiftsim._checks import check_choice
from shiftsim.alarms import Alarm
from shiftsim.configs import (
    DeploymentConfig,
)
from shiftsim.ecs import EcsDeployment, EcsHooks
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.rollback import ROLLBACK_EVENTS, AutoRollback, ManualStop
from shiftsim.strategies._configs import deployment_configs
from shiftsim.traffic import HOOK_OUTCOMES, Hook, Profile, Version

__all__ = ["ALARM_NAMES", "alarms", "ecs_deployments", "hooks", "lambda_deployments", "versions"]


ALARM_NAMES = ("errors", "error-rate", "latency-p99", "throttles", "invocations", "canary-5xx")
_THRESHOLDS: Mapping[str, SearchStrategy[float]] = {
    "Errors": st.integers(0, 20).map(float),
    "ErrorRate": st.floats(0.0, 50.0),
    "Duration": st.floats(10.0, 3000.0),
    "Throttles": st.integers(0, 20).map(float),
    "Invocations": st.integers(0, 1000).map(float),
}
_STATISTICS: Mapping[str, tuple[str, ...]] = {
    "Errors": ("Sum", "Average", "Maximum", "SampleCount", "Minimum"),
    "ErrorRate": ("Sum",),
    "Duration": ("p99", "Average", "Maximum", "p90", "p50", "p99.9", "Minimum"),
    "Throttles": ("Sum", "Average", "Maximum"),
    "Invocations": ("Sum", "SampleCount"),
}
_COMPARISONS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)


@st.composite
def _alarm(draw: st.DrawFn, name: SearchStrategy[str], metric: SearchStrategy[str]) -> Alarm:
    # Every alarm makes the same choices in the same order, whatever its metric: Hypothesis
    # prefers examples with fewer choices, so skipping some for one metric would make that
    # metric, not Errors, the one failures shrink to.
    chosen = draw(metric)
    n = draw(st.integers(1, 5))
    statistics = _STATISTICS[chosen]
    statistic = statistics[draw(st.integers(0, len(_STATISTICS["Duration"]) - 1)) % len(statistics)]
    period = draw(st.sampled_from((60, 120, 300)))
    version = draw(st.sampled_from(("target", "alias")))
    duration = chosen == "Duration"  # modelled at 60 s on the target only
    return Alarm(
        name=draw(name),
        metric=chosen,
        threshold=draw(_THRESHOLDS[chosen]),
        comparison_operator=draw(st.sampled_from(_COMPARISONS)),
        statistic=statistic,
        period=60 if duration else period,
        evaluation_periods=n,
        datapoints_to_alarm=draw(st.none() | st.integers(1, n)),
        treat_missing_data=draw(
            st.sampled_from(("missing", "notBreaching", "breaching", "ignore"))
        ),
        version="target" if duration else version,
        initial_state=draw(st.sampled_from(("INSUFFICIENT_DATA", "OK", "ALARM"))),
    )


def alarms(
    name: str | None = None, *, metrics: tuple[str, ...] | None = None
) -> SearchStrategy[Alarm]:
    """CloudWatch alarms that Lambda and ECS deployments can watch.

    Shrinks toward ``Alarm("errors")``: ``Errors > 0`` in one one-minute period of the target.
    Periods are multiples of 60 s and Duration alarms watch the target at 60 s, which is what
    the traffic engines model; an alarm may start in ``ALARM`` (the deployment then stops with
    ``ALARM_ACTIVE`` at once, decision D4).

    Parameters
    ----------
    name : str, optional
        The alarm's name; drawn from a few plausible names when None.
    metrics : tuple of str, optional
        Only these metrics (``"Errors"``, ``"ErrorRate"``, ``"Duration"``, ``"Throttles"``,
        ``"Invocations"``).

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(alarms(metrics=("Errors", "ErrorRate")))
    ... def test_error_alarms(alarm):
    ...     assert alarm.metric in ("Errors", "ErrorRate") and alarm.period % 60 == 0
    >>> test_error_alarms()
    """
    chosen = tuple(_THRESHOLDS) if metrics is None else tuple(metrics)
    for metric in chosen:
        check_choice("alarms", "metrics[]", metric, tuple(_THRESHOLDS))
    names = st.just(name) if name is not None else st.sampled_from(ALARM_NAMES)
    return _alarm(names, st.sampled_from(chosen))


def _alarm_lists(max_size: int = 3) -> SearchStrategy[list[Alarm]]:
    return st.lists(alarms(), max_size=max_size, unique_by=lambda a: a.name)


def _rates(low: float, high: float) -> SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _bad_profiles() -> SearchStrategy[Profile]:
    """Error rates of a bad release: a step up, a ramp up, or a burst, in minutes."""
    minute, low, high = _rates(0.0, 30.0), _rates(0.0, 0.01), _rates(0.05, 1.0)
    return st.one_of(
        st.builds(Profile.step, minute, low, high),
        st.builds(lambda a, d, lo, hi: Profile.ramp(a, a + d, lo, hi), minute, minute, low, high),
        st.builds(
            lambda a, d, hi, lo: Profile.burst(a, a + d, hi, lo), minute, _rates(1, 30), high, low
        ),
    )


def versions(name: str | None = None, *, bad: bool | None = None) -> SearchStrategy[Version]:
    """Function versions (or ECS task sets) and how they behave, including bad releases.

    Healthy versions have a constant error rate of at most 1% and rare throttles. Bad releases
    fail 5% to 100% of their invocations, from the start or after a :class:`~shiftsim.Profile`
    step, ramp or burst (minutes since the deployment started). Shrinks toward a version with no
    errors, no throttles and 100 ms calls.

    Parameters
    ----------
    name : str, optional
        The version's name; a number from 2 to 99 when None.
    bad : bool, optional
        True: only bad releases; False: only healthy versions; None: either.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(versions("7", bad=True))
    ... def test_bad_release(version):
    ...     assert version.error_profile.bounds()[1] >= 0.05
    >>> test_bad_release()
    """
    names = st.just(name) if name is not None else st.integers(2, 99).map(str)
    durations = st.just(100.0) | _rates(1.0, 2000.0)
    sigmas = st.just(0.0) | _rates(0.0, 1.5)
    healthy = st.builds(
        Version,
        names,
        error_rate=st.just(0.0) | _rates(0.0, 0.01),
        throttle_rate=st.just(0.0) | _rates(0.0, 0.01),
        duration_ms=durations,
        duration_sigma=sigmas,
    )
    broken = st.builds(
        Version,
        names,
        error_rate=_bad_profiles() | _rates(0.05, 1.0),
        throttle_rate=st.just(0.0) | _rates(0.0, 0.2),
        duration_ms=durations,
        duration_sigma=sigmas,
    )
    if bad is None:
        return healthy | broken
    return broken if bad else healthy


def hooks(outcome: str | None = None, *, name: str | None = None) -> SearchStrategy[Hook]:
    """Lifecycle hook functions: how long they take and what they report.

    Shrinks toward a hook that succeeds at once. A ``NoResponse`` hook, or one that takes longer
    than 3600 s, fails the deployment after 3600 s (decision D10).

    Parameters
    ----------
    outcome : {"Succeeded", "Failed", "NoResponse"}, optional
        Only this outcome.
    name : str, optional
        The hook function's name; ``CodeDeployHook_...`` names when None.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(hooks("Failed"))
    ... def test_failing(hook):
    ...     assert not hook.succeeds
    >>> test_failing()
    """
    chosen = st.sampled_from(HOOK_OUTCOMES) if outcome is None else st.just(outcome)
    if outcome is not None:
        check_choice("hooks", "outcome", outcome, HOOK_OUTCOMES)
    names = (
        st.just(name)
        if name is not None
        else st.sampled_from(("CodeDeployHook_check", "CodeDeployHook_smokeTest"))
    )
    duration = st.just(0.0) | _rates(0.0, 600.0) | _rates(3000.0, 4000.0)
    return st.builds(Hook, names, duration, chosen)


# --------------------------------------------------------------------------------------------
# Deployments


def _auto_rollbacks() -> SearchStrategy[AutoRollback]:
    events = st.lists(st.sampled_from(ROLLBACK_EVENTS), unique=True, min_size=1).map(tuple)
    return st.one_of(
        st.just(AutoRollback()),
        st.just(AutoRollback.disabled()),
        st.builds(AutoRollback, st.booleans(), events),
    )


def _manual_stops() -> SearchStrategy[ManualStop | None]:
    return st.none() | st.builds(
        ManualStop,
        st.integers(0, 30).map(float) | _rates(0.0, 30.0),
        st.none() | st.booleans(),
    )


def _traffic_rates() -> SearchStrategy[Any]:
    """Calls per minute: a constant, a list of per-minute rates, or a Profile (never < 0)."""
    return st.one_of(
        st.just(100.0),
        _rates(0.0, 5000.0),
        st.lists(_rates(0.0, 2000.0), min_size=1, max_size=10),
        st.builds(Profile.ramp, _rates(0, 10), _rates(10, 30), _rates(0, 2000), _rates(0, 2000)),
    )


_POLL_INTERVALS = st.sampled_from((60.0, 30.0, 15.0, 120.0, 300.0))
_METRIC_DELAYS = st.sampled_from((60.0, 0.0, 30.0, 120.0))
_COMPLETIONS = st.sampled_from(("last_shift", "interval_after"))


def lambda_deployments(
    *,
    configs: SearchStrategy[DeploymentConfig] | None = None,
    target: SearchStrategy[Version] | None = None,
    alarm_lists: SearchStrategy[list[Alarm]] | None = None,
) -> SearchStrategy[LambdaDeployment]:
    """Complete Lambda deployments: configuration, traffic, versions, alarms, hooks, rollback.

    Shrinks toward ``LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")``: 100 calls a
    minute, healthy versions "1" and "2", no alarms, no hooks, SAM's rollback settings, no
    manual stop.

    Parameters
    ----------
    configs : strategy of DeploymentConfig, optional
        Default ``deployment_configs("Lambda", max_interval=30)``, which keeps each run short.
    target : strategy of Version, optional
        The new version (named "2"); default ``versions("2")``, healthy or bad.
    alarm_lists : strategy of list of Alarm, optional
        Default: up to three alarms with unique names.

    Examples
    --------
    >>> from hypothesis import given
    >>> import shiftsim
    >>> @given(lambda_deployments(target=versions("2", bad=False), alarm_lists=st.just([])))
    ... def test_healthy_without_alarms_succeeds(deployment):
    ...     run = shiftsim.simulate(deployment, rng=0)
    ...     assert run.status == "Succeeded" or run.error_code in (
    ...         "HOOK_EXECUTION_FAILURE", "MANUAL_STOP")
    >>> test_healthy_without_alarms_succeeds()
    """
    hook = st.none() | hooks()
    return st.builds(
        LambdaDeployment,
        config=configs if configs is not None else deployment_configs("Lambda", max_interval=30),
        invocations_per_minute=_traffic_rates(),
        current=versions("1", bad=False),
        target=target if target is not None else versions("2"),
        alarms=alarm_lists if alarm_lists is not None else _alarm_lists(),
        auto_rollback=_auto_rollbacks(),
        hooks=st.builds(LambdaHooks, hook, hook),
        manual_stop=_manual_stops(),
        alarm_poll_interval=_POLL_INTERVALS,
        metric_delay=_METRIC_DELAYS,
        linear_completion=_COMPLETIONS,
    )


def ecs_deployments(
    *,
    configs: SearchStrategy[DeploymentConfig] | None = None,
    target: SearchStrategy[Version] | None = None,
    alarm_lists: SearchStrategy[list[Alarm]] | None = None,
) -> SearchStrategy[EcsDeployment]:
    """Complete ECS blue/green deployments: configuration, requests, task sets, alarms, the five
    hooks, test traffic, termination wait and rollback.

    Shrinks toward ``EcsDeployment("CodeDeployDefault.ECSAllAtOnce")`` with healthy task sets,
    no alarms, no hooks, a 60 s Install and the default 60-minute termination wait.

    Parameters
    ----------
    configs : strategy of DeploymentConfig, optional
        Default ``deployment_configs("ECS", max_interval=30)``.
    target : strategy of Version, optional
        The replacement task set (named "2"); default ``versions("2")``.
    alarm_lists : strategy of list of Alarm, optional
        Default: up to three alarms with unique names.

    Examples
    --------
    >>> from hypothesis import given
    >>> from shiftsim.ecs import run_ecs
    >>> @given(ecs_deployments())
    ... def test_original_removed_only_after_success(deployment):
    ...     run = run_ecs(deployment, rng=0)
    ...     assert (run.termination_time is not None) == (run.status == "Succeeded")
    >>> test_original_removed_only_after_success()
    """
    hook = st.none() | hooks()
    return st.builds(
        EcsDeployment,
        config=configs if configs is not None else deployment_configs("ECS", max_interval=30),
        requests_per_minute=_traffic_rates(),
        current=versions("1", bad=False),
        target=target if target is not None else versions("2"),
        alarms=alarm_lists if alarm_lists is not None else _alarm_lists(),
        auto_rollback=_auto_rollbacks(),
        hooks=st.builds(EcsHooks, hook, hook, hook, hook, hook),
        install_seconds=st.just(60.0) | _rates(0.0, 600.0),
        test_traffic=st.booleans(),
        termination_wait_time_in_minutes=st.just(60) | st.integers(0, 2880),
        manual_stop=_manual_stops(),
        alarm_poll_interval=_POLL_INTERVALS,
        metric_delay=_METRIC_DELAYS,
        linear_completion=_COMPLETIONS,
    )
