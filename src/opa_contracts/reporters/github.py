"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

from __future__ import annotations

from typing import IO

from opa_contracts.findings import Report, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def render(report: Report, stream: IO[str], color: bool) -> None:
    """Write ``::error file=…,line=…,col=…,title=<rule>::message`` lines."""
    del color
    for f in report.findings:
        props = []
        if f.file:
            props.append(f"file={_prop(f.file)}")
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_prop(f.rule)}")
        message = f.message
        target = f.details.get("acceptance")
        if isinstance(target, dict):
            message += f"\naccepted-changes.yaml pointer: {target['pointer'] or '(root)'}"
        stream.write(f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(message)}\n")


def _data(text: str) -> str:
    # escaping as defined by the actions toolkit (core/src/command.ts)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
