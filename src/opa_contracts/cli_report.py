"""Options and output shared by every verb that ends in a report: ``--format``, ``--color``,
``--output``, and the writing of the :class:`~opa_contracts.findings.Report` itself.

``validate``, ``diff`` and ``generate`` all hand their report to :func:`emit`; the reporters are
imported only when one is chosen (see ``reporters.base.FORMATS``).
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from opa_contracts.exitcodes import EXIT_INPUT

if TYPE_CHECKING:
    from opa_contracts.findings import Report


class OutputFormat(enum.StrEnum):
    """The report formats (one per module in ``reporters.base.FORMATS``)."""

    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    junit = "junit"
    sarif = "sarif"


class Color(enum.StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def use_color(choice: Color) -> bool:
    """Colour text output: ``always``, ``never``, or on a terminal unless ``NO_COLOR`` is set."""
    if choice is Color.always:
        return True
    if choice is Color.never or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit(report: Report, fmt: str, color: Color, output: Path | None) -> None:
    """Write ``report`` in ``fmt`` to stdout or to ``output`` (exit 3 when it cannot be written)."""
    from opa_contracts.reporters.base import renderer

    render = renderer(fmt)
    if output is None:
        render(report, sys.stdout, fmt == "text" and use_color(color))
        return
    try:
        with output.open("w", encoding="utf-8") as stream:
            render(report, stream, False)
    except OSError as exc:
        typer.echo(f"opa-contracts: cannot write {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
