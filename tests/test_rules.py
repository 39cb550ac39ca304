"""The rule registry is the single source: ids are unique and kebab-case, docs are not stale."""

from __future__ import annotations

import json

from opa_contracts.rules.docs import as_markdown
from opa_contracts.rules.registry import all_rules
from tests.conftest import ROOT, run_cli


def test_ids_are_unique() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    on_disk = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert on_disk == as_markdown(), "docs/rules.md is stale: run `make regen`"


def test_rules_command_lists_every_rule() -> None:
    result = run_cli("rules", "--format", "json")
    assert result.code == 0
    listed = json.loads(result.stdout)
    assert [r["id"] for r in listed] == [r.id for r in all_rules()]
    text = run_cli("rules").stdout
    assert all(f"{r.id} " in text for r in all_rules())


def test_schema_command_prints_each_format_schema() -> None:
    for name in ("manifest", "registry", "accepted-changes"):
        result = run_cli("schema", name)
        assert result.code == 0
        document = json.loads(result.stdout)
        assert document["$id"].endswith(f"/{name}-v1.schema.json")
    assert run_cli("schema", "nope").code == 2
