"""Boolean schemas in every place a subschema may stand, in two dialects: each pair of
``true``/``false``/``{}``/``{"not": {}}`` is compared without error, every witness is confirmed by
jsonschema-rs, and no probe value that separates the two schemas goes unreported."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema_rs
import pytest

from opa_contracts.compat import Mode, check
from opa_contracts.compat.model import BACKWARD, FORWARD
from opa_contracts.compat.resolve import Document

DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"
VALUES: list[Any] = [True, False, {}, {"not": {}}]
PROBES: list[Any] = [None, 0, "", "s", True, [], [1], [1, 2], {}, {"a": 1}, {"x": 1}]
PROBES.append({"a": 1, "b": 2})


def places(b: Any, dialect: str) -> dict[str, Any]:
    defs = "$defs" if dialect == DRAFT2020 else "definitions"
    common = {
        "property": {"type": "object", "properties": {"a": b}},
        "items": {"type": "array", "items": b},
        "additionalProperties": {"type": "object", "additionalProperties": b},
        "patternProperties": {"type": "object", "patternProperties": {"^x": b}},
        "allOf": {"allOf": [b]},
        "anyOf": {"anyOf": [b, {"type": "string"}]},
        "oneOf": {"oneOf": [b, {"type": "string"}]},
        "not": {"not": b},
        "then": {"if": {"type": "string"}, "then": b},
        "else": {"if": {"type": "string"}, "else": b},
        "contains": {"type": "array", "contains": b},
        "propertyNames": {"type": "object", "propertyNames": b},
        "ref": {"$ref": f"#/{defs}/x", defs: {"x": b}},
    }
    if dialect == DRAFT2020:
        return common | {
            "prefixItems": {"type": "array", "prefixItems": [b]},
            "dependentSchemas": {"type": "object", "dependentSchemas": {"a": b}},
            "unevaluatedProperties": {"type": "object", "unevaluatedProperties": b},
        }
    return common | {
        "tuple": {"type": "array", "items": [b]},
        "additionalItems": {"type": "array", "items": [True], "additionalItems": b},
        "dependencies": {"type": "object", "dependencies": {"a": b}},
    }


def validator(schema: Any) -> Any:
    doc = Document(schema, "x")
    return jsonschema_rs.validator_for(doc.validation_schema, offline=True)


@pytest.mark.parametrize("dialect", [DRAFT7, DRAFT2020])
def test_boolean_subschemas_everywhere(dialect: str) -> None:
    checked = 0
    for a, b in itertools.product(VALUES, VALUES):
        olds, news = places(a, dialect), places(b, dialect)
        for place in olds:
            old = {"$schema": dialect, **olds[place]}
            new = {"$schema": dialect, **news[place]}
            result = check(old, new, mode=Mode.FULL)
            vo, vn = validator(old), validator(new)
            for item in result.incompatible:
                if item.witness_found:
                    writer, reader = (vo, vn) if item.witness_direction == BACKWARD else (vn, vo)
                    assert writer.is_valid(item.witness), (place, a, b, item)
                    assert not reader.is_valid(item.witness), (place, a, b, item)
            claimed = {d for item in result.incompatible for d in item.change.breaks}
            for probe in PROBES:
                if vo.is_valid(probe) and not vn.is_valid(probe):
                    assert BACKWARD in claimed, (place, a, b, probe)
                if vn.is_valid(probe) and not vo.is_valid(probe):
                    assert FORWARD in claimed, (place, a, b, probe)
            checked += 1
    assert checked == 16 * len(places(True, dialect))


@pytest.mark.parametrize(
    ("old", "new"), [(True, {}), ({}, True), (False, {"not": {}}), ({"not": True}, False)]
)
def test_equivalent_spellings_are_no_change(old: Any, new: Any) -> None:
    assert check(old, new, mode=Mode.FULL).changes == ()
