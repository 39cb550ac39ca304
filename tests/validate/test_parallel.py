"""Large registries are checked by one process per CPU; the findings are the same as in one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opa_contracts.validate import runner
from tests.conftest import CONTRACTS, run_cli

QUOTES = (CONTRACTS / "quotes.realtime" / "1.0.0.yaml").read_text(encoding="utf-8")


def big_registry(root: Path, channels: int) -> Path:
    for i in range(channels):
        name = f"gen.c{i}"
        text = QUOTES.replace("quotes.realtime", name)
        if i % 97 == 5:
            text = text.replace("price: 185.50", "price: -1")  # an example the schema rejects
        if i % 131 == 7:
            text = text.replace("summary: ", "summary: Versi√≥n ")  # mis-encoded text
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "1.0.0.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.mark.slow
def test_parallel_and_sequential_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = big_registry(tmp_path / "contracts", runner.PARALLEL_MIN_MANIFESTS + 20)
    result = run_cli("validate", root, "--format", "json")  # parallel: above the threshold
    parallel = json.loads(result.stdout)["findings"]
    monkeypatch.setattr(runner, "PARALLEL_MIN_MANIFESTS", 10**9)
    sequential = runner.validate(root)
    assert result.code == 1
    assert [(f["file"], f["line"], f["rule"]) for f in parallel] == [
        (f.file, f.line, f.rule) for f in sequential.findings
    ]
    assert {f["rule"] for f in parallel} == {"example-invalid", "text-mojibake"}
    assert json.loads(result.stdout)["summary"]["suppressed"] == sequential.suppressed
