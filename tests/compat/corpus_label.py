"""The labeller of the adversarial compatibility corpus (``tests/compat/corpus/*.yaml``).

Every label is checked here, never by the compatibility engine:

* a **breaking** direction carries a witness: a message the writer's schema accepts and the
  reader's rejects, both checked with jsonschema-rs (formats asserted, offline, the case's dialect);
* a **compatible** direction is backed by a sampling probe: hypothesis-jsonschema draws messages
  from the writer's schema (or from a ``via`` proxy schema, for keywords it cannot generate), keeps
  those jsonschema-rs says the writer accepts, and every one of at least 2,000 kept messages must be
  accepted by the reader. The probe's *control* (another direction, usually the mirror) must find a
  counter-example with the same machinery, which shows the probe could have seen a break.

Backward: the old schema writes, the new one reads. Forward: the new schema writes, the old reads.

Usage (from the worktree root)::

    .venv/bin/python -m tests.compat.corpus_label            # every witness, every probe record
    .venv/bin/python -m tests.compat.corpus_label --probe    # also run the probes (minutes)
    .venv/bin/python -m tests.compat.corpus_label --probe --only NAME --record

``--record`` writes the probe results to ``corpus/probes.json``, which the fast test checks
against the corpus (a record is tied to a hash of its case, so an edited case needs a new run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
PROBES = CORPUS / "probes.json"
SAMPLES = 2_000
BACKWARD, FORWARD = "backward", "forward"
DIRECTIONS = (BACKWARD, FORWARD)
COMPATIBLE, BREAKING = "compatible", "breaking"

#: the validator class and the ``$schema`` URI of each dialect a case may name
DIALECTS: dict[str, tuple[Any, str]] = {
    "draft-04": (jsonschema_rs.Draft4Validator, "http://json-schema.org/draft-04/schema#"),
    "draft-06": (jsonschema_rs.Draft6Validator, "http://json-schema.org/draft-06/schema#"),
    "draft-07": (jsonschema_rs.Draft7Validator, "http://json-schema.org/draft-07/schema#"),
    "2019-09": (
        jsonschema_rs.Draft201909Validator,
        "https://json-schema.org/draft/2019-09/schema",
    ),
    "2020-12": (
        jsonschema_rs.Draft202012Validator,
        "https://json-schema.org/draft/2020-12/schema",
    ),
}

_NO_WITNESS = object()


class CorpusError(Exception):
    """A malformed corpus file or case."""


@dataclass(frozen=True)
class Label:
    """The expected verdict of one direction and the evidence behind it."""

    verdict: str
    witness: Any = field(default=_NO_WITNESS, hash=False)
    #: the probe's proxy schema (drawn from; only samples the writer accepts count) and why
    via: Any = field(default=None, hash=False)
    method: str = ""
    #: for a compatible label: the (case, direction) whose probe must find a break
    control: tuple[str, str] | None = None
    #: why no control makes sense (instead of ``control``)
    no_control: str = ""

    @property
    def has_witness(self) -> bool:
        return self.witness is not _NO_WITNESS


@dataclass(frozen=True)
class Case:
    """One schema pair with its two labels."""

    name: str
    description: str
    dialect: str
    old: Any = field(hash=False)
    new: Any = field(hash=False)
    labels: dict[str, Label] = field(hash=False)
    file: str = ""
    tags: tuple[str, ...] = ()

    def schema(self, which: str) -> Any:
        """``old`` or ``new`` with ``$schema`` made explicit (object schemas only)."""
        raw = self.old if which == "old" else self.new
        if isinstance(raw, Mapping) and "$schema" not in raw:
            return {"$schema": DIALECTS[self.dialect][1], **raw}
        return raw

    def writer_reader(self, direction: str) -> tuple[Any, Any]:
        """(writer, reader) schemas of ``direction``, ``$schema`` explicit."""
        old, new = self.schema("old"), self.schema("new")
        return (old, new) if direction == BACKWARD else (new, old)

    def digest(self, direction: str) -> str:
        """A hash of what a probe of ``direction`` depends on."""
        label = self.labels[direction]
        data = [self.dialect, self.old, self.new, direction, label.verdict, label.via]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# --- loading -------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys (a hand-written corpus would hide them)."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise CorpusError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

_CASE_KEYS = {"name", "description", "dialect", "old", "new", "backward", "forward", "tags"}
_LABEL_KEYS = {"verdict", "witness", "via", "method", "control", "no_control"}


def load(folder: Path = CORPUS) -> list[Case]:
    """Every case of every ``*.yaml`` file in ``folder``, checked for shape, names unique."""
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
        if not isinstance(data, list):
            raise CorpusError(f"{path.name}: not a list of cases")
        cases.extend(_case(path.name, entry) for entry in data)
    names = [c.name for c in cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CorpusError(f"duplicate case names: {dupes}")
    known = {c.name: c for c in cases}
    for case in cases:
        for direction, label in case.labels.items():
            if label.control is None:
                continue
            target, where = label.control
            if target not in known or known[target].labels[where].verdict != BREAKING:
                raise CorpusError(
                    f"{case.name} {direction}: control {target} {where} is not a breaking label"
                )
    return cases


def _case(file: str, entry: Any) -> Case:
    if not isinstance(entry, Mapping) or not {"name", "old", "new"} <= set(entry):
        raise CorpusError(f"{file}: a case needs name, old and new: {entry!r:.80}")
    name = entry["name"]
    extra = set(entry) - _CASE_KEYS
    if extra:
        raise CorpusError(f"{name}: unknown keys {sorted(extra)}")
    dialect = entry.get("dialect", "")
    if dialect not in DIALECTS:
        raise CorpusError(f"{name}: dialect {dialect!r} is not one of {sorted(DIALECTS)}")
    if not entry.get("description"):
        raise CorpusError(f"{name}: no description")
    labels = {d: _label(name, d, entry.get(d)) for d in DIRECTIONS}
    return Case(
        name=name,
        description=entry["description"],
        dialect=dialect,
        old=entry["old"],
        new=entry["new"],
        labels=labels,
        file=file,
        tags=tuple(entry.get("tags", ())),
    )


def _label(name: str, direction: str, raw: Any) -> Label:
    where = f"{name} {direction}"
    if not isinstance(raw, Mapping):
        raise CorpusError(f"{where}: no label")
    extra = set(raw) - _LABEL_KEYS
    if extra:
        raise CorpusError(f"{where}: unknown keys {sorted(extra)}")
    verdict = raw.get("verdict")
    if verdict == BREAKING:
        if "witness" not in raw:
            raise CorpusError(f"{where}: a breaking label needs a witness")
    elif verdict == COMPATIBLE:
        if "witness" in raw:
            raise CorpusError(f"{where}: a compatible label has no witness")
        if ("control" in raw) == ("no_control" in raw):
            raise CorpusError(f"{where}: a compatible label needs a control or a no_control")
        if "via" in raw and not raw.get("method"):
            raise CorpusError(f"{where}: a probe via a proxy schema needs its method written down")
    else:
        raise CorpusError(f"{where}: verdict must be compatible or breaking")
    control = raw.get("control")
    parsed: tuple[str, str] | None = None
    if control is not None:
        # "mirror": this case's other direction; {case: NAME, direction: D} otherwise
        if control == "mirror":
            parsed = (name, FORWARD if direction == BACKWARD else BACKWARD)
        elif isinstance(control, Mapping) and control.get("direction") in DIRECTIONS:
            parsed = (control.get("case", name), control["direction"])
        else:
            raise CorpusError(f"{where}: control must be mirror or {{case, direction}}")
    return Label(
        verdict=verdict,
        witness=raw.get("witness", _NO_WITNESS),
        via=raw.get("via"),
        method=raw.get("method", ""),
        control=parsed,
        no_control=raw.get("no_control", ""),
    )


# --- checks --------------------------------------------------------------------------------------


def validator(schema: Any, dialect: str) -> Any:
    """A jsonschema-rs validator of ``dialect`` for ``schema``: formats asserted, offline."""
    cls = DIALECTS[dialect][0]
    return cls(schema, validate_formats=True)


def accepts(schema: Any, dialect: str, value: Any) -> bool:
    """True when ``schema`` accepts ``value`` (jsonschema-rs)."""
    return bool(validator(schema, dialect).is_valid(value))


def witness_problem(case: Case, direction: str) -> str | None:
    """Why the witness of a breaking label does not prove it (None when it does)."""
    label = case.labels[direction]
    writer, reader = case.writer_reader(direction)
    if not accepts(writer, case.dialect, label.witness):
        return f"{case.name} {direction}: the writer rejects the witness {label.witness!r}"
    if accepts(reader, case.dialect, label.witness):
        return f"{case.name} {direction}: the reader accepts the witness {label.witness!r}"
    return None


def meta_problem(case: Case) -> str | None:
    """Why one of the schemas is not a valid schema of the case's dialect (None if both are)."""
    for which in ("old", "new"):
        schema = case.schema(which)
        if isinstance(schema, bool):
            continue
        try:
            jsonschema_rs.meta.validate(schema)
        except jsonschema_rs.ValidationError as exc:
            return f"{case.name}: {which} schema invalid: {str(exc).splitlines()[0]}"
    return None


@dataclass
class ProbeRun:
    """What one probe drew and what it found."""

    kept: int = 0  # samples the writer accepts, each checked against the reader
    discarded: int = 0  # samples drawn that the writer rejects (a proxy's or a format's excess)
    exhausted: bool = False  # hypothesis ran out of distinct samples before the target
    counterexample: Any = _NO_WITNESS
    seconds: float = 0.0

    @property
    def found(self) -> bool:
        return self.counterexample is not _NO_WITNESS

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kept": self.kept,
            "discarded": self.discarded,
            "exhausted": self.exhausted,
        }
        if self.found:
            out["counterexample"] = self.counterexample
        return out


class _Found(Exception):
    pass


def probe(
    case: Case, direction: str, samples: int = SAMPLES, stop_at_break: bool = True
) -> ProbeRun:
    """Draw ``samples`` messages the writer accepts; report the first one the reader rejects."""
    from hypothesis import HealthCheck, Phase, assume, given, settings
    from hypothesis.errors import Unsatisfiable
    from hypothesis_jsonschema import from_schema

    from tests.generate import hypothesis_compat

    hypothesis_compat.patch()
    label = case.labels[direction]
    writer, reader = case.writer_reader(direction)
    accepts_writer = validator(writer, case.dialect).is_valid
    accepts_reader = validator(reader, case.dialect).is_valid
    source = generation_source(writer, label.via)
    run = ProbeRun()
    calls = 0
    started = time.monotonic()

    @settings(
        max_examples=samples,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(from_schema(source))
    def draw(value: Any) -> None:
        nonlocal calls
        calls += 1
        if not accepts_writer(value):
            run.discarded += 1
            assume(False)
        run.kept += 1
        if not accepts_reader(value):
            if not run.found:
                run.counterexample = value
            if stop_at_break:
                raise _Found  # raised again when Hypothesis replays it, so never "flaky"

    try:
        draw()
    except _Found:
        pass
    except Unsatisfiable:
        pass
    run.exhausted = not run.found and run.kept < samples and run.discarded == 0
    run.seconds = time.monotonic() - started
    return run


def generation_source(writer: Any, via: Any) -> Any:
    r"""What hypothesis-jsonschema draws from: the writer, its unrolled form or a proxy schema.

    ``$schema`` is dropped (hypothesis-jsonschema reads schemas as draft-04/07; what the writer
    really accepts is decided by the writer's own validator, so the proxy may be too wide or too
    narrow but never unsound). ``via: {unroll: N}`` inlines the writer's local ``$ref``\ s N levels
    deep and puts ``false`` below (hypothesis-jsonschema cannot draw from a recursive schema).
    """
    if isinstance(via, Mapping) and set(via) == {"unroll"}:
        return unroll(writer, int(via["unroll"]))
    source = writer if via is None else via
    if isinstance(source, Mapping):
        return {k: v for k, v in source.items() if k != "$schema"}
    return source


def unroll(schema: Any, depth: int) -> Any:
    r"""``schema`` with its local ``$ref``\ s inlined ``depth`` deep, ``false`` below that."""
    root = schema

    def target(ref: str) -> Any:
        node = root
        for part in ref.lstrip("#").split("/")[1:]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def walk(node: Any, left: int) -> Any:
        if isinstance(node, list):
            return [walk(v, left) for v in node]
        if not isinstance(node, Mapping):
            return node
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            if left == 0:
                return False
            rest = {k: v for k, v in node.items() if k != "$ref"}
            inlined = walk(target(node["$ref"]), left - 1)
            return {"allOf": [inlined, walk(rest, left)]} if rest else inlined
        skip = ("$schema", "$defs", "definitions", "$id")
        return {k: walk(v, left) for k, v in node.items() if k not in skip}

    return walk(schema, depth)


def probe_problem(record: Any, case: Case, direction: str) -> str | None:
    """Why a recorded probe does not back the compatible label (None when it does)."""
    where = f"{case.name} {direction}"
    if not isinstance(record, Mapping) or record.get("digest") != case.digest(direction):
        return f"{where}: no probe record for the case as it is (run --probe --record)"
    if "counterexample" in record:
        return f"{where}: the probe found {record['counterexample']!r}"
    if record["kept"] < SAMPLES and not record["exhausted"]:
        return f"{where}: the probe kept only {record['kept']} samples"
    return None


def control_problem(record: Any, case: Case, target: Case, where: str) -> str | None:
    """Why a recorded control probe does not show the probe sees a break (None when it does)."""
    name = f"{case.name} control {target.name} {where}"
    if not isinstance(record, Mapping) or record.get("digest") != target.digest(where):
        return f"{name}: no control record for the case as it is (run --probe --record)"
    if "counterexample" not in record:
        return f"{name}: the control probe found no break"
    writer, reader = target.writer_reader(where)
    value = record["counterexample"]
    if not accepts(writer, target.dialect, value) or accepts(reader, target.dialect, value):
        return f"{name}: the control's counter-example {value!r} does not separate the schemas"
    return None


def read_records() -> dict[str, Any]:
    if not PROBES.exists():
        return {}
    records: dict[str, Any] = json.loads(PROBES.read_text(encoding="utf-8"))
    return records


def _key(name: str, direction: str) -> str:
    return f"{name} {direction}"


def recorded_problems(
    cases: list[Case], records: Mapping[str, Any], only: list[Case] | None = None
) -> Iterator[str]:
    """Every compatible label (of ``only``, by default all) whose probe or control record is
    missing, stale or failing."""
    by_name = {c.name: c for c in cases}
    for case in cases if only is None else only:
        for direction, label in case.labels.items():
            if label.verdict != COMPATIBLE:
                continue
            problem = probe_problem(records.get(_key(case.name, direction)), case, direction)
            if problem:
                yield problem
            if label.control is not None:
                target_name, where = label.control
                target = by_name[target_name]
                record = records.get(_key(target_name, where))
                problem = control_problem(record, case, target, where)
                if problem:
                    yield problem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", action="store_true", help="run the sampling probes too")
    parser.add_argument("--only", action="append", default=[], help="only this case (repeat)")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="samples per probe")
    parser.add_argument("--record", action="store_true", help="write corpus/probes.json")
    parser.add_argument("--stale", action="store_true", help="probe only missing/stale records")
    args = parser.parse_args(argv)
    cases = load()
    by_name = {c.name: c for c in cases}
    chosen = [c for c in cases if not args.only or c.name in args.only]
    problems: list[str] = []
    for case in chosen:
        problem = meta_problem(case)
        if problem:
            problems.append(problem)
        for direction, label in case.labels.items():
            if label.verdict == BREAKING:
                problem = witness_problem(case, direction)
                if problem:
                    problems.append(problem)
    records = read_records()
    if args.probe:
        # every compatible direction, and every direction used as a control
        wanted: list[tuple[Case, str]] = []
        for case in chosen:
            for direction, label in case.labels.items():
                if label.verdict == COMPATIBLE:
                    wanted.append((case, direction))
                    if label.control is not None:
                        wanted.append((by_name[label.control[0]], label.control[1]))
        done: set[str] = set()
        for case, direction in wanted:
            key = _key(case.name, direction)
            if key in done:
                continue
            done.add(key)
            old = records.get(key)
            fresh = isinstance(old, Mapping) and old.get("digest") == case.digest(direction)
            if args.stale and fresh:
                continue
            run = probe(case, direction, args.samples)
            records[key] = {"digest": case.digest(direction), **run.record()}
            verdict = case.labels[direction].verdict
            shown = json.dumps(run.counterexample) if run.found else "none"
            print(
                f"{key}: {verdict}; kept {run.kept}, discarded {run.discarded}, "
                f"exhausted {run.exhausted}, counter-example {shown} ({run.seconds:.1f} s)",
                flush=True,
            )
            if args.record:
                _write(records)
    problems.extend(recorded_problems(cases, records, chosen))
    witnesses = sum(lbl.verdict == BREAKING for c in chosen for lbl in c.labels.values())
    compatible = sum(lbl.verdict == COMPATIBLE for c in chosen for lbl in c.labels.values())
    for problem in problems:
        print("PROBLEM", problem)
    print(
        f"{len(chosen)} cases: {witnesses} breaking labels (witness re-verified), "
        f"{compatible} compatible labels (probe records checked); {len(problems)} problems"
    )
    return 1 if problems else 0


def _write(records: Mapping[str, Any]) -> None:
    text = json.dumps(dict(sorted(records.items())), indent=1, sort_keys=True) + "\n"
    PROBES.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
