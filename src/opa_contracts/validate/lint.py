"""Lint rules: naming, descriptions, the Kafka key, the Redis channel, mis-encoded text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opa_contracts import mojibake, publishers
from opa_contracts.kafka_key import key_of
from opa_contracts.loader import SourceFile
from opa_contracts.pointer import from_path, join
from opa_contracts.rules import catalog as rc
from opa_contracts.schemawalk import walk
from opa_contracts.validate.context import Context


def check(ctx: Context, source: SourceFile, channel: str, version: str) -> None:
    """Run every lint rule on one manifest."""
    data: dict[str, Any] = source.data
    naming = ctx.settings
    if isinstance(data.get("channel"), str) and not naming.channel_pattern.search(channel):
        ctx.emit(
            rc.CHANNEL_NAME.id,
            f"channel {channel!r} does not match the naming rule {naming.channel_pattern.pattern}",
            source,
            "/channel",
        )
    for pointer, participant in _participants(data):
        name = participant.get("name") if isinstance(participant, dict) else participant
        if not isinstance(name, str) or (
            isinstance(participant, dict) and participant.get("external")
        ):
            continue
        # a wildcard stands for any name: check it as if it were a letter
        if not naming.service_pattern.search(name.replace("*", "x")):
            ctx.emit(
                rc.SERVICE_NAME.id,
                f"service {name!r} does not match the naming rule {naming.service_pattern.pattern} "
                "(mark non-OPA systems with external: true)",
                source,
                pointer,
            )
    schema = data.get("schema")
    _accepts_anything(ctx, source, schema)
    _descriptions(ctx, source, schema)
    _kafka_key(ctx, source, data, schema)
    redis = _get(data, "transports", "redis", "channel")
    if isinstance(redis, str) and isinstance(data.get("channel"), str) and redis != channel:
        ctx.emit(
            rc.REDIS_CHANNEL_NAME.id,
            f"Redis channel {redis!r} differs from the channel name {channel!r}",
            source,
            "/transports/redis/channel",
        )
    text = source.document.text if source.document else ""
    # mojibake in a string is mojibake in the file, unless it hides behind escapes
    if text and mojibake.detect(text) is None and "\\" not in text:
        return
    for path, text in _non_ascii_strings(data):
        found = mojibake.detect(text)
        if found:
            pointer = from_path(path)
            ctx.emit(
                rc.TEXT_MOJIBAKE.id,
                f"text looks mis-encoded ({found.reason}): {_clip(text)!r}"
                + (f" should probably read {_clip(found.repaired)!r}" if found.codec else ""),
                source,
                pointer,
                details={"repaired": found.repaired, "codec": found.codec},
            )


def _participants(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from publishers.publishers_at(data)
    subscribers = data.get("subscribers")
    if isinstance(subscribers, list):
        for i, sub in enumerate(subscribers):
            yield f"/subscribers/{i}", sub


#: Keywords that constrain an instance, in any dialect the tool reads (draft-04 to 2020-12):
#: assertions, and applicators that can. Everything else at a root (title, description,
#: $schema, $id, $defs, default, examples, $comment, x-...) only annotates.
CONSTRAINING = frozenset(
    {
        "type", "enum", "const", "format",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "items", "prefixItems", "additionalItems", "unevaluatedItems", "contains",
        "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
        "properties", "patternProperties", "additionalProperties", "unevaluatedProperties",
        "propertyNames", "required", "maxProperties", "minProperties",
        "dependencies", "dependentRequired", "dependentSchemas",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
        "$ref", "$dynamicRef", "$recursiveRef",
        "contentEncoding", "contentMediaType", "contentSchema",
    }
)  # fmt: skip


def _accepts_anything(ctx: Context, source: SourceFile, schema: Any) -> None:
    """A payload schema whose root constrains nothing: ``true``, ``{}``, or only annotations.

    Only the root is judged: ``{"allOf": [{}]}`` is not reported (an applicator was written, so
    a constraint was meant), nor is ``false`` (it rejects everything).
    """
    if schema is True:
        reason = "the payload schema is `true`, which accepts every JSON value"
    elif isinstance(schema, dict) and not schema:
        reason = "the payload schema is `{}`, which accepts every JSON value"
    elif isinstance(schema, dict) and not CONSTRAINING.intersection(schema):
        shown = ", ".join(sorted(schema)[:5]) + (", ..." if len(schema) > 5 else "")
        reason = (
            f"the payload schema's root has only annotations ({shown}) and no type, properties, "
            "enum, $ref or other constraint, so it accepts every JSON value"
        )
    else:
        return
    ctx.emit(
        rc.SCHEMA_ACCEPTS_ANYTHING.id,
        f"{reason}: the contract promises subscribers nothing about the message; "
        "declare at least its type (and its properties)",
        source,
        "/schema",
    )


def _descriptions(ctx: Context, source: SourceFile, schema: Any) -> None:
    for pointer, node in walk(schema, "/schema"):
        properties = node.get("properties")
        if not isinstance(properties, dict):
            continue
        for name, sub in properties.items():
            # a bare $ref takes its description from the target
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                ctx.emit(
                    rc.PROPERTY_DESCRIPTION.id,
                    f"property {name!r} has no description",
                    source,
                    join(pointer, "properties", name),
                )


def _kafka_key(ctx: Context, source: SourceFile, data: dict[str, Any], schema: Any) -> None:
    key = key_of(data).field  # a key schema of its own is checked with the examples
    if key is None or not isinstance(schema, dict):
        return
    prop = _get(schema, "properties", key)
    required = schema.get("required")
    problem = None
    if not isinstance(prop, dict):
        problem = f"Kafka key {key!r} is not a property of the payload"
    elif not (isinstance(required, list) and key in required):
        problem = f"Kafka key {key!r} is not a required property; messages without it have no key"
    elif prop.get("type") not in ("string", "integer"):
        problem = (
            f"Kafka key {key!r} has type {prop.get('type')!r}; it must be a string or an integer"
        )
    if problem:
        ctx.emit(rc.KAFKA_KEY_PROPERTY.id, problem, source, "/transports/kafka/key")


def _non_ascii_strings(value: Any) -> Iterator[tuple[list[str | int], str]]:
    """Every string (keys too) that is not pure ASCII, with its path; ASCII cannot be mojibake."""
    path: list[str | int] = []

    def visit(node: Any) -> Iterator[tuple[list[str | int], str]]:
        if isinstance(node, str):
            if not node.isascii():
                yield list(path), node
        elif isinstance(node, dict):
            for key, sub in node.items():
                path.append(key)
                if not key.isascii():
                    yield list(path), key
                yield from visit(sub)
                path.pop()
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                path.append(i)
                yield from visit(sub)
                path.pop()

    return visit(value)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
