"""Dual-write parity: is every message Redis carried also on Kafka, in the same form?

Per channel, messages wait in arrival order for their copy from the other transport, keyed by
their payload bytes (or, with ``by_value``, by their decoded value written canonically). A copy
that arrives within the window is *matched* (its lateness, Kafka arrival − Redis arrival, is
counted, to the millisecond); a message that waits longer than the window is *only on Redis* or
*only on Kafka* — unless a message of the other side with the same identity (the channel's Kafka
key field and its ``timestamp``, when the payload has them) waits too: the pair is then
*altered*, and the pointers where the two differ are counted.

State is bounded by the window: each side holds at most the messages of the last ``window``
seconds (plus one entry per distinct key for the order check); everything else is a counter.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from opa_contracts import pointer as jp
from opa_contracts.tap.summary import percentile

SIDES = ("redis", "kafka")
#: altered pairs kept as examples per channel
MAX_EXAMPLES = 5
#: keys listed with their reorderings per channel
MAX_KEYS = 20


@dataclass(slots=True, eq=False)
class _Waiting:
    at: float
    seq: int
    value: Any
    identity: tuple[Any, ...] | None
    order_key: str | None
    match_key: Any = None
    done: bool = False


@dataclass
class ChannelParity:
    """One channel's parity counts."""

    name: str
    matched: int = 0
    only: Counter[str] = field(default_factory=Counter)
    altered: int = 0
    altered_pointers: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)
    late_ms: Counter[int] = field(default_factory=Counter)
    reordered: int = 0
    #: reorderings per Kafka key (the first MAX_KEYS keys that had one; the rest in ``reordered``)
    reordered_keys: Counter[str] = field(default_factory=Counter)
    #: each side's waiting messages in arrival order (matched ones are marked done and dropped
    #: when they reach the front) and by match key
    arrivals: dict[str, deque[_Waiting]] = field(
        default_factory=lambda: {side: deque() for side in SIDES}
    )
    waiting: dict[str, dict[Any, deque[_Waiting]]] = field(
        default_factory=lambda: {side: {} for side in SIDES}
    )
    #: waiting messages of each side by identity (key, timestamp)
    identities: dict[str, dict[tuple[Any, ...], _Waiting]] = field(
        default_factory=lambda: {side: {} for side in SIDES}
    )
    seq: Counter[str] = field(default_factory=Counter)
    #: per Kafka key: the Redis and Kafka sequence numbers of its last matched message
    last_order: dict[str, tuple[int, int]] = field(default_factory=dict)

    def held(self) -> int:
        """Messages held in memory (waiting, or matched but not yet past the window)."""
        return sum(len(self.arrivals[s]) for s in SIDES)

    def as_json(self) -> dict[str, Any]:
        return {
            "channel": self.name,
            "matched": self.matched,
            "only_on_redis": self.only["redis"],
            "only_on_kafka": self.only["kafka"],
            "altered": self.altered,
            "altered_pointers": dict(sorted(self.altered_pointers.items())),
            "altered_examples": self.examples,
            "late_ms": {
                "p50": percentile(self.late_ms, 0.5),
                "p99": percentile(self.late_ms, 0.99),
            },
            "reordered": self.reordered,
            "reordered_by_key": dict(sorted(self.reordered_keys.items())),
        }


class Parity:
    """Matches the Redis and Kafka copies of each channel within ``window`` seconds."""

    def __init__(self, window: float, *, by_value: bool = False) -> None:
        self.window = window
        self.by_value = by_value
        self.channels: dict[str, ChannelParity] = {}

    def channel(self, name: str) -> ChannelParity:
        found = self.channels.get(name)
        if found is None:
            found = self.channels[name] = ChannelParity(name)
        return found

    def take(
        self,
        side: str,
        channel: str,
        data: bytes,
        value: Any,
        at: float,
        key_field: str | None,
    ) -> None:
        """One message of ``side`` (``redis`` or ``kafka``); ``value`` is its decoded value
        (None when it could not be decoded: it is matched by its bytes only)."""
        state = self.channel(channel)
        self._expire(state, at - self.window)
        other = "kafka" if side == "redis" else "redis"
        match_key = _canonical(value) if self.by_value and value is not None else data
        state.seq[side] += 1
        seq = state.seq[side]
        identity = _identity(value, key_field)
        order_key = _order_key(value, key_field)
        queue = state.waiting[other].get(match_key)
        if queue:
            found = queue[0]
            self._remove(state, other, found)
            mine = _Waiting(at, seq, value, identity, order_key)
            redis, kafka = (mine, found) if side == "redis" else (found, mine)
            self._matched(state, redis, kafka)
            return
        if identity is not None:
            partner = state.identities[other].get(identity)
            if partner is not None:
                waiting = partner
                self._remove(state, other, waiting)
                state.altered += 1
                differing = _differences(waiting.value, value, "")
                state.altered_pointers.update(differing or [""])
                if len(state.examples) < MAX_EXAMPLES:
                    state.examples.append(
                        {"identity": list(identity), "pointers": differing or [""]}
                    )
                return
        entry = _Waiting(at, seq, value, identity, order_key, match_key)
        state.arrivals[side].append(entry)
        state.waiting[side].setdefault(match_key, deque()).append(entry)
        if identity is not None:
            state.identities[side].setdefault(identity, entry)

    def _matched(self, state: ChannelParity, redis: _Waiting, kafka: _Waiting) -> None:
        state.matched += 1
        state.late_ms[max(0, round((kafka.at - redis.at) * 1000))] += 1
        if kafka.order_key is None:
            return
        last = state.last_order.get(kafka.order_key)
        if last is not None and (redis.seq - last[0]) * (kafka.seq - last[1]) < 0:
            state.reordered += 1
            if kafka.order_key in state.reordered_keys or len(state.reordered_keys) < MAX_KEYS:
                state.reordered_keys[kafka.order_key] += 1
        state.last_order[kafka.order_key] = (redis.seq, kafka.seq)

    @staticmethod
    def _remove(state: ChannelParity, side: str, entry: _Waiting) -> None:
        """``entry`` waits no more (matched, altered or expired)."""
        entry.done = True
        queue = state.waiting[side][entry.match_key]
        if queue[0] is entry:
            queue.popleft()
        else:
            queue.remove(entry)
        if not queue:
            del state.waiting[side][entry.match_key]
        if entry.identity is not None and state.identities[side].get(entry.identity) is entry:
            del state.identities[side][entry.identity]

    def expire(self, before: float) -> None:
        """Messages that waited since before ``before`` have no copy: count them."""
        for state in self.channels.values():
            self._expire(state, before)

    def _expire(self, state: ChannelParity, before: float) -> None:
        for side in SIDES:
            arrivals = state.arrivals[side]
            while arrivals and arrivals[0].at < before:
                entry = arrivals.popleft()
                if not entry.done:
                    self._remove(state, side, entry)
                    state.only[side] += 1

    def finish(self) -> None:
        """The tap ends: whatever still waits has no copy."""
        self.expire(float("inf"))

    def as_json(self) -> dict[str, Any]:
        return {
            "window_seconds": self.window,
            "by_value": self.by_value,
            "channels": [self.channels[n].as_json() for n in sorted(self.channels)],
        }

    def text(self) -> str:
        """The parity report as lines, after the tap's summary."""
        lines = [f"parity (window {self.window:g} s, by {'value' if self.by_value else 'bytes'}):"]
        for name in sorted(self.channels):
            c = self.channels[name]
            lines.append(
                f"  {name}: matched {c.matched:,}, only on Redis {c.only['redis']:,}, "
                f"only on Kafka {c.only['kafka']:,}, altered {c.altered:,}, "
                f"reordered {c.reordered:,}, "
                f"late p50 {percentile(c.late_ms, 0.5)} ms p99 {percentile(c.late_ms, 0.99)} ms"
            )
            for pointer, n in sorted(c.altered_pointers.items()):
                lines.append(f"    altered at {pointer or '/'}: {n:,}")
            for key, n in sorted(c.reordered_keys.items()):
                lines.append(f"    reordered on key {key}: {n:,}")
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """The parity report as a markdown table, after the tap's summary."""
        lines = [
            "",
            f"### Dual-write parity (window {self.window:g} s)",
            "",
            "| channel | matched | only on Redis | only on Kafka | altered | reordered "
            "| late p50 | late p99 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in sorted(self.channels):
            c = self.channels[name]
            lines.append(
                f"| `{name}` | {c.matched:,} | {c.only['redis']:,} | {c.only['kafka']:,} | "
                f"{c.altered:,} | {c.reordered:,} | {percentile(c.late_ms, 0.5)} ms | "
                f"{percentile(c.late_ms, 0.99)} ms |"
            )
        return "\n".join(lines) + "\n"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _order_key(value: Any, key_field: str | None) -> str | None:
    """The Kafka key a message is ordered by (the key field's text), if it has one."""
    if not isinstance(value, dict) or key_field is None or value.get(key_field) is None:
        return None
    key = value[key_field]
    return key if isinstance(key, str) else _canonical(key)


def _identity(value: Any, key_field: str | None) -> tuple[Any, ...] | None:
    if not isinstance(value, dict) or key_field is None or key_field not in value:
        return None
    if "timestamp" not in value:
        return None
    return (_canonical(value[key_field]), _canonical(value["timestamp"]))


def _differences(old: Any, new: Any, here: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for name in sorted(set(old) | set(new)):
            if name not in old or name not in new:
                out.append(jp.join(here, name))
            else:
                out += _differences(old[name], new[name], jp.join(here, name))
        return out
    if type(old) is not type(new) or old != new:
        return [here]
    return []
