"""The traffic-shifting engines (Lambda, ECS), in four roles.

* :mod:`.plan`: compile a deployment into a :class:`~.plan.TrafficPlan` (phases, shifts, segments,
  alarm grids): everything that does not depend on chance.
* :mod:`.draws`: the random inputs of a block of runs in one documented layout
  (:class:`~.draws.TrafficDraws`), one stream per plan segment.
* :mod:`.core`: the event engine, :class:`~.core.TrafficSimulation`, a handful of callbacks on
  :class:`shiftsim.core.Simulation`; one run's row of draws.
* :mod:`.kernel`: the array engine, :func:`~.kernel.run_kernel`, vectorized over runs; the whole
  block of draws. Both reach the same :class:`~.core.Outcome` for every run.
"""

__all__: list[str] = []
