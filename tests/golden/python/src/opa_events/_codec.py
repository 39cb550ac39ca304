"""Decoding and encoding: the compiled JSON Schema decides what is valid, the model gives types.

Nothing changes on the way through: for every message ``decode`` accepts, ``encode`` writes the
same values, which the same contract accepts. Date-times keep their text (``TextDatetime``),
integers stay ints (a ``number`` field is ``int | float``), and a number that a double cannot
hold exactly (``0.1000000000000000055511``, ``1e-400``) is refused by ``decode`` instead of being
changed. Every failure, reading or writing, is a ``ContractError``.

A channel version declares its payload encoding: ``json`` or ``msgpack``. A msgpack message is
checked as its JSON view: the same value, with each ``bin`` as its standard base64 text, which
the contract's JSON Schema judges. ``bin`` is accepted exactly where the contract declares binary
data (a string with ``contentEncoding: base64``, a ``Binary`` field, ``bytes`` in Python), and
only ``bin`` is accepted there. What JSON cannot say is refused, never changed: extension types
(the timestamp too), keys that are not strings, repeated keys, NaN and infinity.
"""

from __future__ import annotations

import base64
import copy
import difflib
import importlib
import json
import math
import re
import sys
from datetime import date, datetime, time
from decimal import Decimal
from importlib import resources
from typing import Any

import jsonschema_rs
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json, to_json

from opa_events._base import WIRE, WireBytes
from opa_events.channels import CHANNELS, ContractVersion
from opa_events.errors import ContractError

ENCODINGS = ("json", "msgpack")

_VALIDATORS: dict[str, Any] = {
    "draft-04": jsonschema_rs.Draft4Validator,
    "draft-06": jsonschema_rs.Draft6Validator,
    "draft-07": jsonschema_rs.Draft7Validator,
    "2019-09": jsonschema_rs.Draft201909Validator,
    "2020-12": jsonschema_rs.Draft202012Validator,
}
_NOT_FINITE = "NaN and Infinity are not JSON numbers (or the number is beyond a double's range)"
_SURROGATE = "a string with an unpaired surrogate is not Unicode text"
# A number token that a double may not hold exactly has more than 15 significant digits or a
# three-digit exponent; anything else comes back from a double with the value it had. The scan
# also hits long digit runs in strings and big integers: they only cost a second, exact parse.
# The scan maps number characters to a small alphabet (digits and "." to "1", "e"/"E" to "e",
# signs to "s") and looks for 16 "1"s or an exponent of three digits: plain substring searches,
# ~3x faster than a regex with an alternation (it runs on every message).
_NUMBER_SHAPE = bytes.maketrans(b"0123456789.eE+-", b"11111111111eess")
_SIXTEEN_DIGITS = b"1" * 16
_RISKY_TEXT = re.compile(r"[0-9.]{16}|[eE][-+]?[0-9]{3}")


def _risky(data: bytes | bytearray | str) -> bool:
    """Whether ``data`` may hold a number token a double does not hold exactly."""
    if isinstance(data, str):
        return _RISKY_TEXT.search(data) is not None
    shape = data.translate(_NUMBER_SHAPE)
    return _SIXTEEN_DIGITS in shape or b"1e111" in shape or b"1es111" in shape


_SURROGATES = re.compile("[\ud800-\udfff]")


def _refuse(uri: str) -> Any:
    raise ValueError(f"remote reference {uri!r} is not fetched: schemas are self-contained")


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _children(value: Any, here: str) -> Any:
    """``(pointer, item)`` for the items of a JSON container; nothing for a leaf."""
    if isinstance(value, dict):
        return ((here + _pointer((key,)), item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return ((here + _pointer((i,)), item) for i, item in enumerate(value))
    return ()


def _not_finite(value: Any, here: str) -> str | None:
    """The pointer to the first NaN or infinity in ``value``, if any."""
    if isinstance(value, float):
        return None if math.isfinite(value) else here
    for pointer, item in _children(value, here):
        found = _not_finite(item, pointer)
        if found is not None:
            return found
    return None


class _Inexact:
    """A JSON number that a double cannot hold: reading it as a float would change it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _exact_float(text: str) -> float | _Inexact:
    """The float of a JSON number, if it carries the number's value exactly (shortest repr)."""
    number = float(text)
    if math.isfinite(number) and Decimal(repr(number)) == Decimal(text):
        return number
    return _Inexact(text)


def _first_inexact(value: Any, here: str) -> tuple[str, str] | None:
    if isinstance(value, _Inexact):
        return here, value.text
    for pointer, item in _children(value, here):
        found = _first_inexact(item, pointer)
        if found is not None:
            return found
    return None


def _unreadable(data: Any, exc: Exception) -> str:
    """Why ``data`` could not be parsed at all."""
    if isinstance(data, str) and _SURROGATES.search(data) is not None:
        return f"not JSON: {_SURROGATE}"
    if not isinstance(data, bytes | bytearray | str):
        return f"not JSON: expected bytes, bytearray or str, not {type(data).__name__}"
    return f"not JSON: {exc}"


def _not_json(
    value: Any, here: str, inside: frozenset[int] = frozenset()
) -> tuple[str, str] | None:
    """The pointer to the first value in a model's Python dump that JSON cannot carry, and why."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (here, _NOT_FINITE)
    if isinstance(value, str):
        return None if _SURROGATES.search(value) is None else (here, _SURROGATE)
    if value is None or isinstance(value, int | datetime | date | time | WireBytes):
        return None  # WireBytes: declared binary data, written as base64 (a bin in msgpack)
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and _SURROGATES.search(key) is not None:
                return here + _pointer((key,)), f"a key: {_SURROGATE}"
    elif not isinstance(value, list | tuple):
        return here, f"{type(value).__name__} is not a JSON type"
    if id(value) in inside:
        return here, "a container that holds itself"
    for pointer, item in _children(value, here):
        found = _not_json(item, pointer, inside | {id(value)})
        if found is not None:
            return found
    return None


class _Refused(ValueError):
    """A msgpack value that JSON cannot carry: where it is, and why."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(reason)
        self.pointer = pointer
        self.reason = reason


_MSGPACK: Any = None
# the msgpack type bytes of bin (0xc4-0xc6), ext (0xc7-0xc9, 0xd4-0xd8) and float (0xca, 0xcb):
# a message with none of them is its own JSON view (no walk over it is needed)
_SPECIAL = re.compile(rb"[\xc4-\xcb\xd4-\xd8]")


def _msgpack() -> Any:
    """The ``msgpack`` module, imported on first use."""
    global _MSGPACK
    if _MSGPACK is None:
        try:
            _MSGPACK = importlib.import_module("msgpack")
        except ImportError:
            raise ImportError(
                "msgpack payloads need the msgpack library: pip install 'opa-events[msgpack]'"
            ) from None
    return _MSGPACK


def _pairs(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    """A msgpack map as a dict: string keys only, each once."""
    for key, _value in pairs:
        if not isinstance(key, str):
            shown = repr(key) if len(repr(key)) <= 40 else repr(key)[:37] + "..."
            raise _Refused("", f"a map key that is not a string ({type(key).__name__} {shown})")
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused("", f"the key {key!r} appears twice in one map")
            seen.add(key)
    return found


def _ext(code: int, data: bytes) -> Any:
    raise _Refused("", f"msgpack extension type {code} ({len(data)} bytes) is not a JSON value")


class _Marked:
    """A map or an extension value JSON cannot carry, in place, on a second read that finds it."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _marked_pairs(pairs: list[tuple[Any, Any]]) -> Any:
    try:
        return _pairs(pairs)
    except _Refused as exc:
        return _Marked(exc.reason)


def _marked_ext(code: int, data: bytes) -> Any:
    return _Marked(f"msgpack extension type {code} ({len(data)} bytes) is not a JSON value")


def _locate(data: Any) -> tuple[str, str] | None:
    """Where the map key or extension value that failed a read is, and why (read again, with
    each such value left in place as a marker): only on that error's path."""
    try:
        value = _msgpack().unpackb(
            data,
            raw=False,
            object_pairs_hook=_marked_pairs,
            ext_hook=_marked_ext,
            strict_map_key=False,
        )
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - it was read once
        return None
    return _first_marked(value, "")


def _first_marked(value: Any, here: str) -> tuple[str, str] | None:
    if isinstance(value, _Marked):
        return here, value.reason
    for pointer, item in _children(value, here):
        found = _first_marked(item, pointer)
        if found is not None:
            return found
    return None


def _json_view(value: Any, here: str, bins: list[str]) -> Any:
    """``value`` with each ``bytes`` as its base64 text (their pointers go to ``bins``)."""
    if isinstance(value, bytes):
        bins.append(here)
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Refused(here, _NOT_FINITE)
        return value
    if isinstance(value, dict):
        return {k: _json_view(v, here + _pointer((k,)), bins) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_view(v, here + _pointer((i,)), bins) for i, v in enumerate(value)]
    if value is None or isinstance(value, str | int):
        return value
    # msgpack's timestamp (extension type -1) reaches here as a Timestamp
    raise _Refused(here, f"msgpack {type(value).__name__} (an extension type) is not a JSON value")


def _bytes_at(value: Any, here: str, found: dict[str, bytes]) -> dict[str, bytes]:
    """The binary data (``WireBytes``) of a model's Python dump for the wire, by pointer."""
    if isinstance(value, WireBytes):
        found[here] = bytes(value)
    else:
        for pointer, item in _children(value, here):
            _bytes_at(item, pointer, found)
    return found


def _put(value: Any, pointer: str, item: Any) -> None:
    """Set the member at ``pointer`` (not the root) of the JSON value ``value`` to ``item``."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    for token in tokens[:-1]:
        value = value[int(token)] if isinstance(value, list) else value[token]
    last = tokens[-1]
    if isinstance(value, list):
        value[int(last)] = item
    else:
        value[last] = item


class Codec:
    """One contract version: its compiled schema, its model and its encoding."""

    __slots__ = (
        "_binary",
        "_is_valid",
        "_iter_errors",
        "_key_errors",
        "_validate",
        "channel",
        "contract",
        "encoding",
        "key_schema",
        "model",
        "schema",
        "version",
    )

    def __init__(self, contract: ContractVersion) -> None:
        self.contract = contract
        self.channel = contract.channel
        self.version = contract.version
        text = resources.files("opa_events").joinpath(contract.schema_file).read_text("utf-8")
        self.schema: Any = json.loads(text)
        compile_schema = _VALIDATORS[contract.dialect]
        validator = compile_schema(self.schema, validate_formats=True, retriever=_refuse)
        model: type[BaseModel] = getattr(importlib.import_module(contract.module), contract.model)
        self.model = model
        self.encoding = contract.encoding
        # whether the model may hold binary data (Binary fields are declared this way)
        self._binary = contract.encoding == "msgpack" and '"contentEncoding"' in text
        self._is_valid = validator.is_valid
        self._iter_errors = validator.iter_errors
        self._validate = model.__pydantic_validator__.validate_python
        # the Kafka key's own schema, in the payload's dialect unless it names its own $schema
        self.key_schema: Any = None
        self._key_errors: Any = None
        if contract.kafka_key_schema is not None:
            self.key_schema = json.loads(contract.kafka_key_schema)
            own = isinstance(self.key_schema, dict) and "$schema" in self.key_schema
            compile_key = jsonschema_rs.validator_for if own else compile_schema
            key_validator = compile_key(self.key_schema, validate_formats=True, retriever=_refuse)
            self._key_errors = key_validator.iter_errors

    def decode(self, data: bytes | bytearray | str, encoding: str | None = None) -> BaseModel:
        """Parse, check against the schema, build the model; ``ContractError`` otherwise.

        ``encoding`` is the contract's (``json`` or ``msgpack``) unless given.
        """
        if (encoding or self.encoding) == "msgpack":
            return self._decode_msgpack(data)
        if encoding is not None and encoding != "json":
            raise self._unknown_encoding(encoding)
        try:
            value = from_json(data, allow_inf_nan=False)
        except (ValueError, TypeError) as exc:
            raise ContractError(self.channel, self.version, "", _unreadable(data, exc)) from None
        if not self._is_valid(value):
            raise self.error(value)
        if _risky(data):
            self._exact(data)
        return self._model(value)

    def _model(self, value: Any) -> BaseModel:
        try:
            message: BaseModel = self._validate(
                value, strict=False, by_alias=True, by_name=False, context=WIRE
            )
        except ValidationError as exc:
            raise self._unrepresentable(exc) from None
        return message

    def _decode_msgpack(self, data: bytes | bytearray | str) -> BaseModel:
        if not isinstance(data, bytes | bytearray | memoryview):
            why = f"not msgpack: expected bytes or bytearray, not {type(data).__name__}"
            raise ContractError(self.channel, self.version, "", why)
        unpack = _msgpack().unpackb
        try:
            value = unpack(data, raw=False, object_pairs_hook=_pairs, ext_hook=_ext)
            bins: list[str] = []
            if _SPECIAL.search(data) is not None:
                value = _json_view(value, "", bins)
        except _Refused as exc:
            where = (exc.pointer, exc.reason) if exc.pointer else _locate(data)
            pointer, why = where or (exc.pointer, exc.reason)
            raise ContractError(self.channel, self.version, pointer, why) from None
        except (ValueError, TypeError, RecursionError) as exc:
            where = _locate(data) if "for map key" in str(exc) else None
            pointer, why = where or ("", _unpackable(exc))
            raise ContractError(self.channel, self.version, pointer, why) from None
        if not self._is_valid(value):
            raise self.error(value)
        message = self._model(value)
        if bins or self._binary:
            self._same_bins(message, bins)
        return message

    def _same_bins(self, message: BaseModel, bins: list[str]) -> None:
        """Raise ``ContractError`` unless the message held ``bin`` exactly where the model has
        binary data (anything else would be written back differently)."""
        if self._binary:
            dumped = message.model_dump(
                by_alias=True, exclude_unset=True, warnings=False, context=WIRE
            )
            declared = set(_bytes_at(dumped, "", {}))
        else:
            declared = set()
        for pointer in bins:
            if pointer not in declared:
                why = (
                    "a msgpack bin where the contract declares no binary data "
                    "(binary data is a string with contentEncoding: base64)"
                )
                raise ContractError(self.channel, self.version, pointer, why)
        for pointer in sorted(declared.difference(bins)):
            why = "binary data (contentEncoding: base64) must be a msgpack bin, not a string"
            raise ContractError(self.channel, self.version, pointer, why)

    def encode_key(self, key: Any) -> bytes:
        """The wire bytes of Kafka key ``key``, checked against the key's own schema: raw UTF-8
        for a key whose type is ``string``, compact JSON otherwise. ``ContractError`` (its
        pointer starts with ``key:``) for a key the schema rejects, or when the channel's key
        has no schema of its own."""
        self._check_key(key)
        if self.contract.kafka_key_encoding == "string" and isinstance(key, str):
            try:
                return key.encode("utf-8")
            except UnicodeEncodeError:
                raise ContractError(self.channel, self.version, "key:", _SURROGATE) from None
        try:
            return to_json(key)
        except (ValueError, TypeError) as exc:
            why = f"the Kafka key cannot be written as JSON: {exc}"
            raise ContractError(self.channel, self.version, "key:", why) from None

    def decode_key(self, data: bytes | None) -> Any:
        """The Kafka key of a received record, read and checked against the key's own schema
        (``ContractError`` otherwise, pointer ``key:...``)."""
        if data is None:
            raise ContractError(self.channel, self.version, "key:", "the record has no key")
        try:
            if self.contract.kafka_key_encoding == "string":
                key: Any = bytes(data).decode("utf-8")
            else:
                key = from_json(data, allow_inf_nan=False)
        except (ValueError, TypeError) as exc:
            why = f"the Kafka key is not {self.contract.kafka_key_encoding}: {exc}"
            raise ContractError(self.channel, self.version, "key:", why) from None
        self._check_key(key)
        return key

    def _check_key(self, key: Any) -> None:
        if self._key_errors is None:
            why = (
                f"the Kafka key of {self.channel} {self.version} is "
                + (
                    f"the payload property {self.contract.kafka_key!r}"
                    if self.contract.kafka_key
                    else "not declared"
                )
                + ", not a key of its own"
            )
            raise ContractError(self.channel, self.version, "key:", why)
        for problem in self._key_errors(key):
            pointer = "key:" + _pointer(problem.instance_path)
            why = f"the Kafka key: {problem.message}"
            raise ContractError(self.channel, self.version, pointer, why)

    def _unknown_encoding(self, encoding: str) -> ContractError:
        why = f"unknown encoding {encoding!r}; known encodings: {', '.join(ENCODINGS)}"
        return ContractError(self.channel, self.version, "", why)

    def check(self, value: Any) -> None:
        """Raise ``ContractError`` unless the JSON value ``value`` is valid."""
        if not self._is_valid(value):
            raise self.error(value)

    def error(self, value: Any) -> ContractError:
        """The error for an invalid value: the first problem the schema reports."""
        bad = _not_finite(value, "")
        if bad is not None:
            return ContractError(self.channel, self.version, bad, _NOT_FINITE)
        for problem in self._iter_errors(value):
            pointer = _pointer(problem.instance_path)
            return ContractError(self.channel, self.version, pointer, problem.message)
        return ContractError(self.channel, self.version, "", "not valid under the schema")

    def _exact(self, data: bytes | bytearray | str) -> None:
        """Raise ``ContractError`` if a number in ``data`` would change as a float."""
        inexact: list[_Inexact] = []

        def exact_float(text: str) -> float | _Inexact:
            number = _exact_float(text)
            if isinstance(number, _Inexact):
                inexact.append(number)
            return number

        try:
            value = json.loads(data, parse_float=exact_float)
        except (ValueError, RecursionError):  # pragma: no cover - from_json has just read it
            return
        if inexact:
            pointer, text = _first_inexact(value, "") or ("", inexact[0].text)
            shown = text if len(text) <= 40 else text[:37] + "..."
            message = (
                f"valid under the schema, but the number {shown} has more digits than a double "
                "holds: Python would change its value"
            )
            raise ContractError(self.channel, self.version, pointer, message)

    def unwritable(self, message: BaseModel, exc: Exception, form: str = "JSON") -> ContractError:
        """The error for a message that cannot be written as JSON (or ``form``): where, and why."""
        try:
            value = message.model_dump(
                by_alias=True, exclude_unset=True, warnings=False, context=WIRE
            )
        except (ValueError, TypeError, RecursionError):
            value = None
        found = _not_json(value, "")
        pointer, why = found if found is not None else ("", str(exc) or type(exc).__name__)
        return ContractError(
            self.channel, self.version, pointer, f"cannot be written as {form}: {why}"
        )

    def _unrepresentable(self, exc: ValidationError) -> ContractError:
        first = exc.errors(include_url=False)[0]
        message = f"valid under the schema, but not representable in Python: {first['msg']}"
        return ContractError(self.channel, self.version, _pointer(first["loc"]), message)


_CODECS: dict[tuple[str, str | None], Codec] = {}
_BY_MODEL: dict[type[BaseModel], Codec] = {}


def codec(channel: str, version: str | None = None) -> Codec:
    """The codec of ``channel`` at ``version`` (its latest version when None), built once."""
    found = _CODECS.get((channel, version))
    if found is not None:
        return found
    known = CHANNELS.get(channel)
    if known is None:
        message = "unknown channel" + _known(channel, sorted(CHANNELS), "channels")
        raise ContractError(channel, version or "", "", message)
    contract = known.get(version)
    if contract is None:
        versions = [v.version for v in known.versions]
        message = "unknown version" + _known(version or "", versions, "versions")
        raise ContractError(channel, version or "", "", message)
    found = _CODECS.get((channel, contract.version)) or Codec(contract)
    _CODECS[(channel, version)] = _CODECS[(channel, contract.version)] = found
    _BY_MODEL[found.model] = found
    return found


def _known(name: str, known: list[str], what: str) -> str:
    """``"; did you mean 'x'? (known ...: ...)"`` with the nearest known names, if any are close."""
    listed = ", ".join(known)
    folded = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=3, cutoff=0.6)
    if not close:
        return f"; known {what}: {listed}"
    return f"; did you mean {' or '.join(repr(folded[c]) for c in close)}? (known {what}: {listed})"


def decode(
    channel: str,
    data: bytes | bytearray | str,
    version: str | None = None,
    *,
    encoding: str | None = None,
) -> BaseModel:
    """Validate ``data`` under ``channel``'s contract and return the typed message."""
    found = _CODECS.get((channel, version))
    if found is None:
        found = codec(channel, version)
    return found.decode(data, encoding)


def encode(message: BaseModel, *, encoding: str | None = None) -> bytes:
    """The bytes of ``message`` in its contract's encoding (or ``encoding``: ``json`` or
    ``msgpack``), checked against its contract before they leave."""
    return dump(message, encoding)[1]


def dump(message: BaseModel, encoding: str | None = None) -> tuple[Any, bytes]:
    """The JSON value of ``message`` and its bytes, checked against its contract."""
    found = _BY_MODEL.get(type(message))
    if found is None:
        found = _codec_of(type(message))
    wire = encoding or found.encoding
    if wire == "msgpack":
        return _dump_msgpack(found, message)
    if wire != "json":
        raise found._unknown_encoding(wire)
    try:
        value = message.model_dump(mode="json", by_alias=True, exclude_unset=True)
        found.check(value)
        # pydantic-core writes the same compact UTF-8 JSON as json.dumps, several times faster
        # (a publisher's budget is microseconds), but writes NaN and Infinity where the schema
        # did not look (an unknown field): any output that might hold one is searched for them
        data: bytes = to_json(value)
    except ContractError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:  # bytes, NaN, surrogates, cycles...
        raise found.unwritable(message, exc) from None
    if b"NaN" in data or b"Infinity" in data:
        bad = _not_finite(value, "")
        if bad is not None:
            raise ContractError(found.channel, found.version, bad, _NOT_FINITE)
    return value, data


def _dump_msgpack(found: Codec, message: BaseModel) -> tuple[Any, bytes]:
    """The JSON view of ``message`` and its msgpack bytes (binary data as ``bin``), checked."""
    try:
        value = message.model_dump(mode="json", by_alias=True, exclude_unset=True)
        found.check(value)
        bad = _not_finite(value, "")
        if bad is not None:
            raise ContractError(found.channel, found.version, bad, _NOT_FINITE)
        wire: Any = value
        if found._binary:
            dumped = message.model_dump(
                by_alias=True, exclude_unset=True, warnings=False, context=WIRE
            )
            binary = _bytes_at(dumped, "", {})
            if binary:
                wire = copy.deepcopy(value)
                for pointer, data in binary.items():
                    if pointer:
                        _put(wire, pointer, data)
                    else:
                        wire = data
        packed: bytes = _msgpack().packb(wire, use_bin_type=True)
    except ContractError:
        raise
    except OverflowError:
        pointer = _beyond_64_bits(value, "") or ""
        why = "an integer beyond msgpack's range (-2**63 to 2**64 - 1)"
        raise ContractError(found.channel, found.version, pointer, why) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise found.unwritable(message, exc, "msgpack") from None
    return value, packed


def _beyond_64_bits(value: Any, here: str) -> str | None:
    """The pointer to the first integer msgpack cannot carry, if any."""
    if isinstance(value, int) and not isinstance(value, bool):
        return None if -(2**63) <= value < 2**64 else here
    for pointer, item in _children(value, here):
        found = _beyond_64_bits(item, pointer)
        if found is not None:
            return found
    return None


def _unpackable(exc: Exception) -> str:
    """Why bytes could not be read as one msgpack value."""
    name = type(exc).__name__
    if name == "StackError":
        return "not msgpack: nested too deeply"
    if name == "ExtraData":
        return "not msgpack: bytes left over after the first value"
    if name == "FormatError" or str(exc) == "":
        return "not msgpack: a byte that starts no msgpack value"
    if "for map key" in str(exc):  # msgpack's strict_map_key: an int, float, bool... key
        return f"a map key that is not a string ({str(exc).split(' is not allowed')[0]})"
    if isinstance(exc, UnicodeDecodeError):
        return f"not msgpack: a string that is not UTF-8 ({exc.reason} at byte {exc.start})"
    return f"not msgpack: {exc}"


def contract_of(model: type[BaseModel]) -> ContractVersion:
    """The contract version whose message model is ``model`` (``TypeError`` for other models)."""
    found = _BY_MODEL.get(model)
    if found is None:
        found = _codec_of(model)
    return found.contract


def _codec_of(model: type[BaseModel]) -> Codec:
    module = sys.modules.get(model.__module__)
    if module is None or getattr(module, "MODEL", None) is not model:
        raise TypeError(f"{model.__qualname__} is not the message model of a channel")
    return codec(module.CHANNEL, module.VERSION)


def schema(channel: str, version: str | None = None) -> dict[str, Any]:
    """A copy of the JSON Schema of ``channel`` (its latest version when ``version`` is None)."""
    found: dict[str, Any] = copy.deepcopy(codec(channel, version).schema)
    return found
