"""How long ``opa-contracts generate docs`` takes for a big registry, next to ``validate``.

The synthetic registry (benchmarks/synthetic.py: 1,000 channels x 3 versions) is written first,
not timed. Then, each as a whole process the way a user runs it, after one untimed warm-up:

- ``opa-contracts validate REGISTRY`` — the baseline: reading and checking the same manifests;
- ``opa-contracts generate docs -r REGISTRY --out OUT`` into an empty folder, then again over
  its own output (only changed files are rewritten) and with ``--check``.

Target: ``generate docs`` in at most 20 s. The docs read every manifest like validate does, then
run the compatibility engine on every consecutive pair of versions (2,000 checks) and render
2,000 HTML and Markdown pages plus 1,000 SVG diagrams.

Each line shows the process's peak memory beside its time (``peak.py``; target: 400 MB at
4,000 channels, ``--channels 4000``).

    python benchmarks/docs_speed.py [--channels 1000] [--versions 3] [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import peak
import synthetic

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "opa-contracts"
ENV = {**os.environ, "NO_COLOR": "1", "LANG": "C.UTF-8"}
TARGET_S = 20.0


def timed(*args: str | Path) -> tuple[float, int, str, float]:
    """Wall time, exit code, summary line (for generate, the target's line: files written or
    stale) and peak memory (MB) of one ``opa-contracts`` process."""
    started = time.perf_counter()
    proc, peak_mb = peak.run([SCRIPT, *args], cwd=ROOT, env=ENV)
    elapsed = time.perf_counter() - started
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    if not lines:
        return elapsed, proc.returncode, "", peak_mb
    return elapsed, proc.returncode, lines[0] if args[0] == "generate" else lines[-1], peak_mb


def best(runs: int, *args: str | Path, before: Path | None = None) -> tuple[float, int, str, float]:
    """The fastest of ``runs`` runs (``before`` is emptied first each time)."""
    results = []
    for _ in range(runs):
        if before is not None:
            shutil.rmtree(before, ignore_errors=True)
        results.append(timed(*args))
    return min(results)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="timed runs of each (best is shown)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opa-docs-bench-") as temp:
        registry = Path(temp) / "contracts"
        out = Path(temp) / "docs"
        synthetic.write_registry(registry, args.channels, args.versions, seed=0)
        load = os.getloadavg()[0]
        timed("validate", registry)  # warm-up: file cache, .pyc files
        validate = best(args.runs, "validate", registry)
        cold = best(args.runs, "generate", "docs", "-r", registry, "--out", out, before=out)
        again = best(args.runs, "generate", "docs", "-r", registry, "--out", out)
        check = best(args.runs, "generate", "docs", "-r", registry, "--out", out, "--check")
        files = sum(1 for p in out.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    versions = args.channels * args.versions
    print(
        f"generate docs — synthetic registry, {args.channels} channels x {args.versions} "
        f"versions; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f} at start"
    )
    rows = (
        ("validate (baseline)", validate),
        ("generate docs, empty folder", cold),
        ("generate docs, over itself", again),
        ("generate docs --check", check),
    )
    for label, (seconds, code, last, peak_mb) in rows:
        print(f"  {label:30} {seconds:7.2f} s  {peak_mb:5.0f} MB  exit {code}  {last[:60]}")
    per_version = cold[0] / versions * 1000
    print(f"  output: {files} files, {size / 1e6:.1f} MB; {per_version:.2f} ms per version")
    print(f"  docs / validate: {cold[0] / validate[0]:.1f}x")
    ok = cold[1] == 0 and cold[0] <= TARGET_S
    print(
        f"  [{'PASS' if ok else 'FAIL'}] generate docs on {args.channels} channels in at most "
        f"{TARGET_S:.0f} s: {cold[0]:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
