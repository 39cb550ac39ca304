"""How fast ``opa-contracts tap`` keeps up with Redis, beside a raw redis-py loop, in one run;
and how much memory dual-write parity holds.

1. **Throughput.** A real ``redis-server`` on loopback (``tests/servers.py``) with an unlimited
   Pub/Sub output buffer; a separate process publishes N copies of the contract's quote example
   as fast as it can (pipelined), so the subscriber is the bottleneck and reads from the
   server's buffer. Two subscribers are timed from their first message to their N-th, one at a
   time: a raw redis-py loop (``get_message``, nothing else: the baseline) and the tap's loop
   (the same redis-py subscription, then decode, the version check with jsonschema-rs, the
   undeclared-field scan and the tally), in this process, on one core.
2. **Parity memory.** ``Parity`` is fed a simulated dual-write: 300 msg/s for 10 minutes
   (180,000 messages per side), each Kafka copy 0-2 s late, 1 in 1,000 dropped, with a 10 s
   window. Printed: the most messages held at once and the peak of memory allocated
   (``tracemalloc``), beside the same run for one minute: state follows the window, not the
   duration.

Targets: the tap at least 80% of the raw loop and at least 20,000 msg/s; parity's memory flat in
the duration.

    python benchmarks/tap_speed.py [--messages N] [--minutes M]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from opa_contracts.generate.contracts import collect  # noqa: E402 - after the path set-up
from opa_contracts.loader import load  # noqa: E402
from opa_contracts.tap.contracts import WireContracts  # noqa: E402
from opa_contracts.tap.parity import Parity  # noqa: E402
from opa_contracts.tap.run import Tap, run  # noqa: E402
from opa_contracts.tap.sources import RedisSource  # noqa: E402
from opa_contracts.tap.summary import Summary  # noqa: E402
from tests.servers import RedisServer  # noqa: E402

CHANNEL = "quotes.realtime"
PUBLISHER = """
import sys, redis
url, count, message = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
client = redis.Redis.from_url(url)
pipe = client.pipeline(transaction=False)
for i in range(count):
    pipe.publish("quotes.realtime", message)
    if i % 2000 == 1999:
        pipe.execute()
pipe.execute()
"""


def example() -> str:
    manifest = json.loads(json.dumps(_manifest()))
    return json.dumps(manifest["examples"][0]["payload"])


def _manifest() -> Any:
    import yaml

    return yaml.safe_load((ROOT / "contracts" / CHANNEL / "1.0.0.yaml").read_text())


def publish(url: str, count: int, message: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", PUBLISHER, url, str(count), message])


def raw_loop(url: str, count: int, message: str) -> float:
    import redis

    pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
    pubsub.subscribe(CHANNEL)
    while pubsub.get_message(timeout=1.0) is None and not pubsub.subscribed:
        pass
    publisher = publish(url, count, message)
    seen = 0
    first = 0.0
    while seen < count:
        got = pubsub.get_message(timeout=30.0)
        if got is None:
            raise SystemExit("the raw loop stopped receiving")
        if seen == 0:
            first = time.perf_counter()
        seen += 1
    elapsed = time.perf_counter() - first
    publisher.wait()
    pubsub.close()
    return (count - 1) / elapsed


def tap_loop(url: str, count: int, message: str, contracts: WireContracts) -> float:
    source = RedisSource(url, [CHANNEL], [])
    tap = Tap(contracts, Summary(url, time.monotonic()))
    publisher = publish(url, count, message)
    summary = run(tap, [source], duration=None, count=count)
    publisher.wait()
    source.close()
    stats = summary.channels[("redis", CHANNEL)]
    assert stats.messages == count, stats.messages
    assert stats.invalid_count == 0
    return (count - 1) / (stats.last - stats.first)


def parity_memory(minutes: float, rate: int = 300, window: float = 10.0) -> tuple[int, int]:
    rng = random.Random(7)
    parity = Parity(window)
    base = json.loads(example())
    events: list[tuple[float, str, bytes, Any]] = []
    total = int(minutes * 60 * rate)
    for i in range(total):
        at = i / rate
        value = {**base, "volume": i}
        data = json.dumps(value).encode()
        events.append((at, "redis", data, value))
        if rng.random() >= 0.001:
            events.append((at + rng.uniform(0, 2), "kafka", data, value))
    events.sort(key=lambda e: e[0])
    tracemalloc.start()
    most = 0
    for n, (at, side, data, value) in enumerate(events):
        parity.take(side, CHANNEL, data, value, at, "ticker")
        if n % 1000 == 0:
            most = max(most, parity.channels[CHANNEL].held())
    parity.finish()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return most, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args(argv)
    contracts = WireContracts.build(collect(load(ROOT / "contracts")))
    message = example()
    print(f"python {platform.python_version()}, {platform.machine()}; {args.messages:,} quotes")
    with RedisServer() as server:
        server.client().config_set("client-output-buffer-limit", "pubsub 0 0 0")
        raw = raw_loop(server.url, args.messages, message)
        tapped = tap_loop(server.url, args.messages, message, contracts)
    print(f"raw redis-py loop   {raw:>10,.0f} msg/s")
    print(f"opa-contracts tap   {tapped:>10,.0f} msg/s   {tapped / raw:.0%} of the raw loop")
    one_held, one_peak = parity_memory(1.0)
    held, peak = parity_memory(args.minutes)
    print(
        f"parity, 300 msg/s, 10 s window, 1 min:   held at most {one_held:,} messages, "
        f"peak {one_peak / 2**20:.1f} MiB"
    )
    print(
        f"parity, 300 msg/s, 10 s window, {args.minutes:g} min:  held at most {held:,} "
        f"messages, peak {peak / 2**20:.1f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
