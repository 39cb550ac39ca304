"""``import jsonschema``: a registry from a folder of JSON Schema files and a mapping file.

The mapping file (YAML or JSON; its format is in docs/import.md) lists the channel versions:

.. code-block:: yaml

    registry: {name: Shop events}      # optional: registry.yaml settings, written as given
    defaults:                          # optional: fields every channel version gets
      publisher: opa-shop
    channels:
      - schema: orders/created.json    # a file of FOLDER: this version's payload schema
        channel: shop.orders
        version: 1.0.0                 # default 1.0.0
        # ...any other manifest field: summary, description, owner, status, publisher (or
        # publishers), subscribers, compatibility, policies, transports, examples, lint...

Each entry (over the defaults; an entry's ``publisher`` or ``publishers`` replaces either of the
defaults') is a manifest whose ``schema`` is the file's content; the summary
and description default to the schema's ``title`` and ``description``, the examples to its
``examples``. A ``$ref`` to another mapped file points at that manifest; a ``$ref`` to any other
file of the folder copies that file to ``_schemas/`` (its path kept, as ``.yaml``). A ``$ref``
that leaves the folder, or a URL that is no file's ``$id``, is refused (never fetched). Every
manifest is checked against the manifest format before anything is written.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from opa_contracts import formats, publishers
from opa_contracts.importing.common import (
    API_VERSION,
    Fatal,
    Imported,
    registry_settings,
    safe_name,
)
from opa_contracts.names import unique
from opa_contracts.pointer import join
from opa_contracts.rules import catalog as rc

MANIFEST_FORMAT = "manifest-v1.schema.json"
REGISTRY_FORMAT = "registry-v1.schema.json"
_ENTRY_ONLY = ("schema",)
#: the order of a manifest's fields, as docs/manifest.md lists them
ORDER = (
    *("apiVersion", "channel", "version", "status", "summary", "description", "owner"),
    *("publisher", "publishers", "subscribers", "compatibility", "open_content_policy", "policies"),
    *("transports", "lint", "schema", "examples", "invalid_examples"),
)


def import_folder(folder: Path, mapping: Path) -> Imported:
    """The registry that ``mapping`` describes over the schemas of ``folder``."""
    imported = Imported(mapping)
    try:
        _Folder(imported, folder, mapping).run()
    except Fatal:
        imported.discard()
    return imported


class _Folder:
    def __init__(self, imported: Imported, folder: Path, mapping: Path) -> None:
        self.out = imported
        self.folder = folder
        self.mapping = mapping
        self.root = Path(os.path.realpath(folder))
        self.schemas: dict[Path, Any] = {}  # real path -> parsed content
        self.places: dict[Path, str] = {}  # real path -> output path (manifest or _schemas file)
        self.ids: dict[str, Path] = {}  # absolute $id -> real path
        self.shared_names: set[str] = set()
        self.queue: list[Path] = []  # files placed under _schemas/, not yet copied

    def run(self) -> None:
        if not self.folder.is_dir():
            raise self.out.fatal(f"{self.folder} is not a folder of JSON Schema files")
        data = self.out.load(self.mapping)
        if not isinstance(data, dict) or not isinstance(data.get("channels"), list):
            raise self.out.fatal("the mapping file needs a `channels` list (see docs/import.md)")
        unknown = sorted(set(data) - {"registry", "defaults", "channels"})
        for key in unknown:
            self.out.add(
                rc.IMPORT_SOURCE_INVALID,
                f"unknown key {key!r} in the mapping file: registry, defaults and channels "
                "are allowed",
                pointer=join("", key),
                key=True,
            )
        defaults = data.get("defaults", {})
        if not isinstance(defaults, dict):
            raise self.out.fatal("`defaults` is a mapping of manifest fields", pointer="/defaults")
        entries: list[tuple[int, dict[str, Any], Path]] = []
        for i, entry in enumerate(data["channels"]):
            at = join("/channels", i)
            if not isinstance(entry, dict) or not isinstance(entry.get("schema"), str):
                self.out.add(
                    rc.IMPORT_SOURCE_INVALID,
                    "each channel names its schema file: `schema: path/in/FOLDER.json`",
                    pointer=at,
                )
                continue
            path = self.file(entry["schema"], self.root, join(at, "schema"))
            if path is not None:
                entries.append((i, _over(defaults, entry), path))
        if any(f.rule == rc.IMPORT_SOURCE_INVALID.id for f in self.out.findings):
            raise Fatal("mapping")
        for _, _, path in entries:
            self.read(path)
        for _, entry, path in entries:
            channel, version = entry.get("channel"), entry.get("version", "1.0.0")
            if isinstance(channel, str) and isinstance(version, str):
                self.places.setdefault(path, f"{channel}/{version}.yaml")
        manifests = [self.manifest(i, entry, path) for i, entry, path in entries]
        self.copy_shared()
        if any(f.rule == rc.IMPORT_SOURCE_INVALID.id for f in self.out.findings):
            raise Fatal("mapping")
        taken: set[str] = set()
        for i, manifest in enumerate(manifests):
            rel = f"{manifest['channel']}/{manifest['version']}.yaml"
            if rel in taken:
                raise self.out.fatal(
                    f"{manifest['channel']} {manifest['version']} is mapped twice",
                    pointer=join("/channels", entries[i][0]),
                )
            taken.add(rel)
            self.out.files[rel] = manifest
        settings = registry_settings("", manifests)
        given = data.get("registry", {})
        if isinstance(given, dict):
            settings.update({k: v for k, v in given.items() if k != "apiVersion"})
        for problem in formats.problems(REGISTRY_FORMAT, settings):
            self.out.add(
                rc.IMPORT_SOURCE_INVALID,
                f"registry: {problem.message}",
                pointer=join("/registry", *problem.pointer.split("/")[1:]),
                key=problem.key,
            )
        if any(f.rule == rc.IMPORT_SOURCE_INVALID.id for f in self.out.findings):
            raise Fatal("registry")
        self.out.files["registry.yaml"] = settings

    def file(self, name: str, base: Path, pointer: str, path: Path | None = None) -> Path | None:
        """The real path of a schema file named relative to ``base``, inside the folder."""
        target = Path(os.path.realpath(base / name))
        if not target.is_relative_to(self.root):
            self.out.add(
                rc.IMPORT_SOURCE_INVALID,
                f"{name!r} is outside {self.folder}; only its files are read",
                path=path,
                pointer=pointer,
            )
            return None
        if not target.is_file():
            self.out.add(
                rc.IMPORT_SOURCE_INVALID,
                f"{name!r} names no file of {self.folder}",
                path=path,
                pointer=pointer,
            )
            return None
        return target

    def read(self, path: Path) -> Any:
        if path not in self.schemas:
            data = self.out.load(path)
            self.schemas[path] = data
            ident = data.get("$id") if isinstance(data, dict) else None
            if isinstance(ident, str) and urlsplit(ident).scheme:
                self.ids[urldefrag(ident)[0]] = path
        return self.schemas[path]

    def place(self, path: Path) -> str:
        """Where a file lands in the registry: its manifest, or a copy under ``_schemas/``
        (written by :meth:`copy_shared`)."""
        if path not in self.places:
            rel = path.relative_to(self.root).as_posix()
            stem = posixpath.splitext(rel)[0]
            self.places[path] = unique(f"_schemas/{stem}.yaml", self.shared_names)
            self.queue.append(path)
        return self.places[path]

    def copy_shared(self) -> None:
        """Copy every file the mapped schemas reach (a queue, not recursion: a chain of files
        is as long as the folder makes it)."""
        while self.queue:
            path = self.queue.pop()
            self.out.files[self.places[path]] = self.rewrite(self.read(path), path)

    def rewrite(self, node: Any, path: Path) -> Any:
        """A schema with every ``$ref`` to another file re-pointed at its place in the
        registry (copying the files it reaches); an absolute root ``$id`` is dropped, as the
        references are registry files now."""
        here = self.places.get(path, "")
        schema = self._walk(node, path, "", here)
        if isinstance(schema, dict) and urlsplit(str(schema.get("$id", ""))).scheme:
            self.out.add(
                rc.IMPORT_FACT_CHANGED,
                f"$id {schema['$id']!r} is dropped: references between the files are paths "
                "inside the registry now",
                path=path,
                pointer="/$id",
            )
            del schema["$id"]
        return schema

    def _walk(self, node: Any, path: Path, pointer: str, here: str) -> Any:
        if isinstance(node, list):
            return [self._walk(v, path, join(pointer, i), here) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            at = join(pointer, key)
            if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                out[key] = self.ref(value, path, at, here)
            else:
                out[key] = self._walk(value, path, at, here)
        return out

    def ref(self, ref: str, path: Path, pointer: str, here: str) -> str:
        address, _, fragment = ref.partition("#")
        root = self.schemas.get(path)
        ident = root.get("$id") if isinstance(root, dict) else None
        target: Path | None = None
        if isinstance(ident, str) and urlsplit(ident).scheme:
            target = self.ids.get(urldefrag(urljoin(ident, address))[0])
        if target is None and urlsplit(address).scheme:
            target = self.ids.get(address)
            if target is None:
                raise self.out.fatal(
                    f"$ref {ref!r} is a URL that is no file's $id; it is never fetched",
                    path=path,
                    pointer=pointer,
                )
        if target is None:
            target = self.file(address, path.parent, pointer, path)
            if target is None:
                raise Fatal(ref)
        self.read(target)
        place = self.place(target)
        relative = posixpath.relpath(place, posixpath.dirname(here) or ".")
        return relative + (f"#{fragment}" if fragment else "")

    def manifest(self, index: int, entry: dict[str, Any], path: Path) -> dict[str, Any]:
        schema = self.rewrite(self.read(path), path)
        manifest: dict[str, Any] = {"apiVersion": API_VERSION}
        manifest["channel"] = entry.get("channel")
        manifest["version"] = entry.get("version", "1.0.0")
        manifest["status"] = entry.get("status", "active")
        title = schema.get("title") if isinstance(schema, dict) else None
        summary = entry.get("summary", title if isinstance(title, str) else entry.get("channel"))
        manifest["summary"] = summary
        about = schema.get("description") if isinstance(schema, dict) else None
        if "description" in entry or isinstance(about, str):
            manifest["description"] = entry.get("description", about)
        for key, value in entry.items():
            if key not in manifest and key not in _ENTRY_ONLY and key != "apiVersion":
                manifest[key] = value
        manifest["schema"] = schema
        examples = schema.get("examples") if isinstance(schema, dict) else None
        if "examples" not in entry and isinstance(examples, list) and examples:
            manifest["examples"] = [
                {"name": f"schema-example-{n}", "payload": e} for n, e in enumerate(examples, 1)
            ]
        rank = {key: n for n, key in enumerate(ORDER)}
        manifest = dict(sorted(manifest.items(), key=lambda kv: rank.get(kv[0], len(ORDER))))
        at = join("/channels", index)
        channel = manifest["channel"]
        if isinstance(channel, str) and channel and safe_name(channel) != channel:
            self.out.add(
                rc.IMPORT_SOURCE_INVALID,
                f"channel entry {index}: {channel!r} cannot be a folder name (letters, digits, "
                f"'.', '_' and '-'; {safe_name(channel)!r} would do)",
                pointer=join(at, "channel"),
            )
        for problem in formats.problems(MANIFEST_FORMAT, manifest):
            if problem.pointer.startswith("/schema"):
                continue  # the schema file's own problems are validate's to report
            self.out.add(
                rc.IMPORT_SOURCE_INVALID,
                f"channel entry {index}: {problem.message.removeprefix('/: ')}",
                pointer=at + problem.pointer if problem.pointer not in ("", "/") else at,
                key=problem.key,
            )
        return manifest


def _over(defaults: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` over ``defaults``; an entry that names its publisher(s) either way replaces the
    defaults' ``publisher`` or ``publishers`` (a manifest has exactly one of the two)."""
    keys = (publishers.ONE, publishers.SEVERAL)
    own = any(k in entry for k in keys)
    return {**{k: v for k, v in defaults.items() if not (own and k in keys)}, **entry}
