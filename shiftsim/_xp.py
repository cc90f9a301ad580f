"""The array namespace of the array kernels (array API standard, through ``array_api_compat``).

``array_api_compat`` is a dependency; where it is missing (a bare GPU machine running
``benchmarks/gpu.py`` from a checkout), numpy 2 and CuPy 14, whose main namespaces follow the
standard, are used as they are.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import numpy as np

__all__ = ["compat", "is_numpy", "namespace", "numpy_namespace", "random_module", "to_numpy"]


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


@cache
def numpy_namespace() -> Any:
    """numpy as an array API namespace, the array kernels' default: numpy itself where its main
    namespace has what they use (numpy 2.1 and later; no wrapper to call through), else
    ``array_api_compat.numpy``."""
    if all(hasattr(np, name) for name in ("astype", "permute_dims", "bool")):
        return np
    return compat("numpy")  # pragma: no cover - numpy < 2.1


def to_numpy(value: Any) -> np.ndarray:
    """``value`` as a numpy array, copied from the device for a CuPy array."""
    if not isinstance(value, np.ndarray) and hasattr(value, "get"):  # CuPy
        return np.asarray(value.get())
    return np.asarray(value)
