"""Conformance: shiftsim's verdict on the 92 AppSpec cases of the CodeDeploy agent's own parser.

``../shared/corpus/agent/appspec-cases.json`` holds each case's text and what the agent's parser
(``aws/aws-codedeploy-agent`` at 800eb28, run unmodified) decides; see its README. The rule
(issue 12):

* where the agent **rejects** a file, the deployment fails on the instance, so shiftsim rejects it
  too, with a located message (a line and, below the top level, a key path);
* where the agent **accepts** a file, shiftsim may warn but does not error, unless a documented
  rule of the CodeDeploy service rejects the file before any agent sees it. No case needs such
  an exception today: :data:`SERVICE_REJECTS` is empty, and any entry must cite its rule.

Where the agent accepts, shiftsim's reading must also agree with the agent's: the same scripts
(location, timeout, runas, sudo) for every event the agent runs, the same files, the same
``file_exists_behavior`` and the same permissions (object, mode, type, owner). Events the agent
parses but never runs (``never_run``) and default ACL entries the Install step refuses on files
(``install``) are warnings.

CI clones the repository with ``../shared`` beside it (``SHIFTSIM_CORPUS`` overrides where);
without the folder these tests skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from shiftsim.appspec import AppSpec, Finding, load_appspec, validate

CORPUS = Path(
    os.environ.get("SHIFTSIM_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
)
CASES_FILE = CORPUS / "agent" / "appspec-cases.json"
pytestmark = pytest.mark.skipif(
    not CASES_FILE.is_file(), reason=f"the agent's AppSpec cases are not at {CASES_FILE}"
)


def _cases() -> list[dict[str, Any]]:
    if not CASES_FILE.is_file():
        return []
    cases: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return cases


CASES = _cases()
BY_ID = {case["id"]: case for case in CASES}

#: Cases the agent accepts but a documented rule of the CodeDeploy service rejects first:
#: id -> the rule's citation. None today.
SERVICE_REJECTS: dict[str, str] = {}


def test_all_92_cases_are_present() -> None:
    assert len(CASES) == 92 and len(BY_ID) == 92
    assert {case["agent"]["parse"] for case in CASES} == {"accept", "reject"}


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES if c["agent"]["parse"] == "reject"])
def test_agent_rejects_so_shiftsim_rejects_with_a_location(case_id: str) -> None:
    case = BY_ID[case_id]
    errors = _errors(validate(case["yaml"]))
    assert errors, f"the agent refuses {case_id}: {case['agent']['message']}"
    for error in errors:
        assert error.line is not None, error
        assert error.path or error.line == 1, error  # a top-level problem is at line 1


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES if c["agent"]["parse"] == "accept"])
def test_agent_accepts_so_shiftsim_does_not_error(case_id: str) -> None:
    case = BY_ID[case_id]
    findings = validate(case["yaml"])
    if case_id in SERVICE_REJECTS:
        assert _errors(findings)
        return
    assert _errors(findings) == []
    spec = load_appspec(case["yaml"])
    _agrees_with_the_agent(spec, case["agent"])
    warned = {f.path for f in findings if f.severity == "warning"}
    for event in case["agent"]["never_run"]:
        assert f"hooks.{event}" in warned, event
    for failure in case["agent"]["install"]:
        # Only the default-ACL failure depends on the AppSpec alone: pattern and except fail
        # when the object is itself a copied file (Agent:installer.rb, generate_instructions),
        # which the file does not say, so shiftsim does not warn about them.
        if "-d parameter" in failure:
            where = failure.split(":")[0]
            assert f"{where}.acls" in warned, failure


def _agrees_with_the_agent(spec: AppSpec, agent: dict[str, Any]) -> None:
    assert spec.platform == "Server" and spec.os == agent["agent_os"]
    ran = {e: s for e, s in agent["hooks"].items() if e not in agent["never_run"]}
    assert list(spec.hooks) == list(ran)
    for event, scripts in ran.items():
        ours = [
            {"location": s.location, "timeout": s.timeout, "runas": s.runas, "sudo": s.sudo}
            for s in spec.scripts(event)
        ]
        theirs = [{**s, "sudo": bool(s["sudo"])} for s in scripts]
        assert ours == theirs, event
    assert [[f.source, f.destination] for f in spec.files] == agent["files"]
    assert spec.file_exists_behavior == agent["file_exists_behavior"]
    ours_permissions = [
        {"object": p.object, "mode": p.mode, "type": list(p.type), "owner": p.owner}
        for p in spec.permissions
    ]
    assert ours_permissions == agent["permissions"]


def test_summary_92_of_92() -> None:
    """One number for the closing note: the cases where shiftsim's verdict is the agent's."""
    agree = sum(
        bool(_errors(validate(case["yaml"]))) == (case["agent"]["parse"] == "reject")
        or case["id"] in SERVICE_REJECTS
        for case in CASES
    )
    assert agree == len(CASES) == 92
