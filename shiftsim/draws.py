"""The random inputs of Lambda and ECS runs (kept at this path for readers and users).

The code lives in :mod:`shiftsim._engines.traffic.draws`, the draws role of the traffic engines;
this module re-exports its public names.
"""

from shiftsim._engines.traffic.draws import CHUNK, DURATION_KEY, TrafficDraws, draw_traffic

__all__ = ["CHUNK", "DURATION_KEY", "TrafficDraws", "draw_traffic"]
