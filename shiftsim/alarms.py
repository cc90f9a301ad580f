"""CloudWatch metric alarms, evaluated exactly as the CloudWatch user guide specifies.

An :class:`Alarm` watches one metric the simulator produces (per version, per one-minute period):
``Invocations``, ``Errors``, ``Throttles``, ``Duration`` (milliseconds) and ``ErrorRate`` (percent,
``100 * Errors / Invocations``, the usual metric-math alarm). A period in which the watched version
had no invocations has **no datapoint** (cloudwatch-alarms.md section 2).

Evaluation (:meth:`Alarm.evaluate`) follows "How alarm state is evaluated when data is missing":
the alarm fetches an *evaluation range* of ``N + max(N // 3, 2)`` datapoints (decision D11; 5 for
N = 3), judges the newest N real points when it can, fills missing points per
``treat_missing_data`` only when fewer than N are real, and applies the premature-alarm rule.

Examples
--------
>>> alarm = Alarm("canary-errors", metric="Errors", threshold=0, evaluation_periods=3)
>>> alarm.evaluate([None, None, 1.0, None, None], "OK")   # premature-alarm rule
'ALARM'
>>> alarm.evaluate([0.0, None, None, None, None], "OK")
'OK'
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftsim._checks import check_choice, check_int, check_number, invalid
from shiftsim._html import table
from shiftsim._xp import namespace

__all__ = [
    "STATE_CODE",
    "STATE_NAME",
    "Alarm",
    "AlarmState",
    "decide",
    "evaluate_range",
    "evaluation_range",
    "no_data_state",
]

AlarmState = str  # "OK" | "ALARM" | "INSUFFICIENT_DATA"
OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"
ALARM_STATES = (OK, ALARM, INSUFFICIENT_DATA)

METRICS = ("Errors", "Invocations", "Throttles", "Duration", "ErrorRate")
STATISTICS = ("Sum", "Average", "SampleCount", "Minimum", "Maximum")
COMPARISONS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
TREAT_MISSING = ("missing", "notBreaching", "breaching", "ignore")
WATCHED_VERSIONS = ("target", "alias", "test")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?|100)$")
#: Longest evaluation span CloudWatch allows for periods under an hour (CW-API), in seconds.
MAX_SPAN_SHORT_PERIODS = 86_400
MAX_SPAN = 604_800
MAX_NAME_LENGTH = 255


def evaluation_range(evaluation_periods: int) -> int:
    """Number of datapoints CloudWatch fetches per evaluation (decision D11).

    >>> evaluation_range(3)
    5
    """
    return evaluation_periods + max(evaluation_periods // 3, 2)


@dataclass(frozen=True, slots=True)
class Alarm:
    """A CloudWatch metric alarm that a deployment group watches.

    Parameters
    ----------
    name : str
        Alarm name, unique within a deployment, at most 255 characters.
    metric : {"Errors", "Invocations", "Throttles", "Duration", "ErrorRate"}
        The metric. ``ErrorRate`` is the metric-math expression ``100 * Errors / Invocations``.
    threshold : float
        Compared as ``value <operator> threshold``.
    comparison_operator : str
        One of the four static operators; default ``GreaterThanThreshold``.
    statistic : str
        ``Sum`` (default), ``Average``, ``SampleCount``, ``Minimum``, ``Maximum`` or a percentile
        ``pNN`` (Duration only). Ignored for ``ErrorRate``, which is an expression.
    period : int
        Seconds: 10, 20, 30 or a multiple of 60 (default 60).
    evaluation_periods : int
        N, the number of most recent periods evaluated (default 1).
    datapoints_to_alarm : int or None
        M, how many of those N must breach; ``None`` means M = N.
    treat_missing_data : {"missing", "notBreaching", "breaching", "ignore"}
        Default ``missing``, as in CloudWatch.
    version : {"target", "alias", "test"}
        ``"target"`` watches the new version only (the ``ExecutedVersion`` dimension, the alarm
        SAM's guide recommends); ``"alias"`` watches every invocation through the alias, old
        version included; ``"test"`` (ECS only) watches the test listener's requests to the
        replacement task set (its own target group's metrics during AfterAllowTestTraffic).
    initial_state : {"INSUFFICIENT_DATA", "OK", "ALARM"}
        State when the deployment starts. An alarm already in ALARM stops the deployment at once
        with ``ALARM_ACTIVE`` (decision D4).

    Examples
    --------
    The canonical SAM alarm: at least one error in each of two consecutive minutes.

    >>> Alarm("errors", metric="Errors", threshold=0, evaluation_periods=2)
    Alarm('errors': Errors Sum > 0 for 2 of 2 x 60 s on target)
    """

    name: str
    metric: str = "Errors"
    threshold: float = 0.0
    comparison_operator: str = "GreaterThanThreshold"
    statistic: str = "Sum"
    period: int = 60
    evaluation_periods: int = 1
    datapoints_to_alarm: int | None = None
    treat_missing_data: str = "missing"
    version: str = "target"
    initial_state: str = INSUFFICIENT_DATA

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not 1 <= len(self.name) <= MAX_NAME_LENGTH:
            raise invalid(
                "Alarm", "name", self.name, f"must be a string of 1 to {MAX_NAME_LENGTH} characters"
            )
        check_choice("Alarm", "metric", self.metric, METRICS)
        check_number("Alarm", "threshold", self.threshold)
        check_choice("Alarm", "comparison_operator", self.comparison_operator, COMPARISONS)
        if not (
            self.statistic in STATISTICS
            or (isinstance(self.statistic, str) and _PERCENTILE.match(self.statistic))
        ):
            raise invalid(
                "Alarm",
                "statistic",
                self.statistic,
                "must be Sum, Average, SampleCount, Minimum, Maximum or a percentile "
                "pNN such as p99",
            )
        if self.statistic.startswith("p") and self.metric != "Duration":
            raise invalid(
                "Alarm",
                "statistic",
                self.statistic,
                f"percentiles apply to the Duration metric only, not {self.metric!r}",
                "Use Sum or Average for counts.",
            )
        if self.statistic.startswith("p") and float(self.statistic[1:]) > 100:
            raise invalid("Alarm", "statistic", self.statistic, "must be a percentile p0 to p100")
        object.__setattr__(self, "period", check_int("Alarm", "period", self.period, 1, None))
        if self.period not in (10, 20, 30) and self.period % 60:
            raise invalid(
                "Alarm", "period", self.period, "must be 10, 20, 30 or a multiple of 60 seconds"
            )
        n = check_int("Alarm", "evaluation_periods", self.evaluation_periods, 1, None)
        object.__setattr__(self, "evaluation_periods", n)
        m = self.datapoints_to_alarm
        if m is not None:
            m = check_int("Alarm", "datapoints_to_alarm", m, 1, self.evaluation_periods)
            object.__setattr__(self, "datapoints_to_alarm", m)
        span = self.period * self.evaluation_periods
        limit = MAX_SPAN_SHORT_PERIODS if self.period < 3600 else MAX_SPAN
        if span > limit:
            raise invalid(
                "Alarm",
                "evaluation_periods",
                self.evaluation_periods,
                f"times period ({self.period} s) must not exceed {limit} s",
            )
        check_choice("Alarm", "treat_missing_data", self.treat_missing_data, TREAT_MISSING)
        check_choice("Alarm", "version", self.version, WATCHED_VERSIONS)
        check_choice("Alarm", "initial_state", self.initial_state, ALARM_STATES)

    @property
    def m(self) -> int:
        """Datapoints to alarm, M (defaults to N)."""
        return (
            self.evaluation_periods
            if self.datapoints_to_alarm is None
            else self.datapoints_to_alarm
        )

    @property
    def range_size(self) -> int:
        """How many datapoints one evaluation fetches (D11)."""
        return evaluation_range(self.evaluation_periods)

    def breaches(self, value: float) -> bool:
        """Whether one datapoint is outside the threshold (``value <operator> threshold``)."""
        return _breaches(self.comparison_operator, value, self.threshold)

    def evaluate(self, values: Sequence[float | None], state: str = INSUFFICIENT_DATA) -> str:
        """The alarm's new state from one evaluation range of datapoints.

        Parameters
        ----------
        values : sequence of float or None
            The evaluation range, **oldest first**; ``None`` is a missing datapoint. Usually
            ``range_size`` points long.
        state : str
            The current state, kept where the rules say so (``ignore``).

        Returns
        -------
        str
            ``"OK"``, ``"ALARM"`` or ``"INSUFFICIENT_DATA"``.

        Examples
        --------
        The guide's second table (N = 3, M = 2), row ``0 - X - -``:

        >>> a = Alarm("x", threshold=0, evaluation_periods=3, datapoints_to_alarm=2,
        ...           treat_missing_data="breaching")
        >>> a.evaluate([0, None, 1, None, None])
        'ALARM'
        """
        check_choice("Alarm.evaluate", "state", state, ALARM_STATES)
        return evaluate_range(
            [None if v is None else float(v) for v in values],
            state,
            self.evaluation_periods,
            self.m,
            self.treat_missing_data,
            self.comparison_operator,
            float(self.threshold),
        )

    def describe(self) -> str:
        symbol = {
            "GreaterThanThreshold": ">",
            "GreaterThanOrEqualToThreshold": ">=",
            "LessThanThreshold": "<",
            "LessThanOrEqualToThreshold": "<=",
        }
        stat = "" if self.metric == "ErrorRate" else f" {self.statistic}"
        return (
            f"{self.metric}{stat} {symbol[self.comparison_operator]} {self.threshold:g} "
            f"for {self.m} of {self.evaluation_periods} x {self.period} s on {self.version}"
        )

    def __repr__(self) -> str:
        return f"Alarm({self.name!r}: {self.describe()})"

    def _repr_html_(self) -> str:
        return table(
            f"Alarm {self.name}",
            [
                ("rule", self.describe()),
                ("treat missing data", self.treat_missing_data),
                ("evaluation range", f"{self.range_size} datapoints (D11)"),
                ("initial state", self.initial_state),
            ],
        )


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


def _breaches(op: str, value: float, threshold: float) -> bool:
    return bool(_OPERATORS[op](value, threshold))


#: The state codes the rule works in (the array kernel stores them): OK, ALARM, INSUFFICIENT_DATA.
STATE_CODE = {OK: 0, ALARM: 1, INSUFFICIENT_DATA: 2}
STATE_NAME = {code: name for name, code in STATE_CODE.items()}

#: CloudWatch's rule table (cloudwatch-alarms.md section 1.3). ``None`` keeps the current state.
#: With no real datapoint in the range, ``treat_missing_data`` decides.
NO_DATA: dict[str, int | None] = {"missing": 2, "ignore": None, "breaching": 1, "notBreaching": 0}
#: The premature-alarm rule applies only when missing data is "missing" or "ignore".
PREMATURE: dict[str, int | None] = {"missing": 1, "ignore": None}


def no_data_state(treat: str, state: str) -> str:
    """The state after a range without a real datapoint: :data:`NO_DATA`'s row for ``treat``.

    >>> no_data_state("ignore", "ALARM"), no_data_state("missing", "OK")
    ('ALARM', 'INSUFFICIENT_DATA')
    """
    code = NO_DATA[treat]
    return state if code is None else STATE_NAME[code]


def _pick(condition: Any, yes: Any, no: Any) -> Any:
    """``yes if condition else no``, element-wise when ``condition`` is an array (of numpy or of
    any array API namespace: CuPy, array-api-strict)."""
    if isinstance(condition, np.ndarray):
        return np.where(condition, yes, no) if condition.any() else no
    if isinstance(condition, (bool, np.bool_)):
        return yes if condition else no
    xp = namespace(condition)
    if not bool(xp.any(condition)):
        return no
    if isinstance(yes, (int, float)) and isinstance(no, (int, float)):
        no = xp.asarray(no)  # the standard's where takes one Python scalar at most
    return xp.where(condition, yes, no)


def _every(condition: Any) -> bool:
    """Whether ``condition`` holds (everywhere, when it is an array)."""
    if isinstance(condition, (bool, np.bool_)):
        return bool(condition)
    if isinstance(condition, np.ndarray):
        return bool(condition.all())
    return bool(namespace(condition).all(condition))


def decide(
    n_real: Any, judged: Any, total: Any, age: Any, state: Any, n: int, m: int, treat: str
) -> Any:
    """CloudWatch's decision for one evaluation range, on scalars or arrays alike.

    The one place the M-of-N and missing-data rules are written (cloudwatch-alarms.md section
    1.3): :func:`evaluate_range` calls it on Python ints, the traffic kernel on arrays of runs
    (numpy's, or any array API namespace's: CuPy on a GPU, array-api-strict in the tests).

    Parameters
    ----------
    n_real : int or ndarray
        Real (non-missing) datapoints in the range.
    judged : int or ndarray
        Breaching datapoints among the newest N real ones.
    total : int or ndarray
        Breaching datapoints among all real ones.
    age : int or ndarray
        Age of the oldest real datapoint (the newest point has age 1).
    state : int or ndarray
        The current state code (:data:`STATE_CODE`).
    n, m : int
        ``evaluation_periods`` and ``datapoints_to_alarm``.
    treat : str
        ``treat_missing_data``.

    Returns
    -------
    int or ndarray
        The new state code.

    Examples
    --------
    Two real points of three, both breaching, the oldest two periods old: premature alarm.

    >>> decide(2, 2, 2, 2, STATE_CODE["OK"], 3, 2, "missing")
    1
    """
    # N or more real points: judge the newest N.
    full = n_real >= n
    judgement = _pick(judged >= m, 1, 0)
    if _every(full):
        return judgement
    # Fewer than N real points: keep them all and fill the rest per treat_missing_data.
    filled = total + (n - n_real) if treat == "breaching" else total
    out = _pick(filled >= m, 1, 0)
    if treat in PREMATURE:
        # The oldest real point breaches, is at least M periods old within the last N, and
        # every newer point breaches or is missing (so every real one breaches).
        premature = (age >= m) & (age <= n) & (total == n_real)
        code = PREMATURE[treat]
        out = _pick(premature, state if code is None else code, out)
    code = NO_DATA[treat]
    out = _pick(n_real == 0, state if code is None else code, out)
    return _pick(full, judgement, out)


def evaluate_range(
    values: list[float | None], state: str, n: int, m: int, treat: str, op: str, threshold: float
) -> str:
    """CloudWatch's evaluation of one range (cloudwatch-alarms.md section 1.3), pure and scalar:
    the range's counts, then :func:`decide`."""
    compare = _OPERATORS[op]
    n_real = judged = total = 0
    oldest = len(values)
    for i in range(len(values) - 1, -1, -1):  # newest first: rank the real points
        v = values[i]
        if v is None:
            continue
        n_real += 1
        oldest = i
        if compare(v, threshold):
            total += 1
            if n_real <= n:
                judged += 1
    code = decide(n_real, judged, total, len(values) - oldest, STATE_CODE[state], n, m, treat)
    return STATE_NAME[code]
