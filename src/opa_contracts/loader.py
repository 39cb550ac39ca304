"""The one registry reader: a registry folder on disk or at a git ref, as a :class:`Registry`.

A registry is a folder (``contracts/``) with optional ``registry.yaml`` settings and one folder per
channel holding one manifest per version. Folders whose names start with ``_`` or ``.`` hold shared
schemas that manifests may ``$ref``; they are not channels.

``validate``, ``validate --history``, both sides of ``diff``, every generator and the docs
changelog read registries only through :func:`load` (a folder) and :func:`at_ref` (a git ref):
the same discovery of channels and versions, the same :class:`~opa_contracts.settings.Settings`
(parsed once), the same size limit, the same encoding and YAML rules, and the same treatment of
files that are not regular files (see :mod:`opa_contracts.trees`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts import settings as settings_mod
from opa_contracts.errors import InputError
from opa_contracts.settings import Settings
from opa_contracts.trees import MANIFEST_SUFFIXES, DiskTree, GitTree, Tree
from opa_contracts.yamlsource import Document, SourceError, decode, parse

SETTINGS_FILE = "registry.yaml"
ACCEPTED_CHANGES_FILE = "accepted-changes.yaml"
KNOWN_ROOT_FILES = frozenset({SETTINGS_FILE, ACCEPTED_CHANGES_FILE})

__all__ = ["ACCEPTED_CHANGES_FILE", "MANIFEST_SUFFIXES", "SETTINGS_FILE", "Registry", "SourceFile"]


@dataclass
class SourceFile:
    """One file of the registry: parsed, or the reason it could not be."""

    path: Path
    display: str
    document: Document | None = None
    error: SourceError | None = None
    raw: bytes | None = None

    @property
    def data(self) -> Any:
        return self.document.data if self.document else None


@dataclass
class Registry:
    """The files of one registry (a folder, or a folder at a git commit), read on demand.

    Files are addressed by path: ``root / rel``. For a registry at a git ref the root is the same
    folder in the working tree, so a finding names the file a person would open.
    """

    root: Path
    tree: Tree
    label: str
    settings: Settings = field(default_factory=Settings)
    settings_file: SourceFile | None = None
    settings_problems: list[tuple[str, str]] = field(default_factory=list)
    #: the manifests a ``validate`` of the given path checks (all of them for a registry folder)
    manifest_paths: list[Path] = field(default_factory=list)
    #: the channel folders a narrower path selected (a channel folder, a manifest); None: all
    scope: frozenset[str] | None = None
    _cache: dict[Path, SourceFile] = field(default_factory=dict)
    _raw: dict[Path, bytes] = field(default_factory=dict)

    # -- files ----------------------------------------------------------------------------------

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def display(self, rel: str) -> str:
        return display(self.root / rel)

    def has(self, path: Path) -> bool:
        """Whether ``path`` is a file of the registry (listed, readable or not)."""
        return path.is_relative_to(self.root) and self.tree.exists(self.rel(path))

    def file(self, path: Path) -> SourceFile:
        """Any file inside the registry, read and parsed once."""
        cached = self._cache.get(path)
        if cached is None:
            cached = self._read(path, self.settings.max_file_bytes)
            self._cache[path] = cached
        return cached

    def raw(self, path: Path) -> bytes | None:
        """The bytes of a file, without parsing it (``None`` when it cannot be read); ``diff``
        parses only the files whose bytes changed."""
        if path in self._cache:
            return self._cache[path].raw
        raw = self._raw.get(path)
        if raw is None:
            read = self.tree.read(self.rel(path), self.settings.max_file_bytes)
            if isinstance(read, SourceError):
                return None
            raw = self._raw[path] = read
        return raw

    def _read(self, path: Path, limit: int) -> SourceFile:
        shown = display(path)
        cached = self._raw.pop(path, None)
        raw = self.tree.read(self.rel(path), limit) if cached is None else cached
        if isinstance(raw, SourceError):
            return SourceFile(path, shown, error=raw)
        text = decode(raw)
        if isinstance(text, SourceError):
            return SourceFile(path, shown, error=text, raw=raw)
        parsed = parse(path, text)
        if isinstance(parsed, SourceError):
            return SourceFile(path, shown, error=parsed, raw=raw)
        return SourceFile(path, shown, document=parsed, raw=raw)

    def release(self, path: Path) -> None:
        """Forget a file read earlier (generators and diff go channel by channel)."""
        self._cache.pop(path, None)
        self._raw.pop(path, None)

    @property
    def manifests(self) -> list[SourceFile]:
        """Every selected manifest, parsed (cached)."""
        return [self.file(p) for p in self.manifest_paths]

    # -- layout ---------------------------------------------------------------------------------

    def manifest_files(self) -> list[Path]:
        """Every manifest of the registry (files in channel folders), by folder then name.
        Entries that are not regular files are not manifests: :meth:`irregular` names them."""
        out = []
        for rel, entry in sorted(self.tree.entries().items()):
            parts = rel.split("/")
            if (
                entry.problem is None
                and len(parts) == 2
                and _is_channel_folder(parts[0])
                and parts[1] not in KNOWN_ROOT_FILES
            ):
                out.append(self.root / rel)
        return out

    def channels(self) -> dict[str, dict[str, Path]]:
        """Every manifest of the registry: channel folder -> version (file stem) -> path."""
        out: dict[str, dict[str, Path]] = {}
        for path in self.manifest_files():
            out.setdefault(path.parent.name, {})[path.stem] = path
        return out

    def stray(self) -> list[SourceFile]:
        """YAML/JSON files at the root that are neither manifests nor known settings files
        (none when a narrower path was selected: they belong to no channel)."""
        if self.scope is not None:
            return []
        return [
            self.file(self.root / rel)
            for rel, entry in self.tree.entries().items()
            if "/" not in rel and rel not in KNOWN_ROOT_FILES and entry.problem is None
        ]

    def read_paths(self) -> list[Path]:
        """Every file a run over this registry may read: each listed file (manifests, shared
        schemas in ``_`` folders, stray files, symlinks by their own path) and the settings files
        it looks for, ``registry.yaml`` and ``accepted-changes.yaml``, even when absent."""
        listed = [self.root / rel for rel in self.tree.entries()]
        return [*listed, *(self.root / name for name in sorted(KNOWN_ROOT_FILES))]

    def irregular(self) -> list[tuple[str, str]]:
        """(display path, problem) of every listed entry that is not read: FIFOs, devices,
        symlinks leaving the registry, submodules."""
        return [
            (self.display(rel), entry.problem)
            for rel, entry in self.tree.entries().items()
            if entry.problem is not None and self._in_scope(rel)
        ]

    def _in_scope(self, rel: str) -> bool:
        """Whether ``rel`` belongs to the selected channels or to what they may share."""
        folder = rel.split("/", 1)[0] if "/" in rel else ""
        return self.scope is None or folder in self.scope or folder.startswith("_")

    def shared_files(self) -> dict[str, bytes | None]:
        """Raw bytes of the files in ``_`` folders (what manifests may ``$ref``), by path."""
        out: dict[str, bytes | None] = {}
        for rel in self.tree.entries():
            if rel.startswith("_") and "/" in rel:
                out[rel] = self.raw(self.root / rel)
        return out


def display(path: Path) -> str:
    """The path relative to the working directory when it is below it, else absolute."""
    cwd = Path.cwd()
    return os.path.relpath(path, cwd) if path.is_relative_to(cwd) else str(path)


def _is_channel_folder(name: str) -> bool:
    return not name.startswith(("_", "."))


def find_root(path: Path) -> tuple[Path, list[Path] | None]:
    """The registry root for ``path`` and, when ``path`` is narrower, the manifests it selects."""
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: no such file or directory")
    path = path.resolve()
    if not path.is_dir():
        return path.parent.parent, [path]
    if (path / SETTINGS_FILE).is_file() or any(_channel_dirs(path)):
        return path, None
    if any(_manifest_paths(path)):
        return path.parent, sorted(_manifest_paths(path))
    return path, None


def load(path: Path) -> Registry:
    """Read the registry at ``path`` (a registry folder, a channel folder or one manifest)."""
    root, selected = find_root(path)
    registry = _registry(root, DiskTree(root), str(path))
    registry.manifest_paths = registry.manifest_files()
    if selected is not None:
        registry.scope = frozenset(p.parent.name for p in selected)
        chosen = set(selected)
        registry.manifest_paths = [p for p in registry.manifest_paths if p in chosen]
    return registry


def at_ref(root: Path, ref: str) -> Registry:
    """The registry folder ``root`` as it is at git ``ref`` (its settings from that commit)."""
    tree = GitTree(root, ref)
    registry = _registry(root.resolve(), tree, tree.label)
    registry.manifest_paths = registry.manifest_files()
    return registry


def _registry(root: Path, tree: Tree, label: str) -> Registry:
    registry = Registry(root=root, tree=tree, label=label)
    if tree.exists(SETTINGS_FILE):
        # registry.yaml itself is always held to the default limit: it sets the limit
        source = registry._read(root / SETTINGS_FILE, settings_mod.DEFAULT_MAX_FILE_BYTES)
        registry._cache[source.path] = source
        registry.settings_file = source
        if source.document is not None:
            registry.settings, registry.settings_problems = settings_mod.from_data(source.data)
    return registry


def _channel_dirs(root: Path) -> list[Path]:
    return [
        d
        for d in root.iterdir()
        if d.is_dir() and _is_channel_folder(d.name) and any(_manifest_paths(d))
    ]


def _manifest_paths(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.iterdir()
        if p.suffix in MANIFEST_SUFFIXES and p.name not in KNOWN_ROOT_FILES
    ]
