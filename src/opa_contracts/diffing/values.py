"""Values of a registry diff: one side of a pair, the run's options, a pair's outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts import reads
from opa_contracts.findings import Finding
from opa_contracts.loader import Registry
from opa_contracts.yamlsource import Document


@dataclass(frozen=True)
class Side:
    """One version of a channel inside a registry (a folder, or a folder at a git ref)."""

    registry: Registry
    path: Path
    channel: str
    version: str

    @property
    def data(self) -> dict[str, Any]:
        data = self.registry.file(self.path).data
        return data if isinstance(data, dict) else {}

    @property
    def display(self) -> str:
        return self.registry.file(self.path).display

    def position(self, pointer: str) -> tuple[int, int]:
        doc = self.registry.file(self.path).document
        return doc.position(pointer) if isinstance(doc, Document) else (0, 0)

    def subscribers(self) -> list[str]:
        return [s.name for s in reads.subscribers(self.data)]


@dataclass
class Options:
    """Settings of one diff run."""

    mode: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    witness_budget_s: float = 0.25
    # seconds every witness search of the run may spend together; None: RUN_BUDGETS per-change
    # budgets (compat.api)
    witness_run_budget_s: float | None = None
    #: how a change neither witnessed nor proven counts: "error" (breaking) or "warning"
    unknown: str = "error"
    default_mode: str = "BACKWARD"
    default_policy: str = "STRICT"


@dataclass
class Outcome:
    """What comparing one pair produced."""

    findings: list[Finding] = field(default_factory=list)
    breaking: bool = False
    schema_changed: bool = False
