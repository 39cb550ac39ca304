"""``generate jsonschema``: each channel version as a standalone JSON Schema file, for any language.

``<channel>/<version>.schema.json`` holds the payload schema with its ``$schema`` (draft-07 written
out when the manifest left it implicit, as the tool assumes), a stable ``$id``
(``<id_base><channel>/<version>.schema.json``) and every cross-file ``$ref`` inlined as a local
definition. ``index.json`` lists them all, with each channel's default version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from opa_contracts.generate import serialize
from opa_contracts.generate.contracts import ContractVersion, GenerateError, Sources
from opa_contracts.generate.targets import Target

DEFAULT_ID_BASE = "https://schemas.opa.example/"
INDEX_VERSION = 1
_SAFE_SEGMENT = re.compile(r"^(?!\.\.?$)[^/\\\x00-\x1f\x7f]{1,200}$")


def id_base(options: Mapping[str, Any]) -> str:
    """``options.id_base``, ending with a slash."""
    base = options.get("id_base", DEFAULT_ID_BASE)
    if not isinstance(base, str) or "://" not in base:
        raise GenerateError([f"options.id_base must be an absolute URI (got {base!r})"])
    return base if base.endswith("/") else base + "/"


def relative_path(contract: ContractVersion) -> str:
    """Where a version's schema file goes, relative to the output folder."""
    return f"{contract.channel}/{contract.version}.schema.json"


def schema_id(contract: ContractVersion, base: str) -> str:
    """The stable ``$id`` of a version's standalone schema."""
    return base + quote(relative_path(contract), safe="/")


def standalone(contract: ContractVersion, base: str) -> Any:
    """The version's payload schema with its ``$schema`` and ``$id`` set (a new object)."""
    schema = contract.schema
    if not isinstance(schema, dict):  # true / false: wrap it so it can carry an $id
        schema = {"allOf": [schema]}
    id_keyword = "id" if contract.dialect.name == "draft-04" else "$id"
    head = {"$schema": contract.dialect.uri, id_keyword: schema_id(contract, base)}
    rest = {k: v for k, v in schema.items() if k not in ("$schema", id_keyword)}
    return {**head, **rest}


def generate(sources: Sources, target: Target) -> Iterator[tuple[str, bytes]]:
    """One schema file per channel version (made channel by channel), and ``index.json``."""
    base = id_base(target.options)
    problems = [
        f"{v.source}: channel {v.channel!r} or version {v.version!r} cannot name a file"
        for channel in sources.channels
        for v in channel.versions
        if not (_SAFE_SEGMENT.match(v.channel) and _SAFE_SEGMENT.match(v.version))
    ]
    if problems:
        raise GenerateError(problems)
    entries = []
    for channel in sources.channels:
        for contract in channel.versions:
            path = relative_path(contract)
            yield path, serialize.to_json(standalone(contract, base))
            entries.append(
                {
                    "channel": contract.channel,
                    "version": contract.version,
                    "status": contract.status,
                    "default": contract is channel.latest,
                    "dialect": contract.dialect.name,
                    "$id": schema_id(contract, base),
                    "path": path,
                }
            )
    index = {"version": INDEX_VERSION, "id_base": base, "schemas": entries}
    yield "index.json", serialize.to_json(index)
