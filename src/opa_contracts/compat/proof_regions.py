"""Regions: what a schema accepts, read per instance type as unions of intervals, for the
prover's *region containment* rule (:mod:`.proof`).

A region gives, for each primitive type (``null``, ``boolean``, ``object``, ``array``,
``string``, ``integer`` and ``fraction``, a number with a non-zero fractional part), a union
of intervals: of the value for numbers, of the length in code points for strings, and either
everything or nothing for the other types. Regions are closed under union, intersection and
complement, so ``anyOf``, ``allOf``, ``oneOf``, ``not`` and ``if``/``then``/``else`` are read
exactly over what the intervals can say: ``type``, the numeric bounds, ``multipleOf: 1``,
``minLength``/``maxLength``, a ``pattern`` that only counts characters (``^[\\s\\S]{2}``),
numeric ``const``/``enum``.

Every schema gets two regions: :meth:`Regions.over` contains every value it accepts and
:meth:`Regions.under` holds only values it accepts. Any keyword outside that list widens
``over`` to everything and shrinks ``under`` to nothing, for the types it constrains only
(``pattern`` on strings, ``properties`` on objects...), so both stay sound; a ``not`` swaps
them. The writer's ``over`` inside the reader's ``under`` proves the reader accepts whatever
the writer does. Draft-04 (``exclusiveMinimum`` as a boolean, 1.0 not an integer) is not read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json
from opa_contracts.compat.proof_shapes import pattern_length_set

_INF = math.inf
#: one interval: low, low included, high, high included
Interval = tuple[Any, bool, Any, bool]
#: per primitive type, a sorted union of disjoint intervals
Region = dict[str, tuple[Interval, ...]]

_FRACTION = "fraction"
_KINDS = ("null", "boolean", "object", "array", "string", "integer", _FRACTION)
_ALL: tuple[Interval, ...] = ((-_INF, False, _INF, False),)
_NONE: tuple[Interval, ...] = ()
_TYPES = {
    "null": ("null",),
    "boolean": ("boolean",),
    "object": ("object",),
    "array": ("array",),
    "string": ("string",),
    "integer": ("integer",),
    "number": ("integer", _FRACTION),
}
_NUMBER = ("integer", _FRACTION)
# the types a keyword constrains (any other passes it), for keywords not read exactly: the
# vocabulary's table, "number" split in two, and the unevaluated* keywords by the type they see
_ONLY: dict[str, tuple[str, ...]] = {
    **{key: _TYPES[kind] for key, kind in vocab.APPLIES_TO.items()},
    "unevaluatedProperties": ("object",),
    "unevaluatedItems": ("array",),
}
_BOUNDS = {
    "minimum": (True, True),  # (lower, included)
    "exclusiveMinimum": (True, False),
    "maximum": (False, True),
    "exclusiveMaximum": (False, False),
}
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")
#: schema nodes read for one region, at most (beyond: over is everything, under nothing)
MAX_NODES = 2_000


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _empty(iv: Interval) -> bool:
    lo, lc, hi, hc = iv
    return lo > hi or (lo == hi and not (lc and hc))


def _norm(ivs: list[Interval]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for iv in sorted((i for i in ivs if not _empty(i)), key=lambda i: (i[0], not i[1])):
        if out:
            lo, lc, hi, hc = out[-1]
            if iv[0] < hi or (iv[0] == hi and (hc or iv[1])):
                if iv[2] > hi or (iv[2] == hi and iv[3]):
                    out[-1] = (lo, lc, iv[2], iv[3])
                continue
        out.append(iv)
    return tuple(out)


def _complement(ivs: tuple[Interval, ...]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    at, closed = -_INF, False
    for lo, lc, hi, hc in ivs:
        out.append((at, closed, lo, not lc))
        at, closed = hi, not hc
    out.append((at, closed, _INF, False))
    return _norm(out)


def _union(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    return _norm([*a, *b])


def _intersect(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    return _complement(_union(_complement(a), _complement(b)))


def full() -> Region:
    return dict.fromkeys(_KINDS, _ALL)


def nothing() -> Region:
    return dict.fromkeys(_KINDS, _NONE)


def union(a: Region, b: Region) -> Region:
    return {k: _union(a[k], b[k]) for k in _KINDS}


def intersect(a: Region, b: Region) -> Region:
    return {k: _intersect(a[k], b[k]) for k in _KINDS}


def complement(a: Region) -> Region:
    return {k: _complement(a[k]) for k in _KINDS}


def _has_integer(iv: Interval, least: Any = -_INF) -> bool:
    lo, lc, hi, hc = iv
    if lo < least:
        lo, lc = least, True
    if _empty((lo, lc, hi, hc)):
        return False
    if hi == _INF:
        return True
    if lo == -_INF:
        return True
    first = math.ceil(lo)
    if first == lo and not lc:
        first += 1
    return bool(first < hi or (first == hi and hc))


def is_empty(region: Region) -> bool:
    """True when no JSON value lies in ``region``."""
    for kind in _KINDS:
        ivs = region[kind]
        if kind == "integer" and any(_has_integer(iv) for iv in ivs):
            return False
        if kind == "string" and any(_has_integer(iv, 0) for iv in ivs):
            return False
        if kind == _FRACTION and any(
            iv[0] < iv[2] or (isinstance(iv[0], float) and not iv[0].is_integer()) for iv in ivs
        ):
            return False
        if kind not in ("integer", "string", _FRACTION) and ivs:
            return False
    return True


def contains(wide: Region, narrow: Region) -> bool:
    """True when every value in ``narrow`` is in ``wide``."""
    return is_empty(intersect(narrow, complement(wide)))


def _only(kinds: tuple[str, ...], ivs: tuple[Interval, ...]) -> Region:
    """Everything but the types ``kinds``, where it is ``ivs``."""
    out = full()
    for kind in kinds:
        out[kind] = ivs
    return out


def _value(value: Json, *, exact: bool) -> Region:
    """A region holding ``value`` (``exact``: holding nothing else, or nothing at all)."""
    out = nothing()
    if value is None:
        out["null"] = _ALL
    elif isinstance(value, bool):
        out["boolean"] = _NONE if exact else _ALL
    elif _number(value):
        kind = "integer" if isinstance(value, int) or value.is_integer() else _FRACTION
        out[kind] = ((value, True, value, True),)
    elif isinstance(value, str):
        out["string"] = _NONE if exact else ((len(value), True, len(value), True),)
    elif isinstance(value, Mapping):
        out["object"] = _NONE if exact else _ALL
    else:
        out["array"] = _NONE if exact else _ALL
    return out


class Regions:
    """The over- and under-approximating regions of one document's schema nodes (remembered
    per node for as long as the object lives: one check)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._memo: dict[tuple[int, bool], tuple[Json, Region]] = {}
        self._nodes = 0

    def readable(self) -> bool:
        return self.dialect != vocab.DRAFT4

    def over(self, schema: Json) -> Region:
        """A region containing every value ``schema`` accepts."""
        self._nodes = 0
        return self._read(schema, True)

    def under(self, schema: Json) -> Region:
        """A region of values ``schema`` accepts, all of them."""
        self._nodes = 0
        return self._read(schema, False)

    def _read(self, schema: Json, wide: bool) -> Region:
        if schema is True:
            return full()
        if schema is False:
            return nothing()
        if not isinstance(schema, Mapping):
            return full() if wide else nothing()
        key = (id(schema), wide)
        known = self._memo.get(key)
        if known is not None and known[0] is schema:
            return known[1]
        self._nodes += 1
        if self._nodes > MAX_NODES or not self.readable():
            return full() if wide else nothing()
        region = self._node(schema, wide)
        self._memo[key] = (schema, region)
        return region

    def _node(self, node: Mapping[str, Any], wide: bool) -> Region:
        if any(k in node for k in _REFS):
            return full() if wide else nothing()
        out = full()
        for key, value in node.items():
            if key in vocab.ANNOTATIONS or vocab.is_extension(key):
                continue
            if vocab.foreign(key, self.dialect) is not None or key in ("then", "else"):
                continue  # ignored by the validators of the dialect; then/else read with if
            part = self._keyword(node, key, value, wide)
            out = intersect(out, part)
        return out

    def _keyword(self, node: Mapping[str, Any], key: str, value: Json, wide: bool) -> Region:
        sub = self._read
        if key == "type":
            names = [value] if isinstance(value, str) else value
            if isinstance(names, list) and all(n in _TYPES for n in names):
                out = nothing()
                for name in names:
                    for kind in _TYPES[name]:
                        out[kind] = _ALL
                return out
        elif key in _BOUNDS and _number(value):
            lower, included = _BOUNDS[key]
            iv = (value, included, _INF, False) if lower else (-_INF, False, value, included)
            return _only(_NUMBER, (iv,))
        elif key == "multipleOf" and _number(value) and value == 1:
            out = full()
            out[_FRACTION] = _NONE
            return out
        elif key in ("minLength", "maxLength") and isinstance(value, int) and value >= 0:
            if not isinstance(value, bool):
                iv = (value, True, _INF, False) if key == "minLength" else (0, True, value, True)
                return _only(("string",), (iv,))
        elif key == "pattern" and isinstance(value, str):
            lengths = pattern_length_set(value)
            if lengths is not None:
                low, high = lengths
                iv = (low, True, _INF if high is None else high, high is not None)
                return _only(("string",), (iv,))
        elif key in ("const", "enum"):
            values = [value] if key == "const" else value
            if isinstance(values, list):
                out = nothing()
                for item in values:
                    out = union(out, _value(item, exact=not wide))
                return out
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list) and value:
            return self._list(key, value, wide)
        elif key == "not":
            return complement(sub(value, not wide))
        elif key == "if":
            then, other = node.get("then", True), node.get("else", True)
            taken = intersect(sub(value, wide), sub(then, wide))
            skipped = intersect(complement(sub(value, not wide)), sub(other, wide))
            return union(taken, skipped)
        if wide:
            return full()
        kinds = _ONLY.get(key)
        return _only(kinds, _NONE) if kinds is not None else nothing()

    def _list(self, key: str, members: list[Json], wide: bool) -> Region:
        if key == "allOf":
            out = full()
            for member in members:
                out = intersect(out, self._read(member, wide))
            return out
        if key == "anyOf":
            out = nothing()
            for member in members:
                out = union(out, self._read(member, wide))
            return out
        # oneOf: in one member and in no other (over: surely in no other; under the reverse)
        mine = [self._read(m, wide) for m in members]
        others = [self._read(m, not wide) for m in members]
        before = [nothing()]  # before[i]: the others' union over the members ahead of i
        for other in others[:-1]:
            before.append(union(before[-1], other))
        out, after = nothing(), nothing()
        for i in range(len(members) - 1, -1, -1):
            rest = union(before[i], after)
            out = union(out, intersect(mine[i], complement(rest)))
            after = union(after, others[i])
        return out


__all__ = ["MAX_NODES", "Region", "Regions", "complement", "contains", "full", "intersect"]
