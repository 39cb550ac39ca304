"""Kafka topic-level configuration: the one table of the configs Kafka documents, the check of a
declared value against it, and the settings a topic ends up with.

A manifest declares configs under ``transports.kafka.config`` (``retention.ms: 7d``,
``max.message.bytes: 25MiB``); ``registry.yaml`` gives registry-wide defaults under
``defaults.kafka``; the short manifest keys ``retention`` and ``cleanup_policy`` stand for
``retention.ms`` and ``cleanup.policy``. ``validate`` checks names and values with :func:`check`,
``generate kafka``, ``generate asyncapi`` and the docs read :func:`topic_settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opa_contracts import hints, units

INT_MAX = 2**31 - 1
LONG_MAX = 2**63 - 1
#: The short manifest keys and the config each stands for.
SHORTHANDS = {"retention": "retention.ms", "cleanup_policy": "cleanup.policy"}


@dataclass(frozen=True)
class Config:
    """One topic-level config as Kafka documents it (Apache Kafka 3.x/4.x topic configs)."""

    name: str
    type: str  # boolean, int, long, double, string, list
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()  # valid values of a string, or of each item of a list
    unit: str = ""  # "ms" or "bytes": durations and sizes are accepted and shown with units
    special: tuple[tuple[int, str], ...] = ()  # values with a meaning of their own (-1: unlimited)
    extra: tuple[int, ...] = ()  # valid values outside [low, high]


_MS, _B = "ms", "bytes"
_UNLIMITED = ((-1, "unlimited"),)
_AS_TOTAL = ((-2, "same as the total retention"),)

#: Every topic-level config, by name.
CONFIGS: dict[str, Config] = {
    c.name: c
    for c in (
        Config(
            "cleanup.policy",
            "list",
            "Retention policy of old segments: delete, compact, or both.",
            choices=("compact", "delete"),
        ),
        Config(
            "compression.gzip.level",
            "int",
            "Compression level when compression.type is gzip.",
            1,
            9,
            extra=(-1,),
        ),
        Config(
            "compression.lz4.level", "int", "Compression level when compression.type is lz4.", 1, 17
        ),
        Config(
            "compression.type",
            "string",
            "Final compression of the topic ('producer' keeps the producer's codec).",
            choices=("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
        ),
        Config(
            "compression.zstd.level",
            "int",
            "Compression level when compression.type is zstd.",
            -131072,
            22,
        ),
        Config(
            "delete.retention.ms",
            "long",
            "How long delete tombstones of a compacted topic are kept.",
            0,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "file.delete.delay.ms",
            "long",
            "Wait before a deleted segment file is removed from disk.",
            0,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "flush.messages",
            "long",
            "Messages written between two forced fsyncs of the log.",
            1,
            LONG_MAX,
        ),
        Config(
            "flush.ms", "long", "Time between two forced fsyncs of the log.", 0, LONG_MAX, unit=_MS
        ),
        Config(
            "follower.replication.throttled.replicas",
            "list",
            "Replicas throttled on the follower side (partition:broker pairs, or *).",
        ),
        Config(
            "index.interval.bytes",
            "int",
            "Bytes between two offset index entries.",
            0,
            INT_MAX,
            unit=_B,
        ),
        Config(
            "leader.replication.throttled.replicas",
            "list",
            "Replicas throttled on the leader side (partition:broker pairs, or *).",
        ),
        Config(
            "local.retention.bytes",
            "long",
            "Bytes kept on local disk before tiered segments are deleted locally.",
            -2,
            LONG_MAX,
            unit=_B,
            special=_AS_TOTAL,
        ),
        Config(
            "local.retention.ms",
            "long",
            "Time kept on local disk before tiered segments are deleted locally.",
            -2,
            LONG_MAX,
            unit=_MS,
            special=_AS_TOTAL,
        ),
        Config(
            "max.compaction.lag.ms",
            "long",
            "Longest a message stays ineligible for compaction.",
            1,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "max.message.bytes",
            "int",
            "Largest record batch the topic accepts.",
            0,
            INT_MAX,
            unit=_B,
        ),
        Config(
            "message.downconversion.enable",
            "boolean",
            "Whether the broker down-converts messages for old consumers (removed in Kafka 4.0).",
        ),
        Config(
            "message.format.version",
            "string",
            "Message format version (deprecated; ignored since Kafka 3.0, removed in 4.0).",
        ),
        Config(
            "message.timestamp.after.max.ms",
            "long",
            "How far a message timestamp may be ahead of the broker's clock.",
            0,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "message.timestamp.before.max.ms",
            "long",
            "How far a message timestamp may be behind the broker's clock.",
            0,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "message.timestamp.difference.max.ms",
            "long",
            "Largest gap between message and broker timestamps (deprecated).",
            0,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "message.timestamp.type",
            "string",
            "Whether the timestamp is the producer's or the broker's append time.",
            choices=("CreateTime", "LogAppendTime"),
        ),
        Config(
            "min.cleanable.dirty.ratio",
            "double",
            "Share of uncompacted log that triggers compaction.",
            0,
            1,
        ),
        Config(
            "min.compaction.lag.ms",
            "long",
            "Shortest a message stays uncompacted.",
            0,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "min.insync.replicas",
            "int",
            "Replicas that must acknowledge a write with acks=all.",
            1,
            INT_MAX,
        ),
        Config("preallocate", "boolean", "Whether segment files are preallocated on disk."),
        Config(
            "remote.log.copy.disable",
            "boolean",
            "Stop copying segments to tiered storage (reads stay possible).",
        ),
        Config(
            "remote.log.delete.on.disable",
            "boolean",
            "Delete tiered data when tiered storage is turned off.",
        ),
        Config("remote.storage.enable", "boolean", "Whether the topic uses tiered storage."),
        Config(
            "retention.bytes",
            "long",
            "Largest size a partition grows to before old segments are deleted.",
            -1,
            LONG_MAX,
            unit=_B,
            special=_UNLIMITED,
        ),
        Config(
            "retention.ms",
            "long",
            "How long messages are kept before old segments are deleted.",
            -1,
            LONG_MAX,
            unit=_MS,
            special=_UNLIMITED,
        ),
        Config(
            "segment.bytes", "int", "Size of one segment file of the log.", 14, INT_MAX, unit=_B
        ),
        Config(
            "segment.index.bytes",
            "int",
            "Size of the offset index of one segment.",
            4,
            INT_MAX,
            unit=_B,
        ),
        Config(
            "segment.jitter.ms",
            "long",
            "Random jitter subtracted from segment.ms.",
            0,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "segment.ms",
            "long",
            "Time after which a segment is rolled even if not full.",
            1,
            LONG_MAX,
            unit=_MS,
        ),
        Config(
            "unclean.leader.election.enable",
            "boolean",
            "Whether an out-of-sync replica may become leader (may lose data).",
        ),
    )
}


def check(name: str, value: Any) -> tuple[Any, str | None]:
    """``value`` of config ``name`` as Kafka reads it (an int, bool, float or string), or the
    problem, in words, with what would be accepted."""
    config = CONFIGS.get(name)
    if config is None:
        return None, f"{name!r} is not a Kafka topic config" + (
            hints.did_you_mean(name, CONFIGS) or " (see docs/manifest.md for the list)"
        )
    kind = config.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        return None, f"{name} is a boolean: true or false, not {_shown(value)}"
    if kind in ("int", "long"):
        number = value
        if isinstance(value, str) and config.unit == _MS:
            number = units.parse_duration(value)
        elif isinstance(value, str) and config.unit == _B:
            number = units.parse_size(value)
        if isinstance(number, bool) or not isinstance(number, int):
            forms = {
                _MS: "an integer of milliseconds or a duration (500ms, 30s, 15m, 12h, 7d, 2w)",
                _B: "an integer of bytes or a size (512KiB, 25MiB, 1GiB)",
            }.get(config.unit, "an integer")
            return None, f"{name} is {forms}, not {_shown(value)}"
        return _in_range(config, number)
    if kind == "double":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"{name} is a number, not {_shown(value)}"
        return _in_range(config, value)
    if kind == "string":
        if not isinstance(value, str):
            return None, f"{name} is a string, not {_shown(value)}"
        if config.choices and value not in config.choices:
            return None, f"{name} {value!r} is not one of {', '.join(config.choices)}"
        return value, None
    items = value if isinstance(value, list) else value.split(",") if isinstance(value, str) else []
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        return None, f"{name} is a list: a comma-separated string or a list of strings"
    items = [i.strip() for i in items]
    wrong = [i for i in items if config.choices and i not in config.choices]
    if wrong:
        return None, f"{name} {wrong[0]!r} is not one of {', '.join(config.choices)}"
    return ",".join(items), None


def _in_range(config: Config, number: float) -> tuple[Any, str | None]:
    if number in config.extra:
        return number, None
    low, high = config.low, config.high
    too_low = low is not None and number < low
    too_high = high is not None and number > high
    if not (too_low or too_high):
        return number, None
    if too_high and high in (INT_MAX, LONG_MAX):  # the limit of Kafka's integer type
        bound = f"at most {_num(high)}"
    elif high in (INT_MAX, LONG_MAX) or high is None:
        bound = f"at least {_num(low)}"
    else:
        bound = f"between {_num(low)} and {_num(high)}"
    if config.extra:
        bound += f" (or {', '.join(map(str, config.extra))})"
    return None, f"{config.name} {_num(number)} is out of range: it must be {bound}"


def kafka_value(value: Any) -> str:
    """A checked value as Kafka's config strings write it (``true``, ``604800000``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown(name: str, value: Any) -> str:
    """A checked value for people: ``7 days``, ``25 MiB``, ``unlimited``, ``zstd``."""
    config = CONFIGS.get(name)
    if config is None or isinstance(value, bool) or not isinstance(value, int):
        return kafka_value(value)
    meaning = dict(config.special).get(value)
    if meaning:
        return meaning
    if config.unit == _MS:
        return units.duration(value)
    if config.unit == _B:
        return units.size(value)
    return f"{value:,}"


@dataclass(frozen=True)
class Problem:
    """A config the manifest or registry.yaml declares that cannot be used."""

    kind: str  # "unknown", "value" or "duplicate"
    path: tuple[str, ...]  # keys from the kafka mapping to the offending entry
    message: str


@dataclass(frozen=True)
class TopicSettings:
    """What a topic is created with: partitions, replicas and configs, each from the manifest,
    else from ``registry.yaml`` (``None``: neither says; the plan's defaults apply)."""

    partitions: int | None = None
    replication_factor: int | None = None
    config: dict[str, Any] = field(default_factory=dict)  # checked values, sorted by name
    from_registry: frozenset[str] = frozenset()  # names (and "partitions"...) that are defaults


def declared(kafka: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The configs a manifest's ``transports.kafka`` declares (short keys included), checked."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for short, name in SHORTHANDS.items():
        if short in kafka:
            value, _ = check(name, kafka[short])
            if value is not None:  # a bad short key is the manifest schema's to report
                values[name] = value
    config = kafka.get("config")
    for name, raw in config.items() if isinstance(config, Mapping) else ():
        value, problem = check(name, raw)
        if problem is not None:
            kind = "unknown" if name not in CONFIGS else "value"
            problems.append(Problem(kind, ("config", name), problem))
            continue
        given = next((s for s, n in SHORTHANDS.items() if n == name and s in kafka), None)
        if given is not None:
            problems.append(
                Problem(
                    "duplicate",
                    ("config", name),
                    f"{name} is given twice, as transports.kafka.{given} and under config: "
                    "keep one",
                )
            )
            continue
        values[name] = value
    return values, problems


def topic_settings(kafka: Mapping[str, Any], defaults: TopicSettings) -> TopicSettings:
    """The settings of a topic: the manifest's ``transports.kafka`` over ``registry.yaml``'s
    ``defaults.kafka`` (``defaults``)."""
    values, _ = declared(kafka)
    merged = {**defaults.config, **values}
    from_registry = {n for n in defaults.config if n not in values}
    counts: dict[str, int | None] = {}
    for key in ("partitions", "replication_factor"):
        value = kafka.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            counts[key] = value
        else:
            counts[key] = getattr(defaults, key)
            if counts[key] is not None:
                from_registry.add(key)
    return TopicSettings(
        partitions=counts["partitions"],
        replication_factor=counts["replication_factor"],
        config=dict(sorted(merged.items())),
        from_registry=frozenset(from_registry),
    )


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    return str(value)


def _num(value: float | None) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)
