"""Walking a JSON Schema's subschemas, keyword-aware (const, enum, default... hold data)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opa_contracts.jsonschema_vocab import IN_PLACE, SCHEMA_LISTS, SCHEMA_MAPS
from opa_contracts.pointer import join

# keywords whose value is one subschema
_SINGLE = (
    "additionalProperties",
    "additionalItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
)


def children(schema: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """The direct subschemas of ``schema`` with their pointers."""
    if not isinstance(schema, dict):
        return
    for key in _SINGLE:
        if key in schema:
            yield join(pointer, key), schema[key]
    for key in SCHEMA_MAPS:
        value = schema.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                yield join(pointer, key, name), sub
    for key in SCHEMA_LISTS:
        value = schema.get(key)
        if isinstance(value, list):
            for i, sub in enumerate(value):
                yield join(pointer, key, i), sub
    items = schema.get("items")
    if isinstance(items, list):
        for i, sub in enumerate(items):
            yield join(pointer, "items", i), sub
    elif items is not None:
        yield join(pointer, "items"), items
    deps = schema.get("dependencies")
    if isinstance(deps, dict):
        for name, sub in deps.items():
            if isinstance(sub, dict | bool):
                yield join(pointer, "dependencies", name), sub


def walk(schema: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object subschema, depth first, starting with ``schema`` itself."""
    stack = [(pointer, schema)]
    while stack:
        here, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield here, node
        stack.extend(reversed(list(children(node, here))))


def in_place_children(schema: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Subschemas applied to the same instance as ``schema`` (used for $ref loop detection)."""
    for child_pointer, sub in children(schema, pointer):
        keyword = child_pointer[len(pointer) + 1 :].split("/", 1)[0]
        if keyword in IN_PLACE:
            yield child_pointer, sub
