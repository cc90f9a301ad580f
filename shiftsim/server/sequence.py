"""Consecutive EC2/on-premises deployments of one deployment group, simulated as one run:
:func:`simulate_server_sequence`.

Each deployment starts from the state the one before left (UG:instances-health.md: "instance
health state persists across deployments"):

* the fleet is the one before's :attr:`~shiftsim.server.ServerRun.fleet_after`: each instance's
  health and revision health (Current, Old, Unknown; decision D13, so the next deployment
  schedules unhealthy instances, then Unknown, then Old, then Current), stopped instances,
  scale-out launches, and after a successful blue/green deployment the replacements;
* ``previous_hooks`` are the scripts of the group's last successful revision: the one before's
  ``hooks`` when it succeeded, else its ``previous_hooks`` (shiftsim models two revisions: an
  instance holding the files of a failed revision runs the last successful one's
  ApplicationStop);
* ``previous_file_exists_behavior`` is the content option of the last successful deployment
  (D16).

So give each deployment the revision (``hooks``) you mean to ship; its ``fleet``,
``previous_hooks`` and ``previous_file_exists_behavior`` are replaced after the first (a
deployment's faults are checked against its own fleet when it is built, so give the faulted
instances there too). The
deployments run one after another with no gap; deployment ``k`` draws from child ``k`` of the
run's seed (``SeedSequence.spawn``), as :func:`shiftsim.simulate_sequence` does for Lambda.

Examples
--------
>>> from shiftsim.fleet import Fleet
>>> from shiftsim.server import ScriptFault, ServerDeployment
>>> first = ServerDeployment(
...     "OneAtATime",
...     fleet=Fleet.of_size(3),
...     faults=[ScriptFault("ApplicationStart", instances=["i-001"])],
...     hooks={"ApplicationStart": [10]},
... )
>>> second = ServerDeployment("OneAtATime", hooks={"ApplicationStart": [10]})
>>> result = simulate_server_sequence([first, second], rng=1)
>>> [r.status for r in result.runs]
['Failed', 'Succeeded']
>>> after = result.runs[1].instances.sort_values("start")
>>> after.instance_id.tolist()  # the instance left unhealthy goes first (D13)
['i-001', 'i-000', 'i-002']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from shiftsim._checks import check_choice, invalid
from shiftsim._engines.server.runner import ENGINES
from shiftsim._seeding import RngLike, seed_sequence
from shiftsim.fleet import Fleet
from shiftsim.server.deployment import ServerDeployment
from shiftsim.server.run import ServerRun
from shiftsim.server.simulate import simulate_server
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["ServerSequenceRun", "simulate_server_sequence"]

_OWNER = "simulate_server_sequence"


@dataclass(frozen=True, slots=True, eq=False)
class ServerSequenceRun:
    """The runs of :func:`simulate_server_sequence`, in order.

    Attributes
    ----------
    runs : tuple of ServerRun
        Each run's ``deployment`` is the deployment as it started (fleet and previous
        revision from the one before).
    start_times : tuple of float
        Seconds from the first deployment's start to each deployment's start.
    """

    runs: tuple[ServerRun, ...]
    start_times: tuple[float, ...]

    @property
    def fleet_after(self) -> Fleet:
        """The fleet the last deployment left."""
        return self.runs[-1].fleet_after

    def summary(self) -> pd.DataFrame:
        """One row per deployment: its summary plus ``start_minute``."""
        rows = []
        for run, start in zip(self.runs, self.start_times):
            row = dict(run.summary())
            row["start_minute"] = start / 60.0
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        steps = ", ".join(
            r.status + (f" ({r.error_code})" if r.error_code else "") for r in self.runs
        )
        return f"<ServerSequenceRun of {len(self.runs)} deployments: {steps}>"


def simulate_server_sequence(
    deployments: Sequence[ServerDeployment], *, rng: RngLike = None, engine: str = "core"
) -> ServerSequenceRun:
    """Simulate deployments of one EC2/on-premises deployment group one after another, each
    from the state the one before left (see the module docstring).

    Parameters
    ----------
    deployments : sequence of ServerDeployment
        In order; after the first, each one's ``fleet``, ``previous_hooks`` and
        ``previous_file_exists_behavior`` come from the deployments before.
    rng : None, int, SeedSequence or Generator
        The seed; deployment ``k`` uses child ``k``.
    engine : {"core", "kernel"}

    Returns
    -------
    ServerSequenceRun

    Examples
    --------
    >>> from shiftsim.fleet import Fleet
    >>> from shiftsim.server import ServerDeployment
    >>> steps = [ServerDeployment(fleet=Fleet.of_size(2, revision="Unknown")), ServerDeployment()]
    >>> [i.revision for i in simulate_server_sequence(steps, rng=1).fleet_after]
    ['Current', 'Current']
    """
    check_choice(_OWNER, "engine", engine, tuple(ENGINES))
    items = list(deployments) if isinstance(deployments, Sequence) else []
    if not items:
        raise invalid(_OWNER, "deployments", deployments, "must be a non-empty sequence")
    for k, deployment in enumerate(items):
        if not isinstance(deployment, ServerDeployment):
            raise invalid(
                _OWNER, f"deployments[{k}]", type(deployment).__name__, "must be a ServerDeployment"
            )
    children = seed_sequence(rng).spawn(len(items))
    runs: list[ServerRun] = []
    starts: list[float] = []
    clock = 0.0
    for k, (deployment, child) in enumerate(zip(items, children)):
        step = deployment if k == 0 else _after(deployment, runs[-1])
        run = simulate_server(step, rng=child, engine=engine)
        runs.append(run)
        starts.append(clock)
        clock += _span(run)
    return ServerSequenceRun(tuple(runs), tuple(starts))


def _after(deployment: ServerDeployment, before: ServerRun) -> ServerDeployment:
    """``deployment`` as it starts from the state ``before`` left."""
    prev = before.deployment
    succeeded = before.status == DeploymentStatus.SUCCEEDED.value
    hooks = prev.resolved_hooks if succeeded else prev.resolved_previous_hooks
    option = (
        prev.effective_file_exists_behavior if succeeded else prev.previous_file_exists_behavior
    )
    return replace(
        deployment,
        fleet=before.fleet_after,
        previous_hooks=hooks,
        previous_file_exists_behavior=option,
    )


def _span(run: ServerRun) -> float:
    """Seconds until the group is free for the next deployment: the end of the last
    deployment the run set off (a rollback, a follow-up)."""
    return max(r.end for r in run.records) - run.records[0].start
