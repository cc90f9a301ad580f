"""The argparse tree of the ``shiftsim`` command, one small function per command."""

from __future__ import annotations

import argparse
from typing import Any

from shiftsim._limits import MAX_RUNS
from shiftsim._text import excerpt
from shiftsim.cli._compare import DEMO_FIGURE, DEMO_RUNS, DEMO_SEED
from shiftsim.configs import (
    LINEAR_COMPLETIONS,
)

__all__ = []


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
    _configs_parser(sub)
    _schedule_parser(sub)
    _simulate_parser(sub)
    _montecarlo_parser(sub)
    _compare_parser(sub)
    _sweep_parser(sub)
    _validate_parser(sub)
    _demo_parser(sub)
    _serve_parser(sub)
    return parser


def _configs_parser(sub: Any) -> None:
    p = sub.add_parser(
        "configs",
        help="list every predefined deployment configuration",
        description="List every predefined CodeDeployDefault.* configuration.",
    )
    p.add_argument("--platform", choices=("Lambda", "ECS", "Server"), help="only this platform")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run="_configs")


def _schedule_parser(sub: Any) -> None:
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
    p.set_defaults(run="_schedule")


def _simulate_parser(sub: Any) -> None:
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
    p.set_defaults(run="_simulate")


def _montecarlo_parser(sub: Any) -> None:
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
    p.set_defaults(run="_montecarlo")


def _compare_parser(sub: Any) -> None:
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
    p.set_defaults(run="_compare")


def _sweep_parser(sub: Any) -> None:
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
    p.set_defaults(run="_sweep")


def _validate_parser(sub: Any) -> None:
    sub.add_parser(
        "validate",
        help="check AppSpec files like a linter",
        description="Check CodeDeploy AppSpec files; see 'shiftsim validate --help'.",
        add_help=False,
    )


def _demo_parser(sub: Any) -> None:
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
    p.set_defaults(run="_demo")


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
    p.set_defaults(run="_serve")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number; got {text!r:.40}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port in [0, 65535]; got {value}")
    return value
