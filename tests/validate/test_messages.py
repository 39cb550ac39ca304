"""Errors that say how to fix: each names the line of the offending key or value, what is wrong,
and what to write instead (the nearest valid name, the reason a regex fails, the YAML slip).

Every case runs the real CLI on a copy of a bundled manifest with one slip in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CONTRACTS, run_cli
from tests.generate.helpers import GOLDEN, imported

QUOTES = (CONTRACTS / "quotes.realtime" / "1.0.0.yaml").read_text(encoding="utf-8")
MANIFEST = "contracts/quotes.realtime/1.0.0.yaml"


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of ``text`` containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def validate(
    tmp_path: Path, old: str, new: str, *, count: int = 1, code: int = 1
) -> tuple[str, str]:
    """Validate the bundled registry with ``old`` replaced by ``new`` in quotes.realtime;
    return the edited manifest text and the report."""
    assert QUOTES.count(old) >= count, old
    text = QUOTES.replace(old, new, count)
    root = tmp_path / "contracts"
    (root / "quotes.realtime").mkdir(parents=True)
    (root / "registry.yaml").write_text(
        (CONTRACTS / "registry.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (root / "quotes.realtime" / "1.0.0.yaml").write_text(text, encoding="utf-8")
    result = run_cli("validate", "contracts", cwd=tmp_path)
    assert result.code == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return text, result.stdout


def finding(report: str, line: int, rule: str) -> str:
    """The message of the one finding of ``rule`` on ``line`` (asserting there is exactly one)."""
    found = re.findall(rf"^{re.escape(MANIFEST)}:{line}:\d+: \w+ {rule}: (.*)$", report, re.M)
    assert len(found) == 1, report
    return str(found[0])


def test_misspelt_manifest_key_is_reported_on_its_line_with_the_right_name(
    tmp_path: Path,
) -> None:
    text, report = validate(tmp_path, "compatibility: BACKWARD", "compatability: BACKWARD")
    line = line_of(text, "compatability:")
    assert line > 2  # not the mapping's first line, where it used to be reported
    message = finding(report, line, "manifest-schema")
    assert message == "/: unknown key 'compatability'; did you mean 'compatibility'?"


def test_unknown_key_with_a_block_value_points_at_the_key_not_the_block(tmp_path: Path) -> None:
    text, report = validate(tmp_path, "policies:\n", "policie:\n")
    message = finding(report, line_of(text, "policie:"), "manifest-schema")
    assert "unknown key 'policie'; did you mean 'policies'?" in message


def test_unknown_key_nothing_close_lists_the_allowed_keys(tmp_path: Path) -> None:
    text, report = validate(tmp_path, "persistence: none", "durability: none")
    message = finding(report, line_of(text, "durability:"), "manifest-schema")
    assert message.startswith("/policies: unknown key 'durability'; allowed here: ")
    assert "latency_target_ms, persistence, schedule, throughput" in message


def test_subscriber_typo_names_the_key_and_suggests_planned(tmp_path: Path) -> None:
    text, report = validate(tmp_path, "    planned: true", "    planed: true")
    message = finding(report, line_of(text, "planed: true"), "manifest-schema")
    assert message == "/subscribers/1: unknown key 'planed'; did you mean 'planned'?"
    assert "neither a service name" not in report


def test_type_int_lists_the_types_and_suggests_integer(tmp_path: Path) -> None:
    text, report = validate(tmp_path, "type: integer", "type: int")
    message = finding(report, line_of(text, "type: int"), "schema-invalid")
    assert message.startswith('/properties/volume/type: "int" is not a JSON Schema type; ')
    assert '"array", "boolean", "integer", "null", "number", "object", "string"' in message
    assert 'did you mean "integer"?' in message


def test_misspelt_schema_keyword_suggests_the_keyword(tmp_path: Path) -> None:
    text, report = validate(
        tmp_path, "      minimum: 0\n    bid:", "      minimun: 0\n    bid:", count=1
    )
    message = finding(report, line_of(text, "minimun:"), "schema-unknown-keyword")
    assert message.startswith("'minimun' is not a JSON Schema keyword: validators ignore it")
    assert "; did you mean 'minimum'" in message


def test_invalid_regex_says_why_and_where(tmp_path: Path) -> None:
    text, report = validate(tmp_path, "pattern: '^[A-Z]{1,5}$'", "pattern: '^[A-Z{1,5}$'")
    message = finding(report, line_of(text, "pattern: '^[A-Z{1,5}$'"), "schema-invalid")
    assert message.startswith('/properties/ticker/pattern: "^[A-Z{1,5}$" is not a valid regex: ')
    assert "unterminated character set at position 1" in message
    assert "close the [ with ]" in message


def test_invalid_regex_in_a_2020_12_schema_says_why_too(tmp_path: Path) -> None:
    # 2020-12's metaschema does not assert formats: the reason comes from compiling the schema
    text = QUOTES.replace(
        "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema"
    )
    global_quotes = text.replace("pattern: '^[A-Z]{1,5}$'", "pattern: '(AAPL'")
    root = tmp_path / "contracts" / "quotes.realtime"
    root.mkdir(parents=True)
    (root / "1.0.0.yaml").write_text(global_quotes, encoding="utf-8")
    result = run_cli("validate", "contracts", cwd=tmp_path)
    message = finding(result.stdout, line_of(global_quotes, "(AAPL"), "schema-invalid")
    assert "is not a valid regex: missing ), unterminated subpattern at position 0" in message


def test_two_part_version_gets_the_semver_error_with_its_fix_and_nothing_else(
    tmp_path: Path,
) -> None:
    text, report = validate(tmp_path, "version: 1.0.0", 'version: "1.0"')
    message = finding(report, line_of(text, 'version: "1.0"'), "manifest-schema")
    assert message == '/version: "1.0" is not a semantic version MAJOR.MINOR.PATCH; write "1.0.0"'
    assert "manifest-file-name" not in report
    assert "rename it" not in report


def test_enum_typo_suggests_the_value(tmp_path: Path) -> None:
    text, report = validate(tmp_path, "status: active", "status: activ")
    message = finding(report, line_of(text, "status: activ"), "manifest-schema")
    assert message.endswith('did you mean "active"?')


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (  # one space too many: the key is read as part of the previous value
            "status: active",
            " status: active",
            " status: active",
            "indentation: line {line} is indented more than line {prev}, whose key already has "
            "a value; line it up with the key above it (0 spaces)",
        ),
        (  # one space too few inside a nested mapping
            "    volume:\n",
            "   volume:\n",
            "   volume:",
            "indentation: line {line} is indented by 3 spaces, which lines up with no key "
            "above it (those are indented by 2, 4 or 6)",
        ),
        (
            "status: active",
            "status active",
            "status active",
            "line {line} has no ':' after its key (write status: active)",
        ),
        (
            "summary: Cotizaciones en tiempo real",
            "summary: Cotizaciones: en tiempo real",
            "summary: Cotizaciones:",
            "the value of 'summary' contains ': ', which YAML reads as a second key; quote the "
            'value: summary: "Cotizaciones: en tiempo real"',
        ),
        (
            "enum: [yfinance, alpaca, polygon]",
            "enum: [yfinance, #alpaca, polygon]",
            "#alpaca",
            "line {line}: ' #' starts a comment, which hides the rest of the line (and its ']'); "
            "quote a value that contains '#'",
        ),
    ],
    ids=["indent-more", "indent-less", "missing-colon", "unquoted-colon", "unquoted-hash"],
)
def test_yaml_slips_get_plain_words(
    tmp_path: Path, old: str, new: str, needle: str, expected: str
) -> None:
    text, report = validate(tmp_path, old, new)
    line = line_of(text, needle)
    message = finding(report, line, "yaml-syntax")
    assert message.startswith(expected.format(line=line, prev=line - 1))
    assert "while parsing" not in message
    assert "while scanning" not in message


def test_unknown_rule_id_in_registry_settings_suggests_the_rule(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    (root / "system.health").mkdir(parents=True)
    (root / "system.health" / "1.0.0.yaml").write_text(
        (CONTRACTS / "system.health" / "1.0.0.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    settings = "apiVersion: opa-contracts/v1\nrules:\n  property-descripton: off\n"
    (root / "registry.yaml").write_text(settings, encoding="utf-8")
    result = run_cli("validate", "contracts", cwd=tmp_path)
    assert result.code == 1
    assert (
        "contracts/registry.yaml:3:24: error registry-config: unknown rule id "
        "'property-descripton' under rules; did you mean 'property-description'?"
    ) in result.stdout


def test_unknown_rule_id_in_lint_ignore_suggests_the_rule(tmp_path: Path) -> None:
    text, report = validate(
        tmp_path,
        "examples:\n",
        "lint:\n  ignore:\n    - {rule: property-descripton, reason: legacy}\nexamples:\n",
        code=0,  # a warning
    )
    message = finding(report, line_of(text, "property-descripton"), "lint-ignore-unused")
    assert message == (
        "lint.ignore names no validation rule 'property-descripton'; "
        "did you mean 'property-description'?"
    )


def test_unknown_rule_id_in_accepted_changes_suggests_the_rule(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    (root / "system.health").mkdir(parents=True)
    (root / "system.health" / "1.0.0.yaml").write_text(
        (CONTRACTS / "system.health" / "1.0.0.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (root / "accepted-changes.yaml").write_text(
        "apiVersion: opa-contracts/v1\naccepted:\n"
        "  - rule: enum-value-remove\n    channel: system.health\n    reason: gone\n",
        encoding="utf-8",
    )
    result = run_cli("diff", "contracts", cwd=tmp_path)
    assert result.code == 1, result.stdout + result.stderr
    assert re.search(
        r"contracts/accepted-changes\.yaml:3:\d+: error accepted-changes-invalid: "
        r"/accepted/0/rule: unknown rule id 'enum-value-remove'; did you mean '[a-z-]+'",
        result.stdout,
    ), result.stdout


def test_accepted_changes_unknown_key_suggests_the_key(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    (root / "system.health").mkdir(parents=True)
    (root / "system.health" / "1.0.0.yaml").write_text(
        (CONTRACTS / "system.health" / "1.0.0.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (root / "accepted-changes.yaml").write_text(
        "apiVersion: opa-contracts/v1\naccepted:\n"
        "  - rule: type-narrowed\n    channel: system.health\n    reason: gone\n"
        "    expiry: '2030-01-01'\n",
        encoding="utf-8",
    )
    result = run_cli("diff", "contracts", cwd=tmp_path)
    assert (
        "contracts/accepted-changes.yaml:6:13: error accepted-changes-invalid: "
        "/accepted/0/expiry: /accepted/0: unknown key 'expiry'; did you mean 'expires'?"
    ) in result.stdout


def test_decode_with_a_misspelt_channel_suggests_the_channel() -> None:
    with imported(GOLDEN / "src", "opa_events") as package:
        with pytest.raises(package.ContractError) as caught:
            package.decode("quotes.realtim", b"{}")
        assert "unknown channel; did you mean 'quotes.realtime'? (known channels: " in str(
            caught.value
        )
        with pytest.raises(package.ContractError) as caught:
            package.decode("quotes.realtime", b"{}", version="1.0")
        assert "unknown version; did you mean '1.0.0'? (known versions: 1.0.0)" in str(caught.value)
