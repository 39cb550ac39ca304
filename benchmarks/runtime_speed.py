"""Redis Pub/Sub through the generated package's runtime, next to raw redis-py, in one run.

A real ``redis-server`` is started on a free loopback port (``tests/servers.py``). Both sides send
the same bytes, the contract's quote example as ``encode`` writes it, on ``quotes.realtime``:

- **latency**: a publisher paced at the contract's peak, 300 msg/s, and a subscriber thread in the
  same process; publish→receive time per message, p50 and p99. Raw: ``Redis.publish`` and
  ``PubSub.get_message``. Package: ``Publisher.publish(model)`` (validation, encoding, the three
  contract metrics) and ``Subscriber.receive()`` (validation, typed model). The two runs alternate
  in blocks so both see the same machine.
- **throughput**: a publish loop as fast as it goes (no subscriber), in short runs that
  alternate between the two sides; the figure is the median over the pairs of package/raw.

Targets: package p99 under 1 ms (the contract allows 50 ms); package throughput at least 80% of
raw redis-py's.

    python benchmarks/runtime_speed.py [--messages N] [--rate R] [--blocks B] [--loop N]
                                       [--repeat R]
"""

from __future__ import annotations

import argparse
import importlib
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "golden" / "python" / "src"))  # the generated package

from tests.servers import RedisServer  # noqa: E402 - after the path set-up above

CHANNEL = "quotes.realtime"
QUOTE = (
    b'{"ticker":"AAPL","timestamp":"2026-01-20T14:30:15.123Z","price":185.5,"volume":45000000,'
    b'"bid":185.48,"ask":185.52,"source":"yfinance"}'
)


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def paced(count: int, rate: float, send: Callable[[int], object], sent: list[float]) -> None:
    """Call ``send(i)`` ``count`` times at ``rate`` per second, noting each start time."""
    began = time.perf_counter()
    for index in range(count):
        due = began + index / rate
        while (now := time.perf_counter()) < due:
            time.sleep(min(0.0005, due - now))
        sent.append(time.perf_counter())
        send(index)


def latency_raw(server: RedisServer, data: bytes, count: int, rate: float) -> list[float]:
    """Publish→receive seconds per message with redis-py alone."""
    client = server.client()
    make: Any = client.pubsub  # redis-py leaves pubsub() unannotated
    pubsub = make(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    while pubsub.get_message(timeout=1.0) is None and not pubsub.subscribed:
        pass
    received: list[float] = []

    def listen() -> None:
        while len(received) < count:
            message = pubsub.get_message(timeout=1.0)
            if message is not None and message["type"] == "message":
                received.append(time.perf_counter())

    thread = threading.Thread(target=listen)
    thread.start()
    sent: list[float] = []
    paced(count, rate, lambda _i: client.publish(CHANNEL, data), sent)
    thread.join(30)
    pubsub.close()
    client.close()
    return [r - s for s, r in zip(sent, received, strict=True)]


def latency_package(
    server: RedisServer, runtime: Any, message: Any, count: int, rate: float
) -> list[float]:
    """Publish→receive seconds per message through Publisher and Subscriber."""
    metrics = runtime.Metrics(CollectorRegistry())
    subscriber = runtime.Subscriber(server.url, [CHANNEL], metrics=metrics)
    publisher = runtime.Publisher(server.url, metrics=metrics)
    received: list[float] = []

    def listen() -> None:
        while len(received) < count:
            if subscriber.receive(1.0) is not None:
                received.append(time.perf_counter())

    thread = threading.Thread(target=listen)
    thread.start()
    sent: list[float] = []
    paced(count, rate, lambda _i: publisher.publish(message), sent)
    thread.join(30)
    subscriber.close()
    publisher.close()
    return [r - s for s, r in zip(sent, received, strict=True)]


def loop_rate(publish: Callable[[], object], count: int) -> float:
    """Messages per second of a tight publish loop."""
    began = time.perf_counter()
    for _ in range(count):
        publish()
    return count / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000, help="messages per latency run")
    parser.add_argument("--rate", type=float, default=300.0, help="messages per second")
    parser.add_argument("--blocks", type=int, default=10, help="alternating latency blocks")
    parser.add_argument("--loop", type=int, default=2_000, help="messages per throughput run")
    parser.add_argument("--repeat", type=int, default=25, help="throughput runs per side")
    args = parser.parse_args(argv)

    package = importlib.import_module("opa_events")
    runtime = importlib.import_module("opa_events.runtime")
    message = package.decode(CHANNEL, QUOTE)
    data: bytes = package.encode(message)  # the same bytes on both sides

    with RedisServer() as server:
        print(
            f"runtime speed: {server.version()} on 127.0.0.1:{server.port}; Python "
            f"{platform.python_version()}, redis-py {redis.__version__}; {len(data)}-byte quote"
        )
        per_block = max(1, args.messages // args.blocks)
        raw: list[float] = []
        ours: list[float] = []
        for _ in range(args.blocks):
            raw += latency_raw(server, data, per_block, args.rate)
            ours += latency_package(server, runtime, message, per_block, args.rate)
        print(f"\npublish→receive latency at {args.rate:.0f} msg/s, {len(raw)} messages each:")
        rows = [("raw redis-py", raw), ("opa_events runtime", ours)]
        for name, values in rows:
            p50, p99 = percentile(values, 0.50) * 1e3, percentile(values, 0.99) * 1e3
            mean = statistics.fmean(values) * 1e3
            print(f"  {name:<20} p50 {p50:6.3f} ms   p99 {p99:6.3f} ms   mean {mean:6.3f} ms")

        client = server.client()
        publisher = runtime.Publisher(server.url, metrics=runtime.Metrics(CollectorRegistry()))
        raw_rates, our_rates = [], []
        # short alternating runs: the Redis server shares the CPUs with the client, so one long
        # run per side would measure the machine's other load as much as the code
        for _ in range(args.repeat):
            raw_rates.append(loop_rate(lambda: client.publish(CHANNEL, data), args.loop))
            our_rates.append(loop_rate(lambda: publisher.publish(message), args.loop))
        publisher.close()
        client.close()
    # each package run is compared with the raw run just before it (same machine load); the
    # median of those ratios is the figure, robust to a load spike that hits one side only
    ratio = statistics.median(o / r for o, r in zip(our_rates, raw_rates, strict=True))
    print(
        f"\npublish throughput, {args.repeat} alternating pairs of runs of {args.loop} messages "
        "(no subscriber), median run:"
    )
    print(f"  {'raw redis-py':<20} {statistics.median(raw_rates):8,.0f} msg/s")
    print(f"  {'opa_events Publisher':<20} {statistics.median(our_rates):8,.0f} msg/s")
    print(f"  package / raw, median over the pairs: {ratio:.0%}")

    our_p99 = percentile(ours, 0.99) * 1e3
    print()
    print(f"{'PASS' if our_p99 < 1.0 else 'FAIL'}: package p99 {our_p99:.3f} ms (target < 1 ms)")
    verdict = "PASS" if ratio >= 0.8 else "FAIL"
    print(f"{verdict}: package throughput {ratio:.0%} of raw redis-py (target >= 80%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
