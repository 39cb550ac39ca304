"""Checks of a manifest's payload schema: dialect, metaschema, references; then a validator."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema_rs

from opa_contracts import dialects, formats, refs
from opa_contracts.kafka_key import SCHEMA_POINTER, KafkaKey
from opa_contracts.loader import Registry, SourceFile
from opa_contracts.rules import catalog as rc
from opa_contracts.validate import keywords
from opa_contracts.validate.context import Context


def check(
    ctx: Context, source: SourceFile, channel: str, version: str
) -> jsonschema_rs.Validator | None:
    """Report problems with ``/schema``; return a compiled validator when the schema is usable."""
    schema = source.data.get("schema")
    if isinstance(schema, bool):
        return dialects.compile_schema(schema, dialects.DIALECTS[dialects.DEFAULT])
    if not isinstance(schema, dict):
        return None  # the manifest schema has reported it
    dialect = dialects.identify(schema)
    if isinstance(dialect, str):
        ctx.emit(
            rc.SCHEMA_DIALECT_UNKNOWN.id,
            f"unknown $schema {dialect}; use one of: "
            + ", ".join(d.uri for d in dialects.DIALECTS.values()),
            source,
            "/schema/$schema",
        )
        return None
    if dialect is None:  # pragma: no cover - identify() never returns None
        return None
    if "$schema" not in schema:
        ctx.emit(
            rc.SCHEMA_DIALECT_MISSING.id,
            f"payload schema has no $schema; assuming {dialects.DEFAULT}",
            source,
            "/schema",
        )
    return _compile(ctx, source, schema, dialect, "/schema")


def check_key(ctx: Context, source: SourceFile, key: KafkaKey) -> jsonschema_rs.Validator | None:
    """Report problems with a key schema (``/transports/kafka/key/schema``), read in the payload
    schema's dialect unless it names its own; return its compiled validator when usable."""
    schema = key.schema
    payload = source.data.get("schema")
    fallback = dialects.identify(payload) if isinstance(payload, dict) else None
    if not isinstance(fallback, dialects.Dialect):
        fallback = dialects.DIALECTS[dialects.DEFAULT]
    if isinstance(schema, bool):
        return dialects.compile_schema(schema, fallback)
    if not isinstance(schema, dict):
        return None  # the manifest schema has reported it
    dialect = dialects.identify(schema) if "$schema" in schema else fallback
    if not isinstance(dialect, dialects.Dialect):
        ctx.emit(
            rc.SCHEMA_DIALECT_UNKNOWN.id,
            f"unknown $schema {dialect} in the key schema; use one of: "
            + ", ".join(d.uri for d in dialects.DIALECTS.values()),
            source,
            SCHEMA_POINTER + "/$schema",
        )
        return None
    return _compile(ctx, source, schema, dialect, SCHEMA_POINTER)


def _compile(
    ctx: Context, source: SourceFile, schema: dict[str, Any], dialect: dialects.Dialect, at: str
) -> jsonschema_rs.Validator | None:
    """Metaschema, keywords and references of the schema at ``at``; then its validator."""
    usable = True
    for error in dialects.meta_validator(dialect.name).iter_errors(schema):
        usable = False
        for problem in formats.explain(error):
            ctx.emit(
                rc.SCHEMA_INVALID.id,
                f"{problem.message} (per the {dialect.name} metaschema)",
                source,
                at + problem.pointer,
                at_key=problem.key,
            )
    keywords.check(ctx, source, schema, dialect.name, at)
    for pointer, ref_problem in refs.check(ctx.registry, source.path, schema):
        usable = False
        ctx.emit(ref_problem.rule, ref_problem.message, source, at + pointer)
    if not usable:
        return None
    try:
        return dialects.compile_schema(
            schema,
            dialect,
            retriever=_retriever(ctx.registry),
            base_uri=source.path.as_uri(),
        )
    except jsonschema_rs.ValidationError as exc:  # a keyword's value, e.g. a pattern no regex
        for problem in formats.explain(exc):
            ctx.emit(
                rc.SCHEMA_INVALID.id,
                f"schema does not compile: {problem.message}",
                source,
                at + problem.pointer,
            )
    except (ValueError, jsonschema_rs.ReferencingError) as exc:
        message = str(exc).split("\n", 1)[0]
        ctx.emit(rc.SCHEMA_INVALID.id, f"schema does not compile: {message}", source, at)
    return None


def _retriever(registry: Registry) -> Any:
    def retrieve(uri: str) -> Any:
        parts = urlsplit(uri)
        if parts.scheme != "file":
            return dialects.refuse(uri)
        path = Path(os.path.normpath(unquote(parts.path)))
        if not registry.has(path):
            raise ValueError(f"{uri} is not a file of the registry")
        source = registry.file(path)
        if source.error is not None:
            raise ValueError(f"{uri}: {source.error.message}")
        return refs.schema_root(source.data)

    return retrieve
