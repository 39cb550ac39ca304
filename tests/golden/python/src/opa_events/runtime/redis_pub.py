"""Publishing to Redis Pub/Sub: validate, encode, publish, and count it under the contract's names."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from opa_events import environments
from opa_events._codec import contract_of, dump
from opa_events.channels import ContractVersion
from opa_events.errors import ContractError
from opa_events.runtime.common import Backoff, PublishError
from opa_events.runtime.metrics import Metrics, Series, default_metrics

try:
    import redis
    import redis.asyncio
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError("the Redis runtime needs redis-py: pip install 'opa-events[redis]'") from exc

DEFAULT_URL = "redis://localhost:6379/0"
#: Errors worth another attempt: the connection, not the command, failed.
RETRYABLE = (redis.ConnectionError, redis.TimeoutError)
#: How a refused AUTH is reported (it is not retried).
AUTH_REFUSED = "Redis refused the credentials (check the password and user)"


def client_options(
    socket_timeout: float, connection: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """redis-py settings for our own clients: no hidden retries (ours are counted), timeouts set,
    plus ``connection``: AUTH (``username``, ``password``) and TLS (``ssl_ca_certs``,
    ``ssl_certfile``, ``ssl_keyfile``...) options, as :mod:`environments` reads them."""
    return {
        "retry": Retry(NoBackoff(), 0),
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
        **(connection or {}),
    }


def reason(client: Any, error: Exception) -> str:
    """Why a connection failed, with a hint when a plaintext client met a TLS-only port."""
    text = str(error)
    tls = "SSL" in getattr(client.connection_pool.connection_class, "__name__", "")
    if not tls and ("reset by peer" in text or "closed by server" in text.lower()):
        text += " (is it a TLS port? connect with a rediss:// URL)"
    return text


def redis_channel(contract: ContractVersion) -> str:
    """The Redis channel of ``contract`` (``ValueError`` when its contract has none)."""
    if contract.redis_channel is None:
        raise ValueError(f"{contract.channel} {contract.version} has no Redis channel")
    return contract.redis_channel


class _Base:
    def __init__(self, metrics: Metrics | None, retry: Backoff | None) -> None:
        self.metrics = default_metrics() if metrics is None else metrics
        self.retry = Backoff() if retry is None else retry
        self._channels: dict[type[BaseModel], tuple[str, Series]] = {}
        #: Subscribers that received the last message, by Redis channel.
        self.receivers: dict[str, int] = {}

    def _route(self, message: BaseModel) -> tuple[str, Series]:
        """The Redis channel of ``message``'s contract, and its series."""
        found = self._channels.get(type(message))
        if found is None:
            channel = redis_channel(contract_of(type(message)))
            found = self._channels[type(message)] = (channel, self.metrics.redis(channel))
        return found

    def _prepare(self, message: BaseModel) -> tuple[str, Series, bytes]:
        """Where ``message`` goes and its checked bytes; an invalid one is counted, then raised."""
        channel, series = self._route(message)
        try:
            data = dump(message)[1]
        except ContractError:
            series.error()
            raise
        return channel, series, data

    def _done(self, channel: str, series: Series, started: float, receivers: int) -> int:
        series.ok(time.perf_counter() - started, receivers)
        self.receivers[channel] = receivers
        return receivers


class Publisher(_Base):
    """Publishes contract messages to their Redis channels (thread-safe).

    ``publish(message)`` checks the message against its contract, publishes the JSON to the
    channel's Redis channel and returns how many subscribers received it. An invalid message is
    never sent: ``ContractError`` is raised and ``redis_publish_errors_total`` counts it. When
    Redis is unreachable the publish is retried with ``retry``'s bounded backoff, then
    ``PublishError`` is raised (and counted): nothing is dropped silently.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        client: redis.Redis | None = None,
        metrics: Metrics | None = None,
        retry: Backoff | None = None,
        socket_timeout: float = 5.0,
        connection: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(metrics, retry)
        self._owned = client is None
        options = client_options(socket_timeout, connection)
        self.client = redis.Redis.from_url(url, **options) if client is None else client

    @classmethod
    def for_environment(cls, name: str | None = None, **kwargs: Any) -> Publisher:
        """A publisher to environment ``name``'s Redis (None: the one ``OPA_ENV`` names), with its
        password, user and TLS files read from the variables the registry names."""
        url, connection = environments.redis(name)
        return cls(url, connection=connection, **kwargs)

    def publish(self, message: BaseModel) -> int:
        """Validate, publish, count; the number of subscribers that received ``message``."""
        started = time.perf_counter()
        channel, series, data = self._prepare(message)
        return self._send(channel, series, data, started)

    def _send(self, channel: str, series: Series, data: bytes, started: float) -> int:
        delays = self.retry.delays()
        attempts = 0
        while True:
            attempts += 1
            try:
                receivers: int = self.client.publish(channel, data)
            except redis.AuthenticationError as exc:  # another try cannot fix the credentials
                series.error()
                raise PublishError("redis", channel, attempts, f"{AUTH_REFUSED}: {exc}") from exc
            except RETRYABLE as exc:
                delay = next(delays, None)
                if delay is None:
                    series.error()
                    raise PublishError(
                        "redis", channel, attempts, reason(self.client, exc)
                    ) from exc
                series.retry()
                time.sleep(delay)
                continue
            return self._done(channel, series, started, receivers)

    def close(self) -> None:
        """Close the connections (only those of a client this publisher made)."""
        if self._owned:
            self.client.close()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncPublisher(_Base):
    """The asyncio twin of :class:`Publisher` (``await publisher.publish(message)``)."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        client: redis.asyncio.Redis | None = None,
        metrics: Metrics | None = None,
        retry: Backoff | None = None,
        socket_timeout: float = 5.0,
        connection: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(metrics, retry)
        self._owned = client is None
        options = client_options(socket_timeout, connection)
        self.client = redis.asyncio.Redis.from_url(url, **options) if client is None else client

    @classmethod
    def for_environment(cls, name: str | None = None, **kwargs: Any) -> AsyncPublisher:
        """The asyncio twin of :meth:`Publisher.for_environment`."""
        url, connection = environments.redis(name)
        return cls(url, connection=connection, **kwargs)

    async def publish(self, message: BaseModel) -> int:
        """Validate, publish, count; the number of subscribers that received ``message``."""
        started = time.perf_counter()
        channel, series, data = self._prepare(message)
        return await self._send(channel, series, data, started)

    async def _send(self, channel: str, series: Series, data: bytes, started: float) -> int:
        delays = self.retry.delays()
        attempts = 0
        while True:
            attempts += 1
            try:
                receivers: int = await self.client.publish(channel, data)
            except redis.AuthenticationError as exc:  # another try cannot fix the credentials
                series.error()
                raise PublishError("redis", channel, attempts, f"{AUTH_REFUSED}: {exc}") from exc
            except RETRYABLE as exc:
                delay = next(delays, None)
                if delay is None:
                    series.error()
                    raise PublishError(
                        "redis", channel, attempts, reason(self.client, exc)
                    ) from exc
                series.retry()
                await asyncio.sleep(delay)
                continue
            return self._done(channel, series, started, receivers)

    async def aclose(self) -> None:
        """Close the connections (only those of a client this publisher made)."""
        if self._owned:
            await self.client.aclose()

    async def __aenter__(self) -> AsyncPublisher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
