"""Generated packages pass ``mypy --strict`` and ruff, each tool run once over a whole tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.generate.helpers import GOLDEN

BIN = Path(sys.executable).parent


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(params=["golden", "hostile", "encodings", "shared", "kafka_keys"])
def package(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A generated package in a folder of its own (so only its own configuration applies)."""
    if request.param == "golden":
        return shutil.copytree(GOLDEN, tmp_path / "golden")
    made: Path = request.getfixturevalue(f"{request.param}_package")
    return made


@pytest.mark.slow
def test_mypy_strict(package: Path, tmp_path: Path) -> None:
    run = _run(sys.executable, "-m", "mypy", "--cache-dir", tmp_path / "cache", cwd=package)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "strict = true" in (package / "pyproject.toml").read_text(encoding="utf-8")


def test_ruff_check_and_format(package: Path) -> None:
    check = _run(BIN / "ruff", "check", "--no-cache", ".", cwd=package)
    assert check.returncode == 0, check.stdout
    formatted = _run(BIN / "ruff", "format", "--check", "--no-cache", ".", cwd=package)
    assert formatted.returncode == 0, formatted.stdout


def test_every_module_compiles(package: Path) -> None:
    for path in sorted(package.rglob("*.py")):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
