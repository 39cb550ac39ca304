"""Lossless messages: what ``decode`` accepts, ``encode`` writes back unchanged, or it says why.

For every message ``decode`` accepts, ``encode(decode(m))`` is accepted by the same contract and
holds the same values, compared strictly: the same date-time text (precision and offset), an int
where there was an int, the same number. Every failure of ``decode`` or ``encode`` is a
``ContractError``. Properties run over every bundled channel and every channel of the hostile
registry (``tests/fixtures/hostile``: ``exact.values`` has pattern- and length-constrained
date-times and ``number`` fields holding integers beyond 2**53); the reproductions of issue 10
run through the golden package.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.conftest import ROOT
from tests.generate import hypothesis_compat, oracle
from tests.generate.conftest import HOSTILE_MODULE
from tests.generate.helpers import GOLDEN, HOSTILE, imported, manifests

hypothesis_compat.patch()

QUOTE = {
    "ticker": "AAPL",
    "timestamp": "2026-01-20T14:30:15.123456789Z",
    "price": 1,
    "volume": 5,
    "source": "yfinance",
}
CONTRACTS = [
    pytest.param("golden", m["channel"], m["version"], id=f"{m['channel']}-{m['version']}")
    for m in manifests()
] + [
    pytest.param("hostile", m["channel"], m["version"], id=f"hostile-{m['channel']}-{m['version']}")
    for m in manifests(HOSTILE)
]
# RFC 3339 date-times as people write them: T or t, any precision (none to picoseconds), Z or z
# or any offset; the years Python's datetime can hold. Each schema's date-times are drawn among
# the shapes its pattern and length limits allow (a filter alone would reject nearly all).
SEPARATORS = ("T", "t")
FRACTION_DIGITS = (0, 1, 3, 6, 7, 9, 12)
OFFSETS = ("Z", "z", "+00:00", "-00:00", "+05:30", "-23:59", "+14:00")


def date_times(pattern: str | None, min_length: int, max_length: int | None) -> Any:
    """A strategy of RFC 3339 date-times that match ``pattern`` and the length limits."""
    shapes = []
    for separator in SEPARATORS:
        for digits in FRACTION_DIGITS:
            for offset in OFFSETS:
                fraction = "." + "1" * digits if digits else ""
                sample = f"2026-01-20{separator}14:30:15{fraction}{offset}"
                fits = min_length <= len(sample) <= (max_length or len(sample))
                if fits and (pattern is None or re.search(oracle.ecma(pattern), sample)):
                    shapes.append((separator, digits, offset))
    assert shapes, f"no date-time shape fits {pattern!r} [{min_length}, {max_length}]"
    return st.sampled_from(shapes).flatmap(
        lambda shape: st.builds(
            "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}{}{}".format,
            st.integers(1, 9999),
            st.integers(1, 12),
            st.integers(1, 28),
            st.just(shape[0]),
            st.integers(0, 23),
            st.integers(0, 59),
            st.integers(0, 59),
            st.text("0123456789", min_size=shape[1], max_size=shape[1]).map(
                lambda d: "." + d if d else ""
            ),
            st.just(shape[2]),
        )
    )


# integers a double cannot hold (2**53 + 1 is the first), either side
BIG_INTEGERS = st.integers(2**53 + 1, 2**80) | st.integers(-(2**80), -(2**53) - 1)


def _package(request: pytest.FixtureRequest, which: str) -> Any:
    """The golden package, or the hostile registry's, imported for the test's duration."""
    if which == "golden":
        return imported(GOLDEN / "src", "opa_events")
    hostile: Path = request.getfixturevalue("hostile_package")
    return imported(hostile / "src", HOSTILE_MODULE)


def same(a: Any, b: Any) -> bool:
    """JSON values equal, and of the same JSON kind: ``1`` is not ``1.0``, text is exact."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and a == b


def round_trip(package: Any, channel: str, version: str | None, value: Any) -> bytes | None:
    """Check that ``value`` goes through unchanged; the bytes ``encode`` wrote (None: refused
    for a documented reason)."""
    raw = json.dumps(value, ensure_ascii=False)  # ints as ints, floats by their shortest repr
    refused = None
    try:
        message = package.decode(channel, raw, version)
    except package.ContractError as exc:
        refused = str(exc)
    if refused is not None:
        assert oracle.documented_reason(value) is not None, (value, refused)
        return None
    data: bytes = package.encode(message)
    back = json.loads(data)
    assert same(back, value), (raw, data)
    assert oracle.reference(package.schema(channel, version)).is_valid(back), data
    again = package.decode(channel, data, version)
    assert again == message
    assert package.encode(again) == data
    return data


def for_generation(schema: Any, depth: int = 2) -> tuple[Any, dict[str, Any]]:
    """``schema`` for hypothesis-jsonschema, and its custom formats: local references inlined
    (a recursive one ``depth`` times, then nothing), date-times drawn by ``date_times``."""
    definitions = {
        f"#/{key}/{name}": node
        for key in ("definitions", "$defs")
        for name, node in (schema.get(key) or {}).items()
    }
    formats: dict[str, Any] = {}

    def inline(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in definitions:
            if seen.count(ref) >= depth:
                return False
            return inline(definitions[ref], (*seen, ref))
        out = {k: inline(v, seen) for k, v in node.items() if k not in ("definitions", "$defs")}
        if out.get("format") == "date-time" and out.get("type") == "string":
            limits = (out.get("pattern"), out.get("minLength", 0), out.get("maxLength"))
            out["format"] = f"x-date-time-{len(formats)}"
            formats[out["format"]] = date_times(*limits)
        return out

    return inline(schema, ()), formats


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    changed = copy.deepcopy(value)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return changed


@pytest.mark.slow
@pytest.mark.parametrize(("which", "channel", "version"), CONTRACTS)
def test_what_decode_accepts_encode_writes_back_unchanged(
    request: pytest.FixtureRequest, which: str, channel: str, version: str
) -> None:
    with _package(request, which) as package:
        schema = package.schema(channel, version)
        reference = oracle.reference(schema)
        generated, formats = for_generation(schema)
        strategy = from_schema(generated, custom_formats=formats)
        written: list[bytes] = []

        @settings(
            max_examples=150,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(strategy, st.data())
        def run(value: Any, data: st.DataObject) -> None:
            # numbers come as floats: make some of them ints, small and beyond 2**53
            for path, leaf in _leaves(value):
                if isinstance(leaf, float):
                    choice = data.draw(st.sampled_from(["float", "int", "big"]))
                    if choice != "float":
                        new = int(leaf) if choice == "int" else data.draw(BIG_INTEGERS)
                        changed = _set(value, path, new)
                        value = changed if reference.is_valid(changed) else value
            assume(reference.is_valid(value))
            data_out = round_trip(package, channel, version, value)
            if data_out is not None:
                written.append(data_out)

        run()
        assert len(written) > 50


def test_the_hostile_examples_and_every_date_time_spelling_go_through(
    hostile_package: Path,
) -> None:
    with imported(hostile_package / "src", HOSTILE_MODULE) as package:
        for manifest in manifests(HOSTILE):
            for example in manifest.get("examples", []):
                data = round_trip(
                    package, manifest["channel"], manifest["version"], example["payload"]
                )
                assert data is not None, example["name"]
        base = {"millis": "2026-01-20T14:30:15.000Z", "amount": 1}
        for text in [
            "2026-01-20T14:30:15.123456789Z",
            "2026-01-20t14:30:15.1z",
            "0001-01-01T00:00:00-23:59",
        ]:
            value = {**base, "seen": [text], "either": text, "nested": {"at": text, "value": 2**64}}
            assert round_trip(package, "exact.values", None, value) is not None
        message = package.decode(
            "exact.values", json.dumps({**base, "nanos": "2026-01-20T14:30:15.123456789-05:00"})
        )
        assert message.nanos == datetime(2026, 1, 20, 19, 30, 15, 123456, UTC)  # typed access
        assert isinstance(message.millis, datetime)
        assert message.amount == 1
        assert isinstance(message.amount, int)


# the reproductions of issue 10 ("Messages changed on the way out"), through the golden package


@pytest.fixture
def golden() -> Iterator[Any]:
    with imported(GOLDEN / "src", "opa_events") as package:
        yield package


def test_a_quote_keeps_its_timestamp_text_and_its_integers(golden: Any) -> None:
    for changes in (
        {},
        {"timestamp": "2026-01-20T14:30:15+00:00"},
        {"timestamp": "2026-01-20T14:30:15.123Z", "price": 9007199254740993},
        {"price": 185.5, "bid": 1, "ask": 2**64 + 1},
    ):
        payload = {**QUOTE, **changes}
        message = golden.decode("quotes.realtime", json.dumps(payload))
        assert same(json.loads(golden.encode(message)), payload)
    message = golden.decode("quotes.realtime", json.dumps({**QUOTE, "price": 9007199254740993}))
    assert message.price == 9007199254740993
    assert isinstance(message.price, int)
    assert message.timestamp == datetime(2026, 1, 20, 14, 30, 15, 123456, UTC)
    assert message.timestamp.text == QUOTE["timestamp"]


def test_a_changed_date_time_is_written_the_standard_way(golden: Any) -> None:
    message = golden.decode("quotes.realtime", json.dumps(QUOTE))
    later = message.model_copy(update={"timestamp": message.timestamp + timedelta(seconds=1)})
    assert json.loads(golden.encode(later))["timestamp"] == "2026-01-20T14:30:16.123456Z"
    # a model built in Python, from a datetime
    from_python = type(message)(
        **{**message.model_dump(), "timestamp": datetime(2026, 1, 2, tzinfo=UTC)}
    )
    assert json.loads(golden.encode(from_python))["timestamp"] == "2026-01-02T00:00:00Z"
    # unchanged: copied, deep-copied or pickled, the text stays
    for kept in (
        message.model_copy(),
        message.model_copy(deep=True),
        pickle.loads(pickle.dumps(message)),
    ):
        assert json.loads(golden.encode(kept))["timestamp"] == QUOTE["timestamp"]


def test_a_pattern_constrained_date_time_stays_valid(hostile_package: Path) -> None:
    payload = {
        "millis": "2026-01-20T14:30:15.120Z",
        "amount": 1,
        "offset": "2026-01-20T14:30:15+00:00",
    }
    with imported(hostile_package / "src", HOSTILE_MODULE) as package:
        message = package.decode("exact.values", json.dumps(payload))
        assert same(json.loads(package.encode(message)), payload)
        big = package.decode("exact.values", json.dumps({**payload, "big": 2**53 + 1}))
        assert json.loads(package.encode(big))["big"] == 2**53 + 1  # a float would break minimum


def test_a_number_a_double_cannot_hold_is_refused_not_changed(golden: Any) -> None:
    for text in ("0.1000000000000000055511151231257827", "1e-400", "9007199254740993.0"):
        raw = json.dumps(QUOTE).replace('"price": 1', f'"price": {text}')
        with pytest.raises(golden.ContractError) as caught:
            golden.decode("quotes.realtime", raw)
        assert caught.value.pointer == "/price"
        assert "more digits than a double holds" in caught.value.message
    # long digit runs elsewhere cost a second look and change nothing
    for price in ("0.30000000000000004", "1e-300", "123456789012345678901234567890"):
        raw = json.dumps({**QUOTE, "ticker": "A", "zz": "1234567890123456789e-999"}).replace(
            '"price": 1', f'"price": {price}'
        )
        assert golden.encode(golden.decode("quotes.realtime", raw)) == raw.replace(" ", "").encode()


@pytest.mark.parametrize(
    ("value", "pointer", "reason"),
    [
        (float("nan"), "/zz", "NaN"),
        (float("inf"), "/zz", "NaN and Infinity"),
        ([1, float("-inf")], "/zz/1", "NaN and Infinity"),
        (b"\xff", "/zz", "bytes is not a JSON type"),
        ({"k": object()}, "/zz/k", "object is not a JSON type"),
        ("\ud800", "/zz", "unpaired surrogate"),
        ({"\udfff": 1}, "/zz/\udfff", "unpaired surrogate"),
    ],
)
def test_encode_fails_only_with_contract_error(
    golden: Any, value: Any, pointer: str, reason: str
) -> None:
    message = golden.decode("quotes.realtime", json.dumps(QUOTE))
    message.zz = value  # an extra field: unknown fields are kept and written back
    with pytest.raises(golden.ContractError) as caught:
        golden.encode(message)
    assert caught.value.pointer == pointer
    assert reason in caught.value.message
    assert caught.value.channel == "quotes.realtime"


def test_a_value_that_holds_itself_is_a_contract_error(golden: Any) -> None:
    message = golden.decode("quotes.realtime", json.dumps(QUOTE))
    loop: list[Any] = []
    loop.append(loop)
    message.zz = loop
    with pytest.raises(golden.ContractError, match="cannot be written as JSON"):
        golden.encode(message)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ('{"ticker": "\ud800"}', "unpaired surrogate"),
        (None, "expected bytes, bytearray or str, not NoneType"),
        (12, "expected bytes, bytearray or str, not int"),
        (b"\xff", "not JSON"),
    ],
)
def test_decode_fails_only_with_contract_error(golden: Any, data: Any, reason: str) -> None:
    with pytest.raises(golden.ContractError) as caught:
        golden.decode("quotes.realtime", data)
    assert reason in caught.value.message


def test_the_guide_s_relay_example_runs(golden: Any) -> None:
    del golden  # imported: the snippet's ``from opa_events import ...`` finds the golden package
    guide = (ROOT / "docs" / "python-client.md").read_text(encoding="utf-8")
    section = guide.split("### Nothing changes on the way through", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(snippet, "docs/python-client.md", "exec"), {})
