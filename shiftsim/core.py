"""The discrete-event kernel: a clock, a heap of scheduled callbacks, and ``run``.

This is SimPy's kernel shape without processes: heap entries are ``(time, priority, seq,
callback, args)``, ties at the same time are broken by ``priority`` (lower first) and then by the
order they were scheduled in (``seq``). Callbacks schedule further callbacks; :meth:`stop` ends the
run after the current callback. Time is in **seconds**.

The platforms (Lambda, ECS, Server) are written on this kernel; nothing CodeDeploy-specific lives
here.

Examples
--------
>>> sim = Simulation()
>>> seen = []
>>> sim.schedule(5.0, 0, seen.append, "b")
>>> sim.schedule(1.0, 0, seen.append, "a")
>>> sim.run()
5.0
>>> seen
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from typing import Any

__all__ = ["Priority", "Simulation"]


class Priority:
    """Tie-break order for callbacks scheduled at the same instant (lower runs first).

    At one instant CloudWatch evaluates alarms first (``EVALUATE``), then CodeDeploy reacts to
    what happened (``REACT``: a manual stop, an instance that finished), then reads alarm state
    (``POLL``), then takes its next scheduled step (``STEP``: a hook's result, a traffic shift,
    the next lifecycle event, filling the instance window); a deployment's own end comes
    ``LAST``. So an alarm that CodeDeploy sees at the same second as a shift stops the
    deployment before that shift. ``METRICS`` comes before everything, for anything that must
    settle the data an evaluation reads.
    """

    METRICS = 0
    EVALUATE = 1
    REACT = 2
    POLL = 3
    STEP = 4
    LAST = 9


class Simulation:
    """A minimal event loop: schedule callbacks at absolute times and run them in order."""

    __slots__ = ("_heap", "_seq", "_stopped", "now")

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)
        self._heap: list[tuple[float, int, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._seq = count()
        self._stopped = False

    def schedule(
        self, time: float, priority: int, callback: Callable[..., Any], *args: Any
    ) -> None:
        """Run ``callback(*args)`` at absolute ``time`` (seconds), never in the past."""
        if time < self.now:
            raise ValueError(f"cannot schedule at {time} s, before now ({self.now} s)")
        heappush(self._heap, (time, priority, next(self._seq), callback, args))

    def stop(self) -> None:
        """End :meth:`run` once the current callback returns."""
        self._stopped = True

    @property
    def pending(self) -> int:
        """How many callbacks are still scheduled."""
        return len(self._heap)

    def due(self, priority: int) -> bool:
        """Whether a callback of ``priority`` or earlier is still to run at the current instant.

        An engine asks this to act after every reaction at one instant without a heap entry of
        its own when none is queued (the usual case).

        >>> sim = Simulation()
        >>> sim.schedule(0.0, Priority.REACT, print)
        >>> sim.due(Priority.STEP), sim.due(Priority.METRICS)
        (True, False)
        """
        heap = self._heap
        if not heap:
            return False
        first = heap[0]
        return first[0] == self.now and first[1] <= priority

    def run(self, until: float | None = None) -> float:
        """Process callbacks in time order until none remain, :meth:`stop`, or ``until``.

        Returns the clock at the end. With ``until``, callbacks scheduled after it stay pending
        and the clock advances to ``until``.
        """
        if until is not None and until < self.now:
            # Running "until" an earlier time would move the clock backwards, after which
            # schedule() would accept callbacks in the past.
            raise ValueError(f"cannot run until {until} s, before now ({self.now} s)")
        heap = self._heap
        pop = heappop
        self._stopped = False
        limit = float("inf") if until is None else until
        while heap and not self._stopped:
            if heap[0][0] > limit:
                self.now = limit
                return limit
            time, _, _, callback, args = pop(heap)
            self.now = time
            callback(*args)
        if until is not None and not self._stopped and self.now < until:
            self.now = until
        return self.now
