"""A deployment in progress inside the box, driven by :func:`shiftsim.start`.

Lambda and ECS deployments run on a :class:`shiftsim.Stepper`. Their hooks are not known in
advance (the user's code answers ``PutLifecycleEventHookExecutionStatus`` when it likes), so each
hook starts as one that never answers (it fails after 3600 s, codedeploy-api.md section 5). When
an answer arrives the deployment is replayed from the same seed with that hook taking exactly
that long; the actions taken so far (``StopDeployment``, ``SetAlarmState``) are replayed at the
minutes they were taken, so the past is unchanged and only the future moves.

EC2/on-premises deployments run on a :class:`shiftsim.ServerStepper`, which replays by itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

import shiftsim
from shiftsim import vocabulary
from shiftsim.aws._protocol import AwsError
from shiftsim.vocabulary import (
    DeploymentStatus,
    HookStatus,
    InstanceStatus,
    LifecycleErrorCode,
    LifecycleEventStatus,
)

__all__ = ["HookCall", "LiveServer", "LiveTraffic"]

HOOK_TIMEOUT_SECONDS = float(vocabulary.LIFECYCLE_EVENT_TIMEOUT_SECONDS)
#: Lifecycle events in order, with the pseudo-events Start and End.
LAMBDA_EVENTS = ("Start", *vocabulary.LAMBDA_EVENTS, "End")
ECS_EVENTS = ("Start", *vocabulary.ECS_EVENTS, "End")
HOOKS = frozenset(vocabulary.HOOKABLE_EVENTS["Lambda"]) | set(vocabulary.HOOKABLE_EVENTS["ECS"])
_PENDING = LifecycleEventStatus.PENDING.value
_UNKNOWN_ERROR = LifecycleErrorCode.UNKNOWN_ERROR.value


@dataclass
class HookCall:
    """One lifecycle hook execution of a Lambda or ECS deployment."""

    deployment_id: str
    event: str
    function_name: str
    execution_id: str
    start_minute: float
    answer: tuple[float, str] | None = None  # (minute, "Succeeded" | "Failed")
    called: bool = False

    def payload(self) -> dict[str, str]:
        """The event CodeDeploy passes to the hook function (the documented keys)."""
        return {
            "DeploymentId": self.deployment_id,
            "LifecycleEventHookExecutionId": self.execution_id,
        }


HookFunction = Callable[[dict[str, str]], Any]


def execution_id(deployment_id: str, event: str) -> str:
    digest = hashlib.sha256(f"{deployment_id}/{event}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


class LiveTraffic:
    """A Lambda or ECS deployment in the box."""

    def __init__(
        self,
        deployment: Any,
        seed: np.random.SeedSequence,
        hooks: dict[str, str],
        functions: Callable[[str], tuple[HookFunction, float] | None],
    ) -> None:
        self.base = deployment
        self.seed = seed
        self.hook_names = hooks  # event -> function name
        self.functions = functions
        self.actions: list[tuple[float, str, Any]] = []
        self.calls: dict[str, HookCall] = {}
        self._answer_minute: float | None = None
        self.stepper = self._replay(0.0)
        self.deployment_id = self.stepper.deployment_id

    # ------------------------------------------------------------------ replay
    def _deployment(self) -> Any:
        hooks: dict[str, Any] = {}
        for event, function in self.hook_names.items():
            call = self.calls.get(event)
            if call is not None and call.answer is not None:
                minute, outcome = call.answer
                duration = max(0.0, (minute - call.start_minute) * 60.0)
                hooks[event] = shiftsim.Hook(function, duration=duration, outcome=outcome)
            else:
                hooks[event] = shiftsim.Hook(
                    function, duration=HOOK_TIMEOUT_SECONDS, outcome="NoResponse"
                )
        pair: Any
        if isinstance(self.base, shiftsim.LambdaDeployment):
            pair = shiftsim.LambdaHooks(
                hooks.get("BeforeAllowTraffic"), hooks.get("AfterAllowTraffic")
            )
        else:
            pair = shiftsim.EcsHooks.from_events(hooks)
        return replace(self.base, hooks=pair)

    def _replay(self, minute: float) -> Any:
        stepper = shiftsim.start(self._deployment(), rng=self.seed)
        for at, kind, arg in sorted(self.actions, key=lambda a: a[0]):
            if at > minute:
                break
            stepper.advance(max(0.0, at - stepper.minute))
            if stepper.done:
                break
            if kind == "stop":
                stepper.stop(rollback=arg)
            else:
                stepper.set_alarm(*arg)
        stepper.advance(max(0.0, minute - stepper.minute))
        return stepper

    # ------------------------------------------------------------------ reading
    @property
    def minute(self) -> float:
        return float(self.stepper.minute)

    @property
    def done(self) -> bool:
        return bool(self.stepper.done)

    def sync(self, minute: float) -> None:
        """Advance to ``minute`` (never back), calling registered hook functions as their
        hooks start."""
        minute = max(minute, self.minute)
        while True:
            self.stepper.advance(max(0.0, minute - self.stepper.minute))
            started = self._new_hooks()
            if not started:
                return
            replay = False
            for call in started:
                replay |= self._call(call)
            if replay:
                self.stepper = self._replay(minute)

    def finish(self, limit_minutes: float = 7 * 24 * 60.0) -> float:
        """Run to the end (bounded); return the minute it ended."""
        self.sync(self.minute)
        step = 60.0
        while not self.done and self.minute < limit_minutes:
            self.sync(self.minute + step)
        return self.end_minute() or self.minute

    def _new_hooks(self) -> list[HookCall]:
        if len(self.calls) == len(self.hook_names):
            return []  # every hook already started (or there are none)
        events = self.stepper.events
        running = events["status"] == LifecycleEventStatus.IN_PROGRESS.value
        rows = events[running & events["event"].isin(self.hook_names)]
        out = []
        for event, minute in zip(rows["event"].tolist(), rows["minute"].tolist()):
            if event in self.calls:
                continue
            call = HookCall(
                self.deployment_id,
                event,
                self.hook_names[event],
                execution_id(self.deployment_id, event),
                float(minute),
            )
            self.calls[event] = call
            out.append(call)
        return out

    def _call(self, call: HookCall) -> bool:
        """Play the hook function if one is registered; True if it answered."""
        found = self.functions(call.function_name)
        if found is None:
            return False
        function, duration = found
        call.called = True
        self._answer_minute = call.start_minute + duration / 60.0
        try:
            result = function(call.payload())
        finally:
            self._answer_minute = None
        if call.answer is None and result in tuple(HookStatus):
            call.answer = (call.start_minute + duration / 60.0, result)
        return call.answer is not None

    def hook_for(self, execution: str) -> HookCall | None:
        for call in self.calls.values():
            if call.execution_id == execution:
                return call
        return None

    def answer(self, call: HookCall, status: str) -> None:
        """``PutLifecycleEventHookExecutionStatus`` for ``call``, now (or at the simulated
        instant the hook function answers, when called from one)."""
        if call.answer is not None or not self._hook_running(call):
            raise AwsError(
                "LifecycleEventAlreadyCompletedException",
                f"The lifecycle event {call.event} of deployment {call.deployment_id} has "
                "already completed.",
            )
        at = self._answer_minute if self._answer_minute is not None else self.minute
        call.answer = (at, status)
        if self._answer_minute is None:
            self.stepper = self._replay(self.minute)

    def _hook_running(self, call: HookCall) -> bool:
        if self._answer_minute is not None:
            return True
        events = self.stepper.events
        ended = events[
            (events["event"] == call.event)
            & (events["status"] != LifecycleEventStatus.IN_PROGRESS.value)
        ]
        return ended.empty

    def stop(self, rollback: bool | None) -> None:
        self.actions.append((self.minute, "stop", rollback))
        self.stepper.stop(rollback=rollback)

    def set_alarm(self, name: str, state: str) -> None:
        if name in self.alarm_names and not self.done:
            self.actions.append((self.minute, "alarm", (name, state)))
            self.stepper.set_alarm(name, state)

    @property
    def alarm_names(self) -> list[str]:
        return [a.name for a in self.base.alarms]

    def alarm_state(self, name: str) -> str | None:
        return self.stepper.state.alarm_states.get(name)

    # ------------------------------------------------------------------ reporting
    def end_minute(self) -> float | None:
        if not self.done:
            return None
        return float(self.stepper.run.duration) / 60.0

    def status(self) -> str:
        return str(self.stepper.state.status)

    def error(self) -> tuple[str, str] | None:
        if not self.done:
            return None
        run = self.stepper.run
        if run.error_code is None:
            return None
        return str(run.error_code), str(run.error_message or run.error_code)

    def rollback_id(self) -> str | None:
        if not self.done:
            return None
        run = self.stepper.run
        rid = run.rollback_deployment_id
        return None if rid is None or not run.rolled_back else str(rid)

    def extra_deployments(self) -> list[dict[str, Any]]:
        """The rollback deployment, reported as succeeded at the instant traffic returned
        (as :func:`shiftsim.to_get_deployment` reports it)."""
        rollback = self.rollback_id()
        end = self.end_minute()
        if rollback is None or end is None:
            return []
        return [
            {
                "id": rollback,
                "creator": "codeDeployRollback",
                "status": DeploymentStatus.SUCCEEDED.value,
                "start": end,
                "end": end,
                "error": None,
                "rollback_of": self.deployment_id,
            }
        ]

    def lifecycle(self, created: datetime) -> list[dict[str, Any]]:
        """``lifecycleEvents`` of the single target so far."""
        events = self.stepper.events
        order = LAMBDA_EVENTS if isinstance(self.base, shiftsim.LambdaDeployment) else ECS_EVENTS
        seen = set(events["event"])
        names = [n for n in order if n in seen or n in self.hook_names or n not in HOOKS]
        out = []
        for name in names:
            rows = events[events["event"] == name]
            item: dict[str, Any] = {"lifecycleEventName": name, "status": _PENDING}
            if not rows.empty:
                first, last = rows.iloc[0], rows.iloc[-1]
                item["startTime"] = created + timedelta(minutes=float(first["minute"]))
                status = str(last["status"])
                item["status"] = status
                if status != LifecycleEventStatus.IN_PROGRESS:
                    item["endTime"] = created + timedelta(minutes=float(last["minute"]))
                    succeeded = status == LifecycleEventStatus.SUCCEEDED
                    code = LifecycleErrorCode.SUCCESS.value if succeeded else _UNKNOWN_ERROR
                    item["diagnostics"] = {
                        "errorCode": code,
                        "message": str(last["detail"] or status),
                    }
            elif self.done:
                item["status"] = LifecycleEventStatus.SKIPPED.value
            out.append(item)
        return out

    def target_weight(self) -> int:
        return int(self.stepper.state.target_weight)


class LiveServer:
    """An EC2/on-premises deployment in the box, replayed from its seed with the actions taken
    (as :class:`shiftsim.ServerStepper` does)."""

    hook_names: dict[str, str] = {}  # noqa: RUF012 - no API hooks for Server deployments
    calls: dict[str, HookCall] = {}  # noqa: RUF012

    def __init__(self, deployment: Any, seed: np.random.SeedSequence) -> None:
        self.base = deployment
        self.seed = seed
        self._minute = 0.0
        self._alarm_events = list(deployment.alarm_events)
        self._stop = deployment.manual_stop
        self._continue_after: float | None = None
        self._cached: Any = None
        self.deployment_id = str(self._run().deployment_id)

    def _run(self) -> Any:
        if self._cached is None:
            scenario = replace(
                self.base, alarm_events=tuple(self._alarm_events), manual_stop=self._stop
            )
            if self._continue_after is not None:
                scenario = replace(
                    scenario,
                    blue_green=replace(
                        scenario.blue_green, continue_after_minutes=self._continue_after
                    ),
                )
            self._cached = shiftsim.simulate(scenario, rng=self.seed)
        return self._cached

    @property
    def minute(self) -> float:
        return self._minute

    @property
    def done(self) -> bool:
        """Whether the user's deployment has ended (its rollback may still be running)."""
        return float(self._row()["end_minute"]) <= self._minute + 1e-9

    def sync(self, minute: float) -> None:
        self._minute = max(self._minute, minute)

    def finish(self, limit_minutes: float = 7 * 24 * 60.0) -> float:
        self._minute = max(self._minute, float(self._run().duration) / 60.0)
        return self._minute

    def stop(self, rollback: bool | None) -> None:
        self._stop = shiftsim.ManualStop(self._minute, rollback)
        self._cached = None

    @property
    def alarm_names(self) -> list[str]:
        return [a.name for a in self.base.alarms]

    def set_alarm(self, name: str, state: str) -> None:
        if name in self.alarm_names and not self.done:
            self._alarm_events.append((self._minute, name, state))
            self._cached = None

    def alarm_state(self, name: str) -> str | None:
        if name not in self.alarm_names:
            return None
        state = next(a.initial_state for a in self.base.alarms if a.name == name)
        for at, alarm, value in sorted(self._alarm_events, key=lambda e: e[0]):
            if alarm == name and at <= self._minute:
                state = value
        return str(state)

    def hook_for(self, execution: str) -> HookCall | None:
        return None

    def _row(self) -> Any:
        run = self._run()
        table = run.deployments
        return table[table["deployment_id"] == run.deployment_id].iloc[0]

    def end_minute(self) -> float | None:
        return float(self._row()["end_minute"]) if self.done else None

    def status(self) -> str:
        if self.done:
            return str(self._row()["status"])
        waiting = self.ready_minute() is not None
        return (DeploymentStatus.READY if waiting else DeploymentStatus.IN_PROGRESS).value

    def ready_minute(self) -> float | None:
        """When the replacements became ready, while a blue/green deployment waits for
        ContinueDeployment (deploymentReadyOption STOP_DEPLOYMENT); None otherwise."""
        blue_green = self.base.blue_green
        if (
            self.done
            or blue_green is None
            or blue_green.action_on_timeout != "STOP_DEPLOYMENT"
            or self._continue_after is not None
        ):
            return None
        events = self._run().events
        ready = events[
            (events["event"] == DeploymentStatus.READY.value)
            & (events["minute"] <= self._minute + 1e-9)
        ]
        return None if ready.empty else float(ready["minute"].iloc[0])

    def continue_ready(self) -> bool:
        """ContinueDeployment(READY_WAIT): reroute traffic now. False if not waiting."""
        ready = self.ready_minute()
        if ready is None:
            return False
        self._continue_after = self._minute - ready
        self._cached = None
        return True

    def error(self) -> tuple[str, str] | None:
        if not self.done:
            return None
        row = self._row()
        if not isinstance(row["error_code"], str):
            return None
        message = row["error_message"]
        return row["error_code"], str(message if isinstance(message, str) else row["error_code"])

    def rollback_id(self) -> str | None:
        if not self.done:
            return None
        value = self._row()["rollback_deployment_id"]
        return value if isinstance(value, str) else None

    def extra_deployments(self) -> list[dict[str, Any]]:
        """The deployments CodeDeploy created after the user's (rollback, Auto Scaling
        follow-ups), with minutes since the user's deployment started."""
        run = self._run()
        out = []
        for row in run.deployments.itertuples(index=False):
            if row.deployment_id == run.deployment_id:
                continue
            error = row.error_code if isinstance(row.error_code, str) else None
            message = row.error_message if isinstance(row.error_message, str) else error
            trigger = row.rollback_triggering_deployment_id
            out.append(
                {
                    "id": str(row.deployment_id),
                    "creator": str(row.creator),
                    "status": str(row.status),
                    "start": float(row.start_minute),
                    "end": float(row.end_minute),
                    "error": None if error is None else (error, str(message)),
                    "rollback_of": trigger if isinstance(trigger, str) else None,
                }
            )
        return out

    def instances(self) -> list[dict[str, Any]]:
        """Each instance of the user's deployment: id, status now, start/end minute."""
        run, minute = self._run(), self.minute
        frame = run.instances
        mine = frame[frame["deployment_id"] == run.deployment_id]
        out = []
        for row in mine.itertuples(index=False):
            s0, s1 = float(row.start_minute), float(row.end_minute)
            if s0 != s0 or s0 > minute:
                status = str(row.status) if self.done else InstanceStatus.PENDING.value
            elif s1 == s1 and s1 <= minute:
                status = str(row.status)
            else:
                status = InstanceStatus.IN_PROGRESS.value
            out.append(
                {
                    "id": str(row.instance_id),
                    "status": status,
                    "start": s0,
                    "end": s1,
                    "label": row.instance_type if isinstance(row.instance_type, str) else "Blue",
                }
            )
        return out

    def lifecycle(self, instance_id: str, created: datetime) -> list[dict[str, Any]]:
        run, seconds = self._run(), self.minute * 60.0
        frame = run.lifecycle
        rows = frame[
            (frame["deployment_id"] == run.deployment_id) & (frame["instance_id"] == instance_id)
        ]
        out = []
        for row in rows.itertuples(index=False):
            item: dict[str, Any] = {"lifecycleEventName": str(row.event), "status": _PENDING}
            start, end = float(row.start), float(row.end)
            if start == start and start <= seconds:
                item["startTime"] = created + timedelta(seconds=start)
                if end == end and end <= seconds:
                    item["endTime"] = created + timedelta(seconds=end)
                    item["status"] = str(row.status)
                    code = row.error_code if isinstance(row.error_code, str) else _UNKNOWN_ERROR
                    item["diagnostics"] = {
                        "errorCode": code,
                        "scriptName": row.script if isinstance(row.script, str) else "",
                        "message": str(row.status),
                    }
                else:
                    item["status"] = LifecycleEventStatus.IN_PROGRESS.value
            elif self.done:
                item["status"] = str(row.status)
            out.append(item)
        return out
