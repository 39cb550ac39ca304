"""Issue 13 item 6: every output says what the registry declares, and nothing else.

Three small registries (tests/fixtures/transports): Kafka only, Redis only, and both (one channel
on both, one on each alone, with a ``description`` of its own). For each, the AsyncAPI document
has a server per declared transport and puts each channel on its own transports only (the
official parser checks the same documents: ``REGISTRIES`` in test_asyncapi.py); the docs and the
package README never name a transport the registry does not declare.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opa_contracts import loader
from opa_contracts.exitcodes import EXIT_FINDINGS, EXIT_OK
from opa_contracts.generate import asyncapi
from opa_contracts.generate.contracts import collect
from tests.conftest import FIXTURES, run_cli

TRANSPORTS = FIXTURES / "transports"
#: registry -> the transport it does not declare (None: it declares both)
ABSENT = {"kafka-only": "redis", "redis-only": "kafka", "both": None}


def _document(name: str) -> dict[str, object]:
    return asyncapi.build(collect(loader.load(TRANSPORTS / name)), {})


def test_a_kafka_only_registry_has_a_kafka_server_and_topics_as_addresses() -> None:
    document = _document("kafka-only")
    assert list(document["servers"]) == ["kafka"]  # type: ignore[call-overload]
    channels = document["channels"]
    assert isinstance(channels, dict)
    for name, topic in (
        ("meter.readings", "opa.meter.readings"),
        ("meter.totals", "opa.meter.totals"),
    ):
        channel = channels[name]
        assert channel["address"] == topic  # no Redis channel: the topic is the address
        assert channel["servers"] == [{"$ref": "#/servers/kafka"}]
        assert channel["bindings"]["kafka"]["topic"] == topic
        assert channel["x-opa-contracts"] == {"channel": name}  # no redis_channel
    info = document["info"]
    assert isinstance(info, dict)
    assert "2 channels; every channel runs on Kafka." in info["description"]
    assert "Redis" not in str(document)


def test_a_redis_only_registry_has_a_redis_server_and_no_kafka_binding() -> None:
    document = _document("redis-only")
    assert list(document["servers"]) == ["redis"]  # type: ignore[call-overload]
    channels = document["channels"]
    assert isinstance(channels, dict)
    for name in ("meter.readings", "meter.totals"):
        channel = channels[name]
        assert channel["address"] == name
        assert channel["servers"] == [{"$ref": "#/servers/redis"}]
        assert "bindings" not in channel
        assert channel["x-opa-contracts"] == {"channel": name, "redis_channel": name}
    info = document["info"]
    assert isinstance(info, dict)
    assert "2 channels; every channel runs on Redis Pub/Sub." in info["description"]
    assert "kafka" not in str(document).lower()


def test_each_channel_of_a_mixed_registry_is_on_its_own_transports() -> None:
    document = _document("both")
    assert list(document["servers"]) == ["redis", "kafka"]  # type: ignore[call-overload]
    channels = document["channels"]
    assert isinstance(channels, dict)
    on = {name: [s["$ref"] for s in c["servers"]] for name, c in channels.items()}
    assert on == {
        "meter.alarms": ["#/servers/kafka"],
        "meter.readings": ["#/servers/redis", "#/servers/kafka"],
        "meter.totals": ["#/servers/redis"],
    }
    assert channels["meter.alarms"]["address"] == "opa.meter.alarms"
    assert "redis_channel" not in channels["meter.alarms"]["x-opa-contracts"]
    assert "bindings" not in channels["meter.totals"]
    info = document["info"]
    assert isinstance(info, dict)
    story, facts = info["description"].split("\n\n")[1:3]
    assert story == "A second paragraph, to show paragraphs are kept."  # the registry's words
    assert "3 channels: 2 on Redis Pub/Sub, 2 on Kafka (1 on both)." in facts
    story_again = asyncapi.registry_description(info["description"])  # what import reads back
    assert story_again is not None
    assert story_again.startswith("Meter events of the plant.")


def test_the_bundled_registry_keeps_its_story_in_registry_yaml() -> None:
    """The OPA Redis→Kafka narrative is the registry's text, not the tool's."""
    from tests.conftest import CONTRACTS

    document = asyncapi.build(collect(loader.load(CONTRACTS)), {})
    info = document["info"]
    assert isinstance(info, dict)
    assert info["description"].startswith("The event channels of the OPA platform.")
    assert "month of dual-write" in info["description"]
    servers = document["servers"]
    assert isinstance(servers, dict)
    assert [s["description"] for s in servers.values()] == [
        "Redis Pub/Sub: the transport 3 channels declare.",
        "Kafka: the transport 3 channels declare.",
    ]
    assert "Phase 6" not in f"{asyncapi.__doc__}{servers}"


def _texts(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".md", ".html")
    }


@pytest.mark.slow  # the docs of three registries
@pytest.mark.parametrize("name", sorted(ABSENT))
def test_the_docs_name_no_undeclared_transport(tmp_path: Path, name: str) -> None:
    run = run_cli("generate", "docs", "-r", TRANSPORTS / name, "--out", tmp_path)
    assert run.code == EXIT_OK, run.stderr
    texts = _texts(tmp_path)
    assert "html/index.html" in texts
    assert "markdown/README.md" in texts
    absent = ABSENT[name]
    if absent is not None:
        for path, text in texts.items():
            assert absent not in text.lower(), path
    index = texts["markdown/README.md"]
    if name == "both":
        assert "Transports: 2 on Redis Pub/Sub, 2 on Kafka (1 on both)." in index
        assert "Meter events of the plant." in index
        assert "A second paragraph" in index
        assert "A second paragraph" in texts["html/index.html"]
        totals = texts["markdown/channels/meter.totals.md"]
        assert "### Redis Pub/Sub" in totals
        assert "Kafka" not in totals
        assert "### Kafka" in texts["markdown/channels/meter.alarms.md"]
    else:
        label = "Kafka" if absent == "redis" else "Redis Pub/Sub"
        assert f"Transports: 2 on {label}." in index


@pytest.mark.slow  # generates a client package per registry
@pytest.mark.parametrize("name", sorted(ABSENT))
def test_the_package_readme_names_no_undeclared_transport(tmp_path: Path, name: str) -> None:
    run = run_cli("generate", "python", "-r", TRANSPORTS / name, "--out", tmp_path)
    assert run.code == EXIT_OK, run.stderr
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    absent = ABSENT[name]
    if absent is not None:
        assert absent not in readme.lower()
    assert "migration" not in readme.lower()  # no registry here declares migration:
    if name == "both":
        assert "Meter events of the plant." in readme
        assert "DualPublisher(publisher, kafka_publisher)" in readme
        assert "| Redis channel | Kafka topic (key) |" in readme
    if name == "kafka-only":
        assert "`KafkaPublisher` writes to the contract's topic" in readme
    if name == "redis-only":
        assert 'Subscriber("redis://localhost:6379/0", ["meter.readings"]' in readme
        assert "system.health" not in readme  # the registry has no such channel


def test_description_is_read_once_in_settings_and_a_bad_one_is_a_finding(tmp_path: Path) -> None:
    from opa_contracts import settings

    read, problems = settings.from_data({"description": "  One.\n\nTwo.\n"})
    assert (read.description, problems) == ("One.\n\nTwo.", [])
    assert settings.from_data({"description": ["not", "text"]})[0].description == ""
    registry = tmp_path / "registry"
    shutil.copytree(TRANSPORTS / "redis-only", registry)
    (registry / "registry.yaml").write_text(
        "apiVersion: opa-contracts/v1\ndescription: [not, text]\n", encoding="utf-8"
    )
    run = run_cli("validate", registry)
    assert run.code == EXIT_FINDINGS
    assert (
        'registry.yaml:2:14: error registry-config: /description: ["not","text"] is not of type'
        in run.stdout
    )
    # the generators still run, with the neutral text only
    out = tmp_path / "asyncapi"
    assert run_cli("generate", "asyncapi", "-r", registry, "--out", out).code == EXIT_OK
    text = (out / "asyncapi.yaml").read_text(encoding="utf-8")
    assert (
        'description: "The event channels of opa, from its contract registry. 2 channels;' in text
    )


@pytest.mark.slow  # generate, import, generate for three registries
@pytest.mark.parametrize("name", sorted(ABSENT))
def test_each_registry_round_trips_through_import(tmp_path: Path, name: str) -> None:
    """generate asyncapi → import asyncapi → generate asyncapi is a fixed point: the transports
    come back as declared, and the description into registry.yaml."""
    first, second, registry = tmp_path / "first", tmp_path / "second", tmp_path / "imported"
    assert run_cli("generate", "asyncapi", "-r", TRANSPORTS / name, "--out", first).code == EXIT_OK
    run = run_cli("import", "asyncapi", first / "asyncapi.yaml", "--out", registry)
    assert run.code == EXIT_OK, run.stdout
    assert run_cli("generate", "asyncapi", "-r", registry, "--out", second).code == EXIT_OK
    assert (second / "asyncapi.yaml").read_bytes() == (first / "asyncapi.yaml").read_bytes()
    settings = (registry / "registry.yaml").read_text(encoding="utf-8")
    assert ("Meter events of the plant." in settings) is (name == "both")
    absent = ABSENT[name]
    for manifest in registry.glob("*/1.0.0.yaml"):
        text = manifest.read_text(encoding="utf-8")
        assert absent is None or f"  {absent}:" not in text, manifest
