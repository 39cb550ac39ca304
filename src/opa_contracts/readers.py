"""``opa-contracts readers CHANNEL [FIELD]``: who reads a channel, or one field of it.

The subscribers of the channel's latest version (or ``version``), read with
:func:`opa_contracts.reads.subscribers`: without a field, each with its declared reads (or
"everything"); with a field, those whose declared reads overlap it (within or above it, ``*``
matching any item) and those that declare nothing (they read everything).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opa_contracts import hints, loader, reads
from opa_contracts.diffing.inline import InlineError, inline
from opa_contracts.errors import InputError, UsageError
from opa_contracts.semver import version_key


@dataclass(frozen=True)
class Listing:
    """Who reads a channel version (or one field of it)."""

    channel: str
    version: str
    field: str | None
    readers: list[dict[str, Any]]

    def as_json(self) -> str:
        data = {
            "channel": self.channel,
            "version": self.version,
            "field": self.field,
            "readers": self.readers,
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def as_text(self) -> str:
        what = f"{self.channel} {self.version}" + (f" {self.field}" if self.field else "")
        if not self.readers:
            return f"{what}: no subscriber reads it\n"
        lines = [f"{what}: read by {len(self.readers)} subscriber(s)"]
        for r in self.readers:
            flags = "".join(f" ({flag})" for flag in ("planned", "external") if r.get(flag))
            if not r["declares_reads"]:
                lines.append(f"  {r['name']}{flags}: everything (declares no reads)")
            else:
                lines.append(f"  {r['name']}{flags}: {', '.join(r['reads'])}")
        return "\n".join(lines) + "\n"


def field_pointer(text: str) -> str:
    """A field as a JSON pointer: ``/details/memory_mb`` as is, ``details.memory_mb`` converted."""
    if text.startswith("/"):
        return text
    if not text or any(not part for part in text.split(".")):
        raise UsageError(f"field {text!r} is neither a JSON pointer (/price) nor a dotted path")
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in text.split("."))


def listing(path: Path, channel: str, field: str | None, version: str | None) -> Listing:
    """Who reads ``channel`` (and ``field``) in the registry at ``path``."""
    registry = loader.load(path)
    channels = registry.channels()
    if channel not in channels:
        raise UsageError(
            f"no channel {channel!r} in {registry.label}"
            + (
                hints.did_you_mean(channel, channels)
                or f" (channels: {', '.join(sorted(channels))})"
            )
        )
    versions = channels[channel]
    chosen = version or max(versions, key=version_key)
    if chosen not in versions:
        known = ", ".join(sorted(versions, key=version_key))
        raise UsageError(f"{channel} has no version {chosen!r} (versions: {known})")
    source = registry.file(versions[chosen])
    if source.error is not None or not isinstance(source.data, dict):
        message = source.error.message if source.error else "not a manifest"
        raise InputError(f"{source.display}: {message}")
    subscribers = reads.subscribers(source.data)
    pointer = field_pointer(field) if field is not None else None
    place = reads.tokens(pointer) if pointer is not None else None
    if place is not None:
        try:
            schema = inline(registry, source.path, source.data.get("schema", True))
        except InlineError as exc:
            raise InputError(f"{source.display}: {exc}") from None
        located = reads.locate(schema, place)
        if located.problem or located.wildcard:
            raise UsageError(f"{channel} {chosen}: {located.problem or located.wildcard}")
    out: list[dict[str, Any]] = []
    for sub in subscribers:
        paths = sub.reading(place) if sub.declares else ()
        if sub.declares and place is not None and not paths:
            continue
        out.append(
            {
                "name": sub.name,
                "declares_reads": sub.declares,
                "reads": list(paths),
                "planned": sub.planned,
                "external": sub.external,
            }
        )
    return Listing(channel, chosen, pointer, out)
