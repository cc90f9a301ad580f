"""shiftsim.aws's docstring examples run, its modules declare ``__all__``, and the fixture
module works as documented."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import boto3
import pytest

import shiftsim.aws
from shiftsim.aws.fixtures import codedeploy_box  # noqa: F401 - the documented import

MODULES = sorted(
    name for _, name, _ in pkgutil.iter_modules(shiftsim.aws.__path__, "shiftsim.aws.")
)


@pytest.mark.parametrize("name", ["shiftsim.aws", *MODULES])
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_fixture(codedeploy_box):  # noqa: F811
    cd = boto3.client("codedeploy", region_name="us-east-1")
    cd.create_application(applicationName="shop")
    assert list(codedeploy_box.applications) == ["shop"]


def test_box_repr_and_bad_arguments():
    box = shiftsim.aws.CodeDeployBox(clock="manual")
    assert "clock=manual" in repr(box)
    with pytest.raises(shiftsim.ConfigError, match="clock"):
        shiftsim.aws.CodeDeployBox(clock="sometimes")
    with pytest.raises(TypeError, match="Version"):
        box.set_version("f", "2")
