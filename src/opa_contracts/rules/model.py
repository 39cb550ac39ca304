"""What a rule is. Rules are data: declared once, listed by ``opa-contracts rules``, documented in
``docs/rules.md`` from the same declarations."""

from __future__ import annotations

from dataclasses import dataclass, field

from opa_contracts.findings import Severity


@dataclass(frozen=True)
class Example:
    """A before/after pair that shows a diff rule firing (for ``docs/rules.md``)."""

    before: str
    after: str


@dataclass(frozen=True)
class Rule:
    """One stable, documented check.

    ``category`` groups rules in listings: ``parse``, ``manifest``, ``schema``, ``example``,
    ``lint``, ``migration`` for ``validate``; ``versioning`` and ``diff`` for ``diff``;
    ``generate`` for generated output folders.
    ``breaks`` says which reading directions a diff rule breaks ("backward", "forward").
    ``confluent`` is the Confluent Schema Registry difference type this rule corresponds to.
    """

    id: str
    category: str
    severity: Severity
    purpose: str
    breaks: frozenset[str] = field(default_factory=frozenset)
    confluent: tuple[str, ...] = ()
    example: Example | None = None
    configurable: bool = False

    def __post_init__(self) -> None:
        if not _is_kebab(self.id):
            raise ValueError(f"rule id {self.id!r} is not kebab-case")


def _is_kebab(text: str) -> bool:
    parts = text.split("-")
    return all(p and p.isascii() and p.isalnum() and p.islower() for p in parts)
