"""Dead letters in Redis: a stream (the default) or a list, from sync or asyncio code."""

from __future__ import annotations

import base64
import json
from typing import Literal, cast

from opa_events.runtime.common import DeadLetter, rfc3339

try:
    import redis
    import redis.asyncio
    from redis.typing import EncodableT, FieldT
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "dead letters in Redis need redis-py: pip install 'opa-events[redis]'"
    ) from exc

DEFAULT_KEY = "opa:dead-letters"


class RedisDeadLetters:
    """Dead letters in a Redis stream (``XADD``, binary-safe fields) or list (``RPUSH`` of JSON).

    A stream entry has the fields ``transport source channel error pointer timestamp payload``
    (and ``key partition offset`` from Kafka); ``payload`` is the raw bytes. A list item is a JSON
    object with the same names, the payload as ``payload`` when it is UTF-8 text, else as
    ``payload_base64``. ``maxlen`` trims a stream approximately (None: keep every letter).
    """

    def __init__(
        self,
        client: redis.Redis,
        key: str = DEFAULT_KEY,
        kind: Literal["stream", "list"] = "stream",
        maxlen: int | None = None,
    ) -> None:
        self.client = client
        self.key = key
        self.kind = _kind(kind)
        self.maxlen = maxlen

    def put(self, letter: DeadLetter) -> None:
        """Store ``letter``; raises redis-py's error when Redis is unreachable."""
        if self.kind == "stream":
            self.client.xadd(self.key, stream_fields(letter), maxlen=self.maxlen, approximate=True)
        else:
            self.client.rpush(self.key, as_json(letter))


class AsyncRedisDeadLetters:
    """The asyncio twin of :class:`RedisDeadLetters` (same stream fields, same list items)."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        key: str = DEFAULT_KEY,
        kind: Literal["stream", "list"] = "stream",
        maxlen: int | None = None,
    ) -> None:
        self.client = client
        self.key = key
        self.kind = _kind(kind)
        self.maxlen = maxlen

    async def put(self, letter: DeadLetter) -> None:
        """Store ``letter``; raises redis-py's error when Redis is unreachable."""
        if self.kind == "stream":
            fields = stream_fields(letter)
            await self.client.xadd(self.key, fields, maxlen=self.maxlen, approximate=True)
        else:
            await self.client.rpush(self.key, as_json(letter))


def _kind(kind: Literal["stream", "list"]) -> Literal["stream", "list"]:
    if kind not in ("stream", "list"):
        raise ValueError("kind must be 'stream' or 'list'")
    return kind


def stream_fields(letter: DeadLetter) -> dict[FieldT, EncodableT]:
    """``letter`` as the fields of a stream entry."""
    # redis-py's field mapping is invariant in its key type: str keys need the cast
    return cast("dict[FieldT, EncodableT]", letter.fields())


def as_json(letter: DeadLetter) -> str:
    """``letter`` as one JSON object (bytes as text when UTF-8, else base64)."""
    document: dict[str, object] = {
        "transport": letter.transport,
        "source": letter.source,
        "channel": letter.channel,
        "error": letter.error,
        "pointer": letter.pointer,
        "timestamp": rfc3339(letter.timestamp),
    }
    for name, value in (("payload", letter.payload), ("key", letter.key)):
        if value is None:
            continue
        try:
            document[name] = value.decode("utf-8")
        except UnicodeDecodeError:
            document[f"{name}_base64"] = base64.b64encode(value).decode("ascii")
    if letter.partition is not None:
        document["partition"] = letter.partition
    if letter.offset is not None:
        document["offset"] = letter.offset
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
