"""Kafka migration guard rules fire on their fixtures and stay quiet on the bundled registry."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CONTRACTS, FIXTURES, run_cli

MIGRATION = FIXTURES / "migration"
RULES = {
    "kafka-topic-name",
    "kafka-compacted-without-key",
    "kafka-compaction-mode",
    "kafka-retention-mode",
    "kafka-mapping-missing",
    "kafka-major-shares-topic",
    "kafka-config-unknown",
    "kafka-config-value",
    "kafka-config-duplicate",
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


def test_a_new_major_on_its_own_topic_is_fine(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "contracts"
    shutil.copytree(MIGRATION, root)
    v2 = root / "major.shared" / "2.0.0.yaml"
    v2.write_text(v2.read_text().replace("topic: opa.major.shared,", "topic: opa.major.shared.v2,"))
    result = run_cli("validate", root, "--format", "json")
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert "kafka-major-shares-topic" not in rules
    assert "kafka-topic-name" in rules  # only from wrong.topic
    names = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "kafka-topic-name"]
    assert [Path(f["file"]).parent.name for f in names] == ["wrong.topic"]
