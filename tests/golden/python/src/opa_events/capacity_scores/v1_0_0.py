"capacity.scores 1.0.0 — Scoring de capacidad M&A (generated; do not edit)."

from __future__ import annotations

from typing import Annotated

from pydantic import MISSING, Field

from opa_events._base import AwareDatetime, ContractModel


class CapacityScores(ContractModel):
    ticker: str
    timestamp: Annotated[AwareDatetime, Field(description="Timestamp del cálculo")]
    score: Annotated[int | float, Field(description="Score de capacidad [0-100]")]
    confidence: Annotated[int | float, Field(description="Nivel de confianza [0-1]")]
    model_version: Annotated[str, Field(description="Versión del modelo MIPL usado (ej: v1.2.3)")]
    features_count: Annotated[
        int | MISSING, Field(description="Número de features documentales usadas")
    ] = MISSING


CHANNEL = "capacity.scores"
VERSION = "1.0.0"
MODEL = CapacityScores

__all__ = [
    "CHANNEL",
    "MODEL",
    "VERSION",
    "CapacityScores",
]
