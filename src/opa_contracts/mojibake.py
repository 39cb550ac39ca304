"""Spotting text that was mis-encoded on its way to us.

The contract we received had been decoded as Mac Roman and saved again as UTF-8, so "Versión"
arrived as "Versi√≥n". Such text re-encodes in the wrong codec to bytes that are valid UTF-8, which
real text almost never does: a run of two or more non-ASCII characters that survives
``run.encode(codec).decode("utf-8")`` is the fingerprint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CODECS = (("mac_roman", "Mac Roman"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


@dataclass(frozen=True)
class Mojibake:
    """What was found and how to repair it."""

    codec: str
    repaired: str
    reason: str


def detect(text: str) -> Mojibake | None:
    """A diagnosis when ``text`` looks mis-encoded, else ``None``."""
    if text.isascii() or (not _NON_ASCII_RUN.search(text) and "\ufffd" not in text):
        return None  # the fingerprint needs two non-ASCII characters in a row
    if "\ufffd" in text:
        return Mojibake("", text, "contains U+FFFD, the mark of bytes lost in a conversion")
    candidates = []
    for rank, (codec, label) in enumerate(_CODECS):
        repaired, changed = _repair(text, codec)
        if changed:
            candidates.append(
                (_oddity(repaired), rank, Mojibake(codec, repaired, f"UTF-8 read as {label}"))
            )
    # Several codecs may "repair" the same text; the right one yields letters, not stray marks.
    return min(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def _oddity(text: str) -> int:
    return sum(
        1
        for ch in text
        if not ch.isascii() and not unicodedata.category(ch).startswith(("L", "P", "S", "Z", "N"))
    )


def _repair(text: str, codec: str) -> tuple[str, bool]:
    changed = False

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        run = match.group(0)
        try:
            fixed = run.encode(codec).decode("utf-8")
        except UnicodeError:
            return run
        changed = changed or fixed != run
        return fixed

    return _NON_ASCII_RUN.sub(fix, text), changed
