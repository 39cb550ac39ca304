"""The generated package builds into a wheel that installs into a fresh virtualenv and works."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.generate.helpers import GOLDEN, manifests

CHECK = """
import json, sys
import opa_events
from opa_events import ContractError, decode, encode

assert "site-packages" in opa_events.__file__, opa_events.__file__
count = 0
for case in json.load(open(sys.argv[1], encoding="utf-8")):
    message = decode(case["channel"], json.dumps(case["payload"]), case["version"])
    data = encode(message)
    assert decode(case["channel"], data, case["version"]) == message
    assert set(json.loads(data)) == set(case["payload"]), (data, case["payload"])  # no nulls added
    count += 1
try:
    decode("quotes.realtime", b'{"ticker": true}')
except ContractError as error:
    assert error.channel == "quotes.realtime" and error.pointer == "", error
else:
    raise AssertionError("an invalid message was accepted")
# the runtime is behind extras: without them the package works, and says what to install
from importlib.metadata import metadata
assert set(metadata("opa-events").get_all("Provides-Extra")) == {"msgpack", "redis", "kafka", "all"}
# msgpack too, for a registry whose channels are all JSON: without it, msgpack says what to install
try:
    decode("quotes.realtime", b"\\x80", encoding="msgpack")
except ImportError as error:
    assert "opa-events[msgpack]" in str(error), error
else:
    raise AssertionError("msgpack was decoded without the msgpack library")
import opa_events.runtime
try:
    from opa_events.runtime import Publisher
except ImportError as error:
    assert "opa-events[redis]" in str(error), error
else:
    raise AssertionError("the Redis runtime imported without its extra installed")
print(f"round-tripped {count} examples")
"""


def _run(*command: str | Path, cwd: Path) -> str:
    proc = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_virtualenv_and_round_trips_every_example(
    tmp_path: Path,
) -> None:
    source = shutil.copytree(GOLDEN, tmp_path / "source")
    dist = tmp_path / "dist"
    _run(
        sys.executable,
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        dist,
        source,
        cwd=tmp_path,
    )
    wheels = list(dist.glob("opa_events-*.whl"))
    assert len(wheels) == 1, wheels
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheels[0], cwd=tmp_path)
    cases = [
        {"channel": m["channel"], "version": m["version"], "payload": e["payload"]}
        for m in manifests()
        for e in m.get("examples", [])
    ]
    (tmp_path / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    (tmp_path / "check.py").write_text(CHECK, encoding="utf-8")
    out = _run(python, tmp_path / "check.py", tmp_path / "cases.json", cwd=tmp_path)
    assert f"round-tripped {len(cases)} examples" in out
