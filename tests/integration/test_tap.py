"""``opa-contracts tap`` through its real entry point, on a real Redis and the Tansu broker.

Each test starts the tap as a subprocess, waits for its "listening" line (the subscription is
confirmed, the Kafka partitions assigned at their end), sends a known set of messages, and
reads the summary the tap prints when ``--count`` messages have arrived.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer

from tests.servers import EVENT_DEADLINE, KafkaBroker, RedisServer

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "ticker": "AAPL",
    "timestamp": "2026-01-20T14:30:15.123Z",
    "price": 185.5,
    "volume": 45000000,
    "source": "yfinance",
}

pytestmark = pytest.mark.slow


def registry(tmp: Path, prefix: str) -> Path:
    """The bundled registry, its Kafka topics under ``prefix``, and a quotes.realtime 2.0.0
    that requires ``exchange`` (so a message without it is one only 1.0.0 accepts)."""
    out = tmp / "contracts"
    shutil.copytree(ROOT / "contracts", out)
    for manifest in out.glob("*/*.yaml"):
        manifest.write_text(manifest.read_text().replace("topic: opa.", f"topic: {prefix}opa."))
    v1 = (out / "quotes.realtime" / "1.0.0.yaml").read_text()
    v2 = (
        v1.replace("version: 1.0.0", "version: 2.0.0")
        .replace(
            "required: [ticker, timestamp, price, volume, source]",
            "required: [ticker, timestamp, price, volume, source, exchange]",
        )
        .replace(
            "    source:\n",
            "    exchange:\n      type: string\n      description: Mercado\n    source:\n",
            1,
        )
        .replace("      source: yfinance\n", "      source: yfinance\n      exchange: NASDAQ\n")
    )
    (out / "quotes.realtime" / "2.0.0.yaml").write_text(v2)
    return out


class TapProcess:
    """``opa-contracts tap ARGS`` in a subprocess, its stderr read line by line."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "opa_contracts", "tap", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, start: str) -> str:
        deadline = time.monotonic() + EVENT_DEADLINE
        while time.monotonic() < deadline:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if line.startswith(start):
                return line
            assert line, f"the tap ended before {start!r}: {''.join(self.stderr)}"
        raise AssertionError(f"no {start!r} line: {''.join(self.stderr)}")

    def finish(self) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=EVENT_DEADLINE)
        return self.proc.returncode, out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def taps() -> Iterator[list[TapProcess]]:
    started: list[TapProcess] = []
    yield started
    for tap in started:
        tap.kill()


def start(taps: list[TapProcess], *args: str) -> TapProcess:
    tap = TapProcess(*args)
    taps.append(tap)
    tap.wait_for("tap: listening")
    return tap


def test_redis_tap_reports_versions_invalid_messages_fields_and_unknown_channels(
    redis_server: RedisServer, tmp_path: Path, taps: list[TapProcess]
) -> None:
    contracts = registry(tmp_path, "x.")
    tap = start(
        taps,
        redis_server.url,
        "--registry",
        str(contracts),
        "--pattern",
        "stray.*",
        "--count",
        "7",
        "--format",
        "json",
    )
    client = redis_server.client()
    client.publish("quotes.realtime", json.dumps({**GOOD, "exchange": "NASDAQ"}))  # 2.0.0
    client.publish("quotes.realtime", json.dumps(GOOD))  # an old publisher: only 1.0.0
    client.publish("quotes.realtime", json.dumps({**GOOD, "price": -1, "exchange": "X"}))
    client.publish("quotes.realtime", json.dumps({**GOOD, "exchange": "X", "venue": {"id": 1}}))
    client.publish("quotes.realtime", b"\xff\xfe not json")
    client.publish("stray.channel", b"{}")
    client.publish("system.health", json.dumps({"oops": True}))
    code, out = tap.finish()
    summary = json.loads(out)
    assert code == 1, out
    assert summary["messages"] == 7
    assert summary["invalid"] == 3
    assert summary["unknown_channels"] == {"redis:stray.channel": 1}
    quotes = next(c for c in summary["channels"] if c["channel"] == "quotes.realtime")
    assert quotes["messages"] == 5
    assert quotes["valid"] == {"1.0.0": 1, "2.0.0": 2}
    invalid = {(i["rule"], i["pointer"]): i for i in quotes["invalid"]}
    assert set(invalid) == {("minimum", "/price"), ("not-decodable", "")}
    assert '"price": -1' in invalid[("minimum", "/price")]["sample"]
    assert quotes["undeclared_fields"] == {"/venue": 1}
    assert quotes["size_bytes"]["p50"] > 0
    health = next(c for c in summary["channels"] if c["channel"] == "system.health")
    assert health["invalid"][0]["rule"] in {"required", "additionalProperties"}


def test_valid_traffic_exits_0_and_fail_on_warning_counts_old_versions(
    redis_server: RedisServer, tmp_path: Path, taps: list[TapProcess]
) -> None:
    contracts = registry(tmp_path, "x.")
    for fail_on, expected in (("error", 0), ("warning", 1)):
        tap = start(
            taps,
            redis_server.url,
            "--registry",
            str(contracts),
            "--channel",
            "quotes.realtime",
            "--count",
            "2",
            "--fail-on",
            fail_on,
        )
        client = redis_server.client()
        client.publish("quotes.realtime", json.dumps({**GOOD, "exchange": "NASDAQ"}))
        client.publish("quotes.realtime", json.dumps(GOOD))
        code, out = tap.finish()
        assert code == expected, out
        assert "2 messages" in out
        assert "0 invalid" in out
        assert "valid 1.0.0: 1, 2.0.0: 1" in out


def test_kafka_tap_checks_payload_and_key(
    kafka_broker: KafkaBroker, tmp_path: Path, taps: list[TapProcess]
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    contracts = registry(tmp_path, prefix)
    topic = f"{prefix}opa.quotes.realtime"
    kafka_broker.create_topic(topic, partitions=2)
    producer = Producer(kafka_broker.client_config())
    retained = json.dumps({**GOOD, "exchange": "OLD"}).encode()
    producer.produce(topic, retained, key=b"AAPL")
    producer.flush(EVENT_DEADLINE)
    tap = start(
        taps,
        f"kafka://{kafka_broker.bootstrap}",
        "--registry",
        str(contracts),
        "--topic",
        "quotes.realtime",
        "--count",
        "3",
        "--format",
        "json",
    )
    producer.produce(topic, json.dumps({**GOOD, "exchange": "N"}).encode(), key=b"AAPL")
    producer.produce(topic, json.dumps({**GOOD, "exchange": "N"}).encode(), key=b"MSFT")
    producer.produce(
        topic, json.dumps({**GOOD, "ticker": "aapl", "exchange": "N"}).encode(), key=b"aapl"
    )
    assert producer.flush(EVENT_DEADLINE) == 0
    code, out = tap.finish()
    summary = json.loads(out)
    assert code == 1
    (quotes,) = summary["channels"]
    assert quotes["transport"] == "kafka"
    assert quotes["messages"] == 3
    assert quotes["valid"] == {"2.0.0": 1}
    rules = {(i["rule"], i["pointer"]) for i in quotes["invalid"]}
    assert rules == {("kafka-key-mismatch", "/ticker"), ("pattern", "/ticker")}
    # --from-beginning reads the retained records too
    tap = start(
        taps,
        f"kafka://{kafka_broker.bootstrap}",
        "--registry",
        str(contracts),
        "--topic",
        topic,
        "--from-beginning",
        "--count",
        "4",
        "--format",
        "json",
    )
    code, out = tap.finish()
    assert json.loads(out)["messages"] == 4


def test_parity_names_exactly_the_dropped_delayed_reordered_altered_and_extra_messages(
    redis_server: RedisServer, kafka_broker: KafkaBroker, tmp_path: Path, taps: list[TapProcess]
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    contracts = registry(tmp_path, prefix)
    topic = f"{prefix}opa.quotes.realtime"
    kafka_broker.create_topic(topic)

    def quote(ticker: str, second: int, **changes: Any) -> dict[str, Any]:
        stamp = f"2026-01-20T14:30:{second:02d}Z"
        return {**GOOD, "ticker": ticker, "timestamp": stamp, "exchange": "N", **changes}

    sent = [quote("AAPL", s) for s in range(10)]
    sent += [quote("MSFT", 20), quote("MSFT", 21), quote("DLY", 30)]
    dropped, altered = sent[3], sent[5]
    kafka_side = [m for m in sent if m is not dropped]
    kafka_side[kafka_side.index(altered)] = {**altered, "price": 1.25}
    i, j = kafka_side.index(sent[10]), kafka_side.index(sent[11])
    kafka_side[i], kafka_side[j] = kafka_side[j], kafka_side[i]  # MSFT's two swap on Kafka
    delayed = kafka_side.pop(kafka_side.index(sent[12]))
    extra = quote("XTRA", 40)
    total = len(sent) + len(kafka_side) + 2
    tap = start(
        taps,
        redis_server.url,
        f"kafka://{kafka_broker.bootstrap}",
        "--parity",
        "--registry",
        str(contracts),
        "--channel",
        "quotes.realtime",
        "--topic",
        "quotes.realtime",
        "--window",
        "30",
        "--count",
        str(total),
        "--format",
        "json",
    )
    client = redis_server.client()
    for message in sent:
        client.publish("quotes.realtime", json.dumps(message))
    producer = Producer(kafka_broker.client_config())
    for message in [*kafka_side, extra, delayed]:
        producer.produce(topic, json.dumps(message).encode(), key=message["ticker"].encode())
    assert producer.flush(EVENT_DEADLINE) == 0
    code, out = tap.finish()
    report = json.loads(out)
    (parity,) = report["parity"]["channels"]
    assert code == 1
    assert parity["matched"] == len(sent) - 2
    assert parity["only_on_redis"] == 1
    assert parity["only_on_kafka"] == 1
    assert parity["altered"] == 1
    assert parity["altered_pointers"] == {"/price": 1}
    assert parity["reordered"] == 1
    assert parity["reordered_by_key"] == {"MSFT": 1}
    assert parity["late_ms"]["p99"] >= parity["late_ms"]["p50"] >= 0


def test_metrics_port_and_sigterm_summary(
    redis_server: RedisServer, tmp_path: Path, taps: list[TapProcess]
) -> None:
    contracts = registry(tmp_path, "x.")
    tap = TapProcess(redis_server.url, "--registry", str(contracts), "--metrics-port", "0")
    taps.append(tap)
    tap.wait_for("tap: listening")
    url = tap.wait_for("tap: metrics on ").split()[-1]
    client = redis_server.client()
    client.publish("quotes.realtime", json.dumps({**GOOD, "exchange": "N"}))
    client.publish("quotes.realtime", json.dumps({**GOOD, "price": -5, "exchange": "N"}))
    wanted = [
        'opa_tap_messages_total{channel="quotes.realtime",result="valid",transport="redis"} 1.0',
        'opa_tap_messages_total{channel="quotes.realtime",result="invalid",transport="redis"} 1.0',
    ]
    deadline = time.monotonic() + EVENT_DEADLINE
    while True:
        with urllib.request.urlopen(url, timeout=EVENT_DEADLINE) as response:
            text = response.read().decode()
        if all(w in text for w in wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert all(w in text for w in wanted), text
    tap.proc.send_signal(signal.SIGTERM)
    code, out = tap.finish()
    assert code == 1
    assert "2 messages" in out
    assert "invalid minimum at /price: 1" in out


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["http://127.0.0.1:1"], 2, "a tap URL is redis://"),
        (["redis://127.0.0.1:1/0", "--parity"], 2, "--parity needs one Redis URL and one Kafka"),
        (["redis://127.0.0.1:1/0", "--channel", "nope"], 2, "'nope' is not a channel"),
        (["redis://:secret@127.0.0.1:1/0"], 3, "cannot subscribe at redis://:***@127.0.0.1:1/0"),
        # librdkafka's retry log lines stay out of the output: one line, after its 30 s wait
        (["kafka://127.0.0.1:1"], 3, "cannot read topics at 127.0.0.1:1: "),
    ],
)
def test_bad_requests_get_one_line_and_their_exit_code(
    args: list[str], code: int, words: str
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "opa_contracts",
            "tap",
            *args,
            "--registry",
            str(ROOT / "contracts"),
        ],
        capture_output=True,
        text=True,
        timeout=EVENT_DEADLINE,
    )
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_demo_taps_its_own_traffic() -> None:
    """``make demo``'s last step, on the golden package (the bundled registry's output)."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "tap_demo.py"),
            "--package",
            str(ROOT / "tests" / "golden" / "python" / "src"),
        ],
        capture_output=True,
        text=True,
        timeout=EVENT_DEADLINE * 2,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 messages" in result.stdout
    assert "invalid required at /: 1" in result.stdout


def test_kafka_tap_checks_a_key_schema(
    kafka_broker: KafkaBroker, tmp_path: Path, taps: list[TapProcess]
) -> None:
    """A key with a schema of its own (tests/fixtures/kafka-keys): each record's key is checked
    against it, raw UTF-8 for a string-typed key."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    contracts = tmp_path / "keys"
    shutil.copytree(ROOT / "tests" / "fixtures" / "kafka-keys", contracts)
    for manifest in contracts.glob("*/*.yaml"):
        manifest.write_text(manifest.read_text().replace("topic: opa.", f"topic: {prefix}opa."))
    topic = f"{prefix}opa.commit.offsets"
    kafka_broker.create_topic(topic)
    tap = start(
        taps,
        f"kafka://{kafka_broker.bootstrap}",
        "--registry",
        str(contracts),
        "--topic",
        "commit.offsets",
        "--count",
        "3",
        "--format",
        "json",
    )
    producer = Producer(kafka_broker.client_config())
    payload = json.dumps({"offset": 1, "committed_at": "2026-01-02T03:04:05Z"}).encode()
    for key in (b"orders-0", b"Orders", None):
        producer.produce(topic, payload, key=key)
    assert producer.flush(EVENT_DEADLINE) == 0
    code, out = tap.finish()
    (offsets,) = json.loads(out)["channels"]
    assert code == 1
    assert offsets["valid"] == {"1.0.0": 1}
    assert {(i["rule"], i["pointer"]) for i in offsets["invalid"]} == {
        ("pattern", "key:"),
        ("kafka-key-invalid", "key:"),
    }


def test_a_password_protected_redis_with_and_without_the_password(tmp_path: Path) -> None:
    """AUTH goes through redis-py's connection: the password in the URL works, a missing one is
    the server's refusal in one line (exit 3), the password never shown."""
    with RedisServer(workdir=tmp_path / "redis", password="s3cret") as server:
        plain = server.url
        secured = plain.replace("redis://", "redis://:s3cret@")
        for url, code in ((plain, 3), (secured, 0)):
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "opa_contracts",
                    "tap",
                    url,
                    "--registry",
                    str(ROOT / "contracts"),
                    "--duration",
                    "0.2",
                ],
                capture_output=True,
                text=True,
                timeout=EVENT_DEADLINE,
            )
            assert result.returncode == code, result.stderr
            assert "Traceback" not in result.stderr
            assert "s3cret" not in result.stderr + result.stdout
            if code == 3:
                assert "the server wants credentials" in result.stderr
                assert len(result.stderr.strip().splitlines()) == 1


def test_on_a_terminal_the_tap_shows_a_live_table(redis_server: RedisServer) -> None:
    """With standard error a terminal, a rich table is redrawn in place while the tap runs (and
    cleared at the end); the summary still goes to standard output."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "opa_contracts",
            "tap",
            redis_server.url,
            "--registry",
            str(ROOT / "contracts"),
            "--channel",
            "quotes.realtime",
            "--duration",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + EVENT_DEADLINE
    while b"tap: listening" not in seen and time.monotonic() < deadline:
        seen += os.read(master, 65536)
    redis_server.client().publish("quotes.realtime", json.dumps(GOOD))
    out, _ = proc.communicate(timeout=EVENT_DEADLINE)
    try:
        while chunk := os.read(master, 65536):
            seen += chunk
    except OSError:  # the terminal's other end has closed
        pass
    os.close(master)
    assert proc.returncode == 0
    assert b": 1 messages" in out
    screen = seen.decode("utf-8", "replace")
    assert "rate/s" in screen  # the table's header
    assert "quotes.realtime" in screen
    assert "\x1b[2K" in screen  # redrawn in place
