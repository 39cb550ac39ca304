"""Where the tool writes, and how: never onto a file the run reads, always whole files.

* :func:`refuse_inputs` is the one check every verb makes before it writes anything for
  ``--output``: the report must not land on a file the run reads (the registry's files, as
  :meth:`~opa_contracts.loader.Registry.read_paths` lists them, and ``generate``'s target files).
  Paths are compared resolved (symlinks, ``..``) and, when the file exists, by device and inode
  (hard links).
* :func:`replace_file` writes a file atomically: a temporary file in the same folder, flushed to
  disk, renamed over the destination. A reader, or a crash, sees the old file or the new one,
  never half of one; the temporary file is removed when anything fails. Reports
  (:func:`write_report`) and generated files (``generate/output.py``) are written this way.
* An OS error while writing (a full disk, a read-only folder, no permission, a folder in the
  way) is a :class:`~opa_contracts.errors.WriteError` naming the path and the OS reason (exit 3).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from opa_contracts.errors import UsageError, WriteError
from opa_contracts.loader import Registry, display


def refuse_inputs(
    output: Path | None, registries: Iterable[Registry], files: Iterable[Path] = ()
) -> None:
    """A usage error when ``output`` is a file a run over ``registries`` (and ``files``) reads."""
    if output is None:
        return
    real = os.path.realpath(output)
    try:
        existing: os.stat_result | None = os.stat(real)
    except OSError:
        existing = None
    inputs = [path for registry in registries for path in registry.read_paths()]
    for path in (*inputs, *files):
        if os.path.realpath(path) == real or (existing is not None and _same(existing, path)):
            shown = display(path)
            what = "is" if shown == str(output) else f"would overwrite {shown}, which is"
            raise UsageError(
                f"--output {output} {what} a file this run reads; write the report elsewhere"
            )


def _same(existing: os.stat_result, path: Path) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return False
    return (info.st_dev, info.st_ino) == (existing.st_dev, existing.st_ino)


def write_report(path: Path, content: bytes) -> None:
    """Write a report to ``path``: atomically (keeping the mode of the file it replaces), or
    straight into a device, FIFO or socket (``/dev/stdout``) that cannot be replaced."""
    try:
        info: os.stat_result | None = os.stat(path)
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        try:
            with open(path, "wb") as stream:
                stream.write(content)
        except OSError as exc:
            raise write_error(exc, path) from None
        return
    permissions = stat.S_IMODE(info.st_mode) if info is not None else default_permissions()
    # through a symlink the user made: its target is replaced, the link stays
    replace_file(Path(os.path.realpath(path)), content, permissions, shown=path)


def replace_file(
    path: Path,
    content: bytes,
    permissions: int,
    *,
    shown: Path | None = None,
    sync: bool = True,
) -> None:
    """Make ``path`` hold ``content``, all at once (see the module docstring); without ``sync``
    the caller flushes the folder's entries (:func:`sync_folder`) once for many files."""
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise write_error(exc, shown or path) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fchmod(stream.fileno(), permissions)
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(exc, shown or path) from None
        raise
    if sync:
        sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk; best effort, as not every file system can."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_error(exc: OSError, path: Path) -> WriteError:
    """``cannot write PATH: OS reason`` for an OS error met while writing ``path``."""
    return WriteError(f"cannot write {display(Path(path))}: {exc.strerror or exc}")


def default_permissions() -> int:
    """What ``open(path, "w")`` would give a new file: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
