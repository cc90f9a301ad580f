"""Scenario files: the pieces of a Server (EC2/on-premises) deployment (private)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim.appspec import load_appspec
from shiftsim.configs import (
    get_config,
)
from shiftsim.errors import UnsupportedScenarioError
from shiftsim.fleet import Fleet, Instance, Targets
from shiftsim.scenario._base import Base
from shiftsim.scenario._keys import (
    _SERVER_KEYS,
    _SERVER_SCALARS,
    MAX_FLEET_SIZE,
)

__all__ = ["ServerReader"]


class ServerReader(Base):
    """The Server deployment of a scenario: fleet, targets, scripts, faults, scale-outs."""

    def server(self, data: Mapping[str, Any]) -> Any:
        try:
            server = importlib.import_module("shiftsim.server")
        except ModuleNotFoundError as err:
            raise UnsupportedScenarioError(
                f"{self.source}: platform: Server scenarios need shiftsim.server, which this "
                "version of shiftsim does not have"
            ) from err
        self.mapping(data, (), _SERVER_KEYS)
        self.bounded_durations(data)
        kwargs = self.common("Server", data)
        paths: dict[str, tuple[Any, ...]] = {}
        if "fleet" in data:
            kwargs["fleet"] = self.fleet(data["fleet"], ("fleet",))
        if "targets" in data:
            kwargs["targets"] = self.targets(data["targets"], ("targets",))
        self.scripts(server, data, kwargs)
        if "faults" in data:
            kwargs["faults"] = self.faults(server, data["faults"])
        if "alarm_events" in data:
            kwargs["alarm_events"] = self.alarm_events(data["alarm_events"])
        if "scale_outs" in data:
            kwargs["scale_outs"] = self.scale_outs(server, data["scale_outs"])
        if "scale_ins" in data:
            kwargs["scale_ins"] = self.scale_outs(server, data["scale_ins"], "scale_ins")
        if "blue_green" in data:
            kwargs["blue_green"] = self.blue_green(server, data["blue_green"])
        for key in _SERVER_SCALARS:
            if key in data:
                kwargs[key] = data[key]
        if "names" in data:
            names = self.mapping(data["names"], ("names",), ("application", "deployment_group"))
            kwargs.update(names)
            paths.update({key: ("names", key) for key in names})
        if "config" not in kwargs:
            kwargs["config"] = get_config("CodeDeployDefault.OneAtATime")
        return self.build((), server.ServerDeployment, paths=paths, **kwargs)

    def scripts(self, server: Any, data: Mapping[str, Any], kwargs: dict[str, Any]) -> None:
        """Hooks, previous hooks, an AppSpec and script/reserved durations, into ``kwargs``."""
        for key in ("hooks", "previous_hooks"):
            if key in data:
                kwargs[key] = self.server_hooks(server, data[key], (key,))
        if "appspec" in data:
            kwargs["appspec"] = load_appspec(
                self.file(data["appspec"], ("appspec",)), platform="Server"
            )
        for key in ("script_durations", "reserved_durations"):
            if key in data:
                raw = self.mapping_of(data[key], (key,))
                kwargs[key] = {
                    name: self.duration(server, value, (key, name)) for name, value in raw.items()
                }

    def scale_outs(self, server: Any, value: Any, key: str = "scale_outs") -> tuple[Any, ...]:
        """``scale_outs`` (ScaleOut) or ``scale_ins`` (ScaleIn) entries."""
        cls = server.ScaleOut if key == "scale_outs" else server.ScaleIn
        items = self.list_of(value, (key,))
        allowed = tuple(f.name for f in fields(cls))
        required = ("at_minute",) if key == "scale_outs" else ("at_minute", "auto_scaling_group")
        for i, item in enumerate(items):
            if isinstance(item, Mapping) and "count" in item:
                self.integer(item["count"], (key, i, "count"), 0, MAX_FLEET_SIZE)
        return tuple(
            self.build((key, i), cls, **self.mapping(item, (key, i), allowed, required))
            for i, item in enumerate(items)
        )

    def fleet(self, value: Any, path: tuple[Any, ...]) -> Any:
        """``{size: N, <Instance fields for all>, updates: [...]}`` or a list of instances."""
        instance_fields = tuple(f.name for f in fields(Instance) if f.name != "id")
        if isinstance(value, list):
            if len(value) > MAX_FLEET_SIZE:
                raise self.error(
                    path, f"lists {len(value)} instances; at most {MAX_FLEET_SIZE:_} are read"
                )
            instances = [
                self.build(
                    (*path, i),
                    Instance,
                    **self.mapping(
                        item, (*path, i), ("id", *instance_fields), ("id",), what="an instance"
                    ),
                )
                for i, item in enumerate(value)
            ]
            return self.build(path, Fleet, instances)
        raw = self.mapping(
            value,
            path,
            ("size", "prefix", "zones", "updates", *instance_fields),
            ("size",),
            what="{size: N, ...} or a list of instances",
        )
        updates = raw.pop("updates", [])
        size = self.integer(raw.pop("size"), (*path, "size"), 0, MAX_FLEET_SIZE)
        fleet = self.build(path, Fleet.of_size, size, **raw)
        for i, update in enumerate(self.list_of(updates, (*path, "updates"))):
            where = (*path, "updates", i)
            change = self.mapping(update, where, ("instances", *instance_fields), ("instances",))
            ids = change.pop("instances")
            if isinstance(ids, str):
                ids = [ids]
            fleet = self.build(where, fleet.update, ids, **change)
        return fleet

    def targets(self, value: Any, path: tuple[Any, ...]) -> Any:

        raw = self.mapping(value, path, tuple(f.name for f in fields(Targets)))

        def filters(items: Any) -> Any:
            if isinstance(items, list):
                return [tuple(f) if isinstance(f, list) else filters(f) for f in items]
            return items

        for key in ("ec2_tag_filters", "on_premises_tag_filters"):
            if key in raw:
                raw[key] = filters(raw[key])
        for key in ("ec2_tag_set", "on_premises_tag_set"):
            if key in raw and isinstance(raw[key], list):
                raw[key] = [filters(group) for group in raw[key]]
        return self.build(path, Targets, **raw)

    def duration(self, server: Any, value: Any, path: tuple[Any, ...]) -> Any:
        """Seconds, or ``{uniform: {low, high}}``, ``{normal: {mean, sd}}``,
        ``{lognormal: {median, sigma}}``, ``{exponential: {mean}}``."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        shapes = {
            "fixed": ("seconds",),
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sigma"),
            "exponential": ("mean",),
        }
        if not isinstance(value, Mapping) or len(value) != 1 or next(iter(value)) not in shapes:
            raise self.error(
                path,
                "must be seconds or one of {uniform: {low, high}}, {normal: {mean, sd}}, "
                "{lognormal: {median, sigma}}, {exponential: {mean}}; "
                f"got {excerpt(value)}",
            )
        ((kind, body),) = value.items()
        raw = self.mapping(body, (*path, kind), shapes[kind], shapes[kind])
        return self.build((*path, kind), getattr(server.Duration, kind), **raw)

    def server_hooks(self, server: Any, value: Any, path: tuple[Any, ...]) -> Any:
        """Event -> list of scripts ``{location, duration, timeout, runas}`` (or seconds)."""
        raw = self.mapping_of(value, path)
        allowed = tuple(f.name for f in fields(server.Script))
        out: dict[str, list[Any]] = {}
        for event, scripts in raw.items():
            where = (*path, event)
            items = scripts if isinstance(scripts, list) else [scripts]
            out[event] = []
            for k, item in enumerate(items):
                at = (*where, k) if isinstance(scripts, list) else where
                if isinstance(item, Mapping) and set(item) & set(allowed):
                    spec = self.mapping(item, at, allowed, ("location",), what="a script")
                    if "duration" in spec:
                        spec["duration"] = self.duration(
                            server, spec["duration"], (*at, "duration")
                        )
                    out[event].append(self.build(at, server.Script, **spec))
                else:
                    out[event].append(self.duration(server, item, at))
        return out

    def faults(self, server: Any, value: Any) -> tuple[Any, ...]:
        kinds = {
            "script": server.ScriptFault,
            "load_balancer": server.LoadBalancerFault,
            "instance_stop": server.InstanceStop,
            "file_conflict": server.FileConflict,
        }
        out = []
        for i, item in enumerate(self.list_of(value, ("faults",))):
            path = ("faults", i)
            raw = self.mapping_of(item, path)
            kind = raw.pop("type", "script")
            if kind not in kinds:
                hint = suggest(str(kind), kinds)
                raise self.error(
                    (*path, "type"),
                    "must be one of 'script', 'load_balancer', 'instance_stop', "
                    "'file_conflict'; "
                    f"got {excerpt(kind)}" + (f"; {hint}" if hint else ""),
                )
            cls = kinds[kind]
            allowed = tuple(f.name for f in fields(cls))
            self.mapping(raw, path, ("type", *allowed))
            out.append(self.build(path, cls, **raw))
        return tuple(out)

    def alarm_events(self, value: Any) -> tuple[tuple[float, str, str], ...]:
        out = []
        for i, item in enumerate(self.list_of(value, ("alarm_events",))):
            if not isinstance(item, list) or len(item) != 3:
                raise self.error(
                    ("alarm_events", i), f"must be [minute, alarm name, state]; got {excerpt(item)}"
                )
            out.append((item[0], item[1], item[2]))
        return tuple(out)

    def blue_green(self, server: Any, value: Any) -> Any:
        path = ("blue_green",)
        raw = self.mapping(value, path, tuple(f.name for f in fields(server.BlueGreen)))
        if "green_fleet" in raw:
            raw["green_fleet"] = self.fleet(raw["green_fleet"], (*path, "green_fleet"))
        if "green_targets" in raw:
            raw["green_targets"] = self.targets(raw["green_targets"], (*path, "green_targets"))
        return self.build(path, server.BlueGreen, **raw)
