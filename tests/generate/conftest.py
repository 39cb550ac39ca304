"""Fixtures for generator tests: the hostile registry's package, the encodings registry's and
the shared-schemas registry's, generated once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.generate.helpers import HOSTILE, SHARED, SHARED_MODULE, build_encodings, generate

HOSTILE_MODULE = "hostile_events"
PWNED = Path("/tmp/opa-contracts-pwned")  # the path the hostile descriptions try to create


@pytest.fixture(scope="session")
def hostile_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile registry's client package (module ``hostile_events``)."""
    PWNED.unlink(missing_ok=True)
    return generate(HOSTILE, tmp_path_factory.mktemp("hostile") / "pkg", HOSTILE_MODULE)


@pytest.fixture(scope="session")
def encodings_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client package (module ``enc_events``) of the registry with msgpack channels."""
    return build_encodings(tmp_path_factory.mktemp("encodings"))


@pytest.fixture(scope="session")
def shared_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client package (module ``shared_events``) of the registry whose channels share
    ``_schemas/`` files."""
    return generate(SHARED, tmp_path_factory.mktemp("shared") / "pkg", SHARED_MODULE)


@pytest.fixture(scope="session")
def kafka_keys_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client package (module ``key_events``) of the registry with Kafka key schemas."""
    return generate(
        FIXTURES / "kafka-keys", tmp_path_factory.mktemp("kafka-keys") / "pkg", "key_events"
    )
