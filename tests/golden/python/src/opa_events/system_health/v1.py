"system.health v1: the models of 1.0.0, the latest 1.x version."

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
