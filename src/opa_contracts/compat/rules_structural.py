"""Diff rules for objects, arrays, combinators and conditionals."""

from __future__ import annotations

from opa_contracts.compat.ruledefs import BF, B, F, N, declare

# --- object content models ---------------------------------------------------------------------
REQUIRED_PROPERTY_ADDED = declare(
    "required-property-added",
    B,
    (
        "REQUIRED_ATTRIBUTE_ADDED",
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
    ),
    "A property became required; a default does not help, validators do not apply defaults.",
    '{"properties":{"a":{"type":"string"}}}',
    '{"properties":{"a":{"type":"string"}},"required":["a"]}',
)
REQUIRED_PROPERTY_REMOVED = declare(
    "required-property-removed",
    F,
    ("REQUIRED_ATTRIBUTE_REMOVED",),
    "A property is no longer required.",
    '{"properties":{"a":{"type":"string"}},"required":["a"]}',
    '{"properties":{"a":{"type":"string"}}}',
)
PROPERTY_ADDED_TO_OPEN_MODEL = declare(
    "property-added-to-open-model",
    B,
    ("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
    "A property was declared on an open object: old data may carry that name with any value.",
    '{"properties":{"a":{"type":"string"}}}',
    '{"properties":{"a":{"type":"string"},"b":{"type":"number"}}}',
    lenient=B,
)
PROPERTY_WITH_EMPTY_SCHEMA_ADDED = declare(
    "property-with-empty-schema-added",
    N,
    ("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",),
    "A property that accepts anything was declared on an open object.",
    '{"additionalProperties":true}',
    '{"additionalProperties":true,"properties":{"a":true}}',
)
PROPERTY_ADDED_TO_CLOSED_MODEL = declare(
    "property-added-to-closed-model",
    F,
    ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",),
    "A property was added to a closed object: old readers reject new data that carries it.",
    '{"properties":{"a":{"type":"string"}},"additionalProperties":false}',
    '{"properties":{"a":{"type":"string"},"b":{"type":"number"}},"additionalProperties":false}',
    lenient=F,
)
PROPERTY_ADDED_TO_PARTIALLY_OPEN_MODEL = declare(
    "property-added-to-partially-open-model",
    N,
    (
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ),
    "A property was declared where a schema covered unknown names; that schema is compared with"
    " the new property's (nested changes carry the verdict).",
    '{"additionalProperties":{"type":"string"}}',
    '{"additionalProperties":{"type":"string"},"properties":{"a":{"type":"string"}}}',
)
PROPERTY_REMOVED_FROM_OPEN_MODEL = declare(
    "property-removed-from-open-model",
    F,
    ("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",),
    "A declared property was dropped from an open object: new data may carry any value there.",
    '{"properties":{"a":{"type":"string"}}}',
    "{}",
    lenient=F,
)
PROPERTY_REMOVED_FROM_CLOSED_MODEL = declare(
    "property-removed-from-closed-model",
    B,
    (
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ),
    "A property was removed from a closed object: old data that carries it is rejected.",
    '{"properties":{"a":{"type":"string"}},"additionalProperties":false}',
    '{"additionalProperties":false}',
    lenient=B,
)
PROPERTY_REMOVED_FROM_PARTIALLY_OPEN_MODEL = declare(
    "property-removed-from-partially-open-model",
    N,
    (
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ),
    "A property was removed where a schema covers unknown names; nested changes carry the verdict.",
    '{"properties":{"a":{"type":"string"}},"additionalProperties":false}',
    '{"additionalProperties":{"type":"string"}}',
)
for _kw, _slug in (
    ("additionalProperties", "additional-properties"),
    ("unevaluatedProperties", "unevaluated-properties"),
):
    _c = "ADDITIONAL_PROPERTIES" if _kw == "additionalProperties" else "UNEVALUATED_PROPERTIES"
    declare(
        f"{_slug}-opened",
        F,
        (f"{_c}_ADDED",),
        f"{_kw} now allows extra properties.",
        f'{{"type":"object","{_kw}":false}}',
        f'{{"type":"object","{_kw}":true}}',
        lenient=F,
    )
    declare(
        f"{_slug}-closed",
        B,
        (f"{_c}_REMOVED",),
        f"{_kw} now forbids extra properties.",
        f'{{"type":"object","{_kw}":true}}',
        f'{{"type":"object","{_kw}":false}}',
        lenient=B,
    )
    declare(
        f"{_slug}-narrowed",
        B,
        (f"{_c}_NARROWED",),
        f"{_kw} went from anything to a schema.",
        f'{{"type":"object","{_kw}":true}}',
        f'{{"type":"object","{_kw}":{{"type":"number"}}}}',
        lenient=B,
    )
    declare(
        f"{_slug}-extended",
        F,
        (f"{_c}_EXTENDED",),
        f"{_kw} went from a schema to anything.",
        f'{{"type":"object","{_kw}":{{"type":"number"}}}}',
        f'{{"type":"object","{_kw}":true}}',
        lenient=F,
    )
PATTERN_PROPERTY_ADDED = declare(
    "pattern-property-added",
    BF,
    (),
    "A patternProperties entry was added (backward on open objects, forward on closed ones).",
    '{"type":"object"}',
    '{"type":"object","patternProperties":{"^S_":{"type":"string"}}}',
    lenient=BF,
)
PATTERN_PROPERTY_REMOVED = declare(
    "pattern-property-removed",
    BF,
    (),
    "A patternProperties entry was removed (forward on open objects, backward on closed ones).",
    '{"type":"object","patternProperties":{"^S_":{"type":"string"}}}',
    '{"type":"object"}',
    lenient=BF,
)
DEPENDENT_REQUIRED_ADDED = declare(
    "dependent-required-added",
    B,
    ("DEPENDENCY_ARRAY_ADDED", "DEPENDENCY_ARRAY_EXTENDED"),
    "A property now requires other properties (dependencies / dependentRequired).",
    '{"type":"object"}',
    '{"type":"object","dependentRequired":{"a":["b"]}}',
)
DEPENDENT_REQUIRED_REMOVED = declare(
    "dependent-required-removed",
    F,
    ("DEPENDENCY_ARRAY_REMOVED", "DEPENDENCY_ARRAY_NARROWED"),
    "A property requires fewer other properties.",
    '{"type":"object","dependentRequired":{"a":["b"]}}',
    '{"type":"object"}',
)
DEPENDENT_REQUIRED_CHANGED = declare(
    "dependent-required-changed",
    BF,
    ("DEPENDENCY_ARRAY_CHANGED",),
    "The properties that a property requires changed both ways.",
    '{"type":"object","dependentRequired":{"a":["b"]}}',
    '{"type":"object","dependentRequired":{"a":["c"]}}',
)
DEPENDENT_SCHEMA_ADDED = declare(
    "dependent-schema-added",
    B,
    ("DEPENDENCY_SCHEMA_ADDED",),
    "A property's presence now imposes a schema on the object.",
    '{"type":"object"}',
    '{"type":"object","dependentSchemas":{"a":{"required":["b"]}}}',
)
DEPENDENT_SCHEMA_REMOVED = declare(
    "dependent-schema-removed",
    F,
    ("DEPENDENCY_SCHEMA_REMOVED",),
    "A dependent schema was removed.",
    '{"type":"object","dependentSchemas":{"a":{"required":["b"]}}}',
    '{"type":"object"}',
)

# --- arrays -----------------------------------------------------------------------------------
_T2 = '{"type":"array","prefixItems":[{"type":"string"}'
ITEM_ADDED_TO_OPEN_TUPLE = declare(
    "item-added-to-open-tuple",
    B,
    ("ITEM_ADDED_TO_OPEN_CONTENT_MODEL",),
    "A tuple position was declared where any value was allowed.",
    _T2 + "]}",
    _T2 + ',{"type":"number"}]}',
)
ITEM_WITH_EMPTY_SCHEMA_ADDED = declare(
    "item-with-empty-schema-added",
    N,
    ("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",),
    "A tuple position that accepts anything was declared.",
    _T2 + "]}",
    _T2 + ",true]}",
)
ITEM_ADDED_TO_CLOSED_TUPLE = declare(
    "item-added-to-closed-tuple",
    F,
    ("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",),
    "A tuple position was added to a closed tuple: old readers reject longer arrays.",
    _T2 + '],"items":false}',
    _T2 + ',{"type":"number"}],"items":false}',
)
ITEM_ADDED_TO_PARTIALLY_OPEN_TUPLE = declare(
    "item-added-to-partially-open-tuple",
    N,
    (
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ),
    "A tuple position was declared where a schema covered extra items (nested changes decide).",
    _T2 + '],"items":{"type":"number"}}',
    _T2 + ',{"type":"number"}],"items":{"type":"number"}}',
)
ITEM_REMOVED_FROM_OPEN_TUPLE = declare(
    "item-removed-from-open-tuple",
    F,
    ("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",),
    "A tuple position was dropped; extra items are allowed, so new data may carry anything.",
    _T2 + ',{"type":"number"}]}',
    _T2 + "]}",
)
ITEM_REMOVED_FROM_CLOSED_TUPLE = declare(
    "item-removed-from-closed-tuple",
    B,
    ("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
    "A tuple position was dropped from a closed tuple: old, longer arrays are rejected.",
    _T2 + ',{"type":"number"}],"items":false}',
    _T2 + '],"items":false}',
)
ITEM_REMOVED_FROM_PARTIALLY_OPEN_TUPLE = declare(
    "item-removed-from-partially-open-tuple",
    N,
    (
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ),
    "A tuple position was dropped where a schema covers extra items (nested changes decide).",
    _T2 + ',{"type":"number"}],"items":{"type":"number"}}',
    _T2 + '],"items":{"type":"number"}}',
)
for _kw, _slug in (
    ("additionalItems", "additional-items"),
    ("unevaluatedItems", "unevaluated-items"),
):
    _c = "ADDITIONAL_ITEMS" if _kw == "additionalItems" else "UNEVALUATED_ITEMS"
    _k = "items" if _kw == "additionalItems" else _kw
    declare(
        f"{_slug}-opened",
        F,
        (f"{_c}_ADDED",),
        "Extra array items are now allowed.",
        _T2 + f'],"{_k}":false}}',
        _T2 + f'],"{_k}":true}}',
    )
    declare(
        f"{_slug}-closed",
        B,
        (f"{_c}_REMOVED",),
        "Extra array items are now forbidden.",
        _T2 + f'],"{_k}":true}}',
        _T2 + f'],"{_k}":false}}',
    )
    declare(
        f"{_slug}-narrowed",
        B,
        (f"{_c}_NARROWED",),
        "Extra items went from anything to a schema.",
        _T2 + f'],"{_k}":true}}',
        _T2 + f'],"{_k}":{{"type":"number"}}}}',
    )
    declare(
        f"{_slug}-extended",
        F,
        (f"{_c}_EXTENDED",),
        "Extra items went from a schema to anything.",
        _T2 + f'],"{_k}":{{"type":"number"}}}}',
        _T2 + f'],"{_k}":true}}',
    )

# --- combinators -------------------------------------------------------------------------------
for _kw, _slug in (("anyOf", "any-of"), ("oneOf", "one-of")):
    declare(
        f"{_slug}-branch-added",
        F,
        ("SUM_TYPE_EXTENDED",),
        f"A {_kw} branch was added.",
        f'{{"{_kw}":[{{"type":"string"}},{{"type":"null"}}]}}',
        f'{{"{_kw}":[{{"type":"string"}},{{"type":"null"}},{{"type":"boolean"}}]}}',
    )
    declare(
        f"{_slug}-branch-removed",
        B,
        ("SUM_TYPE_NARROWED",),
        f"A {_kw} branch was removed.",
        f'{{"{_kw}":[{{"type":"string"}},{{"type":"null"}},{{"type":"boolean"}}]}}',
        f'{{"{_kw}":[{{"type":"string"}},{{"type":"null"}}]}}',
    )
ONE_OF_BRANCHES_OVERLAP = declare(
    "one-of-branches-overlap",
    BF,
    (),
    "oneOf branches that changed may overlap: a message matching two branches is rejected"
    " (Confluent misses this).",
    '{"oneOf":[{"type":"number"},{"type":"string"}]}',
    '{"oneOf":[{"type":"number"},{"type":"string"},{"type":"integer"}]}',
)
ALL_OF_PART_ADDED = declare(
    "all-of-part-added",
    B,
    ("PRODUCT_TYPE_EXTENDED",),
    "An allOf part now constrains values.",
    '{"allOf":[{"type":"string"},{"maxLength":5}]}',
    '{"allOf":[{"type":"string"},{"maxLength":5},{"enum":["a"]}]}',
)
ALL_OF_PART_REMOVED = declare(
    "all-of-part-removed",
    F,
    ("PRODUCT_TYPE_NARROWED",),
    "An allOf part was removed.",
    '{"allOf":[{"type":"string"},{"maxLength":5},{"enum":["a"]}]}',
    '{"allOf":[{"type":"string"},{"maxLength":5}]}',
)
UNEVALUATED_CONTEXT_CHANGED = declare(
    "unevaluated-context-changed",
    BF,
    (),
    "A schema with unevaluatedProperties or unevaluatedItems beside in-place applicators (allOf,"
    " anyOf, oneOf, if/then/else, $ref, dependentSchemas) changed: which names and items count as"
    " evaluated depends on every branch, so the change is judged by a witness or a proof alone.",
    '{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",'
    '"allOf":[{"properties":{"a":{}}}],"unevaluatedProperties":false}',
    '{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",'
    '"allOf":[{"properties":{"a":{}}},{"properties":{"b":{}}}],"unevaluatedProperties":false}',
)
COMBINATOR_CHANGED = declare(
    "combinator-changed",
    N,
    ("COMBINED_TYPE_EXTENDED", "COMBINED_TYPE_CHANGED"),
    "The combinator changed (anyOf/oneOf/allOf); branch changes and overlaps carry the verdict.",
    '{"anyOf":[{"type":"string"},{"type":"number"}]}',
    '{"oneOf":[{"type":"string"},{"type":"number"}]}',
)
NOT_NARROWED = declare(
    "not-narrowed",
    F,
    ("NOT_TYPE_NARROWED",),
    "The `not` schema excludes fewer values.",
    '{"not":{"type":"number"}}',
    '{"not":{"type":"integer"}}',
)
NOT_EXTENDED = declare(
    "not-extended",
    B,
    ("NOT_TYPE_EXTENDED",),
    "The `not` schema excludes more values.",
    '{"not":{"type":"integer"}}',
    '{"not":{"type":"number"}}',
)
NOT_CHANGED = declare(
    "not-changed",
    BF,
    ("NOT_TYPE_EXTENDED",),
    "The `not` schema changed both ways.",
    '{"not":{"type":"string"}}',
    '{"not":{"type":"number"}}',
)
CONDITIONAL_ADDED = declare(
    "conditional-added",
    B,
    (),
    "An if/then/else now constrains values.",
    '{"type":"object"}',
    '{"type":"object","if":{"required":["a"]},"then":{"required":["b"]}}',
)
CONDITIONAL_REMOVED = declare(
    "conditional-removed",
    F,
    (),
    "An if/then/else was removed.",
    '{"type":"object","if":{"required":["a"]},"then":{"required":["b"]}}',
    '{"type":"object"}',
)
CONDITIONAL_CHANGED = declare(
    "conditional-changed",
    BF,
    (),
    "The `if` condition changed; the engine cannot decide it.",
    '{"type":"object","if":{"required":["a"]},"then":{"required":["b"]}}',
    '{"type":"object","if":{"required":["c"]},"then":{"required":["b"]}}',
)
