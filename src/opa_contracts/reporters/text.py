"""Text for people: one line per finding, ``file:line:col: severity rule: message``."""

from __future__ import annotations

import json
from typing import IO

from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.reporters.base import suggested_acceptances

VERDICTS = ("broken", "compatible", "unknown")
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def render(report: Report, stream: IO[str], color: bool) -> None:
    """Write the report; colours only when ``color`` (a terminal)."""
    lines = []
    for f in report.findings:
        where = f.location or "(registry)"
        lines.append((where, f.severity, f.rule, f.message + _witness(f) + _acceptance(f)))
    summary = _summary(report)
    for line in _targets(report):  # generate: one line per target before its findings
        stream.write(line + "\n")
    if not color:
        for where, severity, rule, message in lines:
            stream.write(f"{where}: {severity.value} {rule}: {message}\n")
        stream.write(summary + "\n")
        stream.write(_suggested(report))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True)
    for where, severity, rule, message in lines:
        text = Text()
        text.append(where, style="bold")
        text.append(": ")
        text.append(severity.value, style=_STYLE[severity])
        text.append(f" {rule}", style="dim")
        text.append(f": {message}")
        console.print(text)
    style = "bold red" if report.count(Severity.ERROR) else "green"
    console.print(Text(summary, style=style))
    suggested = _suggested(report)
    if suggested:
        console.print(Text(suggested.rstrip("\n")))


def _witness(f: Finding) -> str:
    if "witness" not in f.details:
        return ""
    d = f.details
    text = json.dumps(d["witness"], ensure_ascii=False, sort_keys=True)
    writer, reader = d.get("witness_writer"), d.get("witness_reader")
    return f"\n    witness (valid under {writer}, rejected by {reader}): {text}"


def _acceptance(f: Finding) -> str:
    """The pointer an entry of accepted-changes.yaml matches (into the payload schema)."""
    target = f.details.get("acceptance")
    if not isinstance(target, dict):
        return ""
    return f"\n    accepted-changes.yaml pointer: {target['pointer'] or '(root)'}"


def _suggested(report: Report) -> str:
    suggested = suggested_acceptances(report)
    if suggested is None:
        return ""
    from opa_contracts.diffing import suggest

    if not suggested:
        return "\nNothing to accept: no change breaks a declared mode.\n"
    return f"\n{suggest.heading(len(suggested))}\n\n{suggest.as_yaml(suggested)}"


def _summary(report: Report) -> str:
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    notes = report.count(Severity.NOTE)
    if report.command == "validate":
        checked = f"{report.manifests_checked} manifest{'s' * (report.manifests_checked != 1)}"
    elif report.command == "generate":
        checked = _generated(report)
    elif report.command == "import":
        written = report.manifests_checked
        checked = f"{written} manifest{'s' * (written != 1)} written" + (
            f" to {report.summary['out']}" if written and "out" in report.summary else ""
        )
    elif report.command == "doctor kafka":
        topics = report.summary.get("topics", 0)
        checked = f"{report.summary.get('bootstrap')}, {topics} planned topic{'s' * (topics != 1)}"
    elif report.command == "doctor redis":
        checks = len(report.summary.get("checks", ()))
        checked = f"{report.summary.get('server')}, {checks} setting{'s' * (checks != 1)}"
    else:
        checked = f"{report.summary.get('pairs', 0)} version pair(s)"
    parts = [f"{errors} error{'s' * (errors != 1)}", f"{warnings} warning{'s' * (warnings != 1)}"]
    if notes:
        parts.append(f"{notes} note{'s' * (notes != 1)}")
    if report.suppressed:
        parts.append(f"{report.suppressed} suppressed")
    verb = "" if report.command in ("generate", "import") else " checked"
    return f"{report.command}: {checked}{verb}; " + ", ".join(parts) + _verdicts(report)


def _verdicts(report: Report) -> str:
    """The verdicts of the schema changes a diff reported, when there were any."""
    counts = report.summary.get("verdicts")
    if not isinstance(counts, dict) or not any(counts.get(k) for k in VERDICTS):
        return ""
    shown = [f"{counts.get(k, 0)} {k}" for k in VERDICTS]
    if counts.get("proven"):
        shown[1] += f" ({counts['proven']} proven)"
    return "; changes: " + ", ".join(shown)


_TARGET_LINE = {
    "written": "{name}: wrote {out}: {files} files, {drift} changed",
    "fresh": "{name}: {out} is up to date ({files} files)",
    "stale": "{name}: {out} is stale ({drift} of {files} files)",
    "failed": "{name}: {out} failed",
    "skipped": "{name}: {out} not generated",
}


def _targets(report: Report) -> list[str]:
    if report.command != "generate":
        return []
    return [
        _TARGET_LINE[t["status"]].format(**t, drift=t["missing"] + t["changed"] + t["extra"])
        for t in report.summary.get("targets", [])
    ]


def _generated(report: Report) -> str:
    targets = report.summary.get("targets", [])
    counts: dict[str, int] = {}
    for target in targets:
        counts[target["status"]] = counts.get(target["status"], 0) + 1
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"{len(targets)} target{'s' * (len(targets) != 1)} ({statuses})"
