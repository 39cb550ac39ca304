"""The exit codes of every verb (``validate``, ``diff``, ``generate``, ``import``), defined once.

The README's *Exit codes* table documents them; each CLI module imports them from here.
"""

from __future__ import annotations

EXIT_OK = 0  # clean: nothing at or above --fail-on; generated output written or up to date
EXIT_FINDINGS = 1  # findings at or above --fail-on; a break (diff); stale output (generate --check)
EXIT_USAGE = 2  # a request that makes no sense: unknown option or value, a folder not ours, an
# --output that is a file the run reads
EXIT_INPUT = 3  # input that could not be read at all, or a registry generation cannot use; an
# I/O error writing a report or generated files (full disk, read-only folder, permission)
EXIT_BUG = 4  # an internal error: a bug in the tool
