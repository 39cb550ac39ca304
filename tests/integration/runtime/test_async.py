"""The asyncio runtime: AsyncSubscriber and AsyncDualPublisher against real Redis and Tansu.

Each test is a plain function that drives its own loop with ``asyncio.run`` (no pytest-asyncio).
The servers are started and stopped from the loop's thread: a few milliseconds of blocking, the
same for the code under test as a short pause of the loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.integration.runtime.conftest import EXAMPLES, Probe, example
from tests.integration.runtime.events import (
    SRC,
    AsyncDualPublisher,
    AsyncPublisher,
    AsyncRedisDeadLetters,
    AsyncSubscriber,
    ContractError,
    DeadLetter,
    KafkaPublisher,
    PublishError,
    encode,
)
from tests.integration.runtime.test_kafka import DOWN_AND_BACK, _records
from tests.integration.runtime.test_redis import INVALID
from tests.servers import EVENT_DEADLINE, KafkaBroker, RedisServer

QUOTES = "quotes.realtime"
TOPIC = "opa.quotes.realtime"


def volume(received: Any) -> Any:
    """The volume field of a received quote (None when nothing arrived)."""
    return None if received is None else received.model.model_dump(mode="json")["volume"]


class Ticker:
    """Counts 10 ms ticks of the loop: proof that nothing blocked it meanwhile."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            self.ticks += 1

    def stop(self) -> None:
        self._task.cancel()


def test_round_trip_typed_messages(redis_url: str, metrics: Any, probe: Probe) -> None:
    channels = sorted(EXAMPLES)

    async def main() -> None:
        async with (
            AsyncPublisher(redis_url, metrics=metrics) as publisher,
            AsyncSubscriber(redis_url, channels, metrics=metrics) as subscriber,
        ):
            for channel in channels:
                message = example(channel)
                assert await publisher.publish(message) == 1  # subscribed once entered
                received = await subscriber.receive(EVENT_DEADLINE)
                assert received is not None, channel
                assert (received.channel, received.source) == (channel, channel)
                assert received.model == message
                assert received.raw == encode(message)
            assert await subscriber.receive(0.1) is None

            got: list[int] = []

            async def consume() -> None:
                async for received in subscriber:
                    got.append(volume(received))

            task = asyncio.create_task(consume())
            for n in range(20):
                await publisher.publish(example(QUOTES, volume=n))
            while len(got) < 20:
                await asyncio.sleep(0.01)
            await subscriber.aclose()  # from another task: the iteration ends
            await asyncio.wait_for(
                task, EVENT_DEADLINE
            )  # the iteration ends instead of waiting for more
            assert got == list(range(20))
            assert subscriber.closed
            assert await subscriber.receive(0.1) is None

    asyncio.run(main())
    for channel in channels:
        expected = 21 if channel == QUOTES else 1
        assert probe("redis_subscribe_messages_total", channel=channel) == expected


def test_invalid_inbound_messages_are_dead_lettered_while_the_loop_goes_on(
    redis_url: str, metrics: Any, probe: Probe, redis_server: RedisServer
) -> None:
    valid = [json.dumps({**EXAMPLES[QUOTES], "volume": v}).encode() for v in range(10)]
    order: list[bytes] = []
    for index in range(len(valid)):
        order += valid[index : index + 1] + INVALID[index : index + 1]

    async def main() -> list[Any]:
        got: list[Any] = []

        async def handle(received: Any) -> None:  # an async callback is awaited
            await asyncio.sleep(0)
            got.append(received)

        async with (
            AsyncPublisher(redis_url, metrics=metrics) as publisher,
            AsyncSubscriber(redis_url, [QUOTES], metrics=metrics) as subscriber,
        ):
            runner = asyncio.create_task(subscriber.run(handle))
            for payload in order:
                assert await publisher.client.publish(QUOTES, payload) == 1  # raw: no checks
            deadline = time.monotonic() + EVENT_DEADLINE
            while len(got) < len(valid) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)  # nothing else arrives
            assert not runner.done()  # the invalid ones did not stop the loop
            await subscriber.aclose()
            await asyncio.wait_for(runner, EVENT_DEADLINE)
        return got

    got = asyncio.run(main())
    assert [r.raw for r in got] == valid
    assert probe("redis_subscribe_dead_letters_total", channel=QUOTES) == len(INVALID)
    assert probe("redis_subscribe_messages_total", channel=QUOTES) == len(valid)
    client: Any = redis_server.client()
    entries = [fields for _id, fields in client.xrange("opa:dead-letters")]
    client.close()
    assert [e[b"payload"] for e in entries] == INVALID  # the default store: the Redis stream
    assert {e[b"channel"] for e in entries} == {QUOTES.encode()}
    assert entries[2][b"pointer"] == b"/price"
    assert all(e[b"timestamp"].endswith(b"Z") for e in entries)


def test_dead_letter_stores_async_or_failing(
    redis_url: str, metrics: Any, probe: Probe, redis_server: RedisServer
) -> None:
    kept: list[DeadLetter] = []
    failures = [RuntimeError("store down"), RuntimeError("still down")]

    async def store(letter: DeadLetter) -> None:
        await asyncio.sleep(0)
        if failures:
            raise failures.pop(0)
        kept.append(letter)

    async def main() -> None:
        async with AsyncPublisher(redis_url, metrics=metrics) as publisher:
            listed = AsyncRedisDeadLetters(publisher.client, key="dlq:async", kind="list")
            async with (
                AsyncSubscriber(redis_url, [QUOTES], metrics=metrics, dead_letters=store) as one,
                AsyncSubscriber(redis_url, [QUOTES], metrics=metrics, dead_letters=listed) as two,
            ):
                for payload in (b"bad 1", b"\xff bad 2"):
                    assert await publisher.client.publish(QUOTES, payload) == 2
                assert await one.receive(0.1) is None  # the store fails: kept in memory
                assert await one.receive(0.5) is None  # later polls retry it
                assert one.unsaved_dead_letters == 0
                assert await two.receive(0.3) is None

    asyncio.run(main())
    assert [k.payload for k in kept] == [b"bad 1", b"\xff bad 2"]
    assert probe("redis_subscribe_dead_letter_errors_total") == 2
    assert probe("redis_subscribe_dead_letters_total", channel=QUOTES) == 4
    client: Any = redis_server.client()
    items = [json.loads(i) for i in client.lrange("dlq:async", 0, -1)]
    client.close()
    assert items[0]["payload"] == "bad 1"
    assert "payload_base64" in items[1]  # not UTF-8: kept exactly, as base64


def test_pattern_subscription(redis_url: str, metrics: Any, probe: Probe) -> None:
    async def main() -> tuple[Any, Any, Any]:
        async with (
            AsyncPublisher(redis_url, metrics=metrics) as publisher,
            AsyncSubscriber(redis_url, patterns=["quotes.*"], metrics=metrics) as subscriber,
        ):
            await publisher.publish(example("capacity.scores"))
            await publisher.publish(example(QUOTES, ticker="MSFT"))
            # matches the pattern, but no contract names it: a dead letter, not a message
            await publisher.client.publish("quotes.delayed", json.dumps(EXAMPLES[QUOTES]))
            first = await subscriber.receive(EVENT_DEADLINE)
            nothing = await subscriber.receive(0.3)
            letters = await publisher.client.xrange("opa:dead-letters")
        return first, nothing, letters

    first, nothing, letters = asyncio.run(main())
    assert first is not None
    assert (first.channel, first.source) == (QUOTES, QUOTES)
    assert first.model.model_dump()["ticker"] == "MSFT"
    assert nothing is None
    assert len(letters) == 1
    assert letters[0][1][b"source"] == b"quotes.delayed"
    assert b"no contract" in letters[0][1][b"error"]
    # counted under the one label of channels no contract names, never under the channel's own
    assert probe("redis_subscribe_dead_letters_total", channel="(unknown)") == 1
    assert probe("redis_subscribe_dead_letters_total", channel="quotes.delayed") == 0


@pytest.mark.slow
def test_a_redis_restart_in_the_middle_of_a_stream(
    own_redis_server: RedisServer,
    metrics: Any,
    probe: Probe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    url = own_redis_server.url
    heard: dict[int, int] = {}  # volume -> subscribers that received it (PUBLISH's reply)
    failed: list[int] = []

    async def main() -> tuple[list[int], int, Any]:
        got: list[int] = []
        subscriber = await AsyncSubscriber(url, [QUOTES], metrics=metrics).start()
        runner = asyncio.create_task(subscriber.run(lambda r: got.append(volume(r))))
        ticker = Ticker()
        async with AsyncPublisher(url, metrics=metrics) as publisher:
            for n in range(300):
                if n == 100:
                    own_redis_server.stop(kill=True)  # a crash
                    before = ticker.ticks
                    await asyncio.sleep(0.3)  # down: the subscriber retries, the loop runs on
                    ticks_while_down = ticker.ticks - before
                    own_redis_server.ensure_running()  # same port, empty
                try:
                    heard[n] = await publisher.publish(example(QUOTES, volume=n))
                except PublishError:
                    failed.append(n)
                await asyncio.sleep(0.002)
        deadline = time.monotonic() + EVENT_DEADLINE
        while time.monotonic() < deadline and len(got) < sum(heard.values()):
            await asyncio.sleep(0.01)
        await subscriber.aclose()
        await asyncio.wait_for(runner, EVENT_DEADLINE)
        ticker.stop()
        return got, ticks_while_down, subscriber

    got, ticks_while_down, subscriber = asyncio.run(main())
    # every message Redis says a subscriber received arrived, in order, and nothing else
    assert got == [n for n, count in sorted(heard.items()) if count == 1]
    assert set(range(100)) <= set(got)  # before the restart
    assert 299 in got  # after it: subscribed again by itself
    assert ticks_while_down >= 5  # reconnecting never blocked the loop (0.3 s of 10 ms ticks)
    assert subscriber.reconnects == 1
    assert probe("redis_subscriber_reconnects_total") == 1
    assert subscriber.last_disconnect_cause == "restart"  # Redis's run_id changed
    assert probe("redis_subscriber_disconnects_total", cause="restart") == 1
    assert probe("redis_subscriber_disconnects_total", cause="evicted-by-server") == 0
    assert probe("redis_subscriber_gap_seconds_total") == pytest.approx(subscriber.last_gap)
    assert 0.3 <= subscriber.last_gap < EVENT_DEADLINE
    assert any("subscribed to Redis again after" in r.getMessage() for r in caplog.records)
    lost = [n for n, count in heard.items() if count == 0] + failed
    assert probe("redis_publish_errors_total", channel=QUOTES) == len(failed)
    assert len(lost) < 100, lost  # the gap is short, and every lost message is accounted for


@pytest.mark.slow
def test_async_dual_write_with_each_transport_down_and_back(
    own_kafka_broker: KafkaBroker, own_redis_server: RedisServer, metrics: Any, probe: Probe
) -> None:
    kafka_config = own_kafka_broker.client_config(**DOWN_AND_BACK)
    own_kafka_broker.create_topic(TOPIC, partitions=6)
    url = own_redis_server.url

    async def main() -> None:
        kafka = KafkaPublisher(kafka_config, metrics=metrics)
        async with AsyncDualPublisher(AsyncPublisher(url, metrics=metrics), kafka) as dual:
            with pytest.raises(ContractError):  # goes nowhere, counted on both transports
                await dual.publish(example(QUOTES).model_copy(update={"source": "bloomberg"}))

            async with AsyncSubscriber(url, [QUOTES], metrics=metrics) as subscriber:
                own_kafka_broker.wait_until_client_sees(kafka.producer, TOPIC, EVENT_DEADLINE)
                first = await (await dual.publish(example(QUOTES, volume=1))).wait(EVENT_DEADLINE)
                assert first.ok, first
                assert first.redis.receivers == 1
                assert first.kafka.delivered is not None
                assert first.kafka.delivered.key == b"AAPL"

                own_kafka_broker.stop()  # Kafka down: Redis neither waits nor fails
                down = await dual.publish(example(QUOTES, volume=2))
                # the Redis side is done while Kafka's outcome is still pending: nothing waited
                assert down.redis.ok
                assert down.redis.receivers == 1
                assert down.kafka.ok is None  # pending
                assert volume(await subscriber.receive(EVENT_DEADLINE)) == 1
                assert volume(await subscriber.receive(EVENT_DEADLINE)) == 2
                ticker = Ticker()
                await down.wait(EVENT_DEADLINE)  # the delivery fails after message.timeout.ms
                ticker.stop()
                assert ticker.ticks >= 10  # ~5 s of waiting, with the loop still running
                assert down.kafka.ok is False
                assert "timed out" in (down.kafka.error or "")
                assert not down.ok

            own_kafka_broker.ensure_running()  # memory storage: the topic must be made again
            own_kafka_broker.create_topic(TOPIC, partitions=6, exist_ok=True)
            own_kafka_broker.wait_until_client_sees(kafka.producer, TOPIC, EVENT_DEADLINE)
            own_redis_server.stop()  # Redis down: Kafka still gets the message
            began = time.monotonic()
            redis_down = await dual.publish(example(QUOTES, volume=3))
            assert time.monotonic() - began < 10  # Redis's bounded retries, then reported
            assert redis_down.redis.ok is False
            assert redis_down.redis.error
            await redis_down.wait(EVENT_DEADLINE)
            assert redis_down.kafka.ok, redis_down

            own_redis_server.ensure_running()
            back = await (await dual.publish(example(QUOTES, volume=4))).wait(EVENT_DEADLINE)
            assert back.ok, back
            assert back.redis.receivers == 0  # nobody listens any more

    asyncio.run(main())
    records = _records(own_kafka_broker, TOPIC, 6, 2)
    assert sorted(json.loads(r.value())["volume"] for r in records) == [3, 4]
    assert probe("kafka_publishes_total", topic=TOPIC) == 3  # 1, 3, 4
    assert probe("kafka_publish_errors_total", topic=TOPIC) == 2  # the invalid one, and 2
    assert probe("redis_publishes_total", channel=QUOTES) == 3  # 1, 2, 4
    assert probe("redis_publish_errors_total", channel=QUOTES) == 2  # the invalid one, and 3


def test_async_names_load_lazily() -> None:
    script = f"""
import sys
sys.path.insert(0, {SRC!r})
import opa_events.runtime
assert not {{"redis", "prometheus_client", "confluent_kafka"}} & set(sys.modules)
from opa_events.runtime import AsyncRedisDeadLetters, AsyncSubscriber
assert "redis.asyncio" in sys.modules and "confluent_kafka" not in sys.modules
from opa_events.runtime import AsyncDualPublisher
assert "confluent_kafka" in sys.modules
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
