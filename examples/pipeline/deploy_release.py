"""Deploy a Lambda release through CodeDeploy, wait for it, report, roll back when it fails.

The script a pipeline step runs, written as such scripts are: plain boto3, nothing from shiftsim.
``test_deploy_release.py`` runs it against shiftsim's CodeDeploy in a box.

Usage::

    python deploy_release.py --application orders --group live \\
        --function orders --current 6 --target 7 [--before-traffic-hook PreTrafficCheck]

Exit status 0 when the release is live, 1 when it failed, was stopped or rolled back.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import WaiterError

__all__ = ["deploy", "main"]

DONE = ("Succeeded", "Failed", "Stopped")


def _appspec(function: str, alias: str, current: str, target: str, hook: str | None) -> str:
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [
            {
                function: {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": function,
                        "Alias": alias,
                        "CurrentVersion": current,
                        "TargetVersion": target,
                    },
                }
            }
        ],
    }
    if hook:
        spec["Hooks"] = [{"BeforeAllowTraffic": hook}]
    return json.dumps(spec)


def deploy(
    application: str,
    group: str,
    function: str,
    current: str,
    target: str,
    *,
    alias: str = "live",
    before_traffic_hook: str | None = None,
    client: Any = None,
    delay: int = 15,
    max_attempts: int = 120,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Deploy ``function`` from version ``current`` to ``target`` and wait for the outcome.

    When the waiter gives up (``delay * max_attempts`` seconds) the deployment is stopped and
    rolled back. Returns a report: ``deploymentId``, ``status``, ``errorCode``, ``rolledBack``.
    """
    cd = client if client is not None else boto3.client("codedeploy")
    deployment_id = cd.create_deployment(
        applicationName=application,
        deploymentGroupName=group,
        description=f"{function}: {current} -> {target}",
        revision={
            "revisionType": "AppSpecContent",
            "appSpecContent": {
                "content": _appspec(function, alias, current, target, before_traffic_hook)
            },
        },
    )["deploymentId"]
    log(f"started {deployment_id}")
    try:
        cd.get_waiter("deployment_successful").wait(
            deploymentId=deployment_id,
            WaiterConfig={"Delay": delay, "MaxAttempts": max_attempts},
        )
    except WaiterError as err:
        log(f"{deployment_id} did not succeed: {err}")
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    if info["status"] not in DONE:
        log(f"{deployment_id} is still {info['status']}: stopping it and rolling back")
        cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
        info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    report = {
        "deploymentId": deployment_id,
        "status": info["status"],
        "errorCode": (info.get("errorInformation") or {}).get("code"),
        "rolledBack": "rollbackDeploymentId" in (info.get("rollbackInfo") or {}),
    }
    log(json.dumps(report))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--application", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--function", required=True)
    parser.add_argument("--alias", default="live")
    parser.add_argument("--current", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--before-traffic-hook")
    args = parser.parse_args(argv)
    report = deploy(
        args.application,
        args.group,
        args.function,
        args.current,
        args.target,
        alias=args.alias,
        before_traffic_hook=args.before_traffic_hook,
    )
    return 0 if report["status"] == "Succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
