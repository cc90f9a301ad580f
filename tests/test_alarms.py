"""CloudWatch metric alarms evaluated as the CloudWatch user guide specifies.

Source: ``shared/reference/cloudwatch-alarms.md`` section 1.3, which quotes CW-UG (Amazon
CloudWatch User Guide, "Evaluating an alarm" and "How alarm state is evaluated when data is
missing"), and decision D11 of ``shared/reference/codedeploy.md``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftsim import Alarm, ConfigError
from shiftsim.alarms import ALARM_STATES, decide, evaluation_range

TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
KEEP = "keep"

# CW-UG, "How alarm state is evaluated when data is missing": the two worked tables, copied cell
# by cell from cloudwatch-alarms.md section 1.3. Points run oldest -> newest; "0" is a point
# inside the threshold, "X" a breaching one, "-" a missing one. Columns are missing, ignore,
# breaching, notBreaching; "keep" means the alarm keeps the state it was in.
TABLE_N3_M3 = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("0 - - - -", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - X - -", ("ALARM", KEEP, "ALARM", "OK")),  # "ALARM (premature rule)" under missing
]
TABLE_N3_M2 = [
    ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
    ("- - - X -", ("ALARM", KEEP, "ALARM", "OK")),  # "ALARM (premature rule)" under missing
]


def points(row: str) -> list[float | None]:
    """``"0 - X"`` -> ``[0.0, None, 1.0]`` for an ``Errors > 0`` alarm."""
    return [{"0": 0.0, "X": 1.0, "-": None}[c] for c in row.split()]


def alarm(n: int, m: int | None = None, treat: str = "missing", **kwargs) -> Alarm:
    return Alarm(
        "errors",
        metric="Errors",
        threshold=0,
        evaluation_periods=n,
        datapoints_to_alarm=m,
        treat_missing_data=treat,
        **kwargs,
    )


def cells(table, n, m):
    for row, expected in table:
        for treat, cell in zip(TREATMENTS, expected):
            yield pytest.param(n, m, row, treat, cell, id=f"N{n}M{m}[{row}]-{treat}")


@pytest.mark.parametrize(
    ("n", "m", "row", "treat", "cell"),
    [*cells(TABLE_N3_M3, 3, 3), *cells(TABLE_N3_M2, 3, 2)],
)
@pytest.mark.parametrize("state", ALARM_STATES)
def test_cloudwatch_worked_tables(n, m, row, treat, cell, state):
    """CW-UG "How alarm state is evaluated when data is missing", both tables, every cell, from
    every starting state: a "keep" cell returns the state passed in, every other cell ignores it."""
    expected = state if cell == KEEP else cell
    assert alarm(n, m, treat).evaluate(points(row), state) == expected


def test_keep_really_returns_the_state_passed_in():
    """CW-UG: under ``ignore`` with no data, "the current alarm state is maintained"."""
    quiet = alarm(3, 3, "ignore")
    assert quiet.evaluate([None] * 5, "OK") == "OK"
    assert quiet.evaluate([None] * 5, "ALARM") == "ALARM"


def test_breaching_alarms_once_the_lone_ok_point_leaves_the_range():
    """CW-UG's note on row 2 of the first table: if data stays missing, the next evaluation gives
    ALARM under ``breaching`` because the ``0`` has left the evaluation range."""
    breaching = alarm(3, 3, "breaching")
    assert breaching.evaluate(points("0 - - - -"), "OK") == "OK"
    assert breaching.evaluate(points("- - - - -"), "OK") == "ALARM"


@pytest.mark.parametrize(
    ("row", "expected"),
    [("- - X - -", "ALARM"), ("- - - - X", "OK"), ("- - - X -", "OK")],
)
def test_premature_alarm_examples(row, expected):
    """CW-UG premature-alarm rule with M = N = 3: ``- - X - -`` goes to ALARM; ``- - - - X`` and
    ``- - - X -`` do not go to ALARM yet (cloudwatch-alarms.md section 1.3 step 7)."""
    assert alarm(3).evaluate(points(row), "OK") == expected


def test_evaluation_range_for_three_periods_is_five():
    """D11: N + max(floor(N/3), 2) datapoints, the documented 5 for N = 3."""
    assert evaluation_range(3) == 5
    assert alarm(3).range_size == 5


@pytest.mark.parametrize(("n", "size"), [(1, 3), (2, 4), (5, 7), (6, 8), (9, 12), (30, 40)])
def test_evaluation_range_formula(n, size):
    """D11 (LocalStack's formula, cloudwatch-alarms.md section 1.3 step 1)."""
    assert evaluation_range(n) == size


def test_newest_n_real_points_decide_and_older_ones_are_ignored():
    """CW-UG step 2: if none of the newest N points is missing, only they are judged."""
    assert alarm(2).evaluate(points("X X 0 0")) == "OK"
    assert alarm(2).evaluate(points("0 0 X X")) == "ALARM"


@pytest.mark.parametrize("treat", TREATMENTS)
def test_enough_real_points_make_treat_missing_data_irrelevant(treat):
    """CW-UG step 3: with at least N real points in the range the N most recent real ones are
    judged, reaching back past missing ones; TreatMissingData plays no part."""
    assert alarm(2, treat=treat).evaluate(points("X X - -"), "OK") == "ALARM"
    assert alarm(2, treat=treat).evaluate(points("0 0 - -"), "ALARM") == "OK"


def test_m_out_of_n_need_not_be_consecutive():
    """CW-UG: the M breaching points need not be consecutive, only within the last N."""
    three_of_five = alarm(5, 3)
    assert three_of_five.evaluate([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]) == "OK"  # only 2 in N
    assert three_of_five.evaluate([0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]) == "ALARM"


def test_canonical_sam_alarm():
    """SAM-SAFE: Errors Sum > 0 for 2 of 2 one-minute periods, at least one error in each of two
    consecutive minutes (cloudwatch-alarms.md section 2)."""
    sam = Alarm("errors", metric="Errors", threshold=0, evaluation_periods=2)
    assert repr(sam) == "Alarm('errors': Errors Sum > 0 for 2 of 2 x 60 s on target)"
    assert sam.evaluate([0.0, 0.0, 3.0, 1.0]) == "ALARM"
    assert sam.evaluate([0.0, 0.0, 3.0, 0.0]) == "OK"


@pytest.mark.parametrize(
    ("operator", "at_threshold", "above", "below"),
    [
        ("GreaterThanThreshold", False, True, False),
        ("GreaterThanOrEqualToThreshold", True, True, False),
        ("LessThanThreshold", False, False, True),
        ("LessThanOrEqualToThreshold", True, False, True),
    ],
)
def test_comparison_operators_put_the_value_first(operator, at_threshold, above, below):
    """CW-API ComparisonOperator: the statistic value is the first operand (``value OP
    threshold``)."""
    five = Alarm("a", threshold=5, comparison_operator=operator)
    assert (five.breaches(5.0), five.breaches(6.0), five.breaches(4.0)) == (
        at_threshold,
        above,
        below,
    )


def test_defaults_follow_cloudwatch():
    """CW-API PutMetricAlarm: M defaults to N, TreatMissingData to ``missing``; a new alarm starts
    in INSUFFICIENT_DATA (cloudwatch-alarms.md sections 1.1 and 1.2)."""
    default = Alarm("a", evaluation_periods=4)
    assert default.m == 4
    assert default.treat_missing_data == "missing"
    assert default.initial_state == "INSUFFICIENT_DATA"
    assert (default.metric, default.statistic, default.period) == ("Errors", "Sum", 60)
    assert default.version == "target"
    assert Alarm("a", evaluation_periods=4, datapoints_to_alarm=2).m == 2


@pytest.mark.parametrize("period", [10, 20, 30, 60, 120, 300, 3600])
def test_valid_periods(period):
    """CW-API: Period is 10, 20, 30 or any multiple of 60 seconds."""
    assert Alarm("a", period=period).period == period


@pytest.mark.parametrize("statistic", ["p50", "p99", "p99.9", "p0", "p100", "Average", "Maximum"])
def test_duration_statistics(statistic):
    """CW-API ExtendedStatistic: percentiles p0-p100; L-UG: Duration supports percentiles."""
    assert Alarm("latency", metric="Duration", statistic=statistic, threshold=500).statistic == (
        statistic
    )


def test_span_limits():
    """CW-API: Period x EvaluationPeriods at most one day for periods under an hour, seven days
    otherwise."""
    assert Alarm("a", period=60, evaluation_periods=1440).evaluation_periods == 1440
    assert Alarm("a", period=3600, evaluation_periods=168).evaluation_periods == 168
    with pytest.raises(ConfigError):
        Alarm("a", period=60, evaluation_periods=1441)
    with pytest.raises(ConfigError):
        Alarm("a", period=3600, evaluation_periods=169)


def test_alarm_names_up_to_255_characters():
    """API:Alarm: names are at most 255 characters."""
    assert len(Alarm("x" * 255).name) == 255
    with pytest.raises(ConfigError):
        Alarm("x" * 256)


def test_evaluate_rejects_an_unknown_state():
    with pytest.raises(ConfigError) as info:
        alarm(1).evaluate([1.0, 1.0, 1.0], "PENDING")
    assert "'PENDING'" in str(info.value)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(0, 2)),
        min_size=1,
        max_size=20,
    ),
    st.integers(1, 5),
    st.data(),
    st.sampled_from(["missing", "ignore", "breaching", "notBreaching"]),
)
def test_decide_is_one_rule_for_scalars_and_arrays(
    rows: list[tuple[int, int, int, int]], n: int, data: st.DataObject, treat: str
) -> None:
    """alarms.decide, the one place CloudWatch's rule is written, gives each element of an array
    the state it gives that element alone (the event core calls it on ints, the kernel on arrays;
    cloudwatch-alarms.md section 1.3)."""
    m = data.draw(st.integers(1, n))
    n_real, total, age, state = (np.array(c) for c in zip(*rows))
    judged = np.minimum(total, n)
    arrays = np.broadcast_to(decide(n_real, judged, total, age, state, n, m, treat), state.shape)
    for i in range(len(rows)):
        one = decide(
            int(n_real[i]), int(judged[i]), int(total[i]), int(age[i]), int(state[i]), n, m, treat
        )
        assert int(arrays[i]) == one
