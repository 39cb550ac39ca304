"""One JSON-type function, agreeing with jsonschema-rs: ``1.0`` is an integer (draft-04 aside).

The docs' field table and the compatibility engine each had their own copy, and disagreed on
``1.0``: the docs called it a "number", the engine an "integer" in every dialect.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import compare
from opa_contracts.compat.node_types import types_of
from opa_contracts.generate.docs.fields import fields, type_of

VALUES: list[Any] = [1.0, -0.0, 1e300, 1, 0, 1.5, True, None, "1", [1], {"a": 1}]
VALIDATORS = {
    vocab.DRAFT4: jsonschema_rs.Draft4Validator,
    vocab.DRAFT6: jsonschema_rs.Draft6Validator,
    vocab.DRAFT7: jsonschema_rs.Draft7Validator,
    vocab.DRAFT2019: jsonschema_rs.Draft201909Validator,
    vocab.DRAFT2020: jsonschema_rs.Draft202012Validator,
}


@pytest.mark.parametrize("dialect", list(VALIDATORS))
def test_json_type_is_the_type_jsonschema_rs_accepts(dialect: str) -> None:
    for value in VALUES:
        accepted = {t for t in vocab.ALL_TYPES if VALIDATORS[dialect]({"type": t}).is_valid(value)}
        got = vocab.json_type(value, dialect)
        # "number" also accepts integers; the most specific type is the value's own
        assert accepted == ({got, "number"} if got == "integer" else {got}), (value, accepted)


def test_one_point_zero_is_an_integer_from_draft_06_on_and_a_number_in_draft_04() -> None:
    assert vocab.json_type(1.0) == "integer"
    assert vocab.json_type(1.0, vocab.DRAFT2020) == "integer"
    assert vocab.json_type(1.0, vocab.DRAFT4) == "number"


@pytest.mark.parametrize("dialect", list(VALIDATORS))
def test_docs_and_engine_agree_on_the_type_of_a_value(dialect: str) -> None:
    for value in VALUES:
        expected = vocab.json_type(value, dialect)
        assert type_of({"const": value}, dialect) == expected
        assert types_of({"const": value}, dialect=dialect) == {expected}


def test_docs_field_table_calls_a_const_one_point_zero_an_integer() -> None:
    schema = {"type": "object", "properties": {"v": {"const": 1.0}, "w": {"enum": [2.0, 3]}}}
    rows = {row.name: row.type for row in fields(schema)}
    assert rows["v"] == "integer"
    assert rows["w"] == "integer"
    draft4 = {"$schema": "http://json-schema.org/draft-04/schema#", **schema}
    rows = {row.name: row.type for row in fields(draft4)}
    assert rows["v"] == "number"
    assert rows["w"] == "integer | number"


def test_engine_ignores_an_enum_value_that_a_draft_04_integer_type_rejects() -> None:
    # jsonschema-rs's draft-04 validator rejects 1.0 under "type": "integer", so dropping it
    # from the enum changes no verdict on any message
    d4 = "http://json-schema.org/draft-04/schema#"
    old = {"$schema": d4, "type": "integer", "enum": [1.0, 2]}
    new = {"$schema": d4, "type": "integer", "enum": [2]}
    assert not jsonschema_rs.Draft4Validator(old).is_valid(1.0)
    assert compare(old, new) == []
    # from draft-06 on 1.0 is an integer, so removing it breaks old messages
    d7 = {"type": "integer", "enum": [1.0, 2]}
    assert jsonschema_rs.Draft7Validator(d7).is_valid(1.0)
    assert [c.rule for c in compare(d7, {"type": "integer", "enum": [2]})] == ["enum-value-removed"]
