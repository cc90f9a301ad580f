"""Answer boto3/botocore's CodeDeploy and CloudWatch-alarm calls in process.

How (codedeploy-api.md 2.1-2.4): importing this module adds a handler for
``before-send.codedeploy`` and ``before-send.cloudwatch`` to botocore's built-in handlers, so every
botocore session created afterwards gives it to its clients (boto3's default session included);
sessions that already exist get it when a box is entered, and :func:`patch_client` adds it to any
other client. The handler does nothing unless a box is active. When one is, it takes the request
botocore has serialized and signed, answers it from the box and returns the reply as an
``AWSResponse``, so botocore parses it exactly as it parses AWS's replies.

moto: its handler listens on the less specific ``before-send``, so ours runs first. botocore
still calls every ``before-send`` handler, so once the box has answered it points the request at
an address no mock claims (``shiftsim.invalid``), and moto's handler leaves it alone. CloudWatch
operations other than the alarm ones are left to moto when it is active.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import botocore.handlers
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from shiftsim.aws._box import CodeDeployBox
from shiftsim.aws._protocol import AwsError, encode_error

__all__ = ["active_box", "mock_codedeploy", "patch_client"]

_ACTIVE: list[CodeDeployBox] = []
_LOCK = threading.Lock()
ANSWERED_URL = "https://shiftsim.invalid/"
ALARM_OPERATIONS = frozenset({"PutMetricAlarm", "DescribeAlarms", "SetAlarmState", "DeleteAlarms"})
EVENTS = ("before-send.codedeploy", "before-send.cloudwatch")
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "shiftsim-testing",
    "AWS_SECRET_ACCESS_KEY": "shiftsim-testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

F = TypeVar("F", bound=Callable[..., Any])


class _Raw(io.BytesIO):
    """The raw body botocore reads: a stream with ``stream()``."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        data = self.read()
        while data:
            yield data
            data = self.read()


def _moto_active() -> bool:
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


def _header(headers: Any, name: str) -> str:
    value = headers.get(name)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _reply(request: Any, status: int, headers: dict[str, str], body: bytes) -> AWSResponse:
    headers = dict(headers, **{"x-amzn-RequestId": str(uuid.uuid4())})
    response = AWSResponse(ANSWERED_URL, status, HTTPHeaders.from_dict(headers), _Raw(body))
    request.url = ANSWERED_URL
    return response


def _before_send(request: Any, **_: Any) -> AWSResponse | None:
    """botocore's ``before-send`` handler: the box's reply, or None when no box is active."""
    if not _ACTIVE or request.url == ANSWERED_URL:
        return None  # no box, or already answered by another registration of this handler
    box = _ACTIVE[-1]
    target = _header(request.headers, "X-Amz-Target")
    service = (
        "cloudwatch"
        if "monitoring" in str(request.url) or target.startswith("Granite")
        else ("codedeploy")
    )
    if not target:
        error = AwsError(
            "UnsupportedProtocolException",
            "shiftsim answers the JSON protocols only (X-Amz-Target); this botocore sent "
            "another one (CloudWatch's query protocol predates botocore 1.42.7).",
        )
        return _reply(request, *encode_error(service, error))
    operation = target.partition(".")[2]
    if service == "cloudwatch" and operation not in ALARM_OPERATIONS and _moto_active():
        return None  # moto answers CloudWatch's other operations
    body = request.body
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray)):
        raw = bytes(body)
    else:
        raw = body.read()
    return _reply(request, *box.handle(target, raw))


for _event in EVENTS:
    if (_event, _before_send) not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append((_event, _before_send))


def _register(events: Any) -> None:
    for event in EVENTS:
        events.register(event, _before_send, unique_id=f"shiftsim-aws-{event}")


def patch_client(client: Any) -> Any:
    """Let a botocore client created before :mod:`shiftsim.aws` was imported be answered by
    the box too (clients created later need nothing). Returns the client.

    Examples
    --------
    >>> import boto3
    >>> from shiftsim.aws import mock_codedeploy, patch_client
    >>> with mock_codedeploy():
    ...     client = patch_client(boto3.client("codedeploy", region_name="us-east-1"))
    ...     client.list_applications()["applications"]
    []
    """
    _register(client.meta.events)
    return client


def active_box() -> CodeDeployBox | None:
    """The box answering calls now (the innermost :func:`mock_codedeploy`), or None."""
    return _ACTIVE[-1] if _ACTIVE else None


class mock_codedeploy:
    """Answer every boto3/botocore CodeDeploy call, and CloudWatch's alarm calls, from a
    :class:`CodeDeployBox`: as a context manager (``with ... as box``) or a decorator.

    Parameters
    ----------
    box : CodeDeployBox, optional
        The box to use; by default a new one built from ``**options``.
    **options
        :class:`CodeDeployBox` arguments (``clock=``, ``auto_step=``, ``speed=``, ``rng=``...).

    While active, fake credentials and the region ``us-east-1`` are set in the environment
    where none are, as moto does, so clients can sign requests; nothing leaves the process.

    Examples
    --------
    >>> import boto3
    >>> from shiftsim.aws import mock_codedeploy
    >>> with mock_codedeploy(rng=1) as box:
    ...     client = boto3.client("codedeploy", region_name="us-east-1")
    ...     _ = client.create_application(applicationName="shop", computePlatform="Lambda")
    ...     client.list_applications()["applications"]
    ['shop']
    """

    def __init__(self, box: CodeDeployBox | None = None, **options: Any) -> None:
        if box is not None and not isinstance(box, CodeDeployBox):
            raise TypeError(
                "mock_codedeploy: box must be a CodeDeployBox; got "
                f"{type(box).__name__}. To decorate a function, write @mock_codedeploy() "
                "with parentheses."
            )
        self._given = box
        self._options = options
        self.box = box if box is not None else CodeDeployBox(**options)
        self._env: dict[str, str | None] = {}

    def __enter__(self) -> CodeDeployBox:
        with _LOCK:
            _ACTIVE.append(self.box)
        for key, value in FAKE_ENV.items():
            if not os.environ.get(key):
                self._env[key] = os.environ.get(key)
                os.environ[key] = value
        boto3 = sys.modules.get("boto3")
        session = getattr(boto3, "DEFAULT_SESSION", None)
        if session is not None:
            _register(session._session)
        return self.box

    def __exit__(self, *exc: object) -> None:
        with _LOCK:
            if self.box in _ACTIVE:
                _ACTIVE.remove(self.box)
        for key, value in self._env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._env = {}

    def start(self) -> CodeDeployBox:
        """Enter without a ``with`` block (call :meth:`stop` later)."""
        return self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)

    def __call__(self, function: F) -> F:
        """Decorate ``function``: each call runs under a fresh box built from the same
        arguments (or under the box given)."""

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mock_codedeploy(self._given, **self._options):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
