"""Format generated Python with ruff: one process per tool for many files (a batch of channels
at a time, then the package-wide files), never per file.

``ruff check --fix`` applies the package's lint rules (sorted imports and ``__all__``...);
``ruff format`` does the rest.

Settings are passed on the command line with ``--isolated`` so the output does not depend on any
configuration file near the output folder; it depends only on the ruff version, which the project
pins for that reason (golden files compare byte for byte).
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

LINE_LENGTH = 100
TARGET_VERSION = "py311"
# the generated package's own lint rules (its pyproject.toml): fixable findings are fixed here,
# and any other finding fails generation, so no package leaves with lint errors
LINT_SELECT = ("E", "F", "W", "I", "B", "UP", "SIM", "RUF", "C4", "PIE")
LINT_IGNORE = ("E501", "RUF001", "RUF002", "RUF003")


class FormatError(RuntimeError):
    """ruff is missing or refused the generated code."""


def ruff_binary() -> str:
    """The ruff executable: the installed ``ruff`` package's, else one on ``PATH``."""
    try:
        # the ruff package ships no type information; its finder is one documented function
        finder = importlib.import_module("ruff.__main__").find_ruff_bin
        return str(finder())
    except (ImportError, FileNotFoundError):
        beside = Path(sys.executable).parent / "ruff"
        found = str(beside) if beside.is_file() else shutil.which("ruff")
        if found is None:
            raise FormatError("ruff is needed to format generated code; pip install ruff") from None
        return found


def format_sources(sources: Mapping[str, str], first_party: str) -> dict[str, str]:
    """``sources`` (relative path -> Python text) formatted by ruff, with the same keys.

    ``first_party`` is the generated package's import name (imports of it sort last).
    """
    if not sources:
        return {}
    with tempfile.TemporaryDirectory(prefix="opa-format-") as temp:
        root = Path(temp)
        for name, text in sources.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        common = [
            "--isolated",
            "--quiet",
            "--no-cache",
            f"--line-length={LINE_LENGTH}",
            f"--target-version={TARGET_VERSION}",
        ]
        ruff = ruff_binary()
        fix = ["check", "--fix", f"--select={','.join(LINT_SELECT)}"]
        fix += [f"--ignore={','.join(LINT_IGNORE)}"]
        fix.append(f"--config=lint.isort.known-first-party=[{first_party!r}]")
        _run([ruff, *fix, *common, str(root)], root)
        _run([ruff, "format", *common, str(root)], root)
        return {name: (root / name).read_text(encoding="utf-8") for name in sources}


def _run(command: list[str], root: Path) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, check=False, cwd=root)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().replace(str(root) + "/", "")
        raise FormatError(f"ruff {command[1]} failed on the generated code:\n{detail}")
