"""What both importers share: the findings they make, the registry they build, and its writing.

An importer turns its source into an :class:`Imported`: the registry's files as data (POSIX paths
relative to the output folder: ``registry.yaml``, ``<channel>/<version>.yaml``,
``_schemas/<name>.yaml``) and the findings. Nothing is written until the whole source has been
read; :func:`write` then refuses to replace a file (unless ``force``) or to touch the source, and
writes each file atomically (``writing.replace_file``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opa_contracts import publishers, yamlsource
from opa_contracts import settings as st
from opa_contracts.findings import Finding
from opa_contracts.generate import serialize
from opa_contracts.loader import display
from opa_contracts.rules import catalog as rc
from opa_contracts.rules.model import Rule
from opa_contracts.writing import default_permissions, replace_file, sync_folder, write_error

API_VERSION = "opa-contracts/v1"
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$")
#: naming patterns written to registry.yaml when imported names do not fit the defaults
OPEN_CHANNEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
OPEN_SERVICE_PATTERN = r"^.+$"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Fatal(Exception):
    """The source cannot be imported at all (the findings say why)."""


@dataclass
class Imported:
    """The registry an import builds: files as data, and what was found on the way."""

    source: Path
    files: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    documents: dict[Path, yamlsource.Document] = field(default_factory=dict)
    read: list[Path] = field(default_factory=list)  # every file of the source that was read

    def add(
        self,
        rule: Rule,
        message: str,
        *,
        path: Path | None = None,
        pointer: str = "",
        channel: str = "",
        version: str = "",
        line: int = 0,
        column: int = 0,
        key: bool = False,
        details: dict[str, Any] | None = None,
    ) -> None:
        """A finding at ``pointer`` of the source file ``path`` (default: the source)."""
        where = path or self.source
        document = self.documents.get(where)
        if document is not None and not line:
            line, column = document.position(pointer, key=key)
        self.findings.append(
            Finding(
                rule.id,
                rule.severity,
                message,
                display(where),
                line,
                column,
                pointer,
                channel,
                version,
                details or {},
            )
        )

    def discard(self) -> None:
        """After a fatal problem: nothing to write, and only the reasons why to report."""
        self.files.clear()
        self.findings = [f for f in self.findings if f.rule == rc.IMPORT_SOURCE_INVALID.id]

    def fatal(self, message: str, **where: Any) -> Fatal:
        self.add(rc.IMPORT_SOURCE_INVALID, message, **where)
        return Fatal(message)

    def load(self, path: Path) -> Any:
        """A YAML or JSON file of the source, read with the project's bounded reader."""
        self.read.append(path)
        text = yamlsource.read_text(path)
        parsed = yamlsource.parse(path, text) if isinstance(text, str) else text
        if isinstance(parsed, yamlsource.SourceError):
            what = "cannot be read" if parsed.rule == rc.FILE_UNREADABLE.id else "is not usable"
            raise self.fatal(
                f"the file {what}: {parsed.message} ({parsed.rule})",
                path=path,
                line=parsed.line,
                column=parsed.column,
            )
        self.documents[path] = parsed
        return parsed.data


def safe_name(text: str) -> str:
    """A channel or schema name fit for a folder or file name (``a/b/{id}`` → ``a.b.id``)."""
    name = _UNSAFE.sub(".", text.replace("{", "").replace("}", ""))
    name = re.sub(r"\.{2,}", ".", name).strip("._-")
    return name or "channel"


def duration(ms: int) -> int | str:
    """A manifest duration for ``retention.ms``: ``-1`` is ``infinite``, whole units are kept."""
    if ms < 0:
        return "infinite"
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return ms


def registry_settings(
    name: str, manifests: list[dict[str, Any]], description: str = ""
) -> dict[str, Any]:
    """``registry.yaml`` for the imported manifests: the name and description of the source, and
    naming patterns that accept their names."""
    settings: dict[str, Any] = {"apiVersion": API_VERSION}
    if name:
        settings["name"] = name
    if description:
        settings["description"] = description
    naming: dict[str, Any] = {}
    channels = [m["channel"] for m in manifests]
    default_channel = st.NamingPattern(st.DEFAULT_CHANNEL_PATTERN)
    if not all(default_channel.search(c) is not None for c in channels):
        naming["channel"] = OPEN_CHANNEL_PATTERN
    default_service = st.NamingPattern(st.DEFAULT_SERVICE_PATTERN)
    services = [
        p if isinstance(p, str) else p["name"]
        for m in manifests
        for p in [*publishers.publishers(m), *m.get("subscribers", [])]
        if isinstance(p, str) or not p.get("external")
    ]
    if not all(default_service.search(s.replace("*", "a")) is not None for s in services):
        naming["service"] = OPEN_SERVICE_PATTERN
    topics = [
        (m["channel"], m["transports"]["kafka"]["topic"])
        for m in manifests
        if "kafka" in m.get("transports", {})
    ]
    template = _topic_template(topics)
    if template is None:
        settings.setdefault("rules", {})[rc.KAFKA_TOPIC_NAME.id] = "off"
    elif template != st.DEFAULT_KAFKA_TOPIC:
        naming["kafka_topic"] = template
    if naming:
        settings["naming"] = naming
    if "rules" in settings:  # after naming, as registry.yaml usually reads
        settings["rules"] = settings.pop("rules")
    return settings


def _topic_template(topics: list[tuple[str, str]]) -> str | None:
    """The ``naming.kafka_topic`` every (channel, topic) fits, or None when there is none."""
    if not topics or all(t == f"opa.{c}" for c, t in topics):
        return st.DEFAULT_KAFKA_TOPIC
    prefixes = {t[: len(t) - len(c)] for c, t in topics if t.endswith(c)}
    suffixes_ok = all(t.endswith(c) for c, t in topics)
    if suffixes_ok and len(prefixes) == 1:
        prefix = prefixes.pop()
        if "{" not in prefix:
            return prefix + "{channel}"
    return None


def to_yaml(data: Any, header: str) -> bytes:
    return serialize.to_yaml(data, header)


def write(imported: Imported, out: Path, force: bool, header: str) -> bool:
    """Write the registry into ``out``; False (and a finding) when a file is in the way."""
    contents = {rel: to_yaml(data, header) for rel, data in sorted(imported.files.items())}
    for rel in contents:  # names come from the source: none may leave the output folder
        parts = rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"an imported file name leaves the output folder: {rel!r}")
    sources = {os.path.realpath(p) for p in imported.read}
    refused: list[str] = []
    for rel in contents:
        target = out / rel
        if os.path.realpath(target) in sources:
            refused.append(f"{display(target)} is a file of the source")
        elif (target.exists() or target.is_symlink()) and not force:
            refused.append(f"{display(target)} exists")
    if out.exists() and not out.is_dir():
        refused.insert(0, f"{display(out)} is not a folder")
    if refused:
        shown = "; ".join(refused[:5]) + (
            f" (and {len(refused) - 5} more)" if len(refused) > 5 else ""
        )
        imported.add(
            rc.IMPORT_OUTPUT_REFUSED,
            f"nothing written: {shown}. Import into a new or empty folder, or pass --force to "
            "replace existing files (the source itself is never replaced)",
            path=out,
        )
        return False
    folders: set[Path] = set()
    try:
        for rel, content in contents.items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
            replace_file(target, content, default_permissions(), sync=False)
    except OSError as exc:  # mkdir: a file in the way, no permission
        raise write_error(exc, Path(exc.filename or out)) from None
    for folder in sorted(folders):
        sync_folder(folder)
    return True
