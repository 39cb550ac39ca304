"""The adversarial corpus's labels, checked without the engine (see corpus_label.py).

Fast: every case is well formed, both schemas are valid in the case's dialect, every breaking
label's witness is accepted by the writer and rejected by the reader (jsonschema-rs), and every
compatible label has a fresh probe record (>= 2,000 samples, no counter-example) whose control
found a verified break.
The probes themselves run in ``python -m tests.compat.corpus_label --probe`` (minutes); the
slow test below runs the probe machinery on a few cheap cases to show it finds what it should.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat.corpus_label import (
    BACKWARD,
    BREAKING,
    COMPATIBLE,
    FORWARD,
    Case,
    CorpusError,
    Label,
    load,
    meta_problem,
    probe,
    read_records,
    recorded_problems,
    witness_problem,
)

CASES = load()
BY_NAME = {c.name: c for c in CASES}


def test_corpus_size_and_balance() -> None:
    assert len(CASES) >= 150
    for direction in (BACKWARD, FORWARD):
        verdicts = [c.labels[direction].verdict for c in CASES]
        share = verdicts.count(COMPATIBLE) / len(verdicts)
        assert 0.3 <= share <= 0.8, (direction, share)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_schemas_are_valid_and_witnesses_hold(case: Case) -> None:
    assert meta_problem(case) is None
    for direction, label in case.labels.items():
        if label.verdict == BREAKING:
            assert witness_problem(case, direction) is None


def test_every_compatible_label_has_a_fresh_probe_and_a_seeing_control() -> None:
    problems = list(recorded_problems(CASES, read_records()))
    assert problems == [], "\n".join(problems)


def test_a_wrong_witness_is_caught() -> None:
    case = BY_NAME["enum-grown"]
    broken = Case(
        name=case.name,
        description=case.description,
        dialect=case.dialect,
        old=case.old,
        new=case.new,
        labels={**case.labels, FORWARD: Label(BREAKING, witness="a")},  # "a" is in both enums
    )
    assert "the reader accepts the witness" in str(witness_problem(broken, FORWARD))


def test_a_malformed_corpus_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(
        "- name: a\n  name: b\n  description: d\n  dialect: draft-07\n  old: {}\n  new: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="duplicate key"):
        load(tmp_path)
    (tmp_path / "x.yaml").write_text(
        "- name: a\n  description: d\n  dialect: draft-07\n  old: {}\n  new: {}\n"
        "  backward: {verdict: compatible}\n  forward: {verdict: breaking}\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="control or a no_control"):
        load(tmp_path)


@pytest.mark.slow
def test_the_probe_clears_a_compatible_label_and_its_control_sees_the_break() -> None:
    case = BY_NAME["min-length-one-removed"]  # strings only: cheap to draw
    cleared = probe(case, BACKWARD)
    assert not cleared.found
    assert cleared.kept >= 2_000
    control = probe(case, FORWARD)
    assert control.found
    assert (
        witness_problem(
            Case(
                name=case.name,
                description=case.description,
                dialect=case.dialect,
                old=case.old,
                new=case.new,
                labels={**case.labels, FORWARD: Label(BREAKING, witness=control.counterexample)},
            ),
            FORWARD,
        )
        is None
    )
