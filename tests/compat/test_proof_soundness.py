"""The prover is sound: whatever the engine calls compatible (a pair, or one change proven), no
message hypothesis-jsonschema draws from the writer's schema is rejected by the reader's.

Pairs are a random schema and a mutation of it at a random place (a keyword added, changed or
dropped, a subschema replaced), built from type, enum, const, bounds, required, properties,
anyOf, oneOf, allOf and if/then/else, with templates that put the change where the proof rules look
(under ``then`` beside a root property, in a union branch, below a const, in a closed object or
tuple), and the keyword families of the issue-12 rules (multipleOf, item and property counts,
uniqueItems, contains, propertyNames, not and double negation, patterns). Each claim is probed
with 200 drawn messages, checked by jsonschema-rs.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, Unsatisfiable
from hypothesis_jsonschema import from_schema
from jsonschema.exceptions import SchemaError

from opa_contracts.compat import BACKWARD, Mode, Verdict, check
from tests.generate import hypothesis_compat

hypothesis_compat.patch()

pytestmark = pytest.mark.slow

NAMES = ["a", "b"]
TYPES = ["null", "boolean", "integer", "number", "string", "object", "array"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, 2.0, -1.5]),
    st.sampled_from(["", "x", "ab"]),
    st.dictionaries(st.sampled_from(NAMES), st.integers(0, 2) | st.sampled_from(["x"]), max_size=2),
)


# regexes the structural inclusion rule reads, and near misses of them
PATTERNS = [
    "^[a-b]{1,2}$", "^[a-c]{1,3}$", "^[a-b]{1,2}", "[a-b]", "^a.$", "^ab$", "^(a|b)$",
    "^[0-9]+$", "^\\d+$", "^\\w+$", "^.?$", "^[a-z]*$", "^[a-zA-Z]*$",
]  # fmt: skip


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    small = st.integers(-2, 3)
    return st.one_of(
        st.sampled_from(TYPES).map(lambda t: {"type": t}),
        st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True).map(
            lambda ts: {"type": ts}
        ),
        st.lists(VALUES, min_size=1, max_size=3).map(lambda v: {"enum": v}),
        VALUES.map(lambda v: {"const": v}),
        small.map(lambda n: {"minimum": n}),
        small.map(lambda n: {"maximum": n}),
        small.map(lambda n: {"exclusiveMinimum": n}),
        small.map(lambda n: {"exclusiveMaximum": n}),
        st.integers(0, 3).map(lambda n: {"minLength": n}),
        st.integers(0, 3).map(lambda n: {"maxLength": n}),
        st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True).map(
            lambda r: {"required": r}
        ),
        # the families of the issue-12 rules: integers, sizes, closed shapes, negation
        st.sampled_from([1, 0.5, 2]).map(lambda n: {"multipleOf": n}),
        st.integers(0, 2).map(lambda n: {"minItems": n}),
        st.integers(0, 2).map(lambda n: {"maxItems": n}),
        st.just({"uniqueItems": True}),
        st.sampled_from(TYPES).map(lambda t: {"contains": {"type": t}}),
        st.integers(0, 2).map(lambda n: {"minProperties": n}),
        st.integers(0, 2).map(lambda n: {"maxProperties": n}),
        st.just({"additionalProperties": False}),
        st.sampled_from([{"maxLength": 1}, {"enum": NAMES}]).map(lambda p: {"propertyNames": p}),
        st.sampled_from(TYPES).map(lambda t: {"not": {"type": t}}),
        st.sampled_from(TYPES).map(lambda t: {"not": {"not": {"type": t}}}),
        st.sampled_from(PATTERNS).map(lambda p: {"pattern": p}),
        st.just({}),
    )


LEAVES = st.builds(lambda a, b: {**a, **b}, _leaf(), _leaf() | st.just({}))


def _compound(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(
            lambda props, extra: {"type": "object", "properties": props, **extra},
            st.dictionaries(st.sampled_from(NAMES), inner, min_size=1, max_size=2),
            LEAVES,
        ),
        st.lists(inner, min_size=2, max_size=3).map(lambda bs: {"anyOf": bs}),
        st.lists(inner, min_size=2, max_size=3).map(lambda bs: {"oneOf": bs}),
        st.lists(inner, min_size=1, max_size=2).map(lambda bs: {"allOf": bs}),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, inner, inner, inner),
        inner.map(lambda n: {"not": n}),
    )


SCHEMAS = st.recursive(LEAVES, _compound, max_leaves=6)


def _templates() -> st.SearchStrategy[dict[str, Any]]:
    """Shapes that put a change where each proof rule looks."""
    return st.one_of(
        # a root property and the same property under then/else
        st.builds(
            lambda root, cond, then, other: {
                "type": "object",
                "properties": {"a": root},
                "if": cond,
                "then": {"properties": {"a": then}},
                "else": {"properties": {"a": other}},
            },
            LEAVES,
            LEAVES,
            LEAVES,
            LEAVES,
        ),
        # a union whose branches partition by type
        st.builds(
            lambda kind, first, second: {kind: [first, second]},
            st.sampled_from(["anyOf", "oneOf"]),
            LEAVES,
            st.sampled_from(TYPES).map(lambda t: {"not": {"type": t}}) | LEAVES,
        ),
        # a finite set at the root or at a property
        st.builds(lambda v, extra: {"const": v, **extra}, VALUES, LEAVES),
        st.builds(
            lambda v, extra: {"properties": {"a": {"enum": v, **extra}}},
            st.lists(VALUES, min_size=1, max_size=3),
            LEAVES,
        ),
        # allOf members that already say what a narrowing adds
        st.builds(lambda x, y: {"allOf": [x, y]}, LEAVES, LEAVES),
        # a closed object (a finite shape when its properties are finite) and a closed tuple
        st.builds(
            lambda a, extra: {
                "type": "object",
                "properties": {"a": a},
                "additionalProperties": False,
                **extra,
            },
            LEAVES,
            LEAVES,
        ),
        st.builds(
            lambda first, extra: {
                "$schema": "http://json-schema.org/draft-07/schema#",  # the tuple form of items
                "type": "array",
                "items": [first],
                "additionalItems": False,
                **extra,
            },
            LEAVES,
            LEAVES,
        ),
    )


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every object subschema of ``node`` (the mutation targets)."""
    if not isinstance(node, dict):
        return []
    out = [path]
    for key, value in node.items():
        if key in ("then", "else", "if", "not"):
            out += _places(value, (*path, key))
        elif key in ("anyOf", "allOf", "oneOf"):
            for i, sub in enumerate(value):
                out += _places(sub, (*path, key, i))
        elif key == "properties":
            for name, sub in value.items():
                out += _places(sub, (*path, key, name))
    return out


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


# where a template's change goes when it is aimed: the places its proof rule looks at
_AIMED: dict[str, list[tuple[Any, ...]]] = {
    "then": [("then", "properties", "a"), ("else", "properties", "a")],
    "anyOf": [("anyOf", 0), ("anyOf", 1)],
    "oneOf": [("oneOf", 0), ("oneOf", 1)],
    "allOf": [("allOf", 0), ("allOf", 1)],
    "properties": [("properties", "a")],
}


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    old = draw(st.one_of(SCHEMAS, _templates()))
    new = copy.deepcopy(old)
    places = _places(new)
    aimed = [p for key, paths in _AIMED.items() if key in new for p in paths if p in places]
    aim: bool = draw(st.booleans())
    if aimed and aim:
        place = draw(st.sampled_from(aimed))
        target = _at(new, place)
        donor: Any = {}
        if place[0] in ("then", "else"):
            donor = new.get("properties", {}).get("a", {})
        elif place[0] == "allOf":
            others = [m for i, m in enumerate(new["allOf"]) if i != place[1]]
            donor = others[0] if others else {}
        if isinstance(donor, dict) and donor and draw(st.booleans()):
            # a keyword the context already demands: the case implication proves
            key = draw(st.sampled_from(sorted(donor)))
            target[key] = copy.deepcopy(donor[key])
        elif draw(st.booleans()):
            target["type"] = draw(
                st.sampled_from(TYPES)
                | st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True)
            )
        else:
            target.update(draw(LEAVES))
        return old, new
    place = draw(st.sampled_from(_places(new)))
    target = _at(new, place)
    how = draw(st.sampled_from(["add", "add", "replace", "drop"]))
    if how == "add":
        target.update(draw(LEAVES))
    elif how == "replace":
        replacement = draw(LEAVES)
        target.clear()
        target.update(replacement)
    elif target:
        target.pop(draw(st.sampled_from(sorted(target))))
    return old, new


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _no_witness_among_drawn(writer_schema: dict[str, Any], reader_schema: dict[str, Any]) -> None:
    writer, reader = _validator(writer_schema), _validator(reader_schema)
    messages = from_schema(writer_schema)
    if messages.is_empty:  # the writer accepts nothing: nothing can break
        return

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(messages)
    def probe(message: Any) -> None:
        if writer.is_valid(message):
            assert reader.is_valid(message), (writer_schema, reader_schema, message)

    try:
        probe()
    except (InvalidArgument, Unsatisfiable, SchemaError):
        # hypothesis-jsonschema cannot draw from this writer (bounds it cannot reconcile, such
        # as minLength 1 with maxLength 0 in a branch, or a tuple it canonicalises to
        # ``items: []``, which it then rejects as a draft-07 schema): nothing probed
        return


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(pairs(), st.sampled_from([Mode.BACKWARD, Mode.FORWARD]))
def test_compatible_is_never_said_where_a_drawn_message_breaks(
    pair: tuple[dict[str, Any], dict[str, Any]], mode: Mode
) -> None:
    old, new = pair
    result = check(old, new, mode=mode, witness_budget_s=0.02)
    writer, reader = (old, new) if mode is Mode.BACKWARD else (new, old)
    for item in result.checked:
        if item.verdict is Verdict.BROKEN:  # a witness is verified, whoever found it
            w, r = (old, new) if item.witness_direction == BACKWARD else (new, old)
            assert _validator(w).is_valid(item.witness)
            assert not _validator(r).is_valid(item.witness)
    if result.compatible:
        # nothing flagged, or every flagged change proven: the writer's messages must all be
        # read (a single mutation flags one place, so this probes each proof on its own in most
        # pairs, and the structural engine's silence in the others)
        _no_witness_among_drawn(writer, reader)


def test_the_probe_finds_a_known_break() -> None:
    # the control: the mirrored case of a proven shape is broken, and the probe sees it
    old = {"type": "object", "properties": {"a": {}}, "if": {}, "then": {"properties": {"a": {}}}}
    new = {
        "type": "object",
        "properties": {"a": {}},
        "if": {},
        "then": {"properties": {"a": {"type": "string"}}},
    }
    result = check(old, new, mode=Mode.BACKWARD)
    assert result.verdict is Verdict.BROKEN
    with pytest.raises(AssertionError):
        _no_witness_among_drawn(old, new)


# values at the edges the regions read: bounds between -2 and 3, fractions, lengths 0-3 in
# code points (an emoji is one), and the other types
REGION_VALUES = st.one_of(
    VALUES,
    st.sampled_from([-2, -1, 0, 1, 2, 3, 4, -0.5, 0.5, 1.0, 2.5, 3.0, 1e300]),
    st.text(alphabet=["a", "\n", "\U0001f600"], max_size=4),
    st.lists(st.integers(0, 1), max_size=2),
)
REGION_SCHEMAS = st.recursive(
    LEAVES
    | st.sampled_from(["^[\\s\\S]{2}", "^[\\s\\S]{1,2}$", "[\\d\\D]$", "^[\\w\\W]*$"]).map(
        lambda p: {"pattern": p}
    ),
    _compound,
    max_leaves=6,
)


def _in_region(region: Any, value: Any) -> bool:
    """Whether ``value`` lies in ``region`` (what proof_regions reads of it)."""
    measure: float
    if value is None:
        kind, measure = "null", 0
    elif isinstance(value, bool):
        kind, measure = "boolean", 0
    elif isinstance(value, (int, float)):
        kind = "integer" if isinstance(value, int) or value.is_integer() else "fraction"
        measure = value
    elif isinstance(value, str):
        kind, measure = "string", len(value)
    elif isinstance(value, dict):
        kind, measure = "object", 0
    else:
        kind, measure = "array", 0
    for lo, lc, hi, hc in region[kind]:
        if (lo < measure or (lc and lo == measure)) and (measure < hi or (hc and measure == hi)):
            return True
    return False


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(REGION_SCHEMAS, st.lists(REGION_VALUES, min_size=1, max_size=8))
def test_regions_hold_every_accepted_value_and_only_accepted_ones(
    schema: dict[str, Any], values: list[Any]
) -> None:
    """The containment rule's two readings of a schema, value by value against jsonschema-rs:
    ``over`` holds whatever the schema accepts, ``under`` nothing it rejects."""
    from opa_contracts.compat.proof_regions import Regions

    regions = Regions("draft-07")
    over, under = regions.over(schema), regions.under(schema)
    validator = _validator({"$schema": "http://json-schema.org/draft-07/schema#", **schema})
    for value in values:
        valid = validator.is_valid(value)
        if valid:
            assert _in_region(over, value), (schema, value)
        if _in_region(under, value):
            assert valid, (schema, value)


def _closed_objects() -> list[dict[str, Any]]:
    """Objects closed several ways over names a, b, c: unevaluatedProperties false beside
    allOf members, anyOf branches or its own properties, an allOf member closed on its own,
    and additionalProperties false (2020-12)."""
    d2020 = "https://json-schema.org/draft/2020-12/schema"

    def props(names: str) -> dict[str, Any]:
        return {"properties": {n: {} for n in names}}

    groups = [["a"], ["a", "b"], ["b", "c"], ["ab", "c"]]
    out: list[dict[str, Any]] = []
    for group in groups:
        members = [props(g) for g in group]
        out.append({"allOf": members, "unevaluatedProperties": False})
        out.append({"anyOf": members, "unevaluatedProperties": False})
        out.append({**props("".join(group)), "additionalProperties": False})
        out.append({**props("".join(group)), "unevaluatedProperties": False})
        out.append({"allOf": [{**members[0], "unevaluatedProperties": False}, *members[1:]]})
    return [{"$schema": d2020, "type": "object", **s} for s in out]


def test_unevaluated_properties_proofs_hold_on_every_small_object() -> None:
    """Every pair of closed objects the prover calls compatible, checked on every object over
    the names a, b, c, d (the only thing these schemas look at): nothing the writer accepts is
    rejected by the reader. Some of the pairs are proven (the rule is exercised)."""
    objects = [
        {name: 1 for name, bit in zip("abcd", f"{mask:04b}", strict=True) if bit == "1"}
        for mask in range(16)
    ]
    proven = 0
    schemas = _closed_objects()
    for writer in schemas:
        for reader in schemas:
            result = check(writer, reader, mode=Mode.BACKWARD, witness_budget_s=0.01)
            if not result.compatible:
                continue
            proven += any(item.proof for item in result.checked)
            w, r = _validator(writer), _validator(reader)
            for value in objects:
                if w.is_valid(value):
                    assert r.is_valid(value), (writer, reader, value)
    assert proven >= 10, proven
