// How fast the generated TypeScript package decodes, beside JSON.parse alone and beside JSON.parse
// with a runtime-compiled Ajv validator (ajv + ajv-formats, the same options), in one run.
//
// For the quotes.realtime contract example (a string in, a typed message out):
// - decode("quotes.realtime", text): the exact JSON reader (JSON.parse + the scan for rounded
//   integers, -0 and duplicate keys) and the ahead-of-time Ajv standalone validator;
// - decode with UTF-8 bytes in (a Uint8Array, as a Redis or Kafka client hands them over);
// - JSON.parse(text) alone (no check at all);
// - JSON.parse(text) + an Ajv validator compiled at run time from the bundled schema.
// Targets (issue 14): decode ≤ 2 µs per message and ≤ 2x JSON.parse + Ajv.
//
//   make demo   # or: opa-contracts generate typescript && tsc -p build/opa-events-ts (see docs)
//   node benchmarks/decode_speed_ts.mjs [build/opa-events-ts] [--number N] [--repeat R] [--quick]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : Number(args[at + 1]);
};
const quick = args.includes("--quick");
const number = option("--number", quick ? 2_000 : 200_000);
const repeat = option("--repeat", quick ? 1 : 5);
const packageDir = resolve(args.find((a, i) => !a.startsWith("--") && !String(args[i - 1]).startsWith("--")) ?? "build/opa-events-ts");

const { decode, CHANNELS } = await import(pathToFileURL(join(packageDir, "dist", "index.js")).href);
const tools = createRequire(join(here, "..", "tools", "typescript-build", "package.json"));
const Ajv = tools("ajv").default;
const addFormats = tools("ajv-formats").default;

const schema = JSON.parse(readFileSync(join(packageDir, "schemas", "quotes_realtime", "1.0.0.json"), "utf8"));
const text = JSON.stringify({
  ticker: "AAPL",
  timestamp: "2026-01-20T14:30:15.123Z",
  price: 185.5,
  volume: 45000000,
  bid: 185.48,
  ask: 185.52,
  source: "yfinance",
});
const bytes = new TextEncoder().encode(text);
const ajv = new Ajv({ unicodeRegExp: true, ownProperties: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const cases = {
  "decode (string)": () => decode("quotes.realtime", text),
  "decode (Uint8Array)": () => decode("quotes.realtime", bytes),
  "JSON.parse alone": () => JSON.parse(text),
  "JSON.parse + Ajv (compiled at run time)": () => {
    const value = JSON.parse(text);
    if (!validate(value)) throw new Error("invalid");
    return value;
  },
};

// every case must succeed before it is timed
for (const run of Object.values(cases)) run();

const results = {};
for (const [name, run] of Object.entries(cases)) {
  let best = Infinity;
  for (let r = 0; r < repeat; r += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < number; i += 1) run();
    const perCall = Number(process.hrtime.bigint() - start) / number / 1000;
    best = Math.min(best, perCall);
  }
  results[name] = best;
}
console.log(`node ${process.version}, ${Object.keys(CHANNELS).length} channels, ${number} x ${repeat} (best of ${repeat})`);
for (const [name, us] of Object.entries(results)) console.log(`${name.padEnd(42)} ${us.toFixed(3)} µs per message`);
const ratio = results["decode (string)"] / results["JSON.parse + Ajv (compiled at run time)"];
console.log(`decode / (JSON.parse + Ajv): ${ratio.toFixed(2)}x (target ≤ 2x); decode ≤ 2 µs: ${results["decode (string)"] <= 2 ? "yes" : "no"}`);
