"""JUnit XML: one test case per checked file, a failure per finding at or above warning."""

from __future__ import annotations

from collections import defaultdict
from typing import IO
from xml.etree import ElementTree as ET

from opa_contracts.findings import Finding, Report, Severity


def render(report: Report, stream: IO[str], color: bool) -> None:
    """Write a ``<testsuites>`` document."""
    del color
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.file or "(registry)"].append(f)
    failures = sum(1 for f in report.findings if f.severity >= Severity.WARNING)
    suites = ET.Element("testsuites", name=f"opa-contracts {report.command}")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"opa-contracts {report.command}",
        tests=str(max(len(by_file), 1)),
        failures=str(failures),
        errors="0",
    )
    counts = report.summary.get("verdicts")
    if isinstance(counts, dict):  # diff: how many schema changes are broken, compatible, unknown
        properties = ET.SubElement(suite, "properties")
        for name, value in counts.items():
            ET.SubElement(properties, "property", name=f"verdicts.{name}", value=str(value))
    if not by_file:
        ET.SubElement(suite, "testcase", classname=report.command, name="registry")
    for file, findings in sorted(by_file.items()):
        case = ET.SubElement(suite, "testcase", classname=report.command, name=file)
        for f in findings:
            tag = "failure" if f.severity >= Severity.WARNING else "system-out"
            if tag == "system-out":
                ET.SubElement(case, tag).text = f"{f.location} {f.rule}: {f.message}"
                continue
            element = ET.SubElement(
                case, tag, type=f.rule, message=f"{f.severity.value}: {f.message}"
            )
            element.text = f"{f.location}: {f.severity.value} {f.rule}: {f.message}"
            target = f.details.get("acceptance")
            if isinstance(target, dict):
                element.text += f"\naccepted-changes.yaml pointer: {target['pointer'] or '(root)'}"
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
