"""Blue/green EC2 deployments (codedeploy.md section 7; API:BlueGreenDeploymentConfiguration)."""

from __future__ import annotations

from dataclasses import dataclass

from shiftsim._checks import check_choice, check_int, check_number, invalid
from shiftsim.fleet import Fleet, Targets, check_fleet
from shiftsim.vocabulary import (
    DEFAULT_TERMINATION_WAIT_MINUTES,
    MAX_READY_WAIT_MINUTES,
    MAX_TERMINATION_WAIT_MINUTES,
)

__all__ = [
    "DEFAULT_TERMINATION_WAIT_MINUTES",
    "GREEN_ACTIONS",
    "MAX_READY_WAIT_MINUTES",
    "MAX_TERMINATION_WAIT_MINUTES",
    "READY_ACTIONS",
    "TERMINATION_ACTIONS",
    "BlueGreen",
]

GREEN_ACTIONS = ("DISCOVER_EXISTING", "COPY_AUTO_SCALING_GROUP")
READY_ACTIONS = ("CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT")
TERMINATION_ACTIONS = ("TERMINATE", "KEEP_ALIVE")


@dataclass(frozen=True, slots=True)
class BlueGreen:
    """Blue/green options of an EC2 deployment group (API:BlueGreenDeploymentConfiguration).

    Parameters
    ----------
    green_fleet_provisioning : {"COPY_AUTO_SCALING_GROUP", "DISCOVER_EXISTING"}
        ``COPY_AUTO_SCALING_GROUP`` creates as many replacements as the original Auto Scaling
        groups have healthy instances, named ``<original id>-green``; ``DISCOVER_EXISTING`` uses
        ``green_fleet`` (selected by ``green_targets``, API:TargetInstances).
    green_fleet : Fleet or None
    green_targets : Targets or None
        ``None`` selects the whole green fleet.
    action_on_timeout : {"CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"}
        ``CONTINUE_DEPLOYMENT`` reroutes traffic as soon as the replacements are ready;
        ``STOP_DEPLOYMENT`` waits for a ContinueDeployment call at ``continue_after_minutes``
        after Ready, and the deployment is Stopped if none comes within
        ``wait_time_in_minutes`` (at most 2880).
    termination_action : {"TERMINATE", "KEEP_ALIVE"}
    termination_wait_time_in_minutes : int
        Wait before the originals are terminated (D12: default 60, at most 2880). The deployment
        completes when they are.
    skip_termination_wait_after_minutes : float or None
        A ``ContinueDeployment`` call with ``deploymentWaitType`` ``TERMINATION_WAIT`` (or the
        older ``SkipWaitTimeForInstanceTermination``) this many minutes into the termination
        wait: the originals are terminated then, ending the wait early (API:ContinueDeployment,
        codedeploy.md 7). Only with ``termination_action="TERMINATE"``; with ``KEEP_ALIVE``
        there is no wait (the originals are deregistered and left running).

    Notes
    -----
    Traffic is rerouted to the replacements in batches of the configuration's in-place size
    (``N - minimum``, [INFERENCE] codedeploy.md 7); then every original deregisters at once
    (assumption), and one failure fails the deployment (UG:instances-health.md). A rollback
    (creator ``codeDeployRollback``) allows traffic on every original, then blocks it on the
    replacements that had received it.

    Examples
    --------
    >>> BlueGreen(action_on_timeout="STOP_DEPLOYMENT", wait_time_in_minutes=30,
    ...           continue_after_minutes=10).termination_wait_time_in_minutes
    60
    """

    green_fleet_provisioning: str = "COPY_AUTO_SCALING_GROUP"
    green_fleet: Fleet | None = None
    green_targets: Targets | None = None
    action_on_timeout: str = "CONTINUE_DEPLOYMENT"
    wait_time_in_minutes: int = 0
    continue_after_minutes: float | None = None
    termination_action: str = "TERMINATE"
    termination_wait_time_in_minutes: int = DEFAULT_TERMINATION_WAIT_MINUTES
    skip_termination_wait_after_minutes: float | None = None

    def __repr__(self) -> str:
        green = (
            f"{len(self.green_fleet)} instances"
            if self.green_fleet is not None
            else self.green_fleet_provisioning
        )
        wait = " then wait" if self.action_on_timeout == "STOP_DEPLOYMENT" else ""
        return (
            f"BlueGreen(green: {green}{wait}, {self.termination_action} originals after "
            f"{self.termination_wait_time_in_minutes} min)"
        )

    def __post_init__(self) -> None:
        owner = "BlueGreen"
        check_choice(
            owner, "green_fleet_provisioning", self.green_fleet_provisioning, GREEN_ACTIONS
        )
        if self.green_fleet_provisioning == "DISCOVER_EXISTING":
            if self.green_fleet is None:
                raise invalid(owner, "green_fleet", None, "must be a Fleet with DISCOVER_EXISTING")
            object.__setattr__(
                self, "green_fleet", check_fleet(owner, "green_fleet", self.green_fleet)
            )
        elif self.green_fleet is not None or self.green_targets is not None:
            raise invalid(
                owner,
                "green_fleet",
                self.green_fleet,
                "must be None with COPY_AUTO_SCALING_GROUP (CodeDeploy creates the replacements)",
                "Use DISCOVER_EXISTING to give them.",
            )
        if self.green_targets is not None and not isinstance(self.green_targets, Targets):
            raise invalid(owner, "green_targets", self.green_targets, "must be a Targets or None")
        check_choice(owner, "action_on_timeout", self.action_on_timeout, READY_ACTIONS)
        check_int(
            owner, "wait_time_in_minutes", self.wait_time_in_minutes, 0, MAX_READY_WAIT_MINUTES
        )
        if self.continue_after_minutes is not None:
            if self.action_on_timeout != "STOP_DEPLOYMENT":
                raise invalid(
                    owner,
                    "continue_after_minutes",
                    self.continue_after_minutes,
                    "applies only with action_on_timeout='STOP_DEPLOYMENT'",
                )
            object.__setattr__(
                self,
                "continue_after_minutes",
                check_number(owner, "continue_after_minutes", self.continue_after_minutes, 0.0),
            )
        check_choice(owner, "termination_action", self.termination_action, TERMINATION_ACTIONS)
        check_int(
            owner,
            "termination_wait_time_in_minutes",
            self.termination_wait_time_in_minutes,
            0,
            MAX_TERMINATION_WAIT_MINUTES,
        )
        skip = self.skip_termination_wait_after_minutes
        if skip is not None:
            if self.termination_action != "TERMINATE":
                raise invalid(
                    owner,
                    "skip_termination_wait_after_minutes",
                    skip,
                    "applies only with termination_action='TERMINATE' (KEEP_ALIVE has no wait)",
                )
            object.__setattr__(
                self,
                "skip_termination_wait_after_minutes",
                check_number(owner, "skip_termination_wait_after_minutes", skip, 0.0),
            )
