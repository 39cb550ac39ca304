"""SARIF 2.1.0 for code-scanning dashboards; the rules section comes from the rule registry."""

from __future__ import annotations

import json
from typing import IO, Any

from opa_contracts import __version__
from opa_contracts.findings import Report, Severity
from opa_contracts.rules.registry import by_id

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def render(report: Report, stream: IO[str], color: bool) -> None:
    """Write one SARIF log with one run."""
    del color
    rules = by_id()
    used = sorted({f.rule for f in report.findings})
    index = {rule: i for i, rule in enumerate(used)}
    results: list[dict[str, Any]] = []
    for f in report.findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
        }
        if f.file:
            region: dict[str, int] = {}
            if f.line:
                region["startLine"] = f.line
                if f.column:
                    region["startColumn"] = f.column
            location: dict[str, Any] = {"artifactLocation": {"uri": f.file.replace("\\", "/")}}
            if region:
                location["region"] = region
            result["locations"] = [{"physicalLocation": location}]
        if f.pointer:
            result["properties"] = {
                "pointer": f.pointer,
                "channel": f.channel,
                "version": f.version,
            }
            if "acceptance" in f.details:  # what an entry of accepted-changes.yaml matches
                result["properties"]["acceptance"] = f.details["acceptance"]
            for key in ("verdict", "proof"):  # a schema change: broken, compatible or unknown
                if f.details.get(key) is not None:
                    result["properties"][key] = f.details[key]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "opa-contracts",
                        "version": __version__,
                        "informationUri": "https://github.com/opa-platform/opa-contracts",
                        "rules": [_rule(rid, rules) for rid in used],
                    }
                },
                "results": results,
                **_verdicts(report),
            }
        ],
    }
    json.dump(log, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def _rule(rule_id: str, rules: dict[str, Any]) -> dict[str, Any]:
    rule = rules.get(rule_id)
    if rule is None:
        return {"id": rule_id}
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.purpose},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"category": rule.category},
    }


def _verdicts(report: Report) -> dict[str, Any]:
    """The counts of a diff's verdicts, as run properties."""
    counts = report.summary.get("verdicts")
    return {"properties": {"verdicts": counts}} if isinstance(counts, dict) else {}
