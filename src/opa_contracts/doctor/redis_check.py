"""``doctor redis``: a Redis server against ``requirements.redis`` and a registry environment.

Read-only: ``INFO server``, ``CONFIG GET`` and one PING on a connection without credentials (to
learn whether the server requires AUTH). Nothing is written, no setting changed; each difference
comes with the ``CONFIG SET`` command and the redis.conf line that would fix it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from opa_contracts.doctor import DoctorError
from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.generate.contracts import RELEASED, Sources
from opa_contracts.rules import catalog as rc
from opa_contracts.settings import Environment, RedisRequirements, Settings

#: Seconds of slack under which a slow subscriber's output buffer limit is a warning.
MIN_PUBSUB_SLACK_SECONDS = 10.0
#: Bytes Redis adds to each Pub/Sub message it sends (RESP framing of a 3-item push, roughly).
PUBSUB_FRAME_BYTES = 30
SECONDS_PER = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
#: What the runtime relies on, by server version (the README says the same).
RELIED_ON = (
    "the runtime relies only on Pub/Sub behaviour Redis 6.2 already has (PUBLISH returning the "
    "receiver count, SUBSCRIBE/PSUBSCRIBE confirmations, INFO for reconnect diagnosis, XADD "
    "for dead letters), and the suite runs against 6.2 and 7.0; sharded Pub/Sub (SPUBLISH, "
    "SSUBSCRIBE, from 7.0) is not used"
)
#: requirements.redis.config names with a rule of their own (the rest: redis-config).
CONFIG_RULES = {
    "maxmemory": rc.REDIS_MAXMEMORY,
    "maxmemory-policy": rc.REDIS_MAXMEMORY_POLICY,
    "timeout": rc.REDIS_TIMEOUT,
    "tcp-keepalive": rc.REDIS_TCP_KEEPALIVE,
}
_SIZE = re.compile(r"^\s*(\d+)\s*(b|k|kb|m|mb|g|gb)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2}
_UNITS |= {"g": 1000**3, "gb": 1024**3}


@dataclass(frozen=True)
class RedisTarget:
    """What to connect to: a URL, redis-py connection options, and the environment it came from."""

    url: str
    connection: Mapping[str, Any] = field(default_factory=dict)
    environment: Environment | None = None

    @property
    def shown(self) -> str:
        """The URL without any password, for reports."""
        return safe_url(self.url)


def safe_url(url: str) -> str:
    """``url`` with the password of its user part replaced by ``***``."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))
    except ValueError:
        return "(an unreadable URL)"


def parse_size(text: str) -> int | None:
    """Bytes of a redis.conf size (``256mb``, ``1gb``, ``100k``, ``268435456``)."""
    match = _SIZE.match(text)
    return int(match[1]) * _UNITS[(match[2] or "").lower()] if match else None


def check(
    target: RedisTarget, settings: Settings, sources: Sources | None, client: Any = None
) -> Report:
    """Every check of ``target`` against ``settings``; raises :class:`DoctorError` when the server
    cannot be reached (``client``: a redis-py client to use instead of making one)."""
    doctor = _Doctor(target, settings.redis_requirements or RedisRequirements())
    own = client is None
    if client is None:
        client = _client(target.url, dict(target.connection))
    try:
        doctor.run(client, sources)
    finally:
        if own:
            client.close()
    findings, suppressed = settings.apply(doctor.findings)
    summary = {"server": target.shown, "checks": doctor.checks}
    if target.environment is not None:
        summary["environment"] = target.environment.name
    return Report.build("doctor redis", findings, suppressed=suppressed, summary=summary)


def _client(url: str, connection: dict[str, Any]) -> Any:
    try:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ImportError:  # pragma: no cover - depends on what is installed
        raise DoctorError(
            "doctor redis needs redis-py: pip install 'opa-contracts[doctor]'"
        ) from None
    options = {
        "socket_timeout": 10.0,
        "socket_connect_timeout": 10.0,
        "retry": Retry(NoBackoff(), 0),
    }
    try:
        return redis.Redis.from_url(url, **options, **connection)
    except ValueError as exc:
        raise DoctorError(f"{safe_url(url)}: not a Redis URL: {exc}") from None


class _Doctor:
    def __init__(self, target: RedisTarget, requirements: RedisRequirements) -> None:
        self.target = target
        self.requirements = requirements
        self.findings: list[Finding] = []
        self.checks: list[dict[str, Any]] = []

    def emit(self, rule: Any, message: str, pointer: str = "", **details: Any) -> None:
        self.findings.append(
            Finding(
                rule=rule.id,
                severity=rule.severity,
                message=message,
                file=self.target.shown,
                pointer=pointer,
                details=details,
            )
        )

    def cannot(self, what: str, exc: Exception) -> None:
        self.emit(
            rc.DOCTOR_CANNOT_CHECK,
            f"cannot check {what}: the server refused ({_reason(exc)}); the other checks go on",
            check=what,
        )

    def run(self, client: Any, sources: Sources | None) -> None:
        import redis

        try:
            client.ping()
        except redis.AuthenticationError as exc:
            raise DoctorError(
                f"{self.target.shown}: Redis refused the credentials ({_reason(exc)}); "
                + (
                    "give the password in the environment variable the environment names"
                    if self.target.environment is not None
                    else "give it with --password-env VARIABLE (and --user-env for an ACL user)"
                )
            ) from None
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise DoctorError(
                f"{self.target.shown}: cannot connect: {_connection_reason(self.target, exc)}"
            ) from None
        self._version(client)
        self._config(client)
        self._pubsub_buffer(client, sources)
        self._auth(client)
        self._tls()

    def _version(self, client: Any) -> None:
        import redis

        try:
            version = str(client.info("server").get("redis_version", ""))
        except redis.ResponseError as exc:
            self.cannot("the server version (INFO server)", exc)
            return
        wanted = self.requirements.min_version
        self.checks.append({"check": "version", "actual": version, "expected": wanted})
        if wanted is None or not version:
            return
        if _version_tuple(version) < _version_tuple(wanted):
            self.emit(
                rc.REDIS_VERSION,
                f"Redis {version} is older than the {wanted} the registry requires "
                f"(requirements.redis.min_version); {RELIED_ON}. Fix: run Redis {wanted} or later "
                f"(image redis:{wanted})",
                "/requirements/redis/min_version",
                actual=version,
                expected=wanted,
            )

    def _config(self, client: Any) -> None:
        for name, wanted in self.requirements.config.items():
            actual = self._config_get(client, name)
            if actual is None:
                continue
            ok = _same(name, actual, wanted)
            self.checks.append({"check": name, "actual": actual, "expected": wanted, "ok": ok})
            if ok:
                continue
            rule = CONFIG_RULES.get(name, rc.REDIS_CONFIG)
            shown = _shown(name, actual)
            self.emit(
                rule,
                f"{name} is {shown}, the registry requires {wanted}. Fix: CONFIG SET "
                f"{name} {wanted} (and CONFIG REWRITE), or in redis.conf: {name} {wanted}",
                f"/requirements/redis/config/{name}",
                actual=actual,
                expected=wanted,
                fix=f"CONFIG SET {name} {wanted}",
            )

    def _config_get(self, client: Any, name: str) -> str | None:
        import redis

        try:
            found = client.config_get(name)
        except redis.ResponseError as exc:
            self.cannot(f"{name} (CONFIG GET)", exc)
            return None
        value = found.get(name) if isinstance(found, dict) else None
        if value is None:
            self.emit(
                rc.DOCTOR_CANNOT_CHECK,
                f"cannot check {name}: this server has no such setting",
                f"/requirements/redis/config/{name}",
                check=name,
            )
            return None
        return _text(value)

    def _pubsub_buffer(self, client: Any, sources: Sources | None) -> None:
        text = self._config_get(client, "client-output-buffer-limit")
        if text is None:
            return
        limits = _pubsub_limits(text)
        if limits is None:
            return
        hard, soft, soft_seconds = limits
        rate, busiest = _declared_rate(sources)
        fix = 'CONFIG SET client-output-buffer-limit "pubsub 32mb 8mb 60"'
        self.checks.append(
            {
                "check": "client-output-buffer-limit pubsub",
                "actual": f"{hard} {soft} {soft_seconds}",
                "declared_bytes_per_second": round(rate),
            }
        )
        if rate <= 0:
            return
        slack = _slack(hard, soft, soft_seconds, rate)
        declared = f"the channels' declared peak of {_bytes(rate)}/s ({busiest})"
        if slack is None:
            self.emit(
                rc.REDIS_PUBSUB_BUFFER,
                f"client-output-buffer-limit pubsub has no limit: a subscriber that stops reading "
                f"makes Redis buffer {declared} for it until memory runs out",
                hard=hard,
                soft=soft,
                soft_seconds=soft_seconds,
                bytes_per_second=rate,
            )
            return
        severity = Severity.WARNING if slack < MIN_PUBSUB_SLACK_SECONDS else Severity.NOTE
        message = (
            f"client-output-buffer-limit pubsub is {_bytes(hard)} hard, {_bytes(soft)} for "
            f"{soft_seconds} s soft: at {declared}, a subscriber that stops reading is "
            f"disconnected after {slack:.1f} s and the messages of the gap are lost"
        )
        if severity is Severity.WARNING:
            message += (
                f". Fix: raise it, e.g. {fix}, or in redis.conf: "
                "client-output-buffer-limit pubsub 32mb 8mb 60"
            )
        self.findings.append(
            Finding(
                rule=rc.REDIS_PUBSUB_BUFFER.id,
                severity=severity,
                message=message,
                file=self.target.shown,
                details={"slack_seconds": round(slack, 3), "bytes_per_second": rate},
            )
        )

    def _auth(self, client: Any) -> None:
        import redis

        kwargs = dict(client.connection_pool.connection_kwargs)
        for secret in ("password", "username"):
            kwargs.pop(secret, None)
        kwargs.pop("credential_provider", None)
        anonymous = redis.Redis(
            connection_pool=redis.ConnectionPool(
                connection_class=client.connection_pool.connection_class, **kwargs
            )
        )
        try:
            anonymous.ping()
            required = False
        except redis.AuthenticationError:
            required = True
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError) as exc:
            self.cannot("whether AUTH is required (a PING without credentials)", exc)
            return
        finally:
            anonymous.close()
        self.checks.append({"check": "auth required", "actual": required})
        env = self.target.environment
        declared = env is not None and env.redis is not None and env.redis.password_env is not None
        if env is None and required:
            self.findings.append(
                Finding(
                    rule=rc.REDIS_AUTH.id,
                    severity=Severity.NOTE,
                    message="the server requires AUTH",
                    file=self.target.shown,
                    details={"required": required},
                )
            )
        elif env is None:
            self.emit(
                rc.REDIS_AUTH,
                "the server accepts clients without a password (no AUTH): anyone who reaches "
                "it can publish. Fix: CONFIG SET requirepass <password> (redis.conf: requirepass "
                "...) or ACL users, then give services the password by environment variable",
                required=required,
            )
        elif required and not declared:
            self.emit(
                rc.REDIS_AUTH,
                f"the server requires AUTH but environment {env.name!r} declares no password_env: "
                "its services would be refused. Fix: add password_env (and username_env for an "
                "ACL user) to the environment's redis entry",
                f"/environments/{env.name}/redis",
                required=required,
            )
        elif declared and not required:
            self.emit(
                rc.REDIS_AUTH,
                f"environment {env.name!r} declares a password but the server accepts clients "
                "without one: anyone on its network can publish. Fix: CONFIG SET requirepass "
                "<the password> (redis.conf: requirepass ...), or an ACL user with "
                "'user default off' in redis.conf",
                f"/environments/{env.name}/redis/password_env",
                required=required,
            )

    def _tls(self) -> None:
        tls = self.target.url.startswith("rediss://")
        env = self.target.environment
        self.checks.append({"check": "tls", "actual": tls})
        words = "over TLS (rediss://)" if tls else "in plaintext (redis://)"
        message = f"the connection is {words}"
        if env is not None and env.redis is not None:
            message += f", as environment {env.name!r} declares (tls: {str(env.redis.tls).lower()})"
        elif not tls:
            message += "; the contract plans AUTH and TLS for production in Phase 6"
        self.emit(rc.REDIS_TLS, message, tls=tls)


def _declared_rate(sources: Sources | None) -> tuple[float, str]:
    """Bytes per second a subscriber to every Redis channel receives at the declared peaks, and
    the channel that contributes most (name, rate and message size)."""
    if sources is None:
        return 0.0, ""
    total = 0.0
    busiest = (0.0, "")
    for channel in sources.channels:
        released = [v for v in channel.versions if v.status in RELEASED and v.status != "retired"]
        if not released:
            continue
        contract = released[-1]
        redis_binding = contract.transports.get("redis")
        if not isinstance(redis_binding, Mapping):
            continue
        policies = contract.manifest.get("policies")
        throughput = policies.get("throughput") if isinstance(policies, Mapping) else None
        if not isinstance(throughput, Mapping):
            continue
        per = SECONDS_PER.get(str(throughput.get("per")))
        peak = next(
            (
                throughput[k]
                for k in ("max", "approx", "min")
                if isinstance(throughput.get(k), int | float)
            ),
            None,
        )
        if per is None or peak is None:
            continue
        sizes = [
            len(json.dumps(e.payload, separators=(",", ":"), ensure_ascii=False).encode())
            for e in contract.examples
        ]
        if not sizes:
            continue
        where = str(redis_binding.get("channel", channel.name))
        size = max(sizes) + len(where) + PUBSUB_FRAME_BYTES
        rate = peak / per * size
        total += rate
        if rate > busiest[0]:
            busiest = (
                rate,
                f"busiest: {channel.name}, {peak:g} msg/{throughput['per']} × {size} B",
            )
    return total, busiest[1]


def _pubsub_limits(text: str) -> tuple[int, int, int] | None:
    words = text.split()
    for i in range(0, len(words) - 3, 4):
        if words[i] == "pubsub":
            hard, soft, seconds = (parse_size(w) for w in words[i + 1 : i + 4])
            if hard is not None and soft is not None and seconds is not None:
                return hard, soft, seconds
    return None


def _slack(hard: int, soft: int, soft_seconds: int, rate: float) -> float | None:
    """Seconds until a subscriber that reads nothing is disconnected (None: never)."""
    times = []
    if hard:
        times.append(hard / rate)
    if soft:
        times.append(soft / rate + soft_seconds)
    return min(times) if times else None


def _same(name: str, actual: str, wanted: str) -> bool:
    if actual.strip().lower() == wanted.strip().lower():
        return True
    if name in ("maxmemory",) or name.startswith("client-query") or name.endswith("-size"):
        return parse_size(actual) is not None and parse_size(actual) == parse_size(wanted)
    return False


def _shown(name: str, actual: str) -> str:
    if name == "maxmemory":
        size = parse_size(actual)
        if size == 0:
            return "0 (no limit)"
        if size is not None:
            return f"{actual} ({_bytes(size)})"
    return actual


def _bytes(count: float) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count:.0f} B"


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _connection_reason(target: RedisTarget, exc: BaseException) -> str:
    reason = _reason(exc)
    lowered = reason.lower()
    if "certificate" in lowered or "ssl" in lowered:
        return f"TLS failed: {reason} (check the CA file and the client certificate)"
    if not target.url.startswith("rediss://") and (
        "closed by server" in lowered or "connection reset" in lowered
    ):
        return f"{reason} (a TLS port? use a rediss:// URL)"
    return reason
