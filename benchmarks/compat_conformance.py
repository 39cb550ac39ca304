"""Conformance of the compatibility engine against Confluent Schema Registry's JSON Schema corpus.

Runs every case under STRICT (and LENIENT where the case gives ``compatible_lenient``), compares
our BACKWARD verdict with Confluent's, and for each disagreement gives the evidence:

* where we say *incompatible*, the engine's witness (a message the writer accepts and the reader
  rejects), re-checked here with fresh jsonschema_rs validators (formats asserted);
* where we say *compatible*, no witness can exist, so an equivalence probe looks for one the
  hard way: the engine's own sample generators over every sub-schema of both versions, those
  samples mutated, and random JSON values, each run through both validators. A probe is
  evidence, not a proof; it prints how many instances it tried and how many the writer accepted.

It also prints the engine's verdicts on the corpus: how many pairs (and changes) are broken (a
verified witness), compatible (proven, or nothing flagged) and unknown (target: 0), the median and
p99 time per pair, and how that time splits between the structural verdict, the proofs and the
witness searches.

A measurement, not a test: it exits 0 unless it crashes.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

from opa_contracts.compat import Mode, Policy, Verdict, check, compare
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.samples import Hints, Samples
from opa_contracts.compat.witness import steps_of

FILES = (
    "diff-schema-examples.json",
    "diff-schema-examples-2020-12.json",
    "diff-combined-schema-examples.json",
    "diff-combined-schema-examples-2020-12.json",
)

# Why we disagree where no witness can exist: Confluent flags a change that has no effect.
_INERT = {
    "additionalItems": "draft-07 ignores additionalItems unless items is an array of schemas "
    "(draft-07 validation spec §6.4.2; JSON-Schema-Test-Suite draft7/additionalItems.json, "
    "'additionalItems as false without items'), so no message can tell the two versions apart",
}

Json = Any


@dataclass
class Tally:
    """What the disagreements were backed by."""

    disagreements: int = 0
    witnessed: int = 0
    probed: int = 0


def load(path: Path) -> list[dict[str, Any]]:
    """One corpus file; the 2020-12 one has a trailing comma, which strict JSON rejects."""
    text = re.sub(r",(\s*[}\]])", r"\1", path.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = json.loads(text)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="the confluent corpus folder")
    parser.add_argument("--budget", type=float, default=0.25, help="witness budget per change (s)")
    parser.add_argument(
        "--probe-samples",
        type=int,
        default=20_000,
        help="instances the equivalence probe tries per compatible disagreement",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the probe's random values")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    runs = agree = cases = cases_agreeing = 0
    per_file: dict[str, tuple[int, int]] = {}
    disagreements: list[str] = []
    tally = Tally()
    probe_time = 0.0
    pair_times: list[float] = []
    split: dict[str, float] = {}
    pair_verdicts = dict.fromkeys(Verdict, 0)
    change_verdicts = dict.fromkeys(Verdict, 0)
    unknowns: list[str] = []
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
                t_pair = time.perf_counter()
                result = check(old, new, mode=Mode.BACKWARD, policy=policy,
                               witness_budget_s=args.budget, timings=split)  # fmt: skip
                pair_times.append(time.perf_counter() - t_pair)
                pair_verdicts[result.verdict] += 1
                for item in result.checked:
                    change_verdicts[item.verdict] += 1
                    if item.verdict is Verdict.UNKNOWN:
                        unknowns.append(
                            f"  {name}[{index}] {case['description']!r} ({policy.value}): "
                            f"{item.change.rule} at {item.change.pointer or '/'}"
                        )
                runs += 1
                file_runs += 1
                if result.compatible == expected:
                    agree += 1
                    file_agree += 1
                    continue
                case_ok = False
                tally.disagreements += 1
                t0 = time.perf_counter()
                line = _describe(name, index, case, policy, result, expected, args, tally)
                probe_time += time.perf_counter() - t0
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
    print(f"disagreements: {len(disagreements)} (proven by a verified witness: {tally.witnessed})")
    for line in disagreements:
        print(line)
    if recursive_note:
        print(recursive_note)
    print(f"time: {elapsed:.2f} s (of which evidence for the disagreements: {probe_time:.2f} s)")
    _print_verdicts(pair_verdicts, change_verdicts, unknowns, pair_times, split)
    unbacked = tally.disagreements - tally.witnessed - tally.probed
    print(
        f"summary: {tally.disagreements} disagreements, {tally.witnessed} proven by a verified "
        f"witness, {tally.probed} backed by an equivalence probe, {unbacked} without evidence"
    )
    return 0


def _print_verdicts(
    pairs: dict[Verdict, int],
    changes: dict[Verdict, int],
    unknowns: list[str],
    times: list[float],
    split: dict[str, float],
) -> None:
    """The three verdicts on the corpus, the unknown ones, and where the time went."""
    shown = ", ".join(f"{pairs[v]} {v.value}" for v in Verdict)
    print(f"verdicts by run: {shown}")
    shown = ", ".join(f"{changes[v]} {v.value}" for v in Verdict)
    print(f"verdicts of the flagged changes: {shown}")
    print(f"unknown: {changes[Verdict.UNKNOWN]} (target 0)")
    for line in unknowns:
        print(line)
    ordered = sorted(times)
    if ordered:
        median = ordered[len(ordered) // 2]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"time per pair: median {median * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms")
    total = sum(split.values()) or 1.0
    parts = ", ".join(
        f"{key} {split.get(key, 0.0):.3f} s ({100 * split.get(key, 0.0) / total:.0f}%)"
        for key in ("structure", "proof", "witness")
    )
    print(f"time split: {parts}")


def _describe(
    name: str,
    index: int,
    case: dict[str, Any],
    policy: Policy,
    result: Any,
    expected: bool,
    args: argparse.Namespace,
    tally: Tally,
) -> str:
    ours = "compatible" if result.compatible else "incompatible"
    theirs = "compatible" if expected else "incompatible"
    head = (
        f"- {name}[{index}] {case['description']!r} ({policy.value}): ours {ours}, "
        f"Confluent {theirs}"
    )
    old, new = case["original_schema"], case["update_schema"]
    witnessed = [c for c in result.incompatible if c.witness_found]
    if witnessed:
        c = witnessed[0]
        writer, reader = (old, new) if c.writer == "old" else (new, old)
        rechecked = _accepts(writer, c.witness) and not _accepts(reader, c.witness)
        tally.witnessed += rechecked
        status = "re-checked with jsonschema_rs" if rechecked else "FAILED the re-check"
        body = (
            f"\n    verified witness ({c.change.rule} at {c.change.pointer or '/'}): "
            f"{json.dumps(c.witness)} is accepted by the {c.writer} schema and rejected by the "
            f"{'new' if c.writer == 'old' else 'old'} one ({status})"
        )
        return head + body
    if result.compatible:
        reason = next((why for key, why in _INERT.items() if key in json.dumps(case)), "")
        full = check(old, new, mode=Mode.FULL, policy=policy)
        searched = "no witness in either direction" if full.compatible else "see the FULL check"
        proofs = [c for c in result.checked if c.proof]
        proven = "; ".join(
            f"{c.change.rule} at {c.change.pointer} proven: {c.proof}" for c in proofs
        )
        why = reason or proven or "our analysis finds no break"
        probe = probe_equivalence(old, new, args.probe_samples, args.seed)
        tally.probed += probe.backward is None
        text = (
            head
            + f"\n    Confluent is over-conservative: {why}; {searched}"
            + f"\n    equivalence probe: {probe.describe()}"
        )
        if reason:
            # The same pair made effective (a tuple ``items`` in front): the probe must now find
            # a counter-example, or it is too weak to mean anything.
            control = probe_equivalence(_tupled(old), _tupled(new), args.probe_samples, args.seed)
            found = control.backward if control.backward is not None else control.forward
            seen = (
                f"finds {json.dumps(found)}" if found is not None else "finds NOTHING (weak probe)"
            )
            text += (
                f'\n    control (both with "items": [{{}}], which makes additionalItems apply): '
                f"the probe {seen} after {control.tried} samples"
            )
        return text
    return head + "\n    no verified witness"


# --- the equivalence probe ---------------------------------------------------------------------


@dataclass
class Probe:
    """Instances tried, how many each side accepted, and the first counter-example each way."""

    tried: int
    arrays: int  # non-empty arrays among them, the only instances additionalItems can act on
    writer_accepts: int
    reader_accepts: int
    backward: Json | None  # accepted by the old (writer) schema, rejected by the new one
    forward: Json | None  # accepted by the new schema, rejected by the old one

    def describe(self) -> str:
        if self.backward is not None:
            return (
                f"COUNTER-EXAMPLE {json.dumps(self.backward)}: accepted by the old schema, "
                f"rejected by the new one (after {self.tried} samples)"
            )
        text = (
            f"no counter-example in {self.tried} samples ({self.arrays} of them non-empty "
            f"arrays; {self.writer_accepts} accepted by the old schema, {self.reader_accepts} by "
            "the new one)"
        )
        if self.forward is None:
            return text + "; none in the FORWARD direction either"
        return text + f"; FORWARD counter-example {json.dumps(self.forward)}"


_MISSING = object()


def probe_equivalence(old: Json, new: Json, limit: int, seed: int) -> Probe:
    """Look for an instance that one schema accepts and the other rejects (BACKWARD first)."""
    old_doc, new_doc = Document(old, "old"), Document(new, "new")
    accepts_old, accepts_new = _validator(old_doc), _validator(new_doc)
    rng = random.Random(f"probe:{seed}")
    hints = Hints(old_doc, new_doc)
    seen: set[str] = set()
    tried = arrays = writer_ok = reader_ok = 0
    backward: Json = _MISSING
    forward: Json = _MISSING
    for value in _instances(old_doc, new_doc, hints, rng):
        key = json.dumps(value, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        tried += 1
        arrays += isinstance(value, list) and bool(value)
        a, b = _safe(accepts_old, value), _safe(accepts_new, value)
        writer_ok += a
        reader_ok += b
        if a and not b and backward is _MISSING:
            backward = value
            break
        if b and not a and forward is _MISSING:
            forward = value
        if tried >= limit:
            break
    return Probe(
        tried,
        arrays,
        writer_ok,
        reader_ok,
        None if backward is _MISSING else backward,
        None if forward is _MISSING else forward,
    )


def _instances(old: Document, new: Document, hints: Hints, rng: random.Random) -> Iterator[Json]:
    """Whole instances: generated samples, the same samples mutated, then random JSON values."""
    pool: list[Json] = []
    for doc in (old, new):
        samples = Samples(doc, hints)
        for pointer, node in _schema_nodes(doc):
            path = [segment for segment, _ in steps_of(pointer, doc)]
            for value in samples.values(node, len(path)):
                for whole in _embed(samples.values(doc.root, 0)[:8], path, value):
                    pool.append(whole)
                    yield whole
    for _ in range(4):
        for value in list(pool):
            yield _mutate(value, hints, rng)
    while True:
        yield _random_json(hints, rng, 0)


def _schema_nodes(doc: Document) -> Iterator[tuple[str, Json]]:
    """Every sub-schema the engine indexed, with its JSON pointer (root first)."""
    pointers = set(doc.ptr_of.values())
    stack: list[tuple[str, Json]] = [("", doc.root)]
    while stack:
        pointer, node = stack.pop(0)
        if pointer in pointers:
            yield pointer, node
        children: list[tuple[str, Json]] = []
        if isinstance(node, Mapping):
            children = [(f"{pointer}/{_escape(str(k))}", v) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(f"{pointer}/{i}", v) for i, v in enumerate(node)]
        stack.extend(c for c in children if isinstance(c[1], (Mapping, list)))


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _embed(bases: list[Json], path: list[str | int], value: Json) -> Iterator[Json]:
    """``value`` placed at ``path`` inside each base (or a bare skeleton)."""
    if not path:
        yield value
        return
    for base in [*bases, {} if isinstance(path[0], str) else []]:
        out = _place(copy.deepcopy(base), path, value)
        if out is not _MISSING:
            yield out


def _place(base: Json, path: list[str | int], value: Json) -> Json:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, str):
        if not isinstance(base, dict):
            return _MISSING
        child = _place(base.get(head, {} if rest and isinstance(rest[0], str) else []), rest, value)
        if child is _MISSING:
            return _MISSING
        base[head] = child
        return base
    if not isinstance(base, list):
        return _MISSING
    while len(base) <= head:
        base.append(None)
    child = _place(base[head], rest, value)
    if child is _MISSING:
        return _MISSING
    base[head] = child
    return base


def _mutate(value: Json, hints: Hints, rng: random.Random) -> Json:
    """A small random edit somewhere in ``value``."""
    value = copy.deepcopy(value)
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(sorted(value))
        roll = rng.random()
        if roll < 0.3:
            del value[key]
        elif roll < 0.6:
            value[key] = _mutate(value[key], hints, rng)
        else:
            value[key] = _random_json(hints, rng, 2)
        return value
    if isinstance(value, dict) and rng.random() < 0.5:
        names = [*hints.names, "extra", "x"]
        value[rng.choice(names)] = _random_json(hints, rng, 2)
        return value
    if isinstance(value, list) and rng.random() < 0.8:
        roll = rng.random()
        if value and roll < 0.3:
            value.pop(rng.randrange(len(value)))
        elif value and roll < 0.6:
            i = rng.randrange(len(value))
            value[i] = _mutate(value[i], hints, rng)
        else:
            value.append(_random_json(hints, rng, 2))
        return value
    return _random_json(hints, rng, 2)


def _random_json(hints: Hints, rng: random.Random, depth: int) -> Json:
    """A random JSON value, drawn partly from the constants both schemas mention."""
    kinds = ["null", "bool", "int", "float", "string"] + (["array", "object"] if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "null":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice([*(int(n) for n in hints.numbers), 0, 1, -1, rng.randint(-1000, 1000)])
    if kind == "float":
        return rng.choice([*hints.numbers, 0.5, -2.5, rng.uniform(-1e6, 1e6)])
    if kind == "string":
        alphabet = "aZ09 _-:/@.\n"
        return rng.choice(
            [*hints.strings, "", "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))]
        )
    if kind == "array":
        return [_random_json(hints, rng, depth + 1) for _ in range(rng.randint(0, 5))]
    names = [*hints.names, "a", "b", "extra"]
    return {
        rng.choice(names): _random_json(hints, rng, depth + 1) for _ in range(rng.randint(0, 4))
    }


def _tupled(schema: Json) -> Json:
    return {"items": [{}], **schema} if isinstance(schema, Mapping) else schema


def _validator(doc: Document) -> Any:
    """A fresh validator for the document's explicit dialect, formats asserted, offline."""
    return jsonschema_rs.validator_for(doc.validation_schema, validate_formats=True, offline=True)


def _accepts(schema: Json, value: Json) -> bool:
    return _safe(_validator(Document(schema, "schema")), value)


def _safe(validator: Any, value: Json) -> bool:
    try:
        return bool(validator.is_valid(value))
    except Exception:
        return False


if __name__ == "__main__":
    sys.exit(main())
