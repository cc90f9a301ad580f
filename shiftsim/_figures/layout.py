"""What every figure shares: the standard width, a new Axes when none is given, and
configuration names without the ``CodeDeployDefault.`` prefix (private; see
:mod:`shiftsim.plot`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

__all__ = ["WIDTH", "new_axes", "short_name"]

#: The width of a figure (inches) before its legend; each figure adds room for its own.
WIDTH = 6.4
_PREFIX = "CodeDeployDefault."


def short_name(name: str) -> str:
    """A configuration name without the ``CodeDeployDefault.`` prefix."""
    return name[len(_PREFIX) :] if name.startswith(_PREFIX) else name


def new_axes(ax: Axes | None, size: tuple[float, float] = (WIDTH, 4.0)) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new
