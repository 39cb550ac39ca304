"""The registry as generators see it: channels, their versions in order, self-contained schemas.

Generators do not re-check everything ``opa-contracts validate`` checks (CI runs that); they refuse
only what they cannot generate from, and list every such problem at once.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from opa_contracts import dialects
from opa_contracts.diffing.accepted import Acceptance
from opa_contracts.diffing.accepted import load as load_acceptances
from opa_contracts.encodings import ENCODINGS, encoding_of
from opa_contracts.errors import InputError
from opa_contracts.generate import parallel
from opa_contracts.generate.bundle import BundleError, bundle
from opa_contracts.loader import Registry, SourceFile
from opa_contracts.semver import Version
from opa_contracts.settings import Settings

RELEASED = ("active", "deprecated", "retired")


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


@dataclass(frozen=True)
class ContractVersion:
    """One version of one channel, ready for generation."""

    channel: str
    version: str
    semver: Version
    status: str
    summary: str
    description: str
    dialect: dialects.Dialect
    schema: Any
    examples: tuple[Example, ...]
    invalid_examples: tuple[Example, ...]
    manifest: Mapping[str, Any]
    source: str
    encoding: str = ENCODINGS[0]
    """The payload's encoding (``json`` or ``msgpack``)."""

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


def collect(registry: Registry, workers: int = 1) -> Sources:
    """Read every manifest of ``registry``; raise :class:`GenerateError` listing what is unusable.

    With ``workers`` other than 1 and a large registry, manifests are read in worker processes.
    """
    # entries the reader refuses (FIFOs, symlinks leaving the registry...) stop generation as
    # they fail validate, whether or not a manifest refers to them
    problems = [f"{shown}: {problem}; it is not read" for shown, problem in registry.irregular()]
    by_channel: dict[str, dict[str, ContractVersion]] = defaultdict(dict)
    for contract, found in parallel.map_items(_read, registry, registry.manifest_paths, workers):
        problems += found
        if contract is None:
            continue
        if contract.version in by_channel[contract.channel]:
            problems.append(
                f"{contract.source}: {contract.channel} {contract.version} is defined twice"
            )
            continue
        by_channel[contract.channel][contract.version] = contract
    if not by_channel and not problems:
        problems.append(f"{registry.root}: no manifests found")
    if problems:
        raise GenerateError(problems)
    channels = []
    digest = hashlib.sha256()
    for name in sorted(by_channel):
        versions = sorted(by_channel[name].values(), key=lambda v: v.semver)
        channels.append(Channel(name, tuple(versions)))
        for v in versions:
            digest.update(json.dumps(v.manifest, sort_keys=True, ensure_ascii=False).encode())
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


def _read(registry: Registry, path: Path) -> tuple[ContractVersion | None, list[str]]:
    problems: list[str] = []
    contract = _contract(registry, registry.file(path), problems)
    # generators keep the manifest's data, not its text and node tree: the reader forgets the file
    registry.release(path)
    return contract, problems


def _contract(
    registry: Registry, source: SourceFile, problems: list[str]
) -> ContractVersion | None:
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
        bundled = bundle(registry, source.path, schema, dialect.defs_keyword)
        dialects.compile_schema(bundled, dialect)
    except (BundleError, ValueError, jsonschema_rs.ReferencingError) as exc:
        problems.append(f"{where}: schema unusable: {str(exc).splitlines()[0]}")
        return None
    status = data.get("status")
    return ContractVersion(
        channel=channel,
        version=version,
        semver=semver,
        status=status if isinstance(status, str) else "active",
        summary=_text(data.get("summary")),
        description=_text(data.get("description")),
        dialect=dialect,
        schema=bundled,
        examples=_examples(data.get("examples"), "description"),
        invalid_examples=_examples(data.get("invalid_examples"), "reason"),
        manifest=data,
        source=where,
        encoding=encoding_of(data),
    )


def _examples(value: Any, note: str) -> tuple[Example, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        Example(_text(e.get("name")) or f"#{i}", e["payload"], _text(e.get(note)))
        for i, e in enumerate(value)
        if isinstance(e, dict) and "payload" in e
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
