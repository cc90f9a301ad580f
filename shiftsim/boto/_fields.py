"""The fields every platform reads from a deployment group (private): platform, configuration,
alarms, rollback and names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from shiftsim._checks import check_choice, invalid, suggest
from shiftsim.alarms import Alarm
from shiftsim.boto._revisions import RevisionNames
from shiftsim.boto._shapes import OWNER, SERVER_KEYS
from shiftsim.configs import DeploymentConfig, predefined_configs
from shiftsim.errors import ConfigError
from shiftsim.rollback import AutoRollback

__all__ = ["group_config", "group_options", "group_platform"]


def group_platform(
    group: Mapping[str, Any],
    explicit: str | None,
    configs: Mapping[str, DeploymentConfig],
    revision: RevisionNames | None,
) -> str:
    """The group's compute platform: ``explicit``, else what the group, a configuration's
    name or the revision tells; the revision's AppSpec must be for the same platform."""
    platform = explicit or group.get("computePlatform")
    if platform is None and group.get("ecsServices"):
        platform = "ECS"
    name = group.get("deploymentConfigName")
    if platform is None and isinstance(name, str):
        known = {c.name: c for c in predefined_configs()} | dict(configs)
        if name in known:
            platform = known[name].compute_platform
    if platform is None and any(group.get(k) for k in SERVER_KEYS):
        platform = "Server"
    if platform is None and revision is not None:
        platform = revision.platform
    if platform is None:
        raise ConfigError(
            f"{OWNER}: cannot tell the compute platform (a deployment group's platform is its "
            "application's); pass compute_platform='Lambda' or 'ECS', or include "
            "'computePlatform' as get_deployment_group returns it."
        )
    check_choice(OWNER, "computePlatform", platform, ("Lambda", "ECS", "Server"))
    if revision is not None and revision.platform != platform:
        raise ConfigError(
            f"{OWNER}: the revision's AppSpec is for {revision.platform}, the deployment group "
            f"for {platform}."
        )
    return str(platform)


def group_config(
    group: Mapping[str, Any],
    configs: Mapping[str, DeploymentConfig],
    traffic: dict[str, Any],
    platform: str,
) -> DeploymentConfig | str:
    name = group.get("deploymentConfigName")
    if name is None:
        if "config" not in traffic:
            raise ConfigError(
                f"{OWNER}: deploymentConfigName is missing; CodeDeploy's documented default "
                "(CodeDeployDefault.OneAtATime) is an EC2/on-premises configuration, so name a "
                f"{platform} configuration, or pass config=..."
            )
        config: DeploymentConfig | str = traffic.pop("config")
        return config
    if "config" in traffic:
        raise ConfigError(
            f"{OWNER}: give the configuration once, as deploymentConfigName ({name!r}) or as "
            "config=..., not both."
        )
    if not isinstance(name, str) or not name:
        raise invalid(OWNER, "deploymentConfigName", name, "must be a configuration name")
    if name in configs:
        return replace(configs[name], name=name)
    predefined = {c.name: c for c in predefined_configs()}
    if name in predefined:
        return predefined[name]
    hint = suggest(name, [*predefined, *configs])
    raise ConfigError(
        f"{OWNER}: deploymentConfigName {name!r} is neither predefined nor among configs=; "
        f"pass configs={{{name!r}: DeploymentConfig({name!r}, {platform!r}, "
        "traffic_routing=...)}" + (f" ({hint})" if hint else "") + "."
    )


def group_alarms(group: Mapping[str, Any], alarms: Mapping[str, Alarm]) -> tuple[Alarm, ...]:
    raw = group.get("alarmConfiguration")
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise invalid(OWNER, "alarmConfiguration", raw, "must be a mapping")
    entries = raw.get("alarms") or []
    if not raw.get("enabled", False):
        return ()
    if not entries:
        raise invalid(
            OWNER,
            "alarmConfiguration.alarms",
            entries,
            "must name at least one alarm when enabled is true (InvalidAlarmConfigException)",
        )
    out: list[Alarm] = []
    missing: list[str] = []
    for i, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name:
            raise invalid(OWNER, f"alarmConfiguration.alarms[{i}]", entry, "must be {'name': ...}")
        if name in alarms:
            alarm = alarms[name]
            out.append(alarm if alarm.name == name else replace(alarm, name=name))
        else:
            missing.append(name)
    if missing:
        example = ", ".join(f"{n!r}: shiftsim.Alarm({n!r}, ...)" for n in missing)
        raise ConfigError(
            f"{OWNER}: alarmConfiguration names {missing} but alarms= holds no Alarm for "
            f"{'it' if len(missing) == 1 else 'them'}; shiftsim needs each alarm's metric and "
            f"threshold: pass alarms={{{example}}}."
        )
    return tuple(out)


def group_options(
    group: Mapping[str, Any],
    cls: type,
    traffic: Mapping[str, Any],
    alarm_map: Mapping[str, Alarm],
) -> dict[str, Any]:
    """The deployment fields every platform reads from a group: alarms, rollback, names; plus
    the caller's own fields, which must be fields of ``cls``."""
    allowed = {f.name for f in fields(cls)} - {"alarms"}
    for key in traffic:
        if key not in allowed:
            hint = suggest(key, allowed)
            raise invalid(OWNER, key, traffic[key], f"is not a {cls.__name__} field", hint or None)
    options = dict(traffic)
    options["alarms"] = group_alarms(group, alarm_map)
    ignore = (group.get("alarmConfiguration") or {}).get("ignorePollAlarmFailure")
    if ignore is not None and "ignore_poll_alarm_failure" in allowed:
        # API:AlarmConfiguration.ignorePollAlarmFailure (codedeploy-api.md).
        options.setdefault("ignore_poll_alarm_failure", ignore)
    if "autoRollbackConfiguration" in group:
        if "auto_rollback" in options:
            raise ConfigError(
                f"{OWNER}: give rollback settings once, as autoRollbackConfiguration or as "
                "auto_rollback=..., not both."
            )
        options["auto_rollback"] = AutoRollback.from_boto(group["autoRollbackConfiguration"])
    elif "auto_rollback" not in options:
        options["auto_rollback"] = AutoRollback.disabled()  # the API's default
    for key, name in (
        ("applicationName", "application"),
        ("deploymentGroupName", "deployment_group"),
    ):
        if group.get(key) is not None:
            options[name] = group[key]
    return options
