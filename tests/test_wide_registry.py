"""Issue 13, "Done when": a registry of our own making with 34 channels (Kestrel Logistics, an
imaginary carrier and retailer: tests/fixtures/wide-registry, written by
tests/fixtures/make_wide_registry.py) validates clean, every generator runs on it through the real
CLI, the generated package passes ``mypy --strict`` and round-trips every example in both
encodings, and the AsyncAPI document passes the official parser. The TypeScript package builds
with ``tsc --strict``, round-trips every example in Node and agrees with the Python package on
every msgpack example. Its msgpack channel
``parcels.labels`` runs through real Redis and the Kafka-protocol broker in
tests/integration/runtime/test_msgpack.py."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgpack
import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, run_cli
from tests.generate.helpers import WIDE, WIDE_MODULE, imported, manifests
from tests.generate.test_asyncapi import ALLOWED_INFOS, parse
from tests.generate.test_typescript import built, msgpack_agreement

MANIFESTS = manifests(WIDE)
LATEST: dict[str, dict[str, Any]] = {}
for _m in sorted(MANIFESTS, key=lambda m: [int(p) for p in m["version"].split(".")]):
    LATEST[_m["channel"]] = _m
TARGETS = ("asyncapi", "docs", "jsonschema", "kafka", "python", "typescript")
PACKAGE = "build/kestrel-events"
TS_PACKAGE = "build/opa-events-ts"  # generators/typescript.yaml's out
#: The one finding intended: ops.passthrough relays anything on purpose.
INTENDED = {("schema-accepts-anything", "ops.passthrough/1.0.0.yaml", "/schema")}


def _shared_refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if str(node.get("$ref", "")).startswith("../_schemas/") else set()
        return found.union(*(_shared_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_shared_refs(v) for v in node))
    return set()


def _binary_fields(schema: Any) -> set[str]:
    return {k for k, v in schema.get("properties", {}).items() if "contentEncoding" in v}


def test_the_registry_holds_what_the_issue_asks() -> None:
    """The fixture's own claims, so an edit cannot quietly make it narrower."""
    transports = {c: frozenset(m.get("transports", {})) for c, m in LATEST.items()}
    assert len(LATEST) >= 32
    assert sum(t == {"kafka"} for t in transports.values()) >= 10
    assert sum(t == {"redis"} for t in transports.values()) >= 8
    assert sum(t == {"kafka", "redis"} for t in transports.values()) >= 6
    msgpack_channels = {c for c, m in LATEST.items() if m.get("encoding") == "msgpack"}
    assert len(msgpack_channels) >= 4
    binary = {c for c in msgpack_channels if _binary_fields(LATEST[c]["schema"])}
    assert {"scans.images", "telemetry.trucks", "parcels.labels"} <= binary
    texts = {c: (WIDE / c / "1.0.0.yaml").read_text(encoding="utf-8") for c in binary}
    assert "!!binary" in texts["scans.images"]  # YAML's binary tag
    assert "!!binary" not in texts["telemetry.trucks"]  # base64 text
    kafka = {c: m["transports"]["kafka"] for c, m in LATEST.items() if "kafka" in transports[c]}
    rich = {
        c
        for c, k in kafka.items()
        if k.get("cleanup_policy") == "compact"
        and k["key"] in LATEST[c]["schema"]["required"]
        and {"compression.type", "min.compaction.lag.ms", "message.timestamp.type", "segment.ms"}
        <= set(k["config"])
    }
    assert len(rich) >= 6
    assert kafka["catalog.categories"]["config"]["max.message.bytes"] == "25MiB"
    registry = yaml.safe_load((WIDE / "registry.yaml").read_text(encoding="utf-8"))
    assert set(registry["defaults"]["kafka"]) == {"replication_factor", "partitions", "config"}
    users = {c: _shared_refs(m["schema"]) for c, m in LATEST.items()}
    assert len({c for c, refs in users.items() if refs}) >= 8
    assert len(set().union(*users.values())) >= 3
    several = {c for c, m in LATEST.items() if len(m.get("publishers", [])) > 1}
    assert {"inventory.levels", "shipments.created"} <= several
    # Kafka keys with a schema of their own: a string (a commit log) and an object (JSON)
    keyed = {c: k["key"]["schema"] for c, k in kafka.items() if isinstance(k.get("key"), dict)}
    assert keyed["replication.checkpoints"]["type"] == "string"
    assert keyed["pricing.fx_rates"]["type"] == "object"
    assert all(kafka[c]["cleanup_policy"] == "compact" for c in keyed)
    assert all("key" in e for c in keyed for e in LATEST[c]["examples"])
    shared = {p.stem: yaml.safe_load(p.read_text()) for p in (WIDE / "_schemas").glob("*.yaml")}
    assert shared["party"]["properties"]["address"] == {"$ref": "address.yaml"}  # nested
    assert shared["category"]["properties"]["children"]["items"] == {"$ref": "#"}  # recursive
    versions: dict[str, list[str]] = {}
    for m in MANIFESTS:
        versions.setdefault(m["channel"], []).append(m.get("compatibility", "BACKWARD"))
    evolved = {modes[0] for modes in versions.values() if len(modes) > 1}
    assert {"BACKWARD", "FULL"} <= evolved
    assert [r["$ref"] for r in LATEST["returns.received"]["schema"]["oneOf"]] == [
        "#/$defs/refund",
        "#/$defs/exchange",
    ]
    for m in MANIFESTS:
        assert m["examples"], m["channel"]
        assert m.get("invalid_examples") or m["channel"] == "ops.passthrough", m["channel"]


def test_validate_is_clean_but_for_the_intended_warning() -> None:
    run = run_cli("validate", "--history", "--format", "json", WIDE)
    assert run.code == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    found = {
        (f["rule"], str(Path(f["file"]).relative_to(WIDE.relative_to(ROOT))), f["pointer"])
        for f in report["findings"]
    }
    assert found == INTENDED
    assert report["summary"]["errors"] == 0
    assert report["summary"]["manifests_checked"] == len(MANIFESTS)


def test_every_evolution_is_compatible_under_its_mode() -> None:
    run = run_cli("diff", WIDE)
    assert run.code == 0, run.stdout + run.stderr
    assert "changes: 0 broken, 6 compatible, 0 unknown" in run.stdout
    assert "allowed by BACKWARD" in run.stdout  # orders.placed
    assert "store.shelf_alerts 1.0.0 → 1.1.0" in run.stdout  # FULL, LENIENT


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every target of this repository's generators/ run on the wide registry, in one call."""
    folder = tmp_path_factory.mktemp("wide-project")
    shutil.copytree(ROOT / "generators", folder / "generators")
    python = folder / "generators" / "python.yaml"
    python.write_text(
        python.read_text(encoding="utf-8")
        .replace("out: build/opa-events", f"out: {PACKAGE}")
        .replace("package: opa-events", "package: kestrel-events")
        .replace("module: opa_events", f"module: {WIDE_MODULE}")
        .replace("example_channel: quotes.realtime", "example_channel: orders.placed"),
        encoding="utf-8",
    )
    run = run_cli("generate", "--registry", WIDE, cwd=folder, timeout=600)
    assert run.code == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == list(TARGETS)
    assert lines[-1] == "generate: 6 targets (6 written); 0 errors, 0 warnings"
    return folder


@pytest.mark.slow
def test_outputs_follow_what_the_registry_declares(project: Path, pkg: ModuleType) -> None:
    """Shared schemas are one class in one module; Kafka-only channels have no Redis binding
    and Redis-only ones no Kafka, in AsyncAPI and in the docs; key schemas reach the plan."""
    shared = project / PACKAGE / "src" / WIDE_MODULE / "_shared.py"
    assert shared.read_text(encoding="utf-8").count("class Money(") == 1
    modules = (project / PACKAGE / "src" / WIDE_MODULE).rglob("v1_0_0.py")
    assert not any("class Money(" in m.read_text(encoding="utf-8") for m in modules)
    document = json.loads((project / "build/asyncapi/asyncapi.json").read_text(encoding="utf-8"))
    ids = {c["address"]: (name, c) for name, c in document["channels"].items()}
    for channel, manifest in LATEST.items():
        declared = set(manifest.get("transports", {}))
        page = (project / "build/docs/markdown/channels" / f"{channel}.md").read_text("utf-8")
        if declared == {"kafka"}:
            _name, found = ids[f"kestrel.{channel}"]
            assert [s["$ref"] for s in found["servers"]] == ["#/servers/kafka"], channel
            assert "Redis Pub/Sub" not in page, channel
        elif declared == {"redis"}:
            _name, found = ids[channel]
            assert [s["$ref"] for s in found["servers"]] == ["#/servers/redis"], channel
            assert "### Kafka" not in page, channel
    plan = json.loads((project / "build/kafka/topics.json").read_text(encoding="utf-8"))
    topics = {t["name"]: t for t in plan["topics"]}
    assert topics["kestrel.replication.checkpoints"]["key_encoding"] == "string"
    assert topics["kestrel.pricing.fx_rates"]["key_encoding"] == "json"
    codec = pkg.decode_key if hasattr(pkg, "decode_key") else None
    assert (
        codec is None or codec("replication.checkpoints", b"orders.placed-0") == "orders.placed-0"
    )


@pytest.fixture(scope="module")
def pkg(project: Path) -> Iterator[ModuleType]:
    with imported(project / PACKAGE / "src", WIDE_MODULE) as module:
        yield module


@pytest.mark.slow
def test_kafka_plan_carries_defaults_and_full_topic_configs(project: Path) -> None:
    plan = yaml.safe_load((project / "build/kafka/topics.yaml").read_text(encoding="utf-8"))
    text = json.dumps(plan)
    script = (project / "build/kafka/create-topics.sh").read_text(encoding="utf-8")
    kafka = {c for c, m in LATEST.items() if "kafka" in m.get("transports", {})}
    for channel in kafka:
        assert f"kestrel.{channel}" in script
        assert f"kestrel.{channel}" in text
    assert script.count("--replication-factor 2") == len(kafka)  # registry.yaml's default
    assert "--config max.message.bytes=26214400" in script  # catalog.categories: 25MiB
    assert "--config min.compaction.lag.ms=3600000" in script
    assert "--config message.timestamp.type=LogAppendTime" in script
    assert "--config segment.bytes=268435456" in script
    assert "--config compression.type=lz4" in script  # registry default


@pytest.mark.slow
def test_docs_json_schemas_and_asyncapi_cover_every_channel(project: Path) -> None:
    docs = project / "build/docs/markdown/channels"
    for channel in LATEST:
        assert (docs / f"{channel}.md").is_file(), channel
        assert (project / "build/jsonschema" / channel).is_dir(), channel
    assert "25 MiB" in (docs / "catalog.categories.md").read_text(encoding="utf-8")
    index = json.loads((project / "build/jsonschema/index.json").read_text(encoding="utf-8"))
    assert sorted((s["channel"], s["version"]) for s in index["schemas"]) == sorted(
        (m["channel"], m["version"]) for m in MANIFESTS
    )
    document = json.loads((project / "build/asyncapi/asyncapi.json").read_text(encoding="utf-8"))
    assert len(document["channels"]) >= len(LATEST)
    types = {m["name"]: m["contentType"] for m in document["components"]["messages"].values()}
    assert types["parcels.labels"] == "application/msgpack"
    assert types["orders.placed"] == "application/json"
    # several publishers: one send operation each, and each named on the channel's page
    senders = {
        name
        for name, op in document["operations"].items()
        if op["action"] == "send" and name.endswith("_send_inventory.levels")
    }
    assert senders == {
        "kst-stock-keeper_send_inventory.levels",
        "kst-stocktake_send_inventory.levels",
    }
    page = (docs / "inventory.levels.md").read_text(encoding="utf-8")
    assert "kst-stock-keeper" in page
    assert "Corrects levels after a count" in page


@pytest.mark.slow
@pytest.mark.parametrize("name", ["asyncapi.yaml", "asyncapi.json"])
def test_asyncapi_passes_the_official_parser(project: Path, name: str) -> None:
    code, report = parse(project / "build/asyncapi" / name)
    assert report["errors"] == [], json.dumps(report["errors"], indent=2)
    assert report["warnings"] == [], json.dumps(report["warnings"], indent=2)
    assert {d["code"] for d in report["infos"] + report["hints"]} <= ALLOWED_INFOS
    assert code == 0


@pytest.mark.slow
def test_generated_package_passes_mypy_strict(project: Path, tmp_path: Path) -> None:
    package = project / PACKAGE
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "strict = true" in (package / "pyproject.toml").read_text(encoding="utf-8")


def json_view(value: Any) -> Any:
    """A decoded msgpack value as JSON says it: each ``bin`` as its base64 text."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_view(v) for v in value]
    return value


EXAMPLES = [
    pytest.param(
        m["channel"], m["version"], e["payload"], id=f"{m['channel']}/{m['version']}/{e['name']}"
    )
    for m in MANIFESTS
    for e in m["examples"]
]


@pytest.mark.slow
@pytest.mark.parametrize(("channel", "version", "payload"), EXAMPLES)
def test_every_example_round_trips_in_both_encodings(
    pkg: ModuleType, channel: str, version: str, payload: Any
) -> None:
    message = pkg.decode(channel, json.dumps(payload), version, encoding="json")
    assert json.loads(pkg.encode(message, encoding="json")) == payload
    packed = pkg.encode(message, encoding="msgpack")
    assert json_view(msgpack.unpackb(packed)) == payload
    again = pkg.decode(channel, packed, version, encoding="msgpack")
    assert again == message
    assert json.loads(pkg.encode(again, encoding="json")) == payload
    binary = _binary_fields(LATEST[channel]["schema"])
    declared = pkg.CHANNELS[channel].get(version).encoding
    assert declared == LATEST[channel].get("encoding", "json")
    if declared == "msgpack":  # bytes in Python, bin on the wire
        for field in binary & set(payload):
            assert isinstance(getattr(again, field), bytes)
            assert msgpack.unpackb(packed)[field] == base64.b64decode(payload[field])


@pytest.mark.slow
def test_invalid_examples_are_refused_in_both_encodings(pkg: ModuleType) -> None:
    refused = 0
    for m in MANIFESTS:
        for bad in m.get("invalid_examples", []):
            if "fails_at" not in bad and "key" in bad:  # the key breaks its own schema
                codec = pkg._codec.codec(m["channel"], m["version"])
                with pytest.raises(pkg.ContractError, match="key:"):
                    codec.encode_key(bad["key"])
                refused += 1
                continue
            with pytest.raises(pkg.ContractError):
                pkg.decode(m["channel"], json.dumps(bad["payload"]), m["version"], encoding="json")
            binary = _binary_fields(m["schema"])  # bin on the wire, not its base64 text
            wire = {k: base64.b64decode(v) if k in binary else v for k, v in bad["payload"].items()}
            packed = msgpack.packb(wire)
            with pytest.raises(pkg.ContractError) as refused_packed:
                pkg.decode(m["channel"], packed, m["version"], encoding="msgpack")
            assert bad.get("fails_at", "") in str(refused_packed.value)
            refused += 1
    assert refused >= len(MANIFESTS)


@pytest.fixture(scope="module")
def ts_package(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wide registry's TypeScript package, built with ``tsc --strict``."""
    return built(project / TS_PACKAGE, tmp_path_factory.mktemp("wide-ts") / "pkg")


@pytest.mark.slow
def test_typescript_package_builds_strictly_and_round_trips_every_example(
    ts_package: Path,
) -> None:
    """Its own ``node --test`` suite decodes every example in its channel's encoding (JSON text,
    or msgpack with binary data as bin) and encodes it back, and refuses every invalid one."""
    run = subprocess.run(
        ["node", "--test", "test/"],
        cwd=ts_package,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout
    types = (ts_package / "src/types/parcels_labels.ts").read_text(encoding="utf-8")
    assert ": Uint8Array;" in types
    channels = (ts_package / "src/channels.ts").read_text(encoding="utf-8")
    assert channels.count('encoding: "msgpack"') == sum(
        m.get("encoding") == "msgpack" for m in LATEST.values()
    )


@pytest.mark.slow
def test_typescript_and_python_agree_on_every_msgpack_example(
    pkg: ModuleType, ts_package: Path
) -> None:
    """Every example and invalid example of each msgpack channel, packed by Python's msgpack
    (binary data as bin), gets the same decision from both packages; what TypeScript writes back
    Python reads as the same message."""
    cases = []
    for m in MANIFESTS:
        if m.get("encoding") != "msgpack":
            continue
        binary = _binary_fields(m["schema"])
        for e in [*m["examples"], *m.get("invalid_examples", [])]:
            wire = {k: base64.b64decode(v) if k in binary else v for k, v in e["payload"].items()}
            cases.append((m["channel"], m["version"], msgpack.packb(wire)))
    documented, disagreements = msgpack_agreement(pkg, ts_package, cases)
    assert disagreements == []
    assert documented == 0
    assert len(cases) >= 10


def test_the_fixture_is_what_its_script_writes(tmp_path: Path) -> None:
    """The manifests are committed; the script that writes them must still agree."""
    script = FIXTURES / "make_wide_registry.py"
    copy = tmp_path / "make_wide_registry.py"
    shutil.copy(script, copy)
    run = subprocess.run(
        [sys.executable, str(copy)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    written = sorted(
        p.relative_to(tmp_path / "wide-registry")
        for p in (tmp_path / "wide-registry").rglob("*.yaml")
    )
    committed = sorted(p.relative_to(WIDE) for p in WIDE.rglob("*.yaml"))
    assert written == committed
    for path in committed:
        assert (tmp_path / "wide-registry" / path).read_bytes() == (WIDE / path).read_bytes(), path
