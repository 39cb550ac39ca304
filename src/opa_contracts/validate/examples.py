"""Examples must validate; invalid examples must not, and for the stated reason."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from opa_contracts.encodings import binary_problems, encoding_of
from opa_contracts.formats import describe
from opa_contracts.kafka_key import NO_KEY, KafkaKey
from opa_contracts.loader import SourceFile
from opa_contracts.pointer import from_path, join
from opa_contracts.rules import catalog as rc
from opa_contracts.validate.context import Context

MAX_ERRORS_PER_EXAMPLE = 10


def check(
    ctx: Context,
    source: SourceFile,
    validator: jsonschema_rs.Validator,
    channel: str,
    version: str,
    key: KafkaKey = NO_KEY,
    key_validator: jsonschema_rs.Validator | None = None,
) -> None:
    """Judge every example and invalid example with the compiled validator (and each example's
    Kafka key with ``key_validator``, when the key has a schema of its own)."""
    data = source.data
    for i, example in _entries(data.get("examples")):
        _check_key(ctx, source, "/examples", i, example, key, key_validator)
        if "payload" not in example:
            continue
        base = join("/examples", i, "payload")
        name = example.get("name", f"#{i}")
        for n, error in enumerate(validator.iter_errors(example["payload"])):
            if n == MAX_ERRORS_PER_EXAMPLE:
                ctx.emit(
                    rc.EXAMPLE_INVALID.id,
                    f"example {name!r}: more errors not shown",
                    source,
                    base,
                )
                break
            at = from_path(list(error.instance_path))
            ctx.emit(
                rc.EXAMPLE_INVALID.id,
                f"example {name!r} is rejected at {at or '/'}: {describe(error)}",
                source,
                base + at,
            )
        if encoding_of(data) == "msgpack":  # binary data must say exactly which bytes it is
            for at, why in binary_problems(data.get("schema"), example["payload"]):
                ctx.emit(
                    rc.EXAMPLE_INVALID.id,
                    f"example {name!r}: the binary data at {at or '/'} {why}",
                    source,
                    base + at,
                )
    for i, example in _entries(data.get("invalid_examples")):
        _check_key(ctx, source, "/invalid_examples", i, example, key, None)
        if "payload" not in example:
            continue
        pointer = join("/invalid_examples", i)
        name = example.get("name") or example.get("reason") or f"#{i}"
        errors = list(validator.iter_errors(example["payload"]))
        if not errors and key.kind == "schema" and "key" in example:
            if key_validator is None:
                continue  # the key schema is unusable (reported): the key cannot be judged
            # a valid payload under a bad key is rejected all the same: by the key schema
            errors = list(key_validator.iter_errors(example["key"]))
        if not errors:
            ctx.emit(
                rc.INVALID_EXAMPLE_ACCEPTED.id,
                f"invalid example {name!r} is accepted by the schema "
                f"(it should fail because: {example.get('reason', '?')})",
                source,
                pointer,
            )
            continue
        _check_reason(ctx, source, pointer, name, example, errors)


def _check_key(
    ctx: Context,
    source: SourceFile,
    where: str,
    i: int,
    example: dict[str, Any],
    key: KafkaKey,
    key_validator: jsonschema_rs.Validator | None,
) -> None:
    """An example's ``key``: required (and, for a valid example, valid) when the Kafka key has a
    schema of its own, refused otherwise. An invalid example's key is judged with its payload."""
    name = example.get("name") or example.get("reason") or f"#{i}"
    kind = "example" if where == "/examples" else "invalid example"
    if key.kind != "schema":
        if "key" in example:
            why = (
                f"the Kafka key is the payload property {key.field!r}"
                if key.kind == "property"
                else "the channel declares no Kafka key schema (transports.kafka.key.schema)"
            )
            ctx.emit(
                rc.EXAMPLE_KEY_UNEXPECTED.id,
                f"{kind} {name!r} carries a key, but {why}; remove it",
                source,
                join(where, i, "key"),
                at_key=True,
            )
        return
    if "key" not in example:
        ctx.emit(
            rc.EXAMPLE_KEY_INVALID.id,
            f"{kind} {name!r} has no key; the Kafka key has a schema, so each {kind} carries "
            "its `key`",
            source,
            join(where, i),
        )
        return
    if key_validator is None:
        return
    base = join(where, i, "key")
    for n, error in enumerate(key_validator.iter_errors(example["key"])):
        if n == MAX_ERRORS_PER_EXAMPLE:
            break
        at = from_path(list(error.instance_path))
        ctx.emit(
            rc.EXAMPLE_KEY_INVALID.id,
            f"{kind} {name!r}: its key is rejected at {at or '/'}: {describe(error)}",
            source,
            base + at,
        )


def _check_reason(
    ctx: Context,
    source: SourceFile,
    pointer: str,
    name: str,
    example: dict[str, Any],
    errors: list[jsonschema_rs.ValidationError],
) -> None:
    fails_at, keyword = example.get("fails_at"), example.get("keyword")
    if fails_at is None and keyword is None:
        return
    for error in errors:
        at = from_path(list(error.instance_path))
        path = [str(p) for p in error.schema_path]
        if (fails_at is None or at == fails_at) and (keyword is None or keyword in path[-1:]):
            return
    actual = "; ".join(
        f"{from_path(list(e.instance_path)) or '/'} by {_keyword(e)}: {e.message}"
        for e in errors[:3]
    )
    expected = " ".join(
        x
        for x in (
            f"at {fails_at}" if fails_at is not None else "",
            f"by {keyword}" if keyword else "",
        )
        if x
    )
    ctx.emit(
        rc.INVALID_EXAMPLE_WRONG_REASON.id,
        f"invalid example {name!r} should be rejected {expected}, but is rejected {actual}",
        source,
        pointer,
    )


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _keyword(error: jsonschema_rs.ValidationError) -> str:
    return str(error.schema_path[-1]) if error.schema_path else "?"
