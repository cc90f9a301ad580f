"""The ways an EC2/on-premises deployment goes wrong on purpose: a hook script that fails,
hangs or is missing (:class:`ScriptFault`), a load balancer that fails an instance
(:class:`LoadBalancerFault`), an instance that stops (:class:`InstanceStop`), and an instance
that holds a file the revision would install (:class:`FileConflict`, D16)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shiftsim._checks import check_choice, check_int, check_number, invalid
from shiftsim.server.lifecycle import PREVIOUS_REVISION_EVENTS, check_event

__all__ = [
    "FAULT_MODES",
    "FILE_EXISTS_BEHAVIORS",
    "REVISION_NAMES",
    "Fault",
    "FileConflict",
    "InstanceStop",
    "LoadBalancerFault",
    "ScriptFault",
    "check_ids",
]

FAULT_MODES = ("fail", "hang", "missing")
REVISION_NAMES = ("target", "previous")
#: AppSpec ``file_exists_behavior`` / API ``fileExistsBehavior`` values (D16).
FILE_EXISTS_BEHAVIORS = ("DISALLOW", "OVERWRITE", "RETAIN")


def check_ids(owner: str, field_name: str, value: object) -> tuple[str, ...] | None:
    """Instance ids as a non-empty tuple (one id may be given as a string), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise invalid(owner, field_name, value, "must be instance ids or None")
    out = tuple(value)
    for item in out:
        if not isinstance(item, str) or not item:
            raise invalid(owner, field_name, value, "must hold non-empty instance id strings")
    if not out:
        raise invalid(
            owner, field_name, value, "must name at least one instance (None means every instance)"
        )
    return out


@dataclass(frozen=True, slots=True)
class ScriptFault:
    """A hook script that goes wrong at ``event`` on chosen instances, or with a probability.

    Parameters
    ----------
    event : str
        A lifecycle event that runs scripts (not DownloadBundle, Install, BlockTraffic or
        AllowTraffic, which are reserved).
    mode : {"fail", "hang", "missing"}
        ``fail``: the script exits non-zero after its run time (``ScriptFailed``); ``hang``: it
        never finishes and times out (``ScriptTimedOut``); ``missing``: it is not in the bundle
        (``ScriptMissing``).
    instances : sequence of str or None
        The affected instances; ``None`` means every instance that runs the script.
    probability : float
        Chance that each of those instances is hit (drawn per instance with the run's seed).
    script : int
        Index of the script within the event's list (default the first).
    revision : {"target", "previous"} or None
        Whose script is broken. ``None``: the previous revision's for ApplicationStop,
        BeforeBlockTraffic and AfterBlockTraffic (they run the last successful install's scripts),
        the target revision's otherwise. A fault follows its script: a broken ``target``
        ApplicationStart also breaks a follow-up deployment, not a rollback.
    exit_code : int
        The failing exit status, 1-255.

    Examples
    --------
    >>> ScriptFault("ValidateService", probability=0.1).script_revision
    'target'
    >>> ScriptFault("ApplicationStop", mode="hang").script_revision
    'previous'
    """

    event: str
    mode: str = "fail"
    instances: Sequence[str] | None = None
    probability: float = 1.0
    script: int = 0
    revision: str | None = None
    exit_code: int = 1

    def __post_init__(self) -> None:
        owner = "ScriptFault"
        check_event(owner, "event", self.event)
        check_choice(owner, "mode", self.mode, FAULT_MODES)
        object.__setattr__(self, "instances", check_ids(owner, "instances", self.instances))
        object.__setattr__(
            self, "probability", check_number(owner, "probability", self.probability, 0.0, 1.0)
        )
        check_int(owner, "script", self.script, 0)
        if self.revision is not None:
            check_choice(owner, "revision", self.revision, REVISION_NAMES)
        check_int(owner, "exit_code", self.exit_code, 1, 255)

    @property
    def script_revision(self) -> str:
        """Whose script is broken: ``revision``, or when that is None the default for
        ``event`` (``"previous"`` for ApplicationStop, BeforeBlockTraffic and
        AfterBlockTraffic, ``"target"`` otherwise)."""
        if self.revision is not None:
            return self.revision
        return "previous" if self.event in PREVIOUS_REVISION_EVENTS else "target"


@dataclass(frozen=True, slots=True)
class LoadBalancerFault:
    """The load balancer fails BlockTraffic (deregistration) or AllowTraffic (registration and
    health checks) on chosen instances, after the event's usual time (``UnknownError``).

    Examples
    --------
    >>> LoadBalancerFault("BlockTraffic", instances=["i-003"]).event
    'BlockTraffic'
    """

    event: str
    instances: Sequence[str] | None = None
    probability: float = 1.0

    def __post_init__(self) -> None:
        owner = "LoadBalancerFault"
        check_choice(owner, "event", self.event, ("BlockTraffic", "AllowTraffic"))
        object.__setattr__(self, "instances", check_ids(owner, "instances", self.instances))
        object.__setattr__(
            self, "probability", check_number(owner, "probability", self.probability, 0.0, 1.0)
        )


@dataclass(frozen=True, slots=True)
class InstanceStop:
    """An instance stops ``at_minute`` minutes after the deployment started.

    Stopped during a lifecycle event, the event times out after 3600 s; before an event starts,
    the instance fails 5 minutes later (codedeploy.md 8). From then on it counts as unhealthy.

    Examples
    --------
    >>> InstanceStop("i-004", at_minute=2.5).at_minute
    2.5
    """

    instance: str
    at_minute: float

    def __post_init__(self) -> None:
        if not isinstance(self.instance, str) or not self.instance:
            raise invalid(
                "InstanceStop", "instance", self.instance, "must be a non-empty instance id"
            )
        object.__setattr__(
            self, "at_minute", check_number("InstanceStop", "at_minute", self.at_minute, 0.0)
        )


@dataclass(frozen=True, slots=True)
class FileConflict:
    """Instances that hold a file at a destination of the revision's ``files`` which no earlier
    deployment put there (decision D16).

    With the deployment's file-exists behavior ``DISALLOW`` (the default) Install fails on
    them: "The deployment failed because a specified file already exists at this location"
    (UG:troubleshooting-deployments.md); ``OVERWRITE`` and ``RETAIN`` let Install succeed.

    Parameters
    ----------
    instances : sequence of str or None
        The affected instances; ``None`` means every instance.
    probability : float
        Chance that each of those instances holds such a file (drawn with the run's seed).

    Examples
    --------
    >>> FileConflict(instances=["i-002"]).instances
    ('i-002',)
    """

    instances: Sequence[str] | None = None
    probability: float = 1.0

    def __post_init__(self) -> None:
        owner = "FileConflict"
        object.__setattr__(self, "instances", check_ids(owner, "instances", self.instances))
        object.__setattr__(
            self, "probability", check_number(owner, "probability", self.probability, 0.0, 1.0)
        )


#: Any fault a ServerDeployment takes.
Fault = ScriptFault | LoadBalancerFault | InstanceStop | FileConflict
