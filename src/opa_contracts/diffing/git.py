"""Reading a registry straight from a git ref, with messages that say which ``git fetch`` to run."""

from __future__ import annotations

import subprocess
from pathlib import Path

from opa_contracts.diffing.snapshot import Snapshot
from opa_contracts.errors import InputError
from opa_contracts.loader import MANIFEST_SUFFIXES


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


def resolve(repo: Path, ref: str) -> str:
    """The commit id of ``ref``, or an error that says how to get it."""
    if ref.startswith("-"):
        raise InputError(f"{ref!r} is not a git ref")
    result = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode == 0:
        return result.stdout.decode().strip()
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true"
    raise InputError(_missing_ref_message(ref, shallow))


def _missing_ref_message(ref: str, shallow: bool) -> str:
    if "~" in ref or "^" in ref:
        base = ref.split("~")[0].split("^")[0] or "HEAD"
        hint = (
            "this is a shallow clone: run `git fetch --deepen=50` (or `git fetch --unshallow`)"
            if shallow
            else f"{base} does not have that many ancestors"
        )
        return f"git ref {ref!r} not found: {hint}"
    if ref.startswith("origin/"):
        branch = ref.removeprefix("origin/")
        fetch = f"git fetch origin {branch}"
    elif all(c in "0123456789abcdef" for c in ref.lower()) and len(ref) >= 7:
        fetch = f"git fetch origin {ref}"
    else:
        fetch = f"git fetch origin {ref}:{ref}"
    extra = " (a shallow clone: `git fetch --unshallow` fetches all history)" if shallow else ""
    return f"git ref {ref!r} not found: run `{fetch}`{extra}"


def snapshot(registry_root: Path, ref: str, display_base: str) -> Snapshot:
    """The registry folder as it is at ``ref``, read with one ``git cat-file --batch``."""
    repo = toplevel(registry_root)
    commit = resolve(repo, ref)
    rel_root = registry_root.resolve().relative_to(repo.resolve()).as_posix()
    prefix = "" if rel_root == "." else rel_root + "/"
    listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit, "--", prefix or ".")
    if listing.returncode != 0:
        raise InputError(f"cannot list {rel_root} at {ref}: {listing.stderr.decode().strip()}")
    paths = [
        p
        for p in listing.stdout.decode("utf-8", "surrogateescape").split("\0")
        if p and Path(p).suffix in MANIFEST_SUFFIXES
    ]
    request = "".join(f"{commit}:{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    batch = _git(repo, "cat-file", "--batch", stdin=request)
    if batch.returncode != 0:
        raise InputError(f"git cat-file failed: {batch.stderr.decode().strip()}")
    files: dict[str, bytes] = {}
    out, pos = batch.stdout, 0
    for path in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        size = int(header[2])
        files[path[len(prefix) :]] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return Snapshot(f"{ref} ({commit[:12]})", files, display_base)
