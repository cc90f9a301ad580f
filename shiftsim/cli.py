"""The ``shiftsim`` command: simulate CodeDeploy deployments from the shell.

Commands::

    shiftsim configs [--platform P] [--json]        every predefined configuration
    shiftsim schedule NAME [--json]                 one configuration's traffic shifts
    shiftsim simulate SCENARIO [--seed N] [--plot out.png] [--json]
    shiftsim montecarlo SCENARIO [--runs N] [--seed N] [--plot out.png] [--json]
    shiftsim compare [SCENARIO] [--configs NAME ...] [--runs N] [--seed N] [--plot out.png]
    shiftsim validate FILE [FILE ...]               check AppSpec files like a linter
    shiftsim demo                                   the 9 Lambda configurations on a bad release
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

from shiftsim._text import escape
from shiftsim.configs import (
    LINEAR_COMPLETIONS,
    DeploymentConfig,
    get_config,
    predefined_configs,
    traffic_schedule,
)
from shiftsim.errors import ShiftsimError

__all__ = ["DEMO_FIGURE", "demo_deployment", "format_compare", "format_summary", "main"]

#: Where ``shiftsim demo`` writes its risk figure, relative to the current directory.
DEMO_FIGURE = "shiftsim-demo-risk.png"
DEMO_RUNS = 20_000
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
    p.add_argument("--plot", metavar="PNG", help="save the run's figure to this file")
    p.add_argument("--json", action="store_true", help="print JSON results instead of text")
    p.set_defaults(run=_simulate)

    p = sub.add_parser(
        "montecarlo",
        help="run a scenario many times and estimate its risk",
        description="Run the scenario's deployment many times on the vectorized kernel and "
        "print rollback, stop and escape rates with 95%% intervals, and quantiles of detection "
        "time, errors served and duration.",
    )
    p.add_argument("scenario", help="a Lambda or ECS scenario file")
    _many_options(p)
    p.set_defaults(run=_montecarlo)

    p = sub.add_parser(
        "compare",
        help="compare configurations on one scenario (common random numbers)",
        description="Run one scenario under several configurations with the same seed (common "
        "random numbers), so differences come from the configurations, not from noise. "
        "Without a scenario, compares the 9 Lambda configurations on the demo's bad release.",
    )
    p.add_argument("scenario", nargs="?", help="a Lambda or ECS scenario file")
    p.add_argument(
        "--configs",
        nargs="+",
        metavar="NAME",
        help="configurations to compare (default: every predefined one of the platform)",
    )
    _many_options(p)
    p.set_defaults(run=_compare)

    sub.add_parser(
        "validate",
        help="check AppSpec files like a linter",
        description="Check CodeDeploy AppSpec files; see 'shiftsim validate --help'.",
        add_help=False,
    )

    p = sub.add_parser(
        "demo",
        help="compare the 9 Lambda configurations on a bad release",
        description="What shiftsim is for, in one command: a release that fails 2%% of calls "
        "is deployed under each of the 9 predefined Lambda configurations, many times each with "
        "common random numbers. Prints the risk table and writes the risk figure.",
    )
    p.add_argument(
        "--runs", type=_positive, default=DEMO_RUNS, help=f"runs per configuration ({DEMO_RUNS})"
    )
    p.add_argument("--seed", type=int, default=DEMO_SEED, help=f"the seed ({DEMO_SEED})")
    p.add_argument(
        "--plot",
        metavar="PNG",
        default=DEMO_FIGURE,
        help=f"where to write the risk figure (default: ./{DEMO_FIGURE})",
    )
    p.set_defaults(run=_demo)
    _serve_parser(sub)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return value


def _seed_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=int,
        help="the seed (default: the scenario's 'seed', else a fresh one that is printed)",
    )


def _many_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--runs",
        type=_positive,
        help="runs per configuration (default: the scenario's 'runs', else 10000)",
    )
    _seed_option(p)
    p.add_argument("--plot", metavar="PNG", help="save the risk figure to this file")
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
        print(f"{escape(scenario.name)}: {scenario.platform}, {scenario.config_name}, seed {seed}")
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
    result = monte_carlo(scenario.deployment, runs=runs, rng=seed, progress=not args.no_progress)
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
        print(f"{escape(scenario.name)}: {scenario.platform}, {scenario.config_name}")
        print(f"{runs:,} runs, seed {seed}")
        print()
        print(format_summary(summary))
    if args.plot:
        plt, plot = _pyplot()
        ax = plot.risk(result)
        _save(ax.figure, args.plot, out)
        plt.close(ax.figure)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from shiftsim.montecarlo import compare

    if args.scenario:
        from shiftsim.scenario import load_scenario

        scenario = load_scenario(args.scenario)
        deployment, platform, name = scenario.deployment, scenario.platform, scenario.name
        runs = args.runs or scenario.runs
        default_seed = scenario.seed
    else:
        deployment, platform, name = demo_deployment(), "Lambda", "the demo's bad release"
        runs, default_seed = args.runs or DEMO_RUNS, DEMO_SEED
    configs = args.configs or [c.name for c in predefined_configs(platform)]
    seed = _seed(args.seed, default_seed)
    table = compare(
        configs, deployment=deployment, runs=runs, rng=seed, progress=not args.no_progress
    )
    out = _info_stream(args)
    if args.json:
        _print_json(
            {
                "scenario": name,
                "platform": platform,
                "runs": runs,
                "seed": seed,
                "configs": _records(table),
            }
        )
    else:
        print(
            f"{name}: {len(configs)} configurations, {runs:,} runs each, seed {seed} "
            "(common random numbers)"
        )
        print()
        print(format_compare(table))
    if args.plot:
        _save_risk(table, args.plot, out)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from shiftsim.montecarlo import compare

    deployment = demo_deployment()
    configs = [c.name for c in predefined_configs("Lambda")]
    print(
        "shiftsim demo: a bad Lambda release under each predefined configuration.\n"
        "\n"
        "The new version fails 2% of calls. The alias gets 300 calls a minute; SAM's canonical\n"
        "alarm watches the new version (Errors Sum > 0 in 2 consecutive 1-minute periods), and\n"
        "a PostTraffic hook takes 2 minutes after the last shift. CodeDeploy polls the alarm\n"
        "every 60 s and data reaches CloudWatch 60 s after each minute (decisions D2, D3).\n"
        f"Each configuration runs {args.runs:,} times with the same seed ({args.seed}):\n"
        "common random numbers, so the differences come from the configurations.\n"
    )
    table = compare(configs, deployment=deployment, runs=args.runs, rng=args.seed)
    print(format_compare(table))
    print(
        "\nrollback: CodeDeploy saw the alarm and moved all traffic back to the old version.\n"
        "escaped: the bad release reached 100% and the deployment Succeeded; CodeDeploy stops\n"
        "  watching alarms then (D4), so every later call meets the 2% failure rate.\n"
        "errors served: calls the new version failed before the deployment ended (blast radius)."
    )
    _save_risk(table, args.plot, sys.stdout)
    return 0


def demo_deployment() -> Any:
    """The demo's scenario: a release failing 2% of 300 calls a minute, SAM's alarm and a
    2-minute PostTraffic hook (the configuration is replaced per comparison row)."""
    from shiftsim.alarms import Alarm
    from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
    from shiftsim.traffic import Hook, Version

    return LambdaDeployment(
        "CodeDeployDefault.LambdaAllAtOnce",
        invocations_per_minute=300,
        current=Version("1", error_rate=0.0),
        target=Version("2", error_rate=0.02),
        alarms=[Alarm("new-version-errors", threshold=0, evaluation_periods=2)],
        hooks=LambdaHooks(after_allow_traffic=Hook("CodeDeployHook_postTraffic", duration=120)),
        function_name="checkout-api",
    )


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
        "target_errors": "errors served",
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
        "--port", type=int, default=4599, help="port to listen on; 0 picks a free one (4599)"
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
