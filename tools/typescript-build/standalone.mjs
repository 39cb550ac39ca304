// Ajv standalone validators for `opa-contracts generate typescript`, compiled at generation time.
// stdin: JSON [{"schema": ..., "dialect": "draft-07" | "2020-12" | ..., "formats": "../formats.js"}]
// stdout: JSON [{"code": "..."} | {"error": "..."}], one per input, in order.
// The generated ES module imports its format checks from the package's own formats module (RFC 3339
// date-time, see templates/typescript/src/formats.ts.jinja) and Ajv's small runtime helpers as
// default imports of their CommonJS modules: no schema is compiled when the package starts.
import Ajv from "ajv";
import Ajv2019 from "ajv/dist/2019.js";
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { _ } from "ajv";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const DRAFT_06 = require("ajv/dist/refs/json-schema-draft-06.json");

const OPTIONS = {
  code: { source: true, esm: true, formats: _`__formats`, lines: false, optimize: true },
  unicodeRegExp: true, // patterns with the u flag: ECMA-262 code-point semantics
  ownProperties: true, // "__proto__" and "constructor" are data, never the prototype's
  strict: false, // contracts may carry annotations Ajv does not know
  allErrors: false,
  validateFormats: true,
};

function compiler(dialect) {
  if (dialect === "2020-12") return new Ajv2020(OPTIONS);
  if (dialect === "2019-09") return new Ajv2019(OPTIONS);
  if (dialect === "draft-04") {
    throw new Error("draft-04 schemas are not supported by Ajv 8: write the contract in draft-07 or later");
  }
  const ajv = new Ajv(OPTIONS);
  // draft-06 schemas are read with Ajv's draft-07 vocabulary (draft-06 has no if/then/else)
  if (dialect === "draft-06") ajv.addMetaSchema(DRAFT_06);
  return ajv;
}

function addFormats(ajv) {
  // every format as {type, validate}: the generated code calls __formats[name].validate(value)
  for (const [name, found] of Object.entries(fullFormats)) {
    const type = typeof found === "object" && !(found instanceof RegExp) && found.type ? found.type : "string";
    ajv.addFormat(name, { type, validate: () => true });
  }
}

function compile(job) {
  const ajv = compiler(job.dialect);
  addFormats(ajv);
  const schema = { ...job.schema };
  delete schema.$id; // the bundled schema's id is not a reference the code needs
  const validate = ajv.compile(schema);
  let code = standaloneCode(ajv, validate);
  const modules = [];
  code = code.replace(/require\("([^"]+)"\)/g, (_match, name) => {
    let index = modules.indexOf(name);
    if (index < 0) index = modules.push(name) - 1;
    return `__require${index}`;
  });
  const imports = modules.map((name, i) => `import __require${i} from ${JSON.stringify(name + ".js")};`);
  imports.push(`import { formats as __formats } from ${JSON.stringify(job.formats)};`);
  return imports.join("\n") + "\n" + code.replace(/^"use strict";/, "") + "\n";
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = jobs.map((job) => {
  try {
    return { code: compile(job) };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error).split("\n")[0] };
  }
});
process.stdout.write(JSON.stringify(results));
