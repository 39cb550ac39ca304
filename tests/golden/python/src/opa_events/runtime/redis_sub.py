"""Subscribing to Redis Pub/Sub: typed messages, dead letters, and reconnection on its own."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any

from opa_events import environments
from opa_events._codec import Codec
from opa_events.channels import ContractVersion
from opa_events.runtime.common import (
    AsyncDeadLetterSink,
    Backoff,
    DeadLetter,
    DeadLetterSink,
    Received,
    Stopper,
    all_routes,
    check,
    putter,
    routes,
    sink_of,
)
from opa_events.runtime.dead_letters import AsyncRedisDeadLetters, RedisDeadLetters
from opa_events.runtime.metrics import UNKNOWN, Metrics, default_metrics
from opa_events.runtime.redis_pub import DEFAULT_URL, RETRYABLE, client_options

try:
    import redis
    import redis.asyncio
    from redis.asyncio.client import PubSub as AsyncPubSub
    from redis.client import PubSub
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError("the Redis runtime needs redis-py: pip install 'opa-events[redis]'") from exc

LOG = logging.getLogger(__name__)
#: Default bounds of the in-memory backlog of dead letters the store refused.
MAX_UNSAVED_LETTERS = 10_000
MAX_UNSAVED_BYTES = 16 * 1024 * 1024
#: The ``INFO stats`` counter of clients Redis disconnected over their output-buffer limit
#: (newer Redis versions report it; 6.2 does not).
_OUTPUT_LIMIT = "client_output_buffer_limit_disconnections"


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


class _Listener:
    """What both subscribers share: the routes, checking a message, the dead letters' and the
    gaps' bookkeeping. The I/O (redis-py sync or asyncio) is each subscriber's own."""

    def __init__(
        self,
        channels: Iterable[str],
        patterns: Iterable[str],
        versions: Mapping[str, str] | None,
        metrics: Metrics | None,
        reconnect: Backoff | None,
        socket_timeout: float,
        poll_interval: float,
        max_unsaved_letters: int,
        max_unsaved_bytes: int,
    ) -> None:
        if max_unsaved_letters < 0 or max_unsaved_bytes < 0:
            raise ValueError("max_unsaved_letters and max_unsaved_bytes must be 0 or more")
        pinned = dict(versions or {})
        names = list(dict.fromkeys(channels))
        self.patterns = list(dict.fromkeys(patterns))
        if not names and not self.patterns:
            raise ValueError("subscribe to at least one channel or pattern")
        redis_of = _redis_channel
        self._routes: dict[str, Codec] = all_routes(redis_of, pinned) if self.patterns else {}
        wanted = routes({n: pinned.get(n) for n in names}, redis_of)
        self._routes.update(wanted)
        self.channels = list(wanted)
        self.metrics = default_metrics() if metrics is None else metrics
        self.reconnect = Backoff(None, 0.05, 2.0) if reconnect is None else reconnect
        self.socket_timeout = socket_timeout
        self.poll_interval = poll_interval
        #: Times the connection was lost and the subscriptions restored.
        self.reconnects = 0
        #: Seconds of the last gap (unsubscribed time), 0.0 before any.
        self.last_gap = 0.0
        #: Why the last connection was lost: ``restart``, ``evicted-by-server`` or ``unknown``.
        self.last_disconnect_cause: str | None = None
        self.max_unsaved_letters = max_unsaved_letters
        self.max_unsaved_bytes = max_unsaved_bytes
        #: Unsaved dead letters dropped because the backlog was full.
        self.dropped_dead_letters = 0
        self._early: deque[dict[str, Any]] = deque()
        self._unsaved: deque[tuple[DeadLetter, int]] = deque()
        self._unsaved_bytes = 0
        self._server: Mapping[str, Any] | None = None  # Redis's INFO when last subscribed

    @property
    def unsaved_dead_letters(self) -> int:
        """Dead letters held in memory because the store failed (retried on every poll)."""
        return len(self._unsaved)

    @property
    def unsaved_bytes(self) -> int:
        """The size of those letters (payload and texts), bounded by ``max_unsaved_bytes``."""
        return self._unsaved_bytes

    def _channel_label(self, source: str) -> str:
        """The metric label of a Redis channel: its name when a contract names it, else UNKNOWN."""
        return source if source in self._routes else UNKNOWN

    def _handle(self, message: dict[str, Any]) -> Received | None:
        """The message as received, or None (an invalid one is counted and queued to be stored)."""
        if message.get("type") not in ("message", "pmessage"):
            return None
        source = _text(message["channel"])
        data = message["data"]
        raw = data if isinstance(data, bytes) else str(data).encode()
        route = self._routes.get(source)
        model, letter = check(route, raw, source, "redis")
        if model is None or route is None:
            if letter is not None:
                self.metrics.redis_subscribe_dead_letters.labels(self._channel_label(source)).inc()
                LOG.warning("dead letter from Redis channel %r: %s", letter.source, letter.error)
                self._keep(letter)
            return None
        self.metrics.redis_subscribe_messages.labels(source).inc()
        return Received(route.channel, model, raw, source)

    def _keep(self, letter: DeadLetter) -> None:
        """Queue ``letter`` to be stored; past a bound, drop the oldest (logged and counted)."""
        size = _size(letter)
        self._unsaved.append((letter, size))
        self._unsaved_bytes += size
        dropped = 0
        while self._unsaved and (
            len(self._unsaved) > self.max_unsaved_letters
            or self._unsaved_bytes > self.max_unsaved_bytes
        ):
            _old, old_size = self._unsaved.popleft()
            self._unsaved_bytes -= old_size
            dropped += 1
        if dropped:
            self.dropped_dead_letters += dropped
            self.metrics.redis_subscribe_dead_letters_dropped.inc(dropped)
            LOG.error(
                "dead-letter backlog full (at most %d letter(s), %d bytes): dropped %d unsaved "
                "letter(s), oldest first",
                self.max_unsaved_letters,
                self.max_unsaved_bytes,
                dropped,
            )

    def _first_unsaved(self) -> DeadLetter:
        return self._unsaved[0][0]

    def _saved(self) -> None:
        """The first unsaved letter was stored."""
        _letter, size = self._unsaved.popleft()
        self._unsaved_bytes -= size

    def _not_stored(self, error: Exception) -> None:
        self.metrics.redis_subscribe_dead_letter_errors.inc()
        LOG.error(
            "could not store %d dead letter(s), kept in memory: %s", len(self._unsaved), error
        )

    def _early_or_subscribed(self, message: dict[str, Any] | None) -> int:
        """1 for a subscription confirmation; a message that came before the last one is kept."""
        if message is None:
            return 0
        if message["type"] in ("subscribe", "psubscribe"):
            return 1
        self._early.append(message)
        return 0

    def _restored(
        self, lost: float, attempts: int, error: BaseException, server: Mapping[str, Any] | None
    ) -> None:
        """Log and count the gap that began at ``lost`` (``time.monotonic()``) and its cause,
        told from ``error`` and Redis's INFO now (``server``) and when last subscribed."""
        gap = time.monotonic() - lost
        cause, why = disconnect_cause(error, self._server, server)
        self._server = server
        self.reconnects += 1
        self.last_gap = gap
        self.last_disconnect_cause = cause
        self.metrics.redis_subscriber_reconnects.inc()
        self.metrics.redis_subscriber_gap_seconds.inc(gap)
        self.metrics.redis_subscriber_disconnects.labels(cause).inc()
        LOG.warning(
            "subscribed to Redis again after %.3f s (%d attempt(s)); the connection was lost "
            "(%s: %s): messages published meanwhile are lost, and Pub/Sub does not say how many",
            gap,
            attempts,
            cause,
            why,
        )


class Subscriber(_Listener):
    """Receives the messages of some channels (and Redis glob patterns), checked and typed.

    Subscribed when the constructor returns. Iterate (``for received in subscriber``) or pass a
    callback to ``run``; both stop after ``close()`` (from any thread). A message that breaks its
    contract, or arrives on a Redis channel that no contract names, is not yielded: it goes to
    ``dead_letters`` (by default the Redis stream ``opa:dead-letters`` on the same server) and
    ``redis_subscribe_dead_letters_total`` counts it (under the channel ``(unknown)`` when no
    contract names the channel). Letters the store refuses wait in memory, at most
    ``max_unsaved_letters`` of them and ``max_unsaved_bytes`` in all; past that the oldest are
    dropped, logged and counted. When the connection is lost, the subscriber subscribes again
    with ``reconnect``'s backoff (forever by default), logs the gap and counts it with its cause
    (``restart``, ``evicted-by-server`` or ``unknown``, from Redis's INFO): Pub/Sub keeps
    nothing, so messages published during the gap are lost, and Redis never says how many.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        channels: Iterable[str] = (),
        *,
        patterns: Iterable[str] = (),
        versions: Mapping[str, str] | None = None,
        dead_letters: DeadLetterSink | Callable[[DeadLetter], object] | None = None,
        metrics: Metrics | None = None,
        reconnect: Backoff | None = None,
        socket_timeout: float = 5.0,
        poll_interval: float = 0.1,
        max_unsaved_letters: int = MAX_UNSAVED_LETTERS,
        max_unsaved_bytes: int = MAX_UNSAVED_BYTES,
        connection: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            channels,
            patterns,
            versions,
            metrics,
            reconnect,
            socket_timeout,
            poll_interval,
            max_unsaved_letters,
            max_unsaved_bytes,
        )
        self.client = redis.Redis.from_url(url, **client_options(socket_timeout, connection))
        self.dead_letters = (
            RedisDeadLetters(self.client) if dead_letters is None else sink_of(dead_letters)
        )
        self._stop = Stopper()
        self._pubsub: PubSub | None = None
        self._lock = threading.Lock()
        self._pubsub = self._subscribe()
        self._server = self._info()

    @classmethod
    def for_environment(
        cls, name: str | None = None, channels: Iterable[str] = (), **kwargs: Any
    ) -> Subscriber:
        """A subscriber to environment ``name``'s Redis (None: the one ``OPA_ENV`` names), with
        its password, user and TLS files read from the variables the registry names."""
        url, connection = environments.redis(name)
        return cls(url, channels, connection=connection, **kwargs)

    def __iter__(self) -> Iterator[Received]:
        """Received messages, until ``close()``."""
        while True:
            received = self.receive(None)
            if received is None:
                return
            yield received

    def receive(self, timeout: float | None = None) -> Received | None:
        """The next valid message; None after ``timeout`` seconds (None: wait) or once closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stop.closed:
            if self._unsaved:
                self._save_unsaved()
            wait = self.poll_interval
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
                if wait < 0:
                    return None
            try:
                message = self._next(wait)
            except RETRYABLE as exc:
                if self._stop.closed:
                    return None
                self._restore(exc)
                continue
            except Exception:
                if self._stop.closed:
                    return None  # close() from another thread pulled the connection away
                raise
            if message is not None:
                received = self._handle(message)
                if received is not None:
                    return received
                if self._unsaved:
                    self._save_unsaved()
        return None

    def run(self, callback: Callable[[Received], object]) -> None:
        """Call ``callback`` with each message until ``close()`` (its exceptions propagate)."""
        for received in self:
            callback(received)

    def run_in_thread(self, callback: Callable[[Received], object]) -> threading.Thread:
        """``run(callback)`` in a daemon thread, started; ``close()`` ends it."""
        thread = threading.Thread(target=self.run, args=(callback,), daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop receiving and close the connections."""
        self._stop.close()
        with self._lock:
            pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            pubsub.close()
        self.client.close()

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next(self, timeout: float) -> dict[str, Any] | None:
        if self._early:
            return self._early.popleft()
        pubsub = self._pubsub
        if pubsub is None:
            raise redis.ConnectionError("not subscribed")
        message: dict[str, Any] | None = pubsub.get_message(
            ignore_subscribe_messages=True, timeout=timeout
        )
        return message

    def _save_unsaved(self) -> None:
        while self._unsaved:
            try:
                self.dead_letters.put(self._first_unsaved())
            except Exception as exc:  # any store, any failure: keep the letter and retry later
                self._not_stored(exc)
                return
            self._saved()

    def _info(self) -> Mapping[str, Any] | None:
        """Redis's INFO (run_id, counters), or None when it cannot be read (e.g. an ACL)."""
        found: Mapping[str, Any]
        try:
            try:
                found = self.client.info()
            except RETRYABLE:  # a pooled connection from before a restart fails once
                found = self.client.info()
        except (redis.RedisError, OSError) as exc:
            LOG.debug("INFO failed; a disconnect's cause will be unknown: %s", exc)
            return None
        return found

    def _subscribe(self) -> PubSub:
        """A new connection, subscribed, with every confirmation read (early messages kept)."""
        # redis-py leaves Redis.pubsub() unannotated; its result is a PubSub
        make: Any = self.client.pubsub
        pubsub: PubSub = make()
        try:
            if self.channels:
                pubsub.subscribe(*self.channels)
            if self.patterns:
                pubsub.psubscribe(*self.patterns)
            expected = len(self.channels) + len(self.patterns)
            deadline = time.monotonic() + self.socket_timeout
            while expected:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise redis.TimeoutError("no subscription confirmation from Redis")
                expected -= self._early_or_subscribed(pubsub.get_message(timeout=left))
        except BaseException:
            pubsub.close()
            raise
        return pubsub

    def _restore(self, error: BaseException) -> None:
        """Subscribe again after ``error``, with backoff; log and count the gap."""
        lost = time.monotonic()
        LOG.warning("lost the Redis subscription (%s); subscribing again", error)
        with self._lock:
            old, self._pubsub = self._pubsub, None
        if old is not None:
            try:
                old.close()
            except Exception:  # the connection is already broken; closing is best effort
                LOG.debug("closing the broken Pub/Sub connection failed", exc_info=True)
        attempts = 0
        delays = self.reconnect.delays()
        while not self._stop.closed:
            attempts += 1
            try:
                pubsub = self._subscribe()
            except RETRYABLE as exc:
                delay = next(delays, None)
                if delay is None:
                    raise
                LOG.debug("subscribing again failed (attempt %d): %s", attempts, exc)
                if self._stop.wait(delay):
                    return
                continue
            with self._lock:
                if self._stop.closed:
                    pubsub.close()
                    return
                self._pubsub = pubsub
            self._restored(lost, attempts, error, self._info())
            return


class AsyncSubscriber(_Listener):
    """The asyncio twin of :class:`Subscriber` (redis.asyncio), with the same checks and metrics.

    Subscribed on ``async with`` (or ``await subscriber.start()``, or the first ``receive``).
    ``async for received in subscriber``, ``await subscriber.receive(timeout)`` or
    ``await subscriber.run(callback)`` (a plain or an ``async def`` function); each stops after
    ``aclose()`` (from any task of the loop). Invalid messages go to ``dead_letters`` (by default
    the Redis stream ``opa:dead-letters``, written with the same asyncio client; a sync sink, a
    function or an ``async def`` function also work; the same bounded backlog when they fail),
    and a lost connection is restored with ``reconnect``'s backoff, the gap and its cause logged
    and counted, exactly as :class:`Subscriber` does.
    Nothing here blocks the event loop. One task reads at a time.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        channels: Iterable[str] = (),
        *,
        patterns: Iterable[str] = (),
        versions: Mapping[str, str] | None = None,
        dead_letters: (
            AsyncDeadLetterSink | DeadLetterSink | Callable[[DeadLetter], object] | None
        ) = None,
        metrics: Metrics | None = None,
        reconnect: Backoff | None = None,
        socket_timeout: float = 5.0,
        poll_interval: float = 0.1,
        max_unsaved_letters: int = MAX_UNSAVED_LETTERS,
        max_unsaved_bytes: int = MAX_UNSAVED_BYTES,
        connection: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            channels,
            patterns,
            versions,
            metrics,
            reconnect,
            socket_timeout,
            poll_interval,
            max_unsaved_letters,
            max_unsaved_bytes,
        )
        options = client_options(socket_timeout, connection)
        self.client = redis.asyncio.Redis.from_url(url, **options)
        self.dead_letters: AsyncDeadLetterSink | DeadLetterSink | Callable[[DeadLetter], object] = (
            AsyncRedisDeadLetters(self.client) if dead_letters is None else dead_letters
        )
        self._put = putter(self.dead_letters)
        self._pubsub: AsyncPubSub | None = None
        self._started = False
        self._closed = False
        self._wake = asyncio.Event()  # set by aclose(): ends a reconnection backoff at once
        self._idle = asyncio.Event()  # clear while a receive() runs
        self._idle.set()

    @classmethod
    def for_environment(
        cls, name: str | None = None, channels: Iterable[str] = (), **kwargs: Any
    ) -> AsyncSubscriber:
        """The asyncio twin of :meth:`Subscriber.for_environment`."""
        url, connection = environments.redis(name)
        return cls(url, channels, connection=connection, **kwargs)

    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` was called."""
        return self._closed

    async def start(self) -> AsyncSubscriber:
        """Subscribe now (once); raises redis-py's error when Redis is unreachable."""
        if not self._started and not self._closed:
            self._pubsub = await self._subscribe()
            self._started = True
            self._server = await self._info()
        return self

    async def __aiter__(self) -> AsyncIterator[Received]:
        """Received messages, until ``aclose()``."""
        while True:
            received = await self.receive(None)
            if received is None:
                return
            yield received

    async def receive(self, timeout: float | None = None) -> Received | None:
        """The next valid message; None after ``timeout`` seconds (None: wait) or once closed."""
        await self.start()
        self._idle.clear()
        try:
            return await self._receive(timeout)
        finally:
            self._idle.set()

    async def run(self, callback: Callable[[Received], object]) -> None:
        """Call ``callback`` with each message (awaiting what it returns, if awaitable) until
        ``aclose()``; its exceptions propagate."""
        async for received in self:
            result = callback(received)
            if inspect.isawaitable(result):
                await result

    async def aclose(self) -> None:
        """Stop receiving (a running ``receive`` returns None) and close the connections."""
        self._closed = True
        self._wake.set()
        # let a receive() in another task notice first, so its connection is not pulled away
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.poll_interval + self.socket_timeout)
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            await _aclose(pubsub)
        await self.client.aclose()

    async def __aenter__(self) -> AsyncSubscriber:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _receive(self, timeout: float | None) -> Received | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._closed:
            if self._unsaved:
                await self._save_unsaved()
            wait = self.poll_interval
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
                if wait < 0:
                    return None
            try:
                message = await self._next(wait)
            except RETRYABLE as exc:
                if self._closed:
                    return None
                await self._restore(exc)
                continue
            except Exception:
                if self._closed:
                    return None  # aclose() pulled the connection away
                raise
            if message is not None:
                received = self._handle(message)
                if received is not None:
                    return received
                if self._unsaved:
                    await self._save_unsaved()
        return None

    async def _next(self, timeout: float) -> dict[str, Any] | None:
        if self._early:
            return self._early.popleft()
        pubsub = self._pubsub
        if pubsub is None:
            raise redis.ConnectionError("not subscribed")
        message: dict[str, Any] | None = await pubsub.get_message(
            ignore_subscribe_messages=True, timeout=timeout
        )
        return message

    async def _save_unsaved(self) -> None:
        while self._unsaved:
            try:
                result = self._put(self._first_unsaved())
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:  # any store, any failure: keep the letter and retry later
                self._not_stored(exc)
                return
            self._saved()

    async def _info(self) -> Mapping[str, Any] | None:
        """Redis's INFO (run_id, counters), or None when it cannot be read (e.g. an ACL)."""
        found: Mapping[str, Any]
        try:
            try:
                found = await self.client.info()
            except RETRYABLE:  # a pooled connection from before a restart fails once
                found = await self.client.info()
        except (redis.RedisError, OSError) as exc:
            LOG.debug("INFO failed; a disconnect's cause will be unknown: %s", exc)
            return None
        return found

    async def _subscribe(self) -> AsyncPubSub:
        """A new connection, subscribed, with every confirmation read (early messages kept)."""
        make: Any = self.client.pubsub
        pubsub: AsyncPubSub = make()
        try:
            if self.channels:
                await pubsub.subscribe(*self.channels)
            if self.patterns:
                await pubsub.psubscribe(*self.patterns)
            expected = len(self.channels) + len(self.patterns)
            deadline = time.monotonic() + self.socket_timeout
            while expected:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise redis.TimeoutError("no subscription confirmation from Redis")
                expected -= self._early_or_subscribed(await pubsub.get_message(timeout=left))
        except BaseException:
            await _aclose(pubsub)
            raise
        return pubsub

    async def _restore(self, error: BaseException) -> None:
        """Subscribe again after ``error``, with backoff; log and count the gap."""
        lost = time.monotonic()
        LOG.warning("lost the Redis subscription (%s); subscribing again", error)
        old, self._pubsub = self._pubsub, None
        if old is not None:
            try:
                await _aclose(old)
            except Exception:  # the connection is already broken; closing is best effort
                LOG.debug("closing the broken Pub/Sub connection failed", exc_info=True)
        attempts = 0
        delays = self.reconnect.delays()
        while not self._closed:
            attempts += 1
            try:
                pubsub = await self._subscribe()
            except RETRYABLE as exc:
                delay = next(delays, None)
                if delay is None:
                    raise
                LOG.debug("subscribing again failed (attempt %d): %s", attempts, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                continue
            if self._closed:
                await _aclose(pubsub)
                return
            self._pubsub = pubsub
            self._restored(lost, attempts, error, await self._info())
            return


async def _aclose(pubsub: AsyncPubSub) -> None:
    # redis-py leaves the asyncio PubSub.aclose() unannotated
    close: Any = pubsub.aclose
    await close()


def _redis_channel(contract: ContractVersion) -> str | None:
    return contract.redis_channel


def _size(letter: DeadLetter) -> int:
    """A dead letter's size in the backlog: its payload and its texts."""
    texts = (letter.source, letter.channel, letter.error, letter.pointer)
    return len(letter.payload) + sum(len(t) for t in texts)


def disconnect_cause(
    error: BaseException, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[str, str]:
    """Why a subscription's connection was lost, as far as Redis makes it knowable: the cause
    (``restart``, ``evicted-by-server`` or ``unknown``) and why, from the error and Redis's INFO
    when last subscribed (``before``) and once subscribed again (``after``).

    A new ``run_id`` is a restart (or another server at the address). Same ``run_id``: Redis ran
    on, and the connection was cut from its side (its output-buffer limit for a subscriber that
    fell behind, ``CLIENT KILL``, ``maxmemory-clients``; or a proxy on the way) when its counter of
    output-buffer disconnections rose (where Redis has one) or the socket was closed by the peer;
    anything else (a network fault, a client-side timeout) stays unknown. Redis's ``timeout``
    does not apply to Pub/Sub connections.
    """
    if before is None or after is None:
        return "unknown", f"Redis's INFO could not be read; the error was: {error}"
    if before.get("run_id") != after.get("run_id"):
        return "restart", f"Redis restarted (new run_id, up {after.get('uptime_in_seconds')} s)"
    if _OUTPUT_LIMIT in before and _OUTPUT_LIMIT in after:
        rose = int(after[_OUTPUT_LIMIT]) - int(before[_OUTPUT_LIMIT])
        if rose > 0:
            return "evicted-by-server", f"Redis cut {rose} client(s) over the output-buffer limit"
    if isinstance(error, redis.ConnectionError) and "closed by server" in str(error).lower():
        return "evicted-by-server", (
            "Redis ran on and the connection was closed from its side (its output-buffer limit "
            "for a subscriber that fell behind, CLIENT KILL, or a proxy)"
        )
    return "unknown", f"Redis ran on; the error was: {error}"
