// The Node side of tests/integration/runtime/test_typescript_redis.py: the generated package's
// runtime, driven by JSON lines on stdin, reporting JSON lines on stdout.
//
//   node ts_runtime.mjs PACKAGE_DIR subscribe REDIS_URL   subscribes to every channel with a Redis
//       channel; prints {"event":"ready"}, then {"event":"received",...} per message and
//       {"event":"reconnected",...} once subscribed again after a lost connection
//   node ts_runtime.mjs PACKAGE_DIR publish REDIS_URL     publishes each {"channel","text"} line
//       (decoded first; {"channel","raw"}: a value published unchecked) and prints
//       {"event":"published","receivers":N}, or {"event":"failed",...} for the error it threw
//
// Both answer {"command":"metrics"} with {"event":"metrics","text":EXPOSITION} and end on
// {"command":"close"} (or the end of stdin).
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [packageDir, mode, url] = process.argv.slice(2);
const models = await import(pathToFileURL(`${packageDir}/dist/index.js`).href);
const runtime = await import(pathToFileURL(`${packageDir}/dist/runtime/index.js`).href);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const metrics = new runtime.Metrics();

let service;
if (mode === "subscribe") {
  const channels = Object.values(models.CHANNELS).filter((c) => c.redisChannel !== null).map((c) => c.name);
  const logger = {
    warn(text) {
      if (text.startsWith("subscribed to Redis again")) {
        say({ event: "reconnected", reconnects: service.reconnects, gap: service.lastGap, cause: service.lastDisconnectCause, text });
      }
    },
    error(text) {
      say({ event: "log", text });
    },
  };
  service = await runtime.Subscriber.connect(url, channels, { metrics, logger });
  say({ event: "ready", channels });
  void (async () => {
    for await (const received of service) {
      say({
        event: "received",
        channel: received.channel,
        source: received.source,
        message: received.message,
        raw: Buffer.from(received.raw).toString("utf8"),
      });
    }
  })();
} else if (mode === "publish") {
  service = await runtime.Publisher.connect(url, { metrics });
  say({ event: "ready" });
} else {
  throw new Error(`unknown mode ${mode}`);
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  if (command.command === "metrics") {
    say({ event: "metrics", text: await metrics.exposition() });
  } else if (command.command === "close") {
    break;
  } else {
    // "text" is checked by decode; "raw" (a JSON value) goes to publish as it is
    const message = command.text === undefined ? command.raw : models.decode(command.channel, command.text);
    try {
      say({ event: "published", channel: command.channel, receivers: await service.publish(command.channel, message) });
    } catch (error) {
      say({ event: "failed", name: error.name, message: error.message, attempts: error.attempts ?? null });
    }
  }
}
await service.close();
say({ event: "closed" });
process.exit(0); // stdin may still be open
