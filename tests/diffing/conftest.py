"""Registries in throw-away git repositories, edited the way pull requests edit them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import git

__all__ = ["git"]  # the `repo` fixture and `git` live in tests/conftest.py


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
