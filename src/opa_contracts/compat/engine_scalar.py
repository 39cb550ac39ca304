"""Strings and numbers: bounds, multipleOf, pattern, format, content."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import rules_scalar as rsc
from opa_contracts.compat.changes import BF, NONE, B, F, Path, Raw
from opa_contracts.compat.jsonvalues import json_equal, short
from opa_contracts.compat.ruledefs import declared

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ

_NEUTRAL: dict[str, int] = {"minLength": 0, "minItems": 0, "minProperties": 0, "minContains": 1}
_LOWER = frozenset(
    {"minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains"}
)
_UNIVERSAL_PATTERNS = frozenset({"", ".*", "^.*", ".*$", "^.*$", "[\\s\\S]*", "^[\\s\\S]*$"})
_SLUGS = {
    "minLength": "min-length", "maxLength": "max-length", "minimum": "minimum",
    "maximum": "maximum", "exclusiveMinimum": "exclusive-minimum",
    "exclusiveMaximum": "exclusive-maximum", "minItems": "min-items", "maxItems": "max-items",
    "minProperties": "min-properties", "maxProperties": "max-properties",
    "minContains": "min-contains", "maxContains": "max-contains",
}  # fmt: skip


def _const(keyword: str) -> str:
    return "".join("_" + c if c.isupper() else c.upper() for c in keyword)


def bound(d: Differ, key: str, a: Any, b: Any, path: Path | None = None) -> list[Raw]:
    """The change of one numeric bound keyword (absent means unbounded)."""
    neutral = _NEUTRAL.get(key)
    if a is not None and neutral is not None and a == neutral:
        a = None
    if b is not None and neutral is not None and b == neutral:
        b = None
    if a == b:
        return []
    lower = key in _LOWER
    tighter = a is None or (b is not None and (b > a if lower else b < a))
    word = (
        ("increased" if tighter else "decreased")
        if lower
        else ("decreased" if tighter else "increased")
    )
    if a is None:
        conf, msg = "ADDED", f"{key} {b} added"
    elif b is None:
        conf, msg = "REMOVED", f"{key} {a} removed"
    else:
        conf = "INCREASED" if b > a else "DECREASED"
        msg = f"{key} changed from {a} to {b}"
    rule = declared(f"{_SLUGS[key]}-{word}").id
    return [d.mk(rule, path or (key,), a, b, B if tighter else F, msg, f"{_const(key)}_{conf}")]


def diff_string(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes to string keywords."""
    out = bound(d, "minLength", o.get("minLength"), n.get("minLength"))
    out += bound(d, "maxLength", o.get("maxLength"), n.get("maxLength"))
    a, b = o.get("pattern"), n.get("pattern")
    a = None if a in _UNIVERSAL_PATTERNS else a
    b = None if b in _UNIVERSAL_PATTERNS else b
    if a != b:
        if a is None:
            out.append(
                d.mk(
                    rsc.PATTERN_ADDED.id,
                    ("pattern",),
                    a,
                    b,
                    B,
                    f"pattern {b!r} added",
                    "PATTERN_ADDED",
                )
            )
        elif b is None:
            out.append(
                d.mk(
                    rsc.PATTERN_REMOVED.id,
                    ("pattern",),
                    a,
                    b,
                    F,
                    f"pattern {a!r} removed",
                    "PATTERN_REMOVED",
                )
            )
        else:
            msg = f"pattern changed from {a!r} to {b!r}"
            out.append(d.mk(rsc.PATTERN_CHANGED.id, ("pattern",), a, b, BF, msg, "PATTERN_CHANGED"))
    a, b = o.get("format"), n.get("format")
    if a != b:
        if a is None:
            out.append(d.mk(rsc.FORMAT_ADDED.id, ("format",), a, b, B, f"format {b!r} added"))
        elif b is None:
            out.append(d.mk(rsc.FORMAT_REMOVED.id, ("format",), a, b, F, f"format {a!r} removed"))
        else:
            msg = f"format changed from {a!r} to {b!r}"
            out.append(d.mk(rsc.FORMAT_CHANGED.id, ("format",), a, b, BF, msg))
    for key in ("contentEncoding", "contentMediaType", "contentSchema"):
        a, b = o.get(key), n.get(key)
        if not json_equal(a, b):
            # an assertion removed only relaxes (old data still passes), one added only narrows
            if b is None:
                directions, msg = F, f"{key} {short(a)} removed"
            elif a is None:
                directions, msg = B, f"{key} {short(b)} added"
            else:
                directions, msg = BF, f"{key} changed from {short(a)} to {short(b)}"
            out.append(d.mk(rsc.CONTENT_CHANGED.id, (key,), a, b, directions, msg))
    return out


def _numeric_view(node: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    view = {k: node.get(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")}
    if dialect == vocab.DRAFT4:
        # draft-04 spells exclusive bounds as booleans beside minimum/maximum.
        for side in ("Minimum", "Maximum"):
            flag = view[f"exclusive{side}"]
            if isinstance(flag, bool):
                view[f"exclusive{side}"] = view[side.lower()] if flag else None
                if flag:
                    view[side.lower()] = None
    return view


def _effective(view: Mapping[str, Any], side: str) -> tuple[Fraction, bool] | None:
    """The binding bound on one side: (value, exclusive), or None when unbounded."""
    inclusive, exclusive = view[side.lower()], view[f"exclusive{side}"]
    found: list[tuple[Fraction, bool]] = []
    if isinstance(inclusive, int | float) and not isinstance(inclusive, bool):
        found.append((_fraction(inclusive), False))
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        found.append((_fraction(exclusive), True))
    if not found:
        return None
    if side == "Minimum":  # the larger lower bound binds; at a tie the exclusive one
        return max(found, key=lambda b: (b[0], b[1]))
    return min(found, key=lambda b: (b[0], not b[1]))


def _tighter(a: tuple[Fraction, bool] | None, b: tuple[Fraction, bool] | None, side: str) -> int:
    """1 when bound ``b`` admits less than ``a``, -1 when more, 0 when the same."""
    if a == b:
        return 0
    if a is None:
        return 1
    if b is None:
        return -1
    if a[0] != b[0]:
        return (1 if b[0] > a[0] else -1) if side == "Minimum" else (1 if b[0] < a[0] else -1)
    return 1 if b[1] else -1  # same value: exclusive admits less


def _judge_bounds(out: list[Raw], vo: Mapping[str, Any], vn: Mapping[str, Any]) -> list[Raw]:
    """Direction of bound changes from the binding bounds, not keyword by keyword.

    ``exclusiveMinimum: 0`` becoming ``minimum: 0`` adds a minimum, but admits more (0 itself):
    judged per keyword it would look like a tightening.
    """
    judged = []
    for raw in out:
        key = raw.path[0] if raw.path else ""
        side = "Minimum" if key in ("minimum", "exclusiveMinimum") else "Maximum"
        if key not in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            judged.append(raw)
            continue
        verdict = _tighter(_effective(vo, side), _effective(vn, side), side)
        breaks = B if verdict > 0 else F if verdict < 0 else NONE
        judged.append(replace(raw, breaks=frozenset(breaks)))
    return judged


def _fraction(value: Any) -> Fraction:
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def diff_number(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes to numeric keywords."""
    vo, vn = _numeric_view(o, d.o.dialect), _numeric_view(n, d.n.dialect)
    out: list[Raw] = []
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        out += bound(d, key, vo[key], vn[key])
    out = _judge_bounds(out, vo, vn)
    a, b = o.get("multipleOf"), n.get("multipleOf")
    if (a is None and b is None) or (a is not None and b is not None and a == b):
        return out
    path = ("multipleOf",)
    if a is None:
        out.append(
            d.mk(
                rsc.MULTIPLE_OF_TIGHTENED.id,
                path,
                a,
                b,
                B,
                f"multipleOf {b} added",
                "MULTIPLE_OF_ADDED",
            )
        )
    elif b is None:
        out.append(
            d.mk(
                rsc.MULTIPLE_OF_RELAXED.id,
                path,
                a,
                b,
                F,
                f"multipleOf {a} removed",
                "MULTIPLE_OF_REMOVED",
            )
        )
    else:
        fa, fb = _fraction(a), _fraction(b)
        msg = f"multipleOf changed from {a} to {b}"
        if (fa / fb).denominator == 1:
            out.append(d.mk(rsc.MULTIPLE_OF_RELAXED.id, path, a, b, F, msg, "MULTIPLE_OF_REDUCED"))
        elif (fb / fa).denominator == 1:
            out.append(
                d.mk(rsc.MULTIPLE_OF_TIGHTENED.id, path, a, b, B, msg, "MULTIPLE_OF_EXPANDED")
            )
        else:
            out.append(d.mk(rsc.MULTIPLE_OF_CHANGED.id, path, a, b, BF, msg, "MULTIPLE_OF_CHANGED"))
    return out
