"""Bad input gives one clear error type; witness search respects its time budget."""

from __future__ import annotations

import time
from typing import Any

import pytest

from opa_contracts.compat import Mode, SchemaCompareError, Verdict, check, compare
from opa_contracts.errors import OpaContractsError

GOOD = {"type": "string"}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ([1, 2], "not a JSON object"),
        ("string", "not a JSON object"),
        ({"$ref": "#"}, "circular"),
        (
            {
                "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
                "$ref": "#/definitions/a",
            },
            "circular",
        ),
        ({"$ref": "https://example.com/schema.json"}, "never fetched"),
        ({"$ref": "#/definitions/missing"}, "cannot be resolved"),
        ({"$ref": "other.json#/x"}, "outside this document"),
        ({"type": "strin"}, "invalid"),
        ({"$schema": "http://example.com/my-dialect"}, "unknown $schema"),
    ],
)
def test_bad_schemas_raise_schema_compare_error(schema: Any, message: str) -> None:
    for old, new in ((schema, GOOD), (GOOD, schema)):
        with pytest.raises(SchemaCompareError, match=message.replace("$", r"\$")):
            compare(old, new)
    assert issubclass(SchemaCompareError, OpaContractsError)


def test_unknown_keywords_are_annotations_as_validators_treat_them() -> None:
    old = {"type": "string", "minLenght": 3, "nullable": True}
    new = {"type": "string", "minLenght": 5}
    changes = compare(old, new)
    assert {c.rule for c in changes} == {"annotation-changed"}
    assert not any(c.breaking for c in changes)


def test_recursion_through_properties_is_fine() -> None:
    tree = {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}}
    assert compare(tree, tree) == []


def test_extension_keywords_are_annotations() -> None:
    changes = compare({"x-owner": "a"}, {"x-owner": "b"})
    assert [c.rule for c in changes] == ["annotation-changed"]


def test_witness_budget_is_reported_when_hit() -> None:
    # Two regexes with the same language: no witness exists, so the search runs dry.
    old = {"type": "object", "properties": {f"p{i}": {"type": "string", "pattern": "^(a|b)+$"}
                                            for i in range(40)}}  # fmt: skip
    new = {"type": "object", "properties": {f"p{i}": {"type": "string", "pattern": "^[ab]+$"}
                                            for i in range(40)}}  # fmt: skip
    started = time.monotonic()
    result = check(old, new, mode=Mode.BACKWARD, witness_budget_s=0.0)
    assert time.monotonic() - started < 2.0
    assert not result.compatible
    assert all(c.verdict is Verdict.UNKNOWN for c in result.incompatible)
    assert any(c.budget_exhausted for c in result.incompatible)
