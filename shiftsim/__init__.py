"""shiftsim: simulate AWS CodeDeploy deployments faithfully and fast, without an AWS account.

The public names are listed in ``__all__`` and documented in docs/api.md.
"""

# _platforms registers the Lambda, ECS and Server platforms with the dispatch seam (_registry).
from shiftsim import _platforms  # noqa: F401
from shiftsim.alarms import Alarm
from shiftsim.appspec import AppSpec, load_appspec
from shiftsim.boto import from_deployment_group, to_get_deployment
from shiftsim.configs import (
    AllAtOnce,
    DeploymentConfig,
    MinimumHealthyHosts,
    TimeBasedCanary,
    TimeBasedLinear,
    ZonalConfig,
    get_config,
    predefined_configs,
    traffic_schedule,
)
from shiftsim.decision import frontier, tradeoff_table
from shiftsim.ecs import EcsDeployment, EcsHooks, EcsRun
from shiftsim.errors import AppSpecError, ConfigError, ShiftsimError, UnsupportedScenarioError
from shiftsim.fleet import Fleet, Instance, TagFilter, Targets
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.monitoring import AlarmConfiguration, AlarmReadFailure
from shiftsim.montecarlo import (
    MonteCarloResult,
    ServerMonteCarloResult,
    compare,
    monte_carlo,
    sweep,
)
from shiftsim.notifications import Notification
from shiftsim.results import TrafficRun
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.sam import from_sam
from shiftsim.sequence import SequenceRun, simulate_sequence
from shiftsim.server import (
    BlueGreen,
    Duration,
    FileConflict,
    InstanceStop,
    LoadBalancerFault,
    ScaleIn,
    ScaleOut,
    Script,
    ScriptFault,
    ServerDeployment,
    ServerDeploymentState,
    ServerRun,
    ServerStepper,
)
from shiftsim.simulation import simulate
from shiftsim.stepping import DeploymentState, Stepper, start
from shiftsim.traffic import Hook, Profile, Version

__version__ = "0.1.0"

__all__ = [
    "Alarm",
    "AlarmConfiguration",
    "AlarmReadFailure",
    "AllAtOnce",
    "AppSpec",
    "AppSpecError",
    "AutoRollback",
    "BlueGreen",
    "ConfigError",
    "DeploymentConfig",
    "DeploymentState",
    "Duration",
    "EcsDeployment",
    "EcsHooks",
    "EcsRun",
    "FileConflict",
    "Fleet",
    "Hook",
    "Instance",
    "InstanceStop",
    "LambdaDeployment",
    "LambdaHooks",
    "LoadBalancerFault",
    "ManualStop",
    "MinimumHealthyHosts",
    "MonteCarloResult",
    "Notification",
    "Profile",
    "ScaleIn",
    "ScaleOut",
    "Script",
    "ScriptFault",
    "SequenceRun",
    "ServerDeployment",
    "ServerDeploymentState",
    "ServerMonteCarloResult",
    "ServerRun",
    "ServerStepper",
    "ShiftsimError",
    "Stepper",
    "TagFilter",
    "Targets",
    "TimeBasedCanary",
    "TimeBasedLinear",
    "TrafficRun",
    "UnsupportedScenarioError",
    "Version",
    "ZonalConfig",
    "compare",
    "from_deployment_group",
    "from_sam",
    "frontier",
    "get_config",
    "load_appspec",
    "monte_carlo",
    "predefined_configs",
    "simulate",
    "simulate_sequence",
    "start",
    "sweep",
    "to_get_deployment",
    "tradeoff_table",
    "traffic_schedule",
]
