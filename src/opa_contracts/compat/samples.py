"""Candidate instances of a writer schema, steered by the constants both schemas mention."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from opa_contracts.compat.engine_objects import search
from opa_contracts.compat.jsonvalues import Json, canon, json_number
from opa_contracts.compat.regex_sample import regex_samples
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.samples_typed import FORMAT_SAMPLES, MAX_SAMPLE_LENGTH, by_type

_MAX_DEPTH = 6
_PER_NODE = 80
_POOL: list[Json] = [0, "", None, True, 1, -1, 0.5, "a", False, [], {}, "x1", -0.5, 2]
_KEYWORD_TYPES = {
    "properties": "object", "required": "object", "additionalProperties": "object",
    "patternProperties": "object", "minProperties": "object", "maxProperties": "object",
    "items": "array", "prefixItems": "array", "minItems": "array", "maxItems": "array",
    "contains": "array", "uniqueItems": "array", "minLength": "string", "maxLength": "string",
    "pattern": "string", "format": "string", "minimum": "number", "maximum": "number",
    "exclusiveMinimum": "number", "exclusiveMaximum": "number", "multipleOf": "number",
}  # fmt: skip
_LENGTH_KEYWORDS = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
     "minContains", "maxContains"}
)  # fmt: skip
_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")


class Hints:
    """Constants gathered from both schemas: numbers, lengths, strings, names."""

    def __init__(self, *docs: Document) -> None:
        self.numbers: list[float | int] = []
        self.lengths: list[int] = []
        self.strings: list[str] = []
        self.names: list[str] = []
        self.patterns: list[str] = []
        for doc in docs:
            self._gather(doc.root, 0)
        self.numbers = _unique(self.numbers)
        self.lengths = sorted({x for x in self.lengths if 0 <= x <= MAX_SAMPLE_LENGTH})
        self.strings = _unique(self.strings)
        self.names = _unique(self.names)

    def _gather(self, node: Json, depth: int) -> None:
        if depth > 40:
            return
        if isinstance(node, list):
            for item in node:
                self._gather(item, depth + 1)
            return
        if not isinstance(node, Mapping):
            return
        for key, value in node.items():
            if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
                if _is_number(value):
                    self.numbers.extend(_around(value))
                if key == "multipleOf" and _is_number(value) and value > 0:
                    # a multiple of half the step is not a multiple of the step itself
                    half = json_number(Fraction(value) / 2)
                    if half is not None:
                        self.numbers.append(half)
            elif key in _LENGTH_KEYWORDS and _is_number(value):  # fmt: skip
                self.lengths.extend([int(value) - 1, int(value), int(value) + 1])
            elif key in ("enum", "const", "examples", "default"):
                values = (
                    value if key in ("enum", "examples") and isinstance(value, list) else [value]
                )
                self.strings.extend(v for v in values if isinstance(v, str))
                self.numbers.extend(v for v in values if _is_number(v))
            elif key == "pattern" and isinstance(value, str):
                self.patterns.append(value)
            elif key == "format" and isinstance(value, str) and value in FORMAT_SAMPLES:
                self.strings.append(FORMAT_SAMPLES[value])
            names_here = ("properties", "dependentRequired", "dependentSchemas", "dependencies")
            if key in names_here and isinstance(value, Mapping):
                self.names.extend(str(k) for k in value)
            if key == "required" and isinstance(value, list):
                self.names.extend(str(k) for k in value)
            if key == "patternProperties" and isinstance(value, Mapping):
                for regex in value:
                    self.names.extend(regex_samples(str(regex), limit=2))
            if key not in ("enum", "const", "examples", "default"):
                self._gather(value, depth + 1)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    # an int of any size is a number; never through float (10**400 has no float)
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _around(value: float) -> list[float | int]:
    exact = Fraction(value)
    steps = (Fraction(0), Fraction(-1), Fraction(1), Fraction(-1, 2), Fraction(1, 2))
    out = [json_number(exact + step) for step in steps] + [json_number(exact * 2)]
    return [v for v in out if v is not None]


def _unique(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for v in values:
        k = canon(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


class BudgetExceeded(Exception):
    """The witness search ran out of time."""


class Samples:
    """Candidate values for the nodes of one (writer) document."""

    def __init__(self, doc: Document, hints: Hints) -> None:
        self.doc = doc
        self.hints = hints
        self.deadline = math.inf
        self._cache: dict[tuple[int, int], list[Json]] = {}
        self._keep: list[Json] = []

    def values(self, node: Json, depth: int = 0) -> list[Json]:
        """Candidate values for ``node``, the ones its own validator accepts first."""
        node = self.doc.view(node)
        key = (id(node), depth)
        if key in self._cache:
            return self._cache[key]
        if time.monotonic() > self.deadline:
            raise BudgetExceeded
        self._cache[key] = [None]  # breaks recursion through the node itself
        self._keep.append(node)
        try:
            raw = _unique(list(itertools.islice(self._raw(node, depth), _PER_NODE * 4)))
        except BaseException:
            # an unfinished node must not leave its placeholder for later searches to find
            del self._cache[key]
            raise
        local = self.doc.local_validator(node)
        if local is not None:
            valid = [v for v in raw if _safe_valid(local, v)]
            rest = [v for v in raw if not _safe_valid(local, v)]
            raw = valid + rest
        out = raw[:_PER_NODE]
        self._cache[key] = out
        return out

    def first(self, node: Json, depth: int) -> Json:
        """The most plausible valid value for ``node``."""
        values = self.values(node, depth)
        return values[0] if values else None

    def _raw(self, node: Json, depth: int) -> Iterator[Json]:
        if node is False:
            return
        if node is True or not isinstance(node, Mapping):
            yield from _POOL
            return
        for key in ("const", "enum"):
            if key in node:
                yield from (node[key] if key == "enum" else [node[key]])
        for key in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(key, ()):
                merged = merge(node, self.doc.view(branch), key)
                if merged is False:
                    continue  # a `false` branch: nothing to generate
                self._keep.append(merged)
                yield from self._typed(merged, depth)
        yield from self._typed(node, depth)
        if "not" in node or "if" in node:
            yield from _POOL

    def _typed(self, node: Mapping[str, Any], depth: int) -> Iterator[Json]:
        declared = node.get("type")
        if isinstance(declared, str):
            types = [declared]
        elif isinstance(declared, list):
            types = [t for t in _ORDER if t in declared]
        else:
            implied = {_KEYWORD_TYPES[k] for k in node if k in _KEYWORD_TYPES}
            types = [t for t in _ORDER if t in implied] + [t for t in _ORDER if t not in implied]
        for t in types:
            yield from by_type(self, node, t, depth)

    def property_schema(self, node: Json, name: str, seen: set[int] | None = None) -> Json:
        """The schema the writer applies to property ``name`` of an object at ``node``."""
        node = self.doc.view(node)
        seen = set() if seen is None else seen
        if not isinstance(node, Mapping) or id(node) in seen:
            return True  # a branch met before had nothing for ``name``: nor has it now
        seen.add(id(node))
        for key in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(key, ()):
                found = self.property_schema(branch, name, seen)
                if found is not True:
                    return found
        if name in node.get("properties", {}):
            return node["properties"][name]
        for regex, schema in node.get("patternProperties", {}).items():
            if search(regex, name):
                return schema
        return node.get("additionalProperties", node.get("unevaluatedProperties", True))


def merge(base: Mapping[str, Any], branch: Json, key: str) -> Json:
    """A rough conjunction of a node's own keywords and one branch, for generation only
    (``false`` when the branch is ``false``)."""
    if branch is True:
        branch = {}
    if not isinstance(branch, Mapping):
        return branch
    out = {k: v for k, v in base.items() if k not in ("allOf", "anyOf", "oneOf")}
    for k, v in branch.items():
        if k == "properties" and isinstance(out.get(k), Mapping):
            out[k] = {**out[k], **v}
        elif k == "required" and isinstance(out.get(k), list):
            out[k] = list(dict.fromkeys([*out[k], *v]))
        elif k == "type" and "type" in out:
            a = {out["type"]} if isinstance(out["type"], str) else set(out["type"])
            b = {v} if isinstance(v, str) else set(v)
            both = a & b or ({"integer"} if "integer" in a | b else set())
            out[k] = sorted(both) if both else v
        else:
            out[k] = v
    del key
    return out


def _safe_valid(validator: Any, value: Json) -> bool:
    try:
        return bool(validator.is_valid(value))
    except Exception:
        return False


__all__ = ["_MAX_DEPTH", "BudgetExceeded", "Hints", "Samples", "merge"]
