"""The dispatch table: which handler compares which family of keywords of two plain nodes.

A plain node is one without allOf/anyOf/oneOf (``engine_combinators`` splits those off). The
``type`` family runs first and gates the rest: a family that constrains only some JSON types
(string keywords, object keywords...) is compared only when both nodes accept one of them.
The handlers recurse through ``Differ.diff``; none of them imports the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opa_contracts.compat import (
    engine_arrays,
    engine_conditional,
    engine_dependencies,
    engine_objects,
    engine_scalar,
    engine_structural,
)
from opa_contracts.compat.changes import Raw
from opa_contracts.compat.node_types import types_of

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ

Handler = Callable[["Differ", Mapping[str, Any], Mapping[str, Any]], list[Raw]]


@dataclass(frozen=True)
class Family:
    """Keywords compared together by one handler, for nodes that accept ``types``."""

    name: str
    keywords: frozenset[str]
    types: frozenset[str] | None  # None: whatever the nodes accept
    handler: Handler


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The type family, compared before the table (it decides which families apply).
TYPE_KEYWORDS = frozenset({"type"})
# Keywords handled above the table: references are followed by ``resolve.Document.view``,
# combinators split into conjuncts and branches by ``engine_combinators``.
NODE_KEYWORDS = frozenset({"$ref", "$dynamicRef", "$recursiveRef", "allOf", "anyOf", "oneOf"})

FAMILIES: tuple[Family, ...] = (
    Family("enum", _words("enum const"), None, engine_structural.diff_enum),
    Family(
        "string",
        _words("minLength maxLength pattern format contentEncoding contentMediaType contentSchema"),
        frozenset({"string"}),
        engine_scalar.diff_string,
    ),
    Family(
        "number",
        _words("minimum maximum exclusiveMinimum exclusiveMaximum multipleOf"),
        frozenset({"integer", "number"}),
        engine_scalar.diff_number,
    ),
    Family(
        "object",
        _words(
            "properties patternProperties additionalProperties unevaluatedProperties required "
            "propertyNames minProperties maxProperties"
        ),
        frozenset({"object"}),
        engine_objects.diff_object,
    ),
    Family(
        "dependencies",
        _words("dependencies dependentRequired dependentSchemas"),
        frozenset({"object"}),
        engine_dependencies.diff_dependencies,
    ),
    Family(
        "array",
        _words(
            "items prefixItems additionalItems unevaluatedItems contains minContains maxContains "
            "minItems maxItems uniqueItems"
        ),
        frozenset({"array"}),
        engine_arrays.diff_array,
    ),
    Family("not", _words("not"), None, engine_conditional.diff_not),
    Family("conditional", _words("if then else"), None, engine_conditional.diff_conditional),
)


def pair(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes between two plain nodes, relative to them: the type, then each family."""
    to, tn = types_of(o, dialect=d.o.dialect), types_of(n, dialect=d.n.dialect)
    out = engine_structural.diff_type(d, o, n, to, tn)
    common = to & tn
    if not common and out:
        return out
    for family in FAMILIES:
        if family.types is None or family.types & common:
            out.extend(family.handler(d, o, n))
    return out
