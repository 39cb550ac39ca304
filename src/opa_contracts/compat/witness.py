"""Witnesses: a message the writer's schema accepts and the reader's rejects, both checked by
jsonschema_rs with formats asserted. Only a confirmed witness is ever reported."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json, escape, unescape
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
class LongString:
    """A string of a witness too long to build: ``length`` times ``char``, at ``pointer``."""

    pointer: str
    char: str
    length: int

    def describe(self) -> str:
        return f"{self.pointer or '/'} is a string of {self.length:,} {self.char!r} characters"


@dataclass(frozen=True)
class WitnessResult:
    """The outcome of one witness search."""

    found: bool
    value: Json = None
    exhausted: bool = False
    tried: int = 0
    # strings of the witness shown abbreviated in ``value`` (their real length is here)
    long_strings: tuple[LongString, ...] = ()


def steps_of(pointer: str, doc: Document) -> list[tuple[Segment, Json]]:
    """The instance location a schema pointer talks about (properties → keys, items → indexes),
    each segment with the schema that holds it: past an ``anyOf``/``oneOf`` branch or an
    ``allOf`` member, that subschema rather than the union (a change inside branch 150 of a
    union is looked for in messages of branch 150)."""
    segs = [unescape(s) for s in pointer.split("/")[1:]] if pointer else []
    out: list[tuple[Segment, Json]] = []
    node: Json = doc.root
    i = 0
    while i < len(segs):
        seg = segs[i]
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        here = doc.view(node) if node is not None else None
        here = here if isinstance(here, Mapping) else {}
        if seg == "properties" and nxt is not None:
            out.append((nxt, node))
            node, i = here.get("properties", {}).get(nxt), i + 2
        elif seg == "patternProperties" and nxt is not None:
            out.append(((regex_samples(nxt, limit=1) or ["x"])[0], node))
            node, i = here.get("patternProperties", {}).get(nxt), i + 2
        elif seg in ("additionalProperties", "unevaluatedProperties"):
            out.append(("extra", node))
            node, i = here.get(seg), i + 1
        elif seg in ("items", "prefixItems") and nxt is not None and nxt.isdigit():
            out.append((int(nxt), node))
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
            out.append((tuple_len if seg != "contains" else 0, node))
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
    """Witness searches for one direction: the writer's candidates are shared between changes.

    String lengths are handled symbolically: when a schema bounds a string length past
    :data:`SMALL_LENGTH` (``minLength: 3000000000``), the search runs on copies of both schemas
    whose length bounds are scaled down, order kept (:class:`LengthScale`), and a witness found
    there is mapped back: its long strings are built when short enough and confirmed by the real
    validators, or else shown abbreviated with their true length.
    """

    def __init__(self, writer: Document, reader: Document) -> None:
        self.scale = LengthScale.of(writer, reader)
        self.real = (writer, reader)
        if self.scale is not None:
            writer, reader = self.scale.apply(writer), self.scale.apply(reader)
        self.writer = writer
        self.reader = reader
        self.samples = Samples(writer, Hints(writer, reader))

    def find(self, change: Change, *, budget_s: float) -> WitnessResult:
        """Search for a message the writer accepts and the reader rejects, near the change."""
        result = self._find(change, budget_s=budget_s)
        if result.found and self.scale is not None:
            result = self.scale.unscale(result)
            if result.found and not result.long_strings:
                # built in full: confirmed by the real validators, like any other witness
                writer, reader = self.real
                if not (
                    _valid(writer.validator, result.value)
                    and not _valid(reader.validator, result.value, default=True)
                ):
                    return WitnessResult(False, tried=result.tried)
        return result

    def _find(self, change: Change, *, budget_s: float) -> WitnessResult:
        deadline = time.monotonic() + budget_s
        self.samples.deadline = deadline
        accept, reject = self.writer.validator, self.reader.validator
        steps = steps_of(change.pointer, self.writer) or steps_of(change.pointer, self.reader)
        seen: set[str] = set()
        tried = 0
        candidates = _candidates(self.samples, steps)
        if vocab.DRAFT4 in (self.writer.dialect, self.reader.dialect):
            candidates = _with_float_twins(candidates)
        try:
            for candidate in candidates:
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


#: String-length bounds up to this are used as they are; longer ones are scaled (see LengthScale).
SMALL_LENGTH = 1024
#: A witness string longer than this is shown abbreviated, not built.
MAX_BUILT_LENGTH = 65_536
_LENGTH_KEYS = ("minLength", "maxLength")
# keywords whose verdict on a long string could depend on its exact length or content (and
# propertyNames, as object keys are not scaled): with any of them in a schema, lengths are not
# scaled, and long length bounds get no witness (the change stays unknown)
_LENGTH_SENSITIVE = (
    "pattern",
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "propertyNames",
)


class LengthScale:
    """An order-keeping map from the string-length bounds of two schemas to small numbers.

    Bounds up to :data:`SMALL_LENGTH` stay; longer ones are renumbered in order, each step at
    most 2 (``3000000000`` → 1025, ``3000000001`` → 1026, ``5000000000`` → 1028), so every
    interval between two bounds that holds a length still holds one. A string of ``'a'``s
    meets each length bound in the scaled schemas exactly when one of the mapped-back length
    meets it in the real ones; no other keyword looks at the length of such a string (schemas
    with ``pattern``, ``format``, ``content*`` or long ``enum``/``const`` strings are not scaled).
    """

    def __init__(self, bounds: list[int]) -> None:
        self.bounds = bounds  # the long bounds, ascending
        self.mapped: list[int] = []
        previous, at = SMALL_LENGTH, SMALL_LENGTH
        for bound in bounds:
            at += min(bound - previous, 2)
            self.mapped.append(at)
            previous = bound

    @classmethod
    def of(cls, *docs: Document) -> LengthScale | None:
        """The scale for ``docs``, or None when none is needed or it would not be sound."""
        long: set[int] = set()
        for doc in docs:
            for node in doc.schema_nodes:
                for key in _LENGTH_KEYS:
                    value = node.get(key)
                    if (
                        isinstance(value, int)
                        and not isinstance(value, bool)
                        and value > SMALL_LENGTH
                    ):
                        long.add(value)
        if not long:
            return None
        for doc in docs:
            for node in doc.schema_nodes:
                if any(k in node for k in _LENGTH_SENSITIVE) or _long_literal(node):
                    return None
        return cls(sorted(long))

    def to_small(self, length: int) -> int:
        if length <= SMALL_LENGTH:
            return length
        return self.mapped[self.bounds.index(length)]

    def to_real(self, length: int) -> int:
        """A real length in the same place, relative to every bound, as scaled ``length``."""
        if length <= SMALL_LENGTH:
            return length
        previous_real, previous_small = SMALL_LENGTH, SMALL_LENGTH
        for real, small in zip(self.bounds, self.mapped, strict=True):
            if length == small:
                return real
            if length < small:
                return previous_real + (length - previous_small)  # strictly between two bounds
            previous_real, previous_small = real, small
        return previous_real + (length - previous_small)

    def apply(self, doc: Document) -> Document:
        """A copy of ``doc`` with its long length bounds scaled down."""
        memo: dict[int, Any] = {}
        root = copy.deepcopy(doc.root, memo)
        for node in doc.schema_nodes:
            twin = memo.get(id(node))
            if not isinstance(twin, dict):
                continue
            for key in _LENGTH_KEYS:
                value = twin.get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    twin[key] = self.to_small(value)
        return Document(root, doc.label)

    def unscale(self, result: WitnessResult) -> WitnessResult:
        """The real-world witness for one found on the scaled schemas."""
        long: list[LongString] = []

        def real(value: Json, where: str) -> Json:
            if isinstance(value, str) and len(value) > SMALL_LENGTH:
                if value != value[0] * len(value):
                    raise _NotUniform
                length = self.to_real(len(value))
                if length <= MAX_BUILT_LENGTH:
                    return value[0] * length
                long.append(LongString(where, value[0], length))
                return f"{value[0] * 16}… ({length:,} × {value[0]!r})"
            if isinstance(value, dict):
                return {k: real(v, f"{where}/{escape(k)}") for k, v in value.items()}
            if isinstance(value, list):
                return [real(v, f"{where}/{i}") for i, v in enumerate(value)]
            return value

        try:
            value = real(result.value, "")
        except _NotUniform:
            return WitnessResult(False, tried=result.tried)
        return WitnessResult(True, value, tried=result.tried, long_strings=tuple(long))


class _NotUniform(Exception):
    """A long witness string that is not one repeated character: it cannot be mapped back."""


def _long_literal(node: Mapping[str, Any]) -> bool:
    values = [node.get("const"), *(node.get("enum") or ())]
    return any(isinstance(v, str) and len(v) > SMALL_LENGTH for v in values) or any(
        not isinstance(v, (str, int, float, bool, type(None))) for v in values
    )


def find_witness(
    change: Change, writer: Document, reader: Document, *, budget_s: float
) -> WitnessResult:
    """Search for a message ``writer`` accepts and ``reader`` rejects, near the change."""
    return WitnessSearch(writer, reader).find(change, budget_s=budget_s)


def _candidates(samples: Samples, steps: list[tuple[Segment, Json]]) -> Iterator[Json]:
    # near the change: values built down its instance location, as the union sees it...
    yield from _at_steps(samples, samples.doc.root, [(seg, None) for seg, _ in steps], 0)
    if steps:
        # Messages of the very branch the change is in (its own container at each level)...
        yield from _at_steps(samples, samples.doc.root, steps, 0)
        # ...and the location reached another way (a branch, a pattern): widen to the root.
        yield from samples.values(samples.doc.root, 0)


def _with_float_twins(candidates: Iterator[Json]) -> Iterator[Json]:
    """Each candidate, then the same with its integers written as floats (``1`` → ``1.0``):
    draft-04's ``integer`` rejects ``1.0`` (jsonschema-rs), the later drafts accept it."""
    for candidate in candidates:
        yield candidate
        twin = _floats(candidate)
        if twin is not None:
            yield twin


def _floats(value: Json) -> Json:
    """``value`` with each integer as a float, or None when it holds no integer to rewrite."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value) if abs(value) < 2**53 else None
    if isinstance(value, list):
        items = [_floats(v) for v in value]
        if all(t is None for t in items):
            return None
        return [v if t is None else t for v, t in zip(value, items, strict=True)]
    if isinstance(value, dict):
        twins = {k: _floats(v) for k, v in value.items()}
        if all(t is None for t in twins.values()):
            return None
        return {k: value[k] if t is None else t for k, t in twins.items()}
    return None


def _at_steps(
    samples: Samples, node: Json, steps: list[tuple[Segment, Json]], depth: int
) -> Iterator[Json]:
    """Values of ``node`` with a value built down ``steps`` at their end: each level's bases and
    child schema from the schema that holds the segment (``None``: from ``node`` itself)."""
    if not steps:
        yield from samples.values(node, depth)
        return
    (seg, holder), rest = steps[0], steps[1:]
    holder = node if holder is None else holder
    kind = dict if isinstance(seg, str) else list
    bases = [v for v in samples.values(holder, depth) if isinstance(v, kind)][:3]
    bases = bases or ([{}] if isinstance(seg, str) else [[]])
    if isinstance(seg, str):
        child = samples.property_schema(holder, seg)
        for value in _at_steps(samples, child, rest, depth + 1):
            for base in bases:
                if isinstance(base, dict):
                    yield {**base, seg: value}
        return
    child = _item_schema(samples.doc, holder, seg)
    filler = samples.first(child, depth + 1)
    for value in _at_steps(samples, child, rest, depth + 1):
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
