"""All diff rules, in declaration order, and lookups over them."""

from __future__ import annotations

from types import ModuleType

from opa_contracts.compat import rules_scalar, rules_structural
from opa_contracts.compat.ruledefs import LENIENT_RELAXES, ORIGINS, RULES
from opa_contracts.rules.model import Rule

# The two modules register their rules on import; naming them keeps the imports explicit.
_DECLARING_MODULES = (rules_scalar, rules_structural)


def _in(module: ModuleType) -> list[Rule]:
    """The rules ``module`` declared, in its own order, whichever module was imported first."""
    return [rule for rule in RULES if ORIGINS[rule.id] == module.__name__]


DIFF_RULES: tuple[Rule, ...] = tuple(r for m in _DECLARING_MODULES for r in _in(m))
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in DIFF_RULES}

if len(RULES_BY_ID) != len(DIFF_RULES):  # pragma: no cover - a declaration mistake
    raise RuntimeError("duplicate diff rule id")

__all__ = ["DIFF_RULES", "LENIENT_RELAXES", "RULES_BY_ID"]
