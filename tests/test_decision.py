"""Both sides of the trade-off: misses, false rollbacks, exposure; sweep axes; the frontier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import shiftsim
from shiftsim.decision import frontier, set_path, tradeoff_table, value_label
from shiftsim.errors import ConfigError

ERRORS = shiftsim.Alarm("errors", threshold=0, evaluation_periods=1)
BAD = shiftsim.Version(error_rate=0.05)
GOOD = shiftsim.Version()
RELEASES = {"bad": BAD, "good": GOOD}


def base(config: str = "Canary10Percent5Minutes", **kwargs: object) -> shiftsim.LambdaDeployment:
    return shiftsim.LambdaDeployment(
        config,
        invocations_per_minute=300,
        alarms=[ERRORS],
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_long_frame_has_one_row_per_point_release_and_measure() -> None:
    long = shiftsim.compare(
        ["Canary10Percent5Minutes", "AllAtOnce"],
        deployment=base(),
        releases=RELEASES,
        runs=300,
        rng=1,
    )
    assert list(long.columns) == [
        "config",
        "label",
        "release",
        "measure",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
    ]
    assert len(long) == 2 * 5
    assert set(long["label"]) == {"Canary10Percent5Minutes", "AllAtOnce"}
    per = long.groupby("release")["measure"].agg(list).to_dict()
    assert per == {
        "bad": ["miss_rate", "exposure_errors", "detection_minute"] * 2,
        "good": ["false_rollback_rate", "duration_minutes"] * 2,
    }
    rates = long[long["measure"].str.endswith("_rate")]
    assert ((rates["ci_low"] <= rates["estimate"]) & (rates["estimate"] <= rates["ci_high"])).all()


def test_a_zero_noise_good_release_is_never_rolled_back() -> None:
    """No errors on either version: the alarm (Errors > 0) has nothing to see."""
    table = tradeoff_table(
        shiftsim.compare(
            [c.name for c in shiftsim.predefined_configs("Lambda")],
            deployment=base(),
            releases=RELEASES,
            runs=100,
            rng=2,
        )
    )
    assert (table["false_rollback_rate"] == 0.0).all()
    assert (table["false_rollback_rate_high"] > 0.0).all()  # Wilson: 0 of 100 is not certainty


def test_all_at_once_misses_every_bad_release_and_exposes_the_horizon() -> None:
    """D4: AllAtOnce without hooks ends before any alarm is read. Every bad release escapes
    and serves 300 calls/min x 5% x 60 min = 900 failures."""
    long = shiftsim.compare(["AllAtOnce"], deployment=base(), releases=RELEASES, runs=100, rng=3)
    est = long.set_index("measure")["estimate"]
    assert est["miss_rate"] == 1.0
    assert est["exposure_errors"] == pytest.approx(900.0)
    assert np.isnan(est["detection_minute"])
    assert est["false_rollback_rate"] == 0.0 and est["duration_minutes"] == 0.0


def test_noise_makes_false_rollbacks_and_their_rate_matches_monte_carlo() -> None:
    noisy = shiftsim.Version(error_rate=0.002)
    d = base(current=shiftsim.Version("1", error_rate=0.002))
    long = shiftsim.compare(
        ["Canary10Percent5Minutes"],
        deployment=d,
        releases={"bad": BAD, "good": noisy},
        runs=400,
        rng=4,
    )
    rate = long.set_index("measure").at["false_rollback_rate", "estimate"]
    direct = shiftsim.monte_carlo(
        shiftsim.LambdaDeployment(
            "Canary10Percent5Minutes",
            invocations_per_minute=300,
            alarms=[ERRORS],
            current=shiftsim.Version("1", error_rate=0.002),
            target=shiftsim.Version("2", error_rate=0.002),
        ),
        runs=400,
        rng=4,
    )
    assert rate > 0
    assert rate == pytest.approx(1 - (direct.runs["status"] == "Succeeded").mean())


def test_common_random_numbers_across_configurations_and_calls() -> None:
    kwargs = {"deployment": base(), "releases": RELEASES, "runs": 200, "rng": 5}
    first = shiftsim.compare(["Canary10Percent5Minutes", "Canary10Percent10Minutes"], **kwargs)
    again = shiftsim.compare(["Canary10Percent10Minutes"], **kwargs)
    pd.testing.assert_frame_equal(
        first[first["label"] == "Canary10Percent10Minutes"].reset_index(drop=True),
        again,
    )


def test_alarm_designs_are_compared_with_short_labels() -> None:
    designs = {
        "any error": [ERRORS],
        "2 in a row": [shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)],
    }
    table = tradeoff_table(
        shiftsim.compare(
            ["Canary10Percent5Minutes"],
            deployment=base(),
            alarms=designs,
            releases=RELEASES,
            runs=300,
            rng=6,
        )
    )
    assert table["label"].tolist() == [
        "Canary10Percent5Minutes · any error",
        "Canary10Percent5Minutes · 2 in a row",
    ]
    assert table["alarms"].tolist() == ["any error", "2 in a row"]
    # Waiting for two bad minutes misses more often than reacting to one.
    assert table["miss_rate"].iloc[1] >= table["miss_rate"].iloc[0]
    listed = shiftsim.compare(
        ["Canary10Percent5Minutes"],
        deployment=base(),
        alarms=[[ERRORS]],
        releases=RELEASES,
        runs=10,
        rng=6,
    )
    assert set(listed["alarms"]) == {"Errors > 0, 1 of 1 min"}


def test_any_alarm_or_version_field_is_a_sweep_axis() -> None:
    long = shiftsim.sweep(
        base(),
        {"alarms[0].threshold": [0, 2], "alarms[0].evaluation_periods": [1, 2]},
        releases=RELEASES,
        runs=200,
        rng=7,
    )
    table = tradeoff_table(long)
    assert table["label"].tolist() == [
        "threshold=0, evaluation_periods=1",
        "threshold=0, evaluation_periods=2",
        "threshold=2, evaluation_periods=1",
        "threshold=2, evaluation_periods=2",
    ]
    assert table[["threshold", "evaluation_periods"]].values.tolist() == [
        [0, 1],
        [0, 2],
        [2, 1],
        [2, 2],
    ]
    wide = shiftsim.sweep(base(target=BAD), {"target.error_rate": [0.0, 0.1]}, runs=100, rng=7)
    assert wide["error_rate"].tolist() == [0.0, 0.1]
    assert wide["rollback_rate"].iloc[0] == 0.0 < wide["rollback_rate"].iloc[1]


def test_sweep_values_can_be_labelled() -> None:
    designs = {"fast": [ERRORS], "patient": [shiftsim.Alarm("e", evaluation_periods=3)]}
    long = shiftsim.sweep(base(), {"alarms": designs}, releases=RELEASES, runs=50, rng=8)
    assert list(dict.fromkeys(long["label"])) == ["fast", "patient"]


@pytest.mark.parametrize(
    ("axis", "message"),
    [
        ("alarms[3].threshold", "index 3 is out of range"),
        ("alarms[0].thresh", "Alarm has no field 'thresh'"),
        ("target..error_rate", "field path"),
        ("nope", "LambdaDeployment has no field 'nope'"),
    ],
)
def test_a_bad_axis_says_what_is_wrong(axis: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        shiftsim.sweep(base(), {axis: [1]}, runs=1, rng=0)


def test_releases_must_say_which_side_they_are_on() -> None:
    with pytest.raises(ConfigError, match="'bad' or 'good'"):
        shiftsim.compare(["AllAtOnce"], deployment=base(), releases={"new": BAD}, runs=1, rng=0)
    with pytest.raises(ConfigError, match="releases"):
        shiftsim.compare(["AllAtOnce"], deployment=base(), releases={"bad": 3}, runs=1, rng=0)
    with pytest.raises(ConfigError, match="cannot vary the target"):
        shiftsim.sweep(base(), {"target.error_rate": [0.1]}, releases=RELEASES, runs=1, rng=0)


def test_server_misses_and_false_rollbacks() -> None:
    """Server: a bad revision fails its ApplicationStart script on every instance; a good one
    is the same scenario without script faults. OneAtATime stops the bad one at the first
    failure (a catch); nothing stops the good one."""
    fleet = shiftsim.Fleet.of_size(3)
    bad = shiftsim.ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=fleet,
        hooks={"ApplicationStart": [shiftsim.Script("start.sh", duration=5)]},
        faults=[shiftsim.ScriptFault("ApplicationStart")],
    )
    long = shiftsim.compare(
        ["CodeDeployDefault.OneAtATime"],
        deployment=bad,
        releases={"bad": {}, "good": {"faults": ()}},
        runs=5,
        rng=9,
    )
    est = long.set_index("measure")["estimate"]
    assert est["miss_rate"] == 0.0 and est["false_rollback_rate"] == 0.0
    assert set(long["measure"]) == {"miss_rate", "false_rollback_rate", "duration_minutes"}
    with pytest.raises(ConfigError, match="Server"):
        shiftsim.compare(
            ["CodeDeployDefault.OneAtATime"], deployment=bad, releases=RELEASES, runs=1, rng=0
        )


def wide_points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["a", "b", "c", "d"],
            "miss_rate": [0.1, 0.2, 0.3, 0.0],
            "false_rollback_rate": [0.3, 0.1, 0.2, 0.5],
            "duration_minutes": [10.0, 20.0, 5.0, 60.0],
        }
    )


def test_the_frontier_keeps_what_nothing_beats() -> None:
    assert frontier(wide_points())["label"].tolist() == ["d", "a", "b"]
    constrained = frontier(
        wide_points(), constraints={"false_rollback_rate": 0.3, "duration_minutes": 30}
    )
    assert constrained["label"].tolist() == ["a", "b"]
    by_duration = frontier(wide_points(), objectives=("miss_rate", "duration_minutes"))
    assert by_duration["label"].tolist() == ["d", "a", "c"]
    with pytest.raises(ConfigError, match="no measure 'latency'"):
        frontier(wide_points(), constraints={"latency": 1})


def test_the_frontier_of_a_real_sweep() -> None:
    long = shiftsim.compare(
        ["Canary10Percent5Minutes", "Linear10PercentEvery1Minute", "AllAtOnce"],
        deployment=base(current=shiftsim.Version("1", error_rate=0.002)),
        releases={"bad": BAD, "good": shiftsim.Version(error_rate=0.002)},
        runs=300,
        rng=10,
    )
    best = frontier(long, constraints={"false_rollback_rate": 1.0})
    assert "AllAtOnce" in best["label"].tolist()  # never rolls back a good release
    assert len(best) >= 2


def test_labels_and_paths() -> None:
    assert value_label(
        shiftsim.get_config("CodeDeployDefault.ECSLinear10PercentEvery1Minutes")
    ) == ("Linear10PercentEvery1Minutes")
    assert value_label([]) == "no alarm"
    assert value_label(0.25) == "0.25"
    d = set_path(base(), "target.error_rate", 0.5)
    assert d.target.error_rate == 0.5
    with pytest.raises(ConfigError, match="error_rate"):
        set_path(base(), "target.error_rate", 1.5)


def test_an_unnamed_target_is_numbered_after_the_current_version() -> None:
    """Issue 11: target=Version(error_rate=...) just works."""
    d = shiftsim.LambdaDeployment("AllAtOnce", target=shiftsim.Version(error_rate=0.05))
    assert (d.current.name, d.target.name) == ("1", "2")
    e = shiftsim.EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        current=shiftsim.Version("7"),
        target=shiftsim.Version(error_rate=0.05),
    )
    assert e.target.name == "1"  # no collision, kept
    with pytest.raises(ConfigError, match="must differ from current"):
        shiftsim.LambdaDeployment(
            "AllAtOnce", current=shiftsim.Version("3"), target=shiftsim.Version("3")
        )


def test_one_rate_name_across_platforms() -> None:
    """Issue 11: requests_per_minute (ECS's name) works for Lambda too, as a keyword, a
    property and a sweep axis; invocations_per_minute stays Lambda's field."""
    import inspect

    d = shiftsim.LambdaDeployment("AllAtOnce", requests_per_minute=300)
    assert d.invocations_per_minute == d.requests_per_minute == 300
    e = shiftsim.EcsDeployment("CodeDeployDefault.ECSAllAtOnce", requests_per_minute=300)
    assert e.requests_per_minute == 300
    assert "invocations_per_minute" in inspect.signature(shiftsim.LambdaDeployment).parameters
    with pytest.raises(ConfigError, match="must not be given with invocations_per_minute"):
        shiftsim.LambdaDeployment("AllAtOnce", invocations_per_minute=1, requests_per_minute=2)
    table = shiftsim.sweep(d, {"requests_per_minute": [100, 200]}, runs=5, rng=0)
    assert table["requests_per_minute"].tolist() == [100, 200]


def test_deployment_ids_are_unique_per_scenario_and_seed() -> None:
    """Issue 11: two scenarios with one seed no longer share a deployment ID; one scenario
    and seed still give the same IDs on either engine and on replay."""
    first = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=1)
    other = shiftsim.simulate(shiftsim.LambdaDeployment("Canary10Percent5Minutes"), rng=1)
    again = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=1, engine="kernel")
    assert first.deployment_id != other.deployment_id
    assert first.deployment_id == again.deployment_id
    mc = shiftsim.monte_carlo(shiftsim.LambdaDeployment("AllAtOnce"), runs=2, rng=1)
    assert mc.replay(0).deployment_id == first.deployment_id
