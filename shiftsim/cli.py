"""The ``shiftsim`` command: simulate CodeDeploy deployments from the shell.

Commands::

    shiftsim configs [--platform P] [--json]        every predefined configuration
    shiftsim schedule NAME [--json]                 one configuration's traffic shifts
    shiftsim simulate SCENARIO [--seed N] [--plot out.png] [--json]
    shiftsim montecarlo SCENARIO [--runs N] [--seed N] [--plot out.png] [--json]
    shiftsim compare [SCENARIO] [--configs NAME ...] [--runs N] [--seed N] [--plot out.png]
    shiftsim sweep SCENARIO --axis PATH=V1,V2 [--axis ...] [--runs N] [--seed N] [--json]
    shiftsim validate FILE [FILE ...]               check AppSpec files like a linter
    shiftsim demo                                   which configuration and which alarm
    shiftsim serve [--host H] [--port N] [--clock C]  CodeDeploy in a box over HTTP

Scenario files are documented in :mod:`shiftsim.scenario`. Errors go to stderr with exit code 1
(2 for a usage error), without a traceback. Progress bars (tqdm) go to stderr too, so ``--json``
output on stdout stays machine-readable.

Examples
--------
>>> main(["schedule", "Canary10Percent5Minutes"])
CodeDeployDefault.LambdaCanary10Percent5Minutes (Lambda)
 minute  percent
      0       10
      5      100
AllowTraffic ends at minute 5.
0
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import numpy as np
import pandas as pd

from shiftsim._limits import MAX_RUNS
from shiftsim._text import escape, excerpt
from shiftsim.configs import (
    LINEAR_COMPLETIONS,
    DeploymentConfig,
    get_config,
    predefined_configs,
    traffic_schedule,
)
from shiftsim.errors import ShiftsimError

__all__ = [
    "DEMO_FIGURE",
    "demo_alarms",
    "demo_deployment",
    "demo_releases",
    "format_compare",
    "format_frontier",
    "format_summary",
    "format_tradeoffs",
    "main",
]

#: Where ``shiftsim demo`` writes its trade-off figure, relative to the current directory.
DEMO_FIGURE = "shiftsim-demo-tradeoff.png"
DEMO_RUNS = 10_000
DEMO_SEED = 2026
_PREFIX = "CodeDeployDefault."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``shiftsim`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit code: 0 on success, 1 on an error (a bad scenario, an unreadable file),
    2 on a usage error, 70 on an internal error (a bug in shiftsim: reported in one line,
    without a traceback; set ``SHIFTSIM_TRACEBACK=1`` to see it).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = args_list[0] if args_list and not args_list[0].startswith("-") else "shiftsim"
    try:
        return _main(args_list)
    except Exception as err:
        # Last resort: whatever the input, no traceback reaches the user.
        if os.environ.get("SHIFTSIM_TRACEBACK"):
            raise
        print(
            f"shiftsim {escape(command, 40)}: internal error: {type(err).__name__}: "
            f"{escape(str(err), 200)} (a bug in shiftsim; please report it with the command "
            "and its input)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


#: Exit code of an internal error (``EX_SOFTWARE`` of BSD's sysexits.h).
INTERNAL_ERROR = 70


def _main(args_list: list[str]) -> int:
    if args_list[:1] == ["validate"]:
        return _validate(args_list[1:])
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        result: int = args.run(args)
        return result
    except ShiftsimError as err:
        hint = _file_hint(args)
        print(f"shiftsim {args.command}: error: {escape(str(err), 2000)}{hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as shell tools do.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except OSError as err:
        name = f"{escape(str(err.filename))}: " if err.filename else ""
        print(
            f"shiftsim {args.command}: error: {name}{escape(str(err.strerror or err))}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"shiftsim {args.command}: interrupted", file=sys.stderr)
        return 130


def _file_kind(name: str) -> str | None:
    """``"scenario"`` or ``"appspec"`` when the file at ``name`` clearly is one, else None."""
    from shiftsim._files import read_text
    from shiftsim._yaml import load_document

    try:  # AppSpec and scenario files are small: a hint never reads more than 64 KiB
        doc = load_document(read_text(name, what="file", limit=1 << 16), name)
    except ShiftsimError:
        return None
    value = doc.value
    if not isinstance(value, dict):
        return None
    if value.get("platform") in ("Lambda", "ECS", "Server"):
        return "scenario"
    if "version" in value and ({"Resources", "resources", "hooks", "files", "os"} & set(value)):
        return "appspec"
    return None


def _file_hint(args: argparse.Namespace) -> str:
    """A hint when the file given to a scenario command is an AppSpec file."""
    name = getattr(args, "scenario", None)
    if not isinstance(name, str) or _file_kind(name) != "appspec":
        return ""
    return (
        f". {escape(name)} looks like an AppSpec file, not a scenario: check it with "
        f"'shiftsim validate {escape(name)}', or name it in a scenario file with 'appspec:'"
    )


# ---------------------------------------------------------------------------------- parser
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shiftsim",
        description="Simulate AWS CodeDeploy deployments (Lambda, ECS, EC2/on-premises) "
        "without an AWS account.",
        epilog="Run 'shiftsim COMMAND --help' for a command's options. Scenario files are "
        "documented in help(shiftsim.scenario) and examples/scenarios/.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "configs",
        help="list every predefined deployment configuration",
        description="List every predefined CodeDeployDefault.* configuration.",
    )
    p.add_argument("--platform", choices=("Lambda", "ECS", "Server"), help="only this platform")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_configs)

    p = sub.add_parser(
        "schedule",
        help="print a configuration's traffic shifts",
        description="Print when a Lambda or ECS configuration shifts traffic, in minutes from "
        "the start of AllowTraffic.",
    )
    p.add_argument(
        "name",
        help="a configuration name, e.g. CodeDeployDefault.LambdaCanary10"
        "Percent5Minutes or the SAM short name Canary10Percent5Minutes",
    )
    p.add_argument(
        "--linear-completion",
        choices=LINEAR_COMPLETIONS,
        default="last_shift",
        help="when linear shifting ends (decision D1; default: at the last shift)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_schedule)

    p = sub.add_parser(
        "simulate",
        help="simulate one deployment from a scenario file",
        description="Simulate the deployment a scenario file describes and print its summary "
        "and event log.",
    )
    p.add_argument("scenario", help="a scenario file (YAML or JSON)")
    _seed_option(p)
    p.add_argument(
        "--engine",
        choices=("core", "kernel"),
        default="core",
        help="the event core (default) or the vectorized kernel; same seed, same run",
    )
    p.add_argument(
        "--plot", metavar="PNG", type=_figure_path, help="save the run's figure to this file"
    )
    p.add_argument("--json", action="store_true", help="print JSON results instead of text")
    p.set_defaults(run=_simulate)

    p = sub.add_parser(
        "montecarlo",
        help="run a scenario many times and estimate its risk",
        description="Run the scenario's deployment many times on the vectorized kernel and "
        "print rollback, stop and escape rates with 95% intervals, and quantiles of detection "
        "time, errors served (before the end, and in the whole incident: exposure) and "
        "duration. Server scenarios run one deployment at a time, vectorized over instances.",
    )
    p.add_argument("scenario", help="a scenario file (Lambda, ECS or Server)")
    _many_options(p, "runs of the deployment", "risk figure")
    _exposure_option(p)
    p.set_defaults(run=_montecarlo)

    p = sub.add_parser(
        "compare",
        help="compare configurations on a bad and a good release (common random numbers)",
        description="Deploy a bad and a good release under several configurations, many "
        "times each with the same seed (common random numbers), and print both sides of the "
        "trade-off: how often the bad release escapes (missed), how often the good one is "
        "turned away (false rollbacks), the errors served in the whole incident (exposure), "
        "time to detect and duration, with 95% intervals, and name the Pareto frontier. "
        "Lambda/ECS: the bad release is the scenario's target, the good one the same target "
        "failing as often as the current version. Server: the bad revision is the scenario "
        "as written, the good one the scenario without its script faults. Without a "
        "scenario, compares the 9 Lambda configurations on the demo's releases.",
    )
    p.add_argument("scenario", nargs="?", help="a scenario file (Lambda, ECS or Server)")
    p.add_argument(
        "--configs",
        nargs="+",
        metavar="NAME",
        help="configurations to compare (default: every predefined one of the platform)",
    )
    _many_options(p, "runs per configuration and release", "trade-off figure")
    _decision_options(p)
    p.set_defaults(run=_compare)

    p = sub.add_parser(
        "sweep",
        help="sweep alarm, version or deployment fields on a bad and a good release",
        description="Like 'compare', over a grid: every combination of the --axis values. An "
        "axis is a field path of the scenario's deployment, e.g. alarms[0].threshold, "
        "alarms[0].evaluation_periods, config, invocations_per_minute.",
    )
    p.add_argument("scenario", help="a scenario file (Lambda, ECS or Server)")
    p.add_argument(
        "--axis",
        action="append",
        required=True,
        metavar="PATH=V1,V2",
        help="one grid axis and its values, e.g. 'alarms[0].threshold=0,1,2' (repeatable)",
    )
    _many_options(p, "runs per grid point and release", "trade-off figure")
    _decision_options(p)
    p.set_defaults(run=_sweep)

    sub.add_parser(
        "validate",
        help="check AppSpec files like a linter",
        description="Check CodeDeploy AppSpec files; see 'shiftsim validate --help'.",
        add_help=False,
    )

    p = sub.add_parser(
        "demo",
        help="which configuration and alarm: the 9 Lambda configurations, 4 alarm designs",
        description="What shiftsim is for, in one command: a bad release (2% of calls fail) "
        "and a good one (as noisy as the current version) are deployed under each of the 9 "
        "predefined Lambda configurations and 4 alarm designs, many times each with common "
        "random numbers. Prints misses, false rollbacks, exposure and duration, names the "
        "Pareto frontier and writes the trade-off figure.",
    )
    p.add_argument(
        "--runs", type=_positive, default=DEMO_RUNS, help=f"runs per configuration ({DEMO_RUNS})"
    )
    p.add_argument("--seed", type=int, default=DEMO_SEED, help=f"the seed ({DEMO_SEED})")
    p.add_argument(
        "--plot",
        metavar="PNG",
        type=_figure_path,
        default=DEMO_FIGURE,
        help=f"where to write the trade-off figure (default: ./{DEMO_FIGURE})",
    )
    p.set_defaults(run=_demo)
    _serve_parser(sub)
    return parser


def _figure_path(text: str) -> str:
    """A path whose suffix names a format matplotlib can write (checked before any run)."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = text.rpartition(".")[2].lower() if "." in text.rpartition("/")[2] else ""
    if suffix not in formats:
        raise argparse.ArgumentTypeError(
            f"must end in a figure format ({', '.join('.' + f for f in sorted(formats))}); "
            f"got {excerpt(text)}"
        )
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a positive integer; got {excerpt(text)}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {excerpt(text)}")
    if value > MAX_RUNS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_RUNS:_}; got {excerpt(value)}")
    return value


def _seed_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=int,
        help="the seed (default: the scenario's 'seed', else a fresh one that is printed)",
    )


def _exposure_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--exposure-minutes",
        type=float,
        default=60.0,
        metavar="MIN",
        help="how long an escaped release serves before a person notices (default 60): "
        "exposure counts its errors until then",
    )


def _decision_options(p: argparse.ArgumentParser) -> None:
    _exposure_option(p)
    p.add_argument(
        "--max-false-rollbacks",
        type=float,
        default=0.05,
        metavar="RATE",
        help="the frontier's bound on false rollbacks (default 0.05)",
    )
    p.add_argument(
        "--max-duration",
        type=float,
        metavar="MIN",
        help="the frontier's bound on a good release's mean duration (default: none)",
    )


def _many_options(p: argparse.ArgumentParser, runs: str, figure: str) -> None:
    p.add_argument(
        "--runs",
        type=_positive,
        help=f"{runs} (default: the scenario's 'runs', else 10000)",
    )
    _seed_option(p)
    p.add_argument(
        "--plot", metavar="PNG", type=_figure_path, help=f"save the {figure} to this file"
    )
    p.add_argument("--json", action="store_true", help="print JSON results instead of a table")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


# ---------------------------------------------------------------------------------- commands
def _configs(args: argparse.Namespace) -> int:
    rows = []
    for config in predefined_configs(args.platform):
        rows.append(
            {
                "name": config.name,
                "platform": config.compute_platform,
                "rule": _describe(config),
            }
        )
    if args.json:
        _print_json([{**r, **_config_boto(r["name"])} for r in rows])
        return 0
    print(_text_table(rows))
    return 0


def _text_table(rows: Sequence[dict[str, Any]]) -> str:
    """Left-aligned columns, a header line, two spaces between columns."""
    keys = list(rows[0]) if rows else []
    rows = [{k: escape(str(r[k])) for k in keys} for r in rows]  # names may hold escapes
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    lines = ["  ".join(k.ljust(widths[k]) for k in keys).rstrip()]
    lines += ["  ".join(str(r[k]).ljust(widths[k]) for k in keys).rstrip() for r in rows]
    return "\n".join(lines)


def _config_boto(name: str) -> dict[str, Any]:
    """The configuration as ``get_deployment_config`` describes it, less its name."""
    info = get_config(name).to_boto()
    info.pop("deploymentConfigName", None)
    info.pop("computePlatform", None)
    return info


def _describe(config: DeploymentConfig) -> str:
    routing = config.traffic_routing
    if routing is not None:
        shifts = ", ".join(f"{p}% at {m} min" for m, p in routing.shifts())
        return f"{type(routing).__name__}: {shifts}"
    mhh = config.minimum_healthy_hosts
    assert mhh is not None
    return f"minimum healthy hosts {mhh.type} {mhh.value}"


def _schedule(args: argparse.Namespace) -> int:
    config = get_config(args.name)
    frame = traffic_schedule(config, args.linear_completion)
    end = frame.attrs["allow_traffic_minutes"]
    if args.json:
        _print_json(
            {
                "name": config.name,
                "platform": config.compute_platform,
                "shifts": _records(frame),
                "allow_traffic_minutes": end,
            }
        )
        return 0
    print(f"{config.name} ({config.compute_platform})")
    print(frame.to_string(index=False))
    print(f"AllowTraffic ends at minute {end}.")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from shiftsim.scenario import load_scenario

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
    from shiftsim.montecarlo import monte_carlo
    from shiftsim.scenario import load_scenario

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
        from shiftsim.server import ScriptFault

        kept = tuple(f for f in deployment.faults if not isinstance(f, ScriptFault))
        return {"bad": {}, "good": {"faults": kept}}
    from dataclasses import replace

    target, current = deployment.target, deployment.current
    good = replace(target, error_rate=current.error_rate, throttle_rate=current.throttle_rate)
    return {"bad": target, "good": good}


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
    from shiftsim.decision import frontier, tradeoff_table

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
        from shiftsim.scenario import load_scenario

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
    from shiftsim.montecarlo import compare

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
    import yaml

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
    from shiftsim.montecarlo import sweep

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
    from shiftsim.alarms import Alarm

    return {
        "any error, 1 of 1 min": [Alarm("errors", threshold=0)],
        "SAM: errors 2 of 2 min": [Alarm("errors", threshold=0, evaluation_periods=2)],
        "errors 2 of 3 min": [
            Alarm("errors", threshold=0, evaluation_periods=3, datapoints_to_alarm=2)
        ],
        "error rate > 1%, 1 of 1": [Alarm("error-rate", metric="ErrorRate", threshold=1)],
    }


def _demo(args: argparse.Namespace) -> int:
    from shiftsim.decision import frontier, tradeoff_table
    from shiftsim.montecarlo import compare

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
    from shiftsim.traffic import Version

    return {"bad": Version("2", error_rate=0.02), "good": Version("2", error_rate=0.001)}


def demo_deployment() -> Any:
    """The demo's scenario: 200 calls a minute, a current version failing 0.1% of them, the
    bad release as target, SAM's alarm and a 2-minute PostTraffic hook (configuration,
    alarms and target are replaced per row)."""
    from shiftsim.alarms import Alarm
    from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
    from shiftsim.traffic import Hook, Version

    return LambdaDeployment(
        "CodeDeployDefault.LambdaAllAtOnce",
        invocations_per_minute=200,
        current=Version("1", error_rate=0.001),
        target=Version("2", error_rate=0.02),
        alarms=[Alarm("new-version-errors", threshold=0, evaluation_periods=2)],
        hooks=LambdaHooks(after_allow_traffic=Hook("CodeDeployHook_postTraffic", duration=120)),
        function_name="checkout-api",
    )


def _ci(row: dict[str, Any], name: str, scale: float, fmt: str) -> str:
    value = row.get(name, float("nan"))
    if value is None or not np.isfinite(value):
        return "-"
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    text = format(scale * value, fmt)
    if low is not None and high is not None and np.isfinite(low) and np.isfinite(high):
        text += f" ({format(scale * low, fmt)}-{format(scale * high, fmt)})"
    return text


def format_tradeoffs(table: pd.DataFrame, frontier: Sequence[str] = ()) -> str:
    """A :func:`shiftsim.tradeoff_table` as fixed-width text, frontier rows marked ``*``,
    95% intervals in parentheses.

    Examples
    --------
    >>> row = {"config": "CodeDeployDefault.LambdaAllAtOnce", "label": "AllAtOnce",
    ...        "miss_rate": 1.0, "miss_rate_low": 0.96, "miss_rate_high": 1.0,
    ...        "false_rollback_rate": 0.0, "false_rollback_rate_low": 0.0,
    ...        "false_rollback_rate_high": 0.04, "exposure_errors": 240.0,
    ...        "exposure_errors_low": 240.0, "exposure_errors_high": 240.0,
    ...        "detection_minute": float("nan"), "duration_minutes": 0.0}
    >>> print(format_tradeoffs(pd.DataFrame([row]), ["AllAtOnce"]))
    ... # doctest: +NORMALIZE_WHITESPACE
      configuration missed % false rollbacks % exposure errors detect min duration min
    * AllAtOnce 100.0 (96.0-100.0) 0.0 (0.0-4.0) 240 (240-240) - 0.0
    """
    rows = []
    for raw in table.to_dict("records"):
        row = {str(k): v for k, v in raw.items()}
        shown: dict[str, str] = {"": "*" if row["label"] in frontier else ""}
        if "config" in row:
            shown["configuration"] = str(row["config"]).replace(_PREFIX, "", 1)
            for platform in ("Lambda", "ECS"):
                if shown["configuration"].startswith(platform):
                    shown["configuration"] = shown["configuration"][len(platform) :]
        if "alarms" in row:
            shown["alarm"] = str(row["alarms"])
        axes = [c for c in table.columns if c not in ("config", "alarms", "label", "runs")]
        axes = [c for c in axes if not any(c.startswith(m) for m in _DECISION_STEMS)]
        for name in axes:
            shown[name] = str(row[name])
        if "config" not in row and "alarms" not in row and not axes:
            shown["configuration"] = str(row["label"])
        shown["missed %"] = _ci(row, "miss_rate", 100, ".1f")
        shown["false rollbacks %"] = _ci(row, "false_rollback_rate", 100, ".1f")
        if "exposure_errors" in row:
            shown["exposure errors"] = _ci(row, "exposure_errors", 1, ".0f")
            shown["detect min"] = _ci({"v": row["detection_minute"]}, "v", 1, ".1f")
        shown["duration min"] = _ci({"v": row.get("duration_minutes")}, "v", 1, ".1f")
        rows.append(shown)
    return _text_table(rows)


_DECISION_STEMS = (
    "miss_rate",
    "false_rollback_rate",
    "exposure_errors",
    "detection_minute",
    "duration_minutes",
)


def format_frontier(table: pd.DataFrame, best: pd.DataFrame, constraints: dict[str, float]) -> str:
    """Name the frontier (rows marked ``*``) and, among them, the fewest errors served."""
    bounds = []
    for name, bound in constraints.items():
        if name == "false_rollback_rate":
            bounds.append(f"false rollbacks <= {100 * bound:g}%")
        elif name == "duration_minutes":
            bounds.append(f"duration <= {bound:g} min")
        else:
            bounds.append(f"{name} <= {bound:g}")
    where = " and ".join(bounds)
    if best.empty:
        return f"Nothing meets {where}."
    lines = [
        "* the Pareto frontier: nothing else misses less without more false rollbacks,",
        f"  among the rows with {where}:",
    ]
    records = best.to_dict("records")
    for row in records:
        lines.append(
            f"  {escape(str(row['label']))}: missed {100 * float(row['miss_rate']):.1f}%, "
            f"false rollbacks {100 * float(row['false_rollback_rate']):.1f}%"
        )
    exposures = [float(r.get("exposure_errors", np.nan)) for r in records]
    if any(np.isfinite(exposures)):
        fewest = records[int(np.nanargmin(exposures))]
        lines.append(
            f"Fewest bad requests served among them: {escape(str(fewest['label']))} "
            f"({float(fewest['exposure_errors']):.0f} errors on average)."
        )
    return "\n".join(lines)


def format_compare(table: pd.DataFrame) -> str:
    """The table :func:`shiftsim.compare` returns, as readable fixed-width text.

    Examples
    --------
    >>> row = {"config": "CodeDeployDefault.LambdaAllAtOnce", "runs": 10, "rollback_rate": 0.5,
    ...        "rollback_rate_low": 0.24, "rollback_rate_high": 0.76, "escape_rate": 0.5,
    ...        "detection_minute_median": 2.0, "detection_minute_p95": 3.0,
    ...        "target_errors_median": 4.0, "target_errors_p95": 9.0, "target_errors_mean": 4.5,
    ...        "duration_minutes_median": 2.5}
    >>> print(format_compare(pd.DataFrame([row])))  # doctest: +NORMALIZE_WHITESPACE
                      rolled back          escaped  detected (min)  errors served       duration
    configuration     % (95% CI)           %        median  p95     median  p95  mean   median (min)
    LambdaAllAtOnce    50.0 (24.0-76.0)     50.0     2       3       4       9    4.5    2.5
    """
    names = [str(c).replace(_PREFIX, "", 1) for c in table["config"]]
    width = max(len("configuration"), *(len(n) for n in names))

    def num(value: float, fmt: str = "g") -> str:
        return "never" if not np.isfinite(value) else format(value, fmt)

    lines = [
        f"{'':{width}}  {'rolled back':<19}  {'escaped':<7}  {'detected (min)':<14}  "
        f"{'errors served':<18}  duration",
        f"{'configuration':{width}}  {'% (95% CI)':<19}  {'%':<7}  {'median':<6}  {'p95':<6}  "
        f"{'median':<6}  {'p95':<4}  {'mean':<5}  median (min)",
    ]
    for name, raw in zip(names, table.to_dict("records")):
        row = {key: float(value) for key, value in raw.items() if key != "config"}
        ci = f"({100 * row['rollback_rate_low']:.1f}-{100 * row['rollback_rate_high']:.1f})"
        lines.append(
            f"{name:{width}}  {100 * row['rollback_rate']:5.1f} {ci:<13}  "
            f"{100 * row['escape_rate']:5.1f}    {num(row['detection_minute_median']):<6}  "
            f"{num(row['detection_minute_p95']):<6}  {num(row['target_errors_median']):<6}  "
            f"{num(row['target_errors_p95']):<4}  {num(row['target_errors_mean'], '.1f'):<5}  "
            f"{num(row['duration_minutes_median'])}"
        )
    return "\n".join(lines)


def format_summary(summary: pd.DataFrame) -> str:
    """:meth:`MonteCarloResult.summary` as readable text: rates in percent with their 95%
    intervals, then the mean and quantiles of detection minute, errors served and duration."""
    labels = {
        "rollback_rate": "rolled back",
        "stop_rate": "stopped or failed",
        "escape_rate": "escaped (Succeeded)",
        "detection_minute": "detected at (minute)",
        "target_errors": "errors served before the end",
        "exposure_errors": "errors served in the incident (exposure)",
        "duration_minutes": "duration (minutes)",
    }
    rates, spreads = [], []
    for measure, row in summary.iterrows():
        label = labels.get(str(measure), str(measure))
        if pd.notna(row["ci_low"]):
            rates.append(
                {
                    "": label,
                    "%": f"{100 * row['estimate']:.1f}",
                    "95% CI": f"{100 * row['ci_low']:.1f}-{100 * row['ci_high']:.1f}",
                }
            )
        else:
            spreads.append(
                {
                    "": label,
                    **{
                        name: "never" if pd.isna(row[col]) else f"{row[col]:.4g}"
                        for name, col in (
                            ("mean", "estimate"),
                            ("5%", "q05"),
                            ("median", "q50"),
                            ("95%", "q95"),
                        )
                    },
                }
            )
    return _text_table(rates) + "\n\n" + _text_table(spreads)


def _validate(argv: list[str]) -> int:
    try:
        from shiftsim.appspec import main_validate
    except ImportError as err:
        if err.name not in ("shiftsim.appspec", None):
            raise
        print(
            "shiftsim validate: error: AppSpec validation needs shiftsim.appspec, which this "
            "installation of shiftsim does not have.",
            file=sys.stderr,
        )
        return 1
    try:
        code = int(main_validate(argv))
    except ShiftsimError as err:
        print(f"shiftsim validate: error: {escape(str(err), 2000)}", file=sys.stderr)
        code = 1
    if code:
        for name in argv:
            if not name.startswith("-") and _file_kind(name) == "scenario":
                print(
                    f"shiftsim validate: hint: {escape(name)} looks like a scenario file "
                    f"(it has 'platform:'), not an AppSpec file: run 'shiftsim simulate "
                    f"{escape(name)}'",
                    file=sys.stderr,
                )
    return code


# ---------------------------------------------------------------------------------- helpers
def _progress(args: argparse.Namespace) -> bool:
    """A progress bar only on a terminal (never in CI logs) and unless --no-progress."""
    return not args.no_progress and sys.stderr.isatty()


def _seed(given: int | None, default: int | None) -> int:
    """The seed to use: the flag's, the scenario's, or a fresh one (printed, so it replays)."""
    if given is not None:
        return given
    if default is not None:
        return default
    return secrets.randbits(32)


def _info_stream(args: argparse.Namespace) -> TextIO:
    """Where to say what was written: stderr when stdout carries JSON."""
    return sys.stderr if getattr(args, "json", False) else sys.stdout


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return records


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, indent=2, default=str))


def _pyplot() -> tuple[Any, Any]:
    """pyplot with a file-only backend, and shiftsim.plot, imported only for a figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shiftsim import plot

    return plt, plot


def _save(figure: Any, path: str, out: TextIO) -> None:
    figure.savefig(path, dpi=120)
    print(f"wrote the figure to {os.path.abspath(path)}", file=out)


def _save_risk(table: pd.DataFrame, path: str, out: TextIO) -> None:
    plt, plot = _pyplot()
    ax = plot.risk(table)
    _save(ax.figure, path, out)
    plt.close(ax.figure)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


# ---------------------------------------------------------------------------------- serve
def _serve_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="CodeDeploy in a box over HTTP, for the AWS CLI and any SDK",
        description="Answer CodeDeploy's API (JSON 1.1) and CloudWatch's alarm operations "
        "(JSON 1.0) over HTTP, with simulated deployments: point a client at it with "
        "'aws deploy ... --endpoint-url http://127.0.0.1:PORT' or endpoint_url=. Needs the "
        "'aws' extra (pip install shiftsim[aws]). Requests are not authenticated: keep the "
        "default loopback address.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument(
        "--port", type=_port, default=4599, help="port to listen on; 0 picks a free one (4599)"
    )
    p.add_argument(
        "--clock",
        choices=("auto", "manual", "wall"),
        default="auto",
        help="simulated time: 'auto' runs deployments on as they are polled (default), "
        "'wall' runs --speed times faster than real time, 'manual' never moves",
    )
    p.add_argument(
        "--speed", type=float, default=60.0, help="simulated seconds per real second (wall)"
    )
    p.add_argument(
        "--auto-step", type=float, help="minutes each poll advances (auto; default: to the end)"
    )
    p.add_argument("--seed", type=int, help="the seed of every deployment's draws")
    p.set_defaults(run=_serve)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number; got {text!r:.40}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port in [0, 65535]; got {value}")
    return value


def _serve(args: argparse.Namespace) -> int:
    try:
        from shiftsim.aws import serve
    except ImportError as err:
        print(
            f"shiftsim serve: error: {err.name or 'a dependency'} is missing; install the "
            "'aws' extra: pip install 'shiftsim[aws]'",
            file=sys.stderr,
        )
        return 1
    server = serve(
        host=args.host,
        port=args.port,
        clock=args.clock,
        speed=args.speed,
        auto_step=args.auto_step,
        rng=args.seed,
    )
    print(
        f"shiftsim serve: listening on {server.url} (clock {args.clock}); Ctrl-C to stop",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.wait()
    finally:
        server.close()
    return 0
