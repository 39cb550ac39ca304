"""The type and enum families: which JSON types, and which enumerated values, a node accepts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import rules_scalar as rsc
from opa_contracts.compat.changes import BF, B, F, Raw
from opa_contracts.compat.jsonvalues import canon, short
from opa_contracts.compat.node_types import declared_types, enum_values

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


def diff_type(
    d: Differ, o: Mapping[str, Any], n: Mapping[str, Any], to: frozenset[str], tn: frozenset[str]
) -> list[Raw]:
    """The change of the types two nodes accept at most (``to`` and ``tn``)."""
    a, b = o.get("type"), n.get("type")
    if to == tn or (a == b and a is not None) or (a is None and b is None):
        # Same ``type`` keyword: any difference comes from enum/const, reported there.
        return []
    if tn < to:
        rule, brk, conf = rsc.TYPE_NARROWED.id, B, "TYPE_NARROWED"
    elif tn > to:
        rule, brk = rsc.TYPE_EXTENDED.id, F
        conf = "SUM_TYPE_EXTENDED" if isinstance(b, list) and len(b) > 1 else "TYPE_EXTENDED"
    else:
        rule, brk, conf = rsc.TYPE_CHANGED.id, BF, "TYPE_CHANGED"
    msg = f"accepted types changed from {_names(to)} to {_names(tn)}"
    return [d.mk(rule, ("type",), a, b, brk, msg, conf)]


def _names(types: frozenset[str]) -> str:
    if types == vocab.ALL_TYPES:
        return "any"
    shown = set(types) - {"integer"} if "number" in types else set(types)
    return "/".join(sorted(shown)) or "none"


def diff_enum(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes to the values enum/const allow, values the node's own type rejects left out."""
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
                rsc.ENUM_ADDED.id,
                path,
                None,
                b,
                B,
                f"{key_n} {short(b)} added",
                "PRODUCT_TYPE_EXTENDED",
            )
        ]
    if en is None:
        return [
            d.mk(
                rsc.ENUM_REMOVED.id,
                path,
                a,
                None,
                F,
                f"{key_o} {short(a)} removed",
                "PRODUCT_TYPE_NARROWED",
            )
        ]
    # Values a side's own type already rejects can never be written or read there.
    live_o = _live(eo, declared_types(o), d.o.dialect)
    live_n = _live(en, declared_types(n), d.n.dialect)
    added = [v for k, v in live_n.items() if k not in live_o]
    removed = [v for k, v in live_o.items() if k not in live_n]
    if not added and not removed:
        return []
    if key_o == key_n == "const":
        return [
            d.mk(
                rsc.CONST_CHANGED.id,
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
        return [d.mk(rsc.ENUM_CHANGED.id, path, a, b, BF, msg, "ENUM_ARRAY_CHANGED")]
    if added:
        msg = f"enum values {short(added)} added"
        return [d.mk(rsc.ENUM_VALUE_ADDED.id, path, a, b, F, msg, "ENUM_ARRAY_EXTENDED")]
    msg = f"enum values {short(removed)} removed"
    return [d.mk(rsc.ENUM_VALUE_REMOVED.id, path, a, b, B, msg, "ENUM_ARRAY_NARROWED")]


def _live(values: list[Any], types: frozenset[str], dialect: str) -> dict[Any, Any]:
    # declared_types adds "integer" wherever "number" is allowed
    return {canon(v): v for v in values if vocab.json_type(v, dialect) in types}
