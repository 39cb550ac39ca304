"""Property-based: mutated manifests never make validate raise; it always returns a report."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opa_contracts.findings import Report
from opa_contracts.validate.runner import validate
from tests.conftest import CONTRACTS

SOURCE = (CONTRACTS / "quotes.realtime" / "1.0.0.yaml").read_text(encoding="utf-8")
DATA = yaml.safe_load(SOURCE)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


PATHS = [p for p in paths(DATA) if p]

# the same cases on every CI run; raise max_examples (or drop derandomize) to explore
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def run(text: str | bytes) -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "contracts" / "quotes.realtime"
        folder.mkdir(parents=True)
        target = folder / "1.0.0.yaml"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return validate(Path(tmp) / "contracts")


@pytest.mark.slow
@FUZZ
@given(st.sampled_from(PATHS), json_values)
def test_replacing_any_value_never_raises(path: tuple[Any, ...], value: Any) -> None:
    data = yaml.safe_load(SOURCE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    report = run(yaml.safe_dump(data, allow_unicode=True))
    assert isinstance(report, Report)
    assert report.manifests_checked == 1


@pytest.mark.slow
@FUZZ
@given(st.data())
def test_textual_mutations_never_raise(data: st.DataObject) -> None:
    raw = SOURCE.encode("utf-8")
    cuts = data.draw(st.lists(st.integers(0, len(raw)), min_size=1, max_size=4))
    junk = data.draw(
        st.binary(max_size=8) | st.sampled_from([b"\t", b"&a", b"*a", b"<<", b"]", b"---", b"\xff"])
    )
    mutated = bytearray(raw)
    for cut in sorted(cuts, reverse=True):
        if data.draw(st.booleans()):
            mutated[cut:cut] = junk
        else:
            del mutated[cut : cut + data.draw(st.integers(1, 40))]
    report = run(bytes(mutated))
    assert isinstance(report, Report)
    for finding in report.findings:
        assert finding.rule
        assert finding.file.endswith("1.0.0.yaml")
