"""Scenario files: errors that say where, shapes, bounds and the keys of every platform
(private)."""

from __future__ import annotations

import inspect
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import escape, excerpt
from shiftsim._yaml import Document, format_path
from shiftsim.alarms import Alarm
from shiftsim.configs import (
    AllAtOnce,
    DeploymentConfig,
    MinimumHealthyHosts,
    TimeBasedCanary,
    TimeBasedLinear,
    get_config,
)
from shiftsim.errors import ConfigError
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.scenario._keys import (
    _FIELD_IN_MESSAGE,
    _ROUTING_KEYS,
    MAX_INSTALL_SECONDS,
    MAX_RATE,
    MIN_ALARM_POLL_INTERVAL,
)

__all__ = ["Base"]


class Base:
    """Walks a scenario document, building objects and raising errors that say where."""

    def __init__(self, doc: Document, base_dir: Path) -> None:
        self.doc = doc
        self.base_dir = base_dir
        self.source = doc.source

    def error(self, path: tuple[Any, ...], message: str) -> ConfigError:
        line = self.doc.key_line(path) if path else None
        shown = escape(self.source)
        where = shown if line is None else f"{shown}:{line}"
        key = format_path(path) or "the scenario"
        return ConfigError(f"{where}: {key}: {message}")

    def build(
        self,
        path: tuple[Any, ...],
        factory: Callable[..., Any],
        *args: Any,
        paths: Mapping[str, tuple[Any, ...]] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``factory``, re-raising its ConfigError at ``path``, or at the key of the field
        the message names (``paths`` maps fields to keys of another name)."""
        self.check_call(path, factory, args, kwargs)
        try:
            return factory(*args, **kwargs)
        except (TypeError, AttributeError, KeyError, IndexError, OverflowError) as err:
            # A value of the wrong shape deep inside (a constructor that assumed a list).
            raise self.error(path, f"cannot be read: {excerpt(str(err))[1:-1]}") from err
        except ConfigError as err:
            message = str(err)
            match = _FIELD_IN_MESSAGE.match(message)
            where = path
            if match and paths and match.group(1) in paths:
                where = paths[match.group(1)]
            elif match and match.group(1) in kwargs:
                where = (*path, match.group(1))
            raise self.error(where, message) from err

    def check_call(
        self, path: tuple[Any, ...], factory: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        """A missing or unknown key is named as such, not as a TypeError about ``__init__``."""
        try:
            signature = inspect.signature(factory)
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            return
        try:
            signature.bind(*args, **kwargs)
        except TypeError as err:
            missing = re.search(r"missing a required (?:keyword-only )?argument: '(\w+)'", str(err))
            if missing:
                raise self.error(path, f"the key {missing[1]!r} is required here") from None
            unexpected = re.search(r"unexpected keyword argument '(\w+)'", str(err))
            if unexpected:
                raise self.error((*path, unexpected[1]), "unknown key here") from None
            raise self.error(path, f"cannot be read: {excerpt(str(err))[1:-1]}") from None

    def mapping(
        self,
        value: Any,
        path: tuple[Any, ...],
        allowed: Sequence[str],
        required: Sequence[str] = (),
        what: str = "a mapping",
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"must be {what}; got {excerpt(value)}")
        for key in value:
            if key not in allowed:
                hint = suggest(str(key), allowed) if isinstance(key, str) else ""
                listed = ", ".join(allowed)
                raise self.error(
                    (*path, key), f"unknown key; {hint or f'the keys allowed here are {listed}'}"
                )
        for key in required:
            if key not in value:
                raise self.error(path, f"the key {key!r} is required here")
        return dict(value)

    def string(self, value: Any, path: tuple[Any, ...]) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(path, f"must be a string; got {excerpt(value)}")
        return str(value)

    def integer(
        self, value: Any, path: tuple[Any, ...], low: int = 0, high: int | None = None
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.error(path, f"must be an integer >= {low}; got {excerpt(value)}")
        if high is not None and value > high:
            raise self.error(path, f"must be an integer in [{low}, {high:_}]; got {excerpt(value)}")
        return value

    def number(
        self,
        value: Any,
        path: tuple[Any, ...],
        low: float,
        high: float = math.inf,
        why: str = "",
    ) -> float:
        """A finite number in ``[low, high]``, refused with the rule (and why) otherwise."""
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not (math.isfinite(value) and low <= value <= high):
            bounds = f">= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
            raise self.error(
                path, f"must be a number {bounds}{f' ({why})' if why else ''}; got {excerpt(value)}"
            )
        return value

    def file(self, value: Any, path: tuple[Any, ...]) -> Path:
        name = self.string(value, path)
        file = Path(name)
        if not file.is_absolute():
            file = self.base_dir / file
        if not file.is_file():
            raise self.error(path, f"no such file: {os.fspath(file)!r}")
        return file

    def list_of(self, value: Any, path: tuple[Any, ...]) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(path, f"must be a list; got {excerpt(value)}")
        return value

    def mapping_of(self, value: Any, path: tuple[Any, ...]) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"must be a mapping; got {excerpt(value)}")
        return dict(value)

    def bounded_rates(self, value: Any, path: tuple[Any, ...]) -> None:
        """Every number inside a traffic value (a rate, a list, a profile) is at most MAX_RATE
        calls a minute, checked before any profile or deployment is built."""
        stack = [(value, path)]
        while stack:
            item, where = stack.pop()
            if isinstance(item, Mapping):
                stack.extend((v, (*where, k)) for k, v in item.items())
            elif isinstance(item, list):
                stack.extend((v, (*where, i)) for i, v in enumerate(item))
            elif (
                isinstance(item, (int, float))
                and not isinstance(item, bool)
                and (not math.isfinite(item) or abs(item) > MAX_RATE)
            ):
                raise self.error(
                    where,
                    f"must be at most {MAX_RATE:.0e} calls a minute (over 16 million a "
                    f"second); got {excerpt(item)}",
                )

    def bounded_durations(self, data: Mapping[str, Any]) -> None:
        """Numbers whose size sets the cost of a simulation, checked before it is built."""
        if "alarm_poll_interval" in data:
            self.number(
                data["alarm_poll_interval"],
                ("alarm_poll_interval",),
                MIN_ALARM_POLL_INTERVAL,
                why="seconds between CodeDeploy's alarm polls; CloudWatch keeps at most one "
                "datapoint a second",
            )
        if "install_seconds" in data:
            self.number(
                data["install_seconds"],
                ("install_seconds",),
                0,
                MAX_INSTALL_SECONDS,
                why="ECS waits at most 120 hours between deployment and traffic shift",
            )

    def common(self, platform: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments every platform's deployment takes."""
        kwargs: dict[str, Any] = {}
        if "config" in data:
            kwargs["config"] = self.config(data["config"], ("config",), platform)
        if "alarms" in data:
            kwargs["alarms"] = self.alarms(data["alarms"])
        if "auto_rollback" in data:
            kwargs["auto_rollback"] = self.auto_rollback(data["auto_rollback"])
        if "manual_stop" in data:
            raw = self.mapping(
                data["manual_stop"],
                ("manual_stop",),
                ("at_minute", "auto_rollback_enabled"),
                ("at_minute",),
            )
            kwargs["manual_stop"] = self.build(("manual_stop",), ManualStop, **raw)
        return kwargs

    def config(self, value: Any, path: tuple[Any, ...], platform: str) -> DeploymentConfig:
        if isinstance(value, str):
            if platform == "Server" and _is_short_server_name(value):
                value = f"CodeDeployDefault.{value}"  # as ServerDeployment("HalfAtATime")
            config = self.build(path, get_config, value)
            if config.compute_platform != platform:
                raise self.error(
                    path,
                    f"{config.name!r} is a {config.compute_platform} configuration, but the "
                    f"scenario's platform is {platform}",
                )
            return config
        if platform == "Server":
            raw = self.mapping(
                value,
                path,
                ("name", "minimum_healthy_hosts"),
                ("minimum_healthy_hosts",),
                what="a configuration name or a mapping",
            )
            mhh_path = (*path, "minimum_healthy_hosts")
            mhh = self.mapping(raw["minimum_healthy_hosts"], mhh_path, ("type", "value"))
            minimum = self.build(mhh_path, MinimumHealthyHosts, **mhh)
            name = self.string(raw.get("name", "Custom"), (*path, "name"))
            return self.build(path, DeploymentConfig, name, "Server", minimum_healthy_hosts=minimum)
        if not isinstance(value, Mapping):
            raise self.error(
                path, f"must be a configuration name or a mapping; got {excerpt(value)}"
            )
        kind = value.get("type")
        if kind not in _ROUTING_KEYS:
            hint = suggest(str(kind), _ROUTING_KEYS) if kind is not None else ""
            raise self.error(
                (*path, "type"),
                "must be one of 'TimeBasedCanary', 'TimeBasedLinear', 'AllAtOnce'; "
                f"got {excerpt(kind)}" + (f"; {hint}" if hint else ""),
            )
        keys = _ROUTING_KEYS[kind]
        raw = self.mapping(value, path, ("name", "type", *keys), keys)
        routing_cls: Any = {
            "TimeBasedCanary": TimeBasedCanary,
            "TimeBasedLinear": TimeBasedLinear,
            "AllAtOnce": AllAtOnce,
        }[kind]
        routing = self.build(path, routing_cls, **{k: raw[k] for k in keys})
        name = self.string(raw.get("name", f"Custom{kind}"), (*path, "name"))
        return self.build(path, DeploymentConfig, name, platform, traffic_routing=routing)

    def alarms(self, value: Any) -> tuple[Alarm, ...]:
        if not isinstance(value, list):
            raise self.error(("alarms",), f"must be a list of alarms; got {excerpt(value)}")
        allowed = tuple(f.name for f in fields(Alarm))
        out = []
        for i, raw in enumerate(value):
            path = ("alarms", i)
            spec = self.mapping(raw, path, allowed, ("name",), what="an alarm mapping")
            out.append(self.build(path, Alarm, **spec))
        return tuple(out)

    def auto_rollback(self, value: Any) -> AutoRollback:
        path = ("auto_rollback",)
        if value is True:
            return AutoRollback()
        if value is False:
            return AutoRollback.disabled()
        raw = self.mapping(
            value, path, ("enabled", "events"), what="true, false or {enabled, events}"
        )
        events = raw.get("events", AutoRollback().events)
        if not isinstance(events, list | tuple):
            raise self.error(
                (*path, "events"), f"must be a list of event names; got {excerpt(events)}"
            )
        return self.build(path, AutoRollback, raw.get("enabled", True), tuple(events))


def _is_short_server_name(name: str) -> bool:
    """Whether ``name`` is a predefined Server configuration without its prefix."""
    if name.startswith("CodeDeployDefault."):
        return False
    try:
        return get_config(f"CodeDeployDefault.{name}").compute_platform == "Server"
    except ValueError:
        return False
