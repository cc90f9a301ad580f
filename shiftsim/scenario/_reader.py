"""Scenario files: the whole scenario, and Lambda/ECS deployments (private)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from shiftsim._checks import suggest
from shiftsim._text import excerpt
from shiftsim.alarms import Alarm
from shiftsim.appspec import load_appspec
from shiftsim.ecs import EcsDeployment, EcsHooks
from shiftsim.errors import AppSpecError, ConfigError, UnsupportedScenarioError
from shiftsim.lambda_ import LambdaDeployment, LambdaHooks
from shiftsim.monitoring import AlarmConfiguration, AlarmReadFailure
from shiftsim.scenario._keys import (
    _HOOK_EVENTS,
    _NAMES,
    _PLATFORM_KEYS,
    _PROFILE_SHAPES,
    _SERVER_ALIASES,
    DEFAULT_RUNS,
    MAX_RUNS,
    PLATFORMS,
    _snake,
)
from shiftsim.scenario._server import ServerReader
from shiftsim.traffic import Hook, Profile, Version
from shiftsim.vocabulary import MAX_ALARMS

__all__ = ["Reader"]


class Reader(ServerReader):
    """Reads a whole scenario: ``scenario()`` returns its platform, deployment, name, seed and
    runs."""

    def scenario(self) -> tuple[str, Any, str, int | None, int]:
        data = self.doc.value
        for path, first in self.doc.duplicates:
            raise self.error(
                path,
                f"the key appears twice (first at line {first}); YAML would keep only the last "
                "value, so a scenario file must give each key once",
            )
        if not isinstance(data, Mapping):
            raise self.error((), f"must be a mapping of keys to values; got {excerpt(data)}")
        if "platform" not in data:
            raise self.error((), "the key 'platform' is required (Lambda, ECS or Server)")
        platform = data["platform"]
        if platform not in PLATFORMS:
            hint = suggest(str(platform), PLATFORMS)
            if str(platform).strip().lower() in _SERVER_ALIASES:
                hint = (
                    "did you mean 'Server'? CodeDeploy calls the EC2/on-premises compute "
                    "platform Server"
                )
            raise self.error(
                ("platform",),
                f"must be one of 'Lambda', 'ECS', 'Server'; got {excerpt(platform)}"
                + (f"; {hint}" if hint else ""),
            )
        name = self.string(data.get("name", Path(self.source).name), ("name",))
        seed = data.get("seed")
        if seed is not None:
            seed = self.integer(seed, ("seed",))
        runs = self.integer(data.get("runs", DEFAULT_RUNS), ("runs",), low=1, high=MAX_RUNS)
        if platform == "Server":
            deployment = self.server(data)
        else:
            deployment = self.traffic_deployment(platform, data)
        return platform, deployment, name, seed, runs

    def traffic_deployment(self, platform: str, data: Mapping[str, Any]) -> Any:
        self.mapping(data, (), _PLATFORM_KEYS[platform])
        if "sam_template" in data and "appspec" in data:
            raise self.error(
                ("appspec",), "cannot be combined with 'sam_template': the template describes it"
            )
        kwargs = self.common(platform, data)
        rate_field = "invocations_per_minute" if platform == "Lambda" else "requests_per_minute"
        paths: dict[str, tuple[Any, ...]] = {rate_field: ("traffic",)}
        if "traffic" in data:
            self.bounded_rates(data["traffic"], ("traffic",))
            kwargs[rate_field] = self.rate(data["traffic"], ("traffic",), per_minute_list=True)
        versions = self.mapping(data.get("versions", {}), ("versions",), ("current", "target"))
        for key, raw in versions.items():
            kwargs[key] = self.version(raw, ("versions", key))
            paths[key] = ("versions", key)
        for key in (
            "alarm_poll_interval",
            "metric_delay",
            "linear_completion",
            "install_seconds",
            "test_traffic",
            "termination_wait_time_in_minutes",
            "ignore_poll_alarm_failure",
            "ready_action",
            "ready_wait_minutes",
            "continue_after_minutes",
            "termination_action",
            "skip_termination_wait_after_minutes",
        ):
            if key in data:
                kwargs[key] = data[key]
        self.monitoring(data, kwargs)
        if "test_requests_per_minute" in data:
            path = ("test_requests_per_minute",)
            self.bounded_rates(data["test_requests_per_minute"], path)
            kwargs["test_requests_per_minute"] = self.rate(
                data["test_requests_per_minute"], path, per_minute_list=True
            )
            paths["test_requests_per_minute"] = path
        self.bounded_durations(data)
        if "names" in data:
            names = self.mapping(data["names"], ("names",), _NAMES[platform])
            kwargs.update(names)
            paths.update({key: ("names", key) for key in names})
        hooks = self.hooks(platform, data.get("hooks", {}))
        if "appspec" in data:
            self.apply_appspec(platform, data["appspec"], kwargs, hooks, versions)
        hook_objects = {
            event: self.build(("hooks", key), Hook, **spec) for event, (key, spec) in hooks.items()
        }
        if platform == "Lambda":
            if hook_objects:
                kwargs["hooks"] = LambdaHooks(**{_snake(e): h for e, h in hook_objects.items()})
            if "sam_template" in data:
                return self.from_sam(data, kwargs, hook_objects, paths)
            if "function" in data:
                raise self.error(("function",), "is only used with 'sam_template'")
            self.need_config(kwargs)
            return self.build((), LambdaDeployment, paths=paths, **kwargs)

        if hook_objects:
            kwargs["hooks"] = EcsHooks.from_events(hook_objects)
        self.need_config(kwargs)
        return self.build((), EcsDeployment, paths=paths, **kwargs)

    def monitoring(self, data: Mapping[str, Any], kwargs: dict[str, Any]) -> None:
        """``override_alarm_configuration`` and ``alarm_read_failures`` (shiftsim.monitoring)."""
        if "override_alarm_configuration" in data:
            path: tuple[Any, ...] = ("override_alarm_configuration",)
            raw = self.mapping(
                data["override_alarm_configuration"],
                path,
                ("enabled", "ignore_poll_alarm_failure", "alarms"),
            )
            if "alarms" in raw:
                items = self.list_of(raw["alarms"], (*path, "alarms"))
                if len(items) > MAX_ALARMS:
                    raise self.error(
                        (*path, "alarms"),
                        f"must list at most {MAX_ALARMS} alarms (D9); got {len(items)}",
                    )
                allowed = tuple(f.name for f in fields(Alarm))
                raw["alarms"] = tuple(
                    self.build(
                        (*path, "alarms", i),
                        Alarm,
                        **self.mapping(item, (*path, "alarms", i), allowed, ("name",)),
                    )
                    for i, item in enumerate(items)
                )
            kwargs["override_alarm_configuration"] = self.build(path, AlarmConfiguration, **raw)
        if "alarm_read_failures" in data:
            key = "alarm_read_failures"
            items = self.list_of(data[key], (key,))
            allowed = tuple(f.name for f in fields(AlarmReadFailure))
            required = ("start_minute", "end_minute")
            kwargs[key] = tuple(
                self.build(
                    (key, i), AlarmReadFailure, **self.mapping(item, (key, i), allowed, required)
                )
                for i, item in enumerate(items)
            )

    def need_config(self, kwargs: Mapping[str, Any]) -> None:
        if "config" not in kwargs:
            raise self.error(
                (),
                "the key 'config' is required (a configuration name such as "
                "'CodeDeployDefault.LambdaCanary10Percent5Minutes', or a custom one)",
            )

    def rate(self, value: Any, path: tuple[Any, ...], *, per_minute_list: bool = False) -> Any:
        """A number, a profile mapping, or (for traffic) a list of per-minute rates."""
        if isinstance(value, bool):
            raise self.error(path, f"must be a number or a profile; got {excerpt(value)}")
        if isinstance(value, int | float):
            return value
        if isinstance(value, list) and per_minute_list:
            return tuple(value)
        if not isinstance(value, Mapping) or len(value) != 1:
            shapes = "constant, step, ramp, burst or points"
            listed = "a number, a list of per-minute rates, " if per_minute_list else "a number "
            raise self.error(
                path, f"must be {listed}or a profile with one key ({shapes}); got {excerpt(value)}"
            )
        ((shape, body),) = value.items()
        inner = (*path, shape)
        if shape == "constant":
            return self.build(inner, Profile.constant, body)
        if shape == "points":
            if not isinstance(body, list):
                raise self.error(
                    inner, f"must be a list of [minute, value] pairs; got {excerpt(body)}"
                )
            return self.build(inner, Profile, tuple(tuple(p) for p in body))
        if shape not in _PROFILE_SHAPES:
            hint = suggest(str(shape), ("constant", "points", *_PROFILE_SHAPES))
            raise self.error(
                inner,
                "unknown profile shape; " + (hint or "use constant, step, ramp, burst or points"),
            )
        required, optional = _PROFILE_SHAPES[shape]
        raw = self.mapping(body, inner, (*required, *optional), required)
        factory = getattr(Profile, shape)
        return self.build(inner, factory, **raw)

    def version(self, value: Any, path: tuple[Any, ...]) -> Version:
        allowed = tuple(f.name for f in fields(Version))
        raw = self.mapping(value, path, allowed, what="a version mapping")
        if "name" in raw:
            raw["name"] = self.string(raw["name"], (*path, "name"))
        for key in ("error_rate", "throttle_rate"):
            if key in raw:
                raw[key] = self.rate(raw[key], (*path, key))
        default = "1" if path[-1] == "current" else "2"
        raw.setdefault("name", default)
        return self.build(path, Version, **raw)

    def hooks(self, platform: str, value: Any) -> dict[str, tuple[str, dict[str, Any]]]:
        """Hook specs keyed by CodeDeploy's event name, with the key the file used."""
        events = _HOOK_EVENTS[platform]
        by_name = {**{e: e for e in events}, **{_snake(e): e for e in events}}
        if platform == "Lambda":
            by_name.update(PreTraffic="BeforeAllowTraffic", PostTraffic="AfterAllowTraffic")
        raw = self.mapping(value, ("hooks",), tuple(by_name), what="a mapping of event -> hook")
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        allowed = tuple(f.name for f in fields(Hook))
        for key, spec in raw.items():
            path = ("hooks", key)
            event = by_name[key]
            if event in out:
                raise self.error(path, f"the {event} hook is given twice")
            out[event] = (key, self.mapping(spec if spec is not None else {}, path, allowed))
        return out

    def apply_appspec(
        self,
        platform: str,
        value: Any,
        kwargs: dict[str, Any],
        hooks: dict[str, tuple[str, dict[str, Any]]],
        versions: Mapping[str, Any],
    ) -> None:
        """Take hook functions (and, for Lambda, the function, alias and versions) from an
        AppSpec file; what the scenario says about them must agree with it."""
        file = self.file(value, ("appspec",))
        spec = load_appspec(file, platform=platform)
        for event, (key, _) in hooks.items():
            if spec.hook_function(event) is None:
                raise self.error(
                    ("hooks", key),
                    f"the AppSpec {os.fspath(file)!r} has no {event} hook to give a duration "
                    "or outcome to",
                )
        for event in _HOOK_EVENTS[platform]:
            function = spec.hook_function(event)
            if function is not None:
                hooks.setdefault(event, (event, {}))[1].setdefault("function_name", function)
        if platform != "Lambda" or not spec.resources:
            return
        target = spec.resources[0]
        kwargs.setdefault("function_name", getattr(target, "name", "my-function"))
        kwargs.setdefault("alias", getattr(target, "alias", "live"))
        for key, version in (
            ("current", getattr(target, "current_version", None)),
            ("target", getattr(target, "target_version", None)),
        ):
            if version is None:
                continue
            name = str(version)
            given = versions.get(key)
            if isinstance(given, Mapping) and "name" in given and str(given["name"]) != name:
                raise self.error(
                    ("versions", key, "name"),
                    f"is {str(given['name'])!r} but the AppSpec {os.fspath(file)!r} says "
                    f"{name!r}; leave the name out to take the AppSpec's",
                )
            kwargs[key] = replace(kwargs.get(key, Version(name)), name=name)

    def from_sam(
        self,
        data: Mapping[str, Any],
        kwargs: dict[str, Any],
        hooks: Mapping[str, Hook],
        paths: Mapping[str, tuple[Any, ...]],
    ) -> Any:
        """The deployment SAM's DeploymentPreference produces, with the scenario's traffic,
        versions, hook behaviour and alarm overrides."""
        file = self.file(data["sam_template"], ("sam_template",))
        if "auto_rollback" in data:
            raise self.error(
                ("auto_rollback",),
                "cannot be combined with 'sam_template': SAM always rolls back on all three events",
            )
        try:
            sam = importlib.import_module("shiftsim.sam")
        except ModuleNotFoundError as err:
            raise UnsupportedScenarioError(
                f"{self.source}: sam_template: reading SAM templates needs shiftsim.sam, which "
                "this version of shiftsim does not have; give 'config' and 'alarms' instead"
            ) from err
        options: dict[str, Any] = {
            key: kwargs.pop(key)
            for key in (
                "invocations_per_minute",
                "current",
                "target",
                "manual_stop",
                "alarm_poll_interval",
                "metric_delay",
                "linear_completion",
            )
            if key in kwargs
        }
        config = kwargs.pop("config", None)
        if config is not None:
            if config.is_predefined:
                raise self.error(
                    ("config",),
                    "the template's DeploymentPreference.Type names the configuration; give "
                    "'config' only to define the custom configuration Type names",
                )
            options["configs"] = [config]
        if "alarms" in kwargs:
            options["alarms"] = {alarm.name: alarm for alarm in kwargs.pop("alarms")}
        kwargs.pop("hooks", None)
        if hooks:
            options["hooks"] = dict(hooks)
        function = self.string(data["function"], ("function",)) if "function" in data else None
        try:
            deployment = sam.from_sam(file, function, **options)
        except (ConfigError, AppSpecError) as err:
            raise self.error(("sam_template",), str(err)) from err
        return self.build((), replace, deployment, paths=paths, **kwargs)
