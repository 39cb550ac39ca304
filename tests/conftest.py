"""Shared test helpers: run the real console script, find the repository's folders."""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType

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


def benchmark_module(name: str) -> ModuleType:
    """``benchmarks/NAME.py`` as a module: tests and benchmarks share their input builders."""
    qualified = f"benchmarks.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # registered before it runs, as an import would: its dataclasses look their module up there
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


def run_cli(
    *args: str | Path, cwd: Path = ROOT, timeout: float = 120, file_size_limit: int | None = None
) -> Run:
    """Run the installed ``opa-contracts`` console script, as a user would.

    ``file_size_limit`` (bytes) makes a larger write fail with EFBIG, as a full disk would make
    it fail with ENOSPC: a fault that holds when the tests run as root, unlike a read-only mode.
    The child then writes no bytecode: Python would install a ``.pyc`` cut short by the limit."""
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8", **_coverage_env()}
    if file_size_limit is not None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        [str(SCRIPT), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
        preexec_fn=None if file_size_limit is None else partial(_limit_files, file_size_limit),
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _coverage_env() -> dict[str, str]:
    """Coverage's own variables, so `make coverage` measures the CLI in its subprocesses."""
    return {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}


def _limit_files(size: int) -> None:
    """In the child: no file may grow past ``size`` bytes; the write fails instead of killing."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.fixture
def cli() -> type[Run]:
    return Run


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "HOME": str(repo),
        },
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit holds the bundled registry."""
    root = tmp_path / "repo"
    shutil.copytree(CONTRACTS, root / "contracts")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "registry")
    return root
