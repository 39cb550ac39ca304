"""What one schema node allows at most: its JSON types and its enumerated values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json
from opa_contracts.compat.resolve import Document


def declared_types(node: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types ``type`` allows ("number" also names non-integral numbers)."""
    t = node.get("type")
    if t is None:
        return vocab.ALL_TYPES
    names = {t} if isinstance(t, str) else set(t)
    if "number" in names:
        names.add("integer")
    return frozenset(names & vocab.ALL_TYPES)


def enum_values(node: Json) -> list[Json] | None:
    """The values an enum or const allows, or None when neither is present."""
    if not isinstance(node, Mapping):
        return None
    if "const" in node:
        return [node["const"]]
    if "enum" in node and isinstance(node["enum"], list):
        return list(node["enum"])
    return None


def types_of(
    node: Json, doc: Document | None = None, dialect: str = vocab.DRAFT7
) -> frozenset[str]:
    """The JSON types a node can accept at most (type, enum, allOf and unions considered).

    With ``doc``, ``$ref``s are followed and the document's dialect decides what an enum value's
    type is; without it, parts that hold a ``$ref`` are left out and ``dialect`` decides.
    """
    if doc is not None:
        node = doc.view(node)
        dialect = doc.dialect
    if node is True:
        return vocab.ALL_TYPES
    if not isinstance(node, Mapping):
        return frozenset()
    types = declared_types(node)
    values = enum_values(node)
    if values is not None:
        types &= frozenset(vocab.json_type(v, dialect) for v in values)
    for part in node.get("allOf", ()):
        if doc is not None or (isinstance(part, Mapping) and "$ref" not in part):
            types &= types_of(part, doc, dialect)
    for key in ("anyOf", "oneOf"):
        if key in node and (doc is not None or not any("$ref" in str(b) for b in node[key])):
            types &= frozenset().union(*(types_of(b, doc, dialect) for b in node[key]))
    return types
