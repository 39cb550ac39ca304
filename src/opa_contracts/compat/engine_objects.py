"""Objects: properties against open, closed and partially open content models, and the rest."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from opa_contracts.compat import keywords as kw
from opa_contracts.compat.changes import BF, NONE, B, F, Path, Raw, ok, under
from opa_contracts.compat.engine_scalar import bound
from opa_contracts.compat.jsonvalues import Json, is_trivial, short
from opa_contracts.compat.model import BACKWARD
from opa_contracts.compat.resolve import Document

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


def rest_of(node: Mapping[str, Any], doc: Document) -> tuple[Json, str | None]:
    """The schema for names no property or pattern covers, and the keyword that gives it."""
    if "additionalProperties" in node:
        return node["additionalProperties"], "additionalProperties"
    if kw.is_modern(doc.dialect) and "unevaluatedProperties" in node:
        return node["unevaluatedProperties"], "unevaluatedProperties"
    return True, None


def search(regex: str, name: str) -> bool:
    """Whether ``regex`` matches somewhere in ``name`` (an invalid regex matches nothing).

    Matched by jsonschema-rs's regex engine, as the validators do: ECMA-like semantics, and a
    backtracking limit, so a hostile pattern such as ``^(a+)+$`` cannot stall a diff.
    """
    validator = _pattern_validator(regex)
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(name))
    except ValueError:  # the backtracking limit was hit: no decision, treat as no match
        return False


@lru_cache(maxsize=4096)
def _pattern_validator(regex: str) -> Any:
    try:
        return jsonschema_rs.validator_for({"type": "string", "pattern": regex})
    except ValueError:
        return None


def cover(d: Differ, node: Mapping[str, Any], name: str, doc: Document) -> Json:
    """The schema a name gets when it is not a declared property."""
    matched = [s for r, s in node.get("patternProperties", {}).items() if search(r, name)]
    if len(matched) == 1:
        return matched[0]
    if matched:
        synthetic = {"allOf": matched}
        d.keep.append(synthetic)
        return synthetic
    return rest_of(node, doc)[0]


def _kind(schema: Json, doc: Document) -> str:
    schema = doc.view(schema)
    if schema is False:
        return "closed"
    return "open" if is_trivial(schema) else "partial"


def diff_object(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes to object keywords."""
    po, pn = o.get("properties", {}), n.get("properties", {})
    out: list[Raw] = []
    for name in sorted(set(po) | set(pn)):
        path: Path = ("properties", name)
        if name in po and name in pn:
            out += under(path, d.diff(po[name], pn[name]))
        elif name in pn:
            out += _added(d, o, name, pn[name], path)
        else:
            out += _removed(d, n, name, po[name], path)
    out += _rest(d, o, n)
    out += _patterns(d, o, n)
    out += _required(d, o, n, po, pn)
    out += _slot(d, o.get("propertyNames"), n.get("propertyNames"), ("propertyNames",))
    out += bound(d, "minProperties", o.get("minProperties"), n.get("minProperties"))
    out += bound(d, "maxProperties", o.get("maxProperties"), n.get("maxProperties"))
    from opa_contracts.compat.engine_dependencies import diff_dependencies

    out += diff_dependencies(d, o, n)
    return out


def _added(d: Differ, o: Mapping[str, Any], name: str, schema: Json, path: Path) -> list[Raw]:
    old_cover = cover(d, o, name, d.o)
    kind = _kind(old_cover, d.o)
    if kind == "closed":
        brk = NONE if d.n.view(schema) is False else F
        msg = f"property {name!r} added to a closed object"
        return [
            d.mk(
                "property-added-to-closed-model",
                path,
                None,
                schema,
                brk,
                msg,
                "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
            )
        ]
    if kind == "open":
        if is_trivial(d.n.view(schema)):
            msg = f"property {name!r} that accepts anything declared"
            return [
                d.mk(
                    "property-with-empty-schema-added",
                    path,
                    None,
                    schema,
                    NONE,
                    msg,
                    "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
                )
            ]
        msg = f"property {name!r} declared on an open object: old data may carry it with any value"
        return [
            d.mk(
                "property-added-to-open-model",
                path,
                None,
                schema,
                B,
                msg,
                "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
            )
        ]
    nested = d.diff(old_cover, schema)
    covered = "IS" if ok(nested, BACKWARD) else "NOT"
    msg = f"property {name!r} declared where {short(old_cover)} covered it"
    note = d.mk(
        "property-added-to-partially-open-model",
        path,
        old_cover,
        schema,
        NONE,
        msg,
        f"PROPERTY_ADDED_{covered}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    )
    return [*under(path, nested), note]


def _removed(d: Differ, n: Mapping[str, Any], name: str, schema: Json, path: Path) -> list[Raw]:
    new_cover = cover(d, n, name, d.n)
    kind = _kind(new_cover, d.n)
    if kind == "open":
        brk = NONE if is_trivial(d.o.view(schema)) else F
        msg = f"property {name!r} no longer declared on an open object"
        return [
            d.mk(
                "property-removed-from-open-model",
                path,
                schema,
                None,
                brk,
                msg,
                "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
            )
        ]
    if kind == "closed":
        was_false = d.o.view(schema) is False
        conf = "PROPERTY_WITH_FALSE_REMOVED" if was_false else "PROPERTY_REMOVED"
        msg = f"property {name!r} removed from a closed object"
        return [
            d.mk(
                "property-removed-from-closed-model",
                path,
                schema,
                None,
                NONE if was_false else B,
                msg,
                f"{conf}_FROM_CLOSED_CONTENT_MODEL",
            )
        ]
    nested = d.diff(schema, new_cover)
    covered = "IS" if ok(nested, BACKWARD) else "NOT"
    msg = f"property {name!r} removed; {short(new_cover)} now covers it"
    note = d.mk(
        "property-removed-from-partially-open-model",
        path,
        schema,
        new_cover,
        NONE,
        msg,
        f"PROPERTY_REMOVED_{covered}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    )
    return [*under(path, nested), note]


def open_close(
    d: Differ, a: Json, b: Json, path: Path, slug: str, conf: str, a_doc: Document, b_doc: Document
) -> list[Raw]:
    """Changes of a "rest" schema (additional/unevaluated properties or items)."""
    va, vb = a_doc.view(a), b_doc.view(b)
    ka = "closed" if va is False else "open" if is_trivial(va) else "schema"
    kb = "closed" if vb is False else "open" if is_trivial(vb) else "schema"
    if ka == kb == "schema":
        return under(path, d.diff(a, b))
    if ka == kb:
        return []
    if ka == "closed":
        rule, brk, word = "opened", F, "ADDED"
    elif kb == "closed":
        rule, brk, word = "closed", B, "REMOVED"
    elif kb == "schema":
        rule, brk, word = "narrowed", B, "NARROWED"
    else:
        rule, brk, word = "extended", F, "EXTENDED"
    msg = f"{path[-1]} changed from {short(a)} to {short(b)}"
    return [d.mk(f"{slug}-{rule}", path, a, b, brk, msg, f"{conf}_{word}")]


def _rest(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    a, ka = rest_of(o, d.o)
    b, kb = rest_of(n, d.n)
    key = kb or ka or "additionalProperties"
    slug = "additional-properties" if key == "additionalProperties" else "unevaluated-properties"
    conf = "ADDITIONAL_PROPERTIES" if key == "additionalProperties" else "UNEVALUATED_PROPERTIES"
    return open_close(d, a, b, (key,), slug, conf, d.o, d.n)


def _patterns(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    po, pn = o.get("patternProperties", {}), n.get("patternProperties", {})
    out: list[Raw] = []
    for regex in sorted(set(po) | set(pn)):
        path: Path = ("patternProperties", regex)
        if regex in po and regex in pn:
            out += under(path, d.diff(po[regex], pn[regex]))
            continue
        if regex in pn:
            rest, doc, schema = rest_of(o, d.o)[0], d.o, pn[regex]
            kind = _kind(rest, doc)
            brk = F if kind == "closed" else B if kind == "open" else NONE
            if kind == "open" and is_trivial(d.n.view(schema)):
                brk = NONE
            msg = f"patternProperties {regex!r} added"
            nested = d.diff(rest, schema) if kind == "partial" else []
            out += [
                *under(path, nested),
                d.mk("pattern-property-added", path, None, schema, brk, msg),
            ]
        else:
            rest, schema = rest_of(n, d.n)[0], po[regex]
            kind = _kind(rest, d.n)
            brk = B if kind == "closed" else F if kind == "open" else NONE
            if kind == "open" and is_trivial(d.o.view(schema)):
                brk = NONE
            msg = f"patternProperties {regex!r} removed"
            nested = d.diff(schema, rest) if kind == "partial" else []
            out += [
                *under(path, nested),
                d.mk("pattern-property-removed", path, schema, None, brk, msg),
            ]
    return out


def _required(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any], po: Any, pn: Any) -> list[Raw]:
    ro, rn = list(o.get("required", ())), list(n.get("required", ()))
    out: list[Raw] = []
    for name in [x for x in rn if x not in ro]:
        if name in po:
            conf = "REQUIRED_ATTRIBUTE_ADDED"
        else:
            model = "OPEN" if _kind(cover(d, o, name, d.o), d.o) == "open" else "UNOPEN"
            conf = f"REQUIRED_PROPERTY_ADDED_TO_{model}_CONTENT_MODEL"
        msg = f"property {name!r} is now required"
        out.append(d.mk("required-property-added", ("required",), None, name, B, msg, conf))
    for name in [x for x in ro if x not in rn]:
        msg = f"property {name!r} is no longer required"
        out.append(
            d.mk(
                "required-property-removed",
                ("required",),
                name,
                None,
                F,
                msg,
                "REQUIRED_ATTRIBUTE_REMOVED",
            )
        )
    return out


def _slot(d: Differ, a: Json, b: Json, path: Path) -> list[Raw]:
    from opa_contracts.compat.engine_conditional import slot

    return slot(d, a, b, path)


__all__ = ["BF", "cover", "diff_object", "open_close", "rest_of"]
