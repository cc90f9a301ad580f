"""What the box keeps of one deployment (:class:`Record`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shiftsim.aws._live import LiveServer, LiveTraffic
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["Record"]


@dataclass
class Record:
    """One deployment the box knows (the user's, or a rollback CodeDeploy created)."""

    id: str
    application: str
    group: str
    platform: str
    created_minute: float
    created: datetime
    request: dict[str, Any]
    live: LiveTraffic | LiveServer | None = None
    creator: str = "user"
    status: str = DeploymentStatus.IN_PROGRESS.value
    end_minute: float | None = None
    error: tuple[str, str] | None = None
    rollback_of: str | None = None
    rollback_id: str | None = None
    settled: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
