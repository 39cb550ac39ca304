"""Replacing ``$ref``s to other registry files by their targets, so the engine sees one document.

References are resolved by the one resolver, :func:`opa_contracts.refs.resolve`, that ``validate``
and the generators use, so any manifest that validates can be compared: two files, two folders,
two registries or a git ref, whatever they ``$ref``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from opa_contracts import refs
from opa_contracts.loader import Registry
from opa_contracts.rules import catalog as rc
from opa_contracts.schemawalk import walk

MAX_DEPTH = 32


class InlineError(Exception):
    """A reference to another file that cannot be followed."""


def inline(registry: Registry, path: Path, schema: Any) -> Any:
    """``schema`` (the payload schema of manifest ``path``) with every cross-file ``$ref``
    replaced by its target.

    Local references inside another file's schema are followed too, since after inlining they
    would point into the wrong document.
    """
    return _Inliner(registry, path, schema).run(path, schema, copy.deepcopy(schema), 0)


class _Inliner:
    def __init__(self, registry: Registry, origin: Path, schema: Any) -> None:
        self.registry = registry
        self.origin = origin
        self.ids = frozenset(
            node["$id"] for _, node in walk(schema) if isinstance(node.get("$id"), str)
        )

    def run(self, path: Path, root: Any, node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [self.run(path, root, item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and self._follows(path, ref):
            return self._follow(path, root, node, ref, depth)
        return {key: self.run(path, root, value, depth) for key, value in node.items()}

    def _follows(self, path: Path, ref: str) -> bool:
        address = ref.partition("#")[0]
        # a reference local to the compared schema is resolved by the engine itself
        return not (path == self.origin and (not address or address in self.ids))

    def _follow(self, path: Path, root: Any, node: dict[str, Any], ref: str, depth: int) -> Any:
        if depth >= MAX_DEPTH:
            raise InlineError(f"$ref {ref!r}: references nest deeper than {MAX_DEPTH} levels")
        found = refs.resolve(self.registry, path, root, ref)
        if isinstance(found, refs.RefProblem):
            if found.rule == rc.REF_REMOTE.id:  # never fetched; the engine treats it as opaque
                return {key: self.run(path, root, value, depth) for key, value in node.items()}
            raise InlineError(found.message)
        resolved = self.run(found.path, found.root, copy.deepcopy(found.node), depth + 1)
        siblings = {k: self.run(path, root, v, depth) for k, v in node.items() if k != "$ref"}
        if siblings and isinstance(resolved, dict | bool):
            return {"allOf": [resolved], **siblings}
        return resolved
