"""The three forms of ``diff``: two paths, the working tree against a git ref, and the history
inside one registry. Each reads registries with the one reader (:mod:`opa_contracts.loader`) and
returns a :class:`~opa_contracts.findings.Report`."""

from __future__ import annotations

from pathlib import Path

from opa_contracts import loader, writing
from opa_contracts.diffing.session import DiffSession
from opa_contracts.diffing.values import Options, Side
from opa_contracts.errors import InputError, UsageError
from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.loader import Registry
from opa_contracts.rules import catalog as rc


def diff_history(
    registry: Registry | Path, options: Options, *, report_to: Path | None = None
) -> Report:
    """Every version of every selected channel against its predecessor(s), as the mode asks.

    Each form raises :class:`~opa_contracts.errors.UsageError` when ``report_to`` (where the
    caller will write the report) is a file the run reads."""
    new = registry if isinstance(registry, Registry) else loader.load(registry)
    writing.refuse_inputs(report_to, [new])
    run = DiffSession(None, new, options, _selected_channels(new))
    for channel, versions in run.channels(new).items():
        run.history(channel, versions, only=None)
    return run.report()


def diff_against(
    registry: Path, ref: str, options: Options, *, report_to: Path | None = None
) -> Report:
    """The registry in the working tree against the same folder at a git ref."""
    new = loader.load(registry)
    writing.refuse_inputs(report_to, [new])
    old = loader.at_ref(new.root, ref)
    return DiffSession(old, new, options, _selected_channels(new)).compare_registries()


def diff_paths(
    old_path: Path, new_path: Path, options: Options, *, report_to: Path | None = None
) -> Report:
    """Two manifest files, two channel folders or two registries."""
    for path in (old_path, new_path):
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    if old_path.is_dir() != new_path.is_dir():
        raise UsageError("compare a file with a file, or a folder with a folder")
    old, new = loader.load(old_path), loader.load(new_path)
    writing.refuse_inputs(report_to, [old, new])
    if not old_path.is_dir():
        # each file is read inside its own registry, so its $refs resolve as validate resolves them
        run = DiffSession(old, new, options)  # names either file if it is not a regular one
        if not (old.manifest_paths and new.manifest_paths):
            return run.report()
        old_side = run.side(old, old.manifest_paths[0])
        new_side = run.side(new, new.manifest_paths[0])
        if old_side is not None and new_side is not None:
            if old_side.channel != new_side.channel:
                run.findings.append(_other_channel(old_side.channel, new_side.channel, new_side))
            run.pair(old_side, new_side)
        return run.report()
    old_only, new_only = _selected_channels(old), _selected_channels(new)
    channels = None if old_only is None or new_only is None else old_only | new_only
    return DiffSession(old, new, options, channels).compare_registries()


def _selected_channels(registry: Registry) -> set[str] | None:
    """The channel folders a narrower path (a channel folder, a manifest) selected; None: all."""
    return None if registry.scope is None else set(registry.scope)


def _other_channel(old: str, new: str, side: Side) -> Finding:
    line, column = side.position("/channel")
    return Finding(
        rc.DIFF_OTHER_CHANNEL.id,
        Severity.WARNING,
        f"the two manifests are of different channels ({old} → {new}); they are compared "
        "as if one replaced the other",
        file=side.display,
        line=line,
        column=column,
        pointer="/channel",
        channel=new,
        version=side.version,
    )
