"""The generated package's opt-in read tracing (opa_events.tracing): a consumer's tests record the
fields it reads, as a reads declaration that `validate` checks, and `undeclared` tells when the
code reads what the contract does not say it reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CONTRACTS, run_cli
from tests.generate.helpers import GOLDEN, imported

QUOTE = {
    "ticker": "AAPL",
    "timestamp": "2026-01-20T14:30:00Z",
    "price": 185.5,
    "volume": 45000000,
    "bid": 185.4,
    "source": "yfinance",
}
HEALTH = {
    "service": "opa-capacity-api",
    "timestamp": "2026-01-20T14:30:00Z",
    "status": "healthy",
    "details": {"uptime_seconds": 5, "memory_mb": 12.5},
}


def _consumer(events: Any, recorder: Any, bid: bool = False) -> float:
    """What a consumer does with a quote and a heartbeat, through watched messages."""
    quote = recorder.watch(events.decode("quotes.realtime", json.dumps(QUOTE)))
    health = recorder.watch(events.decode("system.health", json.dumps(HEALTH)))
    total = quote.price * 2 + (quote.bid if bid else 0)
    assert quote.ticker == "AAPL"
    return float(total + health.details.memory_mb)


def test_records_the_fields_read_as_json_pointers() -> None:
    with imported(GOLDEN / "src", "opa_events") as events:
        from opa_events.tracing import ReadRecorder

        recorder = ReadRecorder()
        assert _consumer(events, recorder) == 383.5
        assert recorder.reads("quotes.realtime") == ["/price", "/ticker"]
        # reading details.memory_mb is not reading all of details
        assert recorder.reads("system.health") == ["/details/memory_mb"]
        assert recorder.channels() == ["quotes.realtime", "system.health"]


def test_undeclared_reads_fail_the_consumers_check() -> None:
    with imported(GOLDEN / "src", "opa_events") as events:
        from opa_events.tracing import ReadRecorder

        recorder = ReadRecorder()
        _consumer(events, recorder)
        # opa-capacity-api declares /price and /ticker on quotes.realtime; it is no subscriber
        # of system.health, so everything it read there is undeclared
        assert recorder.undeclared("opa-capacity-api") == {"system.health": ["/details/memory_mb"]}
        drifted = ReadRecorder()
        _consumer(events, drifted, bid=True)
        assert drifted.undeclared("opa-capacity-api")["quotes.realtime"] == ["/bid"]
        assert "quotes.realtime" not in drifted.undeclared("alerting")  # declares nothing


def test_the_recorded_declaration_is_checked_by_validate(tmp_path: Path) -> None:
    with imported(GOLDEN / "src", "opa_events") as events:
        from opa_events.tracing import ReadRecorder

        recorder = ReadRecorder()
        _consumer(events, recorder, bid=True)
        written = recorder.write(tmp_path / "reads.yaml", "opa-capacity-api")
    declared = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert declared["quotes.realtime"] == [
        {"name": "opa-capacity-api", "reads": ["/bid", "/price", "/ticker"]}
    ]
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    manifest = root / "quotes.realtime" / "1.0.0.yaml"
    text = manifest.read_text(encoding="utf-8")
    old = (
        "reads: [/ticker, /timestamp, /price, /volume, "
        "{path: /source, enum: [alpaca, polygon, yfinance]}]"
    )
    assert old in text
    manifest.write_text(text.replace(old, "reads: [/bid, /price, /ticker]"), encoding="utf-8")
    result = run_cli("validate", root, "--format", "json")
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"].startswith("reads-")]
    # bid is optional: validate says the service reads a field the schema does not guarantee
    assert [(f["rule"], f["line"]) for f in found] == [("reads-not-guaranteed", 13)]
    assert "opa-capacity-api reads /bid" in found[0]["message"]


def test_a_watched_message_is_read_only_and_still_the_message() -> None:
    with imported(GOLDEN / "src", "opa_events") as events:
        from opa_events.tracing import ReadRecorder

        recorder = ReadRecorder()
        quote = recorder.watch(events.decode("quotes.realtime", json.dumps(QUOTE)))
        assert quote.model_dump(mode="json")["ticker"] == "AAPL"  # methods pass through
        assert recorder.reads("quotes.realtime") == []
        with pytest.raises(AttributeError, match="read-only"):
            quote.price = 1
