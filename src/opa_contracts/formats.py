"""The packaged JSON Schemas of the tool's own file formats."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

SCHEMA_DIR = Path(__file__).parent / "schemas"


@cache
def load(name: str) -> dict[str, Any]:
    """A packaged schema by file name (``manifest-v1.schema.json``)."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


@cache
def validator(name: str) -> jsonschema_rs.Validator:
    """A compiled validator for a packaged schema."""
    return jsonschema_rs.validator_for(load(name), validate_formats=True)
