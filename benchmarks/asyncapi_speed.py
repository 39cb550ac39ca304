"""How long ``opa-contracts generate asyncapi`` takes for a big registry (target: at most 20 s).

The synthetic registry (benchmarks/synthetic.py: 1,000 channels x 3 versions, seed 0) is written
first, not timed. Then, each as the real console script in a subprocess:

- baseline: ``opa-contracts validate`` on the same registry (same machine, same moment);
- ``opa-contracts generate asyncapi`` into benchmarks/out/asyncapi (YAML and JSON);
- the official AsyncAPI parser (tools/asyncapi-validate) on the YAML it wrote, when installed.

Peak memory is printed beside each time (``peak.py``; target: 400 MB at 4,000 channels,
``--channels 4000``).

    python benchmarks/asyncapi_speed.py [--channels 1000] [--versions 3] [--no-parser]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import peak
import synthetic

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "asyncapi"
SCRIPT = Path(sys.executable).parent / "opa-contracts"
VALIDATOR = ROOT / "tools" / "asyncapi-validate"
LIMIT_S = 20.0


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str], float]:
    """Seconds a command took, its result and its peak memory (MB)."""
    started = time.perf_counter()
    proc, peak_mb = peak.run(command, cwd=ROOT)
    return time.perf_counter() - started, proc, peak_mb


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print its figures; exit 1 when generation misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--no-parser", action="store_true", help="skip the AsyncAPI parser run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opa-asyncapi-bench-") as temp:
        registry = Path(temp) / "contracts"
        synthetic.write_registry(registry, args.channels, args.versions, seed=0)
        shutil.rmtree(OUT, ignore_errors=True)
        load = os.getloadavg()[0]
        baseline, checked, validate_mb = timed(
            [str(SCRIPT), "validate", str(registry), "--format", "json"]
        )
        command = [str(SCRIPT), "generate", "asyncapi", "--registry", str(registry)]
        seconds, generated, generate_mb = timed([*command, "--out", str(OUT)])
    if generated.returncode != 0:
        print(generated.stdout + generated.stderr, file=sys.stderr)
        return 1
    sizes = {p.name: p.stat().st_size for p in OUT.iterdir() if p.name.startswith("asyncapi.")}
    print(
        f"generate asyncapi — synthetic registry, {args.channels} channels x {args.versions} "
        f"versions; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f} at start"
    )
    print(
        f"  baseline: validate      {baseline:7.2f} s  {validate_mb:5.0f} MB  "
        f"(exit {checked.returncode})"
    )
    print(f"  generate asyncapi       {seconds:7.2f} s  {generate_mb:5.0f} MB  ", end="")
    print(", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(sizes.items())))
    node = shutil.which("node")
    installed = (VALIDATOR / "node_modules" / "@asyncapi" / "parser").is_dir()
    if not args.no_parser and node and installed:
        parse_s, parsed, _peak = timed(
            [node, str(VALIDATOR / "validate.js"), str(OUT / "asyncapi.yaml")]
        )
        report = json.loads(parsed.stdout) if parsed.stdout else {}
        counts = ", ".join(f"{len(v)} {k}" for k, v in report.items()) or parsed.stderr.strip()
        print(f"  @asyncapi/parser        {parse_s:7.2f} s  ({counts})")
    print(peak.line("generate asyncapi", generate_mb))
    verdict = "PASS" if seconds <= LIMIT_S else "FAIL"
    print(f"  [{verdict}] at most {LIMIT_S:.0f} s for generate asyncapi: {seconds:.1f} s")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
