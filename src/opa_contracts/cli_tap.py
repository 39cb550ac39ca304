"""``opa-contracts tap URL [URL]``: check live traffic against the registry (docs/tap.md).

Read-only: it subscribes to Redis channels and reads Kafka topics (by explicit assignment, no
consumer group joins, nothing is committed), checks each message against the channel's versions,
and prints a summary when it stops (``--duration``, ``--count``, Ctrl-C or SIGTERM). With
``--parity`` it takes one Redis and one Kafka URL and matches the two copies of each channel.

Exit codes (``exitcodes.py``): 0 every message valid; 1 an invalid message was seen (with
``--fail-on warning``: also a field no version declares, a message only an older version accepts,
or a channel the registry does not declare; with ``--parity``: also a message missing or altered
on one side); 2 a request that makes no sense (a URL of another scheme, ``--parity`` without one
URL of each); 3 a registry the tap cannot use, a server it cannot reach, or a summary it cannot
write.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from opa_contracts.cli_report import FailOn, OutputOption, choice, deliver, fail, listed
from opa_contracts.exitcodes import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE


class TapFormat(enum.StrEnum):
    """The summary's form."""

    text = "text"
    json = "json"
    markdown = "markdown"


def tap(
    urls: Annotated[
        list[str],
        typer.Argument(
            metavar="URL [URL]",
            help="redis://HOST:PORT/DB (or rediss://) and/or kafka://HOST:PORT[,HOST:PORT].",
            show_default=False,
        ),
    ],
    registry: Annotated[
        Path, typer.Option("--registry", metavar="PATH", help="The registry to check against.")
    ] = Path("contracts"),
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel",
            metavar="NAME",
            help="Redis: only this channel (registry name or Redis channel); repeatable.",
            show_default=False,
        ),
    ] = None,
    pattern: Annotated[
        list[str] | None,
        typer.Option(
            "--pattern",
            metavar="GLOB",
            help="Redis: also subscribe to channels matching GLOB (PSUBSCRIBE); repeatable.",
            show_default=False,
        ),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            metavar="NAME",
            help="Kafka: only this topic (registry name or topic); repeatable.",
            show_default=False,
        ),
    ] = None,
    from_beginning: Annotated[
        bool,
        typer.Option(
            "--from-beginning", help="Kafka: read retained records too, not only new ones."
        ),
    ] = False,
    duration: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", min=0.0, help="Stop after this long.", show_default=False),
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, help="Stop after N messages.", show_default=False),
    ] = None,
    output_format: Annotated[
        TapFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            parser=choice(TapFormat),
            help=f"Summary format: {listed(TapFormat)}.",
        ),
    ] = TapFormat.text,
    output: OutputOption = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            metavar="SEVERITY",
            parser=choice(FailOn),
            help=f"Lowest severity that makes the exit code 1: {listed(FailOn)}.",
        ),
    ] = FailOn.error,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT",
            min=0,
            max=65535,
            help="Serve per-channel valid/invalid counters for Prometheus on 127.0.0.1:PORT.",
            show_default=False,
        ),
    ] = None,
    parity: Annotated[
        bool,
        typer.Option("--parity", help="Match each message on Redis with its Kafka copy."),
    ] = False,
    window: Annotated[
        float,
        typer.Option(metavar="SECONDS", min=0.001, help="Parity: how long a copy may be late."),
    ] = 10.0,
    by_value: Annotated[
        bool,
        typer.Option("--by-value", help="Parity: match by decoded value, not by payload bytes."),
    ] = False,
) -> None:
    """Subscribe read-only and check every message against the registry; print a summary."""
    from opa_contracts.tap.session import TapRequest, TapSetupError, start

    request = TapRequest(
        urls=tuple(urls),
        registry=registry,
        channels=tuple(channel or ()),
        patterns=tuple(pattern or ()),
        topics=tuple(topic or ()),
        from_beginning=from_beginning,
        parity=parity,
        window=window,
        by_value=by_value,
        metrics_port=metrics_port,
    )
    try:
        session = start(request)
    except TapSetupError as exc:
        fail(str(exc), EXIT_USAGE if exc.usage else EXIT_INPUT)
    outcome = session.run(duration=duration, count=count, terminal=sys.stderr.isatty())
    deliver(outcome.render(output_format.value), output)
    if outcome.failed is not None:
        fail(outcome.failed, EXIT_INPUT)
    failing = outcome.errors or (fail_on is FailOn.warning and outcome.warnings)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)
