"""Publishers on real servers: a message that cannot be written is a counted ContractError, and
a relayed message leaves exactly as it came (date-time text, integers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.runtime.conftest import Probe, example
from tests.integration.runtime.events import (
    AsyncPublisher,
    ContractError,
    DualPublisher,
    KafkaPublisher,
    Publisher,
    decode,
    encode,
)
from tests.servers import EVENT_DEADLINE, KafkaBroker

QUOTES = "quotes.realtime"
TOPIC = "opa.quotes.realtime"
# values an unknown field may hold in Python that JSON cannot carry
UNWRITABLE = [float("nan"), float("inf"), b"\xff", "\ud800", object()]


def _unwritable(value: Any) -> Any:
    message = example(QUOTES)
    message.zz = value  # unknown fields are kept and written back
    return message


def test_an_unwritable_message_is_a_counted_contract_error_and_never_sent(
    publisher: Any, subscribe: Callable[..., Any], probe: Probe
) -> None:
    subscriber = subscribe([QUOTES])
    for value in UNWRITABLE:
        with pytest.raises(ContractError) as caught:
            publisher.publish(_unwritable(value))
        assert caught.value.pointer == "/zz"
    assert probe("redis_publish_errors_total", channel=QUOTES) == len(UNWRITABLE)
    assert probe("redis_publishes_total", channel=QUOTES) == 0
    publisher.publish(example(QUOTES, volume=7))  # Pub/Sub keeps order: nothing came before it
    received = subscriber.receive(EVENT_DEADLINE)
    assert received is not None
    assert received.model.volume == 7


def test_the_async_publisher_counts_them_too(redis_url: str, metrics: Any, probe: Probe) -> None:
    async def main() -> None:
        async with AsyncPublisher(redis_url, metrics=metrics) as publisher:
            for value in UNWRITABLE:
                with pytest.raises(ContractError):
                    await publisher.publish(_unwritable(value))

    asyncio.run(main())
    assert probe("redis_publish_errors_total", channel=QUOTES) == len(UNWRITABLE)


def test_a_relayed_message_leaves_as_it_came(publisher: Any, subscribe: Callable[..., Any]) -> None:
    subscriber = subscribe([QUOTES])
    payload = {
        "ticker": "AAPL",
        "timestamp": "2026-01-20T14:30:15.123456789+00:00",
        "price": 9007199254740993,
        "volume": 5,
        "bid": 1,
        "source": "yfinance",
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    publisher.publish(decode(QUOTES, raw))
    received = subscriber.receive(EVENT_DEADLINE)
    assert received is not None
    assert received.raw == raw  # same keys in the same order, same text, same numbers
    assert encode(received.model) == raw


@pytest.mark.slow
def test_kafka_and_dual_publishers_count_them_on_every_transport(
    kafka_broker: KafkaBroker, redis_url: str, metrics: Any, probe: Probe
) -> None:
    kafka = KafkaPublisher(kafka_broker.bootstrap, metrics=metrics, topic_prefix="never.")
    with DualPublisher(Publisher(redis_url, metrics=metrics), kafka) as dual:
        for value in UNWRITABLE:
            with pytest.raises(ContractError):
                kafka.publish(_unwritable(value))
            with pytest.raises(ContractError):
                dual.publish(_unwritable(value))
    assert probe("kafka_publish_errors_total", topic="never." + TOPIC) == 2 * len(UNWRITABLE)
    assert probe("redis_publish_errors_total", channel=QUOTES) == len(UNWRITABLE)
    assert probe("kafka_publishes_total", topic="never." + TOPIC) == 0
