"""The manifest's ``encoding``: the registry with msgpack channels and binary examples validates
clean through the real CLI, and an unknown encoding is a manifest error at its key."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, run_cli

ENCODINGS = FIXTURES / "encodings"


def test_msgpack_channels_with_binary_examples_validate_clean() -> None:
    result = run_cli("validate", ENCODINGS, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert report["summary"]["manifests_checked"] == 3


def test_an_unknown_encoding_and_a_wrong_binary_example_are_reported(tmp_path: Path) -> None:
    source = (ENCODINGS / "files.chunks" / "1.0.0.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "reg" / "files.chunks"
    folder.mkdir(parents=True)
    text = source.replace("encoding: msgpack", "encoding: cbor")
    text = text.replace("data: ''", "data: !!binary AAAAAAAAAAAAAAAAAAAAAAAA")
    (folder / "1.0.0.yaml").write_text(text, encoding="utf-8")
    result = run_cli("validate", tmp_path / "reg", "--format", "json")
    assert result.code == 1
    found = {(f["rule"], f["pointer"]) for f in json.loads(result.stdout)["findings"]}
    assert ("manifest-schema", "/encoding") in found
    # the JSON Schema judges the base64 text: 24 characters is over maxLength 16
    assert ("example-invalid", "/examples/1/payload/data") in found


def test_binary_data_of_a_msgpack_example_must_be_exact_base64(tmp_path: Path) -> None:
    source = (ENCODINGS / "files.chunks" / "1.0.0.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "reg" / "files.chunks"
    folder.mkdir(parents=True)
    text = source.replace("data: ''", "data: AAF=")  # spare bits: the bytes are written AAE=
    text = text.replace("parts: [AA==, AAE=, AAEC]", "parts: [AA==, AAE, AAEC]")  # no padding
    (folder / "1.0.0.yaml").write_text(text, encoding="utf-8")
    result = run_cli("validate", tmp_path / "reg", "--format", "json")
    assert result.code == 1
    found = {f["pointer"]: f["message"] for f in json.loads(result.stdout)["findings"]}
    assert set(found) == {"/examples/1/payload/data", "/examples/1/payload/parts/1"}
    assert "not canonical base64" in found["/examples/1/payload/data"]
    assert "'AAE='" in found["/examples/1/payload/data"]
    assert "not standard base64" in found["/examples/1/payload/parts/1"]
    # on a JSON channel, contentEncoding is an annotation: the same text is a plain string
    (folder / "1.0.0.yaml").write_text(
        text.replace("encoding: msgpack", "encoding: json"), encoding="utf-8"
    )
    assert run_cli("validate", tmp_path / "reg").code == 0
