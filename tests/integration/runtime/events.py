"""The generated package under test: the golden tree (the bundled registry's output).

Tests import the *generated* ``opa_events`` from ``tests/golden/python/src`` (never from
``../shared``). mypy's configured path does not include that tree, so the names arrive untyped
there; the ``unused-ignore`` code keeps the ignores quiet once ``mypy_path`` includes it.
"""

from __future__ import annotations

import sys

from tests.generate.helpers import GOLDEN

SRC = str(GOLDEN / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

# ruff: noqa: E402 - the imports need the path set up above
from opa_events import (  # type: ignore[import-not-found, unused-ignore]
    ContractError,
    decode,
    encode,
)
from opa_events.capacity_scores import (  # type: ignore[import-not-found, unused-ignore]
    CapacityScores,
)
from opa_events.quotes_realtime import (  # type: ignore[import-not-found, unused-ignore]
    QuotesRealtime,
)
from opa_events.runtime import (  # type: ignore[import-not-found, unused-ignore]
    AsyncDualPublisher,
    AsyncHealthReporter,
    AsyncPublisher,
    AsyncRedisDeadLetters,
    AsyncSubscriber,
    Backoff,
    DeadLetter,
    DualPublisher,
    HealthReporter,
    KafkaDeadLetters,
    KafkaPublisher,
    KafkaSubscriber,
    Metrics,
    Publisher,
    PublishError,
    Received,
    RedisDeadLetters,
    Subscriber,
    serve,
)
from opa_events.system_health import SystemHealth  # type: ignore[import-not-found, unused-ignore]

__all__ = [
    "AsyncDualPublisher",
    "AsyncHealthReporter",
    "AsyncPublisher",
    "AsyncRedisDeadLetters",
    "AsyncSubscriber",
    "Backoff",
    "CapacityScores",
    "ContractError",
    "DeadLetter",
    "DualPublisher",
    "HealthReporter",
    "KafkaDeadLetters",
    "KafkaPublisher",
    "KafkaSubscriber",
    "Metrics",
    "PublishError",
    "Publisher",
    "QuotesRealtime",
    "Received",
    "RedisDeadLetters",
    "Subscriber",
    "SystemHealth",
    "decode",
    "encode",
    "serve",
]
