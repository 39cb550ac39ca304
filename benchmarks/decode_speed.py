"""How fast the generated client decodes, next to the obvious alternatives, in one run.

The bundled registry's package is generated into ``benchmarks/out/`` and imported. For the
contract's quote example (bytes in, typed model out):

- ``decode("quotes.realtime", raw)``: JSON parse, the compiled JSON Schema gate, the typed model;
- ``json.loads`` + jsonschema ``Draft7Validator`` with its FormatChecker (a dict out, no model);
- a bare pydantic ``QuotesRealtime.model_validate_json(raw)`` (no schema gate: not a validator);
- ``encode(message)``, for reference;
- the same message as msgpack (``encode(message, encoding="msgpack")``): ``decode`` and ``encode``
  with ``encoding="msgpack"``, beside the JSON figures (the same contract check runs on both).

Targets: decode at most 4 µs; at least 10x faster than jsonschema; at most 2x pydantic alone.

    python benchmarks/decode_speed.py [--number N] [--repeat R]
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "decode"
sys.path.insert(0, str(ROOT / "src"))

from opa_contracts import loader  # noqa: E402 - after the path set-up above
from opa_contracts.generate import output  # noqa: E402
from opa_contracts.generate.run import build, find_target  # noqa: E402


def best(function: Callable[[], Any], number: int, repeat: int) -> float:
    """The best time per call, in microseconds (the least disturbed of ``repeat`` runs)."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20_000, help="calls per timing run")
    parser.add_argument("--repeat", type=int, default=7, help="timing runs (the best counts)")
    args = parser.parse_args(argv)

    target = find_target("python", None, ROOT)
    output.write(build(target, ROOT / "contracts"), OUT)
    sys.path.insert(0, str(OUT / "src"))
    package = importlib.import_module("opa_events")
    model = importlib.import_module("opa_events.quotes_realtime").QuotesRealtime

    contract = next(
        source.data
        for source in loader.load(ROOT / "contracts").manifests
        if source.data["channel"] == "quotes.realtime"
    )
    raw = json.dumps(contract["examples"][0]["payload"], separators=(",", ":")).encode()
    reference = jsonschema.Draft7Validator(
        package.schema("quotes.realtime"), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    message = package.decode("quotes.realtime", raw)
    packed = package.encode(message, encoding="msgpack")
    if package.decode("quotes.realtime", packed, encoding="msgpack") != message:
        raise SystemExit("the msgpack form does not decode to the same message")

    def with_jsonschema() -> Any:
        value = json.loads(raw)
        reference.validate(value)
        return value

    n, r = args.number, args.repeat
    rows = [
        ("decode (opa_events)", best(lambda: package.decode("quotes.realtime", raw), n, r)),
        ("json.loads + jsonschema Draft7Validator", best(with_jsonschema, max(1, n // 10), r)),
        (
            "pydantic model_validate_json (no gate)",
            # strict=False as decode builds models: the strict model takes date-times as objects
            best(lambda: model.model_validate_json(raw, strict=False), n, r),
        ),
        ("encode (opa_events)", best(lambda: package.encode(message), n, r)),
        (
            "decode msgpack (opa_events)",
            best(lambda: package.decode("quotes.realtime", packed, encoding="msgpack"), n, r),
        ),
        (
            "encode msgpack (opa_events)",
            best(lambda: package.encode(message, encoding="msgpack"), n, r),
        ),
    ]
    decode, slow, bare = rows[0][1], rows[1][1], rows[2][1]
    print(
        f"decode speed — quotes.realtime contract example ({len(raw)} bytes of JSON, "
        f"{len(packed)} of msgpack), "
        f"Python {platform.python_version()}, best of {r} x {n} calls"
    )
    for name, micros in rows:
        print(f"  {name:<42} {micros:8.2f} µs")
    checks = [
        (f"decode <= 4 µs: {decode:.2f} µs", decode <= 4.0),
        (f"jsonschema / decode >= 10x: {slow / decode:.1f}x", slow / decode >= 10),
        (f"decode / pydantic <= 2x: {decode / bare:.2f}x", decode / bare <= 2.0),
    ]
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
