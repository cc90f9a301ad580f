"""The array kernel walks zonal passes (API:ZonalConfig, codedeploy.md 3.3) and passes with
instances that stop (UG:instances-health.md: a stopped instance counts as failed; codedeploy.md
8), and agrees with the event core field for field, as tests/test_server_kernel.py checks for
the other passes (issue 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftsim
from shiftsim._engines.server.core import run_window
from shiftsim._engines.server.kernel import window_kernel
from shiftsim._engines.server.plan import compile_plan
from shiftsim._engines.server.runner import in_place_inputs
from shiftsim._seeding import seed_sequence
from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts, ZonalConfig
from shiftsim.fleet import Fleet
from shiftsim.server import (
    Duration,
    InstanceStop,
    Script,
    ScriptFault,
    ServerDeployment,
    simulate_server,
)

FIELDS = ("end", "outcome", "error_code", "message", "low_water", "peak", "events", "overrides")


def zonal_config(draw: st.DrawFn) -> DeploymentConfig:
    kind = draw(st.sampled_from(["HOST_COUNT", "FLEET_PERCENT"]))
    value = draw(st.sampled_from([0, 1, 3]) if kind == "HOST_COUNT" else st.sampled_from([0, 34]))
    per_zone = draw(
        st.sampled_from(
            [
                MinimumHealthyHosts("FLEET_PERCENT", 0),
                MinimumHealthyHosts("HOST_COUNT", 1),
                MinimumHealthyHosts("FLEET_PERCENT", 50),
            ]
        )
    )
    return DeploymentConfig(
        f"zonal-{kind}-{value}",
        "Server",
        minimum_healthy_hosts=MinimumHealthyHosts(kind, value),
        zonal_config=ZonalConfig(
            monitor_duration_in_seconds=draw(st.sampled_from([None, 0, 60])),
            first_zone_monitor_duration_in_seconds=draw(st.sampled_from([None, 30])),
            minimum_healthy_hosts_per_zone=per_zone,
        ),
    )


@st.composite
def deployments(draw: st.DrawFn) -> ServerDeployment:
    n = draw(st.sampled_from([2, 5, 9, 13, 40]))
    fleet = Fleet.of_size(n)
    if draw(st.booleans()):
        fleet = fleet.update(list(fleet.ids)[: max(1, n // 4)], healthy=False)
    zonal = draw(st.booleans())
    config = zonal_config(draw) if zonal else draw(st.sampled_from(["OneAtATime", "HalfAtATime"]))
    hooks = {"ApplicationStart": [Script("start.sh", duration=Duration.uniform(5, 50))]}
    faults: list[object] = []
    if draw(st.booleans()):
        faults.append(
            ScriptFault("ApplicationStart", probability=draw(st.sampled_from([0.1, 0.5])))
        )
    if not zonal or draw(st.booleans()):
        for k in draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True)):
            faults.append(
                InstanceStop(fleet.ids[k], at_minute=draw(st.sampled_from([0.2, 1.0, 3.0])))
            )
    stop = draw(st.sampled_from([None, shiftsim.ManualStop(0.5), shiftsim.ManualStop(2.0)]))
    return ServerDeployment(
        config,
        fleet=fleet,
        hooks=hooks,
        faults=faults,
        manual_stop=stop,
        order=draw(st.sampled_from(["fleet", "shuffle"])),
        auto_rollback=draw(
            st.sampled_from([shiftsim.AutoRollback(), shiftsim.AutoRollback.disabled()])
        ),
    )


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(deployment=deployments(), seed=st.integers(0, 2**32 - 1))
def test_kernel_window_equals_the_core_on_zones_and_stops(
    deployment: ServerDeployment, seed: int
) -> None:
    inputs = in_place_inputs(compile_plan(deployment), seed_sequence(seed))
    args = (inputs.plan, inputs.draws, inputs.timeline, inputs.order, 0.0, inputs.deadline)
    core = run_window(*args, inputs.deadline_code)
    kernel = window_kernel(*args, inputs.deadline_code)
    for field in FIELDS:
        assert getattr(kernel, field) == getattr(core, field), field
    np.testing.assert_array_equal(kernel.start, core.start)
    np.testing.assert_array_equal(kernel.final, core.final)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(deployment=deployments(), seed=st.integers(0, 2**32 - 1))
def test_simulate_on_zones_and_stops_gives_the_same_run(
    deployment: ServerDeployment, seed: int
) -> None:
    core = simulate_server(deployment, rng=seed)
    kernel = simulate_server(deployment, rng=seed, engine="kernel")
    pd.testing.assert_frame_equal(kernel.instances, core.instances)
    pd.testing.assert_frame_equal(kernel.deployments, core.deployments)
    pd.testing.assert_frame_equal(kernel.events, core.events)


def test_documented_zonal_run_on_the_kernel() -> None:
    # API:ZonalConfig: one zone at a time; the next zone starts firstZoneMonitorDurationInSeconds
    # after the first, monitorDurationInSeconds after the others (tests/test_server_zonal.py).
    config = DeploymentConfig(
        "zonal",
        "Server",
        minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 3),
        zonal_config=ZonalConfig(
            monitor_duration_in_seconds=600, first_zone_monitor_duration_in_seconds=900
        ),
    )
    d = ServerDeployment(
        config, fleet=Fleet.of_size(9), hooks={"ApplicationStart": [Script("start.sh", 20)]}
    )
    kernel = simulate_server(d, rng=2, engine="kernel")
    core = simulate_server(d, rng=2)
    pd.testing.assert_frame_equal(kernel.instances, core.instances)
    pd.testing.assert_frame_equal(kernel.events, core.events)
    starts = kernel.instances.groupby("availability_zone").start.min().tolist()
    assert starts == [0.0, 27.0 + 900, 27.0 + 900 + 27.0 + 600]


def test_instance_stop_on_the_kernel() -> None:
    # UG:instances-health.md: a stopped instance counts as failed; stopped during an event, the
    # event times out after 3600 s (codedeploy.md 8, D10).
    fleet = Fleet.of_size(4)
    d = ServerDeployment(
        "AllAtOnce",
        fleet=fleet,
        hooks={"ApplicationStart": [Script("start.sh", 120)]},
        faults=[InstanceStop(fleet.ids[1], at_minute=1.0)],
    )
    kernel = simulate_server(d, rng=1, engine="kernel")
    pd.testing.assert_frame_equal(kernel.instances, simulate_server(d, rng=1).instances)
    row = kernel.instances.set_index("instance_id").loc["i-001"]
    assert row.status == "Failed"
