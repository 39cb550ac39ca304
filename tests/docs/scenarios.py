"""The edits the docs describe in words, made on a project copy (``contracts/`` in ``root``).

Used by tests/docs/test_snippets.py, in-process and for the docs' ``# ... text ...``
placeholders: ``python -m tests.docs.scenarios NAME ROOT``.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path

from tests.diffing.conftest import manifest, write


def exchange_required(root: Path) -> None:
    """quotes.realtime 1.1.0: ``exchange`` added as a required string, ``NASDAQ`` in the examples
    (README, *accepted-changes.yaml*; docs/compatibility.md, section 5)."""
    data = copy.deepcopy(manifest(root, "quotes.realtime", "1.0.0"))
    data["version"] = "1.1.0"
    data["status"] = "draft"
    schema = data["schema"]
    schema["properties"]["exchange"] = {"type": "string", "description": "Mercado de la cotización"}
    schema["required"].append("exchange")
    for example in data["examples"]:
        example["payload"]["exchange"] = "NASDAQ"
    write(root, "quotes.realtime", "1.1.0", data)


def ticker_widened(root: Path) -> None:
    """quotes.realtime 1.1.0: ``ticker``'s pattern ``^[A-Z]{1,5}$`` widened to
    ``^[A-Z]{1,5}(\\.[A-Z])?$`` (a class suffix; docs/compatibility.md, sections 3 and 4)."""
    data = copy.deepcopy(manifest(root, "quotes.realtime", "1.0.0"))
    data["version"] = "1.1.0"
    data["status"] = "draft"
    data["schema"]["properties"]["ticker"]["pattern"] = "^[A-Z]{1,5}(\\.[A-Z])?$"
    write(root, "quotes.realtime", "1.1.0", data)


def enum_value_removed(root: Path) -> None:
    """quotes.realtime 1.1.0: ``source`` no longer allows ``polygon`` (README, *In CI*)."""
    data = copy.deepcopy(manifest(root, "quotes.realtime", "1.0.0"))
    data["version"] = "1.1.0"
    data["status"] = "draft"
    data["schema"]["properties"]["source"]["enum"].remove("polygon")
    data["examples"] = [e for e in data["examples"] if e["payload"]["source"] != "polygon"]
    write(root, "quotes.realtime", "1.1.0", data)


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "enum-value-removed": enum_value_removed,
    "exchange-required": exchange_required,
    "ticker-widened": ticker_widened,
}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](Path(sys.argv[2]))
