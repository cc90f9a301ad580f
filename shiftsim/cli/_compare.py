"""``shiftsim compare``, ``shiftsim sweep`` and ``shiftsim demo``: configurations side by side."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import pandas as pd
import yaml

from shiftsim._text import escape
from shiftsim.alarms import Alarm
from shiftsim.cli._common import (
    _info_stream,
    _print_json,
    _progress,
    _pyplot,
    _records,
    _save,
    _seed,
)
from shiftsim.cli._format import format_frontier, format_tradeoffs
from shiftsim.cli._simulate import _releases
from shiftsim.configs import (
    predefined_configs,
)
from shiftsim.decision import frontier, tradeoff_table
from shiftsim.errors import ShiftsimError
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.montecarlo import compare, sweep
from shiftsim.scenario import load_scenario
from shiftsim.traffic import Hook, Version

__all__ = [
    "DEMO_FIGURE",
    "DEMO_RUNS",
    "DEMO_SEED",
    "demo_alarms",
    "demo_deployment",
    "demo_releases",
]


#: Where ``shiftsim demo`` writes its trade-off figure, relative to the current directory.
DEMO_FIGURE = "shiftsim-demo-tradeoff.png"


DEMO_RUNS = 10_000


DEMO_SEED = 2026


def _decide(
    args: argparse.Namespace,
    long: pd.DataFrame,
    *,
    heading: str,
    scenario: str,
    platform: str,
    runs: int,
    seed: int,
) -> int:
    """Print (or write as JSON) a decision frame, its frontier, and the trade-off figure."""

    constraints = {"false_rollback_rate": args.max_false_rollbacks}
    if args.max_duration is not None:
        constraints["duration_minutes"] = args.max_duration
    wide = tradeoff_table(long)
    best = frontier(long, constraints=constraints)
    out = _info_stream(args)
    if args.json:
        _print_json(
            {
                "scenario": scenario,
                "platform": platform,
                "runs": runs,
                "seed": seed,
                "exposure_minutes": args.exposure_minutes,
                "constraints": constraints,
                "frontier": best["label"].tolist(),
                "rows": _records(wide),
            }
        )
    else:
        print(heading)
        print()
        print(format_tradeoffs(wide, best["label"].tolist()))
        print()
        print(format_frontier(wide, best, constraints))
    if args.plot:
        plt, plot = _pyplot()
        ax = plot.tradeoff(long, constraints=constraints)
        _save(ax.figure, args.plot, out)
        plt.close(ax.figure)
    return 0


def _scenario_or_demo(args: argparse.Namespace) -> tuple[Any, str, str, int, int]:
    """deployment, platform, name, runs, seed of the command's scenario (or the demo's)."""
    if args.scenario:
        scenario = load_scenario(args.scenario)
        platform = scenario.platform
        runs = args.runs or (min(scenario.runs, 500) if platform == "Server" else scenario.runs)
        seed = _seed(args.seed, scenario.seed)
        return scenario.deployment, platform, scenario.name, runs, seed
    return (
        demo_deployment(),
        "Lambda",
        "the demo's releases",
        args.runs or DEMO_RUNS,
        _seed(args.seed, DEMO_SEED),
    )


def _compare(args: argparse.Namespace) -> int:

    deployment, platform, name, runs, seed = _scenario_or_demo(args)
    configs = args.configs or [c.name for c in predefined_configs(platform)]
    long = compare(
        configs,
        deployment=deployment,
        releases=_releases(deployment, platform),
        runs=runs,
        rng=seed,
        exposure_minutes=args.exposure_minutes,
        progress=_progress(args),
    )
    heading = (
        f"{escape(name)}: {len(configs)} configurations x a bad and a good release, {runs:,} runs "
        f"each, seed {seed} (common random numbers)"
    )
    return _decide(
        args, long, heading=heading, scenario=name, platform=platform, runs=runs, seed=seed
    )


def _axis(text: str) -> tuple[str, list[Any]]:
    """``PATH=V1,V2`` -> (path, values), each value read as YAML (numbers stay numbers)."""

    path, sep, values = text.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise ShiftsimError(
            f"sweep: --axis must be PATH=V1,V2 (e.g. alarms[0].threshold=0,1,2); got {text[:80]!r}."
        )
    parsed = []
    for item in values.split(","):
        try:
            parsed.append(yaml.safe_load(item.strip()))
        except yaml.YAMLError:
            parsed.append(item.strip())
    return path.strip(), parsed


def _sweep(args: argparse.Namespace) -> int:

    deployment, platform, name, runs, seed = _scenario_or_demo(args)
    grid = dict(_axis(text) for text in args.axis)
    long = sweep(
        deployment,
        grid,
        releases=_releases(deployment, platform),
        runs=runs,
        rng=seed,
        exposure_minutes=args.exposure_minutes,
        progress=_progress(args),
    )
    points = int(np.prod([len(v) for v in grid.values()]))
    heading = (
        f"{escape(name)}: {points} grid points x a bad and a good release, {runs:,} runs each, "
        f"seed {seed} (common random numbers)"
    )
    return _decide(
        args, long, heading=heading, scenario=name, platform=platform, runs=runs, seed=seed
    )


def demo_alarms() -> dict[str, list[Any]]:
    """The demo's alarm designs, by label: all watch the new version's Errors (SAM's
    ExecutedVersion alarm) or its error rate."""

    return {
        "any error, 1 of 1 min": [Alarm("errors", threshold=0)],
        "SAM: errors 2 of 2 min": [Alarm("errors", threshold=0, evaluation_periods=2)],
        "errors 2 of 3 min": [
            Alarm("errors", threshold=0, evaluation_periods=3, datapoints_to_alarm=2)
        ],
        "error rate > 1%, 1 of 1": [Alarm("error-rate", metric="ErrorRate", threshold=1)],
    }


def _demo(args: argparse.Namespace) -> int:

    deployment = demo_deployment()
    configs = [c.name for c in predefined_configs("Lambda")]
    designs = demo_alarms()
    print(
        "shiftsim demo: which configuration and which alarm?\n"
        "\n"
        "The function gets 200 calls a minute; the current version fails 0.1% of them. A bad\n"
        "release fails 2%; a good one fails 0.1%, like the current version. Each release is\n"
        f"deployed under the 9 Lambda configurations with each of {len(designs)} alarm designs "
        "on the new\nversion's errors, and a PostTraffic hook that takes 2 minutes. CodeDeploy "
        "polls alarms\nevery 60 s; data reaches CloudWatch 60 s after each minute (decisions "
        "D2, D3).\n"
        f"Each runs {args.runs:,} times with the same seed ({args.seed}): common random numbers, "
        "so the\ndifferences come from the configurations and alarms. 95% intervals in "
        "parentheses.\n"
    )
    long = compare(
        configs,
        deployment=deployment,
        alarms=designs,
        releases=demo_releases(),
        runs=args.runs,
        rng=args.seed,
    )
    constraints = {"false_rollback_rate": 0.05, "duration_minutes": 30.0}
    wide = tradeoff_table(long)
    best = frontier(long, constraints=constraints)
    print(format_tradeoffs(wide, best["label"].tolist()))
    print()
    print(format_frontier(wide, best, constraints))
    print(
        "\nmissed: the bad release reached 100% and Succeeded; CodeDeploy stops watching alarms\n"
        "  then (D4), so it keeps failing 2% of calls until someone notices.\n"
        "false rollbacks: the good release was rolled back on noise.\n"
        "exposure: errors the bad release served in the whole incident: before the deployment\n"
        "  ended, plus 60 minutes after it at the traffic it ended with (0 after a rollback).\n"
        "detect: minute CodeDeploy saw the alarm (bad release); duration: a good release's."
    )
    plt, plot = _pyplot()
    ax = plot.tradeoff(long, constraints=constraints)
    _save(ax.figure, args.plot, sys.stdout)
    plt.close(ax.figure)
    return 0


def demo_releases() -> dict[str, Any]:
    """The demo's releases: a bad one failing 2% of calls, a good one failing 0.1% like the
    current version."""

    return {"bad": Version("2", error_rate=0.02), "good": Version("2", error_rate=0.001)}


def demo_deployment() -> Any:
    """The demo's scenario: 200 calls a minute, a current version failing 0.1% of them, the
    bad release as target, SAM's alarm and a 2-minute PostTraffic hook (configuration,
    alarms and target are replaced per row)."""

    return LambdaDeployment(
        "CodeDeployDefault.LambdaAllAtOnce",
        invocations_per_minute=200,
        current=Version("1", error_rate=0.001),
        target=Version("2", error_rate=0.02),
        alarms=[Alarm("new-version-errors", threshold=0, evaluation_periods=2)],
        hooks=LambdaHooks(after_allow_traffic=Hook("CodeDeployHook_postTraffic", duration=120)),
        function_name="checkout-api",
    )
