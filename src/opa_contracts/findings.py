"""Findings are values: one shape for validation and diff alike, so every reporter serves both."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.Enum):
    """How much a finding matters; ordered so that ``>=`` means "at least as bad"."""

    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANK = {Severity.NOTE: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Finding:
    """One problem (or one change) found in the registry.

    ``file`` is a path as the user gave it (relative where possible); ``line`` and ``column`` are
    1-based, 0 when unknown; ``pointer`` is a JSON pointer into the manifest document.
    ``details`` carries structured, rule-specific data (old/new values, a witness message...).
    """

    rule: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    pointer: str = ""
    channel: str = ""
    version: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def location(self) -> str:
        """``file:line:column`` as far as known."""
        if not self.file:
            return ""
        if not self.line:
            return self.file
        if not self.column:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.rule, self.message)


@dataclass(frozen=True)
class Report:
    """The result of one command run: what was checked and what was found."""

    command: str
    findings: tuple[Finding, ...]
    files_checked: int = 0
    manifests_checked: int = 0
    suppressed: int = 0
    summary: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def build(
        cls,
        command: str,
        findings: Iterable[Finding],
        *,
        files_checked: int = 0,
        manifests_checked: int = 0,
        suppressed: int = 0,
        summary: dict[str, Any] | None = None,
    ) -> Report:
        ordered = tuple(sorted(findings, key=Finding.sort_key))
        return cls(
            command=command,
            findings=ordered,
            files_checked=files_checked,
            manifests_checked=manifests_checked,
            suppressed=suppressed,
            summary=summary or {},
        )

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def at_least(self, severity: Severity) -> Sequence[Finding]:
        return [f for f in self.findings if f.severity >= severity]
