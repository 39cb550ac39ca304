"""Kafka transport and dual-write of the generated package, against a real Kafka-protocol broker."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from tests.integration.runtime.conftest import EXAMPLES, Probe, example
from tests.integration.runtime.events import (
    ContractError,
    DualPublisher,
    KafkaPublisher,
    KafkaSubscriber,
    Publisher,
)
from tests.servers import EVENT_DEADLINE, KafkaBroker

pytestmark = pytest.mark.slow

T = TypeVar("T")


def must(value: T | None) -> T:
    """The value, which the test expects to have arrived."""
    assert value is not None
    return value


def volume(received: Any) -> Any:
    """The volume field of a received quote, whatever model class carries it."""
    return must(received).model.model_dump(mode="json")["volume"]


QUOTES = "quotes.realtime"
TOPIC = "opa.quotes.realtime"  # the manifest's topic
#: Producer settings for tests that stop the broker: a delivery to a stopped broker fails after
#: 5 s, and a broker that is back is found again quickly. Deliveries while the broker runs never
#: rely on that 5 s: the test first waits until the producer sees the topic (an event).
DOWN_AND_BACK = {"message.timeout.ms": 5000, "reconnect.backoff.max.ms": 250}


def _records(broker: KafkaBroker, topic: str, partitions: int, count: int) -> list[Any]:
    """``count`` records of ``topic`` read from the beginning (manual assignment: no group)."""
    consumer = Consumer(broker.consumer_config("reader"))
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    found: list[Any] = []
    deadline = time.monotonic() + EVENT_DEADLINE
    try:
        while len(found) < count and time.monotonic() < deadline:
            record = consumer.poll(0.1)
            if record is not None and record.error() is None:
                found.append(record)
    finally:
        consumer.close()
    return found


def test_publisher_keys_by_the_manifest_key(
    kafka_broker: KafkaBroker, fresh_topic: Callable[[], str], metrics: Any, probe: Probe
) -> None:
    prefix = fresh_topic() + "."
    kafka_broker.create_topic(prefix + TOPIC, partitions=6)
    tickers = ["AAPL", "MSFT", "GOOG", "AMZN"] * 3
    with KafkaPublisher(kafka_broker.bootstrap, metrics=metrics, topic_prefix=prefix) as publisher:
        futures = [publisher.publish(example(QUOTES, ticker=t)) for t in tickers]
        delivered = [f.result(EVENT_DEADLINE) for f in futures]
    assert [d.key for d in delivered] == [t.encode() for t in tickers]
    partition_of: dict[bytes | None, set[int]] = {}
    for d in delivered:
        partition_of.setdefault(d.key, set()).add(d.partition)
    assert all(len(p) == 1 for p in partition_of.values())  # same ticker, same partition
    assert len({p for ps in partition_of.values() for p in ps}) > 1  # keys spread over partitions
    assert probe("kafka_publishes_total", topic=prefix + TOPIC) == len(tickers)
    assert probe("kafka_publish_latency_seconds_count", topic=prefix + TOPIC) == len(tickers)
    records = _records(kafka_broker, prefix + TOPIC, 6, len(tickers))
    assert sorted(r.key() for r in records) == sorted(t.encode() for t in tickers)
    assert all(json.loads(r.value())["ticker"] == r.key().decode() for r in records)


def test_consumer_yields_typed_messages_and_dead_letters_the_invalid(
    kafka_broker: KafkaBroker, fresh_topic: Callable[[], str], metrics: Any, probe: Probe
) -> None:
    prefix = fresh_topic() + "."
    topic = prefix + TOPIC
    kafka_broker.create_topic(topic, partitions=1)
    valid = [json.dumps({**EXAMPLES[QUOTES], "volume": v}).encode() for v in range(5)]
    invalid = [b"not json", json.dumps({**EXAMPLES[QUOTES], "price": -1}).encode()]
    with KafkaPublisher(kafka_broker.bootstrap, metrics=metrics) as publisher:
        for payload in [valid[0], invalid[0], *valid[1:3], invalid[1], *valid[3:]]:
            publisher.producer.produce(topic, payload, b"AAPL")  # raw: bypass the checks
    subscriber = KafkaSubscriber(
        kafka_broker.bootstrap,
        [QUOTES],
        group_id="runtime-test",
        assign=True,
        metrics=metrics,
        topic_prefix=prefix,
    )
    try:
        got = [subscriber.receive(EVENT_DEADLINE) for _ in valid]
    finally:
        subscriber.close()
    arrived = [must(g) for g in got]
    assert [g.raw for g in arrived] == valid
    assert [volume(g) for g in arrived] == list(range(5))
    assert {(g.key, g.partition) for g in arrived} == {(b"AAPL", 0)}
    assert probe("kafka_consume_messages_total", topic=topic) == 5
    assert probe("kafka_consume_dead_letters_total", topic=topic) == 2
    letters = _records(kafka_broker, topic + ".dlq", 1, 2)
    assert [r.value() for r in letters] == invalid
    headers = [dict(r.headers()) for r in letters]
    assert headers[1]["pointer"] == b"/price"
    assert headers[1]["channel"] == QUOTES.encode()
    assert headers[0]["offset"] == b"1"
    assert headers[0]["source"] == topic.encode()
    assert all(h["timestamp"].endswith(b"Z") and h["error"] for h in headers)


def test_dual_write_with_kafka_down_and_back(
    own_kafka_broker: KafkaBroker,
    redis_url: str,
    subscribe: Callable[..., Any],
    metrics: Any,
    probe: Probe,
) -> None:
    kafka_config = own_kafka_broker.client_config(**DOWN_AND_BACK)
    own_kafka_broker.create_topic(TOPIC, partitions=6)
    subscriber = subscribe([QUOTES])
    kafka = KafkaPublisher(kafka_config, metrics=metrics)
    dual = DualPublisher(Publisher(redis_url, metrics=metrics), kafka)
    with dual:
        own_kafka_broker.wait_until_client_sees(kafka.producer, TOPIC, EVENT_DEADLINE)
        first = dual.publish(example(QUOTES, volume=1)).wait(EVENT_DEADLINE)
        assert first.ok, first
        assert first.redis.receivers == 1
        assert must(first.kafka.delivered).key == b"AAPL"

        own_kafka_broker.stop()
        down = dual.publish(example(QUOTES, volume=2))
        assert down.redis.ok
        assert down.redis.receivers == 1
        assert subscriber.receive(EVENT_DEADLINE).model.volume == 1
        assert subscriber.receive(EVENT_DEADLINE).model.volume == 2
        down.wait(EVENT_DEADLINE)  # fails after message.timeout.ms
        assert down.kafka.ok is False
        assert "timed out" in (down.kafka.error or "")
        assert not down.ok
        assert probe("kafka_publish_errors_total", topic=TOPIC) == 1
        assert probe("redis_publish_errors_total", channel=QUOTES) == 0

        own_kafka_broker.ensure_running()  # memory storage: the topic must be made again
        own_kafka_broker.create_topic(TOPIC, partitions=6, exist_ok=True)
        own_kafka_broker.wait_until_client_sees(kafka.producer, TOPIC, EVENT_DEADLINE)
        back = dual.publish(example(QUOTES, volume=3)).wait(EVENT_DEADLINE)
        assert back.ok, back
        assert subscriber.receive(EVENT_DEADLINE).model.volume == 3
        [record] = _records(own_kafka_broker, TOPIC, 6, 1)
        assert json.loads(record.value())["volume"] == 3
    assert probe("kafka_publishes_total", topic=TOPIC) == 2
    assert probe("redis_publishes_total", channel=QUOTES) == 3


def test_dual_write_refuses_an_invalid_message_on_both_transports(
    kafka_broker: KafkaBroker, redis_url: str, metrics: Any, probe: Probe
) -> None:
    kafka = KafkaPublisher(kafka_broker.bootstrap, metrics=metrics, topic_prefix="never.")
    with DualPublisher(Publisher(redis_url, metrics=metrics), kafka) as dual:
        bad = example(QUOTES).model_copy(update={"source": "bloomberg"})
        with pytest.raises(ContractError) as caught:
            dual.publish(bad)
    assert caught.value.pointer == "/source"
    assert probe("redis_publish_errors_total", channel=QUOTES) == 1
    assert probe("kafka_publish_errors_total", topic="never." + TOPIC) == 1
    assert probe("kafka_publishes_total", topic="never." + TOPIC) == 0


def test_group_consumer_stores_offsets_only_for_handled_messages(
    kafka_broker: KafkaBroker, fresh_topic: Callable[[], str], metrics: Any
) -> None:
    prefix = fresh_topic() + "."
    kafka_broker.create_topic(prefix + TOPIC, partitions=1)
    options: dict[str, Any] = {
        "group_id": prefix + "group",
        "metrics": metrics,
        "topic_prefix": prefix,
    }
    config = {"bootstrap.servers": kafka_broker.bootstrap, "session.timeout.ms": 6000}
    with KafkaPublisher(kafka_broker.bootstrap, metrics=metrics, topic_prefix=prefix) as publisher:
        for n in range(3):
            publisher.publish(example(QUOTES, volume=n))
        with KafkaSubscriber(config, [QUOTES], **options) as first:
            assert [volume(first.receive(EVENT_DEADLINE)) for _ in range(3)] == [0, 1, 2]
        # closed after handling all three: the group resumes after them
        for n in range(3, 5):
            publisher.publish(example(QUOTES, volume=n))
    with KafkaSubscriber(config, [QUOTES], **options) as second:
        assert [volume(second.receive(EVENT_DEADLINE)) for _ in range(2)] == [3, 4]
        assert second.receive(0.5) is None
