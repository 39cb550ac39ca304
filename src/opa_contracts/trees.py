"""Where a registry's bytes come from: a folder on disk, or a folder at a git commit.

A :class:`Tree` lists the registry's YAML/JSON files by POSIX path relative to the registry root
and reads one of them, never more than the size limit. Both kinds list and read the same way, so
``validate`` (a folder) and both sides of ``diff`` (a folder, a git ref) see the same files:

* things that are not regular files are listed as :class:`Entry` with a ``problem`` and are never
  opened: FIFOs, sockets, devices, git submodules, and symlinks that leave the registry or lead
  nowhere (a symlink to a regular file inside the registry is read as that file);
* sizes are known before reading (``stat``; ``git ls-tree --long``), so a file over the limit is
  reported with its real size and not read;
* git blobs are read by object id (``git cat-file --batch``), so no path byte (a newline, a
  space, a quote) can confuse the reader.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from opa_contracts.errors import InputError, UsageError
from opa_contracts.rules import catalog as rc
from opa_contracts.yamlsource import SourceError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Entry:
    """One listed file: its size, or why it is not read (``problem``)."""

    rel: str
    size: int = 0
    problem: str | None = None


class Tree:
    """The files of one registry root; subclasses say where the bytes live."""

    label: str

    def entries(self) -> dict[str, Entry]:
        """Every YAML/JSON file under the root (folders starting with ``.`` skipped), by path."""
        raise NotImplementedError

    def read(self, rel: str, limit: int) -> bytes | SourceError:
        """The bytes of ``rel``, or why not (missing, not regular, over ``limit``, I/O)."""
        raise NotImplementedError

    def exists(self, rel: str) -> bool:
        return rel in self.entries()


def too_large(size: int, limit: int) -> SourceError:
    return SourceError(
        rc.FILE_TOO_LARGE.id, f"file is {size:,} bytes, over the {limit:,}-byte limit for a file"
    )


def _wanted(name: str) -> bool:
    return name.endswith(MANIFEST_SUFFIXES)


class DiskTree(Tree):
    """A registry folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)
        self._entries: dict[str, Entry] | None = None

    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            found: dict[str, Entry] = {}
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                base = Path(folder)
                for name in sorted(files):
                    if _wanted(name):
                        rel = (base / name).relative_to(self.root).as_posix()
                        found[rel] = self._entry(rel)
            self._entries = found
        return self._entries

    def _entry(self, rel: str) -> Entry:
        path = self.root / rel
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = path.resolve()
                if not target.is_relative_to(self.root):
                    return Entry(
                        rel, problem=f"is a symlink that leaves the registry (to {target})"
                    )
                if not target.exists():
                    return Entry(rel, problem="is a symlink to nothing")
                info = target.stat()
        except OSError:
            return Entry(rel)  # gone or unreadable: reading it says why (file-unreadable)
        if not stat.S_ISREG(info.st_mode):
            return Entry(rel, problem=f"is {_kind(info.st_mode)}, not a regular file")
        return Entry(rel, info.st_size)

    def exists(self, rel: str) -> bool:
        if self._entries is not None:
            return rel in self._entries
        return (self.root / rel).is_file() or (self.root / rel).is_symlink()

    def read(self, rel: str, limit: int) -> bytes | SourceError:
        entry = self._entries.get(rel) if self._entries is not None else None
        entry = entry or self._entry(rel)
        if entry.problem is not None:
            return SourceError(
                rc.REGISTRY_IRREGULAR_FILE.id, f"file {entry.problem}; it is not read"
            )
        if entry.size > limit:
            return too_large(entry.size, limit)
        try:
            with (self.root / rel).open("rb") as stream:
                raw = stream.read(limit + 1)  # the file may have grown since it was listed
        except OSError as exc:
            return SourceError(rc.FILE_UNREADABLE.id, f"cannot read file: {exc.strerror or exc}")
        return too_large(len(raw), limit) if len(raw) > limit else raw


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


# --------------------------------------------------------------------------------------- git

#: A ref is a name git would accept and a person can paste: no spaces, no control characters.
_PLAIN_REF = re.compile(r"^[A-Za-z0-9._/@{}~^:+-]+$")


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args],
            input=stdin,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError as exc:
        raise InputError("git is not installed; --against needs git") from exc


def toplevel(path: Path) -> Path:
    """The work tree that holds ``path``."""
    result = _git(path if path.is_dir() else path.parent, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise InputError(f"{path} is not inside a git repository; --against needs one")
    return Path(result.stdout.decode().strip())


def check_ref(ref: str) -> None:
    """A usage error for a ref that cannot be meant: empty (an unset ``$BASE_REF``), an option."""
    if not ref.strip():
        raise UsageError(
            "--against is empty (an unset variable in a CI script?); name a git ref, "
            "e.g. --against origin/main"
        )
    if ref.startswith("-") or any(ord(c) < 32 or c == "\x7f" for c in ref):
        raise UsageError(f"--against {ref!r} is not a git ref")


def resolve(repo: Path, ref: str) -> str:
    """The commit id of ``ref``, or an error that says how to get it."""
    check_ref(ref)
    result = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if result.returncode == 0:
        return result.stdout.decode().strip()
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true"
    raise InputError(missing_ref_message(ref, shallow))


def missing_ref_message(ref: str, shallow: bool) -> str:
    """Why ``ref`` is missing and, for a plain ref name, the command that fetches it (quoted)."""
    if not _PLAIN_REF.match(ref):
        return f"git ref {ref!r} not found (and it is not a plain ref name)"
    if "~" in ref or "^" in ref:
        base = ref.split("~")[0].split("^")[0] or "HEAD"
        hint = (
            "this is a shallow clone: run `git fetch --deepen=50` (or `git fetch --unshallow`)"
            if shallow
            else f"{base} does not have that many ancestors"
        )
        return f"git ref {ref!r} not found: {hint}"
    if ref.startswith("origin/"):
        fetch = ["git", "fetch", "origin", ref.removeprefix("origin/")]
    elif all(c in "0123456789abcdef" for c in ref.lower()) and len(ref) >= 7:
        fetch = ["git", "fetch", "origin", ref]
    else:
        fetch = ["git", "fetch", "origin", f"{ref}:{ref}"]
    extra = " (a shallow clone: `git fetch --unshallow` fetches all history)" if shallow else ""
    return f"git ref {ref!r} not found: run `{shlex.join(fetch)}`{extra}"


class GitTree(Tree):
    """A registry folder as it is at a git commit, read with one ``ls-tree`` and one
    ``cat-file --batch`` (by object id) for the blobs that are actually read."""

    def __init__(self, registry_root: Path, ref: str) -> None:
        self.repo = toplevel(registry_root)
        self.commit = resolve(self.repo, ref)
        self.label = f"{ref} ({self.commit[:12]})"
        rel_root = registry_root.resolve().relative_to(self.repo.resolve()).as_posix()
        self.prefix = "" if rel_root == "." else rel_root + "/"
        self._objects: dict[str, tuple[str, str]] = {}  # rel -> (mode, object id)
        self._entries = self._list(ref, rel_root)
        self._blobs: dict[str, bytes] = {}

    def _list(self, ref: str, rel_root: str) -> dict[str, Entry]:
        listing = _git(
            self.repo, "ls-tree", "-r", "-z", "--long", "--full-tree", self.commit, "--",
            self.prefix or ".",
        )  # fmt: skip
        if listing.returncode != 0:
            message = listing.stderr.decode(errors="replace").strip()
            raise InputError(f"cannot list {rel_root} at {ref}: {message}")
        raw_entries: dict[str, tuple[str, str, str, str]] = {}
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid, size = meta.decode().split()
            path = raw_path.decode("utf-8", "surrogateescape")
            if not path.startswith(self.prefix):
                continue
            rel = path[len(self.prefix) :]
            if any(part.startswith(".") for part in rel.split("/")[:-1]):
                continue
            raw_entries[rel] = (mode, kind, oid, size)
        entries: dict[str, Entry] = {}
        for rel, (mode, kind, oid, size) in sorted(raw_entries.items()):
            if not _wanted(rel.rsplit("/", 1)[-1]):
                continue
            if mode == "120000":
                entries[rel] = self._link(rel, oid, raw_entries)
            elif kind != "blob":
                entries[rel] = Entry(rel, problem=f"is a git {kind} (a submodule), not a file")
            else:
                self._objects[rel] = (mode, oid)
                entries[rel] = Entry(rel, int(size))
        return entries

    def _link(self, rel: str, oid: str, listed: dict[str, tuple[str, str, str, str]]) -> Entry:
        target_text = self._cat([oid])[0].decode("utf-8", "surrogateescape")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target_text))
        if target_text.startswith("/") or target == ".." or target.startswith("../"):
            return Entry(rel, problem=f"is a symlink that leaves the registry (to {target_text})")
        found = listed.get(target)
        if found is None or found[0] == "120000" or found[1] != "blob":
            return Entry(rel, problem=f"is a symlink to nothing readable ({target_text})")
        self._objects[rel] = (found[0], found[2])
        return Entry(rel, int(found[3]))

    def entries(self) -> dict[str, Entry]:
        return self._entries

    def read(self, rel: str, limit: int) -> bytes | SourceError:
        entry = self._entries.get(rel)
        if entry is None:
            return SourceError(rc.FILE_UNREADABLE.id, f"file is not in {self.label}")
        if entry.problem is not None:
            return SourceError(
                rc.REGISTRY_IRREGULAR_FILE.id, f"file {entry.problem}; it is not read"
            )
        if entry.size > limit:
            return too_large(entry.size, limit)
        if rel not in self._blobs:
            self.prefetch([r for r, e in self._entries.items() if e.problem is None], limit)
        return self._blobs.get(rel, b"")

    def prefetch(self, rels: list[str], limit: int) -> None:
        """Read the blobs of ``rels`` (those under ``limit``) in one git process."""
        wanted = [
            r
            for r in rels
            if r not in self._blobs and r in self._objects and self._entries[r].size <= limit
        ]
        for rel, blob in zip(wanted, self._cat([self._objects[r][1] for r in wanted]), strict=True):
            self._blobs[rel] = blob

    def _cat(self, oids: list[str]) -> list[bytes]:
        if not oids:
            return []
        batch = _git(
            self.repo, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode()
        )
        if batch.returncode != 0:
            raise InputError(
                f"git cat-file failed: {batch.stderr.decode(errors='replace').strip()}"
            )
        out, pos, blobs = batch.stdout, 0, []
        for _ in oids:
            end = out.index(b"\n", pos)
            size = int(out[pos:end].split()[2])
            blobs.append(out[end + 1 : end + 1 + size])
            pos = end + 1 + size + 1
        return blobs
