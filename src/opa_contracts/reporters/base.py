"""Choosing a reporter by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import IO, Any

from opa_contracts.findings import Report

Render = Callable[[Report, IO[str], bool], None]

# name -> module; each module has ``render(report, stream, color)``. Imported only when chosen,
# so ``validate --format json`` does not pay for rich.
FORMATS: dict[str, str] = {
    "text": "opa_contracts.reporters.text",
    "json": "opa_contracts.reporters.json_report",
    "github": "opa_contracts.reporters.github",
    "junit": "opa_contracts.reporters.junit",
    "sarif": "opa_contracts.reporters.sarif",
    "markdown": "opa_contracts.reporters.markdown",
}


def renderer(name: str) -> Render:
    """The ``render`` function of the reporter called ``name``."""
    module = importlib.import_module(FORMATS[name])
    render: Render = module.render
    return render


def suggested_acceptances(report: Report) -> list[Any] | None:
    """The acceptances ``diff --suggest-acceptance`` put in the report (``None``: not asked, or
    not a diff); validate and generate never load the diffing package for it."""
    if report.command != "diff":
        return None
    from opa_contracts.diffing import suggest

    found: list[Any] | None = report.summary.get(suggest.SUMMARY_KEY)
    return found
