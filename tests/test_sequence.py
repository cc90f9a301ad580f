"""simulate_sequence: consecutive Lambda deployments, each from the alias the last one left.

Sources: UG:troubleshooting-deployments-lambda.md ("the alias of a Lambda function specified in a
deployment might reference two different versions of the function. The result is that subsequent
attempts to deploy the Lambda function fail. A Lambda deployment can get in this state when it
does not have rollbacks configured and is manually stopped"); codedeploy.md section 6 (Lambda
rollback), section 11 (alias routing), section 12 item 13.
"""

from __future__ import annotations

import pytest

import shiftsim
from shiftsim.errors import ConfigError, UnsupportedScenarioError
from shiftsim.server import ServerSequenceRun

V2, V3, V4 = shiftsim.Version("2"), shiftsim.Version("3"), shiftsim.Version("4")


def stopped(rolls_back: bool) -> shiftsim.LambdaDeployment:
    """Linear 10% a minute (shifts at minutes 0..3 reach 40%), stopped at minute 3.5."""
    return shiftsim.LambdaDeployment(
        "Linear10PercentEvery1Minute",
        target=V2,
        manual_stop=shiftsim.ManualStop(at_minute=3.5, auto_rollback_enabled=rolls_back),
    )


def test_a_stop_without_rollback_makes_every_later_deployment_fail() -> None:
    steps = [stopped(False), shiftsim.LambdaDeployment("AllAtOnce", target=V3)]
    steps.append(shiftsim.LambdaDeployment("AllAtOnce", target=V4))
    result = shiftsim.simulate_sequence(steps, rng=4)
    first, second, third = result.runs
    assert (first.status, first.outcome.final_percent) == ("Stopped", 40)
    split = result.aliases[0]
    assert (split.version.name, split.additional_version.name, split.weight) == ("1", "2", 40)
    for run in (second, third):
        assert (run.status, run.error_code) == ("Failed", "INVALID_LAMBDA_CONFIGURATION")
        assert not run.rolled_back and run.outcome.target_invocations == 0
        assert "references two versions" in run.error_message
    assert result.aliases[2] == split  # still split: only a fix by hand clears it


def test_a_stop_with_rollback_leaves_the_alias_whole() -> None:
    """A Lambda rollback flips the alias back at once (SAMdoc): the next deployment goes on
    from version 1."""
    steps = [stopped(True), shiftsim.LambdaDeployment("AllAtOnce", target=V3)]
    result = shiftsim.simulate_sequence(steps, rng=4)
    assert result.runs[0].rolled_back and not result.aliases[0].split
    assert result.runs[1].status == "Succeeded"
    assert result.runs[1].plan.current.name == "1"


def test_each_deployment_starts_from_the_last_success() -> None:
    steps = [
        shiftsim.LambdaDeployment("Canary10Percent5Minutes", target=V2),
        shiftsim.LambdaDeployment("AllAtOnce", target=V3),
    ]
    result = shiftsim.simulate_sequence(steps, rng=1)
    assert [a.version.name for a in result.aliases] == ["2", "3"]
    assert result.runs[1].plan.current.name == "2"
    assert result.start_times == (0.0, 300.0)
    frame = result.summary()
    assert frame["start_minute"].tolist() == [0.0, 5.0]
    assert frame["alias_version"].tolist() == ["2", "3"]


def test_a_split_alias_given_directly_fails_the_deployment() -> None:
    d = shiftsim.LambdaDeployment("AllAtOnce", split_alias=True)
    run = shiftsim.simulate(d, rng=1)
    assert (run.status, run.error_code, run.outcome.end_time) == (
        "Failed",
        "INVALID_LAMBDA_CONFIGURATION",
        0.0,
    )
    assert shiftsim.simulate(d, rng=1, engine="kernel").outcome == run.outcome


def test_reproducible_on_either_engine() -> None:
    bad = shiftsim.Version("3", error_rate=0.3)
    alarm = shiftsim.Alarm("errors", metric="Errors", threshold=0)
    steps = [
        shiftsim.LambdaDeployment("Linear10PercentEvery1Minute", target=V2),
        shiftsim.LambdaDeployment("Canary10Percent5Minutes", target=bad, alarms=[alarm]),
    ]
    a = shiftsim.simulate_sequence(steps, rng=8)
    b = shiftsim.simulate_sequence(steps, rng=8, engine="kernel")
    assert [r.outcome for r in a.runs] == [r.outcome for r in b.runs]
    assert [r.deployment_id for r in a.runs] == [r.deployment_id for r in b.runs]


def test_bad_sequences_are_named() -> None:
    with pytest.raises(ConfigError, match="deployments"):
        shiftsim.simulate_sequence([])
    with pytest.raises(UnsupportedScenarioError, match=r"deployments\[0\]"):
        shiftsim.simulate_sequence([shiftsim.EcsDeployment("CodeDeployDefault.ECSAllAtOnce")])
    again = [shiftsim.LambdaDeployment("AllAtOnce", target=V2)] * 2
    with pytest.raises(ConfigError, match=r"deployments\[1\]\.target\.name"):
        shiftsim.simulate_sequence(again, rng=1)
    with pytest.raises(ConfigError, match="engine"):
        shiftsim.simulate_sequence(again, engine="gpu")


def test_server_sequences_go_to_the_server_runner() -> None:
    """One entry point: EC2/on-premises sequences are shiftsim.server.simulate_server_sequence."""
    steps = [
        shiftsim.ServerDeployment(fleet=shiftsim.Fleet.of_size(2)),
        shiftsim.ServerDeployment(),
    ]
    result = shiftsim.simulate_sequence(steps, rng=1)
    assert isinstance(result, ServerSequenceRun)
    assert len(result.runs) == 2


def test_one_platform_per_sequence() -> None:
    with pytest.raises(UnsupportedScenarioError, match=r"deployments\[1\]"):
        shiftsim.simulate_sequence(
            [
                shiftsim.LambdaDeployment("AllAtOnce"),
                shiftsim.EcsDeployment("CodeDeployDefault.ECSAllAtOnce"),
            ]
        )
