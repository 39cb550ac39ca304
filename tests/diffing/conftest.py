"""Registries in throw-away git repositories, edited the way pull requests edit them."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CONTRACTS


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


Editor = Callable[..., Path]


def manifest(root: Path, channel: str, version: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (root / "contracts" / channel / f"{version}.yaml").read_text(encoding="utf-8")
    )
    return data


def write(root: Path, channel: str, version: str, data: dict[str, Any]) -> Path:
    path = root / "contracts" / channel / f"{version}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def new_version(
    root: Path, channel: str, base: str, version: str, edit: Callable[[dict[str, Any]], None]
) -> Path:
    """Copy ``base`` to ``version``, apply ``edit`` to the manifest, write it."""
    data = manifest(root, channel, base)
    data["version"] = version
    edit(data)
    return write(root, channel, version, data)
