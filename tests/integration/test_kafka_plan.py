"""The generated Kafka topic plan applied to a real Kafka-protocol broker (Tansu, in memory).

Topics are created from topics.json with confluent-kafka's AdminClient, as an operator's tooling
would; the broker must report the planned partitions and store the planned configs. Tansu stores
every config verbatim without enforcing or even validating it and gives every topic one replica
(pinned in test_servers.py): this proves that each config of the plan reaches the broker as the
name=value string Kafka's CreateTopics takes (tests/fixtures/topic-configs declares twelve of them,
with registry-wide defaults of registry.yaml), not that a real Kafka enforces them. Only the
topic-configs registry asks for one replica, so only there is the replication factor checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.cimpl import NewTopic

from opa_contracts.generate import output
from opa_contracts.generate.run import build
from opa_contracts.generate.targets import Target
from tests.conftest import CONTRACTS, FIXTURES, ROOT
from tests.servers import EVENT_DEADLINE, KafkaBroker


@pytest.mark.parametrize(
    "registry",
    [CONTRACTS, FIXTURES / "asyncapi-hostile", FIXTURES / "topic-configs"],
    ids=lambda p: p.name,
)
def test_plan_creates_the_topics_it_describes(
    registry: Path, own_kafka_broker: KafkaBroker, tmp_path: Path
) -> None:
    out = tmp_path / "plan"  # tmp_path also holds the broker's work folder
    target = Target("kafka", "kafka", out, ROOT, {"options": {}})
    output.write(build(target, registry), out)
    topics = json.loads((out / "topics.json").read_text(encoding="utf-8"))["topics"]
    assert topics
    admin = AdminClient(own_kafka_broker.client_config())
    new = [
        NewTopic(t["name"], t["partitions"], t["replication_factor"], config=t["config"])
        for t in topics
    ]
    for future in admin.create_topics(new, operation_timeout=EVENT_DEADLINE).values():
        future.result(EVENT_DEADLINE)
    metadata = admin.list_topics(timeout=EVENT_DEADLINE)
    for topic in topics:
        partitions = metadata.topics[topic["name"]].partitions
        assert len(partitions) == topic["partitions"]
        if registry.name == "topic-configs":  # one replica asked, as many as Tansu gives
            assert topic["replication_factor"] == 1
            assert all(len(p.replicas) == 1 for p in partitions.values())
        resource = ConfigResource("topic", topic["name"])
        described = next(iter(admin.describe_configs([resource]).values())).result(EVENT_DEADLINE)
        assert {k: v.value for k, v in described.items()} == topic["config"]
