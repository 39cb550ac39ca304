"""Finding and reading the files of a registry.

A registry is a folder (``contracts/``) with optional ``registry.yaml`` settings and one folder per
channel holding one manifest per version. Folders whose names start with ``_`` or ``.`` hold shared
schemas that manifests may ``$ref``; they are not channels.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts.errors import InputError
from opa_contracts.yamlsource import MAX_FILE_BYTES, Document, SourceError, parse, read_text

SETTINGS_FILE = "registry.yaml"
ACCEPTED_CHANGES_FILE = "accepted-changes.yaml"
KNOWN_ROOT_FILES = frozenset({SETTINGS_FILE, ACCEPTED_CHANGES_FILE})
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class SourceFile:
    """One file of the registry: parsed, or the reason it could not be."""

    path: Path
    display: str
    document: Document | None = None
    error: SourceError | None = None

    @property
    def data(self) -> Any:
        return self.document.data if self.document else None


@dataclass
class Registry:
    """The files of one registry, read but not yet checked."""

    root: Path
    settings: SourceFile | None
    manifest_paths: list[Path]
    stray: list[SourceFile] = field(default_factory=list)
    max_file_bytes: int = MAX_FILE_BYTES
    _cache: dict[Path, SourceFile] = field(default_factory=dict)

    @property
    def manifests(self) -> list[SourceFile]:
        """Every selected manifest, parsed (cached)."""
        return [self.file(p) for p in self.manifest_paths]

    def file(self, path: Path) -> SourceFile:
        """Any file inside the registry, read once (used to resolve ``$ref``s between files)."""
        cached = self._cache.get(path)  # manifest paths arrive resolved: skip the syscalls
        if cached is None:
            path = path.resolve()
            cached = self._cache.get(path)
        if cached is None:
            cached = read_source(path, display(path), self.max_file_bytes)
            self._cache[path] = cached
        return cached


def display(path: Path) -> str:
    """The path relative to the working directory when it is below it, else absolute."""
    cwd = Path.cwd()
    return os.path.relpath(path, cwd) if path.is_relative_to(cwd) else str(path)


def read_source(path: Path, shown: str, max_bytes: int = MAX_FILE_BYTES) -> SourceFile:
    """Read and parse one file, never raising for bad content."""
    text = read_text(path, max_bytes)
    if isinstance(text, SourceError):
        return SourceFile(path, shown, error=text)
    parsed = parse(path, text)
    if isinstance(parsed, SourceError):
        return SourceFile(path, shown, error=parsed)
    return SourceFile(path, shown, document=parsed)


def find_root(path: Path) -> tuple[Path, list[Path] | None]:
    """The registry root for ``path`` and, when ``path`` is narrower, the manifests it selects."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    path = path.resolve()
    if path.is_file():
        return path.parent.parent, [path]
    if (path / SETTINGS_FILE).is_file() or any(_channel_dirs(path)):
        return path, None
    if any(_manifest_paths(path)):
        return path.parent, sorted(_manifest_paths(path))
    return path, None


def load(path: Path) -> Registry:
    """Read the registry at ``path`` (a registry folder, a channel folder or one manifest)."""
    root, selected = find_root(path)
    settings_path = root / SETTINGS_FILE
    settings = (
        read_source(settings_path, display(settings_path)) if settings_path.is_file() else None
    )
    max_bytes = _max_bytes(settings)
    registry = Registry(root=root, settings=settings, manifest_paths=[], max_file_bytes=max_bytes)
    if selected is None:
        selected = [p for d in sorted(_channel_dirs(root)) for p in sorted(_manifest_paths(d))]
        registry.stray = [
            read_source(p, display(p), max_bytes)
            for p in sorted(root.iterdir())
            if p.is_file() and p.suffix in MANIFEST_SUFFIXES and p.name not in KNOWN_ROOT_FILES
        ]
    registry.manifest_paths = [p.resolve() for p in selected]
    return registry


def _max_bytes(settings: SourceFile | None) -> int:
    data = settings.data if settings else None
    limits = data.get("limits") if isinstance(data, dict) else None
    value = limits.get("max_file_bytes") if isinstance(limits, dict) else None
    return value if isinstance(value, int) and value >= 1024 else MAX_FILE_BYTES


def _channel_dirs(root: Path) -> list[Path]:
    return [
        d
        for d in root.iterdir()
        if d.is_dir() and not d.name.startswith(("_", ".")) and any(_manifest_paths(d))
    ]


def _manifest_paths(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.iterdir()
        if p.suffix in MANIFEST_SUFFIXES and p.is_file() and p.name not in KNOWN_ROOT_FILES
    ]
