"""allOf / anyOf / oneOf: a node is a conjunction of parts, a union is a set of branches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import rules_structural as rst
from opa_contracts.compat.changes import NONE, B, F, Path, Raw, ok, under
from opa_contracts.compat.engine_disjoint import overlaps
from opa_contracts.compat.families import pair
from opa_contracts.compat.jsonvalues import Json, canon, short
from opa_contracts.compat.model import BACKWARD, FORWARD
from opa_contracts.compat.node_types import types_of
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.ruledefs import declared

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ

_COMB = ("allOf", "anyOf", "oneOf")


@dataclass
class Conj:
    """One conjunct of a node: its own keywords (a base), or a union of branches."""

    path: Path
    node: Json = None
    kind: str | None = None
    branches: list[tuple[Path, Json]] = field(default_factory=list)

    def key(self) -> Any:
        if self.kind is None:
            return ("base", canon(self.node))
        return (self.kind, tuple(canon(b) for _, b in self.branches))


def conjuncts(
    doc: Document, node: Json, path: Path = (), seen: set[int] | None = None
) -> list[Conj]:
    """The parts whose conjunction is ``node``: allOf is flattened, singletons unwrapped.

    A part met twice (the same schema, by reference or not) is kept once: ``A and A`` is ``A``,
    and an allOf whose ``$ref``s double at each level is flattened in linear time."""
    node = doc.view(node)
    seen = set() if seen is None else seen
    if id(node) in seen:
        return []
    seen.add(id(node))
    if node is True:
        return []
    if node is False:
        return [Conj(path, {"not": {}})]
    base = {
        k: v
        for k, v in node.items()
        if k not in _COMB and k not in vocab.ANNOTATIONS and not vocab.is_extension(k)
    }
    out: list[Conj] = [Conj(path, base)] if base else []
    for i, part in enumerate(node.get("allOf", ())):
        out.extend(conjuncts(doc, part, (*path, "allOf", str(i)), seen))
    for kind in ("anyOf", "oneOf"):
        branches = node.get(kind)
        if branches is None:
            continue
        if len(branches) == 1:
            out.extend(conjuncts(doc, branches[0], (*path, kind, "0"), seen))
        else:
            listed = [((*path, kind, str(i)), b) for i, b in enumerate(branches)]
            # Duplicate oneOf branches are not redundant: a value matching both is rejected.
            kept = listed if kind == "oneOf" else _dedupe_branches(doc, listed)
            out.append(Conj((*path, kind), kind=kind, branches=kept))
    if len(out) < 2:
        return out  # nothing to deduplicate: no need for keys of (possibly large) nodes
    keys: set[Any] = set()
    unique = []
    for c in out:
        k = c.key()
        if k not in keys:
            keys.add(k)
            unique.append(c)
    return unique


def _dedupe_branches(doc: Document, listed: list[tuple[Path, Json]]) -> list[tuple[Path, Json]]:
    seen: set[Any] = set()
    out = []
    for path, b in listed:
        key = canon(doc.view(b))
        if key not in seen:
            seen.add(key)
            out.append((path, b))
    return out


def diff_node(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes between two (dereferenced, non-boolean) nodes."""
    co = conjuncts(d.o, o)
    cn = conjuncts(d.n, n)
    if len(co) == 1 and len(cn) == 1:
        return under(cn[0].path, conj_pair(d, co[0], cn[0]))
    return _all_of(d, co, cn)


def conj_pair(d: Differ, a: Conj, b: Conj) -> list[Raw]:
    """Changes between two conjuncts, relative to the new conjunct's path."""
    if a.kind is None and b.kind is None:
        return pair(d, a.node, b.node)
    return _union(d, a, b)


#: the changes between old item i and new item j, for the pairs compared
Cells = dict[tuple[int, int], list[Raw]]


def _cells(
    d: Differ,
    old_items: list[Json],
    new_items: list[Json],
    compare: Callable[[int, int], list[Raw]],
) -> Cells:
    """The pairs of old and new items (union branches, allOf parts) worth comparing, compared.

    An old item textually equal to a new one (no ``$ref`` in either, so equal text is equal
    meaning) is paired with it by hash and compared with nothing else: it covers itself both
    ways, and the greedy matching takes such a pair (no change) first anyway. Each remaining
    item is compared with every item of the other side. So a 300-branch union with one
    branch changed takes about 300 + 2 x 300 comparisons, not 90,000."""
    old_keys = [_item_key(d, d.o, x) for x in old_items]
    waiting: dict[Any, list[int]] = {}
    for i, key in enumerate(old_keys):
        if key is not None:
            waiting.setdefault(key, []).append(i)
    same: dict[int, int] = {}  # new index -> old index
    for j, y in enumerate(new_items):
        key = _item_key(d, d.n, y)
        olds = waiting.get(key) if key is not None else None
        if olds:
            same[j] = olds.pop(0)
    old_same = set(same.values())
    cells: Cells = {(i, j): compare(i, j) for j, i in same.items()}
    for i in range(len(old_items)):
        for j in range(len(new_items)):
            if (i not in old_same or j not in same) and (i, j) not in cells:
                cells[(i, j)] = compare(i, j)
    return cells


def _item_key(d: Differ, doc: Document, item: Json) -> Any:
    """A hash key of ``item``'s text, or None when equal text may not mean equal schemas."""
    if d.o.dialect != d.n.dialect:
        return None
    node = doc.view(item)
    if isinstance(node, bool):
        return node
    if d._refs(node):
        return None
    return canon(node)


def _covered(cells: Cells, direction: str, by_old: bool, count: int) -> list[bool]:
    """For each item of one side, whether some item of the other side covers it."""
    out = [False] * count
    for (i, j), changes in cells.items():
        k = i if by_old else j
        if not out[k] and ok(changes, direction):
            out[k] = True
    return out


def _match(cells: Cells, similar: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    scored = []
    for (i, j), changes in cells.items():
        bwd, fwd = ok(changes, BACKWARD), ok(changes, FORWARD)
        if not (bwd or fwd or similar(i, j)):
            continue
        n_breaking = sum(1 for c in changes if c.breaks)
        scored.append(((bool(changes), not (bwd and fwd), not (bwd or fwd), n_breaking), i, j))
    scored.sort()
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for _, i, j in scored:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((i, j))
    return pairs


def _all_of(d: Differ, co: list[Conj], cn: list[Conj]) -> list[Raw]:
    m = _cells(
        d,
        [_show(a) for a in co],
        [_show(b) for b in cn],
        lambda i, j: conj_pair(d, co[i], cn[j]),
    )
    # A new part is safe for old data when some old part already implies it (and vice versa).
    new_covered = _covered(m, BACKWARD, False, len(cn))
    old_covered = _covered(m, FORWARD, True, len(co))

    def similar(i: int, j: int) -> bool:
        a, b = co[i], cn[j]
        if len(co) == 1 or len(cn) == 1:
            return True
        if a.kind or b.kind:
            return a.kind == b.kind
        return bool(
            types_of(a.node, dialect=d.o.dialect) & types_of(b.node, dialect=d.n.dialect)
        ) and ("type" in a.node or "type" not in b.node)

    out: list[Raw] = []
    pairs = _match(m, similar)
    for i, j in pairs:
        drop = (B if new_covered[j] else NONE) | (F if old_covered[i] else NONE)
        out.extend(c.without(drop).at(cn[j].path) for c in m[(i, j)])
    matched_i = {i for i, _ in pairs}
    matched_j = {j for _, j in pairs}
    for j, b in enumerate(cn):
        if j in matched_j:
            continue
        drop = B if new_covered[j] else NONE
        if b.kind is None and b.path[-2:-1] != ("allOf",):
            out.extend(c.without(drop).at(b.path) for c in pair(d, {}, b.node))
        else:
            msg = f"allOf part {short(_show(b))} added"
            out.append(
                d.mk(
                    rst.ALL_OF_PART_ADDED.id,
                    b.path,
                    None,
                    _show(b),
                    B - drop,
                    msg,
                    "PRODUCT_TYPE_EXTENDED",
                )
            )
    for i, a in enumerate(co):
        if i in matched_i:
            continue
        drop = F if old_covered[i] else NONE
        if a.kind is None and a.path[-2:-1] != ("allOf",):
            out.extend(c.without(drop).at(a.path) for c in pair(d, a.node, {}))
        else:
            msg = f"allOf part {short(_show(a))} removed"
            out.append(
                d.mk(
                    rst.ALL_OF_PART_REMOVED.id,
                    a.path,
                    _show(a),
                    None,
                    F - drop,
                    msg,
                    "PRODUCT_TYPE_NARROWED",
                )
            )
    return out


def _show(c: Conj) -> Json:
    if c.kind is None:
        return c.node
    return {c.kind: [b for _, b in c.branches]}


def _split_types(c: Conj) -> list[tuple[Path, Json]]:
    # ``type: [a, b]`` is a union too; splitting it lets each type meet its own branch.
    node = c.node
    types = node.get("type") if isinstance(node, Mapping) else None
    if isinstance(types, list) and len(types) > 1 and "enum" not in node and "const" not in node:
        return [(c.path, {**node, "type": t}) for t in types]
    return [(c.path, node)]


def _union(d: Differ, a: Conj, b: Conj) -> list[Raw]:
    old_br = a.branches if a.kind else _split_types(a)
    new_br = b.branches if b.kind else _split_types(b)
    rel_new = [p[len(b.path) :] for p, _ in new_br]
    rel_old = [p[len(b.path) :] if p[: len(b.path)] == b.path else p for p, _ in old_br]
    old_nodes, new_nodes = [x for _, x in old_br], [y for _, y in new_br]
    m = _cells(d, old_nodes, new_nodes, lambda i, j: d.diff(old_nodes[i], new_nodes[j]))
    old_covered = _covered(m, BACKWARD, True, len(old_br))
    new_covered = _covered(m, FORWARD, False, len(new_br))

    def similar(i: int, j: int) -> bool:
        if len(old_br) == 1 or len(new_br) == 1:
            return True
        x, y = d.o.view(old_br[i][1]), d.n.view(new_br[j][1])
        return bool(types_of(x, dialect=d.o.dialect) & types_of(y, dialect=d.n.dialect))

    out: list[Raw] = []
    if a.kind and b.kind and a.kind != b.kind:
        msg = f"{a.kind} became {b.kind}"
        conf = "COMBINED_TYPE_EXTENDED" if b.kind == "anyOf" else "COMBINED_TYPE_CHANGED"
        out.append(d.mk(rst.COMBINATOR_CHANGED.id, (), a.kind, b.kind, NONE, msg, conf))
    pairs = _match(m, similar)
    for i, j in pairs:
        drop = (B if old_covered[i] else NONE) | (F if new_covered[j] else NONE)
        out.extend(c.without(drop).at(rel_new[j]) for c in m[(i, j)])
    kind = b.kind or a.kind or "anyOf"
    slug = "one-of" if kind == "oneOf" else "any-of"
    for j in set(range(len(new_br))) - {j for _, j in pairs}:
        msg = f"{kind} branch {short(new_br[j][1])} added"
        brk = NONE if new_covered[j] else F
        out.append(
            d.mk(
                declared(f"{slug}-branch-added").id,
                rel_new[j],
                None,
                new_br[j][1],
                brk,
                msg,
                "SUM_TYPE_EXTENDED",
            )
        )
    for i in set(range(len(old_br))) - {i for i, _ in pairs}:
        msg = f"{a.kind or kind} branch {short(old_br[i][1])} removed"
        brk = NONE if old_covered[i] else B
        out.append(
            d.mk(
                declared(f"{slug}-branch-removed").id,
                rel_old[i],
                old_br[i][1],
                None,
                brk,
                msg,
                "SUM_TYPE_NARROWED",
            )
        )
    out.extend(overlaps(d, a.kind, old_br, b.kind, new_br, pairs, m))
    return sorted(out, key=lambda c: c.path)
