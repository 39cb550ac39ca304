"""Redis Pub/Sub publisher and subscriber of the generated package, against a real redis-server."""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import pytest

from tests.integration.runtime.conftest import EXAMPLES, Probe, example
from tests.integration.runtime.events import (
    AsyncPublisher,
    Backoff,
    ContractError,
    DeadLetter,
    Publisher,
    PublishError,
    QuotesRealtime,
    encode,
)
from tests.servers import EVENT_DEADLINE, RedisServer

QUOTES = "quotes.realtime"


def test_every_channel_round_trips(publisher: Any, subscribe: Callable[..., Any]) -> None:
    subscriber = subscribe(sorted(EXAMPLES))
    for channel in sorted(EXAMPLES):
        message = example(channel)
        assert publisher.publish(message) == 1
        received = subscriber.receive(EVENT_DEADLINE)
        assert received is not None, channel
        assert (received.channel, received.source) == (channel, channel)
        assert received.model == message
        assert received.raw == encode(message)  # the bytes that went out
        assert set(json.loads(received.raw)) == set(EXAMPLES[channel])  # no field added or lost


def test_publish_reports_how_many_subscribers_received_it(
    publisher: Any, subscribe: Callable[..., Any], probe: Probe
) -> None:
    quote = example(QUOTES)
    assert publisher.publish(quote) == 0  # Pub/Sub keeps nothing: nobody heard this one
    subscribe([QUOTES])
    subscribe(patterns=["quotes.*"])
    assert publisher.publish(quote) == 2
    assert publisher.receivers[QUOTES] == 2
    assert probe("redis_publish_receivers", channel=QUOTES) == 2


def test_metrics_after_n_publishes_and_after_failures(
    publisher: Any, subscribe: Callable[..., Any], probe: Probe
) -> None:
    subscriber = subscribe([QUOTES])
    for volume in range(50):
        publisher.publish(example(QUOTES, volume=volume))
    assert [subscriber.receive(EVENT_DEADLINE).model.volume for _ in range(50)] == list(range(50))
    assert probe("redis_publishes_total", channel=QUOTES) == 50
    assert probe("redis_publish_latency_seconds_count", channel=QUOTES) == 50
    assert 0 < probe("redis_publish_latency_seconds_sum", channel=QUOTES) < 50 * 0.05
    # the contract's target is 50 ms: every loopback publish is in the 0.05 bucket
    assert probe("redis_publish_latency_seconds_bucket", channel=QUOTES, le="0.05") == 50
    assert probe("redis_publish_errors_total", channel=QUOTES) == 0
    bad = example(QUOTES).model_copy(update={"ticker": "aapl"})  # breaks ^[A-Z]{1,5}$
    for _ in range(3):
        with pytest.raises(ContractError):
            publisher.publish(bad)
    assert probe("redis_publish_errors_total", channel=QUOTES) == 3
    assert probe("redis_publishes_total", channel=QUOTES) == 50


def test_an_invalid_model_is_never_sent(
    publisher: Any, subscribe: Callable[..., Any], probe: Probe, redis_server: RedisServer
) -> None:
    subscriber = subscribe([QUOTES])
    bad = QuotesRealtime.model_construct(ticker="AAPL", price=-1.0, source="yfinance")
    with pytest.raises(ContractError) as caught:
        publisher.publish(bad)
    assert caught.value.channel == QUOTES
    assert subscriber.receive(0.3) is None
    assert redis_server.client().xlen("opa:dead-letters") == 0  # not even as a dead letter
    assert probe("redis_publish_errors_total", channel=QUOTES) == 1
    assert probe("redis_publishes_total", channel=QUOTES) == 0


def test_a_stopped_redis_is_retried_with_bounded_backoff_then_raises(
    own_redis_server: RedisServer, metrics: Any, probe: Probe
) -> None:
    retry = Backoff(attempts=3, initial=0.05, maximum=0.1)
    with Publisher(own_redis_server.url, metrics=metrics, retry=retry) as publisher:
        assert publisher.publish(example(QUOTES)) == 0
        own_redis_server.stop()
        began = time.perf_counter()
        with pytest.raises(PublishError) as caught:
            publisher.publish(example(QUOTES))
        elapsed = time.perf_counter() - began
        assert caught.value.attempts == 3
        assert caught.value.transport == "redis"
        assert caught.value.destination == QUOTES
        assert 0.15 <= elapsed < 10  # waited 0.05 + 0.1, and not forever
        assert probe("redis_publish_errors_total", channel=QUOTES) == 1
        assert probe("redis_publish_retries_total", channel=QUOTES) == 2
        own_redis_server.ensure_running()
        assert publisher.publish(example(QUOTES)) == 0  # connects again by itself
        assert probe("redis_publishes_total", channel=QUOTES) == 2


def test_pattern_subscription(publisher: Any, subscribe: Callable[..., Any], probe: Probe) -> None:
    subscriber = subscribe(patterns=["quotes.*"])
    publisher.publish(example("capacity.scores"))
    publisher.publish(example(QUOTES, ticker="MSFT"))
    # a channel that matches the pattern but that no contract names: kept, not yielded
    publisher.client.publish("quotes.delayed", json.dumps(EXAMPLES[QUOTES]))
    received = subscriber.receive(EVENT_DEADLINE)
    assert received is not None
    assert received.model.ticker == "MSFT"
    assert subscriber.receive(0.3) is None
    letters = publisher.client.xrange("opa:dead-letters")
    assert len(letters) == 1
    assert letters[0][1][b"source"] == b"quotes.delayed"
    assert b"no contract" in letters[0][1][b"error"]
    # counted under the one label of channels no contract names, never under the channel's own
    assert probe("redis_subscribe_dead_letters_total", channel="(unknown)") == 1
    assert probe("redis_subscribe_dead_letters_total", channel="quotes.delayed") == 0


def test_callback_style(publisher: Any, subscribe: Callable[..., Any]) -> None:
    subscriber = subscribe([QUOTES, "capacity.scores"])
    inbox: queue.Queue[Any] = queue.Queue()
    thread = subscriber.run_in_thread(inbox.put)
    for volume in range(20):
        publisher.publish(example(QUOTES, volume=volume))
    got = [inbox.get(timeout=EVENT_DEADLINE).model.volume for _ in range(20)]
    assert got == list(range(20))
    subscriber.close()
    thread.join(EVENT_DEADLINE)
    assert not thread.is_alive()


def test_asyncio_publisher(redis_url: str, subscribe: Callable[..., Any], metrics: Any) -> None:
    subscriber = subscribe([QUOTES])

    async def main() -> list[int]:
        async with AsyncPublisher(redis_url, metrics=metrics) as publisher:
            return [await publisher.publish(example(QUOTES, volume=v)) for v in range(10)]

    assert asyncio.run(main()) == [1] * 10
    assert [subscriber.receive(EVENT_DEADLINE).model.volume for _ in range(10)] == list(range(10))
    assert metrics.registry.get_sample_value("redis_publishes_total", {"channel": QUOTES}) == 10


def _stream(publisher: Any, valid: list[bytes], invalid: list[bytes]) -> list[bytes]:
    """Publish valid and invalid payloads interleaved, raw; the publishing order."""
    order = []
    for index in range(max(len(valid), len(invalid))):
        order += valid[index : index + 1] + invalid[index : index + 1]
    for payload in order:
        assert publisher.client.publish(QUOTES, payload) == 1
    return order


INVALID = [
    b"not json",
    b'{"ticker": "AAPL"}',
    json.dumps({**EXAMPLES[QUOTES], "price": -1}).encode(),
    b"\xff\xfe binary",
    json.dumps({**EXAMPLES[QUOTES], "ticker": "AAPL\n"}).encode(),
]


@pytest.mark.parametrize("kind", ["stream", "list"])
def test_invalid_inbound_messages_are_dead_lettered_and_nothing_is_lost(
    kind: Literal["stream", "list"], publisher: Any, subscribe: Callable[..., Any], probe: Probe
) -> None:
    from tests.integration.runtime.events import RedisDeadLetters

    store = RedisDeadLetters(publisher.client, key=f"dlq:{kind}", kind=kind)
    subscriber = subscribe([QUOTES], dead_letters=store)
    valid = [json.dumps({**EXAMPLES[QUOTES], "volume": v}).encode() for v in range(10)]
    before = time.time()
    _stream(publisher, valid, INVALID)
    got = [subscriber.receive(EVENT_DEADLINE) for _ in valid]
    assert [r.raw for r in got] == valid
    assert subscriber.receive(0.2) is None
    assert probe("redis_subscribe_dead_letters_total", channel=QUOTES) == len(INVALID)
    if kind == "stream":
        entries = [fields for _id, fields in publisher.client.xrange(f"dlq:{kind}")]
        assert [e[b"payload"] for e in entries] == INVALID
        assert {e[b"channel"] for e in entries} == {QUOTES.encode()}
        assert entries[2][b"pointer"] == b"/price"
        assert b"not JSON" in entries[0][b"error"]
        stamps = [e[b"timestamp"].decode() for e in entries]
    else:
        items = [json.loads(i) for i in publisher.client.lrange(f"dlq:{kind}", 0, -1)]
        assert [i.get("payload") for i in items[:3]] == [p.decode() for p in INVALID[:3]]
        assert "payload_base64" in items[3]  # not UTF-8: kept exactly, as base64
        assert {i["channel"] for i in items} == {QUOTES}
        stamps = [i["timestamp"] for i in items]
    year = time.strftime("%Y", time.gmtime(before))
    assert all(s.endswith("Z") and s.startswith(year) for s in stamps)


def test_a_failing_dead_letter_store_keeps_the_letters_and_retries(
    publisher: Any, subscribe: Callable[..., Any], probe: Probe
) -> None:
    kept: list[DeadLetter] = []
    failures = [RuntimeError("store down"), RuntimeError("still down")]

    def store(letter: DeadLetter) -> None:
        if failures:
            raise failures.pop(0)
        kept.append(letter)

    subscriber = subscribe([QUOTES], dead_letters=store)
    _stream(publisher, [], [b"bad 1", b"bad 2"])
    assert subscriber.receive(0.1) is None  # first try fails, the letter stays in memory
    assert subscriber.receive(0.5) is None  # later polls retry it
    assert [k.payload for k in kept] == [b"bad 1", b"bad 2"]
    assert subscriber.unsaved_dead_letters == 0
    assert probe("redis_subscribe_dead_letter_errors_total") == 2


@pytest.mark.slow
def test_a_redis_restart_in_the_middle_of_a_stream(
    own_redis_server: RedisServer,
    metrics: Any,
    probe: Probe,
    subscribe: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    subscriber = subscribe([QUOTES], url=own_redis_server.url)
    inbox: queue.Queue[Any] = queue.Queue()
    thread = subscriber.run_in_thread(inbox.put)
    heard: dict[int, int] = {}  # volume -> subscribers that received it (PUBLISH's reply)
    failed: list[int] = []
    with Publisher(own_redis_server.url, metrics=metrics) as publisher:
        for volume in range(300):
            if volume == 100:
                own_redis_server.restart(kill=True)
            try:
                heard[volume] = publisher.publish(example(QUOTES, volume=volume))
            except PublishError:
                failed.append(volume)
            time.sleep(0.002)
    deadline = time.monotonic() + EVENT_DEADLINE
    got: list[int] = []
    while time.monotonic() < deadline and len(got) < sum(heard.values()):
        try:
            got.append(inbox.get(timeout=0.1).model.volume)
        except queue.Empty:
            continue
    subscriber.close()
    thread.join(EVENT_DEADLINE)
    # every message Redis says a subscriber received arrived, in order, and nothing else
    assert got == [v for v, n in sorted(heard.items()) if n == 1]
    assert set(range(100)) <= set(got)  # before the restart
    assert 299 in got  # after it, subscribed again by itself
    assert subscriber.reconnects == 1
    assert probe("redis_subscriber_reconnects_total") == 1
    assert subscriber.last_disconnect_cause == "restart"  # Redis's run_id changed
    assert probe("redis_subscriber_disconnects_total", cause="restart") == 1
    assert probe("redis_subscriber_disconnects_total", cause="evicted-by-server") == 0
    assert probe("redis_subscriber_gap_seconds_total") == pytest.approx(subscriber.last_gap)
    assert 0 < subscriber.last_gap < EVENT_DEADLINE
    assert any("subscribed to Redis again after" in r.getMessage() for r in caplog.records)
    lost = [v for v, n in heard.items() if n == 0] + failed
    assert probe("redis_publish_errors_total", channel=QUOTES) == len(failed)
    assert len(lost) < 100, lost  # the gap is short, and every lost message is accounted for


def test_a_subscriber_stops_when_closed_from_another_thread(
    subscribe: Callable[..., Any],
) -> None:
    subscriber = subscribe([QUOTES])
    finished = threading.Event()

    def consume() -> None:
        for _ in subscriber:
            pass
        finished.set()

    threading.Thread(target=consume, daemon=True).start()
    time.sleep(0.1)
    subscriber.close()
    assert finished.wait(EVENT_DEADLINE)
