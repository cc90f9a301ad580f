"""shiftsim.aws over HTTP: ``serve`` / ``shiftsim serve`` driven by boto3, the AWS CLI and raw
requests. Everything binds 127.0.0.1 on a free port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from _aws import ROLE, _validate, lambda_appspec, lambda_group, put_alarm
from botocore.config import Config

import shiftsim
from shiftsim.aws import serve

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CLI_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_PAGER": "",
}


_CLIENTS: list = []


@pytest.fixture
def server():
    with serve(rng=4) as running:
        yield running
    while _CLIENTS:
        _CLIENTS.pop().close()


def _client(server, service="codedeploy", **config):
    made = boto3.session.Session().client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        config=Config(retries={"total_max_attempts": 1}, **config),
        **CREDENTIALS,
    )
    made.meta.events.register(
        f"after-call.{made.meta.service_model.service_id.hyphenize()}", _validate
    )
    _CLIENTS.append(made)
    return made


def _post(server, target, body, headers=None):
    request = urllib.request.Request(
        server.url + "/",
        data=body,
        method="POST",
        headers={
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.1",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read() or b"{}")


def test_boto3_over_http_alarm_stops_and_rolls_back(server):
    cd, cw = _client(server), _client(server, "cloudwatch")
    put_alarm(cw)
    lambda_group(cd, alarms=("orders-errors",))
    server.box.set_version("orders", shiftsim.Version("2", error_rate=0.5))
    deployment_id = cd.create_deployment(
        applicationName="orders", deploymentGroupName="live", revision=lambda_appspec()
    )["deploymentId"]
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert (info["status"], info["errorInformation"]["code"]) == ("Stopped", "ALARM_ACTIVE")
    assert cw.describe_alarms()["MetricAlarms"][0]["StateValue"] == "ALARM"
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.set_alarm_state(AlarmName="ghost", StateValue="OK", StateReason="x")


@pytest.mark.parametrize(
    ("target", "body", "status", "code"),
    [
        ("CodeDeploy_20141006.CreateApplication", b"{not json", 400, "SerializationException"),
        ("CodeDeploy_20141006.CreateApplication", b"[1, 2]", 400, "SerializationException"),
        ("CodeDeploy_20141006.CreateApplication", b"\xff\xfe", 400, "SerializationException"),
        ("CodeDeploy_20141006.Nope", b"{}", 400, "UnknownOperationException"),
        ("Elsewhere_2020.Op", b"{}", 400, "UnknownOperationException"),
        ("CodeDeploy_20141006.CreateApplication", b"{}", 400, "ApplicationNameRequiredException"),
        ("CodeDeploy_20141006.GetDeployment", b"{}", 400, "DeploymentIdRequiredException"),
        (
            "CodeDeploy_20141006.CreateApplication",
            b'{"applicationName": 5}',
            400,
            "ValidationException",
        ),
        (
            "CodeDeploy_20141006.ListGitHubAccountTokenNames",
            b"{}",
            400,
            "UnsupportedOperationException",
        ),
        ("", b"{}", 400, "MissingTargetException"),
    ],
)
def test_malformed_requests_get_aws_style_4xx(server, target, body, status, code):
    got_status, payload = _post(server, target, body)
    assert got_status == status
    assert payload["__type"] == code and payload["message"]


def test_oversize_and_wrong_method(server):
    status, payload = _post(
        server,
        "CodeDeploy_20141006.CreateApplication",
        b'{"applicationName": "' + b"x" * (2 << 20) + b'"}',
    )
    assert status == 413 and payload["__type"] == "RequestEntityTooLargeException"
    request = urllib.request.Request(server.url + "/", method="GET")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    err.value.close()
    assert err.value.code == 405


def test_cloudwatch_errors_are_query_compatible(server):
    """codedeploy-api.md 1.7: the legacy code travels in x-amzn-query-error."""
    status, payload = _post(
        server,
        "GraniteServiceVersion20100801.SetAlarmState",
        b'{"AlarmName": "x", "StateValue": "OK", "StateReason": "r"}',
        {"Content-Type": "application/x-amz-json-1.0"},
    )
    assert status == 404 and payload["__type"] == "ResourceNotFound"


def _cli(server, *args, check=True):
    env = dict(os.environ, **CLI_ENV)
    out = subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", server.url, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if check:
        assert out.returncode == 0, out.stderr
    return out


@pytest.mark.slow
def test_the_aws_cli_drives_a_deployment(server):
    _cli(
        server,
        "deploy",
        "create-application",
        "--application-name",
        "orders",
        "--compute-platform",
        "Lambda",
    )
    _cli(
        server,
        "deploy",
        "create-deployment-group",
        "--application-name",
        "orders",
        "--deployment-group-name",
        "live",
        "--service-role-arn",
        ROLE,
        "--deployment-config-name",
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    )
    created = _cli(
        server,
        "deploy",
        "create-deployment",
        "--application-name",
        "orders",
        "--deployment-group-name",
        "live",
        "--revision",
        json.dumps(lambda_appspec()),
    )
    deployment_id = json.loads(created.stdout)["deploymentId"]
    _cli(server, "deploy", "wait", "deployment-successful", "--deployment-id", deployment_id)
    got = _cli(server, "deploy", "get-deployment", "--deployment-id", deployment_id)
    info = json.loads(got.stdout)["deploymentInfo"]
    assert info["status"] == "Succeeded"
    assert isinstance(info["createTime"], float)  # epoch seconds on the wire, as AWS sends
    missing = _cli(
        server,
        "deploy",
        "get-deployment-group",
        "--application-name",
        "orders",
        "--deployment-group-name",
        "nope",
        check=False,
    )
    assert missing.returncode == 255
    assert "(DeploymentGroupDoesNotExistException)" in missing.stderr
    alarms = _cli(server, "cloudwatch", "describe-alarms")
    assert json.loads(alarms.stdout)["MetricAlarms"] == []


@pytest.mark.slow
def test_shiftsim_serve_command(tmp_path: Path):
    """``shiftsim serve --port 0`` prints its URL and answers until interrupted."""
    import signal

    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from shiftsim.cli import main; raise SystemExit(main())",
            "serve",
            "--port",
            "0",
            "--seed",
            "1",
        ],
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stderr is not None
            line = process.stderr.readline()
            assert "listening on http://127.0.0.1:" in line
            url = line.split("listening on ")[1].split()[0]
            cd = boto3.session.Session().client(
                "codedeploy", endpoint_url=url, region_name="us-east-1", **CREDENTIALS
            )
            try:
                assert len(cd.list_deployment_configs()["deploymentConfigsList"]) == 17
            finally:
                cd.close()
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    assert process.returncode == 130


LOAD_CLIENTS = 20
LOAD_CALLS = 2000


@pytest.mark.slow
def test_load_20_clients_2000_calls(server):
    """Bounded load on loopback: 20 concurrent clients, 2,000 calls in all. No 5xx, no lost or
    duplicated deployment: every ID created is listed exactly once in its group."""
    per_client = LOAD_CALLS // LOAD_CLIENTS  # 2 setup calls + 49 x (create + get)
    created: dict[int, list[str]] = {}
    failures: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        cd = _client(server, connect_timeout=10, read_timeout=60)
        statuses: list[int] = []
        cd.meta.events.register(
            "after-call.codedeploy",
            lambda http_response, **_: statuses.append(http_response.status_code),
        )
        ids: list[str] = []
        try:
            lambda_group(cd, app=f"app{n}", config="CodeDeployDefault.LambdaAllAtOnce")
            for _ in range((per_client - 2) // 2):
                t0 = time.perf_counter()
                deployment_id = cd.create_deployment(
                    applicationName=f"app{n}",
                    deploymentGroupName="live",
                    revision=lambda_appspec(function=f"fn{n}"),
                )["deploymentId"]
                status = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
                with lock:
                    latencies.append(time.perf_counter() - t0)
                assert status["status"] == "Succeeded"
                ids.append(deployment_id)
        except Exception as err:  # collected and reported below
            with lock:
                failures.append(f"client {n}: {err!r}")
        with lock:
            created[n] = ids
            failures.extend(f"client {n}: HTTP {s}" for s in statuses if s >= 500)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(LOAD_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - t0
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    calls = server.box.calls
    assert calls == LOAD_CALLS
    all_ids = [i for ids in created.values() for i in ids]
    assert len(all_ids) == len(set(all_ids)) == LOAD_CLIENTS * ((per_client - 2) // 2)
    cd = _client(server)
    for n, ids in created.items():
        pages = cd.get_paginator("list_deployments").paginate(
            applicationName=f"app{n}", deploymentGroupName="live"
        )
        listed = [d for page in pages for d in page["deployments"]]
        assert sorted(listed) == sorted(ids)
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    print(
        f"\nload: {LOAD_CLIENTS} clients, {calls} calls in {elapsed:.2f} s "
        f"({calls / elapsed:.0f} calls/s); create+get p50 {p50 * 1e3:.1f} ms, "
        f"p99 {p99 * 1e3:.1f} ms"
    )
