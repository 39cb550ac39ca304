"""Make a payload schema self-contained: ``$ref``s to other registry files become local definitions.

Generated artefacts must not depend on the registry's files (or on where it was checked out), so
each external target is copied under the schema's ``definitions`` (``$defs`` from 2019-09 on) with
a stable name taken from the pointer, and every reference to it is rewritten. References inside a
copied schema are resolved against the file it came from. Local references are left as written.
:func:`bundle_traced` also says where each copied definition came from (the Python generator
shares the classes of ``_schemas/`` files by that origin, see ``generate/python/shared.py``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts import refs
from opa_contracts.loader import Registry
from opa_contracts.pointer import escape, unescape
from opa_contracts.schemawalk import walk

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class BundleError(ValueError):
    """A reference that cannot be bundled (the registry's validator reports the same)."""


@dataclass
class _Bundler:
    registry: Registry
    main: Path
    defs_keyword: str
    defs: dict[str, Any]
    ids: frozenset[str] = frozenset()
    keys: dict[tuple[Path, str], str] = field(default_factory=dict)

    def key_for(self, target: refs.Target) -> str:
        known = self.keys.get((target.path, target.pointer))
        if known is not None:
            return known
        last = unescape(target.pointer.rsplit("/", 1)[-1]) if target.pointer else target.path.stem
        base = _UNSAFE.sub("_", last).strip("_") or "schema"
        key, n = base, 1
        while key in self.defs:
            n += 1
            key = f"{base}_{n}"
        self.keys[(target.path, target.pointer)] = key
        self.defs[key] = {}  # reserve the name before recursing: cycles end here
        imported = copy.deepcopy(target.node)
        self.rewrite(imported, target.path, target.root, local_ok=False)
        self.defs[key] = imported
        return key

    def rewrite(self, schema: Any, path: Path, root: Any, *, local_ok: bool) -> None:
        for _pointer, node in walk(schema):
            ref = node.get("$ref")
            if not isinstance(ref, str) or (local_ok and not ref.partition("#")[0]):
                continue
            if ref.partition("#")[0] in self.ids:
                continue  # an embedded resource ($id): the validator resolves it in place
            found = refs.resolve(self.registry, path, root, ref)
            if isinstance(found, refs.RefProblem):
                raise BundleError(found.message)
            if found.path == self.main:
                node["$ref"] = "#" + found.pointer
            else:
                node["$ref"] = f"#/{self.defs_keyword}/{escape(self.key_for(found))}"


def bundle(registry: Registry, path: Path, schema: Any, defs_keyword: str) -> Any:
    """``schema`` (from manifest ``path``) with every external ``$ref`` made local.

    A schema without external references comes back as is (not copied): callers never mutate it.
    """
    return bundle_traced(registry, path, schema, defs_keyword)[0]


def bundle_traced(
    registry: Registry, path: Path, schema: Any, defs_keyword: str
) -> tuple[Any, dict[str, tuple[Path, str]]]:
    """:func:`bundle`, and the origin of each definition it copied: key -> (file, pointer)."""
    ids = _embedded_ids(schema)
    if not isinstance(schema, dict) or not any(_external(node, ids) for _, node in walk(schema)):
        return schema, {}
    result = copy.deepcopy(schema)
    existing = result.get(defs_keyword)
    defs: dict[str, Any] = dict(existing) if isinstance(existing, dict) else {}
    bundler = _Bundler(registry, path.resolve(), defs_keyword, defs, ids)
    bundler.rewrite(result, bundler.main, schema, local_ok=True)
    if defs or isinstance(existing, dict):
        result[defs_keyword] = defs
    return result, {key: origin for origin, key in bundler.keys.items()}


def _embedded_ids(schema: Any) -> frozenset[str]:
    return frozenset(node["$id"] for _, node in walk(schema) if isinstance(node.get("$id"), str))


def _external(node: dict[str, Any], ids: frozenset[str]) -> bool:
    ref = node.get("$ref")
    address = ref.partition("#")[0] if isinstance(ref, str) else ""
    return bool(address) and address not in ids
