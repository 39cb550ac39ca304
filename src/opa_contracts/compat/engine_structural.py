"""The comparison of two plain nodes (no combinators): types, enums, then each family."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opa_contracts.compat import keywords as kw
from opa_contracts.compat.changes import BF, B, F, Raw
from opa_contracts.compat.jsonvalues import Json, canon, json_type, short
from opa_contracts.compat.resolve import Document

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ

_NUMERIC = frozenset({"integer", "number"})


def declared_types(node: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types ``type`` allows ("number" also names non-integral numbers)."""
    t = node.get("type")
    if t is None:
        return kw.ALL_TYPES
    names = {t} if isinstance(t, str) else set(t)
    if "number" in names:
        names.add("integer")
    return frozenset(names & kw.ALL_TYPES)


def enum_values(node: Json) -> list[Json] | None:
    """The values an enum or const allows, or None when neither is present."""
    if not isinstance(node, Mapping):
        return None
    if "const" in node:
        return [node["const"]]
    if "enum" in node and isinstance(node["enum"], list):
        return list(node["enum"])
    return None


def types_of(node: Json, doc: Document | None = None) -> frozenset[str]:
    """The JSON types a node can accept at most (type, enum, allOf and unions considered)."""
    if doc is not None:
        node = doc.view(node)
    if node is True:
        return kw.ALL_TYPES
    if not isinstance(node, Mapping):
        return frozenset()
    types = declared_types(node)
    values = enum_values(node)
    if values is not None:
        types &= frozenset(json_type(v) for v in values)
    for part in node.get("allOf", ()):
        if doc is not None or (isinstance(part, Mapping) and "$ref" not in part):
            types &= types_of(part, doc)
    for key in ("anyOf", "oneOf"):
        if key in node and (doc is not None or not any("$ref" in str(b) for b in node[key])):
            types &= frozenset().union(*(types_of(b, doc) for b in node[key]))
    return types


def pair(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes between two plain nodes (no allOf/anyOf/oneOf), relative to them."""
    from opa_contracts.compat import engine_arrays, engine_objects, engine_scalar
    from opa_contracts.compat.engine_conditional import diff_conditional, diff_not

    out: list[Raw] = []
    to, tn = types_of(o), types_of(n)
    type_changes = _types(d, o, n, to, tn)
    out.extend(type_changes)
    common = to & tn
    if not common and type_changes:
        return out
    out.extend(_enum(d, o, n, declared_types(o), declared_types(n)))
    if "string" in common:
        out.extend(engine_scalar.diff_string(d, o, n))
    if common & _NUMERIC:
        out.extend(engine_scalar.diff_number(d, o, n))
    if "object" in common:
        out.extend(engine_objects.diff_object(d, o, n))
    if "array" in common:
        out.extend(engine_arrays.diff_array(d, o, n))
    out.extend(diff_not(d, o, n))
    out.extend(diff_conditional(d, o, n))
    return out


def _types(
    d: Differ, o: Mapping[str, Any], n: Mapping[str, Any], to: frozenset[str], tn: frozenset[str]
) -> list[Raw]:
    a, b = o.get("type"), n.get("type")
    if to == tn or (a == b and a is not None) or (a is None and b is None):
        # Same ``type`` keyword: any difference comes from enum/const, reported there.
        return []
    if tn < to:
        rule, brk, conf = "type-narrowed", B, "TYPE_NARROWED"
    elif tn > to:
        rule, brk = "type-extended", F
        conf = "SUM_TYPE_EXTENDED" if isinstance(b, list) and len(b) > 1 else "TYPE_EXTENDED"
    else:
        rule, brk, conf = "type-changed", BF, "TYPE_CHANGED"
    msg = f"accepted types changed from {_names(to)} to {_names(tn)}"
    return [d.mk(rule, ("type",), a, b, brk, msg, conf)]


def _names(types: frozenset[str]) -> str:
    if types == kw.ALL_TYPES:
        return "any"
    shown = set(types) - {"integer"} if "number" in types else set(types)
    return "/".join(sorted(shown)) or "none"


def _enum(
    d: Differ, o: Mapping[str, Any], n: Mapping[str, Any], to: frozenset[str], tn: frozenset[str]
) -> list[Raw]:
    eo, en = enum_values(o), enum_values(n)
    if eo is None and en is None:
        return []
    key_o = "const" if "const" in o else "enum"
    key_n = "const" if "const" in n else "enum"
    path = (key_n if en is not None else key_o,)
    a, b = o.get(key_o), n.get(key_n)
    if eo is None:
        return [
            d.mk(
                "enum-added", path, None, b, B, f"{key_n} {short(b)} added", "PRODUCT_TYPE_EXTENDED"
            )
        ]
    if en is None:
        return [
            d.mk(
                "enum-removed",
                path,
                a,
                None,
                F,
                f"{key_o} {short(a)} removed",
                "PRODUCT_TYPE_NARROWED",
            )
        ]
    # Values a side's own type already rejects can never be written or read there.
    live_o = {
        canon(v): v
        for v in eo
        if json_type(v) in to or (json_type(v) == "integer" and "number" in to)
    }
    live_n = {
        canon(v): v
        for v in en
        if json_type(v) in tn or (json_type(v) == "integer" and "number" in tn)
    }
    added = [v for k, v in live_n.items() if k not in live_o]
    removed = [v for k, v in live_o.items() if k not in live_n]
    if not added and not removed:
        return []
    if key_o == key_n == "const":
        return [
            d.mk(
                "const-changed",
                path,
                a,
                b,
                BF,
                f"const changed from {short(a)} to {short(b)}",
                "ENUM_ARRAY_CHANGED",
            )
        ]
    if added and removed:
        msg = f"enum values {short(removed)} removed and {short(added)} added"
        return [d.mk("enum-changed", path, a, b, BF, msg, "ENUM_ARRAY_CHANGED")]
    if added:
        msg = f"enum values {short(added)} added"
        return [d.mk("enum-value-added", path, a, b, F, msg, "ENUM_ARRAY_EXTENDED")]
    msg = f"enum values {short(removed)} removed"
    return [d.mk("enum-value-removed", path, a, b, B, msg, "ENUM_ARRAY_NARROWED")]
