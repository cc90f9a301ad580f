"""The random inputs of a Server pass, in one documented layout.

Draw layout
-----------
Every random number comes from ``numpy.random.Generator(PCG64)`` streams on
``SeedSequence(seq.entropy, spawn_key=seq.spawn_key + (role, phase, stream, column))``:

* ``role``: 0 the user's deployment, 1 its rollback, 2 the ``CodeDeployAutoUpdate`` follow-up,
  ``3 + j`` the Auto Scaling launch deployment of scale-out ``j``, ``1000 + j`` the termination
  deployment of scale-in ``j`` (:mod:`.terminations`);
* ``phase``: the pass within the deployment (in-place: 0; blue/green: 0 install, 1 reroute,
  2 block originals; blue/green rollback: 0 allow originals, 1 block replacements);
* ``stream`` 0, durations: column ``j`` is slot ``j``, ``float64[n]`` seconds, one per instance of
  the pass in fleet order, drawn from the slot's duration model (a fixed duration draws nothing);
* ``stream`` 1, faults: column ``f`` is the pass's fault ``f``, ``float64[n]`` uniforms on
  ``[0, 1)``, drawn only when ``0 < probability < 1``; the fault hits instance ``i`` when
  ``u[i] < probability``;
* ``stream`` 2, order: column 0, ``float64[n]`` uniforms, drawn only with ``order="shuffle"``
  (decision D13's option: shuffle within each class of health and revision health).

Each column has its own stream, so changing one script's model never changes another's draws.
A pass's outcome is a pure function of (plan, draws, start time): each instance's lifecycle
relative to its own start is fixed by the draws (:func:`~.timeline.pass_timeline`); the window
decides only when each instance starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._engines.server.plan import PassPlan
from shiftsim._engines.server.rules import instance_order

__all__ = ["PassDraws", "draw_pass", "is_fixed", "pass_order", "sample_duration"]


@dataclass(frozen=True, slots=True, eq=False)
class PassDraws:
    """The random inputs of one pass (see the draw layout in the module docstring)."""

    durations: np.ndarray
    fault_u: tuple[np.ndarray | None, ...]
    order_u: np.ndarray | None


def _stream(seq: np.random.SeedSequence, *key: int) -> np.random.Generator:
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, *key)))
    )


def sample_duration(model: Any, rng: np.random.Generator | None, n: int) -> np.ndarray:
    """``n`` seconds drawn from a duration model: a number (fixed), an object with
    ``sample(rng, n)`` (shiftsim's Duration) or ``rvs(size=, random_state=)`` (scipy.stats).
    Negative draws are clipped to 0."""
    if isinstance(model, (int, float)) and not isinstance(model, bool):
        return np.full(n, float(model))
    if getattr(model, "is_fixed", False):
        return np.full(n, float(model.a))
    if rng is None:
        raise ValueError("a random duration model needs a generator")
    if hasattr(model, "sample"):
        out = np.asarray(model.sample(rng, n), dtype=np.float64)
    else:
        out = np.asarray(model.rvs(size=n, random_state=rng), dtype=np.float64)
    return np.maximum(out.reshape(n), 0.0)


def is_fixed(model: Any) -> bool:
    return (isinstance(model, (int, float)) and not isinstance(model, bool)) or bool(
        getattr(model, "is_fixed", False)
    )


def draw_pass(plan: PassPlan, seq: np.random.SeedSequence) -> PassDraws:
    """Draw one pass's random inputs in the documented layout."""
    n = plan.n
    key = (plan.role, plan.phase)
    durations = np.empty((n, len(plan.slots)), dtype=np.float64)
    for j, slot in enumerate(plan.slots):
        rng = None if is_fixed(slot.duration) else _stream(seq, *key, 0, j)
        durations[:, j] = sample_duration(slot.duration, rng, n)
    fault_u: list[np.ndarray | None] = []
    for f, rule in enumerate(plan.faults):
        if 0.0 < rule.probability < 1.0:
            fault_u.append(_stream(seq, *key, 1, f).random(n))
        else:
            fault_u.append(None)
    order_u = _stream(seq, *key, 2, 0).random(n) if plan.shuffle else None
    return PassDraws(durations, tuple(fault_u), order_u)


def pass_order(plan: PassPlan, draws: PassDraws) -> np.ndarray:
    """The pass's start order (D13) from its plan and draws."""
    zone = plan.zone if plan.zonal is not None else None
    return instance_order(plan.healthy, zone, draws.order_u, plan.revision)
