"""Which fields a consumer reads, recorded from its own tests (opt in; never used by decode).

``ReadRecorder.watch(message)`` returns a view of a decoded message that records every field
read through it, as JSON pointers into the payload (``/price``, ``/items/*/id``: an item of a
list is ``*``). After the consumer's tests ran, ``declaration(service)`` is the ``reads:`` to
declare under that subscriber in each channel's manifest (``opa-contracts validate`` checks it),
and ``undeclared(service)`` the fields read that the contract does not say the service reads, so
a consumer's CI fails when its code and its declaration drift apart.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from opa_events.channels import CHANNELS

M = TypeVar("M", bound=BaseModel)
WILDCARD = "*"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class ReadRecorder:
    """Records the fields read through the messages it watches, per channel."""

    def __init__(self) -> None:
        self._paths: dict[str, set[tuple[str, ...]]] = {}

    def watch(self, message: M, channel: str | None = None) -> M:
        """A view of ``message`` (typed as it) that records each field read through it.
        ``channel``: the message's channel, when its model does not say (``CHANNEL``)."""
        name = channel or getattr(sys.modules.get(type(message).__module__), "CHANNEL", None)
        if not isinstance(name, str):
            raise ValueError(f"say which channel a {type(message).__name__} comes from")
        return cast(M, _Traced(message, (), self._paths.setdefault(name, set())))

    def reads(self, channel: str) -> list[str]:
        """The fields read of ``channel``, as JSON pointers: the deepest ones (reading
        ``/details/memory_mb`` is not reading all of ``/details``)."""
        paths = self._paths.get(channel, set())
        deepest = [p for p in paths if not any(q[: len(p)] == p and q != p for q in paths)]
        return sorted("".join(f"/{_escape(t)}" for t in p) for p in deepest if p)

    def channels(self) -> list[str]:
        """The channels whose messages were read."""
        return sorted(c for c, paths in self._paths.items() if paths)

    def declaration(self, service: str) -> str:
        """The reads to declare for ``service``, channel by channel, as YAML to paste under that
        subscriber of each channel's manifest."""
        lines = [f"# reads of {service}, recorded by " + "opa_events.tracing"]
        for channel in self.channels():
            paths = ", ".join(json.dumps(p) for p in self.reads(channel))
            lines += [f"{channel}:", f"  - name: {json.dumps(service)}", f"    reads: [{paths}]"]
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path, service: str) -> Path:
        """Write :meth:`declaration` to ``path``."""
        target = Path(path)
        target.write_text(self.declaration(service), encoding="utf-8")
        return target

    def undeclared(self, service: str) -> dict[str, list[str]]:
        """Per channel, the fields ``service`` read that the contract's latest version does not
        declare it reads (a service that declares nothing reads everything: nothing is
        undeclared); a channel whose contract does not list the service at all is reported with
        every field read."""
        out: dict[str, list[str]] = {}
        for channel in self.channels():
            found = CHANNELS.get(channel)
            contract = found.get() if found is not None else None
            declared = dict(contract.reads) if contract is not None else {}
            if service in declared and declared[service] is None:
                continue
            allowed = [_tokens(p) for p in declared.get(service) or ()]
            missing = [
                p for p in self.reads(channel) if not any(_within(_tokens(p), a) for a in allowed)
            ]
            if missing:
                out[channel] = missing
        return out


def _tokens(pointer: str) -> tuple[str, ...]:
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/"))


def _within(path: tuple[str, ...], declared: tuple[str, ...]) -> bool:
    """Whether reading ``path`` is covered by declaring ``declared`` (it or a field above it)."""
    if len(path) < len(declared):
        return False
    return all(d in (p, WILDCARD) for p, d in zip(path, declared, strict=False))


def _wrap(value: Any, place: tuple[str, ...], seen: set[tuple[str, ...]]) -> Any:
    if isinstance(value, BaseModel):
        return _Traced(value, place, seen)
    if isinstance(value, list):
        return _TracedList(value, place, seen)
    if isinstance(value, dict):
        return _TracedDict(value, place, seen)
    return value


class _Traced:
    """A message or nested object: reading an attribute records its JSON name."""

    __slots__ = ("_place", "_seen", "_target")

    def __init__(
        self, target: BaseModel, place: tuple[str, ...], seen: set[tuple[str, ...]]
    ) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_place", place)
        object.__setattr__(self, "_seen", seen)

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_target")
        value = getattr(target, name)
        field = type(target).model_fields.get(name)
        extra = target.model_extra or {}
        if field is None and name not in extra:
            return value  # a method or a pydantic attribute, not a field
        key = (field.alias or name) if field is not None else name
        place = (*object.__getattribute__(self, "_place"), key)
        seen = object.__getattribute__(self, "_seen")
        seen.add(place)
        return _wrap(value, place, seen)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a watched message is read-only")

    def __repr__(self) -> str:
        return f"watched {object.__getattribute__(self, '_target')!r}"


class _TracedList:
    """A list: each item read is recorded as ``*`` (every item)."""

    __slots__ = ("_place", "_seen", "_target")

    def __init__(
        self, target: list[Any], place: tuple[str, ...], seen: set[tuple[str, ...]]
    ) -> None:
        self._target, self._place, self._seen = target, place, seen

    def _item(self, value: Any) -> Any:
        place = (*self._place, WILDCARD)
        self._seen.add(place)
        return _wrap(value, place, self._seen)

    def __getitem__(self, index: int) -> Any:
        return self._item(self._target[index])

    def __iter__(self) -> Iterator[Any]:
        return (self._item(v) for v in self._target)

    def __len__(self) -> int:
        return len(self._target)


class _TracedDict:
    """A map: reading a value records its key."""

    __slots__ = ("_place", "_seen", "_target")

    def __init__(
        self, target: dict[str, Any], place: tuple[str, ...], seen: set[tuple[str, ...]]
    ) -> None:
        self._target, self._place, self._seen = target, place, seen

    def __getitem__(self, key: str) -> Any:
        place = (*self._place, key)
        self._seen.add(place)
        return _wrap(self._target[key], place, self._seen)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._target else default

    def __contains__(self, key: object) -> bool:
        return key in self._target

    def __iter__(self) -> Iterator[str]:
        return iter(self._target)

    def __len__(self) -> int:
        return len(self._target)
