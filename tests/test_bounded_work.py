"""Bounded work from a small hostile input: each reproduction of issue 10 through the real CLI.

Each child runs under resource limits (``RLIMIT_AS`` 1 GiB, ``RLIMIT_CPU`` far above what the
bounded tool needs), so an unbounded allocation or a runaway search fails the test by its
outcome (a killed process, exit 4), never by a timing assertion.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CONTRACTS, ROOT, SCRIPT, Run, benchmark_module

# the hostile manifests the benchmark measures are the ones these tests bound
hostile_inputs = benchmark_module("hostile_inputs")
manifest, write_pair = hostile_inputs.manifest, hostile_inputs.write_pair

GIB = 1 << 30


def run_limited(*args: str | Path, cpu_s: int = 60, cwd: Path = ROOT) -> Run:
    """The console script with at most 1 GiB of address space and ``cpu_s`` seconds of CPU."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))

    proc = subprocess.run(
        [str(SCRIPT), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8"},
        preexec_fn=limits,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def findings(run: Run) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(run.stdout)["findings"]
    return found


# -- registry.yaml regexes run on RE2 --------------------------------------------------------


def _registry(tmp_path: Path, service_pattern: str) -> Path:
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    settings = root / "registry.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("service: '^opa-[a-z-]+$'", f"service: '{service_pattern}'")
    assert service_pattern in text
    settings.write_text(text, encoding="utf-8")
    return root


def test_a_backtracking_naming_regex_runs_in_linear_time(tmp_path: Path) -> None:
    # Python's re needs hours for 40 characters (x3.5 per two more); RE2 answers at once
    root = _registry(tmp_path, "^(a+)+$")
    quotes = root / "quotes.realtime" / "1.0.0.yaml"
    text = quotes.read_text(encoding="utf-8")
    hostile = "a" * 40 + "!"
    quotes.write_text(
        text.replace("publisher: opa-quotes-streamer", f"publisher: {hostile}"), encoding="utf-8"
    )
    run = run_limited("validate", root, "--format", "json", cpu_s=30)
    assert run.code == 1, run.stderr
    named = [f for f in findings(run) if f["rule"] == "service-name" and hostile in f["message"]]
    assert named, run.stdout
    assert "^(a+)+$" in named[0]["message"]


def test_a_regex_re2_cannot_run_is_a_registry_config_finding(tmp_path: Path) -> None:
    root = _registry(tmp_path, "^opa-(?!x)[a-z-]+$")
    run = run_limited("validate", root, "--format", "json")
    assert run.code == 1, run.stderr
    config = [f for f in findings(run) if f["rule"] == "registry-config"]
    assert len(config) == 1, run.stdout
    message = config[0]["message"]
    assert "naming.service" in message
    assert "RE2" in message
    assert "lookaround" in message
    assert "'^opa-[a-z-]+$' is used" in message
    # the default is used: every bundled service name still passes
    assert not [f for f in findings(run) if f["rule"] == "service-name"]


# -- diff is linear in the changes, with a per-run budget -------------------------------------


@pytest.mark.slow
def test_diff_of_45000_changed_patterns_stays_within_cpu_and_memory(tmp_path: Path) -> None:
    # before: 124 s of CPU and 657 MB (a position lookup per finding scanned the whole mapping)
    count = 45_000
    old, new = hostile_inputs.patterns(tmp_path, count)
    assert new.stat().st_size > 2_000_000
    run = run_limited("diff", old, new, "--format", "json", cpu_s=60)
    assert run.code == 1, run.stderr[-2000:]
    changed = [f for f in findings(run) if f["rule"] == "pattern-changed"]
    assert len(changed) == count
    assert all(f["details"]["verdict"] == "unknown" for f in changed)
    assert json.loads(run.stdout)["summary"]["witness_budget_hits"] > 0


def test_a_spent_run_budget_leaves_changes_unsearched_and_says_so(tmp_path: Path) -> None:
    old, new = hostile_inputs.patterns(tmp_path, 20)
    run = run_limited("diff", old, new, "--format", "json", "--witness-run-budget", "0")
    assert run.code == 1, run.stderr
    changed = [f for f in findings(run) if f["rule"] == "pattern-changed"]
    assert len(changed) == 20
    for finding in changed:
        assert finding["severity"] == "error"  # still breaking
        assert finding["details"]["witness_budget_exhausted"] is True
        assert finding["details"]["witness_budget"] == "run"
        assert "used up their budget" in finding["message"]
        assert "--witness-run-budget" in finding["message"]
    assert json.loads(run.stdout)["summary"]["witness_budget_hits"] == 20


# -- reference bombs: $refs that double at each level ---------------------------------------


def bomb(kind: str, minimum: int | None = None, depth: int = 40) -> dict[str, Any]:
    """``d<k>`` uses ``d<k-1>`` twice: 2**40 paths through 81 schemas."""
    leaf: dict[str, Any] = {"type": "integer"}
    if minimum is not None:
        leaf["minimum"] = minimum
    defs: dict[str, Any] = {"d0": {"type": "object", "properties": {"x": leaf}}}
    for k in range(1, depth + 1):
        ref = {"$ref": f"#/definitions/d{k - 1}"}
        if kind == "allOf":  # every path applies to the same value
            defs[f"d{k}"] = {"allOf": [ref, dict(ref)]}
        else:  # every path is a property of a property of ...
            defs[f"d{k}"] = {"type": "object", "properties": {"a": ref, "b": dict(ref)}}
    return {"definitions": defs}


def bomb_registry(root: Path, kind: str, version: str, minimum: int | None) -> Path:
    """The bomb in a shared file that the manifest refers to (``diff`` bundles it once)."""
    contracts = root / "contracts"
    (contracts / "_shared").mkdir(parents=True)
    (contracts / "_shared" / "bomb.json").write_text(json.dumps(bomb(kind, minimum)))
    data = manifest(version, {})
    data["schema"] = {"$ref": "../_shared/bomb.json#/definitions/d40"}
    (contracts / "hostile.bounds").mkdir()
    path = contracts / "hostile.bounds" / f"{version}.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_property_reference_bomb_across_files_is_bounded(tmp_path: Path) -> None:
    # before: refused once references nested 32 levels deep (and 2**31 copies below that)
    old = bomb_registry(tmp_path / "old", "properties", "1.0.0", None)
    new = bomb_registry(tmp_path / "new", "properties", "1.1.0", 0)
    run = run_limited("diff", old, new, "--format", "json")
    assert run.code == 1, run.stderr[-2000:]
    rules = [f["rule"] for f in findings(run)]
    assert "schema-too-large-to-compare" in rules
    assert "schema-uncomparable" not in rules


@pytest.mark.parametrize("where", ["local", "shared"])
def test_an_all_of_reference_bomb_is_refused_with_one_line(tmp_path: Path, where: str) -> None:
    # a validator applies 2**40 subschemas to one value: it is refused before any is run
    if where == "shared":
        old = bomb_registry(tmp_path / "old", "allOf", "1.0.0", None)
        new = bomb_registry(tmp_path / "new", "allOf", "1.1.0", 0)
    else:
        paths = []
        for version, minimum in (("1.0.0", None), ("1.1.0", 0)):
            data = manifest(version, {})
            data["schema"] = {"$ref": "#/definitions/d40", **bomb("allOf", minimum)}
            paths.append(tmp_path / f"{version}.yaml")
            paths[-1].write_text(json.dumps(data), encoding="utf-8")
        old, new = paths
    run = run_limited("diff", old, new, "--format", "json")
    assert run.code == 1, run.stderr[-2000:]
    [refused] = [f for f in findings(run) if f["rule"] == "schema-uncomparable"]
    assert "reference bomb" in refused["message"]


# -- length bounds are symbolic -----------------------------------------------------------


def test_a_three_billion_character_bound_gets_a_described_witness(tmp_path: Path) -> None:
    # before: the witness search built the 3 GB string (39 s, 3 GB); here 1 GiB is all there is
    old, new = write_pair(
        tmp_path,
        {"note": {"type": "string", "minLength": 3_000_000_000}},
        {"note": {"type": "string", "minLength": 3_000_000_001}},
    )
    run = run_limited("diff", old, new, "--format", "json")
    assert run.code == 1, run.stderr
    [found] = [f for f in findings(run) if f["rule"] == "min-length-increased"]
    assert found["details"]["witness_abbreviated"] == [
        {"pointer": "/note", "char": "a", "length": 3_000_000_000}
    ]
    assert "/note is a string of 3,000,000,000 'a' characters" in found["message"]
    assert found["details"]["witness"]["note"].endswith("(3,000,000,000 × 'a')")
    assert found["details"]["verdict"] == "broken"


def test_a_long_bound_next_to_a_pattern_is_bounded_and_unknown(tmp_path: Path) -> None:
    # a pattern may depend on the exact length: no scaled search, no string built
    old, new = write_pair(
        tmp_path,
        {"note": {"type": "string", "minLength": 3_000_000_000, "pattern": "^a*$"}},
        {"note": {"type": "string", "minLength": 3_000_000_001, "pattern": "^a*$"}},
    )
    run = run_limited("diff", old, new, "--format", "json")
    assert run.code == 1, run.stderr
    [found] = [f for f in findings(run) if f["rule"] == "min-length-increased"]
    assert found["details"]["verdict"] == "unknown"
    assert "witness" not in found["details"]


def test_a_moderate_long_bound_gets_a_full_confirmed_witness(tmp_path: Path) -> None:
    old, new = write_pair(
        tmp_path,
        {"note": {"type": "string", "maxLength": 5000}},
        {"note": {"type": "string", "maxLength": 4000}},
    )
    run = run_limited("diff", old, new, "--format", "json")
    assert run.code == 1, run.stderr
    [found] = [f for f in findings(run) if f["rule"] == "max-length-decreased"]
    witness = found["details"]["witness"]["note"]
    assert 4000 < len(witness) <= 5000
    assert set(witness) == {"a"}
    assert "witness_abbreviated" not in found["details"]


# -- integers of any size -------------------------------------------------------------------


def _big_registry(tmp_path: Path) -> Path:
    """Two versions of quotes.realtime with ``maximum: 10**400`` and a new required field."""
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    channel = root / "quotes.realtime"
    text = (channel / "1.0.0.yaml").read_text(encoding="utf-8")
    marker = "      description: Precio actual (last trade)\n"
    assert marker in text
    text = text.replace(marker, marker + f"      maximum: {10**400}\n")
    (channel / "1.0.0.yaml").write_text(text, encoding="utf-8")
    required = "  required: [ticker, timestamp, price, volume, source]\n"
    assert required in text
    newer = text.replace("version: 1.0.0", "version: 2.0.0").replace(
        required, "  required: [ticker, timestamp, price, volume, source, bid]\n"
    )
    (channel / "2.0.0.yaml").write_text(newer, encoding="utf-8")
    return root


@pytest.mark.slow
def test_huge_integer_bounds_in_diff_history_and_docs(tmp_path: Path) -> None:
    # before: diff, validate --history and generate docs exited 4 with OverflowError
    root = _big_registry(tmp_path)
    diff = run_limited("diff", root, "--format", "json")
    assert diff.code == 0, diff.stdout + diff.stderr
    [added] = [f for f in findings(diff) if f["rule"] == "required-property-added"]
    assert added["severity"] == "warning"  # allowed by the major bump, with its witness
    assert "bid" not in added["details"]["witness"]

    history = run_limited("validate", root, "--history", "--format", "json")
    assert history.code == 1, history.stderr  # 2.0.0's examples lack bid; no crash
    assert "internal error" not in history.stderr

    out = tmp_path / "docs"
    docs = run_limited("generate", "docs", "--registry", root, "--out", out)
    assert docs.code == 0, docs.stdout + docs.stderr
    page = (out / "markdown" / "channels" / "quotes.realtime.md").read_text(encoding="utf-8")
    assert str(10**400) in page


def test_a_changed_huge_bound_is_compared_exactly(tmp_path: Path) -> None:
    old, new = write_pair(
        tmp_path,
        {"n": {"type": "integer", "maximum": 10**400}},
        {"n": {"type": "integer", "maximum": 10**400 - 1}},
    )
    run = run_limited("diff", old, new, "--format", "json")
    assert run.code == 1, run.stderr
    [found] = [f for f in findings(run) if f["rule"] == "maximum-decreased"]
    assert found["details"]["witness"] == {"n": 10**400}


def test_an_integer_past_4300_digits_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    old, new = write_pair(
        tmp_path,
        {"n": {"type": "integer", "maximum": 1}},
        {"n": {"type": "integer", "maximum": 1}},
    )
    new.write_text(
        new.read_text(encoding="utf-8").replace('"maximum": 1', '"maximum": 1' + "0" * 5000),
        encoding="utf-8",
    )
    run = run_limited("diff", old, new, "--format", "json")
    assert run.code == 1, run.stderr
    [found] = [f for f in findings(run) if f["rule"] == "diff-input-unreadable"]
    assert "more than 4,300 digits" in found["message"]


# -- a wide union: branches matched by hash, not compared all against all ---------------------


def _union_comparisons(count: int, changed: int) -> tuple[int, list[str]]:
    """Node comparisons the structural phase makes for a ``count``-branch anyOf with one branch
    changed, and where the changes it finds are."""
    from opa_contracts.compat.engine import Differ
    from opa_contracts.compat.model import Policy
    from opa_contracts.compat.resolve import Document

    old = Document(hostile_inputs.wide_union(count), "old")
    new = Document(hostile_inputs.wide_union(count, changed), "new")
    differ = Differ(old, new, Policy.STRICT)
    changes = differ.diff(old.top, new.top)
    return differ.steps, sorted("/".join(c.path) for c in changes)


@pytest.mark.slow
def test_a_wide_union_with_one_changed_branch_is_compared_in_linear_work() -> None:
    """300 object branches, one changed: the unchanged ones pair with their copies by hash, and
    only the changed one meets every branch of the other side (it was 300 x 300 comparisons
    of branches, ~200,000 node comparisons, 13 s); the count doubles with the branches."""
    steps_300, changes_300 = _union_comparisons(300, 150)
    steps_600, changes_600 = _union_comparisons(600, 150)
    assert changes_300 == changes_600 == ["anyOf/150/properties/v/minimum"]
    assert steps_300 < 10 * 300, steps_300
    assert steps_600 <= 2.2 * steps_300, (steps_300, steps_600)
