"""Changes as the engine builds them: pointers kept as segments relative to the compared node."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from opa_contracts.compat.model import BACKWARD, FORWARD

Path = tuple[str, ...]
B = frozenset({BACKWARD})
F = frozenset({FORWARD})
BF = frozenset({BACKWARD, FORWARD})
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Raw:
    """A change whose pointer is relative to the schema node being compared."""

    rule: str
    path: Path
    old: Any = field(hash=False)
    new: Any = field(hash=False)
    breaks: frozenset[str]
    message: str
    confluent: str | None

    def at(self, prefix: Path) -> Raw:
        """The same change, seen from ``prefix`` levels up."""
        return replace(self, path=prefix + self.path) if prefix else self

    def without(self, directions: frozenset[str]) -> Raw:
        """The same change, no longer breaking ``directions``."""
        if not (self.breaks & directions):
            return self
        return replace(self, breaks=self.breaks - directions)


def under(prefix: Path, changes: Iterable[Raw]) -> list[Raw]:
    """Changes seen from ``prefix`` levels up."""
    return [c.at(prefix) for c in changes]


def breaks(changes: Iterable[Raw], direction: str) -> bool:
    """True when any change breaks ``direction``."""
    return any(direction in c.breaks for c in changes)


def ok(changes: list[Raw], direction: str) -> bool:
    """True when no change breaks ``direction``."""
    return not breaks(changes, direction)
