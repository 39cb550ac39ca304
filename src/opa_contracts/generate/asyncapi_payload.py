"""A payload schema made fit for an AsyncAPI document: draft-07, references into the document.

AsyncAPI resolves every ``$ref`` against the whole document, so a schema's own references
(``#/definitions/node``) are rewritten to point at where the schema sits in it
(``#/components/messages/<id>/payload/schema/definitions/node``); references by embedded ``$id``
or by anchor are resolved here the same way. Any other object key named ``$ref`` would be taken
for a reference too, so such keys are re-expressed with the same meaning: a property ``$ref``
moves to ``patternProperties`` (``^\\$ref$``), a definition is renamed, a ``const`` or ``enum``
value becomes the equivalent schema, annotations holding one are dropped.

AsyncAPI's parser reads JSON Schema draft-07 only, so other dialects are converted: draft-04's
boolean ``exclusiveMaximum``, draft-06 as is, and for 2019-09/2020-12 ``prefixItems``,
``dependentRequired``/``dependentSchemas``, ``$ref`` with siblings and ``$recursiveRef``/
``$dynamicRef`` (static in a bundled schema). ``unevaluated*`` and ``min/maxContains`` have no
draft-07 form: they stay in the schema (draft-07 readers ignore them) and are reported as notes;
the standalone JSON Schema files (``generate jsonschema``) are always the exact contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin

from opa_contracts import dialects
from opa_contracts.pointer import join

DRAFT_07 = dialects.DIALECTS["draft-07"].uri
ROOT_BASE = "https://payload.invalid/schema.json"
REF_NAME_PATTERN = "^\\$ref$"
LOSSY = ("unevaluatedProperties", "unevaluatedItems", "minContains", "maxContains")

_SINGLE: tuple[str, ...] = (
    *("additionalProperties", "additionalItems", "unevaluatedProperties", "unevaluatedItems"),
    *("contains", "propertyNames", "not", "if", "then", "else", "contentSchema"),
)
_LISTS = ("allOf", "anyOf", "oneOf")
_DATA = ("const", "enum", "default", "examples")


class PayloadError(ValueError):
    """A schema that cannot be expressed in an AsyncAPI document."""


@dataclass
class _Converter:
    dialect: str
    at: str  # where the schema sits in the document (a JSON pointer)
    resources: dict[str, str] = field(default_factory=dict)  # base URI -> old pointer
    anchors: dict[str, str] = field(default_factory=dict)  # URI with #name -> old pointer
    moved: dict[str, str] = field(default_factory=dict)  # old pointer -> new pointer
    fixes: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)

    def id_of(self, node: dict[str, Any]) -> str | None:
        value = node.get("id" if self.dialect == "draft-04" else "$id")
        return value if isinstance(value, str) else None

    def index(self, node: Any, pointer: str, base: str) -> None:
        """Record every embedded resource and anchor of the original schema."""
        if not isinstance(node, dict):
            return
        ident = self.id_of(node)
        if ident is not None:
            base = urljoin(base, ident)
            uri, fragment = urldefrag(base)
            if fragment and not fragment.startswith("/"):
                self.anchors.setdefault(base, pointer)  # draft-06/07 plain-name fragment
            if not ident.startswith("#"):
                self.resources.setdefault(uri, pointer)
            base = uri
        for keyword in ("$anchor", "$dynamicAnchor"):
            if isinstance(node.get(keyword), str):
                self.anchors.setdefault(f"{base}#{node[keyword]}", pointer)
        for child, sub in _subschemas(node, pointer):
            self.index(sub, child, base)

    def target(self, ref: str, base: str) -> str:
        """The original pointer ``ref`` lands on."""
        uri, fragment = urldefrag(urljoin(base, ref))
        fragment = unquote(fragment)
        if uri not in self.resources:
            raise PayloadError(f"$ref {ref!r} does not name a part of this schema")
        if not fragment or fragment.startswith("/"):
            return self.resources[uri] + fragment
        found = self.anchors.get(f"{uri}#{fragment}")
        if found is None:
            raise PayloadError(f"$ref {ref!r}: no anchor {fragment!r}")
        return found

    def convert(self, node: Any, old: str, new: str, base: str) -> Any:
        """A converted copy of the subschema ``node`` (at ``old`` before, ``new`` after)."""
        self.moved[old] = new
        if not isinstance(node, dict):
            return node
        ident = self.id_of(node)
        if ident is not None:
            base = urldefrag(urljoin(base, ident))[0]
        ref = _reference(node)
        if ref is not None and self.dialect not in MODERN:
            # draft-07 and older ignore a $ref's siblings: keep only what may be pointed at
            node = {k: v for k, v in node.items() if k in _KEPT_BESIDE_REF or k == ref[0]}
        out: dict[str, Any] = {}
        # additions go to the end of allOf, so the pointers of existing branches stay put
        extra: list[Any] = []
        offset = len(node["allOf"]) if isinstance(node.get("allOf"), list) else 0
        for key, value in node.items():
            if ref is not None and key == ref[0]:
                target = self.target("#" if key == "$recursiveRef" else ref[1], base)
                holder: dict[str, Any] = out if len(node) == 1 else {}
                self.fixes.append((holder, target))
                if holder is not out:
                    extra.append(holder)
            elif key in _SINGLE or (key == "items" and not isinstance(value, list)):
                name = "additionalItems" if key == "items" and self._shifted(node) else key
                out[name] = self.convert(value, join(old, key), join(new, name), base)
            elif key in (*_LISTS, "items", "prefixItems") and isinstance(value, list):
                name = "items" if key == "prefixItems" else key
                out[name] = [
                    self.convert(sub, join(old, key, i), join(new, name, i), base)
                    for i, sub in enumerate(value)
                ]
            elif key in _NAMED and isinstance(value, dict):
                out[key] = self._named(key, value, old, new, base, out)
            elif key in _DEPENDENCIES and isinstance(value, dict):
                at = join(new, "allOf", offset + len(extra))
                extra += self._dependencies(key, value, old, new, base, out, at)
            elif key in _DATA:
                extra += self._data(key, value, out)
            elif key in ("exclusiveMaximum", "exclusiveMinimum") and isinstance(value, bool):
                bound = "maximum" if key == "exclusiveMaximum" else "minimum"
                if value and bound in node:
                    out[key] = node[bound]
            elif key in ("maximum", "minimum") and _exclusive_flag(node, key):
                continue  # draft-04: folded into exclusiveMaximum / exclusiveMinimum
            elif key == "$schema":
                out[key] = DRAFT_07
            elif key in _IDENTIFIERS or (key == "id" and self.dialect == "draft-04"):
                continue  # references are document pointers now: a base URI would misdirect them
            elif _representable(key, value):
                out[key] = value
            if key in LOSSY:
                self.notes.add(f"{key} is not in draft-07: readers of this document ignore it")
        if extra:
            out["allOf"] = [*out.get("allOf", []), *extra]
        return out

    def _shifted(self, node: dict[str, Any]) -> bool:
        return self.dialect == "2020-12" and "prefixItems" in node

    def _named(
        self, key: str, value: dict[str, Any], old: str, new: str, base: str, out: dict[str, Any]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, sub in value.items():
            child = join(old, key, name)
            if name != "$ref":
                result[name] = self.convert(sub, child, join(new, key, name), base)
            elif key == "properties":  # the same meaning: this exact name, as a pattern
                patterns = out.setdefault("patternProperties", {})
                where = join(new, "patternProperties", REF_NAME_PATTERN)
                converted = self.convert(sub, child, where, base)
                if REF_NAME_PATTERN in patterns:
                    converted = {"allOf": [patterns[REF_NAME_PATTERN], converted]}
                patterns[REF_NAME_PATTERN] = converted
            else:  # a regex "$ref" matches nothing, as "$(?:ref)" does; a definition is renamed
                renamed = "$(?:ref)" if key == "patternProperties" else _free("$ref_", value)
                result[renamed] = self.convert(sub, child, join(new, key, renamed), base)
        return result

    def _dependencies(
        self,
        key: str,
        value: dict[str, Any],
        old: str,
        new: str,
        base: str,
        out: dict[str, Any],
        at: str,
    ) -> list[Any]:
        merged: dict[str, Any] = out.setdefault("dependencies", {})
        extra: list[Any] = []
        for name, sub in value.items():
            if isinstance(sub, list):  # property names: dependentRequired, or the array form
                condition: Any = sub
            else:
                where = join(at, "anyOf", 1) if name == "$ref" else join(new, "dependencies", name)
                condition = self.convert(sub, join(old, key, name), where, base)
            if name == "$ref":
                extra.append({"anyOf": [{"not": {"required": ["$ref"]}}, _as_schema(condition)]})
            elif name in merged:
                merged[name] = {"allOf": [_as_schema(merged[name]), _as_schema(condition)]}
            else:
                merged[name] = condition
        if not merged:
            del out["dependencies"]
        return extra

    def _data(self, key: str, value: Any, out: dict[str, Any]) -> list[Any]:
        if not has_ref_key(value):
            out[key] = value
        elif key == "const":
            return [_exactly(value)]
        elif key == "enum" and isinstance(value, list):
            plain = [v for v in value if not has_ref_key(v)]
            branches = [_exactly(v) for v in value if has_ref_key(v)]
            return [{"anyOf": ([{"enum": plain}] if plain else []) + branches}]
        return []  # default / examples: annotations, dropped

    def finish(self) -> None:
        """Point every reference at its target's place in the document."""
        for holder, old in self.fixes:
            holder["$ref"] = fragment(self.at + self._new_pointer(old))

    def _new_pointer(self, old: str) -> str:
        probe = old
        while probe not in self.moved:
            if not probe:
                raise PayloadError(f"a reference to {old!r} lands outside the schema")
            probe = probe.rsplit("/", 1)[0]
        return self.moved[probe] + old[len(probe) :]


MODERN = ("2019-09", "2020-12")
_NAMED = ("properties", "patternProperties", "definitions", "$defs")
_DEPENDENCIES = ("dependencies", "dependentSchemas", "dependentRequired")
_IDENTIFIERS = frozenset({"$id", "$anchor", "$dynamicAnchor", "$recursiveAnchor"})
_KEPT_BESIDE_REF = frozenset({"definitions", "$defs", "title", "description", "$comment"})


def convert(schema: Any, dialect: str, at: str) -> tuple[Any, tuple[str, ...]]:
    """``schema`` (of ``dialect``) as draft-07 sitting at pointer ``at``; and what was lost."""
    converter = _Converter(dialect, at, resources={ROOT_BASE: ""})
    converter.index(schema, "", ROOT_BASE)
    result = converter.convert(schema, "", "", ROOT_BASE)
    if isinstance(result, dict) and "$schema" in result:
        result["$schema"] = DRAFT_07
    converter.finish()
    return result, tuple(sorted(converter.notes))


def fragment(pointer: str) -> str:
    """A ``$ref`` to the JSON pointer ``pointer`` of this document (a URI fragment)."""
    return "#" + quote(pointer, safe="/~!$&'()*+,;=:@")


def _reference(node: dict[str, Any]) -> tuple[str, str] | None:
    for key in ("$ref", "$recursiveRef", "$dynamicRef"):
        value = node.get(key)
        if isinstance(value, str):
            return key, value
    return None


def _subschemas(node: dict[str, Any], pointer: str) -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if key in _SINGLE or (key == "items" and isinstance(value, dict | bool)):
            yield join(pointer, key), value
        elif key in (*_LISTS, "items", "prefixItems") and isinstance(value, list):
            yield from ((join(pointer, key, i), sub) for i, sub in enumerate(value))
        elif key in ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas"):
            if isinstance(value, dict):
                yield from ((join(pointer, key, name), sub) for name, sub in value.items())
        elif key == "dependencies" and isinstance(value, dict):
            for name, sub in value.items():
                if isinstance(sub, dict | bool):
                    yield join(pointer, key, name), sub


def _exclusive_flag(node: dict[str, Any], bound: str) -> bool:
    flag = node.get("exclusiveMaximum" if bound == "maximum" else "exclusiveMinimum")
    return flag is True


def _representable(key: str, value: Any) -> bool:
    """False for keys AsyncAPI's Schema Object types differently, and for data holding ``$ref``."""
    if key == "discriminator" and not isinstance(value, str):
        return False
    if key == "deprecated" and not isinstance(value, bool):
        return False
    if key == "externalDocs" and not (
        isinstance(value, dict)
        and isinstance(value.get("url"), str)
        and all(k in ("url", "description") or k.startswith("x-") for k in value)
    ):
        return False
    return not has_ref_key(value)


def has_ref_key(value: Any) -> bool:
    """True when ``value`` holds an object with a ``$ref`` key, at any depth."""
    if isinstance(value, dict):
        return "$ref" in value or any(has_ref_key(v) for v in value.values())
    if isinstance(value, list):
        return any(has_ref_key(v) for v in value)
    return False


def _exactly(value: Any) -> Any:
    """A schema that accepts exactly ``value`` (as ``const`` does), without a ``$ref`` key."""
    if not has_ref_key(value):
        return {"const": value}
    if isinstance(value, list):
        return {
            "type": "array",
            "items": [_exactly(v) for v in value],
            "minItems": len(value),
            "maxItems": len(value),
        }
    names = {k: _exactly(v) for k, v in value.items() if k != "$ref"}
    return {
        "type": "object",
        "required": list(value),
        "properties": names,
        "patternProperties": {REF_NAME_PATTERN: _exactly(value["$ref"])},
        "additionalProperties": False,
    }


def _as_schema(dependency: Any) -> Any:
    return {"required": dependency} if isinstance(dependency, list) else dependency


def _free(name: str, taken: dict[str, Any]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{n}"
    return candidate
