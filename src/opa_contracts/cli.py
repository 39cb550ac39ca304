"""The ``opa-contracts`` command line: parse options, call the library, report, exit.

Exit codes (``exitcodes.py``): 0 clean; 1 findings at or above ``--fail-on`` (or breaking changes);
2 usage error (an ``--output`` that is one of the run's inputs included); 3 input that could not be
read at all, or output that could not be written; 4 an internal error (a bug: please report it).
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
from opa_contracts.cli_doctor import doctor_app
from opa_contracts.cli_generate import generate_app
from opa_contracts.cli_import import import_app
from opa_contracts.cli_report import (
    Color,
    ColorOption,
    FailOn,
    FormatOption,
    OutputFormat,
    OutputOption,
    choice,
    deliver,
    emit,
    fail,
    listed,
)
from opa_contracts.cli_tap import tap
from opa_contracts.exitcodes import EXIT_BUG, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE
from opa_contracts.rules import catalog as rc

app = typer.Typer(
    name="opa-contracts",
    help="Guard the OPA event-contract registry: validate it, diff it, generate from it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and errors: 80 columns, no boxes, no words cut
)


app.add_typer(generate_app, name="generate")
app.add_typer(import_app, name="import")
app.command(short_help="Check live Redis/Kafka traffic against the registry.")(tap)
app.add_typer(doctor_app, name="doctor")


class Unknown(enum.StrEnum):
    error = "error"
    warning = "warning"


UnknownOption = Annotated[
    Unknown,
    typer.Option(
        metavar="SEVERITY",
        parser=choice(Unknown),
        help="How a schema change that is neither shown broken (a witness) nor proven "
        f"compatible counts: {listed(Unknown)} (error: breaking).",
    ),
]


class RulesFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


# compatibility modes, as manifests spell them (the manifest schema is their one list)
MODES = (
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    """Guard the OPA event-contract registry: validate it, diff it, generate from it."""
    # not an eager callback: `--version true` or `--version validate` must be an error, not a
    # version printed over an argument that was never read
    if ctx.invoked_subcommand is not None:
        if version:
            fail(f"--version takes no command (got {ctx.invoked_subcommand!r})", EXIT_USAGE)
        return
    if version:
        typer.echo(f"opa-contracts {__version__}")
        raise typer.Exit()
    typer.echo(ctx.get_help())
    raise typer.Exit(EXIT_USAGE)


@app.command(short_help="Check a registry's manifests, schemas and examples.")
def validate(
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="Registry folder, channel folder or manifest file."),
    ] = Path("contracts"),
    output_format: FormatOption = OutputFormat.text,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            metavar="SEVERITY",
            parser=choice(FailOn),
            help=f"Lowest severity that makes the exit code 1: {listed(FailOn)}.",
        ),
    ] = FailOn.error,
    color: ColorOption = Color.auto,
    output: OutputOption = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history/--no-history",
            help="Also check each version against its predecessors (as `diff` does).",
        ),
    ] = False,
    unknown: UnknownOption = Unknown.error,
) -> None:
    """Check every manifest, schema and example of a registry; report all problems."""
    from opa_contracts.errors import InputError, UsageError
    from opa_contracts.findings import Severity
    from opa_contracts.validate.runner import validate as run

    try:
        report = run(path, history=history, unknown=unknown.value, report_to=output)
    except UsageError as exc:  # --output is one of the files the run reads
        fail(str(exc), EXIT_USAGE)
    except InputError as exc:
        fail(str(exc), EXIT_INPUT)
    emit(report, output_format.value, color, output)
    threshold = Severity(fail_on.value)
    raise typer.Exit(EXIT_FINDINGS if report.at_least(threshold) else EXIT_OK)


@app.command(short_help="Say which changes break which readers, by compatibility mode.")
def diff(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[OLD NEW | REGISTRY]",
            help="Two manifests, channel folders or registries to compare; or one registry "
            "(default: contracts) whose versions are checked against their predecessors.",
            show_default=False,
        ),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(
            metavar="REF",
            help="Compare the registry in the working tree with this git ref (a branch, tag "
            "or commit).",
        ),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            metavar="MODE",
            parser=choice(MODES, case_sensitive=False),
            help="Override every channel's compatibility mode for this run: "
            f"{listed(MODES)} (any case).",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
    color: ColorOption = Color.auto,
    output: OutputOption = None,
    witness_budget: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Seconds the witness search may spend on one change.",
            min=0.0,
        ),
    ] = 0.25,
    witness_run_budget: Annotated[
        float | None,
        typer.Option(
            metavar="SECONDS",
            help="Seconds all witness searches of the run may spend together "
            "(default: 16 times the budget of one change); changes left unsearched count "
            "as breaking.",
            min=0.0,
            show_default=False,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="The date acceptances expire against, as YYYY-MM-DD (default: today).",
        ),
    ] = None,
    suggest_acceptance: Annotated[
        bool,
        typer.Option(
            "--suggest-acceptance",
            help="After the report, print the entries that accept every breaking change, "
            "to paste into accepted-changes.yaml (text, markdown, json; fill in each reason).",
        ),
    ] = False,
    unknown: UnknownOption = Unknown.error,
    fail_on_empty: Annotated[
        bool | None,
        typer.Option(
            "--fail-on-empty/--no-fail-on-empty",
            help="Exit 1 when there is nothing to compare (no manifest on either side). "
            "Default: on with --against, off without.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Say which changes break which readers, under each channel's compatibility mode."""
    import dataclasses
    import datetime as dt

    from opa_contracts.diffing.runner import diff_against, diff_history, diff_paths
    from opa_contracts.diffing.values import Options
    from opa_contracts.errors import OpaContractsError, UsageError
    from opa_contracts.findings import Severity

    paths = paths or []
    if len(paths) > 2 or (against is not None and len(paths) > 1):
        fail("give OLD NEW, or one registry (with or without --against)", EXIT_USAGE)
    if suggest_acceptance and output_format.value not in ("text", "markdown", "json"):
        fail("--suggest-acceptance works with --format text, markdown or json", EXIT_USAGE)
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        fail(f"--today {today!r} is not a YYYY-MM-DD date", EXIT_USAGE)
    options = Options(
        mode=mode.upper() if mode else None,
        today=day,
        witness_budget_s=witness_budget,
        witness_run_budget_s=witness_run_budget,
        unknown=unknown.value,
    )
    try:
        if against is not None:  # an empty --against is a usage error, never "no ref"
            report = diff_against(
                paths[0] if paths else Path("contracts"), against, options, report_to=output
            )
        elif len(paths) == 2:
            report = diff_paths(paths[0], paths[1], options, report_to=output)
        else:
            report = diff_history(
                paths[0] if paths else Path("contracts"), options, report_to=output
            )
    except UsageError as exc:
        fail(str(exc), EXIT_USAGE)
    except OpaContractsError as exc:  # InputError and any other unreadable input
        fail(str(exc), EXIT_INPUT)
    if suggest_acceptance:
        from opa_contracts.diffing import suggest

        summary = {**report.summary, suggest.SUMMARY_KEY: suggest.entries(report)}
        report = dataclasses.replace(report, summary=summary)
    emit(report, output_format.value, color, output)
    empty = any(f.rule == rc.DIFF_NOTHING_TO_COMPARE.id for f in report.findings)
    if fail_on_empty is None:
        fail_on_empty = against is not None
    failed = report.at_least(Severity.ERROR) or (empty and fail_on_empty)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


class SchemaName(enum.StrEnum):
    manifest = "manifest"
    registry = "registry"
    accepted_changes = "accepted-changes"


class ReadersFormat(enum.StrEnum):
    text = "text"
    json = "json"


@app.command(short_help="List who reads a channel, or one field of it.")
def readers(
    channel: Annotated[str, typer.Argument(metavar="CHANNEL", help="The channel name.")],
    field: Annotated[
        str | None,
        typer.Argument(
            metavar="[FIELD]",
            help="A field of the payload: a JSON pointer (/details/memory_mb) or a dotted "
            "path (details.memory_mb).",
            show_default=False,
        ),
    ] = None,
    registry: Annotated[Path, typer.Option(metavar="PATH", help="The registry folder.")] = Path(
        "contracts"
    ),
    version: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="The channel version (default: the latest).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ReadersFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            parser=choice(ReadersFormat),
            help=f"Output format: {listed(ReadersFormat)}.",
        ),
    ] = ReadersFormat.text,
) -> None:
    """List the subscribers that read a channel, or one field of it: those whose declared reads
    overlap the field, and those that declare nothing (they read everything). Exit 0 with the
    list (empty or not), 2 for an unknown channel, version or field, 3 for a registry that cannot
    be read."""
    from opa_contracts import readers as readers_mod
    from opa_contracts.errors import OpaContractsError, UsageError

    try:
        found = readers_mod.listing(registry, channel, field, version)
    except UsageError as exc:
        fail(str(exc), EXIT_USAGE)
    except OpaContractsError as exc:
        fail(str(exc), EXIT_INPUT)
    deliver(found.as_json() if output_format is ReadersFormat.json else found.as_text(), None)


@app.command(short_help="Print the JSON Schema of a registry file format.")
def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(
            metavar="NAME",
            parser=choice(SchemaName),
            help=f"Which file format: {listed(SchemaName)}.",
        ),
    ] = SchemaName.manifest,
) -> None:
    """Print the JSON Schema of a registry file format (for editors and other tools)."""
    from opa_contracts.formats import SCHEMA_DIR

    sys.stdout.write((SCHEMA_DIR / f"{name.value}-v1.schema.json").read_text(encoding="utf-8"))


@app.command(short_help="List every rule: id, category, severity and purpose.")
def rules(
    output_format: Annotated[
        RulesFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            parser=choice(RulesFormat),
            help=f"Output format: {listed(RulesFormat)}.",
        ),
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
    except OSError as exc:  # the system refused (each verb names its own; this is the backstop)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"opa-contracts: {where}{exc.strerror or exc}", file=sys.stderr)
        sys.exit(EXIT_INPUT)
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
