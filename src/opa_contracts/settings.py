"""Registry-wide settings from ``registry.yaml``, parsed once per registry and used by every verb.

``validate``, ``diff`` (both sides), ``validate --history`` and every generator read the same
:class:`Settings`: name and description, defaults, naming patterns, limits, migration and rule
severities. Values that cannot be used are reported as ``(pointer, message)`` problems and replaced
by the default, so a bad setting never changes what another verb does.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import re2

from opa_contracts import hints, kafka_config
from opa_contracts.findings import Finding, Severity
from opa_contracts.kafka_config import TopicSettings
from opa_contracts.pointer import join

DEFAULT_CHANNEL_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
DEFAULT_SERVICE_PATTERN = r"^opa-[a-z-]+$"
DEFAULT_KAFKA_TOPIC = "opa.{channel}"
#: The default size limit of one registry file (manifests, shared schemas, settings).
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
#: ``limits.max_file_bytes`` may not go below this ...
MIN_FILE_BYTES = 1024
#: ... nor above this hard ceiling: a registry cannot make the tool read a 1 GB file.
MAX_FILE_BYTES_CEILING = 64 * 1024 * 1024
#: Severity overrides a registry may give under ``rules``.
SEVERITY_VALUES = ("error", "warning", "note", "off")


class Match(Protocol):
    """What a match of a :class:`NamingPattern` offers (the ``re.Match`` methods callers use)."""

    def group(self, *groups: int | str) -> Any: ...

    def span(self, group: int = 0) -> tuple[int, int]: ...


class PatternError(ValueError):
    """A naming regex that RE2 cannot compile (a syntax error, a backreference, a lookaround)."""


class NamingPattern:
    """A naming regex from ``registry.yaml``, run by RE2: matching takes time linear in the text,
    whatever the pattern (``^(a+)+$`` cannot backtrack for seconds), at the price of
    backreferences and lookaround, which RE2 refuses to compile.

    Offers what callers use of ``re.Pattern``: ``pattern``, ``search``, ``match``, ``fullmatch``.
    """

    __slots__ = ("_regexp", "pattern")

    def __init__(self, pattern: str) -> None:
        options = re2.Options()
        options.log_errors = False  # RE2 would print its own copy of the error on stderr
        try:
            self._regexp: Any = re2.compile(pattern, options=options)
        except re2.error as exc:
            reason = exc.args[0] if exc.args else exc
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise PatternError(str(reason)) from None
        self.pattern = pattern

    def search(self, text: str) -> Match | None:
        found: Match | None = self._regexp.search(text)
        return found

    def match(self, text: str) -> Match | None:
        found: Match | None = self._regexp.match(text)
        return found

    def fullmatch(self, text: str) -> Match | None:
        found: Match | None = self._regexp.fullmatch(text)
        return found

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NamingPattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"NamingPattern({self.pattern!r})"

    def __reduce__(self) -> tuple[type[NamingPattern], tuple[str]]:
        return (NamingPattern, (self.pattern,))


@dataclass(frozen=True)
class RedisEndpoint:
    """An environment's Redis: its URL and the environment variables holding its secrets."""

    url: str
    password_env: str | None = None
    username_env: str | None = None
    tls: bool = False
    ca_file_env: str | None = None
    cert_file_env: str | None = None
    key_file_env: str | None = None


@dataclass(frozen=True)
class KafkaEndpoint:
    """An environment's Kafka: bootstrap servers, security protocol and SASL by variable name."""

    bootstrap: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    ca_file_env: str | None = None


@dataclass(frozen=True)
class Environment:
    """A named place services run (``production``, ``development``)."""

    name: str
    redis: RedisEndpoint | None = None
    kafka: KafkaEndpoint | None = None


@dataclass(frozen=True)
class RedisRequirements:
    """``requirements.redis``: the lowest server version and the configuration the contract expects
    (redis.conf names -> values as written in the registry)."""

    min_version: str | None = None
    config: dict[str, str] = field(default_factory=dict)


#: The environment variable fields of an environment's redis and kafka entries.
_REDIS_ENV_FIELDS = ("password_env", "username_env", "ca_file_env", "cert_file_env", "key_file_env")
_KAFKA_ENV_FIELDS = ("username_env", "password_env", "ca_file_env")


_DEFAULT_CHANNEL = NamingPattern(DEFAULT_CHANNEL_PATTERN)
_DEFAULT_SERVICE = NamingPattern(DEFAULT_SERVICE_PATTERN)


@dataclass(frozen=True)
class Settings:
    """What a registry configures; every field has a default."""

    name: str = "opa"
    name_given: bool = False  # whether registry.yaml names the registry (docs titles use it)
    # the registry's own narrative (Markdown): AsyncAPI info, docs index, package README use it
    description: str = ""
    compatibility: str = "BACKWARD"
    open_content_policy: str = "STRICT"
    channel_pattern: NamingPattern = _DEFAULT_CHANNEL
    service_pattern: NamingPattern = _DEFAULT_SERVICE
    kafka_topic: str = DEFAULT_KAFKA_TOPIC
    kafka_migration: str = "none"
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    severities: dict[str, str] = field(default_factory=dict)
    # defaults.kafka: partitions, replication factor and topic configs of every Kafka topic
    kafka_defaults: TopicSettings = field(default_factory=TopicSettings)
    #: reads.unread_changes: whether a break no declared read touches needs a major version
    #: ("breaking") or not ("minor")
    unread_changes: str = "breaking"
    # environments: where services connect, by name (secrets only by environment variable name)
    environments: tuple[Environment, ...] = ()
    # requirements.redis: what the contract assumes of the Redis server (`doctor redis` checks it)
    redis_requirements: RedisRequirements | None = None

    def environment(self, name: str) -> Environment | None:
        """The environment called ``name``, if the registry declares it."""
        return next((env for env in self.environments if env.name == name), None)

    def severity(self, rule: str, default: Severity) -> Severity | None:
        """The severity ``rule`` is reported with here (``None``: the registry turned it off)."""
        override = self.severities.get(rule)
        if override == "off":
            return None
        return Severity(override) if override else default

    def apply(self, findings: list[Finding]) -> tuple[list[Finding], int]:
        """``findings`` with the registry's overrides applied, and how many were turned off.

        An override changes the severity of warnings and errors; notes (information, such as a
        compatible change) stay notes unless the rule is ``off``.
        """
        kept: list[Finding] = []
        for finding in findings:
            override = self.severities.get(finding.rule)
            if override == "off":
                continue
            if override and finding.severity is not Severity.NOTE:
                finding = dataclasses.replace(finding, severity=Severity(override))
            kept.append(finding)
        return kept, len(findings) - len(kept)


def from_data(data: Any) -> tuple[Settings, list[tuple[str, str]]]:
    """Settings from parsed YAML, plus (pointer, message) problems for values that cannot be used.

    Shape errors are also reported by the registry schema; this keeps bad values from being used.
    """
    if not isinstance(data, dict):
        return Settings(), []
    problems: list[tuple[str, str]] = []
    defaults = _dict(data.get("defaults"))
    naming = _dict(data.get("naming"))
    migration = _dict(data.get("migration"))
    limits = _dict(data.get("limits"))
    unread = _dict(data.get("reads")).get("unread_changes")

    def pattern(key: str, default: str) -> NamingPattern:
        value = naming.get(key, default)
        try:
            return NamingPattern(value if isinstance(value, str) else default)
        except PatternError as exc:
            problems.append(
                (
                    f"/naming/{key}",
                    f"naming.{key} is not a valid regex for RE2, the linear-time engine naming "
                    f"rules run on: {exc} (no backreferences, no lookaround); the default "
                    f"{default!r} is used",
                )
            )
            return NamingPattern(default)

    max_bytes = limits.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        max_bytes = DEFAULT_MAX_FILE_BYTES
    elif max_bytes > MAX_FILE_BYTES_CEILING:
        problems.append(
            (
                "/limits/max_file_bytes",
                f"limits.max_file_bytes {max_bytes:,} is over the hard ceiling of "
                f"{MAX_FILE_BYTES_CEILING:,} bytes; {MAX_FILE_BYTES_CEILING:,} is used",
            )
        )
        max_bytes = MAX_FILE_BYTES_CEILING
    elif max_bytes < MIN_FILE_BYTES:
        max_bytes = MIN_FILE_BYTES  # the registry schema reports it (minimum: 1024)

    kafka_defaults = _kafka_defaults(_dict(defaults.get("kafka")), problems)
    rules = _dict(data.get("rules"))
    known = _known_rules()
    severities: dict[str, str] = {}
    for name, value in rules.items():
        if name not in known:
            problems.append(
                (
                    f"/rules/{name}",
                    f"unknown rule id {name!r} under rules"
                    + (hints.did_you_mean(name, known) or " (see `opa-contracts rules`)"),
                )
            )
        elif isinstance(value, str) and value in SEVERITY_VALUES:
            severities[name] = value
    return (
        Settings(
            name=_str(data.get("name"), "opa"),
            name_given=isinstance(data.get("name"), str),
            description=_str(data.get("description"), "").strip(),
            compatibility=_str(defaults.get("compatibility"), "BACKWARD"),
            open_content_policy=_str(defaults.get("open_content_policy"), "STRICT"),
            channel_pattern=pattern("channel", DEFAULT_CHANNEL_PATTERN),
            service_pattern=pattern("service", DEFAULT_SERVICE_PATTERN),
            kafka_topic=_str(naming.get("kafka_topic"), DEFAULT_KAFKA_TOPIC),
            kafka_migration=_str(migration.get("kafka"), "none"),
            max_file_bytes=max_bytes,
            severities=severities,
            kafka_defaults=kafka_defaults,
            unread_changes=unread if unread in ("breaking", "minor") else "breaking",
            environments=_environments(_dict(data.get("environments")), problems),
            redis_requirements=_redis_requirements(_dict(data.get("requirements")), problems),
        ),
        problems,
    )


def _environments(data: dict[str, Any], problems: list[tuple[str, str]]) -> tuple[Environment, ...]:
    """``environments``: each one's Redis and Kafka endpoints. A URL carrying a password is
    reported (secrets go in environment variables, named by ``password_env``) and left out."""
    found: list[Environment] = []
    for name, raw in data.items():
        entry = _dict(raw)
        where = join("/environments", str(name))
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
            problems.append(
                (where, f"environment name {name!r} is not lower-case letters, digits and _")
            )
            continue
        redis_entry = _dict(entry.get("redis"))
        redis: RedisEndpoint | None = None
        url = redis_entry.get("url")
        if isinstance(url, str):
            secret = _url_password(url)
            if secret:
                problems.append(
                    (
                        join(join(where, "redis"), "url"),
                        f"environment {name!r}: the Redis URL holds a password; name the "
                        "environment variable that holds it with password_env instead "
                        "(the URL is not used)",
                    )
                )
            else:
                redis = RedisEndpoint(
                    url=url,
                    tls=redis_entry.get("tls") is True or url.startswith("rediss://"),
                    **{k: _opt_str(redis_entry.get(k)) for k in _REDIS_ENV_FIELDS},
                )
        kafka_entry = _dict(entry.get("kafka"))
        kafka: KafkaEndpoint | None = None
        bootstrap = kafka_entry.get("bootstrap")
        if isinstance(bootstrap, str):
            kafka = KafkaEndpoint(
                bootstrap=bootstrap,
                security_protocol=_str(kafka_entry.get("security_protocol"), "PLAINTEXT"),
                sasl_mechanism=_opt_str(kafka_entry.get("sasl_mechanism")),
                **{k: _opt_str(kafka_entry.get(k)) for k in _KAFKA_ENV_FIELDS},
            )
        found.append(Environment(name=str(name), redis=redis, kafka=kafka))
    return tuple(found)


def _url_password(url: str) -> str | None:
    """The password written in ``url`` (``redis://user:secret@host``), if any."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password
    except ValueError:
        return None


def _redis_requirements(
    data: dict[str, Any], problems: list[tuple[str, str]]
) -> RedisRequirements | None:
    """``requirements.redis``: a minimum version ("7.2") and redis.conf settings."""
    redis = data.get("redis")
    if not isinstance(redis, dict):
        return None
    version = redis.get("min_version")
    if version is not None and not (
        isinstance(version, str) and re.fullmatch(r"[0-9]+(\.[0-9]+){0,2}", version)
    ):
        problems.append(
            (
                "/requirements/redis/min_version",
                f"requirements.redis.min_version {version!r} is not a version like '7.2'; "
                "no minimum is checked",
            )
        )
        version = None
    config = {
        str(k): str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in _dict(redis.get("config")).items()
    }
    return RedisRequirements(min_version=version, config=config)


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _kafka_defaults(kafka: dict[str, Any], problems: list[tuple[str, str]]) -> TopicSettings:
    """``defaults.kafka``: counts and configs checked like a manifest's (a bad one is reported and
    left out)."""
    counts: dict[str, int | None] = {}
    for key in ("partitions", "replication_factor"):
        value = kafka.get(key)
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        counts[key] = value if ok else None  # the registry schema reports a bad one
    config: dict[str, Any] = {}
    for name, raw in _dict(kafka.get("config")).items():
        value, problem = kafka_config.check(str(name), raw)
        if problem is not None:
            problems.append((join("/defaults/kafka/config", str(name)), problem))
        else:
            config[str(name)] = value
    return TopicSettings(
        partitions=counts["partitions"],
        replication_factor=counts["replication_factor"],
        config=dict(sorted(config.items())),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def _known_rules() -> set[str]:
    from opa_contracts.rules.registry import by_id

    return set(by_id())
