"""CodeDeploy's vocabulary: events per platform, str-valued enums, limits with sources."""

from __future__ import annotations

import ast
import json
import pickle
from pathlib import Path

import pytest

from shiftsim import vocabulary as v
from shiftsim.vocabulary import (
    ComputePlatform,
    DeploymentStatus,
    ErrorCode,
    InstanceStatus,
    LifecycleErrorCode,
    LifecycleEventStatus,
    lifecycle_events,
)

ENUMS = [
    ComputePlatform,
    v.DeploymentType,
    DeploymentStatus,
    InstanceStatus,
    LifecycleEventStatus,
    v.HookStatus,
    v.StopStatus,
    LifecycleErrorCode,
    ErrorCode,
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_members_are_their_aws_spelling(enum):
    for member in enum:
        value = member.value
        assert member == value and value == member
        assert isinstance(member, str)
        assert hash(member) == hash(value)
        assert {value: 1}[member] == 1 and member in {value}
        assert str(member) == value and f"{member}" == value and f"{member:>3}" == f"{value:>3}"
        assert "{}".format(member) == value  # noqa: UP032
        assert json.dumps(member) == json.dumps(value)
        assert enum(value) is member
        assert pickle.loads(pickle.dumps(member)) is member


def test_deployment_statuses_match_the_api():
    """API:DeploymentStatus (codedeploy.md 10.1)."""
    assert [s.value for s in DeploymentStatus] == [
        "Created",
        "Queued",
        "InProgress",
        "Baking",
        "Succeeded",
        "Failed",
        "Stopped",
        "Ready",
    ]
    assert {s for s in DeploymentStatus if s.terminal} == {"Succeeded", "Failed", "Stopped"}


def test_instance_and_event_statuses_match_the_api():
    """API:InstanceStatus and API:LifecycleEventStatus (codedeploy.md 10.1)."""
    assert set(InstanceStatus) == {
        "Pending",
        "InProgress",
        "Succeeded",
        "Failed",
        "Skipped",
        "Unknown",
        "Ready",
    }
    assert set(LifecycleEventStatus) == set(InstanceStatus) - {"Ready"}
    assert set(v.HookStatus) == {"Succeeded", "Failed"}
    assert [s.value for s in v.StopStatus] == ["Pending", "Succeeded"]  # API:StopStatus


def test_overview_tables_keep_their_key_order():
    """API:DeploymentOverview's order for the API shapes; the notifications' own order (pinned
    by the golden notifications). Plain ``str`` keys, so JSON and reprs see no enum."""
    assert list(v.OVERVIEW) == ["Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready"]
    assert list(v.NOTIFICATION_OVERVIEW) == [
        "Failed",
        "InProgress",
        "Pending",
        "Skipped",
        "Succeeded",
        "Ready",
    ]
    for table in (v.OVERVIEW, v.NOTIFICATION_OVERVIEW):
        assert set(table) == set(InstanceStatus) - {"Unknown"}
        assert all(type(k) is str and n == 0 for k, n in table.items())
        with pytest.raises(TypeError):
            table["Pending"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("status", "target"),
    [
        ("InProgress", "InProgress"),
        ("Succeeded", "Succeeded"),
        ("Failed", "Failed"),
        ("Stopped", "Failed"),
        (DeploymentStatus.SUCCEEDED, "Succeeded"),
    ],
)
def test_target_status(status, target):
    """A Lambda/ECS deployment's one target (API:TargetStatus) follows the deployment."""
    assert v.target_status(status) == target
    assert type(v.target_status(status)) is str


def test_error_codes_are_the_complete_api_enum():
    """API:ErrorCode, complete (codedeploy.md 10.2): 34 codes."""
    assert len(ErrorCode) == 34
    assert {"ALARM_ACTIVE", "MANUAL_STOP", "HOOK_EXECUTION_FAILURE", "TIMEOUT"} <= set(ErrorCode)
    assert "UNABLE_TO_SEND_ASG" not in {e.value for e in ErrorCode}  # UG only, not in the API
    assert [c.value for c in LifecycleErrorCode] == [
        "Success",
        "ScriptMissing",
        "ScriptNotExecutable",
        "ScriptTimedOut",
        "ScriptFailed",
        "UnknownError",
    ]


def test_error_messages_are_aws_text_or_empty():
    """UG:error-codes.md gives HEALTH_CONSTRAINTS's text."""
    assert ErrorCode.HEALTH_CONSTRAINTS.message.startswith("The overall deployment failed")
    assert ErrorCode.MANUAL_STOP.message.endswith("StopDeployment request.")
    assert ErrorCode.THROTTLED.message == ""
    assert all(isinstance(code.message, str) for code in ErrorCode)


def test_lifecycle_events_per_platform_and_type():
    """codedeploy.md 4.1-4.4 (UG:reference-appspec-file-structure-hooks.md)."""
    assert lifecycle_events("Lambda") == ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
    assert lifecycle_events("ECS")[0] == "BeforeInstall" and len(lifecycle_events("ECS")) == 8
    server = lifecycle_events("Server")
    assert server[0] == "BeforeBlockTraffic" and server[-1] == "AfterAllowTraffic"
    assert len(server) == 13
    # Without a load balancer the six traffic events do not apply.
    assert lifecycle_events("Server", load_balancer=False) == tuple(
        e for e in server if "Traffic" not in e
    )
    bg = lifecycle_events("Server", "BLUE_GREEN")
    assert bg == v.SERVER_INSTALL_EVENTS + v.SERVER_ALLOW_EVENTS
    assert lifecycle_events("Server", "BLUE_GREEN", role="original") == v.SERVER_BLOCK_EVENTS
    assert lifecycle_events("Server", "BLUE_GREEN", role="rollback_original") == (
        v.SERVER_ALLOW_EVENTS
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"platform": "Fargate"},
        {"platform": "Server", "deployment_type": "CANARY"},
        {"platform": "Server", "deployment_type": "BLUE_GREEN", "role": "green"},
    ],
)
def test_lifecycle_events_rejects_unknown_names(kwargs):
    with pytest.raises(ValueError, match="must be"):
        lifecycle_events(**kwargs)


def test_hookable_and_unhookable_events_partition_each_platform():
    """Reserved events and pseudo-events are never hookable
    (UG:reference-appspec-file-structure-hooks.md)."""
    for platform in ComputePlatform:
        hookable = set(v.HOOKABLE_EVENTS[platform])
        unhookable = set(v.UNHOOKABLE_EVENTS[platform])
        assert not hookable & unhookable
        assert set(v.PSEUDO_EVENTS) <= unhookable
        assert set(lifecycle_events(platform)) <= hookable | unhookable
    assert v.HOOKABLE_EVENTS["Lambda"] == ("BeforeAllowTraffic", "AfterAllowTraffic")
    assert set(v.SERVER_BUILTIN_EVENTS) == set(v.UNHOOKABLE_EVENTS["Server"]) - {"Start", "End"}
    assert set(v.PREVIOUS_REVISION_EVENTS) <= set(v.HOOKABLE_EVENTS["Server"])


def test_every_limit_has_a_value_unit_and_source():
    limits = [n for n in v.__all__ if n.startswith(("MAX_", "DEFAULT_")) or n.endswith("_SECONDS")]
    assert sorted(limits) == sorted(v.LIMITS)
    for name, limit in v.LIMITS.items():
        assert getattr(v, name) == limit.value
        assert limit.unit and limit.source


def test_limits_are_aws_figures():
    """D9, D10, D12 and UG:limits.md (codedeploy.md 2.2, 10.4)."""
    assert v.LIFECYCLE_EVENT_TIMEOUT_SECONDS == 3600
    assert v.EVENT_START_TIMEOUT_SECONDS == 300
    assert v.MAX_SHIFTING_MINUTES == 2880
    assert v.MAX_ALARMS == 10
    assert v.MAX_TERMINATION_WAIT_MINUTES == 2880 and v.DEFAULT_TERMINATION_WAIT_MINUTES == 60


def test_all_is_sorted_and_complete():
    assert v.__all__ == sorted(v.__all__, key=lambda n: (not n.isupper(), n))
    for name in v.__all__:
        assert hasattr(v, name)


# ---------------------------------------------------------------------------- no stray spellings
SOURCE = Path(v.__file__).parent
#: Every status and code spelling the vocabulary owns.
WORDS = frozenset(m.value for e in ENUMS if e not in (ComputePlatform, v.DeploymentType) for m in e)
#: Where a string equal to one of :data:`WORDS` is not CodeDeploy's status or code, as
#: (path under shiftsim/, word): number of such strings in that module.
ALLOWED = {
    # A fleet instance's revision health ("Current", "Old", "Unknown"), not an instance status.
    ("fleet.py", "Unknown"): 2,
    ("strategies/_server.py", "Unknown"): 1,
}


def _not_code(tree: ast.Module) -> set[int]:
    """ids of the string constants that are not code: docstrings and other bare string
    statements, and the names listed in ``__all__``."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            skip.update(id(c) for c in ast.walk(node.value))
    return skip


def stray_words(source: str) -> list[tuple[int, str]]:
    """(line, word) of each string constant in code that spells a status or code."""
    tree = ast.parse(source)
    skip = _not_code(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in WORDS
        and id(node) not in skip
    )


def test_stray_words_finds_code_and_skips_prose():
    found = stray_words(
        '"""Ends Succeeded."""\n'
        '__all__ = ["TIMEOUT"]\n'
        "def f(s):\n"
        '    """Failed or not."""\n'
        '    return s == "Succeeded" or {"code": "ALARM_ACTIVE"}  # "Failed"\n'
    )
    assert found == [(5, "ALARM_ACTIVE"), (5, "Succeeded")]


@pytest.mark.slow  # over 0.2 s: keeps the fast subset under 20 s
def test_statuses_and_codes_are_spelled_only_in_the_vocabulary():
    """Code names statuses and error codes by their enum members (issue #10): a string literal
    equal to one is a second spelling of it."""
    counts: dict[tuple[str, str], list[int]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        name = path.relative_to(SOURCE).as_posix()
        if name == "vocabulary.py":
            continue
        for line, word in stray_words(path.read_text(encoding="utf-8")):
            counts.setdefault((name, word), []).append(line)
    stray = {
        f"shiftsim/{name}:{lines} {word!r}"
        for (name, word), lines in counts.items()
        if len(lines) > ALLOWED.get((name, word), 0)
    }
    assert not stray, "use shiftsim.vocabulary's members: " + ", ".join(sorted(stray))
    stale = {key for key, n in ALLOWED.items() if len(counts.get(key, [])) != n}
    assert not stale, f"ALLOWED no longer matches the source: {sorted(stale)}"
