"""Helpers over JSON values: canonical keys, strict equality, pointers."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from opa_contracts.jsonschema_vocab import ANNOTATIONS, is_extension

Json = Any


def canon(value: Json) -> Any:
    """A hashable key equal for JSON-equal values (1 == 1.0, but true != 1)."""
    if value is None:
        return ("z",)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int):
        return ("n", Fraction(value))
    if isinstance(value, float):
        return ("n", Fraction(value)) if math.isfinite(value) else ("f", repr(value))
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, Mapping):
        return ("o", tuple(sorted((str(k), canon(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("l", tuple(canon(v) for v in value))
    return ("?", repr(value))


def json_equal(a: Json, b: Json) -> bool:
    """JSON equality: numbers compare by value, booleans are not numbers.

    The same verdict as comparing :func:`canon` keys, without building them: it stops at the
    first difference, so comparing two large schemas that differ early is cheap.
    """
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and not math.isfinite(a):
            return isinstance(b, float) and repr(a) == repr(b)
        if isinstance(b, float) and not math.isfinite(b):
            return False
        return bool(a == b)  # int and float compare exactly in Python, at any size
    if isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if len(a) != len(b):
            return False
        return all(k in b and json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is b
    return bool(canon(a) == canon(b))


def json_number(value: Fraction) -> int | float | None:
    """``value`` as a JSON number: an int when whole (any size), else the nearest float, or
    ``None`` when no finite float is near (a fraction beyond the float range)."""
    if value.denominator == 1:
        return int(value)
    try:
        near = float(value)
    except OverflowError:
        return None
    return near if math.isfinite(near) else None


def is_trivial(schema: Json) -> bool:
    """True for schemas that accept everything: ``true``, ``{}``, or annotations only."""
    if schema is True:
        return True
    if not isinstance(schema, Mapping):
        return False
    return all(k in ANNOTATIONS or is_extension(k) for k in schema)


def escape(segment: str) -> str:
    """One JSON pointer segment, escaped."""
    return segment.replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    """One JSON pointer segment, unescaped."""
    return segment.replace("~1", "/").replace("~0", "~")


def pointer(segments: Iterable[str]) -> str:
    """A JSON pointer from its segments ("" for the root)."""
    return "".join("/" + escape(s) for s in segments)


def short(value: Json, limit: int = 60) -> str:
    """A compact JSON rendering for messages."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
