"""Proofs that a flagged change is compatible: the writer's accepted set is contained in the
reader's, at the change's place, in context.

The structural engine over-approximates: it flags every change that *may* lose messages, and the
witness search (:mod:`.witness`) confirms a break with a message. This module settles the other
way, with rules that are sound by construction (a wrong "compatible" is the worst bug this tool
can have); whatever they cannot show stays unknown. The rules, tried in order:

* **finite writer set** — the writer's whole schema, or the schema at an ancestor of the change,
  accepts finitely many values (``const``, ``enum``, conjunctions with them): each one the writer
  accepts is checked against the reader with jsonschema-rs. All accepted: proven; one rejected: a
  verified witness.
* **implied by context** — every assertion of the reader's schema at the place is implied by what
  the writer's schema already demands of that same instance: the writer's own keywords there and
  their ``allOf`` members, and the constraints that hold unconditionally at that instance location
  (the root's ``properties`` chain and its ``allOf`` members, e.g. for a change under ``then``).
  Implication is decided only for type, enum/const, numeric bounds, multipleOf, length/size
  bounds, required, and equal keywords (pattern, format...).
* **union coverage** — an ``anyOf``/``oneOf`` branch that only gains a ``type`` loses instances of
  the other types, which another branch, unchanged, accepts entirely: the union keeps them
  (``anyOf``) or never accepted them from that branch (``oneOf``: two matches were a failure).
* **region containment** — the writer's schema at the place, with its context, read as a region
  holding every value it accepts (types, numeric intervals, string lengths, through ``anyOf``,
  ``allOf``, ``oneOf``, ``not`` and ``if``: :mod:`.proof_regions`), lies inside the reader's
  read as a region of values it accepts.

Soundness rests on monotonicity: the place must be reached from the root through positive
applicators only (``properties``, ``items``, ``allOf``, ``anyOf``, ``then``...; never ``not``,
``if``, ``oneOf`` above it, ``contains``), with lists paired by index (the other members equal),
and no ``$ref`` may lead into the place or its ancestors from elsewhere. With ``unevaluated*``
in either schema only the whole schemas are compared (what they see depends on other places).
What the provers of one check remember lives in its :class:`ProofCache`, never in the module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json, json_equal, short, unescape
from opa_contracts.compat.model import Change
from opa_contracts.compat.proof_regions import Regions, contains, full, intersect
from opa_contracts.compat.proof_shapes import (
    CATCH_ALL,
    closed_names,
    finite_shape,
    integer_bound,
    items_lower,
    items_upper,
    pattern_lengths,
)
from opa_contracts.compat.regex_subsume import pattern_within
from opa_contracts.compat.resolve import Document

#: a finite writer set larger than this is not enumerated
MAX_FINITE = 256
#: context nodes gathered for one place, at most
_MAX_CONTEXT = 64

# the instance types of JSON Schema, with "number" split so that "integer" is a part of it
_FRACTION = "fraction"  # a number with a non-zero fractional part
_PRIMITIVE = frozenset({"null", "boolean", "object", "array", "string", "integer", _FRACTION})
_TYPE_SETS = {
    "null": frozenset({"null"}),
    "boolean": frozenset({"boolean"}),
    "object": frozenset({"object"}),
    "array": frozenset({"array"}),
    "string": frozenset({"string"}),
    "integer": frozenset({"integer"}),
    "number": frozenset({"integer", _FRACTION}),
}
# keywords that assert only on instances of one type, and pass any other
_APPLIES_TO = vocab.APPLIES_TO
_LOWER = {"minLength": "length", "minItems": "items", "minProperties": "properties"}
_UPPER = {"maxLength": "length", "maxItems": "items", "maxProperties": "properties"}
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")
# steps from a schema to a subschema that keep the instance and are monotone (more accepted
# there, more accepted by the whole)
_POSITIVE_LISTS = ("allOf", "anyOf")
_POSITIVE_SINGLE = ("then", "else")
_IN_PLACE_STEPS = (*_POSITIVE_LISTS, *_POSITIVE_SINGLE, "dependentSchemas", "dependencies")
# steps to a subschema of a part of the instance, monotone too
_CHILD_MAPS = ("properties", "patternProperties")
_CHILD_SINGLE = ("additionalProperties", "additionalItems")
_ANNOTATION_LIKE = vocab.ANNOTATIONS
# assertions in draft-07, annotations from 2019-09 on (jsonschema-rs, and so validate)
_CONTENT = ("contentEncoding", "contentMediaType", "contentSchema")
# keywords whose meaning depends on sibling keywords: equal only with those equal too
_COMPANIONS: dict[str, tuple[str, ...]] = {
    "additionalProperties": ("properties", "patternProperties"),
    "additionalItems": ("items",),
    "items": ("prefixItems",),
    "if": ("then", "else"),
    "then": ("if",),
    "else": ("if",),
    "contains": ("minContains", "maxContains"),
    "minContains": ("contains",),
    "maxContains": ("contains",),
    "contentSchema": ("contentMediaType",),
    # what other keywords evaluated: those of the node and of its in-place subschemas
    "unevaluatedProperties": (
        "properties",
        "patternProperties",
        "additionalProperties",
        *("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "$ref"),
    ),
    "unevaluatedItems": (
        "prefixItems",
        "items",
        "additionalItems",
        "contains",
        *("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "$ref"),
    ),
}
# keywords that make the properties a node evaluates depend on the instance (or lie elsewhere)
_DYNAMIC_EVALUATION = (
    "patternProperties",
    "additionalProperties",
    "unevaluatedProperties",
    *("anyOf", "oneOf", "if", "then", "else", "dependentSchemas", "dependencies", *_REFS),
)
_DRAFT4_COMPANIONS: dict[str, tuple[str, ...]] = {
    "minimum": ("exclusiveMinimum",),
    "maximum": ("exclusiveMaximum",),
    "exclusiveMinimum": ("minimum",),
    "exclusiveMaximum": ("maximum",),
}


# how far the documents let the prover go: any place, the whole schemas only, nowhere
_SAFE, _WHOLE_ONLY, _UNSAFE = "safe", "whole", "unsafe"


@dataclass(frozen=True)
class ProofResult:
    """What the prover settled: a proof sentence, or a verified witness, or nothing."""

    proof: str | None = None
    witness: Json = None
    witness_found: bool = False


_NOTHING = ProofResult()


@dataclass(frozen=True)
class _Step:
    keyword: str
    key: str | None  # the property name or the index, for two-segment steps


@dataclass(frozen=True)
class _Place:
    """The schema node a change is at, the steps to it, and where they stop being usable."""

    steps: tuple[_Step, ...]

    @property
    def pointer(self) -> str:
        out = ""
        for step in self.steps:
            out += f"/{step.keyword}" + (f"/{step.key}" if step.key is not None else "")
        return out or "/"


def _place_of(change: Change) -> _Place:
    """The schema-node path of a change's pointer: its segments up to the first one that is not a
    step into a subschema (``/then/properties/x/type`` → then, properties/x)."""
    segs = [unescape(s) for s in change.pointer.split("/")[1:]] if change.pointer else []
    steps: list[_Step] = []
    i = 0
    while i < len(segs):
        seg = segs[i]
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        if seg in vocab.SCHEMA_LISTS or seg == "items":
            if nxt is not None and nxt.isdigit():
                steps.append(_Step(seg, nxt))
                i += 2
                continue
            if seg == "items":
                steps.append(_Step(seg, None))
                i += 1
                continue
            break
        if seg in (*vocab.SCHEMA_MAPS, "dependencies") and nxt is not None:
            steps.append(_Step(seg, nxt))
            i += 2
            continue
        if seg in vocab.SCHEMA_VALUED:
            steps.append(_Step(seg, None))
            i += 1
            continue
        break
    return _Place(tuple(steps))


def _child(node: Json, step: _Step) -> Json:
    """The subschema one step below ``node`` (a raw node, no $ref followed), or None."""
    if not isinstance(node, Mapping):
        return None
    value = node.get(step.keyword)
    if step.key is None:
        return value if isinstance(value, (bool, Mapping)) else None
    if isinstance(value, list):
        index = int(step.key) if step.key.isdigit() else -1
        return value[index] if 0 <= index < len(value) else None
    if isinstance(value, Mapping):
        sub = value.get(step.key)
        return sub if isinstance(sub, (bool, Mapping)) else None
    return None


class ProofCache:
    """What the provers of one check remember, owned by that check (:func:`.api.check` makes
    one per call and gives it to both directions' provers): which subschemas hold a ``$ref``
    (proofs ask again and again about the same large subschemas, a root's ``properties`` for
    each of its thousands of changes) and each document's regions. Nothing survives the
    check; each node is kept beside its answer so that its id cannot be reused meanwhile."""

    def __init__(self) -> None:
        self._refs: dict[int, tuple[Json, bool]] = {}
        self._regions: dict[int, tuple[Document, Regions]] = {}

    def has_ref(self, node: Json) -> bool:
        if not isinstance(node, (Mapping, list)):
            return False
        known = self._refs.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        if isinstance(node, Mapping):
            found = any(k in _REFS for k in node) or any(self.has_ref(v) for v in node.values())
        else:
            found = any(self.has_ref(v) for v in node)
        self._refs[id(node)] = (node, found)
        return found

    def regions(self, doc: Document) -> Regions:
        known = self._regions.get(id(doc))
        if known is None or known[0] is not doc:
            known = (doc, Regions(doc.dialect))
            self._regions[id(doc)] = known
        return known[1]


class Prover:
    """Proofs for one direction: ``writer`` wrote the messages, ``reader`` must accept them."""

    def __init__(self, writer: Document, reader: Document, cache: ProofCache | None = None) -> None:
        self.writer = writer
        self.reader = reader
        self.cache = cache if cache is not None else ProofCache()
        self._safe: str | None = None
        self._root_finite: ProofResult | None = None
        self._lists: dict[tuple[int, int], frozenset[int]] = {}
        self._refs: dict[int, frozenset[int]] = {}

    def prove(self, change: Change) -> ProofResult:
        """A proof that ``change`` loses no message of the writer, a witness that it does, or
        nothing (unknown)."""
        root = self._root()
        if root.proof is not None or root.witness_found:
            return root
        safety = self._documents_safe()
        if safety is _UNSAFE:
            return _NOTHING
        place = _place_of(change)
        rules: tuple[Callable[[_Place], ProofResult], ...] = (
            self._finite_ancestor,
            self._implied,
            self._union,
            self._regions,
        )
        if safety is _WHOLE_ONLY:
            # unevaluated* read what other subschemas evaluated: a place is not judged alone,
            # only the whole schema is
            place = _Place(())
            rules = (self._implied, self._regions)
        for rule in rules:
            try:
                result = rule(place)
            except (RecursionError, ValueError, TypeError, OverflowError):
                result = _NOTHING
            if result.proof is not None or result.witness_found:
                return result
        return _NOTHING

    # --- preconditions ---------------------------------------------------------------------
    def _documents_safe(self) -> str:
        """Both documents of one dialect, without dynamic references or nested resources, and
        with every ``$ref`` into ``$defs``/``definitions``: so a place outside those is reached
        only along its own pointer (else :data:`_UNSAFE`). Keywords whose result depends on
        what other subschemas evaluated (``unevaluated*``) allow the whole schemas to be
        compared, never a place alone (:data:`_WHOLE_ONLY`)."""
        if self._safe is None:
            if self.writer.dialect != self.reader.dialect:
                self._safe = _UNSAFE
            else:
                levels = {_doc_safe(doc) for doc in (self.writer, self.reader)}
                self._safe = next(
                    (level for level in (_UNSAFE, _WHOLE_ONLY) if level in levels), _SAFE
                )
        return self._safe

    def _walk(self, place: _Place, upto: int) -> tuple[Json, Json] | None:
        """The writer's and the reader's nodes after ``upto`` steps of ``place``, when every
        step is monotone and pairs the two sides unambiguously; None otherwise."""
        w: Json = self.writer.root
        r: Json = self.reader.root
        for step in place.steps[:upto]:
            if step.keyword in ("$defs", "definitions"):
                return None
            monotone = (
                step.keyword in _POSITIVE_LISTS
                or step.keyword in _POSITIVE_SINGLE
                or step.keyword in _CHILD_MAPS
                or step.keyword in _CHILD_SINGLE
                or step.keyword in ("prefixItems", "items", "dependentSchemas")
                or (step.keyword == "dependencies" and step.key is not None)
            )
            if not monotone:
                return None
            if step.key is not None and step.key.isdigit():
                wl = w.get(step.keyword) if isinstance(w, Mapping) else None
                rl = r.get(step.keyword) if isinstance(r, Mapping) else None
                if not (isinstance(wl, list) and isinstance(rl, list)) or len(wl) != len(rl):
                    return None
                if not self._differing(wl, rl) <= {int(step.key)}:
                    return None
            if any(isinstance(n, Mapping) and any(k in n for k in _REFS) for n in (w, r)):
                return (
                    None  # a draft-07 $ref hides its siblings; and what it points to is elsewhere
                )
            parent = w
            w, r = _child(w, step), _child(r, step)
            if w is None and _unconstrained(parent, step):
                w = True  # a property the writer does not describe: anything goes there
            if w is None or r is None:
                return None
        return w, r

    def _differing(self, wl: list[Json], rl: list[Json]) -> frozenset[int]:
        """The indexes where two lists of subschemas differ (computed once per pair of lists:
        a thousand changes under one long ``anyOf`` compare its members once)."""
        key = (id(wl), id(rl))
        found = self._lists.get(key)
        if found is None:
            found = frozenset(
                i for i, (a, b) in enumerate(zip(wl, rl, strict=True)) if not json_equal(a, b)
            )
            self._lists[key] = found
        return found

    def _referring(self, members: list[Json]) -> frozenset[int]:
        """The indexes of the members that hold a ``$ref`` (once per list)."""
        key = id(members)
        found = self._refs.get(key)
        if found is None:
            found = frozenset(i for i, m in enumerate(members) if self.cache.has_ref(m))
            self._refs[key] = found
        return found

    # --- rule: finite writer set -----------------------------------------------------------
    def _root(self) -> ProofResult:
        if self._root_finite is None:
            self._root_finite = _NOTHING
            values = _finite(self.writer.root, self.writer.dialect, self.cache)
            if values is not None:
                self._root_finite = self._enumerate(
                    values, self.writer.validator, self.reader.validator, "/", whole=True
                )
        return self._root_finite

    def _finite_ancestor(self, place: _Place) -> ProofResult:
        for upto in range(len(place.steps), 0, -1):
            nodes = self._walk(place, upto)
            if nodes is None:
                continue
            w, r = nodes
            values = _finite(w, self.writer.dialect, self.cache)
            if values is None:
                continue
            wv = self.writer.local_validator(w)
            rv = self.reader.local_validator(r)
            if wv is None or rv is None:
                return _NOTHING
            where = _Place(place.steps[:upto]).pointer
            result = self._enumerate(values, wv, rv, where, whole=False)
            # a value rejected here is no witness of the whole (the parent may reject it too)
            return result if result.proof is not None else _NOTHING
        return _NOTHING

    def _enumerate(
        self, values: list[Json], writer: Any, reader: Any, where: str, *, whole: bool
    ) -> ProofResult:
        accepted = [v for v in values if _valid(writer, v)]
        for value in accepted:
            if not _valid(reader, value, default=True):
                if whole:
                    return ProofResult(witness=value, witness_found=True)
                return _NOTHING
        scope = "the whole writer schema" if whole else f"the writer's schema at {where}"
        return ProofResult(
            proof=(
                f"finite writer set: {scope} accepts only {len(accepted)} value(s) "
                f"(const/enum or a closed shape), each one accepted by the reader's"
            )
        )

    # --- rule: implied by context ----------------------------------------------------------
    def _implied(self, place: _Place) -> ProofResult:
        """The rule at the place, or else at its nearest ancestor where it holds: the reader's
        whole schema there implied covers the place too (a change under ``not``, ``if`` or a
        subschema the writer lacks is judged where the walk can pair the two sides)."""
        for upto in range(len(place.steps), -1, -1):
            result = self._implied_at(_Place(place.steps[:upto]))
            if result.proof is not None:
                return result
        return _NOTHING

    def _implied_at(self, place: _Place) -> ProofResult:
        nodes = self._walk(place, len(place.steps))
        if nodes is None:
            return _NOTHING
        w, r = nodes
        if r is True or (isinstance(r, Mapping) and not r):
            return ProofResult(proof=f"implied: the reader's schema at {place.pointer} is empty")
        if w is True:
            w = {}
        if not isinstance(w, Mapping) or not isinstance(r, Mapping):
            return _NOTHING
        context = self._closure([w]) + self._ancestry(place)
        if len(context) > _MAX_CONTEXT:
            return _NOTHING
        implied = _Implication(
            context,
            r,
            self.writer.dialect,
            self.writer.ptr_of,
            self.reader.local_validator,
            self.cache,
        )
        used: list[str] = []
        for key, value in r.items():
            if key in _ANNOTATION_LIKE or vocab.is_extension(key):
                continue
            how = implied.why(key, value)
            if how is None:
                return _NOTHING
            if how:
                used.append(how)
        reasons = "; ".join(dict.fromkeys(used)) or "it only drops keywords"
        return ProofResult(
            proof=(
                f"implied by context: what the writer requires of the instance at "
                f"{place.pointer} already implies the reader's schema there ({reasons})"
            )
        )

    def _closure(self, start: Sequence[Json]) -> list[Mapping[str, Any]]:
        """The nodes that apply to the same instance as ``start``, all of them: their views
        and, recursively, their ``allOf`` members."""
        out: list[Mapping[str, Any]] = []
        seen: set[int] = set()
        todo = list(start)
        while todo and len(out) <= _MAX_CONTEXT:
            node = self.writer.view(todo.pop())
            if not isinstance(node, Mapping) or id(node) in seen:
                continue
            seen.add(id(node))
            out.append(node)
            members = node.get("allOf")
            if isinstance(members, list):
                todo.extend(members)
            negated = node.get("not")
            if isinstance(negated, Mapping) and set(negated) == {"not"}:
                todo.append(negated["not"])  # not: {not: X} holds exactly where X does
        return out

    def _ancestry(self, place: _Place) -> list[Mapping[str, Any]]:
        """The writer's constraints that hold on the place's instance whenever the place's
        result matters for a message the writer accepts.

        Every ancestor on the place's path is a conjunction the message satisfies where the
        place counts (a failing sibling keyword, ``allOf`` member or parent would fail the
        message whatever the place says; an ``anyOf`` branch that fails elsewhere does not need
        the place): its keywords and ``allOf`` members hold at its own instance, so do the
        ``if`` of a ``then`` taken and, below ``dependentSchemas/k``, "an object with k". They
        are carried down to the place's instance through ``properties`` (the subschemas of
        the same name); an ancestor above any other step into the instance adds nothing.
        """
        out: list[Mapping[str, Any]] = []
        node: Json = self.writer.root
        for at, step in enumerate(place.steps):
            here: list[Json] = [node]
            if step.keyword == "then" and isinstance(node, Mapping) and "if" in node:
                here.append(node["if"])
            if step.keyword in ("dependentSchemas", "dependencies") and step.key is not None:
                here.append({"type": "object", "required": [step.key]})
            out += self._carried(self._closure(here), place.steps[at:])
            node = _child(node, step)
            if node is None or len(out) > _MAX_CONTEXT:
                break
        return out

    def _carried(
        self, level: list[Mapping[str, Any]], steps: Sequence[_Step]
    ) -> list[Mapping[str, Any]]:
        """``level`` (nodes on one instance) carried down ``steps`` to the place's instance."""
        for step in steps:
            if step.keyword == "properties" and step.key is not None:
                below = []
                for node in level:
                    props = node.get("properties")
                    if isinstance(props, Mapping) and step.key in props:
                        below.append(props[step.key])
                level = self._closure(below)
            elif step.keyword not in _IN_PLACE_STEPS:
                return []
        return level

    # --- rule: union coverage --------------------------------------------------------------
    def _union(self, place: _Place) -> ProofResult:
        for at in range(len(place.steps) - 1, -1, -1):
            step = place.steps[at]
            if step.keyword in ("anyOf", "oneOf") and step.key is not None:
                break
        else:
            return _NOTHING
        container = self._walk(place, at)
        if container is None:
            return _NOTHING
        wc, rc = container
        if not isinstance(wc, Mapping) or not isinstance(rc, Mapping):
            return _NOTHING
        wl, rl = wc.get(step.keyword), rc.get(step.keyword)
        if not isinstance(wl, list) or not isinstance(rl, list) or len(wl) != len(rl):
            return _NOTHING
        index = int(step.key or "0")
        others = [i for i in range(len(wl)) if i != index]
        if self._differing(wl, rl) - {index} or self._referring(wl) - {index}:
            return _NOTHING
        wb, rb = wl[index], rl[index]
        if not isinstance(wb, Mapping) or not isinstance(rb, Mapping) or "type" not in rb:
            return _NOTHING
        if self.cache.has_ref(wb) or self.cache.has_ref(rb):
            return _NOTHING
        if set(rb) - {"type"} != set(wb) - {"type"}:
            return _NOTHING
        if any(not json_equal(wb[k], rb[k]) for k in wb if k != "type"):
            return _NOTHING
        kept = _types(rb["type"])
        if kept is None:
            return _NOTHING
        if "type" in wb:
            # the branch must only narrow: a widened branch of a oneOf can match twice
            before = _types(wb["type"])
            if before is None or not kept <= before:
                return _NOTHING
        covered = []
        for lost in sorted(_PRIMITIVE - kept):
            by = next((i for i in others if _accepts_all(wl[i], lost)), None)
            if by is None:
                return _NOTHING
            covered.append(f"{_shown(lost)} by branch {by}")
        union = _Place(place.steps[:at]).pointer
        how = "the union keeps them" if step.keyword == "anyOf" else "two matches never passed"
        return ProofResult(
            proof=(
                f"union coverage: branch {index} of {step.keyword} at {union} only gains "
                f"type {short(rb['type'])}; every instance of another type is accepted by an "
                f"unchanged branch ({', '.join(covered)}), so {how}"
            )
        )

    # --- rule: region containment ----------------------------------------------------------
    def _regions(self, place: _Place) -> ProofResult:
        """The writer's schema at the place (with its context) read as a region that holds
        every value it accepts, inside the reader's read as a region of values it accepts
        (:mod:`.proof_regions`), at the place or its nearest ancestor where that holds."""
        writer, reader = self.cache.regions(self.writer), self.cache.regions(self.reader)
        if not writer.readable():
            return _NOTHING
        for upto in range(len(place.steps), -1, -1):
            at = _Place(place.steps[:upto])
            nodes = self._walk(at, upto)
            if nodes is None:
                continue
            w, r = nodes
            wide = full()
            for node in (w, *self._ancestry(at)):
                wide = intersect(wide, writer.over(node))
            if contains(reader.under(r), wide):
                return ProofResult(
                    proof=(
                        f"region containment: every value the writer accepts at {at.pointer} "
                        f"(types, numeric bounds, string lengths, through anyOf/allOf/oneOf/"
                        f"not/if) is one the reader's schema there accepts"
                    )
                )
        return _NOTHING


def _unconstrained(parent: Json, step: _Step) -> bool:
    """True when ``parent`` has no subschema for property ``step.key`` and nothing else that
    would apply to it (``patternProperties``, ``additionalProperties``)."""
    return (
        step.keyword == "properties"
        and isinstance(parent, Mapping)
        and not any(k in parent for k in ("patternProperties", "additionalProperties"))
        and not (isinstance(parent.get("properties"), Mapping) and step.key in parent["properties"])
    )


def _doc_safe(doc: Document) -> str:
    level = _SAFE
    for node in doc.schema_nodes:
        if node is not doc.root and ("$id" in node or "id" in node):
            return _UNSAFE
        if any(k in node for k in ("$dynamicRef", "$recursiveRef")):
            return _UNSAFE
        if any(k in node for k in ("unevaluatedProperties", "unevaluatedItems")):
            level = _WHOLE_ONLY
        ref = node.get("$ref")
        if ref is not None and not (
            isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/"))
        ):
            return _UNSAFE
    return level


def _static_names(node: Mapping[str, Any]) -> set[str] | None:
    """The property names ``node`` and its ``allOf`` members evaluate, whatever the instance
    (their ``properties``); None when something else may evaluate names there."""
    out: set[str] = set()
    todo: list[Json] = [node]
    seen = 0
    while todo:
        here = todo.pop()
        seen += 1
        if seen > _MAX_CONTEXT:
            return None
        if not isinstance(here, Mapping):
            continue  # true evaluates nothing; false lets nothing pass
        if any(
            k in here
            for k in _DYNAMIC_EVALUATION
            if here is not node or k != "unevaluatedProperties"
        ):
            return None
        props = here.get("properties", {})
        if not isinstance(props, Mapping):
            return None
        out |= {str(k) for k in props}
        members = here.get("allOf", [])
        if not isinstance(members, list):
            return None
        todo.extend(members)
    return out


def _finite(node: Json, dialect: str, cache: ProofCache) -> list[Json] | None:
    """The values a schema can accept at most, when ``const``/``enum`` bound them (its own, or
    an ``allOf`` member's) or its shape does (``type: null``, a closed object or tuple of finite
    parts: :func:`.proof_shapes.finite_shape`); None when not finite that simply (or beside a
    ``$ref``, which hides its siblings before 2019-09)."""
    if node is False:
        return []
    if not isinstance(node, Mapping) or any(k in node for k in _REFS):
        return None
    if "const" in node:
        return [node["const"]]
    values = node.get("enum")
    if isinstance(values, list) and len(values) <= MAX_FINITE:
        return list(values)
    members = node.get("allOf")
    if isinstance(members, list):
        for member in members:
            if not cache.has_ref(member):
                found = _finite(member, dialect, cache)
                if found is not None:
                    return found
    return finite_shape(node, dialect, lambda sub: _finite(sub, dialect, cache), MAX_FINITE)


def _valid(validator: Any, value: Json, *, default: bool = False) -> bool:
    try:
        return bool(validator.is_valid(value))
    except Exception:
        return default


def _types(value: Json) -> frozenset[str] | None:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    out: set[str] = set()
    for name in names:
        if name not in _TYPE_SETS:
            return None
        out |= _TYPE_SETS[name]
    return frozenset(out)


def _value_types(value: Json) -> frozenset[str]:
    """The primitive types a JSON value may count as (1.0 as an integer, or not in draft-04)."""
    if value is None:
        return frozenset({"null"})
    if isinstance(value, bool):
        return frozenset({"boolean"})
    if isinstance(value, int):
        return frozenset({"integer"})
    if isinstance(value, float):
        return frozenset({"integer", _FRACTION}) if value.is_integer() else frozenset({_FRACTION})
    if isinstance(value, str):
        return frozenset({"string"})
    if isinstance(value, Mapping):
        return frozenset({"object"})
    return frozenset({"array"})


def _shown(primitive: str) -> str:
    return "non-integer number" if primitive == _FRACTION else primitive


def _vacuous(key: str, primitive: str) -> bool:
    """True when keyword ``key`` passes every instance of ``primitive`` type."""
    applies = _APPLIES_TO.get(key)
    if applies is None:
        return False
    if applies == "number":
        return primitive not in ("integer", _FRACTION)
    return applies != primitive


def _accepts_all(branch: Json, primitive: str) -> bool:
    """True when ``branch`` (no $ref in it) accepts every instance of ``primitive`` type."""
    if branch is True:
        return True
    if not isinstance(branch, Mapping):
        return False
    for key, value in branch.items():
        if key in _ANNOTATION_LIKE or vocab.is_extension(key):
            continue
        if key == "type":
            kinds = _types(value)
            if kinds is None or primitive not in kinds:
                return False
        elif key == "not":
            if not isinstance(value, Mapping) or set(value) != {"type"}:
                return False
            kinds = _types(value["type"])
            if kinds is None or primitive in kinds:
                return False
        elif not _vacuous(key, primitive):
            return False
    return True


def _number(value: Json) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Implication:
    """Decides whether a conjunction of writer nodes (one instance) implies one keyword."""

    def __init__(
        self,
        context: list[Mapping[str, Any]],
        reader: Mapping[str, Any],
        dialect: str,
        pointers: Mapping[int, str],
        local: Callable[[Json], Any],
        cache: ProofCache,
    ) -> None:
        self.cache = cache
        self.context = context
        self.reader = reader
        self.dialect = dialect
        self.pointers = pointers
        self.local = local  # the reader's validator of one of its subschemas
        kinds = set(_PRIMITIVE)
        for node in context:
            step = node.get("multipleOf")
            if _number(step) and step == 1 and dialect != vocab.DRAFT4:
                kinds.discard(_FRACTION)  # a multiple of 1 is an integer (1.0 too, after draft-04)
            if "type" in node:
                named = _types(node["type"])
                if named is not None:
                    kinds &= named
            if "const" in node:
                kinds &= _value_types(node["const"])
            values = node.get("enum")
            if isinstance(values, list):
                found: set[str] = set()
                for item in values:
                    found |= _value_types(item)
                kinds &= found
            negated = node.get("not")
            if isinstance(negated, Mapping) and set(negated) == {"type"}:
                named = _types(negated["type"])
                if named is not None:
                    kinds -= named
        #: an over-approximation of the types the instance may have
        self.kinds = frozenset(kinds)

    def _same(self, node: Mapping[str, Any], key: str, value: Json) -> bool:
        """True when ``node`` has ``key: value`` with the keywords that give it its meaning
        (``properties`` for ``additionalProperties``...) equal to the reader's."""
        if key not in node or not json_equal(node[key], value):
            return False
        companions = _COMPANIONS.get(key, ())
        if self.dialect == vocab.DRAFT4:
            companions += _DRAFT4_COMPANIONS.get(key, ())
        return all(json_equal(node.get(c), self.reader.get(c)) for c in companions)

    def _values(self, key: str) -> Iterator[Json]:
        for node in self.context:
            if key in node:
                yield node[key]

    def why(self, key: str, value: Json) -> str | None:
        """A short reason the context implies ``key: value`` ("" when it is the writer's own
        keyword), or None when that is not shown."""
        if key in _REFS:
            return None
        if not self.kinds:
            return "the writer's constraints there admit no type: no message reaches it"
        if key in _CONTENT and self.dialect in (vocab.DRAFT2019, vocab.DRAFT2020):
            return f"{key} is an annotation in {self.dialect}: validators do not assert it"
        applies = _APPLIES_TO.get(key)
        if applies is not None and all(_vacuous(key, k) for k in self.kinds):
            return f"{key} only constrains {applies}s, which the instance cannot be"
        if not self.cache.has_ref(value):
            for i, node in enumerate(self.context):
                if self._same(node, key, value):
                    if i == 0:
                        return ""  # the writer's own keyword, unchanged
                    where = self.pointers.get(id(node), "?") or "/"
                    return f"{key} {short(value)} is required by the writer at {where}"
        if key == "type":
            kinds = _types(value)
            if kinds is not None and self.kinds <= kinds:
                return f"type {short(value)} is implied"
            return None
        if key in ("enum", "const"):
            return self._finite(key, value)
        if key in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            return self._bound(key, value)
        if key in _LOWER or key in _UPPER:
            return self._size(key, value)
        if key == "required":
            return self._required(value)
        if key == "uniqueItems":
            return self._unique(value)
        if key == "pattern" and isinstance(value, str):
            for node in self.context:
                mine = node.get("pattern")
                if isinstance(mine, str) and pattern_within(mine, value):
                    return (
                        f"pattern {short(value)} matches whatever the writer's {short(mine)} does"
                    )
            return None
        if key == "multipleOf" and _number(value) and value == 1 and self.kinds <= {"integer"}:
            return "multipleOf 1 is implied: the instance is an integer"
        return self._structural(key, value)

    def _sub(self, schema: Json) -> bool:
        """True when the context implies the whole of ``schema`` (at the same instance)."""
        if schema is True:
            return True
        if not isinstance(schema, Mapping) or self.cache.has_ref(schema):
            return False
        sub = _Implication(
            self.context, schema, self.dialect, self.pointers, self.local, self.cache
        )
        return all(
            k in _ANNOTATION_LIKE or vocab.is_extension(k) or sub.why(k, v) is not None
            for k, v in schema.items()
        )

    def _unique(self, value: Json) -> str | None:
        if value is False:
            return ""
        for node in self.context:
            most = items_upper(node, self.dialect)
            if most is not None and most <= 1:
                return "uniqueItems is implied: the writer's arrays hold at most one item"
        return None

    def _structural(self, key: str, value: Json) -> str | None:
        """Applicators implied by the context: not, if/then/else, dependentSchemas,
        propertyNames, contains with minContains 0, additional* made moot."""
        reader = self.reader
        if key == "not":
            if value is False:
                return ""
            if isinstance(value, Mapping) and not self.cache.has_ref(value):
                if set(value) == {"not"} and self._sub(value["not"]):
                    return "not: {not: X} is X, which is implied"
                inner = _Implication(
                    [value], value, self.dialect, self.pointers, self.local, self.cache
                )
                # not in draft-04, where 1.0 is a number no "integer" type covers
                if self.dialect != vocab.DRAFT4 and not inner.kinds & self.kinds:
                    return "not is implied: the negated schema accepts no type the instance has"
            return None
        if key == "if":
            then, other = reader.get("then", True), reader.get("else", True)
            if self._sub(then) and self._sub(other):
                return "both branches of the conditional are implied"
            if self._sub(value) and self._sub(then):
                return "the condition and its then branch are implied"
            return self._conditional(value, then, other)
        if key in ("then", "else"):
            return ""  # judged with "if" (without an "if" they are ignored)
        if key in ("dependentSchemas", "dependencies") and isinstance(value, Mapping):
            have = self._names("required")
            for _name, sub in value.items():
                if isinstance(sub, list):
                    if not all(n in have for n in sub):
                        return None
                elif key == "dependencies" and self.dialect == vocab.DRAFT2020:
                    return None  # not a keyword there; never reached (annotations skipped)
                elif not self._sub(sub):
                    return None
            return f"{key} implied: each dependency already holds"
        if key == "dependentRequired" and isinstance(value, Mapping):
            have = self._names("required")
            if all(isinstance(v, list) and all(n in have for n in v) for v in value.values()):
                return "dependentRequired implied: the names are required"
            return None
        if key == "allOf" and isinstance(value, list):
            if all(self._sub(member) for member in value):
                return "each allOf member is implied"
            return None
        if key == "properties" and isinstance(value, Mapping):
            return self._properties(value)
        if key == "unevaluatedProperties" and value is False:
            return self._unevaluated()
        if key == "propertyNames":
            return self._property_names(value)
        if key == "contains" and self.dialect in (vocab.DRAFT2019, vocab.DRAFT2020):
            least = reader.get("minContains")
            if _number(least) and least == 0 and "maxContains" not in reader:
                return "contains with minContains 0 asserts nothing"
            return None
        if key == "minContains" and _number(value) and value <= 1:
            return ""  # at most the default: contains (judged itself) says the rest
        if key in ("additionalProperties", "patternProperties"):
            patterns = reader.get("patternProperties")
            if isinstance(patterns, Mapping):
                moot = any(p in CATCH_ALL and patterns[p] in (True, {}) for p in patterns)
                if key == "additionalProperties" and moot:
                    return "additionalProperties is moot: a pattern matching every name"
            if (
                key == "patternProperties"
                and isinstance(value, Mapping)
                and all(v is True or v == {} for v in value.values())
            ):
                return ""
            return None
        if key in ("prefixItems", "items") and isinstance(value, list):
            return "" if all(v is True or v == {} for v in value) else None
        if key == "additionalItems" and value is False and self.dialect != vocab.DRAFT2020:
            tuple_schemas = reader.get("items")
            if not isinstance(tuple_schemas, list):
                return ""  # beside no tuple form of items, additionalItems is ignored
            for node in self.context:
                most = items_upper(node, self.dialect)
                if most is not None and most <= len(tuple_schemas):
                    return f"additionalItems false is implied: the writer's arrays hold ≤ {most}"
            return None
        if key == "items" and value is False:
            prefix = reader.get("prefixItems") if self.dialect == vocab.DRAFT2020 else None
            allowed = len(prefix) if isinstance(prefix, list) else 0
            for node in self.context:
                most = items_upper(node, self.dialect)
                if most is not None and most <= allowed:
                    return f"items false is implied: the writer's arrays hold at most {most}"
        return None

    def _properties(self, value: Mapping[str, Json]) -> str | None:
        """Each property's subschema asserts nothing, or is the writer's for that name."""
        for name, sub in value.items():
            if sub is True or (isinstance(sub, Mapping) and not sub):
                continue
            if self.cache.has_ref(sub):
                return None
            if not any(
                isinstance(node.get("properties"), Mapping)
                and name in node["properties"]
                and json_equal(node["properties"][name], sub)
                for node in self.context
            ):
                return None
        return ""

    def _unevaluated(self) -> str | None:
        """``unevaluatedProperties: false`` of a reader whose evaluated names are fixed (its
        ``properties`` and its ``allOf`` members', nothing that depends on the instance), with
        a writer closed to names among them. The reader's other keywords are judged too, so a
        message reaching this one passes its ``allOf`` members, whose annotations then count."""
        allowed = _static_names(self.reader)
        if allowed is None:
            return None
        for node in self.context:
            names = closed_names(node)
            if names is None and node.get("unevaluatedProperties") is False:
                found = _static_names(node)
                names = None if found is None else sorted(found)
            if names is not None and set(names) <= allowed:
                return (
                    "unevaluatedProperties false is implied: the writer's object is closed to "
                    f"{short(sorted(names))}, which the reader's evaluates"
                )
        return None

    def _names(self, key: str) -> set[str]:
        have: set[str] = set()
        for names in self._values(key):
            if isinstance(names, list):
                have |= {n for n in names if isinstance(n, str)}
        return have

    def _property_names(self, value: Json) -> str | None:
        if value is True:
            return ""
        if self.cache.has_ref(value):
            return None
        validator = self.local(value)
        if validator is None:
            return None
        for node in self.context:
            names = closed_names(node)
            if names is not None and all(_valid(validator, n) for n in names):
                return "propertyNames implied: the writer's object is closed to names it accepts"
        return None

    def _finite(self, key: str, value: Json) -> str | None:
        allowed = [value] if key == "const" else value
        if not isinstance(allowed, list):
            return None
        for node in self.context:
            if "const" in node:
                values = [node["const"]]
            elif isinstance(node.get("enum"), list):
                values = node["enum"]
            else:
                continue
            if all(any(json_equal(v, a) for a in allowed) for v in values):
                return f"{key} {short(value)} is implied by the writer's const/enum"
        return None

    def _bound(self, key: str, value: Json) -> str | None:
        if not _number(value) or self.dialect == vocab.DRAFT4:
            return None
        lower = key in ("minimum", "exclusiveMinimum")
        if self.kinds <= {"integer"}:
            # on integers a bound is the nearest integer inside it (minimum 0.5 is minimum 1)
            needed = integer_bound(key, value)
            names = ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
            for node in self.context:
                for other in names:
                    have = integer_bound(other, node.get(other))
                    if needed is None or have is None:
                        continue
                    if (have >= needed) if lower else (have <= needed):
                        return (
                            f"{key} {short(value)} is implied on integers by the writer's "
                            f"{other} {short(node[other])}"
                        )
        for node in self.context:
            for other in (
                ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
            ):
                bound = node.get(other)
                if not _number(bound):
                    continue
                strict_here = other.startswith("exclusive")
                strict_needed = key.startswith("exclusive")
                if lower:
                    tighter = bound > value or (
                        bound == value and (strict_here or not strict_needed)
                    )
                else:
                    tighter = bound < value or (
                        bound == value and (strict_here or not strict_needed)
                    )
                if tighter:
                    return f"{key} {short(value)} is implied by the writer's {other} {bound}"
        return None

    def _size(self, key: str, value: Json) -> str | None:
        if not _number(value):
            return None
        if key in _LOWER and value <= 0:
            return ""
        if key == "minProperties" and len(self._names("required")) >= value:
            return f"minProperties {short(value)} is implied by the writer's required names"
        for node in self.context:
            if key == "minItems":
                least = items_lower(node, self.dialect)
                if least is not None and least >= value:
                    return f"minItems {short(value)} is implied by the writer's contains/minItems"
            elif key == "maxItems":
                most = items_upper(node, self.dialect)
                if most is not None and most <= value:
                    return f"maxItems {short(value)} is implied: the writer's arrays hold ≤ {most}"
            elif key in ("minLength", "maxLength") and isinstance(node.get("pattern"), str):
                widths = pattern_lengths(node["pattern"])
                bound = None if widths is None else widths[0 if key == "minLength" else 1]
                if bound is not None and (bound >= value if key == "minLength" else bound <= value):
                    return f"{key} {short(value)} is implied by the writer's pattern"
            elif key == "maxProperties":
                names = closed_names(node)
                if names is not None and len(names) <= value:
                    return f"maxProperties {short(value)} is implied by the writer's closed object"
        for bound in self._values(key):
            if _number(bound) and (bound >= value if key in _LOWER else bound <= value):
                return f"{key} {short(value)} is implied by the writer's {key} {bound}"
        return None

    def _required(self, value: Json) -> str | None:
        if not isinstance(value, list):
            return None
        have = self._names("required")
        for node in self.context:
            # a conditional whose two branches both require a name: one of them holds
            then, other = node.get("then"), node.get("else")
            if "if" in node and isinstance(then, Mapping) and isinstance(other, Mapping):
                first, second = then.get("required"), other.get("required")
                if isinstance(first, list) and isinstance(second, list):
                    have |= {n for n in first if isinstance(n, str)} & set(second)
        if all(isinstance(n, str) and n in have for n in value):
            return f"required {short(value)} is implied"
        return None

    def _conditional(self, cond: Json, then: Json, other: Json) -> str | None:
        """The reader's ``if``/``then``/``else`` against a writer's conditional on the same
        instance: the same with the condition negated and the branches swapped, or a narrower
        condition (one that implies the writer's) with the same ``then``."""
        for node in self.context:
            if "if" not in node:
                continue
            w_if, w_then, w_else = node["if"], node.get("then", True), node.get("else", True)
            swapped = json_equal(w_then, other) and json_equal(w_else, then)
            if swapped and (json_equal(w_if, {"not": cond}) or json_equal(cond, {"not": w_if})):
                return "the writer's conditional, its condition negated and branches swapped"
            if json_equal(w_then, then) and self._sub(other) and self._narrower(cond, w_if):
                return "the condition implies the writer's, whose then branch is the same"
        return None

    def _narrower(self, cond: Json, wider: Json) -> bool:
        """True when every instance ``cond`` accepts is accepted by ``wider``."""
        if wider is True or cond is False:
            return True
        if not isinstance(cond, Mapping) or self.cache.has_ref(cond) or self.cache.has_ref(wider):
            return False
        if not isinstance(wider, Mapping):
            return False
        inner = _Implication([cond], wider, self.dialect, self.pointers, lambda _: None, self.cache)
        return all(
            k in _ANNOTATION_LIKE or vocab.is_extension(k) or inner.why(k, v) is not None
            for k, v in wider.items()
        )


__all__ = ["MAX_FINITE", "ProofResult", "Prover"]
