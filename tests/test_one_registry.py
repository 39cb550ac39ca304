"""One registry, read once: every verb gives the same answer for the same facts.

Each scenario below varies one thing the registry reader, the settings or the ``$ref`` resolver
decides (size limits, severity overrides, shared ``_schemas`` refs, files that are not regular, odd
paths in git history) and runs every verb that reads it through the real entry point: ``validate``,
``validate --history``, ``diff`` of two files, two channel folders, two registries, the history of
one, and ``--against`` a git ref. The verbs must agree on findings, limits and severities.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli
from tests.diffing.conftest import git, manifest, write

pytestmark = pytest.mark.slow

QUOTES = "quotes.realtime"


def _findings(stdout: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(stdout)["findings"]
    return found


def _settings(root: Path, **changes: Any) -> None:
    path = root / "contracts" / "registry.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _remove_enum_value(data: dict[str, Any]) -> None:
    source = data["schema"]["properties"]["source"]
    source["enum"] = source["enum"][:-1]
    data["invalid_examples"] = [
        e for e in data.get("invalid_examples", []) if e.get("keyword") != "enum"
    ]
    data["examples"] = [e for e in data["examples"] if e["payload"].get("source") in source["enum"]]


def _every_verb(root: Path, old: Path, new: Path) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """Run each verb that reads the registry at ``root`` (``old``/``new``: a pair of manifests
    of one channel inside it) and return ``{verb: (exit code, findings)}``."""
    contracts = root / "contracts"
    twin = root.parent / "twin"  # the same registry elsewhere: folders and registries compared
    if not twin.exists():
        shutil.copytree(contracts, twin / "contracts")
    runs: dict[str, list[str | Path]] = {
        "validate --history": ["validate", contracts, "--history"],
        "diff history": ["diff", contracts],
        "diff files": ["diff", old, new],
        "diff --against": ["diff", contracts, "--against", "main"],
        "diff registries": ["diff", twin / "contracts", contracts],
        "diff channel folders": ["diff", twin / "contracts" / QUOTES, contracts / QUOTES],
    }
    out = {}
    for verb, args in runs.items():
        result = run_cli(*args, "--format", "json", cwd=root)
        assert result.stderr == "", (verb, result.stderr)
        out[verb] = (result.code, _findings(result.stdout))
    return out


def _enum_removed(root: Path) -> tuple[Path, Path]:
    data = manifest(root, QUOTES, "1.0.0")
    old = root / "contracts" / QUOTES / "1.0.0.yaml"
    data["version"] = "1.1.0"
    _remove_enum_value(data)
    new = write(root, QUOTES, "1.1.0", data)
    shutil.copytree(root / "contracts", root.parent / "twin" / "contracts")
    (root.parent / "twin" / "contracts" / QUOTES / "1.1.0.yaml").unlink()
    return old, new


@pytest.mark.parametrize(
    ("override", "code", "severity"),
    [(None, 1, "error"), ("warning", 0, "warning"), ("off", 0, None)],
)
def test_severity_overrides_apply_in_every_verb(
    repo: Path, override: str | None, code: int, severity: str | None
) -> None:
    old, new = _enum_removed(repo)
    if override is not None:
        _settings(repo, rules={"enum-value-removed": override})
    for verb, (exit_code, found) in _every_verb(repo, old, new).items():
        removed = [f for f in found if f["rule"] == "enum-value-removed"]
        assert exit_code == code, (verb, found)
        if severity is None:
            assert removed == [], verb
        else:
            assert [f["severity"] for f in removed] == [severity], (verb, found)
            assert removed[0]["pointer"] == "/schema/properties/source/enum", verb
        # a rule turned down or off does not demand a major version either
        required = [f for f in found if f["rule"] == "major-version-required"]
        assert bool(required) == (code == 1), (verb, found)


def _padded(path: Path, size: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "#" * (size - len(text.encode()) - 1) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("limit", "size"), [(20 * 1024 * 1024, 6 * 1024 * 1024), (65536, 131072)])
def test_every_verb_applies_the_registry_size_limit(repo: Path, limit: int, size: int) -> None:
    _settings(repo, limits={"max_file_bytes": limit})
    git(repo, "commit", "-qam", "limit")
    old = repo / "contracts" / QUOTES / "1.0.0.yaml"
    data = manifest(repo, QUOTES, "1.0.0")
    data["version"] = "1.1.0"
    data["description"] = data.get("description", "") + " (1.1)"
    new = write(repo, QUOTES, "1.1.0", data)
    _padded(new, size)
    shutil.copytree(repo / "contracts", repo.parent / "twin" / "contracts")
    (repo.parent / "twin" / "contracts" / QUOTES / "1.1.0.yaml").unlink()
    validate = run_cli("validate", repo / "contracts", "--format", "json", cwd=repo)
    results = {"validate": (validate.code, _findings(validate.stdout))}
    generate = _generate_check(repo)
    results["generate --check"] = (generate.code, _findings(generate.stdout))
    results |= _every_verb(repo, old, new)
    for verb, (exit_code, found) in results.items():
        too_large = [
            f
            for f in found
            if f["rule"] in ("file-too-large", "diff-input-unreadable", "generate-failed")
            and "1.1.0" in f["file"]
        ]
        if limit > size:
            assert too_large == [], (verb, too_large)
        else:
            assert too_large, verb
            # the file's own size and the registry's limit, whichever verb reads it
            assert (
                f"file is {size:,} bytes, over the {limit:,}-byte limit"
                in (too_large[0]["message"])
            ), (verb, too_large)
            assert exit_code in (1, 3), verb  # 3: generate cannot read its registry


def _generate_check(root: Path) -> Any:
    return run_cli(
        "generate", "jsonschema", "--check", "--registry", "contracts", "--format", "json", cwd=root
    )


def test_a_limit_over_the_ceiling_is_reported_and_capped(repo: Path) -> None:
    _settings(repo, limits={"max_file_bytes": 10**12})
    result = run_cli("validate", repo / "contracts", "--format", "json", cwd=repo)
    found = [f for f in _findings(result.stdout) if f["rule"] == "registry-config"]
    assert len(found) == 1
    assert "over the hard ceiling of 67,108,864 bytes" in found[0]["message"]
    assert result.code == 1


def test_two_manifests_that_ref_shared_schemas_diff_like_their_folders(repo: Path) -> None:
    shared = repo / "contracts" / "_schemas"
    shared.mkdir()
    data = manifest(repo, QUOTES, "1.0.0")
    (shared / "price.yaml").write_text(
        yaml.safe_dump(data["schema"]["properties"]["price"]), encoding="utf-8"
    )
    data["schema"]["properties"]["price"] = {"$ref": "../_schemas/price.yaml"}
    write(repo, QUOTES, "1.0.0", data)
    copy = repo.parent / "copy"
    shutil.copytree(repo / "contracts", copy / "contracts")
    path = Path("contracts") / QUOTES / "1.0.0.yaml"
    assert run_cli("validate", repo / "contracts", cwd=repo).code == 0
    files = run_cli("diff", copy / path, repo / path, "--format", "json", cwd=repo)
    folders = run_cli("diff", copy / "contracts", repo / "contracts", "--format", "json", cwd=repo)
    assert (files.code, _findings(files.stdout)) == (0, [])
    assert (folders.code, _findings(folders.stdout)) == (0, [])
    # and a change made only in the old side's shared file is seen the same way by both
    (copy / "contracts" / "_schemas" / "price.yaml").write_text(
        yaml.safe_dump({"type": "number", "minimum": 0, "maximum": 10}), encoding="utf-8"
    )
    files = run_cli("diff", copy / path, repo / path, "--format", "json", cwd=repo)
    folders = run_cli("diff", copy / "contracts", repo / "contracts", "--format", "json", cwd=repo)
    # the schema changes found agree; the version verdicts differ by design (two files are a
    # version pair; a folder edited in place is a released version modified)
    versioning = {"released-version-modified", "minor-version-required", "major-version-required"}
    by_files = {(f["rule"], f["pointer"]) for f in _findings(files.stdout)}
    by_folders = {(f["rule"], f["pointer"]) for f in _findings(folders.stdout)}
    assert ("maximum-increased", "/schema/properties/price/maximum") in by_folders, by_folders
    assert {f for f in by_files if f[0] not in versioning} == {
        f for f in by_folders if f[0] not in versioning
    }


def test_files_that_are_not_regular_are_named_by_every_verb(repo: Path) -> None:
    contracts = repo / "contracts"
    os.symlink("/etc/hostname", contracts / QUOTES / "9.0.0.yaml")
    os.symlink("1.0.0.yaml", contracts / QUOTES / "1.0.1.yaml")  # inside: read as the file
    (contracts / "_schemas").mkdir()
    os.mkfifo(contracts / "_schemas" / "pipe.yaml")  # opening it would block forever
    git(repo, "add", "contracts/quotes.realtime")
    git(repo, "commit", "-qm", "links")
    expected = {
        ("registry-irregular-file", "contracts/quotes.realtime/9.0.0.yaml"),
        ("registry-irregular-file", "contracts/_schemas/pipe.yaml"),
    }
    for args in (
        ["validate", "contracts"],
        ["validate", "contracts", "--history"],
        ["diff", "contracts"],
        ["diff", "contracts", "--against", "HEAD"],
    ):
        result = run_cli(*args, "--format", "json", cwd=repo, timeout=60)
        found = {(f["rule"], f["file"]) for f in _findings(result.stdout)}
        assert expected <= found, (args, found)
        messages = [f["message"] for f in _findings(result.stdout) if "9.0.0" in f["file"]]
        assert any("leaves the registry" in m for m in messages), messages
        assert "contracts/quotes.realtime/1.0.1.yaml" not in {
            f["file"] for f in _findings(result.stdout) if f["rule"] == "registry-irregular-file"
        }
        assert result.code == 1, args
    generate = _generate_check(repo)
    assert generate.code == 3
    failed = {(f["rule"], f["file"]) for f in _findings(generate.stdout)}
    assert {("generate-failed", file) for _, file in expected} <= failed, failed


def test_diff_of_a_file_that_is_not_regular_names_it(repo: Path) -> None:
    link = repo / "contracts" / QUOTES / "9.0.0.yaml"
    os.symlink("/etc/hostname", link)
    old = repo / "contracts" / QUOTES / "1.0.0.yaml"
    result = run_cli("diff", old, link, "--format", "json", cwd=repo)
    assert result.stderr == ""
    assert result.code == 1
    found = {(f["rule"], f["file"]) for f in _findings(result.stdout)}
    assert ("registry-irregular-file", "contracts/quotes.realtime/9.0.0.yaml") in found


def test_a_narrower_path_reports_only_what_it_selects(repo: Path) -> None:
    contracts = repo / "contracts"
    os.symlink("/etc/hostname", contracts / "system.health" / "9.0.0.yaml")
    (contracts / "stray.yaml").write_text("a: 1\n", encoding="utf-8")
    whole = run_cli("validate", "contracts", "--format", "json", cwd=repo)
    assert {f["rule"] for f in _findings(whole.stdout)} == {
        "registry-irregular-file",
        "registry-stray-file",
    }
    for narrower in ("contracts/quotes.realtime", "contracts/quotes.realtime/1.0.0.yaml"):
        for args in (["validate", narrower], ["diff", narrower]):
            result = run_cli(*args, "--format", "json", cwd=repo)
            assert (result.code, _findings(result.stdout)) == (0, []), (args, result.stdout)


def test_a_path_with_a_newline_in_git_history_is_read_by_object_id(repo: Path) -> None:
    odd = repo / "contracts" / "_schemas" / "odd\nname.yaml"
    odd.parent.mkdir()
    odd.write_text("type: string\n", encoding="utf-8")
    git(repo, "add", "contracts")
    git(repo, "commit", "-qm", "odd name")
    odd.write_text("type: integer\n", encoding="utf-8")
    result = run_cli("diff", "contracts", "--against", "HEAD", "--format", "json", cwd=repo)
    assert result.code == 0, result.stdout + result.stderr
    assert _findings(result.stdout) == []


def test_diff_against_an_empty_ref_is_a_usage_error(repo: Path) -> None:
    for ref in ("", "  "):
        result = run_cli("diff", "--against", ref, cwd=repo)
        assert result.code == 2, result
        assert "--against is empty" in result.stderr


def test_a_hostile_ref_never_reaches_a_suggested_command(repo: Path) -> None:
    result = run_cli("diff", "--against", "x$(touch pwned)", cwd=repo)
    assert result.code == 3
    assert "git fetch" not in result.stderr
    assert "not a plain ref name" in result.stderr
    result = run_cli("diff", "--against", "feature/x", cwd=repo)
    assert "run `git fetch origin feature/x:feature/x`" in result.stderr
    result = run_cli("diff", "--against", "a\nb", cwd=repo)
    assert result.code == 2


def test_nothing_to_compare_is_said_and_fails_a_gate(tmp_path: Path) -> None:
    empty = tmp_path / "repo" / "contracts"
    empty.mkdir(parents=True)
    (empty / "README.md").write_text("no contracts yet\n", encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main", str(tmp_path / "repo"))
    git(tmp_path / "repo", "add", ".")
    git(tmp_path / "repo", "commit", "-qm", "empty")
    gated = run_cli("diff", "contracts", "--against", "main", cwd=tmp_path / "repo")
    assert gated.code == 1
    assert "nothing to compare" in gated.stdout
    relaxed = run_cli(
        "diff", "contracts", "--against", "main", "--no-fail-on-empty", cwd=tmp_path / "repo"
    )
    assert relaxed.code == 0
    plain = run_cli("diff", "contracts", "--format", "github", cwd=tmp_path / "repo")
    assert plain.code == 0
    assert "nothing to compare" in plain.stdout
    folders = run_cli("diff", "contracts", "contracts", "--format", "json", cwd=tmp_path / "repo")
    assert [f["rule"] for f in _findings(folders.stdout)] == ["diff-nothing-to-compare"]
    assert folders.code == 0


def test_two_manifests_of_different_channels_are_said_to_differ(repo: Path) -> None:
    contracts = repo / "contracts"
    result = run_cli(
        "diff",
        contracts / QUOTES / "1.0.0.yaml",
        contracts / "system.health" / "1.0.0.yaml",
        "--format",
        "json",
        cwd=repo,
    )
    rules = [f["rule"] for f in _findings(result.stdout)]
    assert "diff-other-channel" in rules


def test_a_pair_too_large_to_compare_has_its_own_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from opa_contracts.compat import compare, engine
    from opa_contracts.rules.registry import by_id

    monkeypatch.setattr(engine, "_MAX_STEPS", 3)
    props = {f"p{i}": {"type": "string"} for i in range(10)}
    old = {"type": "object", "properties": props}
    new = {"type": "object", "properties": {**props, "p0": {"type": "integer"}}}
    rules = {c.rule for c in compare(old, new)}
    assert "schema-too-large-to-compare" in rules
    assert "conditional-changed" not in rules
    assert by_id()["schema-too-large-to-compare"].severity.value == "error"


def test_every_emitter_names_a_declared_rule_object() -> None:
    """No module writes a rule id as a string: emitters name the declared rule object
    (``rc.FILE_TOO_LARGE.id``, ``rsc.ENUM_VALUE_REMOVED.id``), or look a table-built id up with
    ``declared()``, which fails for an id nobody declared. Only the declarations hold the ids."""
    import ast

    from opa_contracts.rules.registry import by_id

    src = Path(__file__).resolve().parents[1] / "src" / "opa_contracts"
    declarations = {"catalog.py", "rules_scalar.py", "rules_structural.py"}
    known = set(by_id())
    written = []
    for path in sorted(src.rglob("*.py")):
        if path.name in declarations:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in known:
                written.append(f"{path.relative_to(src)}:{node.lineno}: {node.value!r}")
    assert written == []


def test_table_built_rule_ids_are_declared() -> None:
    from opa_contracts.compat.ruledefs import declared
    from opa_contracts.compat.rules import DIFF_RULES

    for rule in DIFF_RULES:
        assert declared(rule.id) is rule
    with pytest.raises(KeyError):
        declared("minimum-sideways")


@pytest.mark.parametrize(
    ("override", "code", "severity"), [(None, 1, "error"), ("warning", 0, "warning")]
)
def test_an_unknown_verdict_counts_alike_in_every_verb(
    repo: Path, override: str | None, code: int, severity: str
) -> None:
    # the same language spelled two ways: no witness exists and no proof rule decides regexes
    data = manifest(repo, QUOTES, "1.0.0")
    old = repo / "contracts" / QUOTES / "1.0.0.yaml"
    data["version"] = "1.1.0"
    data["schema"]["properties"]["ticker"]["pattern"] = "^([A-Z]){1,5}$"
    new = write(repo, QUOTES, "1.1.0", data)
    shutil.copytree(repo / "contracts", repo.parent / "twin" / "contracts")
    (repo.parent / "twin" / "contracts" / QUOTES / "1.1.0.yaml").unlink()
    if override is not None:
        _settings(repo, rules={"verdict-unknown": override})
    for verb, (exit_code, found) in _every_verb(repo, old, new).items():
        changed = [f for f in found if f["rule"] == "pattern-changed"]
        assert exit_code == code, (verb, found)
        assert [f["severity"] for f in changed] == [severity], (verb, found)
        assert changed[0]["details"]["verdict"] == "unknown", verb


def _docs_changelog(root: Path, version: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The docs changelog of ``QUOTES`` at ``version``, as `generate docs` writes it: the step's
    summary line and its (verdict, rule, where) rows."""
    out = root.parent / "site"
    result = run_cli("generate", "docs", "--registry", "contracts", "--out", out, cwd=root)
    assert result.code == 0, result.stdout + result.stderr
    page = (out / "markdown" / "channels" / f"{QUOTES}.md").read_text(encoding="utf-8")
    section = page.split(f"\n### {version} (", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    summary = section.split("\n\n")[2]
    rows = re.findall(r"^\| \*\*(\w+)\*\* \| `([^`]+)` \| `([^`]+)` \|", section, re.MULTILINE)
    return summary, rows


def _weaken_mode(data: dict[str, Any]) -> None:
    data["compatibility"] = "NONE"
    _remove_enum_value(data)


def _to_msgpack(data: dict[str, Any]) -> None:
    data["encoding"] = "msgpack"


def _unknown_pattern(data: dict[str, Any]) -> None:
    # the same language spelled two ways: no witness exists and no proof rule decides regexes
    data["schema"]["properties"]["ticker"]["pattern"] = "^([A-Z]){1,5}$"


ACCEPTANCE = f"""apiVersion: opa-contracts/v1
accepted:
  - rule: enum-value-removed
    channel: {QUOTES}
    pointer: /properties/source/enum
    reason: no publisher sends it (OPA-9)
"""


@pytest.mark.parametrize(
    ("case", "edit", "settings", "rules", "breaking"),
    [
        ("rule off", _remove_enum_value, {"rules": {"enum-value-removed": "off"}}, set(), False),
        (
            "unknown as a warning",
            _unknown_pattern,
            {"rules": {"verdict-unknown": "warning"}},
            {"pattern-changed"},
            False,
        ),
        ("encoding", _to_msgpack, {}, {"encoding-changed"}, True),
        ("mode weakened", _weaken_mode, {}, {"enum-value-removed"}, True),
        ("accepted", _remove_enum_value, {}, {"enum-value-removed"}, False),
    ],
)
def test_the_docs_changelog_judges_a_pair_as_diff_does(
    repo: Path,
    case: str,
    edit: Any,
    settings: dict[str, Any],
    rules: set[str],
    breaking: bool,
) -> None:
    """Issue 9: the changelog's verdicts come from the judge `diff` and `validate --history`
    use: the same rules told, the same break decided, for each fact that judge weighs."""
    data = manifest(repo, QUOTES, "1.0.0")
    data["version"] = "1.1.0"  # a minor bump: a break is an error, not allowed by a major one
    edit(data)
    write(repo, QUOTES, "1.1.0", data)
    if settings:
        _settings(repo, **settings)
    if case == "accepted":
        (repo / "contracts" / "accepted-changes.yaml").write_text(ACCEPTANCE, encoding="utf-8")
    summary, rows = _docs_changelog(repo, "1.1.0")
    told = {rule for _, rule, _ in rows}
    diff = run_cli("diff", "contracts", "--format", "json", cwd=repo)
    found = [f for f in _findings(diff.stdout) if "from_version" in f["details"]]
    assert {f["rule"] for f in found} == rules == told, (found, rows)
    # same pointer into the payload schema (the changelog shows the root as "/")
    assert {(f["rule"], f["details"]["acceptance"]["pointer"] or "/") for f in found} == {
        (rule, where) for _, rule, where in rows
    }
    # validate --history reports the same judgement, its notes left out
    history = run_cli("validate", "contracts", "--history", "--format", "json", cwd=repo)
    reported = [f for f in _findings(history.stdout) if "from_version" in f["details"]]
    assert [(f["rule"], f["severity"]) for f in reported] == [
        (f["rule"], f["severity"]) for f in found if f["severity"] != "note"
    ]
    for result, judged in ((diff, found), (history, reported)):
        assert any(f["severity"] == "error" for f in judged) == breaking, judged
        assert (result.code == 1) == breaking, result.stdout
    verdicts = {rule: verdict for verdict, rule, _ in rows}
    assert ("breaking" in verdicts.values()) == breaking, rows
    assert (" break BACKWARD" in summary) == breaking, summary
    if case == "unknown as a warning":
        assert verdicts == {"pattern-changed": "allowed"}, rows
    if case == "accepted":
        assert verdicts == {"enum-value-removed": "accepted"}, rows
        assert "1 accepted break of BACKWARD" in summary, summary
    if case == "mode weakened":
        # judged under the stronger mode of the two, and the weakening told, as diff does
        assert "weakens compatibility BACKWARD → NONE" in summary, summary
        weakened = run_cli("diff", "contracts", "--format", "json", cwd=repo)
        assert "compatibility-weakened" in {f["rule"] for f in _findings(weakened.stdout)}
    if case == "encoding":
        assert verdicts == {"encoding-changed": "breaking"}, rows
