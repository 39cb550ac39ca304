"""How the tool's Kafka clients (``tap``, ``doctor kafka``) talk about librdkafka.

librdkafka logs each refused connection and retry on standard error (``%3|...|FAIL|...``); a
failure that matters reaches the tool as an exception and is said in one line of its own. So
every client the tool makes gets :data:`QUIET` as its logger, and :func:`reason` gives the words
of a ``KafkaException`` without the ``KafkaError{code=...}`` wrapping.
"""

from __future__ import annotations

import logging

QUIET = logging.getLogger("opa_contracts.librdkafka")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


def reason(exc: BaseException) -> str:
    """What went wrong, in librdkafka's words (``Failed to get metadata: ...``)."""
    error = exc.args[0] if exc.args else exc
    text = getattr(error, "str", None)
    return str(text()) if callable(text) else str(error)
