"""A name not taken yet: the one rule every generator and importer numbers clashing names by."""

from __future__ import annotations


def unique(name: str, taken: set[str], separator: str = "_") -> str:
    """``name``, else ``name`` + separator + 2, 3...: the first not in ``taken`` (now taken)."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{separator}{n}"
    taken.add(candidate)
    return candidate
