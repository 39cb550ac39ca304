"""Checks of a manifest's shape and place in the registry."""

from __future__ import annotations

from opa_contracts import formats
from opa_contracts.loader import SourceFile
from opa_contracts.pointer import from_path
from opa_contracts.validate.context import Context

MANIFEST_SCHEMA = "manifest-v1.schema.json"
REGISTRY_SCHEMA = "registry-v1.schema.json"


def check_shape(ctx: Context, source: SourceFile, schema_name: str, rule: str) -> bool:
    """Validate a document against one of the tool's own schemas; True when it matches."""
    data = source.data
    if data is None:
        ctx.emit(rule, "file is empty; expected a mapping", source)
        return False
    if not isinstance(data, dict):
        ctx.emit(rule, f"expected a mapping at the top level, found {_kind(data)}", source)
        return False
    ok = True
    for error in formats.validator(schema_name).iter_errors(data):
        ok = False
        pointer = from_path(list(error.instance_path))
        where = pointer or "/"
        ctx.emit(rule, f"{where}: {_message(error.message, pointer)}", source, pointer)
    return ok


def check_place(ctx: Context, source: SourceFile, channel: str, version: str) -> None:
    """File name = version, folder = channel."""
    path = source.path
    if isinstance(version, str) and path.stem != version:
        ctx.emit(
            "manifest-file-name",
            f"file is named {path.name!r} but declares version {version!r}; "
            f"rename it to {version}{path.suffix}",
            source,
            "/version",
            channel=channel,
            version=version,
        )
    if isinstance(channel, str) and path.parent.name != channel:
        ctx.emit(
            "manifest-channel-folder",
            f"manifest for channel {channel!r} is in folder {path.parent.name!r}; "
            f"move it to {channel}/",
            source,
            "/channel",
            channel=channel,
            version=version,
        )


def _kind(value: object) -> str:
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)


def _message(message: str, pointer: str) -> str:
    # jsonschema-rs says "Additional properties are not allowed ('x' was unexpected)"; keep it,
    # but make the anyOf/oneOf wording of participants say what is accepted.
    if "is not valid under any of the schemas listed in the 'oneOf'" in message and (
        pointer.startswith(("/publisher", "/subscribers"))
    ):
        return (
            message.split(" is not valid")[0]
            + " is neither a service name nor a mapping with 'name'"
        )
    return message
