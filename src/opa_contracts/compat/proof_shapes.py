"""Helpers of the prover (:mod:`.proof`) that read what one schema node bounds: the integers
its numeric bounds leave, the most items or properties it admits, the finitely many values of
a closed object or tuple, a ``patternProperties`` name that matches every string.

Each answer is an over-approximation of what the node accepts (a value it accepts is always
inside), so the prover stays sound when it relies on one."""

from __future__ import annotations

import importlib
import itertools
import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json
from opa_contracts.compat.regex_subsume import parse_tokens, plain_chars

_c: Any = importlib.import_module("re._constants")
#: regexes that match every string (ECMA-262 search semantics: an empty match at 0 is enough)
CATCH_ALL = frozenset({"", ".*", "^.*", "(.*)", "^", "[\\s\\S]*", "^[\\s\\S]*"})
_ABSENT = object()


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (not isinstance(value, float) or math.isfinite(value))
    )


def integer_bound(key: str, value: Json) -> int | None:
    """The integer bound ``key: value`` amounts to on integers (``minimum: 0.5`` → 1,
    ``exclusiveMaximum: 10`` → 9), or None when ``value`` is no number."""
    if not _number(value):
        return None
    exact = Fraction(value)
    if key == "minimum":
        return math.ceil(exact)
    if key == "exclusiveMinimum":
        return math.floor(exact) + 1
    if key == "maximum":
        return math.floor(exact)
    if key == "exclusiveMaximum":
        return math.ceil(exact) - 1
    return None


def items_upper(node: Mapping[str, Any], dialect: str) -> int | None:
    """The most items an array ``node`` accepts, from ``maxItems`` or a closed tuple."""
    bounds: list[int] = []
    if _number(node.get("maxItems")):
        bounds.append(math.floor(node["maxItems"]))
    items = node.get("items")
    if items is False:
        prefix = node.get("prefixItems") if dialect == vocab.DRAFT2020 else None
        bounds.append(len(prefix) if isinstance(prefix, list) else 0)
    elif (
        isinstance(items, list)
        and node.get("additionalItems") is False
        and dialect != vocab.DRAFT2020
    ):
        bounds.append(len(items))
    return min(bounds) if bounds else None


def items_lower(node: Mapping[str, Any], dialect: str) -> int | None:
    """The fewest items an array ``node`` accepts, from ``minItems`` or ``contains``."""
    bounds: list[int] = []
    if _number(node.get("minItems")):
        bounds.append(math.ceil(node["minItems"]))
    if dialect == vocab.DRAFT4:
        pass  # contains came with draft-06: a draft-04 validator ignores it
    elif "contains" in node and node["contains"] is not False:
        least = node.get("minContains", 1) if dialect in (vocab.DRAFT2019, vocab.DRAFT2020) else 1
        if _number(least):
            bounds.append(math.ceil(least))
    elif node.get("contains") is False:
        return None  # no array passes; nothing to say about sizes
    return max(bounds) if bounds else None


def closed_names(node: Mapping[str, Any]) -> list[str] | None:
    """The only property names an object at ``node`` may have, when it is closed
    (``additionalProperties: false`` beside no ``patternProperties``)."""
    if node.get("additionalProperties") is not False or "patternProperties" in node:
        return None
    props = node.get("properties", {})
    return [str(k) for k in props] if isinstance(props, Mapping) else None


def finite_shape(
    node: Mapping[str, Any],
    dialect: str,
    finite: Callable[[Json], list[Json] | None],
    limit: int,
) -> list[Json] | None:
    """A finite superset of what ``node`` accepts, from its shape: ``type: null``/``boolean``, a
    closed object whose properties are each finite, a closed tuple whose items are each finite;
    None when not (or more than ``limit`` values)."""
    declared = node.get("type")
    if declared == "null":
        return [None]
    if declared == "boolean":
        return [False, True]
    if declared == "string" and isinstance(node.get("pattern"), str):
        return finite_pattern(node["pattern"], limit)
    if declared == "object":
        names = closed_names(node)
        if names is None:
            return None
        options: list[list[Any]] = []
        for name in names:
            values = finite(node["properties"][name])
            if values is None:
                return None
            options.append([_ABSENT, *values])
        return _product(names, options, limit)
    if declared == "array":
        schemas = _closed_tuple(node, dialect)
        if schemas is None:
            return None
        out: list[Json] = []
        item_sets = []
        for schema in schemas:
            values = finite(schema)
            if values is None:
                return None
            item_sets.append(values)
        for length in range(len(item_sets) + 1):
            for combo in itertools.product(*item_sets[:length]):
                out.append(list(combo))
                if len(out) > limit:
                    return None
        return out
    return None


def finite_pattern(pattern: str, limit: int) -> list[Json] | None:
    """Every string an anchored regex of literals, small character sets, alternatives and
    bounded repeats matches (``^(ab|cd)$`` → ab, cd); None for anything else (classes such as
    ``\\d`` or ``.``, open repeats, lookarounds, flags, an anchor missing), or past ``limit``.
    For this subset the ECMA-262 and Python readings agree, and ``$`` at the end is the end."""
    if not pattern.startswith("^"):
        return None
    tokens = parse_tokens(pattern)  # None with an inline flag such as (?i) too
    if tokens is None:
        return None
    begin, end = _c.AT, _c.AT
    if len(tokens) < 2 or tokens[0] != (begin, _c.AT_BEGINNING) or tokens[-1] != (end, _c.AT_END):
        return None
    found = _language(tokens[1:-1], limit)
    return sorted(found) if found is not None else None


def _language(tokens: list[Any], limit: int) -> set[str] | None:
    out: set[str] = {""}
    for op, av in tokens:
        part = _token_language(op, av, limit)
        if part is None:
            return None
        out = {a + b for a in out for b in part}
        if len(out) > limit:
            return None
    return out


def _token_language(op: Any, av: Any, limit: int) -> set[str] | None:
    if op is _c.LITERAL or op is _c.IN:
        # exact: the language read here has no backreference nor lookaround (those are None)
        chars = plain_chars(op, av, limit, exact=True)
        return set(chars) if chars is not None else None
    if op is _c.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            found = _language(list(alternative), limit)
            if found is None:
                return None
            out |= found
        return out
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _language(list(sub), limit)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, sub = av
        if high is _c.MAXREPEAT or high > 16:
            return None
        once = _language(list(sub), limit)
        if once is None:
            return None
        out, level = set(), {""}
        for count in range(high + 1):
            if count >= low:
                out |= level
            if count < high:
                level = {a + b for a in level for b in once}
            if len(out) > limit or len(level) > limit:
                return None
        return out
    return None


def _closed_tuple(node: Mapping[str, Any], dialect: str) -> list[Json] | None:
    items = node.get("items")
    if dialect == vocab.DRAFT2020:
        if items is False:
            prefix = node.get("prefixItems", [])
            return prefix if isinstance(prefix, list) else None
        return None
    if items is False:
        return []
    if isinstance(items, list) and node.get("additionalItems") is False:
        return items
    return None


def _product(names: list[str], options: list[list[Any]], limit: int) -> list[Json] | None:
    total = 1
    for values in options:
        total *= len(values)
        if total > limit:
            return None
    out: list[Json] = []
    for combo in itertools.product(*options):
        out.append({n: v for n, v in zip(names, combo, strict=True) if v is not _ABSENT})
    return out


def pattern_lengths(pattern: str) -> tuple[int, int | None] | None:
    """The fewest and the most characters (code points) a string matching ``pattern`` has:
    (shortest match, None) unanchored, (shortest, longest) anchored at both ends; None where a
    token's width is not plain (lookarounds, backreferences, flags)."""
    tokens = parse_tokens(pattern)
    if tokens is None:
        return None
    begins = pattern.startswith("^") and tokens[:1] == [(_c.AT, _c.AT_BEGINNING)]
    body = tokens[1:] if begins else tokens
    ends = body[-1:] == [(_c.AT, _c.AT_END)]
    body = body[:-1] if ends else body
    anchored = begins and ends
    width = _width(body)
    if width is None:
        return None
    return (width[0], width[1] if anchored else None)


def _width(tokens: list[Any]) -> tuple[int, int | None] | None:
    low, high = 0, 0
    unbounded = False
    for op, av in tokens:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN, _c.CATEGORY):
            part: tuple[int, int | None] | None = (1, 1)
        elif op is _c.BRANCH:
            parts = [_width(list(alt)) for alt in av[1]]
            if any(p is None for p in parts):
                return None
            lows = [p[0] for p in parts if p is not None]
            highs = [p[1] for p in parts if p is not None]
            part = (min(lows), None if None in highs else max(h for h in highs if h is not None))
        elif op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            part = None if add_flags or del_flags else _width(list(sub))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            least, most, sub = av
            inner = _width(list(sub))
            if inner is None:
                return None
            top = None if most is _c.MAXREPEAT or inner[1] is None else inner[1] * most
            part = (inner[0] * least, top)
        else:
            return None  # anchors inside, lookarounds, backreferences
        if part is None:
            return None
        low += part[0]
        if part[1] is None:
            unbounded = True
        else:
            high += part[1]
    return (low, None if unbounded else high)


# pairs of classes whose union is every character under any one reading (ASCII or Unicode)
_COMPLEMENTS = (
    ("CATEGORY_SPACE", "CATEGORY_NOT_SPACE"),
    ("CATEGORY_DIGIT", "CATEGORY_NOT_DIGIT"),
    ("CATEGORY_WORD", "CATEGORY_NOT_WORD"),
)


def _any_char(op: Any, av: Any) -> bool:
    """True for a one-character token that matches every character (``[\\s\\S]``...)."""
    if op is not _c.IN or not isinstance(av, list):
        return False
    names = {str(item) for item_op, item in av if item_op is _c.CATEGORY}
    return any(a in names and b in names for a, b in _COMPLEMENTS)


def pattern_length_set(pattern: str) -> tuple[int, int | None] | None:
    """The lengths (in code points) of the strings ``pattern`` matches, when they are all that
    it asks: every token matches any character (``[\\s\\S]``, ``[\\d\\D]``, repeated), so a
    string matches exactly when its length is in [low, high] (high None: unbounded; only a
    pattern anchored at both ends has a high). None for any other pattern."""
    tokens = parse_tokens(pattern)
    if tokens is None:
        return None
    begins = pattern.startswith("^") and tokens[:1] == [(_c.AT, _c.AT_BEGINNING)]
    body = tokens[1:] if begins else tokens
    ends = body[-1:] == [(_c.AT, _c.AT_END)] and pattern.endswith("$")
    body = body[:-1] if ends else body
    low, high, unbounded = 0, 0, False
    for op, av in body:
        if _any_char(op, av):
            low, high = low + 1, high + 1
            continue
        if op not in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            return None
        least, most, sub = av
        sub = list(sub)
        if len(sub) != 1 or not _any_char(*sub[0]):
            return None
        low += least
        if most is _c.MAXREPEAT:
            unbounded = True
        else:
            high += most
    return (low, high if begins and ends and not unbounded else None)
