"""Modes and policies: which changes matter, and transitive checks."""

from __future__ import annotations

import pytest

from opa_contracts.compat import Mode, Policy, SchemaCompareError, check, check_transitive, compare

V1 = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 10}}}
V2 = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 5}}}
V3 = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 8}}}


def test_mode_directions_and_parsing() -> None:
    assert Mode.parse("full_transitive") is Mode.FULL_TRANSITIVE
    assert Mode.FULL.directions == {"backward", "forward"}
    assert Mode.BACKWARD_TRANSITIVE.directions == {"backward"}
    assert Mode.FORWARD.directions == {"forward"}
    assert Mode.NONE.directions == frozenset()
    assert Mode.FULL_TRANSITIVE.transitive
    assert not Mode.FULL.transitive
    assert Policy.parse("lenient") is Policy.LENIENT
    with pytest.raises(SchemaCompareError):
        Mode.parse("SIDEWAYS")


def test_backward_forward_full_select_the_relevant_changes() -> None:
    # maxLength 10 -> 5 breaks backward only.
    assert not check(V1, V2, mode=Mode.BACKWARD).compatible
    assert check(V1, V2, mode=Mode.FORWARD).compatible
    assert not check(V1, V2, mode=Mode.FULL).compatible
    assert check(V1, V2, mode=Mode.NONE).compatible
    forward = check(V2, V1, mode=Mode.FORWARD)
    assert not forward.compatible
    assert forward.incompatible[0].witness_direction == "forward"
    assert forward.incompatible[0].writer == "new"


def test_compare_reports_compatible_changes_too() -> None:
    changes = compare(V2, V1)
    assert [(c.rule, c.pointer, c.breaks) for c in changes] == [
        ("max-length-increased", "/properties/a/maxLength", frozenset({"forward"}))
    ]
    assert changes[0].confluent == "MAX_LENGTH_INCREASED"


def test_transitive_checks_every_earlier_version() -> None:
    history = [V1, V2]
    # V3 (maxLength 8) reads V2 data (<=5) but not V1 data (<=10).
    plain = check_transitive(history, V3, Mode.BACKWARD)
    assert plain.compatible
    assert [i for i, _ in plain.results] == [1]
    transitive = check_transitive(history, V3, Mode.BACKWARD_TRANSITIVE)
    assert not transitive.compatible
    assert [i for i, r in transitive.results if not r.compatible] == [0]
    assert check_transitive(history, V3, Mode.NONE).compatible


def test_lenient_policy_relaxes_open_models_only() -> None:
    old = {"additionalProperties": True}
    new = {"additionalProperties": False}
    assert not check(old, new, mode=Mode.BACKWARD).compatible
    assert check(old, new, mode=Mode.BACKWARD, policy=Policy.LENIENT).compatible
    tuple_old = {"type": "array", "prefixItems": [{"type": "string"}], "items": True}
    tuple_new = {"type": "array", "prefixItems": [{"type": "string"}], "items": False}
    assert not check(tuple_old, tuple_new, mode=Mode.BACKWARD, policy=Policy.LENIENT).compatible


def test_compare_with_itself_is_empty_even_when_recursive() -> None:
    schema = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
        "$defs": {"unused": {"type": "string"}},
    }
    assert compare(schema, schema) == []
    changed = {**schema, "required": ["children"]}
    assert [c.rule for c in compare(schema, changed)] == ["required-property-added"]


def test_change_inside_a_ref_is_reported_at_the_referencing_location() -> None:
    old = {"items": {"$ref": "#/definitions/x"}, "definitions": {"x": {"type": "string"}}}
    new = {"items": {"$ref": "#/definitions/x"}, "definitions": {"x": {"type": "number"}}}
    assert [c.pointer for c in compare(old, new)] == ["/items/type"]
    assert (
        compare(
            {"type": "string"},
            {"$ref": "#/definitions/s", "definitions": {"s": {"type": "string"}}},
        )
        == []
    )
