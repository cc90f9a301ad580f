"""The array namespace of the array kernels (array API standard, through ``array_api_compat``).

``array_api_compat`` is a dependency; where it is missing (a bare GPU machine running
``benchmarks/gpu.py`` from a checkout), numpy 2 and CuPy 14, whose main namespaces follow the
standard, are used as they are.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["compat", "is_numpy", "namespace", "random_module"]


def namespace(*arrays: Any) -> Any:
    """The array API namespace of ``arrays``."""
    try:
        from array_api_compat import array_namespace
    except ImportError:  # pragma: no cover - array_api_compat is a dependency
        return importlib.import_module(type(arrays[0]).__module__.split(".")[0])
    return array_namespace(*arrays)


def compat(name: str) -> Any:
    """The array API namespace of the library ``name`` ("numpy", "cupy")."""
    try:
        return importlib.import_module(f"array_api_compat.{name}")
    except Exception:  # pragma: no cover - no array_api_compat, or it cannot wrap this build
        return importlib.import_module(name)


def is_numpy(xp: Any) -> bool:
    """Whether ``xp`` is numpy (plain or wrapped)."""
    return getattr(xp, "__name__", "") in ("numpy", "array_api_compat.numpy")


def random_module(xp: Any) -> Any:
    """The random module of the library behind ``xp`` (``cupy.random``, ``numpy.random``)."""
    name = getattr(xp, "__name__", "numpy")
    return importlib.import_module("cupy.random" if "cupy" in name else "numpy.random")
