"""The package's shape (STYLE.md "Shape of the package"): ``__all__`` in every module, no private
name imported across module boundaries except inside one subpackage, no import cycles among the
modules this layout covers."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import shiftsim

ROOT = Path(shiftsim.__file__).parent
MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(shiftsim.__path__, "shiftsim.")
    if name != "shiftsim.pytest_plugin"
)


def _source(name: str) -> ast.Module:
    module = importlib.import_module(name)
    return ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_all(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), (list, tuple)), name
    for item in module.__all__:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which it lacks"


def _package(name: str) -> str:
    return name.rsplit(".", 1)[0]


def _home(name: str) -> str:
    """The subpackage a module belongs to: itself for a package's ``__init__``."""
    module = importlib.import_module(name)
    return name if hasattr(module, "__path__") else _package(name)


@pytest.mark.parametrize("name", MODULES)
def test_no_private_name_crosses_a_module_boundary(name: str) -> None:
    """``from shiftsim.x import _y`` only within x's own subpackage (shiftsim itself is none)."""
    for node in ast.walk(_source(name)):
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("shiftsim")):
            continue
        source = str(node.module)
        for alias in node.names:
            if not alias.name.startswith("_") or f"{source}.{alias.name}" in MODULES:
                continue  # public names, and private *modules* (shiftsim._registry)
            same = _package(source) == _home(name) and _home(name) != "shiftsim"
            assert same, f"{name} imports the private name {alias.name} from {source}"
