"""The field table of a payload schema: one row per field, nested objects expanded.

Names are dotted paths (``details.uptime_seconds``); array items add ``[]`` (``tags[]``), tuple
items their index (``pair[0]``), extra properties ``.*``. Local ``$ref``s are followed (schemas
from the generators are bundled, so every reference is local); ``allOf`` branches are merged;
``oneOf``/``anyOf`` branches are listed (a ``$ref``'d branch by its target's ``title``, else the
ref's last segment: ``oneOf: Order | Refund``), and their properties expanded with a note. A
schema that refers to itself is shown once, with a note where it recurs.

Durations: a number field named in milliseconds (``timeout_ms``, ``retryMs``) shows its bounds,
default, constant and enum values with their unit as well (``≤ 86400000 (1 day)``), written by
:mod:`opa_contracts.units` as everywhere in the docs. No other integer is guessed to be a duration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from opa_contracts import pointer as jp
from opa_contracts import units
from opa_contracts.jsonschema_vocab import DRAFT7, dialect_of, json_type

MAX_DEPTH = 16
MAX_ROWS = 2000  # a pathological schema must not produce a page nobody can open

_BOUNDS = (
    ("minimum", "≥"),
    ("exclusiveMinimum", ">"),
    ("maximum", "≤"),
    ("exclusiveMaximum", "<"),
)
#: a field name that says its value counts milliseconds: ``timeout_ms``, ``retryMs``
_MILLISECONDS = re.compile(r"(?:_ms|[a-z0-9]Ms)$")
#: below this many milliseconds the unit adds nothing to the number (``500`` is ``500 ms``)
_SPOKEN_FROM_MS = 1000
_SIZES = (
    ("minLength", "maxLength", "length"),
    ("minItems", "maxItems", "items"),
    ("minProperties", "maxProperties", "properties"),
)


@dataclass(frozen=True)
class Field:
    """One row of a field table."""

    name: str
    depth: int
    type: str
    required: bool | None  # None: not a property (the message itself, an array item)
    constraints: tuple[str, ...]
    description: str
    #: the field's place in the message, as pointer tokens ("*": every item or value)
    place: tuple[str, ...] = ()


def fields(schema: Any) -> list[Field]:
    """Every field of ``schema``, in the schema's order, parents before their children."""
    walker = _Walker(schema)
    rows = list(walker.node("", schema, required=None, depth=0, chain=(), place=()))
    if len(rows) > MAX_ROWS:
        rows = rows[:MAX_ROWS]
        rows.append(Field("…", 0, "", None, (f"table cut at {MAX_ROWS} rows",), ""))
    return rows


def literal(value: Any) -> str:
    """A JSON value as it appears in a constraint (``"buy"``, ``3``, ``null``)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class _Walker:
    def __init__(self, root: Any) -> None:
        self.root = root
        declared = root.get("$schema") if isinstance(root, dict) else None
        self.dialect = (dialect_of(declared) if isinstance(declared, str) else None) or DRAFT7
        # the oneOf/anyOf branches being expanded: one met again inside itself (a cycle through
        # allOf, which keeps no chain of refs) is not expanded again
        self.expanding: set[int] = set()
        self.labelling: set[int] = set()  # the same for the branches named in the type column

    def resolve(self, node: Any, chain: tuple[str, ...]) -> tuple[Any, tuple[str, ...], str]:
        """``node`` with local ``$ref``s followed (siblings kept), the refs seen, a problem."""
        problem = ""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#"):
                return node, chain, f"$ref {ref}"
            if ref in chain:
                return {}, chain, f"recursive: {ref}"
            try:
                target = jp.resolve(self.root, ref[1:])
            except LookupError:
                return {}, chain, f"unresolved $ref {ref}"
            chain = (*chain, ref)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if isinstance(target, dict):
                # the referring node's own words (a description next to the $ref) win
                node = {**target, **siblings}
            else:
                node = siblings if siblings else target
        return node, chain, problem

    def merged(self, node: Any, chain: tuple[str, ...]) -> tuple[Any, tuple[str, ...], str]:
        """``node`` resolved, with its ``allOf`` branches folded into it."""
        node, chain, problem = self.resolve(node, chain)
        if not isinstance(node, dict) or not isinstance(node.get("allOf"), list):
            return node, chain, problem
        result = {k: v for k, v in node.items() if k != "allOf"}
        for branch in node["allOf"]:
            part, _, _ = self.merged(branch, chain)
            if not isinstance(part, dict):
                continue
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    merged = dict(result.get("properties", {}))
                    for name, sub in value.items():
                        merged.setdefault(name, sub)
                    result["properties"] = merged
                elif key == "required" and isinstance(value, list):
                    result["required"] = [*result.get("required", []), *value]
                else:
                    result.setdefault(key, value)
        return result, chain, problem

    def node(
        self,
        name: str,
        raw: Any,
        *,
        required: bool | None,
        depth: int,
        chain: tuple[str, ...],
        place: tuple[str, ...],
    ) -> Iterator[Field]:
        node, chain, problem = self.merged(raw, chain)
        notes = [problem] if problem else []
        if node is False:
            notes.append("never valid")
        description = node.get("description") if isinstance(node, dict) else None
        row = Field(
            name=name or "(message)",
            depth=depth,
            type=type_of(node, self.dialect, lambda b: self.label(b, chain))
            if isinstance(node, dict)
            else ("any" if node is True else ""),
            required=required,
            constraints=tuple(
                notes
                + (
                    constraints(node, milliseconds=_in_ms(name, node))
                    if isinstance(node, dict)
                    else []
                )
            ),
            description=description if isinstance(description, str) else "",
            place=place,
        )
        children = (
            list(self.children(name, node, depth, chain, place)) if isinstance(node, dict) else []
        )
        # the message itself is a row only when it is not a plain object of named fields
        if name or not children or row.constraints or row.type not in ("object", ""):
            yield row
        yield from children

    def children(
        self,
        name: str,
        node: Mapping[str, Any],
        depth: int,
        chain: tuple[str, ...],
        place: tuple[str, ...] = (),
    ) -> Iterator[Field]:
        if depth >= MAX_DEPTH:
            return
        prefix = f"{name}." if name else ""
        below = depth + 1 if name else depth
        required = node.get("required")
        needed = set(required) if isinstance(required, list) else set()
        properties = node.get("properties")
        if isinstance(properties, dict):
            for key, sub in properties.items():
                yield from self.node(
                    prefix + key,
                    sub,
                    required=key in needed,
                    depth=below,
                    chain=chain,
                    place=(*place, key),
                )
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern, sub in patterns.items():
                yield from self.node(
                    f"{prefix}<{pattern}>",
                    sub,
                    required=False,
                    depth=below,
                    chain=chain,
                    place=(*place, "*"),
                )
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            yield from self.node(
                f"{prefix}*", extra, required=False, depth=below, chain=chain, place=(*place, "*")
            )
        items = node.get("prefixItems") if "prefixItems" in node else node.get("items")
        base = name or "(message)"
        if isinstance(items, list):
            for index, sub in enumerate(items):
                yield from self.node(
                    f"{base}[{index}]",
                    sub,
                    required=None,
                    depth=depth + 1,
                    chain=chain,
                    place=(*place, str(index)),
                )
            rest = node.get("items") if "prefixItems" in node else node.get("additionalItems")
            if isinstance(rest, dict) and rest:
                yield from self.node(
                    f"{base}[]",
                    rest,
                    required=None,
                    depth=depth + 1,
                    chain=chain,
                    place=(*place, "*"),
                )
        elif isinstance(items, dict):
            yield from self.node(
                f"{base}[]",
                items,
                required=None,
                depth=depth + 1,
                chain=chain,
                place=(*place, "*"),
            )
        for keyword in ("oneOf", "anyOf"):
            branches = node.get(keyword)
            if not isinstance(branches, list):
                continue
            for index, branch in enumerate(branches, 1):
                if id(branch) in self.expanding:
                    continue
                named = _is_ref(branch)
                self.expanding.add(id(branch))
                found = list(
                    self.children(name, self.merged(branch, chain)[0], depth, chain, place)
                )
                self.expanding.discard(id(branch))
                for row in found:
                    note = f"only in {keyword} variant {index}"
                    if named:
                        note += f" ({self.label(branch, chain)})"
                    yield Field(
                        row.name,
                        row.depth,
                        row.type,
                        row.required,
                        (note, *row.constraints),
                        row.description,
                        row.place,
                    )

    def label(self, branch: Any, chain: tuple[str, ...]) -> str:
        """A ``oneOf``/``anyOf`` branch in the type column: a ``$ref``'d one by its target's
        ``title``, else the ref's last segment (``Order``); any other by its type (a branch met
        again inside itself, through ``allOf``, is "…")."""
        target, _, problem = self.merged(branch, chain)
        if _is_ref(branch):
            title = target.get("title") if isinstance(target, dict) and not problem else None
            if isinstance(title, str) and title.strip():
                return " ".join(title.split())
            ref = branch["$ref"]
            if ref == "#":
                return "(message)"  # the message itself, recursively
            last = jp.unescape(ref.rsplit("/", 1)[-1])
            if last and not last.startswith("#"):
                return last
        if not isinstance(target, dict):
            return "never" if target is False else "any"
        if id(branch) in self.labelling:
            return "…"
        self.labelling.add(id(branch))
        try:
            return type_of(target, self.dialect, lambda b: self.label(b, chain))
        finally:
            self.labelling.discard(id(branch))


def _is_ref(branch: Any) -> bool:
    return isinstance(branch, dict) and isinstance(branch.get("$ref"), str)


def _in_ms(name: str, node: Mapping[str, Any]) -> bool:
    """Whether the field ``name`` counts milliseconds: its name says so and it is a number."""
    last = name.rsplit(".", 1)[-1].removesuffix("[]")
    return bool(_MILLISECONDS.search(last)) and node.get("type") in ("integer", "number")


def type_of(
    node: Mapping[str, Any],
    dialect: str = DRAFT7,
    label: Callable[[Any], str] | None = None,
) -> str:
    """The type column: the declared type(s), else what the keywords imply; ``label`` names a
    ``oneOf``/``anyOf`` branch (by default its own type, "any" for a boolean schema)."""
    declared = node.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list) and declared:
        return " | ".join(str(t) for t in declared)
    if "const" in node:
        return json_type(node["const"], dialect)
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return " | ".join(sorted({json_type(v, dialect) for v in enum}))
    for keyword in ("oneOf", "anyOf"):
        branches = node.get(keyword)
        if isinstance(branches, list) and branches:
            name = label or (lambda b: type_of(b, dialect) if isinstance(b, dict) else "any")
            return f"{keyword}: " + " | ".join(name(b) for b in branches)
    if "properties" in node or "additionalProperties" in node:
        return "object"
    if "items" in node or "prefixItems" in node:
        return "array"
    return "any"


def constraints(node: Mapping[str, Any], *, milliseconds: bool = False) -> list[str]:
    """Human-readable constraints of one schema node (not of its children); with
    ``milliseconds``, a value of a bound, ``default``, ``const`` or ``enum`` also in words."""
    out: list[str] = []
    shown = _with_unit if milliseconds else literal
    if "const" in node:
        out.append(f"= {shown(node['const'])}")
    enum = node.get("enum")
    if isinstance(enum, list):
        out.append("one of: " + ", ".join(shown(v) for v in enum))
    if isinstance(node.get("format"), str):
        out.append(f"format: {node['format']}")
    if isinstance(node.get("pattern"), str):
        out.append(f"pattern: {node['pattern']}")
    for keyword, sign in _BOUNDS:
        value = node.get(keyword)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(f"{sign} {shown(value)}")
    for low_key, high_key, label in _SIZES:
        low, high = node.get(low_key), node.get(high_key)
        if isinstance(low, int) and isinstance(high, int):
            out.append(f"{label}: {low}–{high}")
        elif isinstance(low, int):
            out.append(f"{label}: ≥ {low}")
        elif isinstance(high, int):
            out.append(f"{label}: ≤ {high}")
    if node.get("uniqueItems") is True:
        out.append("unique items")
    if isinstance(node.get("multipleOf"), int | float):
        out.append(f"multiple of {literal(node['multipleOf'])}")
    if node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False:
        out.append("no other properties")
    if "default" in node:
        out.append(f"default: {shown(node['default'])}")
    for keyword in ("deprecated", "readOnly", "writeOnly"):
        if node.get(keyword) is True:
            out.append(keyword)
    if "not" in node:
        out.append(f"not: {literal(node['not'])}")
    for keyword in ("if", "dependencies", "dependentRequired", "dependentSchemas"):
        if keyword in node:
            out.append(f"{keyword}: {literal(node[keyword])}")
    return out


def _with_unit(value: Any) -> str:
    """A value of a millisecond field: ``86400000 (1 day)``; small or non-integer ones as is."""
    text = literal(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= _SPOKEN_FROM_MS:
        return f"{text} ({units.duration(value)})"
    return text
