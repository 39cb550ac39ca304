"""Kafka migration guard: the topic plan is checked before the move, not discovered after it."""

from __future__ import annotations

from typing import Any

from opa_contracts import kafka_config
from opa_contracts.kafka_key import key_of
from opa_contracts.loader import SourceFile
from opa_contracts.pointer import join
from opa_contracts.rules import catalog as rc
from opa_contracts.semver import Version
from opa_contracts.validate.context import Context

_REPLAY_SAFE = frozenset({"BACKWARD_TRANSITIVE", "FULL_TRANSITIVE"})


def check(ctx: Context, source: SourceFile, channel: str) -> None:
    """Topic naming, keys of compacted topics, modes that replaying consumers need."""
    data: dict[str, Any] = source.data
    transports = data.get("transports")
    kafka = transports.get("kafka") if isinstance(transports, dict) else None
    if not isinstance(kafka, dict):
        if ctx.settings.kafka_migration != "none" and data.get("status") != "retired":
            ctx.emit(
                rc.KAFKA_MAPPING_MISSING.id,
                f"the registry plans the Kafka migration ({ctx.settings.kafka_migration}) but "
                f"{channel or 'this channel'} declares no transports.kafka topic",
                source,
                "/transports" if isinstance(transports, dict) else "",
            )
        return
    topic = kafka.get("topic")
    expected = ctx.settings.kafka_topic.replace("{channel}", channel)
    major = str(data.get("version", "")).split(".")[0]
    # a new major may move to its own topic (see kafka-major-shares-topic)
    allowed = {expected, f"{expected}.v{major}"} if major.isdigit() else {expected}
    if isinstance(topic, str) and channel and topic not in allowed:
        ctx.emit(
            rc.KAFKA_TOPIC_NAME.id,
            f"Kafka topic {topic!r} does not follow the naming rule "
            f"{ctx.settings.kafka_topic!r}: expected {expected!r}",
            source,
            "/transports/kafka/topic",
        )
    _config(ctx, source, kafka)
    topic_settings = kafka_config.topic_settings(kafka, ctx.settings.kafka_defaults)
    mode = str(data.get("compatibility") or ctx.settings.compatibility)
    cleanup = str(topic_settings.config.get("cleanup.policy", "delete"))
    compacted = "compact" in cleanup
    if compacted and key_of(data).kind == "none":
        ctx.emit(
            rc.KAFKA_COMPACTED_WITHOUT_KEY.id,
            "a compacted topic keeps the last message per key, and brokers refuse messages "
            "without one: set transports.kafka.key (a payload property, or {schema: ...} for a "
            "key of its own)",
            source,
            "/transports/kafka",
        )
    if compacted and mode != "FULL_TRANSITIVE":
        ctx.emit(
            rc.KAFKA_COMPACTION_MODE.id,
            f"a compacted topic keeps the last message per key forever, so readers of every "
            f"version meet messages of every version; {mode} does not guarantee that — "
            "use FULL_TRANSITIVE",
            source,
            "/compatibility" if "compatibility" in data else _where(kafka, "cleanup.policy"),
        )
    retention = topic_settings.config.get("retention.ms")
    if retention not in (None, 0) and not compacted and mode not in _REPLAY_SAFE:
        kept = kafka_config.shown("retention.ms", retention)
        ctx.emit(
            rc.KAFKA_RETENTION_MODE.id,
            f"with retention {kept}, a new consumer replays "
            + ("every older message" if retention == -1 else f"up to {kept} of older messages")
            + f", written under older versions; {mode} checks only the latest version — "
            "use BACKWARD_TRANSITIVE (or FULL_TRANSITIVE)",
            source,
            "/compatibility" if "compatibility" in data else _where(kafka, "retention.ms"),
        )


_CONFIG_RULES = {
    "unknown": rc.KAFKA_CONFIG_UNKNOWN,
    "value": rc.KAFKA_CONFIG_VALUE,
    "duplicate": rc.KAFKA_CONFIG_DUPLICATE,
}


def _config(ctx: Context, source: SourceFile, kafka: dict[str, Any]) -> None:
    """Names, types and ranges of ``transports.kafka.config``."""
    _, problems = kafka_config.declared(kafka)
    for problem in problems:
        ctx.emit(
            _CONFIG_RULES[problem.kind].id,
            problem.message,
            source,
            join("/transports/kafka", *problem.path),
            at_key=problem.kind == "unknown",
        )


def _where(kafka: dict[str, Any], name: str) -> str:
    """Where the manifest sets config ``name`` (its short key, its config entry, or neither:
    the registry's default applies)."""
    short = next((s for s, n in kafka_config.SHORTHANDS.items() if n == name), None)
    if short in kafka:
        return f"/transports/kafka/{short}"
    config = kafka.get("config")
    if isinstance(config, dict) and name in config:
        return join("/transports/kafka/config", name)
    return "/transports/kafka"


def check_majors(ctx: Context, sources: list[SourceFile]) -> None:
    """Versions of one channel with different majors that share a topic which keeps messages.

    Transitive checks stop at a major bump, but a topic with retention or compaction does not:
    consumers of the new major replay messages of the old one that, by definition, break them.
    """
    by_topic: dict[str, list[tuple[Version, SourceFile]]] = {}
    for source in sources:
        data = source.data if isinstance(source.data, dict) else {}
        kafka = (
            (data.get("transports") or {}).get("kafka")
            if isinstance(data.get("transports"), dict)
            else None
        )
        version = data.get("version")
        if (
            not isinstance(kafka, dict)
            or not isinstance(kafka.get("topic"), str)
            or not isinstance(version, str)
        ):
            continue
        config = kafka_config.topic_settings(kafka, ctx.settings.kafka_defaults).config
        keeps = "compact" in str(config.get("cleanup.policy", "")) or config.get(
            "retention.ms"
        ) not in (None, 0)
        parsed = Version.parse(version)
        if keeps and parsed is not None:
            by_topic.setdefault(kafka["topic"], []).append((parsed, source))
    for topic, versions in by_topic.items():
        versions.sort(key=lambda v: v[0])
        first_major = versions[0][0].major
        for parsed, source in versions:
            if parsed.major != first_major:
                ctx.emit(
                    rc.KAFKA_MAJOR_SHARES_TOPIC.id,
                    f"major version {parsed.major} shares topic {topic!r} with major "
                    f"{first_major}; the topic keeps older messages, so consumers of the new "
                    "major replay messages that break them: give the new major its own topic (e.g. "
                    f"{topic}.v{parsed.major}), or make sure retention has expired them",
                    source,
                    "/transports/kafka/topic",
                )
                break
