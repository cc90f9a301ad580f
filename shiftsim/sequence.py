"""Consecutive deployments of one deployment group, simulated as one run.

Each deployment starts from the state the one before left (codedeploy.md sections 6 and 12,
item 13). For Lambda that state is the alias:

* after a success the alias points at the deployment's target version;
* after a rollback (a Lambda rollback flips the alias back at once, SAMdoc) it points at the
  version it started from;
* after a stop or failure **without** rollback, with traffic already shifted, it is left "pointing
  at two versions", and "subsequent attempts to deploy the Lambda function fail"
  (UG:troubleshooting-deployments-lambda.md): the next deployment fails with
  ``INVALID_LAMBDA_CONFIGURATION`` (:attr:`shiftsim.LambdaDeployment.split_alias`) and the
  alias stays split, so every later one fails too until the routing is removed by hand.

Each deployment's ``current`` version is replaced by the version the alias points at (so give
every deployment the target you mean to ship; its ``current`` is ignored after the first). The
deployments run one after another with no gap; deployment ``k`` draws from child ``k`` of the
run's seed (``SeedSequence.spawn``), so a sequence is reproducible on either engine.

Examples
--------
>>> import shiftsim
>>> v2, v3 = shiftsim.Version("2"), shiftsim.Version("3")
>>> first = shiftsim.LambdaDeployment(
...     "Linear10PercentEvery1Minute",
...     target=v2,
...     manual_stop=shiftsim.ManualStop(at_minute=3.5, auto_rollback_enabled=False),
... )
>>> second = shiftsim.LambdaDeployment("AllAtOnce", target=v3)
>>> result = shiftsim.simulate_sequence([first, second], rng=1)
>>> [(r.status, r.error_code) for r in result.runs]
[('Stopped', 'MANUAL_STOP'), ('Failed', 'INVALID_LAMBDA_CONFIGURATION')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from shiftsim._checks import check_choice, invalid
from shiftsim._seeding import RngLike, seed_sequence
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.lambda_ import LambdaDeployment
from shiftsim.results import TrafficRun
from shiftsim.server import ServerDeployment, ServerSequenceRun, simulate_server_sequence
from shiftsim.simulation import ENGINES, simulate
from shiftsim.traffic import Version
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["AliasState", "SequenceRun", "simulate_sequence"]


@dataclass(frozen=True, slots=True)
class AliasState:
    """A Lambda alias between deployments: the version it points at and, when a deployment
    was stopped without rollback, the second version it still routes ``weight`` percent to."""

    version: Version
    additional_version: Version | None = None
    weight: int = 0

    @property
    def split(self) -> bool:
        return self.additional_version is not None


@dataclass(frozen=True, slots=True, eq=False)
class SequenceRun:
    """The runs of :func:`simulate_sequence`, in order, with the alias after each.

    Attributes
    ----------
    runs : tuple of TrafficRun
    aliases : tuple of AliasState
        ``aliases[k]`` is the alias after deployment ``k``.
    start_times : tuple of float
        Seconds from the first deployment's start to each deployment's start.
    """

    runs: tuple[TrafficRun, ...]
    aliases: tuple[AliasState, ...]
    start_times: tuple[float, ...]

    def summary(self) -> pd.DataFrame:
        """One row per deployment: its summary plus ``start_minute`` and the alias after it."""
        rows = []
        for run, alias, start in zip(self.runs, self.aliases, self.start_times):
            row = run.summary()
            row["start_minute"] = start / 60.0
            row["alias_version"] = alias.version.name
            row["alias_additional_version"] = (
                alias.additional_version.name if alias.additional_version else None
            )
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        steps = ", ".join(
            f"{r.status}" + (f" ({r.error_code})" if r.error_code else "") for r in self.runs
        )
        return f"<SequenceRun of {len(self.runs)} deployments: {steps}>"


def simulate_sequence(
    deployments: Sequence[Any], *, rng: RngLike = None, engine: str = "core"
) -> SequenceRun | ServerSequenceRun:
    """Simulate deployments of one group one after another, each from the state the last left.

    Parameters
    ----------
    deployments : sequence of LambdaDeployment, or of ServerDeployment
        In order, all of one platform. Lambda: after the first, each one's ``current`` (and
        ``split_alias``) come from the alias the deployment before left (module docstring).
        EC2/on-premises: :func:`shiftsim.server.simulate_server_sequence` (fleet, revision
        health, previous revision and file option carried over).
    rng : None, int, SeedSequence or Generator
        The seed; deployment ``k`` uses child ``k``.
    engine : {"core", "kernel"}

    Returns
    -------
    SequenceRun, or ServerSequenceRun for EC2/on-premises

    Examples
    --------
    >>> import shiftsim
    >>> steps = [
    ...     shiftsim.LambdaDeployment("AllAtOnce", target=shiftsim.Version("2")),
    ...     shiftsim.LambdaDeployment("AllAtOnce", target=shiftsim.Version("3")),
    ... ]
    >>> [a.version.name for a in shiftsim.simulate_sequence(steps, rng=1).aliases]
    ['2', '3']
    """
    check_choice("simulate_sequence", "engine", engine, ENGINES)
    items = list(deployments) if isinstance(deployments, Sequence) else None
    if not items:
        raise invalid(
            "simulate_sequence", "deployments", deployments, "must be a non-empty sequence"
        )
    kind = LambdaDeployment if isinstance(items[0], LambdaDeployment) else ServerDeployment
    for k, deployment in enumerate(items):
        if not isinstance(deployment, kind):
            raise UnsupportedScenarioError(
                f"simulate_sequence: deployments[{k}] is a {type(deployment).__name__}; "
                "sequences are modelled for LambdaDeployment (the alias carries over) and "
                "ServerDeployment (the fleet carries over), one platform per sequence."
            )
    if kind is ServerDeployment:
        return simulate_server_sequence(items, rng=rng, engine=engine)
    children = seed_sequence(rng).spawn(len(items))
    alias = AliasState(items[0].current, None, 0)
    runs: list[TrafficRun] = []
    aliases: list[AliasState] = []
    starts: list[float] = []
    clock = 0.0
    for k, (deployment, child) in enumerate(zip(items, children)):
        assert isinstance(deployment, LambdaDeployment)
        step = _from_alias(deployment, alias, k)
        run = simulate(step, rng=child, engine=engine)
        alias = _alias_after(step, run, alias)
        runs.append(run)
        aliases.append(alias)
        starts.append(clock)
        clock += run.outcome.end_time
    return SequenceRun(tuple(runs), tuple(aliases), tuple(starts))


def _from_alias(deployment: LambdaDeployment, alias: AliasState, k: int) -> LambdaDeployment:
    """Deployment ``k`` as it starts from ``alias``."""
    if k == 0 and not alias.split:
        return deployment
    if deployment.target.name == alias.version.name:
        raise invalid(
            "simulate_sequence",
            f"deployments[{k}].target.name",
            deployment.target.name,
            "must differ from the version the alias points at after the deployment before",
        )
    return replace(deployment, current=alias.version, split_alias=alias.split)


def _alias_after(deployment: LambdaDeployment, run: TrafficRun, before: AliasState) -> AliasState:
    """The alias a finished run leaves (codedeploy.md section 11)."""
    out = run.outcome
    if deployment.split_alias:
        return before  # refused before touching the alias
    if out.status == DeploymentStatus.SUCCEEDED:
        return AliasState(deployment.target)
    if out.rolled_back or out.final_percent == 0:
        return AliasState(deployment.current)
    return AliasState(deployment.current, deployment.target, out.final_percent)
