"""The Kafka message key a manifest declares (``transports.kafka.key``), read the same way by
every verb.

Three forms:

- ``key: null`` or no ``key``: messages carry no key;
- ``key: ticker``: the key is the payload's top-level property ``ticker`` (its text; an integer
  as its decimal digits);
- ``key: {schema: ..., description: ...}``: the key is a contract of its own, a JSON Schema in the
  payload's dialect (``schema: string`` is short for ``{type: string}``, likewise ``integer``,
  ``number`` and ``boolean``). Each example then carries its ``key``. On the wire a key whose
  schema's ``type`` is ``string`` (at its root, or where the root's ``$ref`` leads) is its raw
  UTF-8 text; any other key is compact JSON (``{"a":1}``, ``42``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from opa_contracts import pointer as jp

#: Where the key lives in a manifest, and its schema.
KEY_POINTER = "/transports/kafka/key"
SCHEMA_POINTER = KEY_POINTER + "/schema"
#: Type names ``key.schema`` may give instead of a schema.
PRIMITIVES = ("string", "integer", "number", "boolean")
#: The prefix of a key schema's pointers in ``diff`` (``key:/pattern``), beside the payload's.
DIFF_PREFIX = "key:"
#: How many ``$ref`` hops are followed to find the key's type.
_MAX_REFS = 32

KeyKind = Literal["none", "property", "schema"]


@dataclass(frozen=True)
class KafkaKey:
    """The key of a channel version's Kafka messages."""

    kind: KeyKind = "none"
    field: str | None = None
    """The payload property that is the key (kind ``property``)."""
    schema: Any = None
    """The key's own JSON Schema (kind ``schema``; a shorthand made a schema)."""
    description: str = ""

    @property
    def encoding(self) -> Literal["string", "json"]:
        """How the key travels: ``string`` (raw UTF-8) or ``json`` (compact JSON)."""
        if self.kind == "schema":
            return "string" if string_typed(self.schema) else "json"
        return "string"

    def describe(self) -> str:
        """The key in words: ``no key``, ``property 'ticker'``, ``its own schema``."""
        if self.kind == "property":
            return f"the payload property {self.field!r}"
        if self.kind == "schema":
            return "a key schema of its own"
        return "no key"


NO_KEY = KafkaKey()


def key_of(manifest: Mapping[str, Any]) -> KafkaKey:
    """The Kafka key ``manifest`` declares (:data:`NO_KEY` when none, or no Kafka transport)."""
    transports = manifest.get("transports")
    kafka = transports.get("kafka") if isinstance(transports, Mapping) else None
    value = kafka.get("key") if isinstance(kafka, Mapping) else None
    if isinstance(value, str):
        return KafkaKey("property", field=value)
    if isinstance(value, Mapping) and "schema" in value:
        schema = value["schema"]
        if isinstance(schema, str) and schema in PRIMITIVES:
            schema = {"type": schema}
        description = value.get("description")
        return KafkaKey(
            "schema",
            schema=schema,
            description=description if isinstance(description, str) else "",
        )
    return NO_KEY


def string_typed(schema: Any) -> bool:
    """Whether a key schema's ``type`` is ``string`` (the key travels as raw UTF-8), following
    the root's local ``$ref`` (a bundled schema's shared key type is under ``$defs``)."""
    node, seen = schema, 0
    while isinstance(node, Mapping) and "type" not in node and seen < _MAX_REFS:
        ref = node.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#")):
            break
        try:
            node = jp.resolve(schema, unquote(ref[1:]))
        except LookupError:
            return False
        seen += 1
    if not isinstance(node, Mapping):
        return False
    kind = node.get("type")
    return kind == "string" or kind == ["string"]
