"""Public entry points: compare two schemas, check them under a mode, check a history."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from opa_contracts.compat.changes import Raw
from opa_contracts.compat.engine import compare_documents
from opa_contracts.compat.jsonvalues import pointer
from opa_contracts.compat.model import (
    BACKWARD,
    DIRECTIONS,
    Change,
    CheckedChange,
    CheckResult,
    Mode,
    Policy,
    TransitiveResult,
)
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.witness import WitnessSearch


def _documents(old: Any, new: Any) -> tuple[Document, Document]:
    old_doc = Document(old, "old")
    new_doc = Document(new, "new")
    old_doc.check_meta()
    new_doc.check_meta()
    return old_doc, new_doc


def _change(raw: Raw) -> Change:
    return Change(
        rule=raw.rule,
        pointer=pointer(raw.path),
        old=raw.old,
        new=raw.new,
        breaks=raw.breaks,
        unverifiable=raw.unverifiable,
        message=raw.message,
        confluent=raw.confluent,
    )


def _changes(old_doc: Document, new_doc: Document, policy: Policy) -> list[Change]:
    seen: set[tuple[str, str, str]] = set()
    out: list[Change] = []
    for raw in compare_documents(old_doc, new_doc, policy):
        change = _change(raw)
        key = (change.rule, change.pointer, change.message)
        if key not in seen:
            seen.add(key)
            out.append(change)
    return out


def compare(
    old: Mapping[str, Any], new: Mapping[str, Any], *, policy: Policy = Policy.STRICT
) -> list[Change]:
    """Every change from ``old`` to ``new``, compatible or not, in a stable order."""
    old_doc, new_doc = _documents(old, new)
    return _changes(old_doc, new_doc, policy)


def check(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    mode: Mode,
    policy: Policy = Policy.STRICT,
    witness_budget_s: float = 0.25,
    pair_budget_s: float | None = None,
) -> CheckResult:
    """The verdict for ``old`` → ``new`` under ``mode``, each break with a witness if found.

    Each witness search gets ``witness_budget_s``; all of them together get ``pair_budget_s``
    (default: 8 searches' worth), so a schema with a thousand undecidable changes cannot stall a
    run. Breaks left without a witness still count, reported as out of budget.
    """
    pair_budget = 8 * witness_budget_s if pair_budget_s is None else pair_budget_s
    deadline = time.monotonic() + pair_budget

    old_doc, new_doc = _documents(old, new)
    changes = _changes(old_doc, new_doc, policy)
    directions = [d for d in DIRECTIONS if d in mode.directions]
    checked: list[CheckedChange] = []
    searches: dict[str, WitnessSearch] = {}
    for change in changes:
        relevant = [d for d in directions if d in change.breaks]
        if not relevant:
            continue
        found = None
        exhausted = time.monotonic() > deadline
        for direction in relevant if not exhausted else ():
            if direction not in searches:
                writer, reader = (old_doc, new_doc) if direction == BACKWARD else (new_doc, old_doc)
                searches[direction] = WitnessSearch(writer, reader)
            result = searches[direction].find(change, budget_s=witness_budget_s)
            exhausted = exhausted or result.exhausted
            if result.found:
                found = (direction, result.value)
                break
        checked.append(
            CheckedChange(
                change=change,
                direction=found[0] if found else relevant[0],
                witness=found[1] if found else None,
                witness_found=found is not None,
                witness_direction=found[0] if found else None,
                budget_exhausted=exhausted and found is None,
            )
        )
    return CheckResult(
        mode=mode,
        policy=policy,
        compatible=not checked,
        incompatible=tuple(checked),
        changes=tuple(changes),
    )


def check_transitive(
    history: Sequence[Mapping[str, Any]],
    new: Mapping[str, Any],
    mode: Mode,
    *,
    policy: Policy = Policy.STRICT,
    witness_budget_s: float = 0.25,
) -> TransitiveResult:
    """``new`` against the earlier versions ``history`` (oldest first) that ``mode`` covers:
    all of them for *_TRANSITIVE modes, the latest one otherwise, none for NONE."""
    if mode is Mode.NONE or not history:
        return TransitiveResult(mode=mode, compatible=True, results=())
    indexes = range(len(history) - 1, -1, -1) if mode.transitive else [len(history) - 1]
    results = []
    for i in indexes:
        results.append(
            (i, check(history[i], new, mode=mode, policy=policy, witness_budget_s=witness_budget_s))
        )
    return TransitiveResult(
        mode=mode, compatible=all(r.compatible for _, r in results), results=tuple(results)
    )
