"""D14: when a Lambda datapoint becomes visible, and function timeouts (codedeploy.md D14).

Source: codedeploy.md decision D14, citing the Lambda developer guide ("the timestamp on a metric
reflects when the function was invoked"): a datapoint is stamped at invocation start, emitted
when the invocation ends, then visible after the metric delay (D3). An invocation that reaches
the function's timeout is an error (counted in Errors) with Duration equal to the timeout.
"""

from __future__ import annotations

import numpy as np
import pytest

import shiftsim
from shiftsim._engines.traffic.core import run_traffic
from shiftsim._engines.traffic.draws import draw_traffic
from shiftsim._engines.traffic.kernel import outcome_of, run_kernel
from shiftsim.errors import ConfigError

# 1 of 3: the evaluation range holds 5 datapoints (D11), so a datapoint up to 4 minutes late
# is still judged (a later one falls outside every range: test_lag_beyond_the_range_is_never_seen).
ERRORS = shiftsim.Alarm(
    "errors", metric="Errors", threshold=0, evaluation_periods=3, datapoints_to_alarm=1
)


def deployment(target: shiftsim.Version, **kw: object) -> shiftsim.LambdaDeployment:
    """AllAtOnce (100% at second 0) and a 15-minute AfterAllowTraffic hook, so alarms are watched
    long enough (D4); every call to the target fails unless it says otherwise."""
    kw.setdefault("alarms", [ERRORS])
    return shiftsim.LambdaDeployment(
        "AllAtOnce",
        invocations_per_minute=600,
        target=target,
        hooks=shiftsim.LambdaHooks(after_allow_traffic=shiftsim.Hook(duration=900)),
        **kw,  # type: ignore[arg-type]
    )


def detection(d: shiftsim.LambdaDeployment) -> float | None:
    core = shiftsim.simulate(d, rng=3)
    kernel = shiftsim.simulate(d, rng=3, engine="kernel")
    assert core.outcome == kernel.outcome
    return core.outcome.detection_time


def test_a_100_ms_invocation_is_seen_at_the_metric_delay_alone() -> None:
    """Minute 0's errors: minute ends at 60 s, visible after the 60 s delay (D3) at 120 s, the
    evaluation and the poll at 120 s see them. 100 ms adds nothing (whole seconds)."""
    assert detection(deployment(shiftsim.Version("2", error_rate=1.0))) == 120.0


def test_a_3_minute_invocation_is_seen_3_minutes_later() -> None:
    """Minute 0's invocations end 180 s after they start: the last is emitted at 60 + 180 s and
    visible at 60 + 180 + 60 = 300 s: 3 minutes after the 100 ms one (D14)."""
    slow = shiftsim.Version("2", error_rate=1.0, duration_ms=180_000)
    assert slow.emission_lag == 180.0
    assert detection(deployment(slow)) == 300.0


def test_lag_with_a_non_minute_delay() -> None:
    """metric_delay 30 s, duration 45 s: minute 0 is visible at 60 + 45 + 30 = 135 s; the next
    evaluation is at 180 s, and the 60 s poll grid sees it at 180 s. With 100 ms: 90 s, seen
    at the evaluation and poll at 120 s."""
    fast = shiftsim.Version("2", error_rate=1.0)
    slow = shiftsim.Version("2", error_rate=1.0, duration_ms=45_000)
    assert detection(deployment(fast, metric_delay=30.0)) == 120.0
    assert detection(deployment(slow, metric_delay=30.0)) == 180.0


def test_lag_beyond_the_range_is_never_seen() -> None:
    """CloudWatch judges only the datapoints inside the evaluation range (D11: 3 for N = 1):
    a minute that becomes visible 4 minutes after it ended (60 s delay + 180 s lag) is already
    older than every range, so a 1-of-1 alarm stays INSUFFICIENT_DATA (cloudwatch-alarms.md
    section 1.3): long invocations need a longer range."""
    one = shiftsim.Alarm("one", metric="Errors", threshold=0, evaluation_periods=1)
    slow = shiftsim.Version("2", error_rate=1.0, duration_ms=180_000)
    assert detection(deployment(slow, alarms=[one])) is None
    assert detection(deployment(shiftsim.Version("2", error_rate=1.0), alarms=[one])) == 120.0


def test_an_invocation_reaching_the_timeout_is_an_error_emitted_at_the_timeout() -> None:
    """No error rate, but every 3-minute invocation hits a 60 s timeout: each is an error
    (D14), emitted 60 s after it started: minute 0 visible at 60 + 60 + 60 = 180 s."""
    hung = shiftsim.Version("2", duration_ms=180_000, timeout=60)
    assert hung.timeout_rate == 1.0 and hung.emission_lag == 60.0
    d = deployment(hung)
    assert detection(d) == 180.0
    run = shiftsim.simulate(d, rng=3)
    assert run.outcome.target_errors == run.outcome.target_invocations > 0


def test_timeout_share_of_a_lognormal_adds_to_the_error_rate() -> None:
    """Median 1 s, sigma 1, timeout 1 s: half the calls time out; with error_rate 0.2 the
    per-call error probability is 0.2 + 0.8 * 0.5 = 0.6."""
    v = shiftsim.Version("2", error_rate=0.2, duration_ms=1000, duration_sigma=1.0, timeout=1)
    plan = deployment(v).plan()
    assert plan.p_error_target[plan.edges[:-1] >= 0] == pytest.approx(0.6)


def test_duration_is_capped_at_the_timeout() -> None:
    """Duration of a timed-out invocation equals the timeout (D14): p99 and Maximum of
    3-minute calls under a 60 s timeout are exactly 60,000 ms; the Average is just below (1.4%
    of calls end sooner: P(X < 60 s) = Phi(ln(1/3) / 0.5))."""
    hung = shiftsim.Version("2", duration_ms=180_000, duration_sigma=0.5, timeout=60)
    for stat, low in (("p99", 60_000.0), ("Maximum", 60_000.0), ("Average", 59_000.0)):
        alarm = shiftsim.Alarm("slow", metric="Duration", statistic=stat, threshold=59_999)
        plan = deployment(hung, alarms=[alarm]).plan()
        values = draw_traffic(plan, 5, np.random.SeedSequence(1)).duration
        seen = values[~np.isnan(values)]
        assert seen.size and np.all(seen <= 60_000.0) and np.all(seen >= low)


def test_defaults_keep_the_old_timing() -> None:
    """Versions without a timeout and under 1 s: no lag, no extra errors (goldens unchanged)."""
    v = shiftsim.Version("2")
    assert v.timeout is None and v.timeout_rate == 0.0 and v.emission_lag == 0.0


def test_ecs_is_not_lagged() -> None:
    """D14 is about Lambda's timestamps; ECS metrics come from the load balancer."""
    slow = shiftsim.Version("2", duration_ms=180_000)
    ecs = shiftsim.EcsDeployment("CodeDeployDefault.ECSAllAtOnce", target=slow, alarms=[ERRORS])
    assert ecs.plan().lags == (0.0,)


@pytest.mark.parametrize("bad", [0, -1, 901, float("nan"), "60"])
def test_timeout_is_checked(bad: object) -> None:
    """Lambda's timeout is at most 900 seconds (Lambda DG, Lambda quotas)."""
    with pytest.raises(ConfigError, match=r"Version\.timeout"):
        shiftsim.Version("2", timeout=bad)  # type: ignore[arg-type]


def test_engines_agree_with_lags_and_timeouts() -> None:
    """Core == kernel run for run with lags (current and target differ) and timeouts."""
    alias = shiftsim.Alarm("alias", metric="ErrorRate", threshold=5, version="alias")
    d = shiftsim.LambdaDeployment(
        "Linear10PercentEvery1Minute",
        invocations_per_minute=120,
        current=shiftsim.Version("1", duration_ms=30_000),
        target=shiftsim.Version("2", duration_ms=20_000, duration_sigma=0.8, timeout=40),
        alarms=[ERRORS, alias],
        metric_delay=45.0,
    )
    plan = d.plan()
    assert plan.lags == (20.0, 30.0)
    draws = draw_traffic(plan, 30, np.random.SeedSequence(5))
    outcomes = run_kernel(plan, draws)
    for i in range(draws.runs):
        assert outcome_of(outcomes, i) == run_traffic(plan, draws.row(i), deployment_id="d").outcome
