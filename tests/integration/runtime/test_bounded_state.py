"""Subscriber state under hostile traffic stays bounded, and a lost connection says why.

Against real Redis servers: label cardinality from 20,000 made-up channels, the in-memory
dead-letter backlog while the store fails (Redis full under ``noeviction``, or a store that
raises), and disconnects that Redis causes (its Pub/Sub output-buffer limit, ``CLIENT KILL``)
told apart from a restart. Waits are on events with ``EVENT_DEADLINE``; none is timed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import generate_latest

from tests.integration.runtime.conftest import EXAMPLES, Probe, example
from tests.integration.runtime.events import AsyncSubscriber, DeadLetter, Publisher
from tests.servers import EVENT_DEADLINE, RedisServer

QUOTES = "quotes.realtime"
MIB = 1024 * 1024
CAUSES = ("restart", "evicted-by-server", "unknown")


def wait_for(condition: Callable[[], bool], step: Callable[[], object] = lambda: None) -> None:
    """Run ``step`` until ``condition`` holds; fail after EVENT_DEADLINE."""
    deadline = time.monotonic() + EVENT_DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "the event did not happen within EVENT_DEADLINE"
        step()


def discard(_letter: DeadLetter) -> None:
    """A dead-letter store that keeps nothing (the tests count letters through metrics)."""


def causes(probe: Probe) -> dict[str, float]:
    return {cause: probe("redis_subscriber_disconnects_total", cause=cause) for cause in CAUSES}


# --------------------------------------------------------------------------- label cardinality


@pytest.mark.slow
def test_random_channels_on_a_pattern_make_a_bounded_number_of_series(
    redis_url: str, subscribe: Callable[..., Any], metrics: Any, probe: Probe
) -> None:
    subscriber = subscribe(patterns=["quotes.*"], dead_letters=discard)
    flood = 20_000
    with Publisher(redis_url, metrics=metrics) as publisher:
        pipe = publisher.client.pipeline(transaction=False)
        for _ in range(flood):
            pipe.publish(f"quotes.{secrets.token_hex(8)}", b"{}")
        assert pipe.execute() == [1] * flood
        publisher.publish(example(QUOTES))  # one a contract names, after the flood
        received = None
        deadline = time.monotonic() + EVENT_DEADLINE
        while received is None and time.monotonic() < deadline:
            received = subscriber.receive(1.0)
    assert received is not None
    assert received.channel == QUOTES
    dead = {
        sample.labels["channel"]: sample.value
        for family in metrics.registry.collect()
        if family.name == "redis_subscribe_dead_letters"
        for sample in family.samples
        if sample.name == "redis_subscribe_dead_letters_total"
    }
    assert dead == {"(unknown)": flood}
    every = [s for family in metrics.registry.collect() for s in family.samples]
    assert len(every) < 200  # the registry's own channels and a few families, not 20,000
    assert len(generate_latest(metrics.registry)) < 64 * 1024
    assert probe("redis_subscribe_messages_total", channel=QUOTES) == 1


# --------------------------------------------------------------------------- dead-letter backlog


@pytest.mark.slow
def test_redis_full_under_noeviction_keeps_a_bounded_backlog_oldest_dropped_first(
    own_redis_server: RedisServer,
    subscribe: Callable[..., Any],
    probe: Probe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    admin: Any = own_redis_server.client()
    bound = 5 * MIB
    subscriber = subscribe([QUOTES], url=own_redis_server.url, max_unsaved_bytes=bound)
    thread = subscriber.run_in_thread(lambda _received: None)
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", 1)  # every write is refused with OOM; PUBLISH still works
    sent = 40

    def handled(count: int) -> Callable[[], bool]:
        return lambda: subscriber.unsaved_dead_letters + subscriber.dropped_dead_letters >= count

    for n in range(sent):
        assert admin.publish(QUOTES, b"%04d" % n + secrets.token_bytes(MIB)) == 1
        wait_for(handled(n + 1))  # one at a time: the subscriber never falls behind
        assert subscriber.unsaved_bytes <= bound
    kept = subscriber.unsaved_dead_letters
    assert 1 <= kept < sent
    assert subscriber.dropped_dead_letters == sent - kept
    assert probe("redis_subscribe_dead_letters_dropped_total") == sent - kept
    assert probe("redis_subscribe_dead_letters_total", channel=QUOTES) == sent
    assert probe("redis_subscribe_dead_letter_errors_total") >= 1  # the store did fail
    assert any("dead-letter backlog full" in r.getMessage() for r in caplog.records)
    admin.config_set("maxmemory", 0)  # Redis has room again: the backlog goes to the stream
    wait_for(lambda: subscriber.unsaved_dead_letters == 0, lambda: time.sleep(0.05))
    subscriber.close()
    thread.join(EVENT_DEADLINE)
    stored = [fields[b"payload"][:4] for _id, fields in admin.xrange("opa:dead-letters")]
    assert stored == [b"%04d" % n for n in range(sent - kept, sent)]  # the newest, in order
    assert subscriber.unsaved_bytes == 0
    admin.close()


def test_the_async_subscriber_bounds_the_backlog_in_count(
    redis_url: str, metrics: Any, probe: Probe
) -> None:
    stored: list[bytes] = []
    down = [True]

    def store(letter: DeadLetter) -> None:
        if down[0]:
            raise RuntimeError("store down")
        stored.append(letter.payload)

    async def main() -> tuple[int, int]:
        async with AsyncSubscriber(
            redis_url, [QUOTES], metrics=metrics, dead_letters=store, max_unsaved_letters=10
        ) as subscriber:
            for n in range(50):
                assert await subscriber.client.publish(QUOTES, b"bad %d" % n) == 1
            deadline = time.monotonic() + EVENT_DEADLINE
            while subscriber.unsaved_dead_letters + subscriber.dropped_dead_letters < 50:
                assert time.monotonic() < deadline
                assert await subscriber.receive(0.1) is None
            counts = (subscriber.unsaved_dead_letters, subscriber.dropped_dead_letters)
            down[0] = False  # the store is back: the next poll saves what was kept
            assert await subscriber.receive(0.1) is None
            assert subscriber.unsaved_dead_letters == subscriber.unsaved_bytes == 0
            return counts

    assert asyncio.run(main()) == (10, 40)
    assert stored == [b"bad %d" % n for n in range(40, 50)]  # the newest, in order
    assert probe("redis_subscribe_dead_letters_dropped_total") == 40


def test_backlog_bounds_must_not_be_negative(redis_url: str, subscribe: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="max_unsaved_letters"):
        subscribe([QUOTES], max_unsaved_letters=-1)


# --------------------------------------------------------------------------- disconnect causes


def _until_reconnected(subscriber: Any) -> None:
    wait_for(lambda: subscriber.reconnects >= 1, lambda: subscriber.receive(0.2))


@pytest.mark.slow
def test_a_subscriber_cut_by_the_output_buffer_limit_is_counted_as_evicted_not_restart(
    own_redis_server: RedisServer,
    subscribe: Callable[..., Any],
    probe: Probe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    admin: Any = own_redis_server.client()
    admin.config_set("client-output-buffer-limit", "pubsub 64kb 0 0")
    subscriber = subscribe([QUOTES], url=own_redis_server.url, dead_letters=discard)
    chunk = secrets.token_bytes(64 * 1024)
    # the subscriber does not read: once the socket buffers fill, Redis cuts it (no receivers)
    wait_for(lambda: admin.publish(QUOTES, chunk) == 0)
    _until_reconnected(subscriber)
    assert subscriber.last_disconnect_cause == "evicted-by-server"
    assert causes(probe) == {"restart": 0, "evicted-by-server": 1, "unknown": 0}
    assert probe("redis_subscriber_reconnects_total") == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "evicted-by-server" in w and "messages published meanwhile are lost" in w for w in warnings
    )
    # subscribed again: the next message arrives
    wait_for(lambda: admin.publish(QUOTES, json.dumps(EXAMPLES[QUOTES])) == 1)
    assert subscriber.receive(EVENT_DEADLINE) is not None
    admin.close()


def test_client_kill_is_counted_as_evicted_not_restart(
    own_redis_server: RedisServer, subscribe: Callable[..., Any], probe: Probe
) -> None:
    admin: Any = own_redis_server.client()
    subscriber = subscribe([QUOTES], url=own_redis_server.url)
    assert admin.client_kill_filter(_type="pubsub") == 1
    _until_reconnected(subscriber)
    assert subscriber.last_disconnect_cause == "evicted-by-server"
    assert causes(probe) == {"restart": 0, "evicted-by-server": 1, "unknown": 0}
    admin.close()


def test_without_info_the_cause_is_unknown(
    own_redis_server: RedisServer, subscribe: Callable[..., Any], probe: Probe
) -> None:
    admin: Any = own_redis_server.client()
    admin.acl_setuser(
        "reader",
        enabled=True,
        passwords=["+secret"],
        keys=["*"],
        channels=["*"],
        commands=["+@all", "-info"],
    )
    url = own_redis_server.url.replace("redis://", "redis://reader:secret@")
    subscriber = subscribe([QUOTES], url=url)
    assert admin.client_kill_filter(_type="pubsub") == 1
    _until_reconnected(subscriber)
    assert subscriber.last_disconnect_cause == "unknown"
    assert causes(probe) == {"restart": 0, "evicted-by-server": 0, "unknown": 1}
    admin.close()


@pytest.mark.slow
def test_a_restart_is_counted_as_restart(
    own_redis_server: RedisServer, subscribe: Callable[..., Any], probe: Probe
) -> None:
    subscriber = subscribe([QUOTES], url=own_redis_server.url)
    own_redis_server.restart()
    _until_reconnected(subscriber)
    assert subscriber.last_disconnect_cause == "restart"
    assert causes(probe) == {"restart": 1, "evicted-by-server": 0, "unknown": 0}


def test_the_async_subscriber_tells_client_kill_from_restart(
    own_redis_server: RedisServer, metrics: Any, probe: Probe
) -> None:
    admin: Any = own_redis_server.client()

    async def main() -> list[str | None]:
        seen: list[str | None] = []
        async with AsyncSubscriber(own_redis_server.url, [QUOTES], metrics=metrics) as subscriber:
            for n in range(2):
                if n == 0:
                    assert admin.client_kill_filter(_type="pubsub") == 1
                else:
                    own_redis_server.restart()
                deadline = time.monotonic() + EVENT_DEADLINE
                while subscriber.reconnects <= n:
                    assert time.monotonic() < deadline
                    await subscriber.receive(0.2)
                seen.append(subscriber.last_disconnect_cause)
        return seen

    assert asyncio.run(main()) == ["evicted-by-server", "restart"]
    assert causes(probe) == {"restart": 1, "evicted-by-server": 1, "unknown": 0}
    admin.close()
