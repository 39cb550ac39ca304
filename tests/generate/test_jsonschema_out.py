"""``generate jsonschema``: standalone files that are valid schemas, carry a stable ``$id``, need no
other file, and accept and reject exactly what each manifest's examples say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from opa_contracts import dialects, loader
from opa_contracts.generate import output
from opa_contracts.generate.contracts import collect
from opa_contracts.generate.run import build
from opa_contracts.generate.targets import Target
from opa_contracts.schemawalk import walk
from tests.conftest import CONTRACTS, FIXTURES, ROOT

REGISTRIES = [CONTRACTS, FIXTURES / "hostile", FIXTURES / "asyncapi-hostile"]
BASE = "https://schemas.example.test/opa/"


def generate(registry: Path, out: Path, **options: Any) -> Path:
    target = Target("jsonschema", "jsonschema", out, ROOT, {"options": options})
    output.write(build(target, registry), out)
    return out


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda p: p.name)
def test_every_version_is_a_valid_standalone_schema(registry: Path, tmp_path: Path) -> None:
    out = generate(registry, tmp_path, id_base=BASE.rstrip("/"))
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["version"] == 1
    assert index["id_base"] == BASE
    sources = collect(loader.load(registry))
    expected = [(v.channel, v.version) for c in sources.channels for v in c.versions]
    assert [(e["channel"], e["version"]) for e in index["schemas"]] == expected
    for channel in sources.channels:
        defaults = [e for e in index["schemas"] if e["channel"] == channel.name and e["default"]]
        assert [e["version"] for e in defaults] == [channel.latest.version]
    for entry, contract in zip(
        index["schemas"], [v for c in sources.channels for v in c.versions], strict=True
    ):
        path = out / entry["path"]
        assert entry["path"] == f"{contract.channel}/{contract.version}.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        dialect = dialects.identify(schema)
        assert isinstance(dialect, dialects.Dialect)
        assert dialect.name == entry["dialect"]
        id_keyword = "id" if dialect.name == "draft-04" else "$id"
        assert schema[id_keyword] == entry["$id"] == BASE + quote(entry["path"], safe="/")
        assert dialects.meta_validator(dialect.name).is_valid(schema), entry["path"]
        for _pointer, node in walk(schema):  # every cross-file $ref was inlined
            ref = node.get("$ref")
            assert not isinstance(ref, str) or ref.startswith("#"), (entry["path"], ref)
        validator = dialects.compile_schema(schema, dialect)  # no retriever: no other file
        for example in contract.examples:
            assert validator.is_valid(example.payload), (entry["path"], example.name)
        for example in contract.invalid_examples:
            assert not validator.is_valid(example.payload), (entry["path"], example.name)


def test_schema_without_dialect_gets_draft_07_written_out(tmp_path: Path) -> None:
    registry = tmp_path / "contracts"
    (registry / "a.b").mkdir(parents=True)
    (registry / "a.b" / "1.0.0.yaml").write_text(
        "apiVersion: opa-contracts/v1\nchannel: a.b\nversion: 1.0.0\nstatus: active\n"
        "summary: s\npublisher: opa-x\nschema: {type: object, $id: 'http://old/id.json'}\n"
    )
    out = generate(registry, tmp_path / "out")
    schema = json.loads((out / "a.b" / "1.0.0.schema.json").read_text())
    assert schema == {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://schemas.opa.example/a.b/1.0.0.schema.json",
        "type": "object",
    }
