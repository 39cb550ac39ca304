"""Candidate values of one JSON type for a node: boundaries of both schemas, then variations."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from opa_contracts.compat.jsonvalues import Json, json_number
from opa_contracts.compat.regex_sample import regex_samples

if TYPE_CHECKING:
    from opa_contracts.compat.samples import Samples

# a valid value of each format the validators assert
FORMAT_SAMPLES = {
    "date-time": "2024-01-02T03:04:05Z", "date": "2024-01-02", "time": "03:04:05Z",
    "duration": "P1D", "email": "a@example.com", "idn-email": "a@example.com",
    "hostname": "example.com", "idn-hostname": "example.com", "ipv4": "127.0.0.1",
    "ipv6": "::1", "uri": "https://example.com/a", "uri-reference": "/a",
    "iri": "https://example.com/a", "iri-reference": "/a", "uri-template": "/a/{b}",
    "uuid": "123e4567-e89b-12d3-a456-426614174000", "json-pointer": "/a",
    "relative-json-pointer": "0/a", "regex": "^a$",
}  # fmt: skip
_FORMATS_BAD = ["", "not-a-value", "2024-13-45"]
#: The longest string the witness search builds. A longer length bound (``minLength: 3000000000``)
#: is never built: the search works on a scaled copy of both schemas (see ``witness.py``).
MAX_SAMPLE_LENGTH = 4096


def by_type(s: Samples, node: Mapping[str, Any], t: str, depth: int) -> Iterator[Json]:
    """Candidates of type ``t`` for ``node``."""
    if t == "null":
        yield None
    elif t == "boolean":
        yield from (False, True)
    elif t in ("integer", "number"):
        yield from _numbers(s, node, integral=t == "integer")
    elif t == "string":
        yield from _strings(s, node)
    elif t == "array":
        yield from _arrays(s, node, depth)
    elif t == "object":
        yield from _objects(s, node, depth)


def _numbers(s: Samples, node: Mapping[str, Any], *, integral: bool) -> Iterator[Json]:
    # exact arithmetic: a bound may be an integer of any size (10**400), never turned into a float
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    step = node.get("multipleOf")
    base: list[Any] = []
    for bound in (low, high):
        if _number(bound):
            exact = Fraction(bound)
            base += [exact, exact + 1, exact - 1, exact + Fraction(1, 2), exact - Fraction(1, 2)]
    if _number(step) and step:
        start = Fraction(low) if _number(low) else Fraction(0)
        k0 = math.floor(start / Fraction(step))
        base += [Fraction(step) * k for k in range(k0, k0 + 4)]
    base += [0, 1, -1, 2, 10, 0.5, -0.5, 1.5, *s.hints.numbers]
    for v in base:
        if isinstance(v, Fraction):
            v = json_number(v)
            if v is None:
                continue
        if integral and isinstance(v, float) and not v.is_integer():
            continue
        yield int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v


def _number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _strings(s: Samples, node: Mapping[str, Any]) -> Iterator[Json]:
    lengths = tuple(s.hints.lengths)
    min_len = node.get("minLength", 0)
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        yield from regex_samples(pattern, lengths)
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt in FORMAT_SAMPLES:
        yield FORMAT_SAMPLES[fmt]
    if isinstance(min_len, int) and not isinstance(min_len, bool) and min_len <= MAX_SAMPLE_LENGTH:
        yield "a" * min_len
    # "\n" is not matched by "." (nor is it before "$" in ECMA-262 regexes)
    yield from ("", "a", "A1", "x y", "\n")
    yield from s.hints.strings
    for length in lengths:
        yield "a" * length
    for other in s.hints.patterns:
        yield from regex_samples(other, lengths, limit=4)
    yield from _FORMATS_BAD


def _arrays(s: Samples, node: Mapping[str, Any], depth: int) -> Iterator[Json]:
    yield []
    if depth >= 6:
        return
    tuple_schemas = node.get("prefixItems")
    items = node.get("items")
    if isinstance(items, list):
        tuple_schemas, items = items, node.get("additionalItems")
    prefix = [s.first(t, depth + 1) for t in (tuple_schemas or [])]
    if prefix:
        for i in range(1, len(prefix) + 1):
            yield prefix[:i]
    item_values = (
        s.values(items, depth + 1)[:12] if items is not None else s.values(True, depth + 1)
    )
    for v in item_values:
        yield [*prefix, v]
    first = item_values[0] if item_values else 0
    yield [*prefix, first, first]
    contains = node.get("contains")
    if contains is not None:
        for c in s.values(contains, depth + 1)[:6]:
            yield [c]
            yield [c, c]
            yield [c, c, c]
    for length in s.hints.lengths:
        if 0 < length <= 64:
            yield [*prefix, *([first] * length)]
            if len(item_values) > length:
                yield [*prefix, *item_values[:length]]


def _objects(s: Samples, node: Mapping[str, Any], depth: int) -> Iterator[Json]:
    props: Mapping[str, Any] = node.get("properties", {})
    required = [r for r in node.get("required", ()) if isinstance(r, str)]
    if depth >= 6:
        yield dict.fromkeys(required)
        return
    base = {name: s.first(s.property_schema(node, name), depth + 1) for name in required}
    yield base
    full = dict(base)
    for name, schema in props.items():
        full.setdefault(name, s.first(schema, depth + 1))
    yield full
    for name in props:
        for v in s.values(props[name], depth + 1)[:10]:
            yield {**base, name: v}
    extra_names = [n for n in s.hints.names if n not in props] + ["extra"]
    for name in extra_names:
        for v in s.values(s.property_schema(node, name), depth + 1)[:8]:
            yield {**base, name: v}
            yield {**full, name: v}
    deps = dict(node.get("dependentRequired", {}))
    deps.update({k: v for k, v in node.get("dependencies", {}).items() if isinstance(v, list)})
    for key, needs in deps.items():
        # An object that satisfies the writer's dependency, so only the reader's can fail.
        names = [key, *needs]
        yield {**base, **{n: s.first(s.property_schema(node, n), depth + 1) for n in names}}
    for name in required:
        yield {k: v for k, v in base.items() if k != name}
    for length in s.hints.lengths:
        if 0 < length <= 32:
            yield {**base, **{f"k{i}": 0 for i in range(length)}}
