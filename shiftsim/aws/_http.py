"""``shiftsim serve``: the box over HTTP, on werkzeug's threaded WSGI server.

Every request is ``POST /`` with ``X-Amz-Target`` naming the operation (codedeploy-api.md 1.2
and 1.7); the reply is the box's, byte for byte what the in-process path returns. Requests are
not authenticated: any credentials (or none) are accepted, as the box is meant for loopback use.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from shiftsim.aws._box import CodeDeployBox
from shiftsim.aws._protocol import MAX_BODY_BYTES, AwsError, encode_error

__all__ = ["BoxServer", "serve"]


class _Request(Request):
    max_content_length = MAX_BODY_BYTES


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if logging.getLogger("shiftsim.aws").isEnabledFor(logging.INFO):
            super().log_request(code, size)


def _error(service: str, code: str, message: str, status: int = 400) -> Response:
    status, headers, body = encode_error(service, AwsError(code, message, status=status))
    return Response(body, status=status, headers=headers)


def make_app(box: CodeDeployBox) -> Any:
    """The WSGI application answering for ``box``."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = _Request(environ)
        target = request.headers.get("X-Amz-Target", "")
        service = "cloudwatch" if target.startswith("Granite") else "codedeploy"
        if request.method != "POST":
            response = _error(
                service,
                "UnsupportedOperationException",
                f"Send POST requests (got {request.method}); shiftsim speaks CodeDeploy's JSON "
                "1.1 and CloudWatch's JSON 1.0 protocols.",
                status=405,
            )
        elif not target:
            response = _error(
                service,
                "MissingTargetException",
                "The X-Amz-Target header is missing: shiftsim speaks the JSON protocols only "
                "(not CloudWatch's query protocol, nor RPC v2 CBOR).",
            )
        else:
            try:
                body = request.get_data(cache=False)
            except RequestEntityTooLarge:
                response = _error(
                    service,
                    "RequestEntityTooLargeException",
                    f"The request body is larger than {MAX_BODY_BYTES} bytes.",
                    status=413,
                )
            else:
                try:
                    status, headers, payload = box.handle(target, body)
                except Exception as err:  # a bug in the box: say so, AWS-style, and log it
                    logging.getLogger("shiftsim.aws").exception("shiftsim serve: %s", target)
                    response = _error(
                        service,
                        "InternalFailure",
                        f"shiftsim failed on this request ({type(err).__name__}); please "
                        "report it with the request that caused it.",
                        status=500,
                    )
                else:
                    response = Response(payload, status=status, headers=headers)
        response.headers["x-amzn-RequestId"] = f"shiftsim-{box.calls}"
        return response(environ, start_response)

    return app


class BoxServer:
    """A running ``shiftsim serve``: :attr:`url`, :attr:`box`, :meth:`close`; a context
    manager. Build one with :func:`serve`."""

    def __init__(self, box: CodeDeployBox, server: BaseWSGIServer) -> None:
        self.box = box
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # close() returns within 50 ms
            name="shiftsim-serve",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def wait(self) -> None:
        """Block until :meth:`close` is called (from another thread or a signal)."""
        self._thread.join()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> BoxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<BoxServer {self.url} {self.box!r}>"


def serve(
    box: CodeDeployBox | None = None, *, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> BoxServer:
    """Serve ``box`` (a new :class:`CodeDeployBox` built from ``**options`` by default) over
    HTTP on ``host:port`` in a background thread; ``port=0`` picks a free port.

    Examples
    --------
    >>> import boto3
    >>> from shiftsim.aws import serve
    >>> with serve(clock="auto") as server:
    ...     client = boto3.client("codedeploy", endpoint_url=server.url, region_name="us-east-1",
    ...                           aws_access_key_id="x", aws_secret_access_key="x")
    ...     client.list_deployment_configs()["deploymentConfigsList"][0]
    'CodeDeployDefault.AllAtOnce'
    """
    box = box if box is not None else CodeDeployBox(**options)
    server = make_server(host, port, make_app(box), threaded=True, request_handler=_QuietHandler)
    return BoxServer(box, server)
