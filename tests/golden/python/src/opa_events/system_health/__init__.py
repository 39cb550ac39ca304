"system.health: Health checks y estado de servicios — the models of its latest version, 1.0.0 (the default import)."

from opa_events.system_health.v1_0_0 import (
    CHANNEL,
    MODEL,
    VERSION,
    Details,
    SystemHealth,
)

__all__ = [
    "CHANNEL",
    "MODEL",
    "VERSION",
    "Details",
    "SystemHealth",
]
