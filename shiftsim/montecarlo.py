"""Many runs at once: Monte Carlo risk estimates, configuration comparisons and sweeps.

All three run the vectorized kernel (:mod:`shiftsim.kernel`) over chunks of runs and agree run for
run with the event core: ``monte_carlo(...).replay(i)`` is the core's run ``i`` on the same draws.

Examples
--------
>>> import shiftsim
>>> bad = shiftsim.LambdaDeployment(
...     "Canary10Percent5Minutes", invocations_per_minute=300,
...     target=shiftsim.Version("2", error_rate=0.05),
...     alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
>>> mc = shiftsim.monte_carlo(bad, runs=2000, rng=1)
>>> float(mc.runs["rolled_back"].mean()) > 0.9
True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._checks import invalid
from shiftsim._registry import platform_for
from shiftsim._seeding import RngLike, entropy_of, seed_sequence
from shiftsim.configs import DeploymentConfig
from shiftsim.draws import CHUNK, draw_traffic
from shiftsim.kernel import ERROR_CODES, STATUS, KernelOutcomes, outcome_of, run_kernel
from shiftsim.plan import TrafficPlan
from shiftsim.results import TrafficRun

__all__ = ["MonteCarloResult", "ServerMonteCarloResult", "compare", "monte_carlo", "sweep"]

#: z for two-sided 95% intervals.
Z95 = 1.959963984540054


def _check_runs(runs: object) -> int:
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise invalid("monte_carlo", "runs", runs, "must be a positive integer")
    return int(runs)


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """Wilson score 95% interval for a binomial proportion."""
    if trials == 0:
        return (float("nan"), float("nan"))
    p = successes / trials
    denom = 1 + Z95**2 / trials
    centre = (p + Z95**2 / (2 * trials)) / denom
    half = Z95 * np.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


@dataclass(frozen=True, slots=True, eq=False)
class MonteCarloResult:
    """``runs`` independent deployments of one scenario.

    Attributes
    ----------
    deployment : LambdaDeployment or EcsDeployment
    outcomes : KernelOutcomes
        Per-run arrays; :attr:`runs` is the tidy view.
    seed_entropy : int or tuple
        With ``spawn_key`` this rebuilds the SeedSequence and so every run.
    """

    deployment: Any
    plan: TrafficPlan
    outcomes: KernelOutcomes
    seed_entropy: Any
    spawn_key: tuple[int, ...]

    @property
    def n_runs(self) -> int:
        return int(self.outcomes.status.shape[0])

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: status, error code, rollback, timing (minutes), what was served."""
        o = self.outcomes
        return pd.DataFrame(
            {
                "run": np.arange(self.n_runs),
                "status": pd.Categorical.from_codes(o.status, categories=pd.Index(list(STATUS))),
                "error_code": pd.Series([ERROR_CODES[i] for i in o.error], dtype="object"),
                "rolled_back": o.rolled_back,
                "alarm_minute": o.first_alarm_time / 60.0,
                "detection_minute": o.detection_time / 60.0,
                "duration_minutes": o.end_time / 60.0,
                "target_invocations": o.target_invocations,
                "target_errors": o.target_errors,
                "final_weight": o.final_percent,
            }
        )

    def summary(self) -> pd.DataFrame:
        """Rates with 95% Wilson intervals and quantiles, one row per measure.

        * ``rollback_rate``: share of runs rolled back. For a good release this is the false
          rollback rate.
        * ``stop_rate``: share stopped or failed (with or without rollback).
        * ``escape_rate``: share that Succeeded. For a bad release this is the probability that
          it escapes to 100% of traffic.
        * quantiles (5%, 50%, 95%) of ``detection_minute`` (runs that were detected),
          ``target_errors`` (the blast radius) and ``duration_minutes``.
        """
        o, n = self.outcomes, self.n_runs
        rows = []
        for name, hits in (
            ("rollback_rate", int(o.rolled_back.sum())),
            ("stop_rate", int((o.status != 0).sum())),
            ("escape_rate", int((o.status == 0).sum())),
        ):
            low, high = wilson(hits, n)
            rows.append((name, hits / n, low, high, np.nan, np.nan, np.nan))
        for name, values in (
            ("detection_minute", o.detection_time / 60.0),
            ("target_errors", o.target_errors.astype(float)),
            ("duration_minutes", o.end_time / 60.0),
        ):
            values = values[~np.isnan(values)]
            if values.size:
                q5, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
                rows.append((name, float(values.mean()), np.nan, np.nan, q5, q50, q95))
            else:
                rows.append((name, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan))
        frame = pd.DataFrame(
            rows, columns=["measure", "estimate", "ci_low", "ci_high", "q05", "q50", "q95"]
        ).set_index("measure")
        frame.attrs["runs"] = n
        return frame

    def replay(self, i: int) -> TrafficRun:
        """The full event-core run ``i`` (events, timeline), on exactly the kernel's draws."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self.n_runs:
            raise invalid(
                "MonteCarloResult.replay", "i", i, f"must be a run index in [0, {self.n_runs - 1}]"
            )
        seq = np.random.SeedSequence(self.seed_entropy, spawn_key=self.spawn_key)
        platform = platform_for(self.deployment, caller="MonteCarloResult.replay")
        return platform.replay(self.deployment, rng=seq, runs=self.n_runs, index=int(i))

    def kernel_outcome(self, i: int) -> Any:
        """Run ``i`` as the kernel computed it (an :class:`~shiftsim._shifting.Outcome`)."""
        return outcome_of(self.outcomes, i)

    def __repr__(self) -> str:
        o = self.outcomes
        return (
            f"<MonteCarloResult {self.n_runs} runs of {self.plan.platform} "
            f"{getattr(self.deployment.config, 'name', '')}: rollback "
            f"{o.rolled_back.mean():.1%}, escape {(o.status == 0).mean():.1%}>"
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


def monte_carlo(deployment: Any, *, runs: int, rng: RngLike = None, progress: bool = False) -> Any:
    """Run ``runs`` independent deployments of one scenario on the vectorized kernel.

    Lambda and ECS runs are vectorized over runs (:mod:`shiftsim.kernel`). Server runs are
    vectorized over instances: each run walks its fleet with the array window
    (``simulate(..., engine="kernel")``), one run after another, run ``i`` seeded by child
    ``i`` of ``rng`` (a :class:`ServerMonteCarloResult`).

    Parameters
    ----------
    deployment : LambdaDeployment, EcsDeployment or ServerDeployment
    runs : int
        How many runs, a positive integer.
    rng : None, int, SeedSequence or Generator
        The seed (SPEC 7); recorded in the result.
    progress : bool
        Show a ``tqdm.auto`` progress bar over chunks of runs.

    Examples
    --------
    >>> import shiftsim
    >>> deployment = shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")
    >>> mc = shiftsim.monte_carlo(deployment, runs=10, rng=0)
    >>> mc.runs["status"].tolist().count("Succeeded")
    10
    """
    runs = _check_runs(runs)
    platform = platform_for(deployment, caller="monte_carlo")
    return platform.monte_carlo(deployment, runs=runs, rng=seed_sequence(rng), progress=progress)


def traffic_monte_carlo(
    deployment: Any, runs: int, seq: np.random.SeedSequence, progress: bool
) -> MonteCarloResult:
    """:func:`monte_carlo` of a Lambda or ECS deployment (its platform's implementation)."""
    plan = deployment.plan()
    chunks = range((runs + CHUNK - 1) // CHUNK)
    parts = []
    for chunk in _progress(chunks, progress, "monte_carlo"):
        size = min(CHUNK, runs - chunk * CHUNK)
        parts.append(run_kernel(plan, draw_traffic(plan, size, seq, chunk)))
    return MonteCarloResult(
        deployment, plan, KernelOutcomes.concat(parts), entropy_of(seq), tuple(seq.spawn_key)
    )


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


def _run_seed(seq: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, i))


def server_monte_carlo(
    deployment: Any, runs: int, seq: np.random.SeedSequence, progress: bool
) -> ServerMonteCarloResult:
    """:func:`monte_carlo` of a Server deployment (its platform's implementation)."""
    from shiftsim.server import simulate_server

    rows = []
    for i in _progress(range(runs), progress, "monte_carlo", total=runs):
        summary = simulate_server(deployment, rng=_run_seed(seq, i), engine="kernel").summary()
        rows.append(tuple(summary[c] for c in SERVER_COLUMNS))
    frame = pd.DataFrame(rows, columns=list(SERVER_COLUMNS))
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
            ("stop_rate", int((f["status"] != "Succeeded").sum())),
            ("escape_rate", int((f["status"] == "Succeeded").sum())),
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
        from shiftsim.server import simulate_server

        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self.n_runs:
            raise invalid(
                "ServerMonteCarloResult.replay",
                "i",
                i,
                f"must be a run index in [0, {self.n_runs - 1}]",
            )
        seq = np.random.SeedSequence(self.seed_entropy, spawn_key=self.spawn_key)
        return simulate_server(self.deployment, rng=_run_seed(seq, int(i)))

    def __repr__(self) -> str:
        f = self.frame
        return (
            f"<ServerMonteCarloResult {self.n_runs} runs of "
            f"{getattr(self.deployment.config, 'name', '')}: success "
            f"{(f['status'] == 'Succeeded').mean():.1%}, rollback {f['rolled_back'].mean():.1%}>"
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


def _progress(
    items: Iterable[Any], enabled: bool, desc: str, total: int | None = None
) -> Iterable[Any]:
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, total=total)


def _label(deployment: Any) -> str:
    return str(getattr(deployment.config, "name", deployment.config))


def compare(
    deployments_or_configs: Sequence[Any],
    *,
    runs: int,
    rng: RngLike = None,
    deployment: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """One scenario under several configurations, with common random numbers.

    Every configuration is run with the same seed, and draws are laid out one stream per plan
    segment (:mod:`shiftsim.draws`), so configurations whose schedules agree for a while see the
    very same traffic and errors there: differences come from the configuration, not from noise.

    Parameters
    ----------
    deployments_or_configs : sequence
        Deployments, or configurations (names or :class:`DeploymentConfig`) applied to
        ``deployment``.
    runs : int
    rng : seed
    deployment : LambdaDeployment or EcsDeployment, optional
        The scenario the configurations are applied to (required when configurations are given).

    Returns
    -------
    pandas.DataFrame
        One row per configuration: ``config``, ``runs``, rates with 95% intervals, and median
        and 95th percentile detection minute, target errors (blast radius) and duration.

    Examples
    --------
    >>> import shiftsim
    >>> base = shiftsim.LambdaDeployment(
    ...     "CodeDeployDefault.LambdaAllAtOnce", invocations_per_minute=100,
    ...     target=shiftsim.Version("2", error_rate=0.1),
    ...     alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
    >>> configs = ["Canary10Percent5Minutes", "CodeDeployDefault.LambdaAllAtOnce"]
    >>> table = shiftsim.compare(configs, deployment=base, runs=500, rng=2)
    >>> float(table.set_index("config").loc["CodeDeployDefault.LambdaAllAtOnce", "escape_rate"])
    1.0
    """
    runs = _check_runs(runs)
    if isinstance(deployments_or_configs, (str, DeploymentConfig)) or not len(
        deployments_or_configs
    ):
        raise invalid(
            "compare",
            "deployments_or_configs",
            deployments_or_configs,
            "must be a non-empty sequence of deployments or configurations",
        )
    scenarios = []
    for item in deployments_or_configs:
        if isinstance(item, (str, DeploymentConfig)):
            if deployment is None:
                raise invalid(
                    "compare",
                    "deployment",
                    None,
                    "must be given when comparing configurations",
                    "Pass deployment=<a LambdaDeployment> to apply them to.",
                )
            scenarios.append(replace(deployment, config=item))
        else:
            platform_for(item, caller="compare")
            scenarios.append(item)
    seq = seed_sequence(rng)
    rows = []
    for scenario in _progress(scenarios, progress, "compare"):
        mc = monte_carlo(scenario, runs=runs, rng=seq)
        rows.append({"config": _label(scenario), **summary_row(mc)})
    return pd.DataFrame(rows)


def _num(value: Any) -> float:
    return float(value)


def summary_row(mc: MonteCarloResult | ServerMonteCarloResult) -> dict[str, Any]:
    """One flat row of :meth:`MonteCarloResult.summary` (what :func:`compare` tabulates)."""
    summary = mc.summary().astype(float)
    row: dict[str, Any] = {"runs": mc.n_runs}
    for name in ("rollback_rate", "stop_rate", "escape_rate"):
        row[name] = _num(summary.at[name, "estimate"])
        row[f"{name}_low"] = _num(summary.at[name, "ci_low"])
        row[f"{name}_high"] = _num(summary.at[name, "ci_high"])
    for name in summary.index[3:]:
        row[f"{name}_median"] = _num(summary.at[name, "q50"])
        row[f"{name}_p95"] = _num(summary.at[name, "q95"])
        row[f"{name}_mean"] = _num(summary.at[name, "estimate"])
    return row


def _apply(deployment: Any, name: str, value: Any) -> Any:
    """One grid parameter applied to a deployment."""
    if name == "error_rate":
        if not hasattr(deployment, "target"):
            raise invalid(
                "sweep",
                "grid",
                name,
                "applies to Lambda and ECS deployments (the target version's errors)",
            )
        return replace(deployment, target=replace(deployment.target, error_rate=value))
    if name == "threshold":
        return replace(
            deployment, alarms=tuple(replace(a, threshold=value) for a in deployment.alarms)
        )
    if name in (
        "invocations_per_minute",
        "requests_per_minute",
        "config",
        "alarm_poll_interval",
        "metric_delay",
    ):
        return replace(deployment, **{name: value})
    fields = getattr(deployment, "__dataclass_fields__", {})
    if name in fields:
        return replace(deployment, **{name: value})
    raise invalid(
        "sweep", "grid", name, "must name error_rate, threshold or a field of the deployment"
    )


def _sweep_point(args: tuple[Any, dict[str, Any], int, np.random.SeedSequence]) -> dict[str, Any]:
    deployment, point, runs, seq = args
    scenario = deployment
    for name, value in point.items():
        scenario = _apply(scenario, name, value)
    mc = monte_carlo(scenario, runs=runs, rng=seq)
    shown = {k: (_label(scenario) if k == "config" else v) for k, v in point.items()}
    return {**shown, **summary_row(mc)}


def sweep(
    deployment: Any,
    grid: Mapping[str, Sequence[Any]],
    *,
    runs: int,
    rng: RngLike = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Monte Carlo over every point of a parameter grid, optionally in parallel.

    Parameters
    ----------
    deployment : LambdaDeployment or EcsDeployment
        The base scenario.
    grid : mapping of str to sequence
        Parameter -> values. ``error_rate`` sets the target's error rate, ``threshold`` every
        alarm's threshold, ``config`` the configuration; any other deployment field
        (``invocations_per_minute``...) is replaced as is.
    runs : int
        Runs per grid point.
    rng : seed
        Every grid point uses the same seed (common random numbers across the grid).
    executor : concurrent.futures.Executor, optional
        Where to run grid points: a ``ProcessPoolExecutor``, or a dask.distributed
        ``Client.get_executor()`` for a cluster. ``None`` runs them here, in order.
    progress : bool
        A ``tqdm.auto`` bar over grid points.

    Returns
    -------
    pandas.DataFrame
        One row per grid point, in grid order (the last parameter varies fastest).

    Examples
    --------
    >>> import shiftsim
    >>> base = shiftsim.LambdaDeployment("Canary10Percent5Minutes",
    ...     alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
    >>> table = shiftsim.sweep(base, {"error_rate": [0.0, 0.2]}, runs=200, rng=3)
    >>> table["rollback_rate"].tolist()[0]
    0.0
    """
    runs = _check_runs(runs)
    platform_for(deployment, caller="sweep")
    if not isinstance(grid, Mapping) or not grid:
        raise invalid("sweep", "grid", grid, "must be a non-empty mapping of name -> values")
    names = list(grid)
    for name in names:
        values = grid[name]
        if isinstance(values, str) or not isinstance(values, Sequence) or not len(values):
            raise invalid("sweep", f"grid[{name!r}]", values, "must be a non-empty sequence")
        _apply(deployment, name, values[0])  # validates the name early
    seq = seed_sequence(rng)
    points = [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]
    tasks = [(deployment, point, runs, seq) for point in points]
    mapper: Callable[..., Iterable[dict[str, Any]]] = executor.map if executor else map
    rows = list(_progress(mapper(_sweep_point, tasks), progress, "sweep", total=len(tasks)))
    return pd.DataFrame(rows)
