"""Building failing scenarios: :func:`fail_hook`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shiftsim._checks import check_choice, invalid
from shiftsim.ecs import ECS_HOOK_EVENTS, EcsDeployment, EcsHooks
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.testing._explain import LAMBDA_HOOK_EVENTS
from shiftsim.traffic import NO_RESPONSE, Hook
from shiftsim.vocabulary import HookStatus

__all__ = ["fail_hook"]


def fail_hook(deployment: Any, event: str, *, outcome: str = HookStatus.FAILED.value) -> Any:
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
    check_choice("fail_hook", "outcome", outcome, (HookStatus.FAILED.value, NO_RESPONSE))
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
