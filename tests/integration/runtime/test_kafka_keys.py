"""Kafka keys with a schema of their own through the generated runtime, on the real Kafka-protocol
broker (the kafka-keys registry's package, ``key_events``): ``publish(message, key=...)`` checks
and encodes the key (raw UTF-8 for a string key, compact JSON otherwise), a bad key is a
``ContractError`` and nothing is sent, and the consumer dead-letters a record whose key breaks
the key schema like one whose payload does."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from tests.conftest import FIXTURES
from tests.generate.helpers import generate_cli, imported, manifests
from tests.integration.runtime.test_kafka import _records
from tests.servers import EVENT_DEADLINE, KafkaBroker

pytestmark = pytest.mark.slow

KEYS = FIXTURES / "kafka-keys"
MODULE = "key_events"
OFFSETS, BALANCES = "commit.offsets", "account.balances"
EXAMPLES = {m["channel"]: m["examples"][0] for m in manifests(KEYS)}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated package with its runtime imported."""
    folder = tmp_path_factory.mktemp("kafka-keys-runtime")
    target = folder / "generators" / "keys.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(
        f"target: python\nout: pkg\npackage: key-events\nmodule: {MODULE}\n", encoding="utf-8"
    )
    run = generate_cli("python", "--target", target, "--registry", KEYS, "--out", folder / "pkg")
    assert run.returncode == 0, run.stdout + run.stderr
    with imported(folder / "pkg" / "src", MODULE) as module:
        __import__(f"{MODULE}.runtime")
        yield module


def _message(keys: ModuleType, channel: str) -> Any:
    return keys.decode(channel, json.dumps(EXAMPLES[channel]["payload"]))


def _metrics(keys: ModuleType) -> Any:
    return keys.runtime.Metrics(CollectorRegistry())


def test_the_codec_checks_and_encodes_keys(keys: ModuleType) -> None:
    offsets = keys._codec.codec(OFFSETS)
    assert offsets.encode_key("orders-0") == b"orders-0"
    assert offsets.decode_key(b"orders-0") == "orders-0"
    with pytest.raises(keys.ContractError) as bad:
        offsets.encode_key("Orders")
    assert bad.value.pointer == "key:"
    assert "does not match" in bad.value.message
    balances = keys._codec.codec(BALANCES)
    key = {"account": 7, "currency": "EUR"}
    assert balances.encode_key(key) == b'{"account":7,"currency":"EUR"}'
    assert balances.decode_key(b'{"currency":"EUR","account":7}') == key
    with pytest.raises(keys.ContractError) as wrong:
        balances.decode_key(b'{"account":0,"currency":"EUR"}')
    assert wrong.value.pointer == "key:/account"
    with pytest.raises(keys.ContractError):
        balances.decode_key(None)


def test_publish_takes_checks_and_encodes_the_key(
    keys: ModuleType, kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    prefix = fresh_topic() + "."
    topic = prefix + "opa.commit.offsets"
    kafka_broker.create_topic(topic, partitions=1)
    kafka_broker.create_topic(topic + ".dlq", partitions=1)  # else Tansu makes 4 on first use
    message = _message(keys, OFFSETS)
    runtime = keys.runtime
    metrics = _metrics(keys)
    with runtime.KafkaPublisher(
        kafka_broker.bootstrap, metrics=metrics, topic_prefix=prefix
    ) as publisher:
        delivered = publisher.publish(message, key="orders-0").result(EVENT_DEADLINE)
        for bad in ("Orders", 3):  # breaks the pattern; not a string
            with pytest.raises(keys.ContractError) as refused:
                publisher.publish(message, key=bad)
            assert refused.value.pointer == "key:"
        with pytest.raises(keys.ContractError) as missing:
            publisher.publish(message)  # the key has a schema of its own: it must be given
        assert "key=" in missing.value.message
        # bypassing the checks: a valid payload under a key the schema refuses, then a good one
        publisher.producer.produce(topic, keys.encode(message), b"Orders-0")
        publisher.publish(message, key="orders-1").result(EVENT_DEADLINE)
    assert delivered.key == b"orders-0"
    records = _records(kafka_broker, topic, 1, 3)
    assert [r.key() for r in records] == [b"orders-0", b"Orders-0", b"orders-1"]
    subscriber = runtime.KafkaSubscriber(
        kafka_broker.bootstrap,
        [OFFSETS],
        group_id="keys-test",
        assign=True,
        metrics=_metrics(keys),
        topic_prefix=prefix,
    )
    try:
        got = [subscriber.receive(EVENT_DEADLINE) for _ in range(2)]
    finally:
        subscriber.close()
    assert [(g.key, g.offset) for g in got if g is not None] == [(b"orders-0", 0), (b"orders-1", 2)]
    [letter] = _records(kafka_broker, topic + ".dlq", 1, 1)
    assert letter.key() == b"Orders-0"
    headers = dict(letter.headers())
    assert headers["pointer"] == b"key:"
    assert b"does not match" in headers["error"]


def test_a_json_key_travels_as_compact_json(
    keys: ModuleType, kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    prefix = fresh_topic() + "."
    topic = prefix + "opa.account.balances"
    kafka_broker.create_topic(topic, partitions=1)
    key = EXAMPLES[BALANCES]["key"]
    with keys.runtime.KafkaPublisher(
        kafka_broker.bootstrap, metrics=_metrics(keys), topic_prefix=prefix
    ) as publisher:
        delivered = publisher.publish(_message(keys, BALANCES), key=key).result(EVENT_DEADLINE)
    assert delivered.key == b'{"account":7,"currency":"EUR"}'
    [record] = _records(kafka_broker, topic, 1, 1)
    assert json.loads(record.key()) == key


def test_the_dual_publisher_takes_the_key_too(
    keys: ModuleType, redis_url: str, kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    prefix = fresh_topic() + "."
    topic = prefix + "opa.commit.offsets"
    kafka_broker.create_topic(topic, partitions=1)
    runtime = keys.runtime
    message = _message(keys, OFFSETS)
    kafka = runtime.KafkaPublisher(
        kafka_broker.bootstrap, metrics=_metrics(keys), topic_prefix=prefix
    )
    with runtime.DualPublisher(runtime.Publisher(redis_url, metrics=_metrics(keys)), kafka) as dual:
        with pytest.raises(keys.ContractError):
            dual.publish(message)  # the key has a schema of its own: it must be given
        result = dual.publish(message, key="orders-7").wait(EVENT_DEADLINE)
    assert result.redis.ok
    assert result.kafka.ok
    [record] = _records(kafka_broker, topic, 1, 1)
    assert record.key() == b"orders-7"


def test_the_package_on_disk_is_the_one_imported(keys: ModuleType) -> None:
    assert Path(str(keys.__file__)).parent.name == MODULE
