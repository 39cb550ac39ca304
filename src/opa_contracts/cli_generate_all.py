"""``opa-contracts generate [--check]`` with no target: every target in ``generators/``, in order.

On a terminal a rich progress display shows the target being built; otherwise (CI, pipes) one
plain line per target. A summary follows; the exit code is the worst of all targets: 1 stale
under ``--check``, 2 a usage problem, 3 a registry that cannot be generated from.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from opa_contracts.generate import batch
from opa_contracts.loader import display

EXIT_OK, EXIT_STALE, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3
MAX_LINES = 40  # differences listed per stale target; the count of the rest follows
_CODES = {
    batch.WRITTEN: EXIT_OK,
    batch.FRESH: EXIT_OK,
    batch.STALE: EXIT_STALE,
    batch.USAGE_ERROR: EXIT_USAGE,
    batch.INPUT_ERROR: EXIT_INPUT,
}
Step = Callable[[str], None]


def run_all(check: bool, registry: Path) -> int:
    """Run (or check) every target; return the exit code."""
    from opa_contracts.errors import InputError, UsageError

    started = time.perf_counter()
    try:
        targets = batch.targets(Path.cwd())
    except UsageError as exc:
        _say(f"opa-contracts: {exc}", err=True)
        return EXIT_USAGE
    outcomes: list[batch.Outcome] = []
    with _display(len(targets)) as step:
        step("reading the registry")
        try:
            sources = batch.load_sources(registry)
        except InputError as exc:
            _say(f"opa-contracts: {exc}", err=True)
            return EXIT_INPUT
        for target in targets:
            step(f"{target.name} ({target.kind})")
            outcome = batch.run_target(target, sources, check)
            outcomes.append(outcome)
            _report(outcome, check)
    worst = max((_CODES[o.status] for o in outcomes), default=EXIT_OK)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    verb = "checked" if check else "generated"
    seconds = time.perf_counter() - started
    _say(f"{verb} {len(outcomes)} targets in {seconds:.1f} s: {parts}", err=worst != EXIT_OK)
    if worst == EXIT_STALE:
        _say("run `opa-contracts generate` and commit the result", err=True)
    return worst


def _report(outcome: batch.Outcome, check: bool) -> None:
    name, shown = outcome.target.name, display(outcome.target.out)
    if outcome.status in (batch.USAGE_ERROR, batch.INPUT_ERROR):
        _say(f"{name}: error: {outcome.error}", err=True)
    elif outcome.status == batch.STALE:
        _say(f"{name}: {shown} is stale:", err=True)
        lines = list(outcome.drift.lines())
        for line in lines[:MAX_LINES]:
            _say(f"  {line}", err=True)
        if len(lines) > MAX_LINES:
            _say(f"  ... and {len(lines) - MAX_LINES} more", err=True)
    elif check:
        _say(f"{name}: {shown} is up to date ({outcome.files} files)")
    else:
        drift = outcome.drift
        changed = len(drift.missing) + len(drift.changed) + len(drift.extra)
        _say(
            f"{name}: wrote {shown}: {outcome.files} files, {changed} changed "
            f"({outcome.seconds:.1f} s)"
        )


@contextmanager
def _display(total: int) -> Iterator[Step]:
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
        transient=True,
    )
    task = progress.add_task("starting", total=total + 1)  # + reading the registry
    steps = 0

    def step(description: str) -> None:
        nonlocal steps
        progress.update(task, description=description, completed=steps)
        steps += 1

    with progress:
        yield step


def _say(message: str, err: bool = False) -> None:
    # rich's live display redraws below what is written to the terminal: plain writes are fine
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")
    stream.flush()
