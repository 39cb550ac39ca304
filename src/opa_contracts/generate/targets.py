"""Generation targets: one YAML file per target in ``generators/`` (what to generate, where, how).

A target file names its kind and output folder; every other key belongs to the kind::

    target: python            # the kind: which generator runs
    out: build/opa-events     # relative to the project folder (the parent of generators/)
    package: opa-events       # kind-specific settings...
    options: {version: auto}

A kind declares the keys it understands, so a typo is a usage error rather than a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts.errors import UsageError
from opa_contracts.yamlsource import SourceError, parse, read_text

GENERATORS_DIR = "generators"
COMMON_KEYS = frozenset({"target", "out", "description"})
TARGET_SUFFIXES = (".yaml", ".yml")


class TargetError(UsageError):
    """A target file that cannot be used (exit code 2)."""


@dataclass(frozen=True)
class Target:
    """One generation target: its kind, output folder and kind-specific settings."""

    name: str
    kind: str
    out: Path
    base: Path
    settings: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None

    @property
    def options(self) -> Mapping[str, Any]:
        """The ``options`` mapping (empty when absent)."""
        value = self.settings.get("options")
        return value if isinstance(value, Mapping) else {}

    def path(self, value: str | Path) -> Path:
        """A path from the target file, relative to the project folder."""
        return (self.base / value).resolve()


def load(path: Path, allowed: Mapping[str, frozenset[str]]) -> Target:
    """Read one target file; ``allowed`` maps each known kind to the keys it accepts."""
    text = read_text(path)
    if isinstance(text, SourceError):
        raise TargetError(f"{path}: {text.message}")
    document = parse(path, text)
    if isinstance(document, SourceError):
        raise TargetError(f"{path}:{document.line}: {document.message}")
    data = document.data
    if not isinstance(data, dict):
        raise TargetError(f"{path}: a target file is a mapping (target: ..., out: ...)")
    kind = data.get("target")
    if not isinstance(kind, str) or kind not in allowed:
        known = ", ".join(sorted(allowed))
        raise TargetError(f"{path}: 'target' must be one of: {known} (got {kind!r})")
    unknown = sorted(set(data) - COMMON_KEYS - allowed[kind])
    if unknown:
        raise TargetError(f"{path}: unknown key(s) for a {kind} target: {', '.join(unknown)}")
    out = data.get("out")
    if not isinstance(out, str) or not out.strip():
        raise TargetError(f"{path}: 'out' must be a folder path")
    options = data.get("options", {})
    if not isinstance(options, dict):
        raise TargetError(f"{path}: 'options' must be a mapping")
    base = path.resolve().parent.parent
    settings = {k: v for k, v in data.items() if k not in COMMON_KEYS}
    return Target(path.stem, kind, (base / out).resolve(), base, settings, path.resolve())


def discover(folder: Path, allowed: Mapping[str, frozenset[str]]) -> list[Target]:
    """Every target file in ``folder`` (``generators/``), sorted by name."""
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.suffix in TARGET_SUFFIXES and p.is_file())
    return [load(p, allowed) for p in files]


def resolve(
    spec: str | None,
    kind: str,
    allowed: Mapping[str, frozenset[str]],
    defaults: Mapping[str, Any],
    cwd: Path,
) -> Target:
    """The target to run for ``generate <kind> [--target SPEC]``.

    ``SPEC`` is a file path or a name in ``generators/``; without it, ``generators/<kind>.yaml``,
    else the only ``generators/*.yaml`` of that kind, else the kind's built-in defaults.
    """
    folder = cwd / GENERATORS_DIR
    if spec is not None:
        path = Path(spec)
        if path.suffix not in TARGET_SUFFIXES and len(path.parts) == 1:
            path = folder / f"{spec}.yaml"
        elif not path.is_absolute():
            path = cwd / path
        if not path.is_file():
            raise TargetError(f"{path}: no such target file")
        target = load(path, allowed)
    elif (folder / f"{kind}.yaml").is_file():
        target = load(folder / f"{kind}.yaml", allowed)
    else:
        matching = [t for t in discover(folder, allowed) if t.kind == kind]
        if len(matching) > 1:
            names = ", ".join(t.name for t in matching)
            raise TargetError(f"several {kind} targets in {folder} ({names}); choose one: --target")
        if matching:
            return matching[0]
        settings = {k: v for k, v in defaults.items() if k not in COMMON_KEYS}
        return Target(kind, kind, (cwd / defaults["out"]).resolve(), cwd.resolve(), settings)
    if target.kind != kind:
        raise TargetError(f"{target.source}: is a {target.kind} target, not {kind}")
    return target
