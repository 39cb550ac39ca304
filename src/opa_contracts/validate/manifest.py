"""Checks of a manifest's shape and place in the registry."""

from __future__ import annotations

import json

import jsonschema_rs

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
        ctx.emit(rule, f"{where}: {describe(error, pointer)}", source, pointer)
    return ok


def check_place(ctx: Context, source: SourceFile, channel: str, version: str) -> None:
    """File name = version, folder = channel (each only when declared as a string)."""
    path = source.path
    if version and path.stem != version:
        ctx.emit(
            "manifest-file-name",
            f"file is named {path.name!r} but declares version {version!r}; "
            f"rename it to {version}{path.suffix}",
            source,
            "/version",
            channel=channel,
            version=version,
        )
    if channel and path.parent.name != channel:
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


def describe(error: jsonschema_rs.ValidationError, pointer: str = "") -> str:
    """The validator's message, made complete where jsonschema-rs abbreviates it."""
    message: str = error.message
    options = getattr(error.kind, "options", None)
    if isinstance(options, list) and "candidates" in message:
        # "is not one of "a", "b" or 3 other candidates" hides the answer; list them all
        listed = ", ".join(json.dumps(o, ensure_ascii=False) for o in options)
        return f"{json.dumps(error.instance, ensure_ascii=False)} is not one of: {listed}"
    # make the oneOf wording for participants say what is accepted
    if "is not valid under any of the schemas listed in the 'oneOf'" in message and (
        pointer.startswith(("/publisher", "/subscribers"))
    ):
        return (
            message.split(" is not valid")[0]
            + " is neither a service name nor a mapping with 'name'"
        )
    return message
