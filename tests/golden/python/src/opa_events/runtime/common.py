"""What every transport shares: received messages, dead letters, retry backoff, errors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from opa_events._codec import Codec, codec
from opa_events.channels import CHANNELS, ContractVersion
from opa_events.errors import ContractError


class PublishError(ConnectionError):
    """A message could not be handed to a transport; it was counted, and it was not sent."""

    def __init__(self, transport: str, destination: str, attempts: int, reason: str) -> None:
        super().__init__(
            f"{transport} {destination!r}: not sent after {attempts} attempt(s): {reason}"
        )
        self.transport = transport
        self.destination = destination
        self.attempts = attempts
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Received:
    """A valid inbound message: its contract channel, typed model and the raw bytes."""

    channel: str
    model: BaseModel
    raw: bytes
    source: str
    """The Redis channel or Kafka topic it came from."""
    key: bytes | None = None
    partition: int | None = None
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An inbound message that broke its contract, kept with what is needed to look into it."""

    transport: str
    source: str
    channel: str
    payload: bytes
    error: str
    pointer: str
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    key: bytes | None = None
    partition: int | None = None
    offset: int | None = None

    def fields(self) -> dict[str, str | bytes]:
        """The letter as flat fields (a Redis stream entry, Kafka headers)."""
        found: dict[str, str | bytes] = {
            "transport": self.transport,
            "source": self.source,
            "channel": self.channel,
            "error": self.error,
            "pointer": self.pointer,
            "timestamp": rfc3339(self.timestamp),
            "payload": self.payload,
        }
        if self.key is not None:
            found["key"] = self.key
        if self.partition is not None:
            found["partition"] = str(self.partition)
        if self.offset is not None:
            found["offset"] = str(self.offset)
        return found


@runtime_checkable
class DeadLetterSink(Protocol):
    """Where dead letters go; ``put`` raises when the letter could not be stored."""

    def put(self, letter: DeadLetter) -> None:
        """Store ``letter``."""


@runtime_checkable
class AsyncDeadLetterSink(Protocol):
    """Where an :class:`AsyncSubscriber`'s dead letters go; ``await put`` raises when not stored."""

    async def put(self, letter: DeadLetter) -> None:
        """Store ``letter``."""


class CallbackDeadLetters:
    """Dead letters handed to a function (which raises when it could not keep one)."""

    def __init__(self, function: Callable[[DeadLetter], object]) -> None:
        self.function = function

    def put(self, letter: DeadLetter) -> None:
        """Call the function with ``letter``."""
        self.function(letter)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Bounded exponential backoff: ``attempts`` tries (None: forever), waits doubling to a cap."""

    attempts: int | None = 4
    initial: float = 0.05
    maximum: float = 1.0
    multiplier: float = 2.0

    def delays(self) -> Iterator[float]:
        """The wait before each retry: one fewer than ``attempts`` (endless when None)."""
        delay = self.initial
        count = 0
        while self.attempts is None or count < self.attempts - 1:
            yield delay
            delay = min(delay * self.multiplier, self.maximum)
            count += 1


def rfc3339(moment: datetime) -> str:
    """``moment`` in UTC as RFC 3339 with milliseconds and ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def sink_of(
    dead_letters: DeadLetterSink | Callable[[DeadLetter], object],
) -> DeadLetterSink:
    """A sink from a sink or a plain callable."""
    if isinstance(dead_letters, DeadLetterSink):
        return dead_letters
    return CallbackDeadLetters(dead_letters)


def putter(
    dead_letters: DeadLetterSink | AsyncDeadLetterSink | Callable[[DeadLetter], object],
) -> Callable[[DeadLetter], object]:
    """The function that stores a letter: a sink's ``put``, or the callable itself.

    Its result is awaited when it is awaitable (an async sink or an ``async def`` function).
    """
    if isinstance(dead_letters, DeadLetterSink | AsyncDeadLetterSink):
        return dead_letters.put
    return dead_letters


def routes(
    channels: Mapping[str, str | None], transport: Callable[[ContractVersion], str | None]
) -> dict[str, Codec]:
    """Transport name (Redis channel, Kafka topic) -> the codec of each wanted channel.

    ``channels`` maps a channel's name to the version to read (None: its latest version).
    """
    found: dict[str, Codec] = {}
    for name, version in channels.items():
        reader = codec(name, version)
        where = transport(reader.contract)
        if where is None:
            raise ValueError(f"{name} {reader.version} has no such transport in its contract")
        found[where] = reader
    return found


def all_routes(
    transport: Callable[[ContractVersion], str | None], versions: Mapping[str, str]
) -> dict[str, Codec]:
    """Routes for every channel that has the transport (for pattern subscriptions)."""
    wanted: dict[str, str | None] = {}
    for name, channel in CHANNELS.items():
        contract = channel.get(versions.get(name))
        if contract is not None and transport(contract) is not None:
            wanted[name] = contract.version
    return routes(wanted, transport)


def check(
    reader: Codec | None, data: bytes, source: str, transport: str
) -> tuple[BaseModel | None, DeadLetter | None]:
    """The model of ``data``, or the dead letter saying why there is none."""
    if reader is None:
        error = f"no contract for {transport} {source!r}"
        return None, DeadLetter(transport, source, "", data, error, "")
    try:
        return reader.decode(data), None
    except ContractError as exc:
        return None, DeadLetter(transport, source, reader.channel, data, str(exc), exc.pointer)


class Stopper:
    """A close flag that a blocking loop in another thread can wait on."""

    def __init__(self) -> None:
        self._event = threading.Event()

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._event.is_set()

    def close(self) -> None:
        """Ask the loop to stop."""
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` or until closed; True when closed."""
        return self._event.wait(seconds)
