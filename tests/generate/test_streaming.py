"""Generators hold one channel's manifests at a time, through the real code path.

Every dictionary of a manifest's ``schema`` and examples is replaced, as the one ``Registry``
reads the file, by a dictionary that knows its manifest (copies made by the bundler keep it, and
so do the schemas, payloads and example texts built from them as long as they are these
objects). After each file the reader reads and after each file a generator hands over, the test
counts the manifests that still have such an object alive. Streaming generators keep that count
at one channel's versions (3 here); the former design, which collected every manifest's schema
and examples before rendering, kept all 15.
"""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path
from typing import Any, ClassVar

import pytest

from opa_contracts import loader
from opa_contracts.generate import contracts, output
from opa_contracts.generate.contracts import collect
from opa_contracts.generate.python import package
from opa_contracts.generate.run import render
from opa_contracts.generate.targets import Target
from tests.conftest import ROOT

CHANNELS, VERSIONS = 5, 3


class Tracked(dict[str, Any]):
    """A dictionary from a manifest's schema or examples, labelled with its manifest."""

    live: ClassVar[list[weakref.ref[Tracked]]] = []
    origin: str

    def __new__(cls, *args: Any, **kwargs: Any) -> Tracked:
        made = super().__new__(cls, *args, **kwargs)
        cls.live.append(weakref.ref(made))  # copies too: deepcopy makes them with __new__
        return made


def _track(value: Any, origin: str) -> Any:
    if isinstance(value, dict):
        made = Tracked({k: _track(v, origin) for k, v in value.items()})
        made.origin = origin
        return made
    if isinstance(value, list):
        return [_track(v, origin) for v in value]
    return value


def _held() -> int:
    """How many manifests have a schema or example object alive now."""
    count = _origins()
    if count > VERSIONS:  # a reference cycle waiting for the collector is not held
        gc.collect()
        count = _origins()
    return count


def _origins() -> int:
    Tracked.live[:] = [ref for ref in Tracked.live if ref() is not None]
    return len({getattr(ref(), "origin", "?") for ref in Tracked.live})


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import synthetic
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    root = tmp_path_factory.mktemp("streaming") / "contracts"
    synthetic.write_registry(root, CHANNELS, VERSIONS, seed=5)
    return root


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of manifests held, sampled after every file the registry reads and every
    channel the generators unpack."""
    samples: list[int] = []
    read = loader.Registry.file

    def file(self: loader.Registry, path: Path) -> loader.SourceFile:
        source = read(self, path)
        data = source.data
        if isinstance(data, dict) and "schema" in data and not isinstance(data, Tracked):
            for key in ("schema", "examples", "invalid_examples"):
                if key in data:
                    data[key] = _track(data[key], str(path))
        samples.append(_held())
        return source

    unpack = contracts.ChannelReader._unpack

    def unpacked(self: contracts.ChannelReader, channel: str) -> dict[str, contracts.Payload]:
        payloads = unpack(self, channel)
        samples.append(_held())
        return payloads

    monkeypatch.setattr(loader.Registry, "file", file)
    monkeypatch.setattr(contracts.ChannelReader, "_unpack", unpacked)
    Tracked.live.clear()
    return samples


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["python", "docs", "asyncapi", "jsonschema", "kafka"])
def test_generators_hold_one_channel_at_a_time(
    kind: str,
    registry: Path,
    counted: list[int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # python makes its models a batch of channels at a time: a batch of one channel here
    monkeypatch.setattr(package, "CHANNEL_BATCH", 1)
    settings: dict[str, Any] = {"options": {"jobs": 1}}  # one process: the hooks see everything
    if kind == "python":
        settings.update(package="opa-events", module="opa_events")
    target = Target(kind, kind, tmp_path / "out", ROOT, settings)
    sources = collect(loader.load(registry), workers=1)
    checked = list(counted)
    assert len(checked) >= CHANNELS * VERSIONS  # every manifest was read to check it
    assert max(checked) <= 1, "checking the registry held more than one manifest at a time"
    assert _held() == 0, "collect() kept a schema or an example"

    files = 0
    for _name, content in render(target, sources):
        output.materialize([(_name, content)])  # chunks are made as they are taken
        counted.append(_held())
        files += 1
    rendered = counted[len(checked) :]
    assert files >= 2
    assert len(rendered) > CHANNELS  # a sample at each file and at each channel unpacked
    assert max(rendered) >= 1, "the generator read no schema: the count proves nothing"
    # the python package keeps one example payload, the README's, from the first channel on
    limit = VERSIONS + (kind == "python")
    assert max(rendered) <= limit, f"{max(rendered)} manifests held at once"
