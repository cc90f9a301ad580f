"""CloudWatch's alarm operations: PutMetricAlarm, DescribeAlarms, SetAlarmState, DeleteAlarms.

The alarms live in the box; a deployment whose group names an alarm gets a
:class:`shiftsim.Alarm` built from its fields (metric, threshold, comparison, statistic, period,
evaluation periods, datapoints to alarm, missing data), so its state comes from the same
evaluation rules as :func:`shiftsim.simulate`. An alarm with a ``Dimensions`` entry named
``ExecutedVersion`` watches the target version only, as SAM's alarms do; any other alarm watches
the whole alias (``version="alias"``).

``SetAlarmState`` is CloudWatch's: the forced state lasts until the alarm is next evaluated from
its metric (every whole minute of simulated time while a deployment feeds it), as the model's
documentation says (codedeploy-api.md 1.7). Outside deployments nothing evaluates the alarm, so
the forced state stays.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from shiftsim.alarms import Alarm
from shiftsim.aws._protocol import AwsError
from shiftsim.errors import ConfigError

__all__ = ["AlarmStore"]

ACCOUNT = "123456789012"


class AlarmStore:
    """The metric alarms of one box, by name."""

    def __init__(self, region: str, now: Callable[[], datetime]) -> None:
        self._alarms: dict[str, dict[str, Any]] = {}
        self._region = region
        self._now = now

    def __contains__(self, name: object) -> bool:
        return name in self._alarms

    def names(self) -> list[str]:
        return sorted(self._alarms)

    def model(self, name: str) -> Alarm:
        """The :class:`shiftsim.Alarm` an alarm's fields describe (defaults where CloudWatch's
        fields say nothing shiftsim models, or the alarm does not exist)."""
        raw = self._alarms.get(name)
        if raw is None:
            return Alarm(name)
        options: dict[str, Any] = {}
        for key, field in (
            ("MetricName", "metric"),
            ("Threshold", "threshold"),
            ("ComparisonOperator", "comparison_operator"),
            ("Statistic", "statistic"),
            ("Period", "period"),
            ("EvaluationPeriods", "evaluation_periods"),
            ("DatapointsToAlarm", "datapoints_to_alarm"),
            ("TreatMissingData", "treat_missing_data"),
        ):
            if raw.get(key) is not None:
                options[field] = raw[key]
        dims = {d.get("Name") for d in raw.get("Dimensions") or ()}
        options["version"] = "target" if "ExecutedVersion" in dims else "alias"
        options["initial_state"] = raw["StateValue"]
        try:
            return Alarm(name, **options)
        except ConfigError:
            # A field shiftsim cannot model (e.g. a percentile statistic): keep the name and
            # CloudWatch's state, with the default evaluation.
            return Alarm(name, initial_state=raw["StateValue"])

    # ------------------------------------------------------------------ operations
    def put_metric_alarm(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params["AlarmName"]
        now = self._now()
        old = self._alarms.get(name)
        alarm = {k: v for k, v in params.items() if k != "Tags"}
        alarm.update(
            AlarmArn=f"arn:aws:cloudwatch:{self._region}:{ACCOUNT}:alarm:{name}",
            AlarmConfigurationUpdatedTimestamp=now,
            StateValue=old["StateValue"] if old else "INSUFFICIENT_DATA",
            StateReason=old["StateReason"] if old else "Unchecked: Initial alarm creation",
            StateUpdatedTimestamp=old["StateUpdatedTimestamp"] if old else now,
            StateTransitionedTimestamp=old["StateTransitionedTimestamp"] if old else now,
        )
        alarm.setdefault("ActionsEnabled", True)
        self._alarms[name] = alarm
        return {}

    def describe_alarms(
        self, params: Mapping[str, Any], live_state: Callable[[str], str | None]
    ) -> dict[str, Any]:
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        names = params.get("AlarmNames")
        prefix = params.get("AlarmNamePrefix")
        if names and prefix:
            raise AwsError(
                "InvalidParameterCombination",
                "AlarmNames and AlarmNamePrefix cannot be given together.",
                query_code="InvalidParameterCombinationException",
            )
        selected = []
        for name in sorted(self._alarms):
            if names is not None and name not in names:
                continue
            if prefix is not None and not name.startswith(prefix):
                continue
            alarm = dict(self._alarms[name])
            state = live_state(name)
            if state is not None and state != alarm["StateValue"]:
                self._set(alarm, state, "Threshold Crossed: evaluated by shiftsim's alarm model")
                self._alarms[name].update(
                    {k: alarm[k] for k in ("StateValue", "StateReason", "StateUpdatedTimestamp")}
                )
            if params.get("StateValue") and alarm["StateValue"] != params["StateValue"]:
                continue
            action_prefix = params.get("ActionPrefix")
            if action_prefix and not any(
                a.startswith(action_prefix) for a in alarm.get("AlarmActions") or ()
            ):
                continue
            selected.append(alarm)
        start = _token(params.get("NextToken"), len(selected))
        size = params.get("MaxRecords") or 50
        page = selected[start : start + size]
        out: dict[str, Any] = {
            "MetricAlarms": page if "MetricAlarm" in types else [],
            "CompositeAlarms": [],
        }
        if start + size < len(selected):
            out["NextToken"] = str(start + size)
        return out

    def _set(self, alarm: dict[str, Any], state: str, reason: str) -> None:
        now = self._now()
        if alarm["StateValue"] != state:
            alarm["StateTransitionedTimestamp"] = now
        alarm.update(StateValue=state, StateReason=reason, StateUpdatedTimestamp=now)

    def set_alarm_state(self, params: Mapping[str, Any]) -> str:
        name = params["AlarmName"]
        alarm = self._alarms.get(name)
        if alarm is None:
            raise AwsError(
                "ResourceNotFound",
                f"Alarm {name} does not exist",
                status=404,
                query_code="ResourceNotFound",
            )
        data = params.get("StateReasonData")
        if data is not None:
            try:
                json.loads(data)
            except ValueError as err:
                raise AwsError(
                    "InvalidFormat",
                    "StateReasonData must be valid JSON.",
                    query_code="InvalidFormatFault",
                ) from err
        self._set(alarm, params["StateValue"], params["StateReason"])
        return name

    def delete_alarms(self, params: Mapping[str, Any]) -> dict[str, Any]:
        names = params.get("AlarmNames") or []
        missing = [n for n in names if n not in self._alarms]
        if missing:
            raise AwsError(
                "ResourceNotFound",
                f"Alarm(s) {', '.join(missing[:5])} do not exist",
                status=404,
                query_code="ResourceNotFound",
            )
        for name in names:
            del self._alarms[name]
        return {}


def _token(token: Any, size: int) -> int:
    if token is None:
        return 0
    if not (isinstance(token, str) and token.isdigit() and int(token) <= size):
        raise AwsError(
            "InvalidNextToken", "The NextToken is not valid.", query_code="InvalidNextToken"
        )
    return int(token)
