"""Channel metadata as typed constants: names, versions, payload encoding, Redis channel, Kafka
topic and key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class ContractVersion:
    """One version of a channel's contract, and where its model and schema live."""

    channel: str
    version: str
    status: str
    summary: str
    module: str
    model: str
    schema_file: str
    dialect: str
    encoding: str
    """The payload's encoding on the wire: ``json`` or ``msgpack``."""
    redis_channel: str | None
    kafka_topic: str | None
    kafka_key: str | None
    """The payload property that is the Kafka key (None: no key, or a key schema of its own)."""
    kafka_key_schema: str | None
    """The Kafka key's own JSON Schema, as JSON text (None: the key is no contract of its own)."""
    kafka_key_encoding: str | None
    """How a key with its own schema travels: ``string`` (raw UTF-8) or ``json`` (compact)."""
    kafka_partitions: int | None
    kafka_cleanup_policy: str | None
    reads: tuple[tuple[str, tuple[str, ...] | None], ...] = ()
    """Each subscriber with the fields it declares it reads (JSON pointers; ``None``: it
    declares none, so it reads everything): what ``tracing.ReadRecorder.undeclared`` checks."""


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel: its description and every version, oldest first."""

    name: str
    summary: str
    description: str
    compatibility: str
    latest: str
    versions: tuple[ContractVersion, ...]

    def get(self, version: str | None = None) -> ContractVersion | None:
        """The contract at ``version``, the latest one when None; None when unknown."""
        wanted = self.latest if version is None else version
        return next((v for v in self.versions if v.version == wanted), None)


CAPACITY_SCORES: Final = Channel(
    name="capacity.scores",
    summary="Scoring de capacidad M&A",
    description="Distribuir scores de capacidad cuando se recalculan.",
    compatibility="BACKWARD_TRANSITIVE",
    latest="1.0.0",
    versions=(
        ContractVersion(
            channel="capacity.scores",
            version="1.0.0",
            status="active",
            summary="Scoring de capacidad M&A",
            module="opa_events.capacity_scores.v1_0_0",
            model="CapacityScores",
            schema_file="schemas/capacity_scores/1.0.0.json",
            dialect="draft-07",
            encoding="json",
            redis_channel="capacity.scores",
            kafka_topic="opa.capacity.scores",
            kafka_key="ticker",
            kafka_key_schema=None,
            kafka_key_encoding=None,
            kafka_partitions=3,
            kafka_cleanup_policy="delete",
            reads=(
                (
                    "opa-prediction-*",
                    ("/ticker", "/timestamp", "/score", "/confidence", "/model_version"),
                ),
                ("dashboards", None),
                ("alerting", None),
            ),
        ),
    ),
)

QUOTES_REALTIME: Final = Channel(
    name="quotes.realtime",
    summary="Cotizaciones en tiempo real",
    description="Distribuir quotes de mercado en tiempo real a consumidores.",
    compatibility="BACKWARD",
    latest="1.0.0",
    versions=(
        ContractVersion(
            channel="quotes.realtime",
            version="1.0.0",
            status="active",
            summary="Cotizaciones en tiempo real",
            module="opa_events.quotes_realtime.v1_0_0",
            model="QuotesRealtime",
            schema_file="schemas/quotes_realtime/1.0.0.json",
            dialect="draft-07",
            encoding="json",
            redis_channel="quotes.realtime",
            kafka_topic="opa.quotes.realtime",
            kafka_key="ticker",
            kafka_key_schema=None,
            kafka_key_encoding=None,
            kafka_partitions=6,
            kafka_cleanup_policy="delete",
            reads=(
                ("opa-capacity-api", ("/ticker", "/timestamp", "/price", "/volume", "/source")),
                ("opa-prediction-*", ("/ticker", "/timestamp", "/price", "/volume")),
                ("alerting", None),
            ),
        ),
    ),
)

SYSTEM_HEALTH: Final = Channel(
    name="system.health",
    summary="Health checks y estado de servicios",
    description="Heartbeats y cambios de estado de servicios.",
    compatibility="FULL_TRANSITIVE",
    latest="1.0.0",
    versions=(
        ContractVersion(
            channel="system.health",
            version="1.0.0",
            status="active",
            summary="Health checks y estado de servicios",
            module="opa_events.system_health.v1_0_0",
            model="SystemHealth",
            schema_file="schemas/system_health/1.0.0.json",
            dialect="draft-07",
            encoding="json",
            redis_channel="system.health",
            kafka_topic="opa.system.health",
            kafka_key="service",
            kafka_key_schema=None,
            kafka_key_encoding=None,
            kafka_partitions=1,
            kafka_cleanup_policy="compact",
            reads=(("monitoring", None), ("dashboards", None)),
        ),
    ),
)

CHANNELS: Final[Mapping[str, Channel]] = MappingProxyType(
    {
        CAPACITY_SCORES.name: CAPACITY_SCORES,
        QUOTES_REALTIME.name: QUOTES_REALTIME,
        SYSTEM_HEALTH.name: SYSTEM_HEALTH,
    }
)
"""Every channel by name (``"quotes.realtime"``)."""
