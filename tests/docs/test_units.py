"""Units of the docs generator: the field table walk, the diagram, file names, policies."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from opa_contracts.generate.docs import diagram, views
from opa_contracts.generate.docs.fields import Field, fields


def _rows(schema: Any) -> list[tuple[str, str, bool | None, tuple[str, ...]]]:
    return [(f.name, f.type, f.required, f.constraints) for f in fields(schema)]


def test_nested_objects_arrays_and_refs_are_expanded() -> None:
    schema = {
        "type": "object",
        "required": ["id", "lines"],
        "additionalProperties": False,
        "definitions": {
            "money": {"type": "number", "minimum": 0, "description": "An amount"},
            "line": {
                "type": "object",
                "required": ["qty"],
                "properties": {"qty": {"type": "integer", "exclusiveMinimum": 0}},
            },
        },
        "properties": {
            "id": {"type": "string", "format": "uuid", "maxLength": 36, "minLength": 36},
            "total": {"$ref": "#/definitions/money", "description": "The total"},
            "lines": {"type": "array", "items": {"$ref": "#/definitions/line"}, "minItems": 1},
            "pair": {"type": "array", "items": [{"type": "string"}, {"enum": [1, 2]}]},
        },
    }
    assert _rows(schema) == [
        ("(message)", "object", None, ("no other properties",)),
        ("id", "string", True, ("format: uuid", "length: 36–36")),
        ("total", "number", False, ("≥ 0",)),
        ("lines", "array", True, ("items: ≥ 1",)),
        ("lines[]", "object", None, ()),
        ("lines[].qty", "integer", True, ("> 0",)),
        ("pair", "array", False, ()),
        ("pair[0]", "string", None, ()),
        ("pair[1]", "integer", None, ("one of: 1, 2",)),
    ]
    # a description next to a $ref wins over the target's
    assert fields(schema)[2].description == "The total"


def test_all_of_merges_and_one_of_lists_variants() -> None:
    schema = {
        "allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"const": "x"}}},
            {"properties": {"b": {"type": ["string", "null"]}}},
        ],
        "properties": {
            "shape": {
                "oneOf": [
                    {"type": "object", "properties": {"r": {"type": "number"}}},
                    {"type": "object", "properties": {"w": {"type": "number"}}},
                ]
            }
        },
    }
    rows = _rows(schema)
    assert rows[0][:2] == ("shape", "oneOf: object | object")
    assert rows[1] == ("shape.r", "number", False, ("only in oneOf variant 1",))
    assert rows[2] == ("shape.w", "number", False, ("only in oneOf variant 2",))
    assert rows[3:] == [
        ("a", "string", True, ('= "x"',)),
        ("b", "string | null", False, ()),
    ]


def test_recursive_schemas_end() -> None:
    schema = {
        "$ref": "#/definitions/node",
        "definitions": {
            "node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}
                },
            }
        },
    }
    rows = fields(schema)
    assert [r.name for r in rows] == ["children", "children[]"]
    assert rows[-1].constraints == ("recursive: #/definitions/node",)


def test_a_non_object_message_is_one_row() -> None:
    assert fields({"type": "string", "pattern": "^a$"}) == [
        Field("(message)", 0, "string", None, ("pattern: ^a$",), "")
    ]
    assert fields(True) == [Field("(message)", 0, "any", None, (), "")]


def test_diagram_is_well_formed_and_escapes_labels() -> None:
    evil = '<script>alert(1)</script>&"'
    link = diagram.Link(
        diagram.Node("a.b"),
        (diagram.Node(evil),),
        (diagram.Node("x" * 80, muted=True), diagram.Node("opa-reader")),
    )
    svg = diagram.draw([link], evil, href=lambda name: f"channels/{name}.html")
    root = ET.fromstring(svg)  # well-formed XML, so no label closed a tag
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert evil in texts
    assert "x" * 35 + "…" in texts  # long labels shortened, the full one in a <title>
    assert "<script>" not in svg
    assert 'href="channels/a.b.html"' in svg
    assert len(diagram.pages([link] * 81)) == 3


def test_file_names_are_safe_and_unique() -> None:
    names = views.slugs(["a.b", "A.B", "x/../y", "é.z", "a_b"])
    assert names["A.B"] == "A.B"
    assert names["a_b"] == "a_b"
    assert names["a.b"].startswith("a.b-")  # A.B took it on a case-insensitive file system
    assert names["x/../y"].startswith("x_.._y-")
    assert len({n.lower() for n in names.values()}) == 5


def test_policies_in_words() -> None:
    assert views.policies(
        {
            "throughput": {"max": 5, "per": "hour"},
            "latency_target_ms": 20,
            "heartbeat": "1m",
            "x-extra": [1],
        }
    ) == (
        ("throughput", "up to 5 msg/h"),
        ("latency target", "under 20 ms, publish to receive"),
        ("heartbeat", "every 1 min"),
        ("x-extra", "[1]"),
    )


def test_policy_durations_are_written_with_units_as_everywhere_in_the_docs() -> None:
    rows = dict(views.policies({"latency_target_ms": 86_400_000, "heartbeat": 604_800_000}))
    assert rows == {
        "latency target": "under 1 day, publish to receive",
        "heartbeat": "every 7 days",
    }
    rows = dict(views.policies({"latency_target_ms": 2.5, "heartbeat": "500ms"}))
    assert rows == {
        "latency target": "under 2.5 ms, publish to receive",
        "heartbeat": "every 500 ms",
    }
    assert dict(views.policies({"heartbeat": "soon"})) == {"heartbeat": "every soon"}


def test_a_one_of_of_refs_names_each_target_and_lists_its_fields() -> None:
    schema = {
        "$defs": {
            "order": {
                "title": "Order",
                "type": "object",
                "required": ["order_id"],
                "properties": {"order_id": {"type": "string"}},
            },
            "Refund": {"type": "object", "properties": {"amount": {"type": "number"}}},
        },
        "oneOf": [{"$ref": "#/$defs/order"}, {"$ref": "#/$defs/Refund"}, {"type": "null"}],
    }
    assert _rows(schema) == [
        ("(message)", "oneOf: Order | Refund | null", None, ()),
        ("order_id", "string", True, ("only in oneOf variant 1 (Order)",)),
        ("amount", "number", False, ("only in oneOf variant 2 (Refund)",)),
    ]
    nested = {
        "type": "object",
        "definitions": {"a/b": {"type": "integer"}},
        "properties": {"x": {"anyOf": [{"$ref": "#/definitions/a~1b"}, {"$ref": "#"}]}},
    }
    assert _rows(nested)[0][:2] == ("x", "anyOf: a/b | (message)")


def test_a_branch_inside_itself_through_all_of_ends() -> None:
    rows = _rows({"oneOf": [{"allOf": [{"$ref": "#"}]}, {"type": "string"}]})
    assert rows[0][1] == "oneOf: oneOf: … | string | string"


def test_only_fields_named_in_milliseconds_show_durations() -> None:
    schema = {
        "type": "object",
        "properties": {
            "timeout_ms": {"type": "integer", "minimum": 500, "maximum": 86_400_000},
            "retryMs": {"type": "integer", "default": 30_000, "enum": [30_000, 60_000]},
            "window": {"type": "object", "properties": {"size_ms": {"const": 1000}}},
            "count": {"type": "integer", "maximum": 86_400_000},
            "items_ms": {"type": "string", "default": "86400000"},
            "terms": {"type": "integer", "default": 5000},
        },
    }
    assert {name: rules for name, _, _, rules in _rows(schema)} == {
        "timeout_ms": ("≥ 500", "≤ 86400000 (1 day)"),
        "retryMs": ("one of: 30000 (30 s), 60000 (1 min)", "default: 30000 (30 s)"),
        "window": (),
        "window.size_ms": ("= 1000",),  # no declared number type: not guessed
        "count": ("≤ 86400000",),
        "items_ms": ('default: "86400000"',),
        "terms": ("default: 5000",),
    }
