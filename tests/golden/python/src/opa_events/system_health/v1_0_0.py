"system.health 1.0.0 — Health checks y estado de servicios (generated; do not edit)."

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import MISSING, Field

from opa_events._base import AwareDatetime, ContractModel


class Details(ContractModel):
    """Detalles adicionales (opcional)"""

    uptime_seconds: int | MISSING = MISSING
    memory_mb: int | float | MISSING = MISSING
    cpu_percent: int | float | MISSING = MISSING


class SystemHealth(ContractModel):
    service: Annotated[str, Field(description="Nombre del servicio")]
    timestamp: AwareDatetime
    status: Annotated[
        Literal["healthy", "degraded", "unhealthy"], Field(description="Estado del servicio")
    ]
    details: Annotated[Details | MISSING, Field(description="Detalles adicionales (opcional)")] = (
        MISSING
    )


CHANNEL = "system.health"
VERSION = "1.0.0"
MODEL = SystemHealth

__all__ = [
    "CHANNEL",
    "MODEL",
    "VERSION",
    "Details",
    "SystemHealth",
]
