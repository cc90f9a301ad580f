"""The wire: CodeDeploy's JSON 1.1 and CloudWatch's JSON 1.0 (query-compatible) protocols.

Requests are routed by ``X-Amz-Target`` and checked against the service model botocore ships;
responses are built by walking the operation's output shape, so nothing leaves the box that the
model does not describe. Facts from codedeploy-api.md sections 1.2-1.4 and 1.7.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

__all__ = ["SERVICES", "AwsError", "decode_request", "encode_error", "encode_response"]

#: X-Amz-Target prefix -> (botocore service name, content type).
SERVICES = {
    "CodeDeploy_20141006": ("codedeploy", "application/x-amz-json-1.1"),
    "GraniteServiceVersion20100801": ("cloudwatch", "application/x-amz-json-1.0"),
}
#: Request bodies larger than this get a 413 (CodeDeploy's largest inputs, AppSpec content and
#: descriptions, are far smaller).
MAX_BODY_BYTES = 1 << 20


class AwsError(Exception):
    """An error the box answers with, in the service's own words.

    Parameters
    ----------
    code : str
        The error code (CodeDeploy: the exception shape's name, e.g.
        ``"DeploymentGroupDoesNotExistException"``; CloudWatch: the legacy code, e.g.
        ``"ResourceNotFound"``).
    message : str
    status : int
        HTTP status, 400 unless the model says otherwise.
    query_code : str, optional
        CloudWatch only: the shape name sent in ``__type`` next to ``x-amzn-query-error``.
    """

    def __init__(
        self, code: str, message: str, status: int = 400, query_code: str | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.query_code = code, message, status, query_code


@cache
def service_model(service: str) -> Any:
    """botocore's service model for ``codedeploy`` or ``cloudwatch`` (loaded once)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def excerpt(value: object, limit: int = 60) -> str:
    """A short, escaped excerpt of user input for messages."""
    text = repr(value) if not isinstance(value, str) else value
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def decode_request(target: str, body: bytes) -> tuple[str, Any, dict[str, Any]]:
    """``(service, operation_model, params)`` for one request, or an :class:`AwsError`."""
    prefix, _, name = (target or "").partition(".")
    if prefix not in SERVICES or not name:
        raise AwsError(
            "UnknownOperationException",
            f"The X-Amz-Target header {excerpt(target)!r} names no operation this endpoint "
            "serves (CodeDeploy_20141006.<Operation> or "
            "GraniteServiceVersion20100801.<Operation>).",
        )
    service = SERVICES[prefix][0]
    model = service_model(service)
    if name not in model.operation_names:
        raise AwsError(
            "UnknownOperationException",
            f"{model.service_id} has no operation {excerpt(name)!r}.",
        )
    operation = model.operation_model(name)
    if len(body) > MAX_BODY_BYTES:
        raise AwsError(
            "RequestEntityTooLargeException",
            f"The request body is {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted.",
            status=413,
        )
    try:
        params = json.loads(body.decode("utf-8") if body else "{}")
    except UnicodeDecodeError as err:
        raise AwsError("SerializationException", "The request body is not UTF-8.") from err
    except RecursionError as err:
        raise AwsError("SerializationException", "The request body is nested too deeply.") from err
    except json.JSONDecodeError as err:
        raise AwsError(
            "SerializationException",
            f"The request body is not valid JSON ({err.msg} at character {err.pos}).",
        ) from err
    if not isinstance(params, dict):
        raise AwsError("SerializationException", "The request body must be a JSON object.")
    return service, operation, params


def check_input(operation: Any, params: Mapping[str, Any]) -> None:
    """Validate ``params`` with botocore's ParamValidator (types, required, min), then the
    rules it leaves to the server (max, pattern, enums), raising ``ValidationException``."""
    from botocore.validate import ParamValidator

    shape = operation.input_shape
    if shape is None:
        return
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise AwsError("ValidationException", _short(report.generate_report()))
    _check_limits(params, shape, "")


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_limits(value: Any, shape: Any, path: str) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure" and isinstance(value, Mapping):
        for key, member in shape.members.items():
            if key in value and value[key] is not None:
                _check_limits(value[key], member, f"{path}.{key}" if path else key)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            raise AwsError(
                "ValidationException",
                f"{path} has {len(value)} items; at most {meta['max']} are allowed.",
            )
        for i, item in enumerate(value):
            _check_limits(item, shape.member, f"{path}[{i}]")
    elif kind == "map" and isinstance(value, Mapping):
        for item in value.values():
            _check_limits(item, shape.value, f"{path}.<value>")
    elif kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            raise AwsError(
                "ValidationException",
                f"{path} is {len(value)} characters long; at most {meta['max']} are allowed.",
            )
        if shape.enum and value not in shape.enum:
            raise AwsError(
                "ValidationException",
                f"{path} must be one of {list(shape.enum)}; got {excerpt(value)!r}.",
            )
        pattern = meta.get("pattern")
        if pattern and re.search(pattern, value) is None:
            raise AwsError(
                "ValidationException",
                f"{path} must match the pattern {pattern}; got {excerpt(value)!r}.",
            )


def _epoch(value: datetime) -> float:
    return round(value.timestamp(), 3)


def shape_out(value: Any, shape: Any) -> Any:
    """``value`` reduced to what ``shape`` describes, timestamps as epoch seconds."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, Mapping):
            raise TypeError(f"{shape.name}: expected a mapping, got {type(value).__name__}")
        out = {}
        for key, member in shape.members.items():
            if key in value and value[key] is not None:
                out[key] = shape_out(value[key], member)
        return out
    if kind == "list":
        return [shape_out(item, shape.member) for item in value]
    if kind == "map":
        return {str(k): shape_out(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return _epoch(value) if isinstance(value, datetime) else float(value)
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("double", "float"):
        number = float(value)
        return number if math.isfinite(number) else None
    if kind == "boolean":
        return bool(value)
    return value


def encode_response(operation: Any, result: Mapping[str, Any] | None) -> bytes:
    """The JSON body of a successful reply."""
    shape = operation.output_shape
    if shape is None or not result:
        return b"{}"
    return json.dumps(shape_out(result, shape), separators=(",", ":")).encode()


def encode_error(service: str, error: AwsError) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` for an error, as botocore's JSON parser reads it."""
    content_type = SERVICES["CodeDeploy_20141006"][1]
    headers = {"Content-Type": content_type}
    if service == "cloudwatch":
        headers["Content-Type"] = SERVICES["GraniteServiceVersion20100801"][1]
        # Query-compatible errors (codedeploy-api.md 1.7): the legacy code in the header.
        fault = "Sender" if error.status < 500 else "Receiver"
        headers["x-amzn-query-error"] = f"{error.code};{fault}"
        kind = error.query_code or error.code
    else:
        kind = error.code
    body = json.dumps({"__type": kind, "message": error.message}).encode()
    return error.status, headers, body
