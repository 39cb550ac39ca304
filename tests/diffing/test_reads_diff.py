"""`diff` names the subscribers each change touches (issue 16), through the CLI: declared readers
whose reads the change overlaps, with whether the witness breaks their reads, and every
subscriber that declares nothing; `reads.unread_changes` decides whether a break no declared read
touches still needs a major version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, run_cli

QUOTES = FIXTURES / "reads" / "quotes"
BASE = QUOTES / "base" / "quotes.realtime" / "1.0.0.yaml"
NO_BID = QUOTES / "no-bid" / "quotes.realtime" / "1.1.0.yaml"
NARROW_PRICE = QUOTES / "narrow-price" / "quotes.realtime" / "1.1.0.yaml"


def _json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run_cli("diff", *args, "--format", "json")
    assert "Traceback" not in result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return result.code, report


def _change(report: dict[str, Any], rule: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [f for f in report["findings"] if f["rule"] == rule]
    assert len(found) == 1, found
    return found[0]


def test_removing_bid_names_only_the_subscribers_that_declare_nothing() -> None:
    # bid is optional and nobody declares reading it; FULL makes its removal a break (forward)
    code, report = _json(BASE, NO_BID, "--mode", "FULL")
    assert code == 1
    finding = _change(report, "property-removed-from-open-model")
    assert finding["severity"] == "error"
    assert finding["details"]["readers"] == [
        {"name": "alerting", "declares_reads": False, "reads": [], "witness_breaks_reads": None}
    ]
    assert "opa-" not in finding["message"].split("; readers:")[-1]
    text = run_cli("diff", BASE, NO_BID, "--mode", "FULL").stdout
    assert "readers: alerting (declares no reads)" in text
    assert "readers still on 1.0.0 (alerting)" in text


def test_narrowing_price_names_opa_capacity_api_and_the_witness_breaks_its_reads() -> None:
    code, report = _json(BASE, NARROW_PRICE)
    assert code == 1
    finding = _change(report, "minimum-increased")
    readers = {r["name"]: r for r in finding["details"]["readers"]}
    assert readers["opa-capacity-api"] == {
        "name": "opa-capacity-api",
        "declares_reads": True,
        "reads": ["/price"],
        "witness_breaks_reads": True,
    }
    assert readers["alerting"]["declares_reads"] is False
    assert finding["details"]["witness"]["price"] < 0.01
    text = run_cli("diff", BASE, NARROW_PRICE).stdout
    assert "opa-capacity-api (reads /price)" in text


def test_markdown_comment_groups_breaks_by_reader() -> None:
    result = run_cli("diff", BASE, NARROW_PRICE, "--format", "markdown")
    assert result.code == 1
    section = result.stdout.split("#### Breaks by reader", 1)[1]
    assert "- `opa-capacity-api` on `quotes.realtime`\n" in section
    assert "  - `minimum-increased` at `/properties/price/minimum` (reads `/price`)" in section
    assert "- `alerting` on `quotes.realtime` _(declares no reads: reads everything)_" in section
    # declaring readers first
    assert section.index("opa-capacity-api") < section.index("alerting")


def test_unread_changes_minor_lets_an_unread_break_through_without_a_major(
    tmp_path: Path,
) -> None:
    minor = QUOTES / "minor"
    code, report = _json(minor)
    assert code == 0
    finding = _change(report, "property-removed-from-open-model")
    assert finding["severity"] == "warning"
    assert "reads.unread_changes: minor" in finding["message"]
    assert not [f for f in report["findings"] if f["rule"] == "major-version-required"]
    # the default (breaking): the same history needs a major version
    copy = tmp_path / "contracts"
    shutil.copytree(minor, copy)
    settings = copy / "registry.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("  unread_changes: minor", "  unread_changes: breaking"))
    code, report = _json(copy)
    assert code == 1
    assert _change(report, "property-removed-from-open-model")["severity"] == "error"
    assert _change(report, "major-version-required")["severity"] == "error"


def test_unread_changes_minor_does_not_spare_a_break_a_declared_reader_reads(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(QUOTES / "minor", copy)
    narrowed = NARROW_PRICE.read_text(encoding="utf-8")
    (copy / "quotes.realtime" / "1.1.0.yaml").write_text(
        narrowed.replace("compatibility: BACKWARD\n", "compatibility: FULL\n"), encoding="utf-8"
    )
    code, report = _json(copy)
    assert code == 1
    assert _change(report, "minimum-increased")["severity"] == "error"
