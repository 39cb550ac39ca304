"""``contracts/accepted-changes.yaml``: breaks the team has agreed to, each with a reason.

An acceptance is keyed by rule id + channel + JSON pointer (into the payload schema), may be
limited to one new version, and may expire; expired and unused acceptances are reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opa_contracts.pointer import from_path

ACCEPTED_SCHEMA = "accepted-changes-v1.schema.json"


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
    """Acceptances from the parsed file, and (pointer, message) shape problems."""
    from opa_contracts import formats

    if data is None:
        return [], []
    problems = [
        (from_path(list(e.instance_path)), e.message)
        for e in formats.validator(ACCEPTED_SCHEMA).iter_errors(data)
    ]
    if problems:
        return [], problems
    out = []
    for i, entry in enumerate(data.get("accepted", [])):
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
    return out, []
