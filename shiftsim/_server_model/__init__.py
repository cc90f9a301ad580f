"""The EC2/on-premises ("Server") family's model (private): plain frozen values and CodeDeploy's
rules for them, below the engines that run them.

* :mod:`.deployment`: :class:`~.deployment.ServerDeployment`, one deployment to a group;
* :mod:`.lifecycle`: the lifecycle events, their order and the agent's limits;
* :mod:`.scripts`: hook scripts and their durations; :mod:`.faults`: the ways a deployment fails;
* :mod:`.blue_green` and :mod:`.auto_scaling`: the replacement fleet and scale-outs.

The public names are re-exported from :mod:`shiftsim.server`, where users import them; this
package sits in the model layer so that :mod:`shiftsim._engines.server` can compile a deployment
without importing the platform (``docs/architecture.md``, "Layers").
"""

__all__: list[str] = []
