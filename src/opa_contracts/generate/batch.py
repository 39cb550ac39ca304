"""Run every target in ``generators/`` (``opa-contracts generate`` with no target).

The registry is read once and shared by all targets. Each target runs on its own: a target that
fails (a bad output folder, a registry it cannot use) is reported and the others still run. The
caller shows progress: it calls :func:`run_target` once per target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from opa_contracts import loader
from opa_contracts.errors import InputError, UsageError
from opa_contracts.generate import kinds, output
from opa_contracts.generate.contracts import Sources, collect
from opa_contracts.generate.output import Drift
from opa_contracts.generate.targets import GENERATORS_DIR, Target, TargetError, discover

WRITTEN, FRESH, STALE, USAGE_ERROR, INPUT_ERROR = "written", "fresh", "stale", "usage", "input"


@dataclass(frozen=True)
class Outcome:
    """What one target's run did: its status, files, differences, or the error that stopped it."""

    target: Target
    status: str
    files: int = 0
    drift: Drift = field(default_factory=Drift)
    error: str = ""
    seconds: float = 0.0


def targets(cwd: Path) -> list[Target]:
    """Every target file in ``cwd/generators``, by name (a broken file is a TargetError)."""
    found = discover(cwd / GENERATORS_DIR, kinds.allowed_keys())
    if not found:
        raise TargetError(f"no target files in {cwd / GENERATORS_DIR}")
    return found


def load_sources(registry_path: Path) -> Sources:
    """The registry as generators read it (raises InputError when it cannot be used)."""
    return collect(loader.load(registry_path), 0)


def run_target(target: Target, sources: Sources, check: bool) -> Outcome:
    """Generate one target into its folder, or only compare under ``check``."""
    started = time.perf_counter()
    try:
        tree = dict(kinds.KINDS[target.kind].generator()(sources, target))
        tree[output.MARKER] = output.marker_text(target.kind, target.name)
        tree = dict(sorted(tree.items()))
        drift = output.compare(tree, target.out) if check else output.write(tree, target.out)
    except UsageError as exc:
        return Outcome(target, USAGE_ERROR, error=str(exc))
    except InputError as exc:
        return Outcome(target, INPUT_ERROR, error=str(exc))
    status = (STALE if not drift.clean else FRESH) if check else WRITTEN
    return Outcome(target, status, len(tree), drift, seconds=time.perf_counter() - started)
