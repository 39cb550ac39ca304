"quotes.realtime: Cotizaciones en tiempo real — the models of its latest version, 1.0.0 (the default import)."

from opa_events.quotes_realtime.v1_0_0 import (
    CHANNEL,
    MODEL,
    VERSION,
    QuotesRealtime,
)

__all__ = [
    "CHANNEL",
    "MODEL",
    "VERSION",
    "QuotesRealtime",
]
