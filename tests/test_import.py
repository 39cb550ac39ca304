"""``opa-contracts import``: AsyncAPI 2.6/3.0 documents and JSON Schema folders become registries
that ``validate`` accepts, with every fact of the source kept or named by a finding; bad sources
are one clear finding and exit 3; existing files are never replaced without ``--force``, the
source never. Everything runs through the installed CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from opa_contracts import yamlsource
from opa_contracts.exitcodes import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE
from tests.conftest import CONTRACTS, FIXTURES, run_cli
from tests.generate.test_asyncapi import ALLOWED_INFOS, parse

IMPORT = FIXTURES / "import"
SHOP = IMPORT / "shop-3.0.yaml"
REFS = IMPORT / "refs-3.0.yaml"
ALERTS = IMPORT / "alerts-2.6.yaml"


def load(path: Path) -> Any:
    document = yamlsource.parse(path, path.read_text(encoding="utf-8"))
    assert isinstance(document, yamlsource.Document), document
    return document.data


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def findings(*args: str | Path) -> tuple[int, list[dict[str, Any]]]:
    run = run_cli("import", *args, "--format", "json")
    assert run.stderr == "", run.stderr
    report = json.loads(run.stdout)
    assert report["command"] == "import"
    return run.code, report["findings"]


def lost(found: list[dict[str, Any]]) -> list[str]:
    return [f["message"] for f in found if f["rule"] == "import-fact-lost"]


@pytest.mark.slow  # imports, then validates or generates
def test_generated_asyncapi_imports_to_a_registry_that_generates_it_again(tmp_path: Path) -> None:
    """The fixed point: generate → import → generate gives the same bytes (YAML and JSON).

    Byte-identical, not only equal as data: the generator writes deterministic bytes from data,
    so equal data gives equal bytes, and bytes are the stricter check."""
    first, second, registry = tmp_path / "first", tmp_path / "second", tmp_path / "imported"
    assert run_cli("generate", "asyncapi", "-r", CONTRACTS, "--out", first).code == EXIT_OK
    code, found = findings("asyncapi", first / "asyncapi.yaml", "--out", registry)
    assert code == EXIT_OK
    assert found == []  # nothing of the generated document is lost
    assert files(registry) == [
        "capacity.scores/1.0.0.yaml",
        "quotes.realtime/1.0.0.yaml",
        "registry.yaml",
        "system.health/1.0.0.yaml",
    ]
    assert run_cli("validate", registry).code == EXIT_OK
    story = load(CONTRACTS / "registry.yaml")["description"].strip()
    assert load(registry / "registry.yaml")["description"] == story  # the narrative came back
    assert run_cli("generate", "asyncapi", "-r", registry, "--out", second).code == EXIT_OK
    for name in ("asyncapi.yaml", "asyncapi.json"):
        assert (second / name).read_bytes() == (first / name).read_bytes(), name
    # the JSON form is a source too, and gives the same registry
    again = tmp_path / "from-json"
    assert run_cli("import", "asyncapi", first / "asyncapi.json", "--out", again).code == EXIT_OK
    for rel in files(registry):
        assert load(again / rel) == load(registry / rel), rel


def _without(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return {k: _without(v, key) for k, v in node.items() if k != key}
    if isinstance(node, list):
        return [_without(v, key) for v in node]
    return node


@pytest.mark.slow
def test_a_hostile_registry_round_trips_but_for_what_the_document_cannot_hold(
    tmp_path: Path,
) -> None:
    """Hostile names, texts and schemas of every dialect: the regenerated document equals the
    first one but for the two documented differences. Schemas in another dialect come back as
    the draft-07 form the document holds (a note each), and ``info.version`` of a registry with
    drafts is derived from a digest of the files, which differ."""
    first, second, registry = tmp_path / "first", tmp_path / "second", tmp_path / "imported"
    hostile = FIXTURES / "hostile"
    assert run_cli("generate", "asyncapi", "-r", hostile, "--out", first).code == EXIT_OK
    code, found = findings("asyncapi", first / "asyncapi.json", "--out", registry)
    assert code == EXIT_OK
    assert lost(found) == []
    assert run_cli("generate", "asyncapi", "-r", registry, "--out", second).code == EXIT_OK
    before, after = load(first / "asyncapi.yaml"), load(second / "asyncapi.yaml")
    dialects = [
        (name, message["x-opa-contracts"]["dialect"])
        for name, message in before["components"]["messages"].items()
        if message["x-opa-contracts"]["dialect"] != "draft-07"
    ]
    assert dialects  # the fixture has schemas of other dialects
    notes = [f for f in found if "the document holds it converted to draft-07" in f["message"]]
    assert len(notes) == len(dialects)
    assert after["info"]["version"].split("+")[0] == before["info"]["version"].split("+")[0]
    for document in (before, after):
        del document["info"]["version"]
    assert _without(after, "dialect") == _without(before, "dialect")


@pytest.mark.slow  # imports, then validates or generates
def test_a_kafka_only_3_0_document_keeps_every_fact_or_names_it(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    code, found = findings("asyncapi", SHOP, "--out", out)
    assert code == EXIT_OK
    assert files(out) == [
        "_schemas/Money.yaml",
        "_schemas/OrderId.yaml",
        "registry.yaml",
        "shop.orders/2.1.0.yaml",
        "shop.payments/2.1.0.yaml",
        "shop.refunds/2.1.0.yaml",
    ]
    registry = load(out / "registry.yaml")
    assert registry["name"] == "Shop events"
    assert registry["description"] == load(SHOP)["info"]["description"].strip()  # the narrative
    assert registry["naming"]["kafka_topic"] == "{channel}"  # topics are the channel names
    orders = load(out / "shop.orders/2.1.0.yaml")
    assert orders["summary"] == "Order lifecycle events"
    assert orders["publisher"] == "shop-events"  # the application info.title names
    assert "redis" not in orders["transports"]
    assert orders["transports"]["kafka"] == {
        "topic": "shop.orders",
        "partitions": 12,
        "replication_factor": 3,
        "cleanup_policy": "delete",
        "retention": "14d",
        "config": {"max.message.bytes": 1048576},  # a topic config the manifest carries
    }
    # two messages on one channel: the anyOf of their payloads, each named and described
    branches = orders["schema"]["anyOf"]
    assert [b["title"] for b in branches] == ["orderCreated", "orderCancelled"]
    assert branches[0]["description"] == "A customer placed an order."
    assert branches[0]["properties"]["total"] == {"$ref": "../_schemas/Money.yaml"}
    assert branches[1]["properties"]["order_id"] == {"$ref": "../_schemas/OrderId.yaml"}
    assert [e["name"] for e in orders["examples"]] == [
        "orderCreated-two-books",
        "orderCancelled-changed-mind",
    ]
    # shared by three channels: one file each, refs inside them re-pointed
    assert load(out / "_schemas/OrderId.yaml")["pattern"] == "^O-[0-9]+$"
    payments = load(out / "shop.payments/2.1.0.yaml")
    assert payments["transports"]["kafka"]["key"] == "payment_id"
    assert payments["transports"]["kafka"]["cleanup_policy"] == "compact"
    assert payments["subscribers"] == ["shop-events"]
    assert payments["publisher"]["name"] == "unknown"
    refunds = load(out / "shop.refunds/2.1.0.yaml")
    assert refunds["schema"]["title"] == "refundPaid"
    assert refunds["examples"][0]["name"] == "small-refund"
    messages = lost(found)
    for fact in (
        "server 'production' host 'kafka.shop.internal:9092'",
        "server 'production' security",
        "message correlationId of 'shop.refunds'",
        "message headers of 'shop.payments'",
        "operation bindings on 'shop.payments'",
        "components securitySchemes",
        "message title of 'shop.orders'",
        "component message 'OrderShipped', which no channel carries",
    ):
        assert any(m.startswith(fact) for m in messages), (fact, messages)
    assert len(messages) == 9, messages  # the title of both order messages
    changed = [f["message"] for f in found if f["rule"] == "import-fact-changed"]
    assert any("carries 2 messages (orderCreated, orderCancelled)" in m for m in changed)
    lines = {f["line"] for f in found if "correlationId" in f["message"]}
    assert lines == {61}  # where the fact was in the document
    assert run_cli("validate", out).code == EXIT_OK


@pytest.mark.slow  # imports, then validates or generates
def test_references_become_local_definitions_shared_files_or_local_pointers(
    tmp_path: Path,
) -> None:
    out = tmp_path / "refs"
    code, found = findings("asyncapi", REFS, "--out", out)
    assert code == EXIT_OK
    assert lost(found) == []
    assert files(out) == [
        "_schemas/Tag.yaml",  # two channels reach it
        "a.events/1.0.0.yaml",
        "b.events/1.0.0.yaml",
        "registry.yaml",
        "tree.nodes/1.0.0.yaml",
    ]
    # a payload that is a component of its own: the component, its recursion a local "#"
    nodes = load(out / "tree.nodes/1.0.0.yaml")["schema"]
    assert nodes["properties"]["children"]["items"] == {"$ref": "#"}
    a = load(out / "a.events/1.0.0.yaml")["schema"]
    assert a["properties"]["meta"] == {"$ref": "#/definitions/Meta"}  # one channel: local
    assert a["definitions"]["Meta"]["description"] == "Where the event comes from."
    assert a["properties"]["tag"] == {"$ref": "../_schemas/Tag.yaml"}
    assert load(out / "_schemas/Tag.yaml")["properties"]["parent"] == {"$ref": "#"}
    b = load(out / "b.events/1.0.0.yaml")["schema"]
    assert b["properties"]["id"] == {"$ref": "#/definitions/id"}  # into another payload: a copy
    assert b["definitions"]["id"]["pattern"] == "^a-[0-9]+$"
    assert run_cli("validate", out).code == EXIT_OK  # every example validates through the refs


@pytest.mark.slow
@pytest.mark.parametrize("source", [SHOP, REFS], ids=["shop", "refs"])
def test_the_asyncapi_regenerated_from_an_import_passes_the_official_parser(
    tmp_path: Path, source: Path
) -> None:
    assert run_cli("import", "asyncapi", source, "--out", tmp_path / "registry").code == EXIT_OK
    out = tmp_path / "asyncapi"
    generated = run_cli("generate", "asyncapi", "-r", tmp_path / "registry", "--out", out)
    assert generated.code == EXIT_OK, generated.stdout
    document = load(out / "asyncapi.yaml")
    if source == SHOP:
        assert sorted(document["channels"]) == ["shop.orders", "shop.payments", "shop.refunds"]
        assert document["channels"]["shop.orders"]["bindings"]["kafka"]["partitions"] == 12
    for name in ("asyncapi.yaml", "asyncapi.json"):
        _, report = parse(out / name)
        assert report["errors"] == [], report["errors"]
        assert report["warnings"] == [], report["warnings"]
        assert {d["code"] for d in report["infos"] + report["hints"]} <= ALLOWED_INFOS
    # the hand-written source itself is valid AsyncAPI: what the import read is what it meant
    _, report = parse(source)
    assert report["errors"] == []


@pytest.mark.slow  # imports, then validates or generates
def test_a_2_6_document_maps_publish_and_subscribe_as_2_6_defines_them(tmp_path: Path) -> None:
    out = tmp_path / "alerts"
    code, found = findings("asyncapi", ALERTS, "--out", out)
    assert code == EXIT_OK
    assert files(out) == [
        "alerts.raised/1.2.0.yaml",
        "quotes.realtime/1.2.0.yaml",
        "registry.yaml",
        "user.userId.alerts/1.2.0.yaml",
    ]
    alerts = load(out / "alerts.raised/1.2.0.yaml")
    assert alerts["publisher"] == "opa-alerting"  # subscribe: the application sends
    assert alerts["transports"] == {  # no servers listed: on both
        "redis": {"channel": "alerts.raised"},
        "kafka": {"topic": "alerts.raised", "partitions": 3, "retention": "1d"},
    }
    assert alerts["examples"] == [
        {"name": "aapl", "payload": {"alert_id": "a-1", "ticker": "AAPL"}}
    ]
    quotes = load(out / "quotes.realtime/1.2.0.yaml")
    assert quotes["subscribers"] == ["opa-alerting"]  # publish: the application receives
    assert quotes["schema"]["title"] == "quote"  # the Avro message is not imported...
    messages = lost(found)
    assert any("'quoteAvro'" in m and "vnd.apache.avro" in m for m in messages)  # ...and said
    assert any(m.startswith("channel 'user.userId.alerts' parameters") for m in messages)
    assert quotes["transports"] == {"redis": {"channel": "quotes.realtime"}}  # servers: [cache]
    user = load(out / "user.userId.alerts/1.2.0.yaml")
    assert user["transports"] == {
        "redis": {"channel": "user/{userId}/alerts"},
        "kafka": {"topic": "user.userId.alerts"},  # an address that cannot be a topic name
    }
    assert load(out / "registry.yaml")["naming"]["kafka_topic"] == "{channel}"
    changed = [f["message"] for f in found if f["rule"] == "import-fact-changed"]
    assert any("traits" in m for m in changed)
    assert any("is named 'user.userId.alerts'" in m for m in changed)
    assert any(
        "kafka topic 'user/{userId}/alerts' is written 'user.userId.alerts'" in m for m in changed
    )
    assert run_cli("validate", out).code == EXIT_OK


@pytest.mark.slow  # imports, then validates or generates
def test_a_json_schema_folder_and_its_mapping(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    code, found = findings(
        "jsonschema", IMPORT / "schemas", "--mapping", IMPORT / "shop-mapping.yaml", "--out", out
    )
    assert code == EXIT_OK
    assert files(out) == [
        "_schemas/common/money.yaml",
        "registry.yaml",
        "shop.orders_cancelled/1.1.0.yaml",
        "shop.orders_created/1.0.0.yaml",
    ]
    created = load(out / "shop.orders_created/1.0.0.yaml")
    assert created["summary"] == "An order was placed"  # the schema's title
    assert created["description"] == "Published when a customer places an order."
    assert created["owner"] == "Shop team"  # from defaults
    assert created["transports"]["kafka"]["key"] == "order_id"
    assert created["schema"]["properties"]["total"]["$ref"] == "../_schemas/common/money.yaml"
    assert created["examples"][0]["name"] == "schema-example-1"
    cancelled = load(out / "shop.orders_cancelled/1.1.0.yaml")
    refs = {k: v["$ref"] for k, v in cancelled["schema"]["properties"].items()}
    assert refs == {
        "order_id": "../shop.orders_created/1.0.0.yaml#/properties/order_id",
        "refund": "../_schemas/common/money.yaml",  # by $id, never fetched
    }
    assert {f["rule"] for f in found} == {"import-fact-changed"}  # the dropped $ids
    assert load(out / "registry.yaml")["name"] == "Shop events"
    assert run_cli("validate", out).code == EXIT_OK


BAD_DOCUMENTS = {
    "not-yaml": ("asyncapi: 3.0.0\ninfo: {title: x, version: 1.0.0\n", 2, "not closed"),
    "not-asyncapi": ("openapi: 3.0.0\ninfo: {title: x}\n", 1, "not an AsyncAPI document"),
    "old-version": ("asyncapi: 2.0.0\n", 1, "AsyncAPI 2.0.0 is not supported"),
    "remote-ref": (
        "asyncapi: 3.0.0\ninfo: {title: x, version: 1.0.0}\nchannels:\n  a:\n    messages:\n"
        "      m: {payload: {$ref: 'https://example.com/s.json'}}\n",
        6,
        "it is never fetched",
    ),
    "dangling-ref": (
        "asyncapi: 3.0.0\ninfo: {title: x, version: 1.0.0}\nchannels:\n  a:\n    messages:\n"
        "      m: {$ref: '#/components/messages/nowhere'}\n",
        6,
        "names nothing in the document",
    ),
    "alias-bomb": (
        "asyncapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdef", "bcdefg", strict=True)
        ),
        1,
        "yaml-too-large",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_a_bad_document_is_one_finding_with_its_line_and_exit_3(tmp_path: Path, name: str) -> None:
    text, line, words = BAD_DOCUMENTS[name]
    source = tmp_path / f"{name}.yaml"
    source.write_text(text, encoding="utf-8")
    run = run_cli("import", "asyncapi", source, "--out", tmp_path / "out")
    assert run.code == EXIT_INPUT
    assert "Traceback" not in run.stdout + run.stderr
    first = run.stdout.splitlines()[0]
    assert first.startswith(f"{source}:{line}:"), run.stdout
    assert "error import-source-invalid" in first, first
    assert words in first, first
    assert len(run.stdout.splitlines()) == 2  # the finding and the summary
    assert not (tmp_path / "out").exists()


def test_a_missing_source_is_exit_3(tmp_path: Path) -> None:
    run = run_cli("import", "asyncapi", tmp_path / "nowhere.yaml", "--out", tmp_path / "out")
    assert run.code == EXIT_INPUT
    assert "cannot be read" in run.stdout


BAD_MAPPINGS = {
    "unknown-key": ("channel: [x]\nchannels: []\n", "unknown key 'channel'"),
    "no-schema-file": (
        "channels:\n  - {schema: nope.json, channel: a.b, publisher: opa-x}\n",
        "'nope.json' names no file",
    ),
    "outside": (
        "channels:\n  - {schema: ../shop-3.0.yaml, channel: a.b, publisher: opa-x}\n",
        "is outside",
    ),
    "bad-field": (
        "channels:\n  - {schema: orders/created.json, channel: a.b, publisher: opa-x, "
        "status: live}\n",
        "channel entry 0: /status",
    ),
    "channel-leaves-the-folder": (
        "channels:\n  - {schema: orders/created.json, channel: ../../evil, publisher: opa-x}\n",
        "'../../evil' cannot be a folder name",
    ),
    "no-publisher": (
        "channels:\n  - {schema: orders/created.json, channel: a.b}\n",
        "channel entry 0: missing 'publisher' or 'publishers'; write exactly one of them",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_MAPPINGS))
def test_a_bad_mapping_is_named_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    text, words = BAD_MAPPINGS[name]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    run = run_cli(
        "import", "jsonschema", IMPORT / "schemas", "--mapping", mapping, "--out", tmp_path / "o"
    )
    assert run.code == EXIT_INPUT, run.stdout + run.stderr
    assert "error import-source-invalid" in run.stdout, run.stdout
    assert words in run.stdout, run.stdout
    assert "import-fact" not in run.stdout  # the reasons nothing was written, only
    assert not (tmp_path / "o").exists()


def test_a_schema_file_referring_to_the_network_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "a.json").write_text(
        '{"type": "object",\n "properties": {"x": {"$ref": "https://example.com/x.json"}}}\n',
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("channels:\n  - {schema: a.json, channel: a.b, publisher: opa-a}\n")
    run = run_cli("import", "jsonschema", folder, "--mapping", mapping, "--out", tmp_path / "o")
    assert run.code == EXIT_INPUT
    assert run.stdout.startswith(f"{folder / 'a.json'}:2:"), run.stdout
    assert "is a URL that is no file's $id; it is never fetched" in run.stdout
    assert not (tmp_path / "o").exists()


@pytest.mark.slow  # imports, then validates or generates
def test_existing_files_are_replaced_only_with_force_and_the_source_never(
    tmp_path: Path,
) -> None:
    out = tmp_path / "shop"
    assert run_cli("import", "asyncapi", SHOP, "--out", out).code == EXIT_OK
    manifest = out / "shop.orders/2.1.0.yaml"
    manifest.write_text("edited by hand\n", encoding="utf-8")
    run = run_cli("import", "asyncapi", SHOP, "--out", out)
    assert run.code == EXIT_USAGE
    assert "error import-output-refused" in run.stdout
    assert "exists" in run.stdout
    assert manifest.read_text(encoding="utf-8") == "edited by hand\n"
    assert run_cli("import", "asyncapi", SHOP, "--out", out, "--force").code == EXIT_OK
    assert load(manifest)["channel"] == "shop.orders"
    # a source that is one of the files the import would write: refused even with --force
    source = out / "registry.yaml"
    shutil.copy(SHOP, source)
    before = source.read_bytes()
    run = run_cli("import", "asyncapi", source, "--out", out, "--force")
    assert run.code == EXIT_USAGE
    assert "is a file of the source" in run.stdout
    assert source.read_bytes() == before


def test_fail_on_warning_turns_lost_facts_into_exit_1(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    run = run_cli("import", "asyncapi", SHOP, "--out", out, "--fail-on", "warning")
    assert run.code == EXIT_FINDINGS
    assert (out / "registry.yaml").is_file()  # written all the same: the findings are advice
    assert "import: 3 manifests written to" in run.stdout.splitlines()[-1]


def test_a_file_that_cannot_be_written_is_named_with_the_reason_and_exit_3(
    tmp_path: Path,
) -> None:
    out = tmp_path / "shop"
    run = run_cli("import", "asyncapi", SHOP, "--out", out, file_size_limit=200)
    assert run.code == EXIT_INPUT
    assert run.stderr.startswith(f"opa-contracts: cannot write {out}/"), run.stderr
    assert "Traceback" not in run.stderr
    # each file is whole or absent: no manifest cut short, no temporary file left
    assert [p.name for p in out.rglob(".*.tmp")] == []
    for path in out.rglob("*.yaml"):
        load(path)


@pytest.mark.slow
def test_a_web_of_shared_components_is_imported_within_cpu_and_memory(tmp_path: Path) -> None:
    """300 channels that all reach a chain of 300 components each referring to the next two:
    every component is written once, as a shared file, by a run under 1 GiB and 60 s of CPU."""
    from tests.test_bounded_work import run_limited

    size = 300
    schemas = {
        f"C{i}": {
            "type": "object",
            "description": f"Link {i}.",
            "properties": {
                f"to{j}": {"$ref": f"#/components/schemas/C{j}"} for j in (i + 1, i + 2) if j < size
            },
        }
        for i in range(size)
    }
    channels = {
        f"c{i}": {
            "address": f"web.c{i}",
            "messages": {"m": {"payload": {"$ref": "#/components/schemas/C0"}}},
        }
        for i in range(size)
    }
    document = {
        "asyncapi": "3.0.0",
        "info": {"title": "opa-web", "version": "1.0.0"},
        "channels": channels,
        "components": {"schemas": schemas},
    }
    source = tmp_path / "web.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    run = run_limited("import", "asyncapi", source, "--out", tmp_path / "web")
    assert run.code == EXIT_OK, run.stdout[-2000:] + run.stderr
    written = files(tmp_path / "web")
    assert len([f for f in written if f.startswith("_schemas/")]) == size
    assert len([f for f in written if f.endswith("/1.0.0.yaml")]) == size
    assert load(tmp_path / "web/_schemas/C0.yaml")["properties"]["to1"] == {"$ref": "C1.yaml"}


@pytest.mark.slow
def test_a_long_chain_of_schema_files_is_imported_within_cpu_and_memory(tmp_path: Path) -> None:
    from tests.test_bounded_work import run_limited

    folder, size = tmp_path / "schemas", 2000
    folder.mkdir()
    for i in range(size):
        link = {"$ref": f"s{i + 1}.json"} if i + 1 < size else {"type": "string"}
        schema = {"type": "object", "properties": {"next": {**link, "description": "Next."}}}
        (folder / f"s{i}.json").write_text(json.dumps(schema), encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("channels:\n  - {schema: s0.json, channel: chain.head, publisher: opa-a}\n")
    out = tmp_path / "chain"
    run = run_limited("import", "jsonschema", folder, "--mapping", mapping, "--out", out)
    assert run.code == EXIT_OK, run.stdout[-2000:] + run.stderr
    assert len(list((out / "_schemas").iterdir())) == size - 1
    assert load(out / "_schemas/s1.yaml")["properties"]["next"]["$ref"] == "s2.yaml"


def test_a_content_type_is_the_manifest_encoding_where_the_format_has_one(tmp_path: Path) -> None:
    """msgpack payloads: ``encoding: msgpack`` when the manifest format declares encodings, else
    a lost fact; a ``defaultContentType`` applies to every message that names none."""
    from opa_contracts import formats

    source = tmp_path / "packed.yaml"
    source.write_text(
        "asyncapi: 3.0.0\ninfo: {title: opa-packed, version: 1.0.0}\n"
        "defaultContentType: application/msgpack\n"
        "channels:\n  packed.events:\n    messages:\n"
        "      m: {payload: {type: object}}\n"
        "      n: {contentType: application/json, payload: {type: object}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "packed"
    code, found = findings("asyncapi", source, "--out", out)
    assert code == EXIT_OK
    manifest = load(out / "packed.events/1.0.0.yaml")
    encodings = formats.load("manifest-v1.schema.json")["properties"].get("encoding", {})
    if "msgpack" in encodings.get("enum", []):
        assert manifest["encoding"] == "msgpack"
        assert lost(found) == [
            "message content type 'application/json' of 'packed.events': the registry has no "
            "place for it"  # one channel version, one encoding: the first message's
        ]
    else:
        assert "encoding" not in manifest
        assert sorted(lost(found)) == [
            "defaultContentType 'application/msgpack': the registry has no place for it"
        ]
