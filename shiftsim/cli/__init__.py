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

import os
import sys
from collections.abc import Sequence

from shiftsim._text import escape
from shiftsim.cli._common import _file_hint
from shiftsim.cli._compare import (
    DEMO_FIGURE,
    demo_alarms,
    demo_deployment,
    demo_releases,
)
from shiftsim.cli._compare import _compare as _compare
from shiftsim.cli._compare import _demo as _demo
from shiftsim.cli._compare import _sweep as _sweep
from shiftsim.cli._format import format_compare, format_frontier, format_summary, format_tradeoffs
from shiftsim.cli._info import _configs as _configs
from shiftsim.cli._info import _schedule as _schedule
from shiftsim.cli._info import _validate
from shiftsim.cli._parser import _parser
from shiftsim.cli._serve import _serve as _serve
from shiftsim.cli._simulate import _montecarlo as _montecarlo
from shiftsim.cli._simulate import _simulate as _simulate
from shiftsim.errors import ShiftsimError

__all__ = [
    "DEMO_FIGURE",
    "INTERNAL_ERROR",
    "demo_alarms",
    "demo_deployment",
    "demo_releases",
    "format_compare",
    "format_frontier",
    "format_summary",
    "format_tradeoffs",
    "main",
]


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
        # Looked up here, by name, so that ``shiftsim.cli._configs`` etc. can be replaced.
        result: int = globals()[args.run](args)
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
