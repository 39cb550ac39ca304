"""Kafka keys with a schema of their own in the generators: the topic plan carries the key schema
and how the key travels, AsyncAPI's Kafka message binding ``key`` is the key schema, and the docs
channel page shows the key contract and each example's key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema_rs

from opa_contracts import loader
from opa_contracts.generate import asyncapi, output
from opa_contracts.generate.contracts import collect
from opa_contracts.generate.run import build
from opa_contracts.generate.targets import Target
from opa_contracts.kafka_key import key_of, string_typed
from tests.conftest import FIXTURES, ROOT

KEYS = FIXTURES / "kafka-keys"


def _write(kind: str, out: Path) -> Path:
    output.write(build(Target(kind, kind, out, ROOT, {"options": {}}), KEYS), out)
    return out


def test_the_topic_plan_carries_the_key_schema(tmp_path: Path) -> None:
    out = _write("kafka", tmp_path)
    topics = {t["name"]: t for t in json.loads((out / "topics.json").read_text())["topics"]}
    offsets = topics["opa.commit.offsets"]
    assert offsets["key"] is None  # no payload property is the key
    assert offsets["key_schema"] == {
        "type": "string",
        "pattern": "^[a-z]+-[0-9]+$",
        "maxLength": 64,
    }
    assert offsets["key_encoding"] == "string"
    assert offsets["key_description"].startswith("Source topic and partition")
    balances = topics["opa.account.balances"]
    assert balances["key_encoding"] == "json"
    assert balances["key_schema"]["required"] == ["account", "currency"]
    script = (out / "create-topics.sh").read_text()
    assert '# channel "commit.offsets", key schema of its own (string)' in script


def test_asyncapi_kafka_binding_key_is_the_key_schema() -> None:
    document = asyncapi.build(collect(loader.load(KEYS)), {})
    messages = {m["name"]: m for m in document["components"]["messages"].values()}
    key = messages["commit.offsets"]["bindings"]["kafka"]["key"]
    assert key == {
        "type": "string",
        "pattern": "^[a-z]+-[0-9]+$",
        "maxLength": 64,
        "description": "Source topic and partition of the commit, e.g. orders-0",
    }
    balances = messages["account.balances"]["bindings"]["kafka"]["key"]
    validator = jsonschema_rs.Draft7Validator(balances)
    assert validator.is_valid({"account": 7, "currency": "EUR"})
    assert not validator.is_valid({"account": 7, "currency": "euro"})


def test_docs_page_shows_the_key_contract_and_example_keys(tmp_path: Path) -> None:
    out = _write("docs", tmp_path)
    page = (out / "markdown" / "channels" / "commit.offsets.md").read_text()
    assert "| key | `a schema of its own: string, sent as raw UTF-8 text` |" in page
    assert "| key constraints | `pattern: ^[a-z]+-[0-9]+$; length: ≤ 64` |" in page
    assert '**first** — key "orders-0"' in page
    html = (out / "html" / "channels" / "commit.offsets.html").read_text()
    assert "sent as raw UTF-8 text" in html


def test_a_string_key_travels_as_text_any_other_as_json() -> None:
    sources = collect(loader.load(KEYS))
    by_name = {c.name: c.latest for c in sources.channels}
    assert by_name["commit.offsets"].key.encoding == "string"
    assert by_name["account.balances"].key.encoding == "json"
    assert key_of({"transports": {"kafka": {"key": {"schema": "integer"}}}}).schema == {
        "type": "integer"
    }
    assert key_of({"transports": {"kafka": {"key": "ticker"}}}).field == "ticker"


def test_a_shared_string_key_type_behind_a_ref_travels_as_text() -> None:
    bundled = {"$ref": "#/$defs/partition", "$defs": {"partition": {"type": "string"}}}
    assert string_typed(bundled)
    assert not string_typed({"$ref": "#/$defs/n", "$defs": {"n": {"type": "integer"}}})
    assert not string_typed({"$ref": "#/$defs/missing"})
    assert not string_typed({"enum": ["a", "b"]})  # no declared type: compact JSON ("a")


def test_the_docs_history_judges_key_schema_changes_as_diff_does(tmp_path: Path) -> None:
    registry = tmp_path / "reg"
    shutil.copytree(KEYS, registry)
    first = (registry / "commit.offsets" / "1.0.0.yaml").read_text(encoding="utf-8")
    second = first.replace("version: 1.0.0", "version: 2.0.0").replace(
        "maxLength: 64", "maxLength: 8"
    )
    (registry / "commit.offsets" / "2.0.0.yaml").write_text(second, encoding="utf-8")
    out = tmp_path / "docs"
    output.write(build(Target("docs", "docs", out, ROOT, {"options": {}}), registry), out)
    page = (out / "markdown" / "channels" / "commit.offsets.md").read_text()
    [row] = [line for line in page.splitlines() if "`max-length-decreased`" in line]
    assert "`key:/maxLength`" in row
    assert "Kafka key: maxLength changed from 64 to 8" in row
