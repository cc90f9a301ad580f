"""The box on the wire: whatever arrives, the answer is a 200 or an AWS-style 4xx, never a
Python exception or a 5xx (codedeploy-api.md 1.4)."""

from __future__ import annotations

import json

import pytest

from shiftsim.aws import CodeDeployBox
from shiftsim.aws._codedeploy_ops import HANDLERS
from shiftsim.aws._protocol import service_model

OPERATIONS = sorted(service_model("codedeploy").operation_names)
GARBAGE = ["x", "", 0, -1, 1e308, True, None, [], {}, ["x"], {"x": "y"}, "d-" + "A" * 300]


def _shaped(shape, value):
    """Every member of ``shape`` set to ``value`` (one level deep)."""
    if shape is None:
        return {}
    return dict.fromkeys(shape.members, value)


def _answer(box, operation, body):
    status, _, payload = box.handle(f"CodeDeploy_20141006.{operation}", body)
    assert status < 500, (operation, body[:200], payload[:300])
    decoded = json.loads(payload or b"{}")
    if status >= 400:
        assert decoded["__type"] and decoded["message"], decoded
        assert len(decoded["message"]) < 1200
    return status, decoded


@pytest.mark.parametrize("operation", OPERATIONS)
def test_any_body_gets_a_200_or_a_4xx(operation):
    box = CodeDeployBox(clock="manual", rng=0)
    box.call("codedeploy", "CreateApplication", {"applicationName": "x"})
    shape = service_model("codedeploy").operation_model(operation).input_shape
    for value in GARBAGE:
        _answer(box, operation, json.dumps(_shaped(shape, value)).encode())
    for body in (
        b"",
        b"{}",
        b"null",
        b"[[[[[[",
        b"{" * 100_000,
        b'{"a": NaN}',
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    ):
        _answer(box, operation, body)


def test_every_handler_is_a_model_operation():
    assert set(HANDLERS) <= set(OPERATIONS)


def test_cloudwatch_garbage():
    box = CodeDeployBox(clock="manual")
    model = service_model("cloudwatch")
    for name in (
        "PutMetricAlarm",
        "DescribeAlarms",
        "SetAlarmState",
        "DeleteAlarms",
        "GetMetricData",
    ):
        shape = model.operation_model(name).input_shape
        for value in GARBAGE:
            status, _, payload = box.handle(
                f"GraniteServiceVersion20100801.{name}",
                json.dumps(_shaped(shape, value)).encode(),
            )
            assert status < 500, (name, value, payload[:300])


def _typed(shape, variant, depth=0):
    """A value of ``shape``'s type that passes botocore's checks: enums take their first or
    last value, strings a short name or an odd one, lists one item."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 4:
            return {}
        return {k: _typed(m, variant, depth + 1) for k, m in shape.members.items()}
    if kind == "list":
        return [_typed(shape.member, variant, depth + 1)]
    if kind == "map":
        return (
            {"TargetStatus": [_typed(shape.value.member, variant, depth + 1)]}
            if (shape.value.type_name == "list")
            else {"k": _typed(shape.value, variant, depth + 1)}
        )
    if kind == "string":
        if shape.enum:
            return shape.enum[variant % len(shape.enum)]
        return ["web", "d-ABCDEFGHI", "CodeDeployDefault.OneAtATime", "arn:aws:iam::1:role/x"][
            variant % 4
        ]
    if kind in ("integer", "long"):
        return [1, 0, 5, 100][variant % 4]
    if kind in ("double", "float"):
        return 1.5
    if kind == "boolean":
        return variant % 2 == 0
    if kind == "timestamp":
        return 1_700_000_000
    if kind == "blob":
        return "eA=="
    return None


@pytest.mark.parametrize("operation", OPERATIONS)
def test_well_typed_bodies_get_a_200_or_a_4xx(operation):
    """Bodies that pass botocore's validation reach the handlers: still no exception."""
    shape = service_model("codedeploy").operation_model(operation).input_shape
    for variant in range(8):
        box = CodeDeployBox(clock="manual", rng=0)
        box.call("codedeploy", "CreateApplication", {"applicationName": "web"})
        if shape is None:
            _answer(box, operation, b"{}")
            continue
        _answer(box, operation, json.dumps(_typed(shape, variant)).encode())
