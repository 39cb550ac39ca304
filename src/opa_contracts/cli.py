"""The ``opa-contracts`` command line: parse options, call the library, report, exit.

Exit codes (``exitcodes.py``): 0 clean; 1 findings at or above ``--fail-on`` (or breaking changes);
2 usage error; 3 input that could not be read at all; 4 an internal error (a bug: please report it).
"""

from __future__ import annotations

import enum
import gc
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from opa_contracts import __version__
from opa_contracts.cli_generate import generate_app
from opa_contracts.cli_report import Color, OutputFormat, emit
from opa_contracts.exitcodes import EXIT_BUG, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE

app = typer.Typer(
    name="opa-contracts",
    help="Guard the OPA event-contract registry: validate it, diff it, generate from it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


app.add_typer(generate_app, name="generate")


class FailOn(enum.StrEnum):
    error = "error"
    warning = "warning"


class RulesFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"opa-contracts {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Guard the OPA event-contract registry."""


def _fail(message: str, code: int) -> None:
    typer.echo(f"opa-contracts: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def validate(
    path: Annotated[
        Path, typer.Argument(help="Registry folder, channel folder or manifest file.")
    ] = Path("contracts"),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.text,
    fail_on: Annotated[
        FailOn, typer.Option(help="Lowest severity that makes the exit code 1.")
    ] = FailOn.error,
    color: Annotated[Color, typer.Option(help="Colour text output.")] = Color.auto,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history/--no-history",
            help="Also check each version against its predecessors (as `diff` does).",
        ),
    ] = False,
) -> None:
    """Check every manifest, schema and example of a registry; report all problems."""
    from opa_contracts.errors import InputError
    from opa_contracts.findings import Severity
    from opa_contracts.validate.runner import validate as run

    try:
        report = run(path, history=history)
    except InputError as exc:
        _fail(str(exc), EXIT_INPUT)
        return
    emit(report, output_format.value, color, output)
    threshold = Severity(fail_on.value)
    raise typer.Exit(EXIT_FINDINGS if report.at_least(threshold) else EXIT_OK)


@app.command()
def diff(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="OLD NEW (two manifests, channel folders or registries), or one registry "
            "(default: contracts) whose versions are checked against their predecessors.",
            show_default=False,
        ),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(help="Compare the registry in the working tree with this git ref."),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(help="Override every channel's compatibility mode for this run."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.text,
    color: Annotated[Color, typer.Option(help="Colour text output.")] = Color.auto,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
    witness_budget: Annotated[
        float, typer.Option(help="Seconds the witness search may spend on one change.", min=0.0)
    ] = 0.25,
    witness_run_budget: Annotated[
        float | None,
        typer.Option(
            help="Seconds all witness searches of the run may spend together "
            "(default: 16 × --witness-budget); changes left unsearched count as breaking.",
            min=0.0,
            show_default=False,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(help="Date used for acceptance expiry (YYYY-MM-DD); default: today."),
    ] = None,
    fail_on_empty: Annotated[
        bool | None,
        typer.Option(
            "--fail-on-empty/--no-fail-on-empty",
            help="Exit 1 when there is nothing to compare (no manifest on either side); "
            "default: on with --against.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Say which changes break which readers, under each channel's compatibility mode."""
    import datetime as dt

    from opa_contracts.compat.model import Mode
    from opa_contracts.diffing.runner import diff_against, diff_history, diff_paths
    from opa_contracts.diffing.values import Options
    from opa_contracts.errors import OpaContractsError, UsageError
    from opa_contracts.findings import Severity

    paths = paths or []
    if len(paths) > 2 or (against is not None and len(paths) > 1):
        _fail("give OLD NEW, or one registry (with or without --against)", EXIT_USAGE)
    modes = [m.value for m in Mode]
    if mode is not None and mode.upper() not in modes:
        _fail(f"unknown mode {mode!r}; use one of {', '.join(modes)}", EXIT_USAGE)
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        _fail(f"--today {today!r} is not a YYYY-MM-DD date", EXIT_USAGE)
        return
    options = Options(
        mode=mode.upper() if mode else None,
        today=day,
        witness_budget_s=witness_budget,
        witness_run_budget_s=witness_run_budget,
    )
    try:
        if against is not None:  # an empty --against is a usage error, never "no ref"
            report = diff_against(paths[0] if paths else Path("contracts"), against, options)
        elif len(paths) == 2:
            report = diff_paths(paths[0], paths[1], options)
        else:
            report = diff_history(paths[0] if paths else Path("contracts"), options)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
        return
    except OpaContractsError as exc:  # InputError and any other unreadable input
        _fail(str(exc), EXIT_INPUT)
        return
    emit(report, output_format.value, color, output)
    empty = any(f.rule == "diff-nothing-to-compare" for f in report.findings)
    if fail_on_empty is None:
        fail_on_empty = against is not None
    failed = report.at_least(Severity.ERROR) or (empty and fail_on_empty)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


class SchemaName(enum.StrEnum):
    manifest = "manifest"
    registry = "registry"
    accepted_changes = "accepted-changes"


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="Which file format.")] = SchemaName.manifest,
) -> None:
    """Print the JSON Schema of a registry file format (for editors and other tools)."""
    from opa_contracts.formats import SCHEMA_DIR

    sys.stdout.write((SCHEMA_DIR / f"{name.value}-v1.schema.json").read_text(encoding="utf-8"))


@app.command()
def rules(
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.text,
) -> None:
    """List every rule: id, category, severity and purpose."""
    from opa_contracts.rules import docs

    render = {"text": docs.as_text, "json": docs.as_json, "markdown": docs.as_markdown}
    sys.stdout.write(render[output_format.value]())


def main() -> None:
    """Console-script entry point."""
    # A short-lived process over acyclic data: reference counting frees everything, and the
    # cyclic collector only re-walks the parsed YAML node trees (3.6x slower on 3,000 manifests).
    gc.disable()
    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
    except Exception as exc:  # a bug: one line, not a traceback (OPA_CONTRACTS_DEBUG=1 shows it)
        if os.environ.get("OPA_CONTRACTS_DEBUG"):
            raise
        where = _origin(exc)
        print(
            f"opa-contracts: internal error: {type(exc).__name__}: {exc}{where} "
            "(a bug: please report it with the input; OPA_CONTRACTS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        sys.exit(EXIT_BUG)


def _origin(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    return f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
