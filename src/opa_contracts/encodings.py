"""Payload encodings a manifest may declare (``encoding``), read the same way by every verb."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from opa_contracts import pointer as jp

#: Combinators whose every branch may describe the value.
_COMBINATORS = ("allOf", "anyOf", "oneOf")
#: How deep ``$ref`` chains are followed looking for binary data (a cycle stops there).
_MAX_REFS = 32

#: The encodings of the manifest schema's ``encoding``; the first is the default.
ENCODINGS = ("json", "msgpack")
#: The media type of each encoding (AsyncAPI's ``contentType``).
MEDIA_TYPES = {"json": "application/json", "msgpack": "application/msgpack"}


def encoding_of(manifest: Mapping[str, Any]) -> str:
    """The payload encoding ``manifest`` declares (``json`` when it declares none)."""
    value = manifest.get("encoding")
    return value if value in ENCODINGS else ENCODINGS[0]


def declares_binary(schema: Any) -> bool:
    """Whether ``schema`` declares binary data: a string with ``contentEncoding: base64`` (on a
    msgpack channel, a ``bin``; in JSON and for the schema, its standard base64 text)."""
    return (
        isinstance(schema, dict)
        and schema.get("type") == "string"
        and schema.get("contentEncoding") == "base64"
    )


def binary_problems(schema: Any, value: Any) -> list[tuple[str, str]]:
    """``(pointer, why)`` for each value of ``value`` (a JSON view) that ``schema`` declares
    binary and that is not exact base64 text, which a msgpack ``bin`` could not carry as written.

    The schema is followed by ``properties``, ``additionalProperties``, ``items``, local ``$ref``
    and the branches of ``allOf``/``anyOf``/``oneOf``: where the generated models type a value.
    """
    found: dict[str, str] = {}
    for here, why in _binary(schema, schema, value, "", 0):
        found.setdefault(here, why)
    return sorted(found.items())


def _binary(schema: Any, root: Any, value: Any, here: str, refs: int) -> Iterator[tuple[str, str]]:
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and refs < _MAX_REFS:
        try:
            target = jp.resolve(root, unquote(ref[1:]))
        except LookupError:
            target = None
        yield from _binary(target, root, value, here, refs + 1)
    if declares_binary(schema) and isinstance(value, str):
        why = _not_base64(value)
        if why is not None:
            yield here, why
    for keyword in _COMBINATORS:
        branches = schema.get(keyword)
        for branch in branches if isinstance(branches, list) else ():
            yield from _binary(branch, root, value, here, refs)
    if isinstance(value, dict):
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra)
            yield from _binary(sub, root, item, jp.join(here, key), refs)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from _binary(schema["items"], root, item, jp.join(here, i), refs)


def _not_base64(text: str) -> str | None:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return "is not standard base64 text (RFC 4648, padded)"
    canonical = base64.b64encode(raw).decode("ascii")
    if canonical != text:
        return f"is not canonical base64 (the bytes it stands for are written {canonical!r})"
    return None
