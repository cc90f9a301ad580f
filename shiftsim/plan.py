"""The compiled plan of a Lambda or ECS deployment (kept at this path for readers and users).

The code lives in :mod:`shiftsim._engines.traffic.plan`, the plan role of the traffic engines;
this module re-exports its public names.
"""

from shiftsim._engines.traffic.plan import (
    Phase,
    PhaseSpec,
    TrafficPlan,
    compile_deployment,
    compile_traffic_plan,
)

__all__ = ["Phase", "PhaseSpec", "TrafficPlan", "compile_deployment", "compile_traffic_plan"]
