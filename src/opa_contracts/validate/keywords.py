"""Keywords a payload schema's validators will ignore: typos, other dialects', other specs'."""

from __future__ import annotations

from typing import Any

from opa_contracts import hints
from opa_contracts.jsonschema_vocab import KNOWN, foreign, is_extension
from opa_contracts.loader import SourceFile
from opa_contracts.pointer import join
from opa_contracts.rules import catalog as rc
from opa_contracts.schemawalk import walk
from opa_contracts.validate.context import Context

# keywords of other specs that authors bring along, and what JSON Schema says instead
_FOREIGN = {
    "nullable": '; it is from OpenAPI: allow null with type: [<type>, "null"]',
    "example": "; it is from OpenAPI: use examples: [...]",
}


def check(ctx: Context, source: SourceFile, schema: Any, dialect: str, at: str = "/schema") -> None:
    """Warn about every keyword the schema's own dialect does not define (``at``: where the
    schema is in the manifest)."""
    for pointer, node in walk(schema, at):
        for key in node:
            if key.startswith("x-"):
                continue
            fix = " (name extensions x-...)"
            if is_extension(key):
                why = "is not a JSON Schema keyword"
                fix = _FOREIGN.get(key) or hints.did_you_mean(key, KNOWN) or fix
            else:
                reason = foreign(key, dialect)
                if reason is None:
                    continue
                why = reason
            ctx.emit(
                rc.SCHEMA_UNKNOWN_KEYWORD.id,
                f"{key!r} {why}: validators ignore it, so it constrains nothing{fix}",
                source,
                join(pointer, key),
                at_key=True,
            )
