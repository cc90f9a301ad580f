"""Checks every deployment type shares: its configuration, its alarms, and (Lambda, ECS) the rest.

A deployment's ``__post_init__`` calls these and nothing else writes to it. Two fields take a
canonical form in place, as attrs' converters do: ``config`` (a name becomes the
:class:`~shiftsim.configs.DeploymentConfig` it names) and ``alarms`` (any sequence becomes a
tuple). Both are idempotent and depend on nothing but the field itself, so
``dataclasses.replace(d, field=value)`` equals constructing with ``field=value`` for every field
(tests/test_validation.py checks it for every field). No field is ever derived from another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from shiftsim._checks import check_choice, check_number, invalid
from shiftsim._limits import MAX_DURATION_SECONDS as MAX_DURATION
from shiftsim._limits import MIN_ALARM_POLL_INTERVAL
from shiftsim.alarms import Alarm
from shiftsim.configs import LINEAR_COMPLETIONS, DeploymentConfig, get_config
from shiftsim.rollback import AutoRollback, ManualStop
from shiftsim.traffic import Version, numbered_after, rate_profile
from shiftsim.vocabulary import MAX_ALARMS

__all__ = ["article", "check_alarms", "check_traffic_deployment", "resolve_config"]


def article(word: str) -> str:
    """``"an"`` before a vowel, else ``"a"`` (for messages: "an ECS configuration")."""
    return "an" if word[:1] in "AEIOU" else "a"


def resolve_config(
    owner: str, config: object, platform: str, *, hint: str | None = None
) -> DeploymentConfig:
    """The :class:`DeploymentConfig` ``config`` is or names, checked to be for ``platform``.

    Examples
    --------
    >>> resolve_config("LambdaDeployment", "AllAtOnce", "Lambda").name
    'CodeDeployDefault.LambdaAllAtOnce'
    """
    resolved = get_config(config) if isinstance(config, str) else config
    if not isinstance(resolved, DeploymentConfig):
        raise invalid(owner, "config", config, "must be a DeploymentConfig or a configuration name")
    if resolved.compute_platform != platform:
        raise invalid(
            owner,
            "config",
            resolved.name,
            f"must be {article(platform)} {platform} configuration, not one for "
            f"{resolved.compute_platform}",
            hint,
        )
    return resolved


def check_alarms(
    owner: str,
    alarms: Alarm | Sequence[Alarm],
    limit: int = MAX_ALARMS,
    quota_field: str | None = None,
) -> tuple[Alarm, ...]:
    """``alarms`` as a tuple: each an :class:`Alarm`, at most ``limit`` (D9: 10 by default, more
    with a raised quota, which the caller's ``quota_field`` sets), unique names.

    Examples
    --------
    >>> [a.name for a in check_alarms("LambdaDeployment", [Alarm("errors")])]
    ['errors']
    """
    if not isinstance(alarms, Alarm) and (
        isinstance(alarms, (str, bytes)) or not isinstance(alarms, Iterable)
    ):
        raise invalid(
            owner, "alarms", alarms, "must be an Alarm or a sequence of Alarms (() for none)"
        )
    out = (alarms,) if isinstance(alarms, Alarm) else tuple(alarms)
    for i, alarm in enumerate(out):
        if not isinstance(alarm, Alarm):
            raise invalid(owner, f"alarms[{i}]", alarm, "must be an Alarm")
    if len(out) > limit:
        raise invalid(
            owner,
            "alarms",
            len(out),
            f"must hold at most {limit} alarms (API:AlarmConfiguration, D9)",
            f"Set {quota_field} for a deployment group with a raised quota."
            if quota_field
            else None,
        )
    names = [a.name for a in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise invalid(owner, "alarms", duplicates, "must have unique names")
    return out


def check_traffic_deployment(
    d: Any,
    owner: str,
    platform: str,
    *,
    rate_field: str,
    hooks_type: type,
    versions: str,
    names: Sequence[str],
) -> None:
    """The checks Lambda and ECS deployments share; puts ``config`` and ``alarms`` in their
    canonical form (see the module docstring)."""
    object.__setattr__(d, "config", resolve_config(owner, d.config, platform))
    object.__setattr__(d, "alarms", check_alarms(owner, d.alarms))
    rate_profile(owner, rate_field, getattr(d, rate_field))
    for name in ("current", "target"):
        if not isinstance(getattr(d, name), Version):
            raise invalid(owner, name, getattr(d, name), "must be a Version")
    object.__setattr__(d, "target", numbered_after(d.current, d.target))
    if d.current.name == d.target.name:
        raise invalid(
            owner, "target.name", d.target.name, f"must differ from current.name ({versions})"
        )
    if not isinstance(d.auto_rollback, AutoRollback):
        raise invalid(owner, "auto_rollback", d.auto_rollback, "must be an AutoRollback")
    if not isinstance(d.hooks, hooks_type):
        kind = hooks_type.__name__
        raise invalid(owner, "hooks", d.hooks, f"must be {article(kind)} {kind}")
    if d.manual_stop is not None and not isinstance(d.manual_stop, ManualStop):
        raise invalid(owner, "manual_stop", d.manual_stop, "must be a ManualStop or None")
    check_number(
        owner, "alarm_poll_interval", d.alarm_poll_interval, MIN_ALARM_POLL_INTERVAL, MAX_DURATION
    )
    check_number(owner, "metric_delay", d.metric_delay, 0.0, MAX_DURATION)
    check_choice(owner, "linear_completion", d.linear_completion, LINEAR_COMPLETIONS)
    for name in names:
        value = getattr(d, name)
        if not isinstance(value, str) or not value:
            raise invalid(owner, name, value, "must be a non-empty string")
