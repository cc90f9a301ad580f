"""Hypothesis properties of EC2/on-premises deployments on random fleets, configs and faults."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts, get_config
from shiftsim.fleet import Fleet, Instance
from shiftsim.server import Duration, Script, ScriptFault, ServerDeployment, simulate_server

# Hypothesis properties over whole deployments: seconds per test.
pytestmark = pytest.mark.slow

TERMINAL = {"Succeeded", "Failed", "Skipped", "Unknown"}
HOOKS = {
    "ApplicationStop": [Script("stop.sh", Duration.uniform(1, 5))],
    "ApplicationStart": [Script("start.sh", Duration.uniform(5, 30))],
    "ValidateService": [Script("check.sh", Duration.lognormal(10, 0.5))],
    "BeforeBlockTraffic": [Script("drain.sh", 2)],
}


@st.composite
def instances(draw: st.DrawFn, faulty: bool) -> Fleet:
    n = draw(st.integers(1, 25))
    out = []
    for k in range(n):
        fields: dict = {"revision": draw(st.sampled_from(["Old", "Old", "Current", "Unknown"]))}
        if faulty:
            fields["healthy"] = draw(st.booleans() | st.none())
            fields["stopped"] = k % 5 == 0 and draw(st.booleans())
            fields["agent_running"] = not (k % 4 == 1 and draw(st.booleans()))
            fields["s3_access"] = not (k % 6 == 2 and draw(st.booleans()))
            fields["clock_skew_seconds"] = draw(st.sampled_from([0.0, 0.0, 100.0, 900.0]))
        out.append(Instance(f"i-{k:03d}", availability_zone=f"z{k % 3}", **fields))
    return Fleet(out)


@st.composite
def configs(draw: st.DrawFn, n: int) -> DeploymentConfig:
    kind = draw(st.sampled_from(["predefined", "HOST_COUNT", "FLEET_PERCENT"]))
    if kind == "predefined":
        name = draw(st.sampled_from(["OneAtATime", "HalfAtATime", "AllAtOnce"]))
        return get_config(f"CodeDeployDefault.{name}")
    value = draw(st.integers(0, n + 1) if kind == "HOST_COUNT" else st.integers(0, 99))
    return DeploymentConfig(
        "custom", "Server", minimum_healthy_hosts=MinimumHealthyHosts(kind, value)
    )


@st.composite
def scenarios(draw: st.DrawFn, faulty: bool = True) -> ServerDeployment:
    fleet = draw(instances(faulty))
    config = draw(configs(len(fleet)))
    faults = []
    if faulty:
        for _ in range(draw(st.integers(0, 3))):
            event = draw(
                st.sampled_from(["ApplicationStart", "ValidateService", "ApplicationStop"])
            )
            faults.append(
                ScriptFault(
                    event,
                    mode=draw(st.sampled_from(["fail", "hang", "missing"])),
                    probability=draw(st.floats(0, 1)),
                )
            )
    hooks = dict(HOOKS)
    if faulty and draw(st.booleans()):  # a timeout some draws overrun: ScriptTimedOut
        hooks["ApplicationStart"] = [Script("start.sh", Duration.uniform(5, 30), timeout=25)]
    return ServerDeployment(
        config,
        fleet=fleet,
        hooks=hooks,
        faults=faults,
        load_balancer=draw(st.booleans()),
        order=draw(st.sampled_from(["fleet", "shuffle"])),
        ignore_application_stop_failures=draw(st.booleans()),
    )


def main_rows(run) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = run.instances
    return frame[frame.deployment_id == run.deployment_id]


def lowest_healthy(deployment: ServerDeployment, frame: pd.DataFrame) -> tuple[int, int]:
    """(healthy count at the start, lowest healthy count), rebuilt from the instances table."""
    fleet = deployment.fleet
    healthy0 = {i.id: i.healthy and not i.stopped for i in fleet}
    level = sum(healthy0.values())
    moves = []
    for row in frame.itertuples():
        if row.start == row.start:
            if healthy0[row.instance_id]:
                moves.append((row.start, 1, -1))
            if row.status == "Succeeded":
                moves.append((row.end, 0, +1))
    moves.sort()
    low = start = level
    for _, _, step in moves:
        level += step
        low = min(low, level)
    return start, low


def in_flight(frame: pd.DataFrame) -> int:
    rows = frame.dropna(subset=["start"])
    moves = sorted(
        [(s, 1) for s in rows.start] + [(e, -1) for e in rows.end], key=lambda m: (m[0], m[1])
    )
    level = peak = 0
    for _, step in moves:
        level += step
        peak = max(peak, level)
    return peak


@given(scenarios(), st.integers(0, 2**32 - 1))
def test_every_instance_ends_terminal(deployment: ServerDeployment, seed: int) -> None:
    run = simulate_server(deployment, seed)
    assert run.status in {"Succeeded", "Failed", "Stopped"}
    assert set(run.instances.status) <= TERMINAL
    assert set(run.lifecycle.status) <= TERMINAL
    frame = main_rows(run)
    assert len(frame) == len(deployment.fleet)
    assert (frame.end.dropna() <= run.duration).all()


@given(scenarios(), st.integers(0, 2**32 - 1))
def test_healthy_count_never_drops_below_the_minimum(
    deployment: ServerDeployment, seed: int
) -> None:
    # UG:instances-health.md: a deployment never lets the healthy count fall below the minimum,
    # and does not reduce it at all when the group starts below the minimum.
    run = simulate_server(deployment, seed)
    if run.error_code == "HEALTH_CONSTRAINTS_INVALID":
        assert run.lifecycle.empty
        return
    frame = main_rows(run)
    n = len(frame)
    minimum = deployment.minimum_healthy_hosts.minimum(n)
    start, low = lowest_healthy(deployment, frame)
    assert low >= min(minimum, start)
    assert run.summary()["lowest_healthy"] == low
    assert in_flight(frame) <= n - minimum
    if run.status == "Succeeded":
        assert (frame.status == "Succeeded").sum() >= max(minimum, 1)


@given(scenarios(faulty=False), st.integers(0, 2**32 - 1))
def test_no_faults_means_every_instance_succeeds(deployment: ServerDeployment, seed: int) -> None:
    run = simulate_server(deployment, seed)
    n = len(deployment.fleet)
    if deployment.minimum_healthy_hosts.minimum(n) >= n:
        assert run.error_code == "HEALTH_CONSTRAINTS_INVALID"
        return
    assert run.status == "Succeeded", run.error_message
    assert (main_rows(run).status == "Succeeded").all()
    assert (run.lifecycle.status == "Succeeded").all()


@given(scenarios(), st.integers(0, 2**32 - 1))
def test_same_seed_same_run(deployment: ServerDeployment, seed: int) -> None:
    first = simulate_server(deployment, seed)
    again = simulate_server(deployment, seed)
    pd.testing.assert_frame_equal(first.instances, again.instances)
    pd.testing.assert_frame_equal(first.lifecycle, again.lifecycle)
    pd.testing.assert_frame_equal(first.deployments, again.deployments)
    assert [n.payload for n in first.notifications] == [n.payload for n in again.notifications]
