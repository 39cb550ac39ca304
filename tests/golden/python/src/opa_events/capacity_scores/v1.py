"capacity.scores v1: the models of 1.0.0, the latest 1.x version."

from opa_events.capacity_scores.v1_0_0 import (
    CHANNEL,
    MODEL,
    VERSION,
    CapacityScores,
)

__all__ = [
    "CHANNEL",
    "MODEL",
    "VERSION",
    "CapacityScores",
]
