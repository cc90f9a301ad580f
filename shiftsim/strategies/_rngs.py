"""Seeded generators to pass as ``rng=`` inside ``@given``."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = ["default_rng", "rngs"]


class _SeededGenerator(np.random.Generator):
    """``numpy.random.default_rng(seed)`` that shows as such in a falsifying example."""

    def __init__(self, seed: int) -> None:
        super().__init__(np.random.PCG64(seed))
        self.seed = seed

    def __repr__(self) -> str:
        return f"numpy.random.default_rng({self.seed})"


def rngs() -> SearchStrategy[np.random.Generator]:
    """Seeded ``numpy.random.Generator`` objects, to pass as ``rng=`` inside ``@given``.

    pytest's function-scoped fixtures (``shiftsim_rng`` included) are created once per test,
    not once per Hypothesis example, so Hypothesis refuses them in ``@given`` tests. Draw the
    seed with the example instead: each example gets a fresh generator, a failure shrinks
    toward seed 0 and shows as ``rng=default_rng(N)``: ``numpy.random.default_rng(N)``
    replays it.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import shiftsim
    >>> @settings(max_examples=5, deadline=None)
    ... @given(rng=rngs())
    ... def test_all_at_once_succeeds(rng):
    ...     run = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=rng)
    ...     assert run.status == "Succeeded"
    >>> test_all_at_once_succeeds()
    >>> rngs().example()  # doctest: +SKIP
    numpy.random.default_rng(3102)
    """
    return st.integers(0, 2**32 - 1).map(default_rng)


def default_rng(seed: int) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, shown as such (what :func:`rngs` draws)."""
    return _SeededGenerator(seed)
