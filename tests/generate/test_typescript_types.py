"""The TypeScript types written from JSON Schemas: shapes, literals, references, safe text."""

from __future__ import annotations

import pytest

from opa_contracts.generate.typescript.types import TypeWriter, comment, identifier, literal


def test_an_object_with_every_construct() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["id", "kind"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "kind": {"enum": ["a", "b", 3, None]},
            "tag": {"const": "x"},
            "maybe": {"type": ["string", "null"]},
            "list": {"type": "array", "items": {"$ref": "#/$defs/money"}},
            "either": {"anyOf": [{"type": "string"}, {"type": "number"}]},
            "both": {"allOf": [{"$ref": "#/$defs/money"}, {"type": "object"}]},
            "map": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "free": {},
        },
        "$defs": {"money": {"type": "number", "description": "an amount"}},
    }
    text = TypeWriter(schema, "ShopV1").declarations()
    assert 'readonly "id": number;' in text
    assert 'readonly "kind": "a" | "b" | 3 | null;' in text
    assert 'readonly "tag"?: "x";' in text
    assert 'readonly "maybe"?: string | null;' in text
    assert 'readonly "list"?: ReadonlyArray<ShopV1Money>;' in text
    assert 'readonly "either"?: (string | number);' in text
    assert 'readonly "both"?: ShopV1Money & { readonly [key: string]: unknown };' in text
    assert 'readonly "map"?: { readonly [key: string]: boolean };' in text
    assert 'readonly "free"?: unknown;' in text
    assert "export type ShopV1Money = number;" in text
    assert "Checked by decode/encode, not by the type: minimum: 1" in text
    assert "any;" not in text


def test_text_from_contracts_cannot_leave_its_place() -> None:
    assert comment(["*/ alert(1) /*"], "") == "/**\n * *\\/ alert(1) /*\n */\n"
    assert literal("`${x}`\u2028") == '"`${x}`\\u2028"'
    assert literal(10**20) == "number"  # no literal TypeScript would read back as another number
    assert literal({"a": 1}) == "unknown"
    with pytest.raises(ValueError, match="not a safe TypeScript name"):
        identifier("Record")
    with pytest.raises(ValueError, match="not a safe TypeScript name"):
        identifier("a-b")
