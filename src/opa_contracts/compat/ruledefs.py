"""The registry that rule declarations fill, and the helper that declares one rule."""

from __future__ import annotations

import sys

from opa_contracts.findings import Severity
from opa_contracts.rules.model import Example, Rule

B = frozenset({"backward"})
F = frozenset({"forward"})
BF = frozenset({"backward", "forward"})
N: frozenset[str] = frozenset()

# Directions that Confluent's LENIENT policy stops counting (it assumes producers only ever
# wrote declared properties). The forward entries mirror the backward ones, because FORWARD is
# BACKWARD with the two schemas swapped.
LENIENT_RELAXES: dict[str, frozenset[str]] = {}

# Rules about what a manifest declares beside its payload schema (the encoding): the diff session
# (diffing/pairs.py) finds them, not the schema engine; their example is a manifest fragment.
MANIFEST_RULES: set[str] = set()

RULES: list[Rule] = []
_BY_ID: dict[str, Rule] = {}
#: rule id -> the module that declared it (listings keep the modules' order, not import order)
ORIGINS: dict[str, str] = {}


def declared(rule_id: str) -> Rule:
    """The declared rule of an id built from a table (``f"{slug}-branch-added"``): a ``KeyError``
    for an id nobody declared, so engine code cannot emit a rule the catalog does not list."""
    return _BY_ID[rule_id]


def declare(
    rule_id: str,
    breaks: frozenset[str],
    confluent: tuple[str, ...],
    purpose: str,
    before: str,
    after: str,
    *,
    lenient: frozenset[str] = N,
    manifest: bool = False,
) -> Rule:
    """Declare one diff rule; the returned object is what the engine code that finds the change
    names (``mk(ENUM_VALUE_REMOVED.id, ...)``), so an id cannot exist apart from its rule."""
    rule = Rule(
        id=rule_id,
        category="diff",
        severity=Severity.ERROR if breaks else Severity.NOTE,
        purpose=purpose,
        breaks=breaks,
        confluent=confluent,
        example=Example(before=before, after=after),
    )
    RULES.append(rule)
    _BY_ID[rule_id] = rule
    ORIGINS[rule_id] = sys._getframe(1).f_globals.get("__name__", "")
    if lenient:
        LENIENT_RELAXES[rule_id] = lenient
    if manifest:
        MANIFEST_RULES.add(rule_id)
    return rule
