"""Values of the compatibility engine: changes, modes, policies, verdicts, check results, its
error."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from opa_contracts.errors import OpaContractsError

BACKWARD = "backward"
FORWARD = "forward"
DIRECTIONS = (BACKWARD, FORWARD)


class SchemaCompareError(OpaContractsError):
    """A schema the engine cannot compare: not an object, unknown keyword, bad or remote $ref."""


class Policy(enum.Enum):
    """How open content models are judged (Confluent's two policies)."""

    STRICT = "STRICT"
    LENIENT = "LENIENT"

    @classmethod
    def parse(cls, text: str) -> Policy:
        """The policy named by ``text`` (case-insensitive)."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise SchemaCompareError(f"unknown compatibility policy {text!r}") from None


class Mode(enum.Enum):
    """A channel's compatibility mode, as Confluent Schema Registry names them."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    FULL = "FULL"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @classmethod
    def parse(cls, text: str) -> Mode:
        """The mode named by ``text`` (case-insensitive)."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise SchemaCompareError(f"unknown compatibility mode {text!r}") from None

    @property
    def directions(self) -> frozenset[str]:
        """The reading directions this mode protects."""
        base = self.value.removesuffix("_TRANSITIVE")
        if base == "BACKWARD":
            return frozenset({BACKWARD})
        if base == "FORWARD":
            return frozenset({FORWARD})
        if base == "FULL":
            return frozenset(DIRECTIONS)
        return frozenset()

    @classmethod
    def from_directions(cls, directions: frozenset[str], transitive: bool) -> Mode:
        """The mode that protects ``directions``, transitively or not."""
        if not directions:
            return cls.NONE
        base = "FULL" if len(directions) == 2 else next(iter(directions)).upper()
        return cls(f"{base}_TRANSITIVE" if transitive else base)

    @property
    def transitive(self) -> bool:
        """True when every earlier version must stay compatible, not only the latest."""
        return self.value.endswith("_TRANSITIVE")


@dataclass(frozen=True)
class Change:
    """One difference between two schemas, located by a JSON pointer into the schema.

    ``breaks`` is the set of reading directions the change may break, already adjusted for the
    policy: a structural over-approximation, settled for each change by a witness or a proof
    (:class:`Verdict`).
    """

    rule: str
    pointer: str
    old: Any = field(hash=False)
    new: Any = field(hash=False)
    breaks: frozenset[str]
    message: str
    confluent: str | None

    @property
    def breaking(self) -> bool:
        """True when the change breaks at least one reading direction."""
        return bool(self.breaks)


class Verdict(enum.Enum):
    """What is known of a change the structure flags as breaking a direction the mode protects.

    *broken*: a witness message proves it (valid under the writer, rejected by the reader, both
    checked by jsonschema-rs); *compatible*: a proof shows that every message the writer
    accepts the reader still accepts, at that place in context; *unknown*: neither was found
    within the budget (counted as breaking unless ``--unknown warning``).
    """

    BROKEN = "broken"
    COMPATIBLE = "compatible"
    UNKNOWN = "unknown"

    @classmethod
    def of_all(cls, verdicts: Iterable[Verdict]) -> Verdict:
        """The verdict of a pair: broken if any change is, else unknown if any is, else
        compatible (also when nothing was flagged)."""
        seen = set(verdicts)
        for verdict in (cls.BROKEN, cls.UNKNOWN):
            if verdict in seen:
                return verdict
        return cls.COMPATIBLE


@dataclass(frozen=True)
class CheckedChange:
    """A change flagged for a direction the mode protects, with its verdict and evidence: the
    witness message (broken) or the proof, one sentence naming the rule and the place
    (compatible)."""

    change: Change
    direction: str
    verdict: Verdict = Verdict.UNKNOWN
    proof: str | None = None
    witness: Any = field(default=None, hash=False)
    witness_found: bool = False
    witness_direction: str | None = None
    budget_exhausted: bool = False
    #: which budget ran out before a witness was found: "change" (one search's), "pair" (the
    #: searches of one version pair), "run" (every search of one run); None when none did
    budget: str | None = None
    #: strings of the witness too long to build, shown abbreviated (witness.LongString)
    long_strings: tuple[Any, ...] = ()

    @property
    def writer(self) -> str:
        """Which schema wrote the witness: "old" for backward reading, "new" for forward."""
        return "old" if (self.witness_direction or self.direction) == BACKWARD else "new"


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check between two versions under one mode: every change, and each one
    flagged for a protected direction with its verdict (``checked``)."""

    mode: Mode
    policy: Policy
    checked: tuple[CheckedChange, ...]
    changes: tuple[Change, ...]

    @property
    def verdict(self) -> Verdict:
        """The pair's verdict (:meth:`Verdict.of_all` of its checked changes)."""
        return Verdict.of_all(c.verdict for c in self.checked)

    @property
    def compatible(self) -> bool:
        """True when every flagged change is proven compatible (unknown counts as breaking)."""
        return self.verdict is Verdict.COMPATIBLE

    @property
    def incompatible(self) -> tuple[CheckedChange, ...]:
        """The checked changes not proven compatible: broken or unknown."""
        return tuple(c for c in self.checked if c.verdict is not Verdict.COMPATIBLE)


@dataclass(frozen=True)
class TransitiveResult:
    """The verdicts of a new version against each earlier version that the mode covers."""

    mode: Mode
    compatible: bool
    results: tuple[tuple[int, CheckResult], ...]
