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
    Verdict,
)
from opa_contracts.compat.proof import ProofCache, Prover
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.witness import WitnessBudget, WitnessSearch


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


#: all the witness searches of one version pair share this many per-change budgets ...
PAIR_BUDGETS = 8
#: ... and all those of one run (every pair) this many, unless the caller gives its own
RUN_BUDGETS = 16


def check(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    mode: Mode,
    policy: Policy = Policy.STRICT,
    witness_budget_s: float = 0.25,
    pair_budget_s: float | None = None,
    run_budget: WitnessBudget | None = None,
    timings: dict[str, float] | None = None,
) -> CheckResult:
    """The verdict for ``old`` → ``new`` under ``mode``: each change flagged for a direction the
    mode protects is *broken* (a witness), *compatible* (a proof) or *unknown* (neither).

    Each flagged direction is first given to the prover (:mod:`.proof`), then, unproven, to the
    witness search. Each witness search gets ``witness_budget_s``; all of them together get
    ``pair_budget_s`` (default: :data:`PAIR_BUDGETS` searches' worth), and, across calls, what is
    left of ``run_budget``; only time spent searching counts. So a schema with a thousand
    undecidable changes, or a run with a thousand such pairs, cannot stall. A change left
    unknown says which budget ran out (:attr:`CheckedChange.budget`). ``timings``, when given,
    gets the seconds spent in "structure", "proof" and "witness" added to it.
    """
    started = time.monotonic()
    pair = WitnessBudget(
        PAIR_BUDGETS * witness_budget_s if pair_budget_s is None else pair_budget_s
    )
    old_doc, new_doc = _documents(old, new)
    changes = _changes(old_doc, new_doc, policy)
    if timings is not None:
        timings["structure"] = timings.get("structure", 0.0) + time.monotonic() - started
    directions = [d for d in DIRECTIONS if d in mode.directions]
    checked: list[CheckedChange] = []
    searches: dict[str, WitnessSearch] = {}
    provers: dict[str, Prover] = {}
    proof_cache = ProofCache()  # this check's own: nothing it remembers outlives the call
    for change in changes:
        relevant = [d for d in directions if d in change.breaks]
        if not relevant:
            continue
        found = None
        long_strings: tuple[Any, ...] = ()
        ran_out: str | None = None
        proofs: list[str] = []
        for direction in relevant:
            writer, reader = (old_doc, new_doc) if direction == BACKWARD else (new_doc, old_doc)
            began = time.monotonic()
            if direction not in provers:
                provers[direction] = Prover(writer, reader, proof_cache)
            proven = provers[direction].prove(change)
            if timings is not None:
                timings["proof"] = timings.get("proof", 0.0) + time.monotonic() - began
            if proven.witness_found:
                found = (direction, proven.witness)
                break
            if proven.proof is not None:
                proofs.append(
                    proven.proof if len(relevant) == 1 else f"{direction}: {proven.proof}"
                )
                continue
            limit, scope = witness_budget_s, "change"
            for shared, name in ((pair, "pair"), (run_budget, "run")):
                if shared is not None and shared.left() < limit:
                    limit, scope = shared.left(), name
            if limit <= 0 and scope != "change":
                ran_out = scope  # not searched at all
                break
            if direction not in searches:
                searches[direction] = WitnessSearch(writer, reader)
            began = time.monotonic()
            result = searches[direction].find(change, budget_s=max(limit, 0.0))
            took = time.monotonic() - began
            if timings is not None:
                timings["witness"] = timings.get("witness", 0.0) + took
            pair.spent += took
            if run_budget is not None:
                run_budget.spent += took
            if result.exhausted:
                ran_out = scope
            if result.found:
                found = (direction, result.value)
                long_strings = result.long_strings
                break
        if found is not None:
            verdict = Verdict.BROKEN
        elif len(proofs) == len(relevant):
            verdict = Verdict.COMPATIBLE
        else:
            verdict = Verdict.UNKNOWN
        checked.append(
            CheckedChange(
                change=change,
                direction=found[0] if found else relevant[0],
                verdict=verdict,
                proof="; ".join(proofs) if verdict is Verdict.COMPATIBLE else None,
                witness=found[1] if found else None,
                witness_found=found is not None,
                witness_direction=found[0] if found else None,
                budget_exhausted=verdict is Verdict.UNKNOWN and ran_out is not None,
                budget=ran_out if verdict is Verdict.UNKNOWN else None,
                long_strings=long_strings,
            )
        )
    return CheckResult(
        mode=mode,
        policy=policy,
        checked=tuple(checked),
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
