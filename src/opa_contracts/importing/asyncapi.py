"""``import asyncapi``: a registry from an AsyncAPI 2.6 or 3.0 document (see docs/import.md).

How the document maps onto manifests:

- Each channel is one registry channel. Its name is ``x-opa-contracts.channel`` (written by
  ``generate asyncapi``), else the channel's address (2.6: its key), else its id, made fit for a
  folder name. Servers give the transports: a channel on a ``redis`` server gets
  ``transports.redis.channel`` (its address), one on a ``kafka`` server or with a ``kafka``
  binding gets ``transports.kafka`` (topic, partitions, replicas, ``cleanup.policy``,
  ``retention.ms``; the message binding's key when it is a payload property).
- Messages are grouped by version (``x-opa-contracts.version``, else ``info.version`` when it is a
  semantic version, else ``1.0.0``); one version with several messages gets their payloads as the
  branches of an ``anyOf``. Payloads in AsyncAPI or JSON Schema format are kept; other formats
  (Avro, RAML, Protobuf) have no place and are reported.
- Operations give publishers (several senders: ``publishers``) and subscribers: 3.0
  ``send``/``receive``; 2.6 ``subscribe`` (the application sends) and ``publish`` (it
  receives), as the 2.6 specification defines them. The service is
  ``x-opa-contracts.service``, else the application the document describes (``info.title``).
- ``info.title`` and ``info.description`` become registry.yaml's ``name`` and ``description``
  (of a description ``generate asyncapi`` wrote, only the registry's own text before the
  paragraph it adds).
- ``$ref``s: ``#/components/schemas/X`` used by several channels becomes ``_schemas/X.yaml``,
  used by one a local definition; a pointer into the message's own payload becomes a local one.
  A reference that leaves the document is refused and never fetched.

Whatever has no place in a manifest is an ``import-fact-lost`` finding at its place in the
document; a fact kept in another form is an ``import-fact-changed`` note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts import dialects, formats
from opa_contracts.generate.asyncapi_payload import fragment
from opa_contracts.importing.common import (
    API_VERSION,
    SEMVER,
    Fatal,
    Imported,
    duration,
    registry_settings,
    safe_name,
)
from opa_contracts.names import unique
from opa_contracts.pointer import escape, join, unescape
from opa_contracts.rules import catalog as rc

MAX_REF_HOPS = 64
_GENERATED_KEY = re.compile(r"^The value of the payload property '(.+)'\.$")
_SCHEMA_FORMAT = re.compile(
    r"^application/(?:schema\+json|schema\+yaml|schema);\s*version=(?:draft-)?([0-9-]+)$"
)
_ASYNCAPI_FORMAT = re.compile(r"^application/vnd\.aai\.asyncapi(?:\+json|\+yaml)?(?:;.*)?$")
_DIALECT_OF_FORMAT = {"04": "draft-04", "06": "draft-06", "07": "draft-07"}
_DIALECT_OF_FORMAT |= {"2019-09": "2019-09", "2020-12": "2020-12"}
_KAFKA = ("kafka", "kafka-secure")
_TOPIC = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
_STATUSES = ("draft", "active", "deprecated", "retired")
_MODES = (
    *("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE"),
    *("FULL", "FULL_TRANSITIVE"),
)
_OURS = "x-opa-contracts"
MANIFEST_FORMAT = "manifest-v1.schema.json"
_KAFKA_CONFIG = ("$defs", "transports", "properties", "kafka", "properties", "config")
#: content types and the manifest encoding each says (msgpack has several names in use)
_ENCODINGS = {"application/json": "json", "text/json": "json"}
_ENCODINGS |= dict.fromkeys(
    ("application/msgpack", "application/x-msgpack", "application/vnd.msgpack"), "msgpack"
)
SCHEMA_PREFIX = "/components/schemas/"


@dataclass
class _Message:
    pointer: str  # where the message object is (after following references)
    node: dict[str, Any]


@dataclass
class _Operation:
    action: str  # send | receive
    pointer: str
    node: dict[str, Any]
    messages: list[str] | None  # message pointers; None: every message of the channel


@dataclass
class _Channel:
    key: str  # the id (3.0) or the address (2.6)
    pointer: str
    node: dict[str, Any]
    address: str | None
    messages: list[_Message] = field(default_factory=list)
    operations: list[_Operation] = field(default_factory=list)
    servers: list[str] = field(default_factory=list)


@dataclass
class _Payload:
    """One message's payload: where its schema is in the document, and the schema."""

    message: _Message
    pointer: str
    schema: Any
    dialect: str


class _Importer:
    def __init__(self, imported: Imported, data: dict[str, Any], major: int) -> None:
        self.out = imported
        self.doc = data
        self.major = major
        info = _dict(data.get("info"))
        self.info: dict[str, Any] = info
        title = info.get("title")
        self.title = title if isinstance(title, str) else ""
        self.application = safe_name(self.title.lower().replace(" ", "-")) if self.title else "app"
        version = info.get("version")
        self.default_version = (
            version if isinstance(version, str) and SEMVER.match(version) else "1.0.0"
        )
        self.kept: set[tuple[str, str]] = set()  # (message pointer, key) placed in a schema
        self.messages: set[str] = set()  # pointers of the messages channels carry
        self.schemas = _Schemas(self)
        default = data.get("defaultContentType")
        self.default_content = default if isinstance(default, str) else "application/json"
        self.default_lost = False  # a message took defaultContentType, which has no place
        self.description = ""  # info.description, less what generate asyncapi adds to it

    # ------------------------------------------------------------------ findings and references

    def lost(self, what: str, pointer: str, channel: str = "", version: str = "") -> None:
        self.out.add(
            rc.IMPORT_FACT_LOST,
            f"{what}: the registry has no place for it",
            pointer=pointer,
            channel=channel,
            version=version,
            key=True,
        )

    def changed(self, what: str, pointer: str, channel: str = "", version: str = "") -> None:
        self.out.add(
            rc.IMPORT_FACT_CHANGED, what, pointer=pointer, channel=channel, version=version
        )

    def at(self, pointer: str) -> Any:
        node: Any = self.doc
        for raw in pointer.split("/")[1:] if pointer else []:
            token = unescape(raw)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise KeyError(pointer)
        return node

    def follow(self, node: Any, pointer: str) -> tuple[Any, str]:
        """A Reference Object replaced by what it points at (checked by :meth:`check_refs`)."""
        for _ in range(MAX_REF_HOPS):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node, pointer
            pointer = _fragment(node["$ref"])
            node = self.at(pointer)
        raise self.out.fatal(f"$ref chain longer than {MAX_REF_HOPS} hops", pointer=pointer)

    def check_refs(self) -> None:
        """Every ``$ref`` names a place of this document: none is fetched, none dangles."""
        problems = 0
        for pointer, ref in _refs(self.doc, ""):
            if not ref.startswith("#"):
                self.out.add(
                    rc.IMPORT_SOURCE_INVALID,
                    f"$ref {ref!r} leaves the document; it is never fetched: bundle the document "
                    "into one file first (for example `asyncapi bundle`)",
                    pointer=pointer,
                )
                problems += 1
                continue
            try:
                self.at(_fragment(ref))
            except KeyError:
                self.out.add(
                    rc.IMPORT_SOURCE_INVALID,
                    f"$ref {ref!r} names nothing in the document",
                    pointer=pointer,
                )
                problems += 1
        if problems:
            raise Fatal("references")

    # ------------------------------------------------------------------ reading the document

    def servers(self) -> dict[str, str]:
        """Server name -> protocol; what a registry cannot keep about them is reported."""
        servers = self.doc.get("servers")
        found: dict[str, str] = {}
        for name, raw in servers.items() if isinstance(servers, dict) else ():
            pointer = join("/servers", name)
            server, where = self.follow(raw, pointer)
            if not isinstance(server, dict):
                continue
            protocol = str(server.get("protocol", "")).lower()
            found[name] = protocol
            if protocol != "redis" and protocol not in _KAFKA:
                self.lost(
                    f"server {name!r} speaks {protocol or 'no protocol'}; a registry knows redis "
                    "and kafka only, and its channels get no transport from it",
                    where,
                )
            host = server.get("host", server.get("url"))
            if isinstance(host, str) and not _placeholder(host):
                self.lost(
                    f"server {name!r} host {host!r} (hosts belong to generators/asyncapi.yaml: "
                    "redis_host, kafka_host)",
                    where,
                )
            for key in server:
                if key in ("host", "url", "protocol", "variables", "description"):
                    continue
                if key == "protocolVersion" or not key.startswith("x-"):
                    self.lost(f"server {name!r} {key}", join(where, key))
        return found

    def channels(self, protocols: dict[str, str]) -> list[_Channel]:
        raw_channels = self.doc.get("channels")
        channels: list[_Channel] = []
        for key, raw in raw_channels.items() if isinstance(raw_channels, dict) else ():
            channel, pointer = self.follow(raw, join("/channels", key))
            if not isinstance(channel, dict):
                continue
            address = channel.get("address") if self.major == 3 else key
            found = _Channel(key, pointer, channel, address if isinstance(address, str) else None)
            found.servers = self._channel_servers(channel, protocols)
            if self.major == 3:
                self._messages_3(found)
            else:
                self._operations_2(found)
            channels.append(found)
        if self.major == 3:
            self._operations_3(channels)
        return channels

    def _channel_servers(self, channel: dict[str, Any], protocols: dict[str, str]) -> list[str]:
        listed = channel.get("servers")
        if not isinstance(listed, list) and _dict(channel.get(_OURS)).get("transports") == []:
            return []  # generate asyncapi wrote a channel that declares no transport
        if not isinstance(listed, list):
            return sorted(set(protocols.values()))
        names = []
        for entry in listed:
            if isinstance(entry, dict) and isinstance(entry.get("$ref"), str):
                names.append(unescape(_fragment(entry["$ref"]).rsplit("/", 1)[-1]))
            elif isinstance(entry, str):
                names.append(entry)
        return sorted({protocols.get(n, "") for n in names} - {""})

    def _messages_3(self, channel: _Channel) -> None:
        messages = channel.node.get("messages")
        for key, raw in messages.items() if isinstance(messages, dict) else ():
            message, pointer = self.follow(raw, join(channel.pointer, "messages", key))
            if isinstance(message, dict):
                channel.messages.append(_Message(pointer, message))

    def _operations_3(self, channels: list[_Channel]) -> None:
        operations = self.doc.get("operations")
        by_pointer = {c.pointer: c for c in channels}
        by_key = {join("/channels", c.key): c for c in channels}
        for op_id, raw in operations.items() if isinstance(operations, dict) else ():
            operation, pointer = self.follow(raw, join("/operations", op_id))
            if not isinstance(operation, dict):
                continue
            ref = _dict(operation.get("channel")).get("$ref")
            target = _fragment(ref) if isinstance(ref, str) else ""
            channel = by_key.get(target) or by_pointer.get(target)
            action = operation.get("action")
            if channel is None or action not in ("send", "receive"):
                self.lost(f"operation {op_id!r} (no channel or no action)", pointer)
                continue
            listed = operation.get("messages")
            messages: list[str] | None = None
            if isinstance(listed, list):
                messages = [self.follow(m, pointer)[1] for m in listed]
            channel.operations.append(_Operation(action, pointer, operation, messages))

    def _operations_2(self, channel: _Channel) -> None:
        for verb, action in (("subscribe", "send"), ("publish", "receive")):
            raw = channel.node.get(verb)
            if raw is None:
                continue
            operation, pointer = self.follow(raw, join(channel.pointer, verb))
            if not isinstance(operation, dict):
                continue
            message, where = self.follow(operation.get("message"), join(pointer, "message"))
            listed: list[tuple[Any, str]] = []
            if isinstance(message, dict) and isinstance(message.get("oneOf"), list):
                listed = [
                    self.follow(m, join(where, "oneOf", i)) for i, m in enumerate(message["oneOf"])
                ]
            elif isinstance(message, dict):
                listed = [(message, where)]
            pointers = []
            for node, at in listed:
                if isinstance(node, dict):
                    pointers.append(at)
                    if all(m.pointer != at for m in channel.messages):
                        channel.messages.append(_Message(at, node))
            channel.operations.append(_Operation(action, pointer, operation, pointers))

    # ------------------------------------------------------------------ one channel

    def channel(self, channel: _Channel, taken: set[str]) -> list[dict[str, Any]]:
        node = channel.node
        ours = _dict(node.get(_OURS))
        wanted = ours.get("channel") if isinstance(ours.get("channel"), str) else None
        source = wanted or channel.address or channel.key
        name = unique(safe_name(source), taken)
        if name != source:
            self.changed(
                f"channel {source!r} is named {name!r} in the registry (a folder name)",
                channel.pointer,
                name,
            )
        self._channel_leftovers(channel, name)
        transports = self._transports(channel, name, ours)
        groups: dict[str, list[_Message]] = {}
        for message in channel.messages:
            message.node = self._with_traits(message, name)
            mine = message.node.get(_OURS)
            version = mine.get("version") if isinstance(mine, dict) else None
            if not (isinstance(version, str) and SEMVER.match(version)):
                version = self.default_version
            groups.setdefault(version, []).append(message)
        if not groups:
            self.lost(f"channel {name!r} carries no message", channel.pointer, name)
            return []
        manifests = []
        for version, messages in groups.items():
            manifest = self._version(channel, name, version, messages, transports)
            if manifest is not None:
                manifests.append(manifest)
        return manifests

    def _channel_leftovers(self, channel: _Channel, name: str) -> None:
        known = {"address", "title", "summary", "description", "servers", "messages", "bindings"}
        known |= {"publish", "subscribe", _OURS}
        for key, value in channel.node.items():
            where = join(channel.pointer, key)
            if key == "parameters" or (key not in known and not key.startswith("x-")):
                self.lost(f"channel {name!r} {key}", where, name)
            elif key == "title" and value != name and value != channel.key:
                self.lost(f"channel {name!r} title {value!r}", where, name)
        bindings = channel.node.get("bindings")
        for key in bindings if isinstance(bindings, dict) else ():
            if key != "kafka":
                self.lost(f"channel {name!r} {key} binding", join(channel.pointer, "bindings", key))

    def _transports(self, channel: _Channel, name: str, ours: dict[str, Any]) -> dict[str, Any]:
        transports: dict[str, Any] = {}
        bindings = channel.node.get("bindings")
        binding, where = self.follow(
            bindings.get("kafka") if isinstance(bindings, dict) else None,
            join(channel.pointer, "bindings", "kafka"),
        )
        if "redis" in channel.servers:
            redis = _text(ours, "redis_channel") or channel.address or name
            transports["redis"] = {"channel": redis}
        if any(p in _KAFKA for p in channel.servers) or isinstance(binding, dict):
            transports["kafka"] = self._kafka(binding, where, channel, name)
        if not transports and _dict(channel.node.get(_OURS)).get("transports") != []:
            self.changed(
                f"channel {name!r} runs on no redis or kafka server", channel.pointer, name
            )
        return transports

    def _kafka(self, binding: Any, where: str, channel: _Channel, name: str) -> dict[str, Any]:
        binding = binding if isinstance(binding, dict) else {}
        topic = _text(binding, "topic") or channel.address or name
        if not _TOPIC.match(topic):
            fixed = safe_name(topic)[:249]
            self.changed(f"kafka topic {topic!r} is written {fixed!r} (a topic name)", where, name)
            topic = fixed
        kafka: dict[str, Any] = {"topic": topic}
        for key, setting in (("partitions", "partitions"), ("replicas", "replication_factor")):
            value = binding.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                kafka[setting] = value
            elif key in binding:
                self.lost(f"kafka binding {key}={value!r} of {name!r}", join(where, key), name)
        config = binding.get("topicConfiguration")
        for key, value in config.items() if isinstance(config, dict) else ():
            at = join(where, "topicConfiguration", key)
            if key == "cleanup.policy" and isinstance(value, list) and value:
                policy = ",".join(sorted({str(v) for v in value}))
                if policy in ("delete", "compact", "compact,delete"):
                    kafka["cleanup_policy"] = policy
                    continue
            if key == "retention.ms" and isinstance(value, int) and not isinstance(value, bool):
                kafka["retention"] = duration(value)
                continue
            if _format_has(*_KAFKA_CONFIG):  # a manifest format with any topic config
                kafka.setdefault("config", {})[key] = value
                continue
            self.lost(f"kafka topic setting {key}={value!r} of {name!r}", at, name)
        if "config" in kafka:
            kafka["config"] = kafka.pop("config")  # last, as the manifest format lists it
        for key in binding:
            if key not in (
                "topic",
                "partitions",
                "replicas",
                "topicConfiguration",
                "bindingVersion",
            ):
                self.lost(f"kafka binding {key} of {name!r}", join(where, key), name)
        return kafka

    def _with_traits(self, message: _Message, name: str) -> dict[str, Any]:
        traits = message.node.get("traits")
        if not isinstance(traits, list) or not traits:
            return message.node
        merged = {k: v for k, v in message.node.items() if k != "traits"}
        for i, raw in enumerate(traits):
            trait, _ = self.follow(raw, join(message.pointer, "traits", i))
            for key, value in trait.items() if isinstance(trait, dict) else ():
                merged.setdefault(key, value)
        self.changed(
            f"the traits of a message of {name!r} are merged into it",
            join(message.pointer, "traits"),
            name,
        )
        return merged

    # ------------------------------------------------------------------ one version

    def _version(
        self,
        channel: _Channel,
        name: str,
        version: str,
        messages: list[_Message],
        transports: dict[str, Any],
    ) -> dict[str, Any] | None:
        payloads = [p for p in (self._payload(m, name, version) for m in messages) if p]
        if not payloads:
            self.lost(
                f"version {version} of {name!r}: no message with a JSON payload",
                channel.pointer,
                name,
                version,
            )
            return None
        first = payloads[0].message.node
        mine = _dict(first.get(_OURS))
        manifest: dict[str, Any] = {"apiVersion": API_VERSION, "channel": name, "version": version}
        status = mine.get("status")
        if status not in _STATUSES:
            status = "deprecated" if first.get("deprecated") is True else "active"
        manifest["status"] = status
        summary, description = self._texts(channel, payloads, name, version)
        manifest["summary"] = summary
        if description:
            manifest["description"] = description
        publishers, subscribers = self._participants(channel, name, version, messages)
        if len(publishers) == 1:
            manifest["publisher"] = publishers[0]
        else:
            manifest["publishers"] = publishers
        if subscribers:
            manifest["subscribers"] = subscribers
        if mine.get("compatibility") in _MODES:
            manifest["compatibility"] = mine["compatibility"]
        version_transports = {k: dict(v) for k, v in transports.items()}
        key = self._key(payloads, name, version)
        if key is not None and "kafka" in version_transports:
            version_transports["kafka"] = _with_key(version_transports["kafka"], key)
        if version_transports:
            manifest["transports"] = version_transports
        encoding = self._encoding(payloads, name, version)
        if encoding is not None and encoding != "json":
            manifest["encoding"] = encoding
        manifest["schema"] = self.schemas.payload(payloads, name, version)
        examples = self._examples(payloads, name, version)
        if examples:
            manifest["examples"] = examples
        for key_name, value in channel.node.items():
            if key_name.startswith("x-") and key_name != _OURS:
                manifest[key_name] = value
        for payload in payloads:
            self._message_leftovers(payload, name, version, status)
            for key_name, value in payload.message.node.items():
                if key_name.startswith("x-") and key_name != _OURS:
                    manifest.setdefault(key_name, value)
        return manifest

    def _encoding(self, payloads: list[_Payload], name: str, version: str) -> str | None:
        """The manifest's ``encoding`` for the messages' content type (the first one's), when
        the manifest format has it; a content type it cannot say is reported."""
        found: str | None = None
        for payload in payloads:
            node = payload.message.node
            content = _text(node, "contentType") or self.default_content
            encoding = _ENCODINGS.get(content.split(";")[0].strip().lower())
            if encoding is not None and encoding in _encodings() and found in (None, encoding):
                found = encoding
                self.kept.add((payload.message.pointer, "contentType"))
            elif "contentType" in node:
                self.lost(
                    f"message content type {content!r} of {name!r}",
                    join(payload.message.pointer, "contentType"),
                    name,
                    version,
                )
            else:
                self.default_lost = True
        return found

    def _texts(
        self, channel: _Channel, payloads: list[_Payload], name: str, version: str
    ) -> tuple[str, str]:
        """The version's summary and description, from its channel and (one) message.

        In a document ``generate asyncapi`` wrote, a message holds its version's texts and the
        channel repeats the newest's; elsewhere a channel's texts describe the channel and its
        message's add to them. Several messages keep theirs on their ``anyOf`` branches."""
        node = channel.node
        single = payloads[0].message.node if len(payloads) == 1 else {}
        if _OURS in node:
            summary = _text(single, "summary") or _text(node, "summary")
            description = _text(single, "description") or _text(node, "description")
        else:
            summary = _text(node, "summary") or _text(single, "summary")
            parts = [_text(node, "description"), _text(single, "summary")]
            parts.append(_text(single, "description"))
            description = "\n\n".join(dict.fromkeys(p for p in parts if p and p != summary))
        if not summary:
            for p in payloads:
                summary = _text(p.message.node, "title") or _text(p.message.node, "name")
                if summary:
                    break
            summary = summary or name
        if len(summary) > 200 or "\n" in summary.strip():
            description = "\n\n".join(p for p in (summary, description) if p)
            summary = summary.strip().splitlines()[0][:199] + "…"
            self.changed(
                f"the summary of {name!r} is its first line; the whole text opens the description",
                channel.pointer,
                name,
                version,
            )
        return summary.strip(), description

    def _participants(
        self, channel: _Channel, name: str, version: str, messages: list[_Message]
    ) -> tuple[list[Any], list[Any]]:
        mine = {m.pointer for m in messages}
        senders: dict[str, Any] = {}
        receivers: dict[str, Any] = {}
        for operation in channel.operations:
            if operation.messages is not None and not mine & set(operation.messages):
                continue
            who = self._participant(operation, name)
            found = senders if operation.action == "send" else receivers
            found.setdefault(_who(who), who)
        publishers = list(senders.values())
        if not publishers:
            self.changed(
                f"no operation sends on {name!r}: its publisher is written as 'unknown'",
                channel.pointer,
                name,
                version,
            )
            publishers = [
                {
                    "name": "unknown",
                    "external": True,
                    "description": "No operation of the imported AsyncAPI document sends here.",
                }
            ]
        return publishers, list(receivers.values())

    def _participant(self, operation: _Operation, name: str) -> Any:
        node = operation.node
        mine = _dict(node.get(_OURS))
        service = mine.get("service")
        service = service if isinstance(service, str) and service else self.application
        tags = {str(t.get("name")) for t in _list(node.get("tags")) if isinstance(t, dict)}
        entry: dict[str, Any] = {"name": service}
        description = node.get("description")
        if isinstance(description, str) and description:
            entry["description"] = description
        for flag in ("planned", "external"):
            if flag in tags:
                entry[flag] = True
        verb = "sends" if operation.action == "send" else "receives"
        for key, value in node.items():
            where = join(operation.pointer, key)
            if key in ("action", "channel", "messages", "description", _OURS, "message"):
                continue
            if key == "operationId":
                continue
            if key == "title" and value == f"{service} {verb} {name}":
                continue
            if key == "tags":
                extra = sorted(str(t) for t in tags - {"planned", "external", "wildcard"})
                if extra:
                    self.lost(f"operation tags {', '.join(extra)} on {name!r}", where, name)
                continue
            self.lost(f"operation {key} on {name!r}", where, name)
        return entry if len(entry) > 1 else service

    def _payload(
        self, message: _Message, name: str, version: str, *, quiet: bool = False
    ) -> _Payload | None:
        node = message.node
        raw = node.get("payload")
        pointer = join(message.pointer, "payload")
        fmt = node.get("schemaFormat")
        if isinstance(raw, dict) and "schemaFormat" in raw and "schema" in raw:
            fmt, raw, pointer = raw["schemaFormat"], raw["schema"], join(pointer, "schema")
        dialect = "draft-07"
        if isinstance(fmt, str) and not _ASYNCAPI_FORMAT.match(fmt):
            match = _SCHEMA_FORMAT.match(fmt)
            if match is None or match[1] not in _DIALECT_OF_FORMAT:
                if quiet:
                    return None
                self.lost(
                    f"message {_message_name_of(node)!r} of {name!r} has a payload in "
                    f"{fmt!r}, which is not JSON Schema; the message is not imported",
                    join(message.pointer, "payload"),
                    name,
                    version,
                )
                return None
            dialect = _DIALECT_OF_FORMAT[match[1]]
        if raw is None:
            raw = {}
        if not isinstance(raw, dict | bool):
            if not quiet:
                self.lost(
                    f"message {_message_name_of(node)!r} of {name!r} has a payload that is not a "
                    "schema; the message is not imported",
                    pointer,
                    name,
                    version,
                )
            return None
        return _Payload(message, pointer, raw, dialect)

    def _key(self, payloads: list[_Payload], name: str, version: str) -> str | None:
        """The Kafka key, a payload property name; None when the document names none."""
        keys: list[str] = []
        for payload in payloads:
            bindings = payload.message.node.get("bindings")
            kafka = bindings.get("kafka") if isinstance(bindings, dict) else None
            at = join(payload.message.pointer, "bindings", "kafka")
            if not isinstance(kafka, dict):
                continue
            for key in kafka:
                if key not in ("key", "bindingVersion"):
                    self.lost(
                        f"kafka message binding {key} of {name!r}", join(at, key), name, version
                    )
            key_schema = kafka.get("key")
            if key_schema is None:
                continue
            found = self._key_property(payload, key_schema)
            if found is None or len(payloads) > 1:
                why = "it is not a payload property" if found is None else "several messages"
                self.lost(
                    f"the kafka key schema of {name!r} ({why})", join(at, "key"), name, version
                )
                continue
            keys.append(found)
        return keys[0] if keys else None

    def _key_property(self, payload: _Payload, key: Any) -> str | None:
        if isinstance(key, dict) and isinstance(key.get("$ref"), str):
            target = _fragment(key["$ref"])
            root = self.follow(payload.schema, payload.pointer)[1]
            for base in (payload.pointer, root):
                prefix = f"{base}/properties/"
                if target.startswith(prefix) and "/" not in target[len(prefix) :]:
                    return unescape(target[len(prefix) :])
        if isinstance(key, dict) and set(key) == {"description"}:
            match = _GENERATED_KEY.match(str(key["description"]))
            return match[1] if match else None
        return None

    def _examples(self, payloads: list[_Payload], name: str, version: str) -> list[dict[str, Any]]:
        examples: list[dict[str, Any]] = []
        names: set[str] = set()
        for payload in payloads:
            listed = payload.message.node.get("examples")
            for i, example in enumerate(listed if isinstance(listed, list) else ()):
                at = join(payload.message.pointer, "examples", i)
                if not isinstance(example, dict):
                    continue
                if "payload" not in example:
                    self.lost(f"example {i} of {name!r} (headers only)", at, name, version)
                    continue
                label = example.get("name") if isinstance(example.get("name"), str) else ""
                label = label or f"example-{len(examples) + 1}"
                if len(payloads) > 1:
                    label = f"{_message_name(payload)}-{label}"
                entry: dict[str, Any] = {"name": unique(label, names)}
                summary = example.get("summary")
                if isinstance(summary, str) and summary:
                    entry["description"] = summary
                entry["payload"] = example["payload"]
                examples.append(entry)
                if "headers" in example:
                    self.lost(f"example headers of {name!r}", join(at, "headers"), name, version)
        return examples

    def _message_leftovers(self, payload: _Payload, name: str, version: str, status: str) -> None:
        node = payload.message.node
        known = {"payload", "schemaFormat", "summary", "description", "examples", "bindings"}
        known |= {"deprecated", _OURS, "messageId", "contentType"}  # see _encoding
        for key, value in node.items():
            where = join(payload.message.pointer, key)
            if key in known or key.startswith("x-") or (payload.message.pointer, key) in self.kept:
                continue
            if key == "name" and value == name:
                continue
            if key == "title" and value == f"{name} {version}":
                continue
            if key == "tags" and value == [{"name": status}]:
                continue
            self.lost(f"message {key} of {name!r}", where, name, version)
        mine = _dict(node.get(_OURS))
        written = mine.get("dialect")
        if isinstance(written, str) and written != payload.dialect:
            self.changed(
                f"the schema of {name!r} {version} was written in {written}; the document holds "
                f"it converted to {payload.dialect}, and so does the registry now",
                join(payload.message.pointer, _OURS, "dialect"),
                name,
                version,
            )
        for note in mine.get("notes", []) if isinstance(mine.get("notes"), list) else ():
            self.lost(
                f"{note} ({name!r} {version})",
                join(payload.message.pointer, _OURS, "notes"),
                name,
                version,
            )

    def document_leftovers(self) -> None:
        known = {"asyncapi", "info", "servers", "channels", "operations", "components"}
        known |= {"defaultContentType", "id"}
        for key in self.doc:
            if key not in known:
                self.lost(f"document {key}", join("", key))
        if self.default_lost:
            self.lost(f"defaultContentType {self.default_content!r}", "/defaultContentType")
        for key, value in self.info.items():
            if key in ("title", "version"):
                continue
            if key == "description" and isinstance(value, str):
                from opa_contracts.generate.asyncapi import registry_description

                story = registry_description(value)
                self.description = value.strip() if story is None else story
                continue
            self.lost(f"info {key}", join("/info", key))
        components = self.doc.get("components")
        for key, value in components.items() if isinstance(components, dict) else ():
            if key in ("schemas", "messages", "messageTraits", "operationTraits", "servers"):
                continue
            if key in ("channels", "operations", "serverVariables", "parameters"):
                continue  # used where referenced, reported there
            if value:
                self.lost(f"components {key}", join("/components", key))
        schemas = components.get("schemas") if isinstance(components, dict) else None
        for key in schemas if isinstance(schemas, dict) else ():
            pointer = join("/components/schemas", key)
            if pointer not in self.schemas.used:
                self.lost(f"component schema {key!r}, which no message uses", pointer)
        messages = components.get("messages") if isinstance(components, dict) else None
        for key in messages if isinstance(messages, dict) else ():
            pointer = join("/components/messages", key)
            if pointer not in self.messages:
                self.lost(f"component message {key!r}, which no channel carries", pointer)


def _format_has(*path: str) -> bool:
    """Whether the manifest format has the field at ``path`` (its JSON Schema's keys)."""
    node: Any = formats.load(MANIFEST_FORMAT)
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return isinstance(node, dict)


def _encodings() -> tuple[str, ...]:
    """The encodings a manifest can declare: ``json`` always, others when the format has them."""
    node = formats.load(MANIFEST_FORMAT).get("properties", {}).get("encoding", {})
    listed = node.get("enum") if isinstance(node, dict) else None
    return tuple(str(e) for e in listed) if isinstance(listed, list) else ("json",)


def _text(holder: dict[str, Any], key: str) -> str:
    value = holder.get(key)
    return value if isinstance(value, str) and value.strip() else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _placeholder(host: str) -> bool:
    return bool(re.fullmatch(r"\{[^{}]+\}(:[0-9]+)?", host))


def _with_key(kafka: dict[str, Any], key: str) -> dict[str, Any]:
    ordered: dict[str, Any] = {"topic": kafka["topic"], "key": key}
    ordered.update((k, v) for k, v in kafka.items() if k != "topic")
    return ordered


def _who(participant: Any) -> str:
    return participant if isinstance(participant, str) else str(participant["name"])


def _message_name(payload: _Payload) -> str:
    return _message_name_of(payload.message.node) or unescape(
        payload.message.pointer.rsplit("/", 1)[-1]
    )


def _message_name_of(node: dict[str, Any]) -> str:
    for key in ("name", "messageId", "title"):
        if isinstance(node.get(key), str) and node[key]:
            return str(node[key])
    return ""


def _fragment(ref: str) -> str:
    from urllib.parse import unquote

    return unquote(ref.partition("#")[2])


def _refs(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, value) of every ``$ref`` string of the document."""
    stack = [(node, pointer)]
    while stack:
        current, at = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key == "$ref" and isinstance(value, str):
                    yield join(at, key), value
                else:
                    stack.append((value, join(at, key)))
        elif isinstance(current, list):
            stack.extend((value, join(at, i)) for i, value in enumerate(current))


class _Schemas:
    """Payload schemas made manifest schemas: references re-pointed, components placed.

    A component schema (``#/components/schemas/X``) reached from several channels is written once
    as ``_schemas/X.yaml``; one reached from a single channel becomes a local definition. Any
    other in-document reference target outside the payload is treated as a component named after
    its last pointer token."""

    def __init__(self, importer: _Importer) -> None:
        self.importer = importer
        self.users: dict[str, set[str]] = {}  # piece pointer -> channels that reach it
        self.used: set[str] = set()
        self.files: dict[str, str] = {}  # shared piece pointer -> file name
        self.queue: list[str] = []  # shared pieces named, not yet written
        self.names: dict[str, str] = {}

    def piece(self, target: str) -> tuple[str, str]:
        """(piece pointer, rest) for a reference target outside any payload being placed."""
        if target.startswith(SCHEMA_PREFIX):
            head, _, rest = target[len(SCHEMA_PREFIX) :].partition("/")
            return SCHEMA_PREFIX + head, f"/{rest}" if rest else ""
        return target, ""

    def reach(self, channel: str, payloads: list[_Payload]) -> None:
        """Record which pieces the channel's payloads reach (transitively)."""
        own = [p.pointer for p in payloads]
        stack = [(p.schema, p.pointer) for p in payloads]
        seen: set[str] = set()
        while stack:
            node, at = stack.pop()
            for _, ref in _refs(node, at):
                target = _fragment(ref)
                if any(_inside(target, o) for o in own):
                    continue
                piece, _ = self.piece(target)
                if piece in seen:
                    continue
                seen.add(piece)
                self.users.setdefault(piece, set()).add(channel)
                stack.append((self.importer.at(piece), piece))
        self.used |= seen

    def name_of(self, piece: str) -> str:
        if piece not in self.names:
            token = unescape(piece.rsplit("/", 1)[-1]) or "schema"
            self.names[piece] = unique(safe_name(token), set(self.names.values()))
        return self.names[piece]

    def shared(self, piece: str) -> bool:
        return len(self.users.get(piece, ())) > 1

    def payload(self, payloads: list[_Payload], name: str, version: str) -> Any:
        dialect = payloads[0].dialect
        regions: list[tuple[str, str]] = []  # (document pointer, manifest schema pointer)
        bodies = []
        for i, payload in enumerate(payloads):
            schema, pointer = payload.schema, payload.pointer
            # a payload that is only a reference to an unshared component: the component itself
            if (
                isinstance(schema, dict)
                and set(schema) == {"$ref"}
                and isinstance(schema["$ref"], str)
            ):
                piece, rest = self.piece(_fragment(schema["$ref"]))
                if not rest and not self.shared(piece) and piece.startswith(SCHEMA_PREFIX):
                    schema, pointer = self.importer.at(piece), piece
            place = "" if len(payloads) == 1 else f"/anyOf/{i}"
            regions.append((pointer, place))
            bodies.append(schema)
        if len(payloads) > 1:
            self.importer.changed(
                f"{name!r} {version} carries {len(payloads)} messages "
                f"({', '.join(_message_name(p) for p in payloads)}): its schema is the anyOf of "
                "their payloads",
                payloads[0].message.pointer.rsplit("/", 1)[0],
                name,
                version,
            )
        defs_key = dialects.DIALECTS[dialect].defs_keyword
        local: dict[str, Any] = {}
        pending: list[str] = []

        def rewrite(node: Any, regions: list[tuple[str, str]], file_level: bool) -> Any:
            if isinstance(node, list):
                return [rewrite(v, regions, file_level) for v in node]
            if not isinstance(node, dict):
                return node
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    out[key] = self._target(
                        _fragment(value), regions, file_level, local, pending, defs_key
                    )
                else:
                    out[key] = rewrite(value, regions, file_level)
            return out

        converted = [rewrite(b, regions, False) for b in bodies]
        for payload, body in zip(payloads, converted, strict=True):
            self._annotate(payload, body, name, several=len(payloads) > 1)
        if len(converted) == 1:
            schema = converted[0]
        else:
            for body in converted:
                if isinstance(body, dict):
                    body.pop("$schema", None)
            schema = {"anyOf": converted}
        while pending:
            piece = pending.pop()
            at = f"/{defs_key}/{escape(self.name_of(piece))}"
            local[piece] = rewrite(self.importer.at(piece), [*regions, (piece, at)], False)
        if isinstance(schema, dict):
            if local:
                defs = _dict(schema.get(defs_key))
                schema[defs_key] = {**defs, **{self.name_of(p): v for p, v in local.items()}}
            if "$schema" not in schema:
                schema = {"$schema": dialects.DIALECTS[dialect].uri, **schema}
        return schema

    def _annotate(self, payload: _Payload, body: Any, name: str, *, several: bool) -> None:
        """Keep a message's name (and, one of several, its texts) on its payload schema."""
        if not isinstance(body, dict):
            return
        message = payload.message
        label = _text(message.node, "name")
        if label and label != name and "title" not in body:
            body["title"] = label
            self.importer.kept.add((message.pointer, "name"))
        if several:
            texts = [_text(message.node, k) for k in ("summary", "description")]
            if any(texts) and "description" not in body:
                body["description"] = "\n\n".join(t for t in texts if t)
                self.importer.kept |= {
                    (message.pointer, "summary"),
                    (message.pointer, "description"),
                }

    def _target(
        self,
        target: str,
        regions: list[tuple[str, str]],
        file_level: bool,
        local: dict[str, Any],
        pending: list[str],
        defs_key: str,
    ) -> str:
        for start, place in regions:
            if _inside(target, start):
                return fragment(place + target[len(start) :])
        piece, rest = self.piece(target)
        if self.shared(piece):
            file = self.share(piece)
            where = file if file_level else f"../_schemas/{file}"
            return where + (fragment(rest) if rest else "")
        if piece not in local:
            local[piece] = None
            self.name_of(piece)
            pending.append(piece)
        return fragment(f"/{defs_key}/{escape(self.name_of(piece))}{rest}")

    def share(self, piece: str) -> str:
        """The file name of a shared piece; the file is written by :meth:`write_shared`."""
        if piece not in self.files:
            self.files[piece] = f"{self.name_of(piece)}.yaml"
            self.queue.append(piece)
        return self.files[piece]

    def write_shared(self) -> None:
        """Write every shared piece once, its references re-pointed (a queue, not recursion:
        a chain of components is as long as the document makes it)."""
        while self.queue:
            piece = self.queue.pop()

            def rewrite(value: Any, piece: str = piece) -> Any:
                if isinstance(value, list):
                    return [rewrite(v) for v in value]
                if not isinstance(value, dict):
                    return value
                out: dict[str, Any] = {}
                for key, sub in value.items():
                    if key == "$ref" and isinstance(sub, str):
                        target = _fragment(sub)
                        if _inside(target, piece):
                            out[key] = fragment(target[len(piece) :])
                        else:
                            other, rest = self.piece(target)
                            out[key] = self.share(other) + (fragment(rest) if rest else "")
                    else:
                        out[key] = rewrite(sub)
                return out

            written = rewrite(self.importer.at(piece))
            self.importer.out.files[f"_schemas/{self.files[piece]}"] = written


def _inside(target: str, start: str) -> bool:
    return target == start or target.startswith(start + "/")


def import_document(path: Path) -> Imported:
    """The registry an AsyncAPI document describes (see the module docstring)."""
    imported = Imported(path)
    try:
        _run(imported, path)
    except Fatal:
        imported.discard()
    return imported


def _run(imported: Imported, path: Path) -> None:
    data = imported.load(path)
    if not isinstance(data, dict) or not isinstance(data.get("asyncapi"), str):
        raise imported.fatal(
            "not an AsyncAPI document: no top-level `asyncapi` version string", pointer=""
        )
    version = data["asyncapi"]
    if re.match(r"^3\.0\.[0-9]+$", version):
        major = 3
    elif re.match(r"^2\.6\.[0-9]+$", version):
        major = 2
    else:
        raise imported.fatal(
            f"AsyncAPI {version} is not supported: import reads 2.6 and 3.0 documents "
            "(the AsyncAPI CLI converts others: `asyncapi convert`)",
            pointer="/asyncapi",
        )
    importer = _Importer(imported, data, major)
    importer.check_refs()
    protocols = importer.servers()
    channels = importer.channels(protocols)
    # which components each channel reaches decides which become shared files
    for channel in channels:
        payloads = []
        for message in channel.messages:
            found = importer._payload(message, "", "", quiet=True)
            if found is not None:
                payloads.append(found)
        importer.schemas.reach(channel.pointer, payloads)
    taken: set[str] = set()
    manifests: list[dict[str, Any]] = []
    for channel in channels:
        for manifest in importer.channel(channel, taken):
            imported.files[f"{manifest['channel']}/{manifest['version']}.yaml"] = manifest
            manifests.append(manifest)
    importer.schemas.write_shared()
    importer.messages = {m.pointer for c in channels for m in c.messages}
    importer.document_leftovers()
    imported.files["registry.yaml"] = registry_settings(
        importer.title, manifests, importer.description
    )
