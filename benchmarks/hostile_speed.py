"""Bounded work from hostile inputs: time and peak memory of the tool on each reproduction of
issue 10, next to a baseline measured in the same run.

Cases (each a new ``opa-contracts`` process; wall time from ``time.monotonic``, peak RSS of that
process from ``os.wait4``; inputs are built first, untimed, in a temporary folder):

- baseline: ``validate contracts`` on the bundled registry.
- regex: ``naming.service: '^(a+)+$'`` in ``registry.yaml`` and a 28-character publisher name
  that backtracking Python ``re`` needed 14 s for; ``validate``.
- many-changes: ``diff`` of one manifest pair with 4,500 and with 45,000 properties whose
  ``pattern`` changed (the larger file is about 3.4 MB, under the 5 MiB size limit), and the ratio
  of the two times: linear work gives about 10. The pair's witness searches share a fixed budget
  (2 s by default), which pulls the ratio below 10, so both sizes also run with
  ``--witness-budget 0``: that ratio is the diff's own work.
- huge-bound: ``diff`` of ``minLength: 3000000000`` → ``3000000001`` (a witness that must not be
  built).
- big-blob: a git repository whose ``HEAD`` holds a 1 GB manifest (a sparse file stored with
  ``git hash-object -w``, so neither this script nor git holds it in memory) while the working
  tree holds the bundled one; ``diff --against HEAD`` must refuse it by its size.

Targets: every case ≤ 10 s and ≤ 500 MB; many-changes ratio ≈ 10. Figures are only meaningful
on an otherwise idle machine (the load average is printed at the start and the end).

    python benchmarks/hostile_speed.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import peak
from hostile_inputs import patterns, wide_union, write_pair

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "opa-contracts"
TARGET_S = 10.0
TARGET_MB = 500.0
BLOB_BYTES = 1 << 30
ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "LANG": "C.UTF-8",
    "NO_COLOR": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass(frozen=True)
class Measured:
    name: str
    wall_s: float
    peak_mb: float
    code: int
    tail: str


def measure(name: str, *args: str | Path, cwd: Path = ROOT) -> Measured:
    """Run the console script once; its wall time and the peak RSS of that process alone."""
    started = time.monotonic()
    proc, peak_mb = peak.run([SCRIPT, *args], cwd=cwd, env=ENV)
    wall = time.monotonic() - started
    text = proc.stdout[-4000:] + proc.stderr[-2000:]
    last = [line for line in text.splitlines() if line.strip()][-1:] or [""]
    return Measured(name, wall, peak_mb, proc.returncode, last[0][:160])


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=ENV, check=True
    )
    return result.stdout.strip()


# -- inputs ------------------------------------------------------------------------------------


def regex_registry(folder: Path) -> Path:
    root = folder / "contracts"
    shutil.copytree(ROOT / "contracts", root)
    settings = root / "registry.yaml"
    text = settings.read_text(encoding="utf-8").replace("'^opa-[a-z-]+$'", "'^(a+)+$'")
    settings.write_text(text, encoding="utf-8")
    quotes = root / "quotes.realtime" / "1.0.0.yaml"
    text = quotes.read_text(encoding="utf-8")
    quotes.write_text(
        text.replace("publisher: opa-quotes-streamer", "publisher: " + "a" * 28 + "!"),
        encoding="utf-8",
    )
    return root


def blob_repo(folder: Path) -> Path:
    """HEAD holds a 1 GB quotes.realtime/1.0.0.yaml; the working tree the bundled one."""
    repo = folder / "repo"
    shutil.copytree(ROOT / "contracts", repo / "contracts")
    git(folder, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "registry")
    sparse = folder / "big.yaml"
    with sparse.open("wb") as stream:
        stream.truncate(BLOB_BYTES)  # a hole: no disk, no memory
    oid = git(repo, "hash-object", "-w", str(sparse))
    sparse.unlink()
    rel = "contracts/quotes.realtime/1.0.0.yaml"
    git(repo, "update-index", "--cacheinfo", f"100644,{oid},{rel}")
    git(repo, "commit", "-q", "-m", "a 1 GB manifest")
    # the working tree still holds the bundled file (update-index never touches it)
    size = int(git(repo, "cat-file", "-s", f"HEAD:{rel}"))
    assert size == BLOB_BYTES, size
    return repo


# -- report ----------------------------------------------------------------------------------


def verdict(m: Measured) -> str:
    ok = m.wall_s <= TARGET_S and m.peak_mb <= TARGET_MB
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the inputs here and keep them")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(f"hostile_speed: commit {commit or '?'}, Python {platform.python_version()}, ", end="")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"targets: each case <= {TARGET_S:g} s and <= {TARGET_MB:g} MB; ratio 45,000/4,500 ~ 10")

    work = args.keep or Path(tempfile.mkdtemp(prefix="hostile-speed-"))
    try:
        print("building inputs (untimed)...", flush=True)
        regex = regex_registry(work / "regex")
        small = patterns(work / "changes-4500", 4_500)
        large = patterns(work / "changes-45000", 45_000)
        huge = write_pair(
            work / "huge-bound",
            {"note": {"type": "string", "minLength": 3_000_000_000}},
            {"note": {"type": "string", "minLength": 3_000_000_001}},
        )
        union = write_pair(work / "wide-union", {"p": wide_union(300)}, {"p": wide_union(300, 150)})
        repo = blob_repo(work / "big-blob")

        runs = [
            measure("baseline: validate contracts (bundled)", "validate", "contracts"),
            measure("regex: validate, ^(a+)+$ and a 28-char name", "validate", regex),
            measure("many-changes: diff, 4,500 patterns changed", "diff", *small),
            measure("many-changes: diff, 45,000 patterns changed", "diff", *large),
            measure("  same, 4,500, no witness search", "diff", *small, "--witness-budget", "0"),
            measure("  same, 45,000, no witness search", "diff", *large, "--witness-budget", "0"),
            measure("huge-bound: diff, minLength 3e9 -> 3e9+1", "diff", *huge),
            measure("wide-union: diff, anyOf of 300, one changed", "diff", *union),
            measure(
                "big-blob: diff --against HEAD (1 GB blob)",
                "diff",
                "contracts",
                "--against",
                "HEAD",
                cwd=repo,
            ),
        ]
        print()
        print(f"{'case':<48} {'wall s':>8} {'peak MB':>8} {'exit':>5}  target")
        for m in runs:
            print(f"{m.name:<48} {m.wall_s:>8.2f} {m.peak_mb:>8.0f} {m.code:>5}  {verdict(m)}")
        print()
        for label, a, b in (("", runs[2], runs[3]), (" without witness search", runs[4], runs[5])):
            ratio = b.wall_s / a.wall_s if a.wall_s else float("inf")
            print(f"many-changes ratio 45,000 / 4,500{label}: {ratio:.1f} (linear: ~10)")
        print("(the witness searches of one pair share a fixed budget, 2 s by default, so the")
        print(" ratio with them is below 10; the one without them is the diff's own work)")
        print()
        for m in runs[1:]:
            print(f"{m.name}: {m.tail}")
        print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
