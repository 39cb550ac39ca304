"""Synthetic registries for benchmarks: N channels x M versions of valid, realistic manifests.

The manifests are modelled on the three bundled channels (quotes.realtime, capacity.scores,
system.health): strings with patterns, bounded numbers, enums, date-time, nested objects, arrays,
optional fields, local and shared ``$ref``s, Kafka bindings, examples and invalid examples with
``fails_at``/``keyword``, descriptions in Spanish. Output depends only on the arguments (the same
seed gives the same bytes), and ``opa-contracts validate`` finds 0 errors and 0 warnings in it.

Versions 1.0.0, 1.1.0, 1.2.0... of a channel differ by backward-compatible changes: each adds one
optional, described property at the top level. So that this stays compatible under every mode a
channel declares, closed payloads (``additionalProperties: false``) get BACKWARD or
BACKWARD_TRANSITIVE, and open payloads get ``open_content_policy: LENIENT`` with BACKWARD, FULL or
FULL_TRANSITIVE (under STRICT, a property added to an open object is a break).

    python benchmarks/synthetic.py OUT --channels 1000 --versions 3 [--seed 0]
    python benchmarks/synthetic.py OUT --mutate 100 [--seed 1]     # edit an existing registry
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Json = Any
HEADER = "# yaml-language-server: $schema=../../src/opa_contracts/schemas/manifest-v1.schema.json\n"
SHARED_DIR = "_shared"
SHARED_FILE = "tipos.yaml"
SHARED_REF = f"../{SHARED_DIR}/{SHARED_FILE}#/definitions"

try:  # libyaml writes several times faster; the text is the same for this data either way
    _BaseDumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseDumper = yaml.SafeDumper


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Safe dumper that writes control characters as escapes ("AAPL\\n"), not folded lines,
    and repeats shared values instead of writing anchors and aliases, as people do."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(ch < " " for ch in value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


# --------------------------------------------------------------------------------------------
# Fields: a property's schema, values that satisfy it, and values that must be rejected
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invalid:
    """A value the field's schema must reject, at ``sub`` below the field, by ``keyword``."""

    label: str
    value: Json
    keyword: str
    reason: str
    sub: str = ""


@dataclass(frozen=True)
class Field:
    """One payload property."""

    name: str
    schema: Json
    values: tuple[Json, ...]
    invalid: tuple[Invalid, ...]
    definitions: dict[str, Json] = field(default_factory=dict)  # local #/definitions it needs


TICKERS = ("AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "TSLA", "META", "SAN", "BBVA", "ITX", "IBE")
SERVICES = ("opa-quotes-streamer", "opa-capacity-api", "opa-risk-engine", "opa-ledger-sync")


def _timestamp(rng: random.Random) -> str:
    day, hour, minute, second = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), 0
    frac = rng.choice(("", ".123", ".000", ".5"))
    return f"2026-{rng.randint(1, 12):02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{frac}Z"


def _uuid(rng: random.Random) -> str:
    hexa = f"{rng.getrandbits(128):032x}"
    return f"{hexa[:8]}-{hexa[8:12]}-{hexa[12:16]}-{hexa[16:20]}-{hexa[20:]}"


def f_ticker(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "ticker",
        {
            "type": "string",
            "description": "Símbolo del ticker (ej: AAPL, MSFT)",
            "pattern": "^[A-Z]{1,5}$",
        },
        (rng.choice(TICKERS), rng.choice(TICKERS)),
        (
            Invalid("lowercase", "aapl", "pattern", "el ticker son 1 a 5 letras mayúsculas"),
            Invalid("six-letters", "ABCDEF", "pattern", "el ticker tiene como máximo 5 letras"),
            Invalid("trailing-newline", "AAPL\n", "pattern", "$ no admite un salto de línea final"),
            Invalid("number", 42, "type", "el ticker es un texto"),
        ),
    )


def f_service(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "service",
        {
            "type": "string",
            "description": "Nombre del servicio que emite el evento",
            "pattern": "^opa-[a-z-]+$",
        },
        (rng.choice(SERVICES), rng.choice(SERVICES)),
        (
            Invalid("without-prefix", "quotes-streamer", "pattern", "el servicio empieza por opa-"),
            Invalid("with-digits", "opa-api2", "pattern", "solo letras minúsculas y guiones"),
        ),
    )


def f_reported_by(rng: random.Random, shared: bool) -> Field:
    schema: Json = {"type": "string", "description": "Servicio que detectó la situación"}
    schema["pattern"] = "^opa-[a-z-]+$"
    return Field(
        "reported_by",
        {"$ref": f"{SHARED_REF}/servicio"} if shared else schema,
        (rng.choice(SERVICES), rng.choice(SERVICES)),
        (Invalid("with-digits", "opa-api2", "pattern", "solo letras minúsculas y guiones"),),
    )


def f_event_id(rng: random.Random, shared: bool) -> Field:
    del shared
    pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    return Field(
        "event_id",
        {
            "type": "string",
            "description": "Identificador único del evento (UUID)",
            "pattern": pattern,
        },
        (_uuid(rng), _uuid(rng)),
        (
            Invalid("short", "abc123", "pattern", "un UUID tiene 36 caracteres"),
            Invalid("uppercase", _uuid(rng).upper(), "pattern", "el UUID va en minúsculas"),
        ),
    )


def f_account_id(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "account_id",
        {"type": "integer", "description": "Número de cuenta del cliente", "minimum": 1},
        (rng.randint(1, 999_999), rng.randint(1, 999_999)),
        (
            Invalid("zero", 0, "minimum", "las cuentas empiezan en 1"),
            Invalid("as-string", "1234", "type", "el número de cuenta es un entero, no un texto"),
        ),
    )


def f_timestamp(rng: random.Random, shared: bool) -> Field:
    schema: Json = {"type": "string", "format": "date-time"}
    schema["description"] = "Marca temporal UTC en formato ISO 8601 (RFC 3339)"
    return Field(
        "timestamp",
        {"$ref": f"{SHARED_REF}/marca_temporal"} if shared else schema,
        (_timestamp(rng), _timestamp(rng)),
        (
            Invalid(
                "without-zone", "2026-01-20T14:30:00", "format", "date-time exige zona horaria"
            ),
            Invalid(
                "with-space",
                "2026-01-20 14:30:00Z",
                "format",
                "RFC 3339 separa con T, no con espacio",
            ),
        ),
    )


def f_trade_date(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "trade_date",
        {"type": "string", "format": "date", "description": "Fecha de negociación (AAAA-MM-DD)"},
        (f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "2026-02-28"),
        (Invalid("month-13", "2026-13-01", "format", "no existe el mes 13"),),
    )


def f_price(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "price",
        {"type": "number", "description": "Precio de la última operación", "minimum": 0},
        (round(rng.uniform(1, 900), 2), 0),
        (
            Invalid("negative", -0.01, "minimum", "price >= 0"),
            Invalid("as-string", "185.50", "type", "el precio es un número, no un texto"),
        ),
    )


def f_score(rng: random.Random, shared: bool) -> Field:
    del shared
    schema = {"type": "number", "description": "Puntuación calculada [0-100]", "minimum": 0}
    return Field(
        "score",
        {**schema, "maximum": 100},
        (round(rng.uniform(0, 100), 1), 100),
        (
            Invalid("over-100", 100.5, "maximum", "score <= 100"),
            Invalid("negative", -1, "minimum", "score >= 0"),
            Invalid("boolean", True, "type", "true no es un número"),
        ),
    )


def f_confidence(rng: random.Random, shared: bool) -> Field:
    del shared
    schema = {"type": "number", "description": "Nivel de confianza [0-1]", "minimum": 0}
    return Field(
        "confidence",
        {**schema, "maximum": 1},
        (round(rng.random(), 2), 1),
        (
            Invalid("over-1", 1.01, "maximum", "confidence <= 1"),
            Invalid("negative", -0.1, "minimum", "confidence >= 0"),
        ),
    )


def f_volume(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "volume",
        {"type": "integer", "description": "Volumen acumulado del día", "minimum": 0},
        (rng.randint(0, 50_000_000), 0),
        (
            Invalid("fractional", 1.5, "type", "el volumen es entero"),
            Invalid("negative", -1, "minimum", "volume >= 0"),
        ),
    )


def f_quantity(rng: random.Random, shared: bool) -> Field:
    del shared
    schema = {"type": "integer", "description": "Cantidad de títulos de la orden", "minimum": 1}
    return Field(
        "quantity",
        {**schema, "maximum": 1_000_000},
        (rng.randint(1, 5000), 1_000_000),
        (
            Invalid("zero", 0, "minimum", "una orden tiene al menos un título"),
            Invalid("too-large", 1_000_001, "maximum", "máximo un millón de títulos"),
        ),
    )


def _enum_field(name: str, description: str, values: tuple[str, ...], wrong: str) -> Field:
    return Field(
        name,
        {"type": "string", "description": description, "enum": list(values)},
        (values[0], values[-1]),
        (Invalid("unknown", wrong, "enum", f"{name} es {', '.join(values)}"),),
    )


def f_status(rng: random.Random, shared: bool) -> Field:
    del rng, shared
    return _enum_field("status", "Estado del servicio", ("healthy", "degraded", "unhealthy"), "ok")


def f_side(rng: random.Random, shared: bool) -> Field:
    del rng, shared
    return _enum_field(
        "side", "Dirección de la operación (compra o venta)", ("buy", "sell"), "hold"
    )


def f_source(rng: random.Random, shared: bool) -> Field:
    del rng, shared
    values = ("yfinance", "alpaca", "polygon")
    return _enum_field("source", "Fuente de datos del mercado", values, "bloomberg")


def f_preliminary(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "preliminary",
        {"type": "boolean", "description": "Indica si el dato es provisional"},
        (rng.random() < 0.5, False),
        (Invalid("as-string", "true", "type", "es un booleano, no un texto"),),
    )


def f_model_version(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "model_version",
        {
            "type": "string",
            "description": "Versión del modelo usado (ej: v1.2.3)",
            "pattern": "^v[0-9]+\\.[0-9]+\\.[0-9]+$",
        },
        (f"v1.{rng.randint(0, 9)}.{rng.randint(0, 20)}", "v2.0.0"),
        (Invalid("without-v", "1.2.3", "pattern", "la versión empieza por v"),),
    )


def f_comment(rng: random.Random, shared: bool) -> Field:
    del shared
    phrases = ("Revisión manual pendiente", "Cálculo repetido tras corrección", "Sin incidencias")
    return Field(
        "comment",
        {"type": "string", "description": "Comentario libre del analista", "maxLength": 280},
        (rng.choice(phrases), ""),
        (Invalid("too-long", "x" * 281, "maxLength", "como máximo 280 caracteres"),),
    )


def f_tags(rng: random.Random, shared: bool) -> Field:
    del shared
    words = ("intradia", "cierre", "apertura", "ajuste", "manual", "batch")
    return Field(
        "tags",
        {
            "type": "array",
            "description": "Etiquetas de clasificación (sin repetir)",
            "items": {"type": "string", "pattern": "^[a-z]+$"},
            "maxItems": 5,
            "uniqueItems": True,
        },
        (rng.sample(words, 2), []),
        (
            Invalid("too-many", ["a", "b", "c", "d", "e", "f"], "maxItems", "como máximo 5"),
            Invalid("repeated", ["cierre", "cierre"], "uniqueItems", "sin etiquetas repetidas"),
            Invalid("uppercase-item", ["Cierre"], "pattern", "minúsculas", "/0"),
        ),
    )


def f_details(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "details",
        {
            "type": "object",
            "description": "Detalles adicionales del servicio",
            "properties": {
                "uptime_seconds": {
                    "type": "integer",
                    "description": "Segundos desde el último arranque",
                    "minimum": 0,
                },
                "memory_mb": {"type": "number", "description": "Memoria en uso, en MB"},
                "cpu_percent": {
                    "type": "number",
                    "description": "Uso de CPU (porcentaje)",
                    "minimum": 0,
                    "maximum": 100,
                },
            },
        },
        (
            {"uptime_seconds": rng.randint(0, 10**6), "memory_mb": 256, "cpu_percent": 15.5},
            {},
        ),
        (
            Invalid("not-object", "ok", "type", "details es un objeto"),
            Invalid(
                "fractional-uptime", {"uptime_seconds": 1.5}, "type", "entero", "/uptime_seconds"
            ),
            Invalid("cpu-over-100", {"cpu_percent": 101}, "maximum", "<= 100", "/cpu_percent"),
        ),
    )


def f_location(rng: random.Random, shared: bool) -> Field:
    del shared
    return Field(
        "location",
        {
            "type": "object",
            "description": "Ubicación del centro de datos",
            "required": ["lat", "lon"],
            "properties": {
                "lat": {"type": "number", "description": "Latitud", "minimum": -90, "maximum": 90},
                "lon": {
                    "type": "number",
                    "description": "Longitud",
                    "minimum": -180,
                    "maximum": 180,
                },
            },
        },
        (
            {"lat": round(rng.uniform(-90, 90), 4), "lon": round(rng.uniform(-180, 180), 4)},
            {"lat": 40.4168, "lon": -3.7038},
        ),
        (
            Invalid("lat-over-90", {"lat": 91, "lon": 0}, "maximum", "latitud <= 90", "/lat"),
            Invalid("without-lon", {"lat": 40}, "required", "lon es obligatoria"),
        ),
    )


def f_amount(rng: random.Random, shared: bool) -> Field:
    del shared
    money = {
        "type": "object",
        "description": "Importe con su divisa",
        "required": ["value", "currency"],
        "properties": {
            "value": {"type": "number", "description": "Valor del importe", "minimum": 0},
            "currency": {
                "type": "string",
                "description": "Código de divisa ISO 4217",
                "pattern": "^[A-Z]{3}$",
            },
        },
    }
    return Field(
        "amount",
        {"$ref": "#/definitions/money"},
        (
            {"value": round(rng.uniform(1, 10_000), 2), "currency": "EUR"},
            {"value": 0, "currency": "USD"},
        ),
        (
            Invalid(
                "lowercase-currency",
                {"value": 1, "currency": "eur"},
                "pattern",
                "ISO 4217",
                "/currency",
            ),
            Invalid("without-currency", {"value": 1}, "required", "currency es obligatoria"),
        ),
        {"money": money},
    )


# Kafka-key candidates (string or integer, always required) and the other fields.
KEY_FIELDS: tuple[Callable[[random.Random, bool], Field], ...] = (
    f_ticker,
    f_service,
    f_event_id,
    f_account_id,
)
BODY_FIELDS: tuple[Callable[[random.Random, bool], Field], ...] = (
    f_trade_date,
    f_price,
    f_score,
    f_confidence,
    f_volume,
    f_quantity,
    f_status,
    f_side,
    f_source,
    f_preliminary,
    f_model_version,
    f_comment,
    f_tags,
    f_details,
    f_location,
    f_amount,
    f_reported_by,
)

# One optional property added per minor version (backward compatible).
EXTENSIONS: tuple[tuple[str, Json, Json], ...] = (
    (
        "latency_ms",
        {"type": "number", "description": "Latencia de publicación en ms", "minimum": 0},
        3.2,
    ),
    (
        "region",
        {"type": "string", "description": "Región de origen", "enum": ["eu-west", "us-east"]},
        "eu-west",
    ),
    ("attempt", {"type": "integer", "description": "Número de intento de envío", "minimum": 1}, 1),
    (
        "correlation_id",
        {"type": "string", "description": "Identificador de correlación", "maxLength": 64},
        "c-7f3a",
    ),
    ("origin_host", {"type": "string", "description": "Máquina que generó el evento"}, "node-3"),
    (
        "sequence",
        {"type": "integer", "description": "Número de secuencia por clave", "minimum": 0},
        17,
    ),
    ("is_replay", {"type": "boolean", "description": "El mensaje es una repetición"}, False),
)

DOMAINS = ("quotes", "capacity", "risk", "orders", "ledger", "pricing", "alerts", "market")
EVENTS = (
    "price_updated",
    "score_computed",
    "order_filled",
    "limit_breached",
    "snapshot_ready",
    "position_changed",
    "heartbeat",
    "report_published",
)
ROLES = ("streamer", "compute", "api", "engine", "sync", "publisher")
TOPICS_ES = (
    "cotizaciones",
    "capacidad",
    "riesgo",
    "órdenes",
    "contabilidad",
    "precios",
    "alertas",
    "mercado",
)


# --------------------------------------------------------------------------------------------
# Channels and manifests
# --------------------------------------------------------------------------------------------


@dataclass
class Channel:
    """Everything a channel's manifests are built from."""

    name: str
    domain: str
    index: int
    key: Field
    required: list[Field]
    optional: list[Field]
    extensions: list[tuple[str, Json, Json]]
    closed: bool
    compatibility: str
    rng_seed: int
    legacy_field: bool  # one undescribed property, silenced with lint.ignore (as in the bundle)


def _channel(index: int, seed: int) -> Channel:
    rng = random.Random(f"{seed}:{index}")
    domain = DOMAINS[index % len(DOMAINS)]
    name = f"{domain}{index // len(DOMAINS)}.{rng.choice(EVENTS)}"
    shared = rng.random() < 0.3
    key = rng.choice(KEY_FIELDS)(rng, False)  # the Kafka key needs an inline type
    body = [make(rng, shared) for make in rng.sample(BODY_FIELDS, rng.randint(3, 7))]
    n_required = rng.randint(1, max(1, len(body) - 1))
    required = [key, f_timestamp(rng, shared), *body[:n_required]]
    extensions = rng.sample(EXTENSIONS, len(EXTENSIONS))
    closed = rng.random() < 0.4
    modes = (
        ("BACKWARD", "BACKWARD_TRANSITIVE") if closed else ("BACKWARD", "FULL", "FULL_TRANSITIVE")
    )
    return Channel(
        name=name,
        domain=domain,
        index=index,
        key=key,
        required=required,
        optional=body[n_required:],
        extensions=extensions,
        closed=closed,
        compatibility=rng.choice(modes),
        rng_seed=rng.getrandbits(32),
        legacy_field=rng.random() < 0.1,
    )


def _extension(channel: Channel, k: int) -> tuple[str, Json, Json]:
    if k < len(channel.extensions):
        return channel.extensions[k]
    return (
        f"attribute_{k}",
        {"type": "string", "description": f"Atributo añadido en 1.{k + 1}.0"},
        "sí",
    )


def manifest(channel: Channel, minor: int, versions: int) -> dict[str, Json]:
    """The manifest of ``channel`` version 1.<minor>.0 (of ``versions`` in all)."""
    rng = random.Random(channel.rng_seed)
    fields = channel.required + channel.optional
    topic = TOPICS_ES[DOMAINS.index(channel.domain)]
    properties: dict[str, Json] = {f.name: f.schema for f in fields}
    definitions: dict[str, Json] = {}
    for f in fields:
        definitions.update(f.definitions)
    extra_values: dict[str, Json] = {}
    for k in range(minor):
        name, ext_schema, value = _extension(channel, k)
        properties[name] = ext_schema
        extra_values[name] = value
    if channel.legacy_field:
        properties["legacy_code"] = {"type": "string"}
    schema: dict[str, Json] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": [f.name for f in channel.required],
        "properties": properties,
    }
    if channel.closed:
        schema["additionalProperties"] = False
    if definitions:
        schema["definitions"] = definitions

    data: dict[str, Json] = {
        "apiVersion": "opa-contracts/v1",
        "channel": channel.name,
        "version": f"1.{minor}.0",
        "status": "deprecated" if minor == 0 and versions >= 3 else "active",
        "summary": f"Eventos de {topic} ({channel.name.split('.')[1].replace('_', ' ')})",
        "description": f"Distribuir los eventos de {topic} del dominio {channel.domain} a los "
        "servicios que los consumen; el publicador valida cada mensaje antes de enviarlo.",
        "owner": f"Equipo {channel.domain} (OPA-{100 + channel.index})",
        "publisher": f"opa-{channel.domain}-{rng.choice(ROLES)}",
        "subscribers": _subscribers(rng),
        "compatibility": channel.compatibility,
    }
    if not channel.closed:
        data["open_content_policy"] = "LENIENT"
    data["policies"] = _policies(rng)
    # Kafka settings that suit the mode (validate's migration guard): a retention window is
    # replayed by new consumers (transitive modes only); a compacted topic needs FULL_TRANSITIVE
    key_is_null = rng.random() < 0.1
    kafka: dict[str, Json] = {
        "topic": f"opa.{channel.name}",
        "key": None if key_is_null else channel.key.name,
        "partitions": rng.choice((1, 3, 6, 12)),
    }
    if rng.random() < 0.3:
        kafka["replication_factor"] = 3
    compact = channel.compatibility == "FULL_TRANSITIVE" and not key_is_null and rng.random() < 0.5
    if channel.compatibility.endswith("_TRANSITIVE") and rng.random() < 0.6:
        kafka["retention"] = rng.choice(("7d", "3d", "24h", "2w"))
    kafka["cleanup_policy"] = "compact" if compact else "delete"
    data["transports"] = {"redis": {"channel": channel.name}, "kafka": kafka}
    if channel.legacy_field:
        data["lint"] = {
            "ignore": [
                {
                    "rule": "property-description",
                    "pointer": "/schema/properties/legacy_code",
                    "reason": "Campo heredado del sistema anterior; se documentará en la 2.0.0.",
                }
            ]
        }
    data["schema"] = schema
    full = {f.name: f.values[0] for f in fields} | extra_values
    minimal = {f.name: f.values[1] for f in channel.required}
    data["examples"] = [
        {
            "name": "full-message",
            "description": "Un mensaje con todos los campos.",
            "payload": full,
        },
        {
            "name": "required-only",
            "description": "Solo los campos obligatorios.",
            "payload": minimal,
        },
    ]
    data["invalid_examples"] = _invalid_examples(channel, minimal, rng)
    return data


def _subscribers(rng: random.Random) -> list[Json]:
    pool: list[Json] = [
        "opa-capacity-api",
        "opa-risk-engine",
        "opa-audit-log",
        {
            "name": "opa-prediction-*",
            "planned": True,
            "description": "Servicios de predicción (futuro)",
        },
        {"name": "dashboards", "external": True, "description": "Paneles de control"},
        {"name": "alerting", "external": True, "description": "Sistemas de alertas"},
    ]
    return rng.sample(pool, rng.randint(1, 4))


def _policies(rng: random.Random) -> dict[str, Json]:
    kind = rng.choice(("realtime", "batch", "heartbeat"))
    if kind == "realtime":
        low = rng.choice((10, 50, 100))
        return {
            "persistence": "none",
            "throughput": {"min": low, "max": low * 3, "per": "second", "note": "Fase 2"},
            "latency_target_ms": rng.choice((20, 50, 100)),
        }
    if kind == "batch":
        hour = rng.randint(0, 23)
        return {
            "persistence": "none",
            "throughput": {"approx": rng.randint(10, 1000), "per": "day", "note": "lote diario"},
            "schedule": {
                "cron": f"0 {hour} * * *",
                "timezone": "UTC",
                "description": f"Diaria ({hour:02d}:00 UTC)",
            },
        }
    return {
        "persistence": "none",
        "throughput": {"approx": 16, "per": "minute", "note": "~8 servicios × 2/min"},
        "heartbeat": "30s",
    }


def _invalid_examples(
    channel: Channel, minimal: dict[str, Json], rng: random.Random
) -> list[dict[str, Json]]:
    missing = rng.choice(channel.required[1:])
    out: list[dict[str, Json]] = [
        {
            "name": f"missing-{missing.name.replace('_', '-')}",
            "reason": f"{missing.name} es obligatorio",
            "fails_at": "",
            "keyword": "required",
            "payload": {k: v for k, v in minimal.items() if k != missing.name},
        },
        {
            "name": "not-an-object",
            "reason": "el mensaje es un objeto JSON",
            "fails_at": "",
            "keyword": "type",
            "payload": list(minimal.values())[:2],
        },
    ]
    if channel.closed:
        out.append(
            {
                "name": "unknown-property",
                "reason": "el esquema no admite propiedades no declaradas",
                "fails_at": "",
                "keyword": "additionalProperties",
                "payload": minimal | {"unexpected": 1},
            }
        )
    for f in channel.required + channel.optional:
        for bad in f.invalid[: rng.randint(1, len(f.invalid))]:
            out.append(
                {
                    "name": f"{f.name.replace('_', '-')}-{bad.label}",
                    "reason": bad.reason,
                    "fails_at": f"/{f.name}{bad.sub}",
                    "keyword": bad.keyword,
                    "payload": minimal | {f.name: bad.value},
                }
            )
    return out


SHARED_TYPES: dict[str, Json] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "description": "Tipos compartidos por varios canales.",
    "definitions": {
        "marca_temporal": {
            "type": "string",
            "format": "date-time",
            "description": "Marca temporal UTC en formato ISO 8601 (RFC 3339)",
        },
        "servicio": {
            "type": "string",
            "pattern": "^opa-[a-z-]+$",
            "description": "Nombre del servicio que emite el evento",
        },
    },
}

REGISTRY = """\
# yaml-language-server: $schema=../src/opa_contracts/schemas/registry-v1.schema.json
apiVersion: opa-contracts/v1
name: Registro sintético ({channels} canales × {versions} versiones, semilla {seed})
defaults:
  compatibility: BACKWARD
  open_content_policy: STRICT
naming:
  channel: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'
  service: '^opa-[a-z-]+$'
  kafka_topic: 'opa.{{channel}}'
migration:
  kafka: planned
"""


def dump(data: Json) -> str:
    """YAML text in the bundled manifests' style: block structure, flow leaves, UTF-8."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=110,
    )
    return text


def write_manifest(path: Path, data: Json, note: str = "") -> None:
    """Write one manifest file with the editor header line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    comment = f"# {note}\n" if note else ""
    path.write_text(HEADER + comment + dump(data), encoding="utf-8")


def write_registry(root: Path, channels: int, versions: int = 3, seed: int = 0) -> None:
    """Write a registry of ``channels`` channels with ``versions`` versions each under ``root``."""
    if channels < 1 or versions < 1:
        raise ValueError("channels and versions must be at least 1")
    root.mkdir(parents=True, exist_ok=True)
    (root / "registry.yaml").write_text(
        REGISTRY.format(channels=channels, versions=versions, seed=seed), encoding="utf-8"
    )
    shared = root / SHARED_DIR / SHARED_FILE
    shared.parent.mkdir(exist_ok=True)
    shared.write_text(dump(SHARED_TYPES), encoding="utf-8")
    for index in range(channels):
        channel = _channel(index, seed)
        for minor in range(versions):
            data = manifest(channel, minor, versions)
            write_manifest(root / channel.name / f"{data['version']}.yaml", data)


# --------------------------------------------------------------------------------------------
# Mutations: a new version file per channel, compatible or breaking
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One edit made by :func:`mutate_channels`."""

    channel: str
    old_version: str
    new_version: str
    kind: str  # "compatible" or "breaking"
    change: str  # what changed, in the words of a diff rule
    path: Path


_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _latest(folder: Path) -> tuple[tuple[int, int, int], Path] | None:
    found = []
    for path in folder.glob("*.yaml"):
        match = _SEMVER.match(path.stem)
        if match:
            major, minor, patch = (int(g) for g in match.groups())
            found.append(((major, minor, patch), path))
    return max(found) if found else None


def _load(path: Path) -> dict[str, Json]:
    # The tool's own reader: YAML 1.2 booleans, timestamps kept as strings, like validate.
    from opa_contracts.yamlsource import parse, read_text

    text = read_text(path)
    doc = parse(path, text) if isinstance(text, str) else text
    if not hasattr(doc, "data") or not isinstance(doc.data, dict):
        raise ValueError(f"{path}: not a readable manifest")
    data: dict[str, Json] = doc.data
    return data


def mutate_channels(
    root: Path,
    count: int,
    seed: int = 0,
    *,
    breaking_ratio: float = 0.5,
    bump_major: bool = False,
) -> list[Mutation]:
    """Add a new version file to ``count`` channels of the registry at ``root``.

    A compatible edit adds an optional, described property (minor bump). A breaking edit adds a
    required property, which old messages lack, so it breaks every mode that includes BACKWARD
    (all the modes :func:`write_registry` assigns); it takes a minor bump, i.e. a break the tool
    must flag, unless ``bump_major`` asks for a properly versioned major release. Every new file
    still validates clean. The previous files are left untouched (released versions are immutable).
    """
    rng = random.Random(f"mutate:{seed}")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    if count > len(folders):
        raise ValueError(f"asked to mutate {count} channels, the registry has {len(folders)}")
    done: list[Mutation] = []
    for folder in sorted(rng.sample(folders, count)):
        latest = _latest(folder)
        if latest is None:
            continue
        (major, minor, _), path = latest
        data = _load(path)
        breaking = rng.random() < breaking_ratio
        schema = data["schema"]
        name = f"field_{rng.getrandbits(24):06x}"
        if breaking:
            schema["properties"][name] = {
                "type": "string",
                "description": "Campo nuevo y obligatorio (rompe la compatibilidad)",
                "minLength": 1,
            }
            schema["required"] = [*schema.get("required", []), name]
            for example in data.get("examples", []):
                if isinstance(example.get("payload"), dict):
                    example["payload"][name] = "valor"
            for example in data.get("invalid_examples", []):
                payload = example.get("payload")
                if isinstance(payload, dict) and example.get("keyword") != "additionalProperties":
                    payload[name] = "valor"
            data.setdefault("invalid_examples", []).append(
                {
                    "name": f"missing-{name.replace('_', '-')}",
                    "reason": f"{name} es obligatorio desde esta versión",
                    "fails_at": "",
                    "keyword": "required",
                    "payload": {},
                }
            )
            change = "required-property-added"
        else:
            schema["properties"][name] = {
                "type": "string",
                "description": "Campo nuevo y opcional",
                "maxLength": 64,
            }
            examples = data.get("examples") or []
            if examples and isinstance(examples[0].get("payload"), dict):
                examples[0]["payload"][name] = "valor"
            change = "optional-property-added"
        new = f"{major + 1}.0.0" if breaking and bump_major else f"{major}.{minor + 1}.0"
        old = data["version"]
        data["version"] = new
        data["status"] = "active"
        target = folder / f"{new}.yaml"
        write_manifest(target, data, f"mutated from {old}: {change}")
        done.append(
            Mutation(
                data["channel"], old, new, "breaking" if breaking else "compatible", change, target
            )
        )
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="registry folder to write (or to mutate)")
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--mutate", type=int, metavar="N", help="add a new version to N channels of OUT instead"
    )
    args = parser.parse_args(argv)
    if args.mutate is not None:
        for m in mutate_channels(args.out, args.mutate, args.seed):
            print(f"{m.channel}: {m.old_version} -> {m.new_version} {m.kind} ({m.change})")
        return 0
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty; choose a new folder", file=sys.stderr)
        return 2
    write_registry(args.out, args.channels, args.versions, args.seed)
    print(f"wrote {args.channels} channels x {args.versions} versions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
