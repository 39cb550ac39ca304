"""The JSON Schema vocabulary: dialects, keywords grouped by what they do, and JSON types.

Pure data and small pure functions that import nothing of the project: ``validate``
(unknown-keyword warnings), the schema walker, the docs field table and the compatibility engine
all read it, so none of them pulls in another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DRAFT4 = "draft-04"
DRAFT6 = "draft-06"
DRAFT7 = "draft-07"
DRAFT2019 = "2019-09"
DRAFT2020 = "2020-12"

SCHEMA_URIS = {
    DRAFT4: "http://json-schema.org/draft-04/schema#",
    DRAFT6: "http://json-schema.org/draft-06/schema#",
    DRAFT7: "http://json-schema.org/draft-07/schema#",
    DRAFT2019: "https://json-schema.org/draft/2019-09/schema",
    DRAFT2020: "https://json-schema.org/draft/2020-12/schema",
}

# The instance type each type-specific assertion keyword applies to: an instance of any other
# type passes it (``minLength`` says nothing of a number). The ``unevaluated*`` keywords are
# left out: what they pass depends on the other keywords around them.
APPLIES_TO: Mapping[str, str] = {
    **dict.fromkeys(("minLength", "maxLength", "pattern", "format"), "string"),
    **dict.fromkeys(("contentEncoding", "contentMediaType", "contentSchema"), "string"),
    **dict.fromkeys(
        ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), "number"
    ),
    **dict.fromkeys(
        (
            "required",
            "properties",
            "patternProperties",
            "additionalProperties",
            "propertyNames",
            "minProperties",
            "maxProperties",
            "dependentRequired",
            "dependentSchemas",
            "dependencies",
        ),
        "object",
    ),
    **dict.fromkeys(
        (
            "items",
            "prefixItems",
            "additionalItems",
            "contains",
            "minContains",
            "maxContains",
            "minItems",
            "maxItems",
            "uniqueItems",
        ),
        "array",
    ),
}

# Keywords only a 2019-09/2020-12 schema would use; their presence decides the dialect of a
# schema without $schema (otherwise draft-07, the registry's default).
MODERN_ONLY = frozenset(
    {
        "prefixItems", "$defs", "dependentRequired", "dependentSchemas", "unevaluatedProperties",
        "unevaluatedItems", "minContains", "maxContains", "$anchor", "$dynamicRef",
        "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor",
    }
)  # fmt: skip

ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "id", "$comment", "$anchor", "$dynamicAnchor", "$recursiveAnchor",
        "$vocabulary", "title", "description", "default", "examples", "deprecated", "readOnly",
        "writeOnly", "definitions", "$defs",
    }
)  # fmt: skip

# keywords whose value is one subschema, a list of subschemas, a mapping of name -> subschema
SCHEMA_VALUED = ("additionalProperties", "additionalItems", "contains", "propertyNames", "not",
                 "if", "then", "else", "unevaluatedProperties", "unevaluatedItems",
                 "contentSchema")  # fmt: skip
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas")
# keywords that apply their subschemas to the same instance (a $ref loop through them never ends)
IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas")

VALIDATION = frozenset(
    {
        "$ref", "$dynamicRef", "$recursiveRef", "type", "enum", "const", "multipleOf",
        "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
        "pattern", "format", "contentEncoding", "contentMediaType", "contentSchema", "items",
        "prefixItems", "additionalItems", "unevaluatedItems", "contains", "minContains",
        "maxContains", "maxItems", "minItems", "uniqueItems", "properties", "patternProperties",
        "additionalProperties", "unevaluatedProperties", "propertyNames", "maxProperties",
        "minProperties", "required", "dependentRequired", "dependentSchemas", "dependencies",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    }
)  # fmt: skip

KNOWN = ANNOTATIONS | VALIDATION

ALL_TYPES = frozenset({"null", "boolean", "object", "array", "string", "integer", "number"})


def json_type(value: Any, dialect: str = DRAFT7) -> str:
    """The JSON Schema type of an instance value, as jsonschema-rs decides it.

    A number with a zero fractional part is an "integer" (``1.0`` too) from draft-06 on; draft-04
    defines "integer" by its spelling, so there a float such as ``1.0`` is a "number".
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        integral = value.is_integer() and dialect != DRAFT4
        return "integer" if integral else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    return "array"


def is_extension(keyword: str) -> bool:
    """True for keywords validators ignore: vendor extensions (``x-...``) and any keyword JSON
    Schema does not define (``nullable``, a typo such as ``minLenght``). They are compared as
    annotations; ``validate`` warns about the unknown ones (``schema-unknown-keyword``)."""
    return keyword.startswith("x-") or keyword not in KNOWN


# assertions later drafts added, which draft-04 validators ignore (jsonschema-rs applies the
# content keywords from draft-06 on); annotations such as $comment or examples are not flagged
_NOT_IN_DRAFT4 = frozenset(
    {"const", "contains", "propertyNames", "contentMediaType", "contentEncoding"}
)


def foreign(keyword: str, dialect: str) -> str | None:
    """Why ``keyword``, a JSON Schema keyword, is not one of ``dialect``'s (validators of that
    dialect ignore it, so it constrains nothing), or None when the dialect defines it.

    ``validate`` warns about these (``schema-unknown-keyword``) and ``diff`` compares them as
    annotations: changing one changes no verdict.
    """
    modern = is_modern(dialect)
    if dialect in (DRAFT4, DRAFT6) and keyword in ("if", "then", "else"):
        return f"is not a {dialect} keyword (draft-07 and later)"
    if dialect == DRAFT4 and keyword in _NOT_IN_DRAFT4:
        return "is not a draft-04 keyword (draft-06 and later)"
    if not modern and keyword in MODERN_ONLY:
        return f"is not a {dialect} keyword (2019-09/2020-12 only)"
    if dialect == DRAFT2019 and keyword == "prefixItems":
        return "is not a 2019-09 keyword (2020-12 only; 2019-09 writes items: [...])"
    legacy = keyword == "dependencies" or (keyword == "additionalItems" and dialect == DRAFT2020)
    if modern and legacy:
        return f"is not a {dialect} keyword (draft-07 and earlier)"
    if dialect != DRAFT4 and keyword == "id":
        return f"is not a {dialect} keyword (draft-04 spells $id as id)"
    return None


def dialect_of(uri: str) -> str | None:
    """The dialect a ``$schema`` URI names, or None when it names none the engine knows."""
    for dialect in (DRAFT4, DRAFT6, DRAFT7, DRAFT2019, DRAFT2020):
        if dialect in uri:
            return dialect
    return None


def is_modern(dialect: str) -> bool:
    """True for 2019-09 and later (unevaluated*, $ref with siblings, dependentSchemas)."""
    return dialect in (DRAFT2019, DRAFT2020)
