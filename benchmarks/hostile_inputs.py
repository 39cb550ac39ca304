"""Small hostile manifests, shared by ``hostile_speed.py`` and ``tests/test_bounded_work.py``.

One channel whose schema is an object with the given properties; a pair of versions of it is
what ``opa-contracts diff OLD NEW`` reads. Written as JSON (JSON is YAML, and writing 45,000
properties that way is fast).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: a pattern change neither proven (the prover reads only regexes of the same shape, and the
#: group changes the shape) nor witnessed (none exists: the new pattern accepts every old match),
#: so each one costs a full witness search: the work these inputs bound
UNDECIDED_PATTERNS = ("^[a-z]+$", "^([a-z]|[0-9])+$")


def patterns(folder: Path, count: int) -> tuple[Path, Path]:
    """A pair whose ``count`` properties each change their pattern as ``UNDECIDED_PATTERNS``."""
    old, new = UNDECIDED_PATTERNS
    return write_pair(
        folder,
        {f"p{i}": {"type": "string", "pattern": old} for i in range(count)},
        {f"p{i}": {"type": "string", "pattern": new} for i in range(count)},
    )


def manifest(
    version: str, properties: dict[str, Any], channel: str = "hostile.bounds"
) -> dict[str, Any]:
    """A valid manifest of ``channel`` at ``version`` whose payload has ``properties``."""
    return {
        "apiVersion": "opa-contracts/v1",
        "channel": channel,
        "version": version,
        "status": "active",
        "summary": "s",
        "description": "d",
        "owner": "o",
        "publisher": {"name": "opa-x", "description": "p"},
        "subscribers": [],
        "compatibility": "BACKWARD",
        "schema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": properties,
        },
    }


def write_pair(folder: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[Path, Path]:
    """``folder/old.yaml`` (1.0.0) and ``folder/new.yaml`` (1.1.0) with these properties."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "old.yaml", folder / "new.yaml"
    for path, props, version in zip(paths, (old, new), ("1.0.0", "1.1.0"), strict=True):
        path.write_text(json.dumps(manifest(version, props), indent=1), encoding="utf-8")
    return paths


def wide_union(count: int, changed: int | None = None) -> dict[str, Any]:
    """A property schema: an ``anyOf`` of ``count`` object branches told apart by a ``kind``
    const; branch ``changed`` (if any) raises its ``v`` minimum from 0 to 1. Compared naively
    branch against branch, a pair of these is ``count`` squared comparisons."""
    return {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "kind": {"const": f"k{i}"},
                    "v": {"type": "integer", "minimum": 1 if i == changed else 0},
                    "name": {"type": "string"},
                },
                "required": ["kind", "v"],
            }
            for i in range(count)
        ]
    }
