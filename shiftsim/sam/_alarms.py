"""SAM templates: CloudWatch alarm resources read as shiftsim alarms (private)."""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from shiftsim._text import excerpt
from shiftsim.alarms import COMPARISONS, TREAT_MISSING, Alarm
from shiftsim.errors import ConfigError, UnsupportedScenarioError
from shiftsim.sam._keys import (
    NO_VALUE,
    SERVERLESS_FUNCTION,
    Path_,
)
from shiftsim.sam._resolve import (
    _mapping,
    _props,
    _Resolver,
    _text,
    _Unresolved,
    show,
)
from shiftsim.sam._template import (
    Template,
    load_template,
)

__all__ = ["alarm_from_resource"]


def _number(resolver: _Resolver, props: Mapping[str, Any], key: str, path: Path_) -> Any:
    value = resolver.value(props[key], (*path, key), key)
    if isinstance(value, bool):
        raise resolver.template.error(f"{key} must be a number; got {excerpt(value)}", (*path, key))
    if isinstance(value, str):
        try:
            return int(value) if re.fullmatch(r"-?\d+", value.strip()) else float(value)
        except ValueError:
            raise resolver.template.error(
                f"{key} must be a number; got {excerpt(value)}", (*path, key)
            ) from None
    return value


def _unsupported(template: Template, path: Path_, logical_id: str, what: str) -> Exception:
    return UnsupportedScenarioError(
        f"{template.where(path)}: alarm {excerpt(logical_id)} {what}. "
        f"shiftsim models alarms on the "
        "AWS/Lambda metrics Errors, Invocations, Throttles and Duration (and the metric-math "
        "error rate 100*errors/invocations) of the deployed function; pass "
        f"alarms={{{excerpt(logical_id)}: shiftsim.Alarm(...)}} to say how to model this one."
    )


def _watched_version(
    resolver: _Resolver,
    dims: Any,
    path: Path_,
    logical_id: str,
    function: str,
    alias: str,
) -> str:
    """``"target"`` or ``"alias"`` from an alarm's Dimensions (cloudwatch-alarms.md section 2)."""
    template = resolver.template
    try:
        dims = resolver.select(dims)
    except _Unresolved as err:
        raise template.error(f"cannot resolve Dimensions: {err}", path) from None
    if dims is None or dims is NO_VALUE:
        dims = []
    if not isinstance(dims, list):
        raise template.error(f"Dimensions must be a list; got {show(dims)}", path)
    values: dict[str, str] = {}
    for i, dim in enumerate(dims):
        if not isinstance(dim, Mapping) or "Name" not in dim or "Value" not in dim:
            raise template.error(
                f"a dimension must be {{Name, Value}}; got {excerpt(dim)}", (*path, i)
            )
        key = resolver.value(dim["Name"], (*path, i, "Name"), "the dimension name")
        values[_text(key)] = resolver.lenient(dim["Value"])
    name = resolver.function_name(function)
    owner = values.get("FunctionName", values.get("Resource", "").split(":")[0])
    others = {
        resolver.function_name(f): f
        for f, r in resolver.resources.items()
        if _mapping(r) is not None and r.get("Type") == SERVERLESS_FUNCTION and f != function
    }
    if owner in others and owner != name:
        raise _unsupported(
            template, path, logical_id, f"watches another function ({others[owner]})"
        )
    if "ExecutedVersion" in values:
        return "target"
    if "Resource" in values:
        qualifier = values["Resource"].rpartition(":")[2] if ":" in values["Resource"] else ""
        if qualifier == alias:
            return "alias"
        raise _unsupported(
            template,
            path,
            logical_id,
            f"uses Resource={excerpt(values['Resource'])}, "
            f"which alias traffic never reaches (it stays "
            "INSUFFICIENT_DATA, SAM PR #656); watch 'function:alias', with ExecutedVersion for "
            "the new version",
        )
    if "FunctionName" in values:
        return "alias"  # every version of the function: during a deployment, the alias traffic
    raise _unsupported(
        template, path, logical_id, f"has dimensions {sorted(values)} that name no function"
    )


class _Ratio:
    """``coefficient * product(numerator) / product(denominator)`` of metric ids."""

    def __init__(self, coefficient: float, numerator: Counter[str], denominator: Counter[str]):
        self.coefficient, self.numerator, self.denominator = coefficient, numerator, denominator

    @classmethod
    def of(cls, node: ast.AST) -> _Ratio:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return cls(float(node.value), Counter(), Counter())
        if isinstance(node, ast.Name):
            return cls(1.0, Counter([node.id]), Counter())
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            a, b = cls.of(node.left), cls.of(node.right)
            if isinstance(node.op, ast.Mult):
                return cls(
                    a.coefficient * b.coefficient,
                    a.numerator + b.numerator,
                    a.denominator + b.denominator,
                )
            if b.coefficient == 0:
                raise ValueError("division by zero")
            return cls(
                a.coefficient / b.coefficient,
                a.numerator + b.denominator,
                a.denominator + b.numerator,
            )
        raise ValueError("only products and quotients of metric ids and numbers are understood")


def _metric_math(
    resolver: _Resolver,
    props: Mapping[str, Any],
    path: Path_,
    logical_id: str,
    function: str,
    alias: str,
) -> dict[str, Any]:
    """Alarm fields for an error-rate expression such as ``100*errors/invocations``."""
    template = resolver.template
    by_id, returned = _returned_query(resolver, props["Metrics"], path, logical_id)
    expression = str(resolver.value(returned["Expression"], (*path, "Metrics"), "Expression"))
    try:
        ratio = _Ratio.of(ast.parse(expression.strip(), mode="eval").body)
    except (SyntaxError, ValueError) as err:
        raise _unsupported(
            template,
            (*path, "Metrics"),
            logical_id,
            f"has expression {excerpt(expression)} ({err})",
        ) from None
    common = ratio.numerator & ratio.denominator
    numerator, denominator = ratio.numerator - common, ratio.denominator - common
    stats = _metric_stats(resolver, by_id, (*numerator, *denominator), path, logical_id, expression)
    names = {i: str(s.get("MetricName")) for i, s in stats.items()}
    if (
        sorted(numerator.elements()) != [k for k, v in names.items() if v == "Errors"]
        or sorted(denominator.elements()) != [k for k, v in names.items() if v == "Invocations"]
        or len(numerator) != 1
        or len(denominator) != 1
        or ratio.coefficient <= 0
    ):
        raise _unsupported(
            template,
            (*path, "Metrics"),
            logical_id,
            f"has expression {excerpt(expression)}, which is not a positive multiple of "
            "errors/invocations",
        )
    versions, periods = set(), set()
    for metric_id, stat in stats.items():
        where = (*path, "Metrics", stat["index"], "MetricStat")
        if stat.get("Namespace") != "AWS/Lambda" or stat.get("Stat") != "Sum":
            raise _unsupported(
                template,
                where,
                logical_id,
                f"reads {excerpt(metric_id)} from namespace {excerpt(stat.get('Namespace'))} with "
                f"Stat {excerpt(stat.get('Stat'))}; an error rate needs AWS/Lambda sums",
            )
        versions.add(
            _watched_version(
                resolver, stat.get("Dimensions"), (*where, "Metric"), logical_id, function, alias
            )
        )
        periods.add(stat.get("Period"))
    if len(versions) != 1 or len(periods) != 1:
        raise _unsupported(
            template,
            (*path, "Metrics"),
            logical_id,
            "divides metrics of different versions or periods",
        )
    return {
        "metric": "ErrorRate",
        "version": versions.pop(),
        "period": _period(resolver, periods.pop(), (*path, "Metrics")),
        # coefficient*E/I > t  <=>  100*E/I > 100*t/coefficient
        "scale": 100.0 / ratio.coefficient,
    }


def alarm_from_resource(
    template: str | os.PathLike[str] | Mapping[str, Any],
    logical_id: str,
    *,
    function: str,
    alias: str,
    parameters: Mapping[str, Any] | None = None,
) -> Alarm:
    """Read an ``AWS::CloudWatch::Alarm`` resource as the :class:`~shiftsim.alarms.Alarm` it is
    on ``function``'s ``alias``.

    Understood: ``MetricName`` Errors, Invocations, Throttles or Duration in ``AWS/Lambda``;
    ``Dimensions`` with ``ExecutedVersion`` (the new version: ``version="target"``),
    ``Resource=function:alias`` or ``FunctionName`` alone (everything through the alias:
    ``"alias"``); ``Statistic`` or ``ExtendedStatistic``; ``Period``, ``EvaluationPeriods``,
    ``DatapointsToAlarm``, ``Threshold``, ``ComparisonOperator``, ``TreatMissingData``; and
    metric math of the form ``c*errors/invocations`` (metric ``ErrorRate``, the threshold
    rescaled to percent). The alarm's name is its ``AlarmName``, else its logical id.

    Raises
    ------
    UnsupportedScenarioError
        For an alarm on another namespace, metric or function, anomaly detection, or another
        expression, naming what was not understood.

    Examples
    --------
    >>> t = {"Resources": {"E": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
    ...     "Metrics": [
    ...         {"Id": "rate", "Expression": "errors/invocations*100", "ReturnData": True},
    ...         {"Id": "errors", "ReturnData": False, "MetricStat": {"Period": 60, "Stat": "Sum",
    ...          "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
    ...                     "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}}},
    ...         {"Id": "invocations", "ReturnData": False, "MetricStat": {"Period": 60,
    ...          "Stat": "Sum", "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations",
    ...                     "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}}}],
    ...     "EvaluationPeriods": 3, "Threshold": 5,
    ...     "ComparisonOperator": "GreaterThanThreshold"}}}}
    >>> alarm_from_resource(t, "E", function="f", alias="live")
    Alarm('E': ErrorRate > 5 for 3 of 3 x 60 s on alias)
    """
    loaded = load_template(template)
    return _alarm(_Resolver(loaded, parameters), logical_id, function, alias)


def _alarm(resolver: _Resolver, logical_id: str, function: str, alias: str) -> Alarm:
    template = resolver.template
    path: Path_ = ("Resources", logical_id, "Properties")
    resource = _mapping(resolver.resources.get(logical_id))
    if resource is None or resource.get("Type") != "AWS::CloudWatch::Alarm":
        raise template.error(
            f"{excerpt(logical_id)} is not an AWS::CloudWatch::Alarm resource of the template",
            ("Resources", logical_id),
        )
    props = _props(resource)
    name = resolver.alarm_name(logical_id)
    fields: dict[str, Any] = {}
    if "ThresholdMetricId" in props:
        raise _unsupported(template, path, logical_id, "uses anomaly detection (ThresholdMetricId)")
    if "Metrics" in props:
        math = _metric_math(resolver, props, path, logical_id, function, alias)
        scale = math.pop("scale")
        fields.update(math)
    else:
        scale = 1.0
        fields.update(_single_metric(resolver, props, path, logical_id, function, alias))
    for key, field in (
        ("EvaluationPeriods", "evaluation_periods"),
        ("DatapointsToAlarm", "datapoints_to_alarm"),
        ("Threshold", "threshold"),
    ):
        if key in props:
            fields[field] = _number(resolver, props, key, path)
    for key in ("EvaluationPeriods", "Threshold", "ComparisonOperator"):
        if key not in props:
            raise template.error(f"the alarm needs {key}", path)
    fields["threshold"] = fields["threshold"] * scale
    operator = resolver.value(
        props["ComparisonOperator"], (*path, "ComparisonOperator"), "ComparisonOperator"
    )
    if operator not in COMPARISONS:
        raise _unsupported(
            template,
            (*path, "ComparisonOperator"),
            logical_id,
            f"compares with {excerpt(operator)} (anomaly detection bands are not modelled)",
        )
    fields["comparison_operator"] = operator
    if "TreatMissingData" in props:
        treat = resolver.value(
            props["TreatMissingData"], (*path, "TreatMissingData"), "TreatMissingData"
        )
        if treat not in TREAT_MISSING:
            raise template.error(
                f"TreatMissingData must be one of {', '.join(TREAT_MISSING)}; got {excerpt(treat)}",
                (*path, "TreatMissingData"),
            )
        fields["treat_missing_data"] = treat
    try:
        return Alarm(name, **fields)
    except ConfigError as err:
        raise template.error(f"alarm {excerpt(logical_id)}: {err}", path) from err


def _single_metric(
    resolver: _Resolver,
    props: Mapping[str, Any],
    path: Path_,
    logical_id: str,
    function: str,
    alias: str,
) -> dict[str, Any]:
    """An alarm on one AWS/Lambda metric: its metric, version, statistic and period."""
    template = resolver.template
    fields: dict[str, Any] = {}
    namespace = resolver.value(props.get("Namespace"), (*path, "Namespace"), "Namespace")
    metric = resolver.value(props.get("MetricName"), (*path, "MetricName"), "MetricName")
    if namespace != "AWS/Lambda":
        raise _unsupported(
            template,
            (*path, "Namespace"),
            logical_id,
            f"watches namespace {excerpt(namespace)}",
        )
    if metric not in ("Errors", "Invocations", "Throttles", "Duration"):
        raise _unsupported(
            template, (*path, "MetricName"), logical_id, f"watches metric {excerpt(metric)}"
        )
    fields["metric"] = metric
    fields["version"] = _watched_version(
        resolver, props.get("Dimensions"), (*path, "Dimensions"), logical_id, function, alias
    )
    stat = props.get("Statistic", props.get("ExtendedStatistic"))
    if stat is None or ("Statistic" in props and "ExtendedStatistic" in props):
        raise template.error("an alarm needs exactly one of Statistic and ExtendedStatistic", path)
    key = "Statistic" if "Statistic" in props else "ExtendedStatistic"
    fields["statistic"] = resolver.value(stat, (*path, key), key)
    if "Period" not in props:
        raise template.error("an alarm on a metric needs Period", path)
    fields["period"] = _number(resolver, props, "Period", path)
    return fields


def _returned_query(
    resolver: _Resolver, queries: Any, path: Path_, logical_id: str
) -> tuple[dict[str, tuple[int, Mapping[str, Any]]], Mapping[str, Any]]:
    """The metric queries by Id, and the one expression the alarm returns."""
    template = resolver.template
    if not isinstance(queries, list) or not queries:
        raise template.error("Metrics must be a non-empty list", (*path, "Metrics"))
    by_id: dict[str, tuple[int, Mapping[str, Any]]] = {}
    returned = []
    for i, query in enumerate(queries):
        if not isinstance(query, Mapping) or "Id" not in query:
            raise template.error("each metric query needs an Id", (*path, "Metrics", i))
        by_id[str(query["Id"])] = (i, query)
        if resolver.value(query.get("ReturnData", False), (*path, "Metrics", i), "ReturnData") in (
            True,
            "true",
            "True",
        ):
            returned.append(query)
    if len(returned) != 1 or "Expression" not in returned[0]:
        expressions = [q for q in queries if isinstance(q, Mapping) and "Expression" in q]
        if len(returned) == 0 and len(expressions) == 1:
            returned = expressions
        else:
            raise _unsupported(
                template,
                (*path, "Metrics"),
                logical_id,
                "is a metric-math alarm without exactly one returned expression",
            )
    return by_id, returned[0]


def _metric_stats(
    resolver: _Resolver,
    by_id: Mapping[str, tuple[int, Mapping[str, Any]]],
    metric_ids: Sequence[str],
    path: Path_,
    logical_id: str,
    expression: str,
) -> dict[str, Mapping[str, Any]]:
    """The MetricStat of each metric the expression uses, with its query's index."""
    template = resolver.template
    stats: dict[str, Mapping[str, Any]] = {}
    for metric_id in metric_ids:
        if metric_id not in by_id or "MetricStat" not in by_id[metric_id][1]:
            raise _unsupported(
                template,
                (*path, "Metrics"),
                logical_id,
                f"uses {excerpt(metric_id)} in {excerpt(expression)}, which is no MetricStat query",
            )
        index, query = by_id[metric_id]
        where = (*path, "Metrics", index, "MetricStat")
        stat = resolver.value(query["MetricStat"], where, "MetricStat")
        if not isinstance(stat, Mapping):
            raise template.error(f"MetricStat must be a mapping; got {excerpt(stat)}", where)
        metric = _mapping(stat.get("Metric")) or {}
        stats[metric_id] = {
            **metric,
            "Period": stat.get("Period"),
            "Stat": stat.get("Stat"),
            "index": index,
        }
    return stats


def _period(resolver: _Resolver, value: Any, path: Path_) -> int:
    try:
        return int(_text(value))
    except (TypeError, ValueError):
        raise resolver.template.error(
            f"Period must be a whole number of seconds; got {excerpt(value)}", path
        ) from None
