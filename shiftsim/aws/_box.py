"""The box: CodeDeploy's resources and deployments, and CloudWatch's alarms, on a simulated
clock. :class:`CodeDeployBox` is what the in-process interception and the HTTP server call."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

import shiftsim
from shiftsim.aws import _codedeploy_ops as ops
from shiftsim.aws._cloudwatch import AlarmStore
from shiftsim.aws._live import HookFunction, LiveServer, LiveTraffic
from shiftsim.aws._protocol import (
    AwsError,
    check_input,
    decode_request,
    encode_error,
    encode_response,
    service_model,
)
from shiftsim.aws._record import Record
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["CodeDeployBox"]

CLOCKS = ("manual", "auto", "wall")
DEFAULT_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
#: Operations that read a deployment's progress: under clock="auto" each one advances the clock.
POLLS = frozenset({"GetDeployment", "BatchGetDeployments"})


class CodeDeployBox:
    """CodeDeploy and CloudWatch's alarms, simulated: what boto3, the AWS CLI or any SDK talks
    to under :func:`shiftsim.aws.mock_codedeploy` or ``shiftsim serve``.

    Parameters
    ----------
    clock : {"auto", "manual", "wall"}
        How simulated time passes. ``"auto"`` (default): each ``GetDeployment`` or
        ``BatchGetDeployments`` first runs every deployment in progress ``auto_step`` minutes
        further (to its end when ``auto_step`` is None), so waiters and polling loops finish at
        once. ``"manual"``: time moves only with :meth:`advance`. ``"wall"``: simulated time
        runs ``speed`` times as fast as the wall clock (for tools that poll by wall time), plus
        whatever :meth:`advance` adds.
    auto_step : float, optional
        Minutes each poll advances under ``clock="auto"``; None runs deployments to their end.
    speed : float
        Simulated seconds per wall second under ``clock="wall"``.
    rng : None, int or SeedSequence
        Seed of every deployment's draws (deployment ``n`` uses the ``n``-th child seed), so a
        test sees the same deployment IDs and outcomes on every run.
    region : str
        Used in ARNs.
    start : datetime
        Simulated time at the box's creation (timezone-aware).

    Examples
    --------
    >>> from shiftsim.aws import CodeDeployBox
    >>> box = CodeDeployBox(clock="manual", rng=1)
    >>> box.call("codedeploy", "CreateApplication",
    ...          {"applicationName": "shop", "computePlatform": "Lambda"})["applicationId"]
    '60f2d561-...'
    >>> box.advance(5).isoformat()
    '2026-01-01T00:05:00+00:00'

    A hook the test answers itself, on the manual clock (``call`` is what boto3's calls
    become; any client does the same):

    >>> _ = box.call("codedeploy", "CreateDeploymentGroup", {
    ...     "applicationName": "shop", "deploymentGroupName": "live",
    ...     "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeploy",
    ...     "deploymentConfigName": "CodeDeployDefault.LambdaAllAtOnce"})
    >>> appspec = ('{"version": 0.0, "Resources": [{"fn": {"Type": "AWS::Lambda::Function", '
    ...            '"Properties": {"Name": "fn", "Alias": "live", "CurrentVersion": "1", '
    ...            '"TargetVersion": "2"}}}], "Hooks": [{"BeforeAllowTraffic": "Check"}]}')
    >>> deployment_id = box.call("codedeploy", "CreateDeployment", {
    ...     "applicationName": "shop", "deploymentGroupName": "live",
    ...     "revision": {"revisionType": "AppSpecContent",
    ...                  "appSpecContent": {"content": appspec}}})["deploymentId"]
    >>> _ = box.advance(2)
    >>> (hook,) = box.pending_hooks()
    >>> hook["functionName"], hook["lifecycleEventName"]
    ('Check', 'BeforeAllowTraffic')
    >>> _ = box.call("codedeploy", "PutLifecycleEventHookExecutionStatus", {
    ...     "deploymentId": deployment_id, "status": "Succeeded",
    ...     "lifecycleEventHookExecutionId": hook["lifecycleEventHookExecutionId"]})
    >>> box.call("codedeploy", "GetDeployment",
    ...          {"deploymentId": deployment_id})["deploymentInfo"]["status"]
    'Succeeded'
    >>> box.run(deployment_id).duration  # seconds: the hook took the two minutes
    120.0
    """

    def __init__(
        self,
        *,
        clock: str = "auto",
        auto_step: float | None = None,
        speed: float = 60.0,
        rng: Any = None,
        region: str = "us-east-1",
        start: datetime = DEFAULT_START,
    ) -> None:
        check_choice("CodeDeployBox", "clock", clock, CLOCKS)
        if auto_step is not None:
            check_number("CodeDeployBox", "auto_step", auto_step, 0.0)
        check_number("CodeDeployBox", "speed", speed, 0.0)
        self.clock, self.auto_step, self.speed = clock, auto_step, float(speed)
        self.region = region
        self.start_time = start
        self._minute = 0.0
        self._wall0 = time.monotonic()
        self._seed = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
        self._lock = threading.RLock()
        self.applications: dict[str, dict[str, Any]] = {}
        self.groups: dict[tuple[str, str], dict[str, Any]] = {}
        self.configs: dict[str, dict[str, Any]] = {}
        self.records: dict[str, Record] = {}
        self.order: list[str] = []
        self.revisions: dict[str, list[dict[str, Any]]] = {}
        self.tags: dict[str, list[dict[str, str]]] = {}
        self.on_premises: dict[str, dict[str, Any]] = {}
        self.alarms = AlarmStore(region, lambda: self.now)
        self._versions: dict[tuple[str, str], shiftsim.Version] = {}
        self._options: dict[tuple[str, str], dict[str, Any]] = {}
        self._functions: dict[str, tuple[HookFunction, float]] = {}
        self._fleet: Any = None
        self.calls = 0

    # ------------------------------------------------------------------ clock
    def _clock_minute(self) -> float:
        if self.clock == "wall":
            return self._minute + (time.monotonic() - self._wall0) * self.speed / 60.0
        return self._minute

    @property
    def now(self) -> datetime:
        """Simulated time now."""
        return self.start_time + timedelta(minutes=self._clock_minute())

    @property
    def minute(self) -> float:
        """Simulated minutes since the box was created."""
        return self._clock_minute()

    def advance(self, minutes: float = 0.0, *, seconds: float = 0.0) -> datetime:
        """Let simulated time pass; every deployment in progress moves on. Returns the new
        time.

        Examples
        --------
        >>> CodeDeployBox(clock="manual").advance(seconds=90).isoformat()
        '2026-01-01T00:01:30+00:00'
        """
        check_number("CodeDeployBox.advance", "minutes", minutes, 0.0)
        check_number("CodeDeployBox.advance", "seconds", seconds, 0.0)
        with self._lock:
            self._minute += float(minutes) + float(seconds) / 60.0
            self._sync()
            return self.now

    def finish(self) -> datetime:
        """Run every deployment in progress, and the rollbacks they start, to its end (the
        clock jumps there), whatever the clock."""
        with self._lock:
            self._run_to_end()
            return self.now

    def _sync(self) -> None:
        minute = self._clock_minute()
        for record in list(self.records.values()):
            if record.live is not None and not record.settled:
                record.live.sync(minute - record.created_minute)
                self._settle(record)

    def _run_to_end(self, step: float | None = None) -> None:
        """``step`` minutes on (when a deployment is in progress), or every deployment (and
        the rollbacks it starts) to its end."""
        active = [r for r in self.records.values() if r.live is not None and not r.settled]
        now = self._clock_minute()
        if step is not None:
            if active:
                self._minute += step
                self._sync()
            return
        end = now
        for record in active:
            assert record.live is not None
            end = max(end, record.created_minute + record.live.finish())
        self._minute += end - now
        self._sync()
        later = max((r.end_minute or 0.0 for r in self.records.values()), default=0.0)
        if later > self._clock_minute():
            self._minute += later - self._clock_minute()
            self._sync()

    # ------------------------------------------------------------------ what the API cannot say
    def set_version(self, resource: str, version: shiftsim.Version) -> None:
        """How a Lambda function version or an ECS task set behaves (error rate, throttles,
        latency, each possibly a :class:`shiftsim.Profile`).

        Parameters
        ----------
        resource : str
            The Lambda function's name or the ECS service's name.
        version : shiftsim.Version
            Its ``name`` is the version number the AppSpec gives (``TargetVersion``) or the task
            set's name (the task definition's revision, ``family:revision`` when the family is
            not the service's name).

        Examples
        --------
        >>> import shiftsim
        >>> box = CodeDeployBox()
        >>> box.set_version("orders", shiftsim.Version("7", error_rate=0.2))
        """
        if not isinstance(version, shiftsim.Version):
            raise TypeError(
                f"CodeDeployBox.set_version: version must be a shiftsim.Version; got "
                f"{type(version).__name__}."
            )
        with self._lock:
            self._versions[(str(resource), version.name)] = version

    def set_options(self, application: str, deployment_group: str, **fields: Any) -> None:
        """Fields of the deployment a group runs that the API does not carry: traffic
        (``invocations_per_minute``, ``requests_per_minute``), ``alarm_poll_interval``,
        ``install_seconds``, EC2 ``faults``, ``script_durations``... as keyword arguments of
        :func:`shiftsim.from_deployment_group`."""
        with self._lock:
            self._options[(application, deployment_group)] = dict(fields)

    def set_fleet(self, fleet: Any) -> None:
        """The EC2/on-premises instances (a :class:`shiftsim.Fleet`) that deployment groups
        select by tags and Auto Scaling groups."""
        with self._lock:
            self._fleet = fleet

    def on_hook(
        self, function_name: str, function: HookFunction, *, duration: float = 30.0
    ) -> None:
        """Play a Lambda or ECS hook function with a Python callable.

        When the hook starts, ``function`` gets CodeDeploy's event
        (``{"DeploymentId": ..., "LifecycleEventHookExecutionId": ...}``). It reports by
        returning ``"Succeeded"`` or ``"Failed"``, or by calling
        ``put_lifecycle_event_hook_execution_status`` itself, as a real hook does; the report
        lands ``duration`` simulated seconds after the hook started. Returning anything else
        without reporting leaves the hook to time out after an hour.

        Examples
        --------
        >>> box = CodeDeployBox()
        >>> box.on_hook("PreTrafficCheck", lambda event: "Succeeded", duration=12)
        """
        if not callable(function):
            raise TypeError("CodeDeployBox.on_hook: function must be callable.")
        check_number("CodeDeployBox.on_hook", "duration", duration, 0.0)
        with self._lock:
            self._functions[function_name] = (function, float(duration))

    def pending_hooks(self) -> list[dict[str, str]]:
        """Hooks running now that nobody has answered: ``deploymentId``,
        ``lifecycleEventHookExecutionId``, ``lifecycleEventName``, ``functionName``."""
        with self._lock:
            self._sync()
            out = []
            for record in self.records.values():
                if record.live is None or record.settled:
                    continue
                for call in record.live.calls.values():
                    if call.answer is None:
                        out.append(
                            {
                                "deploymentId": call.deployment_id,
                                "lifecycleEventHookExecutionId": call.execution_id,
                                "lifecycleEventName": call.event,
                                "functionName": call.function_name,
                            }
                        )
            return out

    def run(self, deployment_id: str) -> Any:
        """The finished run behind a deployment (a :class:`shiftsim.TrafficRun`,
        :class:`shiftsim.EcsRun` or :class:`shiftsim.ServerRun`), for assertions beyond the
        API (events, timeline, notifications).

        Raises
        ------
        KeyError
            For an unknown deployment.
        RuntimeError
            While the deployment is in progress.
        """
        with self._lock:
            record = self.records[deployment_id]
            live = record.live
            if live is None:
                raise KeyError(f"{deployment_id} is a rollback deployment; ask for its original.")
            if isinstance(live, LiveServer):
                if not live.done:
                    raise RuntimeError(f"{deployment_id} is still InProgress.")
                return live._run()
            return live.stepper.run

    # ------------------------------------------------------------------ calls
    def call(self, service: str, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Answer one operation with Python values (datetimes, not epoch seconds); raises
        :class:`shiftsim.aws.AwsError`."""
        model = _service_model(service)
        if operation not in model.operation_names:
            raise AwsError("UnknownOperationException", f"{service} has no operation {operation}.")
        return self._dispatch(service, model.operation_model(operation), dict(params))

    def handle(self, target: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request on the wire: ``X-Amz-Target`` and JSON body in, ``(status,
        headers, body)`` out. Never raises for bad input."""
        service = "cloudwatch" if target.startswith("Granite") else "codedeploy"
        try:
            service, operation, params = decode_request(target, body)
            params = _wire_in(params, operation)
            result = self._dispatch(service, operation, params)
            payload = encode_response(operation, result)
        except AwsError as err:
            return encode_error(service, err)
        content_type = (
            "application/x-amz-json-1.0"
            if service == "cloudwatch"
            else "application/x-amz-json-1.1"
        )
        return 200, {"Content-Type": content_type}, payload

    def _dispatch(self, service: str, operation: Any, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
            name = operation.name
            if service == "codedeploy":
                ops.check_required(operation, params)
            check_input(operation, params)
            if service == "cloudwatch":
                return self._cloudwatch(name, params)
            handler = ops.HANDLERS.get(name)
            if handler is None:
                raise AwsError(
                    "UnsupportedOperationException",
                    f"shiftsim does not simulate CodeDeploy's {name}; it answers "
                    f"{', '.join(sorted(ops.HANDLERS))}.",
                )
            if self.clock == "auto" and name in POLLS:
                self._run_to_end(self.auto_step)
            else:
                self._sync()
            result = handler(self, params)
            self._sync()
            return result

    def _cloudwatch(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        self._sync()
        if name == "PutMetricAlarm":
            return self.alarms.put_metric_alarm(params)
        if name == "DescribeAlarms":
            return self.alarms.describe_alarms(params, self._live_alarm_state)
        if name == "SetAlarmState":
            alarm = self.alarms.set_alarm_state(params)
            for record in self.records.values():
                if record.live is not None and not record.settled:
                    record.live.set_alarm(alarm, params["StateValue"])
            self._sync()
            return {}
        if name == "DeleteAlarms":
            return self.alarms.delete_alarms(params)
        raise AwsError(
            "UnsupportedOperation",
            f"shiftsim answers only CloudWatch's alarm operations (PutMetricAlarm, "
            f"DescribeAlarms, SetAlarmState, DeleteAlarms), not {name}.",
            query_code="UnsupportedOperation",
        )

    def _live_alarm_state(self, name: str) -> str | None:
        state = None
        for record in self.records.values():
            if record.live is not None and name in record.live.alarm_names:
                state = record.live.alarm_state(name)
        return state

    # ------------------------------------------------------------------ deployments
    def _next_seed(self) -> np.random.SeedSequence:
        return self._seed.spawn(1)[0]

    def hook_function(self, name: str) -> tuple[HookFunction, float] | None:
        return self._functions.get(name)

    def versions_for(
        self, deployment: shiftsim.LambdaDeployment | shiftsim.EcsDeployment
    ) -> shiftsim.LambdaDeployment | shiftsim.EcsDeployment:
        """``deployment`` with the versions :meth:`set_version` gave its function or service."""
        if isinstance(deployment, shiftsim.LambdaDeployment):
            resource = deployment.function_name or ""
        else:
            resource = str(deployment.service_name)
        changes: dict[str, Any] = {}
        for role, base in (("current", deployment.current), ("target", deployment.target)):
            found = self._versions.get((resource, base.name))
            if found is not None:
                changes[role] = replace(found, name=base.name)
        return replace(deployment, **changes) if changes else deployment

    def options_for(self, application: str, group: str) -> dict[str, Any]:
        return dict(self._options.get((application, group), {}))

    @property
    def fleet(self) -> Any:
        """The instances deployment groups select from: :meth:`set_fleet`'s, plus the
        on-premises instances registered through the API (with their tags)."""
        registered = [
            shiftsim.Instance(
                id=name,
                tags={t["Key"]: t.get("Value", "") for t in info["tags"]},
                on_premises=True,
            )
            for name, info in self.on_premises.items()
            if "deregisterTime" not in info
        ]
        if not registered:
            return self._fleet
        return shiftsim.Fleet([*(self._fleet or ()), *registered])

    def start_live(self, deployment: Any, hooks: dict[str, str]) -> LiveTraffic | LiveServer:
        while True:
            seed = self._next_seed()
            if isinstance(deployment, shiftsim.ServerDeployment):
                live: LiveTraffic | LiveServer = LiveServer(deployment, seed)
            else:
                live = LiveTraffic(deployment, seed, hooks, self.hook_function)
            if live.deployment_id not in self.records:
                return live

    def _settle(self, record: Record) -> None:
        """Record a deployment that has just ended: status, error, its rollback."""
        live = record.live
        if live is None or record.settled or not live.done:
            return
        record.settled = True
        record.status = live.status()
        record.error = live.error()
        end = live.end_minute()
        record.end_minute = record.created_minute + (end if end is not None else live.minute)
        record.rollback_id = live.rollback_id()
        group = self.groups.get((record.application, record.group))
        summary = {
            "deploymentId": record.id,
            "status": record.status,
            "endTime": self.start_time + timedelta(minutes=record.end_minute),
            "createTime": record.created,
        }
        if group is not None:
            group["lastAttemptedDeployment"] = summary
            if record.status == DeploymentStatus.SUCCEEDED:
                group["lastSuccessfulDeployment"] = summary
                group["targetRevision"] = record.request.get("revision")
            if group.get("_active") == record.id:
                group["_active"] = None
        for extra in live.extra_deployments():
            if extra["id"] in self.records:
                continue
            start = record.created_minute + extra["start"]
            self.records[extra["id"]] = Record(
                id=extra["id"],
                application=record.application,
                group=record.group,
                platform=record.platform,
                created_minute=start,
                created=self.start_time + timedelta(minutes=start),
                request={},
                creator=extra["creator"],
                status=extra["status"],
                end_minute=record.created_minute + extra["end"],
                error=extra["error"],
                rollback_of=extra["rollback_of"],
                settled=True,
            )
            self.order.append(extra["id"])
            if group is not None and extra["end"] > (end if end is not None else 0.0):
                group["_active"] = extra["id"]  # the group is busy until its rollback ends

    def status_of(self, record: Record) -> str:
        """A deployment's status now (a rollback is InProgress until it ends)."""
        if record.live is not None and not record.settled:
            return record.live.status()
        if record.end_minute is not None and record.end_minute > self._clock_minute() + 1e-9:
            return DeploymentStatus.IN_PROGRESS.value
        return record.status

    def new_id(self, prefix: str) -> str:
        """A fresh UUID-shaped ID, drawn from the box's seed (deterministic per box)."""
        raw = self._next_seed().generate_state(4, np.uint32).tobytes()
        return f"{prefix}{uuid.UUID(bytes=raw)}"

    def __repr__(self) -> str:
        active = sum(1 for r in self.records.values() if r.live is not None and not r.settled)
        return (
            f"<CodeDeployBox clock={self.clock} {self.now.isoformat()}: "
            f"{len(self.applications)} applications, {len(self.records)} deployments "
            f"({active} in progress)>"
        )


def _service_model(service: str) -> Any:
    return service_model(service)


def _wire_in(value: Any, operation: Any) -> Any:
    """Wire JSON -> Python: timestamps (epoch seconds) become datetimes."""
    shape = operation.input_shape
    return _timestamps(value, shape) if shape is not None else value


def _timestamps(value: Any, shape: Any) -> Any:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {
            k: _timestamps(v, shape.members[k]) if k in shape.members else v
            for k, v in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_timestamps(v, shape.member) for v in value]
    if kind == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as err:
            raise AwsError("SerializationException", f"Bad timestamp {value!r}.") from err
    return value


def check_choice(owner: str, field: str, value: Any, choices: Any) -> None:
    if value not in choices:
        raise shiftsim.ConfigError(
            f"{owner}.{field} must be one of {list(choices)}; got {value!r:.80}."
        )


def check_number(owner: str, field: str, value: Any, minimum: float) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not (value >= minimum) or value == float("inf"):
        raise shiftsim.ConfigError(
            f"{owner}.{field} must be a finite number >= {minimum:g}; got {value!r:.80}."
        )


_Handler = Callable[[CodeDeployBox, dict[str, Any]], dict[str, Any]]
