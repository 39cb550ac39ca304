"""Three verdicts per change through the real ``opa-contracts diff`` on two manifest files:
broken (a witness), compatible (a proof), unknown (neither); each shape of issue 12 is a test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema_rs
import pytest
import yaml

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def _pair(tmp_path: Path, old: Any, new: Any, mode: str = "BACKWARD") -> tuple[Path, Path]:
    paths = []
    for version, schema in (("1.0.0", old), ("1.1.0", new)):
        folder = tmp_path / version / "shapes.test"
        folder.mkdir(parents=True)
        data = {
            "apiVersion": "opa-contracts/v1",
            "channel": "shapes.test",
            "version": version,
            "status": "active",
            "compatibility": mode,
            "schema": schema,
        }
        path = folder / f"{version}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def _diff(old: Path, new: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("diff", old, new, "--format", "json", *extra)
    assert result.code in (0, 1), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return result.code, report


def _changes(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if "verdict" in f["details"]]


def _valid(schema: Any, value: Any) -> bool:
    return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value))


@pytest.mark.parametrize(
    ("keyword", "value"), [("contentEncoding", "base64"), ("contentMediaType", "application/json")]
)
def test_removing_content_encoding_is_a_relaxation_not_a_break(
    tmp_path: Path, keyword: str, value: str
) -> None:
    old, new = _pair(
        tmp_path,
        {"type": "object", "properties": {"blob": {"type": "string", keyword: value}}},
        {"type": "object", "properties": {"blob": {"type": "string"}}},
    )
    code, report = _diff(old, new)
    assert code == 0, report
    [change] = _changes(report)
    assert change["rule"] == "content-changed"
    assert change["severity"] == "note"
    assert change["details"]["verdict"] == "compatible"
    assert change["details"]["breaks"] == ["forward"]
    assert "removed" in change["message"]


@pytest.mark.parametrize("branch", ["then", "else"])
def test_then_branch_narrowing_implied_by_the_root_is_proven(tmp_path: Path, branch: str) -> None:
    root = {"type": "object", "properties": {"id": {"type": "string"}}}
    old_schema = {**root, "if": {"required": ["kind"]}, branch: {"properties": {"id": {}}}}
    new_schema = {
        **root,
        "if": {"required": ["kind"]},
        branch: {"properties": {"id": {"type": "string"}}},
    }
    old, new = _pair(tmp_path, old_schema, new_schema)
    code, report = _diff(old, new)
    assert code == 0, report
    [change] = _changes(report)
    assert change["rule"] == "type-narrowed"
    assert change["pointer"] == f"/schema/{branch}/properties/id/type"
    assert change["severity"] == "note"
    assert change["details"]["verdict"] == "compatible"
    proof = change["details"]["proof"]
    assert proof.startswith("implied by context")
    assert "/properties/id" in proof
    assert report["summary"]["verdicts"] == {
        "broken": 0,
        "compatible": 1,
        "unknown": 0,
        "proven": 1,
    }


def test_then_branch_narrowing_the_root_allows_is_still_broken(tmp_path: Path) -> None:
    # the control: the root accepts any id, so the narrowing under then loses messages
    root = {"type": "object", "properties": {"id": {}}}
    old_schema = {**root, "if": {"required": ["kind"]}, "then": {"properties": {"id": {}}}}
    new_schema = {
        **root,
        "if": {"required": ["kind"]},
        "then": {"properties": {"id": {"type": "string"}}},
    }
    old, new = _pair(tmp_path, old_schema, new_schema)
    code, report = _diff(old, new)
    assert code == 1
    [change] = _changes(report)
    assert change["details"]["verdict"] == "broken"
    witness = change["details"]["witness"]
    assert _valid(old_schema, witness)
    assert not _valid(new_schema, witness)


def test_any_of_branch_narrowing_covered_by_another_branch_is_proven(tmp_path: Path) -> None:
    other = {"not": {"type": "object"}}
    old_schema = {"anyOf": [{"required": ["id"]}, other]}
    new_schema = {"anyOf": [{"type": "object", "required": ["id"]}, other]}
    old, new = _pair(tmp_path, old_schema, new_schema, mode="FULL")
    code, report = _diff(old, new)
    assert code == 0, report
    [change] = _changes(report)
    assert change["rule"] == "type-narrowed"
    assert change["details"]["verdict"] == "compatible"
    assert change["details"]["proof"].startswith("union coverage: branch 0 of anyOf")


def test_const_to_properties_const_is_proven_by_the_finite_old_set(tmp_path: Path) -> None:
    old, new = _pair(
        tmp_path,
        {"const": {"key": "value"}},
        {"properties": {"key": {"const": "value"}}},
    )
    code, report = _diff(old, new)
    assert code == 0, report
    proven = [c for c in _changes(report) if c["rule"] == "property-added-to-open-model"]
    assert proven
    assert proven[0]["details"]["verdict"] == "compatible"
    assert proven[0]["details"]["proof"].startswith("finite writer set")
    assert "broken" not in {c["details"]["verdict"] for c in _changes(report)}


D2020 = "https://json-schema.org/draft/2020-12/schema"
INT_OR_BOOL = {"anyOf": [{"type": "integer"}, {"type": "boolean"}]}


@pytest.mark.parametrize(
    ("old_schema", "new_schema", "mode", "proof"),
    [
        # a oneOf branch widened, the branches still disjoint
        (
            {"oneOf": [{"type": "string", "maxLength": 2}, {"type": "string", "minLength": 5}]},
            {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "string", "minLength": 5}]},
            "BACKWARD",
            "region containment",
        ),
        # a oneOf branch narrowed where a sibling anyOf branch takes the values it lost
        (
            {"anyOf": [{"oneOf": [{"type": "integer"}, {"type": "string"}]}, {"maximum": 0}]},
            {
                "anyOf": [
                    {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]},
                    {"maximum": 0},
                ]
            },
            "BACKWARD",
            "region containment",
        ),
        # an allOf of two unions whose intersection (integers) is unchanged
        (
            {"allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, {"type": "integer"}]},
            {"allOf": [{"anyOf": [{"type": "number"}, {"type": "string"}]}, {"type": "integer"}]},
            "FORWARD",
            None,  # the structure sees the allOf member already: nothing flagged at all
        ),
        (
            {"allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, INT_OR_BOOL]},
            {"allOf": [{"anyOf": [{"type": "number"}, {"type": "string"}]}, INT_OR_BOOL]},
            "FORWARD",
            "region containment",
        ),
        # a pattern that only counts code points, beside the same minLength
        (
            {"$schema": D2020, "type": "string", "minLength": 2},
            {"$schema": D2020, "type": "string", "minLength": 2, "pattern": "^[\\s\\S]{2}"},
            "BACKWARD",
            "region containment",
        ),
        # \\d rewritten as [0-9]: the validator's \\d is ASCII
        (
            {"type": "string", "pattern": "^[0-9]+$"},
            {"type": "string", "pattern": "^\\d+$"},
            "FORWARD",
            "implied by context",
        ),
        # a closed (unevaluatedProperties false) object gains b through a new allOf member
        (
            {
                "$schema": D2020,
                "type": "object",
                "allOf": [{"properties": {"a": {}}}],
                "unevaluatedProperties": False,
            },
            {
                "$schema": D2020,
                "type": "object",
                "allOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}],
                "unevaluatedProperties": False,
            },
            "BACKWARD",
            "implied by context",
        ),
    ],
)
def test_the_last_unknown_shapes_are_proven(
    tmp_path: Path, old_schema: Any, new_schema: Any, mode: str, proof: str | None
) -> None:
    old, new = _pair(tmp_path, old_schema, new_schema, mode=mode)
    code, report = _diff(old, new)
    assert code == 0, report
    assert report["summary"]["verdicts"]["unknown"] == 0
    flagged = [c for c in _changes(report) if mode.lower() in c["details"]["breaks"]]
    if proof is None:
        assert all(c["details"]["verdict"] == "compatible" for c in _changes(report))
        return
    assert flagged
    for change in flagged:
        assert change["details"]["verdict"] == "compatible", change
        assert change["details"]["proof"].startswith(proof), change


UNKNOWN_OLD = {"type": "string", "pattern": "^(a|b)+$"}
UNKNOWN_NEW = {"type": "string", "pattern": "^[ab]+$"}


@pytest.mark.parametrize(
    ("extra", "code", "severity"),
    [((), 1, "error"), (("--unknown", "warning"), 0, "warning")],
)
def test_unknown_counts_as_breaking_unless_unknown_warning(
    tmp_path: Path, extra: tuple[str, ...], code: int, severity: str
) -> None:
    old, new = _pair(tmp_path, UNKNOWN_OLD, UNKNOWN_NEW)
    got, report = _diff(old, new, "--witness-budget", "0.05", *extra)
    assert got == code
    [change] = _changes(report)
    assert change["rule"] == "pattern-changed"
    assert change["severity"] == severity
    assert change["details"]["verdict"] == "unknown"
    assert "unknown:" in change["message"]
    assert report["summary"]["verdicts"]["unknown"] == 1


def test_the_registry_can_make_verdict_unknown_a_warning(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, UNKNOWN_OLD, UNKNOWN_NEW)
    for path in (old, new):
        settings = {"apiVersion": "opa-contracts/v1", "rules": {"verdict-unknown": "warning"}}
        (path.parents[1] / "registry.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    got, report = _diff(old, new, "--witness-budget", "0.05")
    assert got == 0, report
    [change] = _changes(report)
    assert (change["severity"], change["details"]["verdict"]) == ("warning", "unknown")


def test_every_format_shows_the_verdicts(tmp_path: Path) -> None:
    root = {"type": "object", "properties": {"id": {"type": "string"}}}
    old_schema = {**root, "if": {"required": ["k"]}, "then": {"properties": {"id": {}}}}
    new_schema = {
        **root,
        "if": {"required": ["k"]},
        "then": {"properties": {"id": {"type": "string"}}},
        "required": ["id"],
    }
    old, new = _pair(tmp_path, old_schema, new_schema)
    outputs = {
        fmt: run_cli("diff", old, new, "--format", fmt).stdout
        for fmt in ("text", "github", "junit", "sarif", "markdown")
    }
    for fmt, text in outputs.items():
        assert "compatible, proven (implied by context" in text, fmt
    assert "changes: 1 broken, 1 compatible (1 proven), 0 unknown" in outputs["text"]
    assert "Schema changes: 1 broken, 1 compatible, 0 unknown (1 proven)." in outputs["markdown"]
    sarif = json.loads(outputs["sarif"])
    verdicts = sorted(
        r["properties"]["verdict"]
        for r in sarif["runs"][0]["results"]
        if "verdict" in r.get("properties", {})
    )
    assert verdicts == ["broken", "compatible"]
    assert sarif["runs"][0]["properties"]["verdicts"]["broken"] == 1
    suite = ET.fromstring(outputs["junit"]).find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["verdicts.compatible"] == "1"


def test_validate_history_takes_unknown_warning_too(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import CONTRACTS

    contracts = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, contracts)
    first = contracts / "quotes.realtime" / "1.0.0.yaml"
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    data["version"] = "1.1.0"
    # the same language spelled two ways: neither a witness nor a proof exists
    data["schema"]["properties"]["ticker"]["pattern"] = "^([A-Z]){1,5}$"
    (first.parent / "1.1.0.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    for extra, code, severity in (((), 1, "error"), (("--unknown", "warning"), 0, "warning")):
        result = run_cli("validate", contracts, "--history", "--format", "json", *extra)
        assert result.code == code, result.stdout + result.stderr
        found = json.loads(result.stdout)["findings"]
        changed = [f for f in found if f["rule"] == "pattern-changed"]
        assert [(f["severity"], f["details"]["verdict"]) for f in changed] == [
            (severity, "unknown")
        ]
