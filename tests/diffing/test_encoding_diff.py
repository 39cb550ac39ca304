"""A change of payload encoding between versions is breaking on its own (``encoding-changed``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import FIXTURES, run_cli
from tests.diffing.conftest import write

CHUNKS = FIXTURES / "encodings" / "files.chunks" / "1.0.0.yaml"


def _findings(stdout: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(stdout)["findings"]
    return found


def _next(tmp_path: Path, version: str, encoding: str | None) -> Path:
    data = yaml.safe_load(CHUNKS.read_text(encoding="utf-8"))
    data["version"] = version
    if encoding is None:
        del data["encoding"]
    else:
        data["encoding"] = encoding
    return write(tmp_path, "files.chunks", version, data)


def test_an_encoding_change_breaks_both_directions_and_needs_a_major(tmp_path: Path) -> None:
    # the same schema, only the encoding changes (json by default when it is left out)
    new = _next(tmp_path, "1.1.0", None)
    result = run_cli("diff", CHUNKS, new, "--format", "json")
    assert result.code == 1, result.stdout + result.stderr
    found = {f["rule"]: f for f in _findings(result.stdout)}
    assert set(found) == {"encoding-changed", "major-version-required"}
    change = found["encoding-changed"]
    assert change["severity"] == "error"
    assert change["pointer"] == "/encoding"
    assert (change["details"]["old"], change["details"]["new"]) == ("msgpack", "json")
    assert change["details"]["breaks"] == ["backward", "forward"]
    assert "changed from msgpack to json" in change["message"]
    assert change["details"]["acceptance"]["rule"] == "encoding-changed"


def test_with_a_major_bump_it_is_a_warning_and_the_same_encoding_is_nothing(
    tmp_path: Path,
) -> None:
    major = _next(tmp_path / "a", "2.0.0", "json")
    result = run_cli("diff", CHUNKS, major, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    [change] = _findings(result.stdout)
    assert (change["rule"], change["severity"]) == ("encoding-changed", "warning")
    assert "allowed by the major version bump" in change["message"]
    same = _next(tmp_path / "b", "1.0.1", "msgpack")
    result = run_cli("diff", CHUNKS, same, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    assert _findings(result.stdout) == []


def test_the_rule_is_listed_with_its_directions() -> None:
    result = run_cli("rules", "--format", "json")
    [rule] = [r for r in json.loads(result.stdout) if r["id"] == "encoding-changed"]
    assert (rule["category"], rule["breaks"]) == ("diff", ["backward", "forward"])
