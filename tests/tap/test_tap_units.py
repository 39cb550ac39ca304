"""The tap's pure parts: declared fields, decoding, parity's matching and its bounded state."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import msgpack
import pytest

from opa_contracts.tap.checking import DecodeError, decode, undeclared
from opa_contracts.tap.contracts import Fields, _Declarer
from opa_contracts.tap.parity import Parity
from opa_contracts.tap.summary import percentile


def fields_of(schema: Any) -> Fields:
    fields = Fields()
    _Declarer(schema).declare(schema, fields)
    return fields


def found(schema: Any, value: Any) -> set[str]:
    out: set[str] = set()
    undeclared(value, fields_of(schema), "", out)
    return out


TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
        }
    },
    "type": "object",
    "properties": {
        "root": {"$ref": "#/$defs/node"},
        "tags": {
            "type": "object",
            "additionalProperties": {"type": "object", "properties": {"v": {}}},
        },
    },
    "allOf": [{"properties": {"extra": {"type": "integer"}}}],
    "patternProperties": {"^x-": {}},
}


def test_undeclared_fields_through_refs_arrays_maps_combinators_and_recursion() -> None:
    message = {
        "root": {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "odd": 1}]}]},
        "tags": {"any": {"v": 1, "w": 2}},
        "extra": 1,
        "x-trace": "t",
        "stray": {"deep": 1},
    }
    assert found(TREE, message) == {
        "/root/children/*/children/*/odd",
        "/tags/any/w",
        "/stray",
    }
    # the same layout again costs a lookup, and still finds nested strays
    fields = fields_of(TREE)
    for _ in range(3):
        out: set[str] = set()
        undeclared(message, fields, "", out)
        assert "/root/children/*/children/*/odd" in out


def test_declared_members_of_every_version_count() -> None:
    fields = Fields()
    _Declarer({"properties": {"a": {}}}).declare({"properties": {"a": {}}}, fields)
    _Declarer({"properties": {"b": {}}}).declare({"properties": {"b": {}}}, fields)
    out: set[str] = set()
    undeclared({"a": 1, "b": 2, "c": 3}, fields, "", out)
    assert out == {"/c"}


def test_decode_refuses_what_json_cannot_say() -> None:
    assert decode(b'{"a": 1}', "json") == {"a": 1}
    with pytest.raises(DecodeError, match="not JSON"):
        decode(b'{"a": NaN}', "json")
    assert decode(msgpack.packb({"b": b"\x00\x01"}), "msgpack") == {"b": "AAE="}
    with pytest.raises(DecodeError, match="extension type"):
        decode(msgpack.packb(msgpack.ExtType(5, b"x")), "msgpack")
    with pytest.raises(DecodeError, match="not a string"):
        decode(msgpack.packb({1: 2}), "msgpack")
    with pytest.raises(DecodeError, match="twice"):
        decode(b"\x82\xa1a\x01\xa1a\x02", "msgpack")


def test_percentile_is_nearest_rank() -> None:
    sizes = Counter({10: 50, 20: 49, 1000: 1})
    assert percentile(sizes, 0.5) == 10
    assert percentile(sizes, 0.99) == 20
    assert percentile(sizes, 1.0) == 1000
    assert percentile(Counter(), 0.5) == 0


def quote(i: int, ticker: str = "AAPL", **more: Any) -> dict[str, Any]:
    return {"ticker": ticker, "timestamp": f"t{i}", "price": 1.0, **more}


def feed(parity: Parity, side: str, value: dict[str, Any], at: float) -> None:
    parity.take(side, "q", json.dumps(value).encode(), value, at, "ticker")


def test_parity_by_value_matches_reencoded_copies() -> None:
    for by_value, matched in ((False, 0), (True, 1)):
        parity = Parity(5.0, by_value=by_value)
        value = {"ticker": "A", "price": 1.5}
        parity.take("redis", "q", b'{"ticker":"A","price":1.5}', value, 0.0, None)
        parity.take("kafka", "q", b'{"price": 1.5, "ticker": "A"}', value, 0.1, None)
        parity.finish()
        assert parity.channels["q"].matched == matched


def test_parity_late_copy_beyond_the_window_is_missing_on_both_sides() -> None:
    parity = Parity(1.0)
    feed(parity, "redis", quote(1, ticker="B"), 0.0)
    feed(parity, "kafka", quote(1, ticker="B"), 2.5)
    parity.finish()
    c = parity.channels["q"]
    assert (c.matched, c.only["redis"], c.only["kafka"]) == (0, 1, 1)


def test_parity_state_follows_the_window_not_the_duration() -> None:
    rng = random.Random(3)
    held = []
    for seconds in (60, 600):
        parity = Parity(10.0)
        events = []
        for i in range(seconds * 50):
            at = i / 50
            events.append((at, "redis", quote(i)))
            events.append((at + rng.uniform(0, 2), "kafka", quote(i)))
        most = 0
        for at, side, value in sorted(events, key=lambda e: e[0]):
            feed(parity, side, value, at)
            most = max(most, parity.channels["q"].held())
        parity.finish()
        assert parity.channels["q"].matched == seconds * 50
        held.append(most)
    # 50 msg/s with a 10 s window: at most ~ 10 s of one side (plus the matched, not yet expired)
    assert held[0] <= 50 * 12 * 2
    assert held[1] <= held[0] * 1.2


def test_unknown_channels_are_bounded() -> None:
    from opa_contracts.tap.summary import MAX_UNKNOWN, Summary

    summary = Summary("redis://x", 0.0)
    for i in range(MAX_UNKNOWN + 50):
        summary.unknown(f"redis:user.{i}")
    summary.unknown("redis:user.0")
    assert len(summary.unknown_channels) == MAX_UNKNOWN + 1
    assert summary.unknown_channels["(others)"] == 50
    assert summary.unknown_channels["redis:user.0"] == 2


def test_parity_renders_its_counts_as_text_and_markdown() -> None:
    parity = Parity(5.0)
    feed(parity, "redis", quote(1), 0.0)
    feed(parity, "kafka", quote(1), 0.25)
    feed(parity, "redis", quote(2), 0.5)
    feed(parity, "kafka", quote(2, price=9.0), 0.6)  # same key and timestamp: altered
    feed(parity, "redis", quote(3, ticker="ZZ"), 0.7)
    parity.finish()
    text = parity.text()
    assert "q: matched 1, only on Redis 1, only on Kafka 0, altered 1" in text
    assert "late p50 250 ms" in text
    assert "altered at /price: 1" in text
    assert "| `q` | 1 | 1 | 0 | 1 | 0 | 250 ms | 250 ms |" in parity.markdown()
