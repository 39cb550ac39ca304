"""Declared reads (subscribers[].reads), checked by `validate` through the CLI: paths that do not
exist, wildcards over non-arrays, a field a version never had, and what the schema does not
guarantee, each with its file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import CONTRACTS, FIXTURES, run_cli

HOSTILE = FIXTURES / "reads" / "hostile"


def _findings(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("validate", root, "--format", "json")
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    return result.code, [f for f in report["findings"] if f["rule"].startswith("reads-")]


def test_hostile_declarations_are_reported_with_file_and_line() -> None:
    code, found = _findings(HOSTILE)
    assert code == 1
    seen = {(Path(f["file"]).name, f["line"], f["rule"]) for f in found}
    v1 = "1.0.0.yaml"
    assert (v1, 18, "reads-path-missing") in seen  # /nope
    assert (v1, 19, "reads-wildcard-not-collection") in seen  # /id/*: a string
    assert (v1, 20, "reads-path-missing") in seen  # /customer/name/first: below a string
    # /discount: 1.0.0 never had it (1.1.0 adds it, optional there)
    assert (v1, 21, "reads-path-missing") in seen
    assert ("1.1.0.yaml", 21, "reads-not-guaranteed") in seen
    assert ("1.1.0.yaml", 22, "reads-path-missing") in seen  # /items/*/price
    messages = " | ".join(f["message"] for f in found)
    assert "opa-ghost reads /id/*: `*` stands for array items or map values" in messages
    assert "/id is a string" in messages


def test_paths_through_ref_allof_and_wildcards_are_found() -> None:
    _, found = _findings(HOSTILE)
    at_line = {(Path(f["file"]).name, f["line"]): f for f in found}
    # /id, /items/*/sku (required in each item), /customer/name (allOf + $ref): no finding
    for line in (11, 12, 13):
        assert ("1.0.0.yaml", line) not in at_line
    tags = at_line[("1.0.0.yaml", 14)]  # /tags/* over a map: exists, but /tags is optional
    assert tags["rule"] == "reads-not-guaranteed"
    assert "/tags is optional" in tags["message"]


def test_requirements_and_present_false() -> None:
    _, found = _findings(HOSTILE)
    at_line = {(Path(f["file"]).name, f["line"]): f for f in found}
    status = at_line[("1.0.0.yaml", 15)]
    assert status["rule"] == "reads-requirement-unmet"
    assert '"cancelled"' in status["message"]
    note = at_line[("1.0.0.yaml", 24)]  # /note: optional and nullable
    assert note["rule"] == "reads-not-guaranteed"
    assert ("1.0.0.yaml", 25) not in at_line  # the same path with present: false: no warning
    assert "handles only integer" in at_line[("1.0.0.yaml", 26)]["message"]


def test_bundled_registry_declares_reads_that_hold() -> None:
    code, found = _findings(CONTRACTS)
    assert code == 0
    assert found == []
    text = (CONTRACTS / "quotes.realtime" / "1.0.0.yaml").read_text(encoding="utf-8")
    assert "reads: [/ticker, /timestamp, /price" in text


def test_a_malformed_read_is_a_manifest_schema_error(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    (root / "orders.placed").mkdir(parents=True)
    text = (HOSTILE / "orders.placed" / "1.0.0.yaml").read_text(encoding="utf-8")
    (root / "orders.placed" / "1.0.0.yaml").write_text(
        text.replace("      - /nope", "      - nope\n      - {path: /id, type: int}"),
        encoding="utf-8",
    )
    result = run_cli("validate", root, "--format", "json")
    assert result.code == 1
    assert "Traceback" not in result.stderr
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert rules.count("manifest-schema") >= 2


def test_reads_through_a_reference_to_a_shared_file(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    (root / "_shared").mkdir(parents=True)
    (root / "_shared" / "money.yaml").write_text(
        "definitions:\n"
        "  money:\n"
        "    type: object\n"
        "    required: [value]\n"
        "    properties:\n"
        "      value: {type: number, description: Amount}\n"
        "      currency: {$ref: '#/definitions/currency'}\n"
        "  currency: {type: string, description: ISO code}\n",
        encoding="utf-8",
    )
    (root / "orders.paid").mkdir()
    (root / "orders.paid" / "1.0.0.yaml").write_text(
        "apiVersion: opa-contracts/v1\nchannel: orders.paid\nversion: 1.0.0\nstatus: active\n"
        "summary: Paid orders\npublisher: opa-orders\n"
        "subscribers:\n"
        "  - name: opa-billing\n"
        "    reads: [/total/value, /total/currency, /total/cents]\n"
        "schema:\n"
        "  $schema: http://json-schema.org/draft-07/schema#\n"
        "  type: object\n"
        "  required: [total]\n"
        "  properties:\n"
        "    total: {$ref: '../_shared/money.yaml#/definitions/money', description: Total}\n"
        "examples:\n"
        "  - name: one\n"
        "    payload: {total: {value: 1.5, currency: EUR}}\n",
        encoding="utf-8",
    )
    _, found = _findings(root)
    assert [(f["rule"], f["message"].split(":")[0]) for f in found] == [
        (
            "reads-not-guaranteed",
            "opa-billing reads /total/currency, which the schema does not guarantee",
        ),
        ("reads-path-missing", "opa-billing reads /total/cents"),
    ]
