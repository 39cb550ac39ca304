"""Content models: declared members against the schema for the rest, for objects and tuples alike.

An object declares properties and gives the other names ``additionalProperties`` (or
``unevaluatedProperties``); a tuple declares positions (``prefixItems``, or ``items`` as an array)
and gives the later items ``items``/``additionalItems`` (or ``unevaluatedItems``). A member added or
removed is judged by the rest schema of the other side, which is *closed* (``false``), *open*
(accepts anything) or *partially open* (any other schema). One algorithm serves both; objects and
tuples differ only in their words: rule ids, Confluent's names and messages (:class:`Words`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opa_contracts.compat import rules_structural as rst
from opa_contracts.compat.changes import NONE, B, F, Path, Raw, ok, under
from opa_contracts.compat.jsonvalues import Json, is_trivial, short
from opa_contracts.compat.model import BACKWARD
from opa_contracts.compat.resolve import Document
from opa_contracts.compat.ruledefs import declared

if TYPE_CHECKING:
    from opa_contracts.compat.engine import Differ


def openness(rest: Json, doc: Document) -> str:
    """``closed``, ``open`` or ``partial``: how a rest schema treats undeclared members."""
    rest = doc.view(rest)
    if rest is False:
        return "closed"
    return "open" if is_trivial(rest) else "partial"


@dataclass(frozen=True)
class Outcome:
    """The rule, Confluent's name and the message of one kind of member change.

    The message may use ``{member}`` and ``{cover}`` (the rest schema); Confluent's name may use
    ``{covered}`` (``IS``/``NOT``: whether the rest schema's values all fit the member's schema)
    and ``{false}`` (``_WITH_FALSE`` when the removed member's schema was ``false``).
    """

    rule: str
    confluent: str
    message: str


@dataclass(frozen=True)
class Words:
    """How one kind of content model names each outcome of :func:`added` and :func:`removed`."""

    added_to_closed: Outcome
    added_anything_to_open: Outcome
    added_to_open: Outcome
    added_to_partial: Outcome
    removed_from_open: Outcome
    removed_from_closed: Outcome
    removed_from_partial: Outcome


PROPERTIES = Words(
    added_to_closed=Outcome(
        rst.PROPERTY_ADDED_TO_CLOSED_MODEL.id,
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "{member} added to a closed object",
    ),
    added_anything_to_open=Outcome(
        rst.PROPERTY_WITH_EMPTY_SCHEMA_ADDED.id,
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "{member} that accepts anything declared",
    ),
    added_to_open=Outcome(
        rst.PROPERTY_ADDED_TO_OPEN_MODEL.id,
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "{member} declared on an open object: old data may carry it with any value",
    ),
    added_to_partial=Outcome(
        rst.PROPERTY_ADDED_TO_PARTIALLY_OPEN_MODEL.id,
        "PROPERTY_ADDED_{covered}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "{member} declared where {cover} covered it",
    ),
    removed_from_open=Outcome(
        rst.PROPERTY_REMOVED_FROM_OPEN_MODEL.id,
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "{member} no longer declared on an open object",
    ),
    removed_from_closed=Outcome(
        rst.PROPERTY_REMOVED_FROM_CLOSED_MODEL.id,
        "PROPERTY{false}_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "{member} removed from a closed object",
    ),
    removed_from_partial=Outcome(
        rst.PROPERTY_REMOVED_FROM_PARTIALLY_OPEN_MODEL.id,
        "PROPERTY_REMOVED_{covered}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "{member} removed; {cover} now covers it",
    ),
)

TUPLE_ITEMS = Words(
    added_to_closed=Outcome(
        rst.ITEM_ADDED_TO_CLOSED_TUPLE.id,
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        "{member} added to a closed tuple",
    ),
    added_anything_to_open=Outcome(
        rst.ITEM_WITH_EMPTY_SCHEMA_ADDED.id,
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "{member} that accepts anything declared",
    ),
    added_to_open=Outcome(
        rst.ITEM_ADDED_TO_OPEN_TUPLE.id,
        "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
        "{member} declared where old arrays could hold any value",
    ),
    added_to_partial=Outcome(
        rst.ITEM_ADDED_TO_PARTIALLY_OPEN_TUPLE.id,
        "ITEM_ADDED_{covered}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "{member} declared where {cover} covered it",
    ),
    removed_from_open=Outcome(
        rst.ITEM_REMOVED_FROM_OPEN_TUPLE.id,
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "{member} removed; extra items accept anything",
    ),
    removed_from_closed=Outcome(
        rst.ITEM_REMOVED_FROM_CLOSED_TUPLE.id,
        "ITEM{false}_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "{member} removed from a closed tuple",
    ),
    removed_from_partial=Outcome(
        rst.ITEM_REMOVED_FROM_PARTIALLY_OPEN_TUPLE.id,
        "ITEM_REMOVED_{covered}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "{member} removed; {cover} now covers it",
    ),
)


def _change(
    d: Differ,
    outcome: Outcome,
    path: Path,
    old: Json,
    new: Json,
    breaks: frozenset[str],
    member: str,
    cover: Json = None,
    covered: str = "",
    false: str = "",
) -> Raw:
    message = outcome.message.format(member=member, cover=short(cover))
    confluent = outcome.confluent.format(covered=covered, false=false)
    return d.mk(outcome.rule, path, old, new, breaks, message, confluent)


def added(
    d: Differ, words: Words, member: str, path: Path, schema: Json, old_rest: Json
) -> list[Raw]:
    """A member the new side declares and the old one left to ``old_rest``."""
    kind = openness(old_rest, d.o)
    if kind == "closed":
        brk = NONE if d.n.view(schema) is False else F
        return [_change(d, words.added_to_closed, path, None, schema, brk, member)]
    if kind == "open":
        if is_trivial(d.n.view(schema)):
            return [_change(d, words.added_anything_to_open, path, None, schema, NONE, member)]
        return [_change(d, words.added_to_open, path, None, schema, B, member)]
    nested = d.diff(old_rest, schema)
    covered = "IS" if ok(nested, BACKWARD) else "NOT"
    note = _change(
        d, words.added_to_partial, path, old_rest, schema, NONE, member, old_rest, covered
    )
    return [*under(path, nested), note]


def removed(
    d: Differ, words: Words, member: str, path: Path, schema: Json, new_rest: Json
) -> list[Raw]:
    """A member the old side declared and the new one leaves to ``new_rest``."""
    kind = openness(new_rest, d.n)
    if kind == "open":
        brk = NONE if is_trivial(d.o.view(schema)) else F
        return [_change(d, words.removed_from_open, path, schema, None, brk, member)]
    if kind == "closed":
        was_false = d.o.view(schema) is False
        brk = NONE if was_false else B
        false = "_WITH_FALSE" if was_false else ""
        return [_change(d, words.removed_from_closed, path, schema, None, brk, member, false=false)]
    nested = d.diff(schema, new_rest)
    covered = "IS" if ok(nested, BACKWARD) else "NOT"
    note = _change(
        d, words.removed_from_partial, path, schema, new_rest, NONE, member, new_rest, covered
    )
    return [*under(path, nested), note]


def open_close(
    d: Differ, a: Json, b: Json, path: Path, slug: str, conf: str, a_doc: Document, b_doc: Document
) -> list[Raw]:
    """Changes of a rest schema itself (additional/unevaluated properties or items)."""
    ka, kb = openness(a, a_doc), openness(b, b_doc)
    if ka == kb == "partial":
        return under(path, d.diff(a, b))
    if ka == kb:
        return []
    if ka == "closed":
        rule, brk, word = "opened", F, "ADDED"
    elif kb == "closed":
        rule, brk, word = "closed", B, "REMOVED"
    elif kb == "partial":
        rule, brk, word = "narrowed", B, "NARROWED"
    else:
        rule, brk, word = "extended", F, "EXTENDED"
    msg = f"{path[-1]} changed from {short(a)} to {short(b)}"
    return [d.mk(declared(f"{slug}-{rule}").id, path, a, b, brk, msg, f"{conf}_{word}")]
