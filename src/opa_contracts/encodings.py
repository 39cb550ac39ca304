"""Payload encodings a manifest may declare (``encoding``), read the same way by every verb."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The encodings of the manifest schema's ``encoding``; the first is the default.
ENCODINGS = ("json", "msgpack")


def encoding_of(manifest: Mapping[str, Any]) -> str:
    """The payload encoding ``manifest`` declares (``json`` when it declares none)."""
    value = manifest.get("encoding")
    return value if value in ENCODINGS else ENCODINGS[0]
