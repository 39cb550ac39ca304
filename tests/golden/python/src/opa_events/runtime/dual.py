"""Dual-write for the migration month: every message to Redis Pub/Sub and to Kafka.

One failing transport neither blocks nor hides the other: the Kafka record is queued first (that
never waits on the broker), then Redis is published with its own bounded retries; each
transport's outcome is reported separately and counted in its own series. ``AsyncDualPublisher``
does the same on asyncio: Redis through :class:`AsyncPublisher`, Kafka through the same
:class:`KafkaPublisher` (whose delivery reports are served by its own thread, never the loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from opa_events._codec import dump
from opa_events.errors import ContractError
from opa_events.runtime.common import PublishError
from opa_events.runtime.kafka import NO_KEY, Delivered, KafkaPublisher, message_key
from opa_events.runtime.metrics import Series
from opa_events.runtime.redis_pub import AsyncPublisher, Publisher


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


class _Outcomes:
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(redis={self.redis!r}, kafka={self.kafka!r})"


class DualResult(_Outcomes):
    """What happened to one message on each transport."""

    def wait(self, timeout: float | None = None) -> DualResult:
        """Wait up to ``timeout`` seconds for the Kafka delivery report; this result."""
        if isinstance(self._kafka, Future):
            with contextlib.suppress(FutureTimeout):
                self._kafka.exception(timeout)
        return self


class AsyncDualResult(_Outcomes):
    """:class:`DualResult` for asyncio: ``await result.wait(timeout)`` leaves the loop running."""

    async def wait(self, timeout: float | None = None) -> AsyncDualResult:
        """Wait up to ``timeout`` seconds for the Kafka delivery report; this result."""
        if isinstance(self._kafka, Future) and not self._kafka.done():
            loop = asyncio.get_running_loop()
            settled: asyncio.Future[None] = loop.create_future()

            def wake(_delivery: Future[Delivered]) -> None:  # in the Kafka delivery thread
                with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                    loop.call_soon_threadsafe(_settle, settled)

            # not asyncio.wrap_future: cancelling its wrapper would cancel the delivery future
            self._kafka.add_done_callback(wake)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(settled, timeout)
        return self


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _queue(
    redis: Publisher | AsyncPublisher, kafka: KafkaPublisher, message: BaseModel, key: Any
) -> tuple[str, Series, bytes, str, Future[Delivered] | Outcome]:
    """Check ``message`` once (an invalid one is counted on both transports and raised), then
    queue it for Kafka (that never waits on the broker); what Redis needs, and Kafka's outcome."""
    channel, redis_series = redis._route(message)
    topic, key_field, kafka_series = kafka.route(message)
    try:
        value, data = dump(message)
        raw_key = message_key(message, value, key_field, key)
    except ContractError:
        redis_series.error()
        kafka_series.error()
        raise
    queued: Future[Delivered] | Outcome
    try:
        queued = kafka._produce(topic, raw_key, data, kafka_series)
    except PublishError as exc:
        queued = Outcome("kafka", topic, False, exc.reason)
    return channel, redis_series, data, topic, queued


class DualPublisher:
    """Publishes each message to its Redis channel and its Kafka topic.

    ``publish`` raises only ``ContractError`` (an invalid message goes nowhere, and both
    transports count the error); transport failures are reported in the :class:`DualResult`.
    """

    def __init__(self, redis: Publisher, kafka: KafkaPublisher) -> None:
        self.redis = redis
        self.kafka = kafka

    def publish(self, message: BaseModel, key: Any = NO_KEY) -> DualResult:
        """Check ``message`` once, then queue it for Kafka and publish it to Redis (``key``: the
        Kafka key, when the contract gives it a schema of its own)."""
        started = time.perf_counter()
        channel, series, data, topic, kafka = _queue(self.redis, self.kafka, message, key)
        try:
            receivers = self.redis._send(channel, series, data, started)
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


class AsyncDualPublisher:
    """The asyncio twin of :class:`DualPublisher`: ``await dual.publish(message)``.

    The Kafka record is queued first (never waiting on the broker), then Redis is published with
    :class:`AsyncPublisher`'s own bounded retries (asyncio sleeps: the loop keeps running); each
    transport's outcome is in the :class:`AsyncDualResult` and its own series. Only
    ``ContractError`` is raised. ``aclose()`` flushes Kafka in a worker thread.
    """

    def __init__(self, redis: AsyncPublisher, kafka: KafkaPublisher) -> None:
        self.redis = redis
        self.kafka = kafka

    async def publish(self, message: BaseModel, key: Any = NO_KEY) -> AsyncDualResult:
        """Check ``message`` once, then queue it for Kafka and publish it to Redis (``key``: the
        Kafka key, when the contract gives it a schema of its own)."""
        started = time.perf_counter()
        channel, series, data, topic, kafka = _queue(self.redis, self.kafka, message, key)
        try:
            receivers = await self.redis._send(channel, series, data, started)
            redis = Outcome("redis", channel, True, receivers=receivers)
        except PublishError as exc:
            redis = Outcome("redis", channel, False, exc.reason)
        return AsyncDualResult(redis, topic, kafka)

    async def aclose(self) -> None:
        """Flush Kafka (in a worker thread, so the loop keeps running) and close both publishers."""
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.kafka.close)
        finally:
            await self.redis.aclose()

    async def __aenter__(self) -> AsyncDualPublisher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
