"""A Kafka key schema is judged between versions like the payload (pointers ``key:...``); a change
of what the key is (property ↔ key schema) is breaking on its own (``kafka-key-changed``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, run_cli
from tests.diffing.conftest import write

pytestmark = pytest.mark.slow  # each test runs the CLI

OFFSETS = FIXTURES / "kafka-keys" / "commit.offsets" / "1.0.0.yaml"


def _findings(stdout: str) -> dict[str, dict[str, Any]]:
    return {f["rule"]: f for f in json.loads(stdout)["findings"]}


def _next(tmp_path: Path, version: str, key: Any) -> Path:
    data = yaml.safe_load(OFFSETS.read_text(encoding="utf-8"))
    data["version"] = version
    data["transports"]["kafka"]["key"] = key
    return write(tmp_path, "commit.offsets", version, data)


def test_a_narrowed_key_schema_breaks_backward_with_a_witness_key(tmp_path: Path) -> None:
    new = _next(tmp_path, "1.1.0", {"schema": {"type": "string", "maxLength": 3}})
    result = run_cli("diff", OFFSETS, new, "--format", "json")
    assert result.code == 1, result.stdout + result.stderr
    found = _findings(result.stdout)
    assert set(found) == {"pattern-removed", "max-length-decreased", "major-version-required"}
    narrowed = found["max-length-decreased"]
    assert narrowed["pointer"] == "/transports/kafka/key/schema/maxLength"
    assert narrowed["details"]["acceptance"]["pointer"] == "key:/maxLength"
    assert narrowed["message"].startswith("commit.offsets 1.0.0 → 1.1.0: Kafka key: ")
    assert narrowed["details"]["verdict"] == "broken"
    # the witness is a key the old schema wrote and the new one refuses
    assert len(narrowed["details"]["witness"]) > 3
    assert found["pattern-removed"]["details"]["breaks"] == ["forward"]


def test_a_key_schema_that_only_widens_passes_under_backward(tmp_path: Path) -> None:
    new = _next(tmp_path, "1.1.0", {"schema": {"type": "string", "maxLength": 64}})
    result = run_cli("diff", OFFSETS, new, "--format", "json", "--mode", "BACKWARD")
    assert result.code == 0, result.stdout + result.stderr
    assert set(_findings(result.stdout)) == {"pattern-removed"}


def test_a_property_key_becoming_a_key_schema_is_kafka_key_changed(tmp_path: Path) -> None:
    new = _next(tmp_path, "1.1.0", "offset")
    result = run_cli("diff", OFFSETS, new, "--format", "json")
    assert result.code == 1, result.stdout + result.stderr
    found = _findings(result.stdout)
    assert set(found) == {"kafka-key-changed", "major-version-required"}
    change = found["kafka-key-changed"]
    assert change["pointer"] == "/transports/kafka/key"
    assert (change["details"]["old"], change["details"]["new"]) == ("schema", "offset")
    assert "from a key schema of its own to the payload property 'offset'" in change["message"]
    # with a major version it is allowed, and said so
    major = _next(tmp_path / "b", "2.0.0", "offset")
    result = run_cli("diff", OFFSETS, major, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    assert _findings(result.stdout)["kafka-key-changed"]["severity"] == "warning"


def test_the_rule_is_listed_with_its_directions() -> None:
    result = run_cli("rules", "--format", "json")
    [rule] = [r for r in json.loads(result.stdout) if r["id"] == "kafka-key-changed"]
    assert (rule["category"], rule["breaks"]) == ("diff", ["backward", "forward"])
