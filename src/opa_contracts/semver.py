"""Semantic versions: parsing, ordering, and what kind of bump separates two versions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$")


@total_ordering
@dataclass(frozen=True)
class Version:
    """``major.minor.patch[-pre]``; a pre-release sorts before its release."""

    major: int
    minor: int
    patch: int
    pre: str = ""

    @classmethod
    def parse(cls, text: str) -> Version | None:
        match = _SEMVER.match(text)
        if not match:
            return None
        major, minor, patch, pre = match.groups()
        return cls(int(major), int(minor), int(patch), pre or "")

    def _key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in self.pre.split(".") if p)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}" + (f"-{self.pre}" if self.pre else "")


def version_key(
    text: str,
) -> tuple[int, tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]]:
    """A sort key in semver precedence; text that is not a version sorts first."""
    parsed = Version.parse(text)
    return (1, parsed._key()) if parsed is not None else (0, (0, 0, 0, 0, ()))


def bump(old: Version, new: Version) -> str:
    """``major``, ``minor``, ``patch``, ``none`` (same version) or ``downgrade``."""
    if new == old:
        return "none"
    if new < old:
        return "downgrade"
    if new.major != old.major:
        return "major"
    if new.minor != old.minor:
        return "minor"
    return "patch"


def bump_between(old: str, new: str) -> str:
    """:func:`bump` for version strings; ``none`` when either is not a semantic version."""
    a, b = Version.parse(old), Version.parse(new)
    return bump(a, b) if a is not None and b is not None else "none"


def next_major(version: str) -> str:
    """The first version of the next major line."""
    v = Version.parse(version)
    return f"{v.major + 1}.0.0" if v else "a new major version"


def next_minor(version: str) -> str:
    """The next minor version."""
    v = Version.parse(version)
    return f"{v.major}.{v.minor + 1}.0" if v else "a new minor version"
