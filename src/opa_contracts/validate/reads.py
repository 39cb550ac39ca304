"""Declared reads (``subscribers[].reads``): each exists in the version's payload schema, a
``*`` stands over an array or a map, and what the schema does not guarantee is said."""

from __future__ import annotations

from opa_contracts import reads
from opa_contracts.loader import SourceFile
from opa_contracts.pointer import resolve
from opa_contracts.rules import catalog as rc
from opa_contracts.schemawalk import walk
from opa_contracts.validate.context import Context


def check(ctx: Context, source: SourceFile) -> None:
    """Check every declared read of one manifest whose payload schema is usable."""
    subscribers = [s for s in reads.subscribers(source.data) if s.reads]
    if not subscribers:
        return
    schema = source.data.get("schema", True)
    if any(_remote(node.get("$ref")) for _, node in walk(schema)):
        # references to other registry files: bundled first (only then: validate stays lean)
        from opa_contracts.diffing.inline import InlineError, inline

        try:
            schema = inline(ctx.registry, source.path, schema)
        except InlineError:
            return  # the schema checks have reported the reference
    for sub in subscribers:
        for read in sub.reads or ():
            at = read.at + "/path" if _is_mapping(source, read.at) else read.at
            location = reads.locate(schema, read.tokens)
            if location.problem:
                ctx.emit(
                    rc.READS_PATH_MISSING.id,
                    f"{sub.name} reads {location.problem}",
                    source,
                    at,
                )
                continue
            if location.wildcard:
                ctx.emit(
                    rc.READS_WILDCARD_NOT_COLLECTION.id,
                    f"{sub.name} reads {location.wildcard}",
                    source,
                    at,
                )
                continue
            if read.present and (location.optional or location.nullable):
                why = (
                    f"{location.optional} is optional (not required)"
                    if location.optional
                    else f"{location.nullable} may be null"
                )
                ctx.emit(
                    rc.READS_NOT_GUARANTEED.id,
                    f"{sub.name} reads {read.path}, which the schema does not guarantee: {why}; "
                    "declare it with present: false if the subscriber copes without it",
                    source,
                    at,
                )
            for problem in reads.requirement_problems(read, location):
                ctx.emit(rc.READS_REQUIREMENT_UNMET.id, f"{sub.name}: {problem}", source, read.at)


def _is_mapping(source: SourceFile, at: str) -> bool:
    try:
        return isinstance(resolve(source.data, at), dict)
    except LookupError:
        return False


def _remote(ref: object) -> bool:
    return isinstance(ref, str) and not ref.startswith("#")
