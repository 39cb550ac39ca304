"""ContractError: the one exception for a message that breaks its contract."""

from __future__ import annotations


class ContractError(ValueError):
    """A message that is not valid under its channel's contract (or is not JSON at all).

    ``pointer`` is a JSON pointer (RFC 6901) to the offending value, ``""`` for the whole message.
    """

    def __init__(self, channel: str, version: str, pointer: str, message: str) -> None:
        super().__init__(channel, version, pointer, message)
        self.channel = channel
        self.version = version
        self.pointer = pointer
        self.message = message

    def __str__(self) -> str:
        where = f"{self.channel} {self.version}".strip()
        return f"{where}: {self.pointer or '/'}: {self.message}"
