"""A msgpack channel through the generated runtime: bytes on the wire, on real Redis Pub/Sub and
on the real Kafka-protocol broker, for the encodings registry's package (``enc_events``) and for
the wide registry's (``kestrel_events``, issue 13's "Done when")."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import msgpack
import pytest
from prometheus_client import CollectorRegistry

from tests.generate.helpers import (
    ENCODINGS,
    ENCODINGS_MODULE,
    WIDE,
    WIDE_MODULE,
    build_package,
    imported,
    manifests,
)
from tests.integration.runtime.test_kafka import _records
from tests.servers import EVENT_DEADLINE, KafkaBroker

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    """A msgpack channel on both transports, and what its first example holds."""

    registry: Path
    module: str
    channel: str
    topic: str
    key: bytes  # the Kafka key of the first example (the manifest's key field)
    binary: dict[str, bytes]  # the first example's binary fields, as bytes

    @property
    def payload(self) -> Any:
        [payload] = [
            m["examples"][0]["payload"]
            for m in manifests(self.registry)
            if m["channel"] == self.channel
        ]
        return payload


CASES = {
    "encodings": Case(
        ENCODINGS,
        ENCODINGS_MODULE,
        "files.chunks",
        "opa.files.chunks",
        b"f-0000002a",
        {
            "data": bytes.fromhex("deadbeef00010203ff"),
            "checksum": bytes.fromhex("da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        },
    ),
    "wide": Case(
        WIDE,
        WIDE_MODULE,
        "parcels.labels",
        "kestrel.parcels.labels",
        b"L-000001",
        {
            "zpl": b"^XA^FO50,50^A0N,50^FDHello^FS^XZ",
            "qr": base64.b64decode("iVBORw0KGgo="),
        },
    ),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


@pytest.fixture(scope="module")
def enc(case: Case, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated package with its runtime imported."""
    src = build_package(
        tmp_path_factory.mktemp(f"{case.module}-runtime"), case.registry, case.module
    )
    with imported(src / "src", case.module) as module:
        __import__(f"{case.module}.runtime")
        yield module


@pytest.fixture
def chunk(enc: ModuleType, case: Case) -> Any:
    """The manifest's first example of the channel, decoded from its JSON form."""
    return enc.decode(case.channel, json.dumps(case.payload), encoding="json")


def _metrics(enc: ModuleType) -> Any:
    return enc.runtime.Metrics(CollectorRegistry())


def test_redis_publishes_and_subscribes_msgpack(
    enc: ModuleType, case: Case, chunk: Any, redis_url: str
) -> None:
    letters: list[Any] = []
    runtime = enc.runtime
    subscriber = runtime.Subscriber(
        redis_url, [case.channel], metrics=_metrics(enc), dead_letters=letters.append
    )
    try:
        with runtime.Publisher(redis_url, metrics=_metrics(enc)) as publisher:
            deadline = time.monotonic() + EVENT_DEADLINE  # until the subscription is live
            while publisher.publish(chunk) == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            received = subscriber.receive(EVENT_DEADLINE)
            # not msgpack, then a JSON text where msgpack is declared: dead letters, not messages
            publisher.client.publish(case.channel, b"\xc1")
            publisher.client.publish(case.channel, json.dumps(case.payload).encode())
            assert publisher.publish(chunk) >= 1
            after = subscriber.receive(EVENT_DEADLINE)
    finally:
        subscriber.close()
    assert received is not None
    assert after is not None
    assert received.model == chunk == after.model
    assert received.raw == enc.encode(chunk)
    unpacked = msgpack.unpackb(received.raw)
    assert {field: unpacked[field] for field in case.binary} == case.binary
    assert {field: getattr(received.model, field) for field in case.binary} == case.binary
    assert [(d.payload, d.channel) for d in letters][-2:] == [
        (b"\xc1", case.channel),
        (json.dumps(case.payload).encode(), case.channel),
    ]


def test_kafka_publishes_and_subscribes_msgpack(
    enc: ModuleType,
    case: Case,
    chunk: Any,
    kafka_broker: KafkaBroker,
    fresh_topic: Callable[[], str],
) -> None:
    prefix = fresh_topic() + "."
    topic = prefix + case.topic
    kafka_broker.create_topic(topic, partitions=1)
    kafka_broker.create_topic(topic + ".dlq", partitions=1)  # else Tansu makes 4 on first use
    runtime = enc.runtime
    with runtime.KafkaPublisher(
        kafka_broker.bootstrap, metrics=_metrics(enc), topic_prefix=prefix
    ) as publisher:
        delivered = publisher.publish(chunk).result(EVENT_DEADLINE)
        publisher.producer.produce(topic, b"\x93\x01", b"k")  # truncated msgpack: bypass checks
        publisher.publish(chunk).result(EVENT_DEADLINE)
    assert delivered.key == case.key  # the manifest's key field, from the JSON view
    [record, *_rest] = _records(kafka_broker, topic, 1, 3)
    assert record.value() == enc.encode(chunk)
    unpacked = msgpack.unpackb(record.value())
    assert {field: unpacked[field] for field in case.binary} == case.binary
    subscriber = runtime.KafkaSubscriber(
        kafka_broker.bootstrap,
        [case.channel],
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


def test_the_package_on_disk_is_the_one_imported(enc: ModuleType, case: Case) -> None:
    assert Path(str(enc.__file__)).parent.name == case.module
