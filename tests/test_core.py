"""The discrete-event kernel: ordering, stop() and run(until=)."""

from __future__ import annotations

import pytest

from shiftsim.core import Priority, Simulation


def recorder(sim: Simulation):
    seen: list[tuple[float, str]] = []

    def note(label: str) -> None:
        seen.append((sim.now, label))

    return seen, note


def test_callbacks_run_in_time_order():
    sim = Simulation()
    seen, note = recorder(sim)
    for time, label in [(30.0, "c"), (10.0, "a"), (20.0, "b"), (0.0, "start")]:
        sim.schedule(time, Priority.STEP, note, label)
    assert sim.run() == 30.0
    assert seen == [(0.0, "start"), (10.0, "a"), (20.0, "b"), (30.0, "c")]


def test_same_time_runs_lower_priority_first():
    sim = Simulation()
    seen, note = recorder(sim)
    sim.schedule(5.0, Priority.STEP, note, "step")
    sim.schedule(5.0, Priority.POLL, note, "poll")
    sim.schedule(5.0, Priority.EVALUATE, note, "evaluate")
    sim.schedule(5.0, Priority.LAST, note, "last")
    sim.schedule(5.0, Priority.REACT, note, "react")
    sim.schedule(5.0, Priority.METRICS, note, "metrics")
    sim.run()
    assert [label for _, label in seen] == ["metrics", "evaluate", "react", "poll", "step", "last"]


def test_priorities_encode_cloudwatch_then_codedeploy():
    """At one instant CloudWatch evaluates, then CodeDeploy reacts and polls, then steps: so an
    alarm seen at the second of a shift stops the deployment before that shift (D2-D4)."""
    order = [
        Priority.METRICS,
        Priority.EVALUATE,
        Priority.REACT,
        Priority.POLL,
        Priority.STEP,
        Priority.LAST,
    ]
    assert order == sorted(order)
    assert len(set(order)) == len(order)


def test_same_time_and_priority_runs_in_insertion_order():
    sim = Simulation()
    seen, note = recorder(sim)
    labels = [f"e{i}" for i in range(20)]
    for label in labels:
        sim.schedule(7.0, Priority.STEP, note, label)
    sim.run()
    assert [label for _, label in seen] == labels


def test_callback_scheduled_for_now_runs_after_queued_peers_but_before_later_priorities():
    sim = Simulation()
    seen, note = recorder(sim)

    def spawn() -> None:
        note("spawn")
        sim.schedule(sim.now, Priority.STEP, note, "child")

    sim.schedule(1.0, Priority.STEP, spawn)
    sim.schedule(1.0, Priority.STEP, note, "peer")
    sim.schedule(1.0, Priority.LAST, note, "last")
    sim.run()
    assert [label for _, label in seen] == ["spawn", "peer", "child", "last"]


def test_arguments_are_passed_through():
    sim = Simulation()
    got = []
    sim.schedule(1.0, 0, lambda *args: got.append(args), 1, "two", None)
    sim.run()
    assert got == [(1, "two", None)]


def test_stop_ends_the_run_after_the_current_callback():
    sim = Simulation()
    seen, note = recorder(sim)

    def halt() -> None:
        note("halt")
        sim.stop()

    sim.schedule(1.0, Priority.STEP, note, "before")
    sim.schedule(2.0, Priority.STEP, halt)
    sim.schedule(2.0, Priority.STEP, note, "same instant, after")
    sim.schedule(3.0, Priority.STEP, note, "later")
    assert sim.run() == 2.0
    assert [label for _, label in seen] == ["before", "halt"]
    assert sim.pending == 2
    # A new run() picks up where the stopped one left off.
    assert sim.run() == 3.0
    assert [label for _, label in seen][2:] == ["same instant, after", "later"]
    assert sim.pending == 0


def test_run_until_leaves_later_callbacks_pending():
    sim = Simulation()
    seen, note = recorder(sim)
    for time in (5.0, 10.0, 15.0):
        sim.schedule(time, Priority.STEP, note, str(time))
    assert sim.run(until=12.0) == 12.0
    assert sim.now == 12.0
    assert [t for t, _ in seen] == [5.0, 10.0]
    assert sim.pending == 1
    assert sim.run() == 15.0
    assert [t for t, _ in seen] == [5.0, 10.0, 15.0]


def test_run_until_includes_callbacks_at_exactly_until():
    sim = Simulation()
    seen, note = recorder(sim)
    sim.schedule(10.0, Priority.STEP, note, "at")
    sim.schedule(10.5, Priority.STEP, note, "after")
    assert sim.run(until=10.0) == 10.0
    assert [label for _, label in seen] == ["at"]
    assert sim.pending == 1


def test_run_until_advances_the_clock_when_nothing_is_left():
    sim = Simulation()
    seen, note = recorder(sim)
    sim.schedule(2.0, Priority.STEP, note, "only")
    assert sim.run(until=60.0) == 60.0
    assert sim.now == 60.0
    assert seen == [(2.0, "only")]


def test_run_until_a_time_already_past_is_refused():
    """The clock never moves backwards: otherwise schedule() would accept the past."""
    sim = Simulation()
    sim.schedule(10.0, Priority.STEP, lambda: None)
    sim.schedule(20.0, Priority.STEP, lambda: None)
    sim.run(until=10.0)
    with pytest.raises(ValueError, match="before now"):
        sim.run(until=5.0)
    assert sim.now == 10.0
    assert sim.pending == 1


def test_run_with_nothing_scheduled_keeps_the_clock():
    sim = Simulation(start=42.0)
    assert sim.now == 42.0
    assert sim.run() == 42.0


def test_scheduling_in_the_past_is_refused():
    sim = Simulation()
    sim.schedule(10.0, Priority.STEP, lambda: None)
    sim.run()
    with pytest.raises(ValueError, match="before now"):
        sim.schedule(9.0, Priority.STEP, lambda: None)
    sim.schedule(10.0, Priority.STEP, lambda: None)  # now itself is fine
    assert sim.pending == 1
