"""How fast ``opa-contracts diff --against HEAD~1`` is on a pull request that changes 100 channels.

1. A throw-away git repository holds the synthetic registry (benchmarks/synthetic.py, 1,000
   channels x 3 versions, seed 0) in its first commit. A second commit adds a new version to 100
   channels with ``mutate_channels`` (half add an optional property, half a required one, on a
   minor bump), then mixes in the other edits a real pull request makes to about half of those
   new versions: bounds relaxed, enum values added or removed, a pattern widened (which the
   engine cannot decide, so it counts as breaking), a property no longer required, descriptions
   reworded, and the previous version marked deprecated. Building it is not timed.
2. ``opa-contracts diff --against HEAD~1 contracts`` as a whole process, one untimed warm-up run
   then N timed runs (wall time and the child's CPU time), next to baselines from the same run:
   ``python -c pass``, ``git diff --stat HEAD~1`` and ``opa-contracts validate contracts``.
   The diff is timed twice: on the loose objects the commits leave, and after ``git repack -ad``
   (what a CI clone has); the target applies to the slower. It prints the pairs compared,
   findings by severity and rule, witnesses found, witness searches that hit the per-change
   budget, and whether every intended break was flagged.
   Target: at most 3 s (median).
3. A pathological pull request: one channel whose 1,000 string properties all change between two
   complex regexes, plus one removed enum value at the end. Run with the default per-change
   witness budget and with a budget so large it never binds, to show what the budget caps.

    python benchmarks/diff_speed.py [--quick] [--runs N] [--profile]

With ``--profile`` (or when the target is missed) the diff runs once more under cProfile and the
slowest functions of the tool are listed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import pstats
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peak
import synthetic

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRIPT = BIN / "opa-contracts"
TARGET_S = 3.0
CHANNELS = 1000
VERSIONS = 3
CHANGED = 100
GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "LANG": "C.UTF-8",
}
Json = Any


# --------------------------------------------------------------------------------------------
# Processes and timings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    proc: subprocess.CompletedProcess[str]
    peak_mb: float


@dataclass
class Timing:
    label: str
    runs: list[Run]

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def best(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def last(self) -> subprocess.CompletedProcess[str]:
        return self.runs[-1].proc

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


def run_once(cmd: list[str], cwd: Path) -> Run:
    """One run of ``cmd`` in a new process: wall time, the child's CPU time, its result, its
    peak memory."""
    env = {**GIT_ENV, "HOME": str(cwd), "NO_COLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc, peak_mb = peak.run(cmd, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, proc, peak_mb)


def measure(label: str, cmd: list[str], cwd: Path, runs: int, warm_up: bool = True) -> Timing:
    """``runs`` timed runs after one untimed warm-up (page cache and .pyc files warm)."""
    if warm_up:
        run_once(cmd, cwd)
    return Timing(label, [run_once(cmd, cwd) for _ in range(runs)])


def git(repo: Path, *args: str) -> str:
    env = {**GIT_ENV, "HOME": str(repo)}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The pull request: mutate_channels, plus the other edits real pull requests make
# --------------------------------------------------------------------------------------------


def _props(data: dict[str, Json]) -> dict[str, Json]:
    props: dict[str, Json] = data["schema"]["properties"]
    return props


def _drop_invalid(data: dict[str, Json], keep: Callable[[dict[str, Json]], bool]) -> None:
    """Remove the invalid examples the edit made valid (a real pull request updates them)."""
    data["invalid_examples"] = [e for e in data.get("invalid_examples", []) if keep(e)]


def _relax_maximum(data: dict[str, Json]) -> str | None:
    for name, prop in _props(data).items():
        if isinstance(prop, dict) and isinstance(prop.get("maximum"), (int, float)):
            prop["maximum"] = prop["maximum"] * 10
            where = f"/{name}"

            def keep(e: dict[str, Json], where: str = where) -> bool:
                return (e["fails_at"], e["keyword"]) != (where, "maximum")

            _drop_invalid(data, keep)
            return f"maximum of {name} raised"
    return None


def _add_enum_value(data: dict[str, Json]) -> str | None:
    for name, prop in _props(data).items():
        if isinstance(prop, dict) and isinstance(prop.get("enum"), list):
            prop["enum"] = [*prop["enum"], "otro"]
            return f"enum value added to {name}"
    return None


def _remove_enum_value(data: dict[str, Json]) -> str | None:
    # Only the middle value of a 3-value enum: the examples use the first and the last.
    for name, prop in _props(data).items():
        if isinstance(prop, dict) and isinstance(prop.get("enum"), list) and len(prop["enum"]) > 2:
            del prop["enum"][1]
            return f"enum value removed from {name}"
    return None


_WIDER = {"^[A-Z]{1,5}$": "^[A-Z]{1,6}$", "^opa-[a-z-]+$": "^opa-[a-z0-9-]+$"}


def _widen_pattern(data: dict[str, Json]) -> str | None:
    for name, prop in _props(data).items():
        if isinstance(prop, dict) and prop.get("pattern") in _WIDER:
            prop["pattern"] = wider = _WIDER[prop["pattern"]]
            body = wider.removeprefix("^").removesuffix("$")  # ECMA-262: no "$" before a final \n

            def keep(e: dict[str, Json], name: str = name, body: str = body) -> bool:
                value = e["payload"].get(name) if isinstance(e["payload"], dict) else None
                matches = isinstance(value, str) and re.fullmatch(body, value) is not None
                return not (e["fails_at"] == f"/{name}" and matches)

            _drop_invalid(data, keep)
            return f"pattern of {name} widened"
    return None


def _unrequire(data: dict[str, Json]) -> str | None:
    required = data["schema"].get("required", [])
    # Not the Kafka key (first), nor the field mutate_channels just made required (field_*).
    candidates = [r for r in required[2:] if not r.startswith("field_")]
    if not candidates:
        return None
    name = candidates[-1]
    required.remove(name)
    missing = f"missing-{name.replace('_', '-')}"
    _drop_invalid(data, lambda e: e["name"] != missing)
    return f"{name} no longer required"


def _reword(data: dict[str, Json]) -> str | None:
    for name, prop in _props(data).items():
        if isinstance(prop, dict) and isinstance(prop.get("description"), str):
            prop["description"] += " (revisado)"
            return f"description of {name} reworded"
    return None


EXTRA_EDITS: tuple[Callable[[dict[str, Json]], str | None], ...] = (
    _relax_maximum,
    _add_enum_value,
    _remove_enum_value,
    _widen_pattern,
    _unrequire,
    _reword,
)


@dataclass
class PullRequest:
    mutations: list[synthetic.Mutation]
    extra: collections.Counter[str]
    deprecated: int


def make_pull_request(contracts: Path, changed: int, seed: int) -> PullRequest:
    """Edit the registry the way a 100-channel pull request would (see the module docstring)."""
    mutations = synthetic.mutate_channels(contracts, changed, seed)
    rng = random.Random(f"diff-speed:{seed}")
    extra: collections.Counter[str] = collections.Counter()
    deprecated = 0
    for m in mutations:
        data = synthetic._load(m.path)
        if rng.random() < 0.5:
            for edit in rng.sample(EXTRA_EDITS, len(EXTRA_EDITS)):
                what = edit(data)
                if what is not None:
                    extra[edit.__name__.lstrip("_").replace("_", " ")] += 1
                    break
            synthetic.write_manifest(m.path, data, f"mutated from {m.old_version}: {m.change}+")
        if rng.random() < 0.2:
            previous = m.path.parent / f"{m.old_version}.yaml"
            old = synthetic._load(previous)
            if old.get("status") == "active":
                old["status"] = "deprecated"
                synthetic.write_manifest(previous, old)
                deprecated += 1
    return PullRequest(mutations, extra, deprecated)


def build_repo(folder: Path, channels: int, changed: int, seed: int) -> PullRequest:
    contracts = folder / "contracts"
    synthetic.write_registry(contracts, channels, VERSIONS, seed=0)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "registry")
    pr = make_pull_request(contracts, changed, seed)
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", f"{changed} channels changed")
    return pr


# --------------------------------------------------------------------------------------------
# Reading the report
# --------------------------------------------------------------------------------------------


@dataclass
class Summary:
    pairs: int
    severities: collections.Counter[str]
    rules: collections.Counter[tuple[str, str]]
    witnesses: int
    budget_hits: list[str]
    unknown: int
    channels_with_errors: set[str]


def summarise(report_text: str) -> Summary:
    report = json.loads(report_text)
    found = report["findings"]
    details = [f.get("details") or {} for f in found]
    return Summary(
        pairs=int(report["summary"]["pairs"]),
        severities=collections.Counter(f["severity"] for f in found),
        rules=collections.Counter((f["rule"], f["severity"]) for f in found),
        witnesses=sum(1 for d in details if "witness" in d),
        budget_hits=[
            f"{f.get('channel')} {f.get('pointer')}"
            for f, d in zip(found, details, strict=True)
            if d.get("witness_budget_exhausted")
        ],
        unknown=sum(
            1
            for f, d in zip(found, details, strict=True)
            if d.get("verdict") == "unknown" and f["severity"] == "error"
        ),
        channels_with_errors={
            f["channel"] for f in found if f["severity"] == "error" and f.get("channel")
        },
    )


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def section_main(args: argparse.Namespace, work: Path) -> tuple[Timing, Path]:
    repo = work / "pr"
    repo.mkdir()
    print(
        f"== 1. The pull request (synthetic registry, {args.channels} channels x {VERSIONS} "
        f"versions, {args.changed} changed, seed {args.seed})"
    )
    started = time.perf_counter()
    pr = build_repo(repo, args.channels, args.changed, args.seed)
    kinds = collections.Counter(m.kind for m in pr.mutations)
    stat = git(repo, "diff", "--shortstat", "HEAD~1").strip()
    print(f"built in {time.perf_counter() - started:.1f} s (not timed): {stat}")
    print(
        f"new versions: {kinds['compatible']} add an optional property, {kinds['breaking']} a "
        f"required one (minor bump: must be flagged); {pr.deprecated} previous versions marked "
        "deprecated (status-only edits)"
    )
    extra = ", ".join(f"{n} {what}" for what, n in sorted(pr.extra.items()))
    print(f"also edited in those new versions: {extra}")
    print()

    runs = args.runs or (3 if args.quick else 7)
    diff_cmd = [str(SCRIPT), "diff", "--against", "HEAD~1", "contracts", "--format", "json"]
    print(f"== 2. Timings ({runs} runs each after a warm-up; median / best wall, median CPU)")
    timings = [
        measure("python -c pass", [sys.executable, "-c", "pass"], repo, runs),
        measure("git diff --stat HEAD~1", ["git", "diff", "--stat", "HEAD~1"], repo, runs),
        diff := measure("opa-contracts diff --against HEAD~1 (loose)", diff_cmd, repo, runs),
    ]
    # A CI clone holds packed objects; a fresh local commit leaves ~4,000 loose ones, which
    # ``git cat-file --batch`` reads several times slower. Time both; judge the slower.
    git(repo, "repack", "-adq")
    timings += [
        measure("opa-contracts diff --against HEAD~1 (packed)", diff_cmd, repo, runs),
        measure(
            "opa-contracts validate contracts",
            [str(SCRIPT), "validate", "contracts"],
            repo,
            1 if args.quick else 3,
            warm_up=False,
        ),
    ]
    rows = [["command", "median", "best", "CPU", "peak memory", "exit"]]
    for t in timings:
        peak_mb = f"{t.peak_mb:,.0f} MB"
        rows.append([t.label, ms(t.median), ms(t.best), ms(t.cpu), peak_mb, str(t.last.returncode)])
    print(table(rows, {1, 2, 3, 4, 5}))
    if diff.last.returncode not in (0, 1):
        print(f"diff failed: {diff.last.stderr.strip()[-400:]}")
        return diff, repo
    s = summarise(diff.last.stdout)
    print()
    print(
        f"pairs compared: {s.pairs}; findings: {s.severities['error']} errors, "
        f"{s.severities['warning']} warnings, {s.severities['note']} notes; exit code "
        f"{diff.last.returncode}"
    )
    rows = [["rule", "severity", "findings"]]
    for (rule, severity), n in sorted(s.rules.items(), key=lambda kv: (-kv[1], kv[0])):
        rows.append([rule, severity, str(n)])
    print(table(rows, {2}))
    print(
        f"witnesses shown: {s.witnesses}; errors the engine could not decide (unknown: no "
        f"witness nor proof, counted as breaking): {s.unknown}"
    )
    print(
        f"witness searches that hit the {args.budget} s per-change budget: {len(s.budget_hits)}"
        + (f" ({', '.join(s.budget_hits[:5])})" if s.budget_hits else "")
    )
    breaking = {m.channel for m in pr.mutations if m.kind == "breaking"}
    missed = sorted(breaking - s.channels_with_errors)
    print(
        f"intended breaks flagged: {len(breaking) - len(missed)}/{len(breaking)}"
        + (f" (missed: {', '.join(missed[:5])})" if missed else "")
        + f"; channels with errors in all: {len(s.channels_with_errors)}"
    )
    overhead = diff.median - timings[0].median
    print(f"diff minus interpreter start-up: {ms(overhead)}")
    packed = timings[3]
    ok = diff.median <= args.target
    print(
        f"{'PASS' if ok else 'FAIL'}: diff --against HEAD~1 median {diff.median:.2f} s with loose "
        f"objects (best {diff.best:.2f} s), {packed.median:.2f} s packed, vs target "
        f"{args.target:.1f} s"
    )
    print()
    return diff, repo


P_IBAN_OLD = r"^[A-Z]{2}[0-9]{2}(?:[ ]?[0-9A-Z]{4}){2,7}(?:[ ]?[0-9A-Z]{1,3})?$"
P_IBAN_NEW = r"^[A-Z]{2}[0-9]{2}(?:[ ]?[0-9A-Z]{4}){2,8}(?:[ ]?[0-9A-Z]{1,3})?$"
P_MAIL_OLD = (
    r"^(?=.{6,254}$)[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$"
)
P_MAIL_NEW = (
    r"^(?=.{6,320}$)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)


def pathological_manifest(version: str, n: int, new: bool) -> dict[str, Json]:
    """``n`` IBAN-like and ``n`` e-mail-like properties, then an enum; ``new`` changes them all."""
    props: dict[str, Json] = {}
    for i in range(n):
        props[f"iban_{i}"] = {"type": "string", "description": "IBAN",
                              "pattern": P_IBAN_NEW if new else P_IBAN_OLD}  # fmt: skip
        props[f"mail_{i}"] = {"type": "string", "description": "Correo",
                              "pattern": P_MAIL_NEW if new else P_MAIL_OLD}  # fmt: skip
    props["side"] = {
        "type": "string",
        "description": "Dirección",
        "enum": ["buy"] if new else ["buy", "sell"],
    }
    return {
        "apiVersion": "opa-contracts/v1",
        "channel": "payments.accounts",
        "version": version,
        "status": "active",
        "summary": "Cuentas de pago",
        "description": "Un esquema patológico para el presupuesto de testigos.",
        "owner": "OPA-999",
        "publisher": "opa-payments",
        "subscribers": ["opa-ledger"],
        "compatibility": "BACKWARD",
        "policies": {"persistence": "none"},
        "transports": {"redis": {"channel": "payments.accounts"}},
        "schema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "required": ["iban_0", "mail_0", "side"],
            "properties": props,
        },
        "examples": [],
    }


def section_pathological(args: argparse.Namespace, work: Path) -> None:
    n = 250 if args.quick else 500
    repo = work / "patho"
    contracts = repo / "contracts"
    (contracts / "payments.accounts").mkdir(parents=True)
    (contracts / "registry.yaml").write_text(
        "apiVersion: opa-contracts/v1\nname: patológico\n", encoding="utf-8"
    )
    synthetic.write_manifest(
        contracts / "payments.accounts" / "1.0.0.yaml", pathological_manifest("1.0.0", n, False)
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "1.0.0")
    synthetic.write_manifest(
        contracts / "payments.accounts" / "1.1.0.yaml", pathological_manifest("1.1.0", n, True)
    )
    print(
        f"== 3. Pathological pull request: one channel, {2 * n} string properties move between "
        "two complex regexes (IBAN-like, e-mail-like with a look-ahead), then one enum value is "
        "removed"
    )
    rows = [["witness budget per change", "wall", "errors", "budget hits", "enum witness"]]
    shown_by_budget: dict[float, str] = {}
    for budget in (args.budget, 60.0):
        cmd = [str(SCRIPT), "diff", "--against", "HEAD", "contracts", "--format", "json",
               "--witness-budget", str(budget)]  # fmt: skip
        run = run_once(cmd, repo)
        if run.proc.returncode not in (0, 1):
            print(f"diff failed: {run.proc.stderr.strip()[-400:]}")
            return
        s = summarise(run.proc.stdout)
        report = json.loads(run.proc.stdout)
        enum = [f for f in report["findings"] if f["rule"] == "enum-value-removed"]
        details = (enum[0].get("details") or {}) if enum else {}
        shown = "yes" if "witness" in details else "NO"
        if shown == "NO" and details.get("witness_budget_exhausted"):
            shown = "no (budget, reported)"
        shown_by_budget[budget] = shown
        label = f"{budget:g} s" + (" (default)" if budget == args.budget else " (never binds)")
        rows.append(
            [label, ms(run.wall), str(s.severities["error"]), str(len(s.budget_hits)), shown]
        )
    print(table(rows, {1, 2, 3}))
    print(
        f"Each search gets the per-change budget and the {2 * n + 1} changes of the pair share "
        "a cap of 8 budgets; changes left unsearched are reported as out of budget (still "
        "breaking), so the run stays bounded."
    )
    if shown_by_budget.get(args.budget) == "NO" and shown_by_budget.get(60.0) == "yes":
        print(
            "ENGINE ISSUE: at the default budget the enum-value-removed finding has no witness "
            "and is not reported as out of budget, though a witness exists."
        )
    print()


def section_profile(repo: Path, top: int) -> None:
    out = repo / "diff.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "opa_contracts", "diff",
           "--against", "HEAD~1", "contracts", "--format", "json"]  # fmt: skip
    run = run_once(cmd, repo)
    print(f"== Profile (cProfile adds overhead: {run.wall:.2f} s under the profiler)")
    # pstats.Stats.stats is documented but missing from typeshed
    profile: Any = pstats.Stats(str(out))
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = profile.stats
    entries = []
    for (file, line, name), row in raw.items():
        _, _, own, cumulative, _ = row
        if "opa_contracts" in file or "subprocess" in file:
            short = file.split("src/")[-1] if "src/" in file else Path(file).name
            entries.append((cumulative, own, f"{short}:{line}({name})"))
    rows = [["cumulative", "self", "function"]]
    for cumulative, own, label in sorted(entries, reverse=True)[:top]:
        rows.append([f"{cumulative:.3f} s", f"{own:.3f} s", label])
    print(table(rows, {0, 1}))
    rows = [["self", "cumulative", "function (by own time, any module)"]]
    by_own = sorted(
        ((row[2], row[3], f"{Path(f).name}:{ln}({fn})") for (f, ln, fn), row in raw.items()),
        reverse=True,
    )
    for own, cumulative, label in by_own[:top]:
        rows.append([f"{own:.3f} s", f"{cumulative:.3f} s", label])
    print(table(rows, {0, 1}))
    print()


def source_state() -> str:
    """The commit measured, and whether src/ has uncommitted edits (figures depend on both)."""
    try:
        commit = git(ROOT, "log", "-1", "--format=%h %s").strip()
        dirty = git(ROOT, "status", "--porcelain", "--untracked-files=no", "--", "src").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit[:72] + (" + uncommitted changes in src/" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time opa-contracts diff --against HEAD~1.")
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller pathology")
    parser.add_argument("--runs", type=int, help="timed runs of each command (default 7; 3 quick)")
    parser.add_argument("--channels", type=int, default=CHANNELS)
    parser.add_argument("--changed", type=int, default=CHANGED)
    parser.add_argument("--seed", type=int, default=1, help="which channels change, and how")
    parser.add_argument("--budget", type=float, default=0.25, help="the CLI's default, in s")
    parser.add_argument("--target", type=float, default=TARGET_S)
    parser.add_argument("--profile", action="store_true", help="always print a cProfile summary")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    args = parser.parse_args(argv)
    if not SCRIPT.exists():
        print(f"{SCRIPT} not found: run from the project's virtualenv", file=sys.stderr)
        return 2
    print(
        f"opa-contracts diff benchmark - Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"source: {source_state()}")
    print()
    with tempfile.TemporaryDirectory(prefix="diff-speed-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        diff, repo = section_main(args, work)
        section_pathological(args, work)
        if args.profile or diff.median > args.target:
            section_profile(repo, 15)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (wall times suffer above ~1 per CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
