"""Strategies for the Server family: fleets, faults and EC2/on-premises deployments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from shiftsim._checks import check_int
from shiftsim._server_model.lifecycle import HOOKABLE_EVENTS, event_list
from shiftsim.configs import (
    DeploymentConfig,
)
from shiftsim.fleet import DEFAULT_ZONES, Fleet
from shiftsim.rollback import AutoRollback
from shiftsim.server import (
    BlueGreen,
    Duration,
    InstanceStop,
    LoadBalancerFault,
    ScaleOut,
    Script,
    ScriptFault,
    ServerDeployment,
)
from shiftsim.strategies._configs import deployment_configs
from shiftsim.strategies._traffic import _auto_rollbacks, _manual_stops, _rates, alarms

__all__ = ["faults", "fleets", "server_deployments"]


_SCRIPTS = st.sampled_from(
    ("scripts/start.sh", "scripts/stop.sh", "scripts/install_deps.sh", "scripts/validate.sh")
)


@st.composite
def _fleet(draw: st.DrawFn, min_size: int, max_size: int, conditions: bool) -> Fleet:
    n = draw(st.integers(min_size, max_size))
    fleet = Fleet.of_size(
        n,
        zones=draw(st.sampled_from((DEFAULT_ZONES, DEFAULT_ZONES[:1], DEFAULT_ZONES[:2]))),
        auto_scaling_group=draw(st.sampled_from((None, "web-asg"))),
        tags={"env": "prod"},
    )
    if n == 0:
        return fleet
    ids = st.lists(st.sampled_from(fleet.ids), unique=True, max_size=n)
    changes: list[dict[str, Any]] = [{"healthy": False}, {"revision": "Unknown", "healthy": False}]
    if conditions:
        changes += [
            {"agent_running": False},
            {"agent_installed": False},
            {"s3_access": False},
            {"clock_skew_seconds": 900.0},
            {"stopped": True},
        ]
    for change in changes:
        chosen = draw(ids)
        if chosen:
            fleet = fleet.update(chosen, **change)
    return fleet


def fleets(
    min_size: int = 1, max_size: int = 10, *, conditions: bool = False
) -> SearchStrategy[Fleet]:
    """EC2 fleets tagged ``env=prod``, some instances unhealthy or never deployed to.

    Shrinks toward ``Fleet.of_size(min_size, tags={"env": "prod"})``: healthy instances running
    an older revision, spread over three Availability Zones, in no Auto Scaling group (or all in
    ``web-asg``).

    Parameters
    ----------
    min_size, max_size : int
        Bounds on the number of instances (``0 <= min_size <= max_size``).
    conditions : bool
        Also break some instances the way real fleets break (codedeploy.md 10.3): agent stopped
        or not installed, no S3 access to the revision, a clock skewed by 15 minutes, instance
        stopped.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(fleets(2, 5))
    ... def test_size(fleet):
    ...     assert 2 <= len(fleet) <= 5
    >>> test_size()
    """
    check_int("fleets", "min_size", min_size, 0)
    check_int("fleets", "max_size", max_size, min_size)
    return _fleet(min_size, max_size, conditions)


def _fault_events(hooks: Mapping[str, Any] | None, load_balancer: bool) -> list[tuple[str, int]]:
    """``(event, script index)`` of every script a ScriptFault can break."""
    if not hooks:
        return []
    events = event_list(load_balancer)
    return [(e, k) for e, scripts in hooks.items() if e in events for k in range(len(scripts))]


def faults(
    fleet: Fleet, *, hooks: Mapping[str, Any] | None = None, load_balancer: bool = False
) -> SearchStrategy[list[Any]]:
    """Faults of an EC2/on-premises deployment to ``fleet``: failing, hanging or missing scripts,
    load-balancer failures and instances that stop mid-deployment.

    Shrinks toward no faults. Script faults target the scripts in ``hooks`` (the deployment's
    ``{event: [Script, ...]}``), on named instances or with a probability; load-balancer faults
    need ``load_balancer=True``.

    Parameters
    ----------
    fleet : Fleet
        The instances faults may name.
    hooks : mapping, optional
        The deployment's scripts; without them there are no script faults.
    load_balancer : bool
        Whether the deployment group has a load balancer.

    Examples
    --------
    >>> from hypothesis import given
    >>> from shiftsim.fleet import Fleet
    >>> from shiftsim.server import Script, ServerDeployment
    >>> fleet, hooks = Fleet.of_size(4), {"ApplicationStart": [Script("start.sh", 5)]}
    >>> @given(faults(fleet, hooks=hooks))
    ... def test_faults_are_accepted(found):
    ...     ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=fleet, hooks=hooks,
    ...                      faults=found)
    >>> test_faults_are_accepted()
    """
    if len(fleet) == 0:
        return st.just([])
    instances = st.none() | st.lists(
        st.sampled_from(fleet.ids), min_size=1, max_size=3, unique=True
    )
    probability = st.just(1.0) | _rates(0.0, 1.0)
    options: list[SearchStrategy[Any]] = [
        st.builds(InstanceStop, st.sampled_from(fleet.ids), st.integers(0, 30).map(float))
    ]
    scripts = _fault_events(hooks, load_balancer)
    if scripts:
        options.append(
            st.builds(
                lambda where, mode, ids, p: ScriptFault(
                    where[0], mode=mode, instances=ids, probability=p, script=where[1]
                ),
                st.sampled_from(scripts),
                st.sampled_from(("fail", "hang", "missing")),
                instances,
                probability,
            )
        )
    if load_balancer:
        options.append(
            st.builds(
                LoadBalancerFault,
                st.sampled_from(("BlockTraffic", "AllowTraffic")),
                instances,
                probability,
            )
        )
    return st.lists(st.one_of(*options), max_size=3)


def _scripts(load_balancer: bool) -> SearchStrategy[dict[str, list[Any]]]:
    events = [e for e in event_list(load_balancer) if e in HOOKABLE_EVENTS]
    duration = st.one_of(
        st.just(10.0),
        st.integers(0, 120).map(float),
        st.builds(Duration.uniform, st.integers(0, 30), st.integers(30, 120)),
        st.builds(Duration.lognormal, st.integers(1, 60), _rates(0.0, 1.0)),
    )
    script = st.builds(
        Script,
        _SCRIPTS,
        duration,
        timeout=st.just(3600.0) | st.integers(30, 3600).map(float),
    )
    return st.dictionaries(
        st.sampled_from(events), st.lists(script, min_size=1, max_size=2), max_size=4
    ).map(lambda hooks: {e: hooks[e] for e in events if e in hooks})


# Built once: Hypothesis validates a strategy the first time it draws from it.
_SCRIPTS_WITH_LB, _SCRIPTS_WITHOUT_LB = _scripts(True), _scripts(False)
_SERVER_ALARMS = st.lists(alarms(), max_size=2, unique_by=lambda a: a.name)
_SERVER_ROLLBACKS = st.just(AutoRollback.disabled()) | _auto_rollbacks()
_BLUE_GREEN = st.none() | st.builds(
    BlueGreen,
    termination_action=st.sampled_from(("TERMINATE", "KEEP_ALIVE")),
    termination_wait_time_in_minutes=st.just(60) | st.integers(0, 120),
)


@st.composite
def _server_deployment(
    draw: st.DrawFn,
    configs: SearchStrategy[DeploymentConfig],
    fleet_strategy: SearchStrategy[Fleet],
) -> ServerDeployment:
    config = draw(configs)
    fleet = draw(fleet_strategy)
    load_balancer = draw(st.booleans())
    hooks = draw(_SCRIPTS_WITH_LB if load_balancer else _SCRIPTS_WITHOUT_LB)
    alarm_list = draw(_SERVER_ALARMS)
    names = [a.name for a in alarm_list] or ["-"]
    alarm_events = draw(
        st.lists(
            st.tuples(
                st.integers(0, 60).map(float),
                st.sampled_from(names),
                st.sampled_from(("ALARM", "OK", "INSUFFICIENT_DATA")),
            ),
            max_size=3,
        )
    )
    groups = [g for g in fleet.auto_scaling_groups if g is not None]
    scale_outs = draw(
        st.lists(
            st.builds(
                ScaleOut,
                st.integers(0, 30).map(float),
                st.sampled_from(groups or ["-"]),
                st.integers(1, 3),
            ),
            max_size=2,
        )
    )
    # Blue/green needs a load balancer, an Auto Scaling group to copy, and EC2 instances; it is
    # not modelled with zonal configurations or scale-outs.
    blue_green = draw(_BLUE_GREEN)
    if not (load_balancer and groups and config.zonal_config is None):
        blue_green = None
    return ServerDeployment(
        config,
        fleet=fleet,
        load_balancer=load_balancer,
        hooks=hooks,
        faults=draw(faults(fleet, hooks=hooks, load_balancer=load_balancer)),
        ignore_application_stop_failures=draw(st.booleans()),
        auto_rollback=draw(_SERVER_ROLLBACKS),
        alarms=alarm_list,
        alarm_events=alarm_events if alarm_list else [],
        manual_stop=draw(_manual_stops()),
        scale_outs=scale_outs if groups and blue_green is None else [],
        outdated_instances_strategy=draw(st.sampled_from(("UPDATE", "IGNORE"))),
        blue_green=blue_green,
        order=draw(st.sampled_from(("fleet", "shuffle"))),
    )


def server_deployments(
    *,
    configs: SearchStrategy[DeploymentConfig] | None = None,
    fleets: SearchStrategy[Fleet] | None = None,
) -> SearchStrategy[ServerDeployment]:
    """Complete EC2/on-premises deployments: fleet, configuration, scripts, faults, alarms,
    manual stops, Auto Scaling scale-outs, rollback settings, in-place or blue/green.

    Shrinks toward ``ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=Fleet.of_size(1))``:
    one healthy instance, no load balancer, no scripts, no faults, no alarms, rollback disabled
    (the API's default).

    Parameters
    ----------
    configs : strategy of DeploymentConfig, optional
        Default ``deployment_configs("Server")``.
    fleets : strategy of Fleet, optional
        Default ``fleets(1, 8, conditions=True)``.

    Examples
    --------
    >>> from hypothesis import given
    >>> import shiftsim
    >>> @given(server_deployments())
    ... def test_instances_end_terminal(deployment):
    ...     run = shiftsim.simulate(deployment, rng=0)
    ...     assert not run.instances["status"].isin(["Pending", "InProgress"]).any()
    >>> test_instances_end_terminal()
    """
    return _server_deployment(
        configs if configs is not None else deployment_configs("Server"),
        fleets if fleets is not None else _fleet(1, 8, True),
    )
