"""Read-only subscribers: Redis Pub/Sub and a Kafka consumer that commits nothing.

Each source is polled by the tap's one loop (``poll(timeout)`` returns a batch of
``Wire`` records) so that two of them (parity) share one thread and one clock. Both connect
before the tap says it is ready, so a message published after that line is seen.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple, cast
from urllib.parse import urlsplit

from opa_contracts import kafka_client

#: records taken from a source in one poll
BATCH = 1000


class SourceError(RuntimeError):
    """A server the tap cannot reach or use; the text says which and why."""


class Wire(NamedTuple):
    """One message as it arrived: the transport's channel or topic, its bytes, its Kafka key
    (None on Redis) and the monotonic time it was read (a tuple: one is made per message)."""

    transport: str
    name: str
    data: bytes
    key: bytes | None
    at: float


class RedisSource:
    """Subscribes to Redis channels (and patterns); never writes a key.

    redis-py makes the connection (its URL forms, AUTH, TLS, timeouts) and sends SUBSCRIBE and
    PSUBSCRIBE; from then on the tap reads the socket itself in large chunks and parses them with
    hiredis (the C parser redis-py uses too): Pub/Sub traffic is one-way, and a per-message trip
    through redis-py's reply handling costs more than checking the message."""

    transport = "redis"

    def __init__(self, url: str, channels: Sequence[str], patterns: Sequence[str]) -> None:
        try:
            import hiredis
            import redis
        except ImportError:  # pragma: no cover - the tap extra installs them
            raise SourceError(
                "tapping Redis needs redis-py and hiredis: pip install 'opa-contracts[tap]'"
            ) from None
        self.url = url
        self.subscribed = {name.encode() for name in channels}
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self.reader = hiredis.Reader()
        self.buffer = bytearray(1 << 16)
        self.pending: list[Any] = []
        try:
            pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=10)
            self.connection: Any = cast(Any, pool.make_connection())
            self.connection.connect()
            self.sock = self.connection._sock  # the socket redis-py opened (TLS included)
            if channels:
                self.connection.send_command("SUBSCRIBE", *channels)
            if patterns:
                self.connection.send_command("PSUBSCRIBE", *patterns)
            wanted = len(channels) + len(patterns)
            confirmed = 0
            deadline = time.monotonic() + 30
            while confirmed < wanted and time.monotonic() < deadline:
                for reply in self._replies(1.0):
                    if isinstance(reply, Exception):
                        raise SourceError(f"{shown(url)}: {reply}")
                    if reply[0] in (b"subscribe", b"psubscribe"):
                        confirmed += 1
                    else:
                        self.pending.append(reply)  # a message right after its subscription
            if confirmed < wanted:
                raise SourceError(f"{shown(url)}: the server did not confirm the subscription")
        except self._errors as exc:
            hint = ""
            if "auth" in str(exc).lower():
                hint = " (the server wants credentials: redis://:PASSWORD@HOST or USER:PASSWORD@)"
            raise SourceError(f"cannot subscribe at {shown(url)}: {exc}{hint}") from None

    def _replies(self, timeout: float) -> list[Any]:
        """The replies that arrive within ``timeout`` seconds (at least one read's worth)."""
        self.sock.settimeout(timeout)
        try:
            size = self.sock.recv_into(self.buffer)
        except TimeoutError:
            return []
        if not size:
            raise ConnectionError("the server closed the connection")
        self.reader.feed(cast(bytes, self.buffer), 0, size)
        out = []
        reply = self.reader.gets()
        while reply is not False:
            out.append(reply)
            reply = self.reader.gets()
        return out

    def poll(self, timeout: float) -> list[Wire]:
        out: list[Wire] = []
        subscribed = self.subscribed
        try:
            replies, self.pending = self.pending + self._replies(timeout), []
        except self._errors as exc:
            raise SourceError(f"lost {shown(self.url)}: {exc}") from None
        now = time.monotonic()
        for reply in replies:
            if isinstance(reply, Exception):  # an error reply (the server's words)
                raise SourceError(f"{shown(self.url)}: {reply}")
            kind = reply[0]
            if kind == b"message":
                out.append(Wire("redis", _text(reply[1]), reply[2], None, now))
            elif kind == b"pmessage" and reply[2] not in subscribed:
                # a channel both subscribed and matched by a pattern arrives twice: once counts
                out.append(Wire("redis", _text(reply[2]), reply[3], None, now))
        return out

    def close(self) -> None:
        with contextlib.suppress(*self._errors):  # closing a dead connection
            self.connection.disconnect()


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
            },
            # librdkafka's own log lines (a refused connection, retried) are not the tap's
            # output: a failure that matters is raised, with one line of its own
            logger=kafka_client.QUIET,
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
            reason = kafka_client.reason(exc)
            raise SourceError(f"cannot read topics at {bootstrap}: {reason}") from None

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


def shown(url: str) -> str:
    """The URL without its password (what the tap prints)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}{host}{port}").geturl()
