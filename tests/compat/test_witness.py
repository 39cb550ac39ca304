"""Witnesses: every one must be accepted by the writer and rejected by the reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from opa_contracts.compat import Mode, Policy, Verdict, check
from opa_contracts.compat.resolve import Document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "diff"


def _validator(schema: dict[str, Any]) -> Any:
    doc = Document(schema, "x")
    return jsonschema_rs.validator_for(doc.validation_schema, validate_formats=True, offline=True)


def _confirm(old: dict[str, Any], new: dict[str, Any], policy: Policy = Policy.STRICT) -> int:
    result = check(old, new, mode=Mode.FULL, policy=policy)
    found = 0
    for item in result.incompatible:
        if not item.witness_found:
            continue
        found += 1
        writer, reader = (old, new) if item.witness_direction == "backward" else (new, old)
        assert _validator(writer).is_valid(item.witness), item
        assert not _validator(reader).is_valid(item.witness), item
    return found


@pytest.mark.parametrize(
    "folder", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name
)
def test_witnesses_of_each_rule_fixture_are_confirmed(folder: Path) -> None:
    old = json.loads((folder / "before.json").read_text())
    new = json.loads((folder / "after.json").read_text())
    _confirm(old, new)


def test_breaking_rules_get_a_witness_on_their_own_example() -> None:
    missing = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        old = json.loads((folder / "before.json").read_text())
        new = json.loads((folder / "after.json").read_text())
        result = check(old, new, mode=Mode.FULL)
        missing += [
            f"{folder.name}:{c.change.rule}" for c in result.incompatible if not c.witness_found
        ]
    assert missing == []


def test_one_of_overlap_is_a_proven_break_confluent_misses() -> None:
    old = {"oneOf": [{"type": "number"}]}
    new = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
    result = check(old, new, mode=Mode.BACKWARD)
    assert not result.compatible
    overlap = [c for c in result.incompatible if c.change.rule == "one-of-branches-overlap"]
    assert overlap
    assert overlap[0].witness_found
    assert isinstance(overlap[0].witness, int)
    assert _confirm(old, new) >= 1


@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
@pytest.mark.parametrize("count", [3, 40])
def test_a_change_inside_one_branch_of_a_union_is_witnessed_from_that_branch(
    keyword: str, count: int
) -> None:
    """Branch ``count // 2`` raises its ``v`` minimum: the witness is a message of that very
    branch (its ``kind``) with the old minimum, which no other branch of the new union takes."""

    def union(changed: int | None) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "p": {
                    keyword: [
                        {
                            "type": "object",
                            "properties": {
                                "kind": {"const": f"k{i}"},
                                "v": {"type": "integer", "minimum": 1 if i == changed else 0},
                            },
                            "required": ["kind", "v"],
                        }
                        for i in range(count)
                    ]
                }
            },
        }

    old, new = union(None), union(count // 2)
    result = check(old, new, mode=Mode.BACKWARD)
    (hit,) = result.checked
    assert hit.verdict is Verdict.BROKEN
    assert hit.witness == {"p": {"kind": f"k{count // 2}", "v": 0}}
    assert _validator(old).is_valid(hit.witness)
    assert not _validator(new).is_valid(hit.witness)


def test_disjoint_one_of_branch_added_is_backward_compatible() -> None:
    old = {"oneOf": [{"type": "string"}]}
    new = {"oneOf": [{"type": "string"}, {"type": "number"}]}
    assert check(old, new, mode=Mode.BACKWARD).compatible


def test_strict_open_model_witness_carries_the_new_name_with_a_rejected_value() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    new = {**old, "properties": {"a": {"type": "string"}, "b": {"type": "number"}}}
    result = check(old, new, mode=Mode.BACKWARD)
    item = result.incompatible[0]
    assert item.change.rule == "property-added-to-open-model"
    assert item.witness_found
    assert "b" in item.witness
    assert "a" in item.witness
    assert check(old, new, mode=Mode.BACKWARD, policy=Policy.LENIENT).compatible


def test_pattern_change_is_proven_when_a_sample_separates_the_regexes() -> None:
    old = {"type": "string", "pattern": "^[A-Z]{1,5}$"}
    new = {"type": "string", "pattern": "^[A-Z]{1,4}$"}
    back = check(old, new, mode=Mode.BACKWARD)
    assert back.incompatible[0].witness == "AAAAA" or len(back.incompatible[0].witness) == 5
    assert back.incompatible[0].verdict is Verdict.BROKEN
    # no string of ^[A-Z]{1,4}$ fails ^[A-Z]{1,5}$: the same tree, a repeat range widened
    forward = check(old, new, mode=Mode.FORWARD)
    assert forward.compatible
    assert "pattern" in (forward.checked[0].proof or "")
    # a widening of another shape is neither witnessed nor proven: unknown
    wider = {"type": "string", "pattern": "^[A-Z]{1,5}(\\.[A-Z])?$"}
    assert check(old, wider, mode=Mode.BACKWARD).checked[0].verdict is Verdict.UNKNOWN


def test_pattern_removed_is_backward_compatible() -> None:
    old = {"type": "string", "pattern": "^a+$"}
    assert check(old, {"type": "string"}, mode=Mode.BACKWARD).compatible


def test_format_added_is_proven_with_the_validator_asserting_formats() -> None:
    result = check(
        {"type": "string"}, {"type": "string", "format": "date-time"}, mode=Mode.BACKWARD
    )
    assert result.incompatible[0].witness_found


def _witness(old: dict[str, Any], new: dict[str, Any], mode: Mode) -> Any:
    result = check(old, new, mode=mode)
    found = [c for c in result.incompatible if c.witness_found]
    assert found, result.incompatible
    assert _confirm(old, new) >= 1
    return found[0].witness


def test_multiple_of_removed_is_witnessed_by_half_a_step() -> None:
    # every other sample (0, ±1, ±0.5, 1.5, 2, 10, the step's neighbours) is a multiple of 0.25
    old = {"type": "number", "multipleOf": 0.25}
    new = {"type": "number"}
    assert _witness(old, new, Mode.FORWARD) == 0.125
    assert check(old, new, mode=Mode.BACKWARD).compatible


def test_draft_04_integer_rejects_an_integral_float_the_number_writer_sends() -> None:
    draft4 = "http://json-schema.org/draft-04/schema#"
    old = {"$schema": draft4, "type": "integer"}
    new = {"$schema": draft4, "type": "number", "minimum": 2, "maximum": 2}
    witness = _witness(old, new, Mode.FORWARD)
    assert isinstance(witness, float)
    assert witness == 2.0
    # near miss: in draft-07 2.0 is an integer, so nothing the new schema writes breaks the old
    draft7 = "http://json-schema.org/draft-07/schema#"
    result = check({**old, "$schema": draft7}, {**new, "$schema": draft7}, mode=Mode.FORWARD)
    assert not any(c.witness_found for c in result.incompatible)


def test_unanchored_pattern_is_witnessed_by_a_match_inside_a_longer_string() -> None:
    old = {"type": "string", "pattern": "^x-[0-9]$"}
    new = {"type": "string", "pattern": "x-[0-9]"}
    witness = _witness(old, new, Mode.FORWARD)
    assert isinstance(witness, str)
    assert witness != witness.strip("~")
    assert not any(c.witness_found for c in check(old, new, mode=Mode.BACKWARD).incompatible)


def test_max_length_to_dot_pattern_is_witnessed_by_a_newline() -> None:
    old = {"type": "string", "maxLength": 2}
    new = {"type": "string", "pattern": "^.{0,2}$"}
    assert "\n" in _witness(old, new, Mode.BACKWARD)
