"""The TypeScript package's Redis runtime against the Python runtime, through one real Redis.

A Python publisher and a Node subscriber (the golden TypeScript package, built with ``tsc``)
exchange every bundled example, and the reverse; a raw invalid message lands in the dead-letter
stream with the same fields from both runtimes; Node's exposition names the same series as
Python's for the same traffic; a Redis restart mid-stream: the Node subscriber subscribes again
and counts the gap. Node runs ``ts_runtime.mjs``, which reports JSON lines.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT
from tests.docs.snippets import document_blocks
from tests.generate.helpers import manifests
from tests.generate.test_typescript import GOLDEN_TS, GUIDE, built, run_ts_blocks
from tests.integration.runtime.events import Metrics, Publisher, Subscriber, decode
from tests.servers import EVENT_DEADLINE, RedisServer

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("ts_runtime.mjs")
STREAM = "opa:dead-letters"
#: every bundled example: (channel, its JSON text)
EXAMPLES = [
    (m["channel"], json.dumps(e["payload"])) for m in manifests() for e in m.get("examples", [])
]
CHANNELS = sorted({channel for channel, _text in EXAMPLES})
QUOTES = "quotes.realtime"
#: sent raw to the Redis channel: a ticker ending in a newline breaks the contract's pattern
INVALID = json.dumps(
    {
        "ticker": "AAPL\n",
        "timestamp": "2026-01-20T14:30:00Z",
        "price": 185.5,
        "volume": 1,
        "source": "yfinance",
    }
).encode()
RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class Node:
    """A ``ts_runtime.mjs`` process: commands in on stdin, JSON events out on stdout."""

    def __init__(self, package: Path, mode: str, url: str) -> None:
        self.process = subprocess.Popen(
            ["node", str(DRIVER), str(package), mode, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.expect("ready")

    def _read(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                self.events.put(json.loads(line))
        self.events.put({"event": "exited"})

    def expect(self, event: str) -> dict[str, Any]:
        """The next event named ``event`` (others before it are skipped, not lost for good)."""
        while True:
            try:
                found = self.events.get(timeout=EVENT_DEADLINE)
            except queue.Empty:
                pytest.fail(f"no {event!r} from node within {EVENT_DEADLINE} s")
            if found["event"] == "exited":
                pytest.fail(f"node exited waiting for {event!r}: {self.stderr()}")
            if found["event"] == event:
                return found

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def metrics(self) -> str:
        self.send({"command": "metrics"})
        text: str = self.expect("metrics")["text"]
        return text

    def stderr(self) -> str:
        self.process.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def close(self) -> None:
        if self.process.poll() is None:
            self.send({"command": "close"})
            self.expect("closed")
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(EVENT_DEADLINE) == 0
        assert self.process.stderr is not None
        self.process.stderr.close()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden TypeScript package, built with ``tsc`` (strict)."""
    return built(GOLDEN_TS, tmp_path_factory.mktemp("ts-runtime") / "pkg")


@dataclass
class Exchange:
    """What went through one Redis between a Python and a Node publisher and subscriber each."""

    node_received: list[dict[str, Any]]
    python_received: list[Any]
    dead_letters: list[dict[bytes, bytes]]
    node_metrics: list[str]
    python_metrics: str


@pytest.fixture(scope="module")
def exchange(package: Path, redis_server: RedisServer) -> Iterator[Exchange]:
    """Both publishers send every bundled example; both subscribers hear them all; then one
    invalid message goes raw to the quotes channel."""
    redis_server.ensure_running()
    client = redis_server.client()
    client.flushdb()
    metrics = Metrics(CollectorRegistry())
    node_sub = Node(package, "subscribe", redis_server.url)
    node_pub = Node(package, "publish", redis_server.url)
    python_sub = Subscriber(redis_server.url, CHANNELS, metrics=metrics)
    try:
        with Publisher(redis_server.url, metrics=metrics) as python_pub:
            for channel, text in EXAMPLES:
                assert python_pub.publish(decode(channel, text)) == 2
        for channel, text in EXAMPLES:
            node_pub.send({"channel": channel, "text": text})
            assert node_pub.expect("published")["receivers"] == 2
        assert client.publish(QUOTES, INVALID) == 2
        python_received = [python_sub.receive(EVENT_DEADLINE) for _ in range(2 * len(EXAMPLES))]
        node_received = [node_sub.expect("received") for _ in range(2 * len(EXAMPLES))]
        # Node stores its letter on its own; Python's stores it as its receive loop runs
        deadline = time.monotonic() + EVENT_DEADLINE
        letters: Any = client.xrange(STREAM)
        while len(letters) < 2 and time.monotonic() < deadline:
            assert python_sub.receive(0.1) is None
            letters = client.xrange(STREAM)
        yield Exchange(
            node_received,
            python_received,
            [fields for _id, fields in letters],
            [node_sub.metrics(), node_pub.metrics()],
            generate_latest(metrics.registry).decode(),
        )
    finally:
        python_sub.close()
        node_pub.close()
        node_sub.close()
        client.close()


def test_a_python_publisher_and_a_node_subscriber_exchange_every_bundled_example(
    exchange: Exchange,
) -> None:
    assert len(EXAMPLES) >= 6
    # each example twice: once from the Python publisher, then once from the Node publisher
    for received, (channel, text) in zip(exchange.node_received, EXAMPLES * 2, strict=True):
        assert received["channel"] == channel
        assert received["source"] == channel  # the bundled contracts' Redis channel is its name
        assert json.loads(received["raw"]) == received["message"]
        assert decode(channel, received["raw"]) == decode(channel, text)


def test_a_node_publisher_and_a_python_subscriber_exchange_every_bundled_example(
    exchange: Exchange,
) -> None:
    for received, (channel, text) in zip(exchange.python_received, EXAMPLES * 2, strict=True):
        assert received is not None
        assert received.channel == channel
        assert received.model == decode(channel, text)
    node_sent = exchange.python_received[len(EXAMPLES) :]
    for received, (_channel, text) in zip(node_sent, EXAMPLES, strict=True):
        assert json.loads(received.raw) == json.loads(text)  # Node sent the decoded value back


def test_an_invalid_message_is_the_same_dead_letter_from_both_runtimes(exchange: Exchange) -> None:
    assert len(exchange.dead_letters) == 2
    first, second = exchange.dead_letters
    assert (
        set(first)
        == set(second)
        == {
            b"transport",
            b"source",
            b"channel",
            b"error",
            b"pointer",
            b"timestamp",
            b"payload",
        }
    )
    for letter in exchange.dead_letters:
        assert letter[b"transport"] == b"redis"
        assert letter[b"source"] == letter[b"channel"] == QUOTES.encode()
        assert letter[b"pointer"] == b"/ticker"
        assert letter[b"payload"] == INVALID  # the raw bytes, as received
        assert letter[b"error"].startswith(b"quotes.realtime 1.0.0: /ticker: ")
        assert RFC3339_MS.match(letter[b"timestamp"].decode())


def _series(*texts: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every ``redis_`` sample of the expositions, summed, by name and labels (``le`` dropped:
    prom-client writes ``1`` where prometheus-client writes ``1.0``). ``_created`` samples are
    prometheus-client's own and not compared."""
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for text in texts:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if not sample.name.startswith("redis_") or sample.name.endswith("_created"):
                    continue
                labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
                key = (sample.name, labels)
                found[key] = found.get(key, 0.0) + sample.value
    return found


def test_node_exposes_the_same_series_as_python_for_the_same_traffic(exchange: Exchange) -> None:
    node = _series(*exchange.node_metrics)
    python = _series(exchange.python_metrics)
    assert set(node) == set(python)
    per_channel = len(EXAMPLES) // len(CHANNELS)
    for name in ("redis_publishes_total", "redis_publish_receivers"):
        for channel in CHANNELS:
            key = (name, (("channel", channel),))
            assert node[key] == python[key] == (per_channel if "publishes" in name else 2)
    for channel in CHANNELS:
        key = ("redis_subscribe_messages_total", (("channel", channel),))
        assert node[key] == python[key] == 2 * per_channel
    dead = ("redis_subscribe_dead_letters_total", (("channel", QUOTES),))
    assert node[dead] == python[dead] == 1
    for name in ("redis_publish_latency_seconds_count", "redis_publish_errors_total"):
        key = (name, (("channel", QUOTES),))
        assert node[key] == python[key]


def test_a_redis_restart_mid_stream_node_subscribes_again_and_counts_the_gap(
    package: Path, own_redis_server: RedisServer
) -> None:
    url = own_redis_server.url
    node_sub = Node(package, "subscribe", url)
    try:
        channel, text = next((c, t) for c, t in EXAMPLES if c == QUOTES)
        with Publisher(url, metrics=Metrics(CollectorRegistry())) as publisher:
            assert publisher.publish(decode(channel, text)) == 1
            assert node_sub.expect("received")["channel"] == QUOTES
            own_redis_server.restart(kill=True)
            reconnected = node_sub.expect("reconnected")
            assert reconnected["reconnects"] == 1
            assert reconnected["cause"] == "restart"  # Redis's run_id changed
            assert reconnected["gap"] > 0
            assert "messages published meanwhile are lost" in reconnected["text"]
            # subscribed again: the next message arrives (publisher's own retries cover the restart)
            assert publisher.publish(decode(channel, text)) == 1
            assert node_sub.expect("received")["channel"] == QUOTES
        node = _series(node_sub.metrics())
        assert node[("redis_subscriber_reconnects_total", ())] == 1
        assert node[("redis_subscriber_disconnects_total", (("cause", "restart"),))] == 1
        assert node[("redis_subscriber_disconnects_total", (("cause", "unknown"),))] == 0
        assert node[("redis_subscriber_gap_seconds_total", ())] == pytest.approx(reconnected["gap"])
    finally:
        node_sub.close()


def test_the_runtime_blocks_of_the_guide_run_against_redis(
    package: Path, own_redis_server: RedisServer
) -> None:
    # a Redis of its own: the blocks count the subscribers of a channel and read the stream
    blocks = [
        b for b in document_blocks(ROOT, [GUIDE]) if b.language == "ts" and "REDIS_URL" in b.text
    ]
    assert len(blocks) == 2
    run_ts_blocks(package, blocks, {"REDIS_URL": own_redis_server.url})


def test_a_node_publisher_refuses_invalid_messages_and_gives_up_on_a_stopped_redis(
    package: Path, own_redis_server: RedisServer
) -> None:
    node_pub = Node(package, "publish", own_redis_server.url)
    try:
        node_pub.send({"channel": QUOTES, "raw": {**json.loads(INVALID), "ticker": "aapl"}})
        refused = node_pub.expect("failed")
        assert refused["name"] == "ContractError"
        assert "/ticker" in refused["message"]
        channel, text = next((c, t) for c, t in EXAMPLES if c == QUOTES)
        node_pub.send({"channel": channel, "text": text})
        assert node_pub.expect("published")["receivers"] == 0
        own_redis_server.stop()
        node_pub.send({"channel": channel, "text": text})
        failed = node_pub.expect("failed")
        assert failed["name"] == "PublishError"
        assert failed["attempts"] == 4  # the default backoff's attempts, then it gives up
        node = _series(node_pub.metrics())
        assert node[("redis_publishes_total", (("channel", QUOTES),))] == 1
        assert node[("redis_publish_errors_total", (("channel", QUOTES),))] == 2
        assert node[("redis_publish_retries_total", (("channel", QUOTES),))] == 3
    finally:
        node_pub.close()
