"""monte_carlo, compare and sweep: shapes, rates, common random numbers, executors."""

from __future__ import annotations

import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

import shiftsim
from shiftsim._engines.traffic.draws import draw_traffic
from shiftsim.montecarlo import wilson

ERRORS = shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)


def bad_release(config: str = "Canary10Percent5Minutes") -> shiftsim.LambdaDeployment:
    return shiftsim.LambdaDeployment(
        config,
        invocations_per_minute=200,
        target=shiftsim.Version("2", error_rate=0.2),
        alarms=[ERRORS],
    )


def test_runs_frame_has_one_row_per_run() -> None:
    mc = shiftsim.monte_carlo(bad_release(), runs=1000, rng=3)
    runs = mc.runs
    assert len(runs) == 1000
    assert list(runs.columns) == [
        "run",
        "status",
        "error_code",
        "rolled_back",
        "alarm_minute",
        "detection_minute",
        "duration_minutes",
        "target_invocations",
        "target_errors",
        "exposure_errors",
        "final_weight",
    ]
    assert set(runs["status"]) <= {"Succeeded", "Failed", "Stopped"}
    stopped = runs[runs["status"] == "Stopped"]
    assert (stopped["error_code"] == "ALARM_ACTIVE").all()
    assert (stopped["final_weight"] == 0).all()  # SAM's default rolls back on alarm


def test_summary_rates_and_intervals() -> None:
    mc = shiftsim.monte_carlo(bad_release(), runs=4000, rng=4)
    summary = mc.summary()
    rate = summary.loc["rollback_rate"]
    assert rate["ci_low"] <= rate["estimate"] <= rate["ci_high"]
    assert rate["estimate"] == pytest.approx(mc.runs["rolled_back"].mean())
    assert summary.loc["escape_rate", "estimate"] == pytest.approx(1 - rate["estimate"])
    assert summary.loc["target_errors", "q05"] <= summary.loc["target_errors", "q95"]
    assert summary.attrs["runs"] == 4000


def test_good_release_never_rolls_back_on_errors_alarm() -> None:
    """A release with error rate 0 cannot breach 'Errors > 0' (no false rollbacks)."""
    good = shiftsim.LambdaDeployment(
        "Canary10Percent5Minutes", invocations_per_minute=500, alarms=[ERRORS]
    )
    mc = shiftsim.monte_carlo(good, runs=2000, rng=5)
    assert mc.summary().loc["rollback_rate", "estimate"] == 0.0
    assert mc.summary().loc["escape_rate", "estimate"] == 1.0


def test_wilson_interval() -> None:
    low, high = wilson(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-3)
    assert high == pytest.approx(0.5962, abs=1e-3)
    assert wilson(0, 10)[0] == 0.0


def test_compare_uses_common_random_numbers() -> None:
    """Configurations whose plans agree on the first minutes see identical traffic there."""
    a = bad_release("Canary10Percent5Minutes")
    b = bad_release("Canary10Percent30Minutes")
    seq = np.random.SeedSequence(8)
    da, db = draw_traffic(a.plan(), 100, seq), draw_traffic(b.plan(), 100, seq)
    first_minutes = 5  # both are at 10% for five minutes
    assert np.array_equal(da.target_errors[:, :first_minutes], db.target_errors[:, :first_minutes])
    table = shiftsim.compare([a, b], runs=3000, rng=8)
    # Any canary the alarm catches within 5 minutes is caught identically in both.
    assert table["rollback_rate"].iloc[1] >= table["rollback_rate"].iloc[0]


def test_compare_configs_on_a_base_deployment() -> None:
    names = [c.name for c in shiftsim.predefined_configs("Lambda")]
    table = shiftsim.compare(names, deployment=bad_release(), runs=500, rng=1)
    assert table["config"].tolist() == names
    allatonce = table.set_index("config").loc["CodeDeployDefault.LambdaAllAtOnce"]
    # AllAtOnce with no hooks ends at second 0: CodeDeploy never gets to poll an alarm.
    assert allatonce["escape_rate"] == 1.0


def test_compare_needs_a_base_for_names() -> None:
    with pytest.raises(shiftsim.ConfigError, match="deployment"):
        shiftsim.compare(["Canary10Percent5Minutes"], runs=10, rng=1)


def test_sweep_grid_order_and_values() -> None:
    table = shiftsim.sweep(
        bad_release(), {"error_rate": [0.0, 0.3], "threshold": [0, 5]}, runs=300, rng=2
    )
    assert table[["error_rate", "threshold"]].values.tolist() == [
        [0.0, 0],
        [0.0, 5],
        [0.3, 0],
        [0.3, 5],
    ]
    assert table.loc[0, "rollback_rate"] == 0.0
    assert table.loc[2, "rollback_rate"] > table.loc[3, "rollback_rate"]


def test_sweep_rejects_unknown_parameter() -> None:
    with pytest.raises(shiftsim.ConfigError, match="grid"):
        shiftsim.sweep(bad_release(), {"colour": [1]}, runs=10, rng=1)


def test_sweep_with_a_process_pool_matches_serial() -> None:
    grid = {"invocations_per_minute": [20.0, 200.0]}
    serial = shiftsim.sweep(bad_release(), grid, runs=200, rng=9)
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = shiftsim.sweep(bad_release(), grid, runs=200, rng=9, executor=pool)
    pd.testing.assert_frame_equal(serial, parallel)


def test_compare_with_releases_on_a_process_pool_matches_serial() -> None:
    """Each point's job (scenario, releases, seed, options) travels to the pool whole."""
    releases = {"bad": shiftsim.Version(error_rate=0.2), "good": shiftsim.Version()}
    configs = ["Canary10Percent5Minutes", "CodeDeployDefault.LambdaAllAtOnce"]
    kwargs = {"deployment": bad_release(), "releases": releases, "runs": 200, "rng": 9}
    serial = shiftsim.compare(configs, **kwargs)  # type: ignore[arg-type]
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = shiftsim.compare(configs, executor=pool, **kwargs)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(serial, parallel)
    assert parallel.attrs == {"runs": 200, "exposure_minutes": 60.0}


@pytest.mark.slow
def test_sweep_on_a_local_dask_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    grid = {"error_rate": [0.05, 0.5]}
    serial = shiftsim.sweep(bad_release(), grid, runs=200, rng=10)
    with warnings.catch_warnings():
        # dask's own start-up chatter, not ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        warnings.simplefilter("ignore", UserWarning)
        with (
            distributed.LocalCluster(
                n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            remote = shiftsim.sweep(
                bad_release(), grid, runs=200, rng=10, executor=client.get_executor()
            )
    pd.testing.assert_frame_equal(serial, remote)


def test_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    shiftsim.monte_carlo(bad_release(), runs=100, rng=1, progress=True)
    assert "monte_carlo" in capsys.readouterr().err


@pytest.mark.slow
def test_server_monte_carlo_replays_each_run() -> None:
    """Server runs on the kernel window; replay(i) is the event core's run i on its own seed."""
    from shiftsim.fleet import Fleet

    deployment = shiftsim.ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(20),
        hooks={
            "BeforeInstall": [shiftsim.Script("a.sh", duration=shiftsim.Duration.uniform(5, 60))]
        },
        faults=[shiftsim.ScriptFault("BeforeInstall", probability=0.2)],
        auto_rollback=shiftsim.AutoRollback(),
    )
    mc = shiftsim.monte_carlo(deployment, runs=60, rng=4)
    runs = mc.runs
    assert len(runs) == 60 and set(runs["status"]) <= {"Succeeded", "Failed"}
    for i in (0, 13, 59):
        replayed = mc.replay(i).summary()
        for column in ("status", "error_code", "rolled_back", "failed", "duration_minutes"):
            assert replayed[column] == runs.loc[i, column], (i, column)
    summary = mc.summary()
    assert summary.loc["escape_rate", "estimate"] + summary.loc["stop_rate", "estimate"] == 1.0
    table = shiftsim.compare(
        ["CodeDeployDefault.OneAtATime", "CodeDeployDefault.AllAtOnce"],
        deployment=deployment,
        runs=30,
        rng=5,
    )
    assert {"failed_median", "duration_minutes_median", "escape_rate"} <= set(table.columns)


@pytest.mark.parametrize("call", ["monte_carlo", "compare", "sweep"])
def test_runs_are_bounded(call: str) -> None:
    """Issue 16: runs at most MAX_RUNS = 10**8 (each run keeps ~70 bytes of results: 7 GB
    there), the same limit as scenario files and ``--runs``."""
    from shiftsim._limits import MAX_RUNS

    d = shiftsim.LambdaDeployment("AllAtOnce")
    calls = {
        "monte_carlo": lambda runs: shiftsim.monte_carlo(d, runs=runs, rng=1),
        "compare": lambda runs: shiftsim.compare(["AllAtOnce"], deployment=d, runs=runs, rng=1),
        "sweep": lambda runs: shiftsim.sweep(d, {"invocations_per_minute": [1]}, runs=runs, rng=1),
    }
    for runs in (10**30, MAX_RUNS + 1):
        with pytest.raises(shiftsim.ConfigError, match=r"runs must be at most 100_000_000; got"):
            calls[call](runs)
