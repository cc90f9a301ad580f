"""The shiftsim pytest plugin: seeded random generators that are reported when a test fails.

Installed with shiftsim, pytest loads it on its own (entry point ``pytest11``, name
``shiftsim``; disable it with ``-p no:shiftsim``). Do not also list it in ``pytest_plugins``:
pytest would refuse to register it twice. It adds:

* the fixtures :func:`shiftsim_seed` (an ``int``) and :func:`shiftsim_rng` (a
  ``numpy.random.Generator`` on that seed), different for each test, reproducible from one
  session seed;
* the option ``--shiftsim-seed=N`` to set the session seed (by default a fresh random one,
  printed in the header of the run);
* on failure, a "shiftsim" section in the test's report and a terminal summary with the seed of
  every failed test that used the fixtures, and the command that replays them;
* the assertion helpers of :mod:`shiftsim.testing`, importable from here too
  (``from shiftsim.pytest_plugin import assert_rolls_back``).

Inside ``@given``
-----------------
Hypothesis runs a ``@given`` test many times but pytest creates a function-scoped fixture once
per test, so Hypothesis refuses ``shiftsim_rng`` there (health check
``function_scoped_fixture``): one Generator would be shared, and drawn from, by every example.
Draw the seed with the example instead, with :func:`shiftsim.strategies.rngs`; a failure then
shrinks to a small seed and shows as ``rng=default_rng(N)`` (numpy's, which replays it)::

    from hypothesis import given
    from shiftsim.strategies import lambda_deployments, rngs

    @given(lambda_deployments(), rngs())
    def test_x(deployment, rng):
        run = shiftsim.simulate(deployment, rng=rng)

``shiftsim_seed`` is an ``int`` and never changes, so sharing it between examples is harmless:
to use it in ``@given``, say so with
``@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])``.

Examples
--------
A test in a user's suite::

    import shiftsim
    from shiftsim.testing import assert_succeeds

    def test_canary_of_a_healthy_release_succeeds(shiftsim_rng):
        deployment = shiftsim.LambdaDeployment("Canary10Percent5Minutes")
        assert_succeeds(shiftsim.simulate(deployment, rng=shiftsim_rng))

If it fails, the report says::

    ---- shiftsim ----
    shiftsim_seed was 3645139661, shiftsim_rng numpy.random.default_rng(3645139661) (session
    seed 1234).
    Replay: pytest --shiftsim-seed=1234 'tests/test_x.py::test_canary...'
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

if TYPE_CHECKING:
    from shiftsim.testing import (
        assert_blast_radius,
        assert_escape_rate,
        assert_rollback_rate,
        assert_rolls_back,
        assert_stopped_by_alarm,
        assert_succeeds,
        explain,
    )

__all__ = [
    "assert_blast_radius",
    "assert_escape_rate",
    "assert_rollback_rate",
    "assert_rolls_back",
    "assert_stopped_by_alarm",
    "assert_succeeds",
    "explain",
    "shiftsim_rng",
    "shiftsim_seed",
]

_HELPERS = (
    "assert_blast_radius",
    "assert_escape_rate",
    "assert_rollback_rate",
    "assert_rolls_back",
    "assert_stopped_by_alarm",
    "assert_succeeds",
    "explain",
)
SESSION_SEED = pytest.StashKey[int]()
TEST_SEED = pytest.StashKey[int]()
FAILED = pytest.StashKey[list[tuple[str, int]]]()


def __getattr__(name: str) -> Any:
    # The helpers live in shiftsim.testing; importing it only when asked keeps pytest's start-up
    # cheap in every project that merely has shiftsim installed.
    if name in _HELPERS:
        from shiftsim import testing

        return getattr(testing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("shiftsim", "shiftsim deployment simulations")
    group.addoption(
        "--shiftsim-seed",
        type=int,
        default=None,
        metavar="N",
        help="Session seed for the shiftsim_seed and shiftsim_rng fixtures (default: random, "
        "printed in the header). Each test's seed is derived from it and the test's id.",
    )


def pytest_configure(config: pytest.Config) -> None:
    seed = config.getoption("shiftsim_seed", default=None)
    if seed is None:
        seed = secrets.randbits(32)
    elif seed < 0:
        raise pytest.UsageError(f"--shiftsim-seed must be a non-negative integer; got {seed}.")
    config.stash[SESSION_SEED] = int(seed)
    config.stash[FAILED] = []


def pytest_report_header(config: pytest.Config) -> str:
    return f"shiftsim: --shiftsim-seed={config.stash[SESSION_SEED]}"


def seed_for_test(session_seed: int, nodeid: str) -> int:
    """The seed of test ``nodeid`` in a session seeded with ``session_seed`` (a 32-bit int).

    Examples
    --------
    >>> seed_for_test(1234, "tests/test_x.py::test_a")
    3645139661
    """
    sequence = np.random.SeedSequence([session_seed, zlib.crc32(nodeid.encode())])
    return int(sequence.generate_state(1)[0])


@pytest.fixture
def shiftsim_seed(request: pytest.FixtureRequest) -> int:
    """A seed for this test (an ``int``, pass it as ``rng=``), reported if the test fails."""
    seed = seed_for_test(request.config.stash[SESSION_SEED], request.node.nodeid)
    request.node.stash[TEST_SEED] = seed
    return seed


@pytest.fixture
def shiftsim_rng(shiftsim_seed: int) -> np.random.Generator:
    """A ``numpy.random.Generator`` seeded with :func:`shiftsim_seed`, reported on failure.

    Pass it as ``rng=`` to :func:`shiftsim.simulate`, :func:`shiftsim.start` or
    :func:`shiftsim.monte_carlo`; each call draws a fresh seed from it. Not for ``@given``
    tests: use :func:`shiftsim.strategies.rngs` there (see the module's docstring).
    """
    return np.random.default_rng(shiftsim_seed)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    seed = item.stash.get(TEST_SEED, None)
    if seed is None or not report.failed:
        return
    session = item.config.stash[SESSION_SEED]
    report.sections.append(
        (
            "shiftsim",
            f"shiftsim_seed was {seed}, shiftsim_rng numpy.random.default_rng({seed}) "
            f"(session seed {session}).\nReplay: pytest --shiftsim-seed={session} "
            f"'{item.nodeid}'",
        )
    )
    failed = item.config.stash[FAILED]
    if (item.nodeid, seed) not in failed:
        failed.append((item.nodeid, seed))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    failed = config.stash.get(FAILED, [])
    if not failed:
        return
    session = config.stash[SESSION_SEED]
    terminalreporter.section("shiftsim seeds of failed tests")
    for nodeid, seed in failed:
        terminalreporter.write_line(f"{nodeid}: seed {seed}")
    terminalreporter.write_line(f"Replay them with: pytest --shiftsim-seed={session}")
