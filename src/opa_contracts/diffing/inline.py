"""Making a payload schema self-contained before the engine compares it.

References to other registry files are resolved by the one resolver,
:func:`opa_contracts.refs.resolve` (through :func:`opa_contracts.generate.bundle.bundle`, as for
the generated artefacts), so any
manifest that validates can be compared: two files, two folders, two registries or a git ref,
whatever they ``$ref``. Each external target is copied once under the schema's ``definitions``
(``$defs``) and every reference to it made local, so a recursive shared type (a tree whose nodes
refer to themselves, across files or not) stays a ``$ref`` cycle that the engine compares by
coinduction, and a chain of references that doubles at each level (a "ref bomb") costs one copy
per target, never one per path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opa_contracts import dialects
from opa_contracts.generate.bundle import BundleError, bundle
from opa_contracts.loader import Registry


class InlineError(Exception):
    """A reference to another file that cannot be followed."""


def inline(registry: Registry, path: Path, schema: Any) -> Any:
    """``schema`` (the payload schema of manifest ``path``) with every cross-file ``$ref`` made
    local. Boolean and unchanged schemas come back as they are (never mutated)."""
    dialect = dialects.identify(schema)
    defs_keyword = (
        dialect.defs_keyword
        if isinstance(dialect, dialects.Dialect)
        else dialects.DIALECTS[dialects.DEFAULT].defs_keyword
    )
    try:
        return bundle(registry, path, schema, defs_keyword)
    except BundleError as exc:
        raise InlineError(str(exc)) from None
