"""`opa-contracts readers CHANNEL [FIELD]`: who reads a channel or a field, text and JSON, and its
exit codes (0 a list, 2 an unknown channel, version or field, 3 an unreadable registry)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CONTRACTS, FIXTURES, ROOT, run_cli

GOLDEN_DOCS = ROOT / "tests" / "golden" / "docs"


def test_every_subscriber_of_a_channel_with_its_reads() -> None:
    result = run_cli("readers", "quotes.realtime", "--registry", CONTRACTS)
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "quotes.realtime 1.0.0: read by 3 subscriber(s)",
        "  opa-capacity-api: /ticker, /timestamp, /price, /volume, /source",
        "  opa-prediction-* (planned): /ticker, /timestamp, /price, /volume",
        "  alerting (external): everything (declares no reads)",
    ]


def test_who_reads_a_field_json_and_dotted() -> None:
    result = run_cli(
        "readers", "quotes.realtime", "bid", "--registry", CONTRACTS, "--format", "json"
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["field"] == "/bid"
    assert [r["name"] for r in data["readers"]] == ["alerting"]  # no OPA service reads bid
    price = json.loads(
        run_cli(
            "readers", "quotes.realtime", "/price", "--registry", CONTRACTS, "-f", "json"
        ).stdout
    )
    assert [(r["name"], r["reads"]) for r in price["readers"]][:2] == [
        ("opa-capacity-api", ["/price"]),
        ("opa-prediction-*", ["/price"]),
    ]


def test_wildcard_reads_and_versions() -> None:
    hostile = FIXTURES / "reads" / "hostile"
    result = run_cli("readers", "orders.placed", "/items/0/sku", "--registry", hostile)
    assert result.code == 0, result.stderr
    assert "  opa-billing: /items/*/sku" in result.stdout.splitlines()
    assert "orders.placed 1.1.0 /items/0/sku" in result.stdout  # the latest version
    # /discount: 1.0.0 never had it
    old = run_cli(
        "readers", "orders.placed", "discount", "--registry", hostile, "--version", "1.0.0"
    )
    assert old.code == 2
    assert "no field 'discount'" in old.stderr


def test_unknown_channel_version_field_and_registry() -> None:
    typo = run_cli("readers", "quotes.realtim", "--registry", CONTRACTS)
    assert typo.code == 2
    assert "did you mean 'quotes.realtime'" in typo.stderr
    version = run_cli("readers", "quotes.realtime", "--registry", CONTRACTS, "--version", "9.9.9")
    assert version.code == 2
    assert "versions: 1.0.0" in version.stderr
    wildcard = run_cli("readers", "quotes.realtime", "/ticker/*", "--registry", CONTRACTS)
    assert wildcard.code == 2
    assert "Traceback" not in wildcard.stderr
    missing = run_cli("readers", "quotes.realtime", "--registry", Path("/nonexistent/contracts"))
    assert missing.code == 3
    assert missing.stderr.count("\n") == 1


def test_docs_site_shows_readers_per_field_and_fields_per_service() -> None:
    # the golden docs are what `generate docs` writes for the bundled registry (test_golden)
    page = (GOLDEN_DOCS / "markdown" / "channels" / "quotes.realtime.md").read_text("utf-8")
    price = next(line for line in page.splitlines() if line.startswith("| `price` |"))
    assert price.endswith("| opa-capacity-api, opa-prediction-\\* |")
    bid = next(line for line in page.splitlines() if line.startswith("| `bid` |"))
    assert bid.endswith("|  |")  # no OPA service declares reading bid
    assert "Subscribers that declare no reads read every field: alerting." in page
    index = (GOLDEN_DOCS / "markdown" / "README.md").read_text("utf-8")
    assert (
        "| opa-capacity-api | 0 | 1 | `quotes.realtime`: /ticker, /timestamp, /price, /volume, "
        "/source |" in index
    )
    html = (GOLDEN_DOCS / "html" / "channels" / "quotes.realtime.html").read_text("utf-8")
    assert '<td data-label="read by">opa-capacity-api</td>' in html  # source
