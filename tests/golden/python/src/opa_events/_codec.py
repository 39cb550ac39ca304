"""Decoding and encoding: the compiled JSON Schema decides what is valid, the model gives types.

Nothing changes on the way through: for every message ``decode`` accepts, ``encode`` writes the
same values, which the same contract accepts. Date-times keep their text (``TextDatetime``),
integers stay ints (a ``number`` field is ``int | float``), and a number that a double cannot
hold exactly (``0.1000000000000000055511``, ``1e-400``) is refused by ``decode`` instead of being
changed. Every failure, reading or writing, is a ``ContractError``.
"""

from __future__ import annotations

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

from opa_events.channels import CHANNELS, ContractVersion
from opa_events.errors import ContractError

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
    if value is None or isinstance(value, int | datetime | date | time):
        return None
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


class Codec:
    """One contract version: its compiled schema and its model."""

    __slots__ = (
        "_is_valid",
        "_iter_errors",
        "_validate",
        "channel",
        "contract",
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
        self._is_valid = validator.is_valid
        self._iter_errors = validator.iter_errors
        self._validate = model.__pydantic_validator__.validate_python

    def decode(self, data: bytes | bytearray | str) -> BaseModel:
        """Parse, check against the schema, build the model; ``ContractError`` otherwise."""
        try:
            value = from_json(data, allow_inf_nan=False)
        except (ValueError, TypeError) as exc:
            raise ContractError(self.channel, self.version, "", _unreadable(data, exc)) from None
        if not self._is_valid(value):
            raise self.error(value)
        if _risky(data):
            self._exact(data)
        try:
            message: BaseModel = self._validate(value, strict=False, by_alias=True, by_name=False)
        except ValidationError as exc:
            raise self._unrepresentable(exc) from None
        return message

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

    def unwritable(self, message: BaseModel, exc: Exception) -> ContractError:
        """The error for a message that cannot be written as JSON: where, and why."""
        try:
            value = message.model_dump(by_alias=True, exclude_unset=True, warnings=False)
        except (ValueError, TypeError, RecursionError):
            value = None
        found = _not_json(value, "")
        pointer, why = found if found is not None else ("", str(exc) or type(exc).__name__)
        return ContractError(
            self.channel, self.version, pointer, f"cannot be written as JSON: {why}"
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


def decode(channel: str, data: bytes | bytearray | str, version: str | None = None) -> BaseModel:
    """Validate ``data`` under ``channel``'s contract and return the typed message."""
    found = _CODECS.get((channel, version))
    if found is None:
        found = codec(channel, version)
    return found.decode(data)


def encode(message: BaseModel) -> bytes:
    """The JSON bytes of ``message``, checked against its contract before they leave."""
    return dump(message)[1]


def dump(message: BaseModel) -> tuple[Any, bytes]:
    """The JSON value of ``message`` and its bytes, checked against its contract."""
    found = _BY_MODEL.get(type(message))
    if found is None:
        found = _codec_of(type(message))
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
