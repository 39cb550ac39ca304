"""Run every validation check over a registry and return a report; never raises for bad content."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from opa_contracts import hints, loader, writing
from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.kafka_key import key_of
from opa_contracts.loader import SourceFile
from opa_contracts.rules import catalog as rc
from opa_contracts.rules.registry import validate_rules_by_id
from opa_contracts.validate import examples, lint, manifest, migration, payload, reads
from opa_contracts.validate.context import Context, Ignore


def validate(
    path: Path, *, history: bool = False, unknown: str = "error", report_to: Path | None = None
) -> Report:
    """Validate the registry, channel folder or manifest at ``path``.

    With ``history``, also check every version against its predecessors under the channel's
    compatibility mode (what ``diff`` does inside one registry), keeping warnings and errors;
    ``unknown`` is how a change neither witnessed nor proven counts ("error" or "warning").
    Raises :class:`opa_contracts.errors.InputError` only when ``path`` cannot be read at all, and
    :class:`~opa_contracts.errors.UsageError` when ``report_to`` (where the caller will write the
    report) is a file the run reads.
    """
    registry = loader.load(path)
    writing.refuse_inputs(report_to, [registry])
    ctx = Context(registry, registry.settings)
    if registry.settings_file is not None:
        _source_error(ctx, registry.settings_file)
        if registry.settings_file.document is not None:
            manifest.check_shape(
                ctx, registry.settings_file, manifest.REGISTRY_SCHEMA, rc.REGISTRY_CONFIG.id
            )
            for pointer, message in registry.settings_problems:
                ctx.emit(rc.REGISTRY_CONFIG.id, message, registry.settings_file, pointer)
    for shown, problem in registry.irregular():
        ctx.emit(rc.REGISTRY_IRREGULAR_FILE.id, f"{shown} {problem}; it is not read", file=shown)
    stray = registry.stray()
    for source in stray:
        ctx.emit(
            rc.REGISTRY_STRAY_FILE.id,
            "file is not in a channel folder; manifests go in <channel>/<version>.yaml",
            source,
        )
    if not registry.manifest_paths:
        ctx.emit(rc.REGISTRY_EMPTY.id, f"no manifests found under {registry.root}")
    _check_manifests(ctx, registry.manifest_paths)
    versions: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for manifest_path in registry.manifest_paths:
        versions[(manifest_path.parent.name, manifest_path.stem)].append(manifest_path)
    for (channel, version), paths in versions.items():
        for extra in paths[1:]:
            ctx.emit(
                rc.MANIFEST_DUPLICATE_VERSION.id,
                f"{channel} {version} is also defined in {loader.display(paths[0])}",
                registry.file(extra),
                channel=channel,
                version=version,
            )
    if history:
        from opa_contracts.diffing.runner import diff_history
        from opa_contracts.diffing.values import Options

        broken = {f.file for f in ctx.findings if f.severity is Severity.ERROR}
        for finding in diff_history(registry, Options(unknown=unknown)).findings:
            # a manifest that is already broken has been reported; its diff would only echo it
            if finding.severity is not Severity.NOTE and finding.file not in broken:
                ctx.findings.append(finding)
    return Report.build(
        "validate",
        ctx.findings,
        files_checked=len(registry.manifest_paths)
        + (registry.settings_file is not None)
        + len(stray),
        manifests_checked=len(registry.manifest_paths),
        suppressed=ctx.suppressed,
        summary={"root": str(registry.root)},
    )


# Manifests are independent, so large registries are checked by one process per CPU; below this
# size the cost of starting the processes outweighs the gain.
PARALLEL_MIN_MANIFESTS = 400


def _check_manifests(ctx: Context, paths: list[Path]) -> None:
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_MIN_MANIFESTS or workers < 2:
        _check_chunk(ctx, paths)
        return
    # imported here: a small registry's cold start does not pay for them
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in mp.get_all_start_methods():
        _check_chunk(ctx, paths)
        return
    # whole channels per worker: some checks look across the versions of a channel
    channels = list(_by_channel(paths).values())
    chunks = [[p for versions in channels[i::workers] for p in versions] for i in range(workers)]
    # fork: the children inherit the loaded settings and registry, nothing is pickled but paths
    global _FORKED
    _FORKED = ctx
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            for findings, suppressed in pool.map(_check_in_child, chunks):
                ctx.findings.extend(findings)
                ctx.suppressed += suppressed
    finally:
        _FORKED = None


_FORKED: Context | None = None


def _check_in_child(paths: list[Path]) -> tuple[list[Finding], int]:
    assert _FORKED is not None
    ctx = _FORKED
    before = len(ctx.findings)
    suppressed = ctx.suppressed
    _check_chunk(ctx, paths)
    return ctx.findings[before:], ctx.suppressed - suppressed


def _check_chunk(ctx: Context, paths: list[Path]) -> None:
    """Parse, check and release one channel at a time, so memory stays flat."""
    for versions in _by_channel(paths).values():
        sources = [ctx.registry.file(p) for p in versions]
        for source in sources:
            ctx.ignores[source.display] = _ignores(source)
            _check_manifest(ctx, source)
        if len({p.stem.split(".")[0] for p in versions}) > 1:
            migration.check_majors(ctx, sources)
        for source in sources:
            if source.document is not None:
                source.document.release()
            _unused_ignores(ctx, source)


def _by_channel(paths: list[Path]) -> dict[Path, list[Path]]:
    channels: dict[Path, list[Path]] = defaultdict(list)
    for path in paths:
        channels[path.parent].append(path)
    return channels


def _check_manifest(ctx: Context, source: SourceFile) -> None:
    if _source_error(ctx, source):
        return
    manifest.check_shape(ctx, source, manifest.MANIFEST_SCHEMA, rc.MANIFEST_SCHEMA.id)
    data = source.data
    if not isinstance(data, dict):
        return
    channel = _text(data.get("channel"))
    version = _text(data.get("version"))
    ctx.subjects[source.display] = (channel, version)
    manifest.check_place(ctx, source, channel, version)
    manifest.check_publishers(ctx, source, channel, version)
    validator = payload.check(ctx, source, channel, version)
    key = key_of(data)
    key_validator = payload.check_key(ctx, source, key) if key.kind == "schema" else None
    if validator is not None:
        examples.check(ctx, source, validator, channel, version, key, key_validator)
        reads.check(ctx, source)
    if not data.get("examples"):
        ctx.emit(
            rc.EXAMPLE_MISSING.id,
            "manifest has no examples",
            source,
            "/examples",
            channel=channel,
            version=version,
        )
    lint.check(ctx, source, channel, version)
    migration.check(ctx, source, channel)


def _source_error(ctx: Context, source: SourceFile) -> bool:
    if source.error is None:
        return False
    error = source.error
    ctx.emit(error.rule, error.message, source, line=error.line, column=error.column)
    return True


def _ignores(source: SourceFile) -> list[Ignore]:
    data = source.data
    entries = (
        data.get("lint", {}).get("ignore")
        if isinstance(data, dict) and isinstance(data.get("lint"), dict)
        else None
    )
    if not isinstance(entries, list):
        return []
    return [
        Ignore(e["rule"], e.get("pointer"), e.get("reason", ""), f"/lint/ignore/{i}")
        for i, e in enumerate(entries)
        if isinstance(e, dict) and isinstance(e.get("rule"), str)
    ]


def _unused_ignores(ctx: Context, source: SourceFile) -> None:
    for ignore in ctx.ignores.get(source.display, ()):
        if not ignore.used and ctx.settings.severities.get(ignore.rule) != "off":
            known = validate_rules_by_id()
            if ignore.rule not in known:
                message = f"lint.ignore names no validation rule {ignore.rule!r}" + (
                    hints.did_you_mean(ignore.rule, known) or " (see `opa-contracts rules`)"
                )
                ctx.emit(rc.LINT_IGNORE_UNUSED.id, message, source, ignore.at + "/rule")
                continue
            ctx.emit(
                rc.LINT_IGNORE_UNUSED.id,
                f"lint.ignore for {ignore.rule!r}"
                + (f" at {ignore.pointer}" if ignore.pointer else "")
                + " matches no finding; remove it",
                source,
                ignore.at,
            )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
