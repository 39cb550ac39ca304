"""Witnesses: a message the writer's schema accepts and the reader's rejects, both checked by
jsonschema_rs with formats asserted. Only a confirmed witness is ever reported."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json, unescape
from opa_contracts.compat.model import Change
from opa_contracts.compat.regex_sample import regex_samples
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.samples import BudgetExceeded, Hints, Samples

_IN_PLACE_PAIRS = ("allOf", "anyOf", "oneOf", "dependentSchemas", "dependencies")
_IN_PLACE = ("not", "if", "then", "else")
_MAX_CANDIDATES = 20_000

Segment = str | int


@dataclass
class WitnessBudget:
    """Seconds that several witness searches may spend together: the searches of one version
    pair, or every search of one run (``diff``, ``validate --history``, the docs changelog)."""

    seconds: float
    spent: float = 0.0

    def left(self) -> float:
        return self.seconds - self.spent


@dataclass(frozen=True)
class WitnessResult:
    """The outcome of one witness search."""

    found: bool
    value: Json = None
    exhausted: bool = False
    tried: int = 0


def focus_of(pointer: str, doc: Document) -> list[Segment]:
    """The instance location a schema pointer talks about (properties → keys, items → indexes)."""
    segs = [unescape(s) for s in pointer.split("/")[1:]] if pointer else []
    out: list[Segment] = []
    node: Json = doc.root
    i = 0
    while i < len(segs):
        seg = segs[i]
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        here = doc.view(node) if node is not None else None
        here = here if isinstance(here, Mapping) else {}
        if seg == "properties" and nxt is not None:
            out.append(nxt)
            node, i = here.get("properties", {}).get(nxt), i + 2
        elif seg == "patternProperties" and nxt is not None:
            out.append((regex_samples(nxt, limit=1) or ["x"])[0])
            node, i = here.get("patternProperties", {}).get(nxt), i + 2
        elif seg in ("additionalProperties", "unevaluatedProperties"):
            out.append("extra")
            node, i = here.get(seg), i + 1
        elif seg in ("items", "prefixItems") and nxt is not None and nxt.isdigit():
            out.append(int(nxt))
            value = here.get(seg)
            node, i = (
                (value[int(nxt)] if isinstance(value, list) and int(nxt) < len(value) else None),
                i + 2,
            )
        elif seg in ("items", "additionalItems", "unevaluatedItems", "contains"):
            tuple_len = (
                len(here.get("prefixItems", ()))
                if doc.dialect == vocab.DRAFT2020
                else (len(here["items"]) if isinstance(here.get("items"), list) else 0)
            )
            out.append(tuple_len if seg != "contains" else 0)
            node, i = here.get(seg), i + 1
        elif seg in _IN_PLACE_PAIRS and nxt is not None:
            value = here.get(seg)
            if isinstance(value, list) and nxt.isdigit() and int(nxt) < len(value):
                node = value[int(nxt)]
            elif isinstance(value, Mapping):
                node = value.get(nxt)
            else:
                node = None
            i += 2
        elif seg in _IN_PLACE:
            node, i = here.get(seg), i + 1
        else:
            break
    return out


class WitnessSearch:
    """Witness searches for one direction: the writer's candidates are shared between changes."""

    def __init__(self, writer: Document, reader: Document) -> None:
        self.writer = writer
        self.reader = reader
        self.samples = Samples(writer, Hints(writer, reader))

    def find(self, change: Change, *, budget_s: float) -> WitnessResult:
        """Search for a message the writer accepts and the reader rejects, near the change."""
        deadline = time.monotonic() + budget_s
        self.samples.deadline = deadline
        accept, reject = self.writer.validator, self.reader.validator
        focus = focus_of(change.pointer, self.writer) or focus_of(change.pointer, self.reader)
        seen: set[str] = set()
        tried = 0
        try:
            for candidate in _candidates(self.samples, focus):
                key = json.dumps(candidate, sort_keys=True, default=str)
                if key in seen:
                    continue
                seen.add(key)
                tried += 1
                if _valid(accept, candidate) and not _valid(reject, candidate, default=True):
                    return WitnessResult(True, candidate, tried=tried)
                if tried % 16 == 0 and time.monotonic() > deadline:
                    return WitnessResult(False, exhausted=True, tried=tried)
                if tried >= _MAX_CANDIDATES:
                    break
        except BudgetExceeded:
            return WitnessResult(False, exhausted=True, tried=tried)
        except RecursionError:
            return WitnessResult(False, tried=tried)
        return WitnessResult(False, tried=tried)


def find_witness(
    change: Change, writer: Document, reader: Document, *, budget_s: float
) -> WitnessResult:
    """Search for a message ``writer`` accepts and ``reader`` rejects, near the change."""
    return WitnessSearch(writer, reader).find(change, budget_s=budget_s)


def _candidates(samples: Samples, focus: list[Segment]) -> Iterator[Json]:
    yield from _at(samples, samples.doc.root, focus, 0)
    if focus:
        # The location may be reached another way (a branch, a pattern): widen to the root.
        yield from samples.values(samples.doc.root, 0)


def _at(samples: Samples, node: Json, focus: list[Segment], depth: int) -> Iterator[Json]:
    if not focus:
        yield from samples.values(node, depth)
        return
    seg, rest = focus[0], focus[1:]
    bases = [
        v
        for v in samples.values(node, depth)
        if isinstance(v, (dict if isinstance(seg, str) else list))
    ]
    bases = bases[:3] or ([{}] if isinstance(seg, str) else [[]])
    if isinstance(seg, str):
        child = samples.property_schema(node, seg)
        for value in _at(samples, child, rest, depth + 1):
            for base in bases:
                if isinstance(base, dict):
                    yield {**base, seg: value}
        return
    child = _item_schema(samples.doc, node, seg)
    filler = samples.first(child, depth + 1)
    for value in _at(samples, child, rest, depth + 1):
        for base in bases:
            if isinstance(base, list):
                head = list(base[:seg]) + [filler] * max(0, seg - len(base))
                yield [*head, value]


def _item_schema(doc: Document, node: Json, index: int) -> Json:
    node = doc.view(node)
    if not isinstance(node, Mapping):
        return True
    tuple_schemas = node.get("prefixItems")
    rest = node.get("items", True)
    if isinstance(rest, list):
        tuple_schemas, rest = rest, node.get("additionalItems", True)
    if tuple_schemas and index < len(tuple_schemas):
        return tuple_schemas[index]
    return rest


def _valid(validator: Any, value: Json, *, default: bool = False) -> bool:
    try:
        return bool(validator.is_valid(value))
    except Exception:
        return default
