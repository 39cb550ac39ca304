"""``generate`` speaks ``Report``: through the real console script, ``generate --check`` reports
each stale file as a ``generate-stale`` finding in every format ``validate`` speaks, a target that
cannot run as a finding too, and exits with the codes every verb shares (``exitcodes.py``)."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from opa_contracts import exitcodes
from opa_contracts.rules.registry import by_id
from tests.conftest import CONTRACTS, FIXTURES, ROOT, run_cli

KINDS = ("asyncapi", "jsonschema", "kafka")
# the stale tree below: each file and how it differs from what generation produces
STALE = {
    "build/kafka/topics.yaml": "changed",
    "build/jsonschema/stray.json": "extra",
    "build/asyncapi/asyncapi.json": "missing",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project (registry, the language-neutral targets) with every target freshly generated."""
    project = tmp_path_factory.mktemp("generated")
    shutil.copytree(CONTRACTS, project / "contracts")
    (project / "generators").mkdir()
    for kind in KINDS:
        shutil.copy(ROOT / "generators" / f"{kind}.yaml", project / "generators")
    run = run_cli("generate", cwd=project)
    assert run.code == exitcodes.EXIT_OK, run.stdout + run.stderr
    return project


@pytest.fixture
def fresh(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "project")
    return tmp_path / "project"


@pytest.fixture
def stale(fresh: Path) -> Path:
    (fresh / "build/kafka/topics.yaml").write_text("edited by hand\n")
    (fresh / "build/jsonschema/stray.json").write_text("{}\n")
    (fresh / "build/asyncapi/asyncapi.json").unlink()
    return fresh


def test_json_lists_each_stale_file_as_a_finding(stale: Path) -> None:
    run = run_cli("generate", "--check", "--format", "json", cwd=stale)
    assert run.code == exitcodes.EXIT_FINDINGS, run.stderr
    report = json.loads(run.stdout)
    assert report["command"] == "generate"
    found = {f["file"]: f for f in report["findings"]}
    assert set(found) == set(STALE)
    for file, change in STALE.items():
        finding = found[file]
        kind = file.split("/")[1]
        assert finding["rule"] == "generate-stale"
        assert finding["severity"] == "error"
        assert finding["details"] == {"target": kind, "kind": kind, "change": change}
        assert finding["message"].startswith(f"{change}: ")
        assert f"run `opa-contracts generate {kind}` and commit the result" in finding["message"]
    summary = report["summary"]
    assert summary["errors"] == 3
    assert summary["check"] is True
    assert [(t["name"], t["status"]) for t in summary["targets"]] == [
        ("asyncapi", "stale"),
        ("jsonschema", "stale"),
        ("kafka", "stale"),
    ]
    assert summary["files_checked"] == sum(t["files"] for t in summary["targets"])


def test_github_annotates_each_stale_file(stale: Path) -> None:
    run = run_cli("generate", "--check", "--format", "github", cwd=stale)
    assert run.code == exitcodes.EXIT_FINDINGS, run.stderr
    pattern = r"^::error file=([^,]+),title=generate-stale::(\w+): "
    annotations = re.findall(pattern, run.stdout, re.M)
    assert sorted(annotations) == sorted(STALE.items())
    assert len(run.stdout.splitlines()) == len(STALE)  # annotations only: nothing else on stdout


def test_sarif_has_a_result_per_stale_file_and_the_rule_from_the_catalog(stale: Path) -> None:
    run = run_cli("generate", "--check", "--format", "sarif", cwd=stale)
    assert run.code == exitcodes.EXIT_FINDINGS, run.stderr
    (sarif_run,) = json.loads(run.stdout)["runs"]
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif_run["results"]
    ]
    assert sorted(uris) == sorted(STALE)
    assert {r["ruleId"] for r in sarif_run["results"]} == {"generate-stale"}
    (rule,) = sarif_run["tool"]["driver"]["rules"]
    assert rule["shortDescription"]["text"] == by_id()["generate-stale"].purpose


def test_junit_fails_a_case_per_stale_file(stale: Path) -> None:
    run = run_cli("generate", "--check", "--format", "junit", cwd=stale)
    assert run.code == exitcodes.EXIT_FINDINGS, run.stderr
    suite = ET.fromstring(run.stdout).find("testsuite")
    assert suite is not None
    assert suite.get("failures") == str(len(STALE))
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == set(STALE)
    for case in cases.values():
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("type") == "generate-stale"


def test_markdown_groups_stale_files_by_target(stale: Path) -> None:
    run = run_cli("generate", "--check", "--format", "markdown", cwd=stale)
    assert run.code == exitcodes.EXIT_FINDINGS, run.stderr
    assert run.stdout.startswith("### Generated files\n\n❌ **3 stale or failed outputs**")
    for file in STALE:
        kind = file.split("/")[1]
        assert f"#### `target {kind}`" in run.stdout
        assert f"| ❌ | `generate-stale` | `{file}` |" in run.stdout


def test_report_goes_to_output_file(stale: Path) -> None:
    report = stale / "report.sarif"
    run = run_cli("generate", "--check", "--format", "sarif", "--output", report, cwd=stale)
    assert run.code == exitcodes.EXIT_FINDINGS, run.stderr
    assert run.stdout == ""
    assert len(json.loads(report.read_text())["runs"][0]["results"]) == len(STALE)


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "junit", "markdown", "text"])
def test_fresh_tree_exits_0_in_every_format(fresh: Path, fmt: str) -> None:
    run = run_cli("generate", "--check", "--format", fmt, cwd=fresh)
    assert run.code == exitcodes.EXIT_OK, run.stdout + run.stderr
    if fmt == "json":
        report = json.loads(run.stdout)
        assert report["findings"] == []
        assert {t["status"] for t in report["summary"]["targets"]} == {"fresh"}
    elif fmt == "github":
        assert run.stdout == ""
    elif fmt == "sarif":
        assert json.loads(run.stdout)["runs"][0]["results"] == []
    elif fmt == "markdown":
        assert "✅ **Generated files are up to date**" in run.stdout
    elif fmt == "text":
        assert run.stdout.splitlines()[-1] == "generate: 3 targets (3 fresh); 0 errors, 0 warnings"


def test_unusable_registry_is_a_finding_per_problem_with_exit_3(fresh: Path) -> None:
    broken = FIXTURES / "broken"
    run = run_cli("generate", "--check", "--format", "json", "--registry", broken, cwd=fresh)
    assert run.code == exitcodes.EXIT_INPUT, run.stderr
    report = json.loads(run.stdout)
    assert {f["rule"] for f in report["findings"]} == {"generate-failed"}
    assert {t["status"] for t in report["summary"]["targets"]} == {"skipped"}
    by_file = {Path(f["file"]).parent.name: f for f in report["findings"]}
    # each problem sits at the manifest (and line) it is about, for annotations
    assert by_file["duplicate.keys"]["line"] == 6
    assert "duplicate key 'summary'" in by_file["duplicate.keys"]["message"]
    assert {"wrong.types", "not.utf8", "invalid.schema"} <= set(by_file)
    github = run_cli("generate", "kafka", "--format", "github", "--registry", broken, cwd=fresh)
    assert github.code == exitcodes.EXIT_INPUT
    assert "duplicate.keys/1.0.0.yaml,line=6,title=generate-failed::" in github.stdout


def test_missing_registry_is_a_finding_with_exit_3(fresh: Path) -> None:
    run = run_cli("generate", "kafka", "--check", "--format", "github", "-r", "nope", cwd=fresh)
    assert run.code == exitcodes.EXIT_INPUT
    assert run.stdout.startswith("::error file=nope,title=generate-failed::cannot generate: nope")


def test_target_options_it_cannot_use_fail_that_target_only(stale: Path) -> None:
    (stale / "generators/jsonschema.yaml").write_text(
        "target: jsonschema\nout: build/jsonschema\noptions: {id_base: not-a-uri}\n"
    )
    run = run_cli("generate", "--check", "--format", "json", cwd=stale)
    assert run.code == exitcodes.EXIT_INPUT, run.stderr
    report = json.loads(run.stdout)
    failed = [f for f in report["findings"] if f["rule"] == "generate-failed"]
    assert [(f["file"], f["details"]["target"]) for f in failed] == [
        ("generators/jsonschema.yaml", "jsonschema")
    ]
    assert "options.id_base must be an absolute URI" in failed[0]["message"]
    # the other targets still ran and report their stale files
    stale_files = {f["file"] for f in report["findings"] if f["rule"] == "generate-stale"}
    assert stale_files == {"build/kafka/topics.yaml", "build/asyncapi/asyncapi.json"}


def test_folder_not_ours_is_a_finding_with_exit_2_and_worst_code_wins(stale: Path) -> None:
    shutil.rmtree(stale / "build/jsonschema")
    (stale / "build/jsonschema").mkdir()
    (stale / "build/jsonschema/precious.txt").write_text("mine\n")
    run = run_cli("generate", "--format", "json", cwd=stale)  # writing, not checking
    assert run.code == exitcodes.EXIT_USAGE, run.stderr
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["rule"] == "generate-output-refused"
    assert finding["file"] == "build/jsonschema"
    assert finding["details"] == {"target": "jsonschema", "kind": "jsonschema"}
    assert (stale / "build/jsonschema/precious.txt").read_text() == "mine\n"
    assert (stale / "build/kafka/topics.yaml").read_bytes().startswith(b"# ")  # rewritten


def test_usage_errors_are_one_line_and_exit_2(fresh: Path) -> None:
    run = run_cli("generate", "python", "--target", "nope", "--format", "json", cwd=fresh)
    assert run.code == exitcodes.EXIT_USAGE
    assert run.stdout == ""
    assert run.stderr.strip() == f"opa-contracts: {fresh}/generators/nope.yaml: no such target file"


def test_generate_rules_are_listed() -> None:
    listed = json.loads(run_cli("rules", "--format", "json").stdout)
    generate = {r["id"] for r in listed if r["category"] == "generate"}
    assert generate == {
        "generate-stale",
        "generate-output-refused",
        "generate-failed",
        "generate-output-io",
    }
    assert all(f"`{rule}`" in (ROOT / "docs/rules.md").read_text() for rule in generate)


def test_exit_codes_are_defined_in_one_module_and_documented() -> None:
    """No module but exitcodes.py assigns an EXIT_ constant; the README's table lists each."""
    src = ROOT / "src" / "opa_contracts"
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "exitcodes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("EXIT_")]
    assert offenders == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d) \| (.+) \|$", readme, re.M))
    codes = {v for k, v in vars(exitcodes).items() if k.startswith("EXIT_")}
    assert {int(c) for c in table} == codes


def test_readme_check_example_is_what_the_tool_prints(fresh: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"generate-check-example.*?\n```console\n(.*?)```", readme, re.S)
    assert block is not None
    command, *expected = block.group(1).splitlines()
    assert command.startswith("$ opa-contracts generate kafka --check ")
    (fresh / "build/kafka/topics.yaml").write_text("edited by hand\n")
    run = run_cli("generate", "kafka", "--check", cwd=fresh)
    assert run.code == exitcodes.EXIT_FINDINGS
    assert run.stdout.splitlines() == expected


def test_options_before_the_kind_are_refused_not_ignored(stale: Path) -> None:
    run = run_cli("generate", "--check", "--format", "json", "kafka", cwd=stale)
    assert run.code == exitcodes.EXIT_USAGE
    assert run.stdout == ""
    assert "opa-contracts generate kafka --check --format ..." in run.stderr
    assert (stale / "build/kafka/topics.yaml").read_text() == "edited by hand\n"  # nothing ran


def test_the_fix_names_the_target_file_and_registry_that_were_used(fresh: Path) -> None:
    registry = fresh / "elsewhere"
    shutil.copytree(fresh / "contracts", registry)
    (fresh / "generators/eu.yaml").write_text("target: kafka\nout: build/kafka-eu\n")
    written = run_cli("generate", "kafka", "--target", "eu", "--registry", registry, cwd=fresh)
    assert written.code == exitcodes.EXIT_OK, written.stdout
    (fresh / "build/kafka-eu/topics.json").write_text("{}\n")
    run = run_cli(
        "generate", "kafka", "--target", "eu", "--check", "-r", registry, "-f", "json", cwd=fresh
    )
    assert run.code == exitcodes.EXIT_FINDINGS
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["file"] == "build/kafka-eu/topics.json"
    assert finding["details"] == {"target": "eu", "kind": "kafka", "change": "changed"}
    fix = "opa-contracts generate kafka --target eu --registry elsewhere"
    assert f"run `{fix}` and commit the result" in finding["message"]
