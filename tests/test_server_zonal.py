"""Zonal deployments: one Availability Zone at a time (API:ZonalConfig, codedeploy.md 3.3)."""

from __future__ import annotations

from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts, ZonalConfig
from shiftsim.fleet import Fleet
from shiftsim.server import Script, ScriptFault, ServerDeployment, ServerRun, simulate_server

HOOKS = {"ApplicationStart": [Script("start.sh", 20)]}  # 27 s per instance with the defaults


def zonal(minimum: MinimumHealthyHosts, **zone: object) -> DeploymentConfig:
    return DeploymentConfig(
        "zonal", "Server", minimum_healthy_hosts=minimum, zonal_config=ZonalConfig(**zone)
    )  # type: ignore[arg-type]


def simulate(config: DeploymentConfig, n: int = 9, **kwargs: object) -> ServerRun:
    deployment = ServerDeployment(config, fleet=Fleet.of_size(n), hooks=HOOKS, **kwargs)  # type: ignore[arg-type]
    return simulate_server(deployment, rng=2)


def test_one_zone_at_a_time_with_monitor_durations() -> None:
    # API:ZonalConfig: the next zone starts monitorDurationInSeconds after the previous one
    # (firstZoneMonitorDurationInSeconds after the first).
    run = simulate(
        zonal(
            MinimumHealthyHosts("HOST_COUNT", 3),
            monitor_duration_in_seconds=600,
            first_zone_monitor_duration_in_seconds=900,
        )
    )
    assert run.status == "Succeeded"
    frame = run.instances.groupby("availability_zone").agg(
        start=("start", "min"), end=("end", "max")
    )
    assert frame.start.tolist() == [0.0, 27.0 + 900, 27.0 + 900 + 27.0 + 600]
    assert run.duration == frame.end.max()
    events = run.events
    assert events.event.tolist().count("ZoneStart") == 3
    assert events.event.tolist().count("Baking") == 2


def test_no_monitor_starts_the_next_zone_at_once() -> None:
    run = simulate(zonal(MinimumHealthyHosts("HOST_COUNT", 0)))
    frame = run.instances.groupby("availability_zone").start.min()
    assert frame.tolist() == [0.0, 27.0, 54.0]


def test_per_zone_minimum_limits_each_zone() -> None:
    # minimumHealthyHostsPerZone works "in conjunction with" the fleet minimum: with 2 per zone
    # of 3 instances, one instance at a time in each zone.
    run = simulate(
        zonal(
            MinimumHealthyHosts("HOST_COUNT", 0),
            minimum_healthy_hosts_per_zone=MinimumHealthyHosts("HOST_COUNT", 2),
        )
    )
    assert run.status == "Succeeded"
    assert run.summary()["peak_in_flight"] == 1


def test_per_zone_minimum_at_the_zone_size_is_invalid() -> None:
    run = simulate(
        zonal(
            MinimumHealthyHosts("HOST_COUNT", 0),
            minimum_healthy_hosts_per_zone=MinimumHealthyHosts("HOST_COUNT", 3),
        )
    )
    assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS_INVALID"


def test_a_failing_zone_stops_the_deployment() -> None:
    config = zonal(
        MinimumHealthyHosts("HOST_COUNT", 0),
        minimum_healthy_hosts_per_zone=MinimumHealthyHosts("HOST_COUNT", 2),
    )
    run = simulate(config, faults=[ScriptFault("ApplicationStart", instances=["i-000"])])
    assert run.status == "Failed" and run.error_code == "HEALTH_CONSTRAINTS"
    assert set(run.instances[run.instances.availability_zone != "us-east-1a"].status) == {"Skipped"}
