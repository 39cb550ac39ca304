"""Hostile and broken input: one readable line with file:line and rule id, never a traceback,
and the rest of the registry still checked."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from opa_contracts.trees import DiskTree
from opa_contracts.yamlsource import SourceError
from tests.conftest import CONTRACTS, run_cli

# rules whose fixtures live here (the broken registry covers the rest)
RULES_COVERED = {
    "registry-irregular-file",
    "file-too-large",
    "file-unreadable",
    "yaml-too-deep",
    "yaml-not-json",
    "registry-config",
    "registry-empty",
    "manifest-duplicate-version",
    "schema-dialect-missing",
    # declared reads: tests/validate/test_reads.py (tests/fixtures/reads/hostile)
    "reads-path-missing",
    "reads-wildcard-not-collection",
    "reads-not-guaranteed",
    "reads-requirement-unmet",
}

GOOD = (CONTRACTS / "system.health" / "1.0.0.yaml").read_text(encoding="utf-8")


def registry(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A registry with the bundled system.health manifest plus ``files``."""
    root = tmp_path / "contracts"
    (root / "system.health").mkdir(parents=True)
    (root / "system.health" / "1.0.0.yaml").write_text(GOOD, encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def findings(root: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("validate", root, "--format", "json", *extra)
    assert "Traceback" not in result.stderr
    assert result.code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["manifests_checked"] >= 1
    return result.code, report["findings"]


def rules_at(found: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(f["rule"], Path(f["file"]).parent.name, f["line"]) for f in found]


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = "apiVersion: opa-contracts/v1\n" + "# padding\n" * 5_300_000
    root = registry(tmp_path, {"big.file/1.0.0.yaml": big})
    assert (root / "big.file" / "1.0.0.yaml").stat().st_size > 50_000_000
    code, found = findings(root)
    assert code == 1
    assert rules_at(found) == [("file-too-large", "big.file", 0)]
    assert "over the 5,242,880-byte limit" in found[0]["message"]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep_block = "a:\n" + "".join(f"{'  ' * i}- \n" for i in range(1, 400))
    deep_flow = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    root = registry(
        tmp_path, {"deep.block/1.0.0.yaml": deep_block, "deep.flow/1.0.0.yaml": deep_flow}
    )
    _, found = findings(root)
    assert [(r, d) for r, d, _ in rules_at(found)] == [
        ("yaml-too-deep", "deep.block"),
        ("yaml-syntax", "deep.flow"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("apiVersion: opa-contracts/v1\nx: .nan\n", 2, "NaN or infinity"),
        ("apiVersion: opa-contracts/v1\n1: one\n", 2, "keys must be strings"),
        ("base: &b {a: 1}\nother:\n  <<: *b\n", 3, "merge keys"),
        ("apiVersion: opa-contracts/v1\ndata: !!binary aGVsbG8*\n", 2, "not standard base64"),
        ("apiVersion: opa-contracts/v1\ndata: !!binary aGVsbG9=\n", 2, "not canonical base64"),
    ],
)
def test_values_json_cannot_carry(tmp_path: Path, text: str, line: int, message: str) -> None:
    _, found = findings(registry(tmp_path, {"not.json/1.0.0.yaml": text}))
    assert rules_at(found) == [("yaml-not-json", "not.json", line)]
    assert message in found[0]["message"]


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        ("", "manifest-schema", 1),
        ("just a string\n", "manifest-schema", 1),
        ("a: 1\n---\nb: 2\n", "yaml-syntax", 2),
        ("a: !!python/object/apply:os.system ['echo pwned']\n", "yaml-syntax", 1),
        ("a: 'unterminated\n", "yaml-syntax", 2),
    ],
)
def test_unusable_documents(tmp_path: Path, text: str, rule: str, line: int) -> None:
    _, found = findings(registry(tmp_path, {"odd.doc/1.0.0.yaml": text}))
    assert [(f["rule"], f["line"]) for f in found] == [(rule, line)]


def test_registry_settings_are_checked(tmp_path: Path) -> None:
    settings = (
        "apiVersion: opa-contracts/v1\nnaming: {channel: '([', colour: blue}\n"
        "rules: {no-such-rule: 'off'}\n"
    )
    _, found = findings(registry(tmp_path, {"registry.yaml": settings}))
    assert [(f["rule"], f["line"]) for f in found] == [
        ("registry-config", 2),
        ("registry-config", 2),
        ("registry-config", 3),
    ]
    messages = " ".join(f["message"] for f in found)
    assert "colour" in messages
    assert "not a valid regex" in messages
    assert "unknown rule id 'no-such-rule'" in messages


def test_rule_severity_override_and_off(tmp_path: Path) -> None:
    settings = (
        "apiVersion: opa-contracts/v1\n"
        "rules: {example-missing: error, property-description: 'off'}\n"
    )
    manifest = GOOD.split("examples:")[0].replace("system.health", "quiet.one")
    root = registry(tmp_path, {"registry.yaml": settings, "quiet.one/1.0.0.yaml": manifest})
    code, found = findings(root)
    assert code == 1
    assert [(f["rule"], f["severity"]) for f in found] == [("example-missing", "error")]


def test_empty_registry_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("validate", tmp_path / "empty", "--format", "json")
    assert result.code == 0
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["registry-empty"]


def test_two_files_for_one_version(tmp_path: Path) -> None:
    root = registry(tmp_path, {"system.health/1.0.0.yml": GOOD})
    _, found = findings(root)
    assert [(f["rule"], Path(f["file"]).name) for f in found] == [
        ("manifest-duplicate-version", "1.0.0.yml")
    ]


def test_missing_dialect_is_a_warning(tmp_path: Path) -> None:
    text = GOOD.replace("  $schema: http://json-schema.org/draft-07/schema#\n", "")
    _, found = findings(registry(tmp_path, {"system.health/1.0.0.yaml": text}))
    assert [f["rule"] for f in found] == ["schema-dialect-missing"]


def test_unreadable_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    error = DiskTree(tmp_path).read("vanished.yaml", 1024)  # listed, then gone
    assert isinstance(error, SourceError)
    assert error.rule == "file-unreadable"
    assert "No such file" in error.message


def test_a_fifo_a_device_and_an_escaping_symlink_are_named_not_read(tmp_path: Path) -> None:
    root = registry(tmp_path, {})
    os.mkfifo(root / "system.health" / "2.0.0.yaml")  # opening it would block forever
    os.symlink("/dev/zero", root / "system.health" / "3.0.0.yaml")  # reading it never ends
    os.symlink("../../secret.yaml", root / "system.health" / "4.0.0.yaml")
    (tmp_path / "secret.yaml").write_text("password: hunter2\n", encoding="utf-8")
    code, found = findings(root)
    assert code == 1
    named = {Path(f["file"]).name: f["message"] for f in found}
    assert {f["rule"] for f in found} == {"registry-irregular-file"}
    assert "is a FIFO, not a regular file" in named["2.0.0.yaml"]
    assert "leaves the registry" in named["3.0.0.yaml"]
    assert "leaves the registry" in named["4.0.0.yaml"]
    assert "hunter2" not in json.dumps(found)


def test_missing_path_exits_3_with_one_line() -> None:
    result = run_cli("validate", "no/such/registry")
    assert result.code == 3
    assert result.stdout == ""
    assert result.stderr.strip() == "opa-contracts: no/such/registry: no such file or directory"


@pytest.mark.slow
def test_usage_errors_exit_2() -> None:
    result = run_cli("validate", CONTRACTS, "--format", "yaml")
    assert result.code == 2
    assert "Traceback" not in result.stderr
    assert run_cli("validate", CONTRACTS, "--fail-on", "never").code == 2
    assert run_cli("frobnicate").code == 2


def test_an_internal_error_is_one_line_with_exit_4() -> None:
    import subprocess
    import sys

    code = (
        "import opa_contracts.validate.runner as r\n"
        "def boom(*a, **k):\n    raise RuntimeError('simulated bug')\n"
        "r.validate = boom\n"
        "import sys; sys.argv = ['opa-contracts', 'validate', 'contracts']\n"
        "from opa_contracts.cli import main; main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=CONTRACTS.parent,
    )
    assert proc.returncode == 4
    assert proc.stderr.count("\n") == 1
    assert "internal error: RuntimeError: simulated bug" in proc.stderr
    assert "Traceback" not in proc.stderr
