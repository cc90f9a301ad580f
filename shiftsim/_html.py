"""Small HTML snippets for Jupyter reprs (private)."""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["config_html", "table"]


def table(title: str, rows: list[tuple[str, Any]]) -> str:
    """A two-column key/value table with a bold title."""
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(str(k))}</th>"
        f"<td style='text-align:left'>{escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<div><strong>{escape(title)}</strong><table>{body}</table></div>"


def config_html(config: Any) -> str:
    rows: list[tuple[str, Any]] = [("compute platform", config.compute_platform)]
    if config.traffic_routing is not None:
        shifts = ", ".join(f"{p}% at {m} min" for m, p in config.traffic_routing.shifts())
        rows.append(("traffic shifts", shifts))
    if config.minimum_healthy_hosts is not None:
        mhh = config.minimum_healthy_hosts
        rows.append(("minimum healthy hosts", f"{mhh.type} {mhh.value}"))
    return table(config.name, rows)
