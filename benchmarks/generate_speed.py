"""How long ``generate python`` takes for a big registry (synthetic: 1,000 channels x 3 versions).

The registry is written first (benchmarks/synthetic.py, not timed), then the package is generated
into ``benchmarks/out/`` in this process, the way ``opa-contracts generate python`` does it:
reading and bundling every manifest, datamodel-code-generator (in batches, in worker processes),
templates, ruff runs over each batch of channels, the safety check, writing. Target: at most 30 s.
Then the console script does the same in its own process, for its peak memory (target: 400 MB
at 4,000 channels, ``--channels 4000``).

    python benchmarks/generate_speed.py [--channels 1000] [--versions 3] [--jobs 0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import peak
import synthetic
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "generate"
sys.path.insert(0, str(ROOT / "src"))

from opa_contracts.generate import output  # noqa: E402 - after the path set-up above
from opa_contracts.generate.run import build, find_target  # noqa: E402
from opa_contracts.generate.targets import Target  # noqa: E402
from opa_contracts.validate.runner import validate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (0: one per CPU)")
    parser.add_argument(
        "--samples", type=int, default=10, help="schemas for the subprocess baseline"
    )
    args = parser.parse_args(argv)

    base = find_target("python", None, ROOT)
    options = {**base.options, "jobs": args.jobs}
    target = Target(base.name, base.kind, OUT, base.base, {**base.settings, "options": options})
    with tempfile.TemporaryDirectory(prefix="opa-generate-bench-") as temp:
        registry = Path(temp) / "contracts"
        synthetic.write_registry(registry, args.channels, args.versions, seed=0)
        shutil.rmtree(OUT, ignore_errors=True)
        load = os.getloadavg()[0]
        started = time.perf_counter()
        tree = build(target, registry)
        built = time.perf_counter()
        output.write(tree, OUT)
        done = time.perf_counter()
        # the same generation as a user runs it, for its peak memory (and the CLI's time)
        cli_out = Path(temp) / "cli-out"
        command: list[str | Path] = [Path(sys.executable).parent / "opa-contracts"]
        command += ["generate", "python"]
        command += ["--registry", registry, "--out", cli_out]
        cli_started = time.perf_counter()
        cli, peak_mb = peak.run(command, cwd=ROOT)
        cli_s = time.perf_counter() - cli_started
        # baselines measured in the same run, on the same registry
        validate_s = _timed(lambda: validate(registry))
        per_schema_s = _subprocess_per_schema(registry, args.samples)
    total = done - started
    versions = args.channels * args.versions
    print(
        f"generate python — synthetic registry, {args.channels} channels x {args.versions} "
        f"versions; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f} at start"
    )
    print(f"  build the tree   {built - started:7.2f} s  ({len(tree)} files)")
    print(f"  write it         {done - built:7.2f} s")
    print(f"  total            {total:7.2f} s  ({total / versions * 1000:.1f} ms per version)")
    print(
        f"  baseline: validate the same registry      {validate_s:7.2f} s  (generate / validate "
        f"{total / validate_s:.1f}x)"
    )
    naive = per_schema_s * versions
    print(
        f"  baseline: one datamodel-codegen process per schema, {per_schema_s * 1000:.0f} ms each "
        f"(median of {args.samples}): {naive:.0f} s extrapolated, {naive / total:.0f}x slower"
    )
    print(
        f"  the CLI, in its own process {cli_s:7.2f} s  {peak_mb:5.0f} MB  (exit {cli.returncode})"
    )
    print(peak.line("generate python", peak_mb))
    print(f"  [{'ok' if total <= 30 else 'MISSED'}] at most 30 s for 1,000 channels: {total:.1f} s")
    return 0


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _subprocess_per_schema(registry: Path, samples: int) -> float:
    """Median time of the obvious approach: the datamodel-codegen CLI once per payload schema."""
    codegen = Path(sys.executable).parent / "datamodel-codegen"
    manifests = sorted(p for p in registry.glob("*/*.yaml") if not p.parent.name.startswith("_"))
    manifests = manifests[:samples]
    times = []
    with tempfile.TemporaryDirectory(prefix="opa-codegen-") as temp:
        for i, path in enumerate(manifests):
            # beside its manifest, so that relative $refs to shared files resolve
            schema = path.parent / f"bench-schema-{i}.json"
            schema.write_text(json.dumps(yaml.safe_load(path.read_text())["schema"]))
            started = time.perf_counter()
            subprocess.run(
                [
                    str(codegen),
                    "--input",
                    str(schema),
                    "--input-file-type",
                    "jsonschema",
                    "--output",
                    str(Path(temp) / f"m{i}.py"),
                    "--output-model-type",
                    "pydantic_v2.BaseModel",
                ],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
