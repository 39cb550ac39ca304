"""``opa-contracts import <source>``: write a registry from an AsyncAPI document or a folder of
JSON Schema files (docs/import.md).

Registered by ``cli.py`` as ``app.add_typer(import_app, name="import")``. The importers live in
``importing/``; their findings are a :class:`~opa_contracts.findings.Report` written in any
``--format``. Exit codes (``exitcodes.py``): 0 written; 1 written, with findings at or above
``--fail-on`` (facts the registry has no place for are warnings); 2 nothing written because a file
is in the way (no ``--force``) or the output is the source; 3 a source that cannot be imported
(not YAML/JSON, not AsyncAPI 2.6/3.0, a bad mapping, a ``$ref`` leaving the source), or files
that could not be written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opa_contracts.cli_report import (
    Color,
    ColorOption,
    FailOn,
    FormatOption,
    OutputFormat,
    OutputOption,
    choice,
    emit,
    fail,
    listed,
)
from opa_contracts.exitcodes import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from opa_contracts.importing.common import Imported

import_app = typer.Typer(
    help="Write a registry from an AsyncAPI document or a folder of JSON Schema files.",
    short_help="Write a registry from AsyncAPI or JSON Schema files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


_Out = Annotated[
    Path,
    typer.Option(
        "--out",
        metavar="DIR",
        help="The registry folder to write (new or empty, unless --force).",
        show_default=False,
    ),
]
_Force = Annotated[
    bool,
    typer.Option("--force", help="Replace files that exist in DIR (never the source)."),
]
_FailOn = Annotated[
    FailOn,
    typer.Option(
        metavar="SEVERITY",
        parser=choice(FailOn),
        help=f"Lowest severity that makes the exit code 1: {listed(FailOn)} (facts the "
        "registry has no place for are warnings).",
    ),
]


@import_app.command("asyncapi", short_help="A registry from an AsyncAPI 2.6 or 3.0 document.")
def asyncapi(
    document: Annotated[
        Path,
        typer.Argument(metavar="DOCUMENT", help="The AsyncAPI document (YAML or JSON)."),
    ],
    out: _Out,
    force: _Force = False,
    fail_on: _FailOn = FailOn.error,
    output_format: FormatOption = OutputFormat.text,
    color: ColorOption = Color.auto,
    output: OutputOption = None,
) -> None:
    """Write a registry from an AsyncAPI 2.6 or 3.0 document: one channel per channel, one
    version per message version; what has no place in a manifest is reported."""
    from opa_contracts.importing.asyncapi import import_document

    _finish(
        import_document(document), "asyncapi", out, force, fail_on, output_format, color, output
    )


@import_app.command("jsonschema", short_help="A registry from JSON Schema files and a mapping.")
def jsonschema(
    folder: Annotated[
        Path,
        typer.Argument(metavar="FOLDER", help="The folder of JSON Schema files (.json, .yaml)."),
    ],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping",
            metavar="FILE",
            help="Which schema is which channel version, and its publisher, subscribers and "
            "transports (see docs/import.md).",
            show_default=False,
        ),
    ],
    out: _Out,
    force: _Force = False,
    fail_on: _FailOn = FailOn.error,
    output_format: FormatOption = OutputFormat.text,
    color: ColorOption = Color.auto,
    output: OutputOption = None,
) -> None:
    """Write a registry from a folder of JSON Schema files and a mapping file that says which
    schema is which channel version."""
    from opa_contracts.importing.jsonschema import import_folder

    imported = import_folder(folder, mapping)
    _finish(imported, "jsonschema", out, force, fail_on, output_format, color, output)


def _finish(
    imported: Imported,
    kind: str,
    out: Path,
    force: bool,
    fail_on: FailOn,
    output_format: OutputFormat,
    color: Color,
    output: Path | None,
) -> None:
    from opa_contracts.errors import WriteError
    from opa_contracts.findings import Report, Severity
    from opa_contracts.importing.common import write
    from opa_contracts.loader import display
    from opa_contracts.rules import catalog as rc

    if output is not None and any(
        p.resolve() == output.resolve() for p in [*imported.read, imported.source]
    ):
        fail(f"--output {output} is a file this run reads; write the report elsewhere", EXIT_USAGE)
    code = EXIT_OK
    if any(f.rule == rc.IMPORT_SOURCE_INVALID.id for f in imported.findings) or not imported.files:
        code = EXIT_INPUT
    else:
        header = (
            f"Imported by `opa-contracts import {kind}` from {display(imported.source)}; "
            "edit freely."
        )
        try:
            written = write(imported, out, force, header)
        except WriteError as exc:
            fail(str(exc), EXIT_INPUT)
        if not written:
            code = EXIT_USAGE
    manifests = sum(1 for rel in imported.files if rel.count("/") == 1 and rel[0] != "_")
    report = Report.build(
        "import",
        imported.findings,
        files_checked=len(imported.read),
        manifests_checked=manifests if code == EXIT_OK else 0,
        summary={"source": kind, "out": display(out)},
    )
    emit(report, output_format.value, color, output)
    if code == EXIT_OK and report.at_least(Severity(fail_on.value)):
        code = EXIT_FINDINGS
    raise typer.Exit(code)
