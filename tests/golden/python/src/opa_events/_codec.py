"""Decoding and encoding: the compiled JSON Schema decides what is valid, the model gives types."""

from __future__ import annotations

import copy
import difflib
import importlib
import json
import math
import sys
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


def _refuse(uri: str) -> Any:
    raise ValueError(f"remote reference {uri!r} is not fetched: schemas are self-contained")


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _not_finite(value: Any, here: str) -> str | None:
    """The pointer to the first NaN or infinity in ``value``, if any."""
    if isinstance(value, float):
        return None if math.isfinite(value) else here
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _not_finite(item, here + _pointer((key,)))
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
        except ValueError as exc:
            raise ContractError(self.channel, self.version, "", f"not JSON: {exc}") from None
        if not self._is_valid(value):
            raise self.error(value)
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
    value = message.model_dump(mode="json", by_alias=True, exclude_unset=True)
    found.check(value)
    # pydantic-core writes the same compact UTF-8 JSON as json.dumps, several times faster (a
    # publisher's budget is microseconds); only json.dumps refuses NaN and Infinity, so any output
    # that might hold one goes through it
    data: bytes = to_json(value)
    if b"NaN" in data or b"Infinity" in data:
        data = json.dumps(
            value, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode()
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
