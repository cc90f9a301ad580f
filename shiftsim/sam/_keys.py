"""SAM templates: names, limits and pseudo parameters (private)."""

from __future__ import annotations

import re
from typing import Any

from shiftsim.notifications import NotificationContext

__all__ = [
    "CODEDEPLOY_APPLICATION",
    "HOOK_EVENTS",
    "HOOK_PREFIX",
    "MAX_RESOLVE_DEPTH",
    "MAX_RESOLVE_STEPS",
    "MAX_TEMPLATE_BYTES",
    "NO_VALUE",
    "PREFERENCE_KEYS",
    "PSEUDO_PARAMETERS",
    "SERVERLESS_FUNCTION",
    "VERSION_MARK",
    "Path_",
]


#: Largest template read, in bytes (CloudFormation's limit for a template in S3 is 1 MB).
MAX_TEMPLATE_BYTES = 1 << 20
#: Most nodes one resolution may visit (stops alias bombs and runaway intrinsics).
MAX_RESOLVE_STEPS = 100_000
#: Deepest nesting one resolution may enter.
MAX_RESOLVE_DEPTH = 100

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
CODEDEPLOY_APPLICATION = "ServerlessDeploymentApplication"
#: SAM's generated service role uses AWSCodeDeployRoleForLambda, which may only invoke hook
#: functions named CodeDeployHook_* (codedeploy.md section 11; SAMdoc).
HOOK_PREFIX = "CodeDeployHook_"
PREFERENCE_KEYS = (
    "Enabled",
    "Type",
    "Alarms",
    "Hooks",
    "Role",
    "TriggerConfigurations",
    "PassthroughCondition",
)
HOOK_EVENTS = {"PreTraffic": "BeforeAllowTraffic", "PostTraffic": "AfterAllowTraffic"}
_ALIAS_NAME = re.compile(r"(?!^[0-9]+$)^[a-zA-Z0-9_-]+$")


_DEFAULT_CONTEXT = NotificationContext()
#: Pseudo parameters and the values shiftsim gives them (override through ``parameters=``).
PSEUDO_PARAMETERS: dict[str, Any] = {
    "AWS::Region": _DEFAULT_CONTEXT.region,
    "AWS::AccountId": _DEFAULT_CONTEXT.account_id,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "shiftsim-stack",
    "AWS::StackId": (
        f"arn:aws:cloudformation:{_DEFAULT_CONTEXT.region}:{_DEFAULT_CONTEXT.account_id}:"
        "stack/shiftsim-stack/00000000-0000-0000-0000-000000000000"
    ),
    "AWS::NotificationARNs": [],
}
#: Stands in for a published version number that only exists after deployment.
VERSION_MARK = "<version>"


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

Path_ = tuple[Any, ...]
