"""Rollback settings shared by every platform: automatic rollback and manual stops.

Examples
--------
>>> AutoRollback().events  # what SAM generates for every function
('DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST')
>>> AutoRollback.disabled().rolls_back("DEPLOYMENT_FAILURE")
False
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shiftsim._checks import check_choice, check_number, invalid

__all__ = ["AutoRollback", "ManualStop"]

ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")


@dataclass(frozen=True, slots=True)
class AutoRollback:
    """``AutoRollbackConfiguration``: when CodeDeploy rolls a deployment back by itself.

    Parameters
    ----------
    enabled : bool
        ``False`` keeps the events but switches rollback off (the console's "Disable rollbacks").
    events : tuple of str
        Drawn from ``DEPLOYMENT_FAILURE``, ``DEPLOYMENT_STOP_ON_ALARM`` and
        ``DEPLOYMENT_STOP_ON_REQUEST``. Enabled with no events is rejected, as the API does
        (InvalidAutoRollbackConfigException). The default is all three, as SAM generates.
    """

    enabled: bool = True
    events: tuple[str, ...] = ROLLBACK_EVENTS

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise invalid("AutoRollback", "enabled", self.enabled, "must be True or False")
        events = self.events
        if isinstance(events, str) or not isinstance(events, (tuple, list, frozenset, set)):
            raise invalid(
                "AutoRollback", "events", events, "must be a tuple of rollback event names"
            )
        for event in events:
            check_choice("AutoRollback", "events[]", event, ROLLBACK_EVENTS)
        if len(set(events)) != len(tuple(events)):
            raise invalid("AutoRollback", "events", events, "must not repeat an event")
        if self.enabled and not events:
            raise invalid(
                "AutoRollback",
                "events",
                events,
                "must name at least one event when enabled is True "
                "(InvalidAutoRollbackConfigException)",
                "Use AutoRollback.disabled() to turn rollback off.",
            )
        object.__setattr__(self, "events", tuple(events))

    @classmethod
    def disabled(cls) -> AutoRollback:
        """No automatic rollback (the API's default for a new deployment group)."""
        return cls(enabled=False, events=())

    def __repr__(self) -> str:
        if not self.enabled:
            return (
                "AutoRollback(disabled)"
                if not self.events
                else (f"AutoRollback(disabled; {', '.join(self.events)})")
            )
        return f"AutoRollback(on {', '.join(e.removeprefix('DEPLOYMENT_') for e in self.events)})"

    def rolls_back(self, event: str) -> bool:
        """Whether ``event`` (one of the three rollback events) triggers a rollback."""
        return self.enabled and event in self.events

    @classmethod
    def from_boto(cls, raw: Mapping[str, Any] | None) -> AutoRollback:
        """Read the API's ``autoRollbackConfiguration`` (``None`` means disabled)."""
        if raw is None:
            return cls.disabled()
        if not isinstance(raw, Mapping):
            raise invalid(
                "AutoRollback.from_boto",
                "autoRollbackConfiguration",
                raw,
                "must be a mapping with 'enabled' and 'events'",
            )
        return cls(bool(raw.get("enabled", False)), tuple(raw.get("events", ())))

    def to_boto(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "events": list(self.events)}


@dataclass(frozen=True, slots=True)
class ManualStop:
    """A ``StopDeployment`` call at ``at_minute`` minutes after the deployment started.

    Parameters
    ----------
    at_minute : float
        When the user stops the deployment. A stop after the deployment ended has no effect.
    auto_rollback_enabled : bool or None
        ``StopDeployment``'s ``autoRollbackEnabled``. ``None`` (the default) rolls back if the
        deployment group's :class:`AutoRollback` includes ``DEPLOYMENT_STOP_ON_REQUEST``.

    Notes
    -----
    The deployment ends ``Stopped`` with error code ``MANUAL_STOP``.
    """

    at_minute: float
    auto_rollback_enabled: bool | None = None

    def __post_init__(self) -> None:
        check_number("ManualStop", "at_minute", self.at_minute, 0)
        if self.auto_rollback_enabled is not None and not isinstance(
            self.auto_rollback_enabled, bool
        ):
            raise invalid(
                "ManualStop",
                "auto_rollback_enabled",
                self.auto_rollback_enabled,
                "must be True, False or None",
            )

    def rolls_back(self, auto_rollback: AutoRollback) -> bool:
        if self.auto_rollback_enabled is not None:
            return self.auto_rollback_enabled
        return auto_rollback.rolls_back("DEPLOYMENT_STOP_ON_REQUEST")
