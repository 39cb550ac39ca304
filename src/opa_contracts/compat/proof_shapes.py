"""Helpers of the prover (:mod:`.proof`) that read what one schema node bounds: the integers
its numeric bounds leave, the most items or properties it admits, the finitely many values of
a closed object or tuple, a ``patternProperties`` name that matches every string.

Each answer is an over-approximation of what the node accepts (a value it accepts is always
inside), so the prover stays sound when it relies on one."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json

#: regexes that match every string (ECMA-262 search semantics: an empty match at 0 is enough)
CATCH_ALL = frozenset({"", ".*", "^.*", "(.*)", "^", "[\\s\\S]*", "^[\\s\\S]*"})
_ABSENT = object()


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (not isinstance(value, float) or math.isfinite(value))
    )


def integer_bound(key: str, value: Json) -> int | None:
    """The integer bound ``key: value`` amounts to on integers (``minimum: 0.5`` → 1,
    ``exclusiveMaximum: 10`` → 9), or None when ``value`` is no number."""
    if not _number(value):
        return None
    exact = Fraction(value)
    if key == "minimum":
        return math.ceil(exact)
    if key == "exclusiveMinimum":
        return math.floor(exact) + 1
    if key == "maximum":
        return math.floor(exact)
    if key == "exclusiveMaximum":
        return math.ceil(exact) - 1
    return None


def items_upper(node: Mapping[str, Any], dialect: str) -> int | None:
    """The most items an array ``node`` accepts, from ``maxItems`` or a closed tuple."""
    bounds: list[int] = []
    if _number(node.get("maxItems")):
        bounds.append(math.floor(node["maxItems"]))
    items = node.get("items")
    if items is False:
        prefix = node.get("prefixItems") if dialect == vocab.DRAFT2020 else None
        bounds.append(len(prefix) if isinstance(prefix, list) else 0)
    elif (
        isinstance(items, list)
        and node.get("additionalItems") is False
        and dialect != vocab.DRAFT2020
    ):
        bounds.append(len(items))
    return min(bounds) if bounds else None


def items_lower(node: Mapping[str, Any], dialect: str) -> int | None:
    """The fewest items an array ``node`` accepts, from ``minItems`` or ``contains``."""
    bounds: list[int] = []
    if _number(node.get("minItems")):
        bounds.append(math.ceil(node["minItems"]))
    if dialect == vocab.DRAFT4:
        pass  # contains came with draft-06: a draft-04 validator ignores it
    elif "contains" in node and node["contains"] is not False:
        least = node.get("minContains", 1) if dialect in (vocab.DRAFT2019, vocab.DRAFT2020) else 1
        if _number(least):
            bounds.append(math.ceil(least))
    elif node.get("contains") is False:
        return None  # no array passes; nothing to say about sizes
    return max(bounds) if bounds else None


def closed_names(node: Mapping[str, Any]) -> list[str] | None:
    """The only property names an object at ``node`` may have, when it is closed
    (``additionalProperties: false`` beside no ``patternProperties``)."""
    if node.get("additionalProperties") is not False or "patternProperties" in node:
        return None
    props = node.get("properties", {})
    return [str(k) for k in props] if isinstance(props, Mapping) else None


def finite_shape(
    node: Mapping[str, Any],
    dialect: str,
    finite: Callable[[Json], list[Json] | None],
    limit: int,
) -> list[Json] | None:
    """A finite superset of what ``node`` accepts, from its shape: ``type: null``/``boolean``, a
    closed object whose properties are each finite, a closed tuple whose items are each finite;
    None when not (or more than ``limit`` values)."""
    declared = node.get("type")
    if declared == "null":
        return [None]
    if declared == "boolean":
        return [False, True]
    if declared == "object":
        names = closed_names(node)
        if names is None:
            return None
        options: list[list[Any]] = []
        for name in names:
            values = finite(node["properties"][name])
            if values is None:
                return None
            options.append([_ABSENT, *values])
        return _product(names, options, limit)
    if declared == "array":
        schemas = _closed_tuple(node, dialect)
        if schemas is None:
            return None
        out: list[Json] = []
        item_sets = []
        for schema in schemas:
            values = finite(schema)
            if values is None:
                return None
            item_sets.append(values)
        for length in range(len(item_sets) + 1):
            for combo in itertools.product(*item_sets[:length]):
                out.append(list(combo))
                if len(out) > limit:
                    return None
        return out
    return None


def _closed_tuple(node: Mapping[str, Any], dialect: str) -> list[Json] | None:
    items = node.get("items")
    if dialect == vocab.DRAFT2020:
        if items is False:
            prefix = node.get("prefixItems", [])
            return prefix if isinstance(prefix, list) else None
        return None
    if items is False:
        return []
    if isinstance(items, list) and node.get("additionalItems") is False:
        return items
    return None


def _product(names: list[str], options: list[list[Any]], limit: int) -> list[Json] | None:
    total = 1
    for values in options:
        total *= len(values)
        if total > limit:
            return None
    out: list[Json] = []
    for combo in itertools.product(*options):
        out.append({n: v for n, v in zip(names, combo, strict=True) if v is not _ABSENT})
    return out
