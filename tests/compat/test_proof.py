"""The proof rules on small cases: each proves what it should, and refuses where it would be
unsound (the controls are pairs with a real break, or where a rule's precondition fails)."""

from __future__ import annotations

import importlib
import re
from typing import Any

import jsonschema_rs
import pytest

from opa_contracts.compat import Mode, Verdict, check
from opa_contracts.compat.proof_shapes import finite_pattern, pattern_length_set
from opa_contracts.compat.regex_subsume import pattern_within

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


D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D2020 = "https://json-schema.org/draft/2020-12/schema"
INT_OR_BOOL = {"anyOf": [{"type": "integer"}, {"type": "boolean"}]}
NUM_OR_BOOL = {"anyOf": [{"type": "number"}, {"type": "boolean"}]}
IMPLIED, FINITE, REGIONS = "implied by context", "finite writer set", "region containment"
CLOSED_M = {
    "type": "object",
    "properties": {"m": {"enum": [1, 2]}},
    "required": ["m"],
    "additionalProperties": False,
}

# (dialect, old, new, mode, the rule that proves it, a near miss: (old, new) it must not prove)
_SHAPES: list[tuple[str, Any, Any, Mode, str, tuple[Any, Any]]] = [
    # a closed object of finite properties is a finite writer set
    (
        D7,
        CLOSED_M,
        {"type": "object", "properties": {"m": {"type": "integer", "minimum": 1}}},
        Mode.BACKWARD,
        FINITE,
        (
            {k: v for k, v in CLOSED_M.items() if k != "additionalProperties"},
            {**CLOSED_M, "properties": {"m": {"type": "integer"}}},
        ),
    ),
    # on integers, exclusiveMinimum 2.5 is minimum 3
    (
        D7,
        {"type": "integer", "exclusiveMinimum": 2.5},
        {"type": "integer", "minimum": 3},
        Mode.BACKWARD,
        IMPLIED,
        ({"type": "number", "exclusiveMinimum": 2}, {"type": "number", "minimum": 3}),
    ),
    # multipleOf 1 holds for every integer, and makes a number an integer after draft-04
    (
        D7,
        {"type": "integer", "minimum": 0},
        {"type": "number", "multipleOf": 1, "minimum": 0},
        Mode.FULL,
        IMPLIED,
        ({"type": "integer"}, {"type": "number", "multipleOf": 2}),
    ),
    # contentEncoding is an annotation from 2019-09 on (asserted in draft-07: the near miss)
    (
        D2019,
        {"type": "string"},
        {"type": "string", "contentEncoding": "base64"},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"$schema": D7, "type": "string"},
            {"$schema": D7, "type": "string", "contentEncoding": "base64"},
        ),
    ),
    # contains demands an item (a draft-04 validator ignores contains: the near miss)
    (
        D7,
        {"type": "array", "contains": {"type": "string"}},
        {"type": "array", "contains": {"type": "string"}, "minItems": 1},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"$schema": D4, "type": "array", "contains": {"type": "string"}},
            {"$schema": D4, "type": "array", "contains": {"type": "string"}, "minItems": 1},
        ),
    ),
    # two required names make two properties, not three
    (
        D7,
        {"type": "object", "required": ["a", "b"]},
        {"type": "object", "required": ["a", "b"], "minProperties": 2},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "object", "required": ["a", "b"]},
            {"type": "object", "required": ["a", "b"], "minProperties": 3},
        ),
    ),
    # a closed one-item tuple has unique items; a two-item bound has not
    (
        D7,
        {"type": "array", "items": [{}], "additionalItems": False},
        {"type": "array", "items": [{}], "additionalItems": False, "uniqueItems": True},
        Mode.BACKWARD,
        IMPLIED,
        ({"type": "array", "maxItems": 2}, {"type": "array", "maxItems": 2, "uniqueItems": True}),
    ),
    # a closed object's names all pass the new propertyNames
    (
        D7,
        {"type": "object", "properties": {"a": {}, "b": {}}, "additionalProperties": False},
        {
            "type": "object",
            "properties": {"a": {}, "b": {}},
            "additionalProperties": False,
            "propertyNames": {"maxLength": 1},
        },
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "object", "properties": {"a": {}, "bb": {}}, "additionalProperties": False},
            {
                "type": "object",
                "properties": {"a": {}, "bb": {}},
                "additionalProperties": False,
                "propertyNames": {"maxLength": 1},
            },
        ),
    ),
    # a dependent schema the writer's required names already satisfy
    (
        D2020,
        {"type": "object", "required": ["a", "b"]},
        {"type": "object", "required": ["a", "b"], "dependentSchemas": {"a": {"required": ["b"]}}},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "object", "required": ["a"]},
            {"type": "object", "required": ["a"], "dependentSchemas": {"a": {"required": ["b"]}}},
        ),
    ),
    # not of a type the instance cannot have
    (
        D7,
        {"type": "object", "required": ["a"]},
        {"type": "object", "required": ["a"], "not": {"type": "string"}},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "object"},
            {"type": "object", "not": {"type": "object", "required": ["x"]}},
        ),
    ),
    # not: {not: X} is X; not: {not: X, type: T} is not
    (
        D7,
        {"not": {"not": {"type": "string"}}},
        {"type": "string"},
        Mode.FULL,
        IMPLIED,
        ({"not": {"not": {"type": "string"}, "type": "string"}}, {"type": "string"}),
    ),
    # required in both branches of a conditional; in one only (the near miss) it is not
    (
        D7,
        {"type": "object", "required": ["a"]},
        {
            "type": "object",
            "if": {"required": ["b"]},
            "then": {"required": ["a"]},
            "else": {"required": ["a"]},
        },
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "object", "required": ["a"]},
            {
                "type": "object",
                "if": {"required": ["b"]},
                "then": {"required": ["a"]},
                "else": {"required": ["c"]},
            },
        ),
    ),
    # items false after the prefix, when the writer's arrays are no longer than the prefix
    (
        D2020,
        {"type": "array", "maxItems": 1},
        {"type": "array", "prefixItems": [{}], "items": False},
        Mode.BACKWARD,
        IMPLIED,
        ({"type": "array", "maxItems": 2}, {"type": "array", "prefixItems": [{}], "items": False}),
    ),
    # a pattern matching every name leaves additionalProperties nothing to judge
    (
        D7,
        {"type": "object"},
        {"type": "object", "patternProperties": {"": {}}, "additionalProperties": False},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "object"},
            {"type": "object", "patternProperties": {"^a": {}}, "additionalProperties": False},
        ),
    ),
    # contains with minContains 0 asserts nothing; with minContains 1 it does
    (
        D2020,
        {"type": "array"},
        {"type": "array", "contains": {"type": "string"}, "minContains": 0},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "array"},
            {"type": "array", "contains": {"type": "string"}, "minContains": 1},
        ),
    ),
    # the writer's conditional with its condition negated and its branches swapped
    (
        D7,
        {"if": {"required": ["k"]}, "then": {"required": ["x"]}, "else": {"required": ["y"]}},
        {
            "if": {"not": {"required": ["k"]}},
            "then": {"required": ["y"]},
            "else": {"required": ["x"]},
        },
        Mode.FULL,
        IMPLIED,
        (
            {"if": {"required": ["k"]}, "then": {"required": ["x"]}, "else": {"required": ["y"]}},
            {"if": {"not": {"required": ["k"]}}, "then": {"required": ["x"]}},
        ),
    ),
    # a narrower condition (it implies the writer's) with the same then
    (
        D7,
        {"type": "object", "if": {"required": ["k"]}, "then": {"required": ["x"]}},
        {
            "type": "object",
            "if": {"required": ["k"], "properties": {"k": {"const": 1}}},
            "then": {"required": ["x"]},
        },
        Mode.BACKWARD,
        IMPLIED,
        (
            {
                "type": "object",
                "if": {"required": ["k"], "properties": {"k": {"const": 1}}},
                "then": {"required": ["x"]},
            },
            {"type": "object", "if": {"required": ["k"]}, "then": {"required": ["x"]}},
        ),
    ),
    # a name both branches require is required
    (
        D7,
        {
            "type": "object",
            "if": {"required": ["b"]},
            "then": {"required": ["a", "b"]},
            "else": {"required": ["a"]},
        },
        {"type": "object", "required": ["a"]},
        Mode.BACKWARD,
        IMPLIED,
        (
            {
                "type": "object",
                "if": {"required": ["b"]},
                "then": {"required": ["a", "b"]},
                "else": {"required": ["c"]},
            },
            {"type": "object", "required": ["a"]},
        ),
    ),
    # an anchored regex of literals and small sets is a finite writer set
    (
        D7,
        {"enum": ["x1", "y1"]},
        {"type": "string", "pattern": "^[xy]1$"},
        Mode.FORWARD,
        FINITE,
        ({"enum": ["x1", "y1"]}, {"type": "string", "pattern": "^[xy]1"}),
    ),
    # a pattern anchored at both ends bounds the length (in code points, as "." matches one)
    (
        D7,
        {"type": "string", "pattern": "^[a-z]{2}.?$"},
        {"type": "string", "pattern": "^[a-z]{2}.?$", "maxLength": 3, "minLength": 2},
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "string", "pattern": "^[a-z]{2}.?"},
            {"type": "string", "pattern": "^[a-z]{2}.?", "maxLength": 3},
        ),
    ),
    # regions: a oneOf branch widened, the branches still disjoint (exactly one still matches)
    (
        D7,
        {"oneOf": [{"type": "string", "maxLength": 2}, {"type": "string", "minLength": 5}]},
        {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "string", "minLength": 5}]},
        Mode.BACKWARD,
        REGIONS,
        (
            {"oneOf": [{"type": "string", "maxLength": 2}, {"type": "string", "minLength": 5}]},
            {"oneOf": [{"type": "string", "maxLength": 5}, {"type": "string", "minLength": 5}]},
        ),
    ),
    # regions: the intersection of two unions unchanged though one union widened
    (
        D2020,
        {"allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, INT_OR_BOOL]},
        {"allOf": [{"anyOf": [{"type": "number"}, {"type": "string"}]}, INT_OR_BOOL]},
        Mode.FORWARD,
        REGIONS,
        (
            {"allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, NUM_OR_BOOL]},
            {"allOf": [{"anyOf": [{"type": "number"}, {"type": "string"}]}, NUM_OR_BOOL]},
        ),
    ),
    # regions: a oneOf branch narrowed where a sibling anyOf branch takes the values it lost
    (
        D2020,
        {"anyOf": [{"oneOf": [{"type": "integer"}, {"type": "null"}]}, {"maximum": 0}]},
        {
            "anyOf": [
                {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
                {"maximum": 0},
            ]
        },
        Mode.BACKWARD,
        REGIONS,
        (
            {"anyOf": [{"oneOf": [{"type": "integer"}, {"type": "null"}]}, {"maximum": -1}]},
            {
                "anyOf": [
                    {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
                    {"maximum": -1},
                ]
            },
        ),
    ),
    # regions: a pattern that only counts characters is a length bound, in code points
    (
        D2020,
        {"type": "string", "minLength": 2},
        {"type": "string", "pattern": "^[\\s\\S]{2}"},
        Mode.BACKWARD,
        REGIONS,
        ({"type": "string", "minLength": 2}, {"type": "string", "pattern": "^[\\s\\S]{3}"}),
    ),
    # regions: not and if/then/else read exactly over types and bounds
    (
        D7,
        {"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}},
        {"anyOf": [{"type": "string"}, {"not": {"type": "integer", "maximum": -1}}]},
        Mode.BACKWARD,
        REGIONS,
        (
            {"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}},
            {"anyOf": [{"type": "string"}, {"not": {"type": "integer", "maximum": 0}}]},
        ),
    ),
    # \\d is [0-9] in the validator: rewriting one as the other loses nothing
    (
        D7,
        {"type": "string", "pattern": "^\\d+$"},
        {"type": "string", "pattern": "^[0-9]+$"},
        Mode.BACKWARD,
        IMPLIED,
        ({"type": "string", "pattern": "^\\d+$"}, {"type": "string", "pattern": "^[1-9]+$"}),
    ),
    # unevaluatedProperties false: a closed object gains a name through a new allOf member
    (
        D2020,
        {"type": "object", "allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False},
        {
            "type": "object",
            "allOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}],
            "unevaluatedProperties": False,
        },
        Mode.BACKWARD,
        IMPLIED,
        (
            {"type": "object", "properties": {"a": {}, "c": {}}, "additionalProperties": False},
            {
                "type": "object",
                "allOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}],
                "unevaluatedProperties": False,
            },
        ),
    ),
]


def test_finite_patterns_are_only_the_ones_whose_language_is_read_exactly() -> None:
    assert finite_pattern("^(ab|cd)$", 256) == ["ab", "cd"]
    assert finite_pattern("^[a-b]{1,2}x?$", 256) == sorted(
        a + b + x for a in "ab" for b in ("", "a", "b") for x in ("", "x")
    )
    # \d is ASCII under the validator (test_digit_and_word_classes_are_ascii_in_the_validator)
    assert finite_pattern("^\\d$", 256) == list("0123456789")
    # unanchored, open repeats, Unicode classes, any-character, inline flags, too many strings
    for pattern in ("(ab|cd)$", "^ab", "^a+$", "^\\s$", "^a.$", "(?i)^ab$", "^[a-z]{8}$"):
        assert finite_pattern(pattern, 256) is None, pattern


def _dialect(schema: Any, uri: str) -> Any:
    return {"$schema": uri, **schema} if isinstance(schema, dict) else schema


@pytest.mark.parametrize(
    ("dialect", "old", "new", "mode", "rule", "near_miss"),
    _SHAPES,
    ids=[f"{i}-{case[4].split()[0]}" for i, case in enumerate(_SHAPES)],
)
def test_issue_12_rules_prove_and_refuse_their_near_miss(
    dialect: str, old: Any, new: Any, mode: Mode, rule: str, near_miss: tuple[Any, Any]
) -> None:
    old, new = _dialect(old, dialect), _dialect(new, dialect)
    result = check(old, new, mode=mode, witness_budget_s=0.05)
    assert result.checked, "the structure flags the change"
    assert result.verdict is Verdict.COMPATIBLE, [
        (c.change.rule, c.verdict) for c in result.checked
    ]
    assert any(rule in (c.proof or "") for c in result.checked)
    miss_old, miss_new = (_dialect(s, dialect) for s in near_miss)
    missed = check(miss_old, miss_new, mode=mode, witness_budget_s=0.25)
    assert missed.verdict is not Verdict.COMPATIBLE
    witnesses = [c for c in missed.checked if c.witness_found]
    assert witnesses, "each near miss is a real break, witnessed"
    for item in witnesses:
        writer, reader = (
            (miss_old, miss_new) if item.witness_direction == "backward" else (miss_new, miss_old)
        )
        assert _valid(writer, item.witness)
        assert not _valid(reader, item.witness)


@pytest.mark.parametrize(
    ("narrow", "wide", "within"),
    [
        ("^[a-z]{2}$", "^[a-z]{2,3}$", True),  # a repeat range widened
        ("^[a-z]{2,3}$", "^[a-z]{2}$", False),
        ("^[0-9]+$", "^\\d+$", True),  # \d holds 0-9 under every reading
        ("^\\d+$", "^[0-9]+$", True),  # \d is ASCII in the validator, as in ECMA-262
        ("^\\w+$", "^[0-9a-zA-Z_]+$", True),
        ("^\\s+$", "^[ \\t\\n\\r\\f\\v]+$", False),  # \s is Unicode there (NBSP...)
        ("^\\D+$", "^[^0-9]+$", False),  # not shown: negated classes are not read
        # beside a backreference the validator's \d is Unicode: not read as [0-9] there
        ("^(\\d)\\1$", "^([0-9])\\1$", False),
        ("^(?=.)\\d$", "^(?=.)[0-9]$", False),  # nor beside a lookaround
        ("^[a-z]*$", "^[a-zA-Z]*$", True),
        ("^ab", "ab", True),  # an anchor dropped
        ("ab", "^ab", False),
        ("^ab$", "^a.$", True),
        ("^a\n$", "^a.$", False),  # "." refuses a newline
        ("(?i)^a$", "^a$", False),  # inline flags are not read
        ("^(a|b)$", "^(a|b|c)$", True),
        ("^[^a]$", "^[^ab]$", False),
    ],
)
def test_pattern_within_is_structural_and_conservative(
    narrow: str, wide: str, within: bool
) -> None:
    assert pattern_within(narrow, wide) is within
    if within:  # the proof holds on a few strings too
        for sample in ("ab", "a", "abc", "09", "A", "a\n", "b"):
            if re.search(narrow, sample) and "\n" not in sample:
                assert re.search(wide, sample), (narrow, wide, sample)


def test_digit_and_word_classes_are_ascii_in_the_validator() -> None:
    """regex_subsume reads \\d as [0-9] and \\w as [0-9A-Za-z_], as jsonschema-rs does (the
    ECMA-262 reading) in a pattern without backreferences or lookarounds; \\s it leaves unread,
    since the validator's is Unicode."""
    import jsonschema_rs

    arabic_digits, accented, nbsp = "\u0661\u0662", "\u00e9", "\u00a0"
    assert jsonschema_rs.is_valid({"pattern": "^\\d+$"}, "12")
    assert not jsonschema_rs.is_valid({"pattern": "^\\d+$"}, arabic_digits)
    assert not jsonschema_rs.is_valid({"pattern": "^\\w+$"}, accented)
    assert jsonschema_rs.is_valid({"pattern": "^\\s$"}, nbsp)
    # a backreference takes the pattern to another engine, whose \\d is Unicode
    assert jsonschema_rs.is_valid({"pattern": "^(\\d)\\1$"}, "\u0661\u0661")


def test_the_proof_cache_lives_for_one_check_only() -> None:
    """What the prover remembers (which subschemas hold a $ref, the regions) belongs to one
    check: once it returns, no cache and no remembered schema node is left behind."""
    import gc

    from opa_contracts.compat.proof import ProofCache

    marker = {"type": "string", "minLength": 2, "x-marker": "proof-cache"}
    old = {"anyOf": [{"$ref": "#/$defs/a"}, marker], "$defs": {"a": {"type": "integer"}}}
    new = {"anyOf": [{"$ref": "#/$defs/a"}, {**marker, "minLength": 3}], "$defs": old["$defs"]}
    result = check(old, new, mode=Mode.BACKWARD, witness_budget_s=0.05)
    assert result.checked  # the prover ran
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, ProofCache)]
    assert not hasattr(importlib.import_module("opa_contracts.compat.proof"), "_REF_MEMO")


@pytest.mark.parametrize(
    ("pattern", "lengths"),
    [
        ("^[\\s\\S]{2}", (2, None)),
        ("^[\\s\\S]{1,3}$", (1, 3)),
        ("[\\d\\D][\\w\\W]?$", (1, None)),  # not anchored at the start: no upper bound
        ("^[\\s\\S]*$", (0, None)),
        ("^.{2}", None),  # "." refuses line feeds
        ("^([\\s\\S]{2})+$", None),  # lengths 2, 4, 6...: not an interval
        ("^[\\s\\d]{2}", None),
    ],
)
def test_a_pattern_that_only_counts_characters_is_a_length_set(
    pattern: str, lengths: tuple[int, int | None] | None
) -> None:
    assert pattern_length_set(pattern) == lengths
