"""The registry as generators see it: channels, their versions in order, self-contained schemas.

Generators do not re-check everything ``opa-contracts validate`` checks (CI runs that); they refuse
only what they cannot generate from, and list every such problem at once.

Memory follows the one registry model: :func:`collect` reads every manifest once to check it (and
to hash it for the digest) and keeps only its small facts (channel, version, status, summary,
the manifest's keys other than ``schema``, ``examples`` and ``invalid_examples``). A version's
bundled schema and examples are read again, through the same :class:`~opa_contracts.loader.Registry`
and bundler, when a generator asks for them, one channel at a time: asking for a version of
another channel lets the previous channel's go. A generator that walks channel after channel thus
holds one channel's schemas at a time, whatever the size of the registry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import weakref
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import jsonschema_rs

from opa_contracts import dialects, publishers
from opa_contracts.diffing.accepted import Acceptance
from opa_contracts.diffing.accepted import load as load_acceptances
from opa_contracts.encodings import ENCODINGS, encoding_of
from opa_contracts.errors import InputError
from opa_contracts.generate import parallel
from opa_contracts.generate.bundle import BundleError, bundle, bundle_traced
from opa_contracts.kafka_key import NO_KEY, KafkaKey, key_of
from opa_contracts.loader import Registry, SourceFile
from opa_contracts.semver import Version
from opa_contracts.settings import Settings

RELEASED = ("active", "deprecated", "retired")
#: the manifest keys read again on demand (the rest stay in memory as ``ContractVersion.manifest``)
HEAVY_KEYS = ("schema", "examples", "invalid_examples")


class GenerateError(InputError):
    """A registry the generators cannot use; carries every problem found (exit code 3)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("cannot generate:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Example:
    """A message from a manifest, with its name and the note that goes with it."""

    name: str
    payload: Any
    note: str
    key: Any = None
    """The example's Kafka key, when the channel's key has a schema of its own (else None)."""


@dataclass(frozen=True)
class Payload:
    """The parts of one version read on demand: its bundled schema and its examples."""

    schema: Any
    examples: tuple[Example, ...]
    invalid_examples: tuple[Example, ...]


class ChannelReader:
    """Unpacks the heavy parts of one channel's versions at a time.

    The first pass (:func:`collect`) keeps each version's bundled schema and examples packed
    (pickled and compressed: exact values, a tenth of the size); the reader unpacks one channel
    when a generator asks for it and holds nothing else: a version of another channel replaces
    it. Worker processes (forked) reach the reader of their parent by its number: pickling a
    version never copies the packed channels.
    """

    _live: ClassVar[weakref.WeakValueDictionary[int, ChannelReader]] = weakref.WeakValueDictionary()
    _next: ClassVar[int] = 0

    def __init__(self) -> None:
        self.packed: dict[str, dict[str, bytes]] = {}
        self.held: tuple[str, dict[str, Payload]] | None = None
        self.loads = 0  # channels unpacked so far (tests look at it)
        ChannelReader._next += 1
        self.number = ChannelReader._next
        ChannelReader._live[self.number] = self

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return _reader, (self.number,)

    def payload(self, contract: ContractVersion) -> Payload:
        """The bundled schema and examples of ``contract`` (its whole channel is unpacked)."""
        if self.held is None or self.held[0] != contract.channel:
            self.held = None  # let the previous channel go before unpacking the next one
            self.held = (contract.channel, self._unpack(contract.channel))
            self.loads += 1
        return self.held[1][contract.version]

    def _unpack(self, channel: str) -> dict[str, Payload]:
        return {version: _unpack(packed) for version, packed in self.packed[channel].items()}


def _pack(payload: Payload) -> bytes:
    # pickle, not JSON: what the manifest held comes back exactly (ints, floats, -0.0, order)
    return zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(packed: bytes) -> Payload:
    # only bytes this process (or a worker it forked) packed from the registry it read
    payload: Payload = pickle.loads(zlib.decompress(packed))
    return payload


def _reader(number: int) -> ChannelReader:
    return ChannelReader._live[number]


@dataclass(frozen=True)
class ContractVersion:
    """One version of one channel, ready for generation.

    ``manifest`` holds the manifest's keys but ``schema``, ``examples`` and
    ``invalid_examples``; those are :attr:`schema` (bundled: self-contained), :attr:`examples`
    and :attr:`invalid_examples`, read on demand channel by channel (see :class:`ChannelReader`).
    """

    channel: str
    version: str
    semver: Version
    status: str
    summary: str
    description: str
    dialect: dialects.Dialect
    manifest: Mapping[str, Any]
    source: str
    encoding: str = ENCODINGS[0]
    """The payload's encoding (``json`` or ``msgpack``)."""
    key: KafkaKey = NO_KEY
    """The Kafka key: none, a payload property, or a schema of its own (bundled: self-contained;
    in the payload's dialect unless it names its own ``$schema``)."""
    path: Path = field(default=Path(), compare=False, repr=False)
    origins: tuple[tuple[str, str, str], ...] = field(default=(), compare=False, repr=False)
    """Where each definition the bundle copied came from: (key, file relative to the registry
    root, pointer in it)."""
    #: None until ``collect`` gives the version its registry's reader
    reader: ChannelReader | None = field(default=None, compare=False, repr=False)

    @property
    def schema(self) -> Any:
        """The payload schema, every cross-file ``$ref`` made local."""
        return self._payload().schema

    @property
    def examples(self) -> tuple[Example, ...]:
        """The manifest's examples."""
        return self._payload().examples

    @property
    def invalid_examples(self) -> tuple[Example, ...]:
        """The manifest's invalid examples (the note is the reason)."""
        return self._payload().invalid_examples

    def _payload(self) -> Payload:
        if self.reader is None:
            raise RuntimeError(f"{self.source}: a version outside collect() has no reader")
        return self.reader.payload(self)

    @property
    def publishers(self) -> tuple[Any, ...]:
        """Each publisher the manifest names (``publisher`` or the items of ``publishers``), as
        written: a service name, or a mapping with ``name`` and flags."""
        return publishers.publishers(self.manifest)

    @property
    def transports(self) -> Mapping[str, Any]:
        """The ``transports`` mapping (empty when absent)."""
        value = self.manifest.get("transports")
        return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class Channel:
    """A channel and its versions, oldest first."""

    name: str
    versions: tuple[ContractVersion, ...]

    @property
    def latest(self) -> ContractVersion:
        """The default version: the highest released one, else the highest draft."""
        released = [v for v in self.versions if v.status in RELEASED]
        return (released or list(self.versions))[-1]


@dataclass(frozen=True)
class Sources:
    """Everything generators read: the registry's channels, its settings (the one
    :class:`~opa_contracts.settings.Settings` every verb uses), the breaks its
    ``accepted-changes.yaml`` accepts (as ``diff`` reads them; a file ``diff`` refuses accepts
    nothing here either) and a digest of all manifests."""

    root: Path
    channels: tuple[Channel, ...]
    digest: str
    settings: Settings = field(default_factory=Settings)
    acceptances: tuple[Acceptance, ...] = ()


@dataclass(frozen=True)
class _Checked:
    """What the first pass keeps of one usable manifest: its small facts (a version with no
    reader yet: a worker process has none to give) and the text the digest hashes."""

    contract: ContractVersion
    hashed: bytes  # the manifest as the digest hashes it, compressed
    packed: bytes  # its bundled schema and examples (a packed Payload)


def collect(registry: Registry, workers: int = 1) -> Sources:
    """Check every manifest of ``registry``; raise :class:`GenerateError` listing what is unusable.

    Each manifest is read, checked (its schema bundled and compiled) and let go; what stays is
    small (see the module's note). With ``workers`` other than 1 and a large registry, manifests
    are checked in worker processes.
    """
    # entries the reader refuses (FIFOs, symlinks leaving the registry...) stop generation as
    # they fail validate, whether or not a manifest refers to them
    problems = [f"{shown}: {problem}; it is not read" for shown, problem in registry.irregular()]
    by_channel: dict[str, dict[str, _Checked]] = defaultdict(dict)
    for checked, found in parallel.map_items(_check, registry, registry.manifest_paths, workers):
        problems += found
        if checked is None:
            continue
        found_version = checked.contract
        if found_version.version in by_channel[found_version.channel]:
            problems.append(
                f"{found_version.source}: {found_version.channel} {found_version.version} "
                "is defined twice"
            )
            continue
        by_channel[found_version.channel][found_version.version] = checked
    if not by_channel and not problems:
        problems.append(f"{registry.root}: no manifests found")
    if problems:
        raise GenerateError(problems)
    reader = ChannelReader()
    channels = []
    digest = hashlib.sha256()
    for name in sorted(by_channel):
        ordered = sorted(by_channel[name].values(), key=lambda c: c.contract.semver)
        versions = []
        for c in ordered:
            digest.update(zlib.decompress(c.hashed))
            versions.append(dataclasses.replace(c.contract, reader=reader))
        reader.packed[name] = {c.contract.version: c.packed for c in ordered}
        channels.append(Channel(name, tuple(versions)))
    del by_channel
    # read through the Registry like every other file (a folder or a git ref alike); its
    # problems are findings of `diff` and `validate`, not reasons to refuse to generate
    acceptances, _problems = load_acceptances(registry)
    return Sources(
        registry.root,
        tuple(channels),
        digest.hexdigest(),
        registry.settings,
        tuple(acceptances),
    )


def _check(registry: Registry, path: Path) -> tuple[_Checked | None, list[str]]:
    problems: list[str] = []
    checked = _checked(registry, registry.file(path), problems)
    # the first pass keeps facts and the packed payload, not the text or node tree: forget them
    registry.release(path)
    return checked, problems


def _checked(registry: Registry, source: SourceFile, problems: list[str]) -> _Checked | None:
    where = source.display
    if source.error is not None:
        problems.append(f"{where}:{source.error.line}: {source.error.message}")
        return None
    data = source.data
    if not isinstance(data, dict):
        problems.append(f"{where}: a manifest is a mapping")
        return None
    channel, version = data.get("channel"), data.get("version")
    schema = data.get("schema")
    if not isinstance(channel, str) or not channel:
        problems.append(f"{where}: 'channel' must be a non-empty string")
        return None
    semver = Version.parse(version) if isinstance(version, str) else None
    if semver is None or not isinstance(version, str):
        problems.append(f"{where}: 'version' must be a semantic version (got {version!r})")
        return None
    if not isinstance(schema, dict | bool):
        problems.append(f"{where}: 'schema' must be a JSON Schema")
        return None
    dialect = dialects.identify(schema)
    if not isinstance(dialect, dialects.Dialect):
        problems.append(f"{where}: unknown $schema {dialect!r}")
        return None
    try:
        bundled, copied = bundle_traced(registry, source.path, schema, dialect.defs_keyword)
        dialects.compile_schema(bundled, dialect)
    except (BundleError, ValueError, jsonschema_rs.ReferencingError) as exc:
        problems.append(f"{where}: schema unusable: {str(exc).splitlines()[0]}")
        return None
    key = key_of(data)
    if key.kind == "schema":
        if not isinstance(key.schema, dict | bool):
            problems.append(f"{where}: 'transports.kafka.key.schema' must be a JSON Schema")
            return None
        own = isinstance(key.schema, dict) and "$schema" in key.schema
        key_dialect = dialects.identify(key.schema) if own else dialect
        key_dialect = key_dialect if isinstance(key_dialect, dialects.Dialect) else dialect
        try:
            key_schema = bundle(registry, source.path, key.schema, key_dialect.defs_keyword)
            dialects.compile_schema(key_schema, key_dialect)
        except (BundleError, ValueError, jsonschema_rs.ReferencingError) as exc:
            problems.append(f"{where}: key schema unusable: {str(exc).splitlines()[0]}")
            return None
        key = dataclasses.replace(key, schema=key_schema)
    status = data.get("status")
    hashed = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return _Checked(
        ContractVersion(
            channel=channel,
            version=version,
            semver=semver,
            status=status if isinstance(status, str) else "active",
            summary=_text(data.get("summary")),
            description=_text(data.get("description")),
            dialect=dialect,
            manifest={k: v for k, v in data.items() if k not in HEAVY_KEYS},
            source=where,
            encoding=encoding_of(data),
            key=key,
            path=source.path,
            origins=tuple(
                (key, registry.rel(file), pointer) for key, (file, pointer) in copied.items()
            ),
        ),
        hashed=zlib.compress(hashed, 1),
        packed=_pack(
            Payload(
                bundled,
                _examples(data.get("examples"), "description"),
                _examples(data.get("invalid_examples"), "reason"),
            )
        ),
    )


def _examples(value: Any, note: str) -> tuple[Example, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        Example(_text(e.get("name")) or f"#{i}", e["payload"], _text(e.get(note)), e.get("key"))
        for i, e in enumerate(value)
        if isinstance(e, dict) and "payload" in e
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
