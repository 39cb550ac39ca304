"""Options and output shared by every verb that ends in a report: ``--format``, ``--color``,
``--output``, and the writing of the :class:`~opa_contracts.findings.Report` itself.

``validate``, ``diff`` and ``generate`` all hand their report to :func:`emit`; the reporters are
imported only when one is chosen (see ``reporters.base.FORMATS``).
"""

from __future__ import annotations

import enum
import io
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

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


class FailOn(enum.StrEnum):
    """The lowest severity that makes a verb's exit code 1 (``--fail-on``)."""

    error = "error"
    warning = "warning"


class Color(enum.StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def choice(values: Iterable[str], *, case_sensitive: bool = True) -> Callable[[str], str]:
    """The parser of an option whose values are ``values``: a wrong value is a usage error that
    lists them all and names the nearest ("did you mean ...?")."""
    names = [str(v) for v in values]

    def parse(text: str) -> str:
        for name in names:
            if text == name or (not case_sensitive and text.casefold() == name.casefold()):
                return name
        from opa_contracts.hints import did_you_mean

        raise typer.BadParameter(
            f"{text!r} is not one of {', '.join(names)}{did_you_mean(text, names)}"
        )

    return parse


def listed(values: Iterable[str]) -> str:
    """``"a, b or c"``: the values for a help text (every choice is shown)."""
    names = [str(v) for v in values]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


# the options every verb that writes a report shares, with the same words everywhere
FORMAT_HELP = f"Report format: {listed(OutputFormat)}."
COLOR_HELP = f"Colour the text report: {listed(Color)} (auto: on a terminal, unless NO_COLOR)."

# The report options every verb shares, declared once (validate, diff, generate).
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", metavar="FORMAT", parser=choice(OutputFormat), help=FORMAT_HELP),
]
ColorOption = Annotated[Color, typer.Option(metavar="WHEN", parser=choice(Color), help=COLOR_HELP)]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report to FILE instead of stdout.",
        show_default=False,
    ),
]


def use_color(choice: Color) -> bool:
    """Colour text output: ``always``, ``never``, or on a terminal unless ``NO_COLOR`` is set."""
    if choice is Color.always:
        return True
    if choice is Color.never or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit(report: Report, fmt: str, color: Color, output: Path | None) -> None:
    """Write ``report`` in ``fmt`` to stdout or, atomically, to ``output``; exit 3 when it cannot
    be written (the verbs refused an ``output`` that is one of their inputs before running)."""
    from opa_contracts.reporters.base import renderer

    render = renderer(fmt)
    text = io.StringIO()
    render(report, text, output is None and fmt == "text" and use_color(color))
    deliver(text.getvalue(), output)


def deliver(text: str, output: Path | None) -> None:
    """Write a verb's ``text`` output to stdout or, atomically, to ``output``; exit 3 when it
    cannot be written (a full disk, a read-only folder, a closed pipe)."""
    from opa_contracts.errors import WriteError
    from opa_contracts.writing import write_report

    try:
        if output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        write_report(output, text.encode("utf-8"))
    except WriteError as exc:
        fail(str(exc), EXIT_INPUT)
    except OSError as exc:  # standard output: a full disk behind `> file`, a closed pipe
        _discard_stdout()
        fail(f"cannot write the report to standard output: {exc.strerror or exc}", EXIT_INPUT)


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    typer.echo(f"opa-contracts: {message}", err=True)
    raise typer.Exit(code)


def _discard_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered cannot be written, and the
    interpreter's last flush must not fail a second time (with a traceback)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout is not a file descriptor
        pass
