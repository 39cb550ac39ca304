"""JSON Schema dialects the tool knows, and validators for them that never touch the network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

DEFAULT = "draft-07"


@dataclass(frozen=True)
class Dialect:
    """One JSON Schema draft: its name, metaschema URI and validator class."""

    name: str
    uri: str
    validator_class: Any
    defs_keyword: str


DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        Dialect(
            "draft-04",
            "http://json-schema.org/draft-04/schema#",
            jsonschema_rs.Draft4Validator,
            "definitions",
        ),
        Dialect(
            "draft-06",
            "http://json-schema.org/draft-06/schema#",
            jsonschema_rs.Draft6Validator,
            "definitions",
        ),
        Dialect(
            "draft-07",
            "http://json-schema.org/draft-07/schema#",
            jsonschema_rs.Draft7Validator,
            "definitions",
        ),
        Dialect(
            "2019-09",
            "https://json-schema.org/draft/2019-09/schema",
            jsonschema_rs.Draft201909Validator,
            "$defs",
        ),
        Dialect(
            "2020-12",
            "https://json-schema.org/draft/2020-12/schema",
            jsonschema_rs.Draft202012Validator,
            "$defs",
        ),
    )
}
_BY_URI = {d.uri.rstrip("#").replace("https://", "http://"): d for d in DIALECTS.values()}


def identify(schema: Any) -> Dialect | str | None:
    """The schema's dialect; the default when it declares none; the raw ``$schema`` if unknown."""
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    if declared is None:
        return DIALECTS[DEFAULT]
    if not isinstance(declared, str):
        return repr(declared)
    return _BY_URI.get(declared.rstrip("#").replace("https://", "http://"), declared)


@cache
def meta_validator(name: str) -> jsonschema_rs.Validator:
    """A validator of schemas written in dialect ``name`` (its metaschema is built in)."""
    dialect = DIALECTS[name]
    validator: jsonschema_rs.Validator = dialect.validator_class({"$ref": dialect.uri})
    return validator


def refuse(uri: str) -> Any:
    """A retriever that fetches nothing: remote references are never followed."""
    raise ValueError(f"remote reference {uri!r} is not fetched (only files inside the registry)")


def compile_schema(
    schema: Any,
    dialect: Dialect,
    *,
    retriever: Callable[[str], Any] = refuse,
    base_uri: str | None = None,
) -> jsonschema_rs.Validator:
    """A validator with format assertion on (date-time is RFC 3339) and no network access."""
    validator: jsonschema_rs.Validator = dialect.validator_class(
        schema, validate_formats=True, retriever=retriever, base_uri=base_uri
    )
    return validator
