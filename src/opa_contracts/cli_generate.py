"""``opa-contracts generate <target>``: build artefacts from the registry, or check they are fresh.

Registered by ``cli.py`` as ``app.add_typer(generate_app, name="generate")``. Only typer is
imported here; the generators (jinja2, datamodel-code-generator, pydantic) load when a command
runs, so ``opa-contracts validate`` does not pay for them.

Exit codes: 0 written, or fresh under ``--check``; 1 stale under ``--check``; 2 a usage problem
(bad target file, an output folder that is not ours); 3 a registry that cannot be generated from.
``opa-contracts generate`` alone runs every target in ``generators/`` (``cli_generate_all``) and
exits with the worst code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

EXIT_OK, EXIT_STALE, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3
MAX_LINES = 40  # differences listed under --check; the count of the rest follows

generate_app = typer.Typer(
    help="Generate from the registry: client package, docs, AsyncAPI, JSON Schema, Kafka plan.",
    add_completion=False,
    pretty_exceptions_enable=False,
)


@generate_app.callback(invoke_without_command=True)
def _group(
    ctx: typer.Context,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if any output folder is stale."),
    ] = False,
    registry: Annotated[Path, typer.Option("--registry", "-r", help="Registry folder.")] = Path(
        "contracts"
    ),
) -> None:
    """Generate artefacts from the registry; --check tells whether they are up to date.

    Without a target, every target file in generators/ runs, in name order.
    """
    if ctx.invoked_subcommand is None:
        from opa_contracts.cli_generate_all import run_all

        raise typer.Exit(run_all(check, registry))


_Out = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output folder (default: the target file's 'out')."),
]
_Check = Annotated[
    bool, typer.Option("--check", help="Write nothing; exit 1 if the output folder is stale.")
]
_Target = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        help="Target file, or a name in generators/ (default: the one named like the command).",
    ),
]
_Registry = Annotated[Path, typer.Option("--registry", "-r", help="Registry folder.")]


def _kind_command(kind: str, summary: str) -> None:
    """Register ``generate KIND`` with the usual options."""

    def command(
        out: _Out = None,
        check: _Check = False,
        target: _Target = None,
        registry: _Registry = Path("contracts"),
    ) -> None:
        raise typer.Exit(_run(kind, out, check, target, registry))

    command.__doc__ = summary
    generate_app.command(kind)(command)


_kind_command(
    "python", "Generate the typed Python client package (models, decode/encode, metadata)."
)
_kind_command(
    "docs", "Generate the docs: Markdown pages and a static HTML site (open html/index.html)."
)
_kind_command("asyncapi", "Generate one AsyncAPI 3.0 document for the whole registry.")
_kind_command("jsonschema", "Generate each channel version as a standalone JSON Schema file.")
_kind_command("kafka", "Generate the Kafka topic plan, topic script and Schema Registry payloads.")


def _run(kind: str, out: Path | None, check: bool, spec: str | None, registry: Path) -> int:
    from opa_contracts.errors import InputError, UsageError
    from opa_contracts.generate.run import find_target, run
    from opa_contracts.loader import display

    try:
        chosen = find_target(kind, spec, Path.cwd())
        result = run(chosen, registry, out, check=check)
    except UsageError as exc:
        _say(f"opa-contracts: {exc}", err=True)
        return EXIT_USAGE
    except InputError as exc:
        _say(f"opa-contracts: {exc}", err=True)
        return EXIT_INPUT
    shown = display(result.out)
    if check and result.stale:
        _say(f"{shown} is stale (target {result.target.name}):", err=True)
        lines = list(result.drift.lines())
        for line in lines[:MAX_LINES]:
            _say(f"  {line}", err=True)
        if len(lines) > MAX_LINES:
            _say(f"  ... and {len(lines) - MAX_LINES} more", err=True)
        _say(f"run `opa-contracts generate {kind}` and commit the result", err=True)
        return EXIT_STALE
    if check:
        _say(f"{shown} is up to date ({result.files} files)")
        return EXIT_OK
    changed = len(result.drift.missing) + len(result.drift.changed) + len(result.drift.extra)
    _say(f"wrote {shown}: {result.files} files, {changed} changed")
    return EXIT_OK


def _say(message: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")


if __name__ == "__main__":  # ``python -m opa_contracts.cli_generate`` works before registration
    generate_app()
