"""``shiftsim serve``: CodeDeploy in a box over HTTP."""

from __future__ import annotations

import argparse
import sys

__all__ = []


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
