"""``opa-contracts doctor``: read-only checks of running servers against what the registry says
(``environments`` and ``requirements`` of registry.yaml, the Kafka plan of ``generate kafka``).

Every check ends in a :class:`~opa_contracts.findings.Finding` of a ``doctor`` rule
(``rules/catalog.py``), so every report format and the exit codes of ``validate`` apply. A
server that cannot be reached at all is a :class:`DoctorError` (exit 3).
"""

from __future__ import annotations

from opa_contracts.errors import InputError


class DoctorError(InputError):
    """The server could not be reached, or refused the connection (credentials, TLS)."""
