"""Messages that say how to fix: the nearest valid names, and why a regex does not compile.

Pure helpers over the standard library, shared by every place that reports a name it does not
know (manifest keys, schema keywords and types, rule ids, channel names) or a regex it cannot use.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


def close(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates nearest to ``word`` (case-insensitive), best first."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(candidate.casefold(), candidate)
    folded = word.casefold()
    if folded in by_folded and by_folded[folded] != word:
        return [by_folded[folded]]  # only the case differs
    matches = difflib.get_close_matches(folded, list(by_folded), n=n, cutoff=0.6)
    return [by_folded[m] for m in matches]


def did_you_mean(word: str, candidates: Iterable[str], quote: str = "'") -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'``), or ``""`` when nothing is close."""
    found = close(word, candidates)
    if not found:
        return ""
    return "; did you mean " + " or ".join(f"{quote}{f}{quote}" for f in found) + "?"


_REGEX_FIXES = {
    "unterminated character set": "close the [ with ] (or escape a literal [ as \\[)",
    "missing ), unterminated subpattern": "close the ( with ) (or escape a literal ( as \\()",
    "unbalanced parenthesis": "remove the ) or open it with ( (escape a literal ) as \\))",
    "nothing to repeat": "escape the quantifier (\\*, \\+, \\?) or put something before it",
    "multiple repeat": "escape the second quantifier or remove it",
    "bad escape (end of pattern)": "escape a literal backslash as \\\\",
    "min repeat greater than max repeat": "write {min,max} with min <= max",
}


def regex_problem(pattern: str) -> str:
    """Why ``pattern`` does not compile, with its position and a fix, in one clause.

    The reason is the standard library's regex parser's; a pattern it accepts but ECMA-262 (the
    dialect JSON Schema validators use) rejects gets that said instead."""
    try:
        re.compile(pattern)
    except re.error as exc:
        reason = exc.msg
        fix = next((f for k, f in _REGEX_FIXES.items() if reason.startswith(k)), "")
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        marker = ""
        if exc.pos is not None and "\n" not in pattern:
            marker = f" ({pattern[: exc.pos]}»{pattern[exc.pos :]})"
        return f"{reason}{where}{marker}" + (f"; {fix}" if fix else "")
    except (OverflowError, RecursionError):
        return "too large or too deeply nested to compile"
    return (
        "not valid in ECMA-262, the regex dialect of JSON Schema (Python-only syntax such as "
        "(?P<name>...), \\Z, \\A or possessive quantifiers is not allowed)"
    )
