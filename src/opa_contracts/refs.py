"""The one cross-file ``$ref`` resolver, and the ``$ref`` checks of ``validate``.

:func:`resolve` is used by ``validate`` (every reference resolves inside the manifest or the
registry, none goes to the network, no chain loops without consuming input), by the
generators' bundling (:mod:`opa_contracts.generate.bundle`) and by ``diff``
(:mod:`opa_contracts.diffing.inline`), on a registry read from disk or from git alike."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from opa_contracts import pointer as jp
from opa_contracts.loader import Registry
from opa_contracts.rules import catalog as rc
from opa_contracts.schemawalk import in_place_children, walk


@dataclass(frozen=True)
class Target:
    """Where a ``$ref`` lands: a file, the schema root in that file, and a pointer below it."""

    path: Path
    root: Any
    pointer: str
    node: Any


@dataclass(frozen=True)
class RefProblem:
    rule: str
    message: str


def schema_root(data: Any) -> Any:
    """A manifest stands for its payload schema when referenced; other files for themselves."""
    if isinstance(data, dict) and "apiVersion" in data and "schema" in data:
        return data["schema"]
    return data


def resolve(registry: Registry, path: Path, root: Any, ref: str) -> Target | RefProblem:
    """Resolve ``ref`` written in the schema ``root`` of file ``path``."""
    address, _, fragment = ref.partition("#")
    if address:
        parts = urlsplit(address)
        if parts.scheme == "file":
            return RefProblem(
                rc.REF_OUTSIDE_REGISTRY.id, f"$ref {ref!r} names an absolute file URI"
            )
        if parts.scheme or parts.netloc:
            return RefProblem(
                rc.REF_REMOTE.id, f"$ref {ref!r} points at the network; it is never fetched"
            )
        target_path = _target(str(path.parent), parts.path)
        if not target_path.is_relative_to(registry.root):
            return RefProblem(
                rc.REF_OUTSIDE_REGISTRY.id,
                f"$ref {ref!r} leaves the registry folder {registry.root}",
            )
        if not registry.has(target_path):
            return RefProblem(
                rc.REF_UNRESOLVABLE.id, f"$ref {ref!r}: file {target_path.name} not found"
            )
        source = registry.file(target_path)
        if source.error is not None:
            return RefProblem(
                rc.REF_UNRESOLVABLE.id,
                f"$ref {ref!r}: target file cannot be read ({source.error.message})",
            )
        path, root = target_path, schema_root(source.data)
    fragment = unquote(fragment)
    if fragment.startswith("/") or fragment == "":
        try:
            return Target(path, root, fragment, jp.resolve(root, fragment))
        except LookupError:
            return RefProblem(rc.REF_UNRESOLVABLE.id, f"$ref {ref!r}: {fragment!r} does not exist")
    for here, node in walk(root):
        if node.get("$anchor") == fragment or node.get("$id") == f"#{fragment}":
            return Target(path, root, here, node)
    return RefProblem(rc.REF_UNRESOLVABLE.id, f"$ref {ref!r}: no $anchor named {fragment!r}")


@lru_cache(maxsize=4096)
def _target(folder: str, address: str) -> Path:
    # lexical (no symlinks followed, nothing read): the registry's tree decides what a path is
    return Path(os.path.normpath(Path(folder) / unquote(address)))


def check(registry: Registry, path: Path, schema: Any) -> list[tuple[str, RefProblem]]:
    """Problems with the ``$ref``s of ``schema`` (in file ``path``), keyed by pointer."""
    problems: list[tuple[str, RefProblem]] = []
    ids: set[str] = set()
    refs: list[tuple[str, str]] = []
    for here, node in walk(schema):
        if isinstance(node.get("$id"), str):
            ids.add(node["$id"])
        if isinstance(node.get("$ref"), str):
            refs.append((here, node["$ref"]))
    for here, ref in refs:
        if ref.partition("#")[0] in ids:
            continue  # embedded resources ($id) are resolved by the validator itself
        found = resolve(registry, path, schema, ref)
        if isinstance(found, RefProblem):
            problems.append((jp.join(here, "$ref"), found))
    if refs and not problems:  # a loop needs a $ref
        loop = _find_loop(registry, path, schema)
        if loop:
            chain = " -> ".join(p or "#" for p in loop)
            problems.append(
                (
                    jp.join(loop[0], "$ref"),
                    RefProblem(rc.REF_CYCLE.id, f"$ref loop never reaches the message: {chain}"),
                )
            )
    return problems


def _find_loop(registry: Registry, path: Path, schema: Any) -> list[str] | None:
    """A cycle of references and in-place applicators (allOf, not, if...), as pointers."""
    state: dict[tuple[Path, str], int] = {}  # 1 = on the current path, 2 = finished

    def edges(where: Path, root: Any, here: str, node: Any) -> list[tuple[Path, Any, str, Any]]:
        out = [(where, root, p, sub) for p, sub in in_place_children(node, here)]
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str):
            found = resolve(registry, where, root, ref)
            if isinstance(found, Target):
                out.append((found.path, found.root, found.pointer, found.node))
        return out

    for start, node in walk(schema):
        if (path, start) in state:
            continue
        stack = [(path, schema, start, node, iter(edges(path, schema, start, node)))]
        trail = [start]
        state[(path, start)] = 1
        while stack:
            where, _root, here, _, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[(where, here)] = 2
                stack.pop()
                trail.pop()
                continue
            key = (nxt[0], nxt[2])
            if state.get(key) == 1:
                return [*trail[trail.index(nxt[2]) :], nxt[2]] if nxt[2] in trail else trail
            if key not in state:
                state[key] = 1
                trail.append(nxt[2])
                stack.append((*nxt, iter(edges(*nxt))))
    return None
