"""``shiftsim simulate`` and ``shiftsim montecarlo``: one run or many of a scenario."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any, TextIO

import pandas as pd

from shiftsim._text import escape
from shiftsim.cli._common import (
    _info_stream,
    _print_json,
    _progress,
    _pyplot,
    _records,
    _save,
    _seed,
)
from shiftsim.cli._format import format_summary
from shiftsim.montecarlo import monte_carlo
from shiftsim.scenario import load_scenario
from shiftsim.server import ScriptFault

__all__ = []


def _simulate(args: argparse.Namespace) -> int:

    scenario = load_scenario(args.scenario)
    seed = _seed(args.seed, scenario.seed)
    run = scenario.simulate(rng=seed, engine=args.engine)
    frames = _run_frames(run)
    out = _info_stream(args)
    if args.json:
        payload: dict[str, Any] = {
            "scenario": scenario.name,
            "platform": scenario.platform,
            "config": scenario.config_name,
            "seed": seed,
            "summary": json.loads(run.summary().to_json()),
        }
        payload.update({name: _records(frame) for name, frame in frames.items()})
        _print_json(payload)
    else:
        shown = f"{escape(scenario.name)}: {scenario.platform}, {escape(scenario.config_name)}"
        print(f"{shown}, seed {seed}")
        print(repr(run))
        print()
        summary = run.summary().map(lambda v: round(v, 2) if isinstance(v, float) else v)
        print(summary.to_string())
        for name, frame in frames.items():
            print()
            print(f"{name}:")
            print(_show(name, frame))
    if args.plot:
        _save_run_figure(run, scenario.platform, args.plot, out)
    return 0


def _run_frames(run: Any) -> dict[str, pd.DataFrame]:
    """The frames a run's report shows, by name, most useful first."""
    frames: dict[str, pd.DataFrame] = {}
    for name in ("instances", "task_sets", "events", "deployments"):
        frame = getattr(run, name, None)
        if isinstance(frame, pd.DataFrame):
            frames[name] = frame
    return frames


#: Columns the text report shows, per frame (``--json`` has them all).
_TEXT_COLUMNS = {
    "events": ("minute", "deployment_id", "event", "status", "detail"),
    "task_sets": ("minute", "task_set", "version", "status", "traffic_weight", "test_listener"),
    "instances": (
        "deployment_id",
        "instance_id",
        "instance_type",
        "availability_zone",
        "status",
        "start_minute",
        "end_minute",
        "failed_event",
        "error_code",
        "message",
    ),
    "deployments": (
        "deployment_id",
        "creator",
        "deployment_type",
        "status",
        "error_code",
        "start",
        "end",
        "start_minute",
        "end_minute",
        "instances",
        "minimum_healthy",
        "rollback_deployment_id",
        "rollback_message",
    ),
}


def _show(name: str, frame: pd.DataFrame, limit: int = 60) -> str:
    """A frame as text: the columns that matter, empty ones dropped, minutes to 2 decimals."""
    wanted = _TEXT_COLUMNS.get(name, tuple(frame.columns))
    if name == "deployments" and "start" in frame.columns and "start_minute" not in frame:
        # Lambda/ECS deployments carry seconds: shown in minutes, as every other table.
        frame = frame.assign(start_minute=frame["start"] / 60.0, end_minute=frame["end"] / 60.0)
    if "start_minute" in frame.columns:
        wanted = tuple(c for c in wanted if c not in ("start", "end"))
    shown = frame[[c for c in wanted if c in frame.columns]]
    shown = shown.dropna(axis="columns", how="all")
    text = shown.head(limit).to_string(
        index=False, max_colwidth=70, float_format=lambda v: f"{v:.2f}", na_rep=""
    )
    if len(frame) > limit:
        text += f"\n... {len(frame) - limit} more rows (--json prints them all)"
    return text


def _save_run_figure(run: Any, platform: str, path: str, out: TextIO) -> None:
    plt, plot = _pyplot()
    ax = plot.fleet(run) if platform == "Server" else plot.traffic(run)
    _save(ax.figure, path, out)
    plt.close(ax.figure)


def _montecarlo(args: argparse.Namespace) -> int:

    scenario = load_scenario(args.scenario)
    runs = args.runs or scenario.runs
    seed = _seed(args.seed, scenario.seed)
    result = monte_carlo(
        scenario.deployment,
        runs=runs,
        rng=seed,
        progress=_progress(args),
        exposure_minutes=args.exposure_minutes,
    )
    summary = result.summary()
    out = _info_stream(args)
    if args.json:
        _print_json(
            {
                "scenario": scenario.name,
                "platform": scenario.platform,
                "config": scenario.config_name,
                "runs": runs,
                "seed": seed,
                "summary": json.loads(summary.to_json(orient="index")),
            }
        )
    else:
        print(f"{escape(scenario.name)}: {scenario.platform}, {escape(scenario.config_name)}")
        print(f"{runs:,} runs, seed {seed}")
        print()
        print(format_summary(summary))
    if args.plot:
        plt, plot = _pyplot()
        ax = plot.risk(result)
        _save(ax.figure, args.plot, out)
        plt.close(ax.figure)
    return 0


def _releases(deployment: Any, platform: str) -> dict[str, Any]:
    """The bad and good releases of a scenario: Lambda/ECS, its target and the same target
    failing as often as the current version; Server, the scenario as written and without its
    script faults."""
    if platform == "Server":
        kept = tuple(f for f in deployment.faults if not isinstance(f, ScriptFault))
        return {"bad": {}, "good": {"faults": kept}}

    target, current = deployment.target, deployment.current
    good = replace(target, error_rate=current.error_rate, throttle_rate=current.throttle_rate)
    return {"bad": target, "good": good}
