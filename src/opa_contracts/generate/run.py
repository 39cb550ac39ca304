"""Run one generation target: load the registry, build the tree, then write it or check it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opa_contracts import loader
from opa_contracts.generate import kinds, output
from opa_contracts.generate.contracts import collect
from opa_contracts.generate.output import Drift, FileTree
from opa_contracts.generate.targets import Target, resolve


@dataclass(frozen=True)
class Result:
    """What one run did: the target, its output folder, the tree's size and the differences."""

    target: Target
    out: Path
    files: int
    drift: Drift
    checked: bool

    @property
    def stale(self) -> bool:
        """True when ``--check`` found the folder out of date."""
        return self.checked and not self.drift.clean


def find_target(kind: str, spec: str | None, cwd: Path) -> Target:
    """The target for ``generate <kind> [--target SPEC]`` run in ``cwd``."""
    known = kinds.KINDS[kind]
    return resolve(spec, kind, kinds.allowed_keys(), known.defaults, cwd)


def build(target: Target, registry_path: Path) -> FileTree:
    """Every file of ``target``'s output, in memory (the marker file included)."""
    jobs = target.options.get("jobs", 0)
    workers = jobs if isinstance(jobs, int) and not isinstance(jobs, bool) and jobs >= 0 else 1
    sources = collect(loader.load(registry_path), workers)
    tree = dict(kinds.KINDS[target.kind].generator()(sources, target))
    tree[output.MARKER] = output.marker_text(target.kind, target.name)
    return dict(sorted(tree.items()))


def run(
    target: Target, registry_path: Path, out: Path | None = None, check: bool = False
) -> Result:
    """Generate ``target`` into ``out`` (default: the target's folder), or only compare."""
    folder = (out or target.out).resolve()
    tree = build(target, registry_path)
    drift = output.compare(tree, folder) if check else output.write(tree, folder)
    return Result(target, folder, len(tree), drift, check)
