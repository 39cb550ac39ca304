"""The reference for agreement tests: Python's jsonschema, formats checked, ECMA-262 ``$``.

jsonschema with its format checker (``rfc3339-validator`` installed) is the reference, with one
correction: JSON Schema patterns are ECMA-262 regular expressions, where ``$`` is the end of the
text; in Python's ``re`` it also matches before a final newline, so ``"AAPL\\n"`` would match
``^[A-Z]{1,5}$``. Patterns are translated (``$`` -> ``\\Z``) before they are used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema import validators

DOCUMENTED_FALSE_REJECTS = {
    "non-finite": "NaN and ±Infinity are not JSON (and 1e400 becomes infinity)",
    "big-float-integer": "an integer written as a float beyond 64 bits has no exact conversion",
    "surrogate": "a string with an unpaired surrogate is not Unicode text",
}


def ecma(pattern: str) -> str:
    """``pattern`` with every unescaped ``$`` outside a character class made ``\\Z``."""
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    del validator, schema
    if isinstance(instance, str) and not re.search(ecma(pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def reference(schema: Any) -> Any:
    """A reference validator for ``schema``."""
    base = validators.validator_for(schema)
    if "date-time" not in base.FORMAT_CHECKER.checkers:
        raise RuntimeError("the reference needs rfc3339-validator to check date-time formats")
    extend: Any = validators.extend  # its stubs leave it untyped
    checked = extend(base, {"pattern": _pattern})
    return checked(schema, format_checker=base.FORMAT_CHECKER)


def documented_reason(value: Any) -> str | None:
    """Why ``decode`` may refuse ``value`` although the reference accepts it, if a listed reason."""
    for leaf in _leaves(value):
        if isinstance(leaf, float) and not math.isfinite(leaf):
            return "non-finite"
        if isinstance(leaf, float) and leaf.is_integer() and abs(leaf) >= 2**63:
            return "big-float-integer"
        if isinstance(leaf, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in leaf):
            return "surrogate"
    return None


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value
