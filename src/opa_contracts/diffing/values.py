"""Values of a registry diff: one side of a pair, the run's options, a pair's outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opa_contracts.diffing.snapshot import Snapshot
from opa_contracts.findings import Finding
from opa_contracts.yamlsource import Document


@dataclass(frozen=True)
class Side:
    """One version of a channel inside a snapshot."""

    snapshot: Snapshot
    rel: str
    channel: str
    version: str

    @property
    def data(self) -> dict[str, Any]:
        data = self.snapshot.data(self.rel)
        return data if isinstance(data, dict) else {}

    @property
    def display(self) -> str:
        return self.snapshot.display(self.rel)

    def position(self, pointer: str) -> tuple[int, int]:
        doc = self.snapshot.document(self.rel)
        return doc.position(pointer) if isinstance(doc, Document) else (0, 0)

    def subscribers(self) -> list[str]:
        out = []
        for sub in self.data.get("subscribers") or []:
            name = sub.get("name") if isinstance(sub, dict) else sub
            if isinstance(name, str):
                out.append(name)
        return out


@dataclass
class Options:
    """Settings of one diff run."""

    mode: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    witness_budget_s: float = 0.25
    default_mode: str = "BACKWARD"
    default_policy: str = "STRICT"


@dataclass
class Outcome:
    """What comparing one pair produced."""

    findings: list[Finding] = field(default_factory=list)
    breaking: bool = False
    schema_changed: bool = False
