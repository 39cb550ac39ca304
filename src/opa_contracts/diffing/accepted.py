"""``contracts/accepted-changes.yaml``: breaks the team has agreed to, each with a reason.

An acceptance is keyed by rule id + channel + JSON pointer (into the payload schema), may be
limited to one new version, and may expire; expired and unused acceptances are reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opa_contracts import hints
from opa_contracts.findings import Finding, Severity
from opa_contracts.loader import ACCEPTED_CHANGES_FILE, Registry
from opa_contracts.rules import catalog as rc
from opa_contracts.rules.registry import by_id
from opa_contracts.yamlsource import Document

ACCEPTED_SCHEMA = "accepted-changes-v1.schema.json"
#: the reason ``diff --suggest-acceptance`` writes; an acceptance that still carries it is refused
REASON_PLACEHOLDER = "TODO: why no reader breaks (who checked, ticket)"


@dataclass
class Acceptance:
    """One accepted break and where it is written."""

    rule: str
    channel: str
    pointer: str
    reason: str
    index: int
    version: str | None = None
    expires: dt.date | None = None
    used: bool = field(default=False, compare=False)

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, rule: str, channel: str, pointer: str, version: str) -> bool:
        return (
            self.rule == rule
            and self.channel == channel
            and self.pointer == pointer
            and (self.version is None or self.version == version)
        )


def parse(data: Any) -> tuple[list[Acceptance], list[tuple[str, str]]]:
    """Acceptances from the parsed file, and (pointer, message) problems: its shape, rule ids."""
    from opa_contracts import formats

    if data is None:
        return [], []
    problems = [(p.pointer, p.message) for p in formats.problems(ACCEPTED_SCHEMA, data)]
    problems += [
        (f"/accepted/{i}/reason", "replace the suggested placeholder with why no reader breaks")
        for i, entry in enumerate(data.get("accepted", []) if isinstance(data, dict) else [])
        if isinstance(entry, dict) and entry.get("reason") == REASON_PLACEHOLDER
    ]
    if problems:
        return [], problems
    out = []
    known = by_id()
    for i, entry in enumerate(data.get("accepted", [])):
        if entry["rule"] not in known:
            rule = entry["rule"]
            fix = hints.did_you_mean(rule, known) or " (see `opa-contracts rules`)"
            problems.append((f"/accepted/{i}/rule", f"unknown rule id {rule!r}{fix}"))
            continue
        expires = None
        if "expires" in entry:
            expires = dt.date.fromisoformat(entry["expires"])
        out.append(
            Acceptance(
                rule=entry["rule"],
                channel=entry["channel"],
                pointer=entry.get("pointer", ""),
                reason=entry["reason"],
                index=i,
                version=entry.get("version"),
                expires=expires,
            )
        )
    return out, problems


def load(registry: Registry) -> tuple[list[Acceptance], list[Finding]]:
    """The acceptances of a registry's ``accepted-changes.yaml``, and findings for its problems."""
    path = registry.root / ACCEPTED_CHANGES_FILE
    if not registry.has(path):
        return [], []
    source = registry.file(path)
    doc, file = source.document, source.display
    if doc is None:
        error = source.error
        message = error.message if error else "empty file"
        return [], [
            Finding(
                rc.ACCEPTED_CHANGES_INVALID.id,
                Severity.ERROR,
                message,
                file=file,
                line=error.line if error else 0,
            )
        ]
    found, problems = parse(doc.data)
    findings = []
    for pointer, message in problems:
        line, column = doc.position(pointer)
        findings.append(
            Finding(
                rc.ACCEPTED_CHANGES_INVALID.id,
                Severity.ERROR,
                f"{pointer or '/'}: {message}",
                file=file,
                line=line,
                column=column,
                pointer=pointer,
            )
        )
    return found, findings


def leftovers(
    acceptances: list[Acceptance], registry: Registry, compared: set[str], today: dt.date
) -> list[Finding]:
    """Expired acceptances, and unused ones for channels this diff compared."""
    source = registry.file(registry.root / ACCEPTED_CHANGES_FILE) if acceptances else None
    doc = source.document if source else None
    findings = []
    for acc in acceptances:
        line = doc.position(f"/accepted/{acc.index}")[0] if isinstance(doc, Document) else 0
        where: dict[str, Any] = {
            "file": registry.display(ACCEPTED_CHANGES_FILE),
            "line": line,
            "channel": acc.channel,
        }
        subject = f"acceptance of {acc.rule} at {acc.pointer or '/'} in {acc.channel}"
        if acc.expired(today):
            findings.append(
                Finding(
                    rc.ACCEPTED_CHANGE_EXPIRED.id,
                    Severity.WARNING,
                    f"{subject} expired on {acc.expires}; the change counts as breaking again",
                    **where,
                )
            )
        elif not acc.used and acc.channel in compared:
            findings.append(
                Finding(
                    rc.ACCEPTED_CHANGE_UNUSED.id,
                    Severity.WARNING,
                    f"{subject} matches no change; remove it",
                    **where,
                )
            )
    return findings
