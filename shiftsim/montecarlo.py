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
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._checks import invalid
from shiftsim._engines.traffic.kernel import device_outcomes
from shiftsim._exposure import DEFAULT_EXPOSURE_MINUTES, after_end_errors
from shiftsim._limits import MAX_RUNS
from shiftsim._parallel import map_blocks, progress_bar
from shiftsim._registry import MonteCarloOptions, platform_for
from shiftsim._seeding import RngLike, entropy_of, seed_sequence
from shiftsim._server_monte_carlo import ServerMonteCarloResult
from shiftsim.alarms import Alarm
from shiftsim.configs import DeploymentConfig
from shiftsim.decision import (
    apply_axis,
    axis_name,
    release_kind,
    release_measures,
    value_label,
    wilson,
)
from shiftsim.draws import CHUNK, draw_traffic
from shiftsim.kernel import ERROR_CODES, STATUS, KernelOutcomes, outcome_of, run_kernel
from shiftsim.plan import TrafficPlan
from shiftsim.results import TrafficRun
from shiftsim.traffic import Version

__all__ = ["MonteCarloResult", "ServerMonteCarloResult", "compare", "monte_carlo", "sweep"]


def _check_runs(runs: object) -> int:
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise invalid("monte_carlo", "runs", runs, "must be a positive integer")
    if runs > MAX_RUNS:  # each run keeps ~70 bytes of results (issue 16)
        raise invalid("monte_carlo", "runs", runs, f"must be at most {MAX_RUNS:_}")
    return int(runs)


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
    exposure_minutes : float
        The horizon of ``exposure_errors``: minutes after the deployment ended until a person
        notices an escaped release (default 60).
    """

    deployment: Any
    plan: TrafficPlan
    outcomes: KernelOutcomes
    seed_entropy: Any
    spawn_key: tuple[int, ...]
    exposure_minutes: float = DEFAULT_EXPOSURE_MINUTES

    @property
    def exposure_errors(self) -> np.ndarray:
        """Per run: ``target_errors`` plus the failures the target is expected to serve after
        the deployment ended, at its final weight, for :attr:`exposure_minutes`."""
        o = self.outcomes
        after = after_end_errors(
            self.deployment, o.end_time, o.final_percent, self.exposure_minutes
        )
        return o.target_errors + after

    @property
    def n_runs(self) -> int:
        return int(self.outcomes.status.shape[0])

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: status, error code, rollback, timing (minutes), what was served
        (``target_errors`` before the end; ``exposure_errors`` with the after-end horizon)."""
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
                "exposure_errors": self.exposure_errors,
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
          ``target_errors`` (errors the new version served before the deployment ended),
          ``exposure_errors`` (those plus the errors it is expected to serve afterwards, at the
          weight it ended with, for :attr:`exposure_minutes`: the whole incident's blast
          radius) and ``duration_minutes``.
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
            ("exposure_errors", self.exposure_errors),
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
        frame.attrs["exposure_minutes"] = self.exposure_minutes
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


def monte_carlo(
    deployment: Any,
    *,
    runs: int,
    rng: RngLike = None,
    progress: bool = False,
    exposure_minutes: float = DEFAULT_EXPOSURE_MINUTES,
    workers: int | None = None,
    executor: Any = None,
    device: str | None = None,
) -> Any:
    """Run ``runs`` independent deployments of one scenario on the vectorized kernel.

    Lambda and ECS runs are vectorized over runs (:mod:`shiftsim.kernel`). Server runs are
    vectorized over runs too (arrays of runs x instances), run ``i`` seeded by child ``i`` of
    ``rng`` (a :class:`ServerMonteCarloResult`); scenarios the batch engine does not cover
    (blue/green, zonal, Auto Scaling launches, instances that stop mid-deployment) run one
    after another on the array window (``simulate(..., engine="kernel")``), with the same
    result.

    The runs are cut into fixed blocks (their size and random streams depend only on the
    seed), computed on ``workers`` cores or on ``executor`` and joined in order: the result is
    the same for any number of workers and any executor.

    Parameters
    ----------
    deployment : LambdaDeployment, EcsDeployment or ServerDeployment
    runs : int
        How many runs, a positive integer, at most 10**8 (``MAX_RUNS``: each run keeps about 70
        bytes of results).
    rng : None, int, SeedSequence or Generator
        The seed (SPEC 7); recorded in the result.
    progress : bool
        Show a ``tqdm.auto`` progress bar over chunks of runs.
    exposure_minutes : float
        Lambda and ECS: how long an escaped release keeps serving before a person notices
        (minutes after the deployment ended; default 60). ``exposure_errors`` counts the
        target's failures until then (:attr:`MonteCarloResult.exposure_errors`).
    workers : int, optional
        How many cores to use (default: every core this process may use). Lambda and ECS
        blocks run on threads (numpy releases the GIL), Server blocks on processes.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Run the blocks there instead (``workers`` is then ignored), e.g. a dask cluster's
        ``Client``.
    device : {None, "cpu", "cuda"}
        ``"cuda"`` runs the array kernels on the GPU with CuPy (the ``gpu`` extra): Server
        scenarios the batch engine covers, and Lambda or ECS deployments that
        :func:`shiftsim._engines.traffic.kernel.supported` accepts. Random variates are then
        drawn on the device (``cupy.random``), so runs differ from the CPU's, and ``replay``
        does not apply; rates agree within their confidence intervals.

    Examples
    --------
    >>> import shiftsim
    >>> deployment = shiftsim.LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")
    >>> mc = shiftsim.monte_carlo(deployment, runs=10, rng=0)
    >>> mc.runs["status"].tolist().count("Succeeded")
    10
    """
    runs = _check_runs(runs)
    options = MonteCarloOptions.checked(
        "monte_carlo",
        exposure_minutes=exposure_minutes,
        workers=workers,
        executor=executor,
        device=device,
        progress=progress,
    )
    return _run_monte_carlo(deployment, runs, rng, options)


def _run_monte_carlo(deployment: Any, runs: int, rng: RngLike, options: MonteCarloOptions) -> Any:
    """:func:`monte_carlo` on checked arguments: the deployment's platform runs it."""
    platform = platform_for(deployment, caller="monte_carlo")
    return platform.monte_carlo(deployment, runs=runs, rng=seed_sequence(rng), options=options)


def _traffic_block(args: tuple[Any, int, np.random.SeedSequence, int]) -> KernelOutcomes:
    plan, size, seq, chunk = args
    return run_kernel(plan, draw_traffic(plan, size, seq, chunk))


def traffic_monte_carlo(
    deployment: Any, runs: int, seq: np.random.SeedSequence, options: MonteCarloOptions
) -> MonteCarloResult:
    """:func:`monte_carlo` of a Lambda or ECS deployment (its platform's implementation)."""
    plan = deployment.plan()
    if options.device == "cuda":
        outcomes = device_outcomes(plan, runs, seq)
    else:
        tasks = [
            (plan, min(CHUNK, runs - chunk * CHUNK), seq, chunk)
            for chunk in range((runs + CHUNK - 1) // CHUNK)
        ]
        outcomes = KernelOutcomes.concat(options.map_blocks(_traffic_block, tasks))
    return MonteCarloResult(
        deployment,
        plan,
        outcomes,
        entropy_of(seq),
        tuple(seq.spawn_key),
        options.exposure_minutes,
    )


def _label(deployment: Any) -> str:
    return str(getattr(deployment.config, "name", deployment.config))


#: What a release can be: a Version (the target of a Lambda or ECS deployment) or a mapping of
#: field paths to values (any platform, e.g. ``{"faults": ()}`` for a Server revision).
Release = Any


def _designs(owner: str, alarms: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """Alarm designs as (label, alarms) pairs."""
    if isinstance(alarms, Mapping):
        items = [(str(k), v) for k, v in alarms.items()]
    elif isinstance(alarms, Sequence) and not isinstance(alarms, str) and len(alarms):
        items = [(None, v) for v in alarms]  # type: ignore[misc]
    else:
        raise invalid(
            owner, "alarms", alarms, "must be a non-empty list (or label -> list) of alarm designs"
        )
    out = []
    for label, design in items:
        design = (design,) if isinstance(design, Alarm) else design
        if isinstance(design, str) or not isinstance(design, Sequence):
            raise invalid(owner, "alarms", design, "must hold lists of Alarm")
        if not all(isinstance(a, Alarm) for a in design):
            raise invalid(owner, "alarms", design, "must hold lists of Alarm")
        out.append((label or value_label(list(design)), tuple(design)))
    return out


def _as_release(owner: str, deployment: Any, release: Release) -> Any:
    """``deployment`` with ``release`` applied: a Version in its platform's ``release_field``, a
    mapping field path by field path."""
    if isinstance(release, Version):
        field = platform_for(deployment, caller=owner).release_field
        if field is None:
            raise invalid(
                owner,
                "releases",
                release,
                "must be mappings of field -> value for Server deployments (e.g. {'faults': "
                "()} for a revision whose scripts succeed); a Version is the target of a "
                "Lambda or ECS deployment",
            )
        return replace(deployment, **{field: release})
    if isinstance(release, Mapping):
        for path, value in release.items():
            deployment = apply_axis(deployment, str(path), value)
        return deployment
    raise invalid(
        owner, "releases", release, "must map names to a Version or a mapping of field -> value"
    )


def _check_releases(
    owner: str, releases: Any, deployment: Any
) -> tuple[tuple[str, str, Release], ...]:
    """(name, kind, release) triples, each release checked on ``deployment`` (fails early)."""
    if not isinstance(releases, Mapping) or not releases:
        raise invalid(
            owner,
            "releases",
            releases,
            "must be a non-empty mapping of name -> Version, e.g. {'bad': Version(error_rate="
            "0.02), 'good': Version()}",
        )
    checked = tuple(
        (str(name), release_kind(owner, name), value) for name, value in releases.items()
    )
    for _, _, release in checked:
        _as_release(owner, deployment, release)
    return checked


def _checked(
    owner: str,
    runs: object,
    exposure_minutes: object,
    workers: object,
    executor: object,
    progress: bool,
) -> tuple[int, MonteCarloOptions]:
    """What :func:`compare` and :func:`sweep` share: ``runs`` and the options, checked."""
    return _check_runs(runs), MonteCarloOptions.checked(
        owner,
        exposure_minutes=exposure_minutes,
        workers=workers,
        executor=executor,
        progress=progress,
    )


@dataclass(frozen=True, slots=True)
class _Point:
    """One point of a comparison or a grid: its scenario, the columns that tell it (``shown``),
    and a short label."""

    scenario: Any
    shown: dict[str, Any]
    label: str


@dataclass(frozen=True, slots=True)
class _Job:
    """One point's Monte Carlo runs (each release's with ``releases``): picklable, for an
    executor."""

    owner: str
    point: _Point
    releases: tuple[tuple[str, str, Release], ...] | None
    runs: int
    seq: np.random.SeedSequence
    options: MonteCarloOptions


def _run_job(job: _Job) -> list[dict[str, Any]]:
    """A point's rows: its summary row, or with releases the long rows of their measures."""
    point = job.point
    if job.releases is None:
        mc = _run_monte_carlo(point.scenario, job.runs, job.seq, job.options)
        return [{**point.shown, **summary_row(mc)}]
    rows = []
    for name, kind, release in job.releases:
        scenario = _as_release(job.owner, point.scenario, release)
        mc = _run_monte_carlo(scenario, job.runs, job.seq, job.options)
        for measure, estimate, low, high, n in release_measures(mc, kind):
            rows.append(
                {
                    **point.shown,
                    "label": point.label,
                    "release": name,
                    "measure": measure,
                    "estimate": estimate,
                    "ci_low": low,
                    "ci_high": high,
                    "n": n,
                }
            )
    return rows


def _run_points(
    owner: str,
    points: list[_Point],
    releases: Any,
    runs: int,
    rng: RngLike,
    options: MonteCarloOptions,
) -> pd.DataFrame:
    """Points -> a wide table, or a long decision frame (with ``releases``). With an executor
    the points run there (each on one core); otherwise one after another, each on
    ``options.workers`` cores."""
    seq = seed_sequence(rng)
    checked = None if releases is None else _check_releases(owner, releases, points[0].scenario)
    inner = MonteCarloOptions(
        options.exposure_minutes, 1 if options.executor is not None else options.workers
    )
    jobs = [_Job(owner, point, checked, runs, seq, inner) for point in points]
    if options.executor is None:
        results: Iterable[list[dict[str, Any]]] = map(_run_job, jobs)
    else:
        results = map_blocks(_run_job, jobs, workers=1, executor=options.executor)
    parts = list(progress_bar(results, options.progress, owner, total=len(jobs)))
    frame = pd.DataFrame([row for part in parts for row in part])
    if checked is not None:
        frame.attrs["runs"] = runs
        frame.attrs["exposure_minutes"] = options.exposure_minutes
    return frame


def _compare_scenarios(items: Any, deployment: Any) -> list[Any]:
    """The scenarios :func:`compare` runs: deployments as given, configurations applied to
    ``deployment``."""
    if isinstance(items, (str, DeploymentConfig)) or not len(items):
        raise invalid(
            "compare",
            "deployments_or_configs",
            items,
            "must be a non-empty sequence of deployments or configurations",
        )
    scenarios = []
    for item in items:
        if not isinstance(item, (str, DeploymentConfig)):
            platform_for(item, caller="compare")
            scenarios.append(item)
        elif deployment is None:
            raise invalid(
                "compare",
                "deployment",
                None,
                "must be given when comparing configurations",
                "Pass deployment=<a LambdaDeployment> to apply them to.",
            )
        else:
            scenarios.append(replace(deployment, config=item))
    return scenarios


def _compare_point(scenario: Any, design_label: str, design: Any) -> _Point:
    """One scenario under one alarm design (None: its own alarms)."""
    shown: dict[str, Any] = {"config": _label(scenario)}
    label = value_label(_label(scenario))
    if design is None:
        return _Point(scenario, shown, label)
    shown["alarms"] = design_label
    return _Point(replace(scenario, alarms=design), shown, f"{label} · {design_label}")


def compare(
    deployments_or_configs: Sequence[Any],
    *,
    runs: int,
    rng: RngLike = None,
    deployment: Any = None,
    releases: Mapping[str, Release] | None = None,
    alarms: Any = None,
    exposure_minutes: float = DEFAULT_EXPOSURE_MINUTES,
    executor: Executor | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> pd.DataFrame:
    """One scenario under several configurations (and alarm designs), with common random numbers.

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
    deployment : LambdaDeployment, EcsDeployment or ServerDeployment, optional
        The scenario the configurations are applied to (required when configurations are given).
    releases : mapping of str to Version, optional
        Both sides of the trade-off (:mod:`shiftsim.decision`): releases keyed by names starting
        with ``"bad"`` or ``"good"``, each a :class:`~shiftsim.Version` (the target) or, for any
        platform, a mapping of field paths to values (``{"faults": ()}``). Every release runs
        under every configuration and alarm design on the same seed.
    alarms : list or mapping of alarm lists, optional
        Alarm designs to try (label -> list of :class:`~shiftsim.Alarm`); default the
        deployment's own alarms.
    exposure_minutes : float
        How long an escaped release serves before a person notices (default 60 minutes);
        ``exposure_errors`` counts its failures until then.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where to run the configurations (as :func:`sweep`).
    progress : bool
    workers : int, optional
        Cores for each configuration's runs without an executor (as :func:`monte_carlo`;
        default every core). The result is the same for any value.

    Returns
    -------
    pandas.DataFrame
        Without ``releases``: one row per configuration (and alarm design): ``config``,
        ``runs``, rates with 95% intervals, median, 95th percentile and mean of detection
        minute, target errors (before the end), exposure errors (the whole incident) and
        duration. With ``releases``: a tidy long frame, one row per configuration, alarm design,
        release and measure (``miss_rate``, ``false_rollback_rate``, ``exposure_errors``,
        ``detection_minute``, ``duration_minutes``) with ``estimate``, ``ci_low``, ``ci_high``
        and ``n``; :func:`shiftsim.tradeoff_table` makes it one row per configuration and
        :func:`shiftsim.frontier` keeps the best.

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
    runs, options = _checked("compare", runs, exposure_minutes, workers, executor, progress)
    scenarios = _compare_scenarios(deployments_or_configs, deployment)
    designs = [("", None)] if alarms is None else _designs("compare", alarms)
    points = [_compare_point(s, label, design) for s in scenarios for label, design in designs]
    return _run_points("compare", points, releases, runs, rng, options)


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


def _grid_values(name: str, values: Any) -> list[tuple[Any, Any]]:
    """(value, shown) pairs of one axis: a mapping gives its labels, a sequence its values."""
    if isinstance(values, Mapping) and values:
        return [(v, str(k)) for k, v in values.items()]
    if isinstance(values, str) or not isinstance(values, Sequence) or not len(values):
        raise invalid(
            "sweep", f"grid[{name!r}]", values, "must be a non-empty sequence or label -> value"
        )
    out = []
    for v in values:
        plain = isinstance(v, (int, float, np.integer, np.floating, bool)) or v is None
        out.append((v, v if plain else value_label(v)))
    return out


def _sweep_axes(
    deployment: Any, grid: Any, releases: Any
) -> list[tuple[str, str, list[tuple[Any, Any]]]]:
    """The axes of :func:`sweep`'s grid as (name, column, values), each checked on
    ``deployment``."""
    if not isinstance(grid, Mapping) or not grid:
        raise invalid("sweep", "grid", grid, "must be a non-empty mapping of name -> values")
    names = [str(n) for n in grid]
    axes = [_grid_values(name, grid[name]) for name in names]
    for name, values in zip(names, axes):
        if releases is not None and (name == "error_rate" or name.startswith("target")):
            raise invalid(
                "sweep",
                "grid",
                name,
                "cannot vary the target when releases= sets it; sweep one release at a time",
            )
        apply_axis(deployment, name, values[0][0])  # validates the axis early
    columns = [name if name in ("config", "alarms") else axis_name(name) for name in names]
    if len(set(columns)) < len(columns):
        columns = names
    return list(zip(names, columns, axes))


def _sweep_point(
    deployment: Any, axes: list[tuple[str, str, Any]], combo: tuple[tuple[Any, Any], ...]
) -> _Point:
    """``deployment`` at one combination of the grid's (value, shown) pairs."""
    scenario = deployment
    shown: dict[str, Any] = {}
    parts = []
    for (name, column, _), (value, label) in zip(axes, combo):
        scenario = apply_axis(scenario, name, value)
        if name == "config":
            shown[column] = _label(scenario)
            parts.append(value_label(_label(scenario)))
            continue
        shown[column] = label
        text = value_label(value) if label is value else str(label)
        parts.append(text if name == "alarms" else f"{column}={text}")
    return _Point(scenario, shown, ", ".join(parts))


def sweep(
    deployment: Any,
    grid: Mapping[str, Any],
    *,
    runs: int,
    rng: RngLike = None,
    releases: Mapping[str, Release] | None = None,
    exposure_minutes: float = DEFAULT_EXPOSURE_MINUTES,
    executor: Executor | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> pd.DataFrame:
    """Monte Carlo over every point of a parameter grid, optionally in parallel.

    Parameters
    ----------
    deployment : LambdaDeployment, EcsDeployment or ServerDeployment
        The base scenario.
    grid : mapping of str to sequence (or to a mapping label -> value)
        Axis -> values. An axis is a field path: ``"alarms[0].threshold"``,
        ``"alarms[0].evaluation_periods"``, ``"target.error_rate"``, ``"config"``,
        ``"invocations_per_minute"``, ``"alarms"`` (whole alarm designs)... The shorthands
        ``error_rate`` (the target's) and ``threshold`` (every alarm's) still work. Give a
        mapping ``{label: value}`` to name values yourself; otherwise configurations, alarms
        and versions get short labels.
    runs : int
        Runs per grid point (and release), at most 10**8.
    rng : seed
        Every grid point uses the same seed (common random numbers across the grid).
    releases : mapping of str to Version, optional
        As :func:`compare`: with it, both sides of the trade-off in a tidy long frame.
    exposure_minutes : float
        As :func:`compare` (default 60).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where to run grid points: a ``ProcessPoolExecutor``, or a dask.distributed ``Client``
        (or its ``get_executor()``) for a cluster. ``None`` runs them here, in order.
    progress : bool
        A ``tqdm.auto`` bar over grid points.
    workers : int, optional
        Cores for each grid point's runs without an executor (as :func:`monte_carlo`; default
        every core). The result is the same for any value.

    Returns
    -------
    pandas.DataFrame
        One row per grid point, in grid order (the last axis varies fastest); with
        ``releases``, one row per grid point, release and measure (see :func:`compare`), with
        a short ``label`` per grid point.

    Examples
    --------
    >>> import shiftsim
    >>> base = shiftsim.LambdaDeployment("Canary10Percent5Minutes",
    ...     alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
    >>> table = shiftsim.sweep(base, {"error_rate": [0.0, 0.2]}, runs=200, rng=3)
    >>> table["rollback_rate"].tolist()[0]
    0.0
    >>> long = shiftsim.sweep(base, {"alarms[0].evaluation_periods": [1, 2]}, runs=200, rng=3,
    ...     releases={"bad": shiftsim.Version(error_rate=0.1), "good": shiftsim.Version()})
    >>> sorted(set(long["measure"]))  # doctest: +NORMALIZE_WHITESPACE
    ['detection_minute', 'duration_minutes', 'exposure_errors', 'false_rollback_rate',
     'miss_rate']
    """
    runs, options = _checked("sweep", runs, exposure_minutes, workers, executor, progress)
    platform_for(deployment, caller="sweep")
    axes = _sweep_axes(deployment, grid, releases)
    combos = itertools.product(*(values for _, _, values in axes))
    points = [_sweep_point(deployment, axes, combo) for combo in combos]
    return _run_points("sweep", points, releases, runs, rng, options)
