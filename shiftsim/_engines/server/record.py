"""What one pass did (:class:`PassRecord`), and the seam both window engines fill
(:class:`WindowEngine`): the event core's :func:`~.core.run_window` and the array kernel's
:func:`~.kernel.window_kernel` take the same inputs and return the same record."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from shiftsim._engines.server.codes import S_FAILED, S_SUCCEEDED, S_UNKNOWN
from shiftsim._engines.server.draws import PassDraws
from shiftsim._engines.server.plan import PassPlan
from shiftsim._engines.server.timeline import Timeline, pass_timeline
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["PassEvent", "PassRecord", "WindowEngine", "installed"]

#: A deployment-level event: (second, event, status, detail).
PassEvent = tuple[float, str, str, str]


@dataclass(slots=True, eq=False)
class PassRecord:
    """What one pass did: plain arrays (pass-local, fleet order) and scalars.

    ``start`` holds each instance's start (NaN if it never started), ``final`` its status code,
    ``overrides`` the ``(rel_end, fail_event, cause)`` of instances that stopped mid-pass;
    ``end``, ``outcome``, ``error_code`` and ``message`` say how the pass ended, ``low_water``
    and ``peak`` the lowest healthy count and the most instances in flight.
    """

    plan: PassPlan
    draws: PassDraws
    timeline: Timeline
    order: np.ndarray
    t0: float
    start: np.ndarray
    final: np.ndarray
    overrides: dict[int, tuple[float, int, int]]
    end: float
    outcome: str
    error_code: str | None
    message: str
    low_water: int
    peak: int
    events: list[PassEvent]

    @classmethod
    def empty(
        cls,
        plan: PassPlan,
        draws: PassDraws,
        timeline: Timeline,
        order: np.ndarray,
        t0: float,
        healthy: int,
        events: list[PassEvent],
    ) -> PassRecord:
        """A pass with no instance: it succeeds at once."""
        return cls(
            plan,
            draws,
            timeline,
            order,
            t0,
            np.zeros(0),
            np.zeros(0, np.int8),
            {},
            t0,
            DeploymentStatus.SUCCEEDED.value,
            None,
            "",
            healthy,
            0,
            events,
        )


class WindowEngine(Protocol):
    """Walks the minimum-healthy-hosts window over one pass: from the pass's plan, draws,
    lifecycle timeline and start order, starting at ``t0`` and stopped at ``deadline`` (with
    that error code and message) unless it ends before."""

    def __call__(
        self,
        plan: PassPlan,
        draws: PassDraws,
        timeline: Timeline,
        order: np.ndarray,
        t0: float,
        deadline: float = math.inf,
        deadline_code: str | None = None,
        deadline_message: str = "",
    ) -> PassRecord: ...


def installed(rec: PassRecord) -> np.ndarray:
    """Which instances of a pass got past Install before the pass ended."""
    pp, tl = rec.plan, rec.timeline
    e_install = pp.events.index("Install")
    started = ~np.isnan(rec.start)
    fail_event = tl.fail_event.astype(np.int64)
    for i, (_, fe, _) in rec.overrides.items():
        fail_event[i] = fe
    finished = (rec.final == S_SUCCEEDED) | (rec.final == S_FAILED)
    past = (rec.final == S_SUCCEEDED) | (fail_event > e_install)
    out = started & finished & past
    cut = rec.final == S_UNKNOWN
    if cut.any():
        full = pass_timeline(pp, rec.draws, full=True)
        assert full.ev_end is not None
        done = rec.start + full.ev_end[:, e_install] <= rec.end
        out |= cut & done & ((fail_event < 0) | (fail_event > e_install))
    return out
