"""Kafka topic configs (transports.kafka.config, defaults.kafka of registry.yaml) and the lint for
payload schemas that accept anything, through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from opa_contracts import kafka_config, units
from tests.conftest import CONTRACTS, FIXTURES, ROOT, run_cli

MIGRATION = FIXTURES / "migration"

MANIFEST = """\
apiVersion: opa-contracts/v1
channel: {channel}
version: 1.0.0
status: active
summary: Topic config fixture
publisher: opa-some-service
compatibility: FULL_TRANSITIVE
schema: {schema}
examples: [{{name: ok, payload: {{id: a}}}}]
transports:
  kafka:
{kafka}
"""
SCHEMA = (
    "{$schema: 'http://json-schema.org/draft-07/schema#', type: object, required: [id], "
    "properties: {id: {type: string, description: Clave}}}"
)


def registry(root: Path, settings: str, channels: dict[str, str], schema: str = SCHEMA) -> Path:
    """A registry of one manifest per channel, each with ``transports.kafka`` lines given."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "registry.yaml").write_text("apiVersion: opa-contracts/v1\n" + settings)
    for channel, kafka in channels.items():
        folder = root / channel
        folder.mkdir()
        lines = f"    topic: opa.{channel}\n    key: id\n" + kafka
        text = MANIFEST.format(channel=channel, schema=schema, kafka=lines.rstrip("\n"))
        (folder / "1.0.0.yaml").write_text(text)
    return root


def findings(path: Path) -> list[dict[str, Any]]:
    result = run_cli("validate", path, "--format", "json")
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def test_a_typo_names_the_config_it_meant() -> None:
    found = [f for f in findings(MIGRATION) if f["rule"] == "kafka-config-unknown"]
    assert [(f["file"], f["line"]) for f in found] == [
        ("tests/fixtures/migration/config.typo/1.0.0.yaml", 20)
    ]
    assert found[0]["message"].startswith(
        "'retention.msec' is not a Kafka topic config; did you mean 'retention.ms'"
    )
    assert found[0]["pointer"] == "/transports/kafka/config/retention.msec"


def test_bad_types_ranges_and_duplicates_are_named_at_their_line() -> None:
    found = {
        f["line"]: (f["rule"], f["message"])
        for f in findings(MIGRATION)
        if f["file"].endswith("config.values/1.0.0.yaml")
    }
    assert found == {
        22: ("kafka-config-value", "preallocate is a boolean: true or false, not 'yes'"),
        23: ("kafka-config-value", "min.insync.replicas 0 is out of range: it must be at least 1"),
        24: (
            "kafka-config-value",
            "compression.type 'zip' is not one of uncompressed, zstd, lz4, snappy, gzip, producer",
        ),
        25: (
            "kafka-config-value",
            "segment.ms is an integer of milliseconds or a duration (500ms, 30s, 15m, 12h, 7d, "
            "2w), not 1.5",
        ),
        26: (
            "kafka-config-duplicate",
            "retention.ms is given twice, as transports.kafka.retention and under config: keep one",
        ),
    }


def test_registry_defaults_are_checked_like_manifests(tmp_path: Path) -> None:
    root = registry(
        tmp_path / "contracts",
        "defaults:\n  kafka:\n    replication_factor: 2\n    config:\n"
        "      compresion.type: zstd\n      max.message.bytes: -5\n",
        {"some.topic": ""},
    )
    found = [(f["rule"], f["line"], f["message"]) for f in findings(root)]
    assert [(rule, line) for rule, line, _ in found] == [
        ("registry-config", 6),
        ("registry-config", 7),
    ]
    assert found[0][2].startswith(
        "'compresion.type' is not a Kafka topic config; did you mean 'compression.type'"
    )
    assert found[1][2] == "max.message.bytes -5 is out of range: it must be at least 0"


@pytest.fixture
def plan_registry(tmp_path: Path) -> Path:
    """Registry defaults (2 replicas, 4 partitions, zstd, 3 days) and channels overriding them."""
    return registry(
        tmp_path / "contracts",
        "defaults:\n  kafka:\n    replication_factor: 2\n    partitions: 4\n    config:\n"
        "      compression.type: zstd\n      retention.ms: 3d\n",
        {
            "plain.topic": "",
            "big.topic": (
                "    partitions: 12\n    replication_factor: 1\n    config:\n"
                "      retention.ms: 7d\n      max.message.bytes: 25MiB\n"
                "      message.timestamp.type: LogAppendTime\n      preallocate: false\n"
                "      cleanup.policy: [compact, delete]\n      min.cleanable.dirty.ratio: 0.25\n"
            ),
            "short.topic": (
                "    retention: 12h\n    cleanup_policy: delete\npolicies: {heartbeat: 90000}\n"
            ),
        },
    )


def test_plan_takes_registry_defaults_and_channel_overrides(
    plan_registry: Path, tmp_path: Path
) -> None:
    assert findings(plan_registry) == []
    out = tmp_path / "plan"
    result = run_cli("generate", "kafka", "-r", plan_registry, "--out", out)
    assert result.code == 0, result.stdout + result.stderr
    topics = {t["name"]: t for t in json.loads((out / "topics.json").read_text())["topics"]}
    plain = topics["opa.plain.topic"]
    assert (plain["partitions"], plain["replication_factor"]) == (4, 2)
    assert plain["config"] == {
        "cleanup.policy": "delete",
        "compression.type": "zstd",
        "retention.ms": "259200000",
    }
    big = topics["opa.big.topic"]
    assert (big["partitions"], big["replication_factor"]) == (12, 1)
    assert big["config"] == {
        "cleanup.policy": "compact,delete",
        "compression.type": "zstd",
        "max.message.bytes": "26214400",
        "message.timestamp.type": "LogAppendTime",
        "min.cleanable.dirty.ratio": "0.25",
        "preallocate": "false",
        "retention.ms": "604800000",
    }
    assert topics["opa.short.topic"]["config"]["retention.ms"] == "43200000"
    script = (out / "create-topics.sh").read_text()
    block = script[script.index('# channel "big.topic"') :].split("\n\n")[0]
    assert block.splitlines()[1:] == [
        '"$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP_SERVER" --create --if-not-exists \\',
        "  --topic opa.big.topic \\",
        "  --partitions 12 --replication-factor 1 \\",
        "  --config cleanup.policy=compact,delete \\",
        "  --config compression.type=zstd \\",
        "  --config max.message.bytes=26214400 \\",
        "  --config message.timestamp.type=LogAppendTime \\",
        "  --config min.cleanable.dirty.ratio=0.25 \\",
        "  --config preallocate=false \\",
        "  --config retention.ms=604800000",
    ]
    assert "--partitions 4 --replication-factor 2" in script  # the registry's defaults
    # the script runs: every config reaches kafka-topics.sh as one --config name=value argument
    fake = tmp_path / "kafka-topics.sh"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >> "$RECORD"\n')
    fake.chmod(0o755)
    record = tmp_path / "record"
    env = {
        "PATH": os.environ["PATH"],
        "RECORD": str(record),
        "KAFKA_TOPICS": str(fake),
        "BOOTSTRAP_SERVER": "broker:9092",
    }
    subprocess.run(["sh", str(out / "create-topics.sh")], env=env, check=True)
    args = record.read_text().splitlines()
    passed = [args[i + 1] for i, a in enumerate(args) if a == "--config"]
    expected = [f"{k}={v}" for t in sorted(topics) for k, v in topics[t]["config"].items()]
    assert passed == expected


@pytest.mark.slow
def test_docs_show_configs_with_units_and_mark_registry_defaults(
    plan_registry: Path, tmp_path: Path
) -> None:
    out = tmp_path / "docs"
    result = run_cli("generate", "docs", "-r", plan_registry, "--out", out)
    assert result.code == 0, result.stdout + result.stderr
    big = (out / "markdown" / "channels" / "big.topic.md").read_text()
    for row in (
        "| partitions | `12` |",
        "| replication\\_factor | `1` |",
        "| max.message.bytes | `25 MiB` |",
        "| retention.ms | `7 days` |",
        "| compression.type | `zstd (registry default)` |",
        "| cleanup.policy | `compact,delete` |",
    ):
        assert row in big
    plain = (out / "markdown" / "channels" / "plain.topic.md").read_text()
    assert "| retention.ms | `3 days (registry default)` |" in plain
    assert "| replication\\_factor | `2 (registry default)` |" in plain
    short = (out / "markdown" / "channels" / "short.topic.md").read_text()
    assert "| heartbeat | every 1 min 30 s |" in short  # an integer heartbeat is milliseconds
    html = (out / "html" / "channels" / "short.topic.html").read_text()
    assert "12 h" in html
    assert "43200000" not in html


ANYTHING = "schema-accepts-anything"


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ("{}", "the payload schema is `{}`, which accepts every JSON value"),
        ("true", "the payload schema is `true`, which accepts every JSON value"),
        (
            "{$schema: 'http://json-schema.org/draft-07/schema#', title: T, description: D}",
            "the payload schema's root has only annotations ($schema, description, title) and no "
            "type, properties, enum, $ref or other constraint, so it accepts every JSON value",
        ),
    ],
    ids=["empty", "true", "annotations-only"],
)
def test_a_schema_that_accepts_anything_is_a_warning_with_its_reason(
    schema: str, reason: str, tmp_path: Path
) -> None:
    root = registry(tmp_path / "contracts", "", {"any.thing": ""}, schema=schema)
    found = [f for f in findings(root) if f["rule"] == ANYTHING]
    assert [(f["severity"], f["pointer"], f["line"]) for f in found] == [("warning", "/schema", 8)]
    assert found[0]["message"].startswith(reason + ": the contract promises subscribers nothing")


@pytest.mark.parametrize(
    "schema",
    [
        "{type: object}",
        "{enum: [a]}",
        "{allOf: [{}]}",
        "{$ref: '#/definitions/x', definitions: {x: {}}}",
        "false",
    ],
)
def test_a_schema_with_any_constraint_at_its_root_is_not_reported(
    schema: str, tmp_path: Path
) -> None:
    root = registry(tmp_path / "contracts", "", {"any.thing": ""}, schema=schema)
    assert ANYTHING not in {f["rule"] for f in findings(root)}


def test_the_accept_anything_lint_follows_the_registry_severity(tmp_path: Path) -> None:
    root = registry(tmp_path / "a", "rules: {schema-accepts-anything: error}\n", {"x.y": ""}, "{}")
    assert [f["severity"] for f in findings(root) if f["rule"] == ANYTHING] == ["error"]
    root = registry(tmp_path / "b", "rules: {schema-accepts-anything: 'off'}\n", {"x.y": ""}, "{}")
    assert ANYTHING not in {f["rule"] for f in findings(root)}


def test_bundled_registry_has_no_new_findings() -> None:
    rules = {f["rule"] for f in findings(CONTRACTS)}
    assert not rules & {ANYTHING, "kafka-config-unknown", "kafka-config-value"}


def test_every_config_in_the_table_checks_its_type_and_bounds() -> None:
    samples = {"boolean": True, "string": "x", "list": "*"}
    for config in kafka_config.CONFIGS.values():
        if config.low is not None and config.high is not None:
            step = 1 if config.type != "double" else 0.01
            for good in (config.low, config.high):
                good = int(good) if config.type != "double" else good
                assert kafka_config.check(config.name, good) == (good, None), config.name
            for bad in (config.low - step, config.high + step):
                bad = int(bad) if config.type != "double" else bad
                if bad not in config.extra:
                    assert "out of range" in str(kafka_config.check(config.name, bad)[1])
            assert "not 'x'" in str(kafka_config.check(config.name, "x")[1])
        else:
            value = config.choices[0] if config.choices else samples[config.type]
            assert kafka_config.check(config.name, value)[1] is None, config.name
            assert kafka_config.check(config.name, 12.5)[1] is not None, config.name


@pytest.mark.parametrize(
    ("ms", "text"),
    [(604_800_000, "7 days"), (86_400_000, "1 day"), (129_600_000, "1 day 12 h"),
     (30_000, "30 s"), (500, "500 ms"), (0, "0 ms"), (90_061_000, "90,061 s")],
)  # fmt: skip
def test_durations_for_people(ms: int, text: str) -> None:
    assert units.duration(ms) == text


@pytest.mark.parametrize(
    ("count", "text"),
    [(26_214_400, "25 MiB"), (1_048_576, "1 MiB"), (100, "100 bytes"), (1, "1 byte"),
     (1536, "1.5 KiB (1,536 bytes)"), (3 * 1024**3, "3 GiB")],
)  # fmt: skip
def test_sizes_for_people(count: int, text: str) -> None:
    assert units.size(count) == text


def config_rows() -> list[str]:
    """The rows of the config table of docs/manifest.md, from the table in the code."""
    rows = []
    for c in kafka_config.CONFIGS.values():
        if c.choices:
            values = " \\| ".join(f"`{x}`" for x in c.choices)
            values = f"each of {values}" if c.type == "list" else values
        elif c.low is None or c.high is None:
            values = "`true` \\| `false`" if c.type == "boolean" else "any"
        else:
            top = c.high in (kafka_config.INT_MAX, kafka_config.LONG_MAX)
            values = f"≥ {c.low:,}" if top else f"{c.low:,} … {c.high:,}"
            values += "".join(f" or {x}" for x in c.extra)
            values += "".join(f" ({n}: {m})" for n, m in c.special)
        rows.append(f"| `{c.name}` | {c.type} | {values} | {c.unit} | {c.doc} |")
    return rows


def test_docs_list_every_kafka_topic_config() -> None:
    text = (ROOT / "docs" / "manifest.md").read_text(encoding="utf-8")
    start = text.index("<!-- topic-configs:")
    table = text[start:].split("\n\n")[0].splitlines()[3:]
    assert table == config_rows(), "\n".join(config_rows())


def test_the_topic_configs_fixture_validates_clean() -> None:
    result = run_cli("validate", FIXTURES / "topic-configs", "--fail-on", "warning")
    assert result.code == 0, result.stdout
    assert "3 manifests checked; 0 errors, 0 warnings" in result.stdout


def test_generate_kafka_refuses_a_topic_with_a_config_it_cannot_pass(tmp_path: Path) -> None:
    result = run_cli("generate", "kafka", "-r", MIGRATION, "--out", tmp_path / "plan")
    assert result.code == 3, result.stdout + result.stderr
    assert (
        "tests/fixtures/migration/config.typo/1.0.0.yaml: error generate-failed: target kafka "
        "cannot be generated: transports.kafka: 'retention.msec' is not a Kafka topic config; "
        "did you mean 'retention.ms'"
    ) in result.stdout
    assert result.stdout.count("error generate-failed") == 6
    assert not (tmp_path / "plan" / "create-topics.sh").exists()
