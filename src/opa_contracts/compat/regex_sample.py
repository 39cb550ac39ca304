"""Strings that match a regex, built from its parse tree (a few variants, never exhaustive)."""

from __future__ import annotations

import functools
import importlib
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

_MAX_REPEAT = 40
_PROBES = "aA0_ -.:/@Zz9#"
_PAD = "~"


def regex_samples(pattern: str, lengths: tuple[int, ...] = (), limit: int = 12) -> list[str]:
    """Up to ``limit`` strings matching ``pattern`` (Python semantics; callers re-check)."""
    return list(_samples(pattern, lengths, limit))


@functools.lru_cache(maxsize=4096)
def _samples(pattern: str, lengths: tuple[int, ...], limit: int) -> tuple[str, ...]:
    try:
        parsed = _parser.parse(pattern)
    except Exception:
        return ()
    out: list[str] = []
    for variant in range(4):
        for target in (None, *lengths):
            try:
                text = _gen(list(parsed), variant, target, {})
            except (RecursionError, ValueError, TypeError):
                continue
            if text not in out:
                out.append(text)
            if len(out) >= limit:
                return tuple(out)
    # a match inside a longer string: an unanchored pattern accepts it, an anchored one not
    base = out[0] if out else None
    if base is not None:
        for text in (f"{_PAD}{base}", f"{base}{_PAD}"):
            if len(out) >= limit:
                break
            if text not in out:
                out.append(text)
    return tuple(out)


def _gen(tokens: list[Any], variant: int, target: int | None, groups: dict[int, str]) -> str:
    parts: list[str] = []
    for op, av in tokens:
        parts.append(_token(op, av, variant, target, groups))
    return "".join(parts)


def _token(op: Any, av: Any, variant: int, target: int | None, groups: dict[int, str]) -> str:
    if op is _c.LITERAL:
        return chr(av)
    if op is _c.NOT_LITERAL:
        return "a" if av != ord("a") else "b"
    if op is _c.ANY:
        return "a"
    if op is _c.IN:
        return _in(av, variant)
    if op is _c.BRANCH:
        alternatives = av[1]
        return _gen(list(alternatives[variant % len(alternatives)]), variant, target, groups)
    if op is _c.SUBPATTERN:
        group, _add, _del, sub = av
        text = _gen(list(sub), variant, target, groups)
        if group is not None:
            groups[group] = text
        return text
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, high, sub = av
        spread = _MAX_REPEAT if target is not None else 3
        high = low + spread if high is _c.MAXREPEAT else min(high, low + _MAX_REPEAT)
        if target is not None:
            count = max(low, min(high, target))
        else:
            count = (low, low + 1, high, low)[variant % 4]
            count = min(count, high)
        return "".join(_gen(list(sub), variant, None, groups) for _ in range(count))
    if op is _c.GROUPREF:
        return groups.get(av, "")
    if op is _c.CATEGORY:
        return _category(av)
    if op is _c.ATOMIC_GROUP if hasattr(_c, "ATOMIC_GROUP") else False:
        return _gen(list(av), variant, target, groups)
    return ""  # anchors, lookarounds: no characters of their own


def _category(cat: Any) -> str:
    name = str(cat)
    if "NOT_DIGIT" in name:
        return "a"
    if "DIGIT" in name:
        return "0"
    if "NOT_WORD" in name:
        return " "
    if "WORD" in name:
        return "a"
    if "NOT_SPACE" in name:
        return "a"
    if "SPACE" in name:
        return " "
    return "a"


def _in(items: list[Any], variant: int) -> str:
    negate = any(op is _c.NEGATE for op, _ in items)
    allowed: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            allowed.append(chr(av))
        elif op is _c.RANGE:
            allowed.extend([chr(av[0]), chr(av[1])])
        elif op is _c.CATEGORY:
            allowed.append(_category(av))
    if not negate:
        return allowed[variant % len(allowed)] if allowed else "a"
    for probe in _PROBES:
        if not _in_set(items, probe):
            return probe
    return "\u00e9"


def _in_set(items: list[Any], ch: str) -> bool:
    code = ord(ch)
    for op, av in items:
        if op is _c.LITERAL and av == code:
            return True
        if op is _c.RANGE and av[0] <= code <= av[1]:
            return True
        if op is _c.CATEGORY and _category(av) == ch:
            return True
    return False
