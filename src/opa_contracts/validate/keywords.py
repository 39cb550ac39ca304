"""Keywords a payload schema's validators will ignore: typos, other dialects', other specs'."""

from __future__ import annotations

from typing import Any

from opa_contracts import hints
from opa_contracts.jsonschema_vocab import DRAFT4, KNOWN, MODERN_ONLY, is_extension, is_modern
from opa_contracts.loader import SourceFile
from opa_contracts.pointer import join
from opa_contracts.rules import catalog as rc
from opa_contracts.schemawalk import walk
from opa_contracts.validate.context import Context

# keywords only draft-04..07 define; a 2019-09/2020-12 validator ignores them
_LEGACY_ONLY = frozenset({"definitions", "dependencies", "additionalItems"})
_DRAFT4_ONLY = frozenset({"id"})
# keywords of other specs that authors bring along, and what JSON Schema says instead
_FOREIGN = {
    "nullable": '; it is from OpenAPI: allow null with type: [<type>, "null"]',
    "example": "; it is from OpenAPI: use examples: [...]",
}


def check(ctx: Context, source: SourceFile, schema: Any, dialect: str) -> None:
    """Warn about every keyword the schema's own dialect does not define."""
    modern = is_modern(dialect)
    for pointer, node in walk(schema, "/schema"):
        for key in node:
            if key.startswith("x-"):
                continue
            fix = " (name extensions x-...)"
            if is_extension(key):
                why = "is not a JSON Schema keyword"
                fix = _FOREIGN.get(key) or hints.did_you_mean(key, KNOWN) or fix
            elif not modern and key in MODERN_ONLY:
                why = f"is not a {dialect} keyword (2019-09/2020-12 only)"
            elif modern and key in _LEGACY_ONLY - {"definitions"}:
                why = f"is not a {dialect} keyword (draft-07 and earlier)"
            elif dialect != DRAFT4 and key in _DRAFT4_ONLY:
                why = f"is not a {dialect} keyword (draft-04 spells $id as id)"
            else:
                continue
            ctx.emit(
                rc.SCHEMA_UNKNOWN_KEYWORD.id,
                f"{key!r} {why}: validators ignore it, so it constrains nothing{fix}",
                source,
                join(pointer, key),
                at_key=True,
            )
