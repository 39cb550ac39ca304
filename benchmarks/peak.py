"""Peak memory of one command: the largest resident set of the process and of any process it
waited for (forked workers, ruff), as the kernel counts it (``wait4``'s ``ru_maxrss``).

Unlike a time, this figure does not depend on the machine's load, so it is comparable between
runs on a busy machine. Issue 9's target: every verb at most 400 MB at 4,000 channels x 3.

    proc, peak_mb = peak.run([...], cwd=..., env=...)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

TARGET_MB = 400.0


def run(
    command: Sequence[str | Path],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``command`` to its end; its result (text output) and its peak memory in MB."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [str(c) for c in command],
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=out,
            stderr=err,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    # Linux counts ru_maxrss in KB
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return result, usage.ru_maxrss / 1024


def line(label: str, peak_mb: float) -> str:
    """``label  peak N MB [ok|over 400 MB]`` for a benchmark's output."""
    verdict = "ok" if peak_mb <= TARGET_MB else f"over {TARGET_MB:.0f} MB"
    return f"  peak memory, {label:24} {peak_mb:7.0f} MB  [{verdict}]"
