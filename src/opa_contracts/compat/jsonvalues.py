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
    """JSON equality: numbers compare by value, booleans are not numbers."""
    return bool(canon(a) == canon(b))


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
