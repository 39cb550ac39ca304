"quotes.realtime 1.0.0 — Cotizaciones en tiempo real (generated; do not edit)."

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import MISSING, Field

from opa_events._base import AwareDatetime, ContractModel


class QuotesRealtime(ContractModel):
    ticker: Annotated[str, Field(description="Símbolo del ticker (ej: AAPL, MSFT)")]
    timestamp: Annotated[AwareDatetime, Field(description="Timestamp UTC en formato ISO 8601")]
    price: Annotated[int | float, Field(description="Precio actual (last trade)")]
    volume: Annotated[int, Field(description="Volumen acumulado del día")]
    bid: Annotated[
        int | float | MISSING, Field(description="Mejor precio de compra (opcional)")
    ] = MISSING
    ask: Annotated[int | float | MISSING, Field(description="Mejor precio de venta (opcional)")] = (
        MISSING
    )
    source: Annotated[
        Literal["yfinance", "alpaca", "polygon"],
        Field(description="Fuente de datos (yfinance, alpaca, polygon)"),
    ]


CHANNEL = "quotes.realtime"
VERSION = "1.0.0"
MODEL = QuotesRealtime

__all__ = [
    "CHANNEL",
    "MODEL",
    "VERSION",
    "QuotesRealtime",
]
