"""Reading a deployment's revision: AppSpec content, or a bundle from moto's S3."""

from __future__ import annotations

import io
import sys
import tarfile
import zipfile
from typing import Any

import shiftsim
from shiftsim.aws._ops_common import Box
from shiftsim.aws._protocol import AwsError, excerpt
from shiftsim.errors import AppSpecError

__all__ = ["revision_appspec"]

# ---------------------------------------------------------------------------- revisions


def _s3_bundle(box: Box, location: dict[str, Any]) -> bytes | None:
    """The bundle's bytes from moto's S3, when moto is mocking AWS in this process."""
    moto_models = sys.modules.get("moto.core.models")
    stubber = getattr(moto_models, "botocore_stubber", None)
    if stubber is None or not getattr(stubber, "enabled", False):
        return None
    # boto3 is imported here only: `import shiftsim.aws` needs botocore, not boto3 (moto,
    # which is active here, brings it).
    import boto3

    client = boto3.client("s3", region_name=box.region)
    kwargs = {"Bucket": location.get("bucket"), "Key": location.get("key")}
    if location.get("version"):
        kwargs["VersionId"] = location["version"]
    try:
        return bytes(client.get_object(**kwargs)["Body"].read())
    except Exception:
        return None


def _appspec_from_bundle(data: bytes, bundle: str) -> str:
    names = ("appspec.yml", "appspec.yaml", "appspec.json")
    if bundle in ("YAML", "JSON"):
        return data.decode("utf-8")
    try:
        if bundle == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in names:
                    if name in archive.namelist():
                        return archive.read(name).decode("utf-8")
        else:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
                for member in archive.getmembers():
                    if member.name.lstrip("./") in names and member.isfile():
                        handle = archive.extractfile(member)
                        if handle is not None:
                            return handle.read().decode("utf-8")
    except (zipfile.BadZipFile, tarfile.TarError, UnicodeDecodeError) as err:
        raise AwsError("InvalidRevisionException", f"The {bundle} bundle cannot be read.") from err
    raise AwsError("InvalidRevisionException", "The bundle has no appspec.yml at its root.")


def revision_appspec(box: Box, revision: dict[str, Any], platform: str) -> Any:
    """The AppSpec a revision carries (a parsed :class:`shiftsim.AppSpec`), or None for an
    EC2/on-premises bundle the box cannot read (GitHub, or S3 outside moto)."""
    kind = revision.get("revisionType")
    text: str | None = None
    if kind == "AppSpecContent":
        text = (revision.get("appSpecContent") or {}).get("content")
    elif kind == "String":
        if platform != "Lambda":
            raise AwsError("InvalidRevisionException", "String revisions are for Lambda only.")
        text = (revision.get("string") or {}).get("content")
    elif kind == "S3":
        location = revision.get("s3Location") or {}
        if not location.get("bucket") or not location.get("key"):
            raise AwsError("InvalidRevisionException", "s3Location needs bucket and key.")
        data = _s3_bundle(box, location)
        if data is None:
            if platform == "Server":
                return None
            raise AwsError(
                "RevisionDoesNotExistException",
                f"The revision s3://{excerpt(location.get('bucket'))}/"
                f"{excerpt(location.get('key'))} cannot be found.",
            )
        bundle = location.get("bundleType") or ("YAML" if platform != "Server" else "zip")
        text = _appspec_from_bundle(data, bundle)
    elif kind == "GitHub":
        if platform != "Server":
            raise AwsError("InvalidRevisionException", "GitHub revisions are for EC2/on-premises.")
        return None
    if platform == "Server" and kind in ("AppSpecContent", "String"):
        raise AwsError(
            "InvalidRevisionException",
            f"A {kind} revision is for Lambda or ECS; EC2/on-premises deploy S3 or GitHub bundles.",
        )
    if not isinstance(text, str) or not text.strip():
        raise AwsError("InvalidRevisionException", "The revision has no AppSpec content.")
    try:
        spec = shiftsim.load_appspec(text, source="revision")
    except AppSpecError as err:
        raise AwsError("InvalidRevisionException", str(err)[:300]) from err
    if spec.platform != platform:
        raise AwsError(
            "InvalidRevisionException",
            f"The revision's AppSpec is for {spec.platform}, the application for {platform}.",
        )
    return spec
