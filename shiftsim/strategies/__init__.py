"""Hypothesis strategies for CodeDeploy scenarios, to test deployment tooling against shiftsim.

Install with the ``testing`` extra (``pip install shiftsim[testing]``): this is the only package of
shiftsim, with :mod:`shiftsim.testing`, that imports Hypothesis.

Every strategy generates only what shiftsim accepts (each example constructs without error, and
each deployment simulates), and shrinks toward the simplest case: predefined configurations
(``AllAtOnce`` first), healthy versions, no alarms, no hooks, default rollback settings, small
fleets. Arguments that take a strategy let you narrow one part and keep the rest.

=============================  ===========================================================
:func:`deployment_configs`     predefined and valid custom configurations
:func:`invalid_deployment_configs`  constructor calls that must raise ``ConfigError``
:func:`alarms`                 CloudWatch alarms the traffic engines evaluate
:func:`versions`               versions, healthy or bad releases (error steps, ramps, bursts)
:func:`hooks`                  lifecycle hook functions (succeeding, failing, silent)
:func:`lambda_deployments`     complete :class:`~shiftsim.LambdaDeployment` scenarios
:func:`ecs_deployments`        complete :class:`~shiftsim.ecs.EcsDeployment` scenarios
:func:`server_deployments`     complete :class:`~shiftsim.server.ServerDeployment` scenarios
:func:`fleets`                 EC2/on-premises fleets
:func:`faults`                 script, load-balancer and instance faults for a fleet
:func:`appspecs`               AppSpec documents, as dicts or YAML/JSON text
=============================  ===========================================================

One module per concept: :mod:`._configs` (configurations, valid and invalid), :mod:`._traffic`
(alarms, versions, hooks, Lambda and ECS deployments), :mod:`._server` (fleets, faults, Server
deployments), :mod:`._appspecs` and :mod:`._rngs`.

Examples
--------
>>> from hypothesis import given, settings
>>> import shiftsim
>>> from shiftsim.strategies import lambda_deployments
>>> @settings(max_examples=5)
... @given(lambda_deployments())
... def test_terminal(deployment):
...     assert shiftsim.simulate(deployment, rng=0).status in {"Succeeded", "Failed", "Stopped"}
>>> test_terminal()
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "shiftsim.strategies needs Hypothesis; install it with `pip install shiftsim[testing]`."
    ) from err

# Also importable from here, as before the split (not in __all__): SearchStrategy, FORMS,
# default_rng, ALARM_NAMES.
from hypothesis.strategies import SearchStrategy as SearchStrategy

from shiftsim.strategies._appspecs import FORMS as FORMS
from shiftsim.strategies._appspecs import appspecs
from shiftsim.strategies._configs import (
    InvalidConfig,
    deployment_configs,
    invalid_deployment_configs,
)
from shiftsim.strategies._rngs import default_rng as default_rng
from shiftsim.strategies._rngs import rngs
from shiftsim.strategies._server import faults, fleets, server_deployments
from shiftsim.strategies._traffic import ALARM_NAMES as ALARM_NAMES
from shiftsim.strategies._traffic import (
    alarms,
    ecs_deployments,
    hooks,
    lambda_deployments,
    versions,
)

__all__ = [
    "InvalidConfig",
    "alarms",
    "appspecs",
    "deployment_configs",
    "ecs_deployments",
    "faults",
    "fleets",
    "hooks",
    "invalid_deployment_configs",
    "lambda_deployments",
    "rngs",
    "server_deployments",
    "versions",
]
