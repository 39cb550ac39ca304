"""Checks of a manifest's shape and place in the registry."""

from __future__ import annotations

from opa_contracts import formats, publishers
from opa_contracts.loader import SourceFile
from opa_contracts.rules import catalog as rc
from opa_contracts.semver import Version
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
    for problem in formats.problems(schema_name, data):
        ok = False
        ctx.emit(rule, problem.message, source, problem.pointer, at_key=problem.key)
    return ok


def check_place(ctx: Context, source: SourceFile, channel: str, version: str) -> None:
    """File name = version, folder = channel (each only when declared as a string)."""
    path = source.path
    # a version that is not semver gets the schema's error (with its fix), not a rename as well
    if version and Version.parse(version) is not None and path.stem != version:
        ctx.emit(
            rc.MANIFEST_FILE_NAME.id,
            f"file is named {path.name!r} but declares version {version!r}; "
            f"rename it to {version}{path.suffix}",
            source,
            "/version",
            channel=channel,
            version=version,
        )
    if channel and path.parent.name != channel:
        ctx.emit(
            rc.MANIFEST_CHANNEL_FOLDER.id,
            f"manifest for channel {channel!r} is in folder {path.parent.name!r}; "
            f"move it to {channel}/",
            source,
            "/channel",
            channel=channel,
            version=version,
        )


def check_publishers(ctx: Context, source: SourceFile, channel: str, version: str) -> None:
    """A service named twice in ``publishers`` (each name once; a manifest that also has
    ``publisher`` already has its ``manifest-schema`` error for that)."""
    seen: dict[str, str] = {}
    for pointer, value in publishers.publishers_at(source.data):
        name = publishers.name_of(value)
        if name is None or not pointer.startswith(f"/{publishers.SEVERAL}/"):
            continue
        if name in seen:
            ctx.emit(
                rc.MANIFEST_SCHEMA.id,
                f"{pointer}: publisher {name!r} is listed twice (also at {seen[name]}); "
                "name each publisher once",
                source,
                pointer,
                channel=channel,
                version=version,
            )
        else:
            seen[name] = pointer


def _kind(value: object) -> str:
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)
