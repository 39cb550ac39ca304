"""Kafka transport (confluent-kafka): keyed producer, checked consumer, dead-letter topic."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from opa_events._codec import Codec, _codec_of, contract_of, dump
from opa_events.channels import ContractVersion
from opa_events.errors import ContractError
from opa_events.runtime.common import (
    Backoff,
    DeadLetter,
    DeadLetterSink,
    PublishError,
    Received,
    Stopper,
    check,
    routes,
    sink_of,
)
from opa_events.runtime.metrics import UNKNOWN, Metrics, Series, default_metrics

try:
    from confluent_kafka import (
        OFFSET_BEGINNING,
        OFFSET_END,
        Consumer,
        KafkaError,
        KafkaException,
        Message,
        Producer,
        TopicPartition,
    )
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "the Kafka runtime needs confluent-kafka: pip install 'opa-events[kafka]'"
    ) from exc

LOG = logging.getLogger(__name__)
Config = Mapping[str, Any]
#: Producer defaults, each overridable: a failing broker shows up as failed deliveries within
#: 30 s (not a queue that grows for the default 5 minutes), a broker that comes back is found
#: again within a second, and librdkafka's log goes to Python logging instead of stderr.
PRODUCER_DEFAULTS: dict[str, Any] = {
    "logger": LOG,
    "linger.ms": 5,
    "acks": "all",
    "message.timeout.ms": 30000,
    "reconnect.backoff.max.ms": 1000,
}
DEAD_LETTER_SUFFIX = ".dlq"


def _config(config: str | Config) -> dict[str, Any]:
    return {"bootstrap.servers": config} if isinstance(config, str) else dict(config)


def kafka_topic(contract: ContractVersion, prefix: str = "") -> str:
    """The Kafka topic of ``contract`` (``ValueError`` when its contract has none)."""
    if contract.kafka_topic is None:
        raise ValueError(f"{contract.channel} {contract.version} has no Kafka topic")
    return prefix + contract.kafka_topic


def partition_key(value: Any, field: str | None) -> bytes | None:
    """The message's partition key: the contract's key field, as text (None when absent)."""
    if field is None or not isinstance(value, dict) or value.get(field) is None:
        return None
    key = value[field]
    return (key if isinstance(key, str) else json.dumps(key, separators=(",", ":"))).encode()


class _NoKey:
    """No key given to ``publish`` (distinct from a key that is ``None``)."""

    def __repr__(self) -> str:
        return "NO_KEY"


NO_KEY: Any = _NoKey()


def message_key(
    message: BaseModel, value: Any, field: str | None, key: Any = NO_KEY
) -> bytes | None:
    """The record key of ``message`` (``value``: its JSON view): ``key``, checked and encoded,
    when its contract gives the key a schema of its own (then ``key`` is required); else the
    contract's key field (then no ``key`` may be given). ``ContractError`` otherwise."""
    contract = contract_of(type(message))
    if contract.kafka_key_schema is None:
        if key is not NO_KEY:
            reader = _codec_of(type(message))
            reader.encode_key(key)  # raises: says what the key of this channel is
        return partition_key(value, field)
    if key is NO_KEY:
        why = "publish(message, key=...): this channel's Kafka key has a schema of its own"
        raise ContractError(contract.channel, contract.version, "key:", why)
    return _codec_of(type(message)).encode_key(key)


@dataclass(frozen=True, slots=True)
class Delivered:
    """Where the broker stored a message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None


class KafkaPublisher:
    """Writes contract messages to their Kafka topics, keyed by the contract's key field.

    When the contract gives the key a schema of its own, ``publish(message, key=...)`` takes the
    key: it is checked against that schema (a bad key is a ``ContractError`` and nothing is sent)
    and sent as raw UTF-8 (a ``string`` key) or compact JSON (any other).

    ``publish(message)`` checks the message, queues it and returns a ``Future`` that resolves to
    :class:`Delivered` once the broker acknowledges it, or fails with ``PublishError`` (counted
    in ``kafka_publish_errors_total``). A background thread serves delivery reports.
    ``topic_prefix`` goes in front of every topic (an environment's namespace).
    """

    def __init__(
        self,
        config: str | Config,
        *,
        metrics: Metrics | None = None,
        topic_prefix: str = "",
    ) -> None:
        self.metrics = default_metrics() if metrics is None else metrics
        self.topic_prefix = topic_prefix
        self.producer = Producer({**PRODUCER_DEFAULTS, **_config(config)})
        self._routes: dict[type[BaseModel], tuple[str, str | None, Series]] = {}
        self._stop = Stopper()
        self._poller = threading.Thread(target=self._poll, name="kafka-deliveries", daemon=True)
        self._poller.start()

    def publish(self, message: BaseModel, key: Any = NO_KEY) -> Future[Delivered]:
        """Check ``message`` (and ``key``, when its contract's key has a schema of its own) and
        queue it; a future of its delivery."""
        topic, key_field, series = self.route(message)
        try:
            value, data = dump(message)
            raw_key = message_key(message, value, key_field, key)
        except ContractError:
            series.error()
            raise
        return self._produce(topic, raw_key, data, series)

    def route(self, message: BaseModel) -> tuple[str, str | None, Series]:
        """The topic, key field and series of ``message``'s contract."""
        found = self._routes.get(type(message))
        if found is None:
            contract = contract_of(type(message))
            topic = kafka_topic(contract, self.topic_prefix)
            found = (topic, contract.kafka_key, self.metrics.kafka(topic))
            self._routes[type(message)] = found
        return found

    def _produce(
        self, topic: str, key: bytes | None, data: bytes, series: Series
    ) -> Future[Delivered]:
        future: Future[Delivered] = Future()
        started = time.perf_counter()

        def delivered(error: KafkaError | None, record: Message) -> None:
            if error is not None:
                series.error()
                future.set_exception(PublishError("kafka", topic, 1, str(error)))
                return
            series.ok(time.perf_counter() - started)
            future.set_result(Delivered(topic, record.partition() or 0, record.offset() or 0, key))

        try:
            self.producer.produce(topic, data, key, on_delivery=delivered)
        except (BufferError, KafkaException) as exc:
            series.error()
            raise PublishError("kafka", topic, 1, str(exc) or type(exc).__name__) from exc
        return future

    def flush(self, timeout: float = 10.0) -> int:
        """Wait for every queued message's delivery report; the number still queued."""
        remaining: int = self.producer.flush(timeout)
        return remaining

    def close(self, timeout: float = 10.0) -> int:
        """Flush, then stop the delivery thread; the number of messages never reported."""
        remaining = self.flush(timeout)
        self._stop.close()
        self._poller.join()
        return remaining

    def __enter__(self) -> KafkaPublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _poll(self) -> None:
        while not self._stop.closed:
            self.producer.poll(0.05)


class KafkaDeadLetters:
    """Dead letters to a Kafka topic: ``<source topic>.dlq`` unless ``topic`` is given.

    The record keeps the raw payload as its value and the original key; the error, pointer,
    channel, source, partition, offset and timestamp travel as headers. ``put`` waits for the
    broker's acknowledgement and raises ``PublishError`` without it.
    """

    def __init__(self, config: str | Config, *, topic: str | None = None, timeout: float = 10.0):
        self.producer = Producer({**PRODUCER_DEFAULTS, **_config(config), "linger.ms": 0})
        self.topic = topic
        self.timeout = timeout

    def put(self, letter: DeadLetter) -> None:
        """Write ``letter`` and wait for the acknowledgement."""
        topic = self.topic or letter.source + DEAD_LETTER_SUFFIX
        headers: list[tuple[str, str | bytes | None]] = [
            (k, v) for k, v in letter.fields().items() if k not in ("payload", "key")
        ]
        errors: list[str] = []

        def delivered(error: KafkaError | None, _record: Message) -> None:
            errors.append("" if error is None else str(error))

        self.producer.produce(
            topic, letter.payload, letter.key, headers=headers, on_delivery=delivered
        )
        self.producer.flush(self.timeout)
        if not errors or errors[0]:
            reason = errors[0] if errors else f"no acknowledgement in {self.timeout} s"
            raise PublishError("kafka", topic, 1, reason)

    def close(self) -> None:
        """Deliver whatever is still queued."""
        self.producer.flush(self.timeout)


class KafkaSubscriber:
    """Consumes the topics of some channels: typed messages, dead letters for the invalid ones.

    With ``assign=False`` (the default) it joins the consumer group ``group_id`` and stores each
    message's offset only after it was handled (yielded and the next one asked for, passed to the
    callback, or dead-lettered): at-least-once. With ``assign=True`` it reads every partition
    directly from ``start`` (no group join, no commits). An invalid message goes to
    ``dead_letters`` (default: ``<topic>.dlq`` on the same cluster) and
    ``kafka_consume_dead_letters_total`` counts it; if the dead letter cannot be written after
    ``retry``, ``PublishError`` is raised and the offset is not stored, so nothing is lost.
    """

    def __init__(
        self,
        config: str | Config,
        channels: Iterable[str],
        *,
        group_id: str,
        assign: bool = False,
        start: Literal["earliest", "latest"] = "earliest",
        versions: Mapping[str, str] | None = None,
        dead_letters: DeadLetterSink | Callable[[DeadLetter], object] | None = None,
        metrics: Metrics | None = None,
        topic_prefix: str = "",
        retry: Backoff | None = None,
        poll_interval: float = 0.1,
    ) -> None:
        pinned = dict(versions or {})
        names = list(dict.fromkeys(channels))
        if not names:
            raise ValueError("consume at least one channel")
        self._routes: dict[str, Codec] = routes(
            {n: pinned.get(n) for n in names}, lambda c: _topic_or_none(c, topic_prefix)
        )
        self.topics = list(self._routes)
        self.metrics = default_metrics() if metrics is None else metrics
        self.retry = Backoff(5, 0.1, 2.0) if retry is None else retry
        self.poll_interval = poll_interval
        self.assign = assign
        base = _config(config)
        settings: dict[str, Any] = {
            "logger": LOG,
            "group.id": group_id,
            "auto.offset.reset": start,
            "enable.auto.offset.store": False,
            **({"enable.auto.commit": False} if assign else {}),
            **base,
        }
        self.consumer = Consumer(settings)
        self.dead_letters = (
            KafkaDeadLetters(base) if dead_letters is None else sink_of(dead_letters)
        )
        self._stop = Stopper()
        self._handled: Message | None = None
        if assign:
            where = OFFSET_BEGINNING if start == "earliest" else OFFSET_END
            self.consumer.assign(self._partitions(where))
        else:
            self.consumer.subscribe(self.topics)

    def _partitions(self, offset: int) -> list[TopicPartition]:
        found = []
        for topic in self.topics:
            metadata = self.consumer.list_topics(topic, timeout=10).topics[topic]
            if metadata.error is not None:
                raise KafkaException(metadata.error)
            found += [TopicPartition(topic, p, offset) for p in sorted(metadata.partitions)]
        return found

    def __iter__(self) -> Iterator[Received]:
        """Received messages, until ``close()``."""
        while True:
            received = self.receive(None)
            if received is None:
                return
            yield received

    def receive(self, timeout: float | None = None) -> Received | None:
        """The next valid message; None after ``timeout`` seconds (None: wait) or once closed."""
        self._store()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stop.closed:
            wait = self.poll_interval
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
                if wait < 0:
                    return None
            record = self.consumer.poll(wait)
            if record is None:
                continue
            error = record.error()
            if error is not None:
                if error.fatal():
                    raise KafkaException(error)
                if error.code() != KafkaError._PARTITION_EOF:
                    LOG.warning("Kafka consumer: %s", error)
                continue
            received = self._handle(record)
            self._handled = record
            if received is not None:
                return received
            self._store()
        return None

    def run(self, callback: Callable[[Received], object]) -> None:
        """Call ``callback`` with each message until ``close()`` (its exceptions propagate)."""
        for received in self:
            callback(received)

    def close(self) -> None:
        """Stop consuming; store the last handled offset, leave the group."""
        self._stop.close()
        self._store()
        self.consumer.close()

    def __enter__(self) -> KafkaSubscriber:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _store(self) -> None:
        record, self._handled = self._handled, None
        if record is not None and not self.assign:
            self.consumer.store_offsets(message=record)

    def _handle(self, record: Message) -> Received | None:
        topic = record.topic() or ""
        raw = record.value() or b""
        route = self._routes.get(topic)
        model, letter = check(route, raw, topic, "kafka")
        if model is not None and route is not None and route.key_schema is not None:
            try:
                route.decode_key(record.key())
            except ContractError as exc:  # a bad key breaks the contract like a bad payload
                error, pointer = str(exc), exc.pointer
                model, letter = None, DeadLetter("kafka", topic, route.channel, raw, error, pointer)
        if model is None or route is None:
            if letter is not None:
                self._dead(letter, record)
            return None
        self.metrics.kafka_consume_messages.labels(topic).inc()
        return Received(
            route.channel, model, raw, topic, record.key(), record.partition(), record.offset()
        )

    def _dead(self, letter: DeadLetter, record: Message) -> None:
        letter = DeadLetter(
            letter.transport,
            letter.source,
            letter.channel,
            letter.payload,
            letter.error,
            letter.pointer,
            key=record.key(),
            partition=record.partition(),
            offset=record.offset(),
        )
        label = letter.source if letter.source in self._routes else UNKNOWN
        self.metrics.kafka_consume_dead_letters.labels(label).inc()
        LOG.warning("dead letter from Kafka topic %r: %s", letter.source, letter.error)
        delays = self.retry.delays()
        while True:
            try:
                self.dead_letters.put(letter)
                return
            except Exception as exc:  # any store, any failure: retry, then stop unstored
                delay = next(delays, None)
                if delay is None or self._stop.closed:
                    raise PublishError("dead letters", letter.source, 1, str(exc)) from exc
                LOG.warning("dead letter not stored yet (%s); retrying", exc)
                self._stop.wait(delay)


def _topic_or_none(contract: ContractVersion, prefix: str) -> str | None:
    return None if contract.kafka_topic is None else prefix + contract.kafka_topic
