"""The registry of target kinds: each maps to a generator function, imported only when it runs.

A generator is ``(sources, target) -> Files``: it reads the collected registry and the target's
settings and returns every file of its output, as a mapping or as a stream of ``(path, content)``
pairs made channel by channel (see ``output``). Writing, ``--check`` and the marker file
are shared by all kinds (see ``run``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opa_contracts.generate.contracts import Sources
from opa_contracts.generate.output import Files
from opa_contracts.generate.targets import Target

Generator = Callable[[Sources, Target], Files]


@dataclass(frozen=True)
class Kind:
    """One kind of target: where its generator lives, the keys it accepts, its defaults."""

    name: str
    entry: str
    summary: str
    keys: frozenset[str]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def generator(self) -> Generator:
        """The generator function (importing its module now, not at start-up)."""
        module, _, function = self.entry.partition(":")
        found: Generator = getattr(importlib.import_module(module), function)
        return found


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            name="python",
            entry="opa_contracts.generate.python.package:generate",
            summary="a pip-installable client package: typed models, decode/encode, metadata",
            keys=frozenset({"package", "module", "options"}),
            defaults={"out": "build/opa-events", "package": "opa-events", "module": "opa_events"},
        ),
        Kind(
            name="typescript",
            entry="opa_contracts.generate.typescript.package:generate",
            summary="an npm package (ESM, .d.ts): typed messages, decode/encode, AOT validators",
            keys=frozenset({"options"}),
            defaults={"out": "build/opa-events-ts"},
        ),
        Kind(
            name="docs",
            entry="opa_contracts.generate.docs.site:generate",
            summary="Markdown pages and an offline HTML site: channels, fields, changelogs",
            keys=frozenset({"options"}),
            defaults={"out": "build/docs"},
        ),
        Kind(
            name="asyncapi",
            entry="opa_contracts.generate.asyncapi:generate",
            summary="one AsyncAPI 3.0 document: servers, channels, messages, operations, bindings",
            keys=frozenset({"options"}),
            defaults={"out": "build/asyncapi"},
        ),
        Kind(
            name="jsonschema",
            entry="opa_contracts.generate.jsonschema_out:generate",
            summary="each channel version as a standalone JSON Schema file with a stable $id",
            keys=frozenset({"options"}),
            defaults={"out": "build/jsonschema"},
        ),
        Kind(
            name="kafka",
            entry="opa_contracts.generate.kafka_plan:generate",
            summary="the Kafka topic plan, a kafka-topics.sh script, Schema Registry payloads",
            keys=frozenset({"options"}),
            defaults={"out": "build/kafka"},
        ),
    )
}


def allowed_keys() -> dict[str, frozenset[str]]:
    """Kind name -> the target-file keys that kind accepts."""
    return {name: kind.keys for name, kind in KINDS.items()}
