// The agreement driver: decodes every case with a built TypeScript package, in one Node process.
// stdin: {"package": "/abs/dist/index.js", "cases": [{"channel", "version", "data" (base64)}]}
// stdout: [{"accepted": true, "encoded": "...", "same": true} | {"accepted": false, "error": "..."}]
// ("encoded" is JSON text, or {"msgpack": base64} on a msgpack channel; "pointer" with "error")
import assert from "node:assert/strict";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const { decode, encode, ContractError } = await import(request.package);
const results = request.cases.map(({ channel, version, data }) => {
  const bytes = new Uint8Array(Buffer.from(data, "base64"));
  let message;
  try {
    message = decode(channel, bytes, { version });
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    return { accepted: false, error: error.message, pointer: error.pointer };
  }
  const encoded = encode(channel, message, { version });
  let same = true;
  try {
    assert.deepEqual(decode(channel, encoded, { version }), message);
  } catch {
    same = false;
  }
  const wire = typeof encoded === "string" ? encoded : { msgpack: Buffer.from(encoded).toString("base64") };
  return { accepted: true, encoded: wire, same };
});
process.stdout.write(JSON.stringify(results));
