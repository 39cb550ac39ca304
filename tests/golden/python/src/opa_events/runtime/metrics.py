"""Prometheus metrics under the contract's names, and the HTTP endpoint that serves them.

The contract requires every publisher to expose ``redis_publishes_total``,
``redis_publish_errors_total`` and ``redis_publish_latency_seconds`` (a histogram), each labelled
by ``channel``; the other series are this package's, named in the same style.

Label values come from the registry, never from the traffic: a Redis channel or Kafka topic that
no contract names (a pattern subscription hears whatever anyone publishes) is counted under the
one label :data:`UNKNOWN`, so whoever can publish cannot grow the number of series.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections.abc import Iterator

try:
    from prometheus_client import REGISTRY, CollectorRegistry, Counter
    from prometheus_client.core import (
        CounterMetricFamily,
        GaugeMetricFamily,
        HistogramMetricFamily,
        Metric,
    )
    from prometheus_client.exposition import start_http_server
    from prometheus_client.registry import Collector
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "the runtime needs prometheus-client: pip install 'opa-events[redis]'"
    ) from exc

#: The ``channel`` / ``topic`` label of a message whose channel or topic no contract names.
UNKNOWN = "(unknown)"
#: The ``cause`` labels of ``redis_subscriber_disconnects_total``: Redis restarted (its run_id
#: changed), Redis closed the connection while running on (output-buffer limit, ``CLIENT KILL``,
#: ``timeout``), or nothing Redis reports tells.
DISCONNECT_CAUSES = ("restart", "evicted-by-server", "unknown")

#: Seconds; fine below 1 ms (loopback Redis) and up to the contract's 50 ms target and beyond.
LATENCY_BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


class Series:
    """One destination's publish figures: plain numbers under one lock, read at scrape time.

    A publish updates four series; as prometheus-client objects that is five lock round trips
    and a few microseconds, a measurable share of a loopback PUBLISH. Here it is one.
    """

    __slots__ = ("_lock", "buckets", "errors", "latency_sum", "publishes", "receivers", "retries")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.publishes = 0
        self.errors = 0
        self.retries = 0
        self.receivers = 0
        self.latency_sum = 0.0
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf

    def ok(self, seconds: float, receivers: int | None = None) -> None:
        """Count a published message and its latency (and the subscribers that received it)."""
        index = bisect_left(LATENCY_BUCKETS, seconds)  # the first bucket with le >= seconds
        with self._lock:
            self.publishes += 1
            self.latency_sum += seconds
            self.buckets[index] += 1
            if receivers is not None:
                self.receivers = receivers

    def error(self) -> None:
        """Count a message that was not published."""
        with self._lock:
            self.errors += 1

    def retry(self) -> None:
        """Count an attempt that is retried."""
        with self._lock:
            self.retries += 1

    def snapshot(self) -> tuple[int, int, int, int, float, list[int]]:
        """Every figure at one instant."""
        with self._lock:
            return (
                self.publishes,
                self.errors,
                self.retries,
                self.receivers,
                self.latency_sum,
                list(self.buckets),
            )


def _le(bound: float) -> str:
    """A bucket bound as prometheus-client writes it (repr is Go's format for these bounds)."""
    return "+Inf" if math.isinf(bound) else repr(bound)


class _PublishCollector(Collector):
    """Turns the publish series into metric families when Prometheus scrapes."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        for transport, label in (("redis", "channel"), ("kafka", "topic")):
            series = self._metrics.series(transport)
            what = "Redis" if transport == "redis" else "the Kafka broker"
            published = CounterMetricFamily(
                f"{transport}_publishes", f"Messages {what} accepted", labels=[label]
            )
            errors = CounterMetricFamily(
                f"{transport}_publish_errors",
                "Messages not published (invalid, or the transport failed after its retries)",
                labels=[label],
            )
            latency = HistogramMetricFamily(
                f"{transport}_publish_latency_seconds",
                f"Seconds from publish() to {what}'s acknowledgement, validation included",
                labels=[label],
            )
            families: list[Metric] = [published, errors, latency]
            retries = CounterMetricFamily(
                "redis_publish_retries",
                "Publish attempts retried after a connection error",
                labels=[label],
            )
            receivers = GaugeMetricFamily(
                "redis_publish_receivers",
                "Subscribers that received the last message (Redis's reply to PUBLISH)",
                labels=[label],
            )
            if transport == "redis":
                families += [retries, receivers]
            for name, one in sorted(series.items()):
                count, failed, retried, heard, total, buckets = one.snapshot()
                published.add_metric([name], count)
                errors.add_metric([name], failed)
                cumulative, running = [], 0
                for bound, hits in zip((*LATENCY_BUCKETS, math.inf), buckets, strict=True):
                    running += hits
                    cumulative.append((_le(bound), running))
                latency.add_metric([name], cumulative, total)
                retries.add_metric([name], retried)
                receivers.add_metric([name], heard)
            yield from families


class Metrics:
    """Every series of the runtime, registered in ``registry`` (the global one when None)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = REGISTRY if registry is None else registry
        r = self.registry
        self._series: dict[tuple[str, str], Series] = {}
        self._lock = threading.Lock()
        r.register(_PublishCollector(self))
        self.redis_subscribe_messages = Counter(
            "redis_subscribe_messages",
            "Valid messages received from Redis",
            ["channel"],
            registry=r,
        )
        self.redis_subscribe_dead_letters = Counter(
            "redis_subscribe_dead_letters",
            "Messages received from Redis that broke their contract (kept as dead letters)",
            ["channel"],
            registry=r,
        )
        self.redis_subscribe_dead_letter_errors = Counter(
            "redis_subscribe_dead_letter_errors",
            "Dead letters that could not be stored yet (kept in memory and retried)",
            registry=r,
        )
        self.redis_subscribe_dead_letters_dropped = Counter(
            "redis_subscribe_dead_letters_dropped",
            "Unsaved dead letters dropped, oldest first, because the in-memory backlog was full",
            registry=r,
        )
        self.redis_subscriber_disconnects = Counter(
            "redis_subscriber_disconnects",
            "Subscriber connections lost, by cause (restart, evicted-by-server, unknown)",
            ["cause"],
            registry=r,
        )
        for cause in DISCONNECT_CAUSES:
            self.redis_subscriber_disconnects.labels(cause)
        self.redis_subscriber_reconnects = Counter(
            "redis_subscriber_reconnects",
            "Times a subscriber lost Redis and subscribed again",
            registry=r,
        )
        self.redis_subscriber_gap_seconds = Counter(
            "redis_subscriber_gap_seconds",
            "Seconds subscribers were not subscribed (Pub/Sub messages of that time are lost)",
            registry=r,
        )
        self.kafka_consume_messages = Counter(
            "kafka_consume_messages", "Valid messages consumed from Kafka", ["topic"], registry=r
        )
        self.kafka_consume_dead_letters = Counter(
            "kafka_consume_dead_letters",
            "Messages consumed from Kafka that broke their contract (kept as dead letters)",
            ["topic"],
            registry=r,
        )

    def redis(self, channel: str) -> Series:
        """The publish series of a Redis channel."""
        return self._get("redis", channel)

    def kafka(self, topic: str) -> Series:
        """The publish series of a Kafka topic."""
        return self._get("kafka", topic)

    def series(self, transport: str) -> dict[str, Series]:
        """A copy of every publish series of ``transport`` (``redis`` or ``kafka``) by name."""
        with self._lock:
            return {n: s for (t, n), s in self._series.items() if t == transport}

    def _get(self, transport: str, name: str) -> Series:
        found = self._series.get((transport, name))
        if found is None:
            with self._lock:
                found = self._series.setdefault((transport, name), Series())
        return found


_DEFAULT: list[Metrics] = []
_DEFAULT_LOCK = threading.Lock()


def default_metrics() -> Metrics:
    """The process-wide metrics in prometheus-client's global registry, made on first use."""
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            _DEFAULT.append(Metrics())
        return _DEFAULT[0]


class MetricsServer:
    """A running ``/metrics`` HTTP endpoint; ``close()`` stops it."""

    def __init__(self, port: int, addr: str, registry: CollectorRegistry) -> None:
        self._server, self._thread = start_http_server(port, addr=addr, registry=registry)
        self.addr = addr
        self.port: int = self._server.server_port

    @property
    def url(self) -> str:
        """The endpoint's URL."""
        return f"http://{self.addr}:{self.port}/metrics"

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> MetricsServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(port: int, addr: str = "0.0.0.0", metrics: Metrics | None = None) -> MetricsServer:
    """Serve ``metrics`` (the default ones when None) for Prometheus on ``addr:port`` (0: any port).

    ``0.0.0.0`` (every interface) is what a scraper in another container needs; pass
    ``127.0.0.1`` to keep the endpoint local.
    """
    chosen = default_metrics() if metrics is None else metrics
    return MetricsServer(port, addr, chosen.registry)
