"""Durations and sizes: read from manifests (``7d``, ``25MiB``) and written for people
(``7 days``, ``25 MiB``). One helper for every place that shows or reads them."""

from __future__ import annotations

import re
from typing import Any

_DURATION = re.compile(r"^([0-9]+)(ms|s|m|h|d|w)$")
_SIZE = re.compile(r"^([0-9]+) ?(B|KiB|MiB|GiB|TiB)$")
#: Milliseconds per unit of the manifest duration syntax.
MS_PER_UNIT = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
#: Bytes per unit of the size syntax (binary units, as Kafka counts).
BYTES_PER_UNIT = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}
# how durations are written: largest unit first, each part exact
_SPOKEN = (
    (86_400_000, "day", "days"),
    (3_600_000, "h", "h"),
    (60_000, "min", "min"),
    (1000, "s", "s"),
    (1, "ms", "ms"),
)


def parse_duration(value: Any) -> int | None:
    """Milliseconds of a manifest duration: an integer of ms, ``500ms``, ``30s``, ``15m``,
    ``12h``, ``7d``, ``2w``, or ``infinite`` (-1, as Kafka writes it); ``None`` if it is none."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if value == "infinite":
        return -1
    match = _DURATION.match(value) if isinstance(value, str) else None
    return int(match[1]) * MS_PER_UNIT[match[2]] if match else None


def parse_size(value: Any) -> int | None:
    """Bytes of a size written with a binary unit (``512KiB``, ``25MiB``, ``1 GiB``, ``100B``)."""
    match = _SIZE.match(value) if isinstance(value, str) else None
    return int(match[1]) * BYTES_PER_UNIT[match[2]] if match else None


def duration(ms: int) -> str:
    """``ms`` for people: ``7 days``, ``1 day 12 h``, ``30 s``, ``500 ms``."""
    if ms < 0:
        return f"{ms:,} ms"
    if ms == 0:
        return "0 ms"
    parts: list[str] = []
    rest = ms
    for size, one, many in _SPOKEN:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count:,} {one if count == 1 else many}")
    if len(parts) > 2:  # no clock arithmetic for the reader: say it in the smallest unit used
        unit = next(s for s in _SPOKEN if ms % s[0] == 0)
        count = ms // unit[0]
        return f"{count:,} {unit[1] if count == 1 else unit[2]}"
    return " ".join(parts)


def size(count: int) -> str:
    """``count`` bytes for people: ``25 MiB``, ``1 MiB``, ``100 bytes``, ``23.8 MiB (25,000,000
    bytes)`` when no binary unit divides it."""
    if count < 1024:
        return f"{count:,} byte" + ("" if count == 1 else "s")
    units = [u for u in ("TiB", "GiB", "MiB", "KiB") if count >= BYTES_PER_UNIT[u]]
    unit = units[0]
    exact = next((u for u in units if count % BYTES_PER_UNIT[u] == 0), None)
    if exact is not None:
        return f"{count // BYTES_PER_UNIT[exact]:,} {exact}"
    return f"{count / BYTES_PER_UNIT[unit]:,.1f} {unit} ({count:,} bytes)"
