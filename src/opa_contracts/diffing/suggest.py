"""``diff --suggest-acceptance``: the ``accepted-changes.yaml`` entries that would accept every
breaking change of a diff report, one per rule, channel, pointer and version.

Each change finding carries what an acceptance matches in ``details["acceptance"]`` (set in
``pairs.py``); this module only collects the breaking ones and writes them as YAML. The reason is
a placeholder the user must replace (``accepted.REASON_PLACEHOLDER``, explained in README.md): a
file that still holds it is refused (``accepted-changes-invalid``).
"""

from __future__ import annotations

from typing import Any

from opa_contracts.diffing.accepted import REASON_PLACEHOLDER
from opa_contracts.findings import Report, Severity
from opa_contracts.loader import ACCEPTED_CHANGES_FILE

SUMMARY_KEY = "suggested_acceptances"


def entries(report: Report) -> list[dict[str, Any]]:
    """One acceptance per breaking change (errors only: warnings and notes break nothing)."""
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for finding in report.findings:
        target = finding.details.get("acceptance")
        if finding.severity is not Severity.ERROR or not isinstance(target, dict):
            continue
        key = (target["rule"], target["channel"], target["pointer"], target["version"])
        if key in seen:  # a transitive mode meets the same change once per older version
            continue
        seen.add(key)
        out.append({**target, "reason": REASON_PLACEHOLDER})
    return out


def as_yaml(suggested: list[dict[str, Any]]) -> str:
    """A complete ``accepted-changes.yaml`` holding ``suggested`` (each entry pasteable alone)."""
    import yaml

    document = {"apiVersion": "opa-contracts/v1", "accepted": suggested}
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text


def heading(count: int) -> str:
    """The sentence before the block, in every format that shows it."""
    changes = f"{count} breaking change{'s' * (count != 1)}"
    return (
        f"To accept {'this' if count == 1 else 'these'} {changes}, add to "
        f"{ACCEPTED_CHANGES_FILE} at the registry's top (the entries under `accepted:` if the "
        "file exists) and replace each reason:"
    )
