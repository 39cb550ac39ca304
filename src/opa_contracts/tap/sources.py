"""Read-only subscribers: Redis Pub/Sub and a Kafka consumer that commits nothing.

Each source is polled by the tap's one loop (``poll(timeout)`` returns a batch of
``Wire`` records) so that two of them (parity) share one thread and one clock. Both connect
before the tap says it is ready, so a message published after that line is seen.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: records taken from a source in one poll
BATCH = 1000


class SourceError(RuntimeError):
    """A server the tap cannot reach or use; the text says which and why."""


@dataclass(frozen=True, slots=True)
class Wire:
    """One message as it arrived: the transport's channel or topic, its bytes, its Kafka key
    (None on Redis) and the monotonic time it was read."""

    transport: str
    name: str
    data: bytes
    key: bytes | None
    at: float


class RedisSource:
    """Subscribes to Redis channels (and patterns) through redis-py; never writes."""

    transport = "redis"

    def __init__(self, url: str, channels: Sequence[str], patterns: Sequence[str]) -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - the tap extra installs it
            raise SourceError(
                "tapping Redis needs redis-py: pip install 'opa-contracts[tap]'"
            ) from None
        self.url = url
        self.subscribed = {name.encode() for name in channels}
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        try:
            self.client = redis.Redis.from_url(url, socket_connect_timeout=10)
            self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
            if channels:
                self.pubsub.subscribe(*channels)
            if patterns:
                self.pubsub.psubscribe(*patterns)
            wanted = len(channels) + len(patterns)
            confirmed = 0
            deadline = time.monotonic() + 30
            while confirmed < wanted and time.monotonic() < deadline:
                reply = self.pubsub.parse_response(block=False, timeout=1.0)
                if reply and reply[0] in (b"subscribe", b"psubscribe", "subscribe", "psubscribe"):
                    confirmed += 1
            if confirmed < wanted:
                raise SourceError(f"{_shown(url)}: the server did not confirm the subscription")
        except self._errors as exc:
            raise SourceError(f"cannot subscribe at {_shown(url)}: {exc}") from None

    def poll(self, timeout: float) -> list[Wire]:
        # redis-py's parse_response, not get_message: the raw reply, without the dict and the
        # handler lookup get_message builds for each message (a third of its cost)
        out: list[Wire] = []
        read = self.pubsub.parse_response
        subscribed = self.subscribed
        now = time.monotonic
        try:
            reply = read(block=False, timeout=timeout)
            while reply is not None:
                kind = reply[0]
                if kind == b"message":
                    out.append(Wire("redis", _text(reply[1]), reply[2], None, now()))
                elif kind == b"pmessage" and reply[2] not in subscribed:
                    # a channel both subscribed and matched by a pattern arrives twice: once counts
                    out.append(Wire("redis", _text(reply[2]), reply[3], None, now()))
                if len(out) >= BATCH:
                    break
                reply = read(block=False, timeout=0)
        except self._errors as exc:
            raise SourceError(f"lost {_shown(self.url)}: {exc}") from None
        return out

    def close(self) -> None:
        try:
            self.pubsub.close()
            self.client.close()
        except self._errors:  # pragma: no cover - closing a dead connection
            pass


class KafkaSource:
    """Reads Kafka topics from their end (or beginning) by explicit assignment: no consumer
    group joins, no offset is committed."""

    transport = "kafka"

    def __init__(self, bootstrap: str, topics: Sequence[str], from_beginning: bool) -> None:
        try:
            from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
        except ImportError:  # pragma: no cover - the tap extra installs it
            raise SourceError(
                "tapping Kafka needs confluent-kafka: pip install 'opa-contracts[tap]'"
            ) from None
        self.bootstrap = bootstrap
        self._error = KafkaException
        self.consumer: Any = Consumer(
            {
                "bootstrap.servers": bootstrap,
                # never used to commit: assignment is explicit and auto-commit is off
                "group.id": f"opa-contracts-tap-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "enable.partition.eof": False,
            }
        )
        try:
            meta = self.consumer.list_topics(timeout=30)
            assigned = []
            for topic in topics:
                found = meta.topics.get(topic)
                if found is None or found.error is not None:
                    continue  # a declared topic not created yet: nothing to read
                for partition in found.partitions:
                    if from_beginning:
                        offset = OFFSET_BEGINNING
                    else:
                        _low, offset = self.consumer.get_watermark_offsets(
                            TopicPartition(topic, partition), timeout=30
                        )
                    assigned.append(TopicPartition(topic, partition, offset))
            self.consumer.assign(assigned)
            self.assigned = len(assigned)
        except KafkaException as exc:
            self.consumer.close()
            raise SourceError(f"cannot read topics at {bootstrap}: {exc}") from None

    def poll(self, timeout: float) -> list[Wire]:
        out: list[Wire] = []
        try:
            records = self.consumer.consume(num_messages=BATCH, timeout=timeout)
        except self._error as exc:  # pragma: no cover - consume reports errors per record
            raise SourceError(f"lost {self.bootstrap}: {exc}") from None
        now = time.monotonic()
        for record in records:
            if record.error() is not None:
                continue  # transient broker errors: librdkafka retries on its own
            out.append(Wire("kafka", record.topic(), record.value() or b"", record.key(), now))
        return out

    def close(self) -> None:
        self.consumer.close()


def _text(name: bytes | str) -> str:
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else name


def _shown(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}{host}{port}").geturl()
