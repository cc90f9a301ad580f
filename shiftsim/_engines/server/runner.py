"""The passes of a Server scenario in time order: the user's deployment (in-place or
blue/green), the Auto Scaling launch deployments, the ``CodeDeployAutoUpdate`` follow-up and the
rollback.

:class:`Runner` is the run's :class:`~.state.RunState` (the group's state between passes and
the steps of a pass) on a window engine chosen by name (:data:`ENGINES`). :meth:`Runner.run`
runs the user's deployment and what it sets off: the in-place passes (:mod:`.in_place`, with
the scale-ins of :mod:`.terminations`) or the blue/green ones (:mod:`.blue_green`). Each
CodeDeploy deployment of the run becomes a :class:`~.state.DeploymentRecord`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shiftsim._engines.server.blue_green import run_blue_green
from shiftsim._engines.server.codes import REV_TARGET
from shiftsim._engines.server.core import run_window
from shiftsim._engines.server.draws import PassDraws
from shiftsim._engines.server.in_place import run_in_place
from shiftsim._engines.server.kernel import window_kernel
from shiftsim._engines.server.plan import PassPlan, ServerPlan
from shiftsim._engines.server.record import WindowEngine
from shiftsim._engines.server.state import RunState
from shiftsim._engines.server.timeline import Timeline
from shiftsim.errors import UnsupportedScenarioError

__all__ = ["ENGINES", "PassInputs", "Runner", "in_place_inputs"]

#: The window engines by name.
ENGINES: dict[str, WindowEngine] = {"core": run_window, "kernel": window_kernel}


class Runner(RunState):
    """Runs the passes of a scenario in time order on the window engine ``engine`` and keeps
    the group's state between them: each instance's health and the revision of its last
    successful install."""

    def __init__(
        self,
        plan: ServerPlan,
        seq: np.random.SeedSequence,
        engine: str = "core",
        scenario: str = "",
    ) -> None:
        super().__init__(plan, seq, ENGINES[engine], scenario)

    def run(self) -> Runner:
        """Run the user's deployment and everything it sets off."""
        if self.plan.blue_green is not None:
            run_blue_green(self)
        else:
            run_in_place(self)
        return self


@dataclass(frozen=True, slots=True, eq=False)
class PassInputs:
    """Everything an engine needs to run the user's in-place deployment: the compiled pass, its
    draws, each instance's lifecycle relative to its start, the start order (D13), and the
    moment an alarm or a manual stop interrupts (``math.inf`` if none)."""

    plan: PassPlan
    draws: PassDraws
    timeline: Timeline
    order: np.ndarray
    deadline: float
    deadline_code: str | None


def in_place_inputs(plan: ServerPlan, seq: np.random.SeedSequence) -> PassInputs:
    """The user's in-place pass compiled and drawn exactly as a run does, for either window
    engine to walk: ``run_window(inputs.plan, inputs.draws, inputs.timeline, inputs.order, 0.0,
    inputs.deadline, inputs.deadline_code)``."""
    if plan.blue_green is not None:
        raise UnsupportedScenarioError(
            "in_place_inputs: a blue/green deployment has several passes"
        )
    runner = Runner(plan, seq)
    m = int(plan.minimum_rule.minimum(int(plan.targets.shape[0])))
    pp = runner.in_place_pass(0, plan.targets, REV_TARGET, 0.0, m)
    draws, timeline, order = runner.inputs(pp)
    deadline, code, _ = runner.interrupt_args()
    return PassInputs(pp, draws, timeline, order, deadline, code)
