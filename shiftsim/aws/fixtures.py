"""pytest fixtures for CodeDeploy in a box.

Import the fixture into your ``conftest.py``::

    from shiftsim.aws.fixtures import codedeploy_box  # noqa: F401

and every test that names it gets a fresh :class:`~shiftsim.aws.CodeDeployBox` (``clock="auto"``,
seed 0) answering every boto3 CodeDeploy client, and CloudWatch's alarm calls::

    def test_release(codedeploy_box):
        codedeploy_box.set_version("orders", shiftsim.Version("7", error_rate=0.05))
        report = my_pipeline.deploy(...)
        assert report["status"] == "Stopped"

For another clock or seed, write your own fixture around :func:`shiftsim.aws.mock_codedeploy`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shiftsim.aws._box import CodeDeployBox
from shiftsim.aws._inprocess import mock_codedeploy

__all__ = ["codedeploy_box"]


@pytest.fixture
def codedeploy_box() -> Iterator[CodeDeployBox]:
    """A fresh box, active for the test (``clock="auto"``, ``rng=0``)."""
    with mock_codedeploy(rng=0) as box:
        yield box
