"""JSON for programs, with a format version so consumers can rely on its shape."""

from __future__ import annotations

import json
from typing import IO, Any

from opa_contracts import __version__
from opa_contracts.findings import Finding, Report, Severity

FORMAT_VERSION = 1


def render(report: Report, stream: IO[str], color: bool) -> None:
    """Write the report as one JSON document."""
    del color
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "opa-contracts", "version": __version__},
        "command": report.command,
        "summary": {
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "notes": report.count(Severity.NOTE),
            "suppressed": report.suppressed,
            "files_checked": report.files_checked,
            "manifests_checked": report.manifests_checked,
            **report.summary,
        },
        "findings": [finding_dict(f) for f in report.findings],
    }
    # json.dump makes one write call per token (millions for a large report): batch them
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, sort_keys=False)
    batch: list[str] = []
    for chunk in encoder.iterencode(document):
        batch.append(chunk)
        if len(batch) >= 8192:
            stream.write("".join(batch))
            batch.clear()
    batch.append("\n")
    stream.write("".join(batch))


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as plain JSON data."""
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "pointer": finding.pointer,
        "channel": finding.channel,
        "version": finding.version,
        "details": finding.details,
    }
