"""A registry as it stands somewhere (a folder, a git commit): its files, parsed on demand.

Both sides of a diff are snapshots built from raw bytes, so a folder and a git ref are compared
the same way, and files whose bytes did not change are never parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from opa_contracts.loader import ACCEPTED_CHANGES_FILE, MANIFEST_SUFFIXES, SETTINGS_FILE
from opa_contracts.yamlsource import MAX_FILE_BYTES, Document, SourceError, parse


@dataclass
class Snapshot:
    """Files of one registry, keyed by POSIX path relative to the registry root."""

    label: str
    files: dict[str, bytes]
    display_base: str = ""
    _parsed: dict[str, Document | SourceError] = field(default_factory=dict)

    def display(self, rel: str) -> str:
        """How a file is shown in reports (``contracts/quotes.realtime/1.0.0.yaml``)."""
        return f"{self.display_base}/{rel}" if self.display_base else rel

    def document(self, rel: str) -> Document | SourceError:
        """The parsed file (cached)."""
        found = self._parsed.get(rel)
        if found is None:
            found = _parse(rel, self.files[rel])
            self._parsed[rel] = found
        return found

    def release(self, rel: str) -> None:
        """Free the node tree of a parsed file (its data and text stay)."""
        doc = self._parsed.get(rel)
        if isinstance(doc, Document):
            doc.release()

    def data(self, rel: str) -> Any:
        doc = self.document(rel)
        return doc.data if isinstance(doc, Document) else None

    def manifests(self) -> dict[str, dict[str, str]]:
        """channel folder -> version (file stem) -> relative path."""
        out: dict[str, dict[str, str]] = {}
        for rel in sorted(self.files):
            parts = PurePosixPath(rel).parts
            if len(parts) != 2 or parts[0].startswith(("_", ".")):
                continue
            name = PurePosixPath(parts[1])
            if name.suffix in MANIFEST_SUFFIXES and name.name not in (
                SETTINGS_FILE,
                ACCEPTED_CHANGES_FILE,
            ):
                out.setdefault(parts[0], {})[name.stem] = rel
        return out

    def shared(self) -> list[str]:
        """Files that are not manifests (shared schemas, settings)."""
        manifest_paths = {p for versions in self.manifests().values() for p in versions.values()}
        return [rel for rel in sorted(self.files) if rel not in manifest_paths]


def _parse(rel: str, raw: bytes) -> Document | SourceError:
    if len(raw) > MAX_FILE_BYTES:
        return SourceError("file-too-large", f"{len(raw):,} bytes is over the limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return SourceError("file-encoding", f"file is not UTF-8 ({exc.reason})")
    return parse(Path(rel), text.removeprefix("\ufeff"))


def from_folder(root: Path, label: str, display_base: str) -> Snapshot:
    """Every YAML/JSON file under a registry folder (one level of channel folders)."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in MANIFEST_SUFFIXES and path.is_file():
            rel = path.relative_to(root).as_posix()
            if any(part.startswith(".") for part in PurePosixPath(rel).parts):
                continue
            # one byte past the limit is enough for _parse to report the file as too large
            with path.open("rb") as stream:
                files[rel] = stream.read(MAX_FILE_BYTES + 1)
    return Snapshot(label, files, display_base)
