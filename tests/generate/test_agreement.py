"""decode accepts exactly what the schema accepts: generated valid messages and near-misses.

For every bundled channel: messages generated from the schema (hypothesis-jsonschema), the same
with one value replaced by a near-miss (a boolean for a number, a numeric string, null, a
timestamp without zone or with a space, "AAPL\\n", a sixth letter, an unknown enum value, an extra
field, a missing field, huge numbers...), and every manifest example. Zero false accepts; every
false reject must carry one of ``oracle.DOCUMENTED_FALSE_REJECTS``. What is accepted must
round-trip: ``decode(encode(m)) == m``, and ``encode`` writes a message the reference accepts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.generate import hypothesis_compat, oracle
from tests.generate.helpers import GOLDEN, imported, manifests

hypothesis_compat.patch()

NEAR_MISSES: list[Any] = [
    True,
    False,
    None,
    "5",
    "185.50",
    "",
    0,
    -1,
    1.5,
    1.0,
    10**30,
    2**64,
    -(2**63) - 1,
    1e300,
    float("nan"),
    float("inf"),
    "AAPL\n",
    "ABCDEF",
    "aapl",
    "2026-01-20T14:30:00",
    "2026-01-20 14:30:00Z",
    "2026-01-20t14:30:00z",
    "2026-06-30T23:59:60Z",
    "2026-02-30T00:00:00Z",
    "2026-01-20T14:30:00.123456789+05:30",
    "bloomberg",
    "\ud800",
    [],
    {},
    {"uptime_seconds": 1.0},
]
CONTRACTS = [(m["channel"], m["version"], m) for m in manifests()]


def _paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield here
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*here, i))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copy


def _variants(payload: Any) -> Iterator[Any]:
    """Near-misses of ``payload``: each value replaced, each key dropped, one key added."""
    for path in _paths(payload):
        for new in NEAR_MISSES:
            yield _replace(payload, path, new)
        if path and isinstance(path[-1], str):
            parent = json.loads(json.dumps(payload))
            target = parent
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]
            yield parent
    if isinstance(payload, dict):
        yield {**payload, "zz_unknown": {"kept": [1, None]}}


class Agreement:
    """Counts of one corpus run, and the cases that broke the rules."""

    def __init__(self, package: Any, channel: str, version: str) -> None:
        self.package, self.channel, self.version = package, channel, version
        self.reference = oracle.reference(package.schema(channel, version))
        self.false_accepts: list[Any] = []
        self.undocumented_rejects: list[tuple[Any, str]] = []
        self.accepted = self.rejected = 0

    def check(self, value: Any) -> None:
        raw = json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
        valid = self.reference.is_valid(value)
        try:
            message = self.package.decode(self.channel, raw, self.version)
        except self.package.ContractError as exc:
            self.rejected += 1
            if valid and oracle.documented_reason(value) is None:
                self.undocumented_rejects.append((value, str(exc)))
            return
        self.accepted += 1
        if not valid:
            self.false_accepts.append(value)
            return
        data = self.package.encode(message)
        assert self.package.decode(self.channel, data, self.version) == message
        assert self.reference.is_valid(json.loads(data)), data

    def assert_agrees(self) -> None:
        assert not self.false_accepts, f"decode accepted invalid messages: {self.false_accepts}"
        assert not self.undocumented_rejects, (
            f"decode refused valid messages for no documented reason: {self.undocumented_rejects}"
        )


@pytest.mark.parametrize(("channel", "version", "manifest"), CONTRACTS)
def test_examples_and_their_near_misses(channel: str, version: str, manifest: Any) -> None:
    with imported(GOLDEN / "src", "opa_events") as package:
        agreement = Agreement(package, channel, version)
        for example in manifest.get("examples", []):
            agreement.check(example["payload"])
            for variant in _variants(example["payload"]):
                agreement.check(variant)
        for example in manifest.get("invalid_examples", []):
            agreement.check(example["payload"])
        agreement.assert_agrees()
        assert agreement.accepted >= len(manifest.get("examples", []))
        assert agreement.rejected > 100


def generated_messages(schema: Any) -> list[Any]:
    """Messages hypothesis-jsonschema makes from ``schema`` (250, derandomized), each followed by
    one near-miss mutation of it: the corpus both packages' agreement tests decode."""
    found: list[Any] = []

    @settings(
        max_examples=250,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(from_schema(schema), st.data())
    def generated(value: Any, data: st.DataObject) -> None:
        found.append(value)
        path = data.draw(st.sampled_from(list(_paths(value))))
        found.append(_replace(value, path, data.draw(st.sampled_from(NEAR_MISSES))))

    generated()
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("channel", "version", "manifest"), CONTRACTS)
def test_generated_messages_and_mutations(channel: str, version: str, manifest: Any) -> None:
    del manifest
    with imported(GOLDEN / "src", "opa_events") as package:
        schema = package.schema(channel, version)
        agreement = Agreement(package, channel, version)

        for value in generated_messages(schema):
            agreement.check(value)
        agreement.assert_agrees()
        assert agreement.accepted > 100
