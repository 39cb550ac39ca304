"""The registry of target kinds: each maps to a generator function, imported only when it runs.

A generator is ``(sources, target) -> FileTree``: it reads the collected registry and the target's
settings and returns every file of its output, in memory. Writing, ``--check`` and the marker file
are shared by all kinds (see ``run``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opa_contracts.generate.contracts import Sources
from opa_contracts.generate.output import FileTree
from opa_contracts.generate.targets import Target

Generator = Callable[[Sources, Target], FileTree]


@dataclass(frozen=True)
class Kind:
    """One kind of target: where its generator lives, the keys it accepts, its defaults."""

    name: str
    entry: str
    summary: str
    keys: frozenset[str]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def generator(self) -> Generator:
        """The generator function (importing its module now, not at start-up)."""
        module, _, function = self.entry.partition(":")
        found: Generator = getattr(importlib.import_module(module), function)
        return found


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            name="python",
            entry="opa_contracts.generate.python.package:generate",
            summary="a pip-installable client package: typed models, decode/encode, metadata",
            keys=frozenset({"package", "module", "options"}),
            defaults={"out": "build/opa-events", "package": "opa-events", "module": "opa_events"},
        ),
    )
}


def allowed_keys() -> dict[str, frozenset[str]]:
    """Kind name -> the target-file keys that kind accepts."""
    return {name: kind.keys for name, kind in KINDS.items()}
