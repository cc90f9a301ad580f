"""What a finished run did, in CodeDeploy's terms: :func:`explain`, the text of the assertions'
messages."""

from __future__ import annotations

from typing import Any

from shiftsim.montecarlo import MonteCarloResult, ServerMonteCarloResult
from shiftsim.results import TrafficRun
from shiftsim.vocabulary import DeploymentStatus, InstanceStatus

__all__ = ["LAMBDA_HOOK_EVENTS", "PENDING_INSTANCE_STATUSES", "TERMINAL", "explain"]


#: Deployment statuses a deployment ends in (API:DeploymentStatus).
TERMINAL = tuple(s.value for s in DeploymentStatus if s.terminal)
LAMBDA_HOOK_EVENTS = ("BeforeAllowTraffic", "AfterAllowTraffic")
#: Instance statuses that are not final (API:InstanceStatus).
PENDING_INSTANCE_STATUSES = (InstanceStatus.PENDING.value, InstanceStatus.IN_PROGRESS.value)


def _traffic(run: Any) -> TrafficRun | None:
    """The TrafficRun behind a Lambda or ECS result (EcsRun wraps one), or None for Server."""
    if isinstance(run, TrafficRun):
        return run
    inner = getattr(run, "run", None)
    return inner if isinstance(inner, TrafficRun) else None


def _minute(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60.0:g}"


def _alarm_lines(run: TrafficRun) -> list[str]:
    out = run.outcome
    lines = []
    for alarm, history in zip(run.plan.alarms, run.trace.alarm_states):
        fired = [t for t, state in history if state == "ALARM"]
        if fired:
            lines.append(
                f"alarm {alarm.name!r} ({alarm.describe()}) entered ALARM at minute "
                f"{_minute(fired[0])}"
            )
        else:
            lines.append(f"alarm {alarm.name!r} never entered ALARM (last {history[-1][1]})")
    if out.detection_time is not None:
        lines.append(f"CodeDeploy saw the alarm at minute {_minute(out.detection_time)}")
    return lines


def _explain_traffic(run: TrafficRun) -> str:
    out = run.outcome
    code = f" ({out.error_code})" if out.error_code else ""
    head = (
        f"{run.plan.platform} deployment {run.deployment_id} ended {out.status}{code} at minute "
        f"{_minute(out.end_time)}"
    )
    if out.rolled_back:
        head += f" and was rolled back (rollback deployment {run.rollback_deployment_id})"
    elif out.status != DeploymentStatus.SUCCEEDED:
        head += ", not rolled back"
    lines = [head + "."]
    if run.error_message:
        lines.append(f"error message: {run.error_message}")
    peak = max(percent for _, percent in run.trace.weights)
    lines.append(
        f"the target version took up to {peak}% of traffic (now {out.final_percent}%) and served "
        f"{out.target_invocations} invocations with {out.target_errors} errors; the original "
        f"served {out.current_invocations} with {out.current_errors} errors."
    )
    lines += _alarm_lines(run)
    steps = [f"{phase.name} {status}" for phase, status, _ in run.trace.phases_run]
    if steps:
        lines.append("lifecycle: " + ", ".join(steps))
    return "\n  ".join(lines)


def _explain_server(run: Any) -> str:
    summary = run.summary()
    code = f" ({run.error_code})" if run.error_code else ""
    head = (
        f"Server deployment {run.deployment_id} ended {run.status}{code} at minute "
        f"{run.duration / 60.0:g}"
    )
    if run.rolled_back:
        head += f" and set off rollback {run.rollback_deployment_id} ({summary['rollback_status']})"
    lines = [head + "."]
    if run.error_message:
        lines.append(f"error message: {run.error_message}")
    lines.append(
        f"{summary['succeeded']} of {summary['instances']} instances succeeded, "
        f"{summary['failed']} failed, {summary['skipped']} skipped; minimum healthy "
        f"{summary['minimum_healthy']}, lowest healthy {summary['lowest_healthy']}."
    )
    frame = run.instances
    failed = frame[
        (frame["deployment_id"] == run.deployment_id)
        & (frame["status"] == InstanceStatus.FAILED.value)
    ]
    for row in failed.head(5).itertuples(index=False):
        lines.append(
            f"instance {row.instance_id} failed at {row.failed_event}: {row.error_code} "
            f"{row.message or ''}".rstrip()
        )
    return "\n  ".join(lines)


def explain(run: Any) -> str:
    """What a finished run came to, in CodeDeploy's terms (the text assertion messages use).

    Parameters
    ----------
    run : TrafficRun, EcsRun or ServerRun

    Examples
    --------
    >>> import shiftsim
    >>> run = shiftsim.simulate(shiftsim.LambdaDeployment("Canary10Percent5Minutes"), rng=2)
    >>> print(explain(run))  # doctest: +ELLIPSIS
    Lambda deployment d-... ended Succeeded at minute 5.
      the target version took up to 100% of traffic (now 100%) and served ... invocations ...
      lifecycle: AllowTraffic Succeeded
    """
    _one_run("explain", run)
    traffic = _traffic(run)
    if traffic is not None:
        return _explain_traffic(traffic)
    if hasattr(run, "instances") and hasattr(run, "summary"):
        return _explain_server(run)
    raise TypeError(
        f"explain: run must be a TrafficRun, EcsRun or ServerRun; got {type(run).__name__}."
    )


def _one_run(owner: str, run: Any) -> None:
    """A TypeError for a Monte Carlo result given where one run is expected."""

    if isinstance(run, (MonteCarloResult, ServerMonteCarloResult)):
        raise TypeError(
            f"{owner}: run must be one run (from shiftsim.simulate); got a "
            f"{type(run).__name__} of {run.n_runs} runs. For many runs assert on a rate: "
            "assert_rollback_rate(mc, at_least=...) or assert_escape_rate(mc, at_most=...), "
            "or check one run with mc.replay(i)."
        )


def _fail(expected: str, run: Any) -> AssertionError:
    return AssertionError(f"expected {expected}, but:\n  {explain(run)}")
