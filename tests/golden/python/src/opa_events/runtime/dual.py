"""Dual-write for the migration month: every message to Redis Pub/Sub and to Kafka.

One failing transport neither blocks nor hides the other: the Kafka record is queued first (that
never waits on the broker), then Redis is published with its own bounded retries; each
transport's outcome is reported separately and counted in its own series.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from pydantic import BaseModel

from opa_events._codec import dump
from opa_events.errors import ContractError
from opa_events.runtime.common import PublishError
from opa_events.runtime.kafka import Delivered, KafkaPublisher, partition_key
from opa_events.runtime.redis_pub import Publisher


@dataclass(frozen=True, slots=True)
class Outcome:
    """One transport's result: ``ok`` is None while a Kafka delivery is still pending."""

    transport: str
    destination: str
    ok: bool | None
    error: str | None = None
    receivers: int | None = None
    """Redis: subscribers that received the message."""
    delivered: Delivered | None = None
    """Kafka: where the broker stored it."""


class DualResult:
    """What happened to one message on each transport."""

    def __init__(self, redis: Outcome, topic: str, kafka: Future[Delivered] | Outcome) -> None:
        self.redis = redis
        self._topic = topic
        self._kafka = kafka

    @property
    def kafka(self) -> Outcome:
        """The Kafka outcome as of now (``ok`` None while the delivery is pending)."""
        if isinstance(self._kafka, Outcome):
            return self._kafka
        if not self._kafka.done():
            return Outcome("kafka", self._topic, None)
        error = self._kafka.exception()
        if error is not None:
            reason = error.reason if isinstance(error, PublishError) else str(error)
            return Outcome("kafka", self._topic, False, reason)
        return Outcome("kafka", self._topic, True, delivered=self._kafka.result())

    @property
    def ok(self) -> bool:
        """Both transports succeeded (a pending Kafka delivery is not a success yet)."""
        return bool(self.redis.ok and self.kafka.ok)

    def wait(self, timeout: float | None = None) -> DualResult:
        """Wait up to ``timeout`` seconds for the Kafka delivery report; this result."""
        if isinstance(self._kafka, Future):
            with contextlib.suppress(FutureTimeout):
                self._kafka.exception(timeout)
        return self

    def __repr__(self) -> str:
        return f"DualResult(redis={self.redis!r}, kafka={self.kafka!r})"


class DualPublisher:
    """Publishes each message to its Redis channel and its Kafka topic.

    ``publish`` raises only ``ContractError`` (an invalid message goes nowhere, and both
    transports count the error); transport failures are reported in the :class:`DualResult`.
    """

    def __init__(self, redis: Publisher, kafka: KafkaPublisher) -> None:
        self.redis = redis
        self.kafka = kafka

    def publish(self, message: BaseModel) -> DualResult:
        """Check ``message`` once, then queue it for Kafka and publish it to Redis."""
        started = time.perf_counter()
        channel, redis_series = self.redis._route(message)
        topic, key_field, kafka_series = self.kafka.route(message)
        try:
            value, data = dump(message)
        except ContractError:
            redis_series.error()
            kafka_series.error()
            raise
        kafka: Future[Delivered] | Outcome
        try:
            kafka = self.kafka._produce(topic, partition_key(value, key_field), data, kafka_series)
        except PublishError as exc:
            kafka = Outcome("kafka", topic, False, exc.reason)
        try:
            receivers = self.redis._send(channel, redis_series, data, started)
            redis = Outcome("redis", channel, True, receivers=receivers)
        except PublishError as exc:
            redis = Outcome("redis", channel, False, exc.reason)
        return DualResult(redis, topic, kafka)

    def close(self) -> None:
        """Flush Kafka and close both publishers."""
        self.kafka.close()
        self.redis.close()

    def __enter__(self) -> DualPublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
