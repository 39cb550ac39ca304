"""Arrays: items, tuple positions against their content model, contains, sizes, uniqueness."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import rules_scalar as rsc
from opa_contracts.compat.changes import B, F, Path, Raw, under
from opa_contracts.compat.content_model import TUPLE_ITEMS, added, open_close, removed
from opa_contracts.compat.engine_conditional import slot
from opa_contracts.compat.engine_scalar import bound
from opa_contracts.compat.jsonvalues import Json
from opa_contracts.compat.resolve import Document

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


class ArrayModel:
    """A tuple (positional schemas, maybe none) and the schema for the items after it."""

    def __init__(self, node: Mapping[str, Any], doc: Document) -> None:
        self.tuple: list[Json] | None = None
        self.tuple_kw = "items"
        self.rest: Json = None
        self.rest_kw: str | None = None
        items = node.get("items")
        if doc.dialect == vocab.DRAFT2020:
            if "prefixItems" in node:
                self.tuple, self.tuple_kw = list(node["prefixItems"]), "prefixItems"
            if items is not None:
                self.rest, self.rest_kw = items, "items"
        elif isinstance(items, list):
            self.tuple = list(items)
            if "additionalItems" in node:
                self.rest, self.rest_kw = node["additionalItems"], "additionalItems"
        elif items is not None:
            self.rest, self.rest_kw = items, "items"
        # draft-07: additionalItems without an items array has no effect, so it is ignored.
        if self.rest is None and vocab.is_modern(doc.dialect) and "unevaluatedItems" in node:
            self.rest, self.rest_kw = node["unevaluatedItems"], "unevaluatedItems"

    def rest_or_true(self) -> Json:
        """The rest schema, ``true`` when absent."""
        return True if self.rest is None else self.rest


def diff_array(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """Changes to array keywords."""
    mo, mn = ArrayModel(o, d.o), ArrayModel(n, d.n)
    out: list[Raw] = []
    if mo.tuple is None and mn.tuple is None:
        out += _items(d, mo, mn)
    else:
        out += _tuples(d, mo, mn)
        rest_kw = (
            mn.rest_kw
            or mo.rest_kw
            or ("items" if d.n.dialect == vocab.DRAFT2020 else "additionalItems")
        )
        unevaluated = rest_kw == "unevaluatedItems"
        slug = "unevaluated-items" if unevaluated else "additional-items"
        conf = "UNEVALUATED_ITEMS" if unevaluated else "ADDITIONAL_ITEMS"
        out += open_close(d, mo.rest_or_true(), mn.rest_or_true(), (rest_kw,), slug, conf, d.o, d.n)
    contains_o, contains_n = o.get("contains"), n.get("contains")
    out += slot(d, contains_o, contains_n, ("contains",))
    if contains_o is not None and contains_n is not None:
        out += bound(d, "minContains", o.get("minContains", 1), n.get("minContains", 1))
        out += bound(d, "maxContains", o.get("maxContains"), n.get("maxContains"))
    out += bound(d, "minItems", o.get("minItems"), n.get("minItems"))
    out += bound(d, "maxItems", o.get("maxItems"), n.get("maxItems"))
    a, b = bool(o.get("uniqueItems")), bool(n.get("uniqueItems"))
    if a != b:
        rule, brk = (rsc.UNIQUE_ITEMS_ADDED.id, B) if b else (rsc.UNIQUE_ITEMS_REMOVED.id, F)
        msg = "items must now be unique" if b else "items need no longer be unique"
        conf = "UNIQUE_ITEMS_ADDED" if b else "UNIQUE_ITEMS_REMOVED"
        out.append(
            d.mk(rule, ("uniqueItems",), o.get("uniqueItems"), n.get("uniqueItems"), brk, msg, conf)
        )
    return out


def _items(d: Differ, mo: ArrayModel, mn: ArrayModel) -> list[Raw]:
    a, b = mo.rest, mn.rest
    key = mn.rest_kw or mo.rest_kw or "items"
    if (a is not None and d.o.view(a) is False) or (b is not None and d.n.view(b) is False):
        return open_close(
            d,
            mo.rest_or_true(),
            mn.rest_or_true(),
            (key,),
            "additional-items",
            "ADDITIONAL_ITEMS",
            d.o,
            d.n,
        )
    return slot(d, a, b, (key,))


def _tuples(d: Differ, mo: ArrayModel, mn: ArrayModel) -> list[Raw]:
    to, tn = mo.tuple or [], mn.tuple or []
    key = mn.tuple_kw if mn.tuple is not None else mo.tuple_kw
    out: list[Raw] = []
    for i in range(max(len(to), len(tn))):
        path: Path = (key, str(i))
        if i < len(to) and i < len(tn):
            out += under(path, d.diff(to[i], tn[i]))
        elif i < len(tn):
            out += added(d, TUPLE_ITEMS, f"tuple position {i}", path, tn[i], mo.rest_or_true())
        else:
            out += removed(d, TUPLE_ITEMS, f"tuple position {i}", path, to[i], mn.rest_or_true())
    return out
