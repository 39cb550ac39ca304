"""Kafka keys with a schema of their own (``transports.kafka.key.schema``): the fixture registry
validates clean through the real CLI; a bad key schema, a missing, wrong or unexpected example
key are findings at their place; a compacted topic is satisfied by a key schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

pytestmark = pytest.mark.slow  # each test runs the CLI

KEYS = FIXTURES / "kafka-keys"
OFFSETS = (KEYS / "commit.offsets" / "1.0.0.yaml").read_text(encoding="utf-8")


def _findings(tmp_path: Path, text: str) -> dict[tuple[str, str], str]:
    folder = tmp_path / "reg" / "commit.offsets"
    folder.mkdir(parents=True)
    (folder / "1.0.0.yaml").write_text(text, encoding="utf-8")
    result = run_cli("validate", tmp_path / "reg", "--format", "json")
    report = json.loads(result.stdout)
    assert result.code == (1 if report["summary"]["errors"] else 0), result.stderr
    return {(f["rule"], f["pointer"]): f["message"] for f in report["findings"]}


def test_key_schema_channels_validate_clean() -> None:
    result = run_cli("validate", KEYS, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert report["summary"]["manifests_checked"] == 2


def test_example_keys_are_checked_against_the_key_schema(tmp_path: Path) -> None:
    text = OFFSETS.replace("key: orders-1\n", "key: Orders-1\n")  # breaks the pattern
    text = text.replace("    key: orders-0\n    payload: {offset: 42", "    payload: {offset: 42")
    # the invalid example's payload is valid: only its key makes it invalid, and it stays so
    found = _findings(tmp_path, text)
    assert set(found) == {
        ("example-key-invalid", "/examples/0"),
        ("example-key-invalid", "/examples/1/key"),
    }
    assert "'first' has no key" in found[("example-key-invalid", "/examples/0")]
    assert "does not match" in found[("example-key-invalid", "/examples/1/key")]


def test_an_invalid_example_with_a_valid_key_and_payload_is_accepted(tmp_path: Path) -> None:
    found = _findings(tmp_path, OFFSETS.replace("key: Orders\n", "key: orders-9\n"))
    assert set(found) == {("invalid-example-accepted", "/invalid_examples/0")}


def test_a_key_schema_is_a_schema(tmp_path: Path) -> None:
    text = OFFSETS.replace("pattern: '^[a-z]+-[0-9]+$'", "pattern: '^[a-z'").replace(
        "maxLength: 64", "maxLength: -1"
    )
    found = _findings(tmp_path, text)
    assert ("schema-invalid", "/transports/kafka/key/schema/maxLength") in found
    # the bad pattern: compiled only once the metaschema passes; the examples are not judged
    assert not any(rule.startswith("example-key") for rule, _ in found)


def test_a_primitive_key_schema_and_a_compacted_topic(tmp_path: Path) -> None:
    text = OFFSETS.replace(
        "schema: {type: string, pattern: '^[a-z]+-[0-9]+$', maxLength: 64}", "schema: integer"
    )
    found = _findings(tmp_path, text)
    # every string key breaks `integer`; the compacted topic has its key: no migration finding
    assert ("example-key-invalid", "/examples/0/key") in found
    assert not any(rule == "kafka-compacted-without-key" for rule, _ in found)


def test_an_example_key_needs_a_key_schema(tmp_path: Path) -> None:
    text = OFFSETS.replace(
        "    key:\n      schema: {type: string, pattern: '^[a-z]+-[0-9]+$', maxLength: 64}\n"
        "      description: Source topic and partition of the commit, e.g. orders-0\n",
        "    key: offset\n",
    )
    found = _findings(tmp_path, text)
    assert ("example-key-unexpected", "/examples/0/key") in found
    assert "payload property 'offset'" in found[("example-key-unexpected", "/examples/0/key")]
    assert ("example-key-unexpected", "/invalid_examples/1/key") in found
    assert not any(rule == "kafka-compacted-without-key" for rule, _ in found)


def test_a_compacted_topic_without_any_key_is_still_refused(tmp_path: Path) -> None:
    text = OFFSETS.replace(
        "    key:\n      schema: {type: string, pattern: '^[a-z]+-[0-9]+$', maxLength: 64}\n"
        "      description: Source topic and partition of the commit, e.g. orders-0\n",
        "",
    )
    found = _findings(tmp_path, text)
    assert ("kafka-compacted-without-key", "/transports/kafka") in found
    assert ("example-key-unexpected", "/examples/1/key") in found


def test_a_key_mapping_without_a_schema_is_a_manifest_error(tmp_path: Path) -> None:
    text = OFFSETS.replace(
        "      schema: {type: string, pattern: '^[a-z]+-[0-9]+$', maxLength: 64}\n", ""
    )
    found = _findings(tmp_path, text)
    assert any(rule == "manifest-schema" and "/transports/kafka/key" in p for rule, p in found)


def test_an_unusable_key_schema_judges_no_key(tmp_path: Path) -> None:
    text = OFFSETS.replace("maxLength: 64", "maxLength: -1")
    found = _findings(tmp_path, text)
    # the schema's fault is told once; the invalid example 'bad key' is not called accepted
    assert {rule for rule, _ in found} == {"schema-invalid"}
