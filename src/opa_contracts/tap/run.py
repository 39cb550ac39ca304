"""The tap's loop: poll the sources, check each message, keep the tally, show it live."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from pydantic_core import from_json

from opa_contracts.tap.checking import (
    NOT_DECODABLE,
    DecodeError,
    Refusal,
    check,
    decode,
    key_refusal,
    undeclared,
)
from opa_contracts.tap.contracts import WireChannel, WireContracts
from opa_contracts.tap.parity import Parity
from opa_contracts.tap.sources import Wire
from opa_contracts.tap.summary import ChannelStats, Summary

#: how often the live view is redrawn (a terminal) or a progress line written (not a terminal)
REFRESH_SECONDS = 0.5
PROGRESS_SECONDS = 5.0


class Source(Protocol):
    transport: str

    def poll(self, timeout: float) -> list[Wire]: ...

    def close(self) -> None: ...


class Metrics:
    """Per-channel valid/invalid counters for Prometheus, served on 127.0.0.1:``port``."""

    def __init__(self, port: int) -> None:
        from prometheus_client import CollectorRegistry, Counter, start_http_server

        self.registry = CollectorRegistry()
        self.messages = Counter(
            "opa_tap_messages",
            "Messages the tap checked, by transport, channel and result (valid or invalid).",
            ["transport", "channel", "result"],
            registry=self.registry,
        )
        self.server, self.thread = start_http_server(port, addr="127.0.0.1", registry=self.registry)

    def close(self) -> None:
        self.server.shutdown()


@dataclass
class Tap:
    """Checks messages against ``contracts`` into ``summary`` (and ``parity``, ``metrics``)."""

    contracts: WireContracts
    summary: Summary
    parity: Parity | None = None
    metrics: Metrics | None = None

    def __post_init__(self) -> None:
        self.index = {"redis": self.contracts.by_redis, "kafka": self.contracts.by_kafka}
        self.stats: dict[tuple[str, str], tuple[WireChannel, ChannelStats]] = {}

    def take(self, wire: Wire) -> None:
        found = self.stats.get((wire.transport, wire.name))
        if found is None:
            channel = self.index[wire.transport].get(wire.name)
            if channel is None:
                self.summary.unknown(f"{wire.transport}:{wire.name}")
                return
            stats = self.summary.channel(wire.transport, channel.name)
            stats.latest = channel.latest.version
            found = (channel, stats)
            self.stats[(wire.transport, wire.name)] = found
        channel, stats = found
        data = wire.data
        stats.seen(len(data), wire.at)
        value: Any = None
        refusal: Refusal | None = None
        try:
            value = _decoded(data, channel)
        except DecodeError as exc:
            refusal = Refusal(NOT_DECODABLE, "", str(exc))
        else:
            # the common case first: the newest version accepts it, its key layout is known and
            # declares nothing nested (one validation, one set lookup)
            latest = channel.versions[0]
            if latest.validator.is_valid(value):
                version: str | None = latest.version
            else:
                version, refusal = check(channel, value)
            if refusal is None and wire.transport == "kafka":
                refusal = key_refusal(channel, value, wire.key)
            if refusal is None and version is not None:
                stats.versions[version] += 1
            fields = channel.fields
            if type(value) is not dict or tuple(value) not in fields.known or fields.nested() != ():
                found_fields: set[str] = set()
                undeclared(value, fields, "", found_fields)
                if found_fields:
                    stats.undeclared(found_fields)
        if refusal is not None:
            stats.refused(refusal, data)
        if self.metrics is not None:
            result = "invalid" if refusal is not None else "valid"
            self.metrics.messages.labels(wire.transport, channel.name, result).inc()
        if self.parity is not None:
            self.parity.take(wire.transport, channel.name, data, value, wire.at, channel.key_field)


def _decoded(data: bytes, channel: WireChannel) -> Any:
    """``data`` read in the newest version's encoding, else in an older version's (a channel
    that moved from JSON to msgpack still carries old publishers' messages)."""
    encoding = channel.versions[0].encoding
    if encoding == "json":
        try:
            return from_json(data, allow_inf_nan=False)
        except ValueError:
            pass  # decode says why, or an older version's encoding reads it
    try:
        return decode(data, encoding)
    except DecodeError:
        for encoding in channel.encodings[1:]:
            try:
                return decode(data, encoding)
            except DecodeError:
                continue
        raise


def run(
    tap: Tap,
    sources: Sequence[Source],
    *,
    duration: float | None,
    count: int | None,
    live: Callable[[Summary], None] | None = None,
) -> Summary:
    """Polls ``sources`` until ``duration`` seconds, ``count`` messages, Ctrl-C or SIGTERM."""
    stop = _Stop()
    summary = tap.summary
    start = time.monotonic()
    summary.started = start
    next_view = start + REFRESH_SECONDS
    seen = 0
    timeout = 0.05 if len(sources) > 1 else 0.2
    try:
        while not stop.now:
            for source in sources:
                for wire in source.poll(timeout):
                    tap.take(wire)
                    seen += 1
                    if count is not None and seen >= count:
                        stop.now = True
                        break
                if stop.now:
                    break
            now = time.monotonic()
            if duration is not None and now - start >= duration:
                break
            if tap.parity is not None:
                tap.parity.expire(now - tap.parity.window)
            if live is not None and now >= next_view:
                summary.ended = now
                live(summary)
                next_view = now + REFRESH_SECONDS
    except KeyboardInterrupt:
        pass
    finally:
        stop.restore()
        summary.ended = time.monotonic()
        if tap.parity is not None:
            tap.parity.finish()
    return summary


class _Stop:
    """SIGTERM ends the tap as Ctrl-C does: with a summary."""

    def __init__(self) -> None:
        self.now = False
        self.previous: Any = None
        try:
            self.previous = signal.signal(signal.SIGTERM, self._handle)
        except ValueError:  # not the main thread: no signal handling
            self.previous = None

    def _handle(self, _signum: int, _frame: Any) -> None:
        self.now = True

    def restore(self) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def progress_lines(stream: TextIO = sys.stderr) -> Callable[[Summary], None]:
    """A line every few seconds (not a terminal)."""
    last = [0.0]

    def show(summary: Summary) -> None:
        if summary.ended - last[0] < PROGRESS_SECONDS:
            return
        last[0] = summary.ended
        print(
            f"tap: {summary.messages:,} messages, {summary.invalid:,} invalid, "
            f"{summary.elapsed:.0f} s",
            file=stream,
            flush=True,
        )

    return show
