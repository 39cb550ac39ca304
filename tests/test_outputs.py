"""Never touch inputs: ``--output`` refuses the files a run reads, writes whole files, and reports
I/O errors as exit 3 with the path and the OS reason, in every verb.

Everything runs through the real console script. Faults are real: ``/dev/full`` (ENOSPC), a path
below a regular file (ENOTDIR), a folder in the way (EISDIR), and a file-size limit on the child
process (EFBIG), which fails a write the way a full disk does even when the tests run as root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import CONTRACTS, ROOT, SCRIPT, run_cli
from tests.diffing.conftest import git

pytestmark = pytest.mark.slow

QUOTES = Path("contracts/quotes.realtime/1.0.0.yaml")
ACCEPTED = {
    "apiVersion": "opa-contracts/v1",
    "accepted": [{"rule": "enum-value-removed", "channel": "quotes.realtime", "reason": "test"}],
}
SHARED = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder as users have one: the bundled registry (with accepted changes and a
    shared schema) and generators/, in a git repository."""
    root = tmp_path / "project"
    shutil.copytree(CONTRACTS, root / "contracts")
    shutil.copytree(ROOT / "generators", root / "generators")
    (root / "contracts" / "accepted-changes.yaml").write_text(yaml.safe_dump(ACCEPTED))
    (root / "contracts" / "_shared").mkdir()
    (root / "contracts" / "_shared" / "id.json").write_text(json.dumps(SHARED))
    git(root.parent, "init", "-q", "-b", "main", str(root))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "registry")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (git's own folder left out), by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


# the spellings of an input file that --output must see through
def _as_given(project: Path, rel: Path) -> str:
    return str(rel)


def _through_symlink(project: Path, rel: Path) -> str:
    (project / "report.txt").symlink_to(project / rel)
    return "report.txt"


def _through_dotdot(project: Path, rel: Path) -> str:
    return str(Path("generators") / ".." / rel)


def _hard_link(project: Path, rel: Path) -> str:
    os.link(project / rel, project / "report.txt")
    return "report.txt"


SPELLINGS = [_as_given, _through_symlink, _through_dotdot, _hard_link]
INPUTS = [
    QUOTES,
    Path("contracts/registry.yaml"),
    Path("contracts/accepted-changes.yaml"),
    Path("contracts/_shared/id.json"),
]
VERBS = {
    "validate": ["validate", "contracts"],
    "validate --history": ["validate", "--history", "contracts"],
    "validate one manifest": ["validate", str(QUOTES)],
    "diff history": ["diff", "contracts"],
    "diff --against": ["diff", "--against", "main", "contracts"],
    "diff two files": ["diff", str(QUOTES), str(QUOTES)],
    "generate docs": ["generate", "docs"],
    "generate --check": ["generate", "--check"],
}


def _refused(project: Path, args: list[str], output: str) -> None:
    before = _snapshot(project)
    result = run_cli(*args, "--output", output, cwd=project)
    assert result.code == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr  # one clear line
    assert "is a file this run reads" in result.stderr or "which is a file this run reads" in (
        result.stderr
    )
    assert result.stdout == ""
    assert _snapshot(project) == before  # byte-identical, nothing generated, no report
    assert not (project / "build").exists()


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("rel", INPUTS, ids=lambda p: p.name)
def test_output_onto_an_input_is_refused(project: Path, verb: str, rel: Path) -> None:
    _refused(project, VERBS[verb], str(rel))


@pytest.mark.parametrize("spelling", SPELLINGS, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("verb", ["validate", "diff history", "generate docs"])
def test_every_spelling_of_an_input_is_seen(project: Path, verb: str, spelling: object) -> None:
    assert callable(spelling)
    output = spelling(project, QUOTES)
    _refused(project, VERBS[verb], output)


@pytest.mark.parametrize("verb", ["generate docs", "generate --check"])
def test_generate_refuses_its_target_files(project: Path, verb: str) -> None:
    _refused(project, VERBS[verb], "generators/docs.yaml")
    _refused(project, VERBS[verb], "generators/python.yaml")  # read by `generate`, listed by all


def test_message_names_the_input_behind_a_link(project: Path) -> None:
    output = _through_symlink(project, QUOTES)
    result = run_cli("validate", "contracts", "--output", output, cwd=project)
    assert result.stderr == (
        f"opa-contracts: --output report.txt would overwrite {QUOTES}, which is a file this run "
        "reads; write the report elsewhere\n"
    )


def test_a_report_beside_the_inputs_is_written(project: Path) -> None:
    # the check is about files the run reads, not about folders: a report next to them is fine
    result = run_cli("validate", "contracts", "--output", "contracts/report.txt", cwd=project)
    assert result.code == 0, result.stderr
    assert "3 manifests checked" in (project / "contracts" / "report.txt").read_text()


# ----------------------------------------------------------------------------- I/O errors: exit 3


@pytest.mark.parametrize("verb", ["validate", "diff history", "generate --check"])
def test_a_full_device_is_exit_3(project: Path, verb: str) -> None:
    result = run_cli(*VERBS[verb], "--output", "/dev/full", cwd=project)
    assert result.code == 3, result.stderr
    assert result.stderr == "opa-contracts: cannot write /dev/full: No space left on device\n"


@pytest.mark.parametrize("verb", ["validate", "diff history", "generate --check"])
def test_a_path_below_a_file_is_exit_3(project: Path, verb: str) -> None:
    (project / "notes").write_text("a file, not a folder\n")
    result = run_cli(*VERBS[verb], "--output", "notes/report.txt", cwd=project)
    assert result.code == 3, result.stderr
    assert result.stderr == "opa-contracts: cannot write notes/report.txt: Not a directory\n"


def test_a_folder_in_the_way_is_exit_3_and_kept(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "keep.txt").write_text("mine\n")
    result = run_cli("validate", "contracts", "--output", "out", cwd=project)
    assert result.code == 3
    assert result.stderr == "opa-contracts: cannot write out: Is a directory\n"
    assert [p.name for p in project.iterdir() if p.name.startswith(".out")] == []
    assert (project / "out" / "keep.txt").read_text() == "mine\n"


def test_a_full_standard_output_is_exit_3(project: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(SCRIPT), "validate", "contracts"],
            cwd=project,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8"},
            check=False,
        )
    assert proc.returncode == 3
    assert proc.stderr == (
        "opa-contracts: cannot write the report to standard output: No space left on device\n"
    )


def test_a_failed_report_write_keeps_the_previous_report(project: Path) -> None:
    first = run_cli("validate", "contracts", "--output", "report.out", cwd=project)
    assert first.code == 0
    previous = (project / "report.out").read_bytes()
    os.chmod(project / "report.out", 0o640)
    # the JSON report is larger than the limit, the text one was smaller
    assert len(previous) < 200
    failed = run_cli(
        "validate", "contracts", "--format", "json", "--output", "report.out",
        cwd=project, file_size_limit=200,
    )  # fmt: skip
    assert failed.code == 3
    assert failed.stderr == "opa-contracts: cannot write report.out: File too large\n"
    assert (project / "report.out").read_bytes() == previous
    assert sorted(p.name for p in project.iterdir() if "report" in p.name) == ["report.out"]
    again = run_cli(
        "validate", "contracts", "--format", "json", "--output", "report.out", cwd=project
    )
    assert json.loads((project / "report.out").read_text())["format_version"] == 1
    assert again.code == 0
    assert (project / "report.out").stat().st_mode & 0o777 == 0o640  # the file's mode is kept


def test_a_report_through_a_symlink_replaces_its_target(project: Path) -> None:
    (project / "reports").mkdir()
    (project / "latest.txt").symlink_to(project / "reports" / "r.txt")
    result = run_cli("validate", "contracts", "--output", "latest.txt", cwd=project)
    assert result.code == 0
    assert (project / "latest.txt").is_symlink()
    assert "3 manifests checked" in (project / "reports" / "r.txt").read_text()


def test_a_full_disk_during_generate_docs_is_exit_3(project: Path) -> None:
    docs = project / "build" / "docs"
    assert run_cli("generate", "docs", cwd=project).code == 0
    old = _snapshot(docs)
    # a new description changes the generated pages
    manifest = project / QUOTES
    data = yaml.safe_load(manifest.read_text())
    data["description"] = "Changed. " * 400
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    assert run_cli("generate", "docs", "--out", "expected", cwd=project).code == 0
    new = _snapshot(project / "expected")
    assert new != old

    result = run_cli("generate", "docs", "--format", "json", cwd=project, file_size_limit=3000)
    assert result.code == 3, (result.stdout, result.stderr)
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "generate-output-io"
    assert finding["message"].startswith("cannot write build/docs/")
    assert finding["message"].endswith(": File too large")
    after = _snapshot(docs)
    assert not [name for name in after if name.endswith(".tmp")]  # no temporary file left
    assert set(after) <= set(old) | set(new)
    for name, content in after.items():  # each file whole: as it was, or as generated
        assert content in (old.get(name), new.get(name)), name
    assert any(after[name] != new.get(name) for name in after)  # the failure was real


def test_a_generated_file_name_taken_by_a_folder_is_exit_3(project: Path) -> None:
    assert run_cli("generate", "docs", cwd=project).code == 0
    readme = project / "build" / "docs" / "README.md"
    readme.unlink()
    readme.mkdir()
    checked = run_cli("generate", "docs", "--check", "--format", "json", cwd=project)
    assert checked.code == 1  # --check: the file is missing, stale as any other
    assert json.loads(checked.stdout)["findings"][0]["details"]["change"] == "missing"
    written = run_cli("generate", "docs", "--format", "json", cwd=project)
    assert written.code == 3, written.stderr
    [finding] = json.loads(written.stdout)["findings"]
    assert finding["rule"] == "generate-output-io"
    assert finding["message"] == "cannot write build/docs/README.md: Is a directory"


@pytest.mark.parametrize("out", ["contracts/generated", "contracts/quotes.realtime/docs"])
def test_generated_output_inside_the_registry_is_refused(project: Path, out: str) -> None:
    # generated JSON or YAML there would be read by the next run as manifests or shared schemas
    before = _snapshot(project)
    result = run_cli("generate", "jsonschema", "--out", out, "--format", "json", cwd=project)
    assert result.code == 2, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "generate-output-refused"
    assert "is inside the registry contracts" in finding["message"]
    assert _snapshot(project) == before
