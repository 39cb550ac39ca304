"""A sound, partial test that one regex matches no string another does not: the two parse to
the same tree, but for character sets that only grow, repeat ranges that only widen and
alternatives that each find a wider one. Used by the prover (``pattern`` changes); anything it
cannot read is "not shown", never "shown"."""

from __future__ import annotations

import functools
import importlib
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

# characters each class contains under any reading (ASCII or Unicode, ECMA-262 or Rust)
_CATEGORY_CORE = {
    "CATEGORY_DIGIT": frozenset("0123456789"),
    "CATEGORY_WORD": frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
    "CATEGORY_SPACE": frozenset(" \t\n\r\f\v"),
}
# the characters each class matches under the validator's reading, exactly: jsonschema-rs reads
# \d and \w as ECMA-262 does, ASCII only, in a pattern without backreferences or lookarounds
# (with a backreference its \d matches Arabic-Indic digits too); tests/compat/test_proof.py
# holds it to that. \s is Unicode there, so it is never read exactly
_CATEGORY_EXACT = {
    "CATEGORY_DIGIT": _CATEGORY_CORE["CATEGORY_DIGIT"],
    "CATEGORY_WORD": _CATEGORY_CORE["CATEGORY_WORD"],
}
# the characters "." may refuse (line terminators of ECMA-262; Rust refuses "\n" only)
_NOT_ANY = frozenset("\n\r\u2028\u2029")
_MAX_SET = 4096


@functools.lru_cache(maxsize=1024)
def parse_tokens(pattern: str) -> Any:
    """The top-level tokens of ``pattern`` as Python's ``re`` parser reads it; None when it
    does not parse or carries an inline flag (``(?i)``...), whose reading is not shared."""
    try:
        parsed = _parser.parse(pattern)
    except Exception:
        return None
    if parsed.state.flags & ~_c.SRE_FLAG_UNICODE:
        return None
    return list(parsed)


def pattern_within(narrow: str, wide: str) -> bool:
    """True when every string ``narrow`` matches, ``wide`` matches too (shown structurally)."""
    if narrow == wide:
        return True
    a, b = parse_tokens(narrow), parse_tokens(wide)
    if a is None or b is None:
        return False
    exact = not (_fancy(a) or _fancy(b))
    if _seq(a, b, exact):
        return True
    # anchors dropped: a match of ``^X$`` is a match of ``X`` searched anywhere
    begins = narrow.startswith("^")
    ends = narrow.endswith("$") and not narrow.endswith("\\$")
    dropped = [narrow[1:]] if begins else []
    if ends:
        dropped += [narrow[:-1], *([narrow[1:-1]] if begins else [])]
    return wide in dropped


# operators that take a pattern off the validator's plain engine (its classes may read otherwise)
_FANCY = frozenset(
    getattr(_c, name)
    for name in (
        "GROUPREF",
        "GROUPREF_EXISTS",
        "GROUPREF_IGNORE",
        "ASSERT",
        "ASSERT_NOT",
        "ATOMIC_GROUP",
        "POSSESSIVE_REPEAT",
    )
    if hasattr(_c, name)
)


def _fancy(tokens: Any) -> bool:
    """True when a parsed pattern holds a backreference, a lookaround or an atomic part."""
    for op, av in tokens:
        if op in _FANCY:
            return True
        for part in av if isinstance(av, (tuple, list)) else ():
            if isinstance(part, _parser.SubPattern) and _fancy(list(part)):
                return True
            if isinstance(part, list) and any(
                isinstance(alt, _parser.SubPattern) and _fancy(list(alt)) for alt in part
            ):
                return True
    return False


def _seq(a: list[Any], b: list[Any], exact: bool) -> bool:
    return len(a) == len(b) and all(_token(x, y, exact) for x, y in zip(a, b, strict=True))


def _token(x: tuple[Any, Any], y: tuple[Any, Any], exact: bool) -> bool:
    if x == y:
        return True  # the same token (a class such as \\d means the same on both sides)
    (op_a, av_a), (op_b, av_b) = x, y
    chars = plain_chars(op_a, av_a, exact=exact)
    if chars is not None:
        return _set_within(chars, op_b, av_b)
    if op_a is not op_b:
        return False
    if op_a is _c.AT:
        return bool(av_a == av_b)
    if op_a is _c.SUBPATTERN:
        _ga, add_a, del_a, sub_a = av_a
        _gb, add_b, del_b, sub_b = av_b
        return not (add_a or del_a or add_b or del_b) and _seq(list(sub_a), list(sub_b), exact)
    if op_a is _c.BRANCH:
        return all(any(_seq(list(alt), list(other), exact) for other in av_b[1]) for alt in av_a[1])
    if op_a in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low_a, high_a, sub_a = av_a
        low_b, high_b, sub_b = av_b
        wider = low_b <= low_a and (
            high_b is _c.MAXREPEAT or (high_a is not _c.MAXREPEAT and high_a <= high_b)
        )
        return wider and _seq(list(sub_a), list(sub_b), exact)
    # "." on both sides is the same; backreferences, lookarounds, possessive repeats: not shown
    return op_a is _c.ANY


def plain_chars(
    op: Any, av: Any, limit: int = _MAX_SET, *, exact: bool = False
) -> frozenset[str] | None:
    """The characters a one-character token matches, when it is a plain set (literals, ranges
    narrower than ``limit``, and with ``exact`` -- a pattern the validator runs on its plain
    engine -- the ASCII classes \\d and \\w); None otherwise (a negation, \\s, \\D...)."""
    if op is _c.LITERAL:
        return frozenset(chr(av))
    if op is not _c.IN:
        return None
    out: set[str] = set()
    for item_op, item in av:
        if item_op is _c.LITERAL:
            out.add(chr(item))
        elif item_op is _c.RANGE and item[1] - item[0] < limit:
            out |= {chr(c) for c in range(item[0], item[1] + 1)}
        elif exact and item_op is _c.CATEGORY and str(item) in _CATEGORY_EXACT:
            out |= _CATEGORY_EXACT[str(item)]
        else:
            return None
    return frozenset(out)


def _set_within(chars: frozenset[str], op: Any, av: Any) -> bool:
    if op is _c.LITERAL:
        return chars == {chr(av)}
    if op is _c.ANY:
        return not chars & _NOT_ANY
    if op is not _c.IN:
        return False
    covered: set[str] = set()
    for item_op, item in av:
        if item_op is _c.NEGATE:
            return False
        if item_op is _c.LITERAL:
            covered.add(chr(item))
        elif item_op is _c.RANGE:
            covered |= {chr(c) for c in range(item[0], item[1] + 1) if chr(c) in chars}
        elif item_op is _c.CATEGORY:
            covered |= _CATEGORY_CORE.get(str(item), frozenset())
    return chars <= covered
