"""Trigger configurations (private): SNS notifications of deployment and instance events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from shiftsim._checks import check_choice, invalid
from shiftsim.boto._shapes import MAX_TRIGGERS, OWNER, TRIGGER_EVENTS
from shiftsim.notifications import Notification

__all__ = ["TriggerConfig", "read_triggers", "trigger_notifications"]


@dataclass(frozen=True, slots=True)
class TriggerConfig:
    """One SNS trigger of a deployment group (API:TriggerConfig).

    Examples
    --------
    >>> t = TriggerConfig.from_boto({"triggerName": "ops", "triggerTargetArn": "arn:aws:sns:x",
    ...                              "triggerEvents": ["DeploymentFailure"]})
    >>> t.to_boto()["triggerEvents"]
    ['DeploymentFailure']
    """

    trigger_name: str
    trigger_target_arn: str
    trigger_events: tuple[str, ...]

    def __post_init__(self) -> None:
        owner = "TriggerConfig"
        for name in ("trigger_name", "trigger_target_arn"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise invalid(owner, name, value, "must be a non-empty string")
        events = self.trigger_events
        if isinstance(events, str) or not isinstance(events, (tuple, list)) or not events:
            raise invalid(owner, "trigger_events", events, "must be a non-empty list of events")
        for event in events:
            check_choice(owner, "trigger_events[]", event, TRIGGER_EVENTS)
        object.__setattr__(self, "trigger_events", tuple(events))

    @classmethod
    def from_boto(cls, raw: Mapping[str, Any]) -> TriggerConfig:
        """Read one ``triggerConfigurations`` entry."""
        if not isinstance(raw, Mapping):
            raise invalid("TriggerConfig.from_boto", "trigger", raw, "must be a mapping")
        return cls(
            raw.get("triggerName"),  # type: ignore[arg-type]
            raw.get("triggerTargetArn"),  # type: ignore[arg-type]
            tuple(raw.get("triggerEvents") or ()),
        )

    def to_boto(self) -> dict[str, Any]:
        return {
            "triggerName": self.trigger_name,
            "triggerTargetArn": self.trigger_target_arn,
            "triggerEvents": list(self.trigger_events),
        }


def read_triggers(raw: Any) -> tuple[TriggerConfig, ...]:
    if raw is None:
        return ()
    if isinstance(raw, (str, Mapping)) or not isinstance(raw, Sequence):
        raise invalid(OWNER, "triggerConfigurations", raw, "must be a list of trigger mappings")
    out = tuple(t if isinstance(t, TriggerConfig) else TriggerConfig.from_boto(t) for t in raw)
    if len(out) > MAX_TRIGGERS:
        raise invalid(
            OWNER,
            "triggerConfigurations",
            f"{len(out)} triggers",
            f"must hold at most {MAX_TRIGGERS} triggers (UG:limits.md)",
        )
    names = [t.trigger_name for t in out]
    if len(set(names)) != len(names):
        raise invalid(OWNER, "triggerConfigurations", names, "must have unique trigger names")
    return out


def trigger_notifications(
    notifications: Sequence[Notification], triggers: Sequence[TriggerConfig | Mapping[str, Any]]
) -> list[Notification]:
    """The notifications a deployment group with ``triggers`` sends.

    Each SNS message goes out once per trigger whose ``triggerEvents`` include its event, with
    that trigger's ``eventTriggerName`` (UG:monitoring-sns-event-notifications.md); EventBridge
    events do not depend on triggers and pass through unchanged.

    Examples
    --------
    >>> import shiftsim
    >>> run = shiftsim.simulate(shiftsim.LambdaDeployment("AllAtOnce"), rng=1)
    >>> ops = TriggerConfig("ops", "arn:aws:sns:us-east-1:123456789012:ops", ("DeploymentSuccess",))
    >>> [(n.event, n.payload["eventTriggerName"])
    ...  for n in trigger_notifications(run.notifications, [ops]) if n.channel == "sns"]
    [('DeploymentSuccess', 'ops')]
    """
    configs = read_triggers(list(triggers))
    out: list[Notification] = []
    for note in notifications:
        if note.channel != "sns":
            out.append(note)
            continue
        for trigger in configs:
            if note.event in trigger.trigger_events:
                payload = dict(note.payload, eventTriggerName=trigger.trigger_name)
                out.append(replace(note, payload=payload))
    return out
