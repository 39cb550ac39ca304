"capacity.scores: Scoring de capacidad M&A — the models of its latest version, 1.0.0 (the default import)."

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
