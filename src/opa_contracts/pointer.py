"""JSON pointers (RFC 6901): escaping, joining and resolving."""

from __future__ import annotations

from typing import Any


def escape(token: str) -> str:
    """Escape one reference token."""
    if "~" not in token and "/" not in token:
        return token
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Undo :func:`escape`."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: str | int) -> str:
    """Append tokens to a pointer."""
    return pointer + "".join(f"/{escape(str(t))}" for t in tokens)


def from_path(path: list[str | int] | tuple[str | int, ...]) -> str:
    """A pointer from a list of keys and indexes."""
    return join("", *path)


_MISSING = object()


def resolve(document: Any, pointer: str) -> Any:
    """The value at ``pointer``; raises ``LookupError`` when it is absent."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise LookupError(f"not a JSON pointer: {pointer!r}")
    current = document
    for raw in pointer[1:].split("/"):
        token = unescape(raw)
        if isinstance(current, dict):
            current = current.get(token, _MISSING)
        elif isinstance(current, list) and token.isdigit() and not token.startswith("0" * 2):
            index = int(token)
            current = current[index] if index < len(current) else _MISSING
        else:
            current = _MISSING
        if current is _MISSING:
            raise LookupError(f"{pointer!r} does not exist")
    return current
