"""CodeDeploy's applications, their registered revisions, and resource tags."""

from __future__ import annotations

from typing import Any

from shiftsim.aws._ops_common import (
    MAX_BATCH_APPLICATIONS,
    MAX_DESCRIPTION,
    Box,
    check_name,
    get_app,
    paginate,
    register,
    resource_arn,
)
from shiftsim.aws._protocol import AwsError, excerpt

__all__: list[str] = []

# ---------------------------------------------------------------------------- applications


@register
def _create_application(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    name = p["applicationName"]
    check_name(name, "InvalidApplicationNameException", "application name")
    if name in box.applications:
        raise AwsError(
            "ApplicationAlreadyExistsException",
            f"The application {excerpt(name)} already exists with the IAM user or AWS account.",
        )
    if len(box.applications) >= 1000:
        raise AwsError("ApplicationLimitExceededException", "More than 1000 applications.")
    app_id = box.new_id("")
    box.applications[name] = {
        "applicationId": app_id,
        "applicationName": name,
        "createTime": box.now,
        "linkedToGitHub": False,
        "computePlatform": p.get("computePlatform") or "Server",
    }
    box.tags[resource_arn(box, "application", name)] = list(p.get("tags") or [])
    return {"applicationId": app_id}


@register
def _get_application(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    return {"application": get_app(box, p["applicationName"])}


@register
def _batch_get_applications(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    names = p["applicationNames"]
    if len(names) > MAX_BATCH_APPLICATIONS:
        raise AwsError("BatchLimitExceededException", "The maximum number of names was exceeded.")
    return {"applicationsInfo": [get_app(box, n) for n in names]}


@register
def _list_applications(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    page, token = paginate(sorted(box.applications), p.get("nextToken"))
    return {"applications": page, "nextToken": token}


@register
def _update_application(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    old = p.get("applicationName")
    new = p.get("newApplicationName")
    if old is None:
        raise AwsError("ApplicationNameRequiredException", "The applicationName is required.")
    app = get_app(box, old)
    if new and new != old:
        check_name(new, "InvalidApplicationNameException", "application name")
        if new in box.applications:
            raise AwsError("ApplicationAlreadyExistsException", f"{excerpt(new)} already exists.")
        app["applicationName"] = new
        box.applications[new] = box.applications.pop(old)
        for a, g in list(box.groups):
            if a == old:
                group = box.groups.pop((a, g))
                group["applicationName"] = new
                box.groups[(new, g)] = group
    return {}


@register
def _delete_application(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    name = p["applicationName"]
    if name in box.applications:
        del box.applications[name]
        for key in [k for k in box.groups if k[0] == name]:
            del box.groups[key]
    return {}


@register
def _register_application_revision(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    get_app(box, p["applicationName"])
    if len(p.get("description") or "") > MAX_DESCRIPTION:
        raise AwsError("DescriptionTooLongException", "The description is too long.")
    box.revisions.setdefault(p["applicationName"], []).append(
        {
            "revisionLocation": p["revision"],
            "registerTime": box.now,
            "description": p.get("description"),
        }
    )
    return {}


@register
def _list_application_revisions(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    get_app(box, p["applicationName"])
    items = [r["revisionLocation"] for r in box.revisions.get(p["applicationName"], [])]
    page, token = paginate(items, p.get("nextToken"))
    return {"revisions": page, "nextToken": token}


# ---------------------------------------------------------------------------- tags


def _tag_key(box: Box, arn: str) -> str:
    if arn not in box.tags:
        raise AwsError("ResourceArnRequiredException", f"No resource found for {excerpt(arn)}.")
    return arn


@register
def _list_tags_for_resource(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": box.tags[_tag_key(box, p["ResourceArn"])]}


@register
def _tag_resource(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    tags = box.tags[_tag_key(box, p["ResourceArn"])]
    for tag in p["Tags"]:
        tags[:] = [t for t in tags if t.get("Key") != tag.get("Key")] + [tag]
    return {}


@register
def _untag_resource(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    tags = box.tags[_tag_key(box, p["ResourceArn"])]
    tags[:] = [t for t in tags if t.get("Key") not in p["TagKeys"]]
    return {}


# ---------------------------------------------------------------------------- revisions out


def _revision_info(box: Box, app: str, revision: dict[str, Any]) -> dict[str, Any]:
    for item in box.revisions.get(app, []):
        if item["revisionLocation"] == revision:
            return item
    raise AwsError(
        "RevisionDoesNotExistException", "The revision is not registered with the application."
    )


@register
def _get_application_revision(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    get_app(box, p["applicationName"])
    item = _revision_info(box, p["applicationName"], p["revision"])
    return {
        "applicationName": p["applicationName"],
        "revision": item["revisionLocation"],
        "revisionInfo": _generic(item),
    }


def _generic(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": item.get("description"),
        "deploymentGroups": sorted(item.get("groups", ())),
        "firstUsedTime": item.get("firstUsedTime"),
        "lastUsedTime": item.get("lastUsedTime"),
        "registerTime": item["registerTime"],
    }


@register
def _batch_get_application_revisions(box: Box, p: dict[str, Any]) -> dict[str, Any]:
    get_app(box, p["applicationName"])
    if len(p["revisions"]) > 25:
        raise AwsError("BatchLimitExceededException", "At most 25 revisions can be given.")
    infos = []
    for revision in p["revisions"]:
        item = _revision_info(box, p["applicationName"], revision)
        infos.append({"revisionLocation": revision, "genericRevisionInfo": _generic(item)})
    return {"applicationName": p["applicationName"], "revisions": infos}
