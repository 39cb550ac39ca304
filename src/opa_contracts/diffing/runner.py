"""The three forms of ``diff``: two paths, the working tree against a git ref, and the history
inside one registry. Each returns a :class:`~opa_contracts.findings.Report`."""

from __future__ import annotations

from pathlib import Path

from opa_contracts import loader
from opa_contracts.diffing import git, snapshot
from opa_contracts.diffing.session import DiffSession
from opa_contracts.diffing.snapshot import Snapshot
from opa_contracts.diffing.values import Options
from opa_contracts.errors import InputError, UsageError
from opa_contracts.findings import Report


def diff_history(registry: Path, options: Options) -> Report:
    """Every version of every channel against its predecessor(s), as the mode asks."""
    new = _folder(registry)
    run = DiffSession(None, new, options)
    for channel, versions in new.manifests().items():
        run.history(channel, versions, only=None)
    return run.report()


def diff_against(registry: Path, ref: str, options: Options) -> Report:
    """The registry in the working tree against the same folder at a git ref."""
    new = _folder(registry)
    old = git.snapshot(_root(registry), ref, new.display_base)
    return DiffSession(old, new, options).compare_snapshots()


def diff_paths(old_path: Path, new_path: Path, options: Options) -> Report:
    """Two manifest files, two channel folders or two registries."""
    for path in (old_path, new_path):
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    if old_path.is_file() != new_path.is_file():
        raise UsageError("compare a file with a file, or a folder with a folder")
    if old_path.is_file():
        old_snap = _single(old_path, "old")
        new_snap = _single(new_path, "new")
        run = DiffSession(old_snap, new_snap, options)
        old_side = run.side(old_snap, next(iter(old_snap.files)))
        new_side = run.side(new_snap, next(iter(new_snap.files)))
        if old_side is not None and new_side is not None:
            run.pair(old_side, new_side)
        return run.report()
    return DiffSession(_folder(old_path), _folder(new_path), options).compare_snapshots()


def _root(path: Path) -> Path:
    root, _ = loader.find_root(path)
    return root


def _folder(path: Path) -> Snapshot:
    root, selected = loader.find_root(path)
    display = loader.display(root)
    snap = snapshot.from_folder(root, str(path), display)
    if selected is not None:  # a channel folder: keep its manifests plus shared files
        keep = {p.relative_to(root).as_posix() for p in selected}
        snap.files = {
            rel: raw
            for rel, raw in snap.files.items()
            if rel in keep or "/" not in rel or rel.startswith("_")
        }
    return snap


def _single(path: Path, label: str) -> Snapshot:
    """A snapshot holding one manifest, keyed as ``<declared channel>/<file name>``."""
    raw = path.read_bytes()
    snap = Snapshot(label, {f"{path.parent.name}/{path.name}": raw}, str(path.parent.parent))
    return snap
