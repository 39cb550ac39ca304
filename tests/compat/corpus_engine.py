"""The compatibility engine run over the adversarial corpus, each verdict set against its label.

The engine is called through :mod:`opa_contracts.compat.api` (``check`` under BACKWARD and under
FORWARD, STRICT policy) with each schema's ``$schema`` made explicit from the case's dialect.
Each direction gets one outcome:

* ``ok`` -- the engine agrees with the label (a break with a witness, or compatible);
* ``wrong`` -- the engine says compatible where the label has a verified witness, or says broken
  with a witness where the label is compatible (and that witness does not hold up);
* ``label?`` -- the engine's witness for a compatible label holds up under jsonschema-rs: the label
  must be wrong and needs re-checking (never silently accepted);
* ``unknown`` -- the engine's verdict is *unknown*: a flagged change it could neither witness nor
  prove compatible;
* ``uncomparable`` -- the engine refuses the pair (``SchemaCompareError``); a crash (any other
  exception) counts as ``wrong``.

Print the table with ``.venv/bin/python -m tests.compat.corpus_engine``.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any

from opa_contracts.compat.api import check
from opa_contracts.compat.model import Mode, SchemaCompareError, Verdict
from tests.compat.corpus_label import (
    BACKWARD,
    BREAKING,
    COMPATIBLE,
    DIRECTIONS,
    Case,
    accepts,
    load,
)

MODES = {BACKWARD: Mode.BACKWARD, "forward": Mode.FORWARD}


@dataclass(frozen=True)
class Outcome:
    """What the engine said about one direction of one case, against the label."""

    case: str
    direction: str
    label: str
    engine: str  # compatible, broken, unknown, uncomparable
    verdict: str  # ok, wrong, label?, unknown, uncomparable
    detail: str

    def line(self) -> str:
        return (
            f"{self.verdict:12} {self.case} {self.direction}: label {self.label}, engine "
            f"{self.engine}{': ' + self.detail if self.detail else ''}"
        )


def judge(case: Case, direction: str) -> Outcome:
    """Run the engine on one direction of ``case`` and set its verdict against the label."""
    label = case.labels[direction].verdict
    try:
        result = check(case.schema("old"), case.schema("new"), mode=MODES[direction])
    except SchemaCompareError as exc:
        return Outcome(case.name, direction, label, "uncomparable", "uncomparable", str(exc))
    except Exception as exc:  # an engine crash is a wrong answer, reported as such
        detail = f"crash: {type(exc).__name__}: {exc}"
        return Outcome(case.name, direction, label, "crash", "wrong", detail)
    if result.verdict is Verdict.COMPATIBLE:
        verdict = "ok" if label == COMPATIBLE else "wrong"
        detail = "" if verdict == "ok" else "said compatible, the label's witness breaks it"
        return Outcome(case.name, direction, label, "compatible", verdict, detail)
    flagged = [c for c in result.checked if c.verdict is not Verdict.COMPATIBLE]
    witnessed = [c for c in flagged if c.verdict is Verdict.BROKEN and c.witness_found]
    rules = ", ".join(sorted({f"{c.change.rule} at {c.change.pointer or '/'}" for c in flagged}))
    if result.verdict is Verdict.UNKNOWN:
        return Outcome(case.name, direction, label, "unknown", "unknown", f"unknown: {rules}")
    if label == BREAKING:
        return Outcome(case.name, direction, label, "broken", "ok", "")
    item = witnessed[0]
    writer, reader = case.writer_reader(direction)
    holds = accepts(writer, case.dialect, item.witness) and not accepts(
        reader, case.dialect, item.witness
    )
    verdict = "label?" if holds else "wrong"
    detail = f"{rules}; witness {item.witness!r} {'holds' if holds else 'does NOT hold'}"
    return Outcome(case.name, direction, label, "broken", verdict, detail)


def run(cases: list[Case] | None = None) -> list[Outcome]:
    """Every direction of every case (or of ``cases``)."""
    return [judge(case, d) for case in (cases if cases is not None else load()) for d in DIRECTIONS]


def main(argv: list[str] | None = None) -> int:
    names = set(argv if argv is not None else sys.argv[1:])
    cases = [c for c in load() if not names or c.name in names]
    outcomes = run(cases)
    for outcome in outcomes:
        if outcome.verdict != "ok":
            print(outcome.line())
    counts: Counter[Any] = Counter(o.verdict for o in outcomes)
    print(
        f"{len(cases)} cases, {len(outcomes)} directions: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    return 0 if counts["ok"] == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
