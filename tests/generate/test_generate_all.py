"""``opa-contracts generate`` with no target, through the real console script: every target in
generators/ in name order, a summary, and the worst exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CONTRACTS, FIXTURES, ROOT, run_cli

KINDS = ("asyncapi", "jsonschema", "kafka")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the registry and the language-neutral targets of this repository."""
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    (tmp_path / "generators").mkdir()
    for kind in KINDS:
        shutil.copy(ROOT / "generators" / f"{kind}.yaml", tmp_path / "generators")
    return tmp_path


@pytest.mark.slow
def test_generate_runs_every_target_then_check_is_clean(project: Path) -> None:
    run = run_cli("generate", cwd=project)
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == list(KINDS)  # name order
    assert lines[-1] == "generate: 3 targets (3 written); 0 errors, 0 warnings"
    assert (project / "build" / "asyncapi" / "asyncapi.yaml").is_file()
    assert (project / "build" / "jsonschema" / "index.json").is_file()
    assert (project / "build" / "kafka" / "create-topics.sh").is_file()
    check = run_cli("generate", "--check", cwd=project)
    assert check.code == 0, check.stderr
    assert check.stdout.splitlines()[-1].startswith("generate: 3 targets (3 fresh)")
    # the single-target commands still work next to the group's own options
    assert run_cli("generate", "kafka", "--check", cwd=project).code == 0


def test_check_reports_stale_targets_and_exits_1(project: Path) -> None:
    assert run_cli("generate", cwd=project).code == 0
    (project / "build" / "kafka" / "topics.yaml").write_text("edited\n")
    (project / "build" / "jsonschema" / "stray.json").write_text("{}\n")
    run = run_cli("generate", "--check", cwd=project)
    assert run.code == 1
    assert "kafka: build/kafka is stale (1 of 8 files)" in run.stdout
    assert "build/kafka/topics.yaml: error generate-stale: changed:" in run.stdout
    assert "build/jsonschema/stray.json: error generate-stale: extra:" in run.stdout
    assert "(1 fresh, 2 stale); 2 errors" in run.stdout


def test_worst_exit_code_wins(project: Path) -> None:
    # a target whose output folder is not ours: usage error (2), the others still run
    (project / "build" / "jsonschema").mkdir(parents=True)
    (project / "build" / "jsonschema" / "precious.txt").write_text("mine\n")
    run = run_cli("generate", cwd=project)
    assert run.code == 2
    assert "build/jsonschema: error generate-output-refused:" in run.stdout
    assert (project / "build" / "kafka" / "topics.json").is_file()
    # a registry that cannot be generated from: 3
    broken = run_cli("generate", "--registry", FIXTURES / "broken", cwd=project)
    assert broken.code == 3, broken.stderr


def test_usage_errors_exit_2(project: Path, tmp_path: Path) -> None:
    (project / "generators" / "typo.yaml").write_text("target: kafka\nout: x\noptoins: {}\n")
    run = run_cli("generate", cwd=project)
    assert run.code == 2
    assert "optoins" in run.stderr
    empty = tmp_path / "empty"
    (empty / "generators").mkdir(parents=True)
    assert run_cli("generate", cwd=empty).code == 2
