"""The places of reads and changes (opa_contracts.reads): schema pointers to message places
through $defs, items and required; overlap with `*`; a witness that breaks a reader's reads."""

from __future__ import annotations

from typing import Any

from opa_contracts import reads

SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["id", "lines"],
    "definitions": {"money": {"type": "number", "minimum": 0}},
    "properties": {
        "id": {"type": "string"},
        "total": {"$ref": "#/definitions/money"},
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["sku"],
                "properties": {"sku": {"type": "string"}, "note": {"type": ["string", "null"]}},
            },
        },
    },
}


def test_schema_pointers_map_to_message_places() -> None:
    place = reads.instance_path
    assert place(SCHEMA, "/properties/lines/items/properties/sku/type") == ("lines", "*", "sku")
    assert place(SCHEMA, "/definitions/money/minimum") == ("total",)  # the one place using it
    assert place(SCHEMA, "/required", None, "total") == ("total",)
    assert place(SCHEMA, "/properties/lines/minItems") == ("lines",)


def test_a_definition_used_in_two_places_touches_every_place() -> None:
    schema = {
        **SCHEMA,
        "properties": {**SCHEMA["properties"], "tax": {"$ref": "#/definitions/money"}},
    }
    assert reads.instance_path(schema, "/definitions/money/minimum") is None
    sub = reads.Subscriber("opa-x", "/subscribers/0", reads=(reads.Read("/id", ""),))
    assert sub.reading(None) == ("/id",)  # an unknown place: every declared read


def test_overlap_is_prefix_either_way_with_wildcards() -> None:
    assert reads.overlaps(("lines", "*", "sku"), ("lines", "3", "sku"))
    assert reads.overlaps(("lines",), ("lines", "*", "sku"))  # above a read
    assert reads.overlaps(("lines", "*", "sku", "x"), ("lines", "*", "sku"))  # within
    assert not reads.overlaps(("lines", "*", "note"), ("lines", "*", "sku"))
    assert reads.overlaps((), ("id",))  # the whole message


def test_locate_reports_optional_and_nullable_steps() -> None:
    note = reads.locate(SCHEMA, ("lines", "*", "note"))
    assert note.optional == "/lines/*/note"
    assert note.nullable == "/lines/*/note"
    sku = reads.locate(SCHEMA, ("lines", "*", "sku"))
    assert (sku.problem, sku.optional, sku.nullable) == ("", "", "")
    assert "no field 'nope'" in reads.locate(SCHEMA, ("nope",)).problem
    assert "/id is a string" in reads.locate(SCHEMA, ("id", "*")).wildcard


def test_a_witness_breaks_only_the_readers_whose_reads_it_is_rejected_at() -> None:
    new = {
        **SCHEMA,
        "properties": {**SCHEMA["properties"], "id": {"type": "string", "maxLength": 2}},
    }
    witness = {"id": "abc", "lines": []}
    id_reader = reads.Subscriber("opa-a", "", reads=(reads.Read("/id", ""),))
    lines_reader = reads.Subscriber("opa-b", "", reads=(reads.Read("/lines/*/sku", ""),))
    everything = reads.Subscriber("dash", "")
    # a change at the root (e.g. the encoding) touches every reader; the witness breaks /id only
    hits = reads.touched([id_reader, lines_reader, everything], (), witness, new, True)
    assert [(h.name, h.witness_breaks) for h in hits] == [
        ("opa-a", True),
        ("opa-b", False),
        ("dash", None),
    ]
    assert [h.label for h in hits] == [
        "opa-a (reads /id)",
        "opa-b (reads /lines/*/sku; this witness is rejected elsewhere)",
        "dash (declares no reads)",
    ]
    # a change at /id touches only the reader of /id (and the one declaring nothing)
    hits = reads.touched([id_reader, lines_reader, everything], ("id",), witness, new, True)
    assert [h.name for h in hits] == ["opa-a", "dash"]
