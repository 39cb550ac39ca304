"""How long ``generate python`` takes for a big registry (synthetic: 1,000 channels x 3 versions).

The registry is written first (benchmarks/synthetic.py, not timed), then the package is generated
into ``benchmarks/out/`` in this process, the way ``opa-contracts generate python`` does it:
reading and bundling every manifest, datamodel-code-generator (in batches, in worker processes),
templates, one ruff run over the tree, the safety check, writing. Target: at most 30 s.

    python benchmarks/generate_speed.py [--channels 1000] [--versions 3] [--jobs 0]
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

import synthetic

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "generate"
sys.path.insert(0, str(ROOT / "src"))

from opa_contracts.generate import output  # noqa: E402 - after the path set-up above
from opa_contracts.generate.run import build, find_target  # noqa: E402
from opa_contracts.generate.targets import Target  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (0: one per CPU)")
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
    print(f"  [{'ok' if total <= 30 else 'MISSED'}] at most 30 s for 1,000 channels: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
