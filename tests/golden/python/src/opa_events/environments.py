"""The environments of the registry: where services connect, by name.

``Publisher.for_environment("development")`` (and every Redis publisher and subscriber) connects to
the environment's Redis; with no name, the ``OPA_ENV`` environment variable names it. Secrets are
never in this file: each ``*_env`` field names the environment variable that holds one, read when
a client is made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

#: The environment variable naming the environment when none is given.
ENV_VARIABLE = "OPA_ENV"


class EnvironmentSetupError(LookupError):
    """An unknown environment, one without the wanted transport, or a secret variable not set."""


@dataclass(frozen=True, slots=True)
class RedisEndpoint:
    """An environment's Redis: its URL (``rediss://`` for TLS) and the variables of its secrets."""

    url: str
    password_env: str | None = None
    username_env: str | None = None
    tls: bool = False
    ca_file_env: str | None = None
    cert_file_env: str | None = None
    key_file_env: str | None = None

    def connection(self) -> dict[str, Any]:
        """redis-py connection options read from the named variables (password, user, TLS files).

        A variable named here and not set raises :class:`EnvironmentSetupError` naming it.
        """
        found: dict[str, Any] = {}
        for option, variable in (
            ("password", self.password_env),
            ("username", self.username_env),
            ("ssl_ca_certs", self.ca_file_env),
            ("ssl_certfile", self.cert_file_env),
            ("ssl_keyfile", self.key_file_env),
        ):
            if variable is not None:
                found[option] = _variable(variable)
        return found

    def connection_url(self) -> str:
        """The URL to connect to: ``rediss://`` when ``tls`` is set."""
        if self.tls and self.url.startswith("redis://"):
            return "rediss://" + self.url[len("redis://") :]
        return self.url


@dataclass(frozen=True, slots=True)
class KafkaEndpoint:
    """An environment's Kafka: bootstrap servers, security protocol, SASL by variable name."""

    bootstrap: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    ca_file_env: str | None = None

    def config(self) -> dict[str, str]:
        """librdkafka settings (``bootstrap.servers``, ``security.protocol``, ``sasl.*``, ``ssl.*``)
        for ``KafkaPublisher``/``KafkaSubscriber``; secrets read from the named variables."""
        found = {"bootstrap.servers": self.bootstrap, "security.protocol": self.security_protocol}
        if self.sasl_mechanism is not None:
            found["sasl.mechanism"] = self.sasl_mechanism
        for option, variable in (
            ("sasl.username", self.username_env),
            ("sasl.password", self.password_env),
            ("ssl.ca.location", self.ca_file_env),
        ):
            if variable is not None:
                found[option] = _variable(variable)
        return found


@dataclass(frozen=True, slots=True)
class Environment:
    """A named environment and its endpoints (None: the environment has no such transport)."""

    name: str
    redis: RedisEndpoint | None = None
    kafka: KafkaEndpoint | None = None


PRODUCTION = Environment(
    name="production",
    redis=RedisEndpoint(
        url="redis://redis:6379/0",
        password_env="OPA_REDIS_PASSWORD",
        username_env=None,
        tls=False,
        ca_file_env=None,
        cert_file_env=None,
        key_file_env=None,
    ),
    kafka=KafkaEndpoint(
        bootstrap="kafka:9092",
        security_protocol="PLAINTEXT",
        sasl_mechanism=None,
        username_env=None,
        password_env=None,
        ca_file_env=None,
    ),
)
DEVELOPMENT = Environment(
    name="development",
    redis=RedisEndpoint(
        url="redis://localhost:6381/0",
        password_env=None,
        username_env=None,
        tls=False,
        ca_file_env=None,
        cert_file_env=None,
        key_file_env=None,
    ),
    kafka=None,
)

#: Every environment of the registry, by name.
ENVIRONMENTS: dict[str, Environment] = {
    "production": PRODUCTION,
    "development": DEVELOPMENT,
}


def get(name: str | None = None) -> Environment:
    """The environment called ``name`` (None: the one ``OPA_ENV`` names)."""
    if name is None:
        name = os.environ.get(ENV_VARIABLE)
        if not name:
            raise EnvironmentSetupError(
                f"no environment given and {ENV_VARIABLE} is not set "
                f"(known: {', '.join(ENVIRONMENTS) or 'none'})"
            )
    found = ENVIRONMENTS.get(name)
    if found is None:
        raise EnvironmentSetupError(
            f"unknown environment {name!r} (known: {', '.join(ENVIRONMENTS) or 'none'})"
        )
    return found


def redis(name: str | None = None) -> tuple[str, dict[str, Any]]:
    """The Redis URL of environment ``name`` and its connection options (secrets read now)."""
    env = get(name)
    if env.redis is None:
        raise EnvironmentSetupError(f"environment {env.name!r} declares no Redis")
    return env.redis.connection_url(), env.redis.connection()


def kafka(name: str | None = None) -> dict[str, str]:
    """The librdkafka settings of environment ``name``'s Kafka (secrets read now)."""
    env = get(name)
    if env.kafka is None:
        raise EnvironmentSetupError(f"environment {env.name!r} declares no Kafka")
    return env.kafka.config()


def _variable(name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        raise EnvironmentSetupError(f"environment variable {name} is not set")
    return value
