"""Every core, or any executor: the same fixed blocks, the same result for any worker count."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import shiftsim
from shiftsim import _server_monte_carlo, montecarlo
from shiftsim._parallel import check_executor, check_workers, default_workers
from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet
from shiftsim.server import Script, ScriptFault, ServerDeployment

CANARY = shiftsim.LambdaDeployment(
    "Canary10Percent5Minutes",
    invocations_per_minute=300,
    target=shiftsim.Version("2", error_rate=0.02),
    alarms=[shiftsim.Alarm("e", threshold=2, evaluation_periods=3, datapoints_to_alarm=2)],
)
ROLLOUT = ServerDeployment(
    "CodeDeployDefault.HalfAtATime",
    fleet=Fleet.of_size(12),
    load_balancer=True,
    hooks={"ApplicationStart": [Script("start.sh", duration=30.0)]},
    faults=[ScriptFault("ApplicationStart", probability=0.2)],
)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks small enough that a few hundred runs make three of them."""
    monkeypatch.setattr(montecarlo, "CHUNK", 1000)
    monkeypatch.setattr(_server_monte_carlo, "SERVER_BLOCK", 64)
    monkeypatch.setattr(_server_monte_carlo, "SERVER_RUN_BLOCK", 64)


def traffic_runs(**options: object) -> pd.DataFrame:
    return shiftsim.monte_carlo(CANARY, runs=2500, rng=4, **options).runs  # type: ignore[arg-type]


@pytest.mark.usefixtures("small_blocks")
def test_traffic_results_are_the_same_for_any_number_of_workers() -> None:
    one = traffic_runs(workers=1)
    for workers in (2, 3):
        pd.testing.assert_frame_equal(traffic_runs(workers=workers), one)
    with ThreadPoolExecutor(2) as pool:
        pd.testing.assert_frame_equal(traffic_runs(executor=pool), one)


def test_the_chunk_layout_is_unchanged() -> None:
    """Blocks are the kernel's chunks: a run's draws do not depend on the worker count, and a
    prefix of a Monte Carlo is the smaller Monte Carlo."""
    full = shiftsim.monte_carlo(CANARY, runs=300, rng=9, workers=2).runs
    pd.testing.assert_frame_equal(
        shiftsim.monte_carlo(CANARY, runs=300, rng=9, workers=1).runs, full
    )


@pytest.mark.usefixtures("small_blocks")
def test_server_results_are_the_same_on_threads() -> None:
    one = shiftsim.monte_carlo(ROLLOUT, runs=150, rng=2, workers=1).runs
    with ThreadPoolExecutor(3) as pool:
        pd.testing.assert_frame_equal(
            shiftsim.monte_carlo(ROLLOUT, runs=150, rng=2, executor=pool).runs, one
        )


@pytest.mark.slow
@pytest.mark.usefixtures("small_blocks")
def test_server_results_are_the_same_for_any_number_of_processes() -> None:
    one = shiftsim.monte_carlo(ROLLOUT, runs=150, rng=2, workers=1).runs
    for workers in (2, 3):
        pd.testing.assert_frame_equal(
            shiftsim.monte_carlo(ROLLOUT, runs=150, rng=2, workers=workers).runs, one
        )


@pytest.mark.slow
@pytest.mark.usefixtures("small_blocks")
def test_a_dask_cluster_gives_the_same_result() -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pd.testing.assert_frame_equal(traffic_runs(executor=client), traffic_runs(workers=1))
        server = shiftsim.monte_carlo(ROLLOUT, runs=150, rng=2, executor=client).runs
        pd.testing.assert_frame_equal(
            server, shiftsim.monte_carlo(ROLLOUT, runs=150, rng=2, workers=1).runs
        )


def test_sweep_and_compare_are_the_same_for_any_number_of_workers() -> None:
    grid = {"target.error_rate": [0.0, 0.05]}
    one = shiftsim.sweep(CANARY, grid, runs=200, rng=3, workers=1)
    pd.testing.assert_frame_equal(shiftsim.sweep(CANARY, grid, runs=200, rng=3, workers=2), one)
    with ThreadPoolExecutor(2) as pool:
        pd.testing.assert_frame_equal(
            shiftsim.sweep(CANARY, grid, runs=200, rng=3, executor=pool), one
        )
    configs = ["Canary10Percent5Minutes", "Linear10PercentEvery1Minute"]
    a = shiftsim.compare(configs, deployment=CANARY, runs=200, rng=3, workers=1)
    b = shiftsim.compare(configs, deployment=CANARY, runs=200, rng=3, workers=3)
    pd.testing.assert_frame_equal(a, b)


def test_workers_default_to_every_core() -> None:
    assert check_workers("monte_carlo", None) == default_workers() >= 1


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "4"])
def test_bad_workers_name_the_field(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"monte_carlo\.workers must be a positive integer"):
        shiftsim.monte_carlo(CANARY, runs=10, rng=0, workers=bad)  # type: ignore[arg-type]


def test_bad_executor_and_device_name_the_field() -> None:
    with pytest.raises(ConfigError, match=r"monte_carlo\.executor must be"):
        check_executor("monte_carlo", object())
    with pytest.raises(ConfigError, match=r"monte_carlo\.device must be"):
        shiftsim.monte_carlo(CANARY, runs=10, rng=0, device="tpu")


def test_outcomes_do_not_depend_on_the_block_size_for_server_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Server run's draws are its own (seeded by its index), so even the block size does not
    change a run."""
    big = shiftsim.monte_carlo(ROLLOUT, runs=100, rng=5, workers=1).runs
    monkeypatch.setattr(_server_monte_carlo, "SERVER_BLOCK", 7)
    small = shiftsim.monte_carlo(ROLLOUT, runs=100, rng=5, workers=1).runs
    pd.testing.assert_frame_equal(big, small)
    assert np.array_equal(big["run"], np.arange(100))
