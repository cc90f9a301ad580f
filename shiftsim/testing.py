"""Test deployment tooling against CodeDeploy's behaviour: assertions and a state machine.

Assertions take a finished run (from :func:`shiftsim.simulate` or :meth:`Stepper.finish
<shiftsim.stepping.Stepper.finish>`) and, when they fail, say what happened in CodeDeploy's
terms: status, error code, when each alarm fired and when CodeDeploy saw it, how much traffic the
target took and what it served.

* :func:`assert_succeeds`
* :func:`assert_rolls_back`
* :func:`assert_stopped_by_alarm`
* :func:`assert_blast_radius`
* :func:`explain`, the text those messages are made of

Statistical assertions take a Monte Carlo result (:func:`shiftsim.monte_carlo`) and pass only
when the runs are evidence for the claim at the given confidence (a one-sided Wilson bound):

* :func:`assert_rollback_rate`
* :func:`assert_escape_rate`

Passing a Monte Carlo result to a single-run assertion (or one run to a statistical one) is a
``TypeError`` that says which to use.

:class:`DeploymentMachine` is a Hypothesis ``RuleBasedStateMachine`` that drives a Lambda or ECS
deployment step by step and checks CodeDeploy's invariants after every step; subclass it to add
your own rules and invariants. It imports Hypothesis (the ``testing`` extra); the assertions do
not need it.

Examples
--------
>>> import shiftsim
>>> from shiftsim.testing import assert_rolls_back
>>> bad = shiftsim.LambdaDeployment(
...     "Linear10PercentEvery1Minute",
...     invocations_per_minute=600,
...     target=shiftsim.Version("2", error_rate=0.3),
...     alarms=[shiftsim.Alarm("errors", threshold=0)],
... )
>>> assert_rolls_back(shiftsim.simulate(bad, rng=1), within_minutes=5)
"""

from __future__ import annotations

import math
from dataclasses import replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from shiftsim._checks import check_choice, check_number, invalid
from shiftsim.ecs import ECS_HOOK_EVENTS, EcsDeployment, EcsHooks
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.results import TrafficRun
from shiftsim.traffic import Hook

if TYPE_CHECKING:
    from shiftsim.stepping import DeploymentState, Stepper

__all__ = [
    "DeploymentMachine",
    "ServerDeploymentMachine",
    "assert_blast_radius",
    "assert_escape_rate",
    "assert_rollback_rate",
    "assert_rolls_back",
    "assert_stopped_by_alarm",
    "assert_succeeds",
    "explain",
    "fail_hook",
]

TERMINAL = ("Succeeded", "Failed", "Stopped")
LAMBDA_HOOK_EVENTS = ("BeforeAllowTraffic", "AfterAllowTraffic")
#: Instance statuses that are not final (API:InstanceStatus).
PENDING_INSTANCE_STATUSES = ("Pending", "InProgress")


# --------------------------------------------------------------------------------------------
# Explaining a run


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
    elif out.status != "Succeeded":
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
    failed = frame[(frame["deployment_id"] == run.deployment_id) & (frame["status"] == "Failed")]
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
    from shiftsim.montecarlo import MonteCarloResult, ServerMonteCarloResult

    if isinstance(run, (MonteCarloResult, ServerMonteCarloResult)):
        raise TypeError(
            f"{owner}: run must be one run (from shiftsim.simulate); got a "
            f"{type(run).__name__} of {run.n_runs} runs. For many runs assert on a rate: "
            "assert_rollback_rate(mc, at_least=...) or assert_escape_rate(mc, at_most=...), "
            "or check one run with mc.replay(i)."
        )


def _fail(expected: str, run: Any) -> AssertionError:
    return AssertionError(f"expected {expected}, but:\n  {explain(run)}")


# --------------------------------------------------------------------------------------------
# Assertions


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
    if run.status != "Succeeded":
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
    if status != "Succeeded":
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
    if run.status != "Stopped" or run.error_code != "ALARM_ACTIVE":
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


# --------------------------------------------------------------------------------------------
# Statistical assertions on many runs


def _one_sided_wilson(hits: int, n: int, confidence: float) -> tuple[float, float]:
    """Lower and upper one-sided Wilson bounds at ``confidence`` for ``hits`` of ``n``."""
    z = NormalDist().inv_cdf(confidence)
    p = hits / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = 0.0 if hits == 0 else max(0.0, centre - half)
    high = 1.0 if hits == n else min(1.0, centre + half)
    return low, high


def _assert_rate(
    owner: str,
    mc: Any,
    what: str,
    hits_of: Any,
    at_least: float | None,
    at_most: float | None,
    confidence: float,
) -> None:
    from shiftsim.montecarlo import MonteCarloResult, ServerMonteCarloResult

    if not isinstance(mc, (MonteCarloResult, ServerMonteCarloResult)):
        raise TypeError(
            f"{owner}: mc must be a Monte Carlo result (from shiftsim.monte_carlo); got "
            f"{type(mc).__name__}. For one run use assert_rolls_back or assert_succeeds."
        )
    if at_least is None and at_most is None:
        raise invalid(owner, "at_least", None, "or at_most must be given")
    for name, bound in (("at_least", at_least), ("at_most", at_most)):
        if bound is not None:
            check_number(owner, name, bound, 0.0, 1.0)
    check_number(owner, "confidence", confidence, 0.5, 1.0)
    if confidence >= 1.0:
        raise invalid(owner, "confidence", confidence, "must be in [0.5, 1)")
    frame = mc.runs
    n = len(frame)
    hits = int(hits_of(frame).sum())
    low, high = _one_sided_wilson(hits, n, confidence)
    seen = (
        f"{what} {hits}/{n} = {hits / n:.2%} (one-sided {confidence:.0%} Wilson bounds: at "
        f"least {low:.2%}, at most {high:.2%})"
    )
    if at_least is not None and low < at_least:
        raise AssertionError(
            f"expected a {what} of at least {at_least:.2%} with {confidence:.0%} confidence, "
            f"but {seen}. The true rate may be lower; or more runs may show it is not."
        )
    if at_most is not None and high > at_most:
        raise AssertionError(
            f"expected a {what} of at most {at_most:.2%} with {confidence:.0%} confidence, "
            f"but {seen}. The true rate may be higher; or more runs may show it is not."
        )


def assert_rollback_rate(
    mc: Any,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    confidence: float = 0.95,
) -> None:
    """Assert, with ``confidence``, that the share of runs rolled back is within bounds.

    Passes only when the runs are evidence: the one-sided Wilson bound at ``confidence`` must
    clear the bound (``at_least``: the lower bound; ``at_most``: the upper one). So a
    deployment whose true rate breaks the bound passes at most ``1 - confidence`` of the time,
    and one whose true rate sits right at the bound fails: give it a margin, or more runs.

    Parameters
    ----------
    mc : MonteCarloResult or ServerMonteCarloResult
    at_least, at_most : float, optional
        Bounds on the rollback rate, in [0, 1].
    confidence : float
        In [0.5, 1); default 0.95.

    Examples
    --------
    >>> import shiftsim
    >>> bad = shiftsim.LambdaDeployment("Linear10PercentEvery1Minute",
    ...     invocations_per_minute=600, target=shiftsim.Version(error_rate=0.1),
    ...     alarms=[shiftsim.Alarm("errors", threshold=0)])
    >>> mc = shiftsim.monte_carlo(bad, runs=1000, rng=1)
    >>> assert_rollback_rate(mc, at_least=0.95, confidence=0.99)
    >>> assert_rollback_rate(mc, at_most=0.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: expected a rollback rate of at most 50.00% with 95% confidence, but ...
    """
    __tracebackhide__ = True
    _assert_rate(
        "assert_rollback_rate",
        mc,
        "rollback rate",
        lambda f: f["rolled_back"].astype(bool),
        at_least,
        at_most,
        confidence,
    )


def assert_escape_rate(
    mc: Any,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    confidence: float = 0.95,
) -> None:
    """Assert, with ``confidence``, that the share of runs that Succeeded is within bounds.

    For a bad release this is the miss rate: how often it escapes to 100% of traffic. Same
    rule as :func:`assert_rollback_rate`.

    Examples
    --------
    >>> import shiftsim
    >>> bad = shiftsim.LambdaDeployment("AllAtOnce", target=shiftsim.Version(error_rate=0.1),
    ...                                 alarms=[shiftsim.Alarm("errors", threshold=0)])
    >>> assert_escape_rate(shiftsim.monte_carlo(bad, runs=500, rng=0), at_least=0.99)
    """
    __tracebackhide__ = True
    _assert_rate(
        "assert_escape_rate",
        mc,
        "escape rate",
        lambda f: f["status"].astype(str) == "Succeeded",
        at_least,
        at_most,
        confidence,
    )


# --------------------------------------------------------------------------------------------
# Building scenarios


def fail_hook(deployment: Any, event: str, *, outcome: str = "Failed") -> Any:
    """``deployment`` with the hook of lifecycle ``event`` replaced by one that fails.

    Parameters
    ----------
    deployment : LambdaDeployment or EcsDeployment
    event : str
        ``BeforeAllowTraffic`` or ``AfterAllowTraffic`` for Lambda; one of
        :data:`shiftsim.ecs.ECS_HOOK_EVENTS` for ECS.
    outcome : {"Failed", "NoResponse"}
        ``NoResponse`` never reports, so the hook fails after 3600 s (D10).

    Examples
    --------
    >>> import shiftsim
    >>> d = fail_hook(shiftsim.LambdaDeployment("AllAtOnce"), "AfterAllowTraffic")
    >>> run = shiftsim.simulate(d, rng=0)
    >>> run.status, run.error_code, run.rolled_back
    ('Failed', 'HOOK_EXECUTION_FAILURE', True)
    """
    check_choice("fail_hook", "outcome", outcome, ("Failed", "NoResponse"))
    if not isinstance(deployment, (LambdaDeployment, EcsDeployment)):
        raise invalid(
            "fail_hook", "deployment", type(deployment).__name__, "must be a Lambda or ECS one"
        )
    check_choice("fail_hook", "event", event, _hook_events(deployment))
    hooks = deployment.hooks
    if isinstance(hooks, LambdaHooks):
        by_event = {"BeforeAllowTraffic": hooks.before_allow_traffic}
        by_event["AfterAllowTraffic"] = hooks.after_allow_traffic
        old = by_event[event]
    else:
        old = hooks.for_event(event)
    name = old.function_name if old is not None else f"CodeDeployHook_{event}"
    duration = min(old.duration, 3600.0) if old is not None else 30.0
    hook = Hook(name, duration=duration, outcome=outcome)
    if isinstance(hooks, LambdaHooks):
        field = "before_allow_traffic" if event == "BeforeAllowTraffic" else "after_allow_traffic"
        new_hooks: LambdaHooks | EcsHooks = replace(hooks, **{field: hook})
    else:
        new_hooks = EcsHooks.from_events({**hooks.by_event(), event: hook})
    return replace(deployment, hooks=new_hooks)  # type: ignore[arg-type]


def _hook_events(deployment: Any) -> tuple[str, ...]:
    """The lifecycle events of ``deployment`` that can run a hook (for :func:`fail_hook`)."""
    return LAMBDA_HOOK_EVENTS if isinstance(deployment, LambdaDeployment) else ECS_HOOK_EVENTS


# --------------------------------------------------------------------------------------------
# The state machine (imports Hypothesis)

try:
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        initialize,
        invariant,
        precondition,
        rule,
    )
except ImportError:  # pragma: no cover - only without the testing extra
    DeploymentMachine: Any = None
    ServerDeploymentMachine: Any = None
else:
    from shiftsim.rollback import ManualStop
    from shiftsim.server import ScaleOut, ServerDeployment, simulate_server
    from shiftsim.stepping import start as _start
    from shiftsim.strategies import (
        deployment_configs,
        ecs_deployments,
        fleets,
        lambda_deployments,
        server_deployments,
    )

    class DeploymentMachine(RuleBasedStateMachine):  # type: ignore[no-redef]
        """Drive a Lambda or ECS deployment step by step; check CodeDeploy's invariants.

        At the start the machine draws a deployment from :attr:`deployments`, maybe makes one
        of its hooks fail (:func:`fail_hook`), and starts it with a drawn seed. Its rules then
        advance the clock, set alarm states (``SetAlarmState``), stop the deployment
        (``StopDeployment``, with or without rollback) or run it to the end. After every step it
        checks that:

        * the traffic split is a split: weights in [0, 100] that add up to 100;
        * while the deployment is in progress the target's weight never decreases;
        * after a rollback the target's weight is 0 and stays 0;
        * a deployment that ended never changes again (status, weights, error code);
        * the event log only grows, in time order, and no event is later than the clock.

        At the end it runs the deployment to completion and checks that the finished run agrees
        with the last state and with the log.

        Subclass it to change :attr:`deployments` or to add rules and invariants; use
        :attr:`stepper` to act and read, :attr:`state` for the state now and :attr:`history` for
        the states seen after each earlier step. Run it in pytest with ``TestX =
        MyMachine.TestCase``.

        Attributes
        ----------
        deployments : SearchStrategy
            What the machine deploys; default short Lambda and ECS deployments.
        max_step_minutes : int
            Longest single ``advance``.
        stepper : Stepper
            The deployment being driven.
        deployment : LambdaDeployment or EcsDeployment
            The deployment as started (with the failing hook, if any).
        history : list of DeploymentState
            The state after each step, oldest first.

        Examples
        --------
        >>> from hypothesis import settings
        >>> from hypothesis.stateful import rule
        >>> class NeverTouchTheAlias(DeploymentMachine):
        ...     @rule()
        ...     def look(self):
        ...         assert self.state.target_weight in range(101)
        >>> NeverTouchTheAlias.TestCase.settings = settings(max_examples=3, deadline=None)
        >>> NeverTouchTheAlias.TestCase().runTest()
        """

        deployments: st.SearchStrategy[Any] = st.one_of(
            lambda_deployments(configs=deployment_configs("Lambda", max_interval=10)),
            ecs_deployments(configs=deployment_configs("ECS", max_interval=10)),
        )
        max_step_minutes: int = 10

        def __init__(self) -> None:
            super().__init__()
            self.history: list[DeploymentState] = []
            self._log: list[tuple[Any, ...]] = []
            self._broken = False

        # -------------------------------------------------------------- setup
        @initialize(data=st.data())
        def start_deployment(self, data: st.DataObject) -> None:
            deployment = data.draw(self.deployments, label="deployment")
            failing = data.draw(
                st.none() | st.sampled_from(_hook_events(deployment)), label="failing_hook"
            )
            if failing is not None:
                deployment = fail_hook(deployment, failing)
            self.deployment = deployment
            stepper = _start(deployment, rng=data.draw(st.integers(0, 2**32 - 1)))
            from shiftsim.stepping import Stepper

            assert isinstance(stepper, Stepper)  # deployments() draws Lambda and ECS ones
            self.stepper: Stepper = stepper

        @property
        def state(self) -> DeploymentState:
            """The deployment's state now."""
            return self.stepper.state

        # -------------------------------------------------------------- rules
        @rule(data=st.data())
        def advance(self, data: st.DataObject) -> None:
            minutes = data.draw(st.integers(0, self.max_step_minutes), label="minutes")
            self.stepper.advance(minutes)

        @precondition(lambda self: bool(self.stepper.plan.alarms))
        @rule(data=st.data())
        def set_alarm(self, data: st.DataObject) -> None:
            names = [a.name for a in self.stepper.plan.alarms]
            name = data.draw(st.sampled_from(names), label="alarm")
            value = data.draw(st.sampled_from(("ALARM", "OK", "INSUFFICIENT_DATA")), label="to")
            self.stepper.set_alarm(name, value)

        @rule(rollback=st.none() | st.booleans())
        def stop(self, rollback: bool | None) -> None:
            self.stepper.stop(rollback=rollback)

        @rule()
        def finish(self) -> None:
            self.stepper.finish()

        # -------------------------------------------------------------- invariants
        @invariant()
        def check_codedeploy_invariants(self) -> None:
            """CodeDeploy's invariants on the state now and the states before it."""
            now = self.stepper.state
            try:
                self._check(now)
            except AssertionError:
                self._broken = True  # teardown must not bury this failure under another
                raise
            self.history.append(now)

        def _check(self, now: DeploymentState) -> None:
            earlier = self.history
            where = f"at minute {now.minute:g} ({now!r})"
            assert 0 <= now.target_weight <= 100, f"target weight out of [0, 100] {where}"
            assert sum(now.weights.values()) == 100, f"weights do not add up to 100 {where}"
            assert now.status in ("InProgress", *TERMINAL), f"unknown status {where}"
            if any(s.rolled_back for s in (*earlier, now)):
                assert now.target_weight == 0, (
                    f"the deployment was rolled back but the target still has "
                    f"{now.target_weight}% of traffic {where}"
                )
            if earlier:
                last = earlier[-1]
                assert now.minute >= last.minute, f"the clock went back {where}"
                if last.status == "InProgress" and now.status == "InProgress":
                    assert now.target_weight >= last.target_weight, (
                        f"traffic moved back to the original version while the deployment was "
                        f"in progress: {last.target_weight}% -> {now.target_weight}% {where}"
                    )
                if last.done:
                    for name in ("status", "error_code", "rolled_back", "weights"):
                        assert getattr(now, name) == getattr(last, name), (
                            f"the deployment ended {last.status} at minute {last.minute:g} but "
                            f"its {name} changed from {getattr(last, name)!r} to "
                            f"{getattr(now, name)!r} {where}"
                        )
            log = list(self.stepper.events.itertuples(index=False, name=None))
            assert log[: len(self._log)] == self._log, (
                f"events were lost or rewritten in the log {where}: had {len(self._log)}, "
                f"now {len(log)}"
            )
            times = [row[0] for row in log]
            assert times == sorted(times), f"events out of time order {where}"
            assert not times or times[-1] <= 60.0 * now.minute + 1e-6, (
                f"an event at minute {times[-1] / 60:g} is later than the clock {where}"
            )
            self._log = log

        def teardown(self) -> None:
            """Run the deployment to its end; check the last state, then the finished run."""
            if not hasattr(self, "stepper") or self._broken:
                return
            run = self.stepper.finish()
            self.check_codedeploy_invariants()
            final = self.history[-1]
            summary = f"the run ({explain(run)})\n  and the last state ({final!r})"
            assert final.done, f"the deployment never ended: {final!r}"
            assert (run.status, run.rolled_back, run.outcome.final_percent) == (
                final.status,
                final.rolled_back,
                final.target_weight,
            ), f"disagree: {summary}"
            assert math.isclose(final.minute * 60.0, run.duration, abs_tol=1e-6), (
                f"the clock ({final.minute:g} min) did not stop when the deployment ended "
                f"({run.duration / 60.0:g} min)"
            )
            events = list(run.events.itertuples(index=False, name=None))
            assert events[: len(self._log)] == self._log, (
                f"the run lost events of the log: {summary}"
            )

    class ServerDeploymentMachine(RuleBasedStateMachine):  # type: ignore[no-redef]
        """Drive an EC2/on-premises deployment step by step; check CodeDeploy's invariants.

        The Server engine runs a deployment in one go, so this machine replays it: its rules
        move the clock and take actions at the current minute (an alarm state change, a
        ``StopDeployment``, an Auto Scaling scale-out), and after each action the scenario with
        every action so far is simulated again with the same seed. Because an action at minute
        ``t`` can only change what happens from ``t`` on, the replays must agree on everything
        before it. After every step the machine checks that:

        * nothing that happened before the current minute changed (no event or finished
          instance of the log is lost or rewritten);
        * once the deployment ended, its status, error code and end never change;
        * no lifecycle event of the deployment starts after it ended;
        * in place, CodeDeploy never took the healthy count below the minimum (or below where
          it started, when it started below), and never had more than ``N - minimum``
          instances in flight.

        At the end every instance of every deployment it set off (rollback, launch, follow-up)
        is in a final status.

        Failing hooks come from the deployments themselves (``ScriptFault`` in
        :func:`~shiftsim.strategies.server_deployments`). Subclass it as
        :class:`DeploymentMachine`; :attr:`run` is the replayed run and :attr:`minute` the
        clock.

        Attributes
        ----------
        deployments : SearchStrategy
            Default ``server_deployments()`` on fleets of 1 to 6 instances.
        deployment : ServerDeployment
            The deployment as drawn (before the machine's actions).
        run : ServerRun
            The deployment with every action so far, simulated to its end.
        minute : float
            The clock, minutes since the deployment started.

        Examples
        --------
        >>> from hypothesis import settings
        >>> from hypothesis.stateful import invariant
        >>> class NoInstanceLeftBehind(ServerDeploymentMachine):
        ...     @invariant()
        ...     def every_instance_was_deployed_to_or_skipped(self):
        ...         assert len(self.run.instances) >= len(self.deployment.fleet)
        >>> NoInstanceLeftBehind.TestCase.settings = settings(max_examples=3, deadline=None)
        >>> NoInstanceLeftBehind.TestCase().runTest()
        """

        deployments: st.SearchStrategy[Any] = server_deployments(
            fleets=fleets(1, 6, conditions=True)
        )
        max_step_minutes: int = 10

        def __init__(self) -> None:
            super().__init__()
            self.minute = 0.0
            self._past: tuple[list[tuple[Any, ...]], ...] = ([], [])
            self._last: tuple[float, Any] | None = None
            self._broken = False

        @initialize(data=st.data())
        def start_deployment(self, data: st.DataObject) -> None:
            self.deployment = data.draw(self.deployments, label="deployment")
            self.seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
            self.alarm_events = list(self.deployment.alarm_events)
            self.scale_outs = list(self.deployment.scale_outs)
            self.manual_stop = self.deployment.manual_stop
            self._replay()

        def scenario(self) -> ServerDeployment:
            """The deployment with the machine's actions so far."""
            return replace(
                self.deployment,
                alarm_events=tuple(self.alarm_events),
                scale_outs=tuple(self.scale_outs),
                manual_stop=self.manual_stop,
            )

        def _replay(self) -> None:
            self.run = simulate_server(self.scenario(), rng=self.seed)

        @property
        def status(self) -> str:
            """The deployment's status at :attr:`minute`."""
            return "InProgress" if self.run.duration > 60.0 * self.minute else self.run.status

        # -------------------------------------------------------------- rules
        @rule(data=st.data())
        def advance(self, data: st.DataObject) -> None:
            self.minute += data.draw(st.integers(0, self.max_step_minutes), label="minutes")

        @precondition(lambda self: bool(self.deployment.alarms))
        @rule(data=st.data())
        def set_alarm(self, data: st.DataObject) -> None:
            name = data.draw(st.sampled_from([a.name for a in self.deployment.alarms]))
            value = data.draw(st.sampled_from(("ALARM", "OK", "INSUFFICIENT_DATA")), label="to")
            self.alarm_events.append((self.minute, name, value))
            self._replay()

        @precondition(lambda self: self.manual_stop is None)
        @rule(rollback=st.none() | st.booleans())
        def stop(self, rollback: bool | None) -> None:
            self.manual_stop = ManualStop(self.minute, rollback)
            self._replay()

        @precondition(
            lambda self: (
                self.deployment.blue_green is None
                and any(g is not None for g in self.deployment.fleet.auto_scaling_groups)
            )
        )
        @rule(count=st.integers(1, 3))
        def scale_out(self, count: int) -> None:
            group = next(g for g in self.deployment.fleet.auto_scaling_groups if g is not None)
            self.scale_outs.append(ScaleOut(self.minute, group, count))
            self._replay()

        # -------------------------------------------------------------- invariants
        @invariant()
        def check_codedeploy_invariants(self) -> None:
            """CodeDeploy's invariants on the replayed run up to the current minute."""
            try:
                self._check()
            except AssertionError:
                self._broken = True
                raise

        def _where(self) -> str:
            return f"at minute {self.minute:g}:\n  {explain(self.run)}"

        def _check(self) -> None:
            run, now = self.run, 60.0 * self.minute
            events, instances = run.events, run.instances

            def rows(frame: Any) -> list[tuple[Any, ...]]:
                # A missing value is None or NaN depending on the other rows' types: compare
                # them as one.
                return [
                    tuple(None if isinstance(v, float) and v != v else v for v in row)
                    for row in frame.itertuples(index=False, name=None)
                ]

            def history(before: float) -> tuple[list[tuple[Any, ...]], ...]:
                """Events and finished instances strictly before ``before`` seconds."""
                return (
                    rows(events[events["time"] < before]),
                    rows(instances[instances["end"] < before]),
                )

            if self._last is not None:
                before, last = self._last
                assert history(before) == self._past, (
                    f"an action at minute {self.minute:g} changed what happened before minute "
                    f"{before / 60:g} {self._where()}"
                )
                if last.duration < before:
                    assert (run.status, run.error_code, run.duration) == (
                        last.status,
                        last.error_code,
                        last.duration,
                    ), f"the deployment had ended {last.status} but changed {self._where()}"
            main = instances[instances["deployment_id"] == run.deployment_id]
            late = main[main["start"] > run.duration + 1e-6]
            assert late.empty, f"instances started after the deployment ended {self._where()}"
            if (
                self.deployment.blue_green is None
                and run.error_code != "HEALTH_CONSTRAINTS_INVALID"
            ):
                self._check_window(main)
            self._past = history(now)
            self._last = (now, run)

        def _check_window(self, main: Any) -> None:
            """Healthy count and instances in flight, rebuilt from the instances CodeDeploy
            started and finished (UG:instances-health.md)."""
            n = len(main)
            config = self.deployment.deployment_config
            if config.zonal_config is not None or n == 0:
                return
            minimum = config.minimum_healthy_hosts.minimum(n)
            fleet = self.deployment.fleet
            healthy = {
                i.id: bool(i.healthy) and not i.stopped
                for i in fleet
                if i.id in set(main.instance_id)
            }
            moves: list[tuple[float, int, int]] = []
            for row in main.itertuples(index=False):
                if row.start == row.start:  # started
                    moves.append((row.start, 1, -1 if healthy[row.instance_id] else 0))
                    moves.append((row.end, 0, 1 if row.status == "Succeeded" else 0))
            level = start = sum(healthy.values())
            low = level
            flight = peak = 0
            for _, starting, change in sorted(moves):
                level += change
                low = min(low, level)
                flight += 1 if starting else -1
                peak = max(peak, flight)
            assert low >= min(minimum, start), (
                f"the healthy count fell to {low}, below the minimum of {minimum} {self._where()}"
            )
            assert peak <= max(n - minimum, 1), (
                f"{peak} instances were in flight at once; at most {n - minimum} may be "
                f"{self._where()}"
            )

        def teardown(self) -> None:
            """Every instance of every deployment ends in a final status."""
            if not hasattr(self, "run") or self._broken:
                return
            self.minute = max(self.minute, self.run.duration / 60.0)
            self.check_codedeploy_invariants()
            statuses = set(self.run.instances["status"]) | set(self.run.lifecycle["status"])
            pending = statuses & set(PENDING_INSTANCE_STATUSES)
            assert not pending, f"instances left {sorted(pending)}:\n  {explain(self.run)}"
            assert self.run.status in TERMINAL
