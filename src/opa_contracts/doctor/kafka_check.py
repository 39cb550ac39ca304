"""``doctor kafka``: the topics of the Kafka plan (``generate kafka``'s own plan, not a second
reading of the manifests) against the brokers: exist, partitions, configs (retention, cleanup).

Read-only: topic metadata and DescribeConfigs. A broker that refuses DescribeConfigs is a
``doctor-cannot-check`` note, and the other checks go on.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opa_contracts import kafka_client
from opa_contracts.doctor import DoctorError
from opa_contracts.findings import Finding, Report
from opa_contracts.generate.contracts import Sources
from opa_contracts.rules import catalog as rc
from opa_contracts.settings import Settings

#: Seconds to wait for the brokers' answers.
TIMEOUT = 30.0


def check(config: Mapping[str, str], settings: Settings, sources: Sources, cwd: Path) -> Report:
    """Every planned topic against the brokers of ``config`` (librdkafka settings)."""
    from opa_contracts.generate import kafka_plan
    from opa_contracts.generate.run import find_target

    try:
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient
        from confluent_kafka.admin._config import ConfigResource
    except ImportError:  # pragma: no cover - depends on what is installed
        raise DoctorError(
            "doctor kafka needs confluent-kafka: pip install 'opa-contracts[doctor]'"
        ) from None
    topics, _ = kafka_plan.plan(sources, find_target("kafka", None, cwd).options)
    shown = config.get("bootstrap.servers", "")
    admin = AdminClient(
        {**config, "socket.timeout.ms": int(TIMEOUT * 1000)}, logger=kafka_client.QUIET
    )
    try:
        metadata = admin.list_topics(timeout=TIMEOUT)
    except KafkaException as exc:
        reason = kafka_client.reason(exc)
        raise DoctorError(f"{shown}: cannot read the topic list: {reason}") from None
    findings: list[Finding] = []
    checks: list[dict[str, Any]] = []

    def emit(rule: Any, message: str, **details: Any) -> None:
        findings.append(
            Finding(
                rule.id, rule.severity, message, file=shown, details=details, channel=topic.channel
            )
        )

    for topic in topics:
        found = metadata.topics.get(topic.name)
        if found is None or found.error is not None:
            emit(
                rc.KAFKA_TOPIC_MISSING,
                f"topic {topic.name} of the plan does not exist. Fix: run the plan's "
                "create-topics.sh (`opa-contracts generate kafka`)",
                topic=topic.name,
            )
            continue
        partitions = len(found.partitions)
        checks.append({"topic": topic.name, "partitions": partitions, "planned": topic.partitions})
        if partitions != topic.partitions:
            fewer = partitions < topic.partitions
            findings.append(
                Finding(
                    rc.KAFKA_TOPIC_CONFIG.id,
                    rc.KAFKA_TOPIC_MISSING.severity if fewer else rc.KAFKA_TOPIC_CONFIG.severity,
                    f"topic {topic.name} has {partitions} partition(s), the plan {topic.partitions}"
                    + (
                        f". Fix: kafka-topics.sh --alter --topic {topic.name} --partitions "
                        f"{topic.partitions} (keys move to other partitions: plan it)"
                        if fewer
                        else " (more is allowed; a key's partition is not the one planned)"
                    ),
                    file=shown,
                    channel=topic.channel,
                    details={"actual": partitions, "planned": topic.partitions},
                )
            )
        resource = ConfigResource(ConfigResource.Type.TOPIC, topic.name)
        try:
            described = admin.describe_configs([resource])[resource].result(timeout=TIMEOUT)
        except KafkaException as exc:
            emit(
                rc.DOCTOR_CANNOT_CHECK,
                f"cannot check the configs of {topic.name}: the broker refused "
                f"DescribeConfigs ({exc.args[0]}); the other checks go on",
                topic=topic.name,
            )
            continue
        for name, planned in topic.config.items():
            entry = described.get(name)
            actual = None if entry is None else entry.value
            if actual is None:
                emit(
                    rc.DOCTOR_CANNOT_CHECK,
                    f"cannot check {name} of {topic.name}: the broker does not report it",
                    topic=topic.name,
                )
                continue
            if str(actual) != str(planned):
                emit(
                    rc.KAFKA_TOPIC_CONFIG,
                    f"topic {topic.name}: {name} is {actual}, the plan {planned}. Fix: "
                    f"kafka-configs.sh --alter --entity-type topics --entity-name {topic.name} "
                    f"--add-config {name}={planned}",
                    topic=topic.name,
                    actual=actual,
                    planned=planned,
                )
    kept, suppressed = settings.apply(findings)
    summary = {"bootstrap": shown, "topics": len(topics), "checks": checks}
    return Report.build("doctor kafka", kept, suppressed=suppressed, summary=summary)
