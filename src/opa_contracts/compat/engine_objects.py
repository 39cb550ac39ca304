"""Objects: properties against their content model, patterns, required, names and sizes."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import rules_structural as rst
from opa_contracts.compat.changes import NONE, B, F, Path, Raw, under
from opa_contracts.compat.content_model import PROPERTIES, added, open_close, openness, removed
from opa_contracts.compat.engine_conditional import slot
from opa_contracts.compat.engine_scalar import bound
from opa_contracts.compat.jsonvalues import Json, is_trivial
from opa_contracts.compat.resolve import Document

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


def rest_of(node: Mapping[str, Any], doc: Document) -> tuple[Json, str | None]:
    """The schema for names no property or pattern covers, and the keyword that gives it."""
    if "additionalProperties" in node:
        return node["additionalProperties"], "additionalProperties"
    if vocab.is_modern(doc.dialect) and "unevaluatedProperties" in node:
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


def diff_object(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes to object keywords."""
    po, pn = o.get("properties", {}), n.get("properties", {})
    out: list[Raw] = []
    for name in sorted(set(po) | set(pn)):
        path: Path = ("properties", name)
        if name in po and name in pn:
            out += under(path, d.diff(po[name], pn[name]))
        elif name in pn:
            old_rest = cover(d, o, name, d.o)
            out += added(d, PROPERTIES, f"property {name!r}", path, pn[name], old_rest)
        else:
            new_rest = cover(d, n, name, d.n)
            out += removed(d, PROPERTIES, f"property {name!r}", path, po[name], new_rest)
    out += _rest(d, o, n)
    out += _patterns(d, o, n)
    out += _required(d, o, n, po, pn)
    out += slot(d, o.get("propertyNames"), n.get("propertyNames"), ("propertyNames",))
    out += bound(d, "minProperties", o.get("minProperties"), n.get("minProperties"))
    out += bound(d, "maxProperties", o.get("maxProperties"), n.get("maxProperties"))
    return out


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
            kind = openness(rest, doc)
            brk = F if kind == "closed" else B if kind == "open" else NONE
            if kind == "open" and is_trivial(d.n.view(schema)):
                brk = NONE
            msg = f"patternProperties {regex!r} added"
            nested = d.diff(rest, schema) if kind == "partial" else []
            out += [
                *under(path, nested),
                d.mk(rst.PATTERN_PROPERTY_ADDED.id, path, None, schema, brk, msg),
            ]
        else:
            rest, schema = rest_of(n, d.n)[0], po[regex]
            kind = openness(rest, d.n)
            brk = B if kind == "closed" else F if kind == "open" else NONE
            if kind == "open" and is_trivial(d.o.view(schema)):
                brk = NONE
            msg = f"patternProperties {regex!r} removed"
            nested = d.diff(schema, rest) if kind == "partial" else []
            out += [
                *under(path, nested),
                d.mk(rst.PATTERN_PROPERTY_REMOVED.id, path, schema, None, brk, msg),
            ]
    return out


def _required(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any], po: Any, pn: Any) -> list[Raw]:
    ro, rn = list(o.get("required", ())), list(n.get("required", ()))
    out: list[Raw] = []
    for name in [x for x in rn if x not in ro]:
        if name in po:
            conf = "REQUIRED_ATTRIBUTE_ADDED"
        else:
            model = "OPEN" if openness(cover(d, o, name, d.o), d.o) == "open" else "UNOPEN"
            conf = f"REQUIRED_PROPERTY_ADDED_TO_{model}_CONTENT_MODEL"
        msg = f"property {name!r} is now required"
        out.append(d.mk(rst.REQUIRED_PROPERTY_ADDED.id, ("required",), None, name, B, msg, conf))
    for name in [x for x in ro if x not in rn]:
        msg = f"property {name!r} is no longer required"
        out.append(
            d.mk(
                rst.REQUIRED_PROPERTY_REMOVED.id,
                ("required",),
                name,
                None,
                F,
                msg,
                "REQUIRED_ATTRIBUTE_REMOVED",
            )
        )
    return out
