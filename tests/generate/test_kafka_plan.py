"""``generate kafka``: the topic plan, the creation script (run against a fake kafka-topics.sh that
records its arguments) and the Schema Registry payloads, in version order."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from opa_contracts.generate import output
from opa_contracts.generate.run import build
from opa_contracts.generate.targets import Target
from opa_contracts.units import parse_duration
from tests.conftest import CONTRACTS, FIXTURES, ROOT

HOSTILE = FIXTURES / "asyncapi-hostile"
FAKE_TOOL = """#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done >> "$RECORD"
printf '%s\\n' '--end--' >> "$RECORD"
"""


def generate(registry: Path, out: Path, **options: Any) -> Path:
    target = Target("kafka", "kafka", out, ROOT, {"options": options})
    output.write(build(target, registry), out)
    return out


def plan(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7d", 604_800_000), ("500ms", 500), ("36h", 129_600_000), ("2w", 1_209_600_000),
     ("15m", 900_000), ("30s", 30_000), ("infinite", -1), (0, 0), (1234, 1234),
     (None, None), ("7 days", None), (True, None)],
)  # fmt: skip
def test_parse_duration(value: object, expected: int | None) -> None:
    assert parse_duration(value) == expected


def test_bundled_plan(tmp_path: Path) -> None:
    data = plan(generate(CONTRACTS, tmp_path))
    assert data["version"] == 1
    assert data["channels_without_kafka"] == []
    topics = {t["name"]: t for t in data["topics"]}
    assert topics["opa.quotes.realtime"] == {
        "name": "opa.quotes.realtime",
        "channel": "quotes.realtime",
        "partitions": 6,
        "replication_factor": 3,
        "config": {"cleanup.policy": "delete"},
        "key": "ticker",
        "compatibility": "BACKWARD",
        "versions": ["1.0.0"],
    }
    assert topics["opa.capacity.scores"]["config"]["retention.ms"] == "604800000"
    assert topics["opa.system.health"]["config"] == {"cleanup.policy": "compact"}
    assert topics["opa.system.health"]["key"] == "service"


def test_hostile_plan_versions_drafts_and_retired(tmp_path: Path) -> None:
    data = plan(generate(HOSTILE, tmp_path / "a"))
    moves = next(t for t in data["topics"] if t["name"] == "opa.moves.topic")
    assert moves["versions"] == ["1.0.1", "1.1.0", "2.0.0"]  # in version order; no draft
    assert (moves["partitions"], moves["config"]["retention.ms"]) == (12, "604800000")
    names = [t["name"] for t in data["topics"]]
    assert "opa.moves.topic.v0" not in names  # used by a retired version only
    assert "opa.moves.topic.v3" not in names  # used by a draft only
    with_drafts = plan(generate(HOSTILE, tmp_path / "b", include_drafts=True))
    assert "opa.moves.topic.v3" in [t["name"] for t in with_drafts["topics"]]
    subject = tmp_path / "a" / "schema-registry" / "opa.moves.topic-value"
    files = sorted(p.name for p in subject.iterdir())
    assert files == ["001-1.0.1.json", "002-1.1.0.json", "003-2.0.0.json"]
    payload = json.loads((subject / "003-2.0.0.json").read_text())
    assert payload["schemaType"] == "JSON"
    schema = json.loads(payload["schema"])
    assert schema["$id"] == "https://schemas.opa.example/moves.topic/2.0.0.schema.json"
    assert schema["properties"]["k"] == {"type": "integer"}


@pytest.mark.parametrize("registry", [CONTRACTS, HOSTILE], ids=lambda p: p.name)
def test_create_script_runs_the_plan(registry: Path, tmp_path: Path) -> None:
    out = generate(registry, tmp_path / "out")
    script = out / "create-topics.sh"
    assert script.read_text().startswith("#!/bin/sh\n")
    subprocess.run(["sh", "-n", str(script)], check=True)
    subprocess.run(["sh", "-n", str(out / "schema-registry" / "register.sh")], check=True)
    fake = tmp_path / "kafka-topics.sh"
    fake.write_text(FAKE_TOOL)
    fake.chmod(0o755)
    record = tmp_path / "record"
    env = {"PATH": os.environ["PATH"], "RECORD": str(record), "KAFKA_TOPICS": str(fake)}
    missing = subprocess.run(["sh", str(script)], env=env, capture_output=True, check=False)
    assert missing.returncode != 0
    assert b"BOOTSTRAP_SERVER" in missing.stderr
    env["BOOTSTRAP_SERVER"] = "broker:9092"
    subprocess.run(["sh", str(script)], env=env, check=True)
    calls = record.read_text().split("--end--\n")[:-1]
    expected = []
    for topic in plan(out)["topics"]:
        args = ["--bootstrap-server", "broker:9092", "--create", "--if-not-exists"]
        args += ["--topic", topic["name"], "--partitions", str(topic["partitions"])]
        args += ["--replication-factor", str(topic["replication_factor"])]
        for key, value in topic["config"].items():
            args += ["--config", f"{key}={value}"]
        expected.append("".join(f"{a}\n" for a in args))
    assert calls == expected


def test_register_script_relaxes_only_across_a_major_version(tmp_path: Path) -> None:
    text = (generate(HOSTILE, tmp_path) / "schema-registry" / "register.sh").read_text()
    section = text[text.index('# channel "moves.topic"') :]
    lines = [line for line in section.splitlines() if not line.startswith("#")]
    subject = "opa.moves.topic-value"
    mode = """'{"compatibility": "BACKWARD_TRANSITIVE"}'"""
    assert lines == [
        f"config {subject} {mode}",
        f"register {subject} {subject}/001-1.0.1.json",
        f"register {subject} {subject}/002-1.1.0.json",
        f"""config {subject} '{{"compatibility": "NONE"}}'""",
        f"register {subject} {subject}/003-2.0.0.json",
        f"config {subject} {mode}",
    ]
