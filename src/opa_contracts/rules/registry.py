"""The one registry of rules: validation, diff and generation rules, looked up by id."""

from __future__ import annotations

from functools import cache

from opa_contracts.rules.catalog import (
    DOCTOR_RULES,
    GENERATE_RULES,
    IMPORT_RULES,
    VALIDATE_RULES,
    VERSIONING_RULES,
)
from opa_contracts.rules.model import Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule: validation, versioning, schema diff, generation, import, then doctor rules."""
    rules = VALIDATE_RULES + VERSIONING_RULES + _diff_rules() + GENERATE_RULES + IMPORT_RULES
    return rules + DOCTOR_RULES


@cache
def by_id() -> dict[str, Rule]:
    """Rules by id (validation rules only need this module, not the diff engine)."""
    return {rule.id: rule for rule in all_rules()}


@cache
def validate_rules_by_id() -> dict[str, Rule]:
    """Validation rules by id, without importing the diff engine."""
    return {rule.id: rule for rule in VALIDATE_RULES}


def _diff_rules() -> tuple[Rule, ...]:
    # imported here so that `validate` does not load the diff engine's modules
    from opa_contracts.compat.rules import DIFF_RULES

    return tuple(DIFF_RULES)
