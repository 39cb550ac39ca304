"""dependencies (draft-07) and dependentRequired / dependentSchemas (2019-09 and later)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opa_contracts.compat import rules_structural as rst
from opa_contracts.compat.changes import BF, B, F, Raw
from opa_contracts.compat.engine_conditional import slot
from opa_contracts.compat.jsonvalues import Json

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


def _split(node: Mapping[str, Any]) -> tuple[dict[str, list[str]], dict[str, Json], dict[str, str]]:
    required: dict[str, list[str]] = {}
    schemas: dict[str, Json] = {}
    spelling: dict[str, str] = {}
    for name, value in node.get("dependencies", {}).items():
        if isinstance(value, list):
            required[name] = list(value)
        else:
            schemas[name] = value
        spelling[name] = "dependencies"
    for name, value in node.get("dependentRequired", {}).items():
        required[name] = list(value)
        spelling[name] = "dependentRequired"
    for name, value in node.get("dependentSchemas", {}).items():
        schemas[name] = value
        spelling[f"schema:{name}"] = "dependentSchemas"
    return required, schemas, spelling


def diff_dependencies(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes to property dependencies, by property name."""
    ro, so, spell_o = _split(o)
    rn, sn, spell_n = _split(n)
    out: list[Raw] = []
    for name in sorted(set(ro) | set(rn)):
        key = spell_n.get(name) or spell_o.get(name) or "dependentRequired"
        path = (key, name)
        a, b = ro.get(name), rn.get(name)
        if a is not None and b is not None and set(a) == set(b):
            continue
        if a is None or (b is not None and set(b) > set(a)):
            conf = "DEPENDENCY_ARRAY_ADDED" if a is None else "DEPENDENCY_ARRAY_EXTENDED"
            msg = (
                f"when {name!r} is present, {sorted(set(b or []) - set(a or []))} are now required"
            )
            out.append(d.mk(rst.DEPENDENT_REQUIRED_ADDED.id, path, a, b, B, msg, conf))
        elif b is None or set(b) < set(a):
            conf = "DEPENDENCY_ARRAY_REMOVED" if b is None else "DEPENDENCY_ARRAY_NARROWED"
            msg = (
                f"when {name!r} is present, {sorted(set(a) - set(b or []))} are no longer required"
            )
            out.append(d.mk(rst.DEPENDENT_REQUIRED_REMOVED.id, path, a, b, F, msg, conf))
        else:
            msg = f"properties required with {name!r} changed from {a} to {b}"
            out.append(
                d.mk(
                    rst.DEPENDENT_REQUIRED_CHANGED.id,
                    path,
                    a,
                    b,
                    BF,
                    msg,
                    "DEPENDENCY_ARRAY_CHANGED",
                )
            )
    for name in sorted(set(so) | set(sn)):
        key = (
            spell_n.get(f"schema:{name}")
            or spell_n.get(name)
            or spell_o.get(f"schema:{name}")
            or spell_o.get(name)
            or "dependentSchemas"
        )
        out += slot(
            d,
            so.get(name),
            sn.get(name),
            (key, name),
            added=(rst.DEPENDENT_SCHEMA_ADDED.id, "DEPENDENCY_SCHEMA_ADDED"),
            removed=(rst.DEPENDENT_SCHEMA_REMOVED.id, "DEPENDENCY_SCHEMA_REMOVED"),
        )
    return out
