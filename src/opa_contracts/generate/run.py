"""The one generation pipeline: one target or all of them, written or checked, as a Report.

``generate <kind>`` and ``generate`` (every target in ``generators/``) both call :func:`run`. The
registry is read once and shared by the targets; each target runs on its own, so one that fails is
reported and the others still run. What is wrong becomes findings (the rules are declared in
``rules/catalog.py``): each stale file is a ``generate-stale`` finding, a folder generation will
not write is ``generate-output-refused``, a registry or options a target cannot use is
``generate-failed``. :func:`exit_code` turns the report into the exit code shared by every verb.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts import loader, writing
from opa_contracts.errors import InputError, UsageError, WriteError
from opa_contracts.exitcodes import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE
from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.generate import kinds, output
from opa_contracts.generate.contracts import GenerateError, Sources, collect
from opa_contracts.generate.output import Drift, FileTree
from opa_contracts.generate.targets import (
    GENERATORS_DIR,
    TARGET_SUFFIXES,
    Target,
    TargetError,
    discover,
    resolve,
)
from opa_contracts.rules.catalog import (
    GENERATE_FAILED,
    GENERATE_OUTPUT_IO,
    GENERATE_OUTPUT_REFUSED,
    GENERATE_STALE,
)
from opa_contracts.rules.model import Rule

WRITTEN, FRESH, STALE, FAILED, SKIPPED = "written", "fresh", "stale", "failed", "skipped"
DEFAULT_REGISTRY = Path("contracts")
# the exit code each rule stands for; the worst finding decides (exitcodes.py)
_EXIT = {
    GENERATE_STALE.id: EXIT_FINDINGS,
    GENERATE_OUTPUT_REFUSED.id: EXIT_USAGE,
    GENERATE_FAILED.id: EXIT_INPUT,
    GENERATE_OUTPUT_IO.id: EXIT_INPUT,
}
_CHANGE = {
    "missing": "target {name} generates this file, which is not there",
    "changed": "not what target {name} generates",
    "extra": "target {name} does not generate this file (regenerating deletes it)",
}
Step = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    """What one target's run did: its status, output folder, file count and differences."""

    target: Target
    out: Path
    status: str
    files: int = 0
    drift: Drift = field(default_factory=Drift)

    def summary(self) -> dict[str, Any]:
        """Plain data for the report's summary (``targets`` in JSON output)."""
        return {
            "name": self.target.name,
            "kind": self.target.kind,
            "out": loader.display(self.out),
            "status": self.status,
            "files": self.files,
            "missing": len(self.drift.missing),
            "changed": len(self.drift.changed),
            "extra": len(self.drift.extra),
        }


def find_target(kind: str, spec: str | None, cwd: Path) -> Target:
    """The target for ``generate <kind> [--target SPEC]`` run in ``cwd``."""
    known = kinds.KINDS[kind]
    return resolve(spec, kind, kinds.allowed_keys(), known.defaults, cwd)


def all_targets(cwd: Path) -> list[Target]:
    """Every target file in ``cwd/generators``, by name (a broken file is a TargetError)."""
    found = discover(cwd / GENERATORS_DIR, kinds.allowed_keys())
    if not found:
        raise TargetError(f"no target files in {cwd / GENERATORS_DIR}")
    return found


def render(target: Target, sources: Sources) -> Iterator[tuple[str, output.Content]]:
    """Every file of ``target``'s output (the marker file last), as the generator makes them:
    :func:`output.write` and :func:`output.compare` take them one by one."""
    yield from output.pairs(kinds.KINDS[target.kind].generator()(sources, target))
    yield output.MARKER, output.marker_text(target.kind, target.name)


def build(target: Target, registry_path: Path) -> FileTree:
    """Read the registry and render ``target`` in memory, sorted by path (for tests and
    benchmarks: no folder touched)."""
    sources = collect(loader.load(registry_path), _workers([target]))
    return output.materialize(render(target, sources))


def run(
    targets: Sequence[Target],
    registry: Path = DEFAULT_REGISTRY,
    *,
    check: bool = False,
    out: Path | None = None,
    step: Step | None = None,
    report_to: Path | None = None,
) -> Report:
    """Generate each target into its folder (``out`` overrides it for a single target), or under
    ``check`` only compare; every problem is a finding of the returned report.

    Raises :class:`~opa_contracts.errors.UsageError`, before anything is written, when
    ``report_to`` (where the caller will write the report) is a file the run reads: a file of the
    registry or a target file."""
    step = step or (lambda _description: None)
    step("reading the registry")
    try:
        read: loader.Registry | None = loader.load(registry)
    except InputError as exc:
        read, unreadable = None, exc
    writing.refuse_inputs(report_to, [read] if read else [], _target_files(targets))
    try:
        if read is None:
            raise unreadable
        sources = collect(read, _workers(targets))
    except InputError as exc:  # GenerateError included: no target can run
        skipped = [Outcome(t, _folder(t, out), SKIPPED) for t in targets]
        return _report(
            skipped, _failed(exc, loader.display(registry.resolve())), check, registry, 0
        )
    outcomes: list[Outcome] = []
    findings: list[Finding] = []
    for target in targets:
        step(f"{target.name} ({target.kind})")
        outcome, found = _one(target, sources, check, _folder(target, out), registry)
        outcomes.append(outcome)
        findings += found
    manifests = sum(len(channel.versions) for channel in sources.channels)
    # the registry's `rules:`; never over a failed write: a gate must not pass on a full disk
    io = [f for f in findings if f.rule == GENERATE_OUTPUT_IO.id]
    rest = [f for f in findings if f.rule != GENERATE_OUTPUT_IO.id]
    findings = sources.settings.apply(rest)[0] + io
    return _report(outcomes, findings, check, registry, manifests)


def exit_code(report: Report) -> int:
    """The exit code of a generate report: the worst of its findings (0 when there are none)."""
    errors = (f for f in report.findings if f.severity is Severity.ERROR)
    return max((_EXIT.get(f.rule, EXIT_FINDINGS) for f in errors), default=EXIT_OK)


def _one(
    target: Target, sources: Sources, check: bool, folder: Path, registry: Path
) -> tuple[Outcome, list[Finding]]:
    try:
        if folder.is_relative_to(sources.root):
            raise output.OutputError(
                f"{loader.display(folder)} is inside the registry {loader.display(sources.root)}: "
                "generated files there would be read as registry files; choose an --out outside it"
            )
        files = render(target, sources)
        drift = output.compare(files, folder) if check else output.write(files, folder)
    except UsageError as exc:  # output.OutputError: a folder that is not ours, a path leaving it
        refused = _finding(GENERATE_OUTPUT_REFUSED, str(exc), loader.display(folder), target)
        return Outcome(target, folder, FAILED), [refused]
    except InputError as exc:  # GenerateError: the registry or the options cannot be used
        where = loader.display(target.source or registry.resolve())
        return Outcome(target, folder, FAILED), _failed(exc, where, target)
    except (WriteError, OSError) as exc:  # the OS refused: a full disk, a read-only folder...
        if isinstance(exc, OSError):  # scratch files of a generator (a full temporary folder)
            exc = writing.write_error(exc, Path(exc.filename) if exc.filename else folder)
        failed = _finding(GENERATE_OUTPUT_IO, str(exc), loader.display(folder), target)
        return Outcome(target, folder, FAILED), [failed]
    if not check:
        return Outcome(target, folder, WRITTEN, drift.files, drift), []
    status = FRESH if drift.clean else STALE
    fix = _fix_command(target, folder, registry)
    stale = [
        _finding(
            GENERATE_STALE,
            f"{change}: {_CHANGE[change].format(name=target.name)}; run `{fix}` and commit the "
            "result",
            loader.display(folder / path),
            target,
            change=change,
        )
        for change, paths in (
            ("missing", drift.missing),
            ("changed", drift.changed),
            ("extra", drift.extra),
        )
        for path in paths
    ]
    return Outcome(target, folder, status, drift.files, drift), stale


def _failed(exc: InputError, where: str, target: Target | None = None) -> list[Finding]:
    """One ``generate-failed`` finding per problem the error lists, at the file it names."""
    problems = exc.problems if isinstance(exc, GenerateError) else [str(exc)]
    prefix = f"target {target.name} cannot be generated: " if target else "cannot generate: "
    findings = []
    for problem in problems:
        file, line, message = _located(problem)
        findings.append(
            _finding(GENERATE_FAILED, prefix + message, file or where, target, line=line)
        )
    return findings


def _located(problem: str) -> tuple[str, int, str]:
    """``path[:line]: message`` split when ``path`` is a file (the form collect() writes)."""
    head, _, message = problem.partition(": ")
    path, _, line = head.rpartition(":")
    if not line.isdigit():
        path, line = head, "0"
    # collect() names files as loader.display() shows them: kept as written (a symlink or a
    # FIFO is named by its own path in the registry, never by what it points at)
    if not message or not path or not (Path(path).exists() or Path(path).is_symlink()):
        return "", 0, problem
    return path, int(line), message


def _finding(
    rule: Rule,
    message: str,
    file: str,
    target: Target | None = None,
    line: int = 0,
    **details: str,
) -> Finding:
    if target is not None:
        details = {"target": target.name, "kind": target.kind, **details}
    return Finding(rule.id, rule.severity, message, file=file, line=line, details=details)


def _report(
    outcomes: list[Outcome], findings: list[Finding], check: bool, registry: Path, manifests: int
) -> Report:
    return Report.build(
        "generate",
        findings,
        files_checked=sum(o.files for o in outcomes),
        manifests_checked=manifests,
        summary={
            "check": check,
            "registry": loader.display(registry.resolve()),
            "targets": [o.summary() for o in outcomes],
        },
    )


def _target_files(targets: Sequence[Target]) -> list[Path]:
    """The target files a run reads: the chosen ones, and every one in ``generators/``."""
    folder = Path.cwd() / GENERATORS_DIR
    listed = sorted(p for p in folder.glob("*") if p.suffix in TARGET_SUFFIXES)
    return [*(t.source for t in targets if t.source is not None), *listed]


def _folder(target: Target, out: Path | None) -> Path:
    return (out or target.out).resolve()


def _workers(targets: Sequence[Target]) -> int:
    """Worker processes for reading manifests: the targets' ``options.jobs`` when they agree,
    else 0 (one per CPU); a value that is not a whole number means 1 (its generator says why)."""
    chosen = {_jobs(t) for t in targets}
    return chosen.pop() if len(chosen) == 1 else 0


def _jobs(target: Target) -> int:
    jobs = target.options.get("jobs", 0)
    return jobs if isinstance(jobs, int) and not isinstance(jobs, bool) and jobs >= 0 else 1


def _fix_command(target: Target, folder: Path, registry: Path) -> str:
    """The command that regenerates ``target`` into ``folder`` from ``registry``."""
    words = ["opa-contracts", "generate", target.kind]
    cwd = Path.cwd()
    generators = (cwd / GENERATORS_DIR).resolve()
    source = target.source
    if source is not None and source != generators / f"{target.kind}.yaml":
        words += [
            "--target",
            target.name if source.parent == generators else loader.display(source),
        ]
    if folder != target.out:
        words += ["--out", loader.display(folder)]
    if registry != DEFAULT_REGISTRY:
        words += ["--registry", loader.display(registry.resolve())]
    return shlex.join(words)
