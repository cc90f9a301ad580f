"""Server deployments and their parts are plain frozen values: ``dataclasses.replace`` of one
field equals constructing with that field (STYLE.md: validate, never write normalised values
back into other fields), configuration short names, and the package's own house rules."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import shiftsim
import shiftsim._engines.server
import shiftsim.server
from shiftsim.alarms import Alarm
from shiftsim.configs import DeploymentConfig, MinimumHealthyHosts, get_config
from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet, Instance, TagFilter, Targets
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.server import (
    BlueGreen,
    Duration,
    InstanceStop,
    LoadBalancerFault,
    ScaleOut,
    Script,
    ScriptFault,
    ServerDeployment,
    simulate_server,
)

FLEET = Fleet.of_size(4, auto_scaling_group="web")
OTHER_FLEET = Fleet.of_size(6, auto_scaling_group="web")
HOOKS = {"ApplicationStart": [Script("start.sh", 20)]}
OTHER_HOOKS = {"ApplicationStart": [Script("start.sh", 5), Script("check.sh", 7)]}
SPEC = SimpleNamespace(hooks={"AfterInstall": [SimpleNamespace(location="m.sh", timeout=60)]})

#: Valid alternatives for each field of ServerDeployment.
SERVER_VALUES: dict[str, list[Any]] = {
    "config": [
        "HalfAtATime",
        "CodeDeployDefault.AllAtOnce",
        DeploymentConfig(
            "custom", "Server", minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 1)
        ),
    ],
    "fleet": [OTHER_FLEET, list(Fleet.of_size(2))],
    "targets": [None, Targets(auto_scaling_groups=("web",))],
    "load_balancer": [True, False],
    "hooks": [None, HOOKS, OTHER_HOOKS],
    "appspec": [None, SPEC],
    "script_durations": [{}, {"m.sh": 42}, {"m.sh": Duration.uniform(1, 2)}],
    "previous_hooks": [None, OTHER_HOOKS, {}],
    "reserved_durations": [{}, {"Install": 3}, {"DownloadBundle": Duration.fixed(1)}],
    "faults": [(), [InstanceStop("i-001", 1.0)]],
    "ignore_application_stop_failures": [True, False],
    "auto_rollback": [AutoRollback.disabled(), AutoRollback()],
    "alarms": [(), [Alarm("errors")]],
    "alarm_poll_interval": [30.0, 60],
    "manual_stop": [None, ManualStop(2.0)],
    "scale_outs": [(), [ScaleOut(1, "web")]],
    "outdated_instances_strategy": ["UPDATE", "IGNORE"],
    "order": ["fleet", "shuffle"],
    "clock_skew_tolerance_seconds": [300.0, 10],
    "max_instances": [None, 10],
    "application": ["app-2"],
    "deployment_group": ["group-2"],
}
#: Starting points: with hooks, with an AppSpec, with everything optional switched on.
SERVER_BASES: list[dict[str, Any]] = [
    {"config": "OneAtATime", "fleet": FLEET, "hooks": HOOKS},
    {"config": "OneAtATime", "fleet": FLEET, "appspec": SPEC, "script_durations": {"m.sh": 9}},
    {
        "config": "CodeDeployDefault.HalfAtATime",
        "fleet": FLEET,
        "load_balancer": True,
        "hooks": OTHER_HOOKS,
        "previous_hooks": HOOKS,
        "alarms": [Alarm("errors")],
        "alarm_events": [(1.0, "errors", "ALARM")],
        "auto_rollback": AutoRollback(),
        "order": "shuffle",
    },
]


def _outcome(build: Any) -> Any:
    """The value ``build()`` makes, or the error it raises (type and message)."""
    try:
        return build()
    except (ConfigError, TypeError) as err:
        return (type(err), str(err))


def _check_replace(cls: type, base: dict[str, Any], name: str, value: Any) -> None:
    original = _outcome(lambda: cls(**base))
    if isinstance(original, tuple) and len(original) == 2 and isinstance(original[0], type):
        return  # the base itself is invalid for this class
    replaced = _outcome(lambda: replace(original, **{name: value}))
    built = _outcome(lambda: cls(**{**base, name: value}))
    assert replaced == built


@given(
    base=st.sampled_from(SERVER_BASES),
    change=st.sampled_from(sorted(SERVER_VALUES)).flatmap(
        lambda name: st.tuples(st.just(name), st.sampled_from(SERVER_VALUES[name]))
    ),
)
def test_replace_one_field_of_a_server_deployment(
    base: dict[str, Any], change: tuple[str, Any]
) -> None:
    _check_replace(ServerDeployment, base, *change)


PART_CASES: list[tuple[type, dict[str, Any], dict[str, list[Any]]]] = [
    (
        Duration,
        {"kind": "uniform", "a": 1, "b": 5},
        {"kind": ["fixed", "normal", "lognormal"], "a": [0.5, 2], "b": [3.0, 9]},
    ),
    (
        Script,
        {"location": "a.sh"},
        {"location": ["b.sh"], "duration": [3, Duration.uniform(1, 2)], "timeout": [60, 3600.0]},
    ),
    (
        ScriptFault,
        {"event": "ApplicationStart"},
        {
            "event": ["ApplicationStop", "ValidateService"],
            "mode": ["hang", "missing"],
            "instances": [None, ["i-001"], "i-002"],
            "probability": [0.5, 1],
            "script": [1],
            "revision": [None, "target", "previous"],
            "exit_code": [2],
        },
    ),
    (
        LoadBalancerFault,
        {"event": "BlockTraffic"},
        {"event": ["AllowTraffic"], "instances": [["i-001"], None], "probability": [0.25]},
    ),
    (
        InstanceStop,
        {"instance": "i-001", "at_minute": 1},
        {"instance": ["i-002"], "at_minute": [2]},
    ),
    (
        ScaleOut,
        {"at_minute": 1, "auto_scaling_group": "web"},
        {
            "at_minute": [0, 2.5],
            "auto_scaling_group": ["api"],
            "count": [2, 3],
            "instance_ids": [None, ["i-new"]],
        },
    ),
    (
        BlueGreen,
        {},
        {
            "green_fleet_provisioning": ["DISCOVER_EXISTING"],
            "green_fleet": [Fleet.of_size(2, prefix="g-")],
            "action_on_timeout": ["STOP_DEPLOYMENT"],
            "wait_time_in_minutes": [30],
            "termination_action": ["KEEP_ALIVE"],
            "termination_wait_time_in_minutes": [0, 120],
        },
    ),
    (
        Instance,
        {"id": "i-1"},
        {
            "id": ["i-2"],
            "tags": [{"env": "prod"}],
            "healthy": [None, True, False],
            "revision": ["Unknown", "Current"],
            "agent_running": [False],
            "clock_skew_seconds": [400],
            "stopped": [True],
        },
    ),
    (
        TagFilter,
        {"key": "env"},
        {"key": [None, "tier"], "value": [None, "prod"], "type": [None, "KEY_AND_VALUE"]},
    ),
]


@given(
    case=st.sampled_from(PART_CASES).flatmap(
        lambda c: st.tuples(
            st.just(c[0]),
            st.just(c[1]),
            st.sampled_from(sorted(c[2])).flatmap(
                lambda name: st.tuples(st.just(name), st.sampled_from(c[2][name]))
            ),
        )
    )
)
def test_replace_one_field_of_a_part(case: tuple[type, dict[str, Any], tuple[str, Any]]) -> None:
    cls, base, (name, value) = case
    _check_replace(cls, base, name, value)


def test_replacing_hooks_changes_the_previous_revision_too() -> None:
    # previous_hooks=None means "the same as hooks" (the docstring), after replace too.
    d = ServerDeployment(fleet=FLEET, hooks=HOOKS)
    changed = replace(d, hooks=OTHER_HOOKS)
    assert changed.resolved_previous_hooks == changed.resolved_hooks
    assert changed.resolved_hooks["ApplicationStart"][1].location == "check.sh"


def test_replacing_the_appspec_of_an_appspec_deployment() -> None:
    d = ServerDeployment(fleet=FLEET, appspec=SPEC, script_durations={"m.sh": 9})
    other = SimpleNamespace(hooks={"BeforeInstall": [SimpleNamespace(location="b.sh")]})
    changed = replace(d, appspec=other)
    assert list(changed.resolved_hooks) == ["BeforeInstall"]
    assert (
        replace(d, script_durations={"m.sh": 11}).resolved_hooks["AfterInstall"][0].duration == 11
    )
    assert d.resolved_hooks["AfterInstall"][0].duration == 9


def test_a_fault_follows_the_event_it_is_replaced_onto() -> None:
    fault = ScriptFault("ApplicationStart")
    assert replace(fault, event="ApplicationStop").script_revision == "previous"


def test_server_configurations_have_short_names() -> None:
    # As Lambda's SAM short names leave out "CodeDeployDefault.Lambda" (issue 11).
    for name in ("OneAtATime", "HalfAtATime", "AllAtOnce"):
        short = ServerDeployment(name, fleet=FLEET)
        assert short == ServerDeployment(f"CodeDeployDefault.{name}", fleet=FLEET)
        assert short.deployment_config == get_config(f"CodeDeployDefault.{name}")
    half = get_config("CodeDeployDefault.HalfAtATime")
    assert ServerDeployment("HalfAtATime") == ServerDeployment(half)
    with pytest.raises(ConfigError, match="must be a Server configuration"):
        ServerDeployment("Canary10Percent5Minutes")


def test_the_seed_is_one_keyword() -> None:
    d = ServerDeployment("HalfAtATime", fleet=FLEET, hooks=HOOKS)
    assert simulate_server(d, rng=3).deployment_id == shiftsim.simulate(d, rng=3).deployment_id
    with pytest.raises(TypeError):
        simulate_server(d, 3)  # type: ignore[misc]


# ------------------------------------------------------------------------------ house rules
PACKAGES = (shiftsim.server, shiftsim._engines.server)
MODULES = sorted(
    name
    for package in PACKAGES
    for _, name, _ in pkgutil.iter_modules(package.__path__, package.__name__ + ".")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


@pytest.mark.parametrize("name", [p.__name__ for p in PACKAGES] + MODULES)
def test_modules_declare_all_and_import_at_the_top(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list)
    assert all(hasattr(module, n) for n in module.__all__)
    tree = ast.parse(Path(module.__file__ or "").read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = [
                n
                for n in ast.walk(node)
                if isinstance(n, (ast.Import, ast.ImportFrom))
                # run.plot(): matplotlib is imported only when a figure is drawn (STYLE.md)
                and not (
                    isinstance(n, ast.ImportFrom)
                    and n.module == "shiftsim"
                    and [a.name for a in n.names] == ["plot"]
                )
            ]
            assert not inner, f"{name}.{node.name} imports inside a function"
