"""The health heartbeat, the metrics endpoint, and what ``import opa_events`` does not load."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.runtime.conftest import Probe, example
from tests.integration.runtime.events import (
    SRC,
    AsyncHealthReporter,
    AsyncPublisher,
    ContractError,
    HealthReporter,
    SystemHealth,
    serve,
)
from tests.servers import EVENT_DEADLINE

HEALTH = "system.health"


def test_heartbeat_publishes_valid_health_messages(
    publisher: Any, subscribe: Callable[..., Any], probe: Probe
) -> None:
    subscriber = subscribe([HEALTH])
    with HealthReporter(publisher, "opa-quotes-streamer", interval=0.2) as steady:
        beats = [subscriber.receive(EVENT_DEADLINE) for _ in range(3)]
    # a status change goes out at once, not at the next beat (30 s away here)
    with HealthReporter(publisher, "opa-quotes-streamer", interval=30) as reporter:
        first = subscriber.receive(EVENT_DEADLINE)
        reporter.set_status("degraded")
        changed = subscriber.receive(EVENT_DEADLINE)
    assert all(isinstance(b.model, SystemHealth) for b in [*beats, first, changed])
    assert [b.model.status for b in beats] == ["healthy"] * 3
    assert changed.model.status == "degraded"
    details = beats[-1].model.details
    assert details.uptime_seconds >= 0
    assert details.memory_mb > 1
    assert details.cpu_percent >= 0
    assert {b.model.service for b in beats} == {"opa-quotes-streamer"}
    assert steady.beats >= 3
    assert reporter.beats == 2  # the first beat, and the one the status change sent at once
    assert reporter.last_receivers == 1
    assert probe("redis_publishes_total", channel=HEALTH) == steady.beats + reporter.beats


def test_heartbeat_refuses_a_service_name_the_contract_refuses(publisher: Any) -> None:
    with pytest.raises(ContractError) as caught:
        HealthReporter(publisher, "quotes-streamer")  # the contract wants ^opa-[a-z-]+$
    assert caught.value.pointer == "/service"
    with pytest.raises(ValueError, match="status"):
        HealthReporter(publisher, "opa-x", status="fine")  # type: ignore[arg-type, unused-ignore]


def test_async_heartbeat(redis_url: str, subscribe: Callable[..., Any], metrics: Any) -> None:
    subscriber = subscribe([HEALTH])

    async def main() -> int:
        async with AsyncPublisher(redis_url, metrics=metrics) as publisher:
            async with AsyncHealthReporter(publisher, "opa-async", interval=0.1) as reporter:
                deadline = time.monotonic() + EVENT_DEADLINE
                while reporter.beats < 3 and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
            return int(reporter.beats)

    beats = asyncio.run(main())
    assert beats >= 3
    got = [subscriber.receive(EVENT_DEADLINE) for _ in range(beats)]
    assert {g.model.service for g in got} == {"opa-async"}


def test_metrics_endpoint_is_scraped_over_http(publisher: Any, metrics: Any) -> None:
    for _ in range(3):
        publisher.publish(example("quotes.realtime"))
    with pytest.raises(ContractError):
        publisher.publish(example("quotes.realtime").model_copy(update={"volume": -1}))
    with serve(0, "127.0.0.1", metrics) as server:
        assert server.port > 0
        with urllib.request.urlopen(server.url, timeout=EVENT_DEADLINE) as response:
            text = response.read().decode()
    assert 'redis_publishes_total{channel="quotes.realtime"} 3.0' in text
    assert 'redis_publish_errors_total{channel="quotes.realtime"} 1.0' in text
    assert "# TYPE redis_publish_latency_seconds histogram" in text
    assert 'redis_publish_latency_seconds_count{channel="quotes.realtime"} 3.0' in text


def test_import_loads_no_transport_and_runtime_names_load_lazily() -> None:
    script = f"""
import sys
sys.path.insert(0, {SRC!r})
import opa_events
heavy = {{"redis", "prometheus_client", "confluent_kafka", "opa_events.runtime"}}
assert not heavy & set(sys.modules), heavy & set(sys.modules)
import opa_events.runtime
assert not {{"redis", "prometheus_client", "confluent_kafka"}} & set(sys.modules)
from opa_events.runtime import Publisher
assert "redis" in sys.modules and "confluent_kafka" not in sys.modules
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
