"""What the docs templates read: each channel's page as plain values, already worded.

Templates only lay values out; wording (policies in words, participants with their flags) lives
here so the Markdown and HTML pages say the same thing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opa_contracts import kafka_config, reads, units
from opa_contracts.compat.witness import WitnessBudget
from opa_contracts.diffing.accepted import Acceptance
from opa_contracts.generate.contracts import Channel, ContractVersion
from opa_contracts.generate.docs import changelog
from opa_contracts.generate.docs.fields import Field, constraints, fields, type_of
from opa_contracts.kafka_key import NO_KEY, KafkaKey
from opa_contracts.settings import Settings

_UNSAFE_FILE = re.compile(r"[^A-Za-z0-9._-]+")
_PER = {"second": "s", "minute": "min", "hour": "h", "day": "day"}


@dataclass(frozen=True)
class Participant:
    """A publisher or subscriber: its name, notes (planned, external) and description."""

    name: str
    notes: tuple[str, ...]
    description: str

    @property
    def label(self) -> str:
        """The name with its notes, as one line."""
        return self.name + (f" ({', '.join(self.notes)})" if self.notes else "")


@dataclass(frozen=True)
class Example:
    """An example message, with its JSON text."""

    name: str
    note: str
    json: str


@dataclass(frozen=True)
class Page:
    """One channel's page: its latest version in full, and the history of all versions."""

    channel: Channel
    slug: str
    contract: ContractVersion
    publishers: tuple[Participant, ...]
    subscribers: tuple[Participant, ...]
    policies: tuple[tuple[str, str], ...]
    redis: tuple[tuple[str, str], ...]
    kafka: tuple[tuple[str, str], ...]
    fields: tuple[Field, ...]
    examples: tuple[Example, ...]
    invalid_examples: tuple[Example, ...]
    history: tuple[changelog.Step, ...]
    paragraphs: tuple[str, ...]

    @property
    def name(self) -> str:
        """The channel name."""
        return self.channel.name

    @property
    def owner(self) -> str:
        """The owning team, or an empty string."""
        owner = self.contract.manifest.get("owner")
        return owner if isinstance(owner, str) else ""

    @property
    def search(self) -> str:
        """What the index's filter box matches against (lower case)."""
        words = [self.name, self.contract.summary, self.contract.status, self.contract.version]
        words += [p.label for p in self.participants]
        return " ".join(words).lower()

    @property
    def schema_json(self) -> str:
        """The latest version's payload schema, as indented JSON."""
        return json.dumps(self.contract.schema, ensure_ascii=False, indent=2)

    @property
    def publisher(self) -> Participant | None:
        """The first publisher (None when there is none), for override templates written before
        ``publishers``; the shipped templates list :attr:`publishers`."""
        return self.publishers[0] if self.publishers else None

    @property
    def participants(self) -> tuple[Participant, ...]:
        """Publishers first, then subscribers."""
        return self.publishers + self.subscribers

    @property
    def transports(self) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """(name, rows) of each transport the latest version declares, and no other."""
        found = (("Redis Pub/Sub", self.redis), ("Kafka", self.kafka))
        return tuple((label, rows) for label, rows in found if rows)

    @property
    def reading(self) -> list[reads.Subscriber]:
        """The subscribers of the latest version, with their declared reads."""
        return reads.subscribers(self.contract.manifest)

    def read_by(self, field: Field) -> list[str]:
        """The subscribers whose declared reads overlap ``field`` (within or above it)."""
        return [s.name for s in self.reading if s.declares and s.reading(field.place)]

    @property
    def reads_everything(self) -> list[str]:
        """The subscribers that declare no reads: they read every field."""
        return [s.name for s in self.reading if not s.declares]

    @property
    def declares_reads(self) -> bool:
        return any(s.declares for s in self.reading)


def declared(pages: list[Page]) -> str:
    """How many channels declare each transport, as a sentence (empty for no channel)."""
    counts = {
        "Redis Pub/Sub": sum(1 for p in pages if p.redis),
        "Kafka": sum(1 for p in pages if p.kafka),
    }
    parts = [f"{n} on {label}" for label, n in counts.items() if n]
    both = sum(1 for p in pages if p.redis and p.kafka)
    none = sum(1 for p in pages if not p.redis and not p.kafka)
    if not pages:
        return ""
    text = "Transports: " + (", ".join(parts) if parts else "none declared")
    if both and len(parts) > 1:
        text += f" ({both} on both)"
    if none and parts:
        text += f"; {none} without a transport"
    return text + "."


def slugs(names: list[str]) -> dict[str, str]:
    """A file name for each channel: safe characters only, unique even after folding case."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(names):
        base = _UNSAFE_FILE.sub("_", name).strip("._-")[:80] or "channel"
        if base != name or base.lower() in taken:
            # a changed or clashing name gets a suffix from the real name: stable, and unique
            base = f"{base}-{hashlib.sha256(name.encode()).hexdigest()[:10]}"
        taken.add(base.lower())
        out[name] = base
    return out


def page(
    channel: Channel,
    slug: str,
    settings: Settings,
    acceptances: tuple[Acceptance, ...] = (),
    budget: WitnessBudget | None = None,
) -> Page:
    """The page of ``channel`` (its latest version; all versions in the history, with the breaks
    ``acceptances`` accept shown as accepted)."""
    contract = channel.latest
    return dataclasses.replace(
        summary(channel, slug, settings),
        fields=tuple(fields(contract.schema)),
        examples=tuple(
            _example(e.name, _with_key(contract, e.note, e.key), e.payload)
            for e in contract.examples
        ),
        invalid_examples=tuple(
            _example(e.name, _with_key(contract, e.note, e.key), e.payload)
            for e in contract.invalid_examples
        ),
        history=changelog.history(channel, settings, acceptances, None, budget),
    )


def summary(channel: Channel, slug: str, settings: Settings) -> Page:
    """What the index, the service list and the diagrams read of ``channel``'s page: made from
    the small facts of its versions (no schema read, no changelog judged); fields, examples and
    history are empty (:func:`page` fills them)."""
    contract = channel.latest
    manifest = contract.manifest
    subscribers = manifest.get("subscribers")
    subscribed = subscribers if isinstance(subscribers, list) else []
    return Page(
        channel=channel,
        slug=slug,
        contract=contract,
        publishers=tuple(p for p in map(participant, contract.publishers) if p is not None),
        subscribers=tuple(p for p in map(participant, subscribed) if p is not None),
        policies=policies(manifest.get("policies")),
        redis=binding(contract.transports.get("redis")),
        kafka=kafka(contract.transports.get("kafka"), settings, contract.key),
        fields=(),
        examples=(),
        invalid_examples=(),
        history=(),
        paragraphs=paragraphs(contract.description),
    )


def participant(value: Any) -> Participant | None:
    """A participant from a manifest (a name, or a mapping with name and flags)."""
    if isinstance(value, str):
        return Participant(value, (), "")
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        return None
    notes = tuple(flag for flag in ("planned", "external") if value.get(flag) is True)
    description = value.get("description")
    return Participant(value["name"], notes, description if isinstance(description, str) else "")


def policies(value: Any) -> tuple[tuple[str, str], ...]:
    """The channel's policies in words, one (label, text) per policy."""
    if not isinstance(value, Mapping):
        return ()
    rows: list[tuple[str, str]] = []
    if "persistence" in value:
        rows.append(("persistence", _plain(value["persistence"])))
    throughput = value.get("throughput")
    if isinstance(throughput, Mapping):
        rows.append(("throughput", _throughput(throughput)))
    elif throughput is not None:
        rows.append(("throughput", _plain(throughput)))
    if "latency_target_ms" in value:
        target = value["latency_target_ms"]
        within = units.duration(target) if _count(target) else f"{_plain(target)} ms"
        rows.append(("latency target", f"under {within}, publish to receive"))
    schedule = value.get("schedule")
    if isinstance(schedule, Mapping):
        words = [f"cron {_plain(schedule.get('cron', ''))}"]
        words.append(_plain(schedule.get("timezone", "UTC")))
        text = " ".join(words)
        if isinstance(schedule.get("description"), str):
            text += f" — {schedule['description']}"
        rows.append(("schedule", text))
    if "heartbeat" in value:
        beat = value["heartbeat"]
        ms = units.parse_duration(beat)  # 30000, "30s" and "500ms" all read "30 s", "500 ms"
        every = units.duration(ms) if ms is not None and ms >= 0 else _plain(beat)
        rows.append(("heartbeat", f"every {every}"))
    known = {"persistence", "throughput", "latency_target_ms", "schedule", "heartbeat"}
    rows += [(str(k), _plain(v)) for k, v in value.items() if k not in known]
    return tuple(rows)


def _throughput(value: Mapping[str, Any]) -> str:
    unit = _PER.get(str(value.get("per")), _plain(value.get("per", "")))
    low, high, approx = value.get("min"), value.get("max"), value.get("approx")
    if low is not None and high is not None:
        text = f"{_plain(low)}–{_plain(high)} msg/{unit}"
    elif high is not None:
        text = f"up to {_plain(high)} msg/{unit}"
    elif low is not None:
        text = f"at least {_plain(low)} msg/{unit}"
    elif approx is not None:
        text = f"~{_plain(approx)} msg/{unit}"
    else:
        text = f"per {unit}"
    if isinstance(value.get("note"), str):
        text += f" ({value['note']})"
    return text


def binding(value: Any) -> tuple[tuple[str, str], ...]:
    """A transport binding as (setting, value) rows, in the manifest's order."""
    if not isinstance(value, Mapping):
        return ()
    return tuple((str(k), _plain(v)) for k, v in value.items())


def kafka(value: Any, settings: Settings, key: KafkaKey = NO_KEY) -> tuple[tuple[str, str], ...]:
    """The Kafka binding as (setting, value) rows: the manifest's keys in its order, then the
    partitions, replicas and topic configs the topic gets (registry defaults marked), with units
    (``7 days``, ``25 MiB``). A key with a schema of its own is its contract: type, constraints,
    description, how it travels, and the schema itself."""
    if not isinstance(value, Mapping):
        return ()
    topic = kafka_config.topic_settings(value, settings.kafka_defaults)
    shown = {"partitions", "replication_factor", "config", *kafka_config.SHORTHANDS}
    rows: list[tuple[str, str]] = []
    for k, v in value.items():
        if k == "key" and key.kind == "schema":
            rows += _key_rows(key)
        elif k not in shown:
            rows.append((str(k), _plain(v)))

    def mark(name: str, text: str) -> str:
        return f"{text} (registry default)" if name in topic.from_registry else text

    for name in ("partitions", "replication_factor"):
        count = getattr(topic, name)
        if count is not None:
            rows.append((name, mark(name, str(count))))
    rows += [(n, mark(n, kafka_config.shown(n, v))) for n, v in topic.config.items()]
    return tuple(rows)


def _key_rows(key: KafkaKey) -> list[tuple[str, str]]:
    schema = key.schema if isinstance(key.schema, Mapping) else {}
    wire = "raw UTF-8 text" if key.encoding == "string" else "compact JSON"
    rows = [("key", f"a schema of its own: {type_of(schema)}, sent as {wire}")]
    if constraints(schema):
        rows.append(("key constraints", "; ".join(constraints(schema))))
    if key.description:
        rows.append(("key description", key.description))
    rows.append(("key schema", _plain(key.schema)))
    return rows


def _with_key(contract: ContractVersion, note: str, key: Any) -> str:
    """An example's note, with its Kafka key when the key has a schema of its own."""
    if contract.key.kind != "schema":
        return note
    text = f"key {json.dumps(key, ensure_ascii=False)}"
    return f"{note} ({text})" if note else text


def paragraphs(text: str) -> tuple[str, ...]:
    """Prose split into paragraphs at blank lines, each joined into one line."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return tuple(" ".join(b.split()) for b in blocks if b.strip())


def _count(value: Any) -> bool:
    """A whole, non-negative number (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "none"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _example(name: str, note: str, payload: Any) -> Example:
    text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False)
    return Example(name, note, text)
