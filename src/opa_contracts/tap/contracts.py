"""The registry as the tap reads it: compiled versions, transports and declared fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from opa_contracts import dialects
from opa_contracts import pointer as jp
from opa_contracts.generate.contracts import Sources
from opa_contracts.kafka_key import KafkaKey

#: combinators whose branches describe the same instance as their parent
_IN_PLACE = ("allOf", "anyOf", "oneOf", "if", "then", "else")


@dataclass(eq=False)
class Fields:
    """The object members and array items a schema declares at one place of a message: named
    members (``names``), members any name may take (``any_name``: ``additionalProperties`` or
    ``patternProperties`` with a schema, array items) and members matching ``patterns``."""

    names: dict[str, Fields] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], Fields]] = field(default_factory=list)
    any_name: Fields | None = None
    items: Fields | None = None
    #: key layouts already found fully declared here (bounded): the common case costs one lookup
    known: set[tuple[str, ...]] = field(default_factory=set)
    _nested: tuple[str, ...] | None = field(default=None, repr=False)
    _nested_read: bool = field(default=False, repr=False)

    @property
    def structured(self) -> bool:
        """Whether anything below this place is declared (else only its own keys are checked)."""
        return bool(self.names or self.patterns or self.any_name or self.items)

    def nested(self) -> tuple[str, ...] | None:
        """The named members with declared members of their own, when only named members are
        declared here (``None``: any name may hold a structure, look at every value). Read
        once the fields are complete (the tap's loop), then kept."""
        if not self._nested_read:
            self._nested_read = True
            if not self.patterns and self.any_name is None:
                self._nested = tuple(name for name, sub in self.names.items() if sub.structured)
        return self._nested

    def member(self, name: str) -> Fields | None:
        found = self.names.get(name)
        if found is not None:
            return found
        for pattern, sub in self.patterns:
            if pattern.search(name):
                return sub
        return self.any_name


@dataclass
class WireVersion:
    """One version of a channel, compiled."""

    version: str
    encoding: str
    validator: Any


@dataclass
class WireChannel:
    """A registry channel: its versions newest first, where it travels, what it declares."""

    name: str
    versions: list[WireVersion]
    redis: str | None
    kafka_topic: str | None
    key: KafkaKey
    #: the key schema's compiled validator (a key of kind ``schema``)
    key_validator: Any
    fields: Fields

    @property
    def key_field(self) -> str | None:
        """The payload property that is the Kafka key, if the key is one."""
        return self.key.field if self.key.kind == "property" else None

    @property
    def latest(self) -> WireVersion:
        return self.versions[0]

    @property
    def encodings(self) -> tuple[str, ...]:
        """The encodings of its versions, the newest version's first."""
        return tuple(dict.fromkeys(v.encoding for v in self.versions))


@dataclass
class WireContracts:
    """Every channel of a registry, found by registry name, Redis channel or Kafka topic."""

    channels: dict[str, WireChannel]
    by_redis: dict[str, WireChannel]
    by_kafka: dict[str, WireChannel]

    @classmethod
    def build(cls, sources: Sources) -> WireContracts:
        channels: dict[str, WireChannel] = {}
        for channel in sources.channels:
            versions = []
            fields = Fields()
            for contract in reversed(channel.versions):
                schema = contract.schema
                validator = dialects.compile_schema(schema, contract.dialect)
                versions.append(WireVersion(contract.version, contract.encoding, validator))
                _Declarer(schema).declare(schema, fields)
            newest = channel.latest
            redis = newest.transports.get("redis")
            kafka = newest.transports.get("kafka")
            key = newest.key
            key_validator = None
            if key.kind == "schema":
                own = isinstance(key.schema, dict) and "$schema" in key.schema
                found = dialects.identify(key.schema) if own else newest.dialect
                dialect = found if isinstance(found, dialects.Dialect) else newest.dialect
                key_validator = dialects.compile_schema(key.schema, dialect)
            channels[channel.name] = WireChannel(
                channel.name,
                versions,
                _str(redis.get("channel")) if isinstance(redis, Mapping) else None,
                _str(kafka.get("topic")) if isinstance(kafka, Mapping) else None,
                key,
                key_validator,
                fields,
            )
        return cls(
            channels,
            {c.redis: c for c in channels.values() if c.redis},
            {c.kafka_topic: c for c in channels.values() if c.kafka_topic},
        )

    def pick(self, names: Iterable[str], transport: str) -> list[WireChannel]:
        """The channels named (by registry name, or by their Redis channel / Kafka topic), in
        order; ``KeyError`` names the first unknown one."""
        index = self.by_redis if transport == "redis" else self.by_kafka
        picked = []
        for name in names:
            found = self.channels.get(name) or index.get(name)
            if found is None:
                raise KeyError(name)
            picked.append(found)
        return picked


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class _Declarer:
    """Reads what a schema declares into :class:`Fields`, following its local ``$ref``s.

    A member whose schema refers to a definition gets that definition's one ``Fields``, filled
    once: a recursive type (a tree) then declares the same members at every depth."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.by_ref: dict[str, Fields] = {}
        self.active: set[tuple[str, int]] = set()

    def declare(self, schema: Any, into: Fields) -> None:
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and (ref, id(into)) not in self.active:
            try:
                target = jp.resolve(self.root, unquote(ref[1:]))
            except LookupError:
                target = None
            self.active.add((ref, id(into)))
            self.declare(target, into)
        for keyword in _IN_PLACE:
            value = schema.get(keyword)
            for branch in value if isinstance(value, list) else [value]:
                self.declare(branch, into)
        for keyword in ("dependentSchemas", "dependencies"):
            value = schema.get(keyword)
            for branch in value.values() if isinstance(value, dict) else ():
                self.declare(branch, into)
        properties = schema.get("properties")
        for name, sub in properties.items() if isinstance(properties, dict) else ():
            into.names[name] = self.member(sub, into.names.get(name))
        patterns = schema.get("patternProperties")
        for text, sub in patterns.items() if isinstance(patterns, dict) else ():
            try:
                compiled = re.compile(text)
            except re.error:
                continue
            into.patterns.append((compiled, self.member(sub, None)))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            into.any_name = self.member(extra, into.any_name)
        for keyword in ("items", "additionalItems", "prefixItems", "contains"):
            value = schema.get(keyword)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    into.items = self.member(item, into.items)

    def member(self, schema: Any, have: Fields | None) -> Fields:
        """The ``Fields`` of a member declared by ``schema`` (merged into ``have``, if any)."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if have is None and isinstance(ref, str) and len(schema) == 1:
            shared = self.by_ref.get(ref)
            if shared is None:
                shared = self.by_ref[ref] = Fields()
                self.declare(schema, shared)
            return shared
        into = have if have is not None else Fields()
        self.declare(schema, into)
        return into
