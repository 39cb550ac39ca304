"""Shared test helpers: run the real console script, find the repository's folders."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
FIXTURES = ROOT / "tests" / "fixtures"
SCRIPT = Path(sys.executable).parent / "opa-contracts"


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path = ROOT, timeout: float = 120) -> Run:
    """Run the installed ``opa-contracts`` console script, as a user would."""
    proc = subprocess.run(
        [str(SCRIPT), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8", **_coverage_env()},
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _coverage_env() -> dict[str, str]:
    """Coverage's own variables, so `make coverage` measures the CLI in its subprocesses."""
    return {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}


@pytest.fixture
def cli() -> type[Run]:
    return Run
