"""Conformance of the compatibility engine against Confluent Schema Registry's JSON Schema corpus.

Runs every case under STRICT (and LENIENT where the case gives ``compatible_lenient``), compares
our BACKWARD verdict with Confluent's, and for each disagreement says whether we hold a witness
(a message the writer accepts and the reader rejects, confirmed by jsonschema_rs).
A measurement, not a test: it exits 0 unless it crashes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from opa_contracts.compat import Mode, Policy, check, compare

FILES = (
    "diff-schema-examples.json",
    "diff-schema-examples-2020-12.json",
    "diff-combined-schema-examples.json",
    "diff-combined-schema-examples-2020-12.json",
)

# Why we disagree where no witness can exist: Confluent flags a change that has no effect.
_INERT = {
    "additionalItems": "draft-07 ignores additionalItems unless items is an array (§9.3.1.2), "
    "so no message can tell the two versions apart",
}


def load(path: Path) -> list[dict[str, Any]]:
    """One corpus file; the 2020-12 one has a trailing comma, which strict JSON rejects."""
    text = re.sub(r",(\s*[}\]])", r"\1", path.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = json.loads(text)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="the confluent corpus folder")
    parser.add_argument("--budget", type=float, default=0.25, help="witness budget per change (s)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    runs = agree = cases = cases_agreeing = 0
    per_file: dict[str, tuple[int, int]] = {}
    disagreements: list[str] = []
    proven = 0
    for name in FILES:
        file_runs = file_agree = 0
        for index, case in enumerate(load(args.corpus / name)):
            cases += 1
            case_ok = True
            checks = [(Policy.STRICT, case["compatible"])]
            if "compatible_lenient" in case:
                checks.append((Policy.LENIENT, case["compatible_lenient"]))
            for policy, expected in checks:
                old, new = case["original_schema"], case["update_schema"]
                result = check(old, new, mode=Mode.BACKWARD, policy=policy,
                               witness_budget_s=args.budget)  # fmt: skip
                runs += 1
                file_runs += 1
                if result.compatible == expected:
                    agree += 1
                    file_agree += 1
                    continue
                case_ok = False
                line, has_proof = _describe(name, index, case, policy, result, expected)
                proven += has_proof
                disagreements.append(line)
            cases_agreeing += case_ok
        per_file[name] = (file_agree, file_runs)
    recursive = args.corpus / "recursive-schema.json"
    recursive_note = ""
    if recursive.exists():
        schema = json.loads(recursive.read_text(encoding="utf-8"))
        recursive_note = f"recursive-schema.json vs itself: {len(compare(schema, schema))} changes"
    elapsed = time.perf_counter() - started
    print(f"cases: {cases}  runs (STRICT + LENIENT where given): {runs}")
    print(f"agreement by case: {cases_agreeing}/{cases} = {100.0 * cases_agreeing / cases:.2f}%")
    print(f"agreement by run: {agree}/{runs} = {100.0 * agree / runs:.2f}%")
    for name, (ok, total) in per_file.items():
        print(f"  {name}: {ok}/{total}")
    print(f"disagreements: {len(disagreements)} (proven by a verified witness: {proven})")
    for line in disagreements:
        print(line)
    if recursive_note:
        print(recursive_note)
    print(f"time: {elapsed:.2f} s")
    return 0


def _describe(
    name: str, index: int, case: dict[str, Any], policy: Policy, result: Any, expected: bool
) -> tuple[str, bool]:
    ours = "compatible" if result.compatible else "incompatible"
    theirs = "compatible" if expected else "incompatible"
    head = (
        f"- {name}[{index}] {case['description']!r} ({policy.value}): ours {ours}, "
        f"Confluent {theirs}"
    )
    witnessed = [c for c in result.incompatible if c.witness_found]
    if witnessed:
        c = witnessed[0]
        body = (
            f"\n    verified witness ({c.change.rule} at {c.change.pointer or '/'}): "
            f"{json.dumps(c.witness)} is accepted by the old schema and rejected by the new one"
        )
        return head + body, True
    if result.compatible:
        reason = next((why for key, why in _INERT.items() if key in json.dumps(case)), "")
        full = check(case["original_schema"], case["update_schema"], mode=Mode.FULL, policy=policy)
        searched = "no witness in either direction" if full.compatible else "see the FULL check"
        why = reason or "our analysis finds no break"
        return head + f"\n    Confluent is over-conservative: {why}; {searched}", False
    return head + "\n    no verified witness", False


if __name__ == "__main__":
    sys.exit(main())
