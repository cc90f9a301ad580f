"""Auto Scaling during an EC2/on-premises deployment (codedeploy.md section 8): a scale-out
launches instances, which receive the last successful revision in a launch deployment; a
scale-in terminates instances, after a termination deployment when the deployment group's
termination hook is enabled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shiftsim._checks import check_int, check_number, invalid
from shiftsim._limits import MAX_FLEET_SIZE
from shiftsim._server_model.faults import check_ids

__all__ = ["OUTDATED_STRATEGIES", "ScaleIn", "ScaleOut", "launch_ids"]

#: What CodeDeploy does with instances launched during a deployment, once it succeeded.
OUTDATED_STRATEGIES = ("UPDATE", "IGNORE")


@dataclass(frozen=True, slots=True)
class ScaleOut:
    """An Auto Scaling group launches ``count`` instances ``at_minute`` after the deployment
    started.

    The new instances take the zones of the group's instances in turn, and its first instance's
    tags. They are named ``instance_ids`` if given (so faults can name them), else
    ``"<group>-launch-<j>-<k>"`` for scale-out ``j``.

    Examples
    --------
    >>> ScaleOut(3, "web", count=2, instance_ids=["i-new1", "i-new2"]).count
    2
    """

    at_minute: float
    auto_scaling_group: str
    count: int = 1
    instance_ids: Sequence[str] | None = None

    def __post_init__(self) -> None:
        _check_scaling(self, "ScaleOut")


@dataclass(frozen=True, slots=True)
class ScaleIn:
    """An Auto Scaling group terminates ``count`` of its instances ``at_minute`` minutes after
    the deployment started (a scale-in).

    The instances are ``instance_ids`` if given, else the group's last ``count`` instances in
    fleet order (shiftsim's choice: Auto Scaling's termination policy, which balances zones and
    prefers old launch templates, is not modelled). From then on they are out of the deployment
    group: a deployment still running on one fails there as on a stopped instance
    (codedeploy.md 8). With ``ServerDeployment.termination_hook_enabled`` CodeDeploy first runs
    a termination deployment on them (creator ``autoscalingTermination``;
    API:CreateDeploymentGroupInput.terminationHookEnabled).

    Examples
    --------
    >>> ScaleIn(5, "web", instance_ids=["i-003"]).count
    1
    """

    at_minute: float
    auto_scaling_group: str
    count: int = 1
    instance_ids: Sequence[str] | None = None

    def __post_init__(self) -> None:
        _check_scaling(self, "ScaleIn")

    def chosen(self, members: Sequence[str]) -> tuple[str, ...]:
        """The instances it terminates, from the group's ``members`` in fleet order."""
        if self.instance_ids is not None:
            return tuple(self.instance_ids)
        return tuple(members[-self.count :]) if self.count <= len(members) else tuple(members)


def launch_ids(s: ScaleOut, j: int) -> tuple[str, ...]:
    """The ids of the instances scale-out ``j`` launches."""
    if s.instance_ids is not None:
        return tuple(s.instance_ids)
    return tuple(f"{s.auto_scaling_group}-launch-{j}-{k}" for k in range(s.count))


def _check_scaling(event: ScaleOut | ScaleIn, owner: str) -> None:
    """The checks a scale-out and a scale-in share: when, which group, how many, which ids."""
    at_minute = check_number(owner, "at_minute", event.at_minute, 0)
    object.__setattr__(event, "at_minute", at_minute)
    group = event.auto_scaling_group
    if not isinstance(group, str) or not group:
        raise invalid(owner, "auto_scaling_group", group, "must be a non-empty string")
    check_int(owner, "count", event.count, 1, MAX_FLEET_SIZE)
    ids = check_ids(owner, "instance_ids", event.instance_ids)
    if ids is not None:
        if len(ids) != event.count:
            raise invalid(owner, "instance_ids", ids, f"must hold exactly count={event.count} ids")
        if len(set(ids)) != len(ids):
            raise invalid(owner, "instance_ids", ids, "must not repeat an id")
    object.__setattr__(event, "instance_ids", ids)
