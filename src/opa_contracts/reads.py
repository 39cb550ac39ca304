"""Subscribers and what they read: the one reader of a manifest's ``subscribers`` entries.

A subscriber entry is a name, or a mapping with ``name``, flags and, optionally, ``reads``: the
places of the payload it reads, as JSON pointers (``/ticker``, ``/details/memory_mb``), where a
``*`` token stands for every item of an array or every value of a map (``/items/*/id``). A read is
a pointer, or a mapping ``{path, type, enum, present}`` saying what the subscriber requires there.
A subscriber that declares no ``reads`` reads everything.

Three questions are answered here, for ``validate``, ``diff`` and ``readers`` alike:

* :func:`locate`: where a read lands in a payload schema (through ``$ref``, ``allOf``, ``oneOf``,
  ``anyOf``), whether the schema guarantees it (required all the way down, never null), and why
  not when the path is not there;
* :func:`instance_path`: which place of the *message* a change at a *schema* pointer is about
  (``/properties/price/minimum`` is about ``/price``; ``/items`` is about ``/*``);
* :func:`touched`: which subscribers read a place (pointer prefix overlap, ``*`` matching any
  token), and which of them a witness message breaks (the reader's *projection*: the witness is
  rejected at a place the reader reads, or above it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from opa_contracts import dialects
from opa_contracts.jsonschema_vocab import json_type
from opa_contracts.pointer import escape, join, resolve, unescape
from opa_contracts.schemawalk import walk
from opa_contracts.settings import NamingPattern, PatternError

#: the token that stands for every item of an array or every value of a map
WILDCARD = "*"
JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


@dataclass(frozen=True)
class Read:
    """One declared read: a place of the payload and what the reader requires of it."""

    path: str
    at: str  # where the read is declared in the manifest (/subscribers/0/reads/1)
    types: tuple[str, ...] = ()  # the JSON types the reader handles; () = any
    enum: tuple[Any, ...] | None = None  # the values the reader handles; None = any
    present: bool = True  # False: the reader copes with the field being absent

    @property
    def tokens(self) -> tuple[str, ...]:
        return tokens(self.path)


@dataclass(frozen=True)
class Subscriber:
    """A subscriber of one channel version, with its declared reads (``None``: declares none,
    reads everything)."""

    name: str
    at: str  # /subscribers/<i>
    description: str = ""
    planned: bool = False
    external: bool = False
    reads: tuple[Read, ...] | None = None

    @property
    def declares(self) -> bool:
        return self.reads is not None

    def reading(self, place: tuple[str, ...] | None) -> tuple[str, ...]:
        """The declared paths that overlap ``place`` (``None``: somewhere unknown, all of them)."""
        if self.reads is None:
            return ()
        return tuple(r.path for r in self.reads if place is None or overlaps(place, r.tokens))


def subscribers(manifest: Any) -> list[Subscriber]:
    """The subscribers of a manifest, in order (entries without a usable name are skipped)."""
    entries = manifest.get("subscribers") if isinstance(manifest, Mapping) else None
    out: list[Subscriber] = []
    for i, entry in enumerate(entries if isinstance(entries, list) else ()):
        at = f"/subscribers/{i}"
        if isinstance(entry, str) and entry:
            out.append(Subscriber(entry, at))
            continue
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        description = entry.get("description")
        raw_reads = entry.get("reads")
        reads = None
        if isinstance(raw_reads, list):
            reads = tuple(
                r for j, v in enumerate(raw_reads) if (r := _read(v, f"{at}/reads/{j}")) is not None
            )
        out.append(
            Subscriber(
                entry["name"],
                at,
                description if isinstance(description, str) else "",
                entry.get("planned") is True,
                entry.get("external") is True,
                reads,
            )
        )
    return out


def _read(value: Any, at: str) -> Read | None:
    if isinstance(value, str):
        return Read(value, at) if value.startswith("/") else None
    if not isinstance(value, Mapping) or not isinstance(value.get("path"), str):
        return None
    path = value["path"]
    if not path.startswith("/"):
        return None
    raw_type = value.get("type")
    types = (raw_type,) if isinstance(raw_type, str) else raw_type
    enum = value.get("enum")
    return Read(
        path,
        at,
        tuple(t for t in types if isinstance(t, str)) if isinstance(types, list | tuple) else (),
        tuple(enum) if isinstance(enum, list) else None,
        value.get("present") is not False,
    )


def tokens(pointer: str) -> tuple[str, ...]:
    """The tokens of a JSON pointer (``""`` has none)."""
    return tuple(unescape(t) for t in pointer[1:].split("/")) if pointer else ()


def pointer_of(place: tuple[str, ...]) -> str:
    return "".join(f"/{escape(t)}" for t in place)


def overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one place is within or above the other (``*`` matches any token)."""
    return all(x == y or WILDCARD in (x, y) for x, y in zip(a, b, strict=False))


# ------------------------------------------------------------------------- reads in a schema


@dataclass
class Location:
    """Where a read lands in a schema: the subschemas there, or why the path is not there."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""  # the path does not exist: why
    wildcard: str = ""  # a `*` over something that is neither an array nor a map: where
    optional: str = ""  # the first step the schema does not guarantee (not required)
    nullable: str = ""  # the first step that may be null

    @property
    def types(self) -> set[str] | None:
        """The JSON types the schema allows here; ``None``: any."""
        found: set[str] = set()
        for node in self.nodes:
            declared = node.get("type")
            if isinstance(declared, str):
                found.add(declared)
            elif isinstance(declared, list):
                found.update(t for t in declared if isinstance(t, str))
            elif isinstance(node.get("enum"), list) or "const" in node:
                found.update(json_type(v) for v in _values(node) or ())
            else:
                return None
        return found or None

    @property
    def values(self) -> list[Any] | None:
        """The values the schema allows here (enum/const); ``None``: not limited."""
        found: list[Any] = []
        for node in self.nodes:
            values = _values(node)
            if values is None:
                return None
            found += [v for v in values if v not in found]
        return found


def _values(node: Mapping[str, Any]) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    enum = node.get("enum")
    return list(enum) if isinstance(enum, list) else None


class _Schema:
    """A payload schema with its local ``$ref``s followed."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def deref(self, node: Any, seen: tuple[str, ...] = ()) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#") or ref in seen or len(seen) > 64:
                return {k: v for k, v in node.items() if k != "$ref"}
            seen = (*seen, ref)
            try:
                target = _resolve(self.root, ref[1:])
            except LookupError:
                return {k: v for k, v in node.items() if k != "$ref"}
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **siblings} if isinstance(target, dict) else target
        return node

    def applied(self, node: Any, always: bool = True, depth: int = 0) -> Iterator[tuple[Any, bool]]:
        """``node`` and every subschema applied to the same value, with whether it always
        applies (``allOf``: yes; ``anyOf``, ``oneOf``, ``if``/``then``/``else``: maybe)."""
        node = self.deref(node)
        yield node, always
        if not isinstance(node, dict) or depth > 32:
            return
        for keyword in ("allOf", "anyOf", "oneOf"):
            branches = node.get(keyword)
            if isinstance(branches, list):
                for branch in branches:
                    keep = always and (keyword == "allOf" or len(branches) == 1)
                    yield from self.applied(branch, keep, depth + 1)
        for keyword in ("then", "else"):
            if keyword in node:
                yield from self.applied(node[keyword], False, depth + 1)


def _resolve(root: Any, pointer: str) -> Any:
    return resolve(root, pointer)


def locate(schema: Any, path: tuple[str, ...]) -> Location:
    """Where ``path`` lands in ``schema`` (local ``$ref``s followed; bundle the schema first)."""
    walker = _Schema(schema)
    here: list[tuple[Any, bool]] = [(schema, True)]
    done: list[str] = []
    location = Location()
    for token in path:
        applied = [pair for node, always in here for pair in walker.applied(node, always)]
        step = pointer_of((*done, token))
        nullable = any(_may_be_null(n) for n, _ in applied if isinstance(n, dict))
        if nullable and not location.nullable and done:
            location.nullable = pointer_of(tuple(done))
        children = _wildcard(applied) if token == WILDCARD else _named(applied, token)
        if not children:
            where = pointer_of(tuple(done)) or "the message"
            kinds = _kinds(applied)
            if token == WILDCARD:
                location.wildcard = (
                    f"{step}: `*` stands for array items or map values, but {where} is "
                    f"{kinds or 'not an array or a map'} in this schema"
                )
            else:
                location.problem = f"{step}: {where} has no field {token!r} in this schema" + (
                    f" ({kinds})" if kinds else ""
                )
            return location
        if token != WILDCARD and not location.optional:
            required = any(
                always
                and isinstance(node, dict)
                and isinstance(node.get("required"), list)
                and token in node["required"]
                for node, always in applied
            )
            if not required:
                location.optional = step
        here = children
        done.append(token)
    location.nodes = [
        n for node, always in here for n, _ in walker.applied(node, always) if isinstance(n, dict)
    ]
    if not location.nullable and any(_may_be_null(n) for n in location.nodes):
        location.nullable = pointer_of(tuple(done))
    return location


def _may_be_null(node: Mapping[str, Any]) -> bool:
    declared = node.get("type")
    if declared == "null" or (isinstance(declared, list) and "null" in declared):
        return True
    values = _values(node)
    return values is not None and None in values


def _kinds(applied: list[tuple[Any, bool]]) -> str:
    found: list[str] = []
    for node, _ in applied:
        declared = node.get("type") if isinstance(node, dict) else None
        names = [declared] if isinstance(declared, str) else declared
        for name in names if isinstance(names, list) else ():
            if isinstance(name, str) and name not in found:
                found.append(name)
    return " or ".join(f"a {t}" if t[0] not in "aeiou" else f"an {t}" for t in found)


def _named(applied: list[tuple[Any, bool]], token: str) -> list[tuple[Any, bool]]:
    out: list[tuple[Any, bool]] = []
    for node, _ in applied:
        if not isinstance(node, dict):
            continue
        properties = node.get("properties")
        if isinstance(properties, dict) and token in properties:
            out.append((properties[token], True))
            continue
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern, sub in patterns.items():
                # RE2: linear time whatever the pattern; one it cannot compile may match
                try:
                    matches = NamingPattern(pattern).search(token) is not None
                except PatternError:
                    matches = True
                if matches:
                    out.append((sub, True))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            out.append((extra, True))
        items = node.get("prefixItems") if "prefixItems" in node else node.get("items")
        if isinstance(items, list) and token.isdigit() and int(token) < len(items):
            out.append((items[int(token)], True))
        elif token.isdigit() and (isinstance(items, dict) or _is_array(node)):
            out.append((items if isinstance(items, dict) else {}, True))  # one item of the array
    return out


def _is_array(node: Mapping[str, Any]) -> bool:
    declared = node.get("type")
    return declared == "array" or (isinstance(declared, list) and "array" in declared)


def _wildcard(applied: list[tuple[Any, bool]]) -> list[tuple[Any, bool]]:
    out: list[tuple[Any, bool]] = []
    for node, _ in applied:
        if not isinstance(node, dict):
            continue
        for keyword in ("items", "additionalItems", "additionalProperties", "prefixItems"):
            value = node.get(keyword)
            if isinstance(value, list):
                out += [(v, True) for v in value]
            elif isinstance(value, dict) and (value or keyword == "items"):
                out.append((value, True))
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict):
            out += [(sub, True) for sub in patterns.values()]
        declared = node.get("type")
        if not out and (
            declared == "array" or (isinstance(declared, list) and "array" in declared)
        ):
            out.append(({}, True))
    return out


def requirement_problems(read: Read, location: Location) -> list[str]:
    """What the schema allows at a read's place that the reader says it does not handle."""
    out: list[str] = []
    if read.types:
        handled = set(read.types) | ({"integer"} if "number" in read.types else set())
        allowed = location.types
        if allowed is None:
            out.append(
                f"the schema allows any type at {read.path}; the reader handles only "
                f"{', '.join(read.types)}"
            )
        elif allowed - handled - ({"null"} if not read.present else set()):
            extra = ", ".join(sorted(allowed - handled))
            out.append(
                f"the schema allows {extra} at {read.path}; the reader handles only "
                f"{', '.join(read.types)}"
            )
    if read.enum is not None:
        values = location.values
        if values is None:
            out.append(
                f"the schema allows any value at {read.path}; the reader handles only "
                f"{_list(read.enum)}"
            )
        else:
            extra_values = [v for v in values if v not in read.enum]
            if extra_values:
                out.append(
                    f"the schema allows {_list(extra_values)} at {read.path}, which the "
                    f"reader does not handle (it handles {_list(read.enum)})"
                )
    return out


def _list(values: Any) -> str:
    return ", ".join(json.dumps(v, ensure_ascii=False) for v in values)


# --------------------------------------------------------------- changes and the places they touch

_TO_ANY = {
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "contains",
}
_IN_PLACE_LISTS = {"allOf", "anyOf", "oneOf"}
_IN_PLACE_ONE = {"not", "if", "then", "else"}
_IN_PLACE_MAPS = {"dependencies", "dependentSchemas"}
_DEFS = {"$defs", "definitions"}


def instance_path(
    schema: Any,
    pointer: str,
    old: Any = None,
    new: Any = None,
    index: dict[str, list[str]] | None = None,
) -> tuple[str, ...] | None:
    """The place of the message a change at schema ``pointer`` is about (``None``: it cannot be
    told, so every place). ``old``/``new``: the change's values, which name the field for a
    change to ``required``. ``index``: :func:`ref_index` of ``schema``, when the caller keeps
    it for many changes."""
    refs = index if index is not None else RefIndex(schema)
    return _instance(refs, tokens(pointer), old, new, ())


def ref_index(schema: Any) -> dict[str, list[str]]:
    """Where each local ``$ref`` is used: target (``#/$defs/x``) -> the pointers referring to it."""
    found: dict[str, list[str]] = {}
    for where, node in walk(schema):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            found.setdefault(ref, []).append(where)
    return found


class RefIndex(dict[str, list[str]]):
    """:func:`ref_index`, built on first use (most changes never go through a definition)."""

    def __init__(self, schema: Any) -> None:
        super().__init__()
        self.schema, self.built = schema, False

    def get(self, key: str, default: Any = None) -> Any:
        if not self.built:
            self.update(ref_index(self.schema))
            self.built = True
        return super().get(key, default)


def _instance(
    refs: dict[str, list[str]],
    parts: tuple[str, ...],
    old: Any,
    new: Any,
    seen: tuple[str, ...],
) -> tuple[str, ...] | None:
    place: list[str] = []
    i = 0
    while i < len(parts):
        key = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if key == "properties" and following is not None:
            place.append(following)
            i += 2
        elif key == "patternProperties" and following is not None:
            place.append(WILDCARD)
            i += 2
        elif key in ("items", "prefixItems"):
            if following is not None and following.isdigit():
                place.append(following)
                i += 2
            else:
                place.append(WILDCARD)
                i += 1
        elif key in _TO_ANY:
            place.append(WILDCARD)
            i += 1
        elif key in _IN_PLACE_LISTS or key in _IN_PLACE_MAPS:
            i += 2
        elif key in _IN_PLACE_ONE:
            i += 1
        elif key in _DEFS and following is not None and not place:
            definition = join("", key, following)
            return _through_defs(refs, definition, parts[i + 2 :], old, new, seen)
        else:
            if key == "required":
                names = [v for v in (old, new) if isinstance(v, str)]
                if len(names) == 1:
                    place.append(names[0])
            break
    return tuple(place)


def _through_defs(
    refs: dict[str, list[str]],
    definition: str,
    rest: tuple[str, ...],
    old: Any,
    new: Any,
    seen: tuple[str, ...],
) -> tuple[str, ...] | None:
    """A change inside a definition is about every place that refers to it; that place when
    there is exactly one, else ``None`` (every place)."""
    users = refs.get("#" + definition) or []
    if definition in seen or len(users) != 1:
        return None
    base = _instance(refs, tokens(users[0]), None, None, (*seen, definition))
    tail = _instance(refs, rest, old, new, (*seen, definition))
    return None if base is None or tail is None else base + tail


@dataclass(frozen=True)
class ReaderHit:
    """A subscriber a change touches: the paths of its reads the change overlaps, and whether
    the witness breaks its projection (``None``: no witness, or the subscriber reads
    everything)."""

    name: str
    declared: bool
    paths: tuple[str, ...]
    witness_breaks: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "declares_reads": self.declared,
            "reads": list(self.paths),
            "witness_breaks_reads": self.witness_breaks,
        }

    @property
    def label(self) -> str:
        if not self.declared:
            return f"{self.name} (declares no reads)"
        elsewhere = "; this witness is rejected elsewhere" if self.witness_breaks is False else ""
        return f"{self.name} (reads {', '.join(self.paths)}{elsewhere})"


def touched(
    readers: list[Subscriber],
    place: tuple[str, ...] | None,
    witness: Any = None,
    reading_schema: Any = None,
    has_witness: bool = False,
) -> list[ReaderHit]:
    """The subscribers a change at ``place`` touches: every one that declares nothing, and each
    declaring one whose reads overlap the place. With a witness, whether it breaks each
    declaring reader: the reading schema rejects it at a place the reader reads, or above it."""
    hits: list[ReaderHit] = []
    rejected: list[tuple[str, ...]] | None = None
    judged = False
    for sub in readers:
        if not sub.declares:
            hits.append(ReaderHit(sub.name, False, ()))
            continue
        paths = sub.reading(place)
        if not paths:
            continue
        if has_witness and not judged:  # validated once, and only when a declared read is hit
            rejected, judged = _rejections(reading_schema, witness), True
        breaks = None
        if rejected is not None:
            breaks = any(overlaps(where, tokens(p)) for where in rejected for p in paths)
        hits.append(ReaderHit(sub.name, True, paths, breaks))
    return hits


def _rejections(schema: Any, witness: Any) -> list[tuple[str, ...]] | None:
    """The places of ``witness`` the schema rejects (a missing or unexpected property: the
    property's place), or ``None`` when it cannot be told."""
    dialect = dialects.identify(schema)
    if not isinstance(dialect, dialects.Dialect):
        dialect = dialects.DIALECTS[dialects.DEFAULT]
    try:
        validator = dialects.compile_schema(schema, dialect)
        errors = list(validator.iter_errors(witness))
    except Exception:  # any failure to judge means "cannot tell"
        return None
    places: list[tuple[str, ...]] = []
    for error in errors:
        base = tuple(str(t) for t in error.instance_path)
        kind = error.kind
        named = getattr(kind, "property", None)
        unexpected = getattr(kind, "unexpected", None)
        if isinstance(named, str):
            places.append((*base, named))
        elif isinstance(unexpected, list) and unexpected:
            places += [(*base, str(u)) for u in unexpected]
        else:
            places.append(base)
    return places
