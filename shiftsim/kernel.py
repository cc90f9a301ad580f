"""The vectorized Lambda and ECS engine (kept at this path for readers and users).

The code lives in :mod:`shiftsim._engines.traffic.kernel`, the array-engine role of the traffic
engines; this module re-exports its public names.
"""

from shiftsim._engines.traffic.kernel import (
    ERROR_CODES,
    STATUS,
    KernelOutcomes,
    evaluate_block,
    outcome_of,
    run_kernel,
)

__all__ = ["ERROR_CODES", "STATUS", "KernelOutcomes", "evaluate_block", "outcome_of", "run_kernel"]
