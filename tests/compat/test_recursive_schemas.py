"""Recursive schemas are compared by coinduction: random changes at the payload of a tree type
(which repeats at every depth), each "compatible" checked on random trees, each witness confirmed
by jsonschema-rs."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from opa_contracts.compat import Mode, check, compare
from tests.compat.test_properties import FAST, INSTANCES, SCHEMAS, _validator

LEAVES = st.one_of(SCHEMAS, st.booleans())


def tree(leaf: Any) -> dict[str, Any]:
    """A node holds a payload ``v`` and up to two child nodes, and so on down."""
    return {
        "$ref": "#/definitions/T",
        "definitions": {
            "T": {
                "type": "object",
                "properties": {
                    "v": leaf,
                    "kids": {"type": "array", "items": {"$ref": "#/definitions/T"}, "maxItems": 2},
                },
            }
        },
    }


TREES = st.recursive(
    INSTANCES.map(lambda v: {"v": v}),
    lambda inner: st.builds(
        lambda v, kids: {"v": v, "kids": kids}, INSTANCES, st.lists(inner, max_size=2)
    ),
    max_leaves=4,
)


@FAST
@given(LEAVES)
def test_a_recursive_schema_is_unchanged_against_itself(leaf: Any) -> None:
    assert compare(tree(leaf), tree(leaf)) == []


@FAST
@given(LEAVES, LEAVES, st.lists(TREES, max_size=15))
def test_compatible_trees_read_every_tree_written(
    old_leaf: Any, new_leaf: Any, trees: list[Any]
) -> None:
    old, new = tree(old_leaf), tree(new_leaf)
    result = check(old, new, mode=Mode.BACKWARD, witness_budget_s=0.05)
    writer, reader = _validator(old), _validator(new)
    for item in result.incompatible:
        if item.witness_found:
            assert writer.is_valid(item.witness), item
            assert not reader.is_valid(item.witness), item
    if result.compatible:
        for value in trees:
            if writer.is_valid(value):
                assert reader.is_valid(value), (old_leaf, new_leaf, value)
