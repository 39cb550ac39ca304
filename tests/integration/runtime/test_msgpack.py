"""A msgpack channel through the generated runtime: bytes on the wire, on real Redis Pub/Sub and
on the real Kafka-protocol broker (the encodings registry's package, ``enc_events``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgpack
import pytest
from prometheus_client import CollectorRegistry

from tests.generate.helpers import ENCODINGS, ENCODINGS_MODULE, build_encodings, imported, manifests
from tests.integration.runtime.test_kafka import _records
from tests.servers import EVENT_DEADLINE, KafkaBroker

pytestmark = pytest.mark.slow

CHUNKS = "files.chunks"
TOPIC = "opa.files.chunks"
[PAYLOAD] = [m["examples"][0]["payload"] for m in manifests(ENCODINGS) if m["channel"] == CHUNKS]


@pytest.fixture(scope="module")
def enc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated package with its runtime imported."""
    src = build_encodings(tmp_path_factory.mktemp("encodings-runtime")) / "src"
    with imported(src, ENCODINGS_MODULE) as module:
        __import__(f"{ENCODINGS_MODULE}.runtime")
        yield module


@pytest.fixture
def chunk(enc: ModuleType) -> Any:
    """The manifest's first files.chunks example, decoded from its JSON form."""
    return enc.decode(CHUNKS, json.dumps(PAYLOAD), encoding="json")


def _metrics(enc: ModuleType) -> Any:
    return enc.runtime.Metrics(CollectorRegistry())


def test_redis_publishes_and_subscribes_msgpack(
    enc: ModuleType, chunk: Any, redis_url: str
) -> None:
    letters: list[Any] = []
    runtime = enc.runtime
    subscriber = runtime.Subscriber(
        redis_url, [CHUNKS], metrics=_metrics(enc), dead_letters=letters.append
    )
    try:
        with runtime.Publisher(redis_url, metrics=_metrics(enc)) as publisher:
            deadline = time.monotonic() + EVENT_DEADLINE  # until the subscription is live
            while publisher.publish(chunk) == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            received = subscriber.receive(EVENT_DEADLINE)
            # not msgpack, then a JSON text where msgpack is declared: dead letters, not messages
            publisher.client.publish(CHUNKS, b"\xc1")
            publisher.client.publish(CHUNKS, json.dumps(PAYLOAD).encode())
            assert publisher.publish(chunk) >= 1
            after = subscriber.receive(EVENT_DEADLINE)
    finally:
        subscriber.close()
    assert received is not None
    assert after is not None
    assert received.model == chunk == after.model
    assert received.raw == enc.encode(chunk)
    assert msgpack.unpackb(received.raw)["data"] == bytes.fromhex("deadbeef00010203ff")
    assert isinstance(received.model.data, bytes)
    assert [(d.payload, d.channel) for d in letters][-2:] == [
        (b"\xc1", CHUNKS),
        (json.dumps(PAYLOAD).encode(), CHUNKS),
    ]


def test_kafka_publishes_and_subscribes_msgpack(
    enc: ModuleType, chunk: Any, kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    prefix = fresh_topic() + "."
    topic = prefix + TOPIC
    kafka_broker.create_topic(topic, partitions=1)
    kafka_broker.create_topic(topic + ".dlq", partitions=1)  # else Tansu makes 4 on first use
    runtime = enc.runtime
    with runtime.KafkaPublisher(
        kafka_broker.bootstrap, metrics=_metrics(enc), topic_prefix=prefix
    ) as publisher:
        delivered = publisher.publish(chunk).result(EVENT_DEADLINE)
        publisher.producer.produce(topic, b"\x93\x01", b"k")  # truncated msgpack: bypass checks
        publisher.publish(chunk).result(EVENT_DEADLINE)
    assert delivered.key == b"f-0000002a"  # the manifest's key field, from the JSON view
    [record, *_rest] = _records(kafka_broker, topic, 1, 3)
    assert record.value() == enc.encode(chunk)
    assert msgpack.unpackb(record.value())["checksum"] == bytes.fromhex(
        "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    )
    subscriber = runtime.KafkaSubscriber(
        kafka_broker.bootstrap,
        [CHUNKS],
        group_id="msgpack-test",
        assign=True,
        metrics=_metrics(enc),
        topic_prefix=prefix,
    )
    try:
        got = [subscriber.receive(EVENT_DEADLINE) for _ in range(2)]
    finally:
        subscriber.close()
    assert [g.model for g in got if g is not None] == [chunk, chunk]
    assert [g.offset for g in got if g is not None] == [0, 2]  # offset 1 went to the dead letters
    [letter] = _records(kafka_broker, topic + ".dlq", 1, 1)
    assert letter.value() == b"\x93\x01"
    assert b"not msgpack" in dict(letter.headers())["error"]


def test_the_package_on_disk_is_the_one_imported(enc: ModuleType) -> None:
    assert Path(str(enc.__file__)).parent.name == ENCODINGS_MODULE
