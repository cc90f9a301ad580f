"""EC2/on-premises deployments: in-place rollouts under minimum healthy hosts, blue/green, Auto
Scaling, rollbacks and the ways real deployments fail.

A :class:`ServerDeployment` describes a deployment group and one deployment to it; run it with
``shiftsim.simulate(deployment, rng=seed)`` (or :func:`simulate_server`). The result is a
:class:`ServerRun`: status, error code, rollback, and DataFrames instance by instance and event
by event.

What is modelled (codedeploy.md sections 3, 4, 6, 7, 8, 10)
----------------------------------------------------------
* **Minimum healthy hosts** (section 3). The minimum is computed once from the group size
  (``FLEET_PERCENT`` rounds up; OneAtATime is ``MOST_CONCURRENCY`` 1, minimum ``N - 1``, D8). A
  minimum at or above the group size fails at once with ``HEALTH_CONSTRAINTS_INVALID``. Starting
  a healthy instance takes it out of the healthy count, so it starts only while
  ``healthy > minimum``; unhealthy instances (never deployed to, failed before, stopped) start
  without lowering the count, at most ``N - minimum`` in flight. The deployment fails with
  ``HEALTH_CONSTRAINTS`` as soon as it can no longer proceed without breaking the minimum, and
  succeeds once every instance was deployed to, at least one succeeded and the healthy count
  reached the minimum. This reproduces every worked example of section 3.2 (OneAtATime and
  HOST_COUNT ``N - 1`` succeed when only the last instance fails).
* **Order** (D13): unhealthy instances first, then the fleet's order; ``order="shuffle"``
  shuffles within each health class with the run's seed.
* **Lifecycle** (section 4.1): with a load balancer BeforeBlockTraffic ... AfterAllowTraffic,
  without one ApplicationStop ... ValidateService. Reserved events run no scripts but take time
  (``reserved_durations``). ApplicationStop, BeforeBlockTraffic and AfterBlockTraffic run the
  scripts of the instance's last successful install (``previous_hooks``; a no-op on an instance
  never deployed to); the agent records that install at the end of Install, so a rollback's
  ApplicationStop runs the failed revision's script on instances that got past Install.
* **Faults**: :class:`ScriptFault` (fails, hangs until its timeout, or is missing),
  :class:`LoadBalancerFault`, :class:`InstanceStop`, :class:`FileConflict` (D16), and the
  instance conditions of :class:`~shiftsim.fleet.Instance` (agent not installed or not
  running, no S3 access, clock skew beyond ``clock_skew_tolerance_seconds``, stopped).
* **Rollback** (D6): a new deployment (creator ``codeDeployRollback``) of the last good revision
  to every instance of the group, with the same configuration, simulated like any other. With no
  earlier good revision (every instance ``Unknown``) there is none, and ``.deployments`` says why.
* **Alarms**: a Server deployment has no simulated metrics, so alarm state changes are scripted
  (``alarm_events``). CodeDeploy reads alarm state every ``alarm_poll_interval`` seconds from
  second 0 (D2) until the last hook ends (D4); an alarm seen in ALARM stops the deployment
  (``Stopped``, ``ALARM_ACTIVE``, D5), rolling back with ``DEPLOYMENT_STOP_ON_ALARM``.
* **Auto Scaling** (section 8): :class:`ScaleOut` launches instances that receive the last
  successful revision in a launch deployment (creator ``autoscaling``); a failed launch
  deployment terminates the instance (ABANDON). After a successful deployment a follow-up
  (creator ``CodeDeployAutoUpdate``) updates the instances launched during it, unless
  ``outdated_instances_strategy="IGNORE"``. :class:`ScaleIn` terminates instances, after a
  termination deployment (creator ``autoscalingTermination``) with
  ``termination_hook_enabled``.
* **Consecutive deployments**: :func:`simulate_server_sequence` runs deployments of one group
  one after another, each from the fleet, revision health and revisions the last left.
* **Blue/green** (section 7; :class:`BlueGreen`).
* **Zonal** (section 3.3): one Availability Zone at a time.

Assumptions where the reference is silent
-----------------------------------------
* When a deployment ends early (Failed or Stopped), no further lifecycle event is scheduled
  ("No more commands will be scheduled"): instances not yet started are ``Skipped``; an instance
  in the middle of an event is left in an indeterminate state (UG:deployments-stop.md), reported
  as status ``Unknown`` with that event ``Unknown`` and ending with the deployment.
* A failure of ApplicationStop, BeforeBlockTraffic or AfterBlockTraffic under
  ``ignore_application_stop_failures`` is reported as Succeeded, with the script error kept in
  the diagnostics.
* An instance that stops during an event fails when the event times out (3600 s after it
  started); stopped before an event starts, it fails 300 s later (codedeploy.md 8, D10). A stopped
  instance counts as unhealthy from the moment it stops.
* Alarms are watched on the user's deployment only, not on the rollback or follow-up deployments
  it creates. A rollback is created only if at least one instance was deployed to.
* Launch deployments deploy to all their instances at once and do not count against the main
  deployment's window; the follow-up deployment's minimum is computed over the whole group, its
  up-to-date instances counting as healthy. ASG relaunch loops after ABANDON are not simulated.
* Default reserved-event durations: DownloadBundle 5 s, Install 2 s, BlockTraffic 300 s (the ELB
  target group's default deregistration delay), AllowTraffic 150 s (5 health checks 30 s apart).
  These are ELB defaults, not CodeDeploy facts; set ``reserved_durations`` to match your setup.
* Zonal: zones go in order of first appearance in the fleet; the next zone starts after every
  instance of the current one finished and the monitor duration passed (no wait after the last
  zone); the per-zone minimum applies within the zone exactly as the fleet minimum applies to the
  fleet, and a per-zone minimum at or above a zone's size is ``HEALTH_CONSTRAINTS_INVALID``.
  During a monitor period the deployment is "Baking" ([INFERENCE] in codedeploy.md 3.3).

Examples
--------
>>> import numpy as np
>>> from shiftsim.fleet import Fleet
>>> deployment = ServerDeployment(
...     "CodeDeployDefault.HalfAtATime",
...     fleet=Fleet.of_size(9),
...     hooks={"ApplicationStart": [Script("scripts/start.sh", duration=20)]},
...     faults=[ScriptFault("ApplicationStart", instances=["i-000", "i-001"])],
... )
>>> run = simulate_server(deployment, rng=np.random.SeedSequence(1))
>>> run.status, int((run.instances.status == "Succeeded").sum())
('Succeeded', 7)

Modules
-------
The deployment model: :mod:`~shiftsim.server.deployment` (:class:`ServerDeployment`),
:mod:`~shiftsim.server.scripts` (hooks), :mod:`~shiftsim.server.faults`,
:mod:`~shiftsim.server.auto_scaling`, :mod:`~shiftsim.server.blue_green` and
:mod:`~shiftsim.server.lifecycle` (events, limits, messages). Running it:
:mod:`~shiftsim.server.simulate` on the engines of :mod:`shiftsim._engines.server`, whose result
is a :class:`ServerRun` (:mod:`~shiftsim.server.run`, with its tables in
:mod:`~shiftsim.server.frames` and notifications in :mod:`~shiftsim.server.notes`), and
:mod:`~shiftsim.server.stepping` (:class:`ServerStepper`).
"""

from __future__ import annotations

from shiftsim.server.auto_scaling import ScaleIn, ScaleOut
from shiftsim.server.blue_green import BlueGreen
from shiftsim.server.deployment import (
    DEFAULT_ALARM_POLL_INTERVAL,
    DEFAULT_CLOCK_SKEW_TOLERANCE,
    MAX_ALARMS,
    ServerDeployment,
)
from shiftsim.server.faults import FileConflict, InstanceStop, LoadBalancerFault, ScriptFault
from shiftsim.server.lifecycle import LIFECYCLE_EVENTS, MAX_SCRIPT_TIMEOUT, MESSAGES
from shiftsim.server.run import ServerRun
from shiftsim.server.scripts import (
    DEFAULT_RESERVED_SECONDS,
    DEFAULT_SCRIPT_SECONDS,
    Duration,
    Script,
    hooks_from_appspec,
)
from shiftsim.server.sequence import ServerSequenceRun, simulate_server_sequence
from shiftsim.server.simulate import simulate_server
from shiftsim.server.stepping import ServerDeploymentState, ServerStepper

__all__ = [
    "DEFAULT_ALARM_POLL_INTERVAL",
    "DEFAULT_CLOCK_SKEW_TOLERANCE",
    "DEFAULT_RESERVED_SECONDS",
    "DEFAULT_SCRIPT_SECONDS",
    "LIFECYCLE_EVENTS",
    "MAX_ALARMS",
    "MAX_SCRIPT_TIMEOUT",
    "MESSAGES",
    "BlueGreen",
    "Duration",
    "FileConflict",
    "InstanceStop",
    "LoadBalancerFault",
    "ScaleIn",
    "ScaleOut",
    "Script",
    "ScriptFault",
    "ServerDeployment",
    "ServerDeploymentState",
    "ServerRun",
    "ServerSequenceRun",
    "ServerStepper",
    "hooks_from_appspec",
    "simulate_server",
    "simulate_server_sequence",
]
