"""The engine over the adversarial corpus: 0 wrong verdicts, 0 refusals, and unknowns only where
``corpus/unknown.txt`` lists them (the list the engine still has to clear, issue 12; it only
shrinks: a listed direction the engine now gets right fails until its line is removed).

Labels come from corpus_label.py, never from the engine. Each (case, direction) is one test, so a
failure names the case; ``python -m tests.compat.corpus_engine`` prints the whole table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.compat.corpus_engine import judge, run
from tests.compat.corpus_label import BACKWARD, BREAKING, DIRECTIONS, Case, accepts, load
from tests.conftest import ROOT, run_cli

CASES = load()
BY_NAME = {c.name: c for c in CASES}
UNKNOWN_LIST = Path(__file__).parent / "corpus" / "unknown.txt"
STILL_UNKNOWN = {
    tuple(line.split())
    for line in UNKNOWN_LIST.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}


@pytest.mark.parametrize(
    ("case", "direction"),
    [(c, d) for c in CASES for d in DIRECTIONS],
    ids=lambda v: v.name if isinstance(v, Case) else v,
)
def test_engine_agrees_with_the_label(case: Case, direction: str) -> None:
    outcome = judge(case, direction)
    print(outcome.line())
    if (case.name, direction) in STILL_UNKNOWN:
        assert outcome.verdict == "unknown", (
            f"{outcome.line()} -- listed in {UNKNOWN_LIST.name}: remove the line if this is ok"
        )
    else:
        assert outcome.verdict == "ok", outcome.line()


def test_the_unknown_list_names_real_directions() -> None:
    assert all(name in BY_NAME and d in DIRECTIONS for name, d in STILL_UNKNOWN), STILL_UNKNOWN


@pytest.mark.slow
def test_engine_summary_has_no_wrong_and_only_listed_unknowns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same run as one total, printed: the numbers issue 12 asks to reach 0."""
    outcomes = run(CASES)
    counts = {v: sum(o.verdict == v for o in outcomes) for v in ("ok", "wrong", "label?")}
    counts["unknown"] = sum(o.verdict == "unknown" for o in outcomes)
    counts["uncomparable"] = sum(o.verdict == "uncomparable" for o in outcomes)
    with capsys.disabled():
        print(f"\ncorpus: {len(CASES)} cases, {len(outcomes)} directions: {counts}")
    assert counts["wrong"] == 0
    assert counts["label?"] == 0
    assert counts["unknown"] == len(STILL_UNKNOWN)
    assert counts["uncomparable"] == 0


# A handful through the real CLI: two manifest files, the case's direction as the channel's mode.
CLI_CASES = [
    ("const-object-to-property-const", BACKWARD),
    ("ite-then-type-implied-by-root", BACKWARD),
    ("anyof-branch-gains-type-covered", BACKWARD),
    ("tree-leaf-value-narrowed", BACKWARD),
    ("recursive-identical", "forward"),
    ("anyof-false-branch-removed", "forward"),
    ("prefix-items-in-draft-07-changed", BACKWARD),
    ("multiple-of-4-to-2", "forward"),
    ("unevaluated-to-additional-properties", BACKWARD),
]


def _manifests(tmp_path: Path, case: Case, mode: str) -> tuple[Path, Path]:
    base: dict[str, Any] = yaml.safe_load(
        (ROOT / "contracts" / "quotes.realtime" / "1.0.0.yaml").read_text(encoding="utf-8")
    )
    for key in ("examples", "invalid_examples"):
        base.pop(key, None)
    paths = []
    for which, version in (("old", "1.0.0"), ("new", "1.1.0")):
        data = {**base, "version": version, "compatibility": mode, "schema": case.schema(which)}
        path = tmp_path / "contracts" / "quotes.realtime" / f"{version}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "direction"), CLI_CASES, ids=[n for n, _ in CLI_CASES])
def test_cli_diff_agrees_with_the_label(tmp_path: Path, name: str, direction: str) -> None:
    case = BY_NAME[name]
    old, new = _manifests(tmp_path, case, direction.upper())
    _check_cli(run_cli("diff", old, new, "--format", "json"), case, direction)


def _check_cli(result: Any, case: Case, direction: str) -> None:
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    errors = [f for f in report.get("findings", []) if f["severity"] == "error"]
    shown = result.stdout[-3000:] + result.stderr[-2000:]
    if case.labels[direction].verdict == BREAKING:
        assert result.code == 1, shown
        writer, reader = case.writer_reader(direction)
        witnesses = [f["details"]["witness"] for f in errors if "witness" in f.get("details", {})]
        assert any(
            accepts(writer, case.dialect, w) and not accepts(reader, case.dialect, w)
            for w in witnesses
        ), shown
    else:
        assert result.code == 0, shown
        assert errors == [], shown


@pytest.mark.slow
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_cli_diff_of_a_recursive_schema_in_another_file(tmp_path: Path, direction: str) -> None:
    """The tree of tree-leaf-value-narrowed, each version in a file of its own that the manifest
    refers to (as real registries share types): the manifest's schema is a $ref to the whole
    document, so the case's labels hold for it."""
    case = BY_NAME["tree-leaf-value-narrowed"]
    old, new = _manifests(tmp_path, case, direction.upper())
    shared = tmp_path / "contracts" / "_schemas"
    shared.mkdir()
    for which, path in (("old", old), ("new", new)):
        (shared / f"tree-{which}.json").write_text(json.dumps(case.schema(which)), "utf-8")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["schema"] = {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$ref": f"../_schemas/tree-{which}.json",
        }
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    _check_cli(run_cli("diff", old, new, "--format", "json"), case, direction)
