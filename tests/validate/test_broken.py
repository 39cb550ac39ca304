"""A registry broken in every way we know: every problem reported, with rule, file and line."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from opa_contracts.rules.catalog import VALIDATE_RULES
from tests.conftest import FIXTURES, ROOT, run_cli

BROKEN = FIXTURES / "broken"
PREFIX = "tests/fixtures/broken/"


def expected() -> list[str]:
    return (BROKEN / "expected.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def json_report() -> dict[str, Any]:
    result = run_cli("validate", BROKEN, "--format", "json")
    assert result.code == 1
    assert result.stderr == ""
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_every_finding_with_rule_file_and_line(json_report: dict[str, Any]) -> None:
    found = [
        f"{f['file'].removeprefix(PREFIX)}:{f['line']} {f['rule']}" for f in json_report["findings"]
    ]
    assert found == expected()


def test_text_output_names_file_line_and_rule() -> None:
    result = run_cli("validate", BROKEN)
    assert result.code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(PREFIX)]
    parsed = [
        re.match(r"^tests/fixtures/broken/(\S+?):(\d+):\d+: (error|warning) ([a-z0-9-]+): .+$", x)
        for x in lines
    ]
    assert all(parsed), [x for x, m in zip(lines, parsed, strict=True) if not m]
    assert [f"{m.group(1)}:{m.group(2)} {m.group(4)}" for m in parsed if m] == expected()
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal


def test_github_annotations() -> None:
    result = run_cli("validate", BROKEN, "--format", "github")
    lines = result.stdout.splitlines()
    assert len(lines) == len(expected())
    first = lines[0]
    assert first.startswith(
        "::error file=tests/fixtures/broken/Bad_Channel/1.0.0.yaml,"
        "line=2,col=10,title=channel-name::"
    )
    pattern = r"^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[a-z0-9-]+::"
    assert all(re.match(pattern, x) for x in lines)


def test_junit_has_a_failure_per_finding() -> None:
    result = run_cli("validate", BROKEN, "--format", "junit")
    root = ET.fromstring(result.stdout)
    failures = root.findall(".//failure")
    assert len(failures) == len(expected())
    assert Counter(f.get("type") for f in failures) == Counter(x.split()[-1] for x in expected())


def test_sarif_is_2_1_0_with_rules_and_locations() -> None:
    result = run_cli("validate", BROKEN, "--format", "sarif")
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(expected())
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1


WARNING_RULES = ["example-missing", "property-description"]


def test_fail_on_warning_and_error() -> None:
    # a registry with only warnings passes by default and fails with --fail-on warning
    only_warnings = FIXTURES / "warnings-only"
    result = run_cli("validate", only_warnings, "--format", "json")
    assert result.code == 0
    assert sorted(f["rule"] for f in json.loads(result.stdout)["findings"]) == WARNING_RULES
    assert run_cli("validate", only_warnings, "--fail-on", "warning").code == 1


def test_every_validate_rule_is_exercised_by_a_fixture() -> None:
    from tests.validate.test_hostile import RULES_COVERED
    from tests.validate.test_migration import RULES as MIGRATION_RULES

    fired = {x.split()[-1] for x in expected()} | set(WARNING_RULES) | RULES_COVERED
    fired |= MIGRATION_RULES
    assert {r.id for r in VALIDATE_RULES} - fired == set()


def test_output_file_option(tmp_path: Any) -> None:
    out = tmp_path / "report.sarif"
    result = run_cli("validate", BROKEN, "--format", "sarif", "--output", out)
    assert result.code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_paths_are_shown_relative_to_the_working_directory() -> None:
    result = run_cli("validate", "broken", "--format", "json", cwd=FIXTURES)
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert "broken/not.utf8/1.0.0.yaml" in files
    assert not any(f.startswith(str(ROOT)) for f in files)


def test_markdown_has_a_row_per_finding() -> None:
    result = run_cli("validate", BROKEN, "--format", "markdown")
    assert result.code == 1
    rows = [x for x in result.stdout.splitlines() if x.startswith(("| ❌", "| ⚠️"))]
    assert len(rows) == len(expected())
    errors = sum(1 for x in expected() if x.split()[-1] not in WARNING_ONLY)
    assert f"❌ **{errors} errors**" in result.stdout


WARNING_ONLY = {"lint-ignore-unused", "registry-stray-file", "redis-channel-name"}
WARNING_ONLY |= {"property-description", "schema-unknown-keyword", "schema-accepts-anything"}
