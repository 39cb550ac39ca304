"opa-events: Typed messages of the OPA event channels, checked against their contracts."

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from pydantic import BaseModel

from opa_events._base import ContractModel, TextDatetime
from opa_events._codec import decode as _decode
from opa_events._codec import encode, schema
from opa_events.channels import CHANNELS, Channel, ContractVersion
from opa_events.errors import ContractError

if TYPE_CHECKING:
    from opa_events.capacity_scores import v1_0_0 as _capacity_scores_v1_0_0
    from opa_events.quotes_realtime import v1_0_0 as _quotes_realtime_v1_0_0
    from opa_events.system_health import v1_0_0 as _system_health_v1_0_0

__version__ = "1.3.0"
REGISTRY_DIGEST = "6da330c898a74f6984c938988b7f3aeeee91bd63376b7f41312a53ea122a6b52"
"""SHA-256 over every manifest the package was generated from."""

__all__ = [
    "CHANNELS",
    "REGISTRY_DIGEST",
    "Channel",
    "ContractError",
    "ContractModel",
    "ContractVersion",
    "TextDatetime",
    "__version__",
    "decode",
    "encode",
    "schema",
]


@overload
def decode(
    channel: Literal["capacity.scores"],
    data: bytes | bytearray | str,
    version: Literal["1.0.0"] | None = None,
    *,
    encoding: str | None = None,
) -> _capacity_scores_v1_0_0.CapacityScores: ...


@overload
def decode(
    channel: Literal["quotes.realtime"],
    data: bytes | bytearray | str,
    version: Literal["1.0.0"] | None = None,
    *,
    encoding: str | None = None,
) -> _quotes_realtime_v1_0_0.QuotesRealtime: ...


@overload
def decode(
    channel: Literal["system.health"],
    data: bytes | bytearray | str,
    version: Literal["1.0.0"] | None = None,
    *,
    encoding: str | None = None,
) -> _system_health_v1_0_0.SystemHealth: ...


@overload
def decode(
    channel: str,
    data: bytes | bytearray | str,
    version: str | None = None,
    *,
    encoding: str | None = None,
) -> BaseModel: ...


def decode(
    channel: str,
    data: bytes | bytearray | str,
    version: str | None = None,
    *,
    encoding: str | None = None,
) -> BaseModel:
    """Validate ``data`` under the contract of ``channel`` and return the typed message.

    ``channel`` is the channel's name (``"quotes.realtime"``); ``version`` defaults to the
    channel's latest version; ``encoding`` to the version's own (``json`` or ``msgpack``, see
    ``ContractVersion.encoding``). The contract's JSON Schema decides validity; every failure,
    from bytes that are not JSON (or msgpack) to a value out of range, raises
    :class:`ContractError`.
    """
    return _decode(channel, data, version, encoding=encoding)
