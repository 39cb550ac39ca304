"""The JSON Schema compatibility engine: what changed between two schemas, and who it breaks.

Importing the package loads nothing: each name below loads its module on first use, so the rule
declarations (``compat.rules``), which ``validate`` needs for severities, come without the
engine, which only ``diff``, ``validate --history`` and the docs changelog run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opa_contracts.compat.api import check, check_transitive, compare
    from opa_contracts.compat.model import (
        BACKWARD,
        FORWARD,
        Change,
        CheckedChange,
        CheckResult,
        Mode,
        Policy,
        SchemaCompareError,
        TransitiveResult,
        Verdict,
    )
    from opa_contracts.compat.rules import DIFF_RULES

_HOMES = {
    "check": "api",
    "check_transitive": "api",
    "compare": "api",
    "BACKWARD": "model",
    "FORWARD": "model",
    "Change": "model",
    "CheckedChange": "model",
    "CheckResult": "model",
    "Mode": "model",
    "Policy": "model",
    "SchemaCompareError": "model",
    "TransitiveResult": "model",
    "Verdict": "model",
    "DIFF_RULES": "rules",
}

__all__ = [
    "BACKWARD",
    "DIFF_RULES",
    "FORWARD",
    "Change",
    "CheckResult",
    "CheckedChange",
    "Mode",
    "Policy",
    "SchemaCompareError",
    "TransitiveResult",
    "Verdict",
    "check",
    "check_transitive",
    "compare",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
