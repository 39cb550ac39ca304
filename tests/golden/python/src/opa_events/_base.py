"""ContractModel: the one pydantic configuration shared by every generated message model.

Also the one date-time type of the models, ``AwareDatetime``: a timezone-aware ``datetime``
that remembers the text it was decoded from, so that ``encode`` writes that text back; and the
one binary type, ``Binary``: ``bytes`` in Python, a msgpack ``bin`` on a msgpack channel, and its
standard base64 text in JSON.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

import pydantic
from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapSerializer,
    WrapValidator,
)


class ContractModel(BaseModel):
    """Base of every generated message model.

    Unknown fields are kept (and written back by ``encode``). Building a model in Python is
    strict (no ``"5"`` for a number); ``decode`` validates the JSON with the contract's schema
    first and then builds the model leniently, so the schema alone decides what is valid.
    """

    model_config = ConfigDict(
        extra="allow",
        strict=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        ser_json_inf_nan="constants",
        protected_namespaces=(),
    )


class TextDatetime(datetime):
    """A ``datetime`` decoded from JSON that keeps the exact text it was read from.

    ``encode`` writes ``text`` back as it came (``.123Z`` stays ``.123Z``, ``.123456789`` keeps
    its nine digits, ``+00:00`` is not turned into ``Z``), so a message that was valid stays
    valid under a ``pattern`` or a length limit. It is immutable like every ``datetime``: a changed
    value is a new object (``+ timedelta(...)``, ``replace(...)``, ``datetime.now(UTC)``) that
    has no text and is written the standard way (RFC 3339, microseconds, ``Z`` for UTC).
    """

    __slots__ = ("_text",)
    _text: str | None

    @property
    def text(self) -> str | None:
        """The JSON text this value was decoded from (None for a value computed in Python)."""
        text: str | None = getattr(self, "_text", None)
        return text

    @classmethod
    def _keep(cls, value: datetime, text: str | None) -> TextDatetime:
        """``value`` that remembers ``text``."""
        kept = cls(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
        kept._text = text
        return kept

    def __copy__(self) -> TextDatetime:
        return self

    def __deepcopy__(self, memo: Any) -> TextDatetime:
        return self

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        plain = datetime(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.microsecond,
            self.tzinfo,
            fold=self.fold,
        )
        return (TextDatetime._keep, (plain, self.text))


def _read(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    parsed: datetime = handler(value)
    return TextDatetime._keep(parsed, value) if isinstance(value, str) else parsed


def _write(value: Any, handler: SerializerFunctionWrapHandler) -> Any:
    text = value.text if isinstance(value, TextDatetime) else None
    return handler(value) if text is None else text


AwareDatetime = Annotated[
    pydantic.AwareDatetime, WrapValidator(_read), WrapSerializer(_write, when_used="json")
]
"""The models' ``date-time``: a timezone-aware ``datetime`` (a ``TextDatetime`` when decoded)."""


#: The validation context ``decode`` passes: a ``Binary`` field then reads its base64 text.
WIRE: dict[str, bool] = {"base64": True}


def _read_binary(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> bytes:
    if isinstance(value, str) and (info.mode == "json" or info.context is WIRE):
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(
                "binary data must be standard base64 text (RFC 4648, padded)"
            ) from None
        if base64.b64encode(raw).decode("ascii") != value:
            raise ValueError(
                "binary data must be canonical base64 text (padded, no spare bits): "
                "it would not be written back as it came"
            )
        return raw
    found: bytes = handler(value)
    return found


class WireBytes(bytes):
    """Binary data in a model's Python dump with ``context=WIRE``: bytes the contract declares
    binary (a msgpack ``bin``), told apart from other ``bytes`` a field may hold."""

    __slots__ = ()


def _write_binary(value: bytes, info: SerializationInfo) -> Any:
    if info.mode_is_json():
        return base64.b64encode(value).decode("ascii")
    return WireBytes(value) if info.context is WIRE else value


Binary = Annotated[bytes, WrapValidator(_read_binary), PlainSerializer(_write_binary)]
"""The models' binary data (a string schema with ``contentEncoding: base64`` on a msgpack
channel): ``bytes`` in Python, standard base64 text in JSON."""
