"quotes.realtime v1: the models of 1.0.0, the latest 1.x version."

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
