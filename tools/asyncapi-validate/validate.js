#!/usr/bin/env node
// Parse an AsyncAPI document with the official @asyncapi/parser, offline, and print its
// diagnostics as JSON: {"errors": [...], "warnings": [...], "infos": [...], "hints": [...]}.
// Exit code: 0 no errors, 1 errors, 2 usage or crash. Usage: node validate.js DOCUMENT
'use strict';
const fs = require('fs');
const path = require('path');
const { Parser, fromFile } = require('@asyncapi/parser');

const refuse = (uri) => { throw new Error(`external reference ${uri} is not fetched (offline)`); };
const offline = ['http', 'https', 'file'].map((schema) => ({ schema, order: 0, read: refuse }));
const LEVELS = ['errors', 'warnings', 'infos', 'hints'];

async function main(file) {
  const parser = new Parser({ __unstable: { resolver: { resolvers: offline } } });
  const { diagnostics } = await fromFile(parser, path.resolve(file)).parse();
  const report = Object.fromEntries(LEVELS.map((level) => [level, []]));
  for (const d of diagnostics) {
    report[LEVELS[d.severity] || 'errors'].push({ code: d.code, message: d.message, path: d.path });
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return report.errors.length ? 1 : 0;
}

if (process.argv.length !== 3 || !fs.existsSync(process.argv[2])) {
  process.stderr.write('usage: node validate.js ASYNCAPI_DOCUMENT (YAML or JSON)\n');
  process.exit(2);
}
main(process.argv[2]).then((code) => process.exit(code), (err) => {
  process.stderr.write(`asyncapi-validate: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
