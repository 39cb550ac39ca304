"""Every schema the dialects allow is compared by ``opa-contracts diff`` (issue 12, item 3):
boolean schemas, recursive ``$ref`` cycles, keywords foreign to the dialect. Through the real
CLI, on two manifest files or two registry folders; every witness is checked by jsonschema-rs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from tests.conftest import run_cli

DRAFT7 = "http://json-schema.org/draft-07/schema#"


def manifest(version: str, schema: Any) -> dict[str, Any]:
    return {
        "apiVersion": "opa-contracts/v1",
        "channel": "shapes.tree",
        "version": version,
        "status": "active",
        "summary": "s",
        "publisher": "opa-a",
        "compatibility": "BACKWARD",
        "schema": schema,
    }


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def diff(tmp_path: Path, old: Any, new: Any, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    """``diff`` of two manifest files (1.0.0 → 1.1.0, so a break is an error)."""
    a = write(tmp_path / "old" / "1.0.0.yaml", manifest("1.0.0", old))
    b = write(tmp_path / "new" / "1.1.0.yaml", manifest("1.1.0", new))
    result = run_cli("diff", a, b, "--format", "json", *extra)
    assert "Traceback" not in result.stdout + result.stderr
    report = json.loads(result.stdout)
    return result.code, report["findings"]


def assert_witness(old: Any, new: Any, found: dict[str, Any]) -> Any:
    """The witness is accepted by the old schema (writer) and rejected by the new (reader)."""
    witness = found["details"]["witness"]
    assert jsonschema_rs.validator_for(old).is_valid(witness)
    assert not jsonschema_rs.validator_for(new).is_valid(witness)
    return witness


# -- boolean schemas ----------------------------------------------------------------------------


def test_whole_schema_true_to_false_breaks_with_a_witness(tmp_path: Path) -> None:
    code, found = diff(tmp_path, True, False)
    assert code == 1
    [change] = [f for f in found if f["rule"] == "schema-set-to-false"]
    assert change["severity"] == "error"
    assert_witness(True, False, change)


def test_whole_schema_false_to_true_is_backward_compatible(tmp_path: Path) -> None:
    code, found = diff(tmp_path, False, True)
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in found] == [("schema-no-longer-false", "note")]


def test_empty_object_to_true_is_no_change(tmp_path: Path) -> None:
    code, found = diff(tmp_path, {}, True)
    assert code == 0
    assert found == []


@pytest.mark.parametrize(
    ("old", "new", "focus"),
    [
        (
            {"type": "object", "properties": {"a": True}},
            {"type": "object", "properties": {"a": False}},
            "/properties/a",
        ),
        (
            {"type": "array", "items": True},
            {"type": "array", "items": False},
            "/items",
        ),
        (
            {"type": "object", "additionalProperties": True},
            {"type": "object", "additionalProperties": False},
            "/additionalProperties",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "array", "items": {}}}},
            {"type": "object", "properties": {"a": {"type": "array", "items": False}}},
            "/properties/a/items",
        ),
    ],
)
def test_boolean_subschemas_are_compared(tmp_path: Path, old: Any, new: Any, focus: str) -> None:
    code, found = diff(tmp_path, old, new)
    assert code == 1
    breaking = [f for f in found if f["severity"] == "error" and "witness" in f["details"]]
    assert breaking, found
    assert any(f["details"]["acceptance"]["pointer"].startswith(focus) for f in breaking)
    for change in breaking:
        assert_witness(old, new, change)
    # the other way round only relaxes
    code, back = diff(tmp_path / "back", new, old)
    assert code == 0
    assert all(f["severity"] == "note" for f in back)


# -- recursive schemas --------------------------------------------------------------------------


def category_tree(category_id: dict[str, Any]) -> dict[str, Any]:
    """A tree type whose nodes hold more nodes, as real registries have."""
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"categories": {"type": "array", "items": {"$ref": "#/definitions/C"}}},
        "required": ["categories"],
        "definitions": {
            "C": {
                "type": "object",
                "properties": {
                    "category_id": category_id,
                    "categories": {"type": "array", "items": {"$ref": "#/definitions/C"}},
                },
                "required": ["category_id", "categories"],
            }
        },
    }


def test_an_unchanged_recursive_schema_has_no_change(tmp_path: Path) -> None:
    schema = category_tree({"type": "integer"})
    code, found = diff(tmp_path, schema, schema)
    assert code == 0
    assert found == []


def test_a_relaxation_deep_in_the_recursion_is_compatible(tmp_path: Path) -> None:
    old = category_tree({"type": "integer", "minimum": 0})
    new = category_tree({"type": "integer"})
    code, found = diff(tmp_path, old, new)
    assert code == 0
    [change] = found
    assert change["rule"] == "minimum-decreased"
    assert change["severity"] == "note"


def test_a_narrowing_deep_in_the_recursion_breaks_with_a_nested_witness(tmp_path: Path) -> None:
    old = category_tree({"type": "integer"})
    new = category_tree({"type": "integer", "maximum": 9})
    code, found = diff(tmp_path, old, new)
    assert code == 1
    [change] = [f for f in found if f["rule"].startswith("maximum")]
    assert change["details"]["acceptance"]["pointer"] == (
        "/properties/categories/items/properties/category_id/maximum"
    )
    witness = assert_witness(old, new, change)
    assert witness["categories"][0]["category_id"] > 9


def mutual(n_schema: dict[str, Any]) -> dict[str, Any]:
    """Two 2020-12 $defs that refer to each other: A holds a B, B holds an A."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/A",
        "$defs": {
            "A": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "b": {"$ref": "#/$defs/B"}},
            },
            "B": {
                "type": "object",
                "properties": {"n": n_schema, "a": {"$ref": "#/$defs/A"}},
            },
        },
    }


def test_mutually_recursive_defs(tmp_path: Path) -> None:
    same = mutual({"type": "integer"})
    assert diff(tmp_path / "same", same, same) == (0, [])
    old, new = mutual({"type": "integer"}), mutual({"type": "integer", "minimum": 0})
    code, found = diff(tmp_path, old, new)
    assert code == 1
    [change] = [f for f in found if f["rule"] == "minimum-increased"]
    witness = assert_witness(old, new, change)
    assert witness["b"]["n"] < 0


def shared_tree_registry(root: Path, leaf: dict[str, Any]) -> Path:
    """A registry whose channel refers to a recursive type in a shared file (``#`` itself)."""
    contracts = root / "contracts"
    tree = {
        "type": "object",
        "properties": {"v": leaf, "children": {"type": "array", "items": {"$ref": "#"}}},
    }
    write(contracts / "_shared" / "tree.yaml", tree)
    schema = {"type": "object", "properties": {"root": {"$ref": "../_shared/tree.yaml"}}}
    write(contracts / "shapes.tree" / "1.0.0.yaml", manifest("1.0.0", schema))
    return contracts


def test_a_recursive_shared_type_in_two_registry_folders(tmp_path: Path) -> None:
    old = shared_tree_registry(tmp_path / "a", {"type": "integer"})
    same = shared_tree_registry(tmp_path / "b", {"type": "integer"})
    result = run_cli("diff", old, same, "--format", "json")
    assert result.code == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []
    narrowed = shared_tree_registry(tmp_path / "c", {"type": "integer", "minimum": 0})
    result = run_cli("diff", old, narrowed, "--format", "json")
    assert result.code == 1, result.stdout
    found = json.loads(result.stdout)["findings"]
    [change] = [f for f in found if f["rule"] == "minimum-increased"]
    assert "nest deeper" not in result.stdout
    witness = change["details"]["witness"]
    children = {"items": {"$ref": "#"}}
    tree: dict[str, Any] = {"type": "object", "properties": {"v": {}, "children": children}}
    narrow = {"type": "object", "properties": {"v": {"minimum": 0}, "children": children}}
    as_root = {"type": "object", "properties": {"root": tree}}
    assert jsonschema_rs.validator_for(as_root).is_valid(witness)
    assert not jsonschema_rs.validator_for(narrow).is_valid(witness["root"])


# -- keywords foreign to the dialect, unknown keywords ------------------------------------------


def draft7_array(prefix: list[Any] | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"$schema": DRAFT7, "type": "array", "items": {"type": "string"}}
    if prefix is not None:
        schema["prefixItems"] = prefix
    return schema


@pytest.mark.parametrize("mode", ["NONE", "BACKWARD", "FULL"])
def test_prefix_items_in_draft_07_has_no_effect(tmp_path: Path, mode: str) -> None:
    old = draft7_array([{"type": "string"}])
    new = draft7_array([{"type": "integer"}, False])
    code, found = diff(tmp_path, old, new, "--mode", mode)
    assert code == 0, found
    [change] = found
    assert change["rule"] == "annotation-changed"
    assert change["severity"] == "note"
    assert change["details"]["breaks"] == []
    assert "not a draft-07 keyword" in change["message"]
    assert "no effect" in change["message"]
    assert "schema-uncomparable" not in json.dumps(found)
    # and validate says the same: validators ignore it
    result = run_cli("validate", tmp_path / "new", "--format", "json")
    warned = [f for f in json.loads(result.stdout)["findings"] if "prefixItems" in f["message"]]
    assert [f["rule"] for f in warned] == ["schema-unknown-keyword"]
    assert "validators ignore it" in warned[0]["message"]


def test_prefix_items_added_in_draft_07_changes_nothing(tmp_path: Path) -> None:
    code, found = diff(tmp_path, draft7_array(None), draft7_array([False]))
    assert code == 0
    assert [f["rule"] for f in found] == ["annotation-changed"]
    # draft-07 validators ignore it indeed: the old message is still accepted by the new schema
    assert jsonschema_rs.validator_for(draft7_array([False])).is_valid(["x"])


def test_an_unknown_keyword_added_is_an_annotation(tmp_path: Path) -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "string", "minLenght": 3}}}
    code, found = diff(tmp_path, old, new)
    assert code == 0
    [change] = found
    assert (change["rule"], change["severity"]) == ("annotation-changed", "note")
    assert change["details"]["acceptance"]["pointer"] == "/properties/a/minLenght"


def test_a_malformed_schema_is_still_uncomparable(tmp_path: Path) -> None:
    code, found = diff(tmp_path, {"type": "object"}, {"type": "object", "minProperties": "two"})
    assert code == 1
    [change] = [f for f in found if f["rule"] == "schema-uncomparable"]
    assert "invalid" in change["message"]


def test_additional_items_is_foreign_to_2020_12_only(tmp_path: Path) -> None:
    # 2019-09 defines it (a break, proven), 2020-12 does not (validators ignore it: a note)
    old = {"$schema": "https://json-schema.org/draft/2019-09/schema", "items": [True]}
    new = {**old, "additionalItems": False}
    code, found = diff(tmp_path / "2019", old, new)
    assert code == 1
    [change] = [f for f in found if "witness" in f["details"]]
    assert len(assert_witness(old, new, change)) > 1
    old = {"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": [True]}
    new = {**old, "additionalItems": False}
    code, found = diff(tmp_path / "2020", old, new)
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in found] == [("annotation-changed", "note")]
    assert jsonschema_rs.validator_for(new).is_valid([1, 2])


@pytest.mark.parametrize(
    ("dialect", "keyword", "old", "new", "rest"),
    [
        (DRAFT7.replace("07", "04"), "const", "a", "b", {}),
        (DRAFT7.replace("07", "06"), "if", {"type": "string"}, True, {"then": False}),
    ],
)
def test_keywords_of_later_drafts_are_annotations_in_earlier_ones(
    tmp_path: Path, dialect: str, keyword: str, old: Any, new: Any, rest: dict[str, Any]
) -> None:
    before = {"$schema": dialect, keyword: old, **rest}
    after = {"$schema": dialect, keyword: new, **rest}
    # the dialect's validators ignore the keyword: both versions accept the same messages
    for value in ("a", "b", 0):
        assert jsonschema_rs.validator_for(before).is_valid(value)
        assert jsonschema_rs.validator_for(after).is_valid(value)
    code, found = diff(tmp_path, before, after)
    assert code == 0, found
    assert {f["rule"] for f in found} == {"annotation-changed"}
    result = run_cli("validate", tmp_path / "new", "--format", "json")
    warned = [f for f in json.loads(result.stdout)["findings"] if f"'{keyword}'" in f["message"]]
    assert [f["rule"] for f in warned] == ["schema-unknown-keyword"]
