"""Monte Carlo runs of one EC2/on-premises scenario (private): the batch engine where it
applies, run by run elsewhere; :class:`ServerMonteCarloResult`, which :mod:`shiftsim.montecarlo`
re-exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._checks import invalid
from shiftsim._engines.server.batch import Batch, unsupported
from shiftsim._engines.server.plan import compile_plan
from shiftsim._registry import MonteCarloOptions
from shiftsim._seeding import entropy_of
from shiftsim._xp import compat
from shiftsim.decision import wilson
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.server import simulate_server
from shiftsim.vocabulary import DeploymentStatus

__all__ = ["SERVER_COLUMNS", "ServerMonteCarloResult", "run_seed", "server_monte_carlo"]

_SUCCEEDED = DeploymentStatus.SUCCEEDED.value


SERVER_COLUMNS = (
    "status",
    "error_code",
    "rolled_back",
    "duration_minutes",
    "succeeded",
    "failed",
    "skipped",
    "unknown",
    "peak_in_flight",
    "lowest_healthy",
    "time_in_flight_minutes",
)


def run_seed(seq: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, i))


#: Runs per block of the Server batch engine, and of the run-by-run path.
SERVER_BLOCK = 4096
SERVER_RUN_BLOCK = 256


def _server_rows(args: tuple[Any, np.random.SeedSequence, int, int]) -> pd.DataFrame:
    """Runs ``lo .. hi - 1`` one after another (scenarios the batch engine does not cover)."""

    deployment, seq, lo, hi = args
    rows = []
    engine = "kernel"
    for i in range(lo, hi):
        try:
            run = simulate_server(deployment, rng=run_seed(seq, i), engine=engine)
        except UnsupportedScenarioError:
            engine = "core"
            run = simulate_server(deployment, rng=run_seed(seq, i), engine=engine)
        summary = run.summary()
        rows.append(tuple(summary[c] for c in SERVER_COLUMNS))
    return pd.DataFrame(rows, columns=list(SERVER_COLUMNS))


def _server_batch(args: tuple[Any, np.random.SeedSequence, int, int, Any]) -> pd.DataFrame:
    """Runs ``lo .. hi - 1`` on the batch engine (arrays of runs x instances)."""

    deployment, seq, lo, hi, device = args
    batch = Batch(compile_plan(deployment), seq)
    if device == "cuda" and batch.lookup:
        # Fixed durations: every step on the GPU, faults drawn there.
        cols = batch.device_summaries(
            lo,
            hi,
            seed=np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, 1 << 31, lo)),
        )
    elif device == "cuda":
        # Drawn durations: the exact draws and lifecycles here, the window on the GPU.
        cols = batch.summaries(lo, hi, xp=compat("cupy"))
    else:
        cols = batch.summaries(lo, hi)
    return pd.DataFrame({c: cols[c] for c in SERVER_COLUMNS})


def server_monte_carlo(
    deployment: Any, runs: int, seq: np.random.SeedSequence, options: MonteCarloOptions
) -> ServerMonteCarloResult:
    """:func:`monte_carlo` of a Server deployment (its platform's implementation): the batch
    engine where it applies (:func:`shiftsim._engines.server.batch.unsupported`), else run by
    run; both give each run exactly what ``simulate`` gives from its seed."""

    reason = unsupported(compile_plan(deployment), seq)
    device = options.device
    fn: Callable[[Any], pd.DataFrame]
    if reason is None:
        block = SERVER_BLOCK * 16 if device == "cuda" else SERVER_BLOCK
        tasks: list[Any] = [
            (deployment, seq, lo, min(lo + block, runs), device) for lo in range(0, runs, block)
        ]
        fn = _server_batch
    else:
        if device == "cuda":
            raise UnsupportedScenarioError(
                f"monte_carlo(device='cuda'): the GPU batch engine does not run {reason}; "
                "use device=None."
            )
        tasks = [
            (deployment, seq, lo, min(lo + SERVER_RUN_BLOCK, runs))
            for lo in range(0, runs, SERVER_RUN_BLOCK)
        ]
        fn = _server_rows
    parts = options.map_blocks(fn, tasks, processes=True)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    frame.insert(0, "run", np.arange(runs))
    return ServerMonteCarloResult(deployment, frame, entropy_of(seq), tuple(seq.spawn_key))


@dataclass(frozen=True, slots=True, eq=False)
class ServerMonteCarloResult:
    """``runs`` independent runs of one EC2/on-premises scenario.

    Same interface as :class:`MonteCarloResult`: :attr:`runs` (one row per run: status, error
    code, rollback, duration, instances succeeded/failed/skipped/unknown, peak in flight,
    lowest healthy count, time in flight), :meth:`summary` and :meth:`replay`.
    """

    deployment: Any
    frame: pd.DataFrame
    seed_entropy: Any
    spawn_key: tuple[int, ...]

    @property
    def n_runs(self) -> int:
        return len(self.frame)

    @property
    def runs(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> pd.DataFrame:
        """Rates with 95% Wilson intervals and quantiles (``rollback_rate``, ``stop_rate``,
        ``escape_rate`` = share Succeeded; ``duration_minutes``, ``failed`` instances,
        ``time_in_flight_minutes``)."""
        f, n = self.frame, self.n_runs
        rows = []
        for name, hits in (
            ("rollback_rate", int(f["rolled_back"].sum())),
            ("stop_rate", int((f["status"] != _SUCCEEDED).sum())),
            ("escape_rate", int((f["status"] == _SUCCEEDED).sum())),
        ):
            low, high = wilson(hits, n)
            rows.append((name, hits / n, low, high, np.nan, np.nan, np.nan))
        for name in ("duration_minutes", "failed", "time_in_flight_minutes"):
            values = f[name].to_numpy(dtype=float)
            q5, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            rows.append((name, float(values.mean()), np.nan, np.nan, q5, q50, q95))
        frame = pd.DataFrame(
            rows, columns=["measure", "estimate", "ci_low", "ci_high", "q05", "q50", "q95"]
        ).set_index("measure")
        frame.attrs["runs"] = n
        return frame

    def replay(self, i: int) -> Any:
        """Run ``i`` on the event core, from its own seed (equal to the kernel's run ``i``)."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self.n_runs:
            raise invalid(
                "ServerMonteCarloResult.replay",
                "i",
                i,
                f"must be a run index in [0, {self.n_runs - 1}]",
            )
        seq = np.random.SeedSequence(self.seed_entropy, spawn_key=self.spawn_key)
        return simulate_server(self.deployment, rng=run_seed(seq, int(i)))

    def __repr__(self) -> str:
        f = self.frame
        return (
            f"<ServerMonteCarloResult {self.n_runs} runs of "
            f"{getattr(self.deployment.config, 'name', '')}: success "
            f"{(f['status'] == _SUCCEEDED).mean():.1%}, rollback {f['rolled_back'].mean():.1%}>"
        )

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw this run with :func:`shiftsim.plot.risk` (which imports matplotlib).

        ``ax`` and ``options`` go to :func:`shiftsim.plot.risk`; returns its Axes.
        """
        from shiftsim import plot

        return plot.risk(self, ax=ax, **options)

    def _repr_html_(self) -> str:
        title = f"<strong>{self.n_runs} runs</strong>"
        return f"<div>{title}{self.summary().to_html(float_format=lambda v: f'{v:.4g}')}</div>"
