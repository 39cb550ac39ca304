"""The shape of a payload schema: what a typed model needs, without what only a validator needs.

Models give messages types; the compiled JSON Schema decides validity (on decode and on encode).
So the schema handed to datamodel-code-generator keeps structure (types, properties, required,
items, enums, references, combinators), descriptions and two formats (``date-time``, ``date``) and
drops assertions (patterns, bounds, lengths, ``uniqueItems``...). Duplicating them in the model
could only add false rejects (a regex dialect differs, a bound is checked twice) and cost time;
it also keeps field types plain (``list[str]``, not a root-model wrapper per constrained item).

On a msgpack channel (``binary``), a string schema with ``contentEncoding: base64`` is binary data:
it is shaped as ``format: binary``, which the model types as the package's ``Binary`` (``bytes``).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from typing import Any
from urllib.parse import unquote

from opa_contracts import pointer as jp
from opa_contracts.encodings import declares_binary
from opa_contracts.schemawalk import walk

KEEP_FORMATS = frozenset({"date-time", "date"})
LEGACY_REF = frozenset({"draft-04", "draft-06", "draft-07"})  # $ref hides its siblings
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_DEFS = ("definitions", "$defs")


def shape(schema: Any, dialect: str, *, binary: bool = False) -> dict[str, Any]:
    """The model-shaped copy of a self-contained ``schema``; with ``binary``, base64 strings
    (``contentEncoding: base64``) are typed as bytes."""
    anchors = _anchors(schema)
    shaped = _node(schema, dialect, anchors, binary)
    if isinstance(schema, dict) and isinstance(schema.get("$schema"), str):
        shaped["$schema"] = schema["$schema"]
    _drop_dangling_refs(shaped)
    return shaped


def odd_names(schema: Any) -> dict[str, str]:
    """Python names for property names that Python would silently change (NFKC, ``ﬁ`` -> ``fi``)."""
    names: dict[str, str] = {}
    for _pointer, node in walk(schema):
        properties = node.get("properties")
        for name in properties if isinstance(properties, dict) else ():
            if unicodedata.normalize("NFKC", name) != name:
                ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
                slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "field"
                names[name] = f"{slug}_{hashlib.sha256(name.encode()).hexdigest()[:6]}"
    return names


def _node(schema: Any, dialect: str, anchors: dict[str, str], binary: bool) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {}  # true/false subschemas: any value, as far as types go
    out: dict[str, Any] = {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        out["$ref"] = anchors.get(ref, ref)
        if dialect in LEGACY_REF:
            return _describe(out, schema)
    kind = schema.get("type")
    if isinstance(kind, str) or (isinstance(kind, list) and all(isinstance(k, str) for k in kind)):
        out["type"] = kind
    properties = schema.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {n: _node(s, dialect, anchors, binary) for n, s in properties.items()}
    required = schema.get("required")
    if isinstance(required, list):
        out["required"] = list(dict.fromkeys(r for r in required if isinstance(r, str)))
    items = schema.get("items")
    if isinstance(items, dict | bool):  # a list of items (a tuple) types as list[Any]
        out["items"] = _node(items, dialect, anchors, binary)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and not isinstance(properties, dict):
        out["additionalProperties"] = _node(extra, dialect, anchors, binary)  # a map: dict[str, T]
    for keyword in _COMBINATORS:
        value = schema.get(keyword)
        if isinstance(value, list) and value:
            out[keyword] = [_node(s, dialect, anchors, binary) for s in value]
    for keyword in _DEFS:
        value = schema.get(keyword)
        if isinstance(value, dict):
            out[keyword] = {n: _node(s, dialect, anchors, binary) for n, s in value.items()}
    _literals(out, schema)
    fmt = schema.get("format")
    if binary and declares_binary(schema):
        out["format"] = "binary"
    elif fmt in KEEP_FORMATS and kind == "string":
        out["format"] = fmt
    elif "default" in schema and _default_fits(schema["default"], kind, out.get("enum")):
        out["default"] = schema["default"]
    return _describe(out, schema)


def _describe(out: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    description = schema.get("description")
    if isinstance(description, str):
        out["description"] = description
    return out


def _literable(value: Any) -> bool:
    return value is None or isinstance(value, str | int)  # bool is an int


def _literals(out: dict[str, Any], schema: dict[str, Any]) -> None:
    """Keep ``enum``/``const`` only when ``Literal[...]`` can say exactly the same."""
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(_literable(v) for v in enum):
        has_bool = any(isinstance(v, bool) for v in enum)
        has_int = any(isinstance(v, int) and not isinstance(v, bool) for v in enum)
        if not (has_bool and has_int):  # Literal[1, True] cannot tell them apart
            out["enum"] = enum
    if "const" in schema and _literable(schema["const"]):
        out["const"] = schema["const"]


def _default_fits(value: Any, kind: Any, enum: Any) -> bool:
    """A default the model can declare (its type checks as the field's type)."""
    if isinstance(enum, list):
        return value in enum and _literable(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and math.isfinite(value)
    return False


def _anchors(schema: Any) -> dict[str, str]:
    """``#name`` -> ``#/pointer`` for plain-name fragments (``$anchor``, draft-07 ``$id: #x``)."""
    found: dict[str, str] = {}
    for here, node in walk(schema):
        anchor = node.get("$anchor")
        if isinstance(anchor, str):
            found[f"#{anchor}"] = f"#{here}"
        legacy = node.get("$id")
        if isinstance(legacy, str) and legacy.startswith("#") and not legacy.startswith("#/"):
            found[legacy] = f"#{here}"
    return found


def _drop_dangling_refs(shaped: dict[str, Any]) -> None:
    """A reference into something shaping removed (a tuple item, a ``not``) becomes Any."""
    for _pointer, node in walk(shaped):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue
        try:
            if not ref.startswith("#"):
                raise LookupError(ref)
            jp.resolve(shaped, unquote(ref[1:]))
        except LookupError:
            del node["$ref"]
