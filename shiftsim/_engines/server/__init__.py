"""The EC2/on-premises engines (private): the traffic family's four roles, plus a runner.

* :mod:`.plan`: compile a :class:`~shiftsim.server.ServerDeployment` into a plain
  :class:`~.plan.ServerPlan`, and each pass of it into a :class:`~.plan.PassPlan`;
* :mod:`.draws`: a pass's random inputs, in one documented layout;
* :mod:`.core`: the event engine, :class:`~.core.WindowSimulation` on
  :class:`shiftsim.core.Simulation`;
* :mod:`.kernel`: the array engine, :func:`~.kernel.window_kernel`;
* :mod:`.runner`: the passes of a run in time order: :mod:`.state` (the group's state, the
  steps of a pass), :mod:`.in_place` (launches, follow-up, rollback), :mod:`.blue_green`,
  :mod:`.terminations`; :mod:`.batch` walks many runs of the user's in-place pass at once.

Shared by them: :mod:`.codes` (the integer codes in the arrays), :mod:`.rules` (the decision
rules, on scalars and arrays alike), :mod:`.timeline` (each instance's lifecycle from the plan
and the draws) and :mod:`.record` (what a pass did, and the :class:`~.record.WindowEngine`
seam both engines fill).
"""

__all__: list[str] = []
