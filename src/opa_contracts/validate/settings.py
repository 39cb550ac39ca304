"""Registry-wide settings from ``contracts/registry.yaml``, with defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CHANNEL_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
DEFAULT_SERVICE_PATTERN = r"^opa-[a-z-]+$"
DEFAULT_KAFKA_TOPIC = "opa.{channel}"


@dataclass(frozen=True)
class Settings:
    """What a registry configures; every field has a default."""

    name: str = "opa"
    compatibility: str = "BACKWARD"
    open_content_policy: str = "STRICT"
    channel_pattern: re.Pattern[str] = re.compile(DEFAULT_CHANNEL_PATTERN)
    service_pattern: re.Pattern[str] = re.compile(DEFAULT_SERVICE_PATTERN)
    kafka_topic: str = DEFAULT_KAFKA_TOPIC
    kafka_migration: str = "none"
    severities: dict[str, str] = field(default_factory=dict)


def from_data(data: Any) -> tuple[Settings, list[tuple[str, str]]]:
    """Settings from parsed YAML, plus (pointer, message) problems for values that cannot be used.

    Shape errors are reported by the registry schema; this only keeps bad values from being used.
    """
    if not isinstance(data, dict):
        return Settings(), []
    problems: list[tuple[str, str]] = []
    defaults = _dict(data.get("defaults"))
    naming = _dict(data.get("naming"))
    migration = _dict(data.get("migration"))

    def pattern(key: str, default: str) -> re.Pattern[str]:
        value = naming.get(key, default)
        try:
            return re.compile(value if isinstance(value, str) else default)
        except re.error as exc:
            problems.append((f"/naming/{key}", f"naming.{key} is not a valid regex: {exc}"))
            return re.compile(default)

    rules = _dict(data.get("rules"))
    known = _known_rules()
    problems += [
        (f"/rules/{name}", f"unknown rule id {name!r} under rules (see `opa-contracts rules`)")
        for name in rules
        if name not in known
    ]
    return (
        Settings(
            name=_str(data.get("name"), "opa"),
            compatibility=_str(defaults.get("compatibility"), "BACKWARD"),
            open_content_policy=_str(defaults.get("open_content_policy"), "STRICT"),
            channel_pattern=pattern("channel", DEFAULT_CHANNEL_PATTERN),
            service_pattern=pattern("service", DEFAULT_SERVICE_PATTERN),
            kafka_topic=_str(naming.get("kafka_topic"), DEFAULT_KAFKA_TOPIC),
            kafka_migration=_str(migration.get("kafka"), "none"),
            severities={k: v for k, v in rules.items() if isinstance(v, str)},
        ),
        problems,
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def _known_rules() -> set[str]:
    from opa_contracts.rules.registry import by_id

    return set(by_id())
