"""Runtime for services: Redis Pub/Sub and Kafka transports with the contract's metrics.

Nothing here is imported by ``import opa_events``: the transports need the package's extras
(``pip install 'opa-events[redis]'``, ``'opa-events[kafka]'``), and each name below is
imported from its module on first use, so a service that only uses Redis never loads Kafka.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opa_events.runtime.common import (
        AsyncDeadLetterSink,
        Backoff,
        CallbackDeadLetters,
        DeadLetter,
        DeadLetterSink,
        PublishError,
        Received,
    )
    from opa_events.runtime.dead_letters import AsyncRedisDeadLetters, RedisDeadLetters
    from opa_events.runtime.dual import (
        AsyncDualPublisher,
        AsyncDualResult,
        DualPublisher,
        DualResult,
        Outcome,
    )
    from opa_events.runtime.health import AsyncHealthReporter, HealthReporter, ProcessStats
    from opa_events.runtime.kafka import (
        Delivered,
        KafkaDeadLetters,
        KafkaPublisher,
        KafkaSubscriber,
    )
    from opa_events.runtime.metrics import Metrics, MetricsServer, default_metrics, serve
    from opa_events.runtime.redis_pub import AsyncPublisher, Publisher
    from opa_events.runtime.redis_sub import AsyncSubscriber, Subscriber

_HOME = {
    "AsyncDeadLetterSink": "common",
    "AsyncDualPublisher": "dual",
    "AsyncDualResult": "dual",
    "AsyncHealthReporter": "health",
    "AsyncPublisher": "redis_pub",
    "AsyncRedisDeadLetters": "dead_letters",
    "AsyncSubscriber": "redis_sub",
    "Backoff": "common",
    "CallbackDeadLetters": "common",
    "DeadLetter": "common",
    "DeadLetterSink": "common",
    "Delivered": "kafka",
    "DualPublisher": "dual",
    "DualResult": "dual",
    "HealthReporter": "health",
    "KafkaDeadLetters": "kafka",
    "KafkaPublisher": "kafka",
    "KafkaSubscriber": "kafka",
    "Metrics": "metrics",
    "MetricsServer": "metrics",
    "Outcome": "dual",
    "ProcessStats": "health",
    "PublishError": "common",
    "Publisher": "redis_pub",
    "Received": "common",
    "RedisDeadLetters": "dead_letters",
    "Subscriber": "redis_sub",
    "default_metrics": "metrics",
    "serve": "metrics",
}

__all__ = [
    "AsyncDeadLetterSink",
    "AsyncDualPublisher",
    "AsyncDualResult",
    "AsyncHealthReporter",
    "AsyncPublisher",
    "AsyncRedisDeadLetters",
    "AsyncSubscriber",
    "Backoff",
    "CallbackDeadLetters",
    "DeadLetter",
    "DeadLetterSink",
    "Delivered",
    "DualPublisher",
    "DualResult",
    "HealthReporter",
    "KafkaDeadLetters",
    "KafkaPublisher",
    "KafkaSubscriber",
    "Metrics",
    "MetricsServer",
    "Outcome",
    "ProcessStats",
    "PublishError",
    "Publisher",
    "Received",
    "RedisDeadLetters",
    "Subscriber",
    "default_metrics",
    "serve",
]


def __getattr__(name: str) -> Any:
    """Import ``name`` from its module on first use (PEP 562)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
