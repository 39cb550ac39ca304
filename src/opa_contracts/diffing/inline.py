"""Replacing ``$ref``s to other registry files by their targets, so the engine sees one document."""

from __future__ import annotations

import copy
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from opa_contracts import pointer as jp
from opa_contracts.diffing.snapshot import Snapshot
from opa_contracts.validate.refs import schema_root

MAX_DEPTH = 32


class InlineError(Exception):
    """A reference to another file that cannot be followed."""


def inline(snapshot: Snapshot, rel: str, schema: Any) -> Any:
    """``schema`` (from file ``rel``) with every cross-file ``$ref`` replaced by its target.

    Local references inside another file's schema are followed too, since after inlining they
    would point into the wrong document.
    """
    return _Inliner(snapshot, rel).run(rel, copy.deepcopy(schema), 0)


class _Inliner:
    def __init__(self, snapshot: Snapshot, origin: str) -> None:
        self.snapshot = snapshot
        self.origin = origin

    def run(self, rel: str, node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [self.run(rel, item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and (rel != self.origin or not ref.startswith("#")):
            return self._follow(rel, node, ref, depth)
        return {key: self.run(rel, value, depth) for key, value in node.items()}

    def _follow(self, rel: str, node: dict[str, Any], ref: str, depth: int) -> Any:
        address, _, fragment = ref.partition("#")
        parts = urlsplit(address)
        if parts.scheme or parts.netloc:
            return {key: self.run(rel, value, depth) for key, value in node.items()}
        if depth >= MAX_DEPTH:
            raise InlineError(f"$ref {ref!r}: references nest deeper than {MAX_DEPTH} levels")
        target_rel = _join(rel, unquote(parts.path)) if address else rel
        if target_rel not in self.snapshot.files:
            raise InlineError(f"$ref {ref!r}: {target_rel} is not in {self.snapshot.label}")
        root = schema_root(self.snapshot.data(target_rel))
        try:
            target = jp.resolve(root, unquote(fragment))
        except LookupError as exc:
            raise InlineError(f"$ref {ref!r}: {exc}") from None
        resolved = self.run(target_rel, copy.deepcopy(target), depth + 1)
        siblings = {k: self.run(rel, v, depth) for k, v in node.items() if k != "$ref"}
        if siblings and isinstance(resolved, dict | bool):
            return {"allOf": [resolved], **siblings}
        return resolved


def _join(rel: str, target: str) -> str:
    parts: list[str] = []
    for part in (PurePosixPath(rel).parent / target).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
