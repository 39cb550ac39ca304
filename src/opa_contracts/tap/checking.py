"""One message against its channel: decoded, matched to a version, or refused with a reason."""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json

from opa_contracts import pointer as jp
from opa_contracts.kafka_key import DIFF_PREFIX
from opa_contracts.tap.contracts import Fields, WireChannel

#: rule ids of the tap's own verdicts (the schema's refusals use the failing keyword)
NOT_DECODABLE = "not-decodable"
KEY_MISMATCH = "kafka-key-mismatch"
KEY_INVALID = "kafka-key-invalid"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the newest version refuses a message: a rule (the schema keyword that failed, or one
    of the tap's own), the instance pointer and the validator's words."""

    rule: str
    pointer: str
    message: str


class DecodeError(ValueError):
    """The bytes are not a message of the channel's encoding (the text says why)."""


def _pairs(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[Any] = set()
        for key, _ in pairs:
            if key in seen:
                raise DecodeError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return found


def decode(data: bytes, encoding: str) -> Any:
    """The JSON view of ``data``: what the channel's JSON Schema judges, read as the generated
    Python client reads it. JSON with ``pydantic_core.from_json`` (NaN and infinity refused; a
    repeated key keeps its last value, as ``JSON.parse`` does); msgpack with each ``bin`` as its
    base64 text, and what JSON cannot say (extension types, non-string keys, repeated keys, NaN)
    refused."""
    if encoding == "msgpack":
        return _msgpack(data)
    try:
        return from_json(data, allow_inf_nan=False)
    except ValueError as exc:
        raise DecodeError(f"not JSON: {str(exc).splitlines()[0]}") from None


def _msgpack(data: bytes) -> Any:
    try:
        import msgpack
    except ImportError:  # pragma: no cover - the tap extra installs it
        raise DecodeError(
            "a msgpack channel needs the msgpack package (opa-contracts[tap])"
        ) from None

    def ext(code: int, _data: bytes) -> Any:
        raise DecodeError(f"msgpack extension type {code} has no JSON form")

    def pairs(items: list[tuple[Any, Any]]) -> dict[str, Any]:
        for key, _ in items:
            if not isinstance(key, str):
                raise DecodeError(f"msgpack map key {key!r} is not a string")
        return _pairs(items)

    try:
        value = msgpack.unpackb(
            data, raw=False, object_pairs_hook=pairs, ext_hook=ext, strict_map_key=False
        )
    except DecodeError:
        raise
    except (ValueError, msgpack.UnpackException, RecursionError) as exc:
        raise DecodeError(f"not msgpack: {exc}") from None
    return _json_view(value)


def _json_view(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        raise DecodeError("NaN and infinity are not JSON numbers")
    if isinstance(value, dict):
        return {k: _json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_view(v) for v in value]
    return value


def check(channel: WireChannel, value: Any) -> tuple[str | None, Refusal | None]:
    """The newest version of ``channel`` that accepts ``value``; else why the newest refuses it."""
    for version in channel.versions:
        if version.validator.is_valid(value):
            return version.version, None
    latest = channel.latest.validator
    for error in latest.iter_errors(value):
        keyword = next(
            (str(p) for p in reversed(error.schema_path) if isinstance(p, str)), "schema"
        )
        here = "".join(
            "/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.instance_path
        )
        return None, Refusal(keyword, here, error.message)
    return None, Refusal("schema", "", "refused")  # pragma: no cover - is_valid said no


def key_refusal(channel: WireChannel, value: Any, key: bytes | None) -> Refusal | None:
    """Whether a Kafka record's key keeps the channel's key contract: the key field's value (as
    text, compact JSON when it is not a string; no key when the field is absent), or a key its
    own schema accepts (raw UTF-8 for a string-typed key schema, compact JSON otherwise)."""
    if channel.key.kind == "schema":
        return _schema_key_refusal(channel, key)
    field = channel.key_field
    if field is None or not isinstance(value, dict):
        return None
    expected_value = value.get(field)
    if expected_value is None:
        expected = None
    elif isinstance(expected_value, str):
        expected = expected_value.encode()
    else:
        expected = json.dumps(expected_value, separators=(",", ":")).encode()
    if key == expected:
        return None
    shown = key.decode("utf-8", "replace") if key is not None else "none"
    return Refusal(
        KEY_MISMATCH,
        "/" + field,
        f"record key {shown!r} is not the payload's {field} "
        f"({expected.decode('utf-8', 'replace') if expected is not None else 'none'!r})",
    )


def _schema_key_refusal(channel: WireChannel, key: bytes | None) -> Refusal | None:
    if key is None:
        return Refusal(KEY_INVALID, DIFF_PREFIX, "the record has no key; its key schema wants one")
    try:
        text = key.decode("utf-8")
        value: Any = text if channel.key.encoding == "string" else from_json(key)
    except ValueError as exc:
        return Refusal(KEY_INVALID, DIFF_PREFIX, f"the key is not {channel.key.encoding}: {exc}")
    for error in channel.key_validator.iter_errors(value):
        words = [p for p in error.schema_path if isinstance(p, str)]
        return Refusal(
            words[-1] if words else KEY_INVALID,
            DIFF_PREFIX + jp.join("", *error.instance_path),
            f"key: {error.message}",
        )
    return None


def undeclared(value: Any, fields: Fields, here: str, found: set[str], depth: int = 0) -> None:
    """Adds to ``found`` the members of ``value`` that no version declares, as pointers with
    ``*`` for array items (``/items/*/extra``); below an undeclared member nothing is listed.

    A key layout seen before costs one set lookup, and only members whose schema declares
    members of their own are looked into (a flat message: nothing more)."""
    if depth > 64:
        return
    if isinstance(value, dict):
        layout = tuple(value)
        if layout in fields.known:
            nested = fields.nested()
            names = value if nested is None else nested
        else:
            complete = True
            for name in layout:
                if fields.member(name) is None:
                    complete = False
                    found.add(jp.join(here, name))
            if complete and len(fields.known) < 256:
                fields.known.add(layout)
            names = value
        for name in names:
            item = value.get(name)
            if isinstance(item, dict | list):
                sub = fields.member(name)
                if sub is not None:
                    undeclared(item, sub, jp.join(here, name), found, depth + 1)
    elif isinstance(value, list) and fields.items is not None:
        for item in value:
            if isinstance(item, dict | list):
                undeclared(item, fields.items, here + "/*", found, depth + 1)
