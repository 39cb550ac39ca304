"""Per-rule before/after fixtures: the engine must report exactly the expected changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opa_contracts.compat import Policy, compare
from opa_contracts.compat.ruledefs import MANIFEST_RULES
from opa_contracts.compat.rules import DIFF_RULES, LENIENT_RELAXES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "diff"
# the rules the schema engine finds; manifest rules (the encoding) are found by the diff session
# and tested through `opa-contracts diff` (tests/diffing/test_encoding_diff.py)
SCHEMA_RULES = [r for r in DIFF_RULES if r.id not in MANIFEST_RULES]


def _cases() -> list[Any]:
    out = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for expected in sorted(folder.glob("expected*.json")):
            out.append(pytest.param(folder, expected, id=f"{folder.name}/{expected.stem}"))
    return out


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("folder", "expected_file"), _cases())
def test_fixture_reports_exactly_the_expected_changes(folder: Path, expected_file: Path) -> None:
    expected = _load(expected_file)
    policy = Policy.parse(expected.get("policy", "STRICT"))
    changes = compare(_load(folder / "before.json"), _load(folder / "after.json"), policy=policy)
    got = [{"rule": c.rule, "pointer": c.pointer, "breaks": sorted(c.breaks)} for c in changes]
    assert got == expected["changes"]


def test_every_rule_has_a_fixture_folder_and_every_folder_a_rule() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    rules = {r.id for r in SCHEMA_RULES}
    assert folders == rules


@pytest.mark.parametrize("rule", SCHEMA_RULES, ids=lambda r: r.id)
def test_rule_fixture_shows_the_rule_and_matches_its_example(rule: Any) -> None:
    folder = FIXTURES / rule.id
    assert rule.example is not None
    assert _load(folder / "before.json") == json.loads(rule.example.before)
    assert _load(folder / "after.json") == json.loads(rule.example.after)
    fired = [c for c in _load(folder / "expected.json")["changes"] if c["rule"] == rule.id]
    assert fired, f"{rule.id} does not fire on its own example"
    assert set(fired[0]["breaks"]) <= rule.breaks


def test_lenient_rules_have_a_lenient_fixture() -> None:
    for rule_id in LENIENT_RELAXES:
        assert (FIXTURES / rule_id / "expected-lenient.json").exists(), rule_id


def test_rule_metadata_is_complete() -> None:
    for rule in DIFF_RULES:
        assert rule.category == "diff"
        assert rule.purpose
        assert rule.breaks <= {"backward", "forward"}
        assert (rule.severity.value == "error") == bool(rule.breaks)
