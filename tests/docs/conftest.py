"""Fixtures for the docs tests: the bundled and the hostile registries' docs, generated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONTRACTS
from tests.docs.helpers import HISTORY, HOSTILE, generate_docs


@pytest.fixture(scope="session")
def bundled_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs of the bundled registry (``contracts/``)."""
    return generate_docs(CONTRACTS, tmp_path_factory.mktemp("docs") / "bundled")


@pytest.fixture(scope="session")
def hostile_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs of ``tests/fixtures/hostile-docs``, whose every text tries to run script."""
    return generate_docs(HOSTILE, tmp_path_factory.mktemp("docs") / "hostile")


@pytest.fixture(scope="session")
def history_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs of ``tests/fixtures/history-docs``: a long history, one break accepted."""
    return generate_docs(HISTORY, tmp_path_factory.mktemp("docs") / "history")
