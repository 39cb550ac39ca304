"""The JSON Schema compatibility engine: what changed between two schemas, and who it breaks."""

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
)
from opa_contracts.compat.rules import DIFF_RULES

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
    "check",
    "check_transitive",
    "compare",
]
