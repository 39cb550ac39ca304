"""Acceptances that work from the report: every format shows the pointer an entry of
``accepted-changes.yaml`` matches, and ``--suggest-acceptance`` writes entries that, once given a
reason, accept every breaking change of the diff."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from opa_contracts.diffing.accepted import REASON_PLACEHOLDER
from tests.conftest import run_cli
from tests.diffing.conftest import git
from tests.docs.scenarios import exchange_required, ticker_widened

# the scenario's breaking changes: rule -> the pointer into the payload schema
EXCHANGE = {
    "required-property-added": "/required",
    "property-added-to-open-model": "/properties/exchange",
}
DIFF = ("diff", "--against", "main")


@pytest.fixture
def exchange(repo: Path) -> Path:
    """quotes.realtime 1.1.0 adds a required `exchange` (two breaking changes), uncommitted."""
    exchange_required(repo)
    return repo


def _accept(repo: Path, text: str) -> None:
    (repo / "contracts" / "accepted-changes.yaml").write_text(text, encoding="utf-8")


def _yaml_after(marker: str, text: str) -> str:
    return text[text.index(marker) :].split("\n", 2)[2]


def test_text_report_names_the_acceptance_pointer(exchange: Path) -> None:
    out = run_cli(*DIFF, cwd=exchange).stdout
    for rule, pointer in EXCHANGE.items():
        block = out[out.index(f"error {rule}:") :].split("\ncontracts/")[0]
        assert f"\n    accepted-changes.yaml pointer: {pointer}\n" in block + "\n", block
    # findings that no acceptance can match (the version discipline) have no such line
    version = out[out.index("major-version-required") :].split("\n")[1]
    assert "accepted-changes.yaml pointer" not in version


def test_markdown_where_column_is_the_pointer_acceptances_match(exchange: Path) -> None:
    out = run_cli(*DIFF, "--format", "markdown", cwd=exchange).stdout
    for rule, pointer in EXCHANGE.items():
        assert f"| ❌ | `{rule}` | `{pointer}` |" in out
        assert f"Witness for <code>{rule}</code> at <code>{pointer}</code>" in out
    assert "/schema/properties" not in out
    assert "| ❌ | `major-version-required` | `/version` |" in out


def test_machine_formats_carry_the_acceptance(exchange: Path) -> None:
    found = json.loads(run_cli(*DIFF, "--format", "json", cwd=exchange).stdout)["findings"]
    accept = {f["rule"]: f["details"]["acceptance"] for f in found if "acceptance" in f["details"]}
    assert accept == {
        rule: {"rule": rule, "channel": "quotes.realtime", "pointer": p, "version": "1.1.0"}
        for rule, p in EXCHANGE.items()
    }
    sarif = json.loads(run_cli(*DIFF, "--format", "sarif", cwd=exchange).stdout)
    props = {r["ruleId"]: r["properties"] for r in sarif["runs"][0]["results"]}
    assert {r: props[r]["acceptance"]["pointer"] for r in EXCHANGE} == EXCHANGE
    github = run_cli(*DIFF, "--format", "github", cwd=exchange).stdout
    junit = ET.fromstring(run_cli(*DIFF, "--format", "junit", cwd=exchange).stdout)
    texts = " ".join(e.text or "" for e in junit.iter("failure"))
    for pointer in EXCHANGE.values():
        assert f"%0Aaccepted-changes.yaml pointer: {pointer}" in github
        assert f"accepted-changes.yaml pointer: {pointer}" in texts


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_suggested_block_once_reasoned_unblocks_the_change(exchange: Path, fmt: str) -> None:
    run = run_cli(*DIFF, "--format", fmt, "--suggest-acceptance", cwd=exchange)
    assert run.code == 1
    if fmt == "markdown":
        block = re.search(r"#### Accepting these changes\n.*?```yaml\n(.*?)```", run.stdout, re.S)
        assert block is not None, run.stdout
        text = block.group(1)
    else:
        text = _yaml_after("To accept these 2 breaking changes", run.stdout)
    entries = yaml.safe_load(text)["accepted"]
    assert {e["rule"]: e["pointer"] for e in entries} == EXCHANGE
    assert {(e["channel"], e["version"], e["reason"]) for e in entries} == {
        ("quotes.realtime", "1.1.0", REASON_PLACEHOLDER)
    }
    # pasted as printed: the placeholder is refused, where it stands
    _accept(exchange, text)
    refused = run_cli(*DIFF, cwd=exchange)
    assert refused.code == 1
    assert "accepted-changes.yaml:7:11: error accepted-changes-invalid: /accepted/0/reason: " in (
        refused.stdout
    )
    assert "replace the suggested placeholder with why no reader breaks" in refused.stdout
    _accept(exchange, text.replace(REASON_PLACEHOLDER, "all publishers send it (OPA-301)"))
    accepted = run_cli(*DIFF, cwd=exchange)
    assert accepted.code == 0, accepted.stdout
    assert "accepted-change-unused" not in accepted.stdout
    assert accepted.stdout.count("— accepted: all publishers send it (OPA-301)") == 2


def test_suggestions_cover_only_breaking_changes_once(repo: Path) -> None:
    ticker_widened(repo)
    new = repo / "contracts/quotes.realtime/1.1.0.yaml"
    data = yaml.safe_load(new.read_text(encoding="utf-8"))
    data["schema"]["properties"]["price"]["description"] += " (USD)"  # a compatible change
    new.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    run = run_cli(*DIFF, "--format", "json", "--suggest-acceptance", cwd=repo)
    suggested = json.loads(run.stdout)["summary"]["suggested_acceptances"]
    assert [(s["rule"], s["pointer"]) for s in suggested] == [
        ("pattern-changed", "/properties/ticker/pattern")
    ]


def test_nothing_to_accept_and_formats_without_a_block(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    run = run_cli(*DIFF, "--suggest-acceptance", cwd=repo)
    assert run.code == 0
    assert run.stdout.endswith("\nNothing to accept: no change breaks a declared mode.\n")
    refused = run_cli(*DIFF, "--format", "sarif", "--suggest-acceptance", cwd=repo)
    assert refused.code == 2
    assert refused.stderr == (
        "opa-contracts: --suggest-acceptance works with --format text, markdown or json\n"
    )
