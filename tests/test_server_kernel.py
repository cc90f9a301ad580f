"""The vectorized window agrees with the event core on Server deployments, run for run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shiftsim
from shiftsim._engines.server import kernel as _server_kernel
from shiftsim._engines.server.core import run_window
from shiftsim._engines.server.plan import compile_plan
from shiftsim._engines.server.runner import PassInputs
from shiftsim._engines.server.runner import in_place_inputs as _in_place_inputs
from shiftsim._seeding import seed_sequence
from shiftsim.fleet import Fleet
from shiftsim.server import (
    Duration,
    Script,
    ScriptFault,
    ServerDeployment,
    simulate_server,
)


def in_place_inputs(deployment: ServerDeployment, seed: int) -> PassInputs:
    return _in_place_inputs(compile_plan(deployment), seed_sequence(seed))


CONFIGS = [
    "CodeDeployDefault.OneAtATime",
    "CodeDeployDefault.HalfAtATime",
    "CodeDeployDefault.AllAtOnce",
    shiftsim.DeploymentConfig(
        "host-count-3",
        "Server",
        minimum_healthy_hosts=shiftsim.MinimumHealthyHosts("HOST_COUNT", 3),
    ),
    shiftsim.DeploymentConfig(
        "percent-70",
        "Server",
        minimum_healthy_hosts=shiftsim.MinimumHealthyHosts("FLEET_PERCENT", 70),
    ),
]


@st.composite
def deployments(draw: st.DrawFn) -> ServerDeployment:
    n = draw(st.sampled_from([1, 2, 5, 9, 10, 40, 150]))
    health = draw(st.sampled_from(["healthy", "never deployed", "mixed"]))
    fleet = Fleet.of_size(n, revision="Unknown" if health == "never deployed" else "Old")
    if health == "mixed":
        fleet = fleet.update(list(fleet.ids)[: max(1, n // 3)], healthy=False)
    duration = draw(st.sampled_from([0.0, 12.0, Duration.uniform(5, 50)]))
    hooks = {
        "BeforeInstall": [Script("before.sh", duration=duration)],
        "ValidateService": [Script("validate.sh", duration=Duration.uniform(1, 90))],
    }
    faults = []
    if draw(st.booleans()):
        faults.append(
            ScriptFault("BeforeInstall", probability=draw(st.sampled_from([0.05, 0.4, 1.0])))
        )
    stop = None
    if draw(st.booleans()):
        stop = shiftsim.ManualStop(draw(st.sampled_from([0.5, 3.0])))
    return ServerDeployment(
        draw(st.sampled_from(CONFIGS)),
        fleet=fleet,
        hooks=hooks,
        faults=faults,
        load_balancer=draw(st.booleans()),
        manual_stop=stop,
        auto_rollback=draw(
            st.sampled_from([shiftsim.AutoRollback(), shiftsim.AutoRollback.disabled()])
        ),
        order=draw(st.sampled_from(["fleet", "shuffle"])),
    )


@pytest.mark.slow
@pytest.mark.parametrize("scalar_cap", [0, _server_kernel.SCALAR_CAP])
@given(deployment=deployments(), seed=st.integers(0, 2**32 - 1))
def test_kernel_window_equals_the_core(
    deployment: ServerDeployment, seed: int, scalar_cap: int
) -> None:
    """Both window algorithms (batched, and scalar for narrow windows) equal run_window."""
    inputs = in_place_inputs(deployment, seed)
    args = (
        inputs.plan,
        inputs.draws,
        inputs.timeline,
        inputs.order,
        0.0,
        inputs.deadline,
        inputs.deadline_code,
    )
    core = run_window(*args)
    old = _server_kernel.SCALAR_CAP
    _server_kernel.SCALAR_CAP = scalar_cap
    try:
        kernel = _server_kernel.window_kernel(*args)
    finally:
        _server_kernel.SCALAR_CAP = old
    for field in ("end", "outcome", "error_code", "message", "low_water", "peak"):
        assert getattr(kernel, field) == getattr(core, field), field
    np.testing.assert_array_equal(kernel.start, core.start)
    np.testing.assert_array_equal(kernel.final, core.final)


@pytest.mark.slow
@given(deployment=deployments(), seed=st.integers(0, 2**32 - 1))
def test_simulate_with_the_kernel_gives_the_same_run(
    deployment: ServerDeployment, seed: int
) -> None:
    """Same scenario, same seed, same result on either engine: rollbacks and all."""
    core = simulate_server(deployment, rng=seed)
    kernel = simulate_server(deployment, rng=seed, engine="kernel")
    assert (kernel.status, kernel.error_code, kernel.rolled_back) == (
        core.status,
        core.error_code,
        core.rolled_back,
    )
    pd.testing.assert_frame_equal(kernel.instances, core.instances)
    pd.testing.assert_frame_equal(kernel.deployments, core.deployments)


def test_documented_half_at_a_time_on_the_kernel() -> None:
    """UG:deployment-configurations.md: 9 instances HalfAtATime deploy at most 4 at a time."""
    deployment = ServerDeployment("CodeDeployDefault.HalfAtATime", fleet=Fleet.of_size(9))
    run = shiftsim.simulate(deployment, rng=3, engine="kernel")
    instances = run.instances
    starts = np.sort(instances["start"].to_numpy())
    ends = np.sort(instances["end"].to_numpy())
    in_flight = max(
        np.searchsorted(starts, t, side="right") - np.searchsorted(ends, t, "right") for t in starts
    )
    assert in_flight == 4
    assert run.status == "Succeeded"
