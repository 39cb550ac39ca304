"""The typescript target: the golden npm package, --check, `tsc --strict`, its `node --test`
suite, agreement with the Python reference, and hostile registries.

Node runs the generated package from a copy of its tree with ``node_modules`` linked to
``tools/typescript-build/node_modules`` (Ajv, ajv-formats, TypeScript from the committed lockfile;
``make`` installs them with ``npm ci``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from opa_contracts.encodings import binary_problems
from opa_contracts.generate import output
from opa_contracts.generate.contracts import GenerateError
from opa_contracts.generate.python.naming import module_name
from opa_contracts.generate.run import build, find_target
from opa_contracts.generate.targets import Target
from opa_contracts.generate.typescript import standalone
from opa_contracts.generate.typescript.binary import binary_plan, binary_pointers
from opa_contracts.generate.typescript.package import inexact
from tests.conftest import FIXTURES, ROOT
from tests.docs.snippets import document_blocks
from tests.generate import hypothesis_compat, oracle
from tests.generate.conftest import PWNED
from tests.generate.helpers import ENCODINGS, HOSTILE, generate_cli, manifests
from tests.generate.test_agreement import _variants, generated_messages

hypothesis_compat.patch()

GOLDEN_TS = ROOT / "tests" / "golden" / "typescript"
HOSTILE_TS = FIXTURES / "hostile-ts"
NODE_MODULES = ROOT / "tools" / "typescript-build" / "node_modules"
TS_REGEN = "opa-contracts generate typescript --out tests/golden/typescript"
DRIVER = Path(__file__).with_name("ts_decode.mjs")
SUBPROCESS_DEADLINE = 600  # a generous bound for a stuck process, not a timing assertion
#: why the TypeScript decode may refuse a value the reference accepts, besides oracle's reasons
TS_DOCUMENTED_FALSE_REJECTS = {
    "inexact-number": "an integer beyond ±(2^53 - 1) or -0: a JavaScript number cannot carry it",
}


def ts_target(out: Path, **options: Any) -> Target:
    """A typescript target writing into ``out``."""
    return Target("typescript", "typescript", out, ROOT, {"options": options})


def node(
    *args: str | Path, cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``node ARGS`` in ``cwd``."""
    return subprocess.run(
        ["node", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=SUBPROCESS_DEADLINE,
        check=False,
    )


def built(tree: Path, dest: Path) -> Path:
    """A copy of the generated ``tree`` in ``dest``, built with ``tsc -p .`` (strict)."""
    shutil.copytree(tree, dest)
    (dest / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    run = subprocess.run(
        [str(NODE_MODULES / ".bin" / "tsc"), "-p", "."],
        cwd=dest,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_DEADLINE,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (dest / "dist" / "index.js").is_file()
    return dest


@pytest.fixture(scope="session")
def golden_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden package, built."""
    return built(GOLDEN_TS, tmp_path_factory.mktemp("ts") / "pkg")


def _node_test(package: Path) -> str:
    run = node("--test", "test/", cwd=package)
    text = run.stdout.decode() + run.stderr.decode()
    assert run.returncode == 0, text
    assert re.search(r"^# fail 0$", text, re.MULTILINE), text
    return text


@pytest.mark.slow
def test_bundled_registry_generates_the_golden_tree() -> None:
    target = find_target("typescript", None, ROOT)
    drift = output.compare(build(target, ROOT / "contracts"), GOLDEN_TS)
    assert drift.clean, f"golden files are stale; run `{TS_REGEN}` (make regen):\n" + "\n".join(
        drift.lines()
    )


@pytest.mark.slow
def test_check_is_fresh_on_the_golden_tree_and_names_a_stale_file(tmp_path: Path) -> None:
    run = generate_cli("typescript", "--check", "--out", GOLDEN_TS)
    assert run.returncode == 0, run.stdout + run.stderr
    out = tmp_path / "pkg"
    shutil.copytree(GOLDEN_TS, out)
    (out / "src" / "errors.ts").write_text("export {};\n", encoding="utf-8")
    stale = generate_cli("typescript", "--check", "--out", out)
    assert stale.returncode == 1
    assert "errors.ts" in stale.stdout
    assert "generate-stale" in stale.stdout


@pytest.mark.slow
def test_tsc_strict_builds_it_and_its_node_suite_passes(golden_built: Path) -> None:
    config = json.loads((golden_built / "tsconfig.json").read_text(encoding="utf-8"))
    options = config["compilerOptions"]
    assert options["strict"]
    assert options["noUncheckedIndexedAccess"]
    assert options["exactOptionalPropertyTypes"]
    report = _node_test(golden_built)
    assert "# pass 7" in report


@pytest.mark.slow
def test_the_public_api_has_no_any(golden_built: Path) -> None:
    dist = golden_built / "dist"
    public = [dist / "index.d.ts", *dist.glob("types/*.d.ts")]
    modules = ("errors", "channels", "messages", "json", "formats", "msgpack")
    public += [dist / f"{n}.d.ts" for n in modules]
    public += [dist / "runtime" / "index.d.ts", dist / "runtime" / "metrics.d.ts"]
    for path in public:
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", path.read_text(encoding="utf-8"), flags=re.S)
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', code)  # property names such as "any"
        assert not re.search(r"\bany\b", code), path
    manifest = json.loads((golden_built / "package.json").read_text(encoding="utf-8"))
    assert list(manifest["exports"]) == [".", "./runtime", "./schemas/*", "./package.json"]


@pytest.mark.slow
def test_importing_compiles_no_schema_and_patterns_end_at_the_end(golden_built: Path) -> None:
    script = """
import { createRequire } from "node:module";
import { decode, encode, ContractError, QUOTES_REALTIME } from "./dist/index.js";
const require = createRequire(import.meta.url);
const compiler = /ajv[\\/]dist[\\/](ajv|core|compile)/;
const loaded = Object.keys(require.cache).filter((p) => compiler.test(p));
const quote = {
  ticker: "AAPL", timestamp: "2026-01-20T14:30:00Z", price: 185.5, volume: 1, source: "yfinance",
};
let refused = null;
try { decode("quotes.realtime", JSON.stringify({ ...quote, ticker: "AAPL\\n" })); }
catch (error) {
  refused = error instanceof ContractError ? [error.pointer, error.version] : String(error);
}
const ok = decode("quotes.realtime", encode("quotes.realtime", quote));
console.log(JSON.stringify({ loaded, refused, ok, meta: QUOTES_REALTIME }));
"""
    run = node("--input-type=module", "-e", script, cwd=golden_built)
    assert run.returncode == 0, run.stderr.decode()
    found = json.loads(run.stdout)
    assert found["loaded"] == [], "importing the package loaded Ajv's compiler"
    assert found["refused"] == ["/ticker", "1.0.0"]
    assert found["ok"]["ticker"] == "AAPL"
    assert found["meta"]["kafkaTopic"] == "opa.quotes.realtime"
    assert found["meta"]["kafkaKey"] == "ticker"
    assert found["meta"]["redisChannel"] == "quotes.realtime"
    assert found["meta"]["kafkaKeyKind"] == "property"
    assert found["meta"]["kafkaKeyEncoding"] is None
    assert found["meta"]["encoding"] == "json"


@pytest.mark.slow
def test_importing_the_models_loads_no_redis_client_and_the_runtime_does(
    golden_built: Path,
) -> None:
    # redis and prom-client are CommonJS: whatever loads them shows in require.cache
    script = """
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const peers = /node_modules[\\/](redis|@redis[\\/]client|prom-client)[\\/]/;
const loaded = () => [...new Set(Object.keys(require.cache).filter((p) => peers.test(p))
  .map((p) => p.match(peers)[1]))].sort();
const models = await import("@opa/events");
const before = loaded();
const runtime = await import("@opa/events/runtime");
console.log(JSON.stringify({ before, after: loaded(), models: typeof models.decode,
  runtime: [typeof runtime.Publisher, typeof runtime.Subscriber, typeof runtime.Metrics] }));
"""
    manifest = json.loads((golden_built / "package.json").read_text(encoding="utf-8"))
    assert set(manifest["peerDependencies"]) == {"redis", "prom-client"}
    assert all(m["optional"] for m in manifest["peerDependenciesMeta"].values())
    assert not {"redis", "prom-client"} & set(manifest["dependencies"])
    # resolve the package by its own name, as a service does
    scope = golden_built / "node_modules_self" / "node_modules" / "@opa"
    scope.mkdir(parents=True)
    (scope / "events").symlink_to(golden_built, target_is_directory=True)
    service = golden_built / "node_modules_self"
    run = node("--preserve-symlinks", "--input-type=module", "-e", script, cwd=service)
    assert run.returncode == 0, run.stderr.decode()
    found = json.loads(run.stdout)
    assert found["before"] == [], "importing the models loaded a Redis client or prom-client"
    assert found["after"] == ["@redis/client", "prom-client", "redis"]
    assert found["models"] == "function"
    assert found["runtime"] == ["function", "function", "function"]


def _corpus() -> list[tuple[str, str, Any]]:
    """The agreement corpus of tests/generate/test_agreement.py: every example, its near-misses,
    every invalid example, and hypothesis-jsonschema messages with one value mutated."""
    cases: list[tuple[str, str, Any]] = []
    for manifest in manifests():
        channel, version = manifest["channel"], manifest["version"]
        for example in manifest.get("examples", []):
            cases.append((channel, version, example["payload"]))
            cases += [(channel, version, v) for v in _variants(example["payload"])]
        cases += [(channel, version, e["payload"]) for e in manifest.get("invalid_examples", [])]
        schema_file = GOLDEN_TS / "schemas" / module_name(channel) / f"{version}.json"
        schema = json.loads(schema_file.read_text(encoding="utf-8"))

        cases += [(channel, version, value) for value in generated_messages(schema)]
    return cases


@pytest.mark.slow
def test_typescript_decode_agrees_with_the_reference(golden_built: Path) -> None:
    cases = _corpus()
    raws = [
        json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
        for _c, _v, value in cases
    ]
    request = {
        "package": str(golden_built / "dist" / "index.js"),
        "cases": [
            {"channel": c, "version": v, "data": base64.b64encode(raw).decode()}
            for (c, v, _value), raw in zip(cases, raws, strict=True)
        ],
    }
    run = node(DRIVER, cwd=golden_built, stdin=json.dumps(request).encode())
    assert run.returncode == 0, run.stderr.decode()
    results = json.loads(run.stdout)
    references: dict[tuple[str, str], Any] = {}
    false_accepts, undocumented, not_round_trip = [], [], []
    documented = ts_only = 0
    for (channel, version, value), result in zip(cases, results, strict=True):
        if (channel, version) not in references:
            path = GOLDEN_TS / "schemas" / module_name(channel) / f"{version}.json"
            references[channel, version] = oracle.reference(json.loads(path.read_text("utf-8")))
        reference = references[channel, version]
        valid = reference.is_valid(value)
        if result["accepted"] and not valid:
            false_accepts.append((channel, value))
        elif result["accepted"]:
            encoded = json.loads(result["encoded"])
            if not (result["same"] and reference.is_valid(encoded)):
                not_round_trip.append((channel, value))
        elif valid:
            if oracle.documented_reason(value) is None and not inexact(value):
                undocumented.append((channel, value, result["error"]))
            else:
                documented += 1
                ts_only += oracle.documented_reason(value) is None
    accepted = sum(r["accepted"] for r in results)
    print(
        f"typescript agreement: {len(cases)} cases, {accepted} accepted, "
        f"{len(cases) - accepted} refused ({documented} documented false rejects, "
        f"{ts_only} of them {TS_DOCUMENTED_FALSE_REJECTS['inexact-number']!r}), "
        f"{len(false_accepts) + len(undocumented)} disagreements"
    )
    assert not false_accepts, f"TypeScript decode accepted invalid messages: {false_accepts[:5]}"
    assert not undocumented, f"refused valid messages for no documented reason: {undocumented[:5]}"
    assert not not_round_trip, f"encode did not round-trip: {not_round_trip[:5]}"
    assert accepted > 500
    assert len(cases) - accepted > 500


@pytest.mark.slow
@pytest.mark.parametrize("registry", [HOSTILE_TS, HOSTILE], ids=["hostile-ts", "hostile"])
def test_hostile_registries_compile_and_import_runs_nothing(registry: Path, tmp_path: Path) -> None:
    PWNED.unlink(missing_ok=True)
    out = tmp_path / "gen"
    run = generate_cli("typescript", "--registry", registry, "--out", out)
    assert run.returncode == 0, run.stdout + run.stderr
    package = built(out, tmp_path / "pkg")
    imports = "".join(
        f'await import("./{p.relative_to(package).as_posix()}");\n'
        for p in sorted((package / "dist").rglob("*.js"))
    )
    loaded = node("--input-type=module", "-e", imports + 'console.log("imported");', cwd=package)
    assert loaded.returncode == 0, loaded.stderr.decode()
    assert loaded.stdout.decode().strip() == "imported"
    _node_test(package)
    assert not PWNED.exists()


@pytest.mark.slow
def test_hostile_property_names_are_data(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert generate_cli("typescript", "--registry", HOSTILE_TS, "--out", out).returncode == 0
    package = built(out, tmp_path / "pkg")
    script = """
import { decode } from "./dist/index.js";
const base = { constructor: "c", class: "k", "*/": "e" };
const results = [];
for (const text of [
  JSON.stringify(base),
  '{"constructor": "c", "__proto__": 1, "class": "k", "*/": "e"}',
  '{"constructor": "c", "__proto__": 1, "class": "k", "*/": "e",'
    + ' "nested": {"constructor": ["ABC"]}}',
]) {
  try {
    const m = decode("keywords.js", text);
    results.push(["ok", Object.getPrototypeOf(m) === Object.prototype]);
  }
  catch (error) { results.push([error.name, error.pointer]); }
}
console.log(JSON.stringify(results));
"""
    run = node("--input-type=module", "-e", script, cwd=package)
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout) == [
        ["ContractError", ""],  # "__proto__" is required: an own property, not the prototype's
        ["ok", True],  # JSON.parse makes "__proto__" an own property; the prototype is untouched
        ["ContractError", "/nested/constructor/0"],
    ]


def test_a_proto_property_with_a_schema_is_refused(tmp_path: Path) -> None:
    registry = tmp_path / "reg"
    shutil.copytree(HOSTILE_TS, registry)
    manifest = registry / "keywords.js" / "1.0.0.yaml"
    text = manifest.read_text(encoding="utf-8").replace(
        "    __proto__: true\n", "    __proto__: {type: string}\n"
    )
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(GenerateError, match="__proto__ with a schema"):
        build(ts_target(tmp_path / "out"), registry)


def test_msgpack_channels_type_binary_data_as_bytes(tmp_path: Path) -> None:
    files = build(ts_target(tmp_path / "out"), ENCODINGS)
    chunks = files["src/types/files_chunks.ts"].decode()
    assert '"data": Uint8Array;' in chunks
    assert '"parts"?: ReadonlyArray<Uint8Array>;' in chunks
    assert '"file_id": string;' in chunks
    # a JSON channel's base64 text stays a string (as in the Python models)
    assert '"digest"?: string;' in files["src/types/audit_events.ts"].decode()
    manifest = json.loads(files["package.json"])
    assert manifest["dependencies"]["@msgpack/msgpack"] == "3.1.2"
    lock = json.loads((ROOT / "tools/typescript-build/package-lock.json").read_text("utf-8"))
    assert lock["packages"]["node_modules/@msgpack/msgpack"]["version"] == "3.1.2"


def test_bad_options_are_named(tmp_path: Path) -> None:
    with pytest.raises(GenerateError) as raised:
        build(ts_target(tmp_path, package_name="Not A Name", version="one"), ROOT / "contracts")
    assert any("package_name" in p for p in raised.value.problems)
    assert any("options.version" in p for p in raised.value.problems)


def test_a_missing_toolchain_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(standalone.TOOLS_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(GenerateError, match=re.escape(standalone.INSTALL)):
        build(ts_target(tmp_path / "out"), ROOT / "contracts")


PRINTS = re.compile(r"//\s*→\s*(?P<text>.+?)\s*$", re.MULTILINE)
GUIDE = "docs/typescript-client.md"


#: a guide block whose first line names a test registry runs against that registry's package
REGISTRY_LINE = re.compile(r"^// channels of the test registry (?P<registry>\S+)")


def _registry_of(block: Any) -> str | None:
    found = REGISTRY_LINE.match(block.text)
    return found["registry"] if found else None


def run_ts_blocks(package: Path, blocks: list[Any], env: dict[str, str] | None = None) -> None:
    """Compile ``blocks`` (TypeScript) strictly as a service of ``package`` (with Node's types),
    run each with ``node`` (``env`` added to the environment) and check it prints what its
    ``// → TEXT`` comments say."""
    folder = package / "snippets"
    folder.mkdir()
    for i, block in enumerate(blocks):
        (folder / f"block{i}.ts").write_text(block.text, encoding="utf-8")
    config = json.loads((package / "tsconfig.json").read_text(encoding="utf-8"))
    # a service of its own, with Node's types (console, Buffer)
    config["compilerOptions"].update(rootDir="snippets", outDir="snippets-dist", types=["node"])
    config["include"] = ["snippets"]
    (package / "tsconfig.snippets.json").write_text(json.dumps(config), encoding="utf-8")
    tsc = subprocess.run(
        [str(NODE_MODULES / ".bin" / "tsc"), "-p", "tsconfig.snippets.json"],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_DEADLINE,
        check=False,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    for i, block in enumerate(blocks):
        run = subprocess.run(
            ["node", str(package / "snippets-dist" / f"block{i}.js")],
            cwd=package,
            capture_output=True,
            timeout=SUBPROCESS_DEADLINE,
            check=False,
            env={**os.environ, **(env or {})},
        )
        printed = run.stdout.decode()
        assert run.returncode == 0, f"{block.id}: {run.stderr.decode()}"
        for want in PRINTS.findall(block.text):
            assert want in printed, f"{block.id} should print {want!r}; it printed {printed!r}"


@pytest.mark.slow
def test_typescript_blocks_of_the_guide_and_readme_compile_strictly_and_print_what_they_say(
    golden_built: Path,
) -> None:
    pages = [GUIDE, GOLDEN_TS.relative_to(ROOT).as_posix() + "/README.md"]
    # the runtime blocks need Redis: tests/integration/runtime/test_typescript_redis.py runs them
    blocks = [
        b for b in document_blocks(ROOT, pages) if b.language == "ts" and "REDIS_URL" not in b.text
    ]
    assert len(blocks) >= 7
    run_ts_blocks(golden_built, [b for b in blocks if _registry_of(b) is None])


@pytest.mark.slow
def test_the_decode_benchmark_runs(golden_built: Path) -> None:
    # a smoke run (10 calls): that the script works, not how fast anything is
    script = ROOT / "benchmarks" / "decode_speed_ts.mjs"
    run = node(script, golden_built, "--number", "10", "--repeat", "1", cwd=ROOT)
    printed = run.stdout.decode()
    assert run.returncode == 0, run.stderr.decode()
    for name in ("decode (string)", "JSON.parse alone", "JSON.parse + Ajv (compiled at run time)"):
        assert f"{name} " in printed


@pytest.mark.slow
def test_draft_06_compiles_and_draft_04_is_refused_by_name(tmp_path: Path) -> None:
    registry = tmp_path / "reg"
    (registry / "quotes.realtime").mkdir(parents=True)
    shutil.copy(ROOT / "contracts" / "registry.yaml", registry)
    manifest = (ROOT / "contracts" / "quotes.realtime" / "1.0.0.yaml").read_text(encoding="utf-8")
    written = registry / "quotes.realtime" / "1.0.0.yaml"
    draft07 = "http://json-schema.org/draft-07/schema#"
    written.write_text(manifest.replace(draft07, draft07.replace("07", "06")), encoding="utf-8")
    files = build(ts_target(tmp_path / "out"), registry)
    assert "src/validators/quotes_realtime/v1_0_0.ts" in files
    written.write_text(manifest.replace(draft07, draft07.replace("07", "04")), encoding="utf-8")
    with pytest.raises(GenerateError, match="draft-04 schemas are not supported"):
        build(ts_target(tmp_path / "out"), registry)


@pytest.mark.slow
def test_a_channel_named_like_a_typescript_type_gets_a_suffix(tmp_path: Path) -> None:
    registry = tmp_path / "reg"
    (registry / "record").mkdir(parents=True)
    shutil.copy(ROOT / "contracts" / "registry.yaml", registry)
    manifest = (ROOT / "contracts" / "quotes.realtime" / "1.0.0.yaml").read_text(encoding="utf-8")
    text = manifest.replace("channel: quotes.realtime", "channel: record")
    (registry / "record" / "1.0.0.yaml").write_text(text, encoding="utf-8")
    files = build(ts_target(tmp_path / "out"), registry)
    types = files["src/types/record.ts"].decode()
    assert "export type RecordMessage = RecordMessageV1_0_0;" in types
    assert "export interface RecordMessageV1_0_0 {" in types


#: why the TypeScript msgpack decode may refuse a message the Python package accepts (each is
#: refused, never changed; docs/typescript-client.md "msgpack channels")
TS_MSGPACK_FALSE_REJECTS = {
    "beyond ±(2^53 - 1)": "an integer a JavaScript number cannot carry (no bigint in the types)",
    "negative zero": "-0.0 would be written back as the integer 0",
    "__proto__": "a map key __proto__, which a JavaScript object cannot hold as data safely",
}


def ts_decisions(package: Path, cases: list[tuple[str, str, bytes]]) -> list[dict[str, Any]]:
    """What the built TypeScript ``package`` decides on each (channel, version, bytes)."""
    request = {
        "package": str(package / "dist" / "index.js"),
        "cases": [
            {"channel": c, "version": v, "data": base64.b64encode(raw).decode()}
            for c, v, raw in cases
        ],
    }
    run = node(DRIVER, cwd=package, stdin=json.dumps(request).encode())
    assert run.returncode == 0, run.stderr.decode()
    results: list[dict[str, Any]] = json.loads(run.stdout)
    return results


def msgpack_agreement(
    python: Any, package: Path, cases: list[tuple[str, str, bytes]]
) -> tuple[int, list[Any]]:
    """Decode every msgpack case with the Python package and the TypeScript one: the number of
    documented TypeScript-only refusals, and every disagreement."""
    disagreements: list[Any] = []
    documented = 0
    for (channel, version, raw), ts in zip(cases, ts_decisions(package, cases), strict=True):
        try:
            message = python.decode(channel, raw, version)
        except python.ContractError as exc:
            if ts["accepted"]:
                disagreements.append(("TypeScript accepts", channel, raw, str(exc)))
            continue
        if not ts["accepted"]:
            if any(reason in ts["error"] for reason in TS_MSGPACK_FALSE_REJECTS):
                documented += 1
            else:
                disagreements.append(("TypeScript refuses", channel, raw, ts["error"]))
            continue
        written = base64.b64decode(ts["encoded"]["msgpack"])
        # what TypeScript writes back, Python reads as the same message
        if not ts["same"] or python.decode(channel, written, version) != message:
            disagreements.append(("not the same message", channel, raw, written))
    return documented, disagreements


def _msgpack_cases() -> list[tuple[str, str, bytes]]:
    import msgpack

    from tests.generate.test_encodings import CHUNK, REFUSED, wire

    cases: list[tuple[str, str, bytes]] = []
    for manifest in manifests(ENCODINGS):
        if manifest.get("encoding") != "msgpack":
            continue
        channel, version = manifest["channel"], manifest["version"]
        for example in [*manifest["examples"], *manifest.get("invalid_examples", [])]:
            cases.append((channel, version, msgpack.packb(wire(channel, example["payload"]))))
    cases += [
        ("files.chunks", "1.0.0", data) for _n, data, *_ in REFUSED if isinstance(data, bytes)
    ]
    frame = {"sensor": "s", "frame": b"\x00", "readings": [0.1, 2.0, 1e300]}
    cases += [
        ("files.chunks", "1.0.0", msgpack.packb({**CHUNK, "seq": 2**40})),  # a uint64
        ("files.chunks", "1.0.0", msgpack.packb({**CHUNK, "seq": 2**53 - 1})),
        ("files.chunks", "1.0.0", msgpack.packb({**CHUNK, "seq": 2**53})),  # beyond: refused
        ("files.chunks", "1.0.0", msgpack.packb({**CHUNK, "seq": 2**64 - 1})),
        ("files.chunks", "1.0.0", msgpack.packb({**CHUNK, "tags": {"__proto__": "x"}})),
        ("files.chunks", "1.0.0", msgpack.packb({**CHUNK, "tags": {"constructor": "x"}})),
        ("files.chunks", "1.0.0", msgpack.packb({**CHUNK, "parts": [], "data": b""})),
        ("files.chunks", "1.0.0", msgpack.packb(b"\x00")),  # a bin where an object is due
        ("sensor.frames", "1.0.0", msgpack.packb(frame)),
        (
            "sensor.frames",
            "1.0.0",
            msgpack.packb({**frame, "readings": [0.1]}, use_single_float=True),
        ),
        ("sensor.frames", "1.0.0", msgpack.packb({**frame, "readings": [-0.0]})),
        ("sensor.frames", "1.0.0", msgpack.packb({**frame, "frame": "AA=="})),
        ("sensor.frames", "1.0.0", msgpack.packb({**frame, "sensor": "s\u00e9\U0001f600"})),
        ("sensor.frames", "1.0.0", b"\x81\xa6sensor\xa4s\xed\xa0\x80"),  # an encoded surrogate
    ]
    return cases


@pytest.mark.slow
def test_typescript_msgpack_decode_agrees_with_the_python_package(
    encodings_package: Path, tmp_path: Path
) -> None:
    from tests.generate.helpers import ENCODINGS_MODULE, imported

    out = tmp_path / "gen"
    run = generate_cli("typescript", "--registry", ENCODINGS, "--out", out)
    assert run.returncode == 0, run.stdout + run.stderr
    package = built(out, tmp_path / "pkg")
    cases = _msgpack_cases()
    with imported(encodings_package / "src", ENCODINGS_MODULE) as python:
        documented, disagreements = msgpack_agreement(python, package, cases)
    print(
        f"typescript msgpack agreement: {len(cases)} cases, {documented} documented false "
        f"rejects, {len(disagreements)} disagreements"
    )
    assert disagreements == []
    assert documented == 4  # 2**53, 2**64 - 1, __proto__, -0.0
    decisions = ts_decisions(package, cases)
    assert sum(r["accepted"] for r in decisions) >= 10
    errors = " ".join(r["error"] for r in decisions if not r["accepted"])
    for kind in ("(int)", "(bin)"):
        assert f"a map key that is not a string {kind}" in errors
    refused = {r["pointer"] for r in decisions if not r["accepted"]}
    assert {"/x/0", "/tags/at", "/tags", "/x", "/tags/a", "/data", "/parts/1"} <= refused


KEY_SCRIPT = """
import { decodeKey, encodeKey, ContractError } from "./dist/index.js";
const cases = JSON.parse(process.argv[1]);
const out = cases.map(([how, channel, data]) => {
  try {
    if (how === "encode") return { ok: Buffer.from(encodeKey(channel, data)).toString("base64") };
    const bytes = data === null ? null : new Uint8Array(Buffer.from(data, "base64"));
    return { ok: decodeKey(channel, bytes) };
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    return { error: error.detail, pointer: error.pointer };
  }
});
console.log(JSON.stringify(out));
"""
#: why the TypeScript decodeKey may refuse a key the Python package accepts (its JSON reader's)
TS_KEY_FALSE_REJECTS = ("appears twice", "beyond ±(2^53 - 1)")


@pytest.mark.slow
def test_encode_key_and_decode_key_agree_with_the_python_package(tmp_path: Path) -> None:
    from tests.generate.helpers import generate, imported

    keys = FIXTURES / "kafka-keys"
    run = generate_cli("typescript", "--registry", keys, "--out", tmp_path / "gen")
    assert run.returncode == 0, run.stdout + run.stderr
    package = built(tmp_path / "gen", tmp_path / "pkg")
    offsets, balances = "commit.offsets", "account.balances"
    decodes: list[tuple[str, bytes | None]] = [
        (offsets, b"orders-0"),
        (offsets, b"Orders"),
        (offsets, b"orders-0\n"),  # ECMA-262 `$` is the end of the text, as in jsonschema-rs
        (offsets, b"a-" + b"1" * 70),
        (offsets, b"\xff"),
        (offsets, None),
        (balances, b'{"account":7,"currency":"EUR"}'),
        (balances, b'{"currency":"EUR","account":7}'),
        (balances, b'{"account":0,"currency":"EUR"}'),
        (balances, b'{"account":7,"currency":"EUR","x":1}'),
        (balances, b"not json"),
        (balances, b'"EUR"'),
        (balances, b'{"account":7,"account":8,"currency":"EUR"}'),
        (balances, b'{"account":9007199254740993,"currency":"EUR"}'),
    ]
    encodes: list[tuple[str, Any]] = [
        (offsets, "orders-0"),
        (offsets, "Orders"),
        (offsets, 7),
        (balances, {"account": 7, "currency": "EUR"}),
        (balances, {"currency": "EUR", "account": 7}),
        (balances, {"account": 7, "currency": "eur"}),
        ("no.such.channel", "x"),
    ]
    cases = [
        ["decode", c, None if d is None else base64.b64encode(d).decode()] for c, d in decodes
    ] + [["encode", c, k] for c, k in encodes]
    ran = node("--input-type=module", "-e", KEY_SCRIPT, json.dumps(cases), cwd=package)
    assert ran.returncode == 0, ran.stderr.decode()
    results = json.loads(ran.stdout)
    python_out = tmp_path / "py"
    generate(keys, python_out, "ts_key_events")
    disagreements, documented = [], 0
    with imported(python_out / "src", "ts_key_events") as python:
        for (how, channel, data), ts in zip(cases, results, strict=True):
            try:
                codec = python._codec.codec(channel)
                if how == "encode":
                    expected: Any = base64.b64encode(codec.encode_key(data)).decode()
                else:
                    expected = codec.decode_key(None if data is None else base64.b64decode(data))
            except python.ContractError as exc:
                if "ok" in ts:
                    disagreements.append((how, channel, data, "TypeScript accepts", str(exc)))
                elif exc.pointer.startswith("key:") != ts["pointer"].startswith("key:"):
                    disagreements.append((how, channel, data, exc.pointer, ts["pointer"]))
                continue
            if "ok" not in ts:
                if any(reason in ts["error"] for reason in TS_KEY_FALSE_REJECTS):
                    documented += 1
                else:
                    disagreements.append((how, channel, data, "TypeScript refuses", ts["error"]))
            elif ts["ok"] != expected:
                disagreements.append((how, channel, data, ts["ok"], expected))
    assert disagreements == []
    assert documented == 2
    assert sum("ok" in r for r in results) >= 6
    assert results[8]["pointer"] == "key:/account"


ENCODE_SCRIPT = """
import { decode, encode, ContractError } from "./dist/index.js";
const chunk = { file_id: "f-0000002a", seq: 1, data: new Uint8Array([1, 2]) };
const cyclic = { ...chunk, tags: {} };
cyclic.tags.self = cyclic;
const out = [];
for (const message of [
  { ...chunk, data: "AQI=" },
  { ...chunk, tags: { a: new Uint8Array(1) } },
  { ...chunk, parts: [new Uint8Array(1), "AA=="] },
  { ...chunk, seq: -0 },
  { ...chunk, seq: NaN },
  { ...chunk, seq: 1n },
  { ...chunk, sent_at: new Date(0) },
  { ...chunk, data: new Uint8Array(13) },
  { ...chunk, tags: { a: undefined } },
  cyclic,
]) {
  try { encode("files.chunks", message); out.push(["ok"]); }
  catch (error) {
    out.push(error instanceof ContractError ? [error.pointer, error.detail] : [String(error)]);
  }
}
const written = encode("files.chunks", { ...chunk, parts: [new Uint8Array(0)], seq: 2 ** 40 });
const back = decode("files.chunks", written);
out.push([Array.from(back.data), back.parts[0] instanceof Uint8Array, back.seq]);
// a decoded message owns its bytes: changing the input afterwards changes nothing
const input = encode("files.chunks", chunk);
const read = decode("files.chunks", input);
input.fill(0);
out.push(Array.from(read.data));
// from a Node Buffer (what Redis and Kafka clients hand over): plain Uint8Array copies
const fromBuffer = decode("files.chunks", Buffer.from(encode("files.chunks", chunk)));
out.push([Object.getPrototypeOf(fromBuffer.data) === Uint8Array.prototype]);
out.push([encode("files.chunks", { ...chunk, data: Buffer.from([1, 2]) }).length > 0]);
try { decode("files.chunks", "text"); } catch (error) { out.push([error.pointer, error.detail]); }
for (const data of [new Int8Array(1), new Uint16Array(1)]) {
  try { encode("files.chunks", { ...chunk, data }); out.push(["ok"]); }
  catch (error) { out.push([error.pointer]); }
}
console.log(JSON.stringify(out));
"""


@pytest.mark.slow
def test_msgpack_encode_refuses_what_it_cannot_write_exactly(tmp_path: Path) -> None:
    run = generate_cli("typescript", "--registry", ENCODINGS, "--out", tmp_path / "gen")
    assert run.returncode == 0, run.stdout + run.stderr
    package = built(tmp_path / "gen", tmp_path / "pkg")
    ran = node("--input-type=module", "-e", ENCODE_SCRIPT, cwd=package)
    assert ran.returncode == 0, ran.stderr.decode()
    found = json.loads(ran.stdout)
    pointers = [r[0] for r in found[:10]]
    assert pointers == [
        "/data",  # base64 text where binary data is declared: a Uint8Array is due
        "/tags/a",  # bytes where the contract declares none
        "/parts/1",
        "/seq",  # -0
        "/seq",  # NaN
        "/seq",  # a bigint
        "/sent_at",  # a Date is not JSON
        "/data",  # 13 bytes: 20 base64 characters, beyond maxLength 16
        "/tags/a",  # undefined
        "/tags/self",  # a container that holds itself
    ]
    assert "must be a Uint8Array" in found[0][1]
    assert "declares no binary data" in found[1][1]
    assert found[10] == [[1, 2], True, 2**40]
    assert found[11] == [1, 2]
    assert found[12:14] == [[True], [True]]
    assert found[14][0] == ""  # text on a msgpack channel
    assert "not msgpack" in found[14][1]
    assert found[15:] == [["/data"], ["/data"]]


def test_the_binary_plan_follows_the_schema_as_the_python_models_do() -> None:
    schema = {
        "$defs": {
            "blob": {"type": "string", "contentEncoding": "base64"},
            "tree": {
                "type": "object",
                "properties": {
                    "leaf": {"$ref": "#/$defs/blob"},
                    "kids": {"items": {"$ref": "#/$defs/tree"}},
                },
            },
        },
        "type": "object",
        "properties": {
            "plain": {"type": "string"},  # hides additionalProperties: never binary
            "maybe": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/blob"}]},
            "tree": {"$ref": "#/$defs/tree"},
            "text": {"type": "string", "contentEncoding": "base64", "maxLength": 4},
        },
        "additionalProperties": {"$ref": "#/$defs/blob"},
    }
    value = {
        "plain": "AA==",
        "maybe": "AA==",
        "tree": {"leaf": "AA==", "kids": [{"leaf": "AQ=="}, {"other": "AA=="}]},
        "text": "AA==",
        "extra": "AA==",
    }
    tree = ["/tree/leaf", "/tree/kids/0/leaf"]  # not /tree/kids/1/other: a tree has no extras
    assert binary_pointers(schema, value) == ["/maybe", *tree, "/text", "/extra"]
    assert binary_pointers(schema, {**value, "maybe": None}) == [*tree, "/text", "/extra"]
    # the same places as the validator's own walk (lint's binary_problems): each string made bad
    bad = json.loads(json.dumps(value).replace('"AA=="', '"!"').replace('"AQ=="', '"!"'))
    found = sorted(pointer for pointer, _why in binary_problems(schema, bad))
    assert found == sorted(binary_pointers(schema, value))
    assert binary_plan({"type": "object", "properties": {"a": {"type": "string"}}}) is None
    # a root that is binary data itself
    assert binary_pointers({"type": "string", "contentEncoding": "base64"}, "AA==") == [""]


@pytest.mark.slow
def test_the_exact_reader_fast_path_lets_nothing_through(golden_built: Path) -> None:
    """``decode`` skips its scan of the text when nothing in it can need one (no escape, no risky
    number token, as many quotes as the value's keys and strings): each case that needs the scan
    must still be refused, with and without a string that makes the fast path bail out."""
    base = (
        '"ticker":"AAPL","timestamp":"2026-01-20T14:30:00Z","price":1.5,"volume":7,'
        '"source":"yfinance"'
    )
    refused = {
        "repeated key": '{"ticker":"MSFT",' + base + "}",
        "repeated key, same value": '{"source":"yfinance",' + base + "}",
        "integer past 2^53": "{"
        + base.replace('"volume":7', '"volume":12345678901234567890')
        + "}",
        "exponent past a double": "{" + base.replace('"price":1.5', '"price":1e400') + "}",
        "negative zero": "{" + base.replace('"volume":7', '"volume":-0') + "}",
        "negative zero, fraction": "{" + base.replace('"price":1.5', '"price":-0.00') + "}",
    }
    accepted = {
        "plain": "{" + base + "}",
        "-0 inside a date": "{" + base + "}",  # 2026-01-20: "-0" followed by a digit
        "an escape: the scan runs": "{" + base.replace("yfinance", "yfin\\u0061nce") + "}",
    }
    cases = [
        ("quotes.realtime", "1.0.0", text.encode())
        for text in (*refused.values(), *accepted.values())
    ]
    results = ts_decisions(golden_built, cases)
    for (name, _text), result in zip([*refused.items(), *accepted.items()], results, strict=True):
        assert ("error" in result) == (name in refused), (name, result)
