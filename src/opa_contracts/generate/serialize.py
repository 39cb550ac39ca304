"""JSON and YAML bytes for generated artefacts: deterministic, UTF-8, one trailing newline.

Mappings keep the order they were built in (generators build them in a fixed order, and payload
schemas keep their authors' property order), so equal input gives equal bytes.

YAML is written by a small block-style emitter for JSON data (PyYAML's emitter takes seconds for
a document of a thousand channels). A string is written plain only when it is plainly safe and
both YAML 1.2 readers (the AsyncAPI parser's, ours) and YAML 1.1 readers (PyYAML) read it back
as the same string; otherwise it is double-quoted, with JSON's escapes plus those YAML needs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import yaml.resolver

# strings a YAML 1.2 core-schema reader would read as something else
_AMBIGUOUS_12 = re.compile(
    r"""^(?:
        [-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?   # numbers
        |0o[0-7]+|0x[0-9a-fA-F]+                                    # octal, hex
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)                   # infinity, NaN
        |null|Null|NULL|~|true|True|TRUE|false|False|FALSE
    )$""",
    re.VERBOSE,
)
_LETTERS = "\u00c0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
_PLAIN = re.compile(f"^[A-Za-z0-9_$/{_LETTERS}][A-Za-z0-9_ $/.+,()'{_LETTERS}-]*(?<! )$")
# characters YAML does not allow raw in a double-quoted scalar, or reads as line breaks (1.1)
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_cache: dict[str, str] = {}


def to_json(data: Any) -> bytes:
    """Indented JSON, non-ASCII kept as is."""
    return (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def to_yaml(data: Any, header: str = "") -> bytes:
    """Block-style YAML of JSON data; ``header`` lines become ``#`` comments."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if _is_block(data):
        _block(data, "", lines)
    else:
        lines.append(_scalar(data))
    return ("\n".join(lines) + "\n").encode()


def yaml_chunks(
    frame: dict[str, Any],
    at: tuple[str, ...],
    items: Iterable[tuple[str, Any]],
    header: str = "",
) -> Iterator[bytes]:
    """:func:`to_yaml` of ``frame`` with the mapping at key path ``at`` (empty in ``frame``, the
    last key at every level) filled with ``items``, written item by item: the same bytes, without
    the whole document in memory."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    data: Any = frame
    indent = ""
    for depth, key in enumerate(at):
        if not isinstance(data, dict) or list(data)[-1:] != [key]:
            raise ValueError(f"{'.'.join(at[: depth + 1])} is not the last key of its mapping")
        head = {k: v for k, v in data.items() if k != key}
        if head:
            _block(head, indent, lines)
        lines.append(f"{indent}{_string(key)}:")
        data, indent = data[key], indent + "  "
    opener = len(lines) - 1
    empty = True
    for key, value in items:
        if empty:
            empty = False
            yield ("\n".join(lines) + "\n").encode()
        lines = []
        _block({key: value}, indent, lines)
        del value  # not held while the next item is made
        yield ("\n".join(lines) + "\n").encode()
    if empty:  # an empty mapping is written inline, as to_yaml does
        lines[opener] += " {}"
        yield ("\n".join(lines) + "\n").encode()


def json_chunks(
    frame: dict[str, Any], at: tuple[str, ...], items: Iterable[tuple[str, Any]]
) -> Iterator[bytes]:
    """:func:`to_json` of ``frame`` with the mapping at key path ``at`` (empty in ``frame``)
    filled with ``items``, written item by item (the same bytes)."""
    sentinel = "\x00opa-contracts: the items go here\x00"
    data: Any = frame
    for key in at[:-1]:
        data = data[key]
    if data[at[-1]] != {}:
        raise ValueError(f"{'.'.join(at)} must be empty in the frame")
    data[at[-1]] = sentinel
    try:
        text = to_json(frame).decode()
    finally:
        data[at[-1]] = {}
    before, _, after = text.partition(json.dumps(sentinel, ensure_ascii=False))
    inner = "\n" + "  " * (len(at) + 1)
    first = True
    for key, value in items:
        body = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
        del value  # not held while the next item is made
        item = json.dumps(key, ensure_ascii=False) + ": " + body.replace("\n", inner)
        yield ((before + "{" if first else ",") + inner + item).encode()
        first = False
    closing = "{}" if first else "\n" + "  " * len(at) + "}"
    yield ((before if first else "") + closing + after).encode()


def _is_block(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _block(value: dict[str, Any] | list[Any], indent: str, out: list[str]) -> None:
    """Lines for a non-empty mapping or sequence, starting at ``indent``."""
    inner = indent + "  "
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_block(item):
                out.append(f"{indent}{_string(key)}:")
                _block(item, inner, out)
            else:
                out.append(f"{indent}{_string(key)}: {_scalar(item)}")
        return
    for item in value:
        if _is_block(item):
            start = len(out)
            _block(item, inner, out)
            out[start] = f"{indent}- {out[start][len(inner) :]}"  # "- " takes the indent's place
        else:
            out.append(f"{indent}- {_scalar(item)}")


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = json.dumps(value, allow_nan=False)
        mantissa, e, exponent = text.partition("e")
        if e and "." not in mantissa:  # YAML 1.1 floats need a dot: 1e-05 -> 1.0e-05
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, dict | list):  # empty: a non-empty one is a block
        return "{}" if isinstance(value, dict) else "[]"
    raise TypeError(f"not JSON data: {type(value).__name__}")


def _string(value: str) -> str:
    found = _cache.get(value)
    if found is None:
        plain = (
            _PLAIN.match(value) is not None
            and _AMBIGUOUS_12.match(value) is None
            and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG  # type: ignore[no-untyped-call]
        )
        if plain:
            found = value
        else:
            quoted = json.dumps(value, ensure_ascii=False)
            found = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", quoted)
        if len(_cache) < 100_000:
            _cache[value] = found
    return found
