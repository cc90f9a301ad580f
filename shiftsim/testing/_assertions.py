"""Assertions on one finished run."""

from __future__ import annotations

from typing import Any

from shiftsim._checks import check_number, invalid
from shiftsim.testing._explain import _fail, _one_run, _traffic
from shiftsim.vocabulary import DeploymentStatus, ErrorCode

__all__ = ["assert_blast_radius", "assert_rolls_back", "assert_stopped_by_alarm", "assert_succeeds"]


def assert_succeeds(run: Any) -> None:
    """Assert that the deployment ended ``Succeeded``.

    Examples
    --------
    >>> import shiftsim
    >>> d = shiftsim.LambdaDeployment("Canary10Percent5Minutes",
    ...                               target=shiftsim.Version("2", error_rate=0.5),
    ...                               alarms=[shiftsim.Alarm("errors")])
    >>> assert_succeeds(shiftsim.simulate(d, rng=0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: expected the deployment to succeed, but:
      Lambda deployment d-... ended Stopped (ALARM_ACTIVE) at minute 2 and was rolled back ...
    ...
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this helper's
    _one_run("assert_succeeds", run)
    if run.status != DeploymentStatus.SUCCEEDED:
        raise _fail("the deployment to succeed", run)


def _rollback_end(run: Any) -> float | None:
    """When the rollback deployment ended (seconds), and its status, from ``run.deployments``."""
    frame = run.deployments
    rows = frame[frame["deployment_id"] == run.rollback_deployment_id]
    return None if rows.empty else float(rows["end"].iloc[0])


def _rollback_status(run: Any) -> str | None:
    frame = run.deployments
    rows = frame[frame["deployment_id"] == run.rollback_deployment_id]
    return None if rows.empty else str(rows["status"].iloc[0])


def assert_rolls_back(run: Any, *, within_minutes: float | None = None) -> None:
    """Assert that CodeDeploy rolled the deployment back, and that the rollback completed.

    Parameters
    ----------
    run : TrafficRun, EcsRun or ServerRun
    within_minutes : float, optional
        The rollback must have completed this many minutes after the deployment started. For
        Lambda and ECS traffic returns to the original version the moment the deployment stops;
        for EC2/on-premises the rollback is a new deployment, which must have succeeded by then.

    Examples
    --------
    >>> import shiftsim
    >>> d = shiftsim.LambdaDeployment("Canary10Percent5Minutes")
    >>> assert_rolls_back(shiftsim.simulate(d, rng=0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: expected a rollback, but:
      Lambda deployment d-... ended Succeeded at minute 5.
    ...
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this helper's
    _one_run("assert_rolls_back", run)
    if within_minutes is not None:
        check_number("assert_rolls_back", "within_minutes", within_minutes, 0.0)
    if not run.rolled_back:
        raise _fail("a rollback", run)
    status = _rollback_status(run)
    if status != DeploymentStatus.SUCCEEDED:
        raise _fail(f"rollback {run.rollback_deployment_id} to succeed (it ended {status})", run)
    end = _rollback_end(run)
    if within_minutes is not None and end is not None and end > 60.0 * within_minutes + 1e-9:
        raise _fail(
            f"a rollback within {within_minutes:g} minutes (it completed at minute {end / 60.0:g})",
            run,
        )


def _alarms_at_stop(run: Any) -> list[str]:
    """The alarms in ALARM when CodeDeploy stopped the deployment."""
    traffic = _traffic(run)
    if traffic is not None:
        when = traffic.outcome.detection_time
        if when is None:
            return []
        names = []
        for alarm, history in zip(traffic.plan.alarms, traffic.trace.alarm_states):
            state = [s for t, s in history if t <= when + 1e-9][-1]
            if state == "ALARM":
                names.append(alarm.name)
        return names
    deployment = run.deployment
    states = {a.name: a.initial_state for a in deployment.alarms}
    for minute, name, state in sorted(deployment.alarm_events, key=lambda e: e[0]):
        if 60.0 * minute <= run.duration + 1e-9:
            states[name] = state
    return [name for name, state in states.items() if state == "ALARM"]


def assert_stopped_by_alarm(
    run: Any, alarm: str | None = None, *, rolled_back: bool | None = None
) -> None:
    """Assert that an alarm stopped the deployment (``Stopped``, ``ALARM_ACTIVE``).

    Parameters
    ----------
    run : TrafficRun, EcsRun or ServerRun
    alarm : str, optional
        This alarm must have been in ALARM when CodeDeploy stopped the deployment.
    rolled_back : bool, optional
        Also require (True) or forbid (False) a rollback.

    Examples
    --------
    >>> import shiftsim
    >>> d = shiftsim.LambdaDeployment(
    ...     "Linear10PercentEvery1Minute", invocations_per_minute=600,
    ...     target=shiftsim.Version("2", error_rate=0.2),
    ...     alarms=[shiftsim.Alarm("errors"), shiftsim.Alarm("latency", metric="Duration",
    ...                                                      statistic="p99", threshold=5000)])
    >>> assert_stopped_by_alarm(shiftsim.simulate(d, rng=0), "latency")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: expected alarm 'latency' to be in ALARM when CodeDeploy stopped the \
deployment (in ALARM: ['errors']), but:
    ...
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this helper's
    _one_run("assert_stopped_by_alarm", run)
    if run.status != DeploymentStatus.STOPPED or run.error_code != ErrorCode.ALARM_ACTIVE:
        raise _fail("an alarm to stop the deployment (Stopped, ALARM_ACTIVE)", run)
    if alarm is not None:
        active = _alarms_at_stop(run)
        if alarm not in active:
            raise _fail(
                f"alarm {alarm!r} to be in ALARM when CodeDeploy stopped the deployment "
                f"(in ALARM: {active})",
                run,
            )
    if rolled_back is not None and bool(run.rolled_back) != rolled_back:
        wanted = "a rollback after the alarm" if rolled_back else "no rollback after the alarm"
        raise _fail(wanted, run)


def assert_blast_radius(
    run: Any,
    *,
    max_target_errors: int | None = None,
    max_target_invocations: int | None = None,
) -> None:
    """Assert that the new version hurt few callers before the deployment ended.

    Counts what the target version (ECS: the replacement task set) served from the start until
    the deployment succeeded, stopped or rolled back.

    Parameters
    ----------
    run : TrafficRun or EcsRun
    max_target_errors : int, optional
        Most failed invocations (requests) the target may have served.
    max_target_invocations : int, optional
        Most invocations (requests) it may have served at all.

    Examples
    --------
    >>> import shiftsim
    >>> d = shiftsim.LambdaDeployment("Linear10PercentEvery1Minute", invocations_per_minute=1000,
    ...                               target=shiftsim.Version("2", error_rate=0.1),
    ...                               alarms=[shiftsim.Alarm("errors", threshold=10)])
    >>> assert_blast_radius(shiftsim.simulate(d, rng=0), max_target_errors=10)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: expected the target to serve at most 10 errors (it served ...), but:
    ...
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this helper's
    _one_run("assert_blast_radius", run)
    traffic = _traffic(run)
    if traffic is None:
        raise TypeError(
            "assert_blast_radius: run must be a Lambda or ECS run (TrafficRun or EcsRun); for a "
            f"ServerRun look at run.instances instead. Got {type(run).__name__}."
        )
    if max_target_errors is None and max_target_invocations is None:
        raise invalid(
            "assert_blast_radius",
            "max_target_errors",
            None,
            "or max_target_invocations must be given",
        )
    out = traffic.outcome
    if max_target_errors is not None and out.target_errors > max_target_errors:
        raise _fail(
            f"the target to serve at most {max_target_errors} errors (it served "
            f"{out.target_errors})",
            run,
        )
    if max_target_invocations is not None and out.target_invocations > max_target_invocations:
        raise _fail(
            f"the target to serve at most {max_target_invocations} invocations (it served "
            f"{out.target_invocations})",
            run,
        )
