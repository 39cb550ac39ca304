"""The recursive comparison of two schema documents (old → new), node by node."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import engine_combinators as comb
from opa_contracts.compat import rules_scalar as rsc
from opa_contracts.compat import rules_structural as rst
from opa_contracts.compat.changes import BF, NONE, Path, Raw
from opa_contracts.compat.jsonvalues import Json, is_trivial, json_equal, short
from opa_contracts.compat.keywords import NAMED_ANNOTATIONS, OTHER_ANNOTATIONS
from opa_contracts.compat.model import Policy
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.rules import LENIENT_RELAXES
from opa_contracts.rules import catalog as rc

_MAX_STEPS = 200_000
#: changes carried up from compared pairs to their parents, all pairs together: a schema whose
#: references double at each level (a "ref bomb") reaches one change by 2**depth paths
_MAX_CARRIED = 200_000


_UNEVALUATED = ("unevaluatedProperties", "unevaluatedItems")
# applicators whose evaluated names and items an adjacent unevaluated* keyword sees
_IN_PLACE = (
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
    "dependentSchemas",
)


class Differ:
    """Compares nodes of the old document with nodes of the new one; see :meth:`diff`."""

    def __init__(self, old: Document, new: Document, policy: Policy) -> None:
        self.o = old
        self.n = new
        self.policy = policy
        self._active: dict[tuple[int, int], tuple[Json, Json]] = {}
        self._cache: dict[tuple[int, int], tuple[Json, Json, list[Raw]]] = {}
        self._has_ref: dict[int, bool] = {}
        self.keep: list[Json] = []
        self.steps = 0
        self.carried = 0

    def mk(
        self,
        rule: str,
        path: Path,
        old: Any,
        new: Any,
        breaks: frozenset[str],
        message: str,
        confluent: str | None = None,
    ) -> Raw:
        """A change, with the policy applied to the directions it breaks."""
        if self.policy is Policy.LENIENT:
            breaks = breaks - LENIENT_RELAXES.get(rule, NONE)
        return Raw(rule, path, old, new, breaks, message, confluent)

    def diff(self, old: Json, new: Json) -> list[Raw]:
        """Changes from ``old`` (a node of the old document) to ``new`` (of the new one)."""
        old = self.o.view(old)
        new = self.n.view(new)
        key = (id(old), id(new))
        cached = self._cache.get(key)
        if cached is not None:
            return cached[2]
        if key in self._active:
            # A recursive pair met again while being compared: assumed equal here; any
            # difference inside it is reported where the recursion started.
            return []
        self.steps += 1
        if self.steps > _MAX_STEPS or self.carried > _MAX_CARRIED:
            return [self._too_large()]
        self._active[key] = (old, new)
        try:
            out = self._diff(old, new)
        finally:
            del self._active[key]
        self.carried += len(out)
        if self.carried > _MAX_CARRIED:
            out = [self._too_large()]
        self._cache[key] = (old, new, out)
        return out

    def _too_large(self) -> Raw:
        what = (
            f"{_MAX_CARRIED:,} changes, counted along every path"
            if self.carried > _MAX_CARRIED
            else f"{_MAX_STEPS:,} keyword comparisons"
        )
        return self.mk(
            rc.SCHEMA_TOO_LARGE_TO_COMPARE.id,
            (),
            None,
            None,
            BF,
            f"schemas too large to compare (over {what})",
        )

    def _diff(self, old: Json, new: Json) -> list[Raw]:
        old, new = _as_boolean(self.o, old), _as_boolean(self.n, new)
        if old is False:
            if new is False:
                return []
            return [
                self.mk(
                    rsc.SCHEMA_NO_LONGER_FALSE.id,
                    (),
                    False,
                    new,
                    frozenset({"forward"}),
                    "a `false` schema now accepts values",
                )
            ]
        if new is False:
            return [
                self.mk(
                    rsc.SCHEMA_SET_TO_FALSE.id,
                    (),
                    old,
                    False,
                    frozenset({"backward"}),
                    "the schema became `false` and rejects every value",
                )
            ]
        o: Mapping[str, Any] = {} if old is True else old
        n: Mapping[str, Any] = {} if new is True else new
        out = self._foreign(self.o.foreign_of.get(id(o), {}), self.n.foreign_of.get(id(n), {}))
        if self._same(o, n):
            return out
        out.extend(self._unevaluated(o, n))
        out.extend(self._annotations(o, n))
        out.extend(comb.diff_node(self, o, n))
        return out

    def _unevaluated(self, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
        """``unevaluated*`` beside in-place applicators sees what every branch evaluated; the
        keyword handlers compare it as if it were ``additional*`` (local names only), which is
        unsound there, so any change to such a node is also flagged for a witness or a proof."""
        for node, doc in ((o, self.o), (n, self.n)):
            if (
                vocab.is_modern(doc.dialect)
                and any(k in node for k in _UNEVALUATED)
                and any(k in node for k in _IN_PLACE)
            ):
                return [
                    self.mk(
                        rst.UNEVALUATED_CONTEXT_CHANGED.id,
                        (),
                        None,
                        None,
                        BF,
                        "a schema whose unevaluated keywords see in-place applicators changed",
                    )
                ]
        return []

    def _same(self, o: Mapping[str, Any], n: Mapping[str, Any]) -> bool:
        if o is n and self.o.root is self.n.root:
            return True
        if self.o.dialect != self.n.dialect or self._refs(o) or self._refs(n):
            return False
        return json_equal(o, n)

    def _refs(self, node: Json) -> bool:
        hit = self._has_ref.get(id(node))
        if hit is None:
            if isinstance(node, Mapping):
                hit = "$ref" in node or any(self._refs(v) for v in node.values())
            elif isinstance(node, list):
                hit = any(self._refs(v) for v in node)
            else:
                hit = False
            self._has_ref[id(node)] = hit
            self.keep.append(node)
        return hit

    def _foreign(self, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
        """Keywords foreign to a schema's dialect (``prefixItems`` in draft-07): validators
        ignore them, so a change to one is an annotation change, whatever it says."""
        out: list[Raw] = []
        for key in dict.fromkeys((*o, *n)):
            a, b = o.get(key), n.get(key)
            if key not in o or key not in n or not json_equal(a, b):
                dialect = self.n.dialect if key in n else self.o.dialect
                what = (
                    f"{short(b)} added"
                    if key not in o
                    else f"{short(a)} removed"
                    if key not in n
                    else f"changed from {short(a)} to {short(b)}"
                )
                msg = (
                    f"{key} {what}; it is not a {dialect} keyword, so validators ignore it "
                    "and the change has no effect"
                )
                out.append(self.mk(rsc.ANNOTATION_CHANGED.id, (key,), a, b, NONE, msg))
        return out

    def _annotations(self, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
        out: list[Raw] = []
        for key, (rule, conf) in NAMED_ANNOTATIONS.items():
            if key == "id" and self.o.dialect != vocab.DRAFT4:
                continue
            if key in o or key in n:
                a, b = o.get(key), n.get(key)
                if not json_equal(a, b):
                    msg = f"{key} changed from {short(a)} to {short(b)}"
                    out.append(self.mk(rule, (key,), a, b, NONE, msg, conf))
        others = [k for k in (*o, *n) if k in OTHER_ANNOTATIONS or vocab.is_extension(k)]
        for key in dict.fromkeys(others):
            a, b = o.get(key), n.get(key)
            if not json_equal(a, b):
                msg = f"annotation {key} changed from {short(a)} to {short(b)}"
                out.append(self.mk(rsc.ANNOTATION_CHANGED.id, (key,), a, b, NONE, msg))
        return out


def _as_boolean(doc: Document, node: Json) -> Json:
    """``{"not": {}}`` (``{"not": true}``) is ``false``, and compared as ``false`` is; ``true``
    and ``{}`` need nothing (both are compared as ``{}``)."""
    one_not = isinstance(node, Mapping) and len(node) == 1 and "not" in node
    return False if one_not and is_trivial(doc.view(node["not"])) else node


def compare_documents(old: Document, new: Document, policy: Policy) -> list[Raw]:
    """Every change from the old document's root to the new one's, with relative paths."""
    differ = Differ(old, new, policy)
    out: list[Raw] = []
    a, b = old.root.get("$schema"), new.root.get("$schema")
    if a != b:
        msg = f"$schema changed from {old.dialect} to {new.dialect}"
        out.append(differ.mk(rsc.DIALECT_CHANGED.id, ("$schema",), a, b, NONE, msg))
    out.extend(differ.diff(old.top, new.top))
    return out
