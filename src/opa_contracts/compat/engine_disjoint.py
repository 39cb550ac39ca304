"""oneOf overlap: a message that matches two branches is rejected by oneOf."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opa_contracts.compat import rules_structural as rst
from opa_contracts.compat.changes import B, F, Path, Raw
from opa_contracts.compat.jsonvalues import Json, canon
from opa_contracts.compat.node_types import enum_values, types_of
from opa_contracts.compat.resolve import Document

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


def overlaps(
    d: Differ,
    old_kind: str | None,
    old_br: list[tuple[Path, Json]],
    new_kind: str | None,
    new_br: list[tuple[Path, Json]],
    pairs: list[tuple[int, int]],
    m: Mapping[tuple[int, int], list[Raw]],
) -> list[Raw]:
    """Overlap changes for the reader's oneOf, one per pair of branches not proven disjoint.

    Only branches that are new or changed can create an overlap that hurts: two unchanged
    branches that overlap already rejected those messages before the change.
    """
    out: list[Raw] = []
    if new_kind == "oneOf":
        # Identical branches must be paired one to one: a branch duplicated in the new oneOf
        # is not covered by the single old copy.
        same = {j for i, j in pairs if not m[(i, j)]}
        check = [j for j in range(len(new_br)) if old_kind != "oneOf" or j not in same]
        out.extend(_pairs(d, d.n, new_br, check, B, "new"))
    if old_kind == "oneOf":
        same = {i for i, j in pairs if not m[(i, j)]}
        check = [i for i in range(len(old_br)) if new_kind != "oneOf" or i not in same]
        out.extend(_pairs(d, d.o, old_br, check, F, "old"))
    return out


def _pairs(
    d: Differ,
    doc: Document,
    branches: list[tuple[Path, Json]],
    check: list[int],
    direction: frozenset[str],
    side: str,
) -> list[Raw]:
    out: list[Raw] = []
    done: set[tuple[int, int]] = set()
    for j in check:
        for k in range(len(branches)):
            key = (min(j, k), max(j, k))
            if k == j or key in done:
                continue
            done.add(key)
            if not disjoint(doc, branches[j][1], branches[k][1]):
                rel: Path = ()
                msg = (
                    f"{side} oneOf branches {key[0]} and {key[1]} may both match one message,"
                    " which oneOf then rejects"
                )
                out.append(
                    d.mk(
                        rst.ONE_OF_BRANCHES_OVERLAP.id,
                        rel,
                        None,
                        list(key),
                        direction,
                        msg,
                    )
                )
    return out


def disjoint(doc: Document, x: Json, y: Json) -> bool:
    """True when no value can match both schemas (by types, enums or a required const tag)."""
    x, y = doc.view(x), doc.view(y)
    if x is False or y is False:
        return True
    if x is True or y is True:
        return False
    if not (types_of(x, doc) & types_of(y, doc)):
        return True
    for a, b in ((x, y), (y, x)):
        values = enum_values(a)
        validator = doc.local_validator(b)
        if (
            values is not None
            and validator is not None
            and not any(validator.is_valid(v) for v in values)
        ):
            return True
    return _tagged(doc, x, y)


def _tagged(doc: Document, x: Mapping[str, Any], y: Mapping[str, Any]) -> bool:
    px, py = x.get("properties", {}), y.get("properties", {})
    rx, ry = set(x.get("required", ())), set(y.get("required", ()))
    for name in set(px) & set(py) & rx & ry:
        vx = enum_values(doc.view(px[name]))
        vy = enum_values(doc.view(py[name]))
        if vx is None or vy is None:
            continue
        if not ({canon(v) for v in vx} & {canon(v) for v in vy}):
            return True
    return False
