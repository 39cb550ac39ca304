"""One ``opa-contracts tap`` run: the request checked, the registry read, the sources opened,
the loop run, and the outcome rendered (the CLI in ``cli_tap.py`` only maps it to exit codes)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from opa_contracts.tap.contracts import WireChannel, WireContracts
from opa_contracts.tap.parity import Parity
from opa_contracts.tap.run import Metrics, Source, Tap, progress_lines, run
from opa_contracts.tap.sources import KafkaSource, RedisSource, SourceError, shown
from opa_contracts.tap.summary import Summary, percentile

REDIS_SCHEMES = ("redis", "rediss", "unix")


class TapSetupError(Exception):
    """The tap cannot start; ``usage``: the request makes no sense (exit 2), else exit 3."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class TapRequest:
    urls: tuple[str, ...]
    registry: Path = Path("contracts")
    channels: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    from_beginning: bool = False
    parity: bool = False
    window: float = 10.0
    by_value: bool = False
    metrics_port: int | None = None


@dataclass
class Outcome:
    summary: Summary
    parity: Parity | None
    failed: str | None = None  # a server lost mid-run

    @property
    def errors(self) -> bool:
        if self.summary.invalid:
            return True
        return self.parity is not None and any(
            c.only["redis"] or c.only["kafka"] or c.altered for c in self.parity.channels.values()
        )

    @property
    def warnings(self) -> bool:
        s = self.summary
        return bool(s.unknown_channels) or any(
            c.fields or c.old_versions for c in s.channels.values()
        )

    def render(self, fmt: str) -> str:
        if fmt == "json":
            data = self.summary.as_json()
            if self.parity is not None:
                data["parity"] = self.parity.as_json()
            return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if fmt == "markdown":
            return self.summary.markdown() + (self.parity.markdown() if self.parity else "")
        return self.summary.text() + (self.parity.text() if self.parity else "")


@dataclass
class Session:
    tap: Tap
    sources: list[Source]
    labels: list[str] = field(default_factory=list)

    def run(self, *, duration: float | None, count: int | None, terminal: bool) -> Outcome:
        failed = None
        view: Callable[[Summary], None]
        live = None
        if terminal:
            live, view = _live_view()
        else:
            view = progress_lines()
        try:
            if live is not None:
                live.start()
            run(self.tap, self.sources, duration=duration, count=count, live=view)
        except SourceError as exc:
            failed = str(exc)
            self.tap.summary.ended = time.monotonic()
        finally:
            if live is not None:
                live.stop()
            for source in self.sources:
                source.close()
            if self.tap.metrics is not None:
                self.tap.metrics.close()
        return Outcome(self.tap.summary, self.tap.parity, failed)


def start(request: TapRequest) -> Session:
    """Checks ``request``, reads the registry, connects; says on stderr when it listens."""
    redis_urls = [u for u in request.urls if urlsplit(u).scheme in REDIS_SCHEMES]
    kafka_urls = [u for u in request.urls if urlsplit(u).scheme == "kafka"]
    others = [u for u in request.urls if u not in redis_urls and u not in kafka_urls]
    if others:
        raise TapSetupError(
            f"{others[0]!r}: a tap URL is redis://, rediss://, unix:// or kafka://", usage=True
        )
    if len(redis_urls) > 1 or len(kafka_urls) > 1:
        raise TapSetupError("give at most one Redis URL and one Kafka URL", usage=True)
    if request.parity and not (redis_urls and kafka_urls):
        raise TapSetupError("--parity needs one Redis URL and one Kafka URL", usage=True)
    if (request.channels or request.patterns) and not redis_urls:
        raise TapSetupError("--channel and --pattern are for a Redis URL", usage=True)
    if request.topics and not kafka_urls:
        raise TapSetupError("--topic is for a Kafka URL", usage=True)
    contracts = _contracts(request.registry)
    sources: list[Source] = []
    labels = []
    try:
        if redis_urls:
            picked = _picked(contracts, request.channels, "redis")
            names = [c.redis for c in picked if c.redis]
            sources.append(RedisSource(redis_urls[0], names, request.patterns))
            labels.append(
                f"{shown(redis_urls[0])} ({len(names)} channels, {len(request.patterns)} patterns)"
            )
        if kafka_urls:
            picked = _picked(contracts, request.topics, "kafka")
            topics = [c.kafka_topic for c in picked if c.kafka_topic]
            bootstrap = urlsplit(kafka_urls[0]).netloc
            if not bootstrap:
                raise TapSetupError(f"{kafka_urls[0]!r}: say kafka://HOST:PORT", usage=True)
            kafka = KafkaSource(bootstrap, topics, request.from_beginning)
            sources.append(kafka)
            labels.append(f"{kafka_urls[0]} ({len(topics)} topics, {kafka.assigned} partitions)")
        metrics = Metrics(request.metrics_port) if request.metrics_port is not None else None
    except SourceError as exc:
        for source in sources:
            source.close()
        raise TapSetupError(str(exc)) from None
    except OSError as exc:  # the metrics port
        for source in sources:
            source.close()
        raise TapSetupError(f"cannot serve metrics on port {request.metrics_port}: {exc}") from None
    parity = Parity(request.window, by_value=request.by_value) if request.parity else None
    summary = Summary(" + ".join(map(shown, request.urls)), time.monotonic())
    print(f"tap: listening on {' and '.join(labels)}", file=sys.stderr, flush=True)
    if metrics is not None:
        print(
            f"tap: metrics on http://127.0.0.1:{metrics.server.server_port}/metrics",
            file=sys.stderr,
            flush=True,
        )
    return Session(Tap(contracts, summary, parity, metrics), sources, labels)


def _contracts(path: Path) -> WireContracts:
    from opa_contracts.errors import InputError
    from opa_contracts.generate.contracts import collect
    from opa_contracts.loader import load

    try:
        return WireContracts.build(collect(load(path)))
    except InputError as exc:
        raise TapSetupError(str(exc)) from None


def _picked(contracts: WireContracts, names: tuple[str, ...], transport: str) -> list[WireChannel]:
    if not names:
        return list(contracts.channels.values())
    try:
        return contracts.pick(names, transport)
    except KeyError as exc:
        known = sorted(contracts.channels)
        raise TapSetupError(
            f"{exc.args[0]!r} is not a channel of the registry (it has: {', '.join(known)})",
            usage=True,
        ) from None


def _live_view() -> tuple[Any, Callable[[Summary], None]]:
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    def table(summary: Summary) -> Table:
        view = Table(
            title=f"tap: {summary.messages:,} messages, {summary.invalid:,} invalid, "
            f"{summary.elapsed:.0f} s"
        )
        for name in ("transport", "channel", "messages", "rate/s", "p50 B", "valid", "invalid"):
            view.add_column(name)
        for key in sorted(summary.channels):
            c = summary.channels[key]
            view.add_row(
                c.transport,
                c.name,
                f"{c.messages:,}",
                f"{c.rate(summary.elapsed):,.1f}",
                str(percentile(c.sizes, 0.5)),
                ", ".join(f"{v}: {n:,}" for v, n in sorted(c.versions.items())),
                f"{c.invalid_count:,}",
            )
        return view

    live = Live(console=Console(stderr=True), auto_refresh=False, transient=True)

    def show(summary: Summary) -> None:
        live.update(table(summary), refresh=True)

    return live, show
