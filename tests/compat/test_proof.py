"""The proof rules on small cases: each proves what it should, and refuses where it would be
unsound (the controls are pairs with a real break, or where a rule's precondition fails)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from opa_contracts.compat import Mode, Verdict, check

OBJ_A = {"type": "object", "properties": {"a": {"type": "string"}}}


def _verdicts(old: Any, new: Any, mode: Mode = Mode.BACKWARD) -> list[tuple[str, Verdict]]:
    result = check(old, new, mode=mode, witness_budget_s=0.05)
    return [(c.change.rule, c.verdict) for c in result.checked]


def _valid(schema: Any, value: Any) -> bool:
    return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value))


IF_K = {"properties": {"k": {"const": 1}}, "required": ["k"]}


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        # then narrowed to what its if already demands
        (
            {"if": IF_K, "then": {"properties": {"k": {"minimum": 0}}}},
            {"if": IF_K, "then": {"properties": {"k": {"minimum": 0, "type": "integer"}}}},
            "implied by context",
        ),
        # else narrowed to a bound the root already demands, more tightly
        (
            {
                "properties": {"n": {"exclusiveMinimum": 10}},
                "if": IF_K,
                "else": {"required": ["n"]},
            },
            {
                "properties": {"n": {"exclusiveMinimum": 10}},
                "if": IF_K,
                "else": {"required": ["n"], "properties": {"n": {"minimum": 5}}},
            },
            "implied by context",
        ),
        # an enum at a property, each value accepted by the new property schema
        (
            {"properties": {"a": {"enum": ["x", "yy"]}}},
            {"properties": {"a": {"enum": ["x", "yy"], "maxLength": 2}}},
            "finite writer set",
        ),
        # an anyOf branch narrowed to numbers, every other type covered
        (
            {"anyOf": [{"minimum": 1}, {"not": {"type": "number"}}]},
            {"anyOf": [{"type": "number", "minimum": 1}, {"not": {"type": "number"}}]},
            "union coverage",
        ),
    ],
)
def test_a_rule_proves_the_change(old: Any, new: Any, rule: str) -> None:
    result = check(old, new, mode=Mode.BACKWARD, witness_budget_s=0.05)
    assert result.checked, "the structure flags the change"
    assert result.verdict is Verdict.COMPATIBLE, [
        (c.change.rule, c.verdict) for c in result.checked
    ]
    assert all((c.proof or "").startswith(rule) for c in result.checked)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # else is taken when the if fails: the if's constraint does not hold there
        (
            {"if": {"properties": {"k": {"type": "integer"}}}, "else": {}},
            {
                "if": {"properties": {"k": {"type": "integer"}}},
                "else": {"properties": {"k": {"type": "integer"}}},
            },
        ),
        # a oneOf branch that widens can match twice
        (
            {"oneOf": [{"type": "string"}, {"not": {"type": "object"}}]},
            {"oneOf": [{"type": ["string", "integer"]}, {"not": {"type": "object"}}]},
        ),
        # branches swapped and one narrowed: paired by index they would look covered
        (
            {"anyOf": [{"not": {"type": "object"}}, {"required": ["a"]}]},
            {"anyOf": [{"type": "object", "required": ["a"]}, {"required": ["b"]}]},
        ),
        # a draft-07 $ref hides its siblings: the const beside it is no finite set
        (
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "definitions": {"any": {}},
                "$ref": "#/definitions/any",
                "const": 1,
            },
            {"$schema": "http://json-schema.org/draft-07/schema#", "const": 1},
        ),
    ],
)
def test_no_rule_proves_a_real_break(old: Any, new: Any) -> None:
    result = check(old, new, mode=Mode.BACKWARD, witness_budget_s=0.25)
    assert result.verdict is not Verdict.COMPATIBLE
    assert not any(c.verdict is Verdict.COMPATIBLE for c in result.checked)
    for item in result.checked:
        if item.witness_found:
            assert _valid(old, item.witness)
            assert not _valid(new, item.witness)


def test_a_narrowing_under_not_is_never_proven_by_context() -> None:
    # under not, a narrowing widens the whole: the context there does not carry over
    old = {"properties": {"a": {"type": "string"}}, "not": {"properties": {"a": {}}}}
    new = {
        "properties": {"a": {"type": "string"}},
        "not": {"properties": {"a": {"type": "string"}}},
    }
    result = check(old, new, mode=Mode.FORWARD, witness_budget_s=0.25)
    assert result.checked
    assert not any(c.verdict is Verdict.COMPATIBLE for c in result.checked)


def test_the_root_finite_set_gives_a_witness_when_a_value_is_lost() -> None:
    old = {"enum": [{"k": "v"}, {"k": 1}]}
    new = {"properties": {"k": {"type": "string"}}}
    result = check(old, new, mode=Mode.BACKWARD)
    assert result.verdict is Verdict.BROKEN
    witnesses = [c.witness for c in result.checked if c.witness_found]
    assert witnesses
    assert witnesses[0] == {"k": 1}
