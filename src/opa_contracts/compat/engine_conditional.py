"""Optional sub-schema slots, `not`, and if/then/else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opa_contracts.compat import rules_scalar as rsc
from opa_contracts.compat import rules_structural as rst
from opa_contracts.compat.changes import BF, B, F, Path, Raw, breaks, under
from opa_contracts.compat.jsonvalues import Json, is_trivial, short
from opa_contracts.compat.model import BACKWARD, FORWARD

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


def slot(
    d: Differ,
    a: Json,
    b: Json,
    path: Path,
    *,
    added: tuple[str, str] = (rsc.SUBSCHEMA_ADDED.id, "SCHEMA_ADDED"),
    removed: tuple[str, str] = (rsc.SUBSCHEMA_REMOVED.id, "SCHEMA_REMOVED"),
) -> list[Raw]:
    """Changes of an optional sub-schema, where absent means "accepts anything"."""
    ta = a is None or is_trivial(d.o.view(a))
    tb = b is None or is_trivial(d.n.view(b))
    if ta and tb:
        return []
    if ta:
        msg = f"{path[-1]} {short(b)} added" if path[0] == path[-1] else f"{'/'.join(path)} added"
        return [d.mk(added[0], path, a, b, B, msg, added[1])]
    if tb:
        msg = (
            f"{path[-1]} {short(a)} removed" if path[0] == path[-1] else f"{'/'.join(path)} removed"
        )
        return [d.mk(removed[0], path, a, b, F, msg, removed[1])]
    return under(path, d.diff(a, b))


def diff_not(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """`not`: the inner schemas are compared, and the verdict turned around."""
    a, b = o.get("not"), n.get("not")
    if a is None and b is None:
        return []
    if a is None or b is None:
        # An absent `not` excludes nothing; `not: {}` excludes everything, so no "trivial" here.
        if a is None and d.n.view(b) is not False:
            return [
                d.mk(
                    rsc.SUBSCHEMA_ADDED.id,
                    ("not",),
                    a,
                    b,
                    B,
                    f"not {short(b)} added",
                    "SCHEMA_ADDED",
                )
            ]
        if b is None and d.o.view(a) is not False:
            return [
                d.mk(
                    rsc.SUBSCHEMA_REMOVED.id,
                    ("not",),
                    a,
                    b,
                    F,
                    f"not {short(a)} removed",
                    "SCHEMA_REMOVED",
                )
            ]
        return []
    inner = d.diff(a, b)
    # What the inner schema newly accepts, the outer one newly rejects, and vice versa.
    out_b = breaks(inner, FORWARD)
    out_f = breaks(inner, BACKWARD)
    if not (out_b or out_f):
        return []
    msg = f"not changed from {short(a)} to {short(b)}"
    if out_b and out_f:
        return [
            d.mk(
                rst.NOT_CHANGED.id,
                ("not",),
                a,
                b,
                BF,
                msg,
                "NOT_TYPE_EXTENDED",
            )
        ]
    if out_b:
        return [
            d.mk(
                rst.NOT_EXTENDED.id,
                ("not",),
                a,
                b,
                B,
                msg,
                "NOT_TYPE_EXTENDED",
            )
        ]
    return [
        d.mk(
            rst.NOT_NARROWED.id,
            ("not",),
            a,
            b,
            F,
            msg,
            "NOT_TYPE_NARROWED",
        )
    ]


def diff_conditional(d: Differ, o: Mapping[str, Any], n: Mapping[str, Any]) -> list[Raw]:
    """if/then/else: compared branch by branch only when the condition did not change."""
    a, b = o.get("if"), n.get("if")
    old_has = a is not None and not (_absent(o, "then") and _absent(o, "else"))
    new_has = b is not None and not (_absent(n, "then") and _absent(n, "else"))
    if not old_has and not new_has:
        return []
    shown_o = {k: o[k] for k in ("if", "then", "else") if k in o}
    shown_n = {k: n[k] for k in ("if", "then", "else") if k in n}
    if not old_has:
        return [d.mk(rst.CONDITIONAL_ADDED.id, ("if",), None, shown_n, B, "if/then/else added")]
    if not new_has:
        return [d.mk(rst.CONDITIONAL_REMOVED.id, ("if",), shown_o, None, F, "if/then/else removed")]
    if any(c.breaks for c in d.diff(a, b)):
        msg = f"the if condition changed from {short(a)} to {short(b)}"
        return [d.mk(rst.CONDITIONAL_CHANGED.id, ("if",), shown_o, shown_n, BF, msg)]
    out = slot(d, o.get("then"), n.get("then"), ("then",))
    out += slot(d, o.get("else"), n.get("else"), ("else",))
    return out


def _absent(node: Mapping[str, Any], key: str) -> bool:
    return key not in node or node[key] is True or node[key] == {}
