"""Markdown made for a pull-request comment: a summary line, a table per channel, witnesses."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import IO, Any

from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.reporters.base import suggested_acceptances

_VERDICTS = ("broken", "compatible", "unknown")
_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTE: "ℹ️"}
# command -> (title, what an error is called, the headline when there is none)
_WORDS = {
    "validate": ("Contract validation", "error", "No errors"),
    "diff": ("Contract diff", "breaking problem", "No breaking changes"),
    "generate": ("Generated files", "stale or failed output", "Generated files are up to date"),
    "import": ("Registry import", "error", "Imported"),
}


def render(report: Report, stream: IO[str], color: bool) -> None:
    """Write the whole comment."""
    del color
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    diff = report.command == "diff"
    title, noun, clean = _WORDS.get(report.command, _WORDS["validate"])
    if errors:
        head = f"❌ **{errors} {noun}{'s' * (errors != 1)}**"
    elif warnings:
        head = f"⚠️ **{clean}**, {warnings} warning{'s' * (warnings != 1)}"
    else:
        head = f"✅ **{clean}**"
    base = report.summary.get("old")
    against = f" against `{base}`" if base else ""
    stream.write(f"### {title}{against}\n\n{head}")
    pairs = report.summary.get("pairs")
    if pairs is not None:
        stream.write(f" — {pairs} version pair{'s' * (pairs != 1)} compared")
    stream.write(".\n\n")
    counts = report.summary.get("verdicts")
    if isinstance(counts, dict) and any(counts.get(k) for k in _VERDICTS):
        shown = ", ".join(f"{counts.get(k, 0)} {k}" for k in _VERDICTS)
        proven = counts.get("proven")
        stream.write(
            f"Schema changes: {shown}" + (f" ({proven} proven)" if proven else "") + ".\n\n"
        )
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        groups[_group(f)].append(f)
    for channel in sorted(groups, key=lambda c: (-_worst(groups[c]), c)):
        findings = sorted(groups[channel], key=lambda f: (-f.severity.rank, f.pointer, f.rule))
        stream.write(f"#### `{channel}`\n\n")
        column = "change" if diff else "finding"
        stream.write(f"| | rule | where | {column} |\n|---|---|---|---|\n")
        for f in findings:
            where = f"`{_pointer(f)}`" if diff and _pointer(f) else f"`{f.location}`"
            stream.write(f"| {_ICON[f.severity]} | `{f.rule}` | {where} | {_cell(_short(f))} |\n")
        stream.write("\n")
        if diff and any("acceptance" in f.details for f in findings):
            stream.write(
                "Schema changes are located by their pointer into the payload schema, the "
                "`pointer` an entry of `accepted-changes.yaml` matches.\n\n"
            )
        for f in findings:
            if "witness" in f.details:
                stream.write(_witness(f))
    if diff:
        stream.write(_by_reader(report.findings))
    stream.write(_suggested(report))
    stream.write(
        "<sub>opa-contracts · modes and rules: docs/compatibility.md, docs/rules.md</sub>\n"
    )


def _by_reader(findings: Sequence[Finding]) -> str:
    """The breaks grouped by the subscriber they reach (``details.readers``): declared readers
    whose reads a break touches, and subscribers declaring nothing (they read everything)."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    declared: dict[tuple[str, str], bool] = {}
    for f in findings:
        readers = f.details.get("readers")
        if f.severity is Severity.NOTE or not isinstance(readers, list):
            continue
        for reader in readers:
            name = (str(reader["name"]), f.channel)
            declared[name] = bool(reader.get("declares_reads"))
            reads = ", ".join(f"`{p}`" for p in reader.get("reads") or [])
            note = f" (reads {reads})" if reads else ""
            if reader.get("witness_breaks_reads") is False:
                note += " — the witness does not break these reads"
            groups[name].append(f"`{f.rule}` at `{_pointer(f)}`{note}")
    if not groups:
        return ""
    out = ["#### Breaks by reader\n"]
    for name in sorted(groups, key=lambda n: (not declared[n], n)):
        what = "" if declared[name] else " _(declares no reads: reads everything)_"
        out.append(f"- `{name[0]}` on `{name[1]}`{what}")
        out += [f"  - {line}" for line in groups[name]]
    return "\n".join(out) + "\n\n"


def _group(f: Finding) -> str:
    """Findings are grouped by channel; generation findings by target."""
    if f.channel:
        return f.channel
    target = f.details.get("target")
    return f"target {target}" if target else "(registry)"


def _witness(f: Finding) -> str:
    d: dict[str, Any] = f.details
    text = json.dumps(d["witness"], indent=2, ensure_ascii=False, sort_keys=True)
    return (
        f"<details open><summary>Witness for <code>{f.rule}</code> at <code>{_pointer(f)}</code>: "
        f"valid under {d.get('witness_writer')}, rejected by {d.get('witness_reader')}"
        "</summary>\n\n```json\n"
        f"{text}\n```\n\n</details>\n\n"
    )


def _pointer(f: Finding) -> str:
    """A schema change's pointer into the payload schema (what accepted-changes.yaml matches);
    any other finding's pointer into its manifest."""
    target = f.details.get("acceptance")
    if isinstance(target, dict):
        return str(target["pointer"]) or "/"
    return f.pointer


def _suggested(report: Report) -> str:
    suggested = suggested_acceptances(report)
    if suggested is None:
        return ""
    from opa_contracts.diffing import suggest

    if not suggested:
        return "Nothing to accept: no change breaks a declared mode.\n\n"
    block = suggest.as_yaml(suggested)
    head = suggest.heading(len(suggested))
    return f"#### Accepting these changes\n\n{head}\n\n```yaml\n{block}```\n\n"


def _short(f: Finding) -> str:
    message = f.message
    prefix = f"{f.channel} "
    if message.startswith(prefix):
        message = message[len(prefix) :]
    return message


def _worst(findings: list[Finding]) -> int:
    return max(f.severity.rank for f in findings)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
