"""Test deployment tooling against CodeDeploy's behaviour: assertions and a state machine.

Assertions take a finished run (from :func:`shiftsim.simulate` or :meth:`Stepper.finish
<shiftsim.stepping.Stepper.finish>`) and, when they fail, say what happened in CodeDeploy's
terms: status, error code, when each alarm fired and when CodeDeploy saw it, how much traffic the
target took and what it served.

* :func:`assert_succeeds`
* :func:`assert_rolls_back`
* :func:`assert_stopped_by_alarm`
* :func:`assert_blast_radius`
* :func:`explain`, the text those messages are made of

Statistical assertions take a Monte Carlo result (:func:`shiftsim.monte_carlo`) and pass only
when the runs are evidence for the claim at the given confidence (a one-sided Wilson bound):

* :func:`assert_rollback_rate`
* :func:`assert_escape_rate`

Passing a Monte Carlo result to a single-run assertion (or one run to a statistical one) is a
``TypeError`` that says which to use.

:class:`DeploymentMachine` is a Hypothesis ``RuleBasedStateMachine`` that drives a Lambda or ECS
deployment step by step and checks CodeDeploy's invariants after every step; subclass it to add
your own rules and invariants. It imports Hypothesis (the ``testing`` extra); the assertions do
not need it.

One module per concept: :mod:`._explain`, :mod:`._assertions` (one run), :mod:`._rates` (many
runs), :mod:`._hooks` (:func:`fail_hook`) and :mod:`._machines` (the state machines).

Examples
--------
>>> import shiftsim
>>> from shiftsim.testing import assert_rolls_back
>>> bad = shiftsim.LambdaDeployment(
...     "Linear10PercentEvery1Minute",
...     invocations_per_minute=600,
...     target=shiftsim.Version("2", error_rate=0.3),
...     alarms=[shiftsim.Alarm("errors", threshold=0)],
... )
>>> assert_rolls_back(shiftsim.simulate(bad, rng=1), within_minutes=5)
"""

from __future__ import annotations

from typing import Any

from shiftsim.testing._assertions import (
    assert_blast_radius,
    assert_rolls_back,
    assert_stopped_by_alarm,
    assert_succeeds,
)

# Also importable from here, as before the split (not in __all__).
from shiftsim.testing._explain import LAMBDA_HOOK_EVENTS as LAMBDA_HOOK_EVENTS
from shiftsim.testing._explain import PENDING_INSTANCE_STATUSES as PENDING_INSTANCE_STATUSES
from shiftsim.testing._explain import TERMINAL as TERMINAL
from shiftsim.testing._explain import explain
from shiftsim.testing._hooks import fail_hook
from shiftsim.testing._rates import assert_escape_rate, assert_rollback_rate

try:
    import hypothesis  # noqa: F401
except ImportError:  # pragma: no cover - only without the testing extra
    DeploymentMachine: Any = None
    ServerDeploymentMachine: Any = None
else:
    from shiftsim.testing._machines import DeploymentMachine, ServerDeploymentMachine

__all__ = [
    "DeploymentMachine",
    "ServerDeploymentMachine",
    "assert_blast_radius",
    "assert_escape_rate",
    "assert_rollback_rate",
    "assert_rolls_back",
    "assert_stopped_by_alarm",
    "assert_succeeds",
    "explain",
    "fail_hook",
]
