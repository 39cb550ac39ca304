"""Where checks put their findings: severity overrides and per-manifest ignores live here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opa_contracts.findings import Finding, Severity
from opa_contracts.loader import Registry, SourceFile
from opa_contracts.rules.registry import validate_rules_by_id
from opa_contracts.settings import Settings


@dataclass
class Ignore:
    """One ``lint.ignore`` entry of a manifest, and whether it silenced anything."""

    rule: str
    pointer: str | None
    reason: str
    at: str
    used: bool = False

    def matches(self, rule: str, pointer: str) -> bool:
        if rule != self.rule:
            return False
        if self.pointer is None:
            return True
        return pointer == self.pointer or pointer.startswith(self.pointer + "/")


@dataclass
class Context:
    """Collects findings for one validation run."""

    registry: Registry
    settings: Settings
    findings: list[Finding] = field(default_factory=list)
    suppressed: int = 0
    ignores: dict[str, list[Ignore]] = field(default_factory=dict)
    # channel and version declared by each manifest, so findings carry them without plumbing
    subjects: dict[str, tuple[str, str]] = field(default_factory=dict)

    def emit(
        self,
        rule: str,
        message: str,
        source: SourceFile | None = None,
        pointer: str = "",
        *,
        line: int = 0,
        column: int = 0,
        channel: str = "",
        version: str = "",
        details: dict[str, Any] | None = None,
        file: str = "",
        at_key: bool = False,
    ) -> None:
        """Record a finding for ``rule`` at ``pointer`` of ``source`` (positions looked up; with
        ``at_key``, the position of the key ``pointer`` ends in rather than of its value)."""
        severity = self._severity(rule)
        if severity is None:
            self.suppressed += 1
            return
        display = source.display if source else file
        for ignore in self.ignores.get(display, ()):
            if ignore.matches(rule, pointer):
                ignore.used = True
                self.suppressed += 1
                return
        # positions cost a second parse of the file: look them up for reported findings only
        if source is not None and source.document is not None and not line:
            line, column = source.document.position(pointer, key=at_key)
        if source is not None and not channel:
            channel, version = self.subjects.get(display, ("", ""))
        self.findings.append(
            Finding(
                rule=rule,
                severity=severity,
                message=message,
                file=display,
                line=line,
                column=column,
                pointer=pointer,
                channel=channel,
                version=version,
                details=details or {},
            )
        )

    def _severity(self, rule: str) -> Severity | None:
        return self.settings.severity(rule, validate_rules_by_id()[rule].severity)
