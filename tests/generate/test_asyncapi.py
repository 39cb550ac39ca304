"""``generate asyncapi``: the document passes the official @asyncapi/parser with no errors and no
warnings, for the bundled registry and for hostile ones, and means what the contracts mean.

The parser runs from tools/asyncapi-validate (``npm ci --ignore-scripts`` there, which ``make
test`` does first). Without it these tests fail and say how to install it: a skip would hide a
broken set-up.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from opa_contracts import loader, yamlsource
from opa_contracts.generate import asyncapi, output, serialize
from opa_contracts.generate.contracts import Sources, collect
from opa_contracts.generate.run import build
from opa_contracts.generate.targets import Target
from tests.conftest import CONTRACTS, FIXTURES, ROOT

VALIDATOR = ROOT / "tools" / "asyncapi-validate"
INSTALL = (
    "make tools/asyncapi-validate/node_modules/.installed"
    " (or: cd tools/asyncapi-validate && npm ci --ignore-scripts)"
)
REGISTRIES = {
    "bundled": CONTRACTS,
    "hostile": FIXTURES / "hostile",
    "asyncapi-hostile": FIXTURES / "asyncapi-hostile",
    "topic-configs": FIXTURES / "topic-configs",  # topicConfiguration beyond retention.ms
    "encodings": FIXTURES / "encodings",  # msgpack channels: contentType application/msgpack
    "publishers": FIXTURES / "publishers",  # a channel with two publishers: two send operations
    # servers and channels from the transports declared (tests/generate/test_declared.py)
    "kafka-only": FIXTURES / "transports" / "kafka-only",
    "redis-only": FIXTURES / "transports" / "redis-only",
    "both": FIXTURES / "transports" / "both",
    "kafka-keys": FIXTURES / "kafka-keys",  # Kafka keys with a schema of their own
}
# the only diagnostic allowed: AsyncAPI 3.1 exists (the issue asks for a 3.0 document)
ALLOWED_INFOS = {"asyncapi-latest-version"}


def node_run(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run node in the validator folder; fail (not skip) when node or the parser is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node.js 18+ to run the AsyncAPI parser tests")
    if not (VALIDATOR / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(f"@asyncapi/parser is not installed: run {INSTALL}", pytrace=False)
    return subprocess.run(
        [node, *args], cwd=VALIDATOR, input=stdin, capture_output=True, timeout=300, check=False
    )


def parse(document: Path) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """Exit code and diagnostics of the official parser for ``document``."""
    proc = node_run(["validate.js", str(document)])
    assert proc.returncode in (0, 1), proc.stderr.decode()
    report: dict[str, list[dict[str, Any]]] = json.loads(proc.stdout)
    return proc.returncode, report


def target(out: Path, **options: Any) -> Target:
    return Target("asyncapi", "asyncapi", out, ROOT, {"options": options})


@pytest.fixture(scope="module", params=sorted(REGISTRIES))
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"asyncapi-{request.param}")
    output.write(build(target(out), REGISTRIES[request.param]), out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["asyncapi.yaml", "asyncapi.json"])
def test_official_parser_finds_no_errors_and_no_warnings(generated: Path, name: str) -> None:
    code, report = parse(generated / name)
    assert report["errors"] == [], json.dumps(report["errors"], indent=2)
    assert report["warnings"] == [], json.dumps(report["warnings"], indent=2)
    infos = {d["code"] for d in report["infos"]} | {d["code"] for d in report["hints"]}
    assert infos <= ALLOWED_INFOS, report
    assert code == 0


def test_yaml_reads_the_same_in_every_reader(generated: Path) -> None:
    data = json.loads((generated / "asyncapi.json").read_text(encoding="utf-8"))
    text = (generated / "asyncapi.yaml").read_bytes()
    assert yaml.safe_load(text) == data  # YAML 1.1 (PyYAML)
    parsed = yamlsource.parse(generated / "asyncapi.yaml", text.decode())
    assert not isinstance(parsed, yamlsource.SourceError)
    assert parsed.data == data  # YAML 1.2 (ours)
    script = (
        "const {parse} = require('@stoplight/yaml'); let t = '';"
        "process.stdin.on('data', c => t += c).on('end', () =>"
        " process.stdout.write(JSON.stringify(parse(t))));"
    )
    proc = node_run(["-e", script], stdin=text)  # the AsyncAPI parser's own YAML reader
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == data


@pytest.mark.slow
def test_the_parser_does_reject_a_broken_document(tmp_path: Path) -> None:
    sources = collect(loader.load(CONTRACTS))
    document = asyncapi.build(sources, {})
    document["operations"]["broken"] = {"action": "fly", "channel": {"$ref": "#/channels/nope"}}
    path = tmp_path / "broken.json"
    path.write_bytes(serialize.to_json(document))
    code, report = parse(path)
    assert code == 1
    assert report["errors"]


def _sources(name: str) -> Sources:
    return collect(loader.load(REGISTRIES[name]))


def test_a_message_names_its_encoding() -> None:
    document = asyncapi.build(_sources("encodings"), {})
    types = {m["name"]: m["contentType"] for m in document["components"]["messages"].values()}
    assert types == {
        "audit.events": "application/json",
        "files.chunks": "application/msgpack",
        "sensor.frames": "application/msgpack",
    }


def _local(node: Any, prefix: str) -> Any:
    """A payload schema with its document references turned back into local ones."""
    if isinstance(node, dict):
        return {
            k: "#" + v[len(prefix) :]
            if k == "$ref" and isinstance(v, str) and v.startswith(prefix)
            else _local(v, prefix)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_local(v, prefix) for v in node]
    return node


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_payloads_accept_and_reject_what_the_contracts_do(name: str) -> None:
    """Draft-07 conversion, $ref-named keys and reference rewriting keep the meaning: every
    example still validates and every invalid example is still rejected."""
    sources = _sources(name)
    document = asyncapi.build(sources, {})
    messages = {
        (m["x-opa-contracts"]["channel"], m["x-opa-contracts"]["version"]): (key, m)
        for key, m in document["components"]["messages"].items()
    }
    checked = 0
    for channel in sources.channels:
        for contract in channel.versions:
            if contract.status == "retired":
                assert (channel.name, contract.version) not in messages
                continue
            key, message = messages[(channel.name, contract.version)]
            assert message["payload"]["schemaFormat"] == asyncapi.SCHEMA_FORMAT
            prefix = f"#/components/messages/{key}/payload/schema"
            schema = _local(message["payload"]["schema"], prefix)
            validator = jsonschema_rs.Draft7Validator(schema, validate_formats=True)
            # a key with a schema of its own is the Kafka binding's key schema
            keys = None
            if contract.key.kind == "schema":
                key_schema = message["bindings"]["kafka"]["key"]
                keys = jsonschema_rs.Draft7Validator(key_schema, validate_formats=True)
            for example in contract.examples:
                assert validator.is_valid(example.payload), (key, example.name)
                assert keys is None or keys.is_valid(example.key), (key, example.name)
            for example in contract.invalid_examples:
                rejected = not validator.is_valid(example.payload)
                rejected = rejected or (keys is not None and not keys.is_valid(example.key))
                assert rejected, (key, example.name)
            checked += 1
    assert checked


def test_bundled_document_layout() -> None:
    document = asyncapi.build(_sources("bundled"), {})
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] == "OPA event contracts"
    assert {s["protocol"] for s in document["servers"].values()} == {"redis", "kafka"}
    quotes = document["channels"]["quotes.realtime"]
    assert quotes["address"] == "quotes.realtime"
    assert quotes["bindings"]["kafka"]["topic"] == "opa.quotes.realtime"
    assert quotes["bindings"]["kafka"]["partitions"] == 6
    scores = document["channels"]["capacity.scores"]["bindings"]["kafka"]["topicConfiguration"]
    assert scores == {"cleanup.policy": ["delete"], "retention.ms": 7 * 24 * 3600 * 1000}
    health = document["channels"]["system.health"]["bindings"]["kafka"]["topicConfiguration"]
    assert health == {"cleanup.policy": ["compact"]}
    message = document["components"]["messages"]["quotes.realtime-1.0.0"]
    key = message["bindings"]["kafka"]["key"]["$ref"]
    assert key.endswith("/payload/schema/properties/ticker")
    operations = document["operations"]
    send = operations["opa-quotes-streamer_send_quotes.realtime"]
    assert send["action"] == "send"
    assert send["messages"] == [{"$ref": "#/channels/quotes.realtime/messages/v1.0.0"}]
    wildcard = operations["opa-prediction-ANY_receive_quotes.realtime"]
    assert [t["name"] for t in wildcard["tags"]] == ["wildcard", "planned"]
    assert operations["alerting_receive_quotes.realtime"]["tags"] == [{"name": "external"}]


def test_hostile_names_versions_and_statuses() -> None:
    document = asyncapi.build(_sources("asyncapi-hostile"), {})
    weird = document["channels"]["weird_x_chan"]
    assert weird["address"] is None  # braces, ? and # cannot be an AsyncAPI address
    assert weird["x-opa-contracts"] == {"channel": "weird{x}?#chan", "transports": []}  # none
    assert "servers" not in weird
    assert "bindings" not in weird
    moves = document["channels"]["moves.topic"]
    assert sorted(moves["messages"]) == ["v1.0.1", "v1.1.0", "v2.0.0", "v3.0.0-rc.1"]  # no retired
    assert moves["bindings"]["kafka"]["topic"] == "opa.moves.topic"  # a draft does not win
    messages = document["components"]["messages"]
    assert messages["moves.topic-1.1.0"]["deprecated"] is True
    assert messages["moves.topic-3.0.0-rc.1"]["tags"] == [{"name": "draft"}]
    ids = [i for i in document["operations"] if i.startswith("opa-ANY_receive_weird")]
    assert ids == ["opa-ANY_receive_weird_x_chan", "opa-ANY_receive_weird_x_chan_2"]
    notes = messages["dialects.recursive-1.0.0"]["x-opa-contracts"]["notes"]
    assert any("unevaluatedProperties" in n for n in notes)


def test_output_is_deterministic_and_check_is_clean(tmp_path: Path) -> None:
    first = build(target(tmp_path), FIXTURES / "asyncapi-hostile")
    assert build(target(tmp_path), FIXTURES / "asyncapi-hostile") == first
    output.write(first, tmp_path)
    assert output.compare(first, tmp_path).clean
    only_json = build(target(tmp_path, formats=["json"]), CONTRACTS)
    assert sorted(only_json) == [output.MARKER, "asyncapi.json"]
