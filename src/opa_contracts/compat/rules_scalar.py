"""Diff rules for annotations, types, enums, bounds and string languages."""

from __future__ import annotations

from opa_contracts.compat.ruledefs import BF, B, F, N, declare

# --- annotations ---------------------------------------------------------------------------
ID_CHANGED = declare(
    "id-changed", N, ("ID_CHANGED",), "The $id changed.", '{"$id":"a"}', '{"$id":"b"}'
)
TITLE_CHANGED = declare(
    "title-changed", N, ("TITLE_CHANGED",), "The title changed.", '{"title":"a"}', '{"title":"b"}'
)
DESCRIPTION_CHANGED = declare(
    "description-changed",
    N,
    ("DESCRIPTION_CHANGED",),
    "The description changed.",
    '{"description":"a"}',
    '{"description":"b"}',
)
DEFAULT_CHANGED = declare(
    "default-changed", N, ("DEFAULT_CHANGED",), "The default changed.", '{"default":1}', "{}"
)
ANNOTATION_CHANGED = declare(
    "annotation-changed",
    N,
    (),
    "Another annotation changed (examples, $comment, deprecated, readOnly, writeOnly, x-*).",
    '{"examples":[1]}',
    '{"examples":[2]}',
)
DIALECT_CHANGED = declare(
    "dialect-changed",
    N,
    (),
    "The $schema dialect changed; both versions are compared with their own semantics.",
    '{"$schema":"http://json-schema.org/draft-07/schema#"}',
    '{"$schema":"https://json-schema.org/draft/2020-12/schema"}',
)
ENCODING_CHANGED = declare(
    "encoding-changed",
    BF,
    (),
    "The payload encoding (the manifest's `encoding`, json or msgpack) changed: readers on either "
    "version cannot parse the other's bytes, whatever the schemas say.",
    '{"encoding":"json"}',
    '{"encoding":"msgpack"}',
    manifest=True,
)
KAFKA_KEY_CHANGED = declare(
    "kafka-key-changed",
    BF,
    (),
    "The Kafka key changed what it is (the manifest's `transports.kafka.key`): a payload property "
    "became a key schema of its own or the reverse, another property, or a key appeared or went: "
    "records land on other partitions, compaction keeps other records, and readers of either "
    "version read the other's keys wrongly. A change inside a key schema is judged like the "
    "payload's, its pointers prefixed `key:`.",
    '{"key":"ticker"}',
    '{"key":{"schema":{"type":"string"}}}',
    manifest=True,
)

# --- whole schemas and types -----------------------------------------------------------------
SCHEMA_SET_TO_FALSE = declare(
    "schema-set-to-false",
    B,
    ("TYPE_CHANGED",),
    "A schema became `false`: nothing is accepted there any more.",
    '{"properties":{"a":{"type":"string"}}}',
    '{"properties":{"a":false}}',
)
SCHEMA_NO_LONGER_FALSE = declare(
    "schema-no-longer-false",
    F,
    (),
    "A `false` schema was replaced: values are now accepted where none were.",
    '{"properties":{"a":false}}',
    '{"properties":{"a":{"type":"string"}}}',
)
TYPE_NARROWED = declare(
    "type-narrowed",
    B,
    ("TYPE_NARROWED",),
    "Fewer JSON types are accepted.",
    '{"type":"number"}',
    '{"type":"integer"}',
)
TYPE_EXTENDED = declare(
    "type-extended",
    F,
    ("TYPE_EXTENDED", "SUM_TYPE_EXTENDED"),
    "More JSON types are accepted.",
    '{"type":"integer"}',
    '{"type":["integer","null"]}',
)
TYPE_CHANGED = declare(
    "type-changed",
    BF,
    ("TYPE_CHANGED",),
    "The accepted JSON types changed with no inclusion either way.",
    '{"type":"string"}',
    '{"type":"number"}',
)
SUBSCHEMA_ADDED = declare(
    "subschema-added",
    B,
    ("SCHEMA_ADDED",),
    "A sub-schema (items, contains, propertyNames, not, then/else...) now constrains values.",
    '{"type":"array"}',
    '{"type":"array","items":{"type":"string"}}',
)
SUBSCHEMA_REMOVED = declare(
    "subschema-removed",
    F,
    ("SCHEMA_REMOVED",),
    "A sub-schema that constrained values was removed.",
    '{"type":"array","items":{"type":"string"}}',
    '{"type":"array"}',
)

# --- enum and const ----------------------------------------------------------------------------
ENUM_VALUE_ADDED = declare(
    "enum-value-added",
    F,
    ("ENUM_ARRAY_EXTENDED",),
    "The enum accepts more values.",
    '{"enum":["a"]}',
    '{"enum":["a","b"]}',
)
ENUM_VALUE_REMOVED = declare(
    "enum-value-removed",
    B,
    ("ENUM_ARRAY_NARROWED",),
    "The enum accepts fewer values.",
    '{"enum":["a","b"]}',
    '{"enum":["a"]}',
)
ENUM_CHANGED = declare(
    "enum-changed",
    BF,
    ("ENUM_ARRAY_CHANGED",),
    "Enum values were both added and removed.",
    '{"enum":["a","b"]}',
    '{"enum":["a","c"]}',
)
CONST_CHANGED = declare(
    "const-changed",
    BF,
    ("ENUM_ARRAY_CHANGED",),
    "The const value changed.",
    '{"const":"red"}',
    '{"const":"blue"}',
)
ENUM_ADDED = declare(
    "enum-added",
    B,
    ("PRODUCT_TYPE_EXTENDED",),
    "An enum or const now restricts the values.",
    '{"type":"string"}',
    '{"type":"string","enum":["a"]}',
)
ENUM_REMOVED = declare(
    "enum-removed",
    F,
    ("PRODUCT_TYPE_NARROWED",),
    "The enum or const restriction was removed.",
    '{"type":"string","enum":["red"]}',
    '{"type":"string"}',
)

# --- bounds ------------------------------------------------------------------------------------
_BOUNDS = (
    ("minLength", "min-length", "lower", "string", 10, 11),
    ("maxLength", "max-length", "upper", "string", 12, 10),
    ("minimum", "minimum", "lower", "number", 10, 11),
    ("maximum", "maximum", "upper", "number", 11, 10),
    ("exclusiveMinimum", "exclusive-minimum", "lower", "number", 10, 11),
    ("exclusiveMaximum", "exclusive-maximum", "upper", "number", 11, 10),
    ("minItems", "min-items", "lower", "array", 1, 2),
    ("maxItems", "max-items", "upper", "array", 2, 1),
    ("minProperties", "min-properties", "lower", "object", 1, 2),
    ("maxProperties", "max-properties", "upper", "object", 2, 1),
    ("minContains", "min-contains", "lower", "array", 2, 3),
    ("maxContains", "max-contains", "upper", "array", 3, 2),
)


def _camel_to_const(keyword: str) -> str:
    return "".join("_" + c if c.isupper() else c.upper() for c in keyword)


def _bound_example(keyword: str, family: str, value: int) -> str:
    extra = ',"contains":{"type":"number"}' if "Contains" in keyword else ""
    return f'{{"type":"{family}","{keyword}":{value}{extra}}}'


for _kw, _slug, _side, _family, _loose, _tight in _BOUNDS:
    _const = _camel_to_const(_kw)
    _tighter = "increased" if _side == "lower" else "decreased"
    _looser = "decreased" if _side == "lower" else "increased"
    declare(
        f"{_slug}-{_tighter}",
        B,
        (f"{_const}_{_tighter.upper()}", f"{_const}_ADDED"),
        f"{_kw} was added or made stricter.",
        _bound_example(_kw, _family, _loose),
        _bound_example(_kw, _family, _tight),
    )
    declare(
        f"{_slug}-{_looser}",
        F,
        (f"{_const}_{_looser.upper()}", f"{_const}_REMOVED"),
        f"{_kw} was removed or relaxed.",
        _bound_example(_kw, _family, _tight),
        _bound_example(_kw, _family, _loose),
    )

MULTIPLE_OF_TIGHTENED = declare(
    "multiple-of-tightened",
    B,
    ("MULTIPLE_OF_EXPANDED", "MULTIPLE_OF_ADDED"),
    "multipleOf was added or became a multiple of the old one.",
    '{"type":"number","multipleOf":2}',
    '{"type":"number","multipleOf":10}',
)
MULTIPLE_OF_RELAXED = declare(
    "multiple-of-relaxed",
    F,
    ("MULTIPLE_OF_REDUCED", "MULTIPLE_OF_REMOVED"),
    "multipleOf was removed or became a divisor of the old one.",
    '{"type":"number","multipleOf":10}',
    '{"type":"number","multipleOf":2}',
)
MULTIPLE_OF_CHANGED = declare(
    "multiple-of-changed",
    BF,
    ("MULTIPLE_OF_CHANGED",),
    "multipleOf changed to a value that neither divides nor is a multiple of the old one.",
    '{"type":"number","multipleOf":10}',
    '{"type":"number","multipleOf":11}',
)
UNIQUE_ITEMS_ADDED = declare(
    "unique-items-added",
    B,
    ("UNIQUE_ITEMS_ADDED",),
    "Array items must now be unique.",
    '{"type":"array"}',
    '{"type":"array","uniqueItems":true}',
)
UNIQUE_ITEMS_REMOVED = declare(
    "unique-items-removed",
    F,
    ("UNIQUE_ITEMS_REMOVED",),
    "Array items need no longer be unique.",
    '{"type":"array","uniqueItems":true}',
    '{"type":"array"}',
)

# --- string languages --------------------------------------------------------------------------
PATTERN_ADDED = declare(
    "pattern-added",
    B,
    ("PATTERN_ADDED",),
    "A pattern now restricts strings.",
    '{"type":"string"}',
    '{"type":"string","pattern":"^[A-Z]+$"}',
)
PATTERN_REMOVED = declare(
    "pattern-removed",
    F,
    ("PATTERN_REMOVED",),
    "The pattern was removed (old data still matches; new data may not match the old pattern).",
    '{"type":"string","pattern":"^[A-Z]+$"}',
    '{"type":"string"}',
)
PATTERN_CHANGED = declare(
    "pattern-changed",
    BF,
    ("PATTERN_CHANGED",),
    "The pattern changed; regex inclusion is not decided, so a witness is searched for.",
    '{"type":"string","pattern":"^[A-Z]{1,5}$"}',
    '{"type":"string","pattern":"^[A-Z]{1,4}$"}',
)
FORMAT_ADDED = declare(
    "format-added",
    B,
    (),
    "A format now restricts strings (asserted by the validators used here).",
    '{"type":"string"}',
    '{"type":"string","format":"date-time"}',
)
FORMAT_REMOVED = declare(
    "format-removed",
    F,
    (),
    "The format was removed.",
    '{"type":"string","format":"date-time"}',
    '{"type":"string"}',
)
FORMAT_CHANGED = declare(
    "format-changed",
    BF,
    (),
    "The format changed.",
    '{"type":"string","format":"date-time"}',
    '{"type":"string","format":"date"}',
)
CONTENT_CHANGED = declare(
    "content-changed",
    BF,
    (),
    "contentEncoding, contentMediaType or contentSchema added (narrows: breaks BACKWARD at most), "
    "removed (relaxes: breaks FORWARD at most) or changed.",
    '{"type":"string"}',
    '{"type":"string","contentEncoding":"base64"}',
)
