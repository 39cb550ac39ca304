"""Fixtures for generator tests: the hostile registry's package and the encodings registry's,
generated once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.generate.helpers import HOSTILE, generate, generate_cli

HOSTILE_MODULE = "hostile_events"
PWNED = Path("/tmp/opa-contracts-pwned")  # the path the hostile descriptions try to create


@pytest.fixture(scope="session")
def hostile_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile registry's client package (module ``hostile_events``)."""
    PWNED.unlink(missing_ok=True)
    return generate(HOSTILE, tmp_path_factory.mktemp("hostile") / "pkg", HOSTILE_MODULE)


ENCODINGS = FIXTURES / "encodings"
ENCODINGS_MODULE = "enc_events"


@pytest.fixture(scope="session")
def encodings_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client package (module ``enc_events``) of the registry with msgpack channels,
    generated through the real CLI."""
    folder = tmp_path_factory.mktemp("encodings")
    target = folder / "generators" / "enc.yaml"
    target.parent.mkdir()
    target.write_text(
        f"target: python\nout: pkg\npackage: enc-events\nmodule: {ENCODINGS_MODULE}\n",
        encoding="utf-8",
    )
    out = folder / "pkg"
    run = generate_cli("python", "--target", target, "--registry", ENCODINGS, "--out", out)
    assert run.returncode == 0, run.stdout + run.stderr
    return out
