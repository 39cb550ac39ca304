"""What the tap saw, per channel, and its three forms: JSON, markdown and a text table."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from opa_contracts.tap.checking import Refusal

#: a sample message is cut to this many characters
SAMPLE_CHARS = 200
#: distinct undeclared fields kept per channel (the rest are counted)
MAX_FIELDS = 200
#: distinct unknown channels kept (a pattern may match a channel per user: the rest are counted)
MAX_UNKNOWN = 1000


def percentile(counts: Counter[int], q: float) -> int:
    """The ``q`` quantile (0..1, nearest rank) of values held as value -> count."""
    total = sum(counts.values())
    if not total:
        return 0
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return max(counts)  # pragma: no cover - the loop reaches the rank


def sample(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"


@dataclass
class Invalid:
    """Messages one rule refused at one pointer: how many, and the first one."""

    count: int
    message: str
    sample: str


@dataclass
class ChannelStats:
    """One channel's tally."""

    transport: str
    name: str
    messages: int = 0
    first: float = 0.0
    last: float = 0.0
    sizes: Counter[int] = field(default_factory=Counter)
    versions: Counter[str] = field(default_factory=Counter)
    invalid: dict[tuple[str, str], Invalid] = field(default_factory=dict)
    fields: Counter[str] = field(default_factory=Counter)
    fields_dropped: int = 0
    latest: str = ""  # the channel's newest version

    @property
    def old_versions(self) -> int:
        """Valid messages that only an older version than the newest accepts."""
        return sum(n for v, n in self.versions.items() if v != self.latest)

    def seen(self, size: int, at: float) -> None:
        if not self.messages:
            self.first = at
        self.messages += 1
        self.last = at
        sizes = self.sizes
        sizes[size] = sizes.get(size, 0) + 1

    def refused(self, refusal: Refusal, data: bytes) -> None:
        where = (refusal.rule, refusal.pointer)
        found = self.invalid.get(where)
        if found is None:
            self.invalid[where] = Invalid(1, refusal.message, sample(data))
        else:
            found.count += 1

    def undeclared(self, pointers: set[str]) -> None:
        for pointer in pointers:
            if pointer in self.fields or len(self.fields) < MAX_FIELDS:
                self.fields[pointer] += 1
            else:
                self.fields_dropped += 1

    @property
    def invalid_count(self) -> int:
        return sum(i.count for i in self.invalid.values())

    def rate(self, elapsed: float) -> float:
        return self.messages / elapsed if elapsed > 0 else 0.0

    def as_json(self, elapsed: float) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "channel": self.name,
            "messages": self.messages,
            "rate_per_second": round(self.rate(elapsed), 1),
            "size_bytes": {"p50": percentile(self.sizes, 0.5), "p99": percentile(self.sizes, 0.99)},
            "valid": dict(sorted(self.versions.items())),
            "invalid": [
                {
                    "rule": rule,
                    "pointer": pointer,
                    "count": i.count,
                    "message": i.message,
                    "sample": i.sample,
                }
                for (rule, pointer), i in sorted(self.invalid.items())
            ],
            "undeclared_fields": dict(sorted(self.fields.items())),
        }


@dataclass
class Summary:
    """Everything one tap saw."""

    source: str
    started: float
    ended: float = 0.0
    channels: dict[tuple[str, str], ChannelStats] = field(default_factory=dict)
    unknown_channels: Counter[str] = field(default_factory=Counter)

    def unknown(self, name: str) -> None:
        """A message on a channel the registry does not declare (at most ``MAX_UNKNOWN`` names
        are kept; the rest are counted under ``(others)``)."""
        if name in self.unknown_channels or len(self.unknown_channels) < MAX_UNKNOWN:
            self.unknown_channels[name] += 1
        else:
            self.unknown_channels["(others)"] += 1

    def channel(self, transport: str, name: str) -> ChannelStats:
        key = (transport, name)
        found = self.channels.get(key)
        if found is None:
            found = self.channels[key] = ChannelStats(transport, name)
        return found

    @property
    def elapsed(self) -> float:
        return max(self.ended - self.started, 0.0)

    @property
    def messages(self) -> int:
        return sum(c.messages for c in self.channels.values()) + sum(self.unknown_channels.values())

    @property
    def invalid(self) -> int:
        return sum(c.invalid_count for c in self.channels.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "seconds": round(self.elapsed, 3),
            "messages": self.messages,
            "invalid": self.invalid,
            "channels": [self.channels[k].as_json(self.elapsed) for k in sorted(self.channels)],
            "unknown_channels": dict(sorted(self.unknown_channels.items())),
        }

    def json(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n"

    def markdown(self) -> str:
        lines = [
            f"## opa-contracts tap: {self.messages:,} messages in {self.elapsed:.1f} s, "
            f"{self.invalid:,} invalid",
            "",
            f"Source: `{self.source}`",
            "",
            "| transport | channel | messages | rate/s | size p50 | size p99 | valid | invalid |",
            "|---|---|---:|---:|---:|---:|---|---:|",
        ]
        for key in sorted(self.channels):
            c = self.channels[key]
            lines.append(
                f"| {c.transport} | `{c.name}` | {c.messages:,} | {c.rate(self.elapsed):,.1f} | "
                f"{percentile(c.sizes, 0.5)} B | {percentile(c.sizes, 0.99)} B | "
                f"{_versions(c)} | {c.invalid_count:,} |"
            )
        for key in sorted(self.channels):
            c = self.channels[key]
            if c.invalid:
                lines += ["", f"### Invalid on `{c.name}` ({c.transport})", ""]
                lines += ["| rule | pointer | count | first message |", "|---|---|---:|---|"]
                for (rule, pointer), i in sorted(c.invalid.items()):
                    lines.append(
                        f"| `{rule}` | `{pointer or '/'}` | {i.count:,} | "
                        f"{_cell(i.message)}<br>`{_cell(i.sample)}` |"
                    )
            if c.fields:
                lines += ["", f"### Fields on `{c.name}` that no version declares", ""]
                lines += [f"- `{p}`: {n:,} messages" for p, n in sorted(c.fields.items())]
        if self.unknown_channels:
            lines += ["", "### Channels the registry does not declare", ""]
            lines += [f"- `{n}`: {k:,} messages" for n, k in sorted(self.unknown_channels.items())]
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        lines = [
            f"tap {self.source}: {self.messages:,} messages in {self.elapsed:.1f} s, "
            f"{self.invalid:,} invalid"
        ]
        for key in sorted(self.channels):
            c = self.channels[key]
            lines.append(
                f"  {c.transport} {c.name}: {c.messages:,} messages, "
                f"{c.rate(self.elapsed):,.1f}/s, size p50 {percentile(c.sizes, 0.5)} B "
                f"p99 {percentile(c.sizes, 0.99)} B, valid {_versions(c)}, "
                f"invalid {c.invalid_count:,}"
            )
            for (rule, pointer), i in sorted(c.invalid.items()):
                lines.append(f"    invalid {rule} at {pointer or '/'}: {i.count:,} ({i.message})")
                lines.append(f"      first: {i.sample}")
            for p, n in sorted(c.fields.items()):
                lines.append(f"    undeclared field {p}: {n:,} messages")
        for name, n in sorted(self.unknown_channels.items()):
            lines.append(f"  unknown channel {name}: {n:,} messages")
        return "\n".join(lines) + "\n"


def _versions(stats: ChannelStats) -> str:
    return ", ".join(f"{v}: {n:,}" for v, n in sorted(stats.versions.items())) or "none"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
