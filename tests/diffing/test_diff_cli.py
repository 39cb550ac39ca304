"""``opa-contracts diff`` through the real entry point, on pull-request-shaped edits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema_rs
import pytest
import yaml

from tests.conftest import CONTRACTS, run_cli
from tests.diffing.conftest import git, manifest, new_version, write


def add_required_exchange(data: dict[str, Any]) -> None:
    schema = data["schema"]
    schema["properties"]["exchange"] = {
        "type": "string",
        "description": "Mercado (NASDAQ, NYSE)",
    }
    schema["required"].append("exchange")
    for example in data["examples"]:
        example["payload"]["exchange"] = "NASDAQ"


def findings(stdout: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(stdout)["findings"]
    return result


def test_bundled_registry_history_is_clean() -> None:
    result = run_cli("diff", CONTRACTS)
    assert result.code == 0, result.stdout + result.stderr


def test_required_field_without_major_bump_fails_with_markdown_and_witness(repo: Path) -> None:
    new_version(repo, "quotes.realtime", "1.0.0", "1.1.0", add_required_exchange)
    result = run_cli("diff", "--against", "main", "--format", "markdown", cwd=repo)
    assert result.code == 1, result.stdout + result.stderr
    md = result.stdout
    assert md.startswith("### Contract diff against `main")
    assert "❌ **" in md
    assert "#### `quotes.realtime`" in md
    assert "`required-property-added`" in md
    assert "`major-version-required`" in md
    # pointers into the payload schema, as accepted-changes.yaml matches them
    assert "| `/required` |" in md
    assert "/schema/" not in md
    # the witness: written under 1.0.0, lacking the new field, rejected by 1.1.0
    witness_block = re.search(r"```json\n(.*?)\n```", md, re.S)
    assert witness_block is not None
    witness = json.loads(witness_block.group(1))
    old_schema = manifest(repo, "quotes.realtime", "1.0.0")["schema"]
    new_schema = manifest(repo, "quotes.realtime", "1.1.0")["schema"]
    assert jsonschema_rs.validator_for(old_schema, validate_formats=True).is_valid(witness)
    assert not jsonschema_rs.validator_for(new_schema, validate_formats=True).is_valid(witness)


def test_the_same_break_with_a_major_bump_is_allowed(repo: Path) -> None:
    new_version(repo, "quotes.realtime", "1.0.0", "2.0.0", add_required_exchange)
    result = run_cli("diff", "--against", "HEAD", "--format", "json", cwd=repo)
    assert result.code == 0, result.stdout
    found = findings(result.stdout)
    rules = {(f["rule"], f["severity"]) for f in found}
    assert ("required-property-added", "warning") in rules


@pytest.mark.slow
def test_mode_override_and_none(repo: Path) -> None:
    new_version(repo, "quotes.realtime", "1.0.0", "1.1.0", add_required_exchange)
    # adding a required field breaks BACKWARD only; FORWARD readers are fine
    assert run_cli("diff", "--against", "main", "--mode", "FORWARD", cwd=repo).code == 0
    assert run_cli("diff", "--against", "main", "--mode", "NONE", cwd=repo).code == 0
    assert run_cli("diff", "--against", "main", "--mode", "FULL", cwd=repo).code == 1
    assert run_cli("diff", "--against", "main", "--mode", "SIDEWAYS", cwd=repo).code == 2


def test_released_version_edited_in_place(repo: Path) -> None:
    data = manifest(repo, "capacity.scores", "1.0.0")
    data["schema"]["properties"]["score"]["maximum"] = 10
    write(repo, "capacity.scores", "1.0.0", data)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 1
    rules = [f["rule"] for f in findings(result.stdout)]
    assert "released-version-modified" in rules
    assert "maximum-decreased" in rules


def test_status_change_is_not_an_edit(repo: Path) -> None:
    data = manifest(repo, "system.health", "1.0.0")
    data["status"] = "deprecated"
    write(repo, "system.health", "1.0.0", data)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 0
    assert findings(result.stdout) == []


def test_channel_added_and_removed(repo: Path) -> None:
    git(repo, "mv", "contracts/system.health", "contracts/system.heartbeat")
    data = manifest(repo, "system.heartbeat", "1.0.0")
    data["channel"] = "system.heartbeat"
    data["transports"]["redis"]["channel"] = "system.heartbeat"
    write(repo, "system.heartbeat", "1.0.0", data)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 1
    found = {(f["rule"], f["severity"], f["channel"]) for f in findings(result.stdout)}
    assert found == {
        ("channel-removed", "error", "system.health"),
        ("channel-added", "note", "system.heartbeat"),
    }


def test_compatible_change_needs_a_minor_bump(repo: Path) -> None:
    def relax(data: dict[str, Any]) -> None:
        data["schema"]["properties"]["score"]["maximum"] = 1000

    new_version(repo, "capacity.scores", "1.0.0", "1.0.1", relax)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 1
    rules = [f["rule"] for f in findings(result.stdout)]
    assert rules.count("minor-version-required") == 1
    assert "maximum-increased" in rules


def test_description_only_change_may_be_a_patch(repo: Path) -> None:
    def describe(data: dict[str, Any]) -> None:
        data["schema"]["properties"]["ticker"]["description"] = "Símbolo bursátil"

    new_version(repo, "capacity.scores", "1.0.0", "1.0.1", describe)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 0, result.stdout
    assert [f["severity"] for f in findings(result.stdout)] == ["note"]


@pytest.mark.slow
def test_acceptance_expiry_and_unused(repo: Path) -> None:
    new_version(repo, "quotes.realtime", "1.0.0", "1.1.0", add_required_exchange)
    accepted = {
        "apiVersion": "opa-contracts/v1",
        "accepted": [
            {
                "rule": "required-property-added",
                "channel": "quotes.realtime",
                "pointer": "/required",
                "reason": "all publishers already send exchange (OPA-301)",
                "expires": "2026-12-31",
            },
            {
                "rule": "property-added-to-open-model",
                "channel": "quotes.realtime",
                "pointer": "/properties/exchange",
                "reason": "no publisher has ever sent an exchange field",
            },
            {
                "rule": "enum-value-removed",
                "channel": "quotes.realtime",
                "pointer": "/properties/source/enum",
                "reason": "nothing uses it",
            },
        ],
    }
    (repo / "contracts" / "accepted-changes.yaml").write_text(yaml.safe_dump(accepted))
    ok = run_cli("diff", "--against", "main", "--format", "json", "--today", "2026-12-01", cwd=repo)
    found = findings(ok.stdout)
    assert ok.code == 0, ok.stdout
    assert {f["rule"] for f in found if f["severity"] == "warning"} == {"accepted-change-unused"}
    late = run_cli(
        "diff", "--against", "main", "--format", "json", "--today", "2027-01-01", cwd=repo
    )
    assert late.code == 1
    assert "accepted-change-expired" in {f["rule"] for f in findings(late.stdout)}


@pytest.mark.slow
def test_transitive_mode_checks_every_earlier_version(tmp_path: Path) -> None:
    base = manifest(CONTRACTS.parent, "capacity.scores", "1.0.0")

    def version(v: str, features_count: dict[str, Any] | None, mode: str) -> None:
        data = json.loads(json.dumps(base))
        data.update(version=v, compatibility=mode, open_content_policy="LENIENT")
        props = data["schema"]["properties"]
        if features_count is None:
            del props["features_count"]
            data["examples"] = [e for e in data["examples"] if "features_count" not in e["payload"]]
            data["invalid_examples"] = []
        else:
            props["features_count"] = features_count
        write(tmp_path, "capacity.scores", v, data)

    # 1.0.0 writes features_count as an integer; 1.1.0 drops it (an open model still reads it);
    # 1.2.0 brings it back as a string: fine against 1.1.0, but 1.0.0's messages break it.
    as_string = {"type": "string", "description": "Número de features, como texto"}
    for mode in ("BACKWARD", "BACKWARD_TRANSITIVE"):
        version("1.0.0", {"type": "integer", "description": "Número de features"}, mode)
        version("1.1.0", None, mode)
        version("1.2.0", as_string, mode)
        result = run_cli("diff", tmp_path / "contracts", "--format", "json")
        broken = [f for f in findings(result.stdout) if f["severity"] == "error"]
        pairs = {(f["details"]["from_version"], f["details"]["to_version"]) for f in broken}
        if mode == "BACKWARD":
            assert result.code == 0, result.stdout
        else:
            assert result.code == 1
            assert ("1.0.0", "1.2.0") in pairs


def test_two_manifest_files(tmp_path: Path) -> None:
    old = CONTRACTS / "quotes.realtime" / "1.0.0.yaml"
    data = yaml.safe_load(old.read_text(encoding="utf-8"))
    data["version"] = "2.0.0"
    data["schema"]["properties"]["price"]["exclusiveMinimum"] = 0
    new = write(tmp_path, "quotes.realtime", "2.0.0", data)
    result = run_cli("diff", old, new, "--format", "json")
    assert result.code == 0  # a break, but a major bump
    [found] = findings(result.stdout)
    assert found["rule"].startswith("exclusive-minimum")
    assert found["severity"] == "warning"
    assert found["details"]["witness"]["price"] == 0
    assert "allowed by the major version bump" in found["message"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "github", "junit", "sarif"])
def test_every_format(repo: Path, fmt: str) -> None:
    new_version(repo, "quotes.realtime", "1.0.0", "1.1.0", add_required_exchange)
    result = run_cli("diff", "--against", "main", "--format", fmt, cwd=repo)
    assert result.code == 1
    out = result.stdout
    if fmt == "text":
        assert "error required-property-added" in out
        assert "witness (valid under 1.0.0, rejected by 1.1.0)" in out
    elif fmt == "github":
        assert "title=required-property-added::" in out
    elif fmt == "junit":
        assert ET.fromstring(out).find(".//failure[@type='required-property-added']") is not None
    else:
        assert "required-property-added" in {
            r["ruleId"] for r in json.loads(out)["runs"][0]["results"]
        }


def test_missing_ref_says_which_fetch_to_run(repo: Path) -> None:
    result = run_cli("diff", "--against", "origin/release", cwd=repo)
    assert result.code == 3
    assert "git fetch origin release" in result.stderr
    assert "Traceback" not in result.stderr


def test_shallow_clone_says_to_deepen(repo: Path, tmp_path: Path) -> None:
    (repo / "contracts" / "README.md").write_text("x")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    result = run_cli("diff", "--against", "HEAD~1", cwd=clone)
    assert result.code == 3
    assert "shallow" in result.stderr
    assert "git fetch --deepen" in result.stderr


def test_not_a_git_repository(tmp_path: Path) -> None:
    write(
        tmp_path, "quotes.realtime", "1.0.0", manifest(CONTRACTS.parent, "quotes.realtime", "1.0.0")
    )
    result = run_cli("diff", "--against", "main", cwd=tmp_path)
    assert result.code == 3
    assert "not inside a git repository" in result.stderr


@pytest.mark.slow
def test_bad_paths_and_usage() -> None:
    assert run_cli("diff", "nope/a.yaml", "nope/b.yaml").code == 3
    assert run_cli("diff", CONTRACTS, CONTRACTS / "quotes.realtime" / "1.0.0.yaml").code == 2
    assert run_cli("diff", "a", "b", "c").code == 2


def test_validate_history_runs_the_same_check(repo: Path) -> None:
    new_version(repo, "quotes.realtime", "1.0.0", "1.1.0", add_required_exchange)
    assert run_cli("validate", "contracts", cwd=repo).code == 0
    result = run_cli("validate", "contracts", "--history", "--format", "json", cwd=repo)
    assert result.code == 1
    rules = {f["rule"] for f in findings(result.stdout)}
    assert {"required-property-added", "major-version-required"} <= rules


def test_a_new_version_cannot_weaken_its_own_mode(repo: Path) -> None:
    def weaken(data: dict[str, Any]) -> None:
        add_required_exchange(data)
        data["compatibility"] = "NONE"
        data["open_content_policy"] = "LENIENT"

    new_version(repo, "quotes.realtime", "1.0.0", "1.1.0", weaken)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 1
    found = {(f["rule"], f["severity"]) for f in findings(result.stdout)}
    assert ("compatibility-weakened", "warning") in found
    assert ("required-property-added", "error") in found
    assert ("property-added-to-open-model", "error") in found  # still STRICT


def test_a_draft_is_judged_against_its_predecessor(repo: Path) -> None:
    def draft(data: dict[str, Any]) -> None:
        data["status"] = "draft"

    new_version(repo, "quotes.realtime", "1.0.0", "1.1.0", draft)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "draft 1.1.0")
    data = manifest(repo, "quotes.realtime", "1.1.0")
    add_required_exchange(data)
    write(repo, "quotes.realtime", "1.1.0", data)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 1
    found = findings(result.stdout)
    rules = {f["rule"] for f in found}
    assert "released-version-modified" not in rules
    assert "major-version-required" in rules
    assert {(f["details"].get("from_version"), f["details"].get("to_version")) for f in found} >= {
        ("1.0.0", "1.1.0")
    }


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ('{type: object, properties: {a: {$ref: "https://example.com/a.json"}}}', "never fetched"),
        (
            '{type: object, properties: {a: {$ref: "#/definitions/a"}}, '
            'definitions: {a: {$ref: "#/definitions/a"}}}',
            "circular $ref",
        ),
        ("[1, 2]", "not a JSON object"),
        ("{type: objet}", "invalid"),
        ('{type: object, properties: {a: {$ref: "#/definitions/nope"}}}', "definitions/nope"),
    ],
)
def test_schemas_that_cannot_be_compared_get_one_line(
    tmp_path: Path, schema: str, message: str
) -> None:
    head = (
        "apiVersion: opa-contracts/v1\nchannel: x.y\nstatus: active\nsummary: s\npublisher: opa-a\n"
    )
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(head + "version: 1.0.0\nschema: {type: object}\n")
    new.write_text(head + f"version: 1.1.0\nschema: {schema}\n")
    result = run_cli("diff", old, new)
    assert result.code == 1
    lines = [x for x in result.stdout.splitlines() if "schema-uncomparable" in x]
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_two_registries_and_two_channel_folders(tmp_path: Path) -> None:
    import shutil

    old, new = tmp_path / "old" / "contracts", tmp_path / "new" / "contracts"
    shutil.copytree(CONTRACTS, old)
    shutil.copytree(CONTRACTS, new)
    new_version(new.parent, "quotes.realtime", "1.0.0", "1.1.0", add_required_exchange)
    shutil.rmtree(new / "system.health")
    result = run_cli("diff", old, new, "--format", "json")
    assert result.code == 1
    rules = {(f["rule"], f["channel"]) for f in findings(result.stdout)}
    assert ("required-property-added", "quotes.realtime") in rules
    assert ("channel-removed", "system.health") in rules
    # two channel folders: only that channel is compared
    folders = run_cli("diff", old / "quotes.realtime", new / "quotes.realtime", "--format", "json")
    assert folders.code == 1
    assert {f["channel"] for f in findings(folders.stdout)} == {"quotes.realtime"}


def test_removed_version_downgrade_bad_acceptances_and_unreadable(repo: Path) -> None:
    def same(data: dict[str, Any]) -> None:
        data["schema"]["properties"]["ticker"]["description"] = "Símbolo"

    new_version(repo, "capacity.scores", "1.0.0", "1.1.0", same)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "1.1.0")
    (repo / "contracts" / "capacity.scores" / "1.0.0.yaml").unlink()  # a released version goes
    new_version(repo, "system.health", "1.0.0", "0.9.0", lambda d: None)  # below its predecessor
    (repo / "contracts" / "quotes.realtime" / "1.1.0.yaml").write_text("a: [\n")  # unreadable
    (repo / "contracts" / "accepted-changes.yaml").write_text(
        "apiVersion: opa-contracts/v1\naccepted: [{rule: x, channel: y}]\n"
    )
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 1
    rules = {f["rule"] for f in findings(result.stdout)}
    assert {
        "version-removed",
        "version-order",
        "accepted-changes-invalid",
        "diff-input-unreadable",
    } <= rules


def test_every_versioning_rule_is_exercised() -> None:
    from opa_contracts.rules.catalog import VERSIONING_RULES

    here = Path(__file__)
    source = here.read_text(encoding="utf-8")
    source += (here.parents[1] / "test_one_registry.py").read_text(encoding="utf-8")
    missing = [r.id for r in VERSIONING_RULES if f'"{r.id}"' not in source]
    assert missing == []


def test_an_oversized_manifest_is_reported_not_read_as_empty(tmp_path: Path) -> None:
    import shutil

    old, new = tmp_path / "old" / "contracts", tmp_path / "new" / "contracts"
    shutil.copytree(CONTRACTS, old)
    shutil.copytree(CONTRACTS, new)
    big = new / "quotes.realtime" / "1.0.0.yaml"
    big.write_text(big.read_text(encoding="utf-8") + "# padding\n" * 600_000, encoding="utf-8")
    result = run_cli("diff", old, new, "--format", "json")
    assert result.code == 1
    found = [(f["rule"], f["channel"]) for f in findings(result.stdout)]
    assert found[0][0] == "diff-input-unreadable"
    size = big.stat().st_size  # the file's own size and the limit, as validate says them
    assert (
        f"file is {size:,} bytes, over the 5,242,880-byte limit"
        in (findings(result.stdout)[0]["message"])
    )


def test_other_annotations_may_be_a_patch_too(repo: Path) -> None:
    def annotate(data: dict[str, Any]) -> None:
        data["schema"]["properties"]["ticker"]["examples"] = ["AAPL"]
        data["schema"]["properties"]["ticker"]["x-source"] = "exchange feed"

    new_version(repo, "capacity.scores", "1.0.0", "1.0.1", annotate)
    result = run_cli("diff", "--against", "main", "--format", "json", cwd=repo)
    assert result.code == 0, result.stdout
    found = findings(result.stdout)
    assert {f["rule"] for f in found} == {"annotation-changed"}
    assert {f["severity"] for f in found} == {"note"}
