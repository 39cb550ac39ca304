"""Fixtures for the runtime tests: isolated metrics, example messages, publishers on real Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from tests.generate.helpers import manifests
from tests.integration.runtime.events import Metrics, Publisher, Subscriber, decode
from tests.servers import RedisServer

EXAMPLES: dict[str, dict[str, Any]] = {
    m["channel"]: m["examples"][0]["payload"] for m in manifests() if m.get("examples")
}


class Probe:
    """Read one sample of an isolated registry (0.0 when the series does not exist yet)."""

    def __init__(self, metrics: Any) -> None:
        self.metrics = metrics
        self.registry: CollectorRegistry = metrics.registry

    def __call__(self, name: str, **labels: str) -> float:
        found = self.registry.get_sample_value(name, labels)
        return 0.0 if found is None else found


@pytest.fixture
def metrics() -> Any:
    """Runtime metrics in a registry of their own."""
    return Metrics(CollectorRegistry())


@pytest.fixture
def probe(metrics: Any) -> Probe:
    return Probe(metrics)


def example(channel: str, **changes: Any) -> Any:
    """The manifest's first example of ``channel`` as a model, with ``changes`` applied."""
    import json

    return decode(channel, json.dumps({**EXAMPLES[channel], **changes}))


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session Redis, running, with its database flushed."""
    redis_server.ensure_running()
    client = redis_server.client()
    client.flushdb()
    client.close()
    return redis_server.url


@pytest.fixture
def publisher(redis_url: str, metrics: Any) -> Iterator[Any]:
    with Publisher(redis_url, metrics=metrics) as made:
        yield made


@pytest.fixture
def subscribe(redis_url: str, metrics: Any) -> Iterator[Callable[..., Any]]:
    """``subscribe(channels, **options)``: a Subscriber on the session Redis, closed afterwards."""
    made: list[Any] = []

    def make(channels: list[str] | tuple[str, ...] = (), **options: Any) -> Any:
        options.setdefault("metrics", metrics)
        subscriber = Subscriber(options.pop("url", redis_url), channels, **options)
        made.append(subscriber)
        return subscriber

    yield make
    for subscriber in made:
        subscriber.close()
