"""Who publishes to a channel, read the same way by every verb.

A manifest names its publisher in exactly one of two ways: ``publisher`` (one participant) or
``publishers`` (a list of them, for a channel several services write). Every consumer (validate,
docs, AsyncAPI) reads the publishers through :func:`publishers_at`/:func:`publishers` here, and
so sees a tuple whichever form the manifest used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: the two keys of the manifest that name publishers: one participant, or a list of them
ONE, SEVERAL = "publisher", "publishers"


def publishers_at(manifest: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """(JSON pointer, participant as written) of each publisher ``manifest`` names, in order.

    ``publisher`` gives one (``/publisher``), ``publishers`` one per item (``/publishers/0``...);
    a manifest that writes both gives both (validate reports it); one with neither gives none."""
    found: list[tuple[str, Any]] = []
    if ONE in manifest:
        found.append((f"/{ONE}", manifest[ONE]))
    several = manifest.get(SEVERAL)
    if isinstance(several, list):
        found += [(f"/{SEVERAL}/{i}", value) for i, value in enumerate(several)]
    return tuple(found)


def publishers(manifest: Mapping[str, Any]) -> tuple[Any, ...]:
    """Each publisher ``manifest`` names, as written (a name, or a mapping with ``name``)."""
    return tuple(value for _pointer, value in publishers_at(manifest))


def name_of(participant: Any) -> str | None:
    """A participant's service name (None when it has none)."""
    name = participant.get("name") if isinstance(participant, Mapping) else participant
    return name if isinstance(name, str) and name else None
