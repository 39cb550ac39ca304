"""``opa-contracts generate [<kind>]``: build artefacts from the registry, or check they are fresh.

Registered by ``cli.py`` as ``app.add_typer(generate_app, name="generate")``. Only typer is
imported here; the pipeline and the generators (jinja2, datamodel-code-generator, pydantic) load
when a command runs, so ``opa-contracts validate`` does not pay for them.

``generate <kind>`` runs one target and ``generate`` every target in ``generators/``; both go
through ``generate.run.run``, which returns a :class:`~opa_contracts.findings.Report` written in
any ``--format`` that ``validate`` speaks. Exit codes (``exitcodes.py``): 0 written, or fresh under
``--check``; 1 stale under ``--check``; 2 a usage problem (a bad target file, an output folder
that is not ours, an ``--output`` the run reads); 3 a registry that cannot be generated from, or
output the system would not let us write. The worst target decides.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from opa_contracts.cli_report import (
    Color,
    ColorOption,
    FormatOption,
    OutputFormat,
    OutputOption,
    emit,
)
from opa_contracts.exitcodes import EXIT_USAGE

generate_app = typer.Typer(
    help="Generate from the registry: client package, docs, AsyncAPI, JSON Schema, Kafka plan.",
    short_help="Generate the client package, docs, AsyncAPI, JSON Schema, Kafka plan.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and errors, as the other commands
)

_Check = Annotated[
    bool,
    typer.Option("--check", help="Write nothing; report stale files and exit 1 if there are any."),
]
_Registry = Annotated[
    Path, typer.Option("--registry", "-r", metavar="DIR", help="The registry folder.")
]
_Out = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="DIR",
        help="Output folder (default: the target file's 'out').",
    ),
]
_Target = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        metavar="TARGET",
        help="A target file, or the name of one in generators/ (default: the one named like "
        "the command).",
    ),
]


@generate_app.callback(invoke_without_command=True)
def _group(
    ctx: typer.Context,
    check: _Check = False,
    registry: _Registry = Path("contracts"),
    output_format: FormatOption = OutputFormat.text,
    color: ColorOption = Color.auto,
    output: OutputOption = None,
) -> None:
    """Generate artefacts from the registry; --check tells whether they are up to date.

    Without a kind, every target file in generators/ runs, in name order.
    """
    if ctx.invoked_subcommand is None:
        raise typer.Exit(_run(None, None, None, check, registry, output_format, color, output))
    # `generate --check python` would run python without --check: say so instead
    given = [
        option
        for name, option in _GROUP_OPTIONS.items()
        if (source := ctx.get_parameter_source(name)) is not None and source.name != "DEFAULT"
    ]
    if given:
        kind = ctx.invoked_subcommand
        typer.echo(
            f"opa-contracts: options of `generate {kind}` go after the kind: "
            f"opa-contracts generate {kind} {' '.join(given)} ...",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)


_GROUP_OPTIONS = {
    "check": "--check",
    "registry": "--registry",
    "output_format": "--format",
    "color": "--color",
    "output": "--output",
}


def _kind_command(kind: str, summary: str, short: str) -> None:
    """Register ``generate KIND`` with the usual options."""

    def command(
        out: _Out = None,
        check: _Check = False,
        target: _Target = None,
        registry: _Registry = Path("contracts"),
        output_format: FormatOption = OutputFormat.text,
        color: ColorOption = Color.auto,
        output: OutputOption = None,
    ) -> None:
        raise typer.Exit(_run(kind, target, out, check, registry, output_format, color, output))

    command.__doc__ = summary
    generate_app.command(kind, short_help=short)(command)


_kind_command(
    "python",
    "Generate the typed Python client package (models, decode/encode, metadata).",
    "The typed Python client package.",
)
_kind_command(
    "typescript",
    "Generate the typed TypeScript npm package (types, decode/encode, AOT validators).",
    "The typed TypeScript npm package.",
)
_kind_command(
    "docs",
    "Generate the docs: Markdown pages and a static HTML site (open html/index.html).",
    "Markdown pages and a static HTML site.",
)
_kind_command(
    "asyncapi",
    "Generate one AsyncAPI 3.0 document for the whole registry.",
    "One AsyncAPI 3.0 document for the whole registry.",
)
_kind_command(
    "jsonschema",
    "Generate each channel version as a standalone JSON Schema file.",
    "Each channel version as a standalone JSON Schema file.",
)
_kind_command(
    "kafka",
    "Generate the Kafka topic plan, topic script and Schema Registry payloads.",
    "The Kafka topic plan, topic script and Schema Registry payloads.",
)


def _run(
    kind: str | None,
    spec: str | None,
    out: Path | None,
    check: bool,
    registry: Path,
    output_format: OutputFormat,
    color: Color,
    output: Path | None,
) -> int:
    """One target (``kind``) or all of them: run the pipeline, write the report, the exit code."""
    from opa_contracts.errors import UsageError
    from opa_contracts.generate import run

    cwd = Path.cwd()
    try:
        targets = [run.find_target(kind, spec, cwd)] if kind else run.all_targets(cwd)
    except UsageError as exc:  # a target file that cannot be used: nothing ran
        typer.echo(f"opa-contracts: {exc}", err=True)
        return EXIT_USAGE
    try:
        with _progress(len(targets) + 1) as step:  # + reading the registry
            report = run.run(targets, registry, check=check, out=out, step=step, report_to=output)
    except UsageError as exc:  # --output is a file the run reads: nothing was written
        typer.echo(f"opa-contracts: {exc}", err=True)
        return EXIT_USAGE
    emit(report, output_format.value, color, output)
    return run.exit_code(report)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[str], None]]:
    """A progress display on a terminal (a no-op elsewhere); yields ``step(description)``."""
    if not sys.stdout.isatty():
        yield lambda _description: None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=True,  # gone before the report is written
    )
    task = progress.add_task("starting", total=total)
    steps = 0

    def step(description: str) -> None:
        nonlocal steps
        progress.update(task, description=description, completed=steps)
        steps += 1

    with progress:
        yield step


if __name__ == "__main__":  # ``python -m opa_contracts.cli_generate`` works before registration
    generate_app()
