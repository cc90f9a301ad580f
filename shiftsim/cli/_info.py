"""``shiftsim configs``, ``shiftsim schedule`` and ``shiftsim validate``: look before simulating."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from shiftsim._text import escape
from shiftsim.cli._common import _file_kind, _print_json, _records
from shiftsim.configs import (
    DeploymentConfig,
    get_config,
    predefined_configs,
    traffic_schedule,
)
from shiftsim.errors import ShiftsimError

__all__ = []


_PREFIX = "CodeDeployDefault."


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
