"""CodeDeploy's on-premises instances and their tags."""

from __future__ import annotations

from typing import Any

from shiftsim.aws._ops_common import ACCOUNT, MAX_BATCH_APPLICATIONS, Box, paginate, register
from shiftsim.aws._protocol import AwsError, excerpt

__all__: list[str] = []

# ---------------------------------------------------------------------------- on-premises


def _on_prem(box: Box, name: Any) -> dict[str, Any]:
    found = box.on_premises.get(name)
    if found is None:
        raise AwsError(
            "InstanceNotRegisteredException",
            f"The on-premises instance {excerpt(name)} is not registered.",
        )
    return found


@register
def _register_on_premises_instance(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("instanceName")
    if not name:
        raise AwsError("InstanceNameRequiredException", "The instanceName is required.")
    if p.get("iamSessionArn") and p.get("iamUserArn"):
        raise AwsError(
            "MultipleIamArnsProvidedException", "Give iamSessionArn or iamUserArn, not both."
        )
    if not (p.get("iamSessionArn") or p.get("iamUserArn")):
        raise AwsError("IamArnRequiredException", "An iamSessionArn or iamUserArn is required.")
    existing = box.on_premises.get(name)
    if existing is not None and "deregisterTime" not in existing:
        raise AwsError(
            "InstanceNameAlreadyRegisteredException",
            f"The on-premises instance {excerpt(name)} is already registered.",
        )
    box.on_premises[name] = {
        "instanceName": name,
        "instanceArn": f"arn:aws:codedeploy:{box.region}:{ACCOUNT}:instance/{name}",
        "registerTime": box.now,
        "tags": [],
        **{k: p[k] for k in ("iamSessionArn", "iamUserArn") if p.get(k)},
    }
    return {}


@register
def _deregister_on_premises_instance(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    _on_prem(box, p["instanceName"])["deregisterTime"] = box.now
    return {}


@register
def _get_on_premises_instance(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    return {"instanceInfo": _on_prem(box, p["instanceName"])}


@register
def _batch_get_on_premises_instances(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    names = p["instanceNames"]
    if len(names) > MAX_BATCH_APPLICATIONS:
        raise AwsError("BatchLimitExceededException", "At most 100 instance names can be given.")
    return {"instanceInfos": [box.on_premises[n] for n in names if n in box.on_premises]}


def _tag_match(tags: list[dict[str, str]], wanted: dict[str, Any]) -> bool:
    kind = wanted.get("Type", "KEY_AND_VALUE")
    for tag in tags:
        key_ok = tag.get("Key") == wanted.get("Key")
        value_ok = tag.get("Value") == wanted.get("Value")
        if (
            (kind == "KEY_ONLY" and key_ok)
            or (kind == "VALUE_ONLY" and value_ok)
            or (kind == "KEY_AND_VALUE" and key_ok and value_ok)
        ):
            return True
    return False


@register
def _list_on_premises_instances(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    status = p.get("registrationStatus")
    names = []
    for name, info in sorted(box.on_premises.items()):
        registered = "deregisterTime" not in info
        if status == "Registered" and not registered:
            continue
        if status == "Deregistered" and registered:
            continue
        filters = p.get("tagFilters") or []
        if filters and not any(_tag_match(info["tags"], f) for f in filters):
            continue
        names.append(name)
    page, token = paginate(names, p.get("nextToken"))
    return {"instanceNames": page, "nextToken": token}


def _instance_tags(box: Box, p: dict[str, Any]) -> list[dict[str, Any]]:
    if len(p["instanceNames"]) > 100:
        raise AwsError("InstanceLimitExceededException", "At most 100 instance names.")
    return [_on_prem(box, n) for n in p["instanceNames"]]


@register
def _add_tags_to_on_premises_instances(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    for info in _instance_tags(box, p):
        for tag in p["tags"]:
            kept = [t for t in info["tags"] if t.get("Key") != tag.get("Key")]
            info["tags"] = [*kept, tag]
        if len(info["tags"]) > 10:
            raise AwsError("TagLimitExceededException", "An instance holds at most 10 tags.")
    return {}


@register
def _remove_tags_from_on_premises_instances(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    removed = {(t.get("Key"), t.get("Value")) for t in p["tags"]}
    for info in _instance_tags(box, p):
        info["tags"] = [t for t in info["tags"] if (t.get("Key"), t.get("Value")) not in removed]
    return {}
