"""Kafka migration guard rules fire on their fixtures and stay quiet on the bundled registry."""

from __future__ import annotations

import json

from tests.conftest import CONTRACTS, FIXTURES, run_cli

MIGRATION = FIXTURES / "migration"
RULES = {
    "kafka-topic-name",
    "kafka-compacted-without-key",
    "kafka-compaction-mode",
    "kafka-retention-mode",
    "kafka-mapping-missing",
}


def test_each_migration_rule_fires_where_expected() -> None:
    result = run_cli("validate", MIGRATION, "--format", "json")
    assert result.code == 1
    found = [
        f"{f['file'].removeprefix('tests/fixtures/migration/')}:{f['line']} {f['rule']}"
        for f in json.loads(result.stdout)["findings"]
    ]
    assert found == (MIGRATION / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert {x.split()[-1] for x in found} == RULES
    # a retired channel needs no topic, and a transitive mode with retention is fine
    assert not any(x.startswith(("retired.one/", "retention.ok/")) for x in found)


def test_bundled_registry_is_ready_for_the_migration() -> None:
    result = run_cli("validate", CONTRACTS, "--format", "json")
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert not rules & RULES
