"""shiftsim: simulate AWS CodeDeploy deployments faithfully and fast, without an AWS account."""

from shiftsim.alarms import Alarm
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
from shiftsim.errors import AppSpecError, ConfigError, ShiftsimError, UnsupportedScenarioError
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.montecarlo import MonteCarloResult, compare, monte_carlo, sweep
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.simulation import simulate
from shiftsim.traffic import Hook, Profile, Version

__version__ = "0.1.0"

__all__ = [
    "Alarm",
    "AllAtOnce",
    "AppSpecError",
    "AutoRollback",
    "ConfigError",
    "DeploymentConfig",
    "Hook",
    "LambdaDeployment",
    "LambdaHooks",
    "ManualStop",
    "MinimumHealthyHosts",
    "MonteCarloResult",
    "Profile",
    "ShiftsimError",
    "TimeBasedCanary",
    "TimeBasedLinear",
    "UnsupportedScenarioError",
    "Version",
    "ZonalConfig",
    "compare",
    "get_config",
    "monte_carlo",
    "predefined_configs",
    "simulate",
    "sweep",
    "traffic_schedule",
]
