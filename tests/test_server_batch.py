"""The Server batch engine (runs x instances) equals run-by-run simulation, field for field."""

from __future__ import annotations

import array_api_strict
import numpy as np
import pandas as pd
import pytest
from array_api_compat import array_namespace
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftsim
from shiftsim._engines.server.batch import Batch, unsupported, walk
from shiftsim._engines.server.plan import compile_plan
from shiftsim._engines.server.streams import entropy_words, uniforms
from shiftsim._seeding import seed_sequence
from shiftsim._server_monte_carlo import SERVER_COLUMNS, _server_rows, run_seed
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.fleet import Fleet
from shiftsim.server import (
    BlueGreen,
    Duration,
    InstanceStop,
    LoadBalancerFault,
    Script,
    ScriptFault,
    ServerDeployment,
    simulate_server,
)

EVENTS = ("ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService")


def fleet_rollout(
    n: int = 40, duration: object = 30.0, p: float = 0.05, **options: object
) -> ServerDeployment:
    """The issue's scenario: HalfAtATime behind a load balancer, a 5% ApplicationStart fault."""
    hooks = {e: [Script(f"{e}.sh", duration=duration)] for e in EVENTS}
    options.setdefault("faults", [ScriptFault("ApplicationStart", probability=p)])
    options.setdefault("load_balancer", True)
    return ServerDeployment(
        options.pop("config", "CodeDeployDefault.HalfAtATime"),  # type: ignore[arg-type]
        fleet=options.pop("fleet", Fleet.of_size(n)),  # type: ignore[arg-type]
        hooks=hooks,
        **options,  # type: ignore[arg-type]
    )


def batch_frame(deployment: ServerDeployment, runs: int, seed: object) -> pd.DataFrame:
    seq = seed_sequence(seed)
    cols = Batch(compile_plan(deployment), seq).summaries(0, runs)
    return pd.DataFrame({c: cols[c] for c in SERVER_COLUMNS})


def run_by_run(deployment: ServerDeployment, runs: int, seed: object) -> pd.DataFrame:
    return _server_rows((deployment, seed_sequence(seed), 0, runs))


def assert_agrees(deployment: ServerDeployment, runs: int = 25, seed: object = 3) -> None:
    pd.testing.assert_frame_equal(
        batch_frame(deployment, runs, seed), run_by_run(deployment, runs, seed)
    )


def test_streams_are_numpys_generators() -> None:
    """Many runs' PCG64 streams computed on arrays equal numpy's Generator, bit for bit."""
    for entropy in (0, 7, 2**64 + 3, 2**130 + 11, [5, 9]):
        for prefix in ((), (4,), (1, 2)):
            ids = np.arange(30)
            got = uniforms(entropy_words(entropy) or [], [*prefix, ids, 0, 0, 1, 2], 5)
            for i in range(30):
                seq = np.random.SeedSequence(entropy, spawn_key=(*prefix, i, 0, 0, 1, 2))
                want = np.random.Generator(np.random.PCG64(seq)).random(5)
                np.testing.assert_array_equal(got[i], want)


def test_entropy_words_refuses_what_it_cannot_split() -> None:
    assert entropy_words(0) == [0]
    assert entropy_words(2**32) == [0, 1]
    assert entropy_words(-1) is None
    assert entropy_words("seed") is None


@pytest.mark.parametrize(
    "deployment",
    [
        fleet_rollout(),
        fleet_rollout(p=0.4),
        fleet_rollout(p=0.4, load_balancer=False),
        fleet_rollout(p=0.3, order="shuffle"),
        fleet_rollout(duration=Duration.uniform(5, 50), p=0.2),
        fleet_rollout(n=12, duration=Duration.lognormal(20, 0.5), p=0.3),
        fleet_rollout(n=9, p=0.5, config="CodeDeployDefault.OneAtATime"),
        fleet_rollout(n=9, p=0.5, config="CodeDeployDefault.AllAtOnce"),
        fleet_rollout(n=9, faults=[ScriptFault("ValidateService", mode="hang", probability=0.3)]),
        fleet_rollout(n=9, faults=[LoadBalancerFault("BlockTraffic", probability=0.3)]),
        fleet_rollout(
            fleet=Fleet.of_size(20).update([f"i-{k:03d}" for k in range(6)], healthy=False),
            p=0.4,
        ),
        fleet_rollout(n=10, p=0.5, manual_stop=shiftsim.ManualStop(3.0)),
        # D13: healthy instances by revision health (Unknown, Old, Current), then fleet order.
        fleet_rollout(
            fleet=Fleet.of_size(12)
            .update([f"i-{k:03d}" for k in range(0, 12, 3)], revision="Current")
            .update([f"i-{k:03d}" for k in range(1, 12, 3)], revision="Unknown")
            .update(["i-002"], healthy=False),
            p=0.3,
        ),
        fleet_rollout(
            fleet=Fleet.of_size(12).update(["i-004", "i-007"], revision="Current"),
            p=0.3,
            order="shuffle",
        ),
        # D15: the run-time limit fails a deployment still running (TIMEOUT), then rolls back.
        fleet_rollout(
            n=10,
            p=0.3,
            max_run_time_minutes=6.0,
            auto_rollback=shiftsim.AutoRollback(),
            faults=[ScriptFault("ApplicationStart", mode="hang", probability=0.3)],
        ),
        fleet_rollout(n=10, p=0.6, auto_rollback=shiftsim.AutoRollback.disabled()),
    ],
    ids=lambda d: f"{d.config.name}-{len(d.fleet)}",
)
def test_batch_equals_run_by_run(deployment: ServerDeployment) -> None:
    assert_agrees(deployment)


def test_monte_carlo_replays_each_batch_run_on_the_core() -> None:
    """replay(i) (event core, run i's own seed) is row i of the batch engine's frame."""
    deployment = fleet_rollout(n=10, p=0.4)
    mc = shiftsim.monte_carlo(deployment, runs=30, rng=11, workers=1)
    for i in (0, 7, 29):
        summary = mc.replay(i).summary()
        for column in SERVER_COLUMNS:
            got = mc.runs[column].iloc[i]
            assert got == summary[column] or (pd.isna(got) and summary[column] is None), column


@pytest.mark.parametrize(
    ("deployment", "reason"),
    [
        (
            ServerDeployment(
                "CodeDeployDefault.HalfAtATime",
                fleet=Fleet.of_size(4, auto_scaling_group="web"),
                load_balancer=True,
                blue_green=BlueGreen(),
            ),
            "blue/green",
        ),
        (
            ServerDeployment(
                "CodeDeployDefault.OneAtATime",
                fleet=Fleet.of_size(3),
                faults=[InstanceStop("i-001", at_minute=0.1)],
            ),
            "InstanceStop",
        ),
    ],
)
def test_unsupported_scenarios_are_named_and_run_run_by_run(
    deployment: ServerDeployment, reason: str
) -> None:
    """What the batch engine does not cover is named, and monte_carlo still runs it (run by
    run, the same result)."""
    seq = seed_sequence(1)
    why = unsupported(compile_plan(deployment), seq)
    assert why is not None and reason in why
    with pytest.raises(UnsupportedScenarioError, match="batch engine does not run"):
        Batch(compile_plan(deployment), seq)
    mc = shiftsim.monte_carlo(deployment, runs=4, rng=1, workers=1)
    pd.testing.assert_frame_equal(
        mc.runs.drop(columns="run"), run_by_run(deployment, 4, 1), check_dtype=False
    )


def test_supported_scenario_has_no_reason() -> None:
    assert unsupported(compile_plan(fleet_rollout()), seed_sequence(0)) is None


def _walk_inputs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(seed)
    d = np.round(g.uniform(1, 100, size=(64, 12)), 1)
    ok = g.random((64, 12)) > 0.3
    return d, ok


@pytest.mark.parametrize("unhealthy", [0, 3])
def test_walk_is_the_same_on_array_api_strict(unhealthy: int) -> None:
    """Given the same input arrays, the array-API window returns identical results on numpy
    and on array-api-strict (the standard alone)."""
    d, ok = _walk_inputs(unhealthy)
    args = {
        "unhealthy": unhealthy,
        "t0": 0.0,
        "cap": 6,
        "c2": 6,
        "base": 0,
        "minimum": 6,
        "deadline": 400.0,
    }
    xp = array_namespace(d)
    a = walk(d, ok, xp=xp, **args)
    b = walk(array_api_strict.asarray(d), array_api_strict.asarray(ok), xp=array_api_strict, **args)
    for key in a:
        np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


def test_device_path_on_numpy_and_array_api_strict() -> None:
    """The device path (draws on the array library) gives identical results on numpy and
    array-api-strict from the same variates, and rates close to the exact path's."""
    deployment = fleet_rollout(n=20, p=0.2, order="shuffle")
    batch = Batch(compile_plan(deployment), seed_sequence(1))
    a = batch.device_summaries(
        0, 3000, 0, xp=array_namespace(np.zeros(1)), uniform=np.random.default_rng(5).random
    )
    g = np.random.default_rng(5)
    b = batch.device_summaries(
        0, 3000, 0, xp=array_api_strict, uniform=lambda s: array_api_strict.asarray(g.random(s))
    )
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    exact = batch.summaries(0, 3000)
    assert abs(a["failed"].mean() - exact["failed"].mean()) < 0.3


@st.composite
def small_deployments(draw: st.DrawFn) -> ServerDeployment:
    n = draw(st.sampled_from([1, 2, 5, 9, 10, 23]))
    health = draw(st.sampled_from(["healthy", "never deployed", "mixed"]))
    fleet = Fleet.of_size(n, revision="Unknown" if health == "never deployed" else "Old")
    if health == "mixed":
        fleet = fleet.update(list(fleet.ids)[: max(1, n // 3)], healthy=False)
    if health != "never deployed" and draw(st.booleans()):  # D13's revision-health classes
        ids = list(fleet.ids)
        fleet = fleet.update(ids[::2], revision="Current").update(ids[1::3], revision="Unknown")
    duration = draw(st.sampled_from([0.0, 12.0, Duration.uniform(5, 50)]))
    hooks = {
        "BeforeInstall": [Script("before.sh", duration=duration)],
        "ValidateService": [Script("validate.sh", duration=Duration.uniform(1, 90))],
    }
    faults = []
    if draw(st.booleans()):
        faults.append(
            ScriptFault(
                draw(st.sampled_from(["BeforeInstall", "ValidateService"])),
                mode=draw(st.sampled_from(["fail", "hang", "missing"])),
                probability=draw(st.sampled_from([0.05, 0.4, 1.0])),
            )
        )
    stop = None
    if draw(st.booleans()):
        stop = shiftsim.ManualStop(draw(st.sampled_from([0.5, 3.0])))
    return ServerDeployment(
        draw(
            st.sampled_from(
                [
                    "CodeDeployDefault.OneAtATime",
                    "CodeDeployDefault.HalfAtATime",
                    "CodeDeployDefault.AllAtOnce",
                ]
            )
        ),
        fleet=fleet,
        hooks=hooks,
        faults=faults,
        load_balancer=draw(st.booleans()),
        manual_stop=stop,
        auto_rollback=draw(
            st.sampled_from([shiftsim.AutoRollback(), shiftsim.AutoRollback.disabled()])
        ),
        order=draw(st.sampled_from(["fleet", "shuffle"])),
        max_run_time_minutes=draw(st.sampled_from([None, 1.5])),
    )


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(deployment=small_deployments(), seed=st.integers(0, 2**64))
def test_batch_equals_simulate_on_random_scenarios(deployment: ServerDeployment, seed: int) -> None:
    """Hypothesis over small scenarios: every run of the batch equals simulate() on its seed."""
    seq = seed_sequence(seed)
    if unsupported(compile_plan(deployment), seq) is not None:
        return
    frame = batch_frame(deployment, 6, seed)
    for i in range(6):
        summary = simulate_server(deployment, rng=run_seed(seq, i)).summary()
        for column in SERVER_COLUMNS:
            got, want = frame[column].iloc[i], summary[column]
            assert got == want or (pd.isna(got) and want is None), (i, column, got, want)
