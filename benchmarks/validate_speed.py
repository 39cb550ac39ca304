"""How fast ``opa-contracts validate`` is, as a whole process, next to baselines from the same run.

1. The bundled registry, cold (a new process per run): validate vs ``python -c pass`` (the
   interpreter floor), ``python -c "import opa_contracts.cli"`` (start-up alone: the imports
   before any file is read) and a naive script doing the same job the obvious way (PyYAML
   ``safe_load`` + ``jsonschema`` Draft7Validator with FormatChecker). Target: at most 300 ms.
2. Synthetic registries of 250, 500 and 1,000 channels x 3 versions (benchmarks/synthetic.py,
   generated before timing): wall time, time per manifest, linearity. Target: 1,000 channels in
   at most 5 s.
3. What start-up costs: ``python -X importtime``, the ten slowest imports by cumulative time.

    python benchmarks/validate_speed.py [--quick] [--runs N] [--sizes 250,500,1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import peak
import synthetic
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
BIN = Path(sys.executable).parent
SCRIPT = BIN / "opa-contracts"
MANIFEST_SCHEMA = ROOT / "src" / "opa_contracts" / "schemas" / "manifest-v1.schema.json"
ENV = {**os.environ, "NO_COLOR": "1", "LANG": "C.UTF-8"}
BUNDLED_TARGET_S = 0.300
SYNTHETIC_TARGET_S = 5.0
VERSIONS = 3
IMPORT_LABEL = "python -c 'import opa_contracts.cli'"

# The obvious implementation of the same job, for scale: every manifest read with yaml.safe_load,
# checked against the manifest format, its payload schema checked against its metaschema, every
# example validated and every invalid example rejected. Prints a JSON summary.
NAIVE = r"""
import glob, json, os, sys
import yaml
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

root, manifest_schema = sys.argv[1], sys.argv[2]
with open(manifest_schema, encoding="utf-8") as f:
    shape = Draft202012Validator(json.load(f), format_checker=FormatChecker())

def registry_for(folder):
    def retrieve(uri):
        with open(os.path.normpath(os.path.join(folder, uri.split("#")[0])), encoding="utf-8") as f:
            data = yaml.safe_load(f)
        if isinstance(data, dict) and "apiVersion" in data:
            data = data["schema"]
        return Resource.from_contents(data, default_specification=DRAFT7)
    return Registry(retrieve=retrieve)

manifests = problems = 0
for path in sorted(glob.glob(os.path.join(root, "*", "*.yaml"))):
    if os.path.basename(os.path.dirname(path)).startswith(("_", ".")):
        continue
    manifests += 1
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    problems += sum(1 for _ in shape.iter_errors(doc))
    schema = doc["schema"]
    cls = validators.validator_for(schema, default=Draft7Validator)
    meta_errors = list(cls(cls.META_SCHEMA).iter_errors(schema))
    problems += len(meta_errors)
    if meta_errors:
        continue
    registry = registry_for(os.path.dirname(path))
    check = cls(schema, format_checker=FormatChecker(), registry=registry)
    for example in doc.get("examples", []):
        problems += sum(1 for _ in check.iter_errors(example["payload"]))
    for example in doc.get("invalid_examples", []):
        problems += not any(True for _ in check.iter_errors(example["payload"]))
date_time = not FormatChecker().conforms("2026-01-20 14:30", "date-time")
print(json.dumps({"manifests": manifests, "problems": problems, "date_time_checked": date_time}))
sys.exit(1 if problems else 0)
"""


@dataclass(frozen=True)
class Timing:
    """Wall and CPU (user + sys) times of repeated runs of one command, in seconds."""

    label: str
    times: list[float]
    cpu: list[float]
    stdout: str = ""
    note: str = ""
    peak_mb: float = 0.0  # the largest peak memory of the runs

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    proc: subprocess.CompletedProcess[str]
    peak_mb: float


def run_once(cmd: list[str], cwd: Path = ROOT) -> Run:
    """One run of ``cmd`` in a new process: wall time, the child's CPU time, its result, its
    peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc, peak_mb = peak.run(cmd, cwd=cwd, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, proc, peak_mb)


def measure(
    label: str, cmd: list[str], runs: int, expect: tuple[int, ...] = (0,), warm_up: bool = True
) -> Timing:
    """Time ``runs`` runs, after one untimed warm-up run (page cache and .pyc files warm)."""
    if warm_up:
        run_once(cmd)
    results = [run_once(cmd) for _ in range(runs)]
    last = results[-1].proc
    note = ""
    if last.returncode not in expect:
        note = f"exit {last.returncode}: {(last.stderr or last.stdout).strip()[-200:]}"
    peak_mb = max(r.peak_mb for r in results)
    return Timing(
        label, [r.wall for r in results], [r.cpu for r in results], last.stdout, note, peak_mb
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def naive_summary(timing: Timing) -> str:
    try:
        data = json.loads(timing.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return f"naive baseline failed: {timing.note}"
    checked = "checked" if data["date_time_checked"] else "NOT checked (no rfc3339-validator)"
    return (
        f"naive baseline: {data['manifests']} manifests, {data['problems']} problems reported "
        f"(validate: 0); date-time format {checked}"
    )


def naive_cmd(registry: Path) -> list[str]:
    return [sys.executable, "-c", NAIVE, str(registry), str(MANIFEST_SCHEMA)]


def validate_cmd(registry: Path) -> list[str]:
    return [str(SCRIPT), "validate", str(registry)]


def check_clean(registry: Path) -> str:
    """'' when validate reports 0 errors and 0 warnings, else what it found."""
    proc = run_once([*validate_cmd(registry), "--format", "json"]).proc
    try:
        summary = json.loads(proc.stdout)["summary"]
    except (json.JSONDecodeError, KeyError):
        return f"validate failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
    if proc.returncode or summary["errors"] or summary["warnings"]:
        return f"NOT CLEAN: {summary['errors']} errors, {summary['warnings']} warnings"
    return ""


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def section_bundled(runs: int) -> Timing:
    print(f"== 1. Bundled registry (contracts/, 3 manifests), cold process, {runs} runs each ==")
    floor = measure("python -c pass", [sys.executable, "-c", "pass"], runs)
    imports = measure(IMPORT_LABEL, [sys.executable, "-c", "import opa_contracts.cli"], runs)
    tool = measure("opa-contracts validate contracts/", validate_cmd(Path("contracts")), runs)
    naive = measure("naive: safe_load + jsonschema", naive_cmd(CONTRACTS), runs, (0, 1))
    rows = [["command", "median", "min", "cpu", "x floor", "x validate"]]
    for t in (floor, imports, tool, naive):
        rows.append(
            [
                t.label,
                ms(t.median),
                ms(t.best),
                ms(t.cpu_median),
                f"{t.median / floor.median:.1f}",
                f"{t.median / tool.median:.2f}",
            ]
        )
    print(table(rows, {1, 2, 3, 4, 5}))
    for t in (floor, imports, tool, naive):
        if t.note:
            print(f"note: {t.label}: {t.note}")
    print(naive_summary(naive))
    print(
        f"import alone: {ms(imports.median)}, {imports.median / floor.median:.1f}x python -c pass, "
        f"{imports.median / tool.median:.0%} of validate contracts/"
    )
    print(
        f"validate above the interpreter floor: {ms(tool.median - floor.median)}; "
        f"target <= {ms(BUNDLED_TARGET_S)}: {verdict(tool.median <= BUNDLED_TARGET_S)}"
    )
    print()
    return tool


def section_synthetic(sizes: list[int], runs: int, naive_runs: int, fixed: Timing) -> None:
    print(
        f"== 2. Synthetic registries (benchmarks/synthetic.py, x {VERSIONS} versions, seed 0), "
        f"median of {runs} =="
    )
    results: dict[int, Timing] = {}
    header = ["channels", "manifests", "MiB", "generate", "validate", "min", "cpu", "per manifest"]
    header.append("peak memory")
    rows = [header]
    with tempfile.TemporaryDirectory(prefix="opa-bench-") as tmp:
        for size in sizes:
            folder = Path(tmp) / f"r{size}"
            start = time.perf_counter()
            synthetic.write_registry(folder, size, VERSIONS, seed=0)
            generated = time.perf_counter() - start
            mib = sum(p.stat().st_size for p in folder.rglob("*.yaml")) / 2**20
            problem = check_clean(folder)  # doubles as the warm-up run
            timing = measure(f"{size}", validate_cmd(folder), runs, warm_up=False)
            results[size] = timing
            manifests = size * VERSIONS
            rows.append(
                [
                    f"{size:,}",
                    f"{manifests:,}",
                    f"{mib:.1f}",
                    f"{generated:.1f} s",
                    ms(timing.median),
                    ms(timing.best),
                    ms(timing.cpu_median),
                    f"{timing.median / manifests * 1000:.2f} ms",
                    f"{timing.peak_mb:,.0f} MB",
                ]
            )
            if problem or timing.note:
                print(f"note: {size} channels: {problem or timing.note}")
        print(table(rows, set(range(len(header)))))
        small, large = min(results), max(results)
        if large > small:
            # best-of-N wall and CPU time: the least disturbed by other load on the machine
            big, little = results[large], results[small]
            raw = big.best / little.best
            net = (big.best - fixed.best) / (little.best - fixed.best)
            cpu = big.cpu_median / little.cpu_median
            print(
                f"linearity: time({large})/time({small}) = {raw:.2f} (ideal {large / small:.1f}; "
                f"min wall times); net of start-up {net:.2f}; cpu {cpu:.2f}"
            )
        if 1000 in results:
            ok = results[1000].median <= SYNTHETIC_TARGET_S
            print(f"target 1,000 channels <= {SYNTHETIC_TARGET_S:.0f} s: {verdict(ok)}")
        folder = Path(tmp) / f"r{large}"
        naive = measure("naive", naive_cmd(folder), naive_runs, (0, 1), warm_up=False)
        print(
            f"naive baseline on {large:,} channels: {ms(naive.median)} "
            f"(median of {naive_runs}), {naive.median / results[large].median:.1f}x validate"
        )
        print(naive_summary(naive))
    print()


def section_imports(top: int = 10) -> None:
    print(
        f"== 3. Start-up: python -X importtime -m opa_contracts validate contracts/ (top {top}) =="
    )
    cmd = [sys.executable, "-X", "importtime", "-m", "opa_contracts", "validate", "contracts"]
    proc = run_once(cmd).proc
    entries: list[tuple[int, int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|", 2)
        entries.append((int(cumulative_us), int(self_us), name.rstrip()))
    total = sum(c for c, _, name in entries if not name.startswith("  "))
    rows = [["cumulative", "self", "module (indent = imported by the line above it)"]]
    for cumulative, own, name in sorted(entries, reverse=True)[:top]:
        rows.append([f"{cumulative / 1000:.1f} ms", f"{own / 1000:.1f} ms", name.lstrip(" ")])
    print(table(rows, {0, 1}))
    print(f"all imports: {total / 1000:.1f} ms ({len(entries)} modules)")
    print()


def source_state() -> str:
    """The commit measured, and whether src/ has uncommitted edits (figures depend on both)."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit[:72] + (" + uncommitted changes in src/" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time opa-contracts validate.")
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    parser.add_argument("--runs", type=int, help="runs on the bundled registry (default 15)")
    parser.add_argument("--sizes", default="250,500,1000", help="synthetic channel counts")
    args = parser.parse_args(argv)
    if not SCRIPT.exists():
        print(f"{SCRIPT} not found: run from the project's virtualenv", file=sys.stderr)
        return 2
    runs = args.runs or (5 if args.quick else 15)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(
        f"opa-contracts validate benchmark - Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"libyaml {'yes' if hasattr(yaml, 'CSafeLoader') else 'no'}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"source: {source_state()}")
    print()
    fixed = section_bundled(runs)
    section_synthetic(sizes, 1 if args.quick else 3, 1, fixed)
    section_imports()
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (wall times suffer above ~1 per CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
